//! Phenotypic equilibrium (Gupta et al. 2011, Cell 146:633; Iliopoulos et al. 2011, PNAS
//! 108:1397): a population sorted to contain no CSCs rebuilds a CSC fraction of a few
//! percent within days, faster with IL6; and sorted subpopulations return to the same
//! proportions (two-way transitions, so the equilibrium does not depend on the start).
//!
//! Set-up: a disc of 1,961 cells (radius 25 sites, ρ uniform) on the baseline model
//! without MSCs, sorted to 0 % CSCs (or 100 % CSCs for the equilibrium check), grown for
//! 7 days (12 for the equilibrium). Iliopoulos's IL6 arm holds the IL6 field at 10 ng/mL
//! beyond the grid's edge and fills it with that at the start (IL6 added to the medium).

use super::csc_fraction;
use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

const SORTED: &[&str] = &[
    "space.max_size=200",
    "space.initial_size=64",
    "init.kind=disc",
    "init.radius=25",
    "msc.pool=0",
];

fn arm(label: &'static str, name: &str, extra: &[&str]) -> Arm {
    let sets: Vec<&str> = SORTED.iter().chain(extra).copied().collect();
    Arm {
        label: label.into(),
        scenario: Scenario::new(name, Base::Baseline, &[], &sets),
    }
}

fn depleted() -> Arm {
    arm(
        "no_csc",
        "sorted-no-csc-7d",
        &["init.csc_fraction=0", "run.days=7"],
    )
}

/// The three checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "gupta2011.regain",
            source: "Gupta et al. 2011, Cell 146:633",
            claim: "A population sorted to contain no CSCs holds a CSC fraction of a few percent (1-8 %) after 7 days.",
            arms: vec![depleted()],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: regain,
        },
        Check {
            name: "iliopoulos2011.il6",
            source: "Iliopoulos et al. 2011, PNAS 108:1397",
            claim: "IL6 added to the medium (10 ng/mL) speeds the regain: at least 1.5x the CSC fraction after 7 days.",
            arms: vec![
                depleted(),
                arm(
                    "no_csc_il6",
                    "sorted-no-csc-il6-7d",
                    &[
                        "init.csc_fraction=0",
                        "run.days=7",
                        "fields.il6.far_field_ng_ml=10",
                    ],
                ),
            ],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: il6,
        },
        Check {
            name: "gupta2011.equilibrium",
            source: "Gupta et al. 2011, Cell 146:633",
            claim: "Populations sorted to 0 % and to 100 % CSCs return to the same proportions: after 12 days their CSC fractions agree within a factor 2.",
            arms: vec![
                arm(
                    "no_csc",
                    "sorted-no-csc-12d",
                    &["init.csc_fraction=0", "run.days=12"],
                ),
                arm(
                    "all_csc",
                    "sorted-all-csc-12d",
                    &["init.csc_fraction=1", "run.days=12"],
                ),
            ],
            seeds: 8,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: equilibrium,
        },
    ]
}

fn regain(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let f = runs.values("no_csc", "CSC fraction day 7", |t| csc_fraction(t, 7.0))?;
    Ok(vec![Criterion::new(
        "CSC fraction day 7 of a population sorted to 0 % CSCs (mean)",
        Estimate::mean(&f),
        Rule::Band(0.01, 0.08),
    )])
}

fn il6(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let f = |a| runs.values(a, "CSC fraction day 7", |t| csc_fraction(t, 7.0));
    let (f0, f1) = (f("no_csc")?, f("no_csc_il6")?);
    let ratio = Estimate::paired_ratio(&f1, &f0, 0.0);
    Ok(vec![
        Criterion::new(
            "CSC fraction day 7, IL6 added / not (geometric mean of paired ratios)",
            ratio,
            Rule::Exceeds(1.0),
        ),
        Criterion::new(
            "CSC fraction day 7, IL6 added / not (geometric mean of paired ratios), size of the effect",
            ratio,
            Rule::AtLeast(1.5),
        ),
    ])
}

fn equilibrium(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let f = |a| runs.values(a, "CSC fraction day 12", |t| csc_fraction(t, 12.0));
    let (f0, f1) = (f("no_csc")?, f("all_csc")?);
    Ok(vec![Criterion::new(
        "CSC fraction day 12, sorted 100 % / sorted 0 % (geometric mean of paired ratios)",
        Estimate::paired_ratio(&f1, &f0, 0.0),
        Rule::Band(0.5, 2.0),
    )])
}
