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
