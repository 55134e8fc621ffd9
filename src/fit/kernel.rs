//! The perturbation kernel of ABC-SMC: a multivariate normal centred on the resampled
//! particle, whose covariance is twice the weighted covariance of the previous
//! population (Beaumont, Cornuet, Marin & Robert 2009, "Adaptive approximate Bayesian
//! computation", Biometrika 96:983; Filippi et al. 2013 show it is the optimal scaling of
//! a global normal kernel, in Kullback–Leibler terms, for a normal target).
//!
//! | symbol | meaning |
//! |---|---|
//! | `θ_j`, `w_j` | particles of the previous population and their normalised weights (`Σ_j w_j = 1`) |
//! | `θ̄ = Σ_j w_j θ_j` | weighted mean |
//! | `C = Σ_j w_j (θ_j − θ̄)(θ_j − θ̄)ᵀ` | weighted covariance ([`weighted_covariance`]) |
//! | `Σ = 2 C` (+ ridge) | kernel covariance |
//! | `Σ = L Lᵀ` | Cholesky factor, lower triangular |
//! | `θ* = θ + L z`, `z ~ N(0, I)` | a perturbation ([`Kernel::perturb`]) |
//! | `ln K(θ* ∣ θ) = −d/2 ln 2π − Σ_k ln L_kk − ½ ‖L⁻¹(θ* − θ)‖²` | its log density ([`Kernel::ln_density`]) |
//!
//! `C` divides by `Σ w_j = 1`, not by `1 − Σ w_j²`: the plug-in covariance of the weighted
//! sample, the `1/n` covariance when the weights are equal.
//!
//! **Near-singular covariance.** When every particle has the same value of a parameter
//! (a tiny population, or a posterior collapsed on a bound), `Σ` is singular and has no
//! Cholesky factor. The factorisation then retries with a ridge `λ I` added: `λ` starts at
//! 10⁻⁹ times the mean diagonal of `Σ` (10⁻⁹ if the diagonal is all zero) and grows by a
//! factor of 10 until every pivot exceeds 10⁻¹² times its diagonal entry. The ridge is
//! reported by [`Kernel::ridge`]; it is 0 for any population that spreads in every
//! direction.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// A pivot is accepted when it exceeds this fraction of its diagonal entry.
const PIVOT_TOLERANCE: f64 = 1e-12;

/// The first ridge, relative to the mean diagonal.
const FIRST_RIDGE: f64 = 1e-9;

/// A multivariate normal perturbation kernel.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    /// The covariance `Σ` (row-major, `d × d`), ridge included.
    covariance: Vec<Vec<f64>>,
    /// Its Cholesky factor `L` (row-major, lower triangular).
    chol: Vec<Vec<f64>>,
    /// `−d/2 ln 2π − Σ_k ln L_kk`.
    ln_norm: f64,
    /// The ridge added to the diagonal (0 when none was needed).
    ridge: f64,
}

/// The weighted covariance `C = Σ_j w_j (θ_j − θ̄)(θ_j − θ̄)ᵀ` of `particles` with
/// `weights` (normalised here to sum to 1).
pub fn weighted_covariance(particles: &[Vec<f64>], weights: &[f64]) -> Vec<Vec<f64>> {
    assert_eq!(particles.len(), weights.len(), "one weight per particle");
    assert!(!particles.is_empty(), "no particles");
    let d = particles[0].len();
    let total: f64 = weights.iter().sum();
    let mut mean = vec![0.0; d];
    for (p, w) in particles.iter().zip(weights) {
        for k in 0..d {
            mean[k] += w / total * p[k];
        }
    }
    let mut cov = vec![vec![0.0; d]; d];
    for (p, w) in particles.iter().zip(weights) {
        let w = w / total;
        for a in 0..d {
            let da = p[a] - mean[a];
            for b in 0..=a {
                cov[a][b] += w * da * (p[b] - mean[b]);
            }
        }
    }
    // Mirror the lower triangle.
    (0..d)
        .map(|a| (0..d).map(|b| cov[a.max(b)][a.min(b)]).collect())
        .collect()
}

/// The Cholesky factor of `a`, or `None` if a pivot is not clearly positive.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let d = a.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let pivot = a[i][i] - s;
                if !(pivot.is_finite() && pivot > 0.0 && pivot > PIVOT_TOLERANCE * a[i][i].abs()) {
                    return None;
                }
                l[i][i] = pivot.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

impl Kernel {
    /// The kernel of covariance `covariance` (symmetric, `d × d`), with a ridge if it is
    /// near-singular (module docs).
    pub fn new(covariance: Vec<Vec<f64>>) -> Self {
        let d = covariance.len();
        assert!(d > 0, "a kernel needs at least one dimension");
        assert!(
            covariance.iter().all(|row| row.len() == d),
            "the covariance must be square"
        );
        assert!(
            covariance.iter().flatten().all(|v| v.is_finite()),
            "the covariance must be finite"
        );
        let mean_diag = (0..d).map(|k| covariance[k][k].abs()).sum::<f64>() / d as f64;
        let mut ridge = 0.0;
        let mut step = if mean_diag > 0.0 {
            FIRST_RIDGE * mean_diag
        } else {
            FIRST_RIDGE
        };
        let mut cov = covariance.clone();
        let chol = loop {
            if let Some(l) = cholesky(&cov) {
                break l;
            }
            ridge = step;
            step *= 10.0;
            cov = covariance.clone();
            for (k, row) in cov.iter_mut().enumerate() {
                row[k] += ridge;
            }
        };
        let ln_norm = -(d as f64) * LN_SQRT_2PI - (0..d).map(|k| chol[k][k].ln()).sum::<f64>();
        Kernel {
            covariance: cov,
            chol,
            ln_norm,
            ridge,
        }
    }

    /// The kernel of a population: covariance `2 C`, twice the weighted covariance of
    /// `particles` with `weights` (Beaumont 2009).
    pub fn from_population(particles: &[Vec<f64>], weights: &[f64]) -> Self {
        let mut cov = weighted_covariance(particles, weights);
        cov.iter_mut().flatten().for_each(|v| *v *= 2.0);
        Kernel::new(cov)
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.chol.len()
    }

    /// The covariance `Σ`, ridge included.
    pub fn covariance(&self) -> &[Vec<f64>] {
        &self.covariance
    }

    /// The ridge added to the diagonal of `Σ` (0 when none was needed).
    pub fn ridge(&self) -> f64 {
        self.ridge
    }

    /// `θ + L z` with `z` a vector of `d` standard normal draws from `rng`.
    pub fn perturb<R: Rng + ?Sized>(&self, theta: &[f64], rng: &mut R) -> Vec<f64> {
        let d = self.dim();
        assert_eq!(theta.len(), d, "one value per dimension");
        let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
        (0..d)
            .map(|i| theta[i] + (0..=i).map(|k| self.chol[i][k] * z[k]).sum::<f64>())
            .collect()
    }

    /// `ln K(to ∣ from)`, the log density of perturbing `from` into `to`.
    pub fn ln_density(&self, from: &[f64], to: &[f64]) -> f64 {
        let d = self.dim();
        assert!(from.len() == d && to.len() == d, "one value per dimension");
        // Forward substitution: y = L⁻¹ (to − from).
        let mut y = vec![0.0; d];
        let mut norm2 = 0.0;
        for i in 0..d {
            let s: f64 = (0..i).map(|k| self.chol[i][k] * y[k]).sum();
            y[i] = (to[i] - from[i] - s) / self.chol[i][i];
            norm2 += y[i] * y[i];
        }
        self.ln_norm - 0.5 * norm2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{purpose, stream};

    #[test]
    fn covariance_matches_the_weighted_formula() {
        // Three 2D particles with weights 1, 2, 1 (normalised to ¼, ½, ¼):
        // mean = (¼·0 + ½·1 + ¼·4, ¼·0 + ½·2 + ¼·0) = (1.5, 1);
        // C_xx = ¼·2.25 + ½·0.25 + ¼·6.25 = 2.25,
        // C_yy = ¼·1 + ½·1 + ¼·1 = 1,
        // C_xy = ¼(−1.5)(−1) + ½(−0.5)(1) + ¼(2.5)(−1) = −0.5.
        let p = vec![vec![0.0, 0.0], vec![1.0, 2.0], vec![4.0, 0.0]];
        let c = weighted_covariance(&p, &[1.0, 2.0, 1.0]);
        let expect = [[2.25, -0.5], [-0.5, 1.0]];
        for a in 0..2 {
            for b in 0..2 {
                assert!((c[a][b] - expect[a][b]).abs() < 1e-14, "{c:?}");
            }
        }
        // Equal weights: the 1/n sample covariance.
        let c = weighted_covariance(&p, &[1.0; 3]);
        let n_cov_xx = (25.0 / 9.0 + 4.0 / 9.0 + 49.0 / 9.0) / 3.0;
        assert!((c[0][0] - n_cov_xx).abs() < 1e-14);
        // The kernel doubles it, without a ridge.
        let k = Kernel::from_population(&p, &[1.0, 2.0, 1.0]);
        assert_eq!(k.ridge(), 0.0);
        assert!((k.covariance()[0][1] + 1.0).abs() < 1e-14);
        assert!((k.covariance()[1][1] - 2.0).abs() < 1e-14);
    }

    #[test]
    fn ln_density_matches_the_normal_density_in_one_dimension() {
        // 1D: K(x ∣ m) = N(x; m, 2 C), with C the weighted variance 0.8 here.
        let p = vec![vec![1.0], vec![3.0]];
        let w = [0.8, 0.2];
        // mean 1.4; C = 0.8·0.16 + 0.2·2.56 = 0.64.
        let k = Kernel::from_population(&p, &w);
        let var = 2.0 * 0.64;
        for (from, to) in [(0.0, 0.0), (1.0, 2.5), (-3.0, 1.0)] {
            let exact = -0.5 * (to - from) * (to - from) / var
                - 0.5 * (2.0 * std::f64::consts::PI * var).ln();
            assert!((k.ln_density(&[from], &[to]) - exact).abs() < 1e-12);
        }
    }

    #[test]
    fn ln_density_matches_the_bivariate_normal_density() {
        // Σ = [[4, 1.2], [1.2, 1]]: det 2.56, Σ⁻¹ = [[1, −1.2], [−1.2, 4]] / 2.56.
        let k = Kernel::new(vec![vec![4.0, 1.2], vec![1.2, 1.0]]);
        let (dx, dy) = (0.7, -0.4);
        let q = (dx * dx - 2.4 * dx * dy + 4.0 * dy * dy) / 2.56;
        let exact = -0.5 * q - (2.0 * std::f64::consts::PI).ln() - 0.5 * 2.56f64.ln();
        assert!((k.ln_density(&[1.0, 1.0], &[1.0 + dx, 1.0 + dy]) - exact).abs() < 1e-12);
    }

    #[test]
    fn perturbations_have_the_kernel_covariance() {
        // 100 000 perturbations of the origin: each sample covariance entry has a
        // standard error of about √((Σ_aa Σ_bb + Σ_ab²)/n) ≤ √(32/n) = 0.018; 4 of them.
        let k = Kernel::new(vec![vec![4.0, 1.2], vec![1.2, 1.0]]);
        let mut rng = stream(5, purpose::FIT, 77, 0);
        let n = 100_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| k.perturb(&[0.0, 0.0], &mut rng)).collect();
        let mut c = weighted_covariance(&draws, &vec![1.0; n]);
        c[0][0] -= 4.0;
        c[0][1] -= 1.2;
        c[1][1] -= 1.0;
        let tol = 4.0 * (32.0 / n as f64).sqrt();
        assert!(
            c[0][0].abs() < tol && c[0][1].abs() < tol && c[1][1].abs() < tol,
            "{c:?}"
        );
    }

    #[test]
    fn a_singular_population_gets_a_small_ridge() {
        // The second coordinate never varies: the covariance is singular.
        let p = vec![vec![0.0, 5.0], vec![1.0, 5.0], vec![2.0, 5.0]];
        let k = Kernel::from_population(&p, &[1.0; 3]);
        // Mean diagonal (4/3 + 0)/2: the first ridge 1e-9 × 2/3 suffices.
        assert!(k.ridge() > 0.0 && k.ridge() < 1e-8, "{}", k.ridge());
        assert!(k.ln_density(&p[0], &p[1]).is_finite());
        // All particles equal: the ridge is absolute.
        let k = Kernel::from_population(&[vec![1.0], vec![1.0]], &[0.5, 0.5]);
        assert!(k.ridge() > 0.0 && k.ridge() < 1e-8);
        let mut rng = stream(5, purpose::FIT, 78, 0);
        assert!(k.perturb(&[1.0], &mut rng)[0].is_finite());
    }
}
