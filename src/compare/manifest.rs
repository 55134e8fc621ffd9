//! The `manifest.json` of a comparison folder ([`crate::output::manifest`] for the
//! conventions).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CompareSpec, RunRecord, replicate_seed};
use crate::output::manifest::crate_versions;

/// A scenario as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioEntry {
    /// Its resolved config in the folder (`configs/<name>.toml`), if valid.
    pub config: Option<String>,
    /// Why its config is invalid, if it is.
    pub config_error: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its included fragments.
    pub include: Vec<String>,
    /// Its name.
    pub name: String,
    /// Its `set` overrides, as `key = value`.
    pub set: Vec<String>,
}

/// A failed run as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRun {
    /// Why it failed.
    pub error: Option<String>,
    /// Its replicate.
    pub replicate: u32,
    /// Its scenario's name.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
}

/// Where a comparison stands, in its `manifest.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Started and not finished: written first, before any other file (also by
    /// `--force` before the old comparison is deleted). A folder left so by a killed
    /// process is finished by `--resume`.
    Running,
    /// Every run has a record and every table is written; all runs completed.
    Completed,
    /// Some runs failed (their records and the tables say so), or a record or table could
    /// not be written (see `error`).
    Failed,
}

/// The `manifest.json` of `seedsoil compare`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareManifest {
    /// The base config file (`None`: the embedded default).
    pub base: Option<String>,
    /// The day scenarios branch from one grown tumour, if they do.
    pub branch_at_day: Option<f64>,
    /// The command line.
    pub command_line: Vec<String>,
    /// The compare file.
    pub compare_file: String,
    /// The control scenario's name.
    pub control: String,
    /// Why the comparison failed ([`Status::Failed`]).
    pub error: Option<String>,
    /// [`crate_versions`].
    pub crates: BTreeMap<String, String>,
    /// Which files are deterministic.
    pub deterministic_note: &'static str,
    /// The failed runs.
    pub failed_runs: Vec<FailedRun>,
    /// The files of the folder.
    pub files: Vec<&'static str>,
    /// Seed of each replicate ([`replicate_seed`]).
    pub replicate_seeds: Vec<u64>,
    /// Replicates per scenario.
    pub replicates: u32,
    /// Wall time of each run in seconds, in record order.
    pub run_wall_time_s: Vec<f64>,
    /// Number of runs.
    pub runs: usize,
    /// Runs executed by this command (the others had a record: `--resume`).
    pub runs_executed_now: usize,
    /// The scenarios, in file order.
    pub scenarios: Vec<ScenarioEntry>,
    /// The compare seed.
    pub seed: u64,
    /// This seedsoil's version.
    pub seedsoil_version: &'static str,
    /// [`Status`].
    pub status: Status,
    /// Worker threads across runs.
    pub threads: usize,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

impl CompareManifest {
    /// The manifest of the comparison of `spec` (read from `compare_file`) with `seed`,
    /// its `records` (all runs, read from their records; empty while running), run on
    /// `threads` workers in `wall_time_s` seconds, started by `command_line`; status
    /// [`Status::Running`] and no error, runs executed now 0 (set them when it ends).
    pub fn new(
        spec: &CompareSpec,
        compare_file: &std::path::Path,
        seed: u64,
        records: &[RunRecord],
        threads: usize,
        wall_time_s: f64,
        command_line: Vec<String>,
    ) -> Self {
        CompareManifest {
            base: spec.base.as_ref().map(|p| p.display().to_string()),
            branch_at_day: spec.branch_at_day,
            command_line,
            compare_file: compare_file.display().to_string(),
            control: spec.control().name.clone(),
            error: None,
            crates: crate_versions(),
            deterministic_note: "every file but manifest.json is identical for the same compare file and seed, whatever the thread count",
            failed_runs: records
                .iter()
                .filter(|r| !r.completed())
                .map(|r| FailedRun {
                    error: r.error.clone(),
                    replicate: r.replicate,
                    scenario: spec.scenarios[r.scenario].name.clone(),
                    seed: r.seed,
                })
                .collect(),
            files: [super::folder::RESOLVED, "runs/"]
                .into_iter()
                .chain(super::folder::FILES)
                .chain(["configs/", "manifest.json"])
                .collect(),
            replicate_seeds: (0..spec.replicates)
                .map(|r| replicate_seed(seed, r))
                .collect(),
            replicates: spec.replicates,
            run_wall_time_s: records.iter().map(|r| r.wall_time_s).collect(),
            runs: spec.scenarios.len() * spec.replicates as usize,
            runs_executed_now: 0,
            scenarios: spec
                .scenarios
                .iter()
                .map(|s| ScenarioEntry {
                    config: s
                        .config
                        .as_ref()
                        .ok()
                        .map(|_| format!("configs/{}.toml", s.name)),
                    config_error: s.config.as_ref().err().map(|e| e.to_string()),
                    description: s.description.clone(),
                    include: s.include.iter().map(|p| p.display().to_string()).collect(),
                    name: s.name.clone(),
                    set: s.set.iter().map(|(k, v)| format!("{k} = {v}")).collect(),
                })
                .collect(),
            seed,
            seedsoil_version: env!("CARGO_PKG_VERSION"),
            status: Status::Running,
            threads,
            wall_time_s,
        }
    }
}
