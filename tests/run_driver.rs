//! The library's run driver (`seedsoil::run`) and `seedsoil run` write the same run: a
//! run driven from Rust gives the command line's files byte for byte.

mod common;

use assert_cmd::Command;
use common::output_files as files;
use seedsoil::config;
use seedsoil::output::RunDir;
use seedsoil::run::{CheckpointSchedule, Driver, TABLE_FILES};
use seedsoil::sim::StopReason;

#[test]
fn a_driven_run_writes_the_files_of_seedsoil_run() {
    let tmp = tempfile::tempdir().unwrap();
    let cli = tmp.path().join("cli");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args([
            "run",
            "--set",
            "space.max_size=300",
            "--set",
            "output.snapshot_days=[2.0]",
            "--seed",
            "3",
            "--days",
            "6",
            "--threads",
            "2",
            "--checkpoint-at",
            "4",
            "--checkpoint-at",
            "2",
            "-q",
            "-o",
            cli.to_str().unwrap(),
        ])
        .assert()
        .success();

    // The command line's overrides, in its order: --set, then --seed and --days.
    let sets = [
        "space.max_size=300",
        "output.snapshot_days=[2.0]",
        "run.seed=3",
        "run.days=6.0",
    ]
    .map(String::from);
    let cfg = config::load(None, &sets).unwrap();
    let lib = tmp.path().join("lib");
    let dir = RunDir::create(&lib, false).unwrap();
    // The same threads as the command line: checkpoint bytes may depend on them (the
    // tables do not).
    let outcome = Driver::new(&cfg)
        .threads(2)
        .output(dir)
        .checkpoints(CheckpointSchedule::new(&[4.0, 2.0], &cfg, 0).unwrap())
        .run(&mut ())
        .unwrap();
    assert_eq!(outcome.reason, StopReason::Days);
    assert_eq!(
        outcome.checkpoint_files,
        ["checkpoints/day2.ckpt", "checkpoints/day4.ckpt"]
    );
    assert!(!outcome.snapshot_files.is_empty());

    let (a, b) = (files(&cli), files(&lib));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs");
    }
    for (name, table) in TABLE_FILES.iter().zip(&outcome.tables) {
        assert_eq!(std::fs::read(cli.join(name)).unwrap(), table.as_bytes());
    }
}
