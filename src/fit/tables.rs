//! The tables of a completed fit: `posterior.csv` (every generation's particles) and
//! `generations.csv` (one row per generation).
//!
//! | table | one row per | columns |
//! |---|---|---|
//! | `posterior.csv` | accepted particle of each generation | `generation, particle, weight, distance, seed`, the fitted keys, the statistics (`<output>_day<day>`) |
//! | `generations.csv` | completed generation | `generation, epsilon, particles, runs, acceptance_rate, ess, failed, out_of_prior`, then per fitted key `<key>_mean, <key>_sd, <key>_q05, <key>_q50, <key>_q95` (weighted) |
//!
//! The last generation is the posterior sample; its weights sum to 1. Generation 0's
//! `epsilon` is `inf` (it accepts every successful draw from the prior) and its
//! distances are measured with its own scales. Numbers are written in the shortest form
//! that reads back to the same `f64`.

use super::folder::{param_names, statistic_names};
use super::smc::Fit;
use super::spec::FitSpec;
use crate::error::RunError;

/// Quantiles of each fitted key in `generations.csv`.
pub const QUANTILES: [(f64, &str); 3] = [(0.05, "q05"), (0.5, "q50"), (0.95, "q95")];

/// The text of `posterior.csv`.
pub fn posterior_csv(spec: &FitSpec, fit: &Fit) -> Result<String, RunError> {
    let mut header: Vec<String> = ["generation", "particle", "weight", "distance", "seed"]
        .map(String::from)
        .to_vec();
    header.extend(param_names(spec));
    header.extend(statistic_names(spec));
    let mut rows = Vec::new();
    for p in &fit.populations {
        for i in 0..p.size() {
            let mut r = vec![
                p.generation.to_string(),
                i.to_string(),
                p.weights[i].to_string(),
                p.distances[i].to_string(),
                p.seeds[i].to_string(),
            ];
            r.extend(p.particles[i].iter().map(f64::to_string));
            r.extend(p.summaries[i].iter().map(f64::to_string));
            rows.push(r);
        }
    }
    to_csv(&header, &rows)
}

/// The text of `generations.csv`.
pub fn generations_csv(spec: &FitSpec, fit: &Fit) -> Result<String, RunError> {
    let mut header: Vec<String> = [
        "generation",
        "epsilon",
        "particles",
        "runs",
        "acceptance_rate",
        "ess",
        "failed",
        "out_of_prior",
    ]
    .map(String::from)
    .to_vec();
    for key in param_names(spec) {
        header.push(format!("{key}_mean"));
        header.push(format!("{key}_sd"));
        header.extend(QUANTILES.iter().map(|(_, q)| format!("{key}_{q}")));
    }
    let rows = fit
        .populations
        .iter()
        .map(|p| {
            let mut r = vec![
                p.generation.to_string(),
                p.epsilon.to_string(),
                p.size().to_string(),
                p.runs.to_string(),
                p.acceptance_rate.to_string(),
                p.ess.to_string(),
                p.failed.to_string(),
                p.out_of_prior.to_string(),
            ];
            let (mean, sd) = (p.mean(), p.sd());
            for k in 0..spec.priors.dim() {
                r.push(mean[k].to_string());
                r.push(sd[k].to_string());
                r.extend(QUANTILES.iter().map(|(q, _)| p.quantile(k, *q).to_string()));
            }
            r
        })
        .collect::<Vec<_>>();
    to_csv(&header, &rows)
}

/// A table of string cells as CSV text.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> Result<String, RunError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| RunError::Other(format!("cannot write a fit table: {e}"));
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(r).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.into_error().into()))?;
    Ok(String::from_utf8(bytes).expect("UTF-8 cells"))
}
