//! The published outcomes and calibration targets, through the same checks as
//! `seedsoil validate` (one definition of each scenario and rule, in
//! `src/validate/checks/`), run as a user runs them: `seedsoil validate --quick` with
//! every check's default seeds on the default master seed, and the verdict of every check
//! asserted.
//!
//! Today's model misses some targets of the default config; those checks are listed
//! in [`KNOWN_FAILING`] with what they show, and the tests assert that they still fail: a
//! change that makes one pass must move it out of the list (a ratchet, so the list stays
//! true). Every other check must pass. The checks of the default config (`baseline.*`,
//! `luzzi1998.cascade`) run here with their own seeds, as in the suite; the therapy checks
//! (100-day treated runs) run in `scripts/validate.sh`, with the power of every check.

/// Checks that the calibrated model fails, with the reason: a measured trade-off against
/// the CSC-driven, stable default (docs/model.md §8.6).
const KNOWN_FAILING: &[(&str, &str)] = &[
    (
        "gupta2011.regain",
        "plasticity slow enough for CSC-driven growth (dedifferentiations <= symmetric divisions) rebuilds 0.25 % CSCs in 7 days, not 1-8 %",
    ),
    (
        "gupta2011.equilibrium",
        "stemness loss slow enough for CSC-driven growth (0.04/day) leaves a sorted 100 % population CSC-rich after 12 days",
    ),
];

/// Runs `seedsoil validate ARGS` into a fresh folder (exit 0: all pass, or 1: a check
/// failed) and returns the rows of its `validation.csv` as (check, criterion pass, check
/// pass, line).
fn validate(args: &[&str]) -> Vec<(String, bool, bool, String)> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("v");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_seedsoil"))
        .arg("validate")
        .args(args)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("seedsoil runs");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "seedsoil validate {args:?}: {status}"
    );
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(!runs.contains(",failed,"), "a run failed:\n{runs}");
    let mut reader = csv::Reader::from_path(out.join("validation.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (check, pass, check_pass) = (col("check"), col("pass"), col("check_pass"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[check].to_string(),
                &r[pass] == "true",
                &r[check_pass] == "true",
                r.iter().collect::<Vec<_>>().join(" | "),
            )
        })
        .collect()
}

/// Asserts every check's verdict against [`KNOWN_FAILING`].
fn assert_verdicts(rows: &[(String, bool, bool, String)]) {
    let mut wrong = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (check, pass, _, line) in rows {
        println!("{} {line}", if *pass { "pass" } else { "FAIL" });
        if !seen.contains(&check.as_str()) {
            seen.push(check);
        }
    }
    for name in seen {
        let passes = rows.iter().find(|r| r.0 == name).unwrap().2;
        let known = KNOWN_FAILING.iter().find(|(n, _)| *n == name);
        match (passes, known) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => wrong.push(format!("{name} fails")),
            (true, Some((_, why))) => wrong.push(format!(
                "{name} passes now: remove it from KNOWN_FAILING (it was: {why})"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `seedsoil validate --quick`: every published outcome with its default seeds.
#[test]
fn the_quick_suite_passes_but_for_the_known_failures() {
    let rows = validate(&["--quick", "-q"]);
    for c in [
        "enderling2009.dormancy",
        "morton2011.rho_max",
        "liu2011.il6_block",
        "kaplan2005.anti_vegfr1",
        "li2008.cxcr2_offset",
        "iliopoulos2011.il6",
    ] {
        assert!(rows.iter().any(|r| r.0 == c), "{c} is in the quick suite");
    }
    assert_verdicts(&rows);
}

/// The default config's targets with each check's own seeds (8 for the hierarchy and MSC
/// checks, 32 for the metastasis checks, whose count of colonies past the angiogenic
/// switch is small and Poisson: 3 seeds passed or failed them by chance).
#[test]
fn the_default_config_targets_with_their_own_seeds() {
    let rows = validate(&["--only", "baseline", "--only", "luzzi1998", "-q"]);
    assert!(rows.iter().any(|r| r.0 == "luzzi1998.cascade"));
    assert_verdicts(&rows);
}
