//! `seedsoil validate` end to end: its tables and run folders, byte-identical for any
//! thread count; exit codes 0 (all pass), 1 (a check fails), 2 (bad input, with the
//! problem named); `--config` runs the baseline checks on the user's config.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// Every file under `dir` but the manifest, as (relative path, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                if rel != "manifest.json" {
                    out.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn outputs_are_identical_for_one_and_two_threads_and_a_passing_check_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        seedsoil()
            .args([
                "validate",
                "--only",
                "li2008.enrichment",
                "--seeds",
                "2",
                "-q",
            ])
            .args(["--threads", threads, "-o"])
            .arg(tmp.path().join(threads))
            .assert()
            .code(0);
    }
    let (a, b) = (files(&tmp.path().join("1")), files(&tmp.path().join("2")));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs between 1 and 2 threads", x.0);
    }
    let names: Vec<&str> = a.iter().map(|f| f.0.as_str()).collect();
    for f in ["validation.csv", "values.csv", "checks.csv", "runs.csv"] {
        assert!(names.contains(&f), "{f} missing: {names:?}");
    }
    // Two arms × 2 seeds, each a run folder with its config and tables.
    let runs = names.iter().filter(|n| n.ends_with("summary.csv")).count();
    assert_eq!(runs, 4, "{names:?}");
    let organs = names.iter().filter(|n| n.ends_with("/organs.csv")).count();
    assert_eq!(organs, 4, "{names:?}");
    let v = read(&tmp.path().join("1/validation.csv"));
    let header = v.lines().next().unwrap();
    assert!(header.starts_with("check,source,block,statistic,estimate,ci_low,ci_high,target"));
    assert!(v.contains("li2008.enrichment"));
    let manifest = read(&tmp.path().join("1/manifest.json"));
    assert!(manifest.contains("\"checks_passed\": 1"));
}

#[test]
fn a_failing_check_exits_1_and_says_which() {
    let tmp = tempfile::tempdir().unwrap();
    seedsoil()
        .args([
            "validate",
            "--only",
            "gupta2011.regain",
            "--seeds",
            "2",
            "-o",
        ])
        .arg(tmp.path().join("v"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL  gupta2011.regain"))
        .stderr(predicate::str::contains("1 of 1 checks failed"));
    let v = read(&tmp.path().join("v/validation.csv"));
    assert!(v.lines().nth(1).unwrap().contains(",false,false,"));
}

#[test]
fn unknown_checks_are_named_with_a_suggestion_and_exit_2() {
    seedsoil()
        .args([
            "validate",
            "--only",
            "kaplan2005.niche_frst",
            "--only",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--only kaplan2005.niche_frst: did you mean kaplan2005.niche_first?",
        ))
        .stderr(predicate::str::contains("--only nope"));
}

#[test]
fn an_existing_folder_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    seedsoil()
        .args(["validate", "--only", "li2008.enrichment", "-o"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn a_user_config_replaces_the_baseline_and_r0_checks_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[cells]\np_symmetric = 3\n").unwrap();
    seedsoil()
        .args(["validate", "--config"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cells.p_symmetric = 3"));

    // A config with more symmetric divisions: the Li scenario on it has more CSCs.
    let mine = tmp.path().join("mine.toml");
    std::fs::write(&mine, "[cells]\np_symmetric = 0.2\n").unwrap();
    seedsoil()
        .args(["validate", "--only", "morton2011", "--config"])
        .arg(&mine)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no check selected"));
    seedsoil()
        .args([
            "validate",
            "--only",
            "li2008.enrichment",
            "--seeds",
            "2",
            "-q",
        ])
        .arg("--config")
        .arg(&mine)
        .arg("-o")
        .arg(tmp.path().join("v"))
        .assert()
        .code(predicate::in_iter([0, 1]));
    let seed_dir = std::fs::read_dir(tmp.path().join("v/runs/li2008-control"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let config = read(&seed_dir.join("config.toml"));
    assert!(config.contains("p_symmetric = 0.2"), "{config}");
    assert!(read(&tmp.path().join("v/manifest.json")).contains("mine.toml"));
}

#[test]
fn list_names_every_check() {
    seedsoil()
        .args(["validate", "--list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("kaplan2005.anti_vegfr1"))
        .stdout(predicate::str::contains("luzzi1998.cascade"));
}
