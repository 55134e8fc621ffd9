//! Derived limits (issue 16): `seedsoil check` refuses, with exit code 2 and a message
//! naming the key, every config on which `run` would panic, abort, never end or write
//! inf/NaN because a quantity derived from several keys is out of reach; and a short run
//! of any config it accepts, however extreme its values, writes only finite numbers.

use assert_cmd::Command;
use proptest::prelude::*;
use seedsoil::config;
use seedsoil::run::{Driver, TABLE_FILES};

/// `seedsoil check [config] --set ...`: (exit code, stderr).
fn check(config: Option<&str>, sets: &[&str]) -> (i32, String) {
    let mut cmd = Command::cargo_bin("seedsoil").unwrap();
    cmd.arg("check");
    if let Some(path) = config {
        cmd.arg(path);
    }
    for set in sets {
        cmd.args(["--set", set]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check` must exit 2 naming `key` (as the start of a problem line).
fn refused(config: Option<&str>, sets: &[&str], key: &str) -> String {
    let (code, stderr) = check(config, sets);
    assert_eq!(code, 2, "{sets:?}: exit {code}, stderr:\n{stderr}");
    assert!(
        stderr.lines().any(|l| l.trim_start().starts_with(key)),
        "{sets:?}: no problem about {key}:\n{stderr}"
    );
    stderr
}

const METASTASIS: Option<&str> = Some("configs/metastasis.toml");

#[test]
fn hpc_mobilisation_beyond_a_poisson_mean_is_refused() {
    let msg = refused(
        METASTASIS,
        &["niche.mobilisation=1e25"],
        "niche.mobilisation",
    );
    assert!(msg.contains("HPCs mobilised per step"), "{msg}");
    // A large factor source only matters through the linear mobilisation.
    refused(
        METASTASIS,
        &["niche.tdsf_per_cell=1e14", "niche.mobilisation=1"],
        "niche.mobilisation",
    );
    refused(
        METASTASIS,
        &["niche.tdsf_per_cell=1e300"],
        "niche.tdsf_per_cell",
    );
}

#[test]
fn a_vanishing_factor_clearance_is_refused() {
    let msg = refused(
        METASTASIS,
        &["niche.tdsf_clearance_per_day=5e-324"],
        "niche.tdsf_clearance_per_day",
    );
    assert!(msg.contains("allowed 0 or at least"), "{msg}");
    // No clearance at all is fine: T grows linearly.
    assert_eq!(check(METASTASIS, &["niche.tdsf_clearance_per_day=0"]).0, 0);
}

#[test]
fn a_spacing_that_breaks_the_diffusion_solver_is_refused() {
    for spacing in ["1e-308", "1e-50"] {
        let set = format!("space.spacing_um={spacing}");
        let msg = refused(None, &[&set], "space.spacing_um");
        assert!(msg.contains("diffusion number"), "{msg}");
    }
}

#[test]
fn a_lattice_larger_than_the_machine_is_refused() {
    let msg = refused(
        None,
        &[
            "space.dims=3",
            "space.max_size=65536",
            "space.initial_size=65536",
        ],
        "space.max_size",
    );
    assert!(msg.contains("memory"), "{msg}");
}

#[test]
fn absurd_molecular_masses_and_unbounded_concentrations_are_refused() {
    for key in [
        "fields.il6.molecular_mass_kda",
        "fields.cxcl7.molecular_mass_kda",
    ] {
        refused(None, &[&format!("{key}=1e300")], key);
    }
    // Each key in range, the product not: a secretion feedback gain of 1e300.
    let msg = refused(None, &["signalling.gain_il6_secretion=1e300"], "fields.il6");
    assert!(msg.contains("f32"), "{msg}");
}

#[test]
fn a_run_that_never_ends_is_refused() {
    let msg = refused(None, &["run.dt_h=1e-9"], "run.dt_h");
    assert!(msg.contains("steps"), "{msg}");
}

#[test]
fn all_derived_problems_are_reported_at_once() {
    let msg = refused(
        METASTASIS,
        &[
            "run.dt_h=1e-9",
            "niche.mobilisation=1e25",
            "space.dims=3",
            "space.max_size=65536",
        ],
        "run.dt_h",
    );
    for key in ["niche.mobilisation", "space.max_size"] {
        assert!(
            msg.lines().any(|l| l.trim_start().starts_with(key)),
            "{key}:\n{msg}"
        );
    }
}

/// Every comma-separated field of the run's tables that parses as a number is finite (and
/// none is spelled `inf` or `NaN`).
fn assert_finite_tables(tables: &[String]) {
    for (name, table) in TABLE_FILES.iter().zip(tables) {
        for (row, line) in table.lines().enumerate() {
            for field in line.split(',') {
                let lower = field.trim().to_ascii_lowercase();
                assert!(
                    !matches!(lower.as_str(), "inf" | "-inf" | "+inf" | "nan" | "infinity"),
                    "{name} row {row}: {line}"
                );
                if let Ok(x) = lower.parse::<f64>() {
                    assert!(x.is_finite(), "{name} row {row}: {line}");
                }
            }
        }
    }
}

/// `10^e`.
fn pow10(e: f64) -> f64 {
    10f64.powf(e)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        // Many random combinations are refused (that is the point of the limits); only
        // accepted ones are run.
        max_global_rejects: 20_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Extreme values of the keys the derived limits involve, on a small lattice: a config
    /// that passes validation runs a few steps and writes only finite numbers.
    #[test]
    fn accepted_extremes_run_with_finite_outputs(
        spacing in -4.0f64..6.0,
        mass in -300.0f64..4.0,
        decay in prop_oneof![Just(f64::NEG_INFINITY), -300.0f64..4.0],
        gain in -3.0f64..30.0,
        secretion in 0.0f64..1e6,
        diffusion in -12.0f64..-3.0,
        tdsf in -10.0f64..100.0,
        clearance in prop_oneof![Just(f64::NEG_INFINITY), -320.0f64..1.3],
        mobilisation in -3.0f64..12.0,
        mobilisation_max in -3.0f64..12.0,
        dt in prop_oneof![Just(0.5f64), Just(1.0), Just(2.0)],
        coarsen in prop_oneof![Just(1u32), Just(2), Just(4), Just(8)],
        no_flux in any::<bool>(),
        seed in 0u64..1000,
    ) {
        let sets = [
            "space.max_size=64".to_string(),
            "space.initial_size=32".to_string(),
            "run.days=1".to_string(),
            format!("run.dt_h={dt}"),
            format!("run.seed={seed}"),
            "dissemination.min_primary_cells=0".to_string(),
            format!("space.spacing_um={:e}", pow10(spacing)),
            format!("fields.coarsen={coarsen}"),
            format!("fields.il6.boundary=\"{}\"", if no_flux { "no_flux" } else { "fixed" }),
            format!("fields.il6.molecular_mass_kda={:e}", pow10(mass)),
            format!("fields.cxcl7.molecular_mass_kda={:e}", pow10(mass)),
            format!("fields.il6.decay_per_h={:e}", pow10(decay)),
            format!("fields.cxcl7.decay_per_h={:e}", pow10(decay)),
            format!("fields.il6.diffusion_cm2_per_s={:e}", pow10(diffusion)),
            format!("signalling.gain_il6_secretion={:e}", pow10(gain)),
            format!("fields.il6.secretion_per_cell={secretion:e}"),
            format!("fields.cxcl7.secretion_per_cell={secretion:e}"),
            format!("niche.tdsf_per_cell={:e}", pow10(tdsf)),
            format!("niche.tdsf_clearance_per_day={:e}", pow10(clearance)),
            format!("niche.mobilisation={:e}", pow10(mobilisation)),
            format!("niche.mobilisation_max={:e}", pow10(mobilisation_max)),
        ];
        let cfg = config::load(None, &sets);
        prop_assume!(cfg.is_ok());
        let cfg = cfg.unwrap();
        let outcome = Driver::new(&cfg).threads(1).run(&mut ()).unwrap();
        assert_finite_tables(&outcome.tables);
    }
}
