//! `seedsoil sweep` and `seedsoil collect`: merged outputs byte-identical whatever the
//! thread count and however runs are split (shards, one by one with --index); resume
//! after a SIGKILL loses nothing and leaves no half-written record; an invalid point
//! fails alone; designs (grid order, zip pairing, Latin hypercube strata, log spacing);
//! every problem of a malformed sweep file at once; a run reproduced alone from its plan
//! command.

use assert_cmd::Command;
use seedsoil::sweep::{AxisValues, Design, SweepSpec};
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

const TABLES: [&str; 3] = ["runs.csv", "summary.csv", "timeseries.csv"];

fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    TABLES
        .iter()
        .map(|t| (t.to_string(), std::fs::read(dir.join(t)).unwrap()))
        .collect()
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
    let run = |name: &str, args: &[&str]| {
        let out = tmp.path().join(name);
        seedsoil()
            .arg("sweep")
            .arg(&file)
            .arg("-o")
            .arg(&out)
            .args(args)
            .assert()
            .success();
        out
    };
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

#[test]
fn an_invalid_point_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    base(tmp.path(), 4.0);
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\nseed = 3\nreplicates = 2\n\
         [[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 2.0]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let assert = seedsoil()
        .arg("sweep")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("2 runs failed"), "{stderr}");
    assert!(stderr.contains("run ids 2 3"), "{stderr}");
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    assert_eq!(lines.len(), 5, "{runs}");
    assert!(lines[1].contains(",completed,,0.1"), "{runs}");
    for line in &lines[3..] {
        assert!(line.contains(",failed,"), "{line}");
        assert!(line.contains("cells.p_symmetric = 2.0"), "{line}");
        assert!(line.ends_with(",2.0"), "{line}");
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3, "{summary}");
    // collect says the same.
    let assert = seedsoil().arg("collect").arg(&out).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("run ids 2 3"), "{stderr}");
}

fn spec(text: &str) -> SweepSpec {
    SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap()
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
    let points: Vec<Vec<f64>> = g.points(0).iter().map(|p| floats(p)).collect();
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
    let points: Vec<Vec<f64>> = z.points(0).iter().map(|p| floats(p)).collect();
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
    let a = lhs.points(5);
    assert_eq!(a.len(), 16);
    assert_eq!(a, lhs.points(5));
    assert_ne!(a, lhs.points(6));
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
