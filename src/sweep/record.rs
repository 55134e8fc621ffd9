//! A run's record (`runs/000007/`): what it says ([`RecordState`]) once checked
//! ([`read_record`]), and why a record is not to be trusted ([`RecordError`]).
//!
//! A record is completed only when `status.json` names this run (id and seed) with
//! status `completed` and every table it should hold is whole:
//!
//! - `summary.csv`: the summary columns of some layout (the fixed ones, the groups the
//!   run's model fills, one group per organ; [`summary::SummaryLayout`]), and exactly one row;
//! - `timeseries.csv`: the timeseries columns, rows up to the step the run stopped at (the
//!   summary's `steps`), the last sample as many rows as the first;
//! - `events.csv`: the event columns, the last row the `stop` event with the summary's
//!   stop reason;
//! - `config.toml`: TOML naming the run's seed;
//!
//! every table parsing as CSV (each row as many cells as the header) and ending with a
//! line break. Anything else makes the record invalid: `collect` lists the run as such
//! and `--resume` runs it again.

use std::io;
use std::path::{Path, PathBuf};

use super::spec::Outputs;
use super::{Sweep, record_dir};
use crate::output::{rows, summary};

/// Why a run's record cannot be trusted. Paths are relative to the sweep folder (so that
/// `runs.csv` does not depend on where the folder is).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A file of the record could not be read (missing, a folder, not UTF-8, …).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// `status.json` is not this run's status record.
    #[error("{}: {problem}", path.display())]
    Status {
        /// The status file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A table is not well-formed CSV (e.g. a row cut short).
    #[error("{}: not a whole CSV table: {message}", path.display())]
    Csv {
        /// The table.
        path: PathBuf,
        /// The CSV reader's message.
        message: String,
    },
    /// A table's header is not the one a run writes.
    #[error("{}: header {found:?}, expected {expected:?}", path.display())]
    Header {
        /// The table.
        path: PathBuf,
        /// The header found (its first line).
        found: String,
        /// What a run writes.
        expected: String,
    },
    /// A table lacks rows a whole run writes (it was truncated).
    #[error("{}: incomplete: {problem}", path.display())]
    Incomplete {
        /// The table.
        path: PathBuf,
        /// What is missing.
        problem: String,
    },
}

/// What a run's record says.
#[derive(Debug)]
pub enum RecordState {
    /// No record folder.
    Missing,
    /// The run completed; its record is whole.
    Completed,
    /// The run failed, with this error.
    Failed(String),
    /// A record folder that cannot be trusted (damaged, truncated, unreadable, another
    /// run's): the run counts as not done.
    Invalid(RecordError),
}

impl RecordState {
    /// Whether the run needs (re)running: no record, or an invalid one.
    pub fn pending(&self) -> bool {
        matches!(self, RecordState::Missing | RecordState::Invalid(_))
    }
}

/// The files a completed run's record holds, `status.json` aside.
pub fn record_files(outputs: Outputs) -> &'static [&'static str] {
    match outputs {
        Outputs::Summary => &["summary.csv"],
        Outputs::Timeseries => &["summary.csv", "timeseries.csv"],
        Outputs::All => &["summary.csv", "timeseries.csv", "config.toml", "events.csv"],
    }
}

/// Reads and checks run `run_id`'s record in the sweep folder `dir` (see the module
/// docs).
pub fn read_record(sweep: &Sweep, dir: &Path, run_id: u64) -> RecordState {
    let folder = record_dir(dir, run_id);
    if !folder.exists() {
        return RecordState::Missing;
    }
    let rel = Path::new("runs").join(folder.file_name().unwrap_or_default());
    match check(sweep, dir, &rel, run_id) {
        Ok(None) => RecordState::Completed,
        Ok(Some(error)) => RecordState::Failed(error),
        Err(e) => RecordState::Invalid(e),
    }
}

/// `Ok(None)`: completed and whole; `Ok(Some(error))`: failed.
fn check(
    sweep: &Sweep,
    dir: &Path,
    rel: &Path,
    run_id: u64,
) -> Result<Option<String>, RecordError> {
    let status_path = rel.join("status.json");
    let text = read(dir, &status_path)?;
    let bad = |problem: String| RecordError::Status {
        path: status_path.clone(),
        problem,
    };
    let status: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let run = sweep.run(run_id);
    if status["run_id"].as_u64() != Some(run_id) || status["seed"].as_u64() != Some(run.seed) {
        return Err(bad(format!(
            "names run {} with seed {}, not run {run_id} with seed {}",
            status["run_id"], status["seed"], run.seed
        )));
    }
    match status["status"].as_str() {
        Some("failed") => {
            return Ok(Some(
                status["error"].as_str().unwrap_or_default().to_string(),
            ));
        }
        Some("completed") => {}
        _ => {
            return Err(bad(format!(
                "status {}, expected \"completed\" or \"failed\"",
                status["status"]
            )));
        }
    }
    let summary = Summary::check(dir, &rel.join("summary.csv"))?;
    let outputs = sweep.spec.outputs;
    if outputs >= Outputs::Timeseries {
        check_timeseries(dir, &rel.join("timeseries.csv"), &summary)?;
    }
    if outputs == Outputs::All {
        check_events(dir, &rel.join("events.csv"), &summary)?;
        check_config(dir, &rel.join("config.toml"), run.seed)?;
    }
    Ok(None)
}

/// The text of `dir/rel`.
fn read(dir: &Path, rel: &Path) -> Result<String, RecordError> {
    std::fs::read_to_string(dir.join(rel)).map_err(|source| RecordError::Read {
        path: rel.to_path_buf(),
        source,
    })
}

/// A whole table: its header and rows, every row as long as the header, the text ending
/// with a line break.
fn parse_table(
    dir: &Path,
    rel: &Path,
) -> Result<(Vec<String>, Vec<csv::StringRecord>), RecordError> {
    let text = read(dir, rel)?;
    let incomplete = |problem: &str| RecordError::Incomplete {
        path: rel.to_path_buf(),
        problem: problem.to_string(),
    };
    if text.is_empty() {
        return Err(incomplete("empty file"));
    }
    if !text.ends_with('\n') {
        return Err(incomplete("the last line has no line break (cut short)"));
    }
    let csv_err = |e: csv::Error| RecordError::Csv {
        path: rel.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(csv_err)?;
    Ok((header, rows))
}

/// A header mismatch error.
fn header_error(rel: &Path, found: &[String], expected: &[String]) -> RecordError {
    RecordError::Header {
        path: rel.to_path_buf(),
        found: found.join(","),
        expected: expected.join(","),
    }
}

/// The cell of column `name` in `row` under `header`.
fn cell<'a>(header: &[String], row: &'a csv::StringRecord, name: &str) -> Option<&'a str> {
    row.get(header.iter().position(|h| h == name)?)
}

/// What the other tables are checked against: the checked summary's step count and
/// stop reason.
struct Summary {
    /// `steps`.
    steps: String,
    /// `stop_reason`.
    stop_reason: String,
}

impl Summary {
    /// Checks `summary.csv`: the summary columns of some [`summary::SummaryLayout`], exactly
    /// one row.
    fn check(dir: &Path, rel: &Path) -> Result<Summary, RecordError> {
        let (header, rows) = parse_table(dir, rel)?;
        // The layout (column groups, organs) is read off the header, which must be the
        // one a run with that layout writes.
        if summary::SummaryLayout::parse(&header).is_none() {
            let expected = summary::SummaryLayout::default().columns();
            return Err(header_error(rel, &header, &expected));
        }
        if rows.len() != 1 {
            return Err(RecordError::Incomplete {
                path: rel.to_path_buf(),
                problem: format!("{} rows, expected 1", rows.len()),
            });
        }
        let row = &rows[0];
        Ok(Summary {
            steps: cell(&header, row, "steps").unwrap_or_default().to_string(),
            stop_reason: cell(&header, row, "stop_reason")
                .unwrap_or_default()
                .to_string(),
        })
    }
}

/// The columns of a header line (`rows::*_header()`).
fn columns_of(line: &str) -> Vec<String> {
    line.trim_end().split(',').map(str::to_string).collect()
}

/// Checks `timeseries.csv`: its columns, its last sample at the summary's step and as
/// many rows as its first.
fn check_timeseries(dir: &Path, rel: &Path, summary: &Summary) -> Result<(), RecordError> {
    let (header, rows) = parse_table(dir, rel)?;
    let expected = columns_of(&rows::timeseries_header());
    if header != expected {
        return Err(header_error(rel, &header, &expected));
    }
    let step = |row: &csv::StringRecord| row.get(0).unwrap_or_default().to_string();
    let incomplete = |problem: String| RecordError::Incomplete {
        path: rel.to_path_buf(),
        problem,
    };
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err(incomplete("no rows".to_string()));
    };
    if step(last) != summary.steps {
        return Err(incomplete(format!(
            "the last row is at step {}, the run stopped at step {}",
            step(last),
            summary.steps
        )));
    }
    let count = |s: String| rows.iter().filter(|r| step(r) == s).count();
    let (at_first, at_last) = (count(step(first)), count(step(last)));
    if at_first != at_last {
        return Err(incomplete(format!(
            "{at_last} rows at the last step {}, {at_first} at the first",
            step(last)
        )));
    }
    Ok(())
}

/// Checks `events.csv`: its columns, the last row the stop event.
fn check_events(dir: &Path, rel: &Path, summary: &Summary) -> Result<(), RecordError> {
    let (header, rows) = parse_table(dir, rel)?;
    let expected = columns_of(&rows::events_header());
    if header != expected {
        return Err(header_error(rel, &header, &expected));
    }
    let stop = rows.last().is_some_and(|r| {
        cell(&header, r, "event") == Some("stop")
            && cell(&header, r, "value") == Some(summary.stop_reason.as_str())
    });
    if !stop {
        return Err(RecordError::Incomplete {
            path: rel.to_path_buf(),
            problem: format!(
                "the last row is not the stop event ({})",
                summary.stop_reason
            ),
        });
    }
    Ok(())
}

/// Checks `config.toml`: TOML naming the run's seed.
fn check_config(dir: &Path, rel: &Path, seed: u64) -> Result<(), RecordError> {
    let text = read(dir, rel)?;
    let incomplete = |problem: String| RecordError::Incomplete {
        path: rel.to_path_buf(),
        problem,
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| incomplete(format!("not TOML: {}", e.message())))?;
    let named = table
        .get("run")
        .and_then(|r| r.get("seed"))
        .and_then(toml::Value::as_integer);
    if named != Some(seed as i64) {
        return Err(incomplete(format!("run.seed is not the run's seed {seed}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{SweepSpec, execute};

    /// A one-run sweep keeping every file, run into a temporary folder.
    fn recorded() -> (tempfile::TempDir, Sweep) {
        let spec = SweepSpec::from_text(
            "seed = 5\noutputs = \"all\"\n[[axis]]\nparam = \"run.days\"\nvalues = [1.0]\n",
            Path::new("sweep.toml"),
            None,
        )
        .unwrap();
        let sweep = Sweep::new(spec, 5);
        let tmp = tempfile::tempdir().unwrap();
        let outcome = execute(&sweep, tmp.path(), 0, 1).unwrap();
        assert_eq!(outcome.error, None);
        (tmp, sweep)
    }

    /// The reason run 0's record is invalid after `damage` (`None`: it is completed).
    fn after(damage: impl Fn(&Path)) -> Option<String> {
        let (tmp, sweep) = recorded();
        assert!(matches!(
            read_record(&sweep, tmp.path(), 0),
            RecordState::Completed
        ));
        damage(&record_dir(tmp.path(), 0));
        match read_record(&sweep, tmp.path(), 0) {
            RecordState::Completed => None,
            RecordState::Invalid(e) => Some(e.to_string()),
            other => panic!("{other:?}"),
        }
    }

    /// Rewrites `folder/name` through `edit`.
    fn edit(folder: &Path, name: &str, edit: impl Fn(&str) -> String) {
        let p = folder.join(name);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, edit(&text)).unwrap();
    }

    #[test]
    fn every_table_of_a_record_is_checked() {
        assert_eq!(after(|_| {}), None);
        let without_last_line = |t: &str| {
            let body = t.trim_end();
            body[..body.rfind('\n').unwrap() + 1].to_string()
        };
        let e = after(|f| edit(f, "events.csv", without_last_line)).unwrap();
        assert!(
            e.contains("events.csv: incomplete: the last row is not the stop event"),
            "{e}"
        );
        let e = after(|f| edit(f, "summary.csv", |t| t.replacen("seed,", "sed,", 1))).unwrap();
        assert!(e.starts_with("runs/000000/summary.csv: header \""), "{e}");
        let e = after(|f| {
            edit(f, "summary.csv", |t| {
                t.lines().next().unwrap().to_string() + "\n"
            })
        })
        .unwrap();
        assert!(e.contains("0 rows, expected 1"), "{e}");
        let e = after(|f| edit(f, "timeseries.csv", |t| t.trim_end().to_string())).unwrap();
        assert!(e.contains("no line break"), "{e}");
        let e = after(|f| edit(f, "timeseries.csv", |t| format!("{t}1,2\n"))).unwrap();
        assert!(e.contains("timeseries.csv: not a whole CSV table"), "{e}");
        let e = after(|f| {
            edit(f, "config.toml", |t| {
                t.replace("seed = ", "seed = 12 # was ")
            })
        })
        .unwrap();
        assert!(e.contains("config.toml: incomplete: run.seed"), "{e}");
        let e = after(|f| {
            edit(f, "status.json", |t| {
                t.replace("\"run_id\": 0", "\"run_id\": 9")
            })
        })
        .unwrap();
        assert!(e.contains("names run 9"), "{e}");
        let e = after(|f| std::fs::remove_file(f.join("events.csv")).unwrap()).unwrap();
        assert!(e.starts_with("cannot read runs/000000/events.csv: "), "{e}");
    }
}
