//! One generation of ABC-SMC: its weighted particles and how they were obtained, with
//! the weighted summaries of a posterior sample (mean, sd, quantiles, credible
//! intervals).
//!
//! | symbol | meaning |
//! |---|---|
//! | `θ_i`, `w_i` | particle `i` and its normalised weight (`Σ_i w_i = 1`) |
//! | `mean = Σ_i w_i θ_i` | weighted mean ([`Population::mean`]) |
//! | `sd = √(Σ_i w_i (θ_i − mean)²)` | weighted sd, plug-in ([`Population::sd`]) |
//! | `ESS = 1 / Σ_i w_i²` | effective sample size (Kish 1965; Liu 1996) |
//! | `P_k = C_k − w_k / 2` | plotting position of the `k`-th smallest value, `C_k` the cumulative weight up to it |
//!
//! **Weighted quantiles** ([`weighted_quantile`]) interpolate linearly between the
//! plotting positions `P_k`, the mid-points of each value's step of the weighted
//! distribution function, and are the smallest (largest) value below `P_1` (above
//! `P_n`). With equal weights `P_k = (k − ½) / n`, Hyndman & Fan's type 5; a value with
//! weight 0 takes no part. The credible interval at `level` is the pair of quantiles
//! `(1 − level)/2` and `(1 + level)/2` (equal tails).

/// One completed generation of an ABC-SMC fit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Population {
    /// Its index `t` (0 = the prior sample).
    pub generation: usize,
    /// The tolerance `ε_t` its particles met (`+∞` for generation 0).
    pub epsilon: f64,
    /// The accepted parameter vectors, in candidate order.
    pub particles: Vec<Vec<f64>>,
    /// Their normalised importance weights.
    pub weights: Vec<f64>,
    /// Their distances to the observed statistics, with [`Population::scales`].
    pub distances: Vec<f64>,
    /// Their simulated summary statistics.
    pub summaries: Vec<Vec<f64>>,
    /// The simulation seeds of their runs (to rerun an accepted simulation).
    pub seeds: Vec<u64>,
    /// The scales of the distance this generation accepted with.
    pub scales: Vec<f64>,
    /// The scales estimated from every summary this generation simulated, accepted or
    /// not: those of the next generation's distance.
    pub next_scales: Vec<f64>,
    /// Accepted particles per simulation run, `population / runs`.
    pub acceptance_rate: f64,
    /// The effective sample size `1 / Σ w_i²`.
    pub ess: f64,
    /// Simulation runs this generation used (failed ones included).
    pub runs: u64,
    /// Runs that failed (no summary, or a non-finite one), counted as rejected.
    pub failed: u64,
    /// Proposals outside the prior's support, redrawn without simulating.
    pub out_of_prior: u64,
}

/// The `p`-quantile of `values` with `weights` (non-negative, any total), interpolated
/// between plotting positions (module docs). `NaN` if no value has a positive weight.
pub fn weighted_quantile(values: &[f64], weights: &[f64], p: f64) -> f64 {
    assert_eq!(values.len(), weights.len(), "one weight per value");
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .map(|(&v, &w)| (v, w))
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    let p = p.clamp(0.0, 1.0);
    let mut cumulative = 0.0;
    let mut previous: Option<(f64, f64)> = None; // (position, value)
    for &(v, w) in &pairs {
        let position = (cumulative + 0.5 * w) / total;
        cumulative += w;
        if p <= position {
            return match previous {
                None => v,
                Some((p0, v0)) => {
                    let f = (p - p0) / (position - p0);
                    v0 + f * (v - v0)
                }
            };
        }
        previous = Some((position, v));
    }
    pairs[pairs.len() - 1].0
}

/// The cumulative normalised weights of a population: particle `j` is drawn for a
/// uniform `u` in `[0, 1)` by [`pick`].
pub fn cumulative_weights(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w / total;
            Some(*acc)
        })
        .collect()
}

/// The particle that a uniform `u` in `[0, 1)` picks from `cumulative`
/// ([`cumulative_weights`]): particle `j` with probability `w_j`.
pub fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative
        .partition_point(|&c| c <= u)
        .min(cumulative.len().saturating_sub(1))
}

impl Population {
    /// The number of particles.
    pub fn size(&self) -> usize {
        self.particles.len()
    }

    /// The values of parameter `k` across particles.
    pub fn column(&self, k: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p[k]).collect()
    }

    /// The weighted mean of each parameter.
    pub fn mean(&self) -> Vec<f64> {
        let d = self.particles.first().map_or(0, Vec::len);
        (0..d)
            .map(|k| {
                self.particles
                    .iter()
                    .zip(&self.weights)
                    .map(|(p, w)| w * p[k])
                    .sum()
            })
            .collect()
    }

    /// The weighted (plug-in) sd of each parameter.
    pub fn sd(&self) -> Vec<f64> {
        self.mean()
            .iter()
            .enumerate()
            .map(|(k, m)| {
                self.particles
                    .iter()
                    .zip(&self.weights)
                    .map(|(p, w)| w * (p[k] - m).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }

    /// The weighted `p`-quantile of parameter `k`.
    pub fn quantile(&self, k: usize, p: f64) -> f64 {
        weighted_quantile(&self.column(k), &self.weights, p)
    }

    /// The equal-tailed credible interval of parameter `k` at `level` (e.g. 0.9: the 5 %
    /// and 95 % weighted quantiles).
    pub fn credible_interval(&self, k: usize, level: f64) -> (f64, f64) {
        let tail = 0.5 * (1.0 - level);
        (self.quantile(k, tail), self.quantile(k, 1.0 - tail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{purpose, stream, uniform};

    #[test]
    fn equal_weights_give_the_type_5_quantile() {
        // n = 4: positions 1/8, 3/8, 5/8, 7/8.
        let v = [4.0, 1.0, 3.0, 2.0];
        let w = [1.0; 4];
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.5);
        assert_eq!(weighted_quantile(&v, &w, 0.125), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.25), 1.5);
        assert_eq!(weighted_quantile(&v, &w, 0.01), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.99), 4.0);
    }

    #[test]
    fn a_weight_counts_as_repeats_and_zero_weights_drop_out() {
        // Weights 1, 3 on values 0, 1: positions 1/8 and 5/8; the median is at
        // 0 + (0.5 − 0.125)/(0.5) = 0.75.
        assert_eq!(weighted_quantile(&[0.0, 1.0], &[1.0, 3.0], 0.5), 0.75);
        assert_eq!(
            weighted_quantile(&[0.0, 1.0, 100.0], &[1.0, 3.0, 0.0], 0.99),
            1.0
        );
        assert!(weighted_quantile(&[1.0], &[0.0], 0.5).is_nan());
    }

    #[test]
    fn importance_weighted_quantiles_recover_the_target() {
        // Draws uniform on [0, 1) weighted by 2x target the density 2x: its p-quantile is
        // √p. The delta-method standard error of an importance-weighted quantile,
        // √(E[w² (1{x ≤ q} − p)²] / n) / f(q), is at most 0.0013 here (at the median,
        // n = 100 000); 0.006 is about 4.5 of them.
        let mut rng = stream(2, purpose::FIT, 900, 0);
        let v: Vec<f64> = (0..100_000).map(|_| uniform(&mut rng)).collect();
        let w: Vec<f64> = v.iter().map(|x| 2.0 * x).collect();
        for p in [0.05, 0.5, 0.95] {
            let q = weighted_quantile(&v, &w, p);
            assert!((q - p.sqrt()).abs() < 0.006, "p {p}: {q} vs {}", p.sqrt());
        }
    }

    #[test]
    fn population_summaries_are_weighted() {
        let pop = Population {
            generation: 0,
            epsilon: f64::INFINITY,
            particles: vec![vec![0.0, 1.0], vec![2.0, 1.0]],
            weights: vec![0.25, 0.75],
            distances: vec![0.0, 0.0],
            summaries: vec![vec![0.0], vec![0.0]],
            seeds: vec![1, 2],
            scales: vec![1.0],
            next_scales: vec![1.0],
            acceptance_rate: 1.0,
            ess: 1.6,
            runs: 2,
            failed: 0,
            out_of_prior: 0,
        };
        assert_eq!(pop.mean(), [1.5, 1.0]);
        // sd² = ¼ · 2.25 + ¾ · 0.25 = 0.75.
        assert!((pop.sd()[0] - 0.75f64.sqrt()).abs() < 1e-15);
        assert_eq!(pop.sd()[1], 0.0);
        // Positions 1/8 and 5/8: the 5 % quantile is the smallest value, the 95 % the
        // largest.
        assert_eq!(pop.credible_interval(0, 0.9), (0.0, 2.0));
    }
}
