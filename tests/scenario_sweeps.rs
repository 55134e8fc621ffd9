//! The shipped science sweeps reproduce their published trends (MODEL.md section 9,
//! outcomes 1 and 2), run through `seedsoil sweep` as a user would:
//! - `configs/sweeps/rho-max.toml` (Morton 2011; Poleszczuk 2014): at every p_s the
//!   median CSC fraction falls with ρmax, by 1.7 to 2.3 orders of magnitude from
//!   ρmax = 5 to 20 (the test asks for a fall at each step and more than 50-fold);
//! - `configs/sweeps/enderling-paradox.toml` (Enderling 2009): with α = μ = 0 the tumour
//!   stays small (dormancy); raising migration gives larger tumours with more CSCs, and
//!   raising α gives more CSCs at every μ.
//!
//! Medians over the files' replicates (4 and 8), fixed sweep seeds.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sweep(file: &str, out: &Path) -> Vec<BTreeMap<String, String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args([
            "sweep",
            path.to_str().unwrap(),
            "-q",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn median(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    let n = x.len();
    if n % 2 == 1 {
        x[n / 2]
    } else {
        (x[n / 2 - 1] + x[n / 2]) / 2.0
    }
}

/// Median of `value` per point, keyed by the two parameters' values (as text).
fn medians(
    rows: &[BTreeMap<String, String>],
    a: &str,
    b: &str,
    value: &str,
) -> BTreeMap<(String, String), f64> {
    let mut groups: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((r[a].clone(), r[b].clone()))
            .or_default()
            .push(r[value].parse().unwrap());
    }
    groups.into_iter().map(|(k, v)| (k, median(v))).collect()
}

#[test]
fn the_csc_fraction_falls_by_orders_of_magnitude_as_rho_max_grows() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = sweep("configs/sweeps/rho-max.toml", &tmp.path().join("rho"));
    assert_eq!(rows.len(), 48);
    let m = medians(&rows, "cells.rho_max", "cells.p_symmetric", "csc_fraction");
    for ps in ["0.1", "0.2", "0.3"] {
        let f: Vec<f64> = ["5", "10", "15", "20"]
            .iter()
            .map(|r| m[&(r.to_string(), ps.to_string())])
            .collect();
        println!("p_s = {ps}: median CSC fraction at rho_max 5, 10, 15, 20: {f:?}");
        assert!(f[0] > f[1] && f[1] > f[2] && f[2] > f[3], "p_s {ps}: {f:?}");
        assert!(f[0] / f[3] > 50.0, "p_s {ps}: {f:?}");
    }
}

#[test]
fn death_and_migration_free_the_cscs_enderlings_paradox() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = sweep(
        "configs/sweeps/enderling-paradox.toml",
        &tmp.path().join("ep"),
    );
    assert_eq!(rows.len(), 128);
    let a = "cells.death_at_division";
    let mu = "cells.migration_per_day";
    let total = medians(&rows, a, mu, "total");
    let csc = medians(&rows, a, mu, "csc");
    let at = |m: &BTreeMap<(String, String), f64>, x: &str, y: &str| m[&(x.into(), y.into())];
    for (k, v) in &total {
        println!(
            "alpha {} mu {}: median cells {v}, median CSCs {}",
            k.0, k.1, csc[k]
        );
    }
    // Dormancy without death or migration: a few hundred cells at most, one or two CSCs.
    assert!(at(&total, "0.0", "0.0") < 300.0);
    assert!(at(&csc, "0.0", "0.0") <= 2.0);
    // Migration: larger tumours with more CSCs (at α = 0 and α = 0.3).
    for alpha in ["0.0", "0.3"] {
        assert!(at(&total, alpha, "15.0") > 20.0 * at(&total, alpha, "0.0"));
        assert!(at(&csc, alpha, "15.0") > 3.0 * at(&csc, alpha, "0.0"));
    }
    // Death at division: more CSCs at every migration rate.
    for m in ["0.0", "5.0", "10.0", "15.0"] {
        assert!(
            at(&csc, "0.3", m) > 2.0 * at(&csc, "0.0", m),
            "mu {m}: {} vs {}",
            at(&csc, "0.3", m),
            at(&csc, "0.0", m)
        );
    }
}
