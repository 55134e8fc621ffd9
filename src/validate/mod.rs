//! The validation suite (`seedsoil validate`): every published outcome the model must
//! reproduce and every calibration target of the default config, as named checks, each
//! with its source, scenarios, statistic, acceptance rule and power (`docs/validation.md`).
//!
//! - [`checks`]: the checks, one file per source.
//! - [`check`]: what a check is ([`Check`], its arms, the [`Runs`] it reads).
//! - [`scenario`]: a shipped config plus overrides, on the baseline or on R0.
//! - [`tables`]: a run's tables read back (every statistic comes from the run folder).
//! - [`stats`], [`rule`]: estimates with 95 % intervals, acceptance rules, plug-in power.
//! - [`report`]: the tidy tables (`validation.csv`, `values.csv`, `checks.csv`,
//!   `runs.csv`, `power.csv`).
//! - this module: selecting checks ([`select`]) and running them ([`run`]).
//!
//! **Seeds.** Replicate `r` of seed block `b` has the seed
//! `replicate_seed(block_seed(seed, b), r)` in every scenario (common random numbers), so
//! the arms of a check are paired and two checks that share a scenario share its runs.
//! Block 0 is the validation itself; `--blocks K` repeats the whole suite on `K`
//! independent blocks and reports how often each check passed: its empirical power.

pub mod check;
pub mod checks;
pub mod record;
pub mod report;
pub mod rule;
pub mod scenario;
pub mod stats;
pub mod tables;

pub use check::{Arm, Check, Observation, Runs};
pub use rule::{Criterion, Rule};
pub use scenario::{Base, Scenario};
pub use stats::Estimate;
pub use tables::RunTables;

use std::collections::BTreeMap;
use std::time::Instant;

use crate::batch::{each_on_pool, one_line, simulate_record};
use crate::compare::replicate_seed;
use crate::config::Config;
use crate::error::ValidateError;
use crate::sim::StopReason;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Master seed: block 0 is drawn from it.
    pub seed: u64,
    /// Seeds per arm for every check (default: each check's own).
    pub seeds: Option<usize>,
    /// Only the `--quick` subset.
    pub quick: bool,
    /// Only these checks (names, or prefixes ending before a dot: `kaplan2005`).
    pub only: Vec<String>,
    /// Seed blocks (1 = validate; more = estimate power).
    pub blocks: usize,
    /// Worker threads across runs (0 = all cores).
    pub threads: usize,
    /// The baseline layer: `(origin, TOML text)` of the user's config, or `None` for
    /// the embedded default.
    pub baseline: Option<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: DEFAULT_SEED,
            seeds: None,
            quick: false,
            only: Vec::new(),
            blocks: 1,
            threads: 0,
            baseline: None,
        }
    }
}

/// The master seed of `seedsoil validate` without `--seed`.
pub const DEFAULT_SEED: u64 = 20_261_201;

/// The seed of block `block` (block 0 is the master seed itself).
pub fn block_seed(seed: u64, block: usize) -> u64 {
    if block == 0 {
        seed
    } else {
        replicate_seed(seed ^ 0x5EED_B10C, block as u32)
    }
}

/// The seed of replicate `replicate` of block `block`.
pub fn run_seed(seed: u64, block: usize, replicate: usize) -> u64 {
    replicate_seed(block_seed(seed, block), replicate as u32)
}

/// Does `name` match a `--only` pattern (the name itself, or a prefix before a dot)?
fn matches(pattern: &str, name: &str) -> bool {
    name == pattern
        || name
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The checks `options` asks for, in suite order; with a user config, only those whose
/// scenarios derive from the baseline (the others are returned second, by name).
pub fn select(options: &Options) -> Result<(Vec<Check>, Vec<&'static str>), ValidateError> {
    let all = checks::suite();
    let mut unknown = Vec::new();
    for pattern in &options.only {
        if !all.iter().any(|c| matches(pattern, c.name)) {
            let best = all
                .iter()
                .map(|c| (strsim::levenshtein(pattern, c.name), c.name))
                .min()
                .filter(|(d, _)| *d <= 4)
                .map(|(_, n)| n.to_string());
            unknown.push((pattern.clone(), best));
        }
    }
    if !unknown.is_empty() {
        return Err(ValidateError::UnknownChecks(unknown));
    }
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for c in all {
        let wanted = if options.only.is_empty() {
            !options.quick || c.quick
        } else {
            options.only.iter().any(|p| matches(p, c.name))
        };
        if !wanted {
            continue;
        }
        if options.baseline.is_some() && !c.derives_from_baseline() {
            skipped.push(c.name);
        } else {
            chosen.push(c);
        }
    }
    if chosen.is_empty() {
        return Err(ValidateError::NothingSelected);
    }
    Ok((chosen, skipped))
}

/// One simulation of the suite.
#[derive(Debug)]
pub struct RunRecord {
    /// Scenario name.
    pub scenario: String,
    /// Seed block.
    pub block: usize,
    /// Replicate within the block.
    pub replicate: usize,
    /// Its seed.
    pub seed: u64,
    /// Its resolved config (absent if the scenario's config is invalid).
    pub config: Option<Config>,
    /// Stop reason and `[timeseries, events, summary]` texts, or why it failed.
    pub outcome: Result<(StopReason, [String; 3]), String>,
    /// Wall time in seconds (manifest only).
    pub wall_time_s: f64,
}

/// The verdict of one check on one block.
#[derive(Debug)]
pub struct CheckResult {
    /// Index of the check in the selection.
    pub check: usize,
    /// Seed block.
    pub block: usize,
    /// Seeds per arm.
    pub seeds: usize,
    /// Its criteria, or why it could not be evaluated (a failed run, an unreadable
    /// table).
    pub criteria: Result<Vec<Criterion>, String>,
    /// The per-seed observations behind them.
    pub observations: Vec<Observation>,
}

impl CheckResult {
    /// Do all criteria pass?
    pub fn passes(&self) -> bool {
        self.criteria
            .as_ref()
            .is_ok_and(|c| c.iter().all(Criterion::passes))
    }
}

/// Everything a validation produced.
#[derive(Debug)]
pub struct Validation {
    /// The checks run.
    pub checks: Vec<Check>,
    /// Checks left out because they do not derive from the baseline (`--config`).
    pub skipped: Vec<&'static str>,
    /// Every simulation, in plan order.
    pub runs: Vec<RunRecord>,
    /// Verdicts, block by block, checks in order.
    pub results: Vec<CheckResult>,
    /// The options.
    pub options: Options,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

impl Validation {
    /// Checks (of block 0) that pass, and how many there are.
    pub fn passed(&self) -> (usize, usize) {
        let first: Vec<&CheckResult> = self.results.iter().filter(|r| r.block == 0).collect();
        (first.iter().filter(|r| r.passes()).count(), first.len())
    }

    /// Did everything pass, in every block, with no failed run?
    pub fn all_pass(&self) -> bool {
        self.results.iter().all(CheckResult::passes) && self.runs.iter().all(|r| r.outcome.is_ok())
    }
}

/// The seeds per arm of `check` under `options`.
pub fn seeds_of(check: &Check, options: &Options) -> usize {
    options.seeds.unwrap_or(check.seeds)
}

/// The scenarios of `checks` with the replicates each needs, in first-use order.
/// Scenario names are unique: two different scenarios under one name are a bug, reported
/// as an error.
pub fn plan(checks: &[Check], options: &Options) -> Result<Vec<(Scenario, usize)>, String> {
    let mut out: Vec<(Scenario, usize)> = Vec::new();
    for c in checks {
        let n = seeds_of(c, options);
        for arm in &c.arms {
            match out.iter_mut().find(|(s, _)| s.name == arm.scenario.name) {
                Some((s, need)) => {
                    if *s != arm.scenario {
                        return Err(format!(
                            "two scenarios are named {}: {s} and {}",
                            s.name, arm.scenario
                        ));
                    }
                    *need = (*need).max(n);
                }
                None => out.push((arm.scenario.clone(), n)),
            }
        }
    }
    Ok(out)
}

/// What a validation runs, before any run: the selected checks, the scenarios with the
/// replicates each needs, their configs, and every simulation as `(scenario, block,
/// replicate)` in run order.
#[derive(Debug)]
pub struct Prepared {
    /// The selected checks.
    pub checks: Vec<Check>,
    /// Checks left out (on R0 while a user's config is validated).
    pub skipped: Vec<&'static str>,
    /// The scenarios with their replicates per block.
    pub scenarios: Vec<(Scenario, usize)>,
    /// Each scenario's config on the baseline, or why it is invalid.
    pub configs: Vec<Result<Config, String>>,
    /// Every simulation: `(scenario, block, replicate)`.
    pub jobs: Vec<(usize, usize, usize)>,
}

/// Selects the checks of `options` and lays out their simulations.
pub fn prepare(options: &Options) -> Result<Prepared, ValidateError> {
    let (checks, skipped) = select(options)?;
    let scenarios = plan(&checks, options).map_err(ValidateError::Suite)?;
    let baseline = options
        .baseline
        .as_ref()
        .map_or(scenario::default_baseline(), |(_, text)| text.as_str());
    let configs: Vec<Result<Config, String>> = scenarios
        .iter()
        .map(|(s, _)| {
            s.config(baseline)
                .map_err(|e| format!("invalid scenario config: {}", one_line(&e.to_string())))
        })
        .collect();
    let blocks = options.blocks.max(1);
    let jobs: Vec<(usize, usize, usize)> = (0..blocks)
        .flat_map(|b| {
            scenarios
                .iter()
                .enumerate()
                .flat_map(move |(s, (_, n))| (0..*n).map(move |r| (s, b, r)))
        })
        .collect();
    Ok(Prepared {
        checks,
        skipped,
        scenarios,
        configs,
        jobs,
    })
}

impl Prepared {
    /// The seed of simulation `i`.
    pub fn seed(&self, options: &Options, i: usize) -> u64 {
        let (_, b, r) = self.jobs[i];
        run_seed(options.seed, b, r)
    }

    /// The config simulation `i` runs (its seed set, one thread), if its scenario's
    /// config is valid.
    pub fn config(&self, options: &Options, i: usize) -> Option<Config> {
        let (s, _, _) = self.jobs[i];
        self.configs[s].as_ref().ok().map(|c| {
            let mut c = c.clone();
            c.run.seed = Some(self.seed(options, i));
            c.run.threads = 1;
            c
        })
    }

    /// Runs simulation `i` on one thread.
    pub fn run_job(&self, options: &Options, i: usize) -> RunRecord {
        let (s, b, r) = self.jobs[i];
        let seed = self.seed(options, i);
        let t0 = Instant::now();
        let outcome = match &self.configs[s] {
            Ok(c) => simulate_record(c.clone(), seed, 1),
            Err(e) => Err(e.clone()),
        };
        RunRecord {
            scenario: self.scenarios[s].0.name.clone(),
            block: b,
            replicate: r,
            seed,
            config: self.config(options, i),
            outcome,
            wall_time_s: t0.elapsed().as_secs_f64(),
        }
    }
}

/// Runs the checks `options` selects: every scenario × block × replicate on a pool of
/// `options.threads` workers (one simulation per worker, one thread inside each), calling
/// `on_done` as each simulation ends (for progress bars), then evaluates every check on
/// every block. `on_start` is called once with the number of simulations.
///
/// Failed simulations are records (`runs.csv`) and fail the checks that need them; the
/// others complete.
pub fn run(
    options: &Options,
    on_start: &dyn Fn(usize),
    on_done: &(dyn Fn(&RunRecord) + Sync),
) -> Result<Validation, ValidateError> {
    let started = Instant::now();
    let prepared = prepare(options)?;
    on_start(prepared.jobs.len());
    let pool = crate::batch::pool(options.threads).map_err(ValidateError::Run)?;
    let runs: Vec<RunRecord> = each_on_pool(&pool, prepared.jobs.len(), |i| {
        let record = prepared.run_job(options, i);
        on_done(&record);
        record
    });
    Ok(evaluate(prepared, runs, options, started))
}

/// Evaluates every check of `prepared` on every block from its simulations `runs` (one
/// per job, in job order).
pub fn evaluate(
    prepared: Prepared,
    runs: Vec<RunRecord>,
    options: &Options,
    started: Instant,
) -> Validation {
    let Prepared {
        checks, skipped, ..
    } = prepared;
    let blocks = options.blocks.max(1);
    // Parse every completed run once.
    let index: BTreeMap<(&str, usize, usize), usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.scenario.as_str(), r.block, r.replicate), i))
        .collect();
    let parsed: Vec<Result<RunTables, String>> = runs
        .iter()
        .map(|r| match (&r.outcome, &r.config) {
            (Ok((_, tables)), Some(c)) => RunTables::parse(c.clone(), tables),
            (Err(e), _) => Err(e.clone()),
            (Ok(_), None) => Err("no config".into()),
        })
        .collect();

    let mut results = Vec::new();
    for b in 0..blocks {
        for (ci, c) in checks.iter().enumerate() {
            let n = seeds_of(c, options);
            let mut arms = Vec::new();
            let mut failure = None;
            for arm in &c.arms {
                let mut tables = Vec::new();
                for r in 0..n {
                    let i = index[&(arm.scenario.name.as_str(), b, r)];
                    match &parsed[i] {
                        Ok(t) => tables.push(t),
                        Err(e) => {
                            failure.get_or_insert_with(|| {
                                format!(
                                    "run {} seed {} failed: {e}",
                                    arm.scenario.name, runs[i].seed
                                )
                            });
                        }
                    }
                }
                arms.push((arm.label.clone(), tables));
            }
            let (criteria, observations) = match failure {
                Some(e) => (Err(e), Vec::new()),
                None => {
                    let runs = Runs::new(arms);
                    let criteria = (c.evaluate)(&runs);
                    (criteria, runs.observations())
                }
            };
            results.push(CheckResult {
                check: ci,
                block: b,
                seeds: n,
                criteria,
                observations,
            });
        }
    }
    Validation {
        checks,
        skipped,
        runs,
        results,
        options: options.clone(),
        wall_time_s: started.elapsed().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_a_unique_name_and_consistent_scenarios() {
        let all = checks::suite();
        let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        plan(&all, &Options::default()).expect("scenario names are unique");
        for c in &all {
            assert!(c.seeds >= 2, "{}", c.name);
            assert!(!c.arms.is_empty(), "{}", c.name);
            for a in &c.arms {
                a.scenario
                    .config(scenario::default_baseline())
                    .unwrap_or_else(|e| panic!("{} {}: {e}", c.name, a.scenario));
            }
        }
    }

    #[test]
    fn only_takes_names_and_prefixes_and_suggests() {
        let o = Options {
            only: vec!["kaplan2005".into(), "li2008.persists".into()],
            ..Options::default()
        };
        let (c, _) = select(&o).unwrap();
        assert!(
            c.iter()
                .all(|c| c.name.starts_with("kaplan2005.") || c.name == "li2008.persists")
        );
        assert!(c.len() >= 3);
        let bad = Options {
            only: vec!["kaplan2005.niche_frst".into()],
            ..Options::default()
        };
        match select(&bad) {
            Err(ValidateError::UnknownChecks(u)) => {
                assert_eq!(u[0].1.as_deref(), Some("kaplan2005.niche_first"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_user_config_runs_only_the_checks_on_the_baseline() {
        let o = Options {
            baseline: Some(("my.toml".into(), String::new())),
            ..Options::default()
        };
        let (c, skipped) = select(&o).unwrap();
        assert!(c.iter().all(Check::derives_from_baseline));
        assert!(skipped.contains(&"morton2011.rho_max"));
    }

    #[test]
    fn blocks_have_distinct_seeds() {
        let s: Vec<u64> = (0..3)
            .flat_map(|b| (0..4).map(move |r| run_seed(7, b, r)))
            .collect();
        let mut u = s.clone();
        u.sort();
        u.dedup();
        assert_eq!(u.len(), s.len());
        assert_eq!(block_seed(7, 0), 7);
    }
}
