//! Atomic per-run record folders (`seedsoil compare`'s; a sweep's records follow the
//! same scheme).
//!
//! A record is a folder holding a run's files and a `status.json` ([`STATUS`]) that says
//! how the run ended. It is written into a temporary sibling folder (`.NAME.tmp-PID-N`
//! next to the target `NAME`), `status.json` last, and the folder is then renamed into
//! place ([`Record::finish`]). A record folder therefore exists only when complete; a
//! process killed while writing one leaves at most a temporary folder, which
//! [`is_temporary`] recognises and readers ignore.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::files::write_atomic;
use crate::error::RunError;

/// The file of a record written last, saying how the run ended.
pub const STATUS: &str = "status.json";

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn output_err(path: &Path) -> impl FnOnce(std::io::Error) -> RunError {
    let path = path.to_path_buf();
    move |source| RunError::Output { path, source }
}

/// A record being written: its temporary folder and its final place. Dropped without
/// [`Record::finish`] (an error while writing), its temporary folder is removed.
#[derive(Debug)]
pub struct Record {
    tmp: PathBuf,
    target: PathBuf,
    finished: bool,
}

impl Record {
    /// Starts the record whose final folder is `target`: creates `target`'s parent and a
    /// temporary sibling folder `.NAME.tmp-PID-N`.
    pub fn begin(target: &Path) -> Result<Record, RunError> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(output_err(parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&tmp).map_err(output_err(&tmp))?;
        Ok(Record {
            tmp,
            target: target.to_path_buf(),
            finished: false,
        })
    }

    /// Writes the file `name` of the record.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), RunError> {
        write_atomic(&self.tmp.join(name), bytes)
    }

    /// Writes `status` as [`STATUS`] (pretty JSON and a newline), then renames the
    /// folder into place, replacing an earlier folder there (an incomplete or foreign
    /// record). Errors if the folder cannot take its place (e.g. a file is there).
    pub fn finish(mut self, status: &serde_json::Value) -> Result<(), RunError> {
        let text = serde_json::to_string_pretty(status).expect("a JSON value serialises") + "\n";
        self.write(STATUS, text.as_bytes())?;
        if self.target.is_dir() {
            let _ = std::fs::remove_dir_all(&self.target);
        }
        std::fs::rename(&self.tmp, &self.target).map_err(output_err(&self.target))?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// The parsed [`STATUS`] of the record folder `folder`, if it has one that parses.
pub fn read_status(folder: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(folder.join(STATUS)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Whether `name` is the name of a record's temporary folder (`.NAME.tmp-…`).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Removes the temporary record folders (and files) directly in `parent`: those left by
/// a process killed while writing. Only for a folder no other process is writing to.
pub fn remove_temporaries(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temporary(&entry.file_name().to_string_lossy()) {
            let path = entry.path();
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_record_appears_only_when_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("runs/000003");
        let record = Record::begin(&target).unwrap();
        record.write("summary.csv", b"a\n1\n").unwrap();
        assert!(!target.exists());
        let left = names(&tmp.path().join("runs"));
        assert_eq!(left.len(), 1);
        assert!(is_temporary(&left[0]), "{left:?}");
        record
            .finish(&serde_json::json!({"status": "completed"}))
            .unwrap();
        assert_eq!(names(&tmp.path().join("runs")), ["000003"]);
        assert_eq!(names(&target), ["status.json", "summary.csv"]);
        assert_eq!(read_status(&target).unwrap()["status"], "completed");
    }

    #[test]
    fn an_abandoned_record_leaves_nothing_and_a_file_in_the_way_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let runs = tmp.path().join("runs");
        {
            let record = Record::begin(&runs.join("000001")).unwrap();
            record.write("summary.csv", b"x\n").unwrap();
        }
        assert!(names(&runs).is_empty());
        std::fs::write(runs.join("000002"), "in the way").unwrap();
        let record = Record::begin(&runs.join("000002")).unwrap();
        assert!(record.finish(&serde_json::json!({})).is_err());
        assert_eq!(names(&runs), ["000002"]);
        assert_eq!(std::fs::read(runs.join("000002")).unwrap(), b"in the way");
    }

    #[test]
    fn temporaries_are_recognised_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".000001.tmp-12-0")).unwrap();
        std::fs::create_dir_all(tmp.path().join("000002")).unwrap();
        std::fs::write(tmp.path().join(".notes"), "").unwrap();
        remove_temporaries(tmp.path());
        assert_eq!(names(tmp.path()), [".notes", "000002"]);
        remove_temporaries(&tmp.path().join("missing"));
    }
}
