//! Morton et al. 2011 (Cancer Res 71:5040) and Poleszczuk & Enderling 2014: the CSC
//! fraction falls by orders of magnitude as the progenitors' proliferative capacity ρmax
//! grows. R0 from one CSC, 40 days (or 2 × 10⁵ cells), ρmax ∈ {5, 10, 15, 20} at each
//! p_s ∈ {0.1, 0.2, 0.3}: the setting of `configs/sweeps/rho-max.toml`.
//!
//! The statistic is the pooled CSC fraction of each point (all CSCs over all cells of its
//! seeds, with the ratio estimator's between-seed standard error), not a median of
//! per-seed fractions: at ρmax = 20 a tumour holds a handful of CSCs, and a median of 4
//! such fractions is what made the earlier fixed-seed test depend on its seeds.

use super::{primary_cells, primary_cscs};
use crate::validate::check::{Arm, Check, Runs};
use crate::validate::rule::{Criterion, Rule};
use crate::validate::scenario::{Base, Scenario};
use crate::validate::stats::Estimate;

const RHO: [u32; 4] = [5, 10, 15, 20];
const PS: [&str; 3] = ["0.1", "0.2", "0.3"];
const DAYS: f64 = 40.0;

fn label(rho: u32, ps: &str) -> String {
    format!("rho{rho}_ps{ps}")
}

/// The check.
pub fn checks() -> Vec<Check> {
    let mut arms = Vec::new();
    for ps in PS {
        for rho in RHO {
            let sets = [
                format!("cells.rho_max={rho}"),
                format!("cells.p_symmetric={ps}"),
                "run.days=40".to_string(),
                "run.stop_at_cells=200000".to_string(),
            ];
            let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
            arms.push(Arm {
                label: label(rho, ps),
                scenario: Scenario::new(
                    &format!("r0-rho{rho}-ps{ps}-40d"),
                    Base::ReferenceR0,
                    &[],
                    &sets,
                ),
            });
        }
    }
    vec![Check {
        name: "morton2011.rho_max",
        source: "Morton et al. 2011, Cancer Res 71:5040; Poleszczuk & Enderling 2014",
        claim: "At every p_s (0.1, 0.2, 0.3) the pooled CSC fraction on day 40 falls at each step of rho_max (5, 10, 15, 20), by more than 50-fold from 5 to 20.",
        arms,
        seeds: 16,
        quick: true,
        power_note: "Empirical power: 10 independent blocks of fresh seeds (scripts/validate.sh: seedsoil validate --quick --blocks 10 --seed 777); the blocks passed are in docs/validation.md.",
        evaluate,
    }]
}

fn pooled(runs: &Runs, rho: u32, ps: &str) -> Result<Estimate, String> {
    let l = label(rho, ps);
    let csc = runs.values(&l, "CSCs day 40", |t| primary_cscs(t, DAYS))?;
    let all = runs.values(&l, "primary cells day 40", |t| primary_cells(t, DAYS))?;
    Ok(Estimate::pooled_ratio(&csc, &all))
}

fn evaluate(runs: &Runs) -> Result<Vec<Criterion>, String> {
    let mut out = Vec::new();
    for ps in PS {
        let f: Vec<Estimate> = RHO
            .iter()
            .map(|&r| pooled(runs, r, ps))
            .collect::<Result<_, _>>()?;
        for k in 0..3 {
            out.push(Criterion::new(
                format!(
                    "pooled CSC fraction, rho_max {} / {} at p_s {ps}",
                    RHO[k],
                    RHO[k + 1]
                ),
                Estimate::ratio_of(&f[k], &f[k + 1]),
                Rule::Exceeds(1.0),
            ));
        }
        out.push(Criterion::new(
            format!("pooled CSC fraction, rho_max 5 / 20 at p_s {ps}"),
            Estimate::ratio_of(&f[0], &f[3]),
            Rule::AtLeast(50.0),
        ));
    }
    Ok(out)
}
