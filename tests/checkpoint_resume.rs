//! Checkpoints resume byte-identically: the tables and config of an uninterrupted run
//! equal those of a run that wrote a checkpoint and of a run resumed from it (whatever the
//! thread counts), and bad checkpoints or structural changes are refused with exit code 2.

use assert_cmd::Command;
use seedsoil::checkpoint::{Checkpoint, FORMAT_VERSION, MAGIC};
use seedsoil::output::Recorder;
use std::path::{Path, PathBuf};

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

const TABLES: [&str; 4] = ["timeseries.csv", "events.csv", "summary.csv", "config.toml"];

fn metastasis_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/metastasis.toml")
}

/// `seedsoil run ARGS -o DIR -q`, which must succeed.
fn run(args: &[&str], dir: &Path) {
    seedsoil()
        .arg("run")
        .args(args)
        .arg("-o")
        .arg(dir)
        .arg("-q")
        .assert()
        .success();
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_same_tables(a: &Path, b: &Path) {
    for name in TABLES {
        assert!(
            read(a, name) == read(b, name),
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Uninterrupted (A), with a checkpoint (B), resumed from it (C): A = B = C.
fn check_resume(
    config: &[&str],
    day: &str,
    threads: [&str; 3],
    tmp: &Path,
) -> (PathBuf, PathBuf, PathBuf) {
    let (a, b, c) = (tmp.join("A"), tmp.join("B"), tmp.join("C"));
    let with = |extra: &[&str], t: &str| {
        let mut v: Vec<&str> = config.to_vec();
        v.extend_from_slice(extra);
        v.extend_from_slice(&["--threads", t]);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    run(&strs(&with(&[], threads[0])), &a);
    run(&strs(&with(&["--checkpoint-at", day], threads[1])), &b);
    let ckpt = b.join(format!("checkpoints/day{day}.ckpt"));
    assert!(ckpt.is_file(), "{} written", ckpt.display());
    let ckpt_s = ckpt.display().to_string();
    run(&["--from", &ckpt_s, "--threads", threads[2]], &c);
    assert_same_tables(&a, &b);
    assert_same_tables(&a, &c);
    (a, b, ckpt)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn load(ckpt: &Path) -> Checkpoint {
    Checkpoint::read(&std::fs::read(ckpt).unwrap()).unwrap()
}

#[test]
fn default_config_resumes_byte_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _, ckpt) = check_resume(&["--days", "30"], "12", ["0", "0", "0"], tmp.path());
    let ck = load(&ckpt);
    assert_eq!(ck.step(), 288);
    let sim = ck.restore(&ck.config).unwrap();
    // Fields and MSCs are part of the state at the checkpoint.
    assert!(sim.cytokines.is_some());
    assert!(sim.mscs.events().homed > 0, "MSCs homed before day 12");
    assert!(sim.metastasis.is_some());
    // The timeseries goes on after the checkpoint.
    assert!(read(&a, "timeseries.csv").contains("\n720,"));
}

/// A checkpoint holds the tiles' work estimates: they must not depend on the thread count
/// (one thread used to keep the estimates of the last rebuild).
#[test]
fn checkpoint_bytes_do_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let written = |threads: &str| {
        let dir = tmp.path().join(format!("t{threads}"));
        run(
            &["--days", "9", "--checkpoint-at", "8", "--threads", threads],
            &dir,
        );
        std::fs::read(dir.join("checkpoints/day8.ckpt")).expect("checkpoint written")
    };
    assert!(written("1") == written("2"), "checkpoint bytes differ");
}

#[test]
fn metastasis_resumes_byte_identically_from_two_threads_to_one() {
    let tmp = tempfile::tempdir().unwrap();
    let m = metastasis_config().display().to_string();
    let (_, _, ckpt) = check_resume(&[&m, "--days", "20"], "8", ["1", "2", "1"], tmp.path());
    let ck = load(&ckpt);
    let sim = ck.restore(&ck.config).unwrap();
    let met = sim.metastasis.as_ref().expect("dissemination on");
    assert!(
        !met.colonies().is_empty(),
        "colonies exist at the checkpoint"
    );
    assert!(met.circulation().len() + met.colonies().len() > 10);
}

#[test]
fn three_dimensional_run_resumes_byte_identically() {
    let tmp = tempfile::tempdir().unwrap();
    check_resume(
        &[
            "--set",
            "space.dims=3",
            "--set",
            "space.max_size=120",
            "--days",
            "12",
        ],
        "5",
        ["2", "1", "2"],
        tmp.path(),
    );
}

#[test]
fn debris_and_surgery_of_the_mass_resume_byte_identically() {
    // Debris on (cells.clearance_h), with deaths, radiation before the checkpoint (its
    // debris is on the lattice and in the queue when the checkpoint is written) and a
    // surgery of the mass after it.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("debris.toml");
    std::fs::write(
        &cfg,
        "[run]\ndays = 16\nseed = 3\n[init]\nkind = \"disc\"\nradius = 30\n\
         [cells]\nbackground_death_per_day = 0.1\nclearance_h = 48\n\
         [dissemination]\nmin_primary_cells = 500\nshed_per_cell_per_day = 0.002\n\
         [[therapy]]\nkind = \"radiation\"\nstart_day = 5\ncycles = 2\ninterval_days = 1\n\
         [[therapy]]\nkind = \"surgery\"\nstart_day = 9\nresidual_fraction = 0.5\nmargin_sites = 2\n",
    )
    .unwrap();
    let c = cfg.display().to_string();
    let (a, _, ckpt) = check_resume(&[&c], "6", ["1", "2", "1"], tmp.path());
    let ck = load(&ckpt);
    let sim = ck.restore(&ck.config).unwrap();
    assert_eq!(sim.primary.clearance_steps(), 48);
    assert!(sim.primary.debris() > 100, "debris at the checkpoint");
    sim.primary.check_invariants();
    assert!(read(&a, "events.csv").contains(",surgery,primary,"));
}

#[test]
fn two_restores_of_one_checkpoint_give_identical_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("B");
    let m = metastasis_config().display().to_string();
    run(&[&m, "--days", "12", "--checkpoint-at", "6"], &b);
    let ck = load(&b.join("checkpoints/day6.ckpt"));
    let outputs: Vec<[String; 3]> = (0..2)
        .map(|_| {
            let mut sim = ck.restore(&ck.config).unwrap();
            let mut rec: Recorder = ck.restore_recorder(&sim, None).unwrap();
            let reason = sim.run(&mut rec);
            rec.finish(&sim, reason).unwrap()
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0][0], read(&b, "timeseries.csv"));
    assert_eq!(outputs[0][1], read(&b, "events.csv"));
}

/// FNV-1a 64, the checkpoint checksum (written out here so the test does not trust the
/// code under test).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// A small checkpoint to corrupt.
fn small_checkpoint(tmp: &Path) -> PathBuf {
    let b = tmp.join("B");
    run(&["--days", "3", "--checkpoint-at", "1"], &b);
    b.join("checkpoints/day1.ckpt")
}

fn refused(from: &Path, extra: &[&str], tmp: &Path) -> String {
    let out = seedsoil()
        .arg("run")
        .arg("--from")
        .arg(from)
        .args(extra)
        .arg("-o")
        .arg(tmp.join("refused"))
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "exit code");
    assert!(
        !tmp.join("refused").exists(),
        "no output folder for a refused resume"
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_checkpoints_are_refused_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = small_checkpoint(tmp.path());
    let bytes = std::fs::read(&ckpt).unwrap();

    // Another format version, with a valid checksum.
    let mut v2 = bytes.clone();
    v2[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let n = v2.len() - 8;
    let sum = fnv1a64(&v2[..n]);
    v2[n..].copy_from_slice(&sum.to_le_bytes());
    let p = tmp.path().join("v2.ckpt");
    std::fs::write(&p, &v2).unwrap();
    let err = refused(&p, &[], tmp.path());
    let expected = format!(
        "checkpoint format version {}, this seedsoil reads version {FORMAT_VERSION}",
        FORMAT_VERSION + 1
    );
    assert!(err.contains(&expected), "{err}");

    // Truncated.
    let p = tmp.path().join("truncated.ckpt");
    std::fs::write(&p, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let err = refused(&p, &[], tmp.path());
    assert!(err.contains("truncated or corrupt"), "{err}");

    // One flipped bit in the state.
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let p = tmp.path().join("flipped.ckpt");
    std::fs::write(&p, &flipped).unwrap();
    let err = refused(&p, &[], tmp.path());
    assert!(err.contains("checksum mismatch"), "{err}");

    // Not a checkpoint at all.
    let p = tmp.path().join("B/summary.csv");
    let err = refused(&p, &[], tmp.path());
    assert!(err.contains("not a seedsoil checkpoint"), "{err}");

    // A changed structural key, named with both values.
    let err = refused(&ckpt, &["--set", "space.dims=3"], tmp.path());
    assert!(err.contains("space.dims: checkpoint 2, new 3"), "{err}");
    let err = refused(&ckpt, &["--seed", "5"], tmp.path());
    assert!(err.contains("run.seed"), "{err}");

    // --from and a config file are exclusive.
    let out = seedsoil()
        .args(["run", "configs/baseline.toml", "--from"])
        .arg(&ckpt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn checkpoint_days_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    for (day, what) in [("-1", "-1"), ("4", "4"), ("0.01", "0.01")] {
        let out = seedsoil()
            .args(["run", "--days", "3", "--checkpoint-at", day, "-q", "-o"])
            .arg(tmp.path().join("x"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "day {day}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("--checkpoint-at = {what}:")), "{err}");
        assert!(err.contains("run.days = 3"), "{err}");
    }
}

#[test]
fn a_changed_rate_branches_after_the_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("B");
    let c = tmp.path().join("C");
    run(&["--days", "20", "--checkpoint-at", "8"], &b);
    let ckpt = b.join("checkpoints/day8.ckpt").display().to_string();
    run(&["--from", &ckpt, "--set", "cells.p_symmetric=0.2"], &c);
    let (tb, tc) = (read(&b, "timeseries.csv"), read(&c, "timeseries.csv"));
    let step = |line: &str| line.split(',').next().unwrap().parse::<u64>().ok();
    fn upto(t: &str, step: impl Fn(&str) -> Option<u64>) -> Vec<&str> {
        t.lines()
            .filter(|l| step(l).is_none_or(|s| s <= 192))
            .collect()
    }
    assert_eq!(
        upto(&tb, step),
        upto(&tc, step),
        "rows up to the checkpoint are identical"
    );
    assert_ne!(tb, tc, "rows after the checkpoint differ");
    assert!(read(&c, "config.toml").contains("p_symmetric = 0.2"));
}

#[test]
fn snapshots_at_and_before_the_checkpoint_are_recorded_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("A"),
        tmp.path().join("B"),
        tmp.path().join("C"),
    );
    let cfg = ["--days", "8", "--set", "output.snapshot_days=[2, 4, 6]"];
    run(&cfg, &a);
    let mut with_ckpt = cfg.to_vec();
    with_ckpt.extend_from_slice(&["--checkpoint-at", "4"]);
    run(&with_ckpt, &b);
    let ckpt = b.join("checkpoints/day4.ckpt").display().to_string();
    run(&["--from", &ckpt], &c);
    assert_same_tables(&a, &b);
    assert_same_tables(&a, &c);
    assert_eq!(read(&c, "events.csv").matches(",snapshot,").count(), 3);
    // Only the snapshot after the checkpoint is written again.
    let snaps = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d.join("snapshots"))
            .map(|r| {
                r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert!(snaps(&a).iter().any(|n| n.contains("day2")));
    assert!(
        snaps(&c).iter().all(|n| n.contains("day6")),
        "{:?}",
        snaps(&c)
    );
    assert!(!snaps(&c).is_empty());
}

/// A checkpoint streamed through a named pipe (read once only) resumes like the file: its
/// header is checked and kept, not read and lost.
#[cfg(unix)]
#[test]
fn a_checkpoint_read_from_a_named_pipe_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&["--days", "4", "--checkpoint-at", "2"], &a);
    let bytes = std::fs::read(a.join("checkpoints/day2.ckpt")).unwrap();
    let fifo = tmp.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer = {
        let fifo = fifo.clone();
        // The writer may see a broken pipe if the reader gives up: ignore its result.
        std::thread::spawn(move || std::fs::write(fifo, bytes).is_ok())
    };
    seedsoil()
        .arg("run")
        .arg("--from")
        .arg(&fifo)
        .arg("-o")
        .arg(&b)
        .arg("-q")
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
    assert!(writer.join().unwrap(), "the whole checkpoint was read");
    assert_same_tables(&a, &b);
}
