//! Scenario comparison (`seedsoil compare`): every scenario of a compare file run over the
//! same replicate seeds (common random numbers, so differences are paired), the runs'
//! tables concatenated, and endpoint statistics with paired differences against a control.
//!
//! - [`spec`]: the compare file, its checks and the merging of each scenario's config.
//! - [`stats`]: quantiles, Wilson intervals, Kaplan–Meier medians.
//! - [`record`]: each run's record folder (`runs/<scenario>/<replicate>/`), written
//!   atomically as soon as the run ends.
//! - [`folder`]: the folder's resolved comparison (`compare.toml`, checked by `--resume`),
//!   its status and clearing it for `--force`.
//! - [`manifest`]: the folder's `manifest.json` (`running`, `completed` or `failed`).
//! - `endpoints`: the endpoints read from each run's summary and their statistics
//!   ([`comparison`], [`write_time_to_event`], [`write_kaplan_meier`]).
//! - this module: the runner ([`run_pending`], on the shared [`crate::batch`] pool), the
//!   merge of the records ([`collect`], [`tables`]) and the other table writers, which
//!   write to any [`std::io::Write`] so tests compare text.
//!
//! Runs are `scenarios × replicates`, run in parallel on a rayon pool (one run per worker
//! at a time) with one thread inside each simulation; replicate `r` of every scenario uses
//! the seed [`replicate_seed`]`(seed, r)`. Outputs list scenarios in file order and
//! replicates `0..R`, so they do not depend on the thread count, nor on which runs were
//! recorded by an earlier, interrupted process. A scenario whose config is invalid, or a
//! run that fails, is recorded as failed (`runs.csv`) and the other runs complete.

mod endpoints;
pub mod folder;
pub mod manifest;
pub mod record;
pub mod spec;
pub mod stats;

pub use endpoints::{
    ComparisonRow, ENDPOINTS, Endpoint, EndpointKind, KaplanMeierRow, TIME_TO_EVENT,
    TimeToEventRow, comparison, write_comparison, write_kaplan_meier, write_time_to_event,
};

pub use spec::{CompareSpec, Scenario, merge_fragment};

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::batch::{catch, each_on_pool, failure, one_line, simulate_record};
use crate::checkpoint::Checkpoint;
use crate::config::Config;
use crate::error::RunError;
use crate::output::column::{Column, Documented, col};
use crate::output::{summary, table};
use crate::run::{Driver, DriverError};
use crate::sim::StopReason;

/// The seed of replicate `replicate` in a comparison with seed `compare_seed`: two
/// SplitMix64 rounds over the pair, shifted right by one bit so that it is at most
/// `i64::MAX` (TOML integers are signed). Every scenario uses it for that replicate.
pub fn replicate_seed(compare_seed: u64, replicate: u32) -> u64 {
    let mut h = compare_seed;
    let first = crate::rng::splitmix64(&mut h);
    h ^= first ^ (u64::from(replicate) + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    crate::rng::splitmix64(&mut h) >> 1
}

/// The outcome of one run of a comparison.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// Index of the scenario in [`CompareSpec::scenarios`].
    pub scenario: usize,
    /// Replicate number, `0..R`.
    pub replicate: u32,
    /// The run's seed ([`replicate_seed`]).
    pub seed: u64,
    /// Why the run stopped; `None` if it failed.
    pub stop_reason: Option<StopReason>,
    /// Why the run failed; `None` if it completed.
    pub error: Option<String>,
    /// `[timeseries, events, summary]` CSV text (with headers) of a completed run.
    pub tables: Option<[String; 3]>,
    /// Wall time of the run in seconds (only for the manifest: it is not deterministic).
    pub wall_time_s: f64,
}

impl RunRecord {
    /// Did the run complete?
    pub fn completed(&self) -> bool {
        self.error.is_none()
    }
}

/// Every run of `spec` in output order: `(scenario, replicate)`, scenarios in file order,
/// replicates `0..R`.
pub fn jobs(spec: &CompareSpec) -> Vec<(usize, u32)> {
    (0..spec.scenarios.len())
        .flat_map(|s| (0..spec.replicates).map(move |r| (s, r)))
        .collect()
}

/// The runs of array task `k` of `n` (`--shard K/N`), in output order. Without
/// `branch_at_day`, the runs at positions `i` of [`jobs`] with `i mod n = k`. With it,
/// whole replicates (`r mod n = k`): every arm of a replicate restores the same tumour
/// grown to the branch day, and a task grows each of its replicates' tumours once.
pub fn shard(spec: &CompareSpec, k: u64, n: u64) -> Vec<(usize, u32)> {
    jobs(spec)
        .into_iter()
        .enumerate()
        .filter(|&(i, (_, r))| {
            let key = if spec.branch_at_day.is_some() {
                u64::from(r)
            } else {
                i as u64
            };
            key % n == k
        })
        .map(|(_, job)| job)
        .collect()
}

/// The runs of the comparison of `spec` with seed `seed` without a complete record in
/// `dir` ([`record::read`]), in output order: the ones `--resume` runs.
pub fn pending(spec: &CompareSpec, seed: u64, dir: &Path) -> Vec<(usize, u32)> {
    jobs(spec)
        .into_iter()
        .filter(|&(s, r)| record::read(spec, seed, dir, s, r, false).is_none())
        .collect()
}

/// A run executed by [`run_pending`]: its record (without its tables, which are in the
/// record folder) and whether the record could be written.
#[derive(Debug)]
pub struct Executed {
    /// How the run ended.
    pub run: RunRecord,
    /// Why its record could not be written, if it could not.
    pub written: Result<(), RunError>,
}

/// Runs the runs `todo` (`(scenario, replicate)`, e.g. [`pending`]) of the comparison of
/// `spec` with compare seed `seed` on a pool of `threads` workers (0 = all cores), writing
/// each run's record into `dir` ([`record::write`]) as soon as it ends and then calling
/// `on_done` (from a worker thread; for progress bars). Returns the runs in the order of
/// `todo`, their tables dropped once written.
///
/// With `branch_at_day`, the tumour of each replicate that has a run in `todo` is first
/// grown once with the base config to the branch step ([`CompareSpec::branch_step`]) and
/// checkpointed in memory; every scenario's run of that replicate restores it with its
/// own config and goes on, so all arms share the rows up to the branch step. Growing is
/// deterministic, so a replicate whose arms are resumed in another process regrows the
/// same tumour. A scenario that changes a structural key
/// ([`crate::checkpoint::STRUCTURAL_KEYS`]) cannot restore it and its runs fail. If the
/// grown tumour stops before the branch step (extinct, `stop_at_cells`), every arm of
/// that replicate records that run as it is.
///
/// Errors only when the thread pool cannot be built; failed runs are records, and
/// records that cannot be written are reported in [`Executed::written`] (the other runs
/// go on).
pub fn run_pending(
    spec: &CompareSpec,
    seed: u64,
    dir: &Path,
    todo: &[(usize, u32)],
    threads: usize,
    on_done: &(dyn Fn(&RunRecord) + Sync),
) -> Result<Vec<Executed>, RunError> {
    let pool = crate::batch::pool(threads)?;
    let trunks: Option<HashMap<u32, Trunk>> = spec.branch_step().map(|step| {
        let mut replicates: Vec<u32> = todo.iter().map(|&(_, r)| r).collect();
        replicates.sort_unstable();
        replicates.dedup();
        let base = spec.base_config();
        let grown = each_on_pool(&pool, replicates.len(), |i| {
            grow_trunk(&base, replicate_seed(seed, replicates[i]), step)
        });
        replicates.into_iter().zip(grown).collect()
    });
    Ok(each_on_pool(&pool, todo.len(), |i| {
        let (s, r) = todo[i];
        let trunk = trunks.as_ref().and_then(|t| t.get(&r));
        let mut run = run_one(spec, s, r, replicate_seed(seed, r), trunk);
        let written = record::write(spec, dir, &run);
        run.tables = None;
        on_done(&run);
        Executed { run, written }
    }))
}

/// The records of every run of the comparison of `spec` with seed `seed` in `dir`, with
/// their tables, in output order; `Err` lists the runs (`(scenario, replicate)`) without
/// a complete record.
pub fn collect(
    spec: &CompareSpec,
    seed: u64,
    dir: &Path,
) -> Result<Vec<RunRecord>, Vec<(usize, u32)>> {
    let mut records = Vec::new();
    let mut missing = Vec::new();
    for (s, r) in jobs(spec) {
        match record::read(spec, seed, dir, s, r, true) {
            Some(run) => records.push(run),
            None => missing.push((s, r)),
        }
    }
    if missing.is_empty() {
        Ok(records)
    } else {
        Err(missing)
    }
}

/// A replicate's tumour grown with the base config to the branch step.
enum Trunk {
    /// Paused at the branch step.
    Paused(Box<Checkpoint>),
    /// The run stopped before the branch step: stop reason and tables.
    Ended(StopReason, [String; 3]),
    /// The run could not be grown.
    Failed(String),
}

/// Grows the base config with `seed` to `step` and checkpoints it.
fn grow_trunk(base: &Result<Config, crate::error::ConfigError>, seed: u64, step: u64) -> Trunk {
    let mut config = match base {
        Ok(c) => c.clone(),
        Err(e) => {
            return Trunk::Failed(format!("invalid base config: {}", one_line(&e.to_string())));
        }
    };
    config.run.seed = Some(seed);
    config.run.threads = 1;
    let grow = move || -> Result<Trunk, String> {
        let mut run = Driver::new(&config)
            .start(&mut ())
            .map_err(|e| failure(&e))?;
        match run.run_until(step, &mut ()) {
            None => {
                let checkpoint = Checkpoint::read(&run.checkpoint())
                    .map_err(|e| format!("cannot read back the branch checkpoint: {e}"))?;
                Ok(Trunk::Paused(Box::new(checkpoint)))
            }
            Some(_) => {
                let outcome = run.complete(&mut ()).map_err(|e| failure(&e))?;
                Ok(Trunk::Ended(outcome.reason, outcome.tables))
            }
        }
    };
    match catch(grow) {
        Ok(trunk) => trunk,
        Err(e) => Trunk::Failed(format!("growing the tumour to the branch day: {e}")),
    }
}

/// One run of scenario `s`, replicate `r` (from the replicate's trunk when branching).
fn run_one(spec: &CompareSpec, s: usize, r: u32, seed: u64, trunk: Option<&Trunk>) -> RunRecord {
    let started = Instant::now();
    let outcome = match (&spec.scenarios[s].config, trunk) {
        (Err(e), _) => Err(format!(
            "invalid scenario config: {}",
            one_line(&e.to_string())
        )),
        (Ok(_), Some(Trunk::Failed(e))) => Err(e.clone()),
        (Ok(_), Some(Trunk::Ended(reason, tables))) => Ok((*reason, tables.clone())),
        (Ok(config), Some(Trunk::Paused(checkpoint))) => {
            let config = config.clone();
            catch(move || resume(checkpoint, config, seed))
        }
        (Ok(config), None) => simulate_record(config.clone(), seed, 1),
    };
    let (stop_reason, error, tables) = match outcome {
        Ok((reason, tables)) => (Some(reason), None, Some(tables)),
        Err(e) => (None, Some(e), None),
    };
    RunRecord {
        scenario: s,
        replicate: r,
        seed,
        stop_reason,
        error,
        tables,
        wall_time_s: started.elapsed().as_secs_f64(),
    }
}

/// Restores `checkpoint` with `config` (seed `seed`, one thread) and runs it to the end.
fn resume(
    checkpoint: &Checkpoint,
    mut config: Config,
    seed: u64,
) -> Result<(StopReason, [String; 3]), String> {
    config.run.seed = Some(seed);
    config.run.threads = 1;
    let outcome = Driver::new(&config)
        .resume(checkpoint)
        .run(&mut ())
        .map_err(|e| match e {
            DriverError::Restore(e) => format!(
                "cannot branch from the grown tumour: {}",
                one_line(&e.to_string())
            ),
            other => failure(&other),
        })?;
    Ok((outcome.reason, outcome.tables))
}

/// The columns [`write_concatenated`] puts before each run's own columns.
pub const LEADING: [&str; 3] = ["scenario", "replicate", "seed"];

/// Which of a run's tables [`write_concatenated`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `timeseries.csv`.
    Timeseries = 0,
    /// `events.csv`.
    Events = 1,
    /// `summary.csv`.
    Summary = 2,
}

/// Writes one table of every completed run, concatenated in record order, with the
/// leading columns `scenario,replicate,seed` ([`LEADING`]; a run's own column of the
/// same name, such as the summary's `seed`, is not repeated) and one header. When the runs' headers
/// differ (e.g. summaries of scenarios with different organs), the header is the union
/// of their columns in order of first appearance and missing cells are empty.
pub fn write_concatenated(
    spec: &CompareSpec,
    records: &[RunRecord],
    table: Table,
    w: impl Write,
) -> io::Result<()> {
    let leading: Vec<String> = LEADING.iter().map(|c| c.to_string()).collect();
    crate::batch::write_concatenated(
        &leading,
        records.len(),
        |i| {
            let record = &records[i];
            Ok(record.tables.as_ref().map(|tables| {
                let lead = vec![
                    spec.scenarios[record.scenario].name.clone(),
                    record.replicate.to_string(),
                    record.seed.to_string(),
                ];
                (lead, tables[table as usize].clone())
            }))
        },
        w,
    )
}

/// Writes `organs.csv`: every completed run's organs ([`summary::organs_from_summary`] of
/// its summary, the run folder's `organs.csv`), concatenated in record order after the
/// leading columns `scenario,replicate,seed` ([`LEADING`]). Runs without dissemination
/// have no organ rows.
pub fn write_organs(spec: &CompareSpec, records: &[RunRecord], w: impl Write) -> io::Result<()> {
    let leading: Vec<String> = LEADING.iter().map(|c| c.to_string()).collect();
    let header = table::header_of::<(summary::OrganName, summary::OrganSummary)>();
    let mut w = table::writer(w);
    w.write_record(leading.iter().chain(&header))?;
    for record in records {
        let Some(tables) = &record.tables else {
            continue;
        };
        let organs = summary::organs_from_summary(&tables[Table::Summary as usize])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut reader = csv::Reader::from_reader(organs.as_bytes());
        for row in reader.records() {
            let row = row?;
            let lead = [
                spec.scenarios[record.scenario].name.clone(),
                record.replicate.to_string(),
                record.seed.to_string(),
            ];
            w.write_record(lead.iter().map(String::as_str).chain(row.iter()))?;
        }
    }
    w.flush()
}

/// One row of `runs.csv`: a run and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunsRow<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Replicate number.
    pub replicate: u32,
    /// The run's seed.
    pub seed: u64,
    /// `completed` or `failed`.
    pub status: &'a str,
    /// Why the run stopped (empty if it failed).
    pub stop_reason: &'a str,
    /// Why the run failed (empty if it completed).
    pub error: &'a str,
}

impl Documented for RunsRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col("scenario", "text", "the scenario's name, in file order"),
        col(
            "replicate",
            "id",
            "the replicate, from 0 (the same seed in every scenario)",
        ),
        col("seed", "–", "the run's seed"),
        col("status", "text", "`completed` or `failed`"),
        col(
            "stop_reason",
            "text",
            "why the run stopped (empty if it failed)",
        ),
        col(
            "error",
            "text",
            "why the run failed (empty if it completed)",
        ),
    ];
}

/// Writes `runs.csv` ([`RunsRow`]), one row per run.
pub fn write_runs(spec: &CompareSpec, records: &[RunRecord], w: impl Write) -> io::Result<()> {
    table::write(
        records.iter().map(|r| RunsRow {
            scenario: &spec.scenarios[r.scenario].name,
            replicate: r.replicate,
            seed: r.seed,
            status: if r.completed() { "completed" } else { "failed" },
            stop_reason: r.stop_reason.map_or("", StopReason::as_str),
            error: r.error.as_deref().unwrap_or(""),
        }),
        w,
    )?;
    Ok(())
}

/// Writes every deterministic table of a comparison as `(file name, bytes)`:
/// `runs.csv`, `timeseries.csv`, `events.csv`, `summary.csv`, `organs.csv`,
/// `comparison.csv`, `time_to_event.csv`, `kaplan_meier.csv`, in that order.
pub fn tables(
    spec: &CompareSpec,
    records: &[RunRecord],
) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    write_runs(spec, records, &mut buf)?;
    out.push(("runs.csv", std::mem::take(&mut buf)));
    for (name, table) in [
        ("timeseries.csv", Table::Timeseries),
        ("events.csv", Table::Events),
        ("summary.csv", Table::Summary),
    ] {
        write_concatenated(spec, records, table, &mut buf)?;
        out.push((name, std::mem::take(&mut buf)));
    }
    write_organs(spec, records, &mut buf)?;
    out.push(("organs.csv", std::mem::take(&mut buf)));
    write_comparison(&comparison(spec, records), &mut buf)?;
    out.push(("comparison.csv", std::mem::take(&mut buf)));
    write_time_to_event(spec, records, &mut buf)?;
    out.push(("time_to_event.csv", std::mem::take(&mut buf)));
    write_kaplan_meier(spec, records, &mut buf)?;
    out.push(("kaplan_meier.csv", buf));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicate_seeds_are_distinct_and_fit_in_toml() {
        let seeds: Vec<u64> = (0..1000).map(|r| replicate_seed(7, r)).collect();
        let mut unique = seeds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len());
        assert!(seeds.iter().all(|&s| s <= i64::MAX as u64));
        assert_ne!(replicate_seed(7, 0), replicate_seed(8, 0));
        assert_eq!(replicate_seed(7, 3), replicate_seed(7, 3));
    }

    #[test]
    fn headers_are_the_documented_columns() {
        assert_eq!(
            table::header_line::<ComparisonRow>(),
            "scenario,endpoint,n,median,q025,q975,mean,sd,diff_vs_control_n,diff_median,diff_q025,diff_q975,diff_mean,diff_se\n"
        );
        assert_eq!(
            table::header_line::<RunsRow>(),
            "scenario,replicate,seed,status,stop_reason,error\n"
        );
        assert_eq!(
            table::header_line::<TimeToEventRow>(),
            "scenario,replicate,seed,event,time_days,observed\n"
        );
        assert_eq!(
            table::header_line::<KaplanMeierRow>(),
            "scenario,event,time_days,at_risk,events,survival,lower,upper\n"
        );
    }

    #[test]
    fn every_column_of_the_compare_tables_is_documented() {
        use crate::output::column::mismatch;
        for problem in [
            mismatch::<RunsRow>(),
            mismatch::<ComparisonRow>(),
            mismatch::<TimeToEventRow>(),
            mismatch::<KaplanMeierRow>(),
        ] {
            assert_eq!(problem, None);
        }
    }

    #[test]
    fn statistics_are_written_shortest_or_empty() {
        let row = ComparisonRow {
            scenario: "control".to_string(),
            endpoint: "final_total",
            n: 3,
            median: Some(3.0),
            q025: Some(0.1),
            q975: Some(f64::NAN),
            mean: Some(f64::INFINITY),
            diff_n: 2,
            ..ComparisonRow::default()
        };
        let mut out = Vec::new();
        write_comparison(&[row], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some("control,final_total,3,3,0.1,,,,2,,,,,")
        );
    }
}
