//! Morris screening: elementary effects (Morris 1991, "Factorial sampling plans for
//! preliminary computational experiments"; Campolongo, Cariboni & Saltelli 2007, "An
//! effective screening design for sensitivity analysis of large models").
//!
//! | symbol | meaning |
//! |---|---|
//! | `k` | parameters, each scaled to the unit interval (a log-scaled axis in its logarithm) |
//! | `r` | trajectories (groups of `k + 1` runs) |
//! | `p` | levels of the grid `{0, 1/(p−1), …, 1}` (even, ≥ 2) |
//! | `Δ = p / (2(p − 1))` | the step of a trajectory |
//! | `EE_i = (f(x + Δ_i e_i) − f(x)) / Δ_i` | elementary effect of parameter `i` (`Δ_i = ±Δ`, or `b_i − a_i` in a radial design) |
//! | `μ*_i = mean_t |EE_i|` | importance (Campolongo 2007) |
//! | `μ_i = mean_t EE_i` | direction of the effect |
//! | `σ_i = sd_t EE_i` (n − 1) | non-linearity and interactions |
//!
//! Designs, `r (k + 1)` runs each:
//! - **trajectory** (Morris 1991): a base point with coordinates on the lower levels
//!   `{0, …, 1 − Δ}`, a random direction per parameter, then one parameter at a time moved
//!   by `Δ` in a random order;
//! - **optimized** (Campolongo 2007): `candidates` trajectories, of which the `r` that
//!   spread most are kept: the pair with the largest distance `d_ml = Σ_i Σ_j ‖X_i^m −
//!   X_j^l‖` first, then each time the candidate with the largest summed distance to those
//!   kept (the local search of Ruano et al. 2012), in candidate order;
//! - **radial** (Campolongo, Saltelli & Cariboni 2011): base point `a` = Sobol' point `t`
//!   (t = 1 … r) and auxiliary `b` = Sobol' point `t + 4` (`k` dimensions), then `a` with
//!   coordinate `i` replaced by `b_i`, for each `i` in turn.
//!
//! Trajectory `t` (candidate `t` of an optimized design) draws from stream
//! `(seed, purpose::SENSITIVITY, t, 1)`. Intervals: percentile bootstrap over
//! trajectories ([`super::bootstrap`]).

use super::bootstrap::{Estimate, bootstrap};
use super::sobol_sequence::SobolSequence;
use crate::rng::{below, purpose, shuffle, stream};

/// How the runs of a Morris screening are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One-at-a-time trajectories on the grid (Morris 1991).
    Trajectory,
    /// The `r` most spread of this many trajectories (Campolongo 2007).
    Optimized {
        /// Trajectories to choose from (more than `r`).
        candidates: usize,
    },
    /// Radial steps from Sobol' points (Campolongo 2011).
    Radial,
}

/// A Morris design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Morris {
    /// Parameters.
    pub k: usize,
    /// Trajectories.
    pub r: usize,
    /// Grid levels (even, ≥ 2; unused by the radial layout).
    pub levels: usize,
    /// The layout.
    pub layout: Layout,
    /// The seed of the trajectories' streams.
    pub seed: u64,
}

/// The screening measures of one parameter for one output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Screening {
    /// `μ*`, the mean absolute elementary effect.
    pub mu_star: Estimate,
    /// `μ`, the mean elementary effect.
    pub mu: Estimate,
    /// `σ`, the standard deviation of the elementary effects.
    pub sigma: Estimate,
}

impl Morris {
    /// All runs of the design: `r (k + 1)`.
    pub fn runs(&self) -> usize {
        self.r * (self.k + 1)
    }

    /// The step `Δ = p / (2(p − 1))`.
    pub fn delta(&self) -> f64 {
        self.levels as f64 / (2.0 * (self.levels as f64 - 1.0))
    }

    /// The unit-cube points of every run, trajectory by trajectory.
    pub fn points(&self) -> Vec<Vec<f64>> {
        match self.layout {
            Layout::Trajectory => (0..self.r).flat_map(|t| self.trajectory(t)).collect(),
            Layout::Optimized { candidates } => {
                let pool: Vec<Vec<Vec<f64>>> =
                    (0..candidates).map(|t| self.trajectory(t)).collect();
                spread_most(&pool, self.r)
                    .into_iter()
                    .flat_map(|t| pool[t].clone())
                    .collect()
            }
            Layout::Radial => {
                let seq = SobolSequence::new(self.k);
                (1..=self.r as u64)
                    .flat_map(|t| {
                        let (a, b) = (seq.point(t), seq.point(t + 4));
                        std::iter::once(a.clone()).chain((0..self.k).map(move |i| {
                            let mut x = a.clone();
                            x[i] = b[i];
                            x
                        }))
                    })
                    .collect()
            }
        }
    }

    /// Trajectory `t` on the grid.
    fn trajectory(&self, t: usize) -> Vec<Vec<f64>> {
        let mut rng = stream(self.seed, purpose::SENSITIVITY, t as u64, 1);
        let (p, delta) = (self.levels, self.delta());
        let step = 1.0 / (p as f64 - 1.0);
        // Start on a lower level (x* + Δ ≤ 1), at x* or x* + Δ, moving towards the other.
        let mut x: Vec<f64> = Vec::with_capacity(self.k);
        let mut dir: Vec<f64> = Vec::with_capacity(self.k);
        for _ in 0..self.k {
            let low = below(&mut rng, p / 2) as f64 * step;
            let up = below(&mut rng, 2) == 0;
            x.push(if up { low } else { low + delta });
            dir.push(if up { delta } else { -delta });
        }
        let mut order: Vec<usize> = (0..self.k).collect();
        shuffle(&mut rng, &mut order);
        let mut points = vec![x.clone()];
        for i in order {
            x[i] = (x[i] + dir[i]).clamp(0.0, 1.0);
            points.push(x.clone());
        }
        points
    }

    /// The screening measures of outputs `y` of the runs (in the order of
    /// [`Morris::points`]), per parameter, with `resamples` bootstrap resamples of the
    /// trajectories from `seed`. An elementary effect is read off each pair of runs of a
    /// trajectory that differ in one coordinate (consecutive runs, or base and step of a
    /// radial design); a parameter whose step is zero (a radial `b_i = a_i`) has no effect
    /// in that trajectory.
    pub fn screen(
        &self,
        points: &[Vec<f64>],
        y: &[f64],
        resamples: usize,
        seed: u64,
    ) -> Vec<Screening> {
        assert_eq!(points.len(), self.runs(), "one point per run");
        assert_eq!(y.len(), self.runs(), "one output per run");
        let k = self.k;
        // effects[t][i]: EE of parameter i in trajectory t (NaN if none).
        let effects: Vec<Vec<f64>> = (0..self.r)
            .map(|t| {
                let base = t * (k + 1);
                let mut ee = vec![f64::NAN; k];
                for m in 1..=k {
                    let from = if self.layout == Layout::Radial {
                        base
                    } else {
                        base + m - 1
                    };
                    let to = base + m;
                    let moved: Vec<usize> = (0..k)
                        .filter(|&i| points[to][i] != points[from][i])
                        .collect();
                    if let [i] = moved[..] {
                        ee[i] = (y[to] - y[from]) / (points[to][i] - points[from][i]);
                    }
                }
                ee
            })
            .collect();
        let statistic = |pick: &[usize]| -> Vec<f64> {
            (0..k)
                .flat_map(|i| {
                    let e: Vec<f64> = pick
                        .iter()
                        .map(|&t| effects[t][i])
                        .filter(|v| !v.is_nan())
                        .collect();
                    let n = e.len() as f64;
                    let mu = e.iter().sum::<f64>() / n;
                    let mu_star = e.iter().map(|v| v.abs()).sum::<f64>() / n;
                    let sigma =
                        (e.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                    [mu_star, mu, sigma]
                })
                .collect()
        };
        let all = bootstrap(self.r, resamples, seed, statistic);
        all.chunks_exact(3)
            .map(|c| Screening {
                mu_star: c[0],
                mu: c[1],
                sigma: c[2],
            })
            .collect()
    }
}

/// The indices of the `r` trajectories of `pool` kept by the local search described in
/// the module docs, in increasing order.
fn spread_most(pool: &[Vec<Vec<f64>>], r: usize) -> Vec<usize> {
    let m = pool.len();
    if r >= m {
        return (0..m).collect();
    }
    let distance = |a: &[Vec<f64>], b: &[Vec<f64>]| -> f64 {
        a.iter()
            .flat_map(|x| {
                b.iter().map(move |z| {
                    x.iter()
                        .zip(z)
                        .map(|(u, v)| (u - v).powi(2))
                        .sum::<f64>()
                        .sqrt()
                })
            })
            .sum()
    };
    let mut d = vec![0.0; m * m];
    for a in 0..m {
        for b in a + 1..m {
            let v = distance(&pool[a], &pool[b]);
            d[a * m + b] = v;
            d[b * m + a] = v;
        }
    }
    // The farthest pair (the first of equals), then greedy additions.
    let mut best = (0, 1);
    for a in 0..m {
        for b in a + 1..m {
            if d[a * m + b] > d[best.0 * m + best.1] {
                best = (a, b);
            }
        }
    }
    let mut kept = vec![best.0, best.1];
    let mut sum: Vec<f64> = (0..m)
        .map(|c| d[c * m + best.0] + d[c * m + best.1])
        .collect();
    while kept.len() < r {
        let next = (0..m)
            .filter(|c| !kept.contains(c))
            .fold(None, |acc: Option<usize>, c| match acc {
                Some(b) if sum[b] >= sum[c] => Some(b),
                _ => Some(c),
            })
            .expect("more candidates than kept");
        kept.push(next);
        for (c, s) in sum.iter_mut().enumerate() {
            *s += d[c * m + next];
        }
    }
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(layout: Layout) -> Morris {
        Morris {
            k: 5,
            r: 20,
            levels: 4,
            layout,
            seed: 3,
        }
    }

    #[test]
    fn a_trajectory_moves_each_parameter_once_by_delta_on_the_grid() {
        for layout in [Layout::Trajectory, Layout::Optimized { candidates: 60 }] {
            let d = design(layout);
            let pts = d.points();
            assert_eq!(pts.len(), d.runs());
            let grid = |v: f64| ((v * 3.0) - (v * 3.0).round()).abs() < 1e-12;
            for t in pts.chunks_exact(d.k + 1) {
                let mut moved = vec![0; d.k];
                for w in t.windows(2) {
                    let diff: Vec<usize> = (0..d.k).filter(|&i| w[0][i] != w[1][i]).collect();
                    assert_eq!(diff.len(), 1);
                    let i = diff[0];
                    assert!(((w[1][i] - w[0][i]).abs() - 2.0 / 3.0).abs() < 1e-12);
                    moved[i] += 1;
                }
                assert_eq!(moved, vec![1; d.k]);
                assert!(
                    t.iter()
                        .flatten()
                        .all(|&v| (0.0..=1.0).contains(&v) && grid(v))
                );
            }
        }
    }

    #[test]
    fn the_optimized_design_spreads_more_than_its_first_candidates() {
        let d = design(Layout::Optimized { candidates: 80 });
        let spread = |pts: &[Vec<f64>]| -> f64 {
            let t: Vec<&[Vec<f64>]> = pts.chunks_exact(d.k + 1).collect();
            let mut s = 0.0;
            for a in 0..t.len() {
                for b in a + 1..t.len() {
                    for x in t[a] {
                        for z in t[b] {
                            s += x
                                .iter()
                                .zip(z)
                                .map(|(u, v)| (u - v).powi(2))
                                .sum::<f64>()
                                .sqrt();
                        }
                    }
                }
            }
            s
        };
        let plain = design(Layout::Trajectory).points();
        assert!(spread(&d.points()) > 1.05 * spread(&plain));
    }

    #[test]
    fn effects_of_a_linear_model_are_its_slopes_with_no_spread() {
        // f = Σ c_i u_i: every elementary effect of parameter i is c_i exactly.
        let c = [3.0, -2.0, 0.5, 0.0, 10.0];
        for layout in [
            Layout::Trajectory,
            Layout::Optimized { candidates: 40 },
            Layout::Radial,
        ] {
            let d = design(layout);
            let pts = d.points();
            let y: Vec<f64> = pts
                .iter()
                .map(|x| x.iter().zip(&c).map(|(u, c)| u * c).sum())
                .collect();
            let s = d.screen(&pts, &y, 50, 1);
            for i in 0..d.k {
                assert!(
                    (s[i].mu.estimate - c[i]).abs() < 1e-9,
                    "{layout:?} {i}: {:?}",
                    s[i]
                );
                assert!((s[i].mu_star.estimate - c[i].abs()).abs() < 1e-9);
                assert!(s[i].sigma.estimate < 1e-9);
            }
        }
    }

    #[test]
    fn interactions_show_as_spread_and_rank_as_the_g_function_says() {
        // f = u1 u2 + u3: the effects of u1 and u2 depend on the other (σ > 0), u3's do
        // not; and on Sobol's G with a = (0, 1, 9, 99) μ* falls with a.
        let d = Morris {
            k: 4,
            r: 40,
            levels: 4,
            layout: Layout::Trajectory,
            seed: 8,
        };
        let pts = d.points();
        let y: Vec<f64> = pts.iter().map(|x| x[0] * x[1] + x[2]).collect();
        let s = d.screen(&pts, &y, 50, 1);
        assert!(s[0].sigma.estimate > 0.1 && s[1].sigma.estimate > 0.1);
        assert!(s[2].sigma.estimate < 1e-9 && (s[2].mu_star.estimate - 1.0).abs() < 1e-9);
        assert!(s[3].mu_star.estimate < 1e-9);
        let g = crate::sensitivity::test_functions::GFunction {
            a: vec![0.0, 1.0, 9.0, 99.0],
        };
        let y: Vec<f64> = pts.iter().map(|x| g.value(x)).collect();
        let s = d.screen(&pts, &y, 50, 1);
        for i in 1..4 {
            assert!(s[i - 1].mu_star.estimate > s[i].mu_star.estimate, "{s:?}");
        }
    }
}
