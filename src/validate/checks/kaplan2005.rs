//! Kaplan et al. 2005 (Nature 438:820): VEGFR1+ bone-marrow haematopoietic progenitor
//! cells (HPCs) cluster in the lung and make the pre-metastatic niche before tumour cells
//! arrive; organs without HPC homing stay free of niches; blocking VEGFR1 prevents the
//! niche and most metastases. The shipped scenario `configs/kaplan2005-niche.toml` (a
//! tumour grown from one implanted CSC with the whole baseline model, 35 days), with and
//! without anti-VEGFR1 (mobilisation × 0.05 from day 0), common seeds.
//!
//! A run whose lung niche never forms is counted with the run's last day (35) as its niche
//! day: a lower bound, which can only make the band check harder to pass from below.

use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

const SOURCE: &str = "Kaplan et al. 2005, Nature 438:820";
const DAYS: f64 = 35.0;

fn control() -> Arm {
    Arm {
        label: "control".into(),
        scenario: Scenario::new(
            "kaplan2005",
            Base::Baseline,
            &["kaplan2005-niche.toml"],
            &[],
        ),
    }
}

fn treated() -> Arm {
    Arm {
        label: "anti_vegfr1".into(),
        scenario: Scenario::new(
            "kaplan2005-anti-vegfr1",
            Base::Baseline,
            &["kaplan2005-niche.toml"],
            &["niche.vegfr1_blockade=0.95"],
        ),
    }
}

/// The four checks.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "kaplan2005.niche_first",
            source: SOURCE,
            claim: "The lung niche forms 10-16 days after implantation, and before the first tumour cell arrives in the lung (in at least 80 % of tumours).",
            arms: vec![control()],
            seeds: 12,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: niche_first,
        },
        Check {
            name: "kaplan2005.hpc_plateau",
            source: SOURCE,
            claim: "Lung HPC clusters plateau at 2-4x the half-saturation count K_H (mean over days 25-35), instead of growing with the tumour.",
            arms: vec![control()],
            seeds: 12,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: hpc_plateau,
        },
        Check {
            name: "kaplan2005.brain_spared",
            source: SOURCE,
            claim: "An organ with little HPC homing (brain) forms no niche: its highest niche level through day 35 stays below 0.5.",
            arms: vec![control()],
            seeds: 12,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: brain_spared,
        },
        Check {
            name: "kaplan2005.anti_vegfr1",
            source: SOURCE,
            claim: "Anti-VEGFR1 (0.95 from day 0) keeps the lung niche level below 0.5 through day 35 and halves the CSC-founded colonies (or better).",
            arms: vec![control(), treated()],
            seeds: 12,
            quick: true,
            power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
            evaluate: anti_vegfr1,
        },
    ]
}

fn niche_first(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let day = runs.values("control", "lung niche day", |t| {
        let d = t.summary("niche_day_lung")?;
        Ok(if d.is_nan() { DAYS } else { d })
    })?;
    let before = runs.values(
        "control",
        "lung niche before first lung arrival (1/0)",
        |t| {
            let niche = t.summary("niche_day_lung")?;
            let arrival = t.summary("first_arrival_day_lung")?;
            Ok(match (niche.is_nan(), arrival.is_nan()) {
                (_, true) => f64::from(!niche.is_nan()),
                (true, false) => 0.0,
                (false, false) => f64::from(niche < arrival),
            })
        },
    )?;
    let k = before.iter().filter(|&&b| b == 1.0).count() as u64;
    Ok(vec![
        Criterion::new(
            "day the lung niche forms (mean; 35 if never)",
            Estimate::mean(&day),
            Rule::Band(10.0, 16.0),
        ),
        Criterion::new(
            "share of tumours whose lung niche forms before the first lung arrival (no arrival: formed by day 35)",
            Estimate::proportion(k, before.len()),
            Rule::AtLeast(0.8),
        ),
    ])
}

fn hpc_plateau(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let ratio = runs.values("control", "lung HPCs / K_H, mean of days 25-35", |t| {
        let s = t.series("lung", "hpcs")?;
        let v: Vec<f64> = s
            .iter()
            .filter(|(d, _)| (25.0..=DAYS).contains(d))
            .map(|(_, h)| *h)
            .collect();
        if v.is_empty() {
            return Err("no lung rows between days 25 and 35".into());
        }
        Ok(v.iter().sum::<f64>() / v.len() as f64 / t.config.niche.k_hpc)
    })?;
    Ok(vec![Criterion::new(
        "lung HPCs / K_H, mean of days 25-35 (mean over seeds)",
        Estimate::mean(&ratio),
        Rule::Band(2.0, 4.0),
    )])
}

fn brain_spared(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let level = runs.values("control", "highest brain niche level", |t| {
        t.max_between("brain", "niche_level", 0.0, DAYS)
    })?;
    Ok(vec![Criterion::new(
        "highest brain niche level through day 35 (mean)",
        Estimate::mean(&level),
        Rule::AtMost(0.5),
    )])
}

fn anti_vegfr1(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let level = runs.values("anti_vegfr1", "highest lung niche level", |t| {
        t.max_between("lung", "niche_level", 0.0, DAYS)
    })?;
    let colonies = |a| runs.values(a, "CSC-founded colonies", |t| t.summary("csc_colonies"));
    let (c0, c1) = (colonies("control")?, colonies("anti_vegfr1")?);
    Ok(vec![
        Criterion::new(
            "highest lung niche level through day 35 under anti-VEGFR1 (mean)",
            Estimate::mean(&level),
            Rule::AtMost(0.5),
        ),
        Criterion::new(
            "CSC-founded colonies, anti-VEGFR1 / control (pooled ratio over seeds)",
            Estimate::pooled_ratio(&c1, &c0),
            Rule::AtMost(0.5),
        ),
    ])
}
