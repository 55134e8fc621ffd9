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
    let tmp = temporary(path);
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

/// The temporary file next to `path` that [`write_atomic`] and [`AtomicFile`] write
/// before renaming it to `path`: `.<name>.tmp-<pid>` in the same folder.
fn temporary(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// A file written in pieces (through a buffer, never whole in memory) and put in place
/// atomically like [`write_atomic`] by [`AtomicFile::commit`]; dropped uncommitted (an
/// error on the way), its temporary file is removed.
#[derive(Debug)]
pub struct AtomicFile {
    /// The target.
    path: PathBuf,
    /// The temporary file.
    tmp: PathBuf,
    /// The buffered temporary file (`None` once committed).
    file: Option<std::io::BufWriter<std::fs::File>>,
    /// Renamed into place.
    done: bool,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, RunError> {
        let tmp = temporary(path);
        let file = std::fs::File::create(&tmp).map_err(|source| RunError::Output {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
            done: false,
        })
    }

    /// The error of writing the target, from `source`.
    pub fn error(&self, source: std::io::Error) -> RunError {
        RunError::Output {
            path: self.path.clone(),
            source,
        }
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), RunError> {
        let result = (|| {
            let file = self.file.take().expect("committed once");
            let file = file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&self.tmp, &self.path)
        })();
        self.done = result.is_ok();
        result.map_err(|e| self.error(e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("not committed").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Uncommitted, or the commit failed: the temporary file goes.
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A run's output folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// The folder.
    pub path: PathBuf,
}

/// The files and folders `seedsoil run` writes into a run folder: what `--force` removes
/// of an earlier run (anything else in the folder is left alone). `manifest.json` is not
/// listed: it is replaced, first, by the new run's "running" manifest ([`RunDir::begin`]).
pub const RUN_FILES: [&str; 8] = [
    "config.toml",
    "timeseries.csv",
    "events.csv",
    "summary.csv",
    "organs.csv",
    "snapshots",
    "checkpoints",
    "render",
];

impl RunDir {
    /// Create the folder `path`. An existing folder is refused unless `force` (the earlier
    /// run's files are then removed by [`RunDir::begin`], not here); a path that exists
    /// but is not a folder (a file, a dangling link) is always refused.
    pub fn create(path: &Path, force: bool) -> Result<Self, RunError> {
        match std::fs::symlink_metadata(path) {
            Err(_) => {}
            Ok(_) if path.is_dir() => {
                if !force {
                    return Err(RunError::Exists(path.to_path_buf()));
                }
            }
            Ok(meta) => {
                let what = if meta.file_type().is_symlink() && !path.exists() {
                    "a symbolic link to nothing"
                } else {
                    "not a folder"
                };
                return Err(RunError::NotAFolder {
                    path: path.to_path_buf(),
                    what,
                });
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

    /// The first of `base`, `base-2`, `base-3`, … that does not exist: default output
    /// folders never overwrite earlier runs.
    pub fn fresh_path(base: &Path) -> PathBuf {
        let mut candidate = base.to_path_buf();
        let mut k = 2;
        while std::fs::symlink_metadata(&candidate).is_ok() {
            candidate = PathBuf::from(format!("{}-{k}", base.display()));
            k += 1;
        }
        candidate
    }

    /// A fresh default folder ([`RunDir::fresh_path`]), created.
    pub fn fresh(base: &Path) -> Result<Self, RunError> {
        Self::create(&Self::fresh_path(base), false)
    }

    /// Create or take over the folder `path` for a new run whose first file is
    /// `manifest` (saying `"status": "running"`), so that the folder is never seen
    /// without it: a new folder is built beside `path` (a hidden temporary sibling) with
    /// the manifest inside and renamed into place; an existing one (refused unless
    /// `force`) is taken over by [`RunDir::begin`], which then removes `owned`.
    pub fn claim(
        path: &Path,
        force: bool,
        manifest: &[u8],
        owned: &[&str],
    ) -> Result<Self, RunError> {
        if std::fs::symlink_metadata(path).is_ok() {
            let dir = Self::create(path, force)?;
            dir.begin(manifest, owned)?;
            return Ok(dir);
        }
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RunError::Output { path, source }
        };
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(err(parent))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let built = (|| {
            std::fs::create_dir(&tmp).map_err(err(&tmp))?;
            write_atomic(&tmp.join("manifest.json"), manifest)?;
            // Renaming onto a folder that appeared meanwhile would replace it if empty:
            // look once more, then rename (a race lost here is refused below).
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(RunError::Exists(path.to_path_buf()));
            }
            std::fs::rename(&tmp, path).map_err(err(path))
        })();
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// Claims the folder for a new run, in the one order that never leaves two runs
    /// mixed: first `manifest` (the new run's, saying `"status": "running"`) replaces any
    /// earlier `manifest.json` atomically, then every entry of `owned` (files or
    /// folders of an earlier run, e.g. [`RUN_FILES`]) and any temporary file an
    /// interrupted write left are removed. Killed at any point, the folder is either
    /// the earlier run untouched (the manifest could not be written: a read-only folder
    /// loses nothing) or marked as running.
    pub fn begin(&self, manifest: &[u8], owned: &[&str]) -> Result<(), RunError> {
        self.write("manifest.json", manifest)?;
        let remove = |p: &Path| {
            let result = match std::fs::symlink_metadata(p) {
                Err(_) => return Ok(()),
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
                Ok(_) => std::fs::remove_file(p),
            };
            result.map_err(|source| RunError::Output {
                path: p.to_path_buf(),
                source,
            })
        };
        for name in owned {
            remove(&self.path.join(name))?;
        }
        let entries = std::fs::read_dir(&self.path).map_err(|source| RunError::Output {
            path: self.path.clone(),
            source,
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.contains(".tmp-") {
                remove(&entry.path())?;
            }
        }
        Ok(())
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
