//! Calibration targets of the default config (the baseline), and the metastatic cascade
//! it produces (Luzzi et al. 1998). The default run is extended to 120 days so that the
//! day-90 and day-120 targets come from one run; a run without MSCs (`msc.pool = 0`) and
//! one without plasticity (`cells.dedifferentiation_per_day = 0`) share its seeds.
//!
//! With `seedsoil validate --config FILE` the baseline layer is the user's config.

use super::{csc_fraction, metastatic_cells, primary_cells};
use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

fn default() -> Arm {
    Arm {
        label: "default".into(),
        scenario: Scenario::new("baseline-120d", Base::Baseline, &[], &["run.days=120"]),
    }
}

fn no_msc() -> Arm {
    Arm {
        label: "no_msc".into(),
        scenario: Scenario::new(
            "baseline-no-msc-90d",
            Base::Baseline,
            &[],
            &["run.days=90", "msc.pool=0"],
        ),
    }
}

fn no_plasticity() -> Arm {
    Arm {
        label: "no_plasticity".into(),
        scenario: Scenario::new(
            "baseline-no-plasticity-90d",
            Base::Baseline,
            &[],
            &["run.days=90", "cells.dedifferentiation_per_day=0"],
        ),
    }
}

/// Seeds of the metastasis checks. How many colonies pass the angiogenic switch is a
/// small Poisson count (about 0.5 per tumour by day 120), and each adds several % to the
/// burden: with 8 seeds the day-120 burden and the detected share passed in 47 % and 67 %
/// of blocks, as they trade off against each other. With 32 seeds both passed in 10 of 10
/// fresh blocks (`seedsoil validate --only baseline.metastatic_burden --only
/// luzzi1998.cascade --blocks 10 --seed 777`: burden on day 120 0.046-0.072 against
/// ≤ 0.1; detected share 6.2-10.5 × 10⁻⁵ against ≥ 5 × 10⁻⁵).
const METASTASIS_SEEDS: usize = 32;

/// The checks of the baseline.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "baseline.csc_fraction_no_msc",
            source: "Ginestier et al. 2007, Cell Stem Cell 1:555; Gupta et al. 2011",
            claim: "Without MSCs the CSC fraction of the primary on day 90 is 1-5 % and at equilibrium (day 90 / day 45 within 0.67-1.5).",
            arms: vec![no_msc()],
            seeds: 8,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: csc_fraction_no_msc,
        },
        Check {
            name: "baseline.csc_fraction",
            source: "Liu et al. 2011; Al-Hajj et al. 2003, PNAS 100:3983",
            claim: "With MSCs (the default) the CSC fraction of the primary on day 90 is 3-15 % and at equilibrium (day 90 / day 45 within 0.67-1.5).",
            arms: vec![default()],
            seeds: 8,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: csc_fraction_default,
        },
        Check {
            name: "baseline.csc_driven",
            source: "Trumpp & Baccelli (CSC hierarchy: rare CSCs drive growth)",
            claim: "Growth is driven by CSCs, not plasticity: without plasticity the day-90 primary keeps at least half its size, and dedifferentiations do not outnumber symmetric CSC divisions.",
            arms: vec![default(), no_plasticity()],
            seeds: 8,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: csc_driven,
        },
        Check {
            name: "baseline.msc_share",
            source: "Liu et al. 2011, Cancer Res 71:614",
            claim: "On day 90 MSCs in the tumour are at most 3 % of its cancer cells, and ALDH+ MSCs at least 1 % of them.",
            arms: vec![default()],
            seeds: 8,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: msc_share,
        },
        Check {
            name: "baseline.metastatic_burden",
            source: "4T1 / LLC spontaneous metastasis (metastatic burden a few % of the primary)",
            claim: "Cells in metastatic colonies are at most 5 % of the primary on day 90 and at most 10 % on day 120.",
            arms: vec![default()],
            seeds: METASTASIS_SEEDS,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: metastatic_burden,
        },
        Check {
            name: "luzzi1998.cascade",
            source: "Luzzi et al. 1998, Am J Pathol 153:865; Chambers et al. 2002, Nat Rev Cancer 2:563",
            claim: "Of cells that arrest in an organ 70-90 % extravasate, 1-5 % start micrometastases and 0.005-0.1 % reach detection by day 120; at least 90 % of colonies regress or stay below detection.",
            arms: vec![default()],
            seeds: METASTASIS_SEEDS,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: cascade,
        },
    ]
}

fn fraction_criteria(
    runs: &Runs,
    arm: &str,
    band: (f64, f64),
    what: &str,
) -> Result<Vec<Criterion>, String> {
    let f90 = runs.values(arm, "CSC fraction day 90", |t| csc_fraction(t, 90.0))?;
    let f45 = runs.values(arm, "CSC fraction day 45", |t| csc_fraction(t, 45.0))?;
    Ok(vec![
        Criterion::new(
            format!("CSC fraction of the primary on day 90, {what} (mean)"),
            Estimate::mean(&f90),
            Rule::Band(band.0, band.1),
        ),
        Criterion::new(
            format!("CSC fraction day 90 / day 45, {what} (geometric mean)"),
            Estimate::paired_ratio(&f90, &f45, 0.0),
            Rule::Band(0.67, 1.5),
        ),
    ])
}

fn csc_fraction_no_msc(runs: &Runs) -> Result<Vec<Criterion>, String> {
    fraction_criteria(runs, "no_msc", (0.01, 0.05), "no MSCs")
}

fn csc_fraction_default(runs: &Runs) -> Result<Vec<Criterion>, String> {
    fraction_criteria(runs, "default", (0.03, 0.15), "with MSCs")
}

fn csc_driven(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let n = |a| runs.values(a, "primary cells day 90", |t| primary_cells(t, 90.0));
    let (n1, n0) = (n("default")?, n("no_plasticity")?);
    let dedif = runs.values("default", "dedifferentiations (120 days)", |t| {
        t.summary("dedifferentiations")
    })?;
    let sym = runs.values("default", "symmetric CSC divisions (120 days)", |t| {
        t.summary("symmetric_divisions")
    })?;
    Ok(vec![
        Criterion::new(
            "primary cells day 90, no plasticity / default (geometric mean of paired ratios)",
            Estimate::paired_ratio(&n0, &n1, 0.0),
            Rule::AtLeast(0.5),
        ),
        Criterion::new(
            "dedifferentiations / symmetric CSC divisions over the 120-day run (pooled)",
            Estimate::pooled_ratio(&dedif, &sym),
            Rule::AtMost(1.0),
        ),
    ])
}

fn msc_share(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let pos = runs.values("default", "ALDH+ MSCs day 90", |t| {
        t.at_day("primary", "msc_aldh_pos", 90.0)
    })?;
    let neg = runs.values("default", "ALDH- MSCs day 90", |t| {
        t.at_day("primary", "msc_aldh_neg", 90.0)
    })?;
    let cells = runs.values("default", "primary cells day 90", |t| {
        primary_cells(t, 90.0)
    })?;
    let all: Vec<f64> = pos.iter().zip(&neg).map(|(p, n)| p + n).collect();
    Ok(vec![
        Criterion::new(
            "tumour MSCs / cancer cells of the primary on day 90 (pooled)",
            Estimate::pooled_ratio(&all, &cells),
            Rule::AtMost(0.03),
        ),
        Criterion::new(
            "ALDH+ share of tumour MSCs on day 90 (pooled)",
            Estimate::pooled_ratio(&pos, &all),
            Rule::AtLeast(0.01),
        ),
    ])
}

fn metastatic_burden(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let mut out = Vec::new();
    for (day, bound) in [(90.0, 0.05), (120.0, 0.10)] {
        let met = runs.values("default", &format!("metastatic cells day {day}"), |t| {
            metastatic_cells(t, day)
        })?;
        let prim = runs.values("default", &format!("primary cells day {day}"), |t| {
            primary_cells(t, day)
        })?;
        out.push(Criterion::new(
            format!("cells in metastatic colonies / primary cells on day {day} (pooled)"),
            Estimate::pooled_ratio(&met, &prim),
            Rule::AtMost(bound),
        ));
    }
    Ok(out)
}

fn cascade(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let s = |what: &'static str, col: &'static str| {
        runs.values("default", what, move |t| t.summary(col))
    };
    let arrested = s("arrested cells", "arrested")?;
    let extravasated = s("extravasated cells", "extravasated")?;
    let micro = s("micrometastases", "micrometastases")?;
    let detected = s("detected metastases", "detected_metastases")?;
    let csc_col = s("CSC-founded colonies", "csc_colonies")?;
    let other_col = s("colonies founded by non-stem cells", "non_stem_colonies")?;
    let founded: Vec<f64> = csc_col.iter().zip(&other_col).map(|(a, b)| a + b).collect();
    let undetected: Vec<f64> = founded.iter().zip(&detected).map(|(f, d)| f - d).collect();
    Ok(vec![
        Criterion::new(
            "extravasated / arrested (pooled)",
            Estimate::pooled_ratio(&extravasated, &arrested),
            Rule::Band(0.7, 0.9),
        ),
        Criterion::new(
            "micrometastases / arrested (pooled)",
            Estimate::pooled_ratio(&micro, &arrested),
            Rule::Band(0.01, 0.05),
        ),
        Criterion::new(
            "detected metastases by day 120 / arrested (pooled)",
            Estimate::pooled_ratio(&detected, &arrested),
            Rule::Band(5e-5, 1e-3),
        ),
        Criterion::new(
            "colonies that regressed or stayed below detection / colonies founded (pooled)",
            Estimate::pooled_ratio(&undetected, &founded),
            Rule::AtLeast(0.9),
        ),
    ])
}
