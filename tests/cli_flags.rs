//! Every command-line flag that takes a value refuses out-of-range and malformed values
//! with exit 2 and a message naming the flag, the value and what is allowed; paths that
//! are not folders, not UTF-8 or dangling are handled without a panic.

mod common;

use common::{refused_in, seedsoil_in};
use std::path::Path;

/// Runs `seedsoil ARGS` in `dir`; returns (exit code, stderr).
fn seedsoil(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let (code, _, err) = seedsoil_in(dir, args);
    (code, err)
}

/// Asserts exit 2 and that stderr holds every one of `needles`; no run folder is made.
fn refused(args: &[&str], needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    refused_in(tmp.path(), args, needles);
    assert!(
        !tmp.path().join("out").exists(),
        "{args:?}: a refused command made its folder"
    );
}

fn repo(rel: &str) -> String {
    common::repo(rel).display().to_string()
}

#[test]
fn threads_out_of_range_malformed_or_negative_is_refused() {
    for cmd in [vec!["run", "--days", "1"], vec!["validate", "--quick"]] {
        for (value, says) in [
            ("2000", "2000 is not in 0..=1024"),
            ("abc", "invalid digit"),
            // Not mistaken for a flag (clap would suggest `-- -1`, which would make it
            // the config argument).
            ("-1", "-1 is not in 0..=1024"),
        ] {
            let mut args = cmd.clone();
            args.extend(["--threads", value, "-o", "out"]);
            refused(&args, &["--threads", says]);
        }
    }
    let sweep = repo("tests/data/sweep/plots-small.toml");
    let compare = repo("tests/data/compare/small.toml");
    for file in [&sweep, &compare] {
        let cmd = if file == &sweep { "sweep" } else { "compare" };
        refused(
            &[cmd, file, "--threads", "-1", "-o", "out"],
            &["--threads", "-1 is not in 0..=1024"],
        );
    }
}

#[test]
fn seeds_above_what_toml_holds_are_refused_at_the_flag() {
    let max = i64::MAX.to_string();
    let above = (i64::MAX as u64 + 1).to_string();
    refused(
        &["run", "--days", "1", "--seed", &above, "-o", "out"],
        &["--seed", &above, &format!("0..={max}")],
    );
    refused(
        &[
            "run",
            "--days",
            "1",
            "--seed",
            "18446744073709551616",
            "-o",
            "out",
        ],
        &["--seed", "18446744073709551616"],
    );
    refused(
        &["run", "--days", "1", "--seed", "-3", "-o", "out"],
        &["invalid value '-3' for '--seed <SEED>'"],
    );
    refused(
        &["validate", "--quick", "--seed", &above, "-o", "out"],
        &["--seed", &above],
    );
}

#[test]
fn stop_at_cells_above_the_counters_is_refused() {
    refused(
        &[
            "run",
            "--days",
            "1",
            "--stop-at-cells",
            "4294967296",
            "-o",
            "out",
        ],
        &["run.stop_at_cells = 4294967296", "4294967295"],
    );
}

#[test]
fn days_that_are_not_a_positive_finite_number_are_refused() {
    for (value, shown) in [
        ("nan", "run.days = nan"),
        ("NaN", "run.days = nan"),
        ("inf", "run.days = inf"),
        ("-inf", "run.days = -inf"),
        ("0", "run.days = 0"),
        ("-2", "run.days = -2"),
        ("1e308", "run.days = 1e308"),
    ] {
        refused(
            &["run", "--days", value, "-o", "out"],
            &[shown, "0 < value ≤ 100000 (days)"],
        );
    }
    refused(&["run", "--days", "two", "-o", "out"], &["--days", "two"]);
}

#[test]
fn replicates_and_shards_out_of_range_are_refused() {
    let sweep = repo("tests/data/sweep/plots-small.toml");
    let compare = repo("tests/data/compare/small.toml");
    for (cmd, file) in [("sweep", &sweep), ("compare", &compare)] {
        refused(
            &[cmd, file, "--replicates", "0", "-o", "out"],
            &["--replicates = 0", "1 ≤ value ≤ 1000000"],
        );
        refused(
            &[cmd, file, "--replicates", "-1", "-o", "out"],
            &["--replicates", "-1 is not in"],
        );
    }
    for shard in ["0/0", "3/2", "1", "a/b", "-1/2"] {
        refused(
            &["sweep", &sweep, "--shard", shard, "-o", "out"],
            &["--shard", shard, "K/N"],
        );
    }
}

#[test]
fn render_scale_zero_and_collect_of_a_non_sweep_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = seedsoil(tmp.path(), &["render", ".", "--scale", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("0 is not in 1..=64"), "{err}");
    let (code, err) = seedsoil(tmp.path(), &["collect", "."]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a sweep folder"), "{err}");
}

#[test]
fn an_output_path_that_is_a_file_or_a_dangling_link_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("afile"), "mine").unwrap();
    std::os::unix::fs::symlink("nowhere", tmp.path().join("dangling")).unwrap();
    for (name, what) in [
        ("afile", "is not a folder"),
        ("dangling", "is a symbolic link to nothing"),
    ] {
        for force in [false, true] {
            let mut args = vec!["run", "--days", "1", "-q", "-o", name];
            if force {
                args.push("--force");
            }
            let (code, err) = seedsoil(tmp.path(), &args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.contains(&format!("output path {name} {what}")), "{err}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("afile")).unwrap(),
        "mine"
    );
}

#[test]
fn resuming_from_a_missing_checkpoint_is_refused() {
    refused(
        &["run", "--from", "missing.ckpt", "-o", "out"],
        &["cannot read checkpoint missing.ckpt"],
    );
}

#[test]
fn a_checkpoint_on_day_minus_zero_is_day0() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = seedsoil(
        tmp.path(),
        &[
            "run",
            "--days",
            "0.5",
            "-q",
            "--checkpoint-at",
            "-0",
            "-o",
            "out",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(tmp.path().join("out/checkpoints/day0.ckpt").is_file());
    assert!(!tmp.path().join("out/checkpoints/day-0.ckpt").exists());
}

/// File names that are not UTF-8 are valid on Linux: the config, the run folder and the
/// command line recorded in the manifest all work with them.
#[test]
fn paths_that_are_not_utf8_work() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join(OsStr::from_bytes(b"conf\xff.toml"));
    std::fs::write(&config, "[run]\ndays = 1\nseed = 3\n").unwrap();
    let out = tmp.path().join(OsStr::from_bytes(b"run\xfe"));
    let status = common::seedsoil()
        .arg("run")
        .arg(&config)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"status\": \"completed\""), "{manifest}");
    assert!(manifest.contains("run\u{fffd}"), "{manifest}");
    assert!(out.join("summary.csv").is_file());
}

/// Output piped into a command that stops reading early (`| head -1`) ends the program
/// quietly, as for any command-line tool, not with a panic about a broken pipe.
#[test]
fn a_closed_pipe_stops_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("seedsoil");
    for cmd in ["validate --list", "params --format csv"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "for i in 1 2 3 4 5 6 7 8; do {} {cmd}; done | head -c 1 >/dev/null",
                bin.display()
            ))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        assert!(!err.contains("Broken pipe"), "{cmd}: {err}");
    }
}
