//! The command line, end to end (assert_cmd): outputs, determinism of the files across
//! thread counts, re-running the resolved config, refusal to overwrite, exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// A small but real run: R0 rules on a 2D lattice, with snapshots.
const SMALL: &[&str] = &[
    "--set",
    "run.days=40",
    "--set",
    "cells.p_symmetric=0.3",
    "--set",
    "cells.migration_per_day=15",
    "--set",
    "cells.background_death_per_day=0.01",
    "--set",
    "output.snapshot_days=[10, 40]",
    "--set",
    "output.snapshot_vtk=true",
    "--seed",
    "7",
];

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "snapshots"] {
        let d = dir.join(sub);
        let mut names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if name != "manifest.json" {
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn assert_same(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) {
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b));
    for ((name, x), (_, y)) in a.iter().zip(b) {
        assert!(x == y, "{name} differs");
    }
}

#[test]
fn run_writes_every_output_and_is_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for threads in ["1", "2", "4"] {
        let dir = tmp.path().join(format!("t{threads}"));
        seedsoil()
            .arg("run")
            .args(SMALL)
            .args(["--threads", threads, "-o"])
            .arg(&dir)
            .assert()
            .success()
            .stdout(predicate::str::contains("cancer stem cells"));
        let f = files(&dir);
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "config.toml",
            "events.csv",
            "summary.csv",
            "timeseries.csv",
            "snapshots/lattice_day10.csv",
            "snapshots/lattice_day10.png",
            "snapshots/lattice_day40.csv",
            "snapshots/lattice_day40.png",
            "snapshots/snapshot_day40.vti",
            "snapshots/fields_day40.vti",
            "snapshots/snapshots.pvd",
        ] {
            assert!(names.contains(&want), "missing {want} in {names:?}");
        }
        assert!(dir.join("manifest.json").is_file());
        results.push(f);
    }
    for other in &results[1..] {
        assert_same(&results[0], other);
    }
    // The run is not trivial: cells grew and the timeseries has a row per day.
    let ts = String::from_utf8(
        results[0]
            .iter()
            .find(|(n, _)| n == "timeseries.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    // One row per day and compartment: primary, circulation and the four default organs.
    assert_eq!(ts.lines().count(), 1 + 41 * 6);
    assert_eq!(ts.lines().filter(|l| l.contains(",primary,")).count(), 41);
    let summary = String::from_utf8(
        results[0]
            .iter()
            .find(|(n, _)| n == "summary.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let row: Vec<&str> = summary.lines().nth(1).unwrap().split(',').collect();
    let total: u64 = row[7].parse().unwrap();
    assert!(total > 100, "tumour grew: {summary}");
}

#[test]
fn different_seeds_give_different_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in ["1", "2"] {
        seedsoil()
            .args(["run", "--days", "20", "--seed", seed, "-q", "-o"])
            .arg(tmp.path().join(seed))
            .assert()
            .success();
    }
    assert_ne!(
        std::fs::read(tmp.path().join("1/timeseries.csv")).unwrap(),
        std::fs::read(tmp.path().join("2/timeseries.csv")).unwrap()
    );
}

#[test]
fn rerunning_the_resolved_config_reproduces_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    seedsoil()
        .arg("run")
        .args(SMALL)
        .arg("-o")
        .arg(&a)
        .assert()
        .success();
    // No flags at all: everything comes from the written config.toml.
    seedsoil()
        .arg("run")
        .arg(a.join("config.toml"))
        .arg("-o")
        .arg(&b)
        .assert()
        .success();
    assert_same(&files(&a), &files(&b));
}

#[test]
fn unset_seed_is_drawn_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("noseed.toml");
    std::fs::write(&cfg, "[run]\ndays = 3\n").unwrap();
    let out = tmp.path().join("o");
    seedsoil()
        .arg("run")
        .arg(&cfg)
        .arg("-q")
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let resolved = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(resolved.contains("seed = "), "{resolved}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"seed\""));
}

#[test]
fn cells_per_agent_is_reported_in_the_manifest_and_the_summary() {
    // The console says what one agent stands for only when it is not 1 (the default
    // summary is unchanged); the manifest always records it.
    let tmp = tempfile::tempdir().unwrap();
    for (kappa, shown) in [("1", false), ("250", true)] {
        let out = tmp.path().join(format!("k{kappa}"));
        let assert = seedsoil()
            .arg("run")
            .args(["--set", "run.days=2", "--set"])
            .arg(format!("run.cells_per_agent={kappa}"))
            .args(["--seed", "3", "-o"])
            .arg(&out)
            .assert()
            .success();
        let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
        assert_eq!(
            stdout.contains(&format!(
                "one primary agent stands for {kappa} cells (run.cells_per_agent)"
            )),
            shown,
            "{stdout}"
        );
        assert_eq!(stdout.contains("scale:"), shown, "{stdout}");
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(
            manifest["cells_per_agent"].as_f64(),
            Some(kappa.parse().unwrap())
        );
        let resolved = std::fs::read_to_string(out.join("config.toml")).unwrap();
        assert!(
            resolved.contains(&format!("cells_per_agent = {kappa}.0")),
            "{resolved}"
        );
    }
}

#[test]
fn existing_output_folder_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    seedsoil()
        .args(["run", "--days", "2", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let before = std::fs::read(out.join("timeseries.csv")).unwrap();
    seedsoil()
        .args(["run", "--days", "3", "-q", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already exists").and(predicate::str::contains("--force")),
        );
    assert_eq!(
        std::fs::read(out.join("timeseries.csv")).unwrap(),
        before,
        "untouched"
    );
    seedsoil()
        .args(["run", "--days", "3", "-q", "--force", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(std::fs::read(out.join("timeseries.csv")).unwrap(), before);
    // No temporary files are left behind.
    for e in std::fs::read_dir(&out).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "{name}");
    }
}

#[test]
fn default_output_folders_are_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        seedsoil()
            .current_dir(tmp.path())
            .args(["run", "--days", "1", "-q"])
            .assert()
            .success();
    }
    let runs: Vec<_> = std::fs::read_dir(tmp.path().join("runs"))
        .unwrap()
        .collect();
    assert_eq!(runs.len(), 2);
}

#[test]
fn metastasis_scenario_records_the_cascade_in_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("met");
    seedsoil()
        .arg("run")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/configs/metastasis.toml"
        ))
        .args([
            "--days",
            "25",
            "--set",
            "dissemination.detect_cells=200",
            // No avascular limit, so that colonies reach detection within 25 days.
            "--set",
            "dissemination.avascular_cells=0",
            "--set",
            "dissemination.p_non_stem_clone=1",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("dissemination: "))
        .stdout(predicate::str::contains("niche formed"));
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let col = |row: &[&str], name: &str| -> String {
        row[header.iter().position(|h| *h == name).unwrap()].to_string()
    };
    let last_rows: Vec<Vec<&str>> = ts
        .lines()
        .filter(|l| l.starts_with("600,"))
        .map(|l| l.split(',').collect())
        .collect();
    let compartments: Vec<String> = last_rows.iter().map(|r| col(r, "compartment")).collect();
    assert_eq!(
        compartments,
        ["primary", "circulation", "bone", "brain", "liver", "lung"]
    );
    for r in &last_rows {
        assert_eq!(r.len(), header.len());
    }
    let lung = &last_rows[5];
    assert!(col(lung, "entered").parse::<u64>().unwrap() > 0, "{lung:?}");
    assert!(col(lung, "total").parse::<u64>().unwrap() > 0, "{lung:?}");
    assert!(
        col(lung, "niche_level").parse::<f64>().unwrap() > 0.5,
        "{lung:?}"
    );
    assert!(col(&last_rows[0], "tdsf").parse::<f64>().unwrap() > 0.0);
    assert!(col(&last_rows[1], "entered").parse::<u64>().unwrap() > 0);
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    for kind in [
        ",intravasation,primary,",
        ",ctc_death,circulation,",
        ",arrest,lung,",
        ",extravasation,",
        ",extravasation_failed,",
        ",colonisation,",
        ",dormancy_entry,",
        ",niche_formed,lung,",
        ",micrometastasis,",
        ",colony_detected,",
        ",colony_extinct,",
    ] {
        assert!(events.contains(kind), "no {kind} in events.csv");
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = summary.lines();
    let (h, r) = (lines.next().unwrap(), lines.next().unwrap());
    let h: Vec<&str> = h.split(',').collect();
    let r: Vec<&str> = r.split(',').collect();
    assert_eq!(h.len(), r.len());
    let get = |name: &str| r[h.iter().position(|x| *x == name).unwrap()];
    assert!(get("first_detection_day").parse::<f64>().unwrap() > 0.0);
    assert_eq!(get("any_metastasis_detected"), "true");
    assert!(get("metastatic_cells_lung").parse::<u64>().unwrap() > 0);
    assert!(get("niche_day_lung").parse::<f64>().unwrap() > 0.0);
    let f: f64 = get("fraction_extravasated").parse().unwrap();
    assert!(f > 0.6 && f < 0.95, "{f}");
}

#[test]
fn liu_scenario_records_mscs_in_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("liu");
    seedsoil()
        .arg("run")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/configs/liu2011-msc.toml"
        ))
        .args(["--days", "10", "--set", "output.snapshot_days=[10]", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("MSCs: "));
    // The last timeseries row: MSCs in the tumour, pool shrunk by homing.
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let last: Vec<&str> = ts.lines().last().unwrap().split(',').collect();
    let col = |name: &str| -> f64 {
        last[header.iter().position(|h| *h == name).unwrap()]
            .parse()
            .unwrap()
    };
    let homed = col("msc_homed");
    assert!(homed > 0.0 && col("msc_pool") == 1000.0 - homed, "{last:?}");
    assert!(col("msc_aldh_pos") + col("msc_aldh_neg") > 0.0);
    assert!(col("cxcl7_tumour_mean_ng_ml") > 0.0 && col("il6_output_molecules_per_s") > 0.0);
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.contains("0,0,msc_injected,bone_marrow,msc,,1000"),
        "{events}"
    );
    assert!(events.contains(",msc_first_homed,primary,msc,,"));
    let mscs = std::fs::read_to_string(out.join("snapshots/mscs_day10.csv")).unwrap();
    assert!(mscs.starts_with("x,y,z,aldh_pos,divisions_left\n"));
    assert!(mscs.lines().count() > 1);
}

#[test]
fn stop_at_cells_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r0");
    seedsoil()
        .arg("run")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/configs/reference-r0.toml"
        ))
        .args(["--stop-at-cells", "2000", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = summary.lines().nth(1).unwrap().split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("stop_reason"), "stop_at_cells");
    let total: u64 = col("total").parse().unwrap();
    assert!((2000..2200).contains(&total), "{total}");
    assert!(!col("step_reached_1000").is_empty());
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains("size_reached"));
    assert!(
        events
            .trim_end()
            .ends_with("stop,primary,,,stop_at_cells,reason")
    );
}

#[test]
fn invalid_config_reports_every_problem_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(
        &cfg,
        "[cells]\np_symmetric = 1.5\nrho_max = 99\nmigraton_per_day = 3\n",
    )
    .unwrap();
    for cmd in ["check", "run"] {
        seedsoil().arg(cmd).arg(&cfg).assert().code(2).stderr(
            predicate::str::contains("cells.p_symmetric = 1.5")
                .and(predicate::str::contains("cells.rho_max = 99"))
                .and(predicate::str::contains(
                    "did you mean cells.migration_per_day",
                )),
        );
    }
    seedsoil()
        .args(["run", "--set", "cells.nope=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cells.nope"));
    seedsoil()
        .args(["run", "--days", "-5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run.days"));
    seedsoil()
        .arg("run")
        .arg(tmp.path().join("missing.toml"))
        .assert()
        .code(2);
    seedsoil().arg("frobnicate").assert().code(2);
}

#[test]
fn check_prints_the_resolved_config() {
    seedsoil()
        .args(["check", "--set", "cells.p_symmetric=0.2"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("p_symmetric = 0.2").and(predicate::str::contains("[space]")),
        );
}

#[test]
fn params_lists_every_key_with_unit_range_and_source() {
    let out = seedsoil()
        .args(["params", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for p in seedsoil::config::catalogue() {
        assert!(text.contains(p.key), "params lacks {}", p.key);
    }
    assert!(text.lines().next().unwrap().contains("unit"));
    let md = seedsoil()
        .arg("params")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(md)
            .unwrap()
            .contains("| `cells.p_symmetric` |")
    );
}

/// `--force` takes a folder over whatever an earlier run left in its files' places (here a
/// plain file where the snapshots folder goes). A run that fails midway leaves a record
/// and exit code 1: `tests/run_folder.rs` fills the disk to see it.
#[test]
fn force_replaces_whatever_holds_the_run_files_places() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("snapshots"), b"in the way").unwrap();
    seedsoil()
        .args([
            "run",
            "--days",
            "3",
            "-q",
            "--force",
            "--set",
            "output.snapshot_days=[1]",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"status\": \"completed\""), "{manifest}");
    assert!(out.join("snapshots/lattice_day1.csv").is_file());
}

/// `params --format json`: an array of objects with the csv format's facts, one per row.
#[test]
fn params_json_has_the_csv_rows_and_columns() {
    let stdout = |format: &str| {
        let out = seedsoil()
            .args(["params", "--format", format])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let csv_text = stdout("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let json: serde_json::Value = serde_json::from_str(&stdout("json")).unwrap();
    let entries = json.as_array().expect("a JSON array");
    assert_eq!(entries.len(), rows.len());
    for (entry, row) in entries.iter().zip(&rows) {
        let object = entry.as_object().expect("an object per key");
        let keys: Vec<&String> = object.keys().collect();
        let mut want: Vec<&String> = header.iter().collect();
        want.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, want);
        for (column, cell) in header.iter().zip(row.iter()) {
            assert_eq!(object[column.as_str()].as_str(), Some(cell), "{column}");
        }
    }
    let p = entries
        .iter()
        .find(|e| e["key"] == "cells.p_symmetric")
        .expect("cells.p_symmetric listed");
    let info = seedsoil::config::lookup("cells.p_symmetric").unwrap();
    assert_eq!(p["default"].as_str(), Some(info.default));
}

/// `completions SHELL`: a script for each shell naming the subcommands and their flags.
#[test]
fn completions_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let out = seedsoil()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.is_empty(), "{shell}");
        for word in [
            "run",
            "sweep",
            "compare",
            "collect",
            "params",
            "checkpoint-at",
        ] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    seedsoil()
        .args(["completions", "tcsh-like"])
        .assert()
        .code(2);
}
