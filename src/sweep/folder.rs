//! Starting a sweep folder again (`seedsoil sweep --force`): its records and the files a
//! sweep writes are deleted, anything else is left alone.

use std::path::Path;

use crate::error::RunError;

/// The files a sweep writes in its output folder besides `runs/`.
pub const SWEEP_FILES: [&str; 8] = [
    "sweep.toml",
    "base.toml",
    "plan.csv",
    "runs.csv",
    "summary.csv",
    "organs.csv",
    "timeseries.csv",
    "manifest.json",
];

/// Deletes `dir/runs/` and the [`SWEEP_FILES`] of `dir` (those that exist).
pub fn clear(dir: &Path) -> Result<(), RunError> {
    let runs = dir.join("runs");
    if runs.is_dir() {
        std::fs::remove_dir_all(&runs).map_err(|source| RunError::Output {
            path: runs.clone(),
            source,
        })?;
    }
    for name in SWEEP_FILES {
        let _ = std::fs::remove_file(dir.join(name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clears_the_sweep_files_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("runs/000001")).unwrap();
        for name in ["sweep.toml", "runs.csv", "notes.txt"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        clear(dir).unwrap();
        let left: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["notes.txt"]);
        // A folder without a sweep is fine too.
        clear(&dir.join("missing")).unwrap();
    }
}
