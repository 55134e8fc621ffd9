//! `seedsoil validate` across processes: every simulation's record is written as it
//! ends, so a validation planned with `--plan`, run as job-array tasks (`--index`,
//! `--shard`) and evaluated with `--resume` gives the tables of a validation run in one
//! process; and `--resume` on a finished folder runs nothing and gives them again.

mod common;

use common::{refused_in, seedsoil_in};
use std::path::Path;

/// The verdict tables.
const TABLES: [&str; 4] = ["validation.csv", "values.csv", "checks.csv", "runs.csv"];

/// A cheap selection: the Liu 2011 checks with 3 seeds per arm.
const OPTIONS: [&str; 4] = ["--only", "liu2011", "--seeds", "3"];

fn validate(dir: &Path, out: &str, more: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["validate", "-o", out];
    args.extend(OPTIONS);
    args.extend(more);
    let (code, stdout, err) = seedsoil_in(dir, &args);
    assert!(matches!(code, Some(0 | 1)), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    (code, stdout)
}

fn same_tables(a: &Path, b: &Path) {
    for name in TABLES {
        let read = |d: &Path| std::fs::read(d.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(read(a) == read(b), "{name} differs");
    }
}

#[test]
fn a_validation_run_as_a_job_array_gives_the_tables_of_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (local_code, _) = validate(dir, "local", &["-q"]);

    let (_, planned) = validate(dir, "array", &["--plan", "-q"]);
    let n: usize = planned.trim().parse().unwrap();
    assert!(n >= 6, "{planned}");
    let plan = std::fs::read_to_string(dir.join("array/plan.csv")).unwrap();
    assert_eq!(plan.lines().count(), n + 1);
    assert!(
        plan.starts_with("row,scenario,block,replicate,seed\n"),
        "{plan}"
    );
    validate(dir, "array", &["--index", "0", "-q"]);
    for k in 0..3 {
        validate(dir, "array", &["--shard", &format!("{k}/3"), "-q"]);
    }
    assert!(
        !dir.join("array/validation.csv").exists(),
        "tasks give no verdicts"
    );
    let (array_code, _) = validate(dir, "array", &["--resume", "-q"]);
    assert_eq!(array_code, local_code);
    same_tables(&dir.join("local"), &dir.join("array"));

    // Resuming a finished validation runs nothing and writes the same tables.
    let (_, out) = validate(dir, "local", &["--resume"]);
    assert!(!out.contains("panicked"));
    same_tables(&dir.join("local"), &dir.join("array"));
}

#[test]
fn array_steps_refuse_another_validation_and_a_missing_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut args = vec!["validate", "-o", "none", "--index", "0"];
    args.extend(OPTIONS);
    refused_in(dir, &args, &["--plan", "first"]);
    validate(dir, "out", &["--plan", "-q"]);
    let other = [
        "validate", "-o", "out", "--only", "liu2011", "--seeds", "4", "--shard", "0/2",
    ];
    refused_in(dir, &other, &["other options", "--force"]);
    let mut args = vec!["validate", "-o", "out", "--index", "999"];
    args.extend(OPTIONS);
    refused_in(dir, &args, &["--index", "999"]);
    // --resume reuses only a validation's folder.
    std::fs::create_dir(dir.join("busy")).unwrap();
    std::fs::write(dir.join("busy/notes.txt"), "mine").unwrap();
    let mut args = vec!["validate", "-o", "busy", "--resume"];
    args.extend(OPTIONS);
    refused_in(dir, &args, &["--resume", "no validate.toml"]);
}
