//! `seedsoil sweep` and `seedsoil collect`: merged outputs byte-identical whatever the
//! thread count, however runs are split (shards, one by one with --index) and in whatever
//! order they start (sensitivity designs, longest first); resume
//! after a SIGKILL loses nothing and leaves no half-written record; invalid points
//! are refused before any run; designs (grid order, zip pairing, Latin hypercube strata, log spacing);
//! every problem of a malformed sweep file at once; a run reproduced alone from its plan
//! command.

use assert_cmd::Command;
use seedsoil::sweep::{AxisValues, Design, Points, SweepSpec};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// The R0 compare base (8 days) shortened or lengthened to `days`, written to `dir`.
fn base(dir: &Path, days: f64) -> PathBuf {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/compare/base.toml"),
    )
    .unwrap();
    let text = text.replacen("days = 8.0", &format!("days = {days:?}"), 1);
    let p = dir.join("base.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// A 2 × 2 grid × 2 replicates sweep file in `dir` over a base of `days` days.
fn grid_sweep(dir: &Path, days: f64, extra: &str) -> PathBuf {
    base(dir, days);
    let file = dir.join("grid.toml");
    std::fs::write(
        &file,
        format!(
            "base = \"base.toml\"\nseed = 11\nreplicates = 2\noutputs = \"timeseries\"\n\
             timeseries_every_h = 48\n{extra}\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.3]\n\
             [[axis]]\nparam = \"cells.migration_per_day\"\nstart = 5\nstop = 15\nsteps = 2\n"
        ),
    )
    .unwrap();
    file
}

/// Runs `seedsoil sweep FILE -o OUT ARGS…`, which must succeed; returns OUT.
fn sweep_into(file: &Path, out: &Path, args: &[&str]) -> PathBuf {
    seedsoil()
        .arg("sweep")
        .arg(file)
        .arg("-o")
        .arg(out)
        .args(args)
        .assert()
        .success();
    out.to_path_buf()
}

const TABLES: [&str; 3] = ["runs.csv", "summary.csv", "timeseries.csv"];

fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tables_of(dir, &TABLES)
}

fn status_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.path().join("status.json").is_file())
        .count()
}

#[test]
fn outputs_do_not_depend_on_threads_shards_or_index_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_sweep(tmp.path(), 8.0, "");
    let run = |name: &str, args: &[&str]| sweep_into(&file, &tmp.path().join(name), args);
    let one = run("t1", &["--threads", "1"]);
    let two = run("t2", &["--threads", "2"]);
    let reference = tables(&one);
    assert_eq!(reference, tables(&two), "--threads 1 vs 2");
    let runs = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 9, "{runs}");
    assert!(runs.starts_with(
        "run_id,point,replicate,seed,status,error,cells.p_symmetric,cells.migration_per_day\n"
    ));
    let summary = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 9);
    assert!(summary.starts_with(
        "run_id,point,replicate,seed,cells.p_symmetric,cells.migration_per_day,stop_reason,"
    ));
    // Sampled every 48 h over 8 days: steps 0, 48, ..., 192 (5 rows) per run.
    let ts = std::fs::read_to_string(one.join("timeseries.csv")).unwrap();
    assert_eq!(ts.lines().count(), 1 + 8 * 5, "{ts}");

    // Two shards, then collect.
    let sharded = tmp.path().join("shards");
    run("shards", &["--shard", "0/2", "--threads", "2"]);
    assert!(!sharded.join("runs.csv").exists(), "a shard does not merge");
    run("shards", &["--shard", "1/2"]);
    seedsoil().arg("collect").arg(&sharded).assert().success();
    assert_eq!(reference, tables(&sharded), "shards + collect");

    // Every run alone with --index (from another working directory), then collect.
    let indexed = tmp.path().join("indexed");
    let elsewhere = tempfile::tempdir().unwrap();
    for i in 0..8 {
        seedsoil()
            .current_dir(elsewhere.path())
            .arg("sweep")
            .arg(&file)
            .arg("-o")
            .arg(&indexed)
            .args(["--index", &i.to_string()])
            .assert()
            .success();
    }
    seedsoil().arg("collect").arg(&indexed).assert().success();
    assert_eq!(reference, tables(&indexed), "--index runs + collect");
}

#[test]
fn resume_after_sigkill_completes_identically() {
    let tmp = tempfile::tempdir().unwrap();
    // 50-day runs take a few tenths of a second each: slow enough to kill mid-sweep.
    let file = grid_sweep(tmp.path(), 50.0, "");
    let full = tmp.path().join("full");
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&full)
        .args(["--threads", "2", "-q"])
        .assert()
        .success();

    let dir = tmp.path().join("killed");
    let bin = assert_cmd::cargo::cargo_bin("seedsoil");
    let mut child = std::process::Command::new(bin)
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--threads", "1", "-q"])
        .spawn()
        .unwrap();
    let started = Instant::now();
    while status_files(&dir) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no records appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done = status_files(&dir);
    assert!((2..8).contains(&done), "{done} records when killed");
    assert!(!dir.join("runs.csv").exists(), "killed before the merge");
    // Every record folder under its final name is complete; anything else is temporary.
    for entry in std::fs::read_dir(dir.join("runs")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            assert!(name.contains(".tmp-"), "{name}");
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status.json")).unwrap();
        let status: serde_json::Value = serde_json::from_str(&status).unwrap();
        assert_eq!(status["status"], "completed");
        assert!(entry.path().join("summary.csv").is_file());
        assert!(entry.path().join("timeseries.csv").is_file());
    }
    // Refused without --resume or --force.
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(2);
    let out = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .args(["--resume", "--threads", "2"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(&format!("{} already recorded", done)),
        "{stdout}"
    );
    assert_eq!(tables(&full), tables(&dir), "resumed vs uninterrupted");
}

/// Axis values out of range are refused before anything runs (exit 2, no folder), every
/// problem at once, each naming the axis, the value, a point holding it and the problem;
/// `--plan` checks the same.
#[test]
fn invalid_points_are_refused_before_any_run() {
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 4.0);
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\nseed = 3\nreplicates = 2\n\
         [[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 2.0]\n\
         [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, -4]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    for plan in [false, true] {
        let mut cmd = seedsoil();
        cmd.arg("sweep").arg(&file).arg("-o").arg(&out);
        if plan {
            cmd.arg("--plan");
        }
        let assert = cmd.assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert_eq!(
            stderr,
            "error: invalid configuration (2 problems):\n  \
             axis[0] cells.p_symmetric = 2.0 (point 2): allowed 0 ≤ value ≤ 1 (per CSC division)\n  \
             axis[1] cells.rho_max = -4 (point 1): allowed integer 0 ≤ value ≤ 20 (divisions)\n"
        );
        assert!(!out.exists(), "nothing is written");
    }
}

fn spec(text: &str) -> SweepSpec {
    SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap()
}

/// Every point of `spec` with sweep seed `seed`.
fn all_points(spec: &SweepSpec, seed: u64) -> Vec<Vec<toml::Value>> {
    Points::new(spec, seed).iter().collect()
}

fn floats(point: &[toml::Value]) -> Vec<f64> {
    point
        .iter()
        .map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap())
        .collect()
}

#[test]
fn designs_grid_zip_lhs_and_log_spacing() {
    // Grid: first axis slowest.
    let g = spec(
        "[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n\
         [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 4, 5]\n",
    );
    assert_eq!(g.design, Design::Grid);
    assert_eq!(g.replicates, 1);
    let points: Vec<Vec<f64>> = all_points(&g, 0).iter().map(|p| floats(p)).collect();
    assert_eq!(g.point_count(), 6);
    assert_eq!(
        points,
        [
            [0.1, 3.0],
            [0.1, 4.0],
            [0.1, 5.0],
            [0.2, 3.0],
            [0.2, 4.0],
            [0.2, 5.0]
        ]
    );

    // Zip: element-wise.
    let z = spec(
        "design = \"zip\"\n[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n\
         [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 4]\n",
    );
    let points: Vec<Vec<f64>> = all_points(&z, 0).iter().map(|p| floats(p)).collect();
    assert_eq!(points, [[0.1, 3.0], [0.2, 4.0]]);
    let err = SweepSpec::from_text(
        "design = \"zip\"\n[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n\
         [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 4, 5]\n",
        Path::new("s.toml"),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("cells.p_symmetric (2 values), cells.rho_max (3 values)"),
        "{err}"
    );
    assert!(err.contains("same number of values"), "{err}");

    // Log spacing: geometric, ends exact; integer keys rounded.
    let l = spec(
        "[[axis]]\nparam = \"cells.migration_per_day\"\nstart = 1\nstop = 100\nsteps = 3\nlog = true\n\
         [[axis]]\nparam = \"cells.rho_max\"\nstart = 2\nstop = 5\nsteps = 3\n",
    );
    let AxisValues::List(v) = &l.axes[0].values else {
        panic!()
    };
    let v = floats(v);
    assert_eq!(v[0], 1.0);
    assert!((v[1] - 10.0).abs() < 1e-9, "{v:?}");
    assert_eq!(v[2], 100.0);
    let AxisValues::List(r) = &l.axes[1].values else {
        panic!()
    };
    assert_eq!(r, &[2.into(), 4.into(), 5.into()], "3.5 rounds to 4");

    // Latin hypercube: one sample per stratum per axis, inside the range, reproducible
    // for a seed, different for another.
    let lhs = spec(
        "design = \"lhs\"\nsamples = 16\n\
         [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n\
         [[axis]]\nparam = \"cells.migration_per_day\"\nrange = [1, 100]\nlog = true\n\
         [[axis]]\nparam = \"cells.rho_max\"\nrange = [1, 40]\n",
    );
    let a = all_points(&lhs, 5);
    assert_eq!(a.len(), 16);
    assert_eq!(a, all_points(&lhs, 5));
    assert_ne!(a, all_points(&lhs, 6));
    let n = 16.0;
    for (axis, (lo, hi, log)) in [(0.05, 0.3, false), (1.0, 100.0, true)]
        .into_iter()
        .enumerate()
    {
        let mut strata: Vec<usize> = a
            .iter()
            .map(|p| {
                let x = p[axis].as_float().unwrap();
                assert!((lo..=hi).contains(&x), "{x}");
                let u: f64 = if log {
                    (x.ln() - f64::ln(lo)) / (f64::ln(hi) - f64::ln(lo))
                } else {
                    (x - lo) / (hi - lo)
                };
                ((u * n).floor() as usize).min(15)
            })
            .collect();
        strata.sort();
        assert_eq!(strata, (0..16).collect::<Vec<_>>(), "axis {axis}");
    }
    for p in &a {
        let r = p[2].as_integer().expect("integer key rounded");
        assert!((1..=40).contains(&r));
    }
}

#[test]
fn malformed_sweep_files_list_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 4.0);
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\ndesign = \"spiral\"\nreplicate = 3\nsamples = 4\n\
         [[axis]]\nparam = \"cells.p_symetric\"\nvalues = [0.1]\n\
         [[axis]]\nparam = \"cells.rho_max\"\n\
         [[axis]]\nvalues = [1]\nstart = 1\n",
    )
    .unwrap();
    let assert = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for needle in [
        "design = \"spiral\": allowed one of \"grid\", \"zip\", \"lhs\"",
        "replicate = 3: unknown key",
        "axis[0].param = \"cells.p_symetric\": unknown config key",
        "axis[1] = param = \"cells.rho_max\": no values",
        "axis[2].param = (missing)",
        "axis[2] = param = \"\": give exactly one of values, start/stop/steps, range",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
    assert!(!tmp.path().join("out").exists(), "nothing written");

    // Not TOML; zip mismatch; lhs without range.
    std::fs::write(&file, "axis = [\n").unwrap();
    seedsoil().arg("sweep").arg(&file).assert().code(2);
    std::fs::write(
        &file,
        "design = \"lhs\"\n[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1]\n",
    )
    .unwrap();
    let assert = seedsoil().arg("sweep").arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("samples = (missing)"), "{stderr}");
    assert!(stderr.contains("every axis needs range"), "{stderr}");

    // Bad --index and --shard.
    let good = grid_sweep(tmp.path(), 4.0, "");
    let out = tmp.path().join("good");
    for args in [["--index", "8"], ["--shard", "2/2"], ["--shard", "x"]] {
        seedsoil()
            .arg("sweep")
            .arg(&good)
            .arg("-o")
            .arg(&out)
            .args(args)
            .assert()
            .code(2);
    }
}

#[test]
fn a_run_reproduced_alone_from_its_plan_command_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_sweep(tmp.path(), 8.0, "");
    let out = tmp.path().join("out");
    let plan = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .arg("--plan")
        .assert()
        .success();
    assert_eq!(String::from_utf8_lossy(&plan.get_output().stdout), "8\n");
    assert!(!out.join("runs").exists(), "--plan runs nothing");
    let plan = std::fs::read_to_string(out.join("plan.csv")).unwrap();
    let row = plan.lines().nth(6).unwrap(); // run 5
    assert!(row.starts_with("5,2,1,"), "{row}");
    let command = row.rsplit(',').next().unwrap();
    let words: Vec<&str> = command.split(' ').collect();
    assert_eq!(&words[..2], ["seedsoil", "run"]);
    let alone = tmp.path().join("alone");
    seedsoil()
        .args(&words[1..])
        .arg("-o")
        .arg(&alone)
        .arg("-q")
        .assert()
        .success();
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .args(["--index", "5"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(alone.join("summary.csv")).unwrap(),
        std::fs::read_to_string(out.join("runs/000005/summary.csv")).unwrap()
    );
    // collect of a partial folder: written, exit 1, missing runs listed.
    let assert = seedsoil().arg("collect").arg(&out).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("7 runs missing (not yet run): run ids 0 1 2 3 4 6 7"),
        "{stderr}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2);
}

/// The calibration sweeps behind the default values (docs/model.md §8.6) run as their
/// files say, one replicate per point here: every point completes and lands in the merged
/// summary with the columns the fitting notes read.
#[test]
fn calibration_sweeps_run_as_documented() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (file, points) in [
        ("configs/sweeps/calibrate-hierarchy.toml", 6),
        ("configs/sweeps/calibrate-metastasis.toml", 6),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("sweep");
        seedsoil()
            .args(["sweep", file, "--replicates", "1", "-q", "-o"])
            .arg(&out)
            .current_dir(&root)
            .assert()
            .success();
        let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let header = rows.headers().unwrap().clone();
        for column in [
            "total",
            "csc_fraction",
            "metastatic_cells",
            "detected_metastases",
        ] {
            assert!(header.iter().any(|h| h == column), "{file}: no {column}");
        }
        assert_eq!(rows.records().count(), points, "{file}");
    }
}

/// `seedsoil ARGS` run through `sh` after the shell commands `limits` (e.g. `ulimit -f 1`):
/// limits a plain `Command` cannot set, which hold for root too.
#[cfg(target_os = "linux")]
fn limited(limits: &str, args: &[&std::ffi::OsStr]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{limits} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("seedsoil"))
        .args(args);
    cmd
}

/// The temporary record folders (`.NNNNNN.tmp-…`) of a sweep folder.
fn temp_folders(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    names.sort();
    names
}

/// A record that cannot be written (here: a file size limit, as a full disk would) fails
/// the sweep with "cannot write" and leaves no temporary folder behind. The limit holds
/// for root too (unlike a read-only folder); SIGXFSZ is ignored so that the write fails
/// instead of killing the process.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_record_write_leaves_no_temporary_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_sweep(tmp.path(), 4.0, "");
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("--plan")
        .assert()
        .success();
    // 512 bytes: less than a summary.csv.
    let assert = limited(
        "trap '' XFSZ; ulimit -f 1",
        &[
            "sweep".as_ref(),
            file.as_os_str(),
            "-o".as_ref(),
            dir.as_os_str(),
            "--resume".as_ref(),
            "-q".as_ref(),
        ],
    )
    .assert()
    .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(temp_folders(&dir), Vec::<String>::new(), "{stderr}");
    assert_eq!(status_files(&dir), 0);
}

/// Backdates `path`'s modification time by `secs` seconds.
fn backdate(path: &Path, secs: u64) {
    let when = std::time::SystemTime::now() - Duration::from_secs(secs);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// A process id that is not running: a child that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    pid
}

/// Stale temporary record folders (their process is gone, and they are older than the
/// grace period) are removed by `collect` and `sweep --resume`; one of a live process
/// (this test's) and a fresh one stay.
#[cfg(target_os = "linux")]
#[test]
fn stale_temporary_folders_are_removed_by_resume_and_collect() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_sweep(tmp.path(), 4.0, "");
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let dead = dead_pid();
    let make = |name: &str, age_s: u64| {
        let p = dir.join("runs").join(name);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("summary.csv"), "half").unwrap();
        if age_s > 0 {
            backdate(&p, age_s);
        }
    };
    let stale = [
        format!(".000001.tmp-{dead}-0"),
        format!(".000002.tmp-{dead}-7"),
    ];
    let live = format!(".000003.tmp-{}-0", std::process::id());
    let fresh = format!(".000004.tmp-{dead}-1");
    for name in &stale {
        make(name, 86_400);
    }
    make(&live, 86_400);
    make(&fresh, 0);
    let mut kept = vec![live.clone(), fresh.clone()];
    kept.sort();

    let out = seedsoil().arg("collect").arg(&dir).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("removed 2 stale temporary record folders"),
        "{stdout}"
    );
    assert_eq!(temp_folders(&dir), kept);

    for name in &stale {
        make(name, 86_400);
    }
    let out = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("--resume")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("removed 2 stale temporary record folders"),
        "{stdout}"
    );
    assert_eq!(temp_folders(&dir), kept);
}

/// A record whose tables are damaged (truncated, unreadable) is not counted as completed:
/// collect lists it as invalid with the reason and exits 1, its rows are left out (the
/// merged header unchanged), and `--resume` runs it again.
#[test]
fn damaged_records_are_invalid_and_rerun_by_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid_sweep(tmp.path(), 8.0, "");
    let dir = tmp.path().join("out");
    seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let reference = tables(&dir);
    let record = |i: u64, name: &str| dir.join(format!("runs/{i:06}/{name}"));
    // Run 3: summary.csv cut in the middle of its row.
    let summary = std::fs::read(record(3, "summary.csv")).unwrap();
    std::fs::write(record(3, "summary.csv"), &summary[..summary.len() * 3 / 4]).unwrap();
    // Run 5: the last line of timeseries.csv lost.
    let ts = std::fs::read_to_string(record(5, "timeseries.csv")).unwrap();
    let cut = ts.trim_end().rfind('\n').unwrap() + 1;
    std::fs::write(record(5, "timeseries.csv"), &ts[..cut]).unwrap();
    // Run 6: summary.csv unreadable (a folder).
    std::fs::remove_file(record(6, "summary.csv")).unwrap();
    std::fs::create_dir(record(6, "summary.csv")).unwrap();

    let assert = seedsoil().arg("collect").arg(&dir).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("3 runs have an invalid record"), "{stderr}");
    assert!(stderr.contains("run ids 3 5 6"), "{stderr}");
    assert!(stderr.contains("000003/summary.csv"), "{stderr}");
    assert!(stderr.contains("000005/timeseries.csv"), "{stderr}");
    assert!(
        stderr.contains("run 6: cannot read runs/000006/summary.csv: "),
        "{stderr}"
    );
    assert!(!stderr.contains("cannot write"), "{stderr}");
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let status: Vec<&str> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    assert_eq!(
        status,
        [
            "completed",
            "completed",
            "completed",
            "invalid",
            "completed",
            "invalid",
            "invalid",
            "completed"
        ],
        "{runs}"
    );
    let merged = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let want = String::from_utf8(reference[1].1.clone()).unwrap();
    assert_eq!(merged.lines().next(), want.lines().next(), "same header");
    assert_eq!(merged.lines().count(), 1 + 5);

    let out = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("--resume")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("3 run now, 5 already recorded"), "{stdout}");
    assert_eq!(tables(&dir), reference, "resumed vs original");
}

/// `--plan` streams: a million-run plan is written under a 400 MB address-space limit
/// (holding the points and the file in memory took far more), one line per run.
#[cfg(target_os = "linux")]
#[test]
fn plan_of_a_million_runs_streams() {
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 4.0);
    let file = tmp.path().join("big.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\nseed = 1\n\
         [[axis]]\nparam = \"cells.p_symmetric\"\nstart = 0.01\nstop = 0.3\nsteps = 1000\n\
         [[axis]]\nparam = \"cells.migration_per_day\"\nstart = 1\nstop = 20\nsteps = 1000\n",
    )
    .unwrap();
    let dir = tmp.path().join("out");
    let assert = limited(
        "ulimit -v 400000",
        &[
            "sweep".as_ref(),
            file.as_os_str(),
            "-o".as_ref(),
            dir.as_os_str(),
            "--plan".as_ref(),
        ],
    )
    .assert()
    .success();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout),
        "1000000\n"
    );
    let plan = std::fs::File::open(dir.join("plan.csv")).unwrap();
    let mut lines = 0u64;
    let mut last = String::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(plan)) {
        last = line.unwrap();
        lines += 1;
    }
    assert_eq!(lines, 1_000_001);
    assert!(last.starts_with("999999,999999,0,"), "{last}");
    assert!(last.contains(",0.3,20.0,seedsoil run "), "{last}");
}

/// A sweep of more than the cap of runs is refused before anything is planned (exit 2),
/// naming the axes, the replicates and the count.
#[test]
fn a_sweep_over_the_run_cap_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 4.0);
    let file = tmp.path().join("huge.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\nseed = 1\nreplicates = 3\n\
         [[axis]]\nparam = \"cells.p_symmetric\"\nstart = 0.01\nstop = 0.5\nsteps = 5000\n\
         [[axis]]\nparam = \"cells.migration_per_day\"\nstart = 1\nstop = 20\nsteps = 1000\n",
    )
    .unwrap();
    let dir = tmp.path().join("out");
    let assert = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&dir)
        .arg("--plan")
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("cells.p_symmetric (5000 values) × cells.migration_per_day (1000 values) × 3 replicates = 15000000 runs"),
        "{stderr}"
    );
    assert!(stderr.contains("at most 10000000 runs"), "{stderr}");
    assert!(!dir.exists(), "nothing written");
}

#[test]
fn sensitivity_designs_give_the_same_tables_however_their_runs_are_split_or_ordered() {
    // A Sobol' and a Morris design whose runs differ in length (run.days is an axis, so
    // they start longest first, the last one on every worker's thread), with a `set`
    // constant: one worker, two workers and three shards collected give the same bytes,
    // and so does the analysis.
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 8.0);
    for (name, design) in [
        ("sobol", "design = \"sobol\"\nsamples = 4\n"),
        ("morris", "design = \"morris\"\ntrajectories = 3\n"),
    ] {
        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(
            &file,
            format!(
                "base = \"base.toml\"\nseed = 5\n{design}\
                 set = {{ \"cells.migration_per_day\" = 4.0 }}\n\
                 [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n\
                 [[axis]]\nparam = \"run.days\"\nrange = [2, 8]\n"
            ),
        )
        .unwrap();
        let run = |out: &str, args: &[&str]| {
            sweep_into(&file, &tmp.path().join(format!("{name}-{out}")), args)
        };
        let one = run("t1", &["--threads", "1"]);
        let two = run("t2", &["--threads", "2"]);
        let reference = tables_of(&one, &["runs.csv", "summary.csv"]);
        assert_eq!(reference, tables_of(&two, &["runs.csv", "summary.csv"]));
        for k in 0..3 {
            run("shards", &["--shard", &format!("{k}/3")]);
        }
        let sharded = tmp.path().join(format!("{name}-shards"));
        seedsoil().arg("collect").arg(&sharded).assert().success();
        assert_eq!(reference, tables_of(&sharded, &["runs.csv", "summary.csv"]));
        // The set constant reached every run; run.days varied.
        let base = std::fs::read_to_string(one.join("base.toml")).unwrap();
        assert!(base.contains("migration_per_day = 4.0"), "{base}");
        for dir in [&one, &sharded] {
            seedsoil()
                .args(["sensitivity", "--output", "total", "-q"])
                .arg(dir)
                .assert()
                .success();
        }
        assert_eq!(
            std::fs::read(one.join("sensitivity.csv")).unwrap(),
            std::fs::read(sharded.join("sensitivity.csv")).unwrap()
        );
    }
}

fn tables_of(dir: &Path, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|t| (t.to_string(), std::fs::read(dir.join(t)).unwrap()))
        .collect()
}
