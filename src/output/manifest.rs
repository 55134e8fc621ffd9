//! `manifest.json`: what made a run (versions of seedsoil and of the crates that shape
//! its numbers, seed, threads, command line) and how it went (status, stop reason, wall
//! time). It is the one file of a run that is not deterministic.
//!
//! Manifests are serde structs written by [`to_json`]. Their fields are declared in
//! alphabetical order, the order in which the keys have always been written.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sim::{Simulation, StopReason};

/// The crates whose versions shape the numbers, as recorded in manifests.
const SHAPING_CRATES: [&str; 9] = [
    "rand",
    "rand_core",
    "rand_distr",
    "rand_xoshiro",
    "rayon",
    "serde",
    "toml",
    "csv",
    "png",
];

/// Versions of the crates that shape the numbers, by name, read from the embedded
/// `Cargo.lock`.
pub fn crate_versions() -> BTreeMap<String, String> {
    versions_in(include_str!("../../Cargo.lock"))
}

/// The versions of [`SHAPING_CRATES`] in the text of a `Cargo.lock`.
fn versions_in(lock: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ")
            && let Some(n) = name.take()
            && SHAPING_CRATES.contains(&n.as_str())
        {
            out.insert(n, v.trim_matches('"').to_string());
        }
    }
    out
}

/// A manifest as written: pretty JSON and a final line break.
pub fn to_json(manifest: &impl Serialize) -> String {
    serde_json::to_string_pretty(manifest).expect("manifests serialise") + "\n"
}

/// The worker threads a run of `threads` (0 = all cores) uses.
fn threads_used(threads: usize) -> usize {
    if threads == 0 {
        rayon::current_num_threads()
    } else {
        threads
    }
}

/// The `manifest.json` of a completed `seedsoil run`.
#[derive(Debug, Clone, Serialize)]
pub struct RunManifest {
    /// `run.cells_per_agent`.
    pub cells_per_agent: f64,
    /// What `cells_per_agent` means for the counts.
    pub cells_per_agent_note: &'static str,
    /// The command line.
    pub command_line: Vec<String>,
    /// [`crate_versions`].
    pub crates: BTreeMap<String, String>,
    /// Which files are deterministic.
    pub deterministic_note: &'static str,
    /// The files of the run folder.
    pub files: [&'static str; 6],
    /// The master seed.
    pub seed: u64,
    /// This seedsoil's version.
    pub seedsoil_version: &'static str,
    /// `completed`.
    pub status: &'static str,
    /// Steps simulated.
    pub steps: u64,
    /// Why the run stopped ([`StopReason::as_str`]).
    pub stop_reason: &'static str,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

impl RunManifest {
    /// The manifest of `sim` (its config with the threads it ran on), stopped for
    /// `reason` after `wall_time_s` seconds, started by `command_line`.
    pub fn completed(
        sim: &Simulation,
        reason: StopReason,
        wall_time_s: f64,
        command_line: Vec<String>,
    ) -> Self {
        let config = sim.config();
        RunManifest {
            cells_per_agent: config.run.cells_per_agent,
            cells_per_agent_note: "real cells one agent of the primary stands for (run.cells_per_agent): the primary's counts are agents; its systemic outputs (tumour-derived factor, IL6 seen by the bone marrow, cells shed) are x cells_per_agent; CTC, DTC, colony, HPC and MSC counts are single cells",
            command_line,
            crates: crate_versions(),
            deterministic_note: "every file but manifest.json is identical for the same config and seed, whatever the thread count",
            files: [
                "config.toml",
                "timeseries.csv",
                "events.csv",
                "summary.csv",
                "organs.csv",
                "manifest.json",
            ],
            seed: sim.seed(),
            seedsoil_version: env!("CARGO_PKG_VERSION"),
            status: "completed",
            steps: sim.step_count(),
            stop_reason: reason.as_str(),
            threads: threads_used(config.run.threads),
            wall_time_s,
        }
    }
}

/// The `manifest.json` a run writes before anything else: the folder belongs to a run
/// that has not finished. A run that is killed leaves it; one that ends replaces it with
/// a [`RunManifest`] or a [`FailedRunManifest`].
#[derive(Debug, Clone, Serialize)]
pub struct RunningManifest {
    /// The command line.
    pub command_line: Vec<String>,
    /// What the status means.
    pub note: &'static str,
    /// The process running it.
    pub pid: u32,
    /// The master seed.
    pub seed: u64,
    /// This seedsoil's version.
    pub seedsoil_version: &'static str,
    /// Seconds since 1970-01-01 UTC when the run started.
    pub started_unix_s: u64,
    /// `running`.
    pub status: &'static str,
}

impl RunningManifest {
    /// The manifest of a run with `seed`, started now by `command_line`.
    pub fn new(seed: u64, command_line: Vec<String>) -> Self {
        RunningManifest {
            command_line,
            note: "the run has not finished: it is still running, or it was killed; the other files of this folder are incomplete",
            pid: std::process::id(),
            seed,
            seedsoil_version: env!("CARGO_PKG_VERSION"),
            started_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            status: "running",
        }
    }
}

/// The `manifest.json` a failed `seedsoil run` leaves: a record of what happened, not a
/// silent half-folder.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRunManifest {
    /// The command line.
    pub command_line: Vec<String>,
    /// The error, with its causes.
    pub error: String,
    /// The master seed.
    pub seed: u64,
    /// This seedsoil's version.
    pub seedsoil_version: &'static str,
    /// `failed`.
    pub status: &'static str,
    /// Wall time in seconds.
    pub wall_time_s: f64,
}

impl FailedRunManifest {
    /// The record of a run with `seed` that failed with `error` after `wall_time_s`.
    pub fn new(seed: u64, error: String, wall_time_s: f64, command_line: Vec<String>) -> Self {
        FailedRunManifest {
            command_line,
            error,
            seed,
            seedsoil_version: env!("CARGO_PKG_VERSION"),
            status: "failed",
            wall_time_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_for_the_shaping_crates_only() {
        let lock = "[[package]]\nname = \"rand\"\nversion = \"0.10.3\"\n\n[[package]]\nname = \"other\"\nversion = \"9.9.9\"\n\n[[package]]\nname = \"toml\"\nversion = \"1.2.1+spec-1.1.0\"\n";
        let v = versions_in(lock);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v["rand"], "0.10.3");
        assert_eq!(v["toml"], "1.2.1+spec-1.1.0");
        let embedded = crate_versions();
        assert_eq!(embedded.len(), SHAPING_CRATES.len(), "{embedded:?}");
    }

    #[test]
    fn keys_are_written_in_alphabetical_order() {
        let m = FailedRunManifest::new(7, "boom".into(), 0.5, vec!["seedsoil".into()]);
        let text = to_json(&m);
        assert!(text.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "failed");
        assert_eq!(v["seed"], 7);
        let keys: Vec<usize> = [
            "command_line",
            "error",
            "seed",
            "seedsoil_version",
            "status",
            "wall_time_s",
        ]
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
    }
}
