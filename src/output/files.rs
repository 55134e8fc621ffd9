//! Run folders and atomic file writes.

use crate::error::RunError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically: a temporary file in the same folder, flushed and
/// synced, then renamed over the target. A crash leaves either the old file or the new
/// one, never a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let err = |source| RunError::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// A run's output folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// The folder.
    pub path: PathBuf,
}

impl RunDir {
    /// Create the folder `path`. An existing folder is refused unless `force`, in which
    /// case the files seedsoil writes are replaced (others are left alone).
    pub fn create(path: &Path, force: bool) -> Result<Self, RunError> {
        if path.exists() {
            if !force {
                return Err(RunError::Exists(path.to_path_buf()));
            }
            let snaps = path.join("snapshots");
            if snaps.is_dir() {
                std::fs::remove_dir_all(&snaps).map_err(|source| RunError::Output {
                    path: snaps.clone(),
                    source,
                })?;
            }
        }
        std::fs::create_dir_all(path).map_err(|source| RunError::Output {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// A fresh default folder `base`, or `base-2`, `base-3`, … if taken: default output
    /// folders never overwrite earlier runs.
    pub fn fresh(base: &Path) -> Result<Self, RunError> {
        let mut candidate = base.to_path_buf();
        let mut k = 2;
        while candidate.exists() {
            candidate = PathBuf::from(format!("{}-{k}", base.display()));
            k += 1;
        }
        Self::create(&candidate, false)
    }

    /// Write a file of the run atomically; `rel` may contain a subfolder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<PathBuf, RunError> {
        let p = self.path.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|source| RunError::Output {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_atomic(&p, bytes)?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_existing_folder_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("run");
        let d = RunDir::create(&p, false).unwrap();
        d.write("a.csv", b"x\n").unwrap();
        assert!(matches!(
            RunDir::create(&p, false),
            Err(RunError::Exists(_))
        ));
        let d = RunDir::create(&p, true).unwrap();
        d.write("a.csv", b"y\n").unwrap();
        assert_eq!(std::fs::read(p.join("a.csv")).unwrap(), b"y\n");
        let f = RunDir::fresh(&p).unwrap();
        assert!(f.path.ends_with("run-2"));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(&p)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
