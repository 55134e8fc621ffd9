//! What therapy does to the tumour's shedding and regrowth, on the shipped therapy setting
//! (`configs/therapy-baseline.toml`: the baseline model, treatment from day 60), stopped on
//! day 100 (40 days after the start, 22 after the last radiation fraction). Arms with
//! common seeds: untreated, chemotherapy (`configs/therapies/chemo.toml`), radiation
//! (`configs/therapies/radiation.toml`, 15 × 2 Gy, days 60-78) and surgery
//! (`configs/therapies/surgery.toml`, 99.9 % resection on day 60). Until day 60 the arms
//! of one seed are the same tumour, draw for draw.
//!
//! - Perforation: cells shed into the blood per primary cell and day over days 60-100,
//!   treated / untreated. Shedding by mass makes its expectation exactly 1 whatever the
//!   holes, so the rule is a margin: the 95 % interval of the ratio lies below 1.1 (the
//!   per-rim-cell rule of model v1 gave 2-6).
//! - Regrowth: after the nadir that follows the last radiation fraction (or the
//!   resection), the days the primary takes to double, against the days the untreated
//!   tumour of the same seed took to double from the same size on its way up. A primary
//!   that has not doubled by day 100 counts with the days it had (a lower bound); one that
//!   died out counts likewise, against the untreated doubling from one cell.
//! - Surgery: days from the resection until the primary is back at its pre-surgery size
//!   (`time_to_relapse_days`; a run without relapse by day 100 counts 40, a lower bound).

use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;
use crate::validate::tables::RunTables;

const START: f64 = 60.0;
const END: f64 = 100.0;

fn arm(label: &'static str, therapy: Option<&'static str>) -> Arm {
    let mut files = vec!["therapy-baseline.toml"];
    files.extend(therapy);
    Arm {
        label: label.into(),
        scenario: Scenario::new(
            &format!("therapy-{label}-100d"),
            Base::Baseline,
            &files,
            &["run.days=100"],
        ),
    }
}

fn control() -> Arm {
    arm("untreated", None)
}

fn radiation() -> Arm {
    arm("radiation", Some("therapies/radiation.toml"))
}

fn surgery() -> Arm {
    arm("surgery", Some("therapies/surgery.toml"))
}

/// The three checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "therapy.perforation",
            source: "Butler & Gullino 1975, Cancer Res 35:512 (shedding scales with tumour mass)",
            claim: "Chemotherapy and radiation do not raise the cells shed per primary cell: days 60-100, treated / untreated below 1.1 (95 % CI; with shedding by mass the expectation is 1).",
            arms: vec![
                control(),
                arm("chemo", Some("therapies/chemo.toml")),
                radiation(),
            ],
            seeds: 6,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: perforation,
        },
        Check {
            name: "therapy.regrowth",
            source: "xenograft and clinical regrowth after cytoreduction [A]",
            claim: "After radiation or resection the primary regrows no faster than the untreated tumour grew at the same size: doubling time ratio at least 1.",
            arms: vec![control(), radiation(), surgery()],
            seeds: 6,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: regrowth,
        },
        Check {
            name: "therapy.surgery",
            source: "[A] (a resected mass regrows over weeks to months)",
            claim: "After resection of all but 1e-3 of the primary, regrowth to the pre-surgery size takes at least 4 weeks.",
            arms: vec![surgery()],
            seeds: 6,
            quick: false,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: surgery_time,
        },
    ]
}

/// Shed cells per primary cell-day over days 60-100.
fn shedding(t: &RunTables) -> Result<f64, String> {
    let entered =
        t.at_day("circulation", "entered", END)? - t.at_day("circulation", "entered", START)?;
    let cell_days = t.sum_between("primary", "total", START, END)?;
    Ok(entered / cell_days)
}

fn perforation(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let rate = |a| runs.values(a, "shed cells per primary cell-day, days 60-100", shedding);
    let r0 = rate("untreated")?;
    let mut out = Vec::new();
    for arm in ["chemo", "radiation"] {
        let r = rate(arm)?;
        out.push(Criterion::new(
            format!("shed cells per primary cell-day (days 60-100), {arm} / untreated (geometric mean of paired ratios)"),
            Estimate::paired_ratio(&r, &r0, 0.0),
            Rule::Under(1.1),
        ));
    }
    Ok(out)
}

/// First day (≥ `from`) on which the primary holds at least `n` cells.
fn first_day_at_least(t: &RunTables, n: f64, from: f64) -> Result<Option<f64>, String> {
    Ok(t.series("primary", "total")?
        .into_iter()
        .find(|(d, v)| *d >= from - 1e-9 && *v >= n)
        .map(|(d, _)| d))
}

/// Doubling time after the nadir that follows `after` in the treated run, and the
/// untreated run's doubling time from the same size.
fn doubling_pair(
    treated: &RunTables,
    untreated: &RunTables,
    after: f64,
) -> Result<(f64, f64), String> {
    let (nadir_day, nadir) = treated
        .series("primary", "total")?
        .into_iter()
        .filter(|(d, _)| *d >= after - 1e-9)
        .fold((f64::NAN, f64::INFINITY), |best, (d, v)| {
            if v < best.1 { (d, v) } else { best }
        });
    if !nadir.is_finite() {
        return Err(format!("no primary series after day {after}"));
    }
    // A primary that died out never regrows: its doubling time is censored at the end of
    // the run, against the untreated tumour's doubling from one cell.
    let treated_doubling = match (nadir > 0.0)
        .then(|| first_day_at_least(treated, 2.0 * nadir, nadir_day))
        .transpose()?
        .flatten()
    {
        Some(d) => d - nadir_day,
        None => END - nadir_day,
    };
    let nadir = nadir.max(1.0);
    let up = first_day_at_least(untreated, nadir, 0.0)?;
    let up2 = first_day_at_least(untreated, 2.0 * nadir, 0.0)?;
    let untreated_doubling = match (up, up2) {
        (Some(a), Some(b)) => (b - a).max(1.0),
        _ => {
            return Err(format!(
                "the untreated tumour never doubled from {nadir} cells"
            ));
        }
    };
    Ok((treated_doubling, untreated_doubling))
}

fn regrowth(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let untreated = runs.arm("untreated")?;
    let mut out = Vec::new();
    for (arm, after) in [("radiation", 78.0), ("surgery", START)] {
        let treated = runs.arm(arm)?;
        let pairs: Vec<(f64, f64)> = treated
            .iter()
            .zip(untreated)
            .map(|(t, u)| doubling_pair(t, u, after))
            .collect::<Result<_, _>>()?;
        let td: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let ud: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        runs.record(arm, "doubling time after the nadir (days)", &td);
        runs.record(
            "untreated",
            &format!("untreated doubling time from the {arm} nadir size (days)"),
            &ud,
        );
        out.push(Criterion::new(
            format!("doubling time after {arm} / untreated doubling time at the same size (geometric mean of paired ratios)"),
            Estimate::paired_ratio(&td, &ud, 0.0),
            Rule::AtLeast(1.0),
        ));
    }
    Ok(out)
}

fn surgery_time(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let days = runs.values("surgery", "days to regrow past the pre-surgery size", |t| {
        let d = t.summary("time_to_relapse_days")?;
        Ok(if d.is_nan() { END - START } else { d })
    })?;
    Ok(vec![Criterion::new(
        "days from resection to the pre-surgery size (mean; 40 if not by day 100)",
        Estimate::mean(&days),
        Rule::AtLeast(28.0),
    )])
}
