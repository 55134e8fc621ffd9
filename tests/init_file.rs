//! Starting a run from given cells (issue 17): `init.kind = "file"` with a cells CSV (a
//! snapshot's `lattice_dayD.csv` as it is), `init.kind = "checkpoint"` with a
//! checkpoint's primary tumour, their checks, their paths, and their reproducibility.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Runs `seedsoil ARGS` in `dir`; returns (exit code, stdout, stderr).
fn seedsoil(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("seedsoil")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `seedsoil ARGS` in `dir` and asserts success.
fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = seedsoil(dir, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    out
}

/// Asserts exit 2, every one of `needles` in stderr and no panic; returns stderr.
fn refused(dir: &Path, args: &[&str], needles: &[&str]) -> String {
    let (code, _, err) = seedsoil(dir, args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected {n:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A small, quick lattice for every run here.
const SMALL: &[&str] = &["--set", "space.max_size=200", "--set", "run.dt_h=2"];

/// `seedsoil run` of `days` days into `out` with seed `seed`, `SMALL` and `extra`.
fn run(dir: &Path, out: &str, days: &str, seed: &str, extra: &[&str]) {
    let mut args = vec!["run", "-o", out, "--days", days, "--seed", seed];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    ok(dir, &args);
}

/// The rows of a snapshot CSV after its header, sorted.
fn rows(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
    lines.sort();
    lines
}

/// (csc, progenitor, differentiated, total) of the primary's rows of `timeseries.csv`,
/// by step.
fn primary_counts(run: &Path) -> Vec<(u64, [u64; 4])> {
    let text = std::fs::read_to_string(run.join("timeseries.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (step, comp) = (col("step"), col("compartment"));
    let kinds = [
        col("csc"),
        col("progenitor"),
        col("differentiated"),
        col("total"),
    ];
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[comp] == "primary")
        .map(|f| {
            (
                f[step].parse().unwrap(),
                kinds.map(|k| f[k].parse().unwrap()),
            )
        })
        .collect()
}

#[test]
fn a_cells_file_is_the_day_0_lattice() {
    let tmp = tempfile::tempdir().unwrap();
    // Kind names in any case, rho empty for a CSC and a differentiated cell, no z in 2D.
    std::fs::write(
        tmp.path().join("cells.csv"),
        "x,y,kind,rho\n100,100,CSC,\n101,100,progenitor,10\n99,100,Progenitor,1\n\
         100,101,differentiated,\n100,99,differentiated,0\n150,20,csc,\n",
    )
    .unwrap();
    run(
        tmp.path(),
        "r",
        "1",
        "1",
        &[
            "--set",
            "init.kind=file",
            "--set",
            "init.file=cells.csv",
            "--set",
            "output.snapshot_days=[0]",
        ],
    );
    let got = rows(&tmp.path().join("r/snapshots/lattice_day0.csv"));
    let mut want = vec![
        "100,100,0,csc,",
        "101,100,0,progenitor,10",
        "99,100,0,progenitor,1",
        "100,101,0,differentiated,0",
        "100,99,0,differentiated,0",
        "150,20,0,csc,",
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(primary_counts(&tmp.path().join("r"))[0], (0, [2, 2, 2, 6]));
}

#[test]
fn a_snapshot_fed_back_as_the_start_gives_its_cell_counts() {
    let tmp = tempfile::tempdir().unwrap();
    for dims in ["2", "3"] {
        let (a, b) = (format!("a{dims}"), format!("b{dims}"));
        let d = format!("space.dims={dims}");
        run(
            tmp.path(),
            &a,
            "4",
            "5",
            &["--set", &d, "--set", "output.snapshot_days=[4]"],
        );
        let snap = format!("{a}/snapshots/lattice_day4.csv");
        run(
            tmp.path(),
            &b,
            "1",
            "6",
            &[
                "--set",
                &d,
                "--set",
                "init.kind=file",
                "--set",
                &format!("init.file={snap}"),
                "--set",
                "output.snapshot_days=[0]",
            ],
        );
        let grown = primary_counts(&tmp.path().join(&a));
        let day4 = grown.iter().find(|(s, _)| *s == 48).unwrap().1;
        assert!(day4[3] > 10, "{dims}D: {day4:?}");
        assert_eq!(
            primary_counts(&tmp.path().join(&b))[0],
            (0, day4),
            "{dims}D"
        );
        assert_eq!(
            rows(&tmp.path().join(&snap)),
            rows(&tmp.path().join(format!("{b}/snapshots/lattice_day0.csv"))),
            "{dims}D"
        );
    }
}

#[test]
fn every_problem_of_a_cells_file_is_reported_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("bad.csv"),
        "x,y,z,kind,rho\n0,50,0,csc,\n50,50,0,stem,\n51,50,0,progenitor,11\n\
         52,50,0,progenitor,\n50,50,0,csc,\n53,50,1,csc,\n500,50,0,csc,\n",
    )
    .unwrap();
    let file = dir.join("bad.csv").canonicalize().unwrap();
    let f = file.display().to_string();
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        "[space]\nmax_size = 200\n[init]\nkind = \"file\"\nfile = \"bad.csv\"\n",
    )
    .unwrap();
    let err = refused(
        dir,
        &["check", "c.toml"],
        &[
            "invalid configuration (7 problems)",
            &format!(
                "init.file = {f}:2:1 x = \"0\": allowed integer 1 ≤ x ≤ 198 (sites): on the border ring"
            ),
            &format!("{f}:3:4 kind = \"stem\": allowed csc, progenitor or differentiated"),
            &format!("{f}:4:5 rho = \"11\": allowed integer 1 ≤ rho ≤ cells.rho_max = 10"),
            &format!("{f}:5:5 rho = \"\": allowed integer 1 ≤ rho ≤ cells.rho_max = 10"),
            &format!("{f}:6 site = \"50,50\": each site once: already listed on line 3"),
            &format!("{f}:7:3 z = \"1\": allowed 0 or empty: the lattice is 2D"),
            &format!(
                "{f}:8:1 x = \"500\": allowed integer 1 ≤ x ≤ 198 (sites): outside the domain"
            ),
        ],
    );
    // `seedsoil run` refuses it the same way, before any folder is made.
    refused(
        dir,
        &["run", "c.toml", "-o", "out"],
        &["invalid configuration (7 problems)"],
    );
    assert!(!dir.join("out").exists(), "{err}");

    // The other refusals, one config each.
    std::fs::write(dir.join("2d.csv"), "x,y,kind,rho\n50,50,csc,\n").unwrap();
    std::fs::write(dir.join("empty.csv"), "").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--set", "space.dims=3", "--set", "init.file=2d.csv"],
            "missing column z",
        ),
        (&["--set", "init.file=empty.csv"], "the file is empty"),
        (
            &["--set", "init.file=missing.csv"],
            "cannot read the cells file",
        ),
        (
            &["--set", "init.kind=disc"],
            "allowed only with init.kind = \"file\" or \"checkpoint\"",
        ),
    ];
    for (sets, needle) in cases {
        let mut args = vec!["check", "c.toml"];
        args.extend_from_slice(sets);
        refused(dir, &args, &["1 problem", needle]);
    }
    refused(
        dir,
        &["check", "--set", "init.kind=file"],
        &["init.kind = \"file\"", "needs init.file"],
    );
}

#[test]
fn a_relative_path_is_relative_to_its_config_file_or_to_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("cfg/cells")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::write(dir.join("cfg/cells/c.csv"), "x,y,kind,rho\n100,100,csc,\n").unwrap();
    std::fs::write(
        dir.join("cfg/start.toml"),
        "[space]\nmax_size = 200\n[init]\nkind = \"file\"\nfile = \"cells/c.csv\"\n",
    )
    .unwrap();
    let abs = dir.join("cfg/cells/c.csv").canonicalize().unwrap();
    let line = format!("file = \"{}\"", abs.display());
    // From the config's folder's parent and from elsewhere: the same file.
    let out = ok(dir, &["check", "cfg/start.toml"]);
    assert!(out.lines().any(|l| l == line), "{out}");
    let out = ok(&dir.join("elsewhere"), &["check", "../cfg/start.toml"]);
    assert!(out.lines().any(|l| l == line), "{out}");
    // With --set: relative to the working directory.
    let out = ok(
        &dir.join("cfg"),
        &["check", "start.toml", "--set", "init.file=cells/c.csv"],
    );
    assert!(out.lines().any(|l| l == line), "{out}");
    refused(
        dir,
        &["check", "cfg/start.toml", "--set", "init.file=cells/c.csv"],
        &["cannot read the cells file"],
    );
}

#[test]
fn the_resolved_config_of_a_file_start_reproduces_the_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::copy(
        repo("configs/cells/example-cells.csv"),
        dir.join("cells.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.join("start.toml"),
        "[run]\ndt_h = 2.0\ndays = 3\n[init]\nkind = \"file\"\nfile = \"cells.csv\"\n\
         [output]\nsnapshot_days = [0, 3]\n",
    )
    .unwrap();
    ok(dir, &["run", "start.toml", "-o", "first"]);
    let config = dir.join("first/config.toml");
    ok(
        &dir.join("elsewhere"),
        &["run", config.to_str().unwrap(), "-o", "../second"],
    );
    let (a, b) = (
        common::output_files(&dir.join("first")),
        common::output_files(&dir.join("second")),
    );
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs");
    }
}

#[test]
fn a_file_start_is_byte_identical_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cells = repo("configs/cells/example-cells.csv");
    let file = format!("init.file={}", cells.display());
    for (out, threads) in [("one", "1"), ("two", "2")] {
        run(
            dir,
            out,
            "5",
            "11",
            &[
                "--set",
                "init.kind=file",
                "--set",
                &file,
                "--set",
                "output.snapshot_days=[0,5]",
                "--set",
                "space.max_size=2000",
                "--threads",
                threads,
            ],
        );
    }
    let (a, b) = (
        common::output_files(&dir.join("one")),
        common::output_files(&dir.join("two")),
    );
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between 1 and 2 threads");
    }
}

#[test]
fn a_checkpoint_start_takes_the_primary_tumour_and_refuses_another_lattice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, "grown", "6", "3", &["--checkpoint-at", "4"]);
    let ck = "init.file=grown/checkpoints/day4.ckpt";
    // Another seed and other rates: a new run from day 0 on the checkpoint's cells.
    run(
        dir,
        "branch",
        "2",
        "8",
        &[
            "--set",
            "init.kind=checkpoint",
            "--set",
            ck,
            "--set",
            "cells.p_symmetric=0.1",
            "--set",
            "output.snapshot_days=[0]",
        ],
    );
    let grown = primary_counts(&dir.join("grown"));
    let day4 = grown.iter().find(|(s, _)| *s == 48).unwrap().1;
    assert!(day4[3] > 10, "{day4:?}");
    let branch = primary_counts(&dir.join("branch"));
    assert_eq!(branch[0], (0, day4));
    let config = std::fs::read_to_string(dir.join("branch/config.toml")).unwrap();
    assert!(config.contains("seed = 8"), "{config}");

    // Another lattice is refused, naming the keys.
    refused(
        dir,
        &[
            "run",
            "-o",
            "wrong",
            "--days",
            "1",
            "--set",
            "init.kind=checkpoint",
            "--set",
            ck,
            "--set",
            "space.max_size=300",
        ],
        &[
            "cannot start from checkpoint",
            "space.max_size = 200, the config's space.dims = 2, space.max_size = 300",
        ],
    );
    refused(
        dir,
        &[
            "run",
            "-o",
            "wrong3",
            "--days",
            "1",
            "--set",
            "init.kind=checkpoint",
            "--set",
            ck,
            "--set",
            "space.max_size=200",
            "--set",
            "space.dims=3",
        ],
        &["space.dims = 2", "the config's space.dims = 3"],
    );
    // A cells file is not a checkpoint.
    std::fs::write(dir.join("c.csv"), "x,y,kind,rho\n100,100,csc,\n").unwrap();
    refused(
        dir,
        &[
            "run",
            "-o",
            "wrong4",
            "--days",
            "1",
            "--set",
            "init.kind=checkpoint",
            "--set",
            "init.file=c.csv",
            "--set",
            "space.max_size=200",
        ],
        &["not a seedsoil checkpoint"],
    );
}

#[test]
fn validate_refuses_a_compare_or_sweep_file_as_its_config() {
    let tmp = tempfile::tempdir().unwrap();
    let compare = repo("configs/compare-therapies.toml");
    refused(
        tmp.path(),
        &["validate", "--config", compare.to_str().unwrap(), "--quick"],
        &["this is a compare file, not a config: use seedsoil compare"],
    );
    let sweeps = repo("configs/sweeps");
    let sweep = std::fs::read_dir(sweeps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "toml"))
        .unwrap();
    refused(
        tmp.path(),
        &["validate", "--config", sweep.to_str().unwrap(), "--quick"],
        &["this is a sweep file, not a config: use seedsoil sweep"],
    );
}

#[test]
fn a_file_start_checkpointed_resumes_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cells = repo("configs/cells/example-cells.csv");
    let file = format!("init.file={}", cells.display());
    let start = [
        "--set",
        "init.kind=file",
        "--set",
        file.as_str(),
        "--set",
        "space.max_size=2000",
    ];
    let mut whole = start.to_vec();
    whole.extend(["--checkpoint-at", "2"]);
    run(dir, "whole", "4", "12", &whole);
    ok(
        dir,
        &[
            "run",
            "--from",
            "whole/checkpoints/day2.ckpt",
            "-o",
            "resumed",
        ],
    );
    for name in ["config.toml", "timeseries.csv", "events.csv", "summary.csv"] {
        let a = std::fs::read(dir.join("whole").join(name)).unwrap();
        let b = std::fs::read(dir.join("resumed").join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }
}

#[test]
fn a_compare_file_resolves_init_file_against_its_own_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("study/cells")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::write(
        dir.join("study/cells/a.csv"),
        "x,y,kind,rho\n100,100,csc,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("study/cells/b.csv"),
        "x,y,kind,rho\n100,100,csc,\n101,100,csc,\n",
    )
    .unwrap();
    // The base names a.csv relative to itself; scenario b sets b.csv relative to the
    // compare file.
    std::fs::write(
        dir.join("study/cells/base.toml"),
        "[run]\ndays = 1\ndt_h = 2.0\n[space]\nmax_size = 200\n[init]\nkind = \"file\"\n\
         file = \"a.csv\"\n[fields]\nenabled = false\n[dissemination]\nenabled = false\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("study/cmp.toml"),
        "base = \"cells/base.toml\"\nreplicates = 1\nseed = 3\n[scenario.a]\n\
         [scenario.b]\nset = { \"init.file\" = \"cells/b.csv\" }\n",
    )
    .unwrap();
    ok(
        &dir.join("elsewhere"),
        &["compare", "../study/cmp.toml", "-o", "../out"],
    );
    let cells = dir.join("study/cells").canonicalize().unwrap();
    for name in ["a", "b"] {
        let config = std::fs::read_to_string(dir.join(format!("out/configs/{name}.toml"))).unwrap();
        let line = format!("file = \"{}\"", cells.join(format!("{name}.csv")).display());
        assert!(
            config.lines().any(|l| l == line),
            "{name}: no {line} in\n{config}"
        );
    }
    // Scenario b starts from b.csv's two CSCs.
    let b = primary_counts(&dir.join("out/runs/b/000000"));
    assert_eq!(b[0], (0, [2, 0, 0, 2]));
}
