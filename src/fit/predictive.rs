//! Posterior predictive runs: simulations of parameter values drawn from the posterior,
//! each with a fresh seed, to set beside the data (`predictive.csv`).
//!
//! Draw `d` picks particle `j` of the last generation with probability `w_j` from the
//! stream `(seed, purpose::FIT, PREDICTIVE_GENERATION, d)` and simulates it with seed
//! [`candidate_seed`]`(seed, PREDICTIVE_GENERATION, d)`, a seed no candidate of the fit
//! used, so the spread of the runs holds both the posterior's and the model's own noise.
//!
//! `predictive.csv` has one row per draw and sampled time of the primary tumour: `draw,
//! particle, seed`, the fitted keys, `day`, and the observed outputs (in the data's column
//! order). Times are every 24 h when every observed day is whole, else every step, from
//! day 0 to the last observed day; a run that ended early (extinction) has rows up to its
//! end, and a run that failed has none.

use super::evaluate::timeseries;
use super::folder::param_names;
use super::population::{Population, cumulative_weights, pick};
use super::smc::candidate_seed;
use super::spec::FitSpec;
use super::tables::to_csv;
use crate::batch::each_on_pool;
use crate::error::RunError;
use crate::rng::{purpose, stream, uniform};

/// The pseudo-generation that keys the predictive draws' streams and seeds.
pub const PREDICTIVE_GENERATION: usize = 1 << 20;

/// One posterior predictive draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// The draw's number.
    pub draw: usize,
    /// The particle of the posterior it took.
    pub particle: usize,
    /// The seed of its simulation.
    pub seed: u64,
}

/// The `n` draws from `posterior` of a fit with seed `seed`.
pub fn draws(posterior: &Population, seed: u64, n: usize) -> Vec<Draw> {
    let cumulative = cumulative_weights(&posterior.weights);
    (0..n)
        .map(|d| {
            let mut rng = stream(seed, purpose::FIT, PREDICTIVE_GENERATION as u64, d as u64);
            let u = uniform(&mut rng);
            Draw {
                draw: d,
                particle: pick(&cumulative, u),
                seed: candidate_seed(seed, PREDICTIVE_GENERATION, d),
            }
        })
        .collect()
}

/// The distinct observed outputs, in the order of the data.
pub fn outputs(spec: &FitSpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &spec.observed.statistics {
        if !out.contains(&s.output) {
            out.push(s.output.clone());
        }
    }
    out
}

/// Simulates the draws on `pool` (one thread each) and returns the text of
/// `predictive.csv`.
pub fn predictive_csv(
    spec: &FitSpec,
    posterior: &Population,
    draws: &[Draw],
    pool: &rayon::ThreadPool,
) -> Result<String, RunError> {
    let outputs = outputs(spec);
    let mut header: Vec<String> = ["draw", "particle", "seed"].map(String::from).to_vec();
    header.extend(param_names(spec));
    header.push("day".into());
    header.extend(outputs.iter().cloned());
    let per_draw: Vec<Vec<Vec<String>>> = each_on_pool(pool, draws.len(), |i| {
        let d = &draws[i];
        let theta = &posterior.particles[d.particle];
        let Some(ts) = timeseries(spec, theta, d.seed) else {
            return Vec::new();
        };
        primary_rows(&ts, &outputs)
            .into_iter()
            .map(|(day, values)| {
                let mut r = vec![
                    d.draw.to_string(),
                    d.particle.to_string(),
                    d.seed.to_string(),
                ];
                r.extend(theta.iter().map(f64::to_string));
                r.push(day.to_string());
                r.extend(values);
                r
            })
            .collect()
    });
    let rows: Vec<Vec<String>> = per_draw.into_iter().flatten().collect();
    to_csv(&header, &rows)
}

/// The primary tumour's rows of a `timeseries.csv` text: the day and the cells of
/// `outputs`.
fn primary_rows(timeseries: &str, outputs: &[String]) -> Vec<(f64, Vec<String>)> {
    let mut reader = csv::Reader::from_reader(timeseries.as_bytes());
    let Ok(header) = reader.headers().cloned() else {
        return Vec::new();
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(time), Some(compartment)) = (col("time_h"), col("compartment")) else {
        return Vec::new();
    };
    let cols: Vec<Option<usize>> = outputs.iter().map(|o| col(o)).collect();
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.get(compartment) == Some("primary"))
        .filter_map(|r| {
            let hours: f64 = r.get(time)?.parse().ok()?;
            let values = cols
                .iter()
                .map(|c| c.and_then(|c| r.get(c)).unwrap_or("").to_string())
                .collect();
            Some((hours / 24.0, values))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_weights_and_never_pick_a_weightless_particle() {
        let p = Population {
            particles: vec![vec![0.0], vec![1.0], vec![2.0]],
            weights: vec![0.25, 0.0, 0.75],
            ..Population::default()
        };
        let d = draws(&p, 5, 4000);
        let count = |j| d.iter().filter(|x| x.particle == j).count() as f64;
        assert_eq!(count(1), 0.0);
        // Binomial(4000, 0.25): sd 27.4; 5 sd.
        assert!((count(0) - 1000.0).abs() < 137.0, "{}", count(0));
        assert_eq!(
            draws(&p, 5, 10),
            d[..10].to_vec(),
            "draws are keyed by number"
        );
        let seeds: std::collections::HashSet<u64> = d.iter().map(|x| x.seed).collect();
        assert_eq!(seeds.len(), d.len());
    }

    #[test]
    fn primary_rows_are_read_in_days() {
        let ts = "step,time_h,compartment,total,csc\n0,0,primary,1,1\n0,0,circulation,0,0\n\
                  24,24,primary,5,2\n";
        let rows = primary_rows(ts, &["csc".into(), "total".into()]);
        assert_eq!(
            rows,
            vec![
                (0.0, vec!["1".into(), "1".into()]),
                (1.0, vec!["2".into(), "5".into()])
            ]
        );
    }
}
