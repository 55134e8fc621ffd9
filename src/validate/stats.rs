//! Estimates with confidence intervals, and the chance that a fresh block of seeds gives
//! the same verdict.
//!
//! Every statistic of the suite is one of three kinds of [`Estimate`]:
//!
//! | kind | built by | point value | interval (95 %) |
//! |---|---|---|---|
//! | mean over seeds | [`Estimate::mean`], [`Estimate::paired_difference`] | x̄ | x̄ ± t₀.₉₇₅,ₙ₋₁ · s/√n |
//! | geometric mean ratio | [`Estimate::paired_ratio`] | exp(mean ln(aᵢ/bᵢ)) | exp(mean ± t · se) |
//! | ratio of sums (pooled) | [`Estimate::pooled_ratio`] | Σyᵢ / Σxᵢ | delta method over seeds |
//! | proportion of seeds | [`Estimate::proportion`] | k / n | Wilson score |
//!
//! Seeds are the independent units: a pooled ratio Σyᵢ/Σxᵢ (cells of one kind over all
//! cells, colonies over arrested cells) gets the ratio estimator's variance
//! `Σ(yᵢ − r·xᵢ)² / (n(n − 1) x̄²)`, which counts the spread between seeds, not a binomial
//! variance that would treat the cells of one tumour as independent.

use statrs::distribution::{Binomial, ContinuousCDF, Discrete, Normal, StudentsT};

/// How an estimate and its interval were formed (the scale its standard error is on).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A mean on the natural scale, with `n − 1` degrees of freedom.
    Mean,
    /// A mean of logarithms, reported back on the natural scale (geometric mean ratio).
    LogMean,
    /// A ratio of sums, with its delta-method standard error (`n − 1` degrees of freedom).
    Pooled,
    /// A proportion `k / n` of seeds, with a Wilson score interval.
    Proportion {
        /// Seeds with the property.
        k: u64,
    },
}

/// A point estimate with its standard error and 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point value, on the natural scale.
    pub value: f64,
    /// Centre on the working scale (the natural scale, or ln for [`Kind::LogMean`]).
    pub centre: f64,
    /// Standard error on the working scale.
    pub se: f64,
    /// Lower end of the 95 % interval (natural scale).
    pub low: f64,
    /// Upper end of the 95 % interval (natural scale).
    pub high: f64,
    /// Seeds behind the estimate.
    pub n: usize,
    /// How it was formed.
    pub kind: Kind,
}

/// The two-sided 95 % quantile of Student's t with `n − 1` degrees of freedom (the
/// normal 1.96 for `n` ≥ 1000 or when `n` < 2).
pub fn t975(n: usize) -> f64 {
    if n < 2 {
        return f64::INFINITY;
    }
    match StudentsT::new(0.0, 1.0, (n - 1) as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => 1.96,
    }
}

/// The standard normal distribution function.
pub fn phi(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    Normal::standard().cdf(z)
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

impl Estimate {
    /// The mean of `x` over seeds, with the t interval.
    pub fn mean(x: &[f64]) -> Self {
        let (m, sd) = mean_sd(x);
        let se = sd / (x.len() as f64).sqrt();
        let t = t975(x.len());
        Estimate {
            value: m,
            centre: m,
            se,
            low: m - t * se,
            high: m + t * se,
            n: x.len(),
            kind: Kind::Mean,
        }
    }

    /// The mean paired difference `aᵢ − bᵢ` (arms run with the same seeds).
    pub fn paired_difference(a: &[f64], b: &[f64]) -> Self {
        let d: Vec<f64> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        Self::mean(&d)
    }

    /// The geometric mean of the paired ratios `aᵢ / bᵢ`: exp of the mean of
    /// `ln((aᵢ + offset) / (bᵢ + offset))`. `offset` (e.g. 1 for counts that may be 0)
    /// keeps the logarithm finite.
    pub fn paired_ratio(a: &[f64], b: &[f64], offset: f64) -> Self {
        let logs: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(a, b)| ((a + offset) / (b + offset)).ln())
            .collect();
        Self::log_mean(&logs)
    }

    /// A mean of logarithms, reported on the natural scale.
    pub fn log_mean(logs: &[f64]) -> Self {
        let m = Self::mean(logs);
        Estimate {
            value: m.centre.exp(),
            centre: m.centre,
            se: m.se,
            low: m.low.exp(),
            high: m.high.exp(),
            n: m.n,
            kind: Kind::LogMean,
        }
    }

    /// The pooled ratio `Σyᵢ / Σxᵢ` over seeds, with the ratio estimator's standard error.
    pub fn pooled_ratio(y: &[f64], x: &[f64]) -> Self {
        let n = x.len();
        let sx: f64 = x.iter().sum();
        let sy: f64 = y.iter().sum();
        let r = sy / sx;
        let se = if n < 2 || sx <= 0.0 {
            f64::NAN
        } else {
            let xbar = sx / n as f64;
            let ss: f64 = y.iter().zip(x).map(|(y, x)| (y - r * x).powi(2)).sum();
            (ss / (n as f64 * (n as f64 - 1.0))).sqrt() / xbar
        };
        let t = t975(n);
        Estimate {
            value: r,
            centre: r,
            se,
            low: r - t * se,
            high: r + t * se,
            n,
            kind: Kind::Pooled,
        }
    }

    /// The proportion of `n` seeds that have a property, `k` of them, with the Wilson score
    /// interval at 95 %.
    pub fn proportion(k: u64, n: usize) -> Self {
        let p = if n == 0 {
            f64::NAN
        } else {
            k as f64 / n as f64
        };
        let (low, high) =
            crate::compare::stats::wilson(k, n as u64, 1.959_963_984_540_054).unwrap_or((0.0, 1.0));
        Estimate {
            value: p,
            centre: p,
            se: (p * (1.0 - p) / n as f64).sqrt(),
            low,
            high,
            n,
            kind: Kind::Proportion { k },
        }
    }

    /// The ratio `a / b` of two positive estimates, on the log scale by the delta method:
    /// `se(ln a − ln b)² = (se_a/a)² + (se_b/b)²` (treating the two as independent, which
    /// overstates the spread when common seeds correlate them: conservative for an
    /// effect). Degrees of freedom from the smaller `n`.
    pub fn ratio_of(a: &Estimate, b: &Estimate) -> Self {
        let rel = |e: &Estimate| match e.kind {
            Kind::LogMean => e.se,
            _ => e.se / e.value,
        };
        let centre = a.value.ln() - b.value.ln();
        let se = (rel(a).powi(2) + rel(b).powi(2)).sqrt();
        let n = a.n.min(b.n);
        let t = t975(n);
        Estimate {
            value: centre.exp(),
            centre,
            se,
            low: (centre - t * se).exp(),
            high: (centre + t * se).exp(),
            n,
            kind: Kind::LogMean,
        }
    }

    /// P(a fresh block's count k of `n` seeds satisfies `pass`), k ~ Binomial(n, value).
    fn binomial_chance(&self, pass: impl Fn(u64) -> bool) -> f64 {
        let n = self.n as u64;
        let Ok(b) = Binomial::new(self.value.clamp(0.0, 1.0), n) else {
            return f64::NAN;
        };
        (0..=n).filter(|&k| pass(k)).map(|k| b.pmf(k)).sum()
    }

    /// The estimate's value mapped to the working scale (ln for geometric means).
    pub fn to_working(&self, x: f64) -> f64 {
        match self.kind {
            Kind::LogMean => {
                if x > 0.0 {
                    x.ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            _ => x,
        }
    }

    /// P(a fresh block of `n` seeds gives a point value in `[lo, hi]`), taking this
    /// estimate as the truth: the normal law of the working-scale mean, or the binomial
    /// law of a proportion.
    pub fn chance_value_in(&self, lo: f64, hi: f64) -> f64 {
        match self.kind {
            Kind::Proportion { .. } => self.binomial_chance(|k| {
                let v = k as f64 / self.n as f64;
                v >= lo - 1e-12 && v <= hi + 1e-12
            }),
            _ => {
                if self.se == 0.0 {
                    let v = self.centre;
                    let inside = v >= self.to_working(lo) && v <= self.to_working(hi);
                    return if inside { 1.0 } else { 0.0 };
                }
                phi((self.to_working(hi) - self.centre) / self.se)
                    - phi((self.to_working(lo) - self.centre) / self.se)
            }
        }
    }

    /// P(a fresh block's lower 95 % bound exceeds `x`), taking this estimate as the truth
    /// (normal approximation; a proportion uses its binomial law and Wilson bound).
    pub fn chance_low_above(&self, x: f64) -> f64 {
        match self.kind {
            Kind::Proportion { .. } => {
                self.binomial_chance(|k| Estimate::proportion(k, self.n).low > x)
            }
            _ => {
                let t = t975(self.n);
                if self.se == 0.0 {
                    return if self.centre > self.to_working(x) {
                        1.0
                    } else {
                        0.0
                    };
                }
                phi((self.centre - self.to_working(x)) / self.se - t)
            }
        }
    }

    /// P(a fresh block's upper 95 % bound stays below `x`), taking this estimate as the
    /// truth.
    pub fn chance_high_below(&self, x: f64) -> f64 {
        match self.kind {
            Kind::Proportion { .. } => {
                self.binomial_chance(|k| Estimate::proportion(k, self.n).high < x)
            }
            _ => {
                let t = t975(self.n);
                if self.se == 0.0 {
                    return if self.centre < self.to_working(x) {
                        1.0
                    } else {
                        0.0
                    };
                }
                phi((self.to_working(x) - self.centre) / self.se - t)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Student's t, two-sided 95 %: df 1 → 12.706, 7 → 2.365, 29 → 2.045.
        assert!((t975(2) - 12.706).abs() < 1e-3);
        assert!((t975(8) - 2.365).abs() < 1e-3);
        assert!((t975(30) - 2.045).abs() < 1e-3);
    }

    #[test]
    fn a_mean_has_the_t_interval() {
        let e = Estimate::mean(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.value, 2.5);
        let se = (5.0f64 / 3.0 / 4.0).sqrt();
        assert!((e.se - se).abs() < 1e-12);
        assert!((e.high - (2.5 + t975(4) * se)).abs() < 1e-12);
    }

    #[test]
    fn a_paired_ratio_is_a_geometric_mean() {
        let e = Estimate::paired_ratio(&[2.0, 8.0], &[1.0, 2.0], 0.0);
        assert!((e.value - (2.0f64 * 4.0).sqrt()).abs() < 1e-12);
        assert!(e.low < e.value && e.value < e.high);
    }

    #[test]
    fn a_pooled_ratio_of_proportional_seeds_has_no_spread() {
        // yᵢ = 0.1 xᵢ exactly: the ratio is 0.1 and its standard error 0.
        let e = Estimate::pooled_ratio(&[1.0, 2.0, 5.0], &[10.0, 20.0, 50.0]);
        assert!((e.value - 0.1).abs() < 1e-15);
        assert!(e.se.abs() < 1e-15);
    }

    #[test]
    fn the_pooled_ratio_se_is_the_ratio_estimators() {
        let (y, x) = ([1.0, 3.0, 2.0], [10.0, 20.0, 30.0]);
        let e = Estimate::pooled_ratio(&y, &x);
        let r = 6.0 / 60.0;
        let ss: f64 = [(1.0 - r * 10.0f64), 3.0 - r * 20.0, 2.0 - r * 30.0]
            .iter()
            .map(|d| d * d)
            .sum();
        assert!((e.se - (ss / 6.0).sqrt() / 20.0).abs() < 1e-15);
    }

    #[test]
    fn chances_of_a_fresh_block_follow_the_normal_law() {
        let e = Estimate {
            value: 0.0,
            centre: 0.0,
            se: 1.0,
            low: -2.0,
            high: 2.0,
            n: 1000,
            kind: Kind::Mean,
        };
        assert!((e.chance_value_in(-1.959_964, 1.959_964) - 0.95).abs() < 1e-6);
        // An effect of exactly 1.96 se is found half the time by a 95 % bound.
        let shifted = Estimate {
            centre: t975(1000),
            value: t975(1000),
            ..e
        };
        assert!((shifted.chance_low_above(0.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn chances_of_a_proportion_follow_the_binomial_law() {
        let e = Estimate::proportion(9, 10);
        // P(Bin(10, 0.9) ≥ 9) = 0.9^10 + 10·0.9^9·0.1.
        let p = 0.9f64.powi(10) + 10.0 * 0.9f64.powi(9) * 0.1;
        assert!((e.chance_value_in(0.9, 1.0) - p).abs() < 1e-12);
    }
}
