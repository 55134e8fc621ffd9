//! The commands' handling of their arguments (issue 17): several config files merged on
//! one command line, compare and sweep files given to `run`, where an override came from,
//! configs that would be silently wrong, `compare --set/--days`, `render` of a missing
//! folder.

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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn several_config_files_merge_like_an_include() {
    let tmp = tempfile::tempdir().unwrap();
    let base = repo("configs/baseline.toml");
    let chemo = repo("configs/therapies/chemo.toml");
    // One file holding both: the base's text, then the therapy's [[therapy]] entry.
    let both = tmp.path().join("both.toml");
    let text = std::fs::read_to_string(&base).unwrap() + &std::fs::read_to_string(&chemo).unwrap();
    std::fs::write(&both, text).unwrap();
    let (code, merged, err) = seedsoil(tmp.path(), &["check", s(&base), s(&chemo)]);
    assert_eq!(code, Some(0), "{err}");
    let (code, single, err) = seedsoil(tmp.path(), &["check", s(&both)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(merged, single);
    assert!(merged.contains("kind = \"chemo\""), "{merged}");

    // The run folders' config.toml are the same bytes; the default folder name joins the
    // files' stems.
    let short = [
        "--days",
        "61",
        "--seed",
        "7",
        "-q",
        "--set",
        "space.max_size=200",
    ];
    let mut args = vec!["run", s(&base), s(&chemo)];
    args.extend(short);
    let (code, _, err) = seedsoil(tmp.path(), &args);
    assert_eq!(code, Some(0), "{err}");
    let mut args = vec!["run", s(&both), "-o", "single"];
    args.extend(short);
    let (code, _, err) = seedsoil(tmp.path(), &args);
    assert_eq!(code, Some(0), "{err}");
    let merged = std::fs::read(tmp.path().join("runs/baseline+chemo-seed7/config.toml")).unwrap();
    let single = std::fs::read(tmp.path().join("single/config.toml")).unwrap();
    assert_eq!(merged, single);

    // --from still takes no config file.
    let (code, _, err) = seedsoil(tmp.path(), &["run", s(&base), "--from", "x.ckpt"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--from"), "{err}");
}

#[test]
fn compare_and_sweep_files_given_to_run_or_check_name_their_command() {
    let tmp = tempfile::tempdir().unwrap();
    let compare = repo("configs/compare-therapies.toml");
    let sweep = repo("configs/sweeps/rho-max.toml");
    for cmd in ["run", "check"] {
        let err = refused(
            tmp.path(),
            &[cmd, s(&compare)],
            &[&format!(
                "this is a compare file, not a config: use seedsoil compare {}",
                compare.display()
            )],
        );
        assert!(!err.contains("unknown key"), "{err}");
        let err = refused(
            tmp.path(),
            &[cmd, s(&repo("configs/baseline.toml")), s(&sweep)],
            &[&format!(
                "this is a sweep file, not a config: use seedsoil sweep {}",
                sweep.display()
            )],
        );
        assert!(!err.contains("unknown key"), "{err}");
    }
    assert!(!tmp.path().join("runs").exists());
}

#[test]
fn problems_of_shorthand_flags_name_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let err = refused(
        tmp.path(),
        &["run", "--days", "-5", "-o", "out"],
        &["run.days = -5.0 (from --days)"],
    );
    assert!(!err.contains("--set"), "{err}");
    // The flag applied last names the value.
    refused(
        tmp.path(),
        &["run", "--set", "run.days=3", "--days", "-5", "-o", "out"],
        &["(from --days)"],
    );
    refused(
        tmp.path(),
        &["check", "--set", "run.days=-3"],
        &["run.days = -3 (from --set)"],
    );
    assert!(!tmp.path().join("out").exists());
}
