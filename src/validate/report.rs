//! The tables of a validation, as `#[derive(Serialize)]` rows written through `csv`:
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `validation.csv` | criterion × block | check, source, block, statistic, estimate, ci_low, ci_high, target, rule, target_low, target_high, pass, check_pass, seeds, power, scenarios, note |
//! | `values.csv` | seed behind a statistic | check, block, observation, arm, replicate, seed, value |
//! | `checks.csv` | check | check, source, claim, arms, seeds, quick, power_note |
//! | `runs.csv` | simulation | scenario, block, replicate, seed, status, stop_reason, error, folder |
//! | `power.csv` (`--blocks` > 1) | criterion | check, statistic, blocks, passed, power, power_low, power_high |
//!
//! `power` in `validation.csv` is the plug-in power of the criterion (the chance that a
//! fresh block of as many seeds passes, if the truth were this block's estimate);
//! `power.csv` counts how many independent blocks actually passed.

use std::io::Write;

use serde::Serialize;

use super::rule::Rule;
use super::{CheckResult, RunRecord, Validation, seeds_of};

/// A row of `validation.csv`.
#[derive(Debug, Serialize)]
pub struct CriterionRow {
    /// Check name.
    pub check: String,
    /// Its source.
    pub source: String,
    /// Seed block.
    pub block: usize,
    /// What is measured.
    pub statistic: String,
    /// Point estimate.
    pub estimate: Option<f64>,
    /// 95 % interval, lower end.
    pub ci_low: Option<f64>,
    /// 95 % interval, upper end.
    pub ci_high: Option<f64>,
    /// The rule as text.
    pub target: String,
    /// `band`, `at_least`, `at_most`, `exceeds`, `under`.
    pub rule: &'static str,
    /// Lower limit of the target, if any.
    pub target_low: Option<f64>,
    /// Upper limit of the target, if any.
    pub target_high: Option<f64>,
    /// Does this criterion pass?
    pub pass: bool,
    /// Do all criteria of the check pass (in this block)?
    pub check_pass: bool,
    /// Seeds per arm.
    pub seeds: usize,
    /// Plug-in power.
    pub power: Option<f64>,
    /// `label: scenario; …`.
    pub scenarios: String,
    /// Why the check could not be evaluated, if so.
    pub note: String,
}

/// A row of `values.csv`.
#[derive(Debug, Serialize)]
pub struct ValueRow {
    /// Check name.
    pub check: String,
    /// Seed block.
    pub block: usize,
    /// What was observed.
    pub observation: String,
    /// Arm label.
    pub arm: String,
    /// Replicate.
    pub replicate: usize,
    /// Seed of the run.
    pub seed: u64,
    /// Value.
    pub value: f64,
}

/// A row of `checks.csv`.
#[derive(Debug, Serialize)]
pub struct CheckRow {
    /// Check name.
    pub check: String,
    /// Its source.
    pub source: String,
    /// What it asserts.
    pub claim: String,
    /// `label: scenario; …`.
    pub arms: String,
    /// Seeds per arm.
    pub seeds: usize,
    /// In the `--quick` subset?
    pub quick: bool,
    /// How its power was estimated.
    pub power_note: String,
}

/// A row of `runs.csv`.
#[derive(Debug, Serialize)]
pub struct RunRow {
    /// Scenario.
    pub scenario: String,
    /// Seed block.
    pub block: usize,
    /// Replicate.
    pub replicate: usize,
    /// Seed.
    pub seed: u64,
    /// `completed` or `failed`.
    pub status: &'static str,
    /// Why it stopped (`days`, `extinct`, `stop_at_cells`).
    pub stop_reason: String,
    /// Why it failed.
    pub error: String,
    /// Its folder, relative to the output folder.
    pub folder: String,
}

/// A row of `power.csv`.
#[derive(Debug, Serialize)]
pub struct PowerRow {
    /// Check name.
    pub check: String,
    /// Criterion.
    pub statistic: String,
    /// Blocks run.
    pub blocks: usize,
    /// Blocks in which the criterion passed.
    pub passed: usize,
    /// passed / blocks.
    pub power: f64,
    /// Wilson 95 % interval, lower end.
    pub power_low: f64,
    /// Wilson 95 % interval, upper end.
    pub power_high: f64,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn rule_parts(rule: &Rule) -> (&'static str, Option<f64>, Option<f64>) {
    match *rule {
        Rule::Band(lo, hi) => ("band", Some(lo), Some(hi)),
        Rule::AtLeast(x) => ("at_least", Some(x), None),
        Rule::AtMost(x) => ("at_most", None, Some(x)),
        Rule::Exceeds(x) => ("exceeds", Some(x), None),
        Rule::Under(x) => ("under", None, Some(x)),
    }
}

/// The folder of a run, relative to the output folder.
pub fn run_folder(r: &RunRecord) -> String {
    format!("runs/{}/seed-{}", r.scenario, r.seed)
}

/// The rows of `validation.csv`.
pub fn criterion_rows(v: &Validation) -> Vec<CriterionRow> {
    let mut rows = Vec::new();
    for res in &v.results {
        let c = &v.checks[res.check];
        let base = |statistic: String| CriterionRow {
            check: c.name.to_string(),
            source: c.source.to_string(),
            block: res.block,
            statistic,
            estimate: None,
            ci_low: None,
            ci_high: None,
            target: String::new(),
            rule: "",
            target_low: None,
            target_high: None,
            pass: false,
            check_pass: res.passes(),
            seeds: res.seeds,
            power: None,
            scenarios: c.arms_text(),
            note: String::new(),
        };
        match &res.criteria {
            Ok(criteria) => {
                for k in criteria {
                    let (rule, lo, hi) = rule_parts(&k.rule);
                    rows.push(CriterionRow {
                        estimate: finite(k.estimate.value),
                        ci_low: finite(k.estimate.low),
                        ci_high: finite(k.estimate.high),
                        target: k.rule.text(),
                        rule,
                        target_low: lo,
                        target_high: hi,
                        pass: k.passes(),
                        power: Some(k.power()),
                        ..base(k.statistic.clone())
                    });
                }
            }
            Err(e) => rows.push(CriterionRow {
                note: e.clone(),
                ..base("(not evaluated)".into())
            }),
        }
    }
    rows
}

/// The rows of `values.csv`.
pub fn value_rows(v: &Validation) -> Vec<ValueRow> {
    let mut rows = Vec::new();
    for res in &v.results {
        let c = &v.checks[res.check];
        for o in &res.observations {
            rows.push(ValueRow {
                check: c.name.to_string(),
                block: res.block,
                observation: o.observation.clone(),
                arm: o.arm.clone(),
                replicate: o.replicate,
                seed: super::run_seed(v.options.seed, res.block, o.replicate),
                value: o.value,
            });
        }
    }
    rows
}

/// The rows of `checks.csv`.
pub fn check_rows(v: &Validation) -> Vec<CheckRow> {
    v.checks
        .iter()
        .map(|c| CheckRow {
            check: c.name.to_string(),
            source: c.source.to_string(),
            claim: c.claim.to_string(),
            arms: c.arms_text(),
            seeds: seeds_of(c, &v.options),
            quick: c.quick,
            power_note: c.power_note.to_string(),
        })
        .collect()
}

/// The rows of `runs.csv`.
pub fn run_rows(v: &Validation) -> Vec<RunRow> {
    v.runs
        .iter()
        .map(|r| RunRow {
            scenario: r.scenario.clone(),
            block: r.block,
            replicate: r.replicate,
            seed: r.seed,
            status: if r.outcome.is_ok() {
                "completed"
            } else {
                "failed"
            },
            stop_reason: r
                .outcome
                .as_ref()
                .map(|o| o.0.as_str().to_string())
                .unwrap_or_default(),
            error: r.outcome.as_ref().err().cloned().unwrap_or_default(),
            folder: run_folder(r),
        })
        .collect()
}

/// The rows of `power.csv`: per criterion (in block 0's order), how many blocks passed.
pub fn power_rows(v: &Validation) -> Vec<PowerRow> {
    let blocks = v.options.blocks.max(1);
    let mut rows = Vec::new();
    let first: Vec<&CheckResult> = v.results.iter().filter(|r| r.block == 0).collect();
    for res in first {
        let c = &v.checks[res.check];
        let statistics: Vec<String> = match &res.criteria {
            Ok(k) => k.iter().map(|k| k.statistic.clone()).collect(),
            Err(_) => vec!["(not evaluated)".into()],
        };
        for (i, statistic) in statistics.into_iter().enumerate() {
            let passed = v
                .results
                .iter()
                .filter(|r| r.check == res.check)
                .filter(|r| {
                    r.criteria
                        .as_ref()
                        .is_ok_and(|k| k.get(i).is_some_and(|k| k.passes()))
                })
                .count();
            let (lo, hi) = crate::compare::stats::wilson(passed as u64, blocks as u64, 1.96)
                .unwrap_or((0.0, 1.0));
            rows.push(PowerRow {
                check: c.name.to_string(),
                statistic,
                blocks,
                passed,
                power: passed as f64 / blocks as f64,
                power_low: lo,
                power_high: hi,
            });
        }
    }
    rows
}

/// Serialises `rows` as CSV with a header into `w`.
pub fn write_csv<T: Serialize>(rows: &[T], w: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(w);
    for r in rows {
        writer.serialize(r)?;
    }
    writer.flush()?;
    Ok(())
}

/// `rows` as CSV text.
pub fn csv_text<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    write_csv(rows, &mut out)?;
    Ok(out)
}
