//! Limits on user-named inputs and the messages about them: TOML files above the cap
//! are refused naming the file and the cap, a config with very many problems lists the
//! first ones and counts the rest (quickly), huge values are shown short, and checkpoint
//! errors say what is wrong once.

use std::time::Duration;

use assert_cmd::Command;

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// Runs `seedsoil ARGS` (60 s at most) and returns its exit code and stderr.
fn fails(args: &[&str]) -> (Option<i32>, String) {
    let out = seedsoil()
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_toml_file_above_the_cap_is_refused_naming_it_and_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    // A sparse file: 65 MiB of nothing, without writing them.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let big = big.to_str().unwrap();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    for args in [
        vec!["check", big],
        vec!["sweep", big, "-o", out],
        vec!["compare", big, "-o", out],
    ] {
        let (code, err) = fails(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains(big) && err.contains("larger than 64 MiB"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn many_problems_are_counted_after_the_first_fifty() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("many.toml");
    let text: String = (0..120).map(|i| format!("zz{i:03} = {i}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let (code, err) = fails(&["check", path.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "error: invalid configuration (120 problems):");
    assert_eq!(lines.len(), 52, "{err}");
    assert!(lines[1].starts_with("  zz000 = 0: unknown key"), "{err}");
    assert_eq!(lines[51], "  … and 70 more problems");
}

/// A million unknown keys: the message is short and it takes seconds (the suggestion
/// search and the ordering used to cost minutes).
#[test]
fn a_million_unknown_keys_are_checked_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("million.toml");
    let text: String = (0..1_000_000).map(|i| format!("k{i} = 1\n")).collect();
    std::fs::write(&path, text).unwrap();
    let (code, err) = fails(&["check", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.starts_with("error: invalid configuration (1,000,000 problems):"),
        "{}",
        &err[..err.len().min(300)]
    );
    assert!(
        err.ends_with("  … and 999,950 more problems\n"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    assert!(err.lines().count() == 52);
}

#[test]
fn huge_values_are_shown_short() {
    let (code, err) = fails(&["check", "--set", "run.days=1e308"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("run.days = 1e308 (from --set): allowed"),
        "{err}"
    );
    let (_, err) = fails(&["check", "--set", "output.snapshot_days=[1e300, 2.0]"]);
    assert!(err.contains("[1e300, 2.0]"), "{err}");
}

#[test]
fn a_problem_list_on_one_line_has_no_stray_separator() {
    let text = "invalid configuration (2 problems):\n  a = 1: x\n  b = 2: y";
    assert_eq!(
        seedsoil::batch::one_line(text),
        "invalid configuration (2 problems): a = 1: x; b = 2: y"
    );
}

#[test]
fn a_truncated_checkpoint_says_so_once() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    seedsoil()
        .args(["run", "--set", "run.days=2", "--set", "space.max_size=200"])
        .args(["--checkpoint-at", "1", "-q", "-o"])
        .arg(&run)
        .assert()
        .success();
    let bytes = std::fs::read(run.join("checkpoints/day1.ckpt")).unwrap();
    let cut = tmp.path().join("cut.ckpt");
    std::fs::write(&cut, &bytes[..30]).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = fails(&[
        "run",
        "--from",
        cut.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert_eq!(err.matches("data ends early").count(), 1, "{err}");
    assert_eq!(err.matches("truncated or corrupt").count(), 1, "{err}");
}
