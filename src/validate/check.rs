//! A named check: a published outcome or a calibration target, its scenarios (arms), the
//! seeds it needs, and the function that turns the arms' run tables into judged criteria.

use std::cell::RefCell;

use super::rule::Criterion;
use super::scenario::{Base, Scenario};
use super::tables::RunTables;

/// One arm of a check: a label and its scenario.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Label within the check (e.g. `control`, `anti_vegfr1`).
    pub label: String,
    /// What is run.
    pub scenario: Scenario,
}

/// The function of a check: the arms' runs in, criteria out (an error names what could
/// not be read).
pub type Evaluate = fn(&Runs) -> Result<Vec<Criterion>, String>;

/// A check of the suite.
#[derive(Debug, Clone)]
pub struct Check {
    /// Name, `<source>.<outcome>` (e.g. `enderling2009.dormancy`).
    pub name: &'static str,
    /// The literature behind it.
    pub source: &'static str,
    /// What it asserts, in one sentence.
    pub claim: &'static str,
    /// Its arms; all are run with the same seeds (common random numbers), so arm
    /// differences are paired.
    pub arms: Vec<Arm>,
    /// Seeds per arm by default, chosen for at least 90 % power.
    pub seeds: usize,
    /// Part of the `--quick` subset (cheap scenarios, run by CI).
    pub quick: bool,
    /// How its power was estimated, and the result.
    pub power_note: &'static str,
    /// Its statistics and rules.
    pub evaluate: Evaluate,
}

impl Check {
    /// Do all its scenarios start from the baseline (so that `--config` applies)?
    pub fn derives_from_baseline(&self) -> bool {
        self.arms.iter().all(|a| a.scenario.base == Base::Baseline)
    }

    /// `label: scenario; label: scenario`.
    pub fn arms_text(&self) -> String {
        self.arms
            .iter()
            .map(|a| format!("{}: {}", a.label, a.scenario))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One per-seed observation behind a statistic (the rows of `values.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// What was observed (e.g. `CSC fraction day 90`).
    pub observation: String,
    /// The arm.
    pub arm: String,
    /// Replicate index.
    pub replicate: usize,
    /// The value.
    pub value: f64,
}

/// The runs of a check, arm by arm in the check's order, seeds in replicate order.
/// Every value read through [`Runs::values`] is kept as an [`Observation`].
#[derive(Debug)]
pub struct Runs<'a> {
    arms: Vec<(String, Vec<&'a RunTables>)>,
    log: RefCell<Vec<Observation>>,
}

impl<'a> Runs<'a> {
    /// Runs of the arms `(label, tables per replicate)`.
    pub fn new(arms: Vec<(String, Vec<&'a RunTables>)>) -> Self {
        Runs {
            arms,
            log: RefCell::new(Vec::new()),
        }
    }

    /// The runs of arm `label`.
    pub fn arm(&self, label: &str) -> Result<&[&'a RunTables], String> {
        self.arms
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, t)| t.as_slice())
            .ok_or_else(|| format!("no arm `{label}`"))
    }

    /// `f` of every run of arm `label`, in replicate order, logged as `observation`.
    pub fn values(
        &self,
        label: &str,
        observation: &str,
        f: impl Fn(&RunTables) -> Result<f64, String>,
    ) -> Result<Vec<f64>, String> {
        let values = self
            .arm(label)?
            .iter()
            .map(|t| f(t))
            .collect::<Result<Vec<f64>, String>>()
            .map_err(|e| format!("{label}, {observation}: {e}"))?;
        self.record(label, observation, &values);
        Ok(values)
    }

    /// Logs per-replicate `values` of arm `label` computed outside [`Runs::values`].
    pub fn record(&self, label: &str, observation: &str, values: &[f64]) {
        let mut log = self.log.borrow_mut();
        for (replicate, &value) in values.iter().enumerate() {
            log.push(Observation {
                observation: observation.to_string(),
                arm: label.to_string(),
                replicate,
                value,
            });
        }
    }

    /// The observations logged so far.
    pub fn observations(self) -> Vec<Observation> {
        self.log.into_inner()
    }
}
