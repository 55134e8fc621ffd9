//! The commands' handling of their arguments (issue 17): several config files merged on
//! one command line, compare and sweep files given to `run`, where an override came from,
//! configs that would be silently wrong, `compare --set/--days`, `render` of a missing
//! folder.

mod common;

use common::{refused_in as refused, repo, seedsoil_in as seedsoil};
use std::path::Path;

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

#[test]
fn a_therapy_after_the_end_and_a_misspelt_organ_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let chemo = repo("configs/therapies/chemo.toml");
    refused(
        tmp.path(),
        &["check", s(&chemo), "--set", "run.days=30"],
        &["therapy[0].start_day = 60: allowed at most run.days = 30 (a therapy"],
    );
    let err = refused(
        tmp.path(),
        &["run", s(&chemo), "--days", "30", "-o", "out"],
        &["therapy[0].start_day = 60: allowed at most run.days = 30"],
    );
    assert!(err.contains("(1 problem)"), "{err}");
    assert!(!tmp.path().join("out").exists());
    refused(
        tmp.path(),
        &["check", "--set", "organs.lungs.tropism=2"],
        &[
            "organs.lungs = {…} (from --set): unknown organ without an arrival_weight",
            "did you mean organs.lung?",
        ],
    );
    // A new organ with a weight, or a name far from the default organs, is a new organ.
    for set in [
        "organs.lungs.arrival_weight=0.1",
        "organs.adrenal.tropism=2",
    ] {
        let (code, out, err) = seedsoil(tmp.path(), &["check", "--set", set]);
        assert_eq!(code, Some(0), "{set}: {err}");
        assert!(out.contains("[organs."), "{out}");
    }
}

#[test]
fn compare_takes_set_and_days_for_every_scenario_and_resume_checks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let file = repo("tests/data/compare/small.toml");
    let args = [
        "compare",
        s(&file),
        "-o",
        "out",
        "--replicates",
        "1",
        "-q",
        "--set",
        "cells.migration_per_day=5",
        "--days",
        "3",
    ];
    let (code, _, err) = seedsoil(tmp.path(), &args);
    assert_eq!(code, Some(0), "{err}");
    for scenario in ["control", "fast", "twin"] {
        let text = std::fs::read_to_string(tmp.path().join(format!("out/configs/{scenario}.toml")))
            .unwrap();
        assert!(text.contains("days = 3.0"), "{scenario}: {text}");
        assert!(
            text.contains("migration_per_day = 5.0"),
            "{scenario}: {text}"
        );
    }
    let resolved = std::fs::read_to_string(tmp.path().join("out/compare.toml")).unwrap();
    assert!(resolved.contains("cells.migration_per_day=5"), "{resolved}");
    // The same comparison resumes; another --set or --days is another comparison.
    let mut again = args.to_vec();
    again.push("--resume");
    let (code, _, err) = seedsoil(tmp.path(), &again);
    assert_eq!(code, Some(0), "{err}");
    let mut other = again.clone();
    other[8] = "cells.migration_per_day=6";
    refused(tmp.path(), &other, &["--resume", "different comparison"]);
    let mut other = again.clone();
    other[10] = "4";
    refused(tmp.path(), &other, &["--resume", "different comparison"]);
    // Overrides are checked like run's: the flag and the scenario are named.
    refused(
        tmp.path(),
        &["compare", s(&file), "-o", "bad", "--days", "-5"],
        &["run.days = -5.0 (from --days)", "(in scenario control)"],
    );
    refused(
        tmp.path(),
        &[
            "compare",
            s(&file),
            "-o",
            "bad",
            "--set",
            "cells.p_symetric=0.1",
        ],
        &["cells.p_symetric", "did you mean cells.p_symmetric?"],
    );
    refused(
        tmp.path(),
        &["compare", s(&file), "-o", "bad", "--set", "cells"],
        &["expected key=value"],
    );
    assert!(!tmp.path().join("bad").exists());
}

#[test]
fn one_key_of_a_therapy_entry_can_be_set() {
    let tmp = tempfile::tempdir().unwrap();
    let chemo = repo("configs/therapies/chemo.toml");
    let (code, out, err) = seedsoil(
        tmp.path(),
        &["check", s(&chemo), "--set", "therapy[0].start_day=3"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("start_day = 3.0"), "{out}");
    refused(
        tmp.path(),
        &["check", s(&chemo), "--set", "therapy[1].start_day=3"],
        &["therapy[1].start_day = 3 (from --set): cannot set it: there are 1 [[therapy]] entries"],
    );
    refused(
        tmp.path(),
        &["check", s(&chemo), "--set", "therapy[0].dose_gy=3"],
        &["therapy[0].dose_gy"],
    );
    // In a compare scenario's set.
    let base = repo("configs/baseline.toml");
    std::fs::write(
        tmp.path().join("c.toml"),
        format!(
            "base = {:?}\nreplicates = 1\n[scenario.early]\ninclude = [{:?}]\nset = {{ \"therapy[0].start_day\" = 3, \"run.days\" = 4 }}\n",
            s(&base),
            s(&chemo)
        ),
    )
    .unwrap();
    let (code, _, err) = seedsoil(
        tmp.path(),
        &[
            "compare",
            "c.toml",
            "-o",
            "out",
            "-q",
            "--set",
            "space.max_size=200",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(tmp.path().join("out/configs/early.toml")).unwrap();
    assert!(text.contains("start_day = 3.0"), "{text}");
}

#[test]
fn render_of_a_missing_folder_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let err = refused(
        tmp.path(),
        &["render", "runs/nope"],
        &["run folder runs/nope does not exist"],
    );
    assert!(!err.contains("no lattice snapshots"), "{err}");
    std::fs::write(tmp.path().join("file"), "x").unwrap();
    refused(
        tmp.path(),
        &["render", "file"],
        &["run folder file is not a folder"],
    );
    assert!(!tmp.path().join("runs").exists());
}
