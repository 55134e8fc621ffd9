//! `seedsoil compare` across processes: a killed comparison leaves its folder marked
//! running with complete records only, `--resume` finishes it with tables byte-identical
//! to an uninterrupted run, `--force` never leaves the old comparison mixed with the new
//! one, a record or table that cannot be written gives a failed manifest (exit 1), and
//! `--resume` refuses a different comparison.

mod common;

use common::{repo, seedsoil};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The tables of a comparison folder (names as the plotting scripts read them).
const TABLES: [&str; 7] = [
    "runs.csv",
    "timeseries.csv",
    "events.csv",
    "summary.csv",
    "organs.csv",
    "comparison.csv",
    "time_to_event.csv",
];

fn data(name: &str) -> PathBuf {
    repo("tests/data/compare").join(name)
}

/// A branched comparison of 2 scenarios × 3 replicates of the small R0-like base, long
/// enough (60 days, about half a second a run) to be killed midway.
fn slow_compare(dir: &Path, seed: u64) -> PathBuf {
    let file = dir.join(format!("slow{seed}.toml"));
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nreplicates = 3\nseed = {seed}\nbranch_at_day = 4\n\
             [scenario.control]\nset = {{ \"run.days\" = 60.0 }}\n\
             [scenario.fast]\ninclude = [{:?}]\nset = {{ \"run.days\" = 60.0 }}\n",
            data("base.toml").display().to_string(),
            data("faster.toml").display().to_string(),
        ),
    )
    .unwrap();
    file
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The complete records under `dir/runs` (folders not named like temporaries), each
/// checked to hold a parsing `status.json`; returns their `status.json` values.
fn records(dir: &Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let Ok(scenarios) = std::fs::read_dir(dir.join("runs")) else {
        return out;
    };
    for scenario in scenarios {
        let scenario = scenario.unwrap().path();
        for entry in std::fs::read_dir(&scenario).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                assert!(
                    name.contains(".tmp-"),
                    "{name}: only temporaries are hidden"
                );
                continue;
            }
            let text = std::fs::read_to_string(entry.path().join("status.json"))
                .unwrap_or_else(|_| panic!("{}: a record without status.json", name));
            let status: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(status["status"], "completed");
            for table in ["timeseries.csv", "events.csv", "summary.csv"] {
                assert!(entry.path().join(table).is_file(), "{name}/{table}");
            }
            out.push(status);
        }
    }
    out
}

/// Counts complete records without checking them (while a process writes them).
fn record_count(dir: &Path) -> usize {
    let Ok(scenarios) = std::fs::read_dir(dir.join("runs")) else {
        return 0;
    };
    scenarios
        .flatten()
        .filter_map(|s| std::fs::read_dir(s.path()).ok())
        .flat_map(|e| e.flatten())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count()
}

/// Starts `seedsoil compare FILE -o DIR ARGS` and SIGKILLs it once `dir` holds more
/// than `after` complete records; the process must not have finished on its own.
fn kill_after(file: &Path, dir: &Path, args: &[&str], after: usize) {
    kill_when(file, dir, args, || record_count(dir) > after);
}

/// Starts `seedsoil compare FILE -o DIR ARGS` and SIGKILLs it once `ready()`; the
/// process must not have finished on its own.
fn kill_when(file: &Path, dir: &Path, args: &[&str], ready: impl Fn() -> bool) {
    let bin = assert_cmd::cargo::cargo_bin("seedsoil");
    let mut child = std::process::Command::new(bin)
        .arg("compare")
        .arg(file)
        .arg("-o")
        .arg(dir)
        .args(["--threads", "1", "-q"])
        .args(args)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no new record appeared in {}",
            dir.display()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the compare ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "killed, not finished: {status:?}");
}

/// The folder of a killed comparison: marked running, no table, complete records only.
fn assert_incomplete(dir: &Path) {
    assert_eq!(manifest(dir)["status"], "running");
    for table in TABLES {
        assert!(!dir.join(table).exists(), "{table} of a killed comparison");
    }
    records(dir);
}

#[test]
fn a_killed_compare_is_marked_running_and_resume_gives_identical_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let file = slow_compare(tmp.path(), 7);
    let full = tmp.path().join("full");
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&full)
        .args(["--threads", "2", "-q"])
        .assert()
        .success();
    assert_eq!(manifest(&full)["status"], "completed");

    let dir = tmp.path().join("killed");
    kill_after(&file, &dir, &[], 0);
    assert_incomplete(&dir);
    let first = records(&dir).len();
    assert!((1..6).contains(&first), "{first} records");

    // Refused without a flag, naming both.
    let refused = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("did not finish"), "{stderr}");
    assert!(
        stderr.contains("--resume") && stderr.contains("--force"),
        "{stderr}"
    );

    // Killed again while resuming (its trunks regrown), then finished.
    kill_after(&file, &dir, &["--resume"], first);
    assert_incomplete(&dir);
    let second = records(&dir).len();
    assert!(
        second > first && second < 6,
        "{first} then {second} records"
    );
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "--threads", "2", "-q"])
        .assert()
        .success();
    let m = manifest(&dir);
    assert_eq!(m["status"], "completed");
    assert_eq!(m["runs_executed_now"], 6 - second);
    assert_eq!(records(&dir).len(), 6);
    for table in TABLES {
        let (a, b) = (
            std::fs::read(full.join(table)).unwrap(),
            std::fs::read(dir.join(table)).unwrap(),
        );
        assert!(a == b, "{table}: resumed differs from uninterrupted");
    }
    // Resuming a finished comparison runs nothing and changes no table.
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "-q"])
        .assert()
        .success();
    assert_eq!(manifest(&dir)["runs_executed_now"], 0);
    for table in TABLES {
        assert!(
            std::fs::read(full.join(table)).unwrap() == std::fs::read(dir.join(table)).unwrap()
        );
    }
}

#[test]
fn force_over_a_finished_comparison_killed_midway_leaves_nothing_of_the_old_one() {
    let tmp = tempfile::tempdir().unwrap();
    let old = slow_compare(tmp.path(), 7);
    let new = slow_compare(tmp.path(), 8);
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("compare")
        .arg(&old)
        .arg("-o")
        .arg(&dir)
        .args(["--threads", "2", "-q"])
        .assert()
        .success();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    assert_eq!(records(&dir).len(), 6);

    // Killed once the forced comparison has recorded a run: a record of seed 8's
    // replicate seeds.
    let new_seeds: Vec<u64> = (0..3)
        .map(|r| seedsoil::compare::replicate_seed(8, r))
        .collect();
    let has_new_record = || {
        let Ok(scenarios) = std::fs::read_dir(dir.join("runs")) else {
            return false;
        };
        scenarios
            .flatten()
            .filter_map(|s| std::fs::read_dir(s.path()).ok())
            .flat_map(|e| e.flatten())
            .filter_map(|e| std::fs::read_to_string(e.path().join("status.json")).ok())
            .filter_map(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .any(|v| v["seed"].as_u64().is_some_and(|s| new_seeds.contains(&s)))
    };
    kill_when(&new, &dir, &["--force"], has_new_record);
    assert_incomplete(&dir);
    let m = manifest(&dir);
    assert_eq!(m["seed"], 8, "the manifest is the new comparison's");
    let seeds: Vec<u64> = m["replicate_seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    let left = records(&dir);
    assert!((1..6).contains(&left.len()), "{} records", left.len());
    for status in &left {
        let seed = status["seed"].as_u64().unwrap();
        assert!(seeds.contains(&seed), "an old record is left: {status}");
    }
    let stored = std::fs::read_to_string(dir.join("compare.toml")).unwrap();
    assert!(stored.contains("seed = 8"), "{stored}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );

    // The new comparison resumes to completion; the old one cannot.
    let refused = seedsoil()
        .arg("compare")
        .arg(&old)
        .arg("-o")
        .arg(&dir)
        .arg("--resume")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("seed is 8 in the folder, 7 now"),
        "{stderr}"
    );
    seedsoil()
        .arg("compare")
        .arg(&new)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "--threads", "2", "-q"])
        .assert()
        .success();
    assert_eq!(manifest(&dir)["status"], "completed");
    assert_eq!(records(&dir).len(), 6);
}

#[test]
fn a_record_or_table_that_cannot_be_written_fails_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let file = data("small.toml");
    let full = tmp.path().join("full");
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&full)
        .arg("-q")
        .assert()
        .success();
    // A file where the record of fast replicate 1 must go (root ignores permissions).
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let blocked = dir.join("runs/fast/000001");
    std::fs::remove_dir_all(&blocked).unwrap();
    std::fs::write(&blocked, "in the way").unwrap();
    std::fs::remove_file(dir.join("summary.csv")).unwrap();
    let failed = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "-q"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(stderr.contains("fast replicate 1"), "{stderr}");
    let m = manifest(&dir);
    assert_eq!(m["status"], "failed");
    let error = m["error"].as_str().unwrap();
    assert!(error.contains("runs/fast/000001"), "{error}");
    assert!(
        !dir.join("summary.csv").exists(),
        "no table without every record"
    );
    // Cleared, the comparison resumes to the same tables.
    std::fs::remove_file(&blocked).unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "-q"])
        .assert()
        .success();
    assert_eq!(manifest(&dir)["status"], "completed");
    for table in TABLES {
        assert!(
            std::fs::read(full.join(table)).unwrap() == std::fs::read(dir.join(table)).unwrap()
        );
    }

    // A folder where a table must go.
    std::fs::remove_file(dir.join("comparison.csv")).unwrap();
    std::fs::create_dir_all(dir.join("comparison.csv/x")).unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "-q"])
        .assert()
        .code(1);
    let m = manifest(&dir);
    assert_eq!(m["status"], "failed");
    assert!(
        m["error"].as_str().unwrap().contains("comparison.csv"),
        "{m}"
    );
}

#[test]
fn resume_refuses_another_comparison_or_folder_and_starts_an_empty_one() {
    let tmp = tempfile::tempdir().unwrap();
    let file = data("small.toml");
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let before = std::fs::read(dir.join("summary.csv")).unwrap();
    let refused = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "--replicates", "2"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("replicates is 3 in the folder, 2 now"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(manifest(&dir)["status"], "completed", "left untouched");
    assert_eq!(std::fs::read(dir.join("summary.csv")).unwrap(), before);

    // A folder that is not a comparison is not reused.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("summary.csv"), "mine").unwrap();
    let refused = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&other)
        .arg("--resume")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("compare.toml"), "{stderr}");
    assert_eq!(std::fs::read(other.join("summary.csv")).unwrap(), b"mine");

    // A file is not a folder, with or without a flag.
    let not_a_folder = tmp.path().join("file");
    std::fs::write(&not_a_folder, "mine").unwrap();
    for flag in ["--resume", "--force"] {
        seedsoil()
            .arg("compare")
            .arg(&file)
            .arg("-o")
            .arg(&not_a_folder)
            .arg(flag)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("not a folder"));
    }
    assert_eq!(std::fs::read(&not_a_folder).unwrap(), b"mine");

    // A folder whose comparison was killed before it wrote compare.toml (only its running
    // manifest and a temporary file) is started afresh by --resume.
    let early = tmp.path().join("early");
    std::fs::create_dir_all(&early).unwrap();
    std::fs::write(early.join("manifest.json"), "{\"status\": \"running\"}\n").unwrap();
    std::fs::write(early.join(".configs.tmp-1"), "").unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&early)
        .args(["--resume", "-q"])
        .assert()
        .success();
    assert_eq!(std::fs::read(early.join("summary.csv")).unwrap(), before);
    assert!(!early.join(".configs.tmp-1").exists());

    // An empty folder (a compare killed before it wrote anything) is simply used.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&empty)
        .arg("-q")
        .assert()
        .success();
    assert_eq!(std::fs::read(empty.join("summary.csv")).unwrap(), before);
}
