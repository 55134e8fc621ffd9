//! Li et al. 2008 (J Natl Cancer Inst 100:672): neoadjuvant chemotherapy enriches breast
//! CSCs about 3-fold in the residual tumour; Ginestier et al. 2010 (J Clin Invest
//! 120:485): a CXCR2 inhibitor added to it depletes CSCs. The shipped scenario
//! `configs/li2008-chemo.toml` (the primary only, about 5 % CSCs before treatment) with
//! the course of `configs/therapies/li2008-chemo-course.toml` (4 cycles, 21 days apart,
//! 3-day exposures, from day 40; the last exposure ends on day 106), read at the course's
//! end and 7 days later (day 113). Arms share seeds, so ratios are paired.

use super::csc_fraction;
use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

const END: f64 = 106.0;
const WEEK_AFTER: f64 = 113.0;

fn arm(label: &'static str, name: &str, therapies: &[&'static str]) -> Arm {
    let mut files = vec!["li2008-chemo.toml"];
    files.extend_from_slice(therapies);
    Arm {
        label: label.into(),
        scenario: Scenario::new(name, Base::Baseline, &files, &["run.days=113"]),
    }
}

fn arms(combo: bool) -> Vec<Arm> {
    let mut a = vec![
        arm("control", "li2008-control", &[]),
        arm(
            "chemo",
            "li2008-chemo",
            &["therapies/li2008-chemo-course.toml"],
        ),
    ];
    if combo {
        a.push(arm(
            "chemo_cxcr2i",
            "li2008-chemo-cxcr2i",
            &[
                "therapies/li2008-chemo-course.toml",
                "therapies/li2008-cxcr2-inhibitor.toml",
            ],
        ));
    }
    a
}

/// The three checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "li2008.enrichment",
            source: "Li et al. 2008, J Natl Cancer Inst 100:672",
            claim: "At the end of a 4-cycle chemotherapy course the CSC fraction is 2-5x the untreated control's.",
            arms: arms(false),
            seeds: 6,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: enrichment,
        },
        Check {
            name: "li2008.persists",
            source: "Li et al. 2008, J Natl Cancer Inst 100:672",
            claim: "The enrichment persists in the residual tumour: 7 days after the last dose the CSC fraction is still at least 1.5x the control's.",
            arms: arms(false),
            seeds: 6,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: persists,
        },
        Check {
            name: "li2008.cxcr2_offset",
            source: "Li et al. 2008; Ginestier et al. 2010, J Clin Invest 120:485",
            claim: "A CXCR2 inhibitor added to the course halves the excess enrichment (or better) at the course's end.",
            arms: arms(true),
            seeds: 6,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: cxcr2_offset,
        },
    ]
}

fn ratio_to_control(runs: &Runs, arm: &str, day: f64) -> Result<Vec<f64>, String> {
    let label = format!("CSC fraction day {day}");
    let c = runs.values("control", &label, |t| csc_fraction(t, day))?;
    let a = runs.values(arm, &label, |t| csc_fraction(t, day))?;
    Ok(a.iter().zip(&c).map(|(a, c)| a / c).collect())
}

fn enrichment(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let r = ratio_to_control(runs, "chemo", END)?;
    Ok(vec![Criterion::new(
        "CSC fraction day 106, chemo / control (geometric mean of paired ratios)",
        Estimate::log_mean(&r.iter().map(|r| r.ln()).collect::<Vec<_>>()),
        Rule::Band(2.0, 5.0),
    )])
}

fn persists(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let r = ratio_to_control(runs, "chemo", WEEK_AFTER)?;
    Ok(vec![Criterion::new(
        "CSC fraction day 113 (7 days after the last dose), chemo / control (geometric mean of paired ratios)",
        Estimate::log_mean(&r.iter().map(|r| r.ln()).collect::<Vec<_>>()),
        Rule::AtLeast(1.5),
    )])
}

fn cxcr2_offset(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let chemo = ratio_to_control(runs, "chemo", END)?;
    let combo = ratio_to_control(runs, "chemo_cxcr2i", END)?;
    // Half the chemo arm's excess minus the combination's: positive when the inhibitor
    // removes at least half of the excess.
    let margin: Vec<f64> = chemo
        .iter()
        .zip(&combo)
        .map(|(a, b)| 0.5 * (a - 1.0) - (b - 1.0))
        .collect();
    Ok(vec![Criterion::new(
        "half the chemo excess minus the combination's excess: (r_chemo - 1)/2 - (r_combo - 1), r = CSC fraction day 106 / control (paired mean)",
        Estimate::mean(&margin),
        Rule::Exceeds(0.0),
    )])
}
