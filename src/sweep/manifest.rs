//! The `manifest.json` of a sweep folder ([`crate::output::manifest`] for the
//! conventions).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{MergeReport, Outcome, Sweep};
use crate::output::manifest::crate_versions;

/// A failed run as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRun {
    /// Why it failed.
    pub error: String,
    /// Its run id.
    pub run_id: u64,
}

/// The `manifest.json` of `seedsoil sweep` and `seedsoil collect`.
#[derive(Debug, Clone, Serialize)]
pub struct SweepManifest {
    /// The base config file (`None`: the embedded default).
    pub base: Option<String>,
    /// The command line.
    pub command_line: Vec<String>,
    /// Runs with a completed record.
    pub completed: u64,
    /// [`crate_versions`].
    pub crates: BTreeMap<String, String>,
    /// The design (`grid`, `zip`, `lhs`).
    pub design: &'static str,
    /// Which files are deterministic.
    pub deterministic_note: &'static str,
    /// The failed runs.
    pub failed_runs: Vec<FailedRun>,
    /// Runs whose record is invalid (damaged, truncated, unreadable), and why.
    pub invalid_runs: Vec<FailedRun>,
    /// The files of the folder.
    pub files: [&'static str; 8],
    /// Run ids without a record.
    pub missing_runs: Vec<u64>,
    /// Which tables the runs keep.
    pub outputs: &'static str,
    /// The swept parameters.
    pub params: Vec<String>,
    /// Number of points.
    pub points: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// How run seeds derive from the sweep seed.
    pub run_seeds: &'static str,
    /// Number of runs.
    pub runs: u64,
    /// Runs executed by this command.
    pub runs_executed_now: usize,
    /// The sweep seed.
    pub seed: u64,
    /// This seedsoil's version.
    pub seedsoil_version: &'static str,
    /// The sweep file.
    pub sweep_file: String,
    /// Worker threads across runs (`None` when nothing ran: `collect`).
    pub threads: Option<usize>,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

impl SweepManifest {
    /// The manifest of `sweep` after a merge (`report`) of the runs executed now
    /// (`outcomes`) on `threads` workers in `wall_time_s` seconds, started by
    /// `command_line`.
    pub fn new(
        sweep: &Sweep,
        report: &MergeReport,
        threads: Option<usize>,
        wall_time_s: f64,
        outcomes: &[Outcome],
        command_line: Vec<String>,
    ) -> Self {
        SweepManifest {
            base: sweep.spec.base.as_ref().map(|p| p.display().to_string()),
            command_line,
            completed: report.completed,
            crates: crate_versions(),
            design: sweep.spec.design.as_str(),
            deterministic_note: "every merged table is identical for the same sweep and seed, whatever the thread count or the split into shards",
            failed_runs: report
                .failed
                .iter()
                .map(|(i, e)| FailedRun {
                    error: e.clone(),
                    run_id: *i,
                })
                .collect(),
            invalid_runs: report
                .invalid
                .iter()
                .map(|(i, e)| FailedRun {
                    error: e.clone(),
                    run_id: *i,
                })
                .collect(),
            files: [
                "sweep.toml",
                "base.toml",
                "runs/",
                "runs.csv",
                "summary.csv",
                "organs.csv",
                "timeseries.csv (outputs = timeseries or all)",
                "manifest.json",
            ],
            missing_runs: report.missing.clone(),
            outputs: sweep.spec.outputs.as_str(),
            params: sweep.params(),
            points: sweep.points.len(),
            replicates: sweep.spec.replicates,
            run_seeds: "seed of run i: seedsoil::sweep::run_seed(seed, i); listed in runs.csv",
            runs: sweep.run_count(),
            runs_executed_now: outcomes.len(),
            seed: sweep.seed,
            seedsoil_version: env!("CARGO_PKG_VERSION"),
            sweep_file: sweep.spec.file.display().to_string(),
            threads,
            wall_time_s,
        }
    }
}
