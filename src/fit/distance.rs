//! The distance between simulated and observed summary statistics: a weighted Euclidean
//! distance whose scales adapt to the spread of each generation's simulations (Prangle
//! 2017, "Adapting the ABC distance function", Bayesian Analysis 12:289; the
//! `AdaptivePNormDistance` of pyABC, Klinger, Rickert & Hasenauer 2018).
//!
//! | symbol | meaning |
//! |---|---|
//! | `s_j`, `s_obs,j` | simulated and observed summary statistic `j` (`j = 1 … m`) |
//! | `w_j ≥ 0` | the fixed weight of statistic `j` (1 by default) |
//! | `σ_j ≥ 0` | the measurement sd of the observed statistic (0 when not given) |
//! | `MAD_j = median_i ∣s_ij − median_i s_ij∣` | median absolute deviation of the simulations `i` of one generation |
//! | `r_j = 1.4826 MAD_j`, or their sd if that is 0 | the robust spread of the simulations |
//! | `scale_j = √(r_j² + σ_j²)`, or 1 if that is 0 | the scale of statistic `j` |
//! | `d(s, s_obs) = √(Σ_j w_j ((s_j − s_obs,j) / scale_j)²)` | the distance |
//!
//! **The scale rule.** Each generation re-estimates the scales from every summary it
//! simulated, accepted or not (pyABC's default; Prangle 2017 §3 estimates them from the
//! simulations of the generation that the new distance will be used to select from, and
//! the previous generation's simulations stand in for them): the median absolute deviation,
//! multiplied by 1.4826 so that it estimates the sd of normal data (Rousseeuw & Croux 1993)
//! and can be combined with a measurement sd; when more than half of the simulations share
//! one value the MAD is 0 and the sample sd (`n − 1`) is used; when that is 0 too (or there
//! are fewer than two values) the spread is 0. A measurement sd adds in quadrature, as the
//! sd of the difference between an observation with measurement error and a simulation.
//! A scale that is still 0 is set to 1, so that a constant statistic neither divides by 0
//! nor dominates. Non-finite values are left out of the estimates.

use crate::sensitivity::bootstrap::quantile_sorted;

/// The factor that makes the MAD a consistent estimator of the sd of normal data,
/// `1 / Φ⁻¹(3/4)`.
pub const MAD_TO_SD: f64 = 1.482_602_218_505_602;

/// The distance to the observed summary statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Distance {
    /// The observed summary statistics `s_obs`.
    pub observed: Vec<f64>,
    /// The weight `w_j` of each statistic (non-negative, not all 0).
    pub weights: Vec<f64>,
    /// The measurement sd `σ_j` of each observed statistic, if known (non-negative).
    pub measurement_sd: Option<Vec<f64>>,
}

/// The robust spread `r` of one statistic's simulated values: 1.4826 × MAD, or the sample
/// sd when the MAD is 0, or 0 (module docs). Non-finite values are left out.
pub fn robust_spread(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let median = quantile_sorted(&v, 0.5);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = MAD_TO_SD * quantile_sorted(&dev, 0.5);
    if mad > 0.0 {
        return mad;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

impl Distance {
    /// The distance to `observed` with unit weights and no measurement sd.
    pub fn new(observed: Vec<f64>) -> Self {
        let weights = vec![1.0; observed.len()];
        Distance {
            observed,
            weights,
            measurement_sd: None,
        }
    }

    /// The number of summary statistics `m`.
    pub fn stats(&self) -> usize {
        self.observed.len()
    }

    /// Checks that there is at least one statistic, all finite, one non-negative weight
    /// (not all 0) and one non-negative measurement sd per statistic.
    pub fn check(&self) -> Result<(), String> {
        let m = self.observed.len();
        if m == 0 {
            return Err("no observed summary statistics".into());
        }
        if let Some(j) = self.observed.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "observed statistic {j} is not finite ({})",
                self.observed[j]
            ));
        }
        if self.weights.len() != m {
            return Err(format!("{} weights for {m} statistics", self.weights.len()));
        }
        if self.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err("weights must be finite and non-negative".into());
        }
        if self.weights.iter().all(|&w| w == 0.0) {
            return Err("all weights are 0".into());
        }
        if let Some(sd) = &self.measurement_sd {
            if sd.len() != m {
                return Err(format!("{} measurement sds for {m} statistics", sd.len()));
            }
            if sd.iter().any(|s| !(s.is_finite() && *s >= 0.0)) {
                return Err("measurement sds must be finite and non-negative".into());
            }
        }
        Ok(())
    }

    /// The scales of the statistics estimated from `simulated` summaries (one vector of
    /// `m` values per simulation; the module docs give the rule).
    pub fn scales(&self, simulated: &[Vec<f64>]) -> Vec<f64> {
        (0..self.stats())
            .map(|j| {
                let column: Vec<f64> = simulated.iter().map(|s| s[j]).collect();
                let r = robust_spread(&column);
                let sigma = self.measurement_sd.as_ref().map_or(0.0, |sd| sd[j]);
                let scale = r.hypot(sigma);
                if scale > 0.0 { scale } else { 1.0 }
            })
            .collect()
    }

    /// `d(summary, s_obs)` with these scales; `+∞` if a statistic of `summary` with a
    /// positive weight is not finite.
    pub fn distance(&self, summary: &[f64], scales: &[f64]) -> f64 {
        assert_eq!(summary.len(), self.stats(), "one value per statistic");
        assert_eq!(scales.len(), self.stats(), "one scale per statistic");
        let mut sum = 0.0;
        for j in 0..self.stats() {
            let w = self.weights[j];
            if w == 0.0 {
                continue;
            }
            if !summary[j].is_finite() {
                return f64::INFINITY;
            }
            let z = (summary[j] - self.observed[j]) / scales[j];
            sum += w * z * z;
        }
        sum.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_the_scaled_mad_then_the_sd_then_zero() {
        // Median 3, deviations {2, 1, 0, 1, 7}: MAD 1.
        assert!((robust_spread(&[1.0, 2.0, 3.0, 4.0, 10.0]) - MAD_TO_SD).abs() < 1e-15);
        // Three of five equal: MAD 0, so the sd: mean 1.6, squares 3×0.36 + 2.56 + 11.56
        // = 15.2, / 4 = 3.8.
        let sd = robust_spread(&[1.0, 1.0, 1.0, 0.0, 5.0]);
        assert!((sd - 3.8f64.sqrt()).abs() < 1e-14, "{sd}");
        assert_eq!(robust_spread(&[2.0, 2.0, 2.0]), 0.0);
        assert_eq!(robust_spread(&[2.0]), 0.0);
        // Non-finite values are left out.
        assert_eq!(
            robust_spread(&[1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN]),
            robust_spread(&[1.0, 2.0, 3.0, 4.0, 10.0])
        );
    }

    #[test]
    fn mad_scale_estimates_the_sd_of_normal_data() {
        // 20 001 standard normal draws: the scaled MAD has a standard error of about
        // 1.17/√n = 0.0083 (Rousseeuw & Croux 1993); 4 of them.
        use crate::rng::{purpose, stream};
        let mut rng = stream(9, purpose::FIT, 500, 0);
        let x: Vec<f64> = (0..20_001)
            .map(|_| -> f64 {
                rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng)
            })
            .collect();
        assert!((robust_spread(&x) - 1.0).abs() < 4.0 * 0.0083);
    }

    #[test]
    fn scales_combine_spread_and_measurement_sd() {
        let mut d = Distance::new(vec![0.0, 0.0, 0.0]);
        d.measurement_sd = Some(vec![0.0, 0.0, 4.0]);
        d.check().unwrap();
        // Statistic 0 spreads (MAD 1), 1 is constant (scale 1), 2 constant with
        // measurement sd 4 (scale 4); statistic 0 again with an sd would add in quadrature.
        let sims: Vec<Vec<f64>> = [1.0, 2.0, 3.0, 4.0, 10.0]
            .iter()
            .map(|&v| vec![v, 7.0, 7.0])
            .collect();
        let s = d.scales(&sims);
        assert!((s[0] - MAD_TO_SD).abs() < 1e-15);
        assert_eq!(s[1], 1.0);
        assert_eq!(s[2], 4.0);
        d.measurement_sd = Some(vec![3.0, 0.0, 4.0]);
        let s = d.scales(&sims);
        assert!((s[0] - (MAD_TO_SD * MAD_TO_SD + 9.0).sqrt()).abs() < 1e-14);
    }

    #[test]
    fn distance_is_the_weighted_scaled_euclidean_norm() {
        let mut d = Distance::new(vec![1.0, 2.0, 3.0]);
        d.weights = vec![1.0, 4.0, 0.0];
        d.check().unwrap();
        // ((3 − 1)/2)² + 4 ((2 − 2)/1)² = 1; statistic 2 has weight 0 and is ignored,
        // even when not finite.
        let scales = [2.0, 1.0, 1.0];
        assert!((d.distance(&[3.0, 2.0, 100.0], &scales) - 1.0).abs() < 1e-15);
        assert!((d.distance(&[1.0, 3.0, f64::NAN], &scales) - 2.0).abs() < 1e-15);
        assert_eq!(d.distance(&[f64::NAN, 2.0, 3.0], &scales), f64::INFINITY);
    }

    #[test]
    fn check_rejects_inconsistent_distances() {
        let mut d = Distance::new(vec![1.0, 2.0]);
        d.weights = vec![0.0, 0.0];
        assert!(d.check().is_err());
        d.weights = vec![1.0];
        assert!(d.check().is_err());
        d.weights = vec![1.0, 1.0];
        d.measurement_sd = Some(vec![1.0, -1.0]);
        assert!(d.check().is_err());
        assert!(Distance::new(vec![f64::NAN]).check().is_err());
        assert!(Distance::new(vec![]).check().is_err());
    }
}
