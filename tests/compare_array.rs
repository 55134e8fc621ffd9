//! `seedsoil compare` as a job array: `--plan` sets the folder up and lists the runs,
//! tasks run rows with `--index I` or `--shard K/N` into their records, and `--resume`
//! merges them into tables byte-identical to a comparison run in one process, with
//! `branch_at_day` (every task grows its replicates' tumours to the branch day itself)
//! and without.

mod common;

use common::{refused_in, repo, seedsoil_in};
use std::path::Path;

/// The tables of a comparison folder that must not depend on how it was run: the merged
/// tables and the resolved comparison.
fn tables() -> impl Iterator<Item = &'static str> {
    seedsoil::compare::folder::FILES
        .into_iter()
        .chain([seedsoil::compare::folder::RESOLVED])
}

/// A comparison of 2 scenarios × 3 replicates of the small R0-like base, 12 days, branched
/// at day 4 or not.
fn compare_file(dir: &Path, branch: bool) -> String {
    let data = |name: &str| repo("tests/data/compare").join(name).display().to_string();
    let name = if branch {
        "branched.toml"
    } else {
        "plain.toml"
    };
    std::fs::write(
        dir.join(name),
        format!(
            "base = {:?}\nreplicates = 3\nseed = 11\n{}\
             [scenario.control]\nset = {{ \"run.days\" = 12.0 }}\n\
             [scenario.fast]\ninclude = [{:?}]\nset = {{ \"run.days\" = 12.0 }}\n",
            data("base.toml"),
            if branch { "branch_at_day = 4\n" } else { "" },
            data("faster.toml"),
        ),
    )
    .unwrap();
    name.to_string()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = seedsoil_in(dir, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    out
}

fn assert_same_tables(a: &Path, b: &Path, what: &str) {
    for name in tables() {
        let read = |d: &Path| {
            std::fs::read(d.join(name)).unwrap_or_else(|e| panic!("{what}: {name}: {e}"))
        };
        assert!(read(a) == read(b), "{what}: {name} differs");
    }
}

fn array_equals_local(branch: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = compare_file(dir, branch);
    ok(dir, &["compare", &file, "-o", "local", "-q"]);

    // Shards, then one task run again (its runs are recorded: nothing to do).
    let planned = ok(dir, &["compare", &file, "-o", "sharded", "--plan", "-q"]);
    assert_eq!(planned.trim(), "6");
    let plan = std::fs::read_to_string(dir.join("sharded/plan.csv")).unwrap();
    assert_eq!(plan.lines().count(), 7, "{plan}");
    assert!(
        plan.starts_with("row,scenario,replicate,seed\n0,control,0,"),
        "{plan}"
    );
    for k in 0..2 {
        ok(
            dir,
            &[
                "compare",
                &file,
                "-o",
                "sharded",
                "--shard",
                &format!("{k}/2"),
                "-q",
            ],
        );
    }
    let again = ok(dir, &["compare", &file, "-o", "sharded", "--shard", "1/2"]);
    assert!(again.contains("ran 0 of"), "{again}");
    let manifest = std::fs::read_to_string(dir.join("sharded/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"running\""),
        "not merged yet: {manifest}"
    );
    ok(dir, &["compare", &file, "-o", "sharded", "--resume", "-q"]);
    assert_same_tables(&dir.join("local"), &dir.join("sharded"), "shards vs local");

    // One task per run.
    ok(dir, &["compare", &file, "-o", "indexed", "--plan", "-q"]);
    for i in 0..6 {
        ok(
            dir,
            &[
                "compare",
                &file,
                "-o",
                "indexed",
                "--index",
                &i.to_string(),
                "-q",
            ],
        );
    }
    ok(dir, &["compare", &file, "-o", "indexed", "--resume", "-q"]);
    assert_same_tables(
        &dir.join("local"),
        &dir.join("indexed"),
        "index tasks vs local",
    );
}

#[test]
fn a_comparison_run_as_a_job_array_gives_the_tables_of_one_process() {
    array_equals_local(false);
}

#[test]
fn a_branched_comparison_run_as_a_job_array_gives_the_tables_of_one_process() {
    array_equals_local(true);
}

#[test]
fn array_steps_refuse_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = compare_file(dir, false);
    refused_in(
        dir,
        &["compare", &file, "-o", "none", "--index", "0"],
        &["--plan", "first"],
    );
    ok(dir, &["compare", &file, "-o", "out", "--plan", "-q"]);
    refused_in(
        dir,
        &["compare", &file, "-o", "out", "--index", "6"],
        &["--index", "6", "0 ≤ value < 6"],
    );
    refused_in(
        dir,
        &["compare", &file, "-o", "out", "--shard", "3/3"],
        &["--shard", "K/N"],
    );
    // Another comparison in the same folder.
    refused_in(
        dir,
        &[
            "compare",
            &file,
            "-o",
            "out",
            "--index",
            "0",
            "--replicates",
            "2",
        ],
        &["a different comparison"],
    );
    refused_in(
        dir,
        &[
            "compare",
            &file,
            "-o",
            "out",
            "--plan",
            "--set",
            "cells.rho_max=5",
        ],
        &["a different comparison", "--force"],
    );
    ok(
        dir,
        &[
            "compare",
            &file,
            "-o",
            "out",
            "--plan",
            "--force",
            "--set",
            "cells.rho_max=5",
            "-q",
        ],
    );
    // A folder that holds something else.
    std::fs::create_dir(dir.join("busy")).unwrap();
    std::fs::write(dir.join("busy/notes.txt"), "mine").unwrap();
    refused_in(
        dir,
        &["compare", &file, "-o", "busy", "--plan"],
        &["not empty"],
    );
}
