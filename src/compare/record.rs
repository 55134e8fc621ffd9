//! The record of one run of a comparison: `runs/<scenario>/<replicate as 6 digits>/`
//! holding `timeseries.csv`, `events.csv`, `summary.csv` (a completed run) and
//! `status.json`, written atomically ([`crate::output::record`]) as soon as the run ends.
//! The comparison's tables are merged from these records.

use std::path::{Path, PathBuf};

use super::{CompareSpec, RunRecord, replicate_seed};
use crate::error::RunError;
use crate::output::record::{self, Record};
use crate::sim::StopReason;

/// The files of a completed run's record besides `status.json`, in the order of
/// [`RunRecord::tables`].
pub const TABLES: [&str; 3] = ["timeseries.csv", "events.csv", "summary.csv"];

/// The folder holding the records: `DIR/runs`.
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join("runs")
}

/// The folder of the record of `scenario`'s replicate `replicate`:
/// `DIR/runs/<scenario>/<replicate as 6 digits>`.
pub fn record_dir(dir: &Path, scenario: &str, replicate: u32) -> PathBuf {
    runs_dir(dir).join(scenario).join(format!("{replicate:06}"))
}

/// Writes `run`'s record into `dir`: its tables (a completed run) and `status.json`
/// (scenario, replicate, seed, status, stop reason, error, wall time), atomically.
pub fn write(spec: &CompareSpec, dir: &Path, run: &RunRecord) -> Result<(), RunError> {
    let name = &spec.scenarios[run.scenario].name;
    let record = Record::begin(&record_dir(dir, name, run.replicate))?;
    if let Some(tables) = &run.tables {
        for (file, text) in TABLES.iter().zip(tables) {
            record.write(file, text.as_bytes())?;
        }
    }
    record.finish(&serde_json::json!({
        "scenario": name,
        "replicate": run.replicate,
        "seed": run.seed,
        "status": if run.completed() { "completed" } else { "failed" },
        "stop_reason": run.stop_reason.map(StopReason::as_str),
        "error": run.error,
        "wall_time_s": run.wall_time_s,
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Reads the record of scenario `s`'s replicate `r` of the comparison of `spec` with
/// compare seed `seed`, with its tables if `tables`. `None` unless the record is
/// complete: its `status.json` parses and names this run (scenario, replicate, seed),
/// a completed run has its stop reason and tables, a failed one its error.
pub fn read(
    spec: &CompareSpec,
    seed: u64,
    dir: &Path,
    s: usize,
    r: u32,
    tables: bool,
) -> Option<RunRecord> {
    let name = &spec.scenarios[s].name;
    let folder = record_dir(dir, name, r);
    let status = record::read_status(&folder)?;
    let run_seed = replicate_seed(seed, r);
    if status["scenario"].as_str() != Some(name.as_str())
        || status["replicate"].as_u64() != Some(u64::from(r))
        || status["seed"].as_u64() != Some(run_seed)
    {
        return None;
    }
    let mut run = RunRecord {
        scenario: s,
        replicate: r,
        seed: run_seed,
        stop_reason: None,
        error: None,
        tables: None,
        wall_time_s: status["wall_time_s"].as_f64().unwrap_or(0.0),
    };
    match status["status"].as_str()? {
        "completed" => {
            run.stop_reason = Some(StopReason::from_name(status["stop_reason"].as_str()?)?);
            if tables {
                let [a, b, c] = TABLES.map(|f| std::fs::read_to_string(folder.join(f)).ok());
                run.tables = Some([a?, b?, c?]);
            } else if !TABLES.iter().all(|f| folder.join(f).is_file()) {
                return None;
            }
        }
        "failed" => run.error = Some(status["error"].as_str()?.to_string()),
        _ => return None,
    }
    Some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CompareSpec {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        CompareSpec::from_text(
            "replicates = 2\nseed = 3\n[scenario.control]\n[scenario.other]\n",
            &file,
            None,
        )
        .unwrap()
    }

    fn run(s: usize, r: u32, completed: bool) -> RunRecord {
        RunRecord {
            scenario: s,
            replicate: r,
            seed: replicate_seed(3, r),
            stop_reason: completed.then_some(StopReason::Days),
            error: (!completed).then(|| "it broke".to_string()),
            tables: completed.then(|| ["t\n1\n".into(), "e\n".into(), "s\n2\n".into()]),
            wall_time_s: 0.5,
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let spec = spec();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(&spec, dir, &run(1, 1, true)).unwrap();
        write(&spec, dir, &run(0, 0, false)).unwrap();
        assert!(record_dir(dir, "other", 1).join("summary.csv").is_file());
        let back = read(&spec, 3, dir, 1, 1, true).unwrap();
        assert_eq!(back.tables, run(1, 1, true).tables);
        assert_eq!(back.stop_reason, Some(StopReason::Days));
        assert_eq!(back.wall_time_s, 0.5);
        let back = read(&spec, 3, dir, 1, 1, false).unwrap();
        assert!(back.tables.is_none() && back.completed());
        let failed = read(&spec, 3, dir, 0, 0, true).unwrap();
        assert_eq!(failed.error.as_deref(), Some("it broke"));
        // Not written, another seed, or a missing table: no record.
        assert!(read(&spec, 3, dir, 1, 0, false).is_none());
        assert!(read(&spec, 4, dir, 1, 1, false).is_none());
        std::fs::remove_file(record_dir(dir, "other", 1).join("events.csv")).unwrap();
        assert!(read(&spec, 3, dir, 1, 1, false).is_none());
        assert!(read(&spec, 3, dir, 1, 1, true).is_none());
    }
}
