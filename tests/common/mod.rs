//! Shared by the rule tests: the defaults of model v1, so that a test written against one
//! rule sees none of the calibrated model-v2 rules unless it turns them on itself.

use seedsoil::config::{Config, InitKind};
use std::path::Path;

/// `Config::default()` with every model-v2 rule off and the model-v1 values of the keys the
/// calibration changed (docs/model.md §8.6): one CSC at the start, p_s 0.1, plasticity
/// 0.004/day of any non-stem cell, no background death or stemness loss, shedding by rim
/// cells, every non-stem DTC founding a clone, colonies without an avascular limit, linear
/// HPC mobilisation, the v1 MSC hierarchy.
#[allow(dead_code)]
pub fn model_v1() -> Config {
    let mut c = Config::default();
    c.init.kind = InitKind::SingleCsc;
    c.init.radius = 10.0;
    c.init.csc_fraction = 0.1;
    c.cells.p_symmetric = 0.1;
    c.cells.dedifferentiation_per_day = 0.004;
    c.cells.dedifferentiation_min_rho = 0;
    c.cells.background_death_per_day = 0.0;
    c.cells.stemness_loss_per_day = 0.0;
    c.fields.cxcl7.secretion_per_msc = 5.0;
    c.msc.homing_per_day = 0.005;
    c.msc.k_recruit = 20.0;
    c.msc.max_divisions = 5;
    c.msc.death_per_day = 0.02;
    c.dissemination.shed_per_cell_per_day = 0.0;
    c.dissemination.p_non_stem_clone = 1.0;
    c.dissemination.dtc_death_per_day = 0.0;
    c.dissemination.avascular_cells = 0;
    c.dissemination.switch_per_day = 0.0;
    c.dissemination.colony_csc_death_per_day = 0.0;
    c.niche.mobilisation = 100_000.0;
    c.niche.mobilisation_max = 0.0;
    c.niche.k_tdsf = 1.0;
    if let Some(brain) = c.organs.get_mut("brain") {
        brain.hpc_homing_weight = 0.1;
    }
    c
}

/// Every file under `dir` but `manifest.json` and the records' `status.json` (both hold
/// wall times), by relative name, sorted: what must agree byte for byte between two runs
/// that should be the same.
#[allow(dead_code)]
pub fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                let timed = name == "manifest.json" || name.ends_with("/status.json");
                if !timed {
                    out.push((name, std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    out.sort();
    out
}

/// A run's `[timeseries, events, summary]` as the code before issue 17 wrote them, for
/// the tests that compare runs with tables of older code: `events.csv` without its last
/// column (`unit`), and `summary.csv` with every column group, the milestones, relapse
/// and metastasis columns a run's model cannot fill put back as empty cells. The tables
/// of today are these with those columns dropped, so an equal result shows that nothing
/// else changed (and that the dropped columns were empty).
#[allow(dead_code)]
pub fn former_tables(tables: &[String; 3]) -> [String; 3] {
    use seedsoil::output::summary::{MILESTONES, SummaryLayout};
    let records = |text: &str| -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows = r
            .records()
            .map(|row| row.unwrap().iter().map(str::to_string).collect())
            .collect();
        (header, rows)
    };
    let write = |header: &[String], rows: &[Vec<String>]| -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(header).unwrap();
        for row in rows {
            w.write_record(row).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    let (mut header, mut rows) = records(&tables[1]);
    assert_eq!(header.pop().as_deref(), Some("unit"));
    for row in &mut rows {
        row.pop();
    }
    let events = write(&header, &rows);
    let (header, rows) = records(&tables[2]);
    let layout = SummaryLayout::parse(&header).expect("a summary's header");
    let former = SummaryLayout {
        milestones: MILESTONES.len(),
        relapse: true,
        metastasis: true,
        organs: layout.organs,
    }
    .columns();
    let widened: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            former
                .iter()
                .map(|c| {
                    header
                        .iter()
                        .position(|h| h == c)
                        .map_or(String::new(), |i| row[i].clone())
                })
                .collect()
        })
        .collect();
    let summary = write(&former, &widened);
    [tables[0].clone(), events, summary]
}

/// The `seedsoil` binary built by cargo for the integration tests.
#[allow(dead_code)]
pub fn seedsoil() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("seedsoil").expect("binary built")
}

/// A file or folder of the repository, by its path relative to the repository root.
#[allow(dead_code)]
pub fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs `seedsoil ARGS` in `dir`; returns (exit code, stdout, stderr).
#[allow(dead_code)]
pub fn seedsoil_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = seedsoil().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that `seedsoil ARGS` run in `dir` exits 2 without a panic and that its stderr
/// holds every one of `needles`; returns the stderr.
#[allow(dead_code)]
pub fn refused_in(dir: &Path, args: &[&str], needles: &[&str]) -> String {
    let (code, _, err) = seedsoil_in(dir, args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected {n:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

/// Assert that `actual` equals the golden file `path`; with `SEEDSOIL_BLESS=1` in the
/// environment, (re)write the golden file instead (after an intended change of outputs).
#[allow(dead_code)]
pub fn assert_golden(path: &str, actual: &str) {
    if std::env::var_os("SEEDSOIL_BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(path).unwrap();
    assert!(
        actual == golden,
        "{path}: output changed (SEEDSOIL_BLESS=1 rewrites it)"
    );
}
