//! Temporary record folders (`runs/.000007.tmp-<pid>-<n>`): a run's record is written
//! into one and renamed into place ([`TempRecord`], removed on every error path), and the
//! ones a killed process left behind are removed by `--resume` and `collect`
//! ([`remove_stale`]).
//!
//! A temporary folder lives only while a record is written (milliseconds). One is stale
//! when the process named in it is gone and it has not been modified for
//! [`GRACE_S`] seconds (on Linux, where `/proc/<pid>` tells whether a process is alive;
//! the grace period protects a process with the same folder on another machine, such
//! as a cluster node sharing the sweep folder), or, where liveness cannot be checked,
//! when it has not been modified for [`GRACE_UNCHECKED_S`] seconds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::RunError;

/// Seconds without modification after which a temporary folder of a dead process is
/// stale (Linux).
pub const GRACE_S: u64 = 10 * 60;

/// Seconds without modification after which a temporary folder is stale where process
/// liveness cannot be checked (not Linux).
pub const GRACE_UNCHECKED_S: u64 = 6 * 3600;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary record folder, removed when dropped unless committed
/// ([`TempRecord::commit`]): no error path of a record write leaves it behind.
#[derive(Debug)]
pub struct TempRecord {
    /// The folder.
    path: PathBuf,
    /// Renamed into place: nothing to remove.
    committed: bool,
}

impl TempRecord {
    /// Creates a fresh temporary folder for run `run_id`'s record in `runs` (created if
    /// needed): `.<run_id as 6 digits>.tmp-<pid>-<n>`, `n` counting this process's
    /// records.
    pub fn create(runs: &Path, run_id: u64) -> Result<TempRecord, RunError> {
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RunError::Output { path, source }
        };
        std::fs::create_dir_all(runs).map_err(err(runs))?;
        let path = runs.join(format!(
            ".{run_id:06}.tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path).map_err(err(&path))?;
        Ok(TempRecord {
            path,
            committed: false,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the folder to `target`, replacing an earlier (incomplete or foreign)
    /// record there. On error the temporary folder is removed.
    pub fn commit(mut self, target: &Path) -> Result<(), RunError> {
        match target.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {
                let _ = std::fs::remove_dir_all(target);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(target);
            }
            Err(_) => {}
        }
        std::fs::rename(&self.path, target).map_err(|source| RunError::Output {
            path: target.to_path_buf(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempRecord {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
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

/// Removes the stale temporary record folders of `dir/runs` (see the module docs) and
/// returns how many were removed. A folder that cannot be removed is left alone; a
/// missing `runs/` holds none.
pub fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
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
    fn a_dropped_record_is_removed_and_a_committed_one_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let runs = tmp.path().join("runs");
        let dropped = TempRecord::create(&runs, 3).unwrap();
        std::fs::write(dropped.path().join("summary.csv"), "x").unwrap();
        let path = dropped.path().to_path_buf();
        assert!(path.is_dir());
        drop(dropped);
        assert!(!path.exists());
        // A file where the record goes (a damaged record) is replaced.
        std::fs::write(runs.join("000003"), "x").unwrap();
        let kept = TempRecord::create(&runs, 3).unwrap();
        kept.commit(&runs.join("000003")).unwrap();
        assert!(runs.join("000003").is_dir());
        let left: Vec<_> = std::fs::read_dir(&runs).unwrap().collect();
        assert_eq!(left.len(), 1);
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
