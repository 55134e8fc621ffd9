//! A run folder is never left as a mix of two runs: killed (SIGKILL) at any moment, out
//! of disk or failing, `seedsoil run` (also with `--force` over an earlier run) leaves
//! the folder as the complete earlier run, the complete new run, or marked as an
//! unfinished run by its manifest (`"status": "running"` or `"failed"`).

use assert_cmd::cargo::cargo_bin;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The `status` and `seed` of a folder's manifest.
fn manifest(dir: &Path) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).expect("a whole manifest");
    Some((
        v["status"].as_str().unwrap().to_string(),
        v["seed"].as_u64().unwrap(),
    ))
}

/// Every file below `dir` (relative path and bytes), but the temporary files of atomic
/// writes (`.NAME.tmp-PID`, hidden, left by a write that was killed; the next run in
/// the folder removes them).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.file_name().unwrap().to_string_lossy().contains(".tmp-") {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn seedsoil(args: &[&str], dir: &Path) -> std::process::Child {
    Command::new(cargo_bin("seedsoil"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Kill points after the start, in milliseconds: before the folder exists, while the
/// config and first steps are written, and mid-run at a checkpoint or snapshot.
const KILL_AFTER_MS: [u64; 7] = [0, 5, 20, 60, 200, 600, 1500];

/// The new run of the kill tests: 90 days with checkpoints and snapshots, long enough
/// to be killed midway.
const NEW_RUN: [&str; 11] = [
    "run",
    "-q",
    "--days",
    "90",
    "--seed",
    "2",
    "--checkpoint-at",
    "1",
    "--set",
    "output.snapshot_days=[1.0,2.0,89.0]",
    "--threads=1",
];

#[test]
fn a_killed_run_leaves_no_folder_or_one_marked_running() {
    let tmp = tempfile::tempdir().unwrap();
    for ms in KILL_AFTER_MS {
        let out = format!("k{ms}");
        let mut args = NEW_RUN.to_vec();
        args.extend(["-o", &out]);
        let mut child = seedsoil(&args, tmp.path());
        std::thread::sleep(Duration::from_millis(ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let dir = tmp.path().join(&out);
        if !dir.exists() {
            continue;
        }
        let (status, seed) = manifest(&dir)
            .unwrap_or_else(|| panic!("killed after {ms} ms: a folder without a manifest"));
        assert_eq!(seed, 2);
        match status.as_str() {
            "running" => assert!(!dir.join("summary.csv").exists()),
            "completed" => assert!(dir.join("summary.csv").exists()),
            other => panic!("killed after {ms} ms: status {other}"),
        }
    }
    // No hidden temporary folder is left beside the runs but by the killed processes
    // themselves (at most one per kill, and only when killed while claiming).
    let hidden = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert!(hidden <= KILL_AFTER_MS.len());
}

#[test]
fn a_killed_forced_run_never_mixes_with_the_earlier_run() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    let status = Command::new(cargo_bin("seedsoil"))
        .args([
            "run",
            "-q",
            "--days",
            "4",
            "--seed",
            "1",
            "--checkpoint-at",
            "2",
            "--set",
            "output.snapshot_days=[3.0]",
            "-o",
        ])
        .arg(&old)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(old.join("notes.txt"), "the user's own file").unwrap();
    let old_files = files(&old);
    for ms in KILL_AFTER_MS {
        let dir = tmp.path().join(format!("f{ms}"));
        std::fs::create_dir(&dir).unwrap();
        for (rel, bytes) in &old_files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let name = format!("f{ms}");
        let mut args = NEW_RUN.to_vec();
        args.extend(["-o", &name, "--force"]);
        let mut child = seedsoil(&args, tmp.path());
        std::thread::sleep(Duration::from_millis(ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let now = files(&dir);
        assert!(
            now.iter()
                .any(|(rel, bytes)| rel == "notes.txt" && bytes == b"the user's own file"),
            "killed after {ms} ms: the user's file is kept"
        );
        match manifest(&dir).expect("a manifest") {
            (status, 1) => {
                assert_eq!(status, "completed");
                assert!(
                    now == old_files,
                    "killed after {ms} ms: the old run changed"
                );
            }
            (status, 2) => {
                assert_ne!(status, "failed", "killed after {ms} ms");
                // Nothing of the old run is left once the new one has written a file:
                // its checkpoint of day 2 and its snapshot of day 3 are gone.
                if now.iter().any(|(rel, _)| rel == "config.toml") {
                    for (rel, _) in &now {
                        assert!(
                            !rel.contains("_day3.") && rel != "checkpoints/day2.ckpt",
                            "killed after {ms} ms: old {rel} beside the new run"
                        );
                    }
                }
            }
            other => panic!("killed after {ms} ms: {other:?}"),
        }
    }
}

#[test]
fn a_forced_run_removes_every_file_of_the_earlier_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let run = |args: &[&str]| {
        let status = Command::new(cargo_bin("seedsoil"))
            .args(args)
            .arg("-o")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&[
        "run",
        "-q",
        "--days",
        "4",
        "--checkpoint-at",
        "2",
        "--set",
        "output.snapshot_days=[3.0]",
    ]);
    std::fs::create_dir_all(dir.join("render")).unwrap();
    std::fs::write(dir.join("render/lattice_day3.png"), "old").unwrap();
    std::fs::write(dir.join(".summary.csv.tmp-999999"), "half").unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    run(&["run", "-q", "--days", "2", "--force"]);
    let mut names: Vec<String> = files(&dir).into_iter().map(|(rel, _)| rel).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "config.toml",
            "events.csv",
            "manifest.json",
            "notes.txt",
            "organs.csv",
            "summary.csv",
            "timeseries.csv"
        ]
    );
    assert_eq!(manifest(&dir).unwrap().0, "completed");
}

/// Out of disk space midway (a 40 kB tmpfs in a private mount namespace): the run fails
/// with exit 1, its manifest says so (or, if even that cannot be written, still says
/// running), and no temporary file is left. Needs unprivileged user namespaces (or root);
/// where `unshare` cannot mount, the test says so and checks nothing.
#[test]
fn out_of_disk_space_midway_fails_with_a_record_and_no_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let bin = cargo_bin("seedsoil");
    let script = format!(
        "mount -t tmpfs -o size=40k tmpfs {m} || exit 77; \
         {bin} run -q --days 30 --seed 1 -o {m}/run 2>{m}/err; echo \"rc=$?\"; \
         cat {m}/run/manifest.json; echo; cat {m}/err; ls -a {m}/run",
        m = mnt.display(),
        bin = bin.display()
    );
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .output();
    let out = match out {
        Ok(o) if o.status.code() != Some(77) && o.status.success() => o,
        other => {
            eprintln!("skipped: cannot mount a tmpfs in a private namespace here ({other:?})");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("rc=1\n"), "{text}");
    assert!(text.contains("No space left on device"), "{text}");
    assert!(
        text.contains("\"status\": \"failed\"") || text.contains("\"status\": \"running\""),
        "{text}"
    );
    assert!(!text.contains(".tmp-"), "a temporary file is left: {text}");
}
