//! Prior distributions of the fitted parameters: one [`Prior`] per parameter, their
//! product in [`Priors`] (parameters independent a priori).
//!
//! | family | support | density `π(x)` | draw |
//! |---|---|---|---|
//! | `Uniform { lo, hi }` | `[lo, hi]` | `1 / (hi − lo)` | `lo + (hi − lo) u` |
//! | `LogUniform { lo, hi }` (`0 < lo`) | `[lo, hi]` | `1 / (x ln(hi / lo))` | `exp(ln lo + ln(hi / lo) u)` |
//! | `Normal { mean, sd }` | `ℝ` | `φ((x − mean) / sd) / sd` | `mean + sd z` |
//! | `TruncatedNormal { mean, sd, lo, hi }` | `[lo, hi]` | `φ((x − mean) / sd) / (sd Z)` | inverse CDF |
//!
//! with `u` uniform on `[0, 1)`, `z` standard normal (`rand_distr::StandardNormal`), `φ`
//! and `Φ` the standard normal density and distribution function, `α = (lo − mean) / sd`,
//! `β = (hi − mean) / sd` and `Z = Φ(β) − Φ(α)` the mass the truncation keeps.
//!
//! A truncated normal is drawn by inversion, `x = mean + sd Φ⁻¹(Φ(α) + u Z)` (Robert
//! 1995, "Simulation of truncated normal variables", §1). When the interval lies in the
//! upper tail (`α > 0`) it is reflected to `[−β, −α]` first, so that `Φ` is evaluated
//! where it is small and keeps its relative precision; the same reflection computes `Z`.
//! The closed-form moments ([`Prior::mean`], [`Prior::variance`]) are those of Johnson,
//! Kotz & Balakrishnan 1994, *Continuous univariate distributions* vol. 1, §10.1.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use statrs::function::erf::{erfc, erfc_inv};

use crate::rng::uniform;

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The prior of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Uniform in `ln x` on `[lo, hi]`, `0 < lo` (scale parameters spanning decades).
    LogUniform {
        /// Lower bound (> 0).
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Normal with this mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// A normal (of this mean and sd before truncation) restricted to `[lo, hi]`.
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal (> 0).
        sd: f64,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// The standard normal distribution function `Φ(x) = erfc(−x / √2) / 2`.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile `Φ⁻¹(p) = −√2 erfc⁻¹(2p)`.
fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// The standard normal density `φ(x)`.
fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x - LN_SQRT_2PI).exp()
}

/// `Φ(b) − Φ(a)` for `a < b`, computed on the lower side of 0 (by reflection when
/// `a > 0`) where `Φ` keeps its relative precision.
fn normal_mass(a: f64, b: f64) -> f64 {
    if a > 0.0 {
        normal_cdf(-a) - normal_cdf(-b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}

impl Prior {
    /// A draw from the prior, using the uniform and normal draws of `rng`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Prior::Uniform { lo, hi } => lo + (hi - lo) * uniform(rng),
            Prior::LogUniform { lo, hi } => (lo.ln() + (hi / lo).ln() * uniform(rng))
                .exp()
                .clamp(lo, hi),
            Prior::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                mean + sd * z
            }
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                let (alpha, beta) = ((lo - mean) / sd, (hi - mean) / sd);
                // Reflect an upper-tail interval to the lower side.
                let (a, b, sign) = if alpha > 0.0 {
                    (-beta, -alpha, -1.0)
                } else {
                    (alpha, beta, 1.0)
                };
                let (fa, fb) = (normal_cdf(a), normal_cdf(b));
                let z = normal_quantile(fa + uniform(rng) * (fb - fa)).clamp(a, b);
                (mean + sign * sd * z).clamp(lo, hi)
            }
        }
    }

    /// The natural logarithm of the density at `x`; `−∞` outside the support.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return f64::NEG_INFINITY;
        }
        match *self {
            Prior::Uniform { lo, hi } => -(hi - lo).ln(),
            Prior::LogUniform { lo, hi } => -x.ln() - (hi / lo).ln().ln(),
            Prior::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - LN_SQRT_2PI - sd.ln()
            }
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                let z = (x - mean) / sd;
                let mass = normal_mass((lo - mean) / sd, (hi - mean) / sd);
                -0.5 * z * z - LN_SQRT_2PI - sd.ln() - mass.ln()
            }
        }
    }

    /// Whether `x` is in the support (finite, and within the bounds, inclusive).
    pub fn contains(&self, x: f64) -> bool {
        match *self {
            Prior::Normal { .. } => x.is_finite(),
            Prior::Uniform { lo, hi }
            | Prior::LogUniform { lo, hi }
            | Prior::TruncatedNormal { lo, hi, .. } => x.is_finite() && lo <= x && x <= hi,
        }
    }

    /// Checks the parameters: all finite, `lo < hi`, `sd > 0`, `lo > 0` for a log-uniform
    /// prior, and a truncation that keeps some probability in double precision.
    pub fn check(&self) -> Result<(), String> {
        let bounds = |lo: f64, hi: f64| {
            if !(lo.is_finite() && hi.is_finite()) {
                Err(format!("bounds must be finite, not [{lo}, {hi}]"))
            } else if lo >= hi {
                Err(format!("lower bound {lo} must be below upper bound {hi}"))
            } else {
                Ok(())
            }
        };
        let normal = |mean: f64, sd: f64| {
            if !mean.is_finite() {
                Err(format!("mean must be finite, not {mean}"))
            } else if !(sd.is_finite() && sd > 0.0) {
                Err(format!("sd must be positive and finite, not {sd}"))
            } else {
                Ok(())
            }
        };
        match *self {
            Prior::Uniform { lo, hi } => bounds(lo, hi),
            Prior::LogUniform { lo, hi } => {
                bounds(lo, hi)?;
                if lo <= 0.0 {
                    return Err(format!(
                        "a log-uniform prior needs a positive lower bound, not {lo}"
                    ));
                }
                Ok(())
            }
            Prior::Normal { mean, sd } => normal(mean, sd),
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                normal(mean, sd)?;
                bounds(lo, hi)?;
                if normal_mass((lo - mean) / sd, (hi - mean) / sd) <= 0.0 {
                    return Err(format!(
                        "the truncation [{lo}, {hi}] keeps no probability of N({mean}, {sd}²)"
                    ));
                }
                Ok(())
            }
        }
    }

    /// The mean of the distribution (closed form).
    pub fn mean(&self) -> f64 {
        match *self {
            Prior::Uniform { lo, hi } => 0.5 * (lo + hi),
            Prior::LogUniform { lo, hi } => (hi - lo) / (hi / lo).ln(),
            Prior::Normal { mean, .. } => mean,
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                let (alpha, beta) = ((lo - mean) / sd, (hi - mean) / sd);
                let mass = normal_mass(alpha, beta);
                mean + sd * (normal_pdf(alpha) - normal_pdf(beta)) / mass
            }
        }
    }

    /// The variance of the distribution (closed form).
    pub fn variance(&self) -> f64 {
        match *self {
            Prior::Uniform { lo, hi } => (hi - lo).powi(2) / 12.0,
            Prior::LogUniform { lo, hi } => {
                let second = (hi * hi - lo * lo) / (2.0 * (hi / lo).ln());
                second - self.mean().powi(2)
            }
            Prior::Normal { sd, .. } => sd * sd,
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                let (alpha, beta) = ((lo - mean) / sd, (hi - mean) / sd);
                let mass = normal_mass(alpha, beta);
                let (pa, pb) = (normal_pdf(alpha), normal_pdf(beta));
                // α φ(α) with α = −∞ (or β φ(β) with β = +∞) is 0, not NaN.
                let term = |x: f64, p: f64| if x.is_finite() { x * p } else { 0.0 };
                let shift = (pa - pb) / mass;
                sd * sd * (1.0 + (term(alpha, pa) - term(beta, pb)) / mass - shift * shift)
            }
        }
    }
}

/// The joint prior of the fitted parameters: independent priors, each with a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Priors {
    /// The parameters in order: name and prior. A parameter vector `θ` lists its values
    /// in this order.
    pub params: Vec<(String, Prior)>,
}

impl Priors {
    /// The priors of these named parameters.
    pub fn new(params: Vec<(String, Prior)>) -> Self {
        Priors { params }
    }

    /// The number of parameters `d`.
    pub fn dim(&self) -> usize {
        self.params.len()
    }

    /// The parameter names in order.
    pub fn names(&self) -> Vec<&str> {
        self.params.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Checks each prior, that there is at least one and that names are distinct and
    /// not empty.
    pub fn check(&self) -> Result<(), String> {
        if self.params.is_empty() {
            return Err("no parameters to fit".into());
        }
        for (i, (name, prior)) in self.params.iter().enumerate() {
            if name.is_empty() {
                return Err(format!("parameter {i} has no name"));
            }
            if self.params[..i].iter().any(|(other, _)| other == name) {
                return Err(format!("parameter `{name}` is listed twice"));
            }
            prior
                .check()
                .map_err(|e| format!("prior of `{name}`: {e}"))?;
        }
        Ok(())
    }

    /// A draw of all parameters, in order.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        self.params.iter().map(|(_, p)| p.sample(rng)).collect()
    }

    /// `ln π(θ) = Σ_k ln π_k(θ_k)`; `−∞` outside the support.
    pub fn ln_pdf(&self, theta: &[f64]) -> f64 {
        assert_eq!(theta.len(), self.dim(), "one value per parameter");
        let mut sum = 0.0;
        for ((_, p), &x) in self.params.iter().zip(theta) {
            sum += p.ln_pdf(x);
            if sum == f64::NEG_INFINITY {
                break;
            }
        }
        sum
    }

    /// Whether every value is in its prior's support.
    pub fn contains(&self, theta: &[f64]) -> bool {
        theta.len() == self.dim()
            && self
                .params
                .iter()
                .zip(theta)
                .all(|((_, p), &x)| p.contains(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{purpose, stream};

    fn families() -> Vec<Prior> {
        vec![
            Prior::Uniform { lo: -1.0, hi: 3.0 },
            Prior::LogUniform { lo: 0.01, hi: 10.0 },
            Prior::Normal { mean: 2.0, sd: 0.5 },
            // Straddling the mean, one-sided, and far in the upper tail (reflected).
            Prior::TruncatedNormal {
                mean: 1.0,
                sd: 2.0,
                lo: 0.0,
                hi: 4.0,
            },
            Prior::TruncatedNormal {
                mean: 0.0,
                sd: 1.0,
                lo: 0.5,
                hi: f64::MAX,
            },
            Prior::TruncatedNormal {
                mean: 0.0,
                sd: 1.0,
                lo: 6.0,
                hi: 7.0,
            },
        ]
    }

    /// The support's ends for integration (±12 sd for an unbounded normal: the mass
    /// beyond is 4e-33).
    fn support(p: &Prior) -> (f64, f64) {
        match *p {
            Prior::Uniform { lo, hi } | Prior::LogUniform { lo, hi } => (lo, hi),
            Prior::Normal { mean, sd } => (mean - 12.0 * sd, mean + 12.0 * sd),
            Prior::TruncatedNormal { mean, sd, lo, hi } => {
                (lo.max(mean - 12.0 * sd), hi.min(mean + 12.0 * sd))
            }
        }
    }

    #[test]
    fn sample_moments_match_the_closed_forms() {
        // n = 200 000 draws: the sample mean is within 4 standard errors sd/√n of the
        // mean, the sample variance within 4 standard errors √((m4 − s⁴)/n) of the
        // variance (m4 the sample fourth central moment); a false alarm has probability
        // about 6e-5 per check.
        let n = 200_000;
        for (k, prior) in families().into_iter().enumerate() {
            prior.check().unwrap();
            let mut rng = stream(3, purpose::FIT, 1000 + k as u64, 0);
            let x: Vec<f64> = (0..n).map(|_| prior.sample(&mut rng)).collect();
            assert!(x.iter().all(|&v| prior.contains(v)), "{prior:?}");
            let mean = x.iter().sum::<f64>() / n as f64;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n as f64;
            let (mu, v) = (prior.mean(), prior.variance());
            let se_mean = (v / n as f64).sqrt();
            let se_var = ((m4 - var * var) / n as f64).sqrt();
            assert!(
                (mean - mu).abs() < 4.0 * se_mean,
                "{prior:?}: mean {mean} vs {mu}"
            );
            assert!(
                (var - v).abs() < 4.0 * se_var,
                "{prior:?}: variance {var} vs {v}"
            );
        }
    }

    #[test]
    fn truncated_normal_moments_match_a_known_case() {
        // The standard normal truncated to [0, ∞) is the half-normal: mean √(2/π),
        // variance 1 − 2/π.
        let half = Prior::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            lo: 0.0,
            hi: f64::INFINITY,
        };
        assert!((half.mean() - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-12);
        assert!((half.variance() - (1.0 - 2.0 / std::f64::consts::PI)).abs() < 1e-12);
    }

    #[test]
    fn densities_integrate_to_one() {
        // Trapezoid rule on 200 001 points over the support: its error is about
        // h² (f'(a) − f'(b)) / 12, largest for the log-uniform, whose f'(0.01) =
        // −1 / (0.01² ln 1000) gives 3e-7 with h = 5e-5; below 1e-8 for the others.
        // 1e-6 still fails on any wrong normalising constant.
        for prior in families() {
            let (a, b) = support(&prior);
            let m = 200_000;
            let h = (b - a) / m as f64;
            let f = |i: usize| {
                let x = if i == m { b } else { a + i as f64 * h };
                prior.ln_pdf(x).exp()
            };
            let integral = h * (0.5 * f(0) + (1..m).map(f).sum::<f64>() + 0.5 * f(m));
            assert!((integral - 1.0).abs() < 1e-6, "{prior:?}: {integral}");
        }
    }

    #[test]
    fn ln_pdf_is_minus_infinity_outside_the_support() {
        for prior in families() {
            if let Prior::Normal { .. } = prior {
                assert_eq!(prior.ln_pdf(f64::INFINITY), f64::NEG_INFINITY);
                assert_eq!(prior.ln_pdf(f64::NAN), f64::NEG_INFINITY);
                assert!(prior.ln_pdf(1e6).is_finite());
                continue;
            }
            let (a, b) = support(&prior);
            let (lo, hi) = match prior {
                Prior::Uniform { lo, hi }
                | Prior::LogUniform { lo, hi }
                | Prior::TruncatedNormal { lo, hi, .. } => (lo, hi),
                Prior::Normal { .. } => unreachable!(),
            };
            assert_eq!(prior.ln_pdf(lo - 1e-9), f64::NEG_INFINITY, "{prior:?}");
            if hi < f64::MAX {
                assert_eq!(prior.ln_pdf(hi + 1e-9), f64::NEG_INFINITY, "{prior:?}");
            }
            assert!(prior.ln_pdf(lo).is_finite() && prior.ln_pdf(0.5 * (a + b)).is_finite());
            assert!(!prior.contains(lo - 1e-9) && prior.contains(lo));
        }
    }

    #[test]
    fn check_rejects_bad_parameters() {
        let bad = [
            Prior::Uniform { lo: 1.0, hi: 1.0 },
            Prior::Uniform {
                lo: 0.0,
                hi: f64::INFINITY,
            },
            Prior::LogUniform { lo: 0.0, hi: 1.0 },
            Prior::LogUniform { lo: 2.0, hi: 1.0 },
            Prior::Normal { mean: 0.0, sd: 0.0 },
            Prior::Normal {
                mean: f64::NAN,
                sd: 1.0,
            },
            Prior::TruncatedNormal {
                mean: 0.0,
                sd: -1.0,
                lo: 0.0,
                hi: 1.0,
            },
            Prior::TruncatedNormal {
                mean: 0.0,
                sd: 1.0,
                lo: 40.0,
                hi: 41.0,
            },
        ];
        for p in bad {
            assert!(p.check().is_err(), "{p:?} accepted");
        }
        let twice = Priors::new(vec![
            ("a".into(), Prior::Normal { mean: 0.0, sd: 1.0 }),
            ("a".into(), Prior::Normal { mean: 0.0, sd: 1.0 }),
        ]);
        assert!(twice.check().unwrap_err().contains("twice"));
        assert!(Priors::new(vec![]).check().is_err());
    }

    #[test]
    fn joint_prior_is_the_product_of_its_marginals() {
        let priors = Priors::new(vec![
            ("u".into(), Prior::Uniform { lo: 0.0, hi: 2.0 }),
            ("n".into(), Prior::Normal { mean: 0.0, sd: 1.0 }),
        ]);
        priors.check().unwrap();
        let theta = [0.5, 0.3];
        let expect = -(2.0f64).ln() + (-0.5 * 0.09 - LN_SQRT_2PI);
        assert!((priors.ln_pdf(&theta) - expect).abs() < 1e-14);
        assert_eq!(priors.ln_pdf(&[2.5, 0.3]), f64::NEG_INFINITY);
        assert!(priors.contains(&theta) && !priors.contains(&[-0.1, 0.0]));
        let mut rng = stream(1, purpose::FIT, 0, 0);
        let draw = priors.sample(&mut rng);
        assert_eq!(draw.len(), 2);
        assert!(priors.contains(&draw));
        assert_eq!(priors.names(), ["u", "n"]);
    }
}
