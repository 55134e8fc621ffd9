//! Parameter sweeps (`seedsoil sweep`, `seedsoil collect`): a sweep file's design turned
//! into an indexed list of runs, each run's record written atomically into its own
//! folder, and the records merged into tidy tables.
//!
//! - [`spec`]: the sweep file, its checks and its axes.
//! - [`design`]: the designs (grid, zip, Latin hypercube, Morris, Sobol') and the
//!   settings of the sensitivity designs, with their checks.
//! - [`check`]: the points' configs checked before anything runs.
//! - [`manifest`]: the folder's `manifest.json`.
//! - [`folder`]: clearing a folder for a forced re-run.
//! - [`points`]: the design's points, computed one at a time from their index.
//! - [`record`]: a run's record checked ([`read_record`]) before it is trusted.
//! - this module: [`Sweep`] (a spec with its seed and points), the per-run records
//!   ([`execute`]), the parallel runner ([`run_many`], on the shared [`crate::batch`]
//!   pool), the plan ([`write_plan`], streamed) and the merge ([`merge`]).
//!
//! Runs are numbered `run_id = point × R + replicate`; run `i`'s seed is
//! [`run_seed`]`(sweep seed, i)`. A sweep's output folder:
//!
//! ```text
//! sweep.toml, base.toml    the resolved sweep (all that collect and --index need)
//! plan.csv                 with --plan: every run and its standalone `seedsoil run` command
//! runs/000000/ ...         one record per run: summary.csv [timeseries.csv]
//!                          [config.toml events.csv] status.json (written last)
//! runs.csv                 run_id,point,replicate,seed,status,error,<params>
//! summary.csv              run_id,point,replicate,seed,<params>,<summary columns>
//! organs.csv               run_id,point,replicate,seed,<params>,organ,<organ columns>
//! timeseries.csv           likewise (outputs = "timeseries" or "all")
//! manifest.json            version, seeds, threads, wall time, failed and missing runs
//! ```
//!
//! A record is written into a temporary folder (`runs/.000007.tmp-<pid>-<n>`) and
//! renamed into place, so a record folder exists only when complete; a failed write
//! removes its temporary folder, and `--resume` and `collect` remove the ones a killed
//! process left ([`crate::output::record::remove_stale`]). Records are checked before they are trusted
//! ([`record`]): a damaged one is listed as invalid and run again by `--resume`. The
//! merged tables depend only on the records, which depend only on the sweep and its
//! seed: they are byte-identical whatever the thread count and however the runs were
//! split between processes.

pub mod axis;
pub mod check;
pub mod design;
pub mod folder;
pub mod manifest;
pub mod points;
pub mod record;
pub mod spec;

pub use check::{FULL_CHECK_POINTS, check_points};
pub use points::Points;
pub use record::{RecordError, RecordState, read_record, record_files};
pub use spec::{Axis, AxisValues, Design, Outputs, SweepSpec};

use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::batch;
use crate::config::{self, Config};
use crate::error::{ConfigError, RunError};
use crate::output::column::{Column, Documented, col};
use crate::output::files::{AtomicFile, write_atomic};
use crate::output::record::Record;
use crate::output::{summary, table};
use serde::Serialize;

/// The seed of run `run_id` of a sweep with seed `sweep_seed`: two SplitMix64 rounds over
/// the pair, shifted right by one bit so that it is at most `i64::MAX` (TOML integers
/// are signed, so `seedsoil run --seed` and `run.seed` can hold it).
pub fn run_seed(sweep_seed: u64, run_id: u64) -> u64 {
    let mut h = sweep_seed ^ 0x5EED_5EED_0000_0000;
    let first = crate::rng::splitmix64(&mut h);
    h ^= first ^ (run_id.wrapping_add(1)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    crate::rng::splitmix64(&mut h) >> 1
}

/// Identity of one run of a sweep: the leading columns of its tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunId {
    /// `point × R + replicate`.
    pub run_id: u64,
    /// Index of the point in design order.
    pub point: u64,
    /// Replicate number, `0..R`.
    pub replicate: u32,
    /// The run's seed ([`run_seed`]).
    pub seed: u64,
}

impl Documented for RunId {
    const COLUMNS: &'static [Column] = &[
        col(
            "run_id",
            "id",
            "the run: point × replicates + replicate; its record is `runs/<run_id>/` (6 digits)",
        ),
        col("point", "id", "the design point, from 0 in design order"),
        col("replicate", "id", "the replicate, from 0"),
        col("seed", "–", "the run's seed"),
    ];
}

/// A sweep ready to run: its spec, seed and points.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The checked sweep file.
    pub spec: SweepSpec,
    /// The sweep seed.
    pub seed: u64,
    /// The points in design order, each the values of the axes in axis order, computed
    /// on demand.
    pub points: Points,
}

/// A value as written in CSV cells: strings bare, everything else in TOML syntax.
pub fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A word quoted for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/=:+@%".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl Sweep {
    /// The sweep of `spec` with seed `seed`.
    pub fn new(spec: SweepSpec, seed: u64) -> Sweep {
        let points = Points::new(&spec, seed);
        Sweep { spec, seed, points }
    }

    /// Loads a resolved sweep (`DIR/sweep.toml`, which names its seed).
    pub fn load_resolved(path: &Path) -> Result<Sweep, ConfigError> {
        let spec = SweepSpec::load(path, None)?;
        let seed = spec.seed.ok_or_else(|| {
            ConfigError::Invalid(vec![crate::error::Problem::new(
                "seed",
                "(missing)",
                format!(
                    "{} is not a resolved sweep: it names no seed",
                    path.display()
                ),
            )])
        })?;
        Ok(Sweep::new(spec, seed))
    }

    /// Number of runs (points × replicates).
    pub fn run_count(&self) -> u64 {
        self.points.len() * u64::from(self.spec.replicates)
    }

    /// The identity of run `run_id` (< [`Sweep::run_count`]).
    pub fn run(&self, run_id: u64) -> RunId {
        let r = u64::from(self.spec.replicates);
        RunId {
            run_id,
            point: run_id / r,
            replicate: (run_id % r) as u32,
            seed: run_seed(self.seed, run_id),
        }
    }

    /// The varied parameters' keys, in axis order (the parameter columns of the tables).
    pub fn params(&self) -> Vec<String> {
        self.spec.axes.iter().map(|a| a.param.clone()).collect()
    }

    /// The `--set` overrides of point `point`: `output.timeseries_every_h` (if the
    /// sweep sets it), then every axis's key and value.
    pub fn sets(&self, point: u64) -> Vec<(String, toml::Value)> {
        self.sets_of(self.points.get(point))
    }

    /// [`Sweep::sets`] of a point given by its values.
    fn sets_of(&self, values: Vec<toml::Value>) -> Vec<(String, toml::Value)> {
        let mut sets = Vec::new();
        if let Some(h) = self.spec.timeseries_every_h {
            sets.push((
                "output.timeseries_every_h".to_string(),
                toml::Value::Float(h),
            ));
        }
        for (axis, value) in self.spec.axes.iter().zip(values) {
            sets.push((axis.param.clone(), value));
        }
        sets
    }

    /// The simulated days of point `point` when the design varies `run.days` (its axis
    /// value), else `None`: what the scheduler knows of a run's length before it runs.
    pub fn expected_days(&self, point: u64) -> Option<f64> {
        let axis = self.spec.axes.iter().position(|a| a.param == "run.days")?;
        let value = self.points.get(point).swap_remove(axis);
        value.as_float().or(value.as_integer().map(|d| d as f64))
    }

    /// Point `point`'s config: the base table with [`Sweep::sets`] applied, validated.
    pub fn point_config(&self, point: u64) -> Result<Config, ConfigError> {
        let mut table = self.spec.base_table.clone();
        let mut problems = Vec::new();
        for (key, value) in self.sets(point) {
            if let Err(p) = config::set_value(&mut table, &key, value) {
                problems.push(p);
            }
        }
        if problems.is_empty() {
            config::from_table(table)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The standalone command reproducing run `run_id`, given the path of the base config
    /// (`DIR/base.toml`).
    pub fn command(&self, base: &Path, run_id: u64) -> String {
        let run = self.run(run_id);
        self.command_of(base, run, self.points.get(run.point))
    }

    /// [`Sweep::command`] of `run`, whose point has the values `values`.
    fn command_of(&self, base: &Path, run: RunId, values: Vec<toml::Value>) -> String {
        let mut words = vec![
            "seedsoil".to_string(),
            "run".to_string(),
            shell_word(&base.display().to_string()),
        ];
        for (key, value) in self.sets_of(values) {
            words.push("--set".to_string());
            words.push(shell_word(&format!("{key}={value}")));
        }
        words.push("--seed".to_string());
        words.push(run.seed.to_string());
        words.join(" ")
    }

    /// The runs `run_id` with `run_id % n == k`.
    pub fn shard(&self, k: u64, n: u64) -> Vec<u64> {
        (0..self.run_count()).filter(|i| i % n == k).collect()
    }
}

/// The folder of run `run_id`'s record: `DIR/runs/<run_id as 6 digits>`.
pub fn record_dir(dir: &Path, run_id: u64) -> PathBuf {
    dir.join("runs").join(format!("{run_id:06}"))
}

/// The outcome of one executed run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Which run.
    pub run: RunId,
    /// Why it failed; `None` if it completed.
    pub error: Option<String>,
    /// Wall time in seconds (not deterministic; for the manifest).
    pub wall_time_s: f64,
}

/// Runs run `run_id` of `sweep` on `threads` threads and writes its record into `dir`: the
/// files into a temporary folder, `status.json` last, then the folder renamed into place.
/// A run whose point config is invalid, or whose simulation fails, gets a failed record.
///
/// Errors only when the record cannot be written; the temporary folder is then removed.
pub fn execute(
    sweep: &Sweep,
    dir: &Path,
    run_id: u64,
    threads: usize,
) -> Result<Outcome, RunError> {
    let started = Instant::now();
    let run = sweep.run(run_id);
    let outcome = match sweep.point_config(run.point) {
        Err(e) => Err(format!(
            "invalid point config: {}",
            batch::one_line(&e.to_string())
        )),
        Ok(cfg) => {
            let toml = matches!(sweep.spec.outputs, Outputs::All).then(|| {
                let mut c = cfg.clone();
                c.run.seed = Some(run.seed);
                c.to_toml()
            });
            batch::simulate_record(cfg, run.seed, threads).map(|r| (r, toml))
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let rec = Record::begin(&record_dir(dir, run_id))?;
    let write = |name: &str, bytes: &[u8]| rec.write(name, bytes);
    let (status, error, stop_reason) = match &outcome {
        Ok(((reason, [timeseries, events, summary]), toml)) => {
            write("summary.csv", summary.as_bytes())?;
            if sweep.spec.outputs >= Outputs::Timeseries {
                write("timeseries.csv", timeseries.as_bytes())?;
            }
            if let Some(toml) = toml {
                write("config.toml", toml.as_bytes())?;
                write("events.csv", events.as_bytes())?;
            }
            ("completed", None, Some(reason.as_str()))
        }
        Err(e) => ("failed", Some(e.clone()), None),
    };
    let record = serde_json::json!({
        "run_id": run_id,
        "point": run.point,
        "replicate": run.replicate,
        "seed": run.seed,
        "status": status,
        "error": error,
        "stop_reason": stop_reason,
        "wall_time_s": wall,
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
    });
    rec.finish(&record)?;
    Ok(Outcome {
        run,
        error,
        wall_time_s: wall,
    })
}

/// Runs the runs `ids` of `sweep` into `dir` on `threads` workers (0 = all cores), one
/// simulation per worker, calling `on_done` as each ends (from a worker thread). Returns
/// the outcomes in the order of `ids`.
///
/// Runs start longest first by [`Sweep::expected_days`] (in the order of `ids` when the
/// design does not vary `run.days`), and the tail is widened
/// ([`batch::scheduled_on_pool`]): the last run starts with all the workers' threads, so
/// that no core idles while it finishes. Neither changes any output: a run's outputs do
/// not depend on when it starts or on its thread count.
///
/// Errors when the pool cannot start or a record cannot be written (after every run
/// has been tried).
pub fn run_many(
    sweep: &Sweep,
    dir: &Path,
    ids: &[u64],
    threads: usize,
    on_done: &(dyn Fn(&Outcome) + Sync),
) -> Result<Vec<Outcome>, RunError> {
    let pool = batch::pool(threads)?;
    let days: Vec<f64> = ids
        .iter()
        .map(|&id| sweep.expected_days(sweep.run(id).point).unwrap_or(0.0))
        .collect();
    let order = batch::longest_first(&days);
    let results = batch::scheduled_on_pool(&pool, &order, true, |i, threads| {
        let result = execute(sweep, dir, ids[i], threads);
        if let Ok(outcome) = &result {
            on_done(outcome);
        }
        result
    });
    results.into_iter().collect()
}

/// The runs of `ids` without a record in `dir`, or with an invalid one (the ones
/// `--resume` runs).
pub fn pending(sweep: &Sweep, dir: &Path, ids: &[u64]) -> Vec<u64> {
    ids.iter()
        .copied()
        .filter(|&i| read_record(sweep, dir, i).pending())
        .collect()
}

/// Writes the resolved sweep into `dir`: `sweep.toml` and `base.toml`.
pub fn write_setup(sweep: &Sweep, dir: &Path) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| RunError::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    write_atomic(&dir.join("base.toml"), sweep.spec.base_toml().as_bytes())?;
    write_atomic(
        &dir.join("sweep.toml"),
        sweep.spec.resolved_toml(sweep.seed).as_bytes(),
    )
}

/// Whether `dir` holds this sweep's resolved files (`Some(true)`), another sweep's
/// (`Some(false)`), or none (`None`).
pub fn same_setup(sweep: &Sweep, dir: &Path) -> Option<bool> {
    let old = crate::input::read_toml_text(&dir.join("sweep.toml")).ok()?;
    let base = crate::input::read_toml_text(&dir.join("base.toml")).ok();
    Some(old == sweep.spec.resolved_toml(sweep.seed) && base == Some(sweep.spec.base_toml()))
}

/// The seed named by `dir/sweep.toml`, if it exists and names one.
pub fn recorded_seed(dir: &Path) -> Option<u64> {
    let text = crate::input::read_toml_text(&dir.join("sweep.toml")).ok()?;
    let table: toml::Table = text.parse().ok()?;
    table.get("seed")?.as_integer().map(|s| s as u64)
}

/// The last column of `plan.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanCommand {
    /// The standalone command reproducing the run ([`Sweep::command`]).
    pub command: String,
}

impl Documented for PlanCommand {
    const COLUMNS: &'static [Column] = &[col(
        "command",
        "text",
        "the standalone `seedsoil run` command that reproduces the run",
    )];
}

/// How a run ended, in `runs.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunStatus<'a> {
    /// `completed`, `failed`, `invalid` or `missing`.
    pub status: &'a str,
    /// Why it failed, or why its record is invalid (empty otherwise).
    pub error: &'a str,
}

impl Documented for RunStatus<'_> {
    const COLUMNS: &'static [Column] = &[
        col(
            "status",
            "text",
            "`completed`, `failed`, `invalid` (a damaged record, run again by `--resume`) or `missing` (no record yet)",
        ),
        col(
            "error",
            "text",
            "why the run failed or its record is invalid (empty otherwise)",
        ),
    ];
}

/// The parameter values of point `point`, as written in the tables ([`value_text`]).
fn point_values(sweep: &Sweep, point: u64) -> Vec<String> {
    sweep.points.get(point).iter().map(value_text).collect()
}

/// Writes `plan.csv` text: `run_id,point,replicate,seed,<params>,command`, the command
/// naming the base config as `base` (e.g. `DIR/base.toml`). The parameter columns are
/// the sweep's axes, so the header is a record: [`RunId`]'s fields, the axes' keys,
/// `command`. Streamed: one row at a time, each point computed when its runs come.
pub fn write_plan(sweep: &Sweep, base: &Path, w: impl io::Write) -> io::Result<()> {
    let mut w = table::writer(w);
    let header = table::header_of::<RunId>()
        .into_iter()
        .chain(sweep.params())
        .chain(table::header_of::<PlanCommand>());
    w.write_record(header)?;
    let mut point: Option<(u64, Vec<toml::Value>)> = None;
    for i in 0..sweep.run_count() {
        let run = sweep.run(i);
        if point.as_ref().is_none_or(|(p, _)| *p != run.point) {
            point = Some((run.point, sweep.points.get(run.point)));
        }
        let values = &point.as_ref().expect("just set").1;
        let command = PlanCommand {
            command: sweep.command_of(base, run, values.clone()),
        };
        let cells: Vec<String> = values.iter().map(value_text).collect();
        w.serialize((run, cells, command))?;
    }
    w.flush()
}

/// Writes `dir/plan.csv` ([`write_plan`], the base named by its absolute path) through a
/// buffer and renames it into place: memory does not grow with the number of runs.
pub fn write_plan_file(sweep: &Sweep, dir: &Path) -> Result<(), RunError> {
    let base = dir.join("base.toml");
    let base = std::path::absolute(&base).unwrap_or(base);
    let mut file = AtomicFile::create(&dir.join("plan.csv"))?;
    if let Err(e) = write_plan(sweep, &base, &mut file) {
        return Err(file.error(e));
    }
    file.commit()
}

/// The leading cells of run `run_id` in the merged tables: its [`RunId`] fields, then
/// its parameter values.
fn lead(sweep: &Sweep, run_id: u64) -> Vec<String> {
    let run = sweep.run(run_id);
    let mut cells = vec![
        run_id.to_string(),
        run.point.to_string(),
        run.replicate.to_string(),
        run.seed.to_string(),
    ];
    cells.extend(point_values(sweep, run.point));
    cells
}

/// What a merge found.
#[derive(Debug, Clone, Default)]
pub struct MergeReport {
    /// Runs that completed.
    pub completed: u64,
    /// Runs with no record.
    pub missing: Vec<u64>,
    /// Failed runs and their errors.
    pub failed: Vec<(u64, String)>,
    /// Runs whose record is invalid (damaged, truncated, unreadable), and why
    /// ([`RecordError`]).
    pub invalid: Vec<(u64, String)>,
}

impl MergeReport {
    /// Whether every run completed.
    pub fn all_completed(&self) -> bool {
        self.missing.is_empty() && self.failed.is_empty() && self.invalid.is_empty()
    }
}

/// Merges the records in `dir` into the tables `runs.csv`, `summary.csv`, `organs.csv`
/// (each run's organs, from its summary) and (when the sweep records them)
/// `timeseries.csv`, each streamed into place atomically in `dir`.
/// Every record is checked first ([`read_record`]): runs without a record are listed as
/// `missing` in `runs.csv`, runs with an invalid one as `invalid` (the reason in the
/// `error` column), and both are left out of the other tables. The tables depend only
/// on the records.
///
/// Errors: [`RunError::Output`] if a table cannot be written, [`RunError::Input`] if a
/// checked record can no longer be read.
pub fn merge(sweep: &Sweep, dir: &Path) -> Result<MergeReport, RunError> {
    let n = sweep.run_count();
    let mut report = MergeReport::default();
    let mut completed = vec![false; n as usize];
    let mut runs = AtomicFile::create(&dir.join("runs.csv"))?;
    {
        // One column per axis: the header is a record ([`RunId`], [`RunStatus`], axes).
        let mut w = table::writer(&mut runs);
        let header = table::columns(&(RunId::default(), RunStatus::default()))
            .into_iter()
            .chain(sweep.params());
        let write = || -> Result<(), csv::Error> {
            w.write_record(header)?;
            for i in 0..n {
                let (status, error) = match read_record(sweep, dir, i) {
                    RecordState::Completed => {
                        report.completed += 1;
                        completed[i as usize] = true;
                        ("completed", String::new())
                    }
                    RecordState::Failed(e) => {
                        report.failed.push((i, e.clone()));
                        ("failed", e)
                    }
                    RecordState::Invalid(e) => {
                        let e = e.to_string();
                        report.invalid.push((i, e.clone()));
                        ("invalid", e)
                    }
                    RecordState::Missing => {
                        report.missing.push(i);
                        ("missing", String::new())
                    }
                };
                let run = sweep.run(i);
                w.serialize((
                    run,
                    RunStatus {
                        status,
                        error: &error,
                    },
                    point_values(sweep, run.point),
                ))?;
            }
            w.flush()?;
            Ok(())
        };
        if let Err(e) = write() {
            drop(w);
            return Err(runs.error(e.into()));
        }
    }
    runs.commit()?;
    let mut leading = table::header_of::<RunId>();
    leading.extend(sweep.params());
    // (table, the record's file it is made from): `organs.csv` is each run's summary's
    // organs ([`summary::organs_from_summary`]).
    let mut tables = vec![
        ("summary.csv", "summary.csv"),
        ("organs.csv", "summary.csv"),
    ];
    if sweep.spec.outputs >= Outputs::Timeseries {
        tables.push(("timeseries.csv", "timeseries.csv"));
    }
    for (name, source) in tables {
        let mut file = AtomicFile::create(&dir.join(name))?;
        let read_error = RefCell::new(None);
        let result = batch::write_concatenated(
            &leading,
            n as usize,
            |i| {
                if !completed[i] {
                    return Ok(None);
                }
                let path = record_dir(dir, i as u64).join(source);
                match std::fs::read_to_string(&path) {
                    Ok(text) if name == "organs.csv" => match summary::organs_from_summary(&text) {
                        Ok(organs) => Ok(Some((lead(sweep, i as u64), organs))),
                        Err(e) => Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                    },
                    Ok(text) => Ok(Some((lead(sweep, i as u64), text))),
                    Err(source) => {
                        let kind = source.kind();
                        *read_error.borrow_mut() = Some(RunError::Input { path, source });
                        Err(io::Error::from(kind))
                    }
                }
            },
            &mut file,
        );
        if let Some(e) = read_error.into_inner() {
            return Err(e);
        }
        result.map_err(|e| file.error(e))?;
        file.commit()?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_days_are_the_run_days_axis_or_unknown() {
        let sweep = |text: &str| {
            let spec = spec::SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap();
            Sweep::new(spec, 1)
        };
        let s = sweep(
            "[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n\
             [[axis]]\nparam = \"run.days\"\nvalues = [10, 40.5]\n",
        );
        let days: Vec<Option<f64>> = (0..4).map(|p| s.expected_days(p)).collect();
        assert_eq!(days, [Some(10.0), Some(40.5), Some(10.0), Some(40.5)]);
        let s = sweep("[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n");
        assert_eq!(s.expected_days(1), None);
    }

    #[test]
    fn run_seeds_are_distinct_and_fit_in_toml() {
        let seeds: Vec<u64> = (0..1000).map(|r| run_seed(11, r)).collect();
        let mut unique = seeds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len());
        assert!(seeds.iter().all(|&s| s <= i64::MAX as u64));
        assert_ne!(run_seed(11, 0), run_seed(12, 0));
    }

    #[test]
    fn leading_columns_are_the_run_id_fields() {
        assert_eq!(
            table::header_of::<RunId>(),
            ["run_id", "point", "replicate", "seed"]
        );
        assert_eq!(
            table::columns(&(RunId::default(), RunStatus::default())),
            ["run_id", "point", "replicate", "seed", "status", "error"]
        );
        assert_eq!(table::header_of::<PlanCommand>(), ["command"]);
    }

    #[test]
    fn every_column_of_the_sweep_tables_is_documented() {
        use crate::output::column::mismatch;
        for problem in [
            mismatch::<RunId>(),
            mismatch::<RunStatus>(),
            mismatch::<PlanCommand>(),
        ] {
            assert_eq!(problem, None);
        }
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("cells.p_symmetric=0.1"), "cells.p_symmetric=0.1");
        assert_eq!(shell_word("init.kind=\"disc\""), "'init.kind=\"disc\"'");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
