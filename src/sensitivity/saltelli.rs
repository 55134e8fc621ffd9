//! Sobol' indices from a Saltelli design (Saltelli et al. 2010, "Variance based
//! sensitivity analysis of model output. Design and estimator for the total sensitivity
//! index").
//!
//! Two matrices `A` and `B` of `N` base samples each are the first and last `k`
//! coordinates of the first `N` points of the `2k`-dimensional Sobol' sequence
//! ([`SobolSequence`]); `A_B^(i)` is `A` with column `i` taken from `B` and, for second
//! order, `B_A^(i)` is `B` with column `i` from `A`. The runs are laid out base sample by
//! base sample, as SALib lays them out, so SALib's `sobol.analyze` reads the same table:
//!
//! | run within base sample `j` | point |
//! |---|---|
//! | 0 | `A_j` |
//! | 1 … k | `A_B^(i)_j`, i = 1 … k |
//! | k + 1 … 2k (second order only) | `B_A^(i)_j` |
//! | last | `B_j` |
//!
//! so `N (k + 2)` runs, or `N (2k + 2)` with second order. With outputs `y` centred on
//! their mean and `V` the variance of the `2N` outputs of `A` and `B`:
//!
//! | index | estimator | source |
//! |---|---|---|
//! | first order `S_i` | `mean_j( f(B)_j (f(A_B^(i))_j − f(A)_j) ) / V` | Saltelli 2010, table 2 (b) |
//! | total order `S_Ti` | `mean_j( (f(A)_j − f(A_B^(i))_j)² ) / (2V)` | Jansen 1999; Saltelli 2010 table 2 (f) |
//! | second order `S_ij` | `mean_j( f(B_A^(i))_j f(A_B^(l))_j − f(A)_j f(B)_j ) / V − S_i − S_l` | Saltelli 2002; as SALib |
//!
//! Intervals: percentile bootstrap over base samples ([`super::bootstrap`]).

use super::bootstrap::{Estimate, bootstrap};
use super::sobol_sequence::SobolSequence;

/// The shape of a Saltelli design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saltelli {
    /// Parameters.
    pub k: usize,
    /// Base samples `N`.
    pub n: usize,
    /// With the `B_A^(i)` runs for second-order indices.
    pub second_order: bool,
}

/// The Sobol' indices of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order `S_i`, per parameter.
    pub first: Vec<Estimate>,
    /// Total-order `S_Ti`, per parameter.
    pub total: Vec<Estimate>,
    /// Second-order `S_il` for `i < l` (with `second_order`), in `(i, l)` order.
    pub second: Vec<((usize, usize), Estimate)>,
}

impl Saltelli {
    /// Runs per base sample: `k + 2`, or `2k + 2` with second order.
    pub fn runs_per_sample(&self) -> usize {
        if self.second_order {
            2 * self.k + 2
        } else {
            self.k + 2
        }
    }

    /// All runs of the design.
    pub fn runs(&self) -> usize {
        self.n * self.runs_per_sample()
    }

    /// The sequence the design draws from (`2k` dimensions).
    pub fn sequence(&self) -> SobolSequence {
        SobolSequence::new(2 * self.k)
    }

    /// The unit-cube point of run `run` (see the module's table); `seq` from
    /// [`Saltelli::sequence`].
    pub fn point(&self, seq: &SobolSequence, run: usize) -> Vec<f64> {
        let step = self.runs_per_sample();
        let (j, r) = (run / step, run % step);
        let base = seq.point(j as u64);
        let (a, b) = base.split_at(self.k);
        if r == 0 {
            a.to_vec()
        } else if r <= self.k {
            let mut x = a.to_vec();
            x[r - 1] = b[r - 1];
            x
        } else if r == step - 1 {
            b.to_vec()
        } else {
            let mut x = b.to_vec();
            let i = r - self.k - 1;
            x[i] = a[i];
            x
        }
    }

    /// The indices of the outputs `y` of the runs in design order (`y.len()` =
    /// [`Saltelli::runs`]), with `resamples` bootstrap resamples from `seed`.
    pub fn indices(&self, y: &[f64], resamples: usize, seed: u64) -> SobolIndices {
        assert_eq!(y.len(), self.runs(), "one output per run of the design");
        let k = self.k;
        let step = self.runs_per_sample();
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let at = |j: usize, r: usize| y[j * step + r] - mean;
        let pairs: Vec<(usize, usize)> = if self.second_order {
            (0..k)
                .flat_map(|i| (i + 1..k).map(move |l| (i, l)))
                .collect()
        } else {
            Vec::new()
        };
        let statistic = |pick: &[usize]| -> Vec<f64> {
            let m = pick.len() as f64;
            // V: the population variance of the 2N outputs of A and B.
            let (mut s, mut s2) = (0.0, 0.0);
            for &j in pick {
                for v in [at(j, 0), at(j, step - 1)] {
                    s += v;
                    s2 += v * v;
                }
            }
            let var = s2 / (2.0 * m) - (s / (2.0 * m)).powi(2);
            let mut out = Vec::with_capacity(2 * k + pairs.len());
            let mut first = vec![0.0; k];
            for (i, f) in first.iter_mut().enumerate() {
                let sum: f64 = pick
                    .iter()
                    .map(|&j| at(j, step - 1) * (at(j, 1 + i) - at(j, 0)))
                    .sum();
                *f = sum / m / var;
            }
            out.extend_from_slice(&first);
            for i in 0..k {
                let sum: f64 = pick
                    .iter()
                    .map(|&j| (at(j, 0) - at(j, 1 + i)).powi(2))
                    .sum();
                out.push(sum / m / (2.0 * var));
            }
            for &(i, l) in &pairs {
                let sum: f64 = pick
                    .iter()
                    .map(|&j| at(j, 1 + k + i) * at(j, 1 + l) - at(j, 0) * at(j, step - 1))
                    .sum();
                out.push(sum / m / var - first[i] - first[l]);
            }
            out
        };
        let all = bootstrap(self.n, resamples, seed, statistic);
        SobolIndices {
            first: all[..k].to_vec(),
            total: all[k..2 * k].to_vec(),
            second: pairs
                .into_iter()
                .zip(all[2 * k..].iter().copied())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::test_functions::{GFunction, ishigami, ishigami_exact};

    /// Runs a function of the unit cube over a design.
    fn outputs(d: &Saltelli, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let seq = d.sequence();
        (0..d.runs()).map(|r| f(&d.point(&seq, r))).collect()
    }

    #[test]
    fn the_design_swaps_one_column_per_run_in_salibs_order() {
        let d = Saltelli {
            k: 3,
            n: 4,
            second_order: true,
        };
        assert_eq!(d.runs(), 4 * 8);
        let seq = d.sequence();
        for j in 0..4 {
            let base = seq.point(j as u64);
            let (a, b) = base.split_at(3);
            let run = |r: usize| d.point(&seq, j * 8 + r);
            assert_eq!(run(0), a);
            assert_eq!(run(7), b);
            for i in 0..3 {
                let (ab, ba) = (run(1 + i), run(4 + i));
                for c in 0..3 {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                    assert_eq!(ba[c], if c == i { a[c] } else { b[c] });
                }
            }
        }
    }

    #[test]
    fn ishigami_indices_match_their_closed_forms() {
        let exact = ishigami_exact();
        let (s1, st) = (&exact.first, &exact.total);
        let d = Saltelli {
            k: 3,
            n: 1 << 13,
            second_order: true,
        };
        let ix = d.indices(&outputs(&d, ishigami), 200, 1);
        for i in 0..3 {
            let (f, t) = (ix.first[i], ix.total[i]);
            assert!(
                (f.estimate - s1[i]).abs() < 0.02,
                "S{} {f:?}, exact {}",
                i + 1,
                s1[i]
            );
            assert!(
                (t.estimate - st[i]).abs() < 0.02,
                "ST{} {t:?}, exact {}",
                i + 1,
                st[i]
            );
            assert!(f.ci_low <= f.estimate && f.estimate <= f.ci_high);
        }
        // Only x1 and x3 interact: S13 = V13 / V, the other pairs 0.
        let s13 = exact.second[0].1;
        for &((i, l), e) in &ix.second {
            let exact = if (i, l) == (0, 2) { s13 } else { 0.0 };
            assert!(
                (e.estimate - exact).abs() < 0.05,
                "S{}{} {e:?}, exact {exact}",
                i + 1,
                l + 1
            );
        }
    }

    #[test]
    fn g_function_indices_match_their_closed_forms() {
        let g = GFunction {
            a: vec![0.0, 1.0, 4.5, 9.0, 99.0, 99.0],
        };
        let exact = g.exact();
        let a = &g.a;
        let d = Saltelli {
            k: a.len(),
            n: 1 << 13,
            second_order: false,
        };
        let ix = d.indices(&outputs(&d, |u| g.value(u)), 100, 2);
        for i in 0..a.len() {
            let (s, st) = (exact.first[i], exact.total[i]);
            assert!(
                (ix.first[i].estimate - s).abs() < 0.02,
                "S{}: {:?}, exact {s}",
                i + 1,
                ix.first[i]
            );
            assert!(
                (ix.total[i].estimate - st).abs() < 0.02,
                "ST{}: {:?}, exact {st}",
                i + 1,
                ix.total[i]
            );
        }
    }
}
