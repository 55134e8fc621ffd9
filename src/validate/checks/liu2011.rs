//! Liu et al. 2011 (Cancer Res 71:614): bone-marrow MSCs homing to a breast tumour raise
//! its CSC fraction and speed its growth through an IL6 → CXCL7 loop; blocking IL6 or
//! CXCL7/CXCR2 removes the gain. The shipped scenario `configs/liu2011-msc.toml` (a disc of
//! about 2,800 cells, 1,000 MSCs injected on day 0, 30 days) in four arms with common seeds.

use super::{csc_fraction, primary_cells};
use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

const DAYS: f64 = 30.0;
const SOURCE: &str = "Liu et al. 2011, Cancer Res 71:614";

fn arm(label: &'static str, name: &str, sets: &[&str]) -> Arm {
    Arm {
        label: label.into(),
        scenario: Scenario::new(name, Base::Baseline, &["liu2011-msc.toml"], sets),
    }
}

fn no_msc() -> Arm {
    arm("no_msc", "liu2011-no-msc", &["msc.inject_count=0"])
}

fn msc() -> Arm {
    arm("msc", "liu2011-msc", &[])
}

/// The four checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "liu2011.msc_gain",
            source: SOURCE,
            claim: "Injected MSCs raise the CSC fraction of the tumour on day 30, by 2-4x (calibration band of the MSC loop).",
            arms: vec![no_msc(), msc()],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: msc_gain,
        },
        Check {
            name: "liu2011.msc_growth",
            source: SOURCE,
            claim: "Injected MSCs speed tumour growth (more cells on day 30).",
            arms: vec![no_msc(), msc()],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: msc_growth,
        },
        Check {
            name: "liu2011.il6_block",
            source: SOURCE,
            claim: "Blocking IL6 (90 %) leaves less than half of the MSCs' gain in CSC fraction.",
            arms: vec![
                no_msc(),
                msc(),
                arm(
                    "msc_anti_il6",
                    "liu2011-msc-anti-il6",
                    &["signalling.il6_blockade=0.9"],
                ),
            ],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: il6_block,
        },
        Check {
            name: "liu2011.cxcr2_block",
            source: SOURCE,
            claim: "Blocking CXCR2 (90 %) leaves less than half of the MSCs' gain in CSC fraction.",
            arms: vec![
                no_msc(),
                msc(),
                arm(
                    "msc_cxcr2i",
                    "liu2011-msc-cxcr2i",
                    &["signalling.cxcr2_blockade=0.9"],
                ),
            ],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: cxcr2_block,
        },
    ]
}

fn fractions(runs: &Runs, arm: &str) -> Result<Vec<f64>, String> {
    runs.values(arm, "CSC fraction day 30", |t| csc_fraction(t, DAYS))
}

fn msc_gain(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let (f0, f1) = (fractions(runs, "no_msc")?, fractions(runs, "msc")?);
    Ok(vec![Criterion::new(
        "CSC fraction day 30, MSC / no MSC (geometric mean of paired ratios)",
        Estimate::paired_ratio(&f1, &f0, 0.0),
        Rule::Band(2.0, 4.0),
    )])
}

fn msc_growth(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let cells = |a| runs.values(a, "primary cells day 30", |t| primary_cells(t, DAYS));
    let (n0, n1) = (cells("no_msc")?, cells("msc")?);
    Ok(vec![Criterion::new(
        "primary cells day 30, MSC / no MSC (geometric mean of paired ratios)",
        Estimate::paired_ratio(&n1, &n0, 0.0),
        Rule::Exceeds(1.0),
    )])
}

/// Per seed `(f_none + f_msc)/2 − f_blocked`: positive when the blocked arm keeps less
/// than half of the gain `f_msc − f_none`.
fn block(runs: &Runs, blocked: &str) -> Result<Vec<Criterion>, String> {
    let (f0, f1, fb) = (
        fractions(runs, "no_msc")?,
        fractions(runs, "msc")?,
        fractions(runs, blocked)?,
    );
    let margin: Vec<f64> = (0..f0.len())
        .map(|i| 0.5 * (f0[i] + f1[i]) - fb[i])
        .collect();
    Ok(vec![Criterion::new(
        "half the MSC gain minus what the blockade leaves: (f_none + f_msc)/2 - f_blocked (CSC fraction day 30, paired mean)",
        Estimate::mean(&margin),
        Rule::Exceeds(0.0),
    )])
}

fn il6_block(runs: &Runs) -> Result<Vec<Criterion>, String> {
    block(runs, "msc_anti_il6")
}

fn cxcr2_block(runs: &Runs) -> Result<Vec<Criterion>, String> {
    block(runs, "msc_cxcr2i")
}
