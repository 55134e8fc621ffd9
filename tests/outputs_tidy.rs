//! The tidy outputs of issue 17: `organs.csv` holds the summary's per-organ values, one
//! row per organ, in run, comparison and sweep folders; a run's summary has no column
//! its model cannot fill (R0: no metastasis, relapse or unreachable milestone columns),
//! in a run folder and in a sweep's merged table; every event written carries the
//! documented unit of its value.

use assert_cmd::Command;
use seedsoil::config::{self, TherapyConfig, TherapyKind};
use seedsoil::output::events;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Header and rows of a CSV file.
fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The columns of `path` empty in every row.
fn empty_columns(path: &Path) -> Vec<String> {
    let (header, rows) = read(path);
    assert!(!rows.is_empty(), "{path:?} has no rows");
    header
        .iter()
        .enumerate()
        .filter(|(i, _)| rows.iter().all(|r| r[*i].is_empty()))
        .map(|(_, c)| c.clone())
        .collect()
}

#[test]
fn organs_csv_rows_are_the_summary_s_per_organ_values() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("meta");
    seedsoil()
        .args(["run", "--quiet", "--days", "12", "--seed", "5", "-o"])
        .arg(&out)
        .arg(repo("configs/metastasis.toml"))
        .assert()
        .success();
    let (sh, srows) = read(&out.join("summary.csv"));
    let summary: HashMap<&str, &str> = sh
        .iter()
        .map(String::as_str)
        .zip(srows[0].iter().map(String::as_str))
        .collect();
    let (oh, orows) = read(&out.join("organs.csv"));
    assert_eq!(
        oh,
        [
            "organ",
            "metastatic_cells",
            "colonies",
            "detected",
            "dormant",
            "hpcs",
            "niche_day",
            "first_arrival_day"
        ]
    );
    let organs: Vec<&str> = orows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(organs, ["bone", "brain", "liver", "lung"]);
    for row in &orows {
        for (column, cell) in oh.iter().zip(row).skip(1) {
            let key = format!("{column}_{}", row[0]);
            assert_eq!(Some(&cell.as_str()), summary.get(key.as_str()), "{key}");
        }
    }
    // A real run: cells arrived somewhere, so the comparison is not of empty cells only.
    assert!(orows.iter().any(|r| !r[7].is_empty()), "{orows:?}");
    let total: u64 = orows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total.to_string(), summary["metastatic_cells"]);
}

#[test]
fn an_r0_run_has_no_empty_column_and_no_organs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r0");
    seedsoil()
        .args([
            "run",
            "--quiet",
            "--seed",
            "3",
            "--set",
            "run.stop_at_cells=20000",
        ])
        .arg(repo("configs/reference-r0.toml"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        empty_columns(&out.join("summary.csv")),
        Vec::<String>::new()
    );
    let (header, _) = read(&out.join("summary.csv"));
    assert!(
        !header
            .iter()
            .any(|c| c == "metastatic_cells" || c == "relapse_day")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("organs.csv")).unwrap(),
        "organ,metastatic_cells,colonies,detected,dormant,hpcs,niche_day,first_arrival_day\n"
    );
}

/// A sweep file in `dir` over the shipped config `base` with `from` replaced by `to`,
/// and one axis.
fn sweep_file(dir: &Path, base: &str, (from, to): (&str, &str), axis: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo(base)).unwrap();
    assert!(text.contains(from), "{base}: {from}");
    std::fs::write(dir.join("base.toml"), text.replacen(from, to, 1)).unwrap();
    let file = dir.join("sweep.toml");
    std::fs::write(
        &file,
        format!("base = \"base.toml\"\nseed = 5\nreplicates = 2\n[[axis]]\n{axis}\n"),
    )
    .unwrap();
    file
}

#[test]
fn an_r0_sweep_summary_has_no_column_empty_in_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "configs/reference-r0.toml",
        ("stop_at_cells = 500000", "stop_at_cells = 20000"),
        "param = \"cells.p_symmetric\"\nvalues = [0.2, 0.3]",
    );
    let out = tmp.path().join("out");
    seedsoil()
        .args(["sweep", "--quiet", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        empty_columns(&out.join("summary.csv")),
        Vec::<String>::new()
    );
    let (header, rows) = read(&out.join("organs.csv"));
    assert_eq!(
        header[..5],
        ["run_id", "point", "replicate", "seed", "cells.p_symmetric"]
    );
    assert!(rows.is_empty());
}

#[test]
fn sweeps_and_comparisons_gather_organs_of_runs_with_and_without_dissemination() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "configs/metastasis.toml",
        ("days = 60.0", "days = 6.0"),
        "param = \"dissemination.enabled\"\nvalues = [false, true]",
    );
    let out = tmp.path().join("out");
    seedsoil()
        .args(["sweep", "--quiet", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    // The merged summary is the union of the runs' columns: the runs without
    // dissemination leave the metastasis and organ columns empty.
    let (sh, srows) = read(&out.join("summary.csv"));
    let at = |c: &str| {
        sh.iter()
            .position(|h| h == c)
            .unwrap_or_else(|| panic!("{c}"))
    };
    assert_eq!(srows.len(), 4);
    for row in &srows {
        let on = row[at("dissemination.enabled")] == "true";
        assert_eq!(!row[at("metastatic_cells")].is_empty(), on);
        assert_eq!(!row[at("hpcs_lung")].is_empty(), on);
    }
    // organs.csv: four rows per run with dissemination, keyed, the summary's values.
    let (oh, orows) = read(&out.join("organs.csv"));
    assert_eq!(
        oh.join(","),
        "run_id,point,replicate,seed,dissemination.enabled,organ,metastatic_cells,colonies,detected,dormant,hpcs,niche_day,first_arrival_day"
    );
    assert_eq!(orows.len(), 8);
    for row in &orows {
        assert_eq!(row[4], "true");
        let s = srows.iter().find(|s| s[0] == row[0]).unwrap();
        assert_eq!(row[10], s[at(&format!("hpcs_{}", row[5]))]);
    }
    // A comparison gathers them the same way, after scenario, replicate and seed.
    std::fs::write(
        tmp.path().join("compare.toml"),
        format!(
            "base = {:?}\nreplicates = 1\nseed = 3\ncontrol = \"control\"\n\
             [scenario.control]\nset = {{ \"run.days\" = 4.0 }}\n\
             [scenario.no_spread]\nset = {{ \"run.days\" = 4.0, \"dissemination.enabled\" = false }}\n",
            repo("configs/metastasis.toml").display().to_string()
        ),
    )
    .unwrap();
    let cmp = tmp.path().join("cmp");
    seedsoil()
        .args(["compare", "--quiet", "-o"])
        .arg(&cmp)
        .arg(tmp.path().join("compare.toml"))
        .assert()
        .success();
    let (ch, crows) = read(&cmp.join("organs.csv"));
    assert_eq!(ch[..4], ["scenario", "replicate", "seed", "organ"]);
    let scenarios: Vec<&str> = crows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(scenarios, ["control"; 4]);
    // The comparison reads the absent metastasis columns as empty: zero metastatic
    // cells and no detection, as before they were dropped.
    let (_, comparison) = read(&cmp.join("comparison.csv"));
    let row = comparison
        .iter()
        .find(|r| r[0] == "no_spread" && r[1] == "metastatic_cells")
        .unwrap();
    assert_eq!((row[2].as_str(), row[3].as_str()), ("1", "0"));
}

#[test]
fn every_event_written_carries_the_documented_unit_of_its_value() {
    let mut c = config::load(
        Some(&repo("configs/metastasis.toml")),
        &["run.days=9".to_string()],
    )
    .unwrap();
    // One therapy of every kind, so that each kind's start, end and kills are written.
    for (i, kind) in TherapyKind::ALL.into_iter().enumerate() {
        c.therapy
            .push(TherapyConfig::new(kind, 2.0 + 0.5 * i as f64));
    }
    c.validate().unwrap();
    let tables = seedsoil::batch::simulate(c, 4, 1).unwrap().tables;
    let mut r = csv::Reader::from_reader(tables[1].as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header.last().map(String::as_str), Some("unit"));
    let mut kinds = std::collections::BTreeSet::new();
    for row in r.records() {
        let row = row.unwrap();
        let (event, unit) = (&row[2], &row[7]);
        let doc = events::doc_of(event).unwrap_or_else(|| panic!("{event} undocumented"));
        assert_eq!(unit, doc.unit, "{event}");
        assert!(!unit.is_empty());
        kinds.insert(doc.name);
    }
    // The run wrote the run's, the cascade's and the therapies' events.
    for k in [
        "start",
        "stop",
        "arrest",
        "colonisation",
        "<kind>_on",
        "surgery",
        "radiation_fraction",
    ] {
        assert!(kinds.contains(k), "{k} not written: {kinds:?}");
    }
}
