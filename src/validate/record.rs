//! A validation's folder between processes: each simulation's record
//! (`runs/<scenario>/seed-<seed>/`, written atomically as soon as the run ends), the
//! options it was made with (`validate.toml`, what `--resume` and array tasks check),
//! and the plan of a job array (`plan.csv`).
//!
//! A record holds `config.toml`, `timeseries.csv`, `events.csv`, `summary.csv` and
//! `organs.csv` (or `error.txt` for a failed run), and last `status.json`, naming the
//! run (scenario, block, replicate, seed), its status and stop reason. It is used only
//! when `status.json` names the very simulation asked for.

use std::path::Path;

use super::{Options, Prepared, RunRecord, report};
use crate::error::RunError;
use crate::output::record::{Record, read_status};
use crate::sim::StopReason;

/// The options file of a validation folder.
pub const OPTIONS: &str = "validate.toml";

/// The plan of a validation run as a job array.
pub const PLAN: &str = "plan.csv";

/// The text of `validate.toml`: every option the runs and verdicts depend on (not the
/// thread count).
pub fn options_text(options: &Options) -> String {
    let mut t = toml::Table::new();
    t.insert("seed".into(), toml::Value::Integer(options.seed as i64));
    if let Some(n) = options.seeds {
        t.insert("seeds".into(), toml::Value::Integer(n as i64));
    }
    t.insert("quick".into(), toml::Value::Boolean(options.quick));
    t.insert(
        "only".into(),
        toml::Value::Array(
            options
                .only
                .iter()
                .map(|o| toml::Value::String(o.clone()))
                .collect(),
        ),
    );
    t.insert("blocks".into(), toml::Value::Integer(options.blocks as i64));
    if let Some((origin, text)) = &options.baseline {
        t.insert("config".into(), toml::Value::String(origin.clone()));
        t.insert("config_text".into(), toml::Value::String(text.clone()));
    }
    toml::to_string(&t).expect("a TOML table serialises")
}

/// Whether `dir` holds a validation, and whether it is the one of `options`.
pub fn same_options(dir: &Path, options: &Options) -> Option<bool> {
    let found = std::fs::read_to_string(dir.join(OPTIONS)).ok()?;
    Some(found == options_text(options))
}

/// Writes the record of simulation `r`.
pub fn write(dir: &Path, r: &RunRecord) -> Result<(), RunError> {
    let record = Record::begin(&dir.join(report::run_folder(r)))?;
    if let Some(c) = &r.config {
        record.write("config.toml", c.to_toml().as_bytes())?;
    }
    let (status, stop_reason) = match &r.outcome {
        Ok((reason, [ts, ev, su])) => {
            record.write("timeseries.csv", ts.as_bytes())?;
            record.write("events.csv", ev.as_bytes())?;
            record.write("summary.csv", su.as_bytes())?;
            let organs = crate::output::summary::organs_from_summary(su).map_err(|e| {
                RunError::Other(format!("{}/summary.csv: {e}", report::run_folder(r)))
            })?;
            record.write("organs.csv", organs.as_bytes())?;
            ("completed", Some(reason.as_str()))
        }
        Err(e) => {
            record.write("error.txt", format!("{e}\n").as_bytes())?;
            ("failed", None)
        }
    };
    record.finish(&serde_json::json!({
        "scenario": r.scenario,
        "block": r.block,
        "replicate": r.replicate,
        "seed": r.seed,
        "status": status,
        "stop_reason": stop_reason,
    }))
}

/// The record of simulation `i` of `prepared`, if `dir` holds a whole one.
pub fn read(dir: &Path, prepared: &Prepared, options: &Options, i: usize) -> Option<RunRecord> {
    let (s, b, r) = prepared.jobs[i];
    let mut run = RunRecord {
        scenario: prepared.scenarios[s].0.name.clone(),
        block: b,
        replicate: r,
        seed: prepared.seed(options, i),
        config: prepared.config(options, i),
        outcome: Err(String::new()),
        wall_time_s: 0.0,
    };
    let folder = dir.join(report::run_folder(&run));
    let status = read_status(&folder)?;
    let same = status["scenario"].as_str()? == run.scenario
        && status["block"].as_u64()? == b as u64
        && status["replicate"].as_u64()? == r as u64
        && status["seed"].as_u64()? == run.seed;
    if !same {
        return None;
    }
    let text = |name: &str| std::fs::read_to_string(folder.join(name)).ok();
    run.outcome = match status["status"].as_str()? {
        "completed" => {
            let reason = StopReason::from_name(status["stop_reason"].as_str()?)?;
            Ok((
                reason,
                [
                    text("timeseries.csv")?,
                    text("events.csv")?,
                    text("summary.csv")?,
                ],
            ))
        }
        "failed" => Err(text("error.txt")?.trim_end().to_string()),
        _ => return None,
    };
    Some(run)
}

/// Writes `plan.csv`: one row per simulation in run order (`row`, the `--index`;
/// `scenario`, `block`, `replicate`, `seed`).
pub fn write_plan(dir: &Path, prepared: &Prepared, options: &Options) -> Result<(), RunError> {
    #[derive(serde::Serialize)]
    struct PlanRow<'a> {
        row: usize,
        scenario: &'a str,
        block: usize,
        replicate: usize,
        seed: u64,
    }
    let path = dir.join(PLAN);
    let err = |e: csv::Error| RunError::Other(format!("{}: {e}", path.display()));
    let mut w = csv::Writer::from_writer(Vec::new());
    for (row, &(s, b, r)) in prepared.jobs.iter().enumerate() {
        w.serialize(PlanRow {
            row,
            scenario: &prepared.scenarios[s].0.name,
            block: b,
            replicate: r,
            seed: prepared.seed(options, row),
        })
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.into_error().into()))?;
    crate::output::write_atomic(&path, &bytes)
}
