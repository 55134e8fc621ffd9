//! Percentile bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13): a
//! statistic of `G` groups (base samples, trajectories, runs) is recomputed on `B`
//! resamples of `G` groups drawn with replacement, and the interval is the 2.5 % and
//! 97.5 % quantiles of the `B` values. Resample `b` draws from its own stream
//! `(seed, purpose::SENSITIVITY, 0, b)`, so intervals do not depend on the thread count.

use rayon::prelude::*;

use crate::rng::{below, purpose, stream};

/// The coverage of the intervals.
pub const LEVEL: f64 = 0.95;

/// A point estimate and its bootstrap interval (`NaN` ends when no resample gave a
/// finite value, or with no resamples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The statistic of all groups.
    pub estimate: f64,
    /// Lower end of the [`LEVEL`] interval.
    pub ci_low: f64,
    /// Upper end of the [`LEVEL`] interval.
    pub ci_high: f64,
}

/// `statistic` of all `groups` (indices `0..groups`), and the percentile interval of
/// each of its values over `resamples` bootstrap resamples. `statistic` maps a list of
/// group indices (with repeats) to one value per reported quantity, always as many.
pub fn bootstrap(
    groups: usize,
    resamples: usize,
    seed: u64,
    statistic: impl Fn(&[usize]) -> Vec<f64> + Sync,
) -> Vec<Estimate> {
    let all: Vec<usize> = (0..groups).collect();
    let point = statistic(&all);
    let values: Vec<Vec<f64>> = (0..resamples as u64)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(seed, purpose::SENSITIVITY, 0, b);
            let pick: Vec<usize> = (0..groups).map(|_| below(&mut rng, groups)).collect();
            statistic(&pick)
        })
        .collect();
    point
        .iter()
        .enumerate()
        .map(|(q, &estimate)| {
            let mut d: Vec<f64> = values
                .iter()
                .map(|v| v[q])
                .filter(|v| v.is_finite())
                .collect();
            if d.is_empty() {
                return Estimate {
                    estimate,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                };
            }
            d.sort_by(f64::total_cmp);
            let tail = (1.0 - LEVEL) / 2.0;
            Estimate {
                estimate,
                ci_low: quantile_sorted(&d, tail),
                ci_high: quantile_sorted(&d, 1.0 - tail),
            }
        })
        .collect()
}

/// The `p`-quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy).
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 8.0);
        // h = 3 × 0.5 = 1.5: halfway between 2 and 4.
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
    }

    #[test]
    fn the_interval_of_a_mean_matches_its_normal_width_and_covers_it() {
        // The mean of 400 draws uniform on [0, 1): standard error sqrt(1/12/400) = 0.0144,
        // so the 95 % interval is about ±1.96 × 0.0144 = ±0.0283 wide around the mean.
        let mut rng = stream(5, purpose::SENSITIVITY, 1, 0);
        let x: Vec<f64> = (0..400).map(|_| crate::rng::uniform(&mut rng)).collect();
        let mean =
            |pick: &[usize]| vec![pick.iter().map(|&i| x[i]).sum::<f64>() / pick.len() as f64];
        let e = bootstrap(x.len(), 2000, 9, mean)[0];
        let half = (e.ci_high - e.ci_low) / 2.0;
        assert!((half - 0.0283).abs() < 0.004, "half width {half}");
        assert!(e.ci_low < e.estimate && e.estimate < e.ci_high);
        // The same on any number of threads: each resample has its own stream.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(one.install(|| bootstrap(x.len(), 2000, 9, mean))[0], e);
    }
}
