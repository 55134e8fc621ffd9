//! A fit's output folder: its setup files, the record of every simulated candidate, and
//! clearing it for `--force`.
//!
//! ```text
//! DIR/fit.toml        the fit file as given
//! DIR/base.toml       the base config every candidate starts from (run.days set)
//! DIR/observed.csv    the observed statistics with their sds and weights
//! DIR/seed.txt        the fit's seed
//! DIR/records/g003/000127.csv   candidate 127 of generation 3: θ, seed, its statistics
//! DIR/plan.csv        the candidates left for a job array (--plan), if any
//! ```
//!
//! A record is written atomically when its simulation ends, so a killed fit loses at most
//! the runs in progress. A fit resumed on the folder replays the algorithm from generation
//! 0, taking every candidate that has a record from it instead of simulating it again: the
//! candidates are keyed by `(seed, t, i)`, so the replay proposes exactly the same ones
//! and the result is the one of an uninterrupted fit. A record is used only if its
//! generation, index, seed and parameter values are bit for bit those of the candidate.

use std::path::{Path, PathBuf};

use super::smc::Candidate;
use super::spec::FitSpec;
use super::tables::to_csv;
use crate::error::RunError;
use crate::output::write_atomic;

/// The files of a fit folder that describe the fit; they must agree for `--resume`.
pub const SETUP_FILES: [&str; 4] = ["fit.toml", "base.toml", "observed.csv", "seed.txt"];

/// The tables a completed fit writes (removed by `--force` with the records).
pub const RESULT_FILES: [&str; 5] = [
    "posterior.csv",
    "generations.csv",
    "predictive.csv",
    "manifest.json",
    "plan.csv",
];

/// The name of statistic `k` of the fit: `<output>_day<day>` (e.g. `total_day20`).
pub fn statistic_names(spec: &FitSpec) -> Vec<String> {
    spec.observed
        .statistics
        .iter()
        .map(|s| format!("{}_day{}", s.output, s.day))
        .collect()
}

/// The fitted config keys, in prior order.
pub fn param_names(spec: &FitSpec) -> Vec<String> {
    spec.priors.params.iter().map(|(k, _)| k.clone()).collect()
}

/// The setup files' contents for `spec` with seed `seed`, in [`SETUP_FILES`] order.
fn setup_contents(spec: &FitSpec, fit_text: &str, seed: u64) -> Result<[String; 4], RunError> {
    let base = toml::to_string(&spec.base_table)
        .map_err(|e| RunError::Other(format!("cannot write base.toml: {e}")))?;
    let header = ["statistic", "output", "day", "value", "sd", "n", "weight"].map(String::from);
    let rows: Vec<Vec<String>> = spec
        .observed
        .statistics
        .iter()
        .zip(statistic_names(spec))
        .zip(&spec.weights)
        .map(|((s, name), weight)| {
            vec![
                name,
                s.output.clone(),
                s.day.to_string(),
                s.value.to_string(),
                s.sd.to_string(),
                s.n.to_string(),
                weight.to_string(),
            ]
        })
        .collect();
    let observed = to_csv(&header, &rows)?;
    Ok([fit_text.to_string(), base, observed, format!("{seed}\n")])
}

/// The seed recorded in a fit folder, if any.
pub fn recorded_seed(dir: &Path) -> Option<u64> {
    std::fs::read_to_string(dir.join("seed.txt"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Whether the folder holds this fit (`None`: no fit there).
pub fn same_setup(
    spec: &FitSpec,
    fit_text: &str,
    seed: u64,
    dir: &Path,
) -> Result<Option<bool>, RunError> {
    if !dir.join(SETUP_FILES[0]).exists() {
        return Ok(None);
    }
    let expected = setup_contents(spec, fit_text, seed)?;
    Ok(Some(SETUP_FILES.iter().zip(&expected).all(
        |(name, text)| std::fs::read_to_string(dir.join(name)).is_ok_and(|found| &found == text),
    )))
}

/// Creates the folder and writes its setup files.
pub fn write_setup(spec: &FitSpec, fit_text: &str, seed: u64, dir: &Path) -> Result<(), RunError> {
    create(dir)?;
    for (name, text) in SETUP_FILES
        .iter()
        .zip(setup_contents(spec, fit_text, seed)?)
    {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// Removes the fit's files (setup, records, results) and keeps anything else.
pub fn clear(dir: &Path) -> Result<(), RunError> {
    let records = dir.join("records");
    if records.is_dir() {
        std::fs::remove_dir_all(&records).map_err(|source| RunError::Output {
            path: records.clone(),
            source,
        })?;
    }
    for name in SETUP_FILES.iter().chain(&RESULT_FILES) {
        let _ = std::fs::remove_file(dir.join(name));
    }
    Ok(())
}

fn create(dir: &Path) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| RunError::Output {
        path: dir.to_path_buf(),
        source,
    })
}

/// The record file of candidate `index` of `generation`.
pub fn record_path(dir: &Path, generation: usize, index: usize) -> PathBuf {
    dir.join("records")
        .join(format!("g{generation:03}"))
        .join(format!("{index:06}.csv"))
}

/// The header of a record: `generation,index,seed`, the fitted keys, `status`, the
/// statistics.
fn record_header(spec: &FitSpec) -> Vec<String> {
    let mut h: Vec<String> = ["generation", "index", "seed"].map(String::from).to_vec();
    h.extend(param_names(spec));
    h.push("status".into());
    h.extend(statistic_names(spec));
    h
}

/// Writes the record of candidate `c` with its statistics (`None`: the run failed).
pub fn write_record(
    spec: &FitSpec,
    dir: &Path,
    c: &Candidate,
    stats: Option<&[f64]>,
) -> Result<(), RunError> {
    let path = record_path(dir, c.generation, c.index);
    if let Some(parent) = path.parent() {
        create(parent)?;
    }
    let mut row: Vec<String> = vec![
        c.generation.to_string(),
        c.index.to_string(),
        c.seed.to_string(),
    ];
    row.extend(c.theta.iter().map(f64::to_string));
    match stats {
        Some(s) => {
            row.push("completed".into());
            row.extend(s.iter().map(f64::to_string));
        }
        None => {
            row.push("failed".into());
            row.extend(std::iter::repeat_n(
                String::new(),
                spec.observed.statistics.len(),
            ));
        }
    }
    write_atomic(&path, to_csv(&record_header(spec), &[row])?.as_bytes())
}

/// The recorded result of candidate `c`: `Some(Some(stats))` for a completed run,
/// `Some(None)` for a failed one, `None` when there is no record of this very candidate
/// (missing, unreadable, or of other parameter values).
pub fn read_record(spec: &FitSpec, dir: &Path, c: &Candidate) -> Option<Option<Vec<f64>>> {
    let text = std::fs::read_to_string(record_path(dir, c.generation, c.index)).ok()?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().ok()?.iter().map(String::from).collect();
    if header != record_header(spec) {
        return None;
    }
    let row = reader.records().next()?.ok()?;
    let d = c.theta.len();
    let same = row.get(0)?.parse::<usize>().ok()? == c.generation
        && row.get(1)?.parse::<usize>().ok()? == c.index
        && row.get(2)?.parse::<u64>().ok()? == c.seed
        && (0..d).all(|k| {
            row.get(3 + k)
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|v| v.to_bits() == c.theta[k].to_bits())
        });
    if !same || row.len() != header.len() {
        return None;
    }
    match row.get(3 + d)? {
        "failed" => Some(None),
        "completed" => {
            let stats: Option<Vec<f64>> = (4 + d..row.len())
                .map(|i| row.get(i)?.parse::<f64>().ok())
                .collect();
            Some(Some(stats?))
        }
        _ => None,
    }
}

/// Writes the plan of candidates left for a job array: `row` (the `--index`), then the
/// record's columns without status and statistics.
pub fn write_plan(spec: &FitSpec, dir: &Path, pending: &[Candidate]) -> Result<(), RunError> {
    let path = dir.join("plan.csv");
    let mut header: Vec<String> = ["row", "generation", "index", "seed"]
        .map(String::from)
        .to_vec();
    header.extend(param_names(spec));
    let rows: Vec<Vec<String>> = pending
        .iter()
        .enumerate()
        .map(|(row, c)| {
            let mut r = vec![
                row.to_string(),
                c.generation.to_string(),
                c.index.to_string(),
                c.seed.to_string(),
            ];
            r.extend(c.theta.iter().map(f64::to_string));
            r
        })
        .collect();
    write_atomic(&path, to_csv(&header, &rows)?.as_bytes())
}

/// The candidates of the folder's plan (`DIR/plan.csv`), in row order.
pub fn read_plan(spec: &FitSpec, dir: &Path) -> Result<Vec<Candidate>, RunError> {
    let path = dir.join("plan.csv");
    let bad = |why: String| RunError::BadInput(format!("{}: {why}", path.display()));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(format!(
            "cannot read the plan ({e}); run `seedsoil fit FILE -o {} --plan` first",
            dir.display()
        ))
    })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let d = spec.priors.dim();
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let parsed = (|| {
            let theta: Option<Vec<f64>> = (0..d).map(|k| field(4 + k).parse().ok()).collect();
            Some(Candidate {
                generation: field(1).parse().ok()?,
                index: field(2).parse().ok()?,
                seed: field(3).parse().ok()?,
                theta: theta?,
            })
        })();
        match parsed {
            Some(c) if field(0) == row.to_string() && record.len() == 4 + d => out.push(c),
            _ => return Err(bad(format!("row {row} is not a candidate of this fit"))),
        }
    }
    Ok(out)
}
