//! A fit candidate's statistics are those of the same run made by `seedsoil run`: the
//! fitted keys set as `--set` sets them, the candidate's seed, and the primary's values of
//! `timeseries.csv` on the observed days.

use assert_cmd::cargo::cargo_bin;
use seedsoil::fit::Candidate;
use seedsoil::fit::evaluate::summaries;
use seedsoil::fit::spec::FitSpec;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_candidates_statistics_are_those_of_seedsoil_run() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let base = repo.join("configs/reference-r0.toml");
    std::fs::write(
        tmp.path().join("data.csv"),
        "day,total,csc_fraction\n3,50,0.2\n6,400,\n6,500,\n",
    )
    .unwrap();
    let file = tmp.path().join("fit.toml");
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nseed = 1\nobserved = \"data.csv\"\npopulation = 10\n\
             [[param]]\nkey = \"cells.p_symmetric\"\nprior = \"uniform\"\nrange = [0.05, 0.5]\n\
             [[param]]\nkey = \"cells.migration_per_day\"\nprior = \"log-uniform\"\nrange = [1, 20]\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let spec = FitSpec::load(&file).unwrap();
    let candidate = Candidate {
        generation: 0,
        index: 0,
        theta: vec![0.25, 7.5],
        seed: 42,
    };
    let got = summaries(&spec, &candidate).expect("the run reaches day 6");
    let out = tmp.path().join("run");
    let status = Command::new(cargo_bin("seedsoil"))
        .arg("run")
        .arg(&base)
        .args([
            "--set",
            "cells.p_symmetric=0.25",
            "--set",
            "cells.migration_per_day=7.5",
            "--set",
            "output.timeseries_every_h=24",
            "--days",
            "6",
            "--seed",
            "42",
            "-q",
            "-o",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut reader = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let primary: Vec<csv::StringRecord> = reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[col("compartment")] == "primary")
        .collect();
    let at = |hour: &str, name: &str| -> f64 {
        let row = primary.iter().find(|r| &r[col("time_h")] == hour).unwrap();
        row[col(name)].parse().unwrap()
    };
    // Statistics in observed order: total on days 3 and 6, then csc_fraction on day 3.
    assert_eq!(
        got,
        [
            at("72", "total"),
            at("144", "total"),
            at("72", "csc_fraction")
        ]
    );
    assert!(got[1] > got[0], "the tumour grew: {got:?}");
}
