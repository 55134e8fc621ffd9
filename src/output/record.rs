//! Atomic per-run record folders, as `seedsoil sweep` and `seedsoil compare` write them.
//!
//! A record is a folder holding a run's files and a `status.json` ([`STATUS`]) that says
//! how the run ended. It is written into a temporary sibling folder (`.NAME.tmp-PID-N`
//! next to the target `NAME`), `status.json` last, and the folder is then renamed into
//! place ([`Record::finish`]). A record folder therefore exists only when complete; a
//! process killed while writing one leaves at most a temporary folder, which
//! [`is_temporary`] recognises and readers ignore.
//!
//! A temporary folder lives only while a record is written (milliseconds). One is stale
//! ([`remove_stale`]) when the process named in it is gone and it has not been modified
//! for [`GRACE_S`] seconds (on Linux, where `/proc/<pid>` tells whether a process is
//! alive; the grace period protects a process with the same folder on another machine,
//! such as a cluster node sharing a sweep folder), or, where liveness cannot be checked,
//! when it has not been modified for [`GRACE_UNCHECKED_S`] seconds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::files::write_atomic;
use crate::error::RunError;

/// The file of a record written last, saying how the run ended.
pub const STATUS: &str = "status.json";

/// Seconds without modification after which a temporary folder of a dead process is
/// stale (Linux).
pub const GRACE_S: u64 = 10 * 60;

/// Seconds without modification after which a temporary folder is stale where process
/// liveness cannot be checked (not Linux).
pub const GRACE_UNCHECKED_S: u64 = 6 * 3600;

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

    /// The temporary folder being written.
    pub fn path(&self) -> &Path {
        &self.tmp
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

/// The process id named by a temporary record folder's name (`.NNNNNN.tmp-<pid>-<n>`),
/// or `None` if `name` is not one.
pub fn owner(name: &str) -> Option<u32> {
    let (head, tail) = name.strip_prefix('.')?.split_once(".tmp-")?;
    let (pid, n) = tail.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(head) && digits(n)).then_some(())?;
    pid.parse().ok()
}

/// Whether process `pid` is alive on this machine: `Some` on Linux (`/proc/<pid>`),
/// `None` where it cannot be told.
pub fn alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

/// Whether a temporary folder of process `pid`, unmodified for `age`, is stale.
fn stale(pid: u32, age: Duration) -> bool {
    match alive(pid) {
        Some(live) => !live && age >= Duration::from_secs(GRACE_S),
        None => age >= Duration::from_secs(GRACE_UNCHECKED_S),
    }
}

/// Removes the stale temporary record folders directly in `parent` (see the module docs)
/// and returns how many were removed. A folder that cannot be removed is left alone; a
/// missing `parent` holds none.
pub fn remove_stale(parent: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner) else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if stale(pid, age) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
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
    fn owner_reads_the_pid_of_temporary_names_only() {
        assert_eq!(owner(".000007.tmp-4242-3"), Some(4242));
        assert_eq!(owner(".12345678.tmp-1-0"), Some(1));
        assert_eq!(owner("000007"), None);
        assert_eq!(owner(".000007.tmp-x-3"), None);
        assert_eq!(owner(".000007.tmp-42"), None);
        assert_eq!(owner(".summary.csv.tmp-42"), None);
    }

    #[test]
    fn stale_temporaries_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(format!(".000001.tmp-{}-0", u32::MAX - 1));
        let live = tmp
            .path()
            .join(format!(".000002.tmp-{}-0", std::process::id()));
        for d in [&dead, &live] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::create_dir_all(tmp.path().join("000003")).unwrap();
        // Just modified: within the grace period, nothing is stale yet.
        assert_eq!(remove_stale(tmp.path()), 0);
        assert_eq!(remove_stale(&tmp.path().join("missing")), 0);
        assert_eq!(names(tmp.path()).len(), 3);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn only_old_folders_of_dead_processes_are_stale() {
        let old = Duration::from_secs(GRACE_S + 1);
        assert!(!stale(std::process::id(), old));
        assert_eq!(alive(std::process::id()), Some(true));
        // Pids are below 2²² on Linux.
        assert!(stale(u32::MAX - 1, old));
        assert!(!stale(u32::MAX - 1, Duration::from_secs(5)));
    }
}
