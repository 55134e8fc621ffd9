//! Partial rank correlation coefficients (Marino, Hogue, Ray & Kirschner 2008, "A
//! methodology for performing global uncertainty and sensitivity analysis in systems
//! biology", §2.4): for any design.
//!
//! Inputs and output are replaced by their ranks (ties get their mean rank). The PRCC of
//! parameter `i` is the correlation between the residuals of the ranks of `x_i` and of `y`
//! after linear regression on the ranks of the other `k − 1` parameters; equivalently,
//! with `P` the inverse of the correlation matrix of the `k + 1` ranked variables,
//! `PRCC_i = −P_iy / sqrt(P_ii P_yy)`, which is how it is computed here. Its p-value is
//! two-sided from Student's `t = PRCC sqrt((n − 2 − (k − 1)) / (1 − PRCC²))` with
//! `n − 2 − (k − 1)` degrees of freedom (Marino 2008, eq. 9).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The PRCC of one parameter for one output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prcc {
    /// The coefficient, in [−1, 1].
    pub coefficient: f64,
    /// Two-sided p-value of the hypothesis PRCC = 0.
    pub p_value: f64,
}

/// Ranks from 1 of `v`, ties sharing their mean rank.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && v[order[end]] == v[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start + 1 … end: their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    out
}

/// The PRCC of each parameter (columns of `x`, one row per run) with the output `y`, or
/// `None` where it is undefined: fewer runs than `k + 2`, a constant variable, or ranks
/// that are linearly dependent.
pub fn prcc(x: &[Vec<f64>], y: &[f64]) -> Vec<Option<Prcc>> {
    let n = y.len();
    let k = x.first().map_or(0, Vec::len);
    assert!(x.len() == n, "one row of parameters per output");
    let mut vars: Vec<Vec<f64>> = (0..k)
        .map(|i| ranks(&x.iter().map(|r| r[i]).collect::<Vec<_>>()))
        .collect();
    vars.push(ranks(y));
    of_ranks(vars)
}

/// A data set prepared for the PRCC of many bootstrap resamples: each variable (the `k`
/// parameters, then the output) sorted once, so that ranking a resample is a walk over
/// the sorted order, `O(n)` instead of a sort per variable.
#[derive(Debug, Clone)]
pub struct RankedSample {
    /// Per variable, its values by run.
    values: Vec<Vec<f64>>,
    /// Per variable, the runs in increasing order of its value.
    orders: Vec<Vec<usize>>,
}

impl RankedSample {
    /// Prepares the rows `x` (one per run, one column per parameter) and outputs `y`.
    pub fn new(x: &[Vec<f64>], y: &[f64]) -> Self {
        assert!(x.len() == y.len(), "one row of parameters per output");
        let k = x.first().map_or(0, Vec::len);
        let mut values: Vec<Vec<f64>> = (0..k).map(|i| x.iter().map(|r| r[i]).collect()).collect();
        values.push(y.to_vec());
        let orders = values
            .iter()
            .map(|v| {
                let mut order: Vec<usize> = (0..v.len()).collect();
                order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
                order
            })
            .collect();
        RankedSample { values, orders }
    }

    /// The PRCC of the resample `pick` (run indices, repeats allowed): equal, bit for
    /// bit, to [`prcc`] of the picked rows, whose ranks are those [`ranks`] gives the
    /// picked values (a run picked `c` times fills `c` tied positions).
    pub fn prcc(&self, pick: &[usize]) -> Vec<Option<Prcc>> {
        let n = self.values.first().map_or(0, Vec::len);
        let mut count = vec![0usize; n];
        for &i in pick {
            count[i] += 1;
        }
        let mut rank_of = vec![0.0; n];
        let vars = self
            .values
            .iter()
            .zip(&self.orders)
            .map(|(v, order)| {
                // Runs of equal value form one tied block of the resample's sorted order.
                let (mut start, mut g) = (0, 0);
                while g < order.len() {
                    let mut h = g;
                    let mut copies = 0;
                    while h < order.len() && v[order[h]] == v[order[g]] {
                        copies += count[order[h]];
                        h += 1;
                    }
                    let end = start + copies;
                    let rank = (start + 1 + end) as f64 / 2.0;
                    for &i in &order[g..h] {
                        rank_of[i] = rank;
                    }
                    (start, g) = (end, h);
                }
                pick.iter().map(|&i| rank_of[i]).collect()
            })
            .collect();
        of_ranks(vars)
    }
}

/// The PRCC of the ranked variables `vars` (the `k` parameters, then the output).
fn of_ranks(mut vars: Vec<Vec<f64>>) -> Vec<Option<Prcc>> {
    let k = vars.len() - 1;
    let n = vars[k].len();
    let df = n as f64 - 2.0 - (k as f64 - 1.0);
    if k == 0 || df < 1.0 {
        return vec![None; k];
    }
    // The ranked variables, centred and scaled to unit norm: their dot products are the
    // correlations.
    for v in &mut vars {
        let mean = v.iter().sum::<f64>() / n as f64;
        v.iter_mut().for_each(|a| *a -= mean);
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm == 0.0 {
            return vec![None; k];
        }
        v.iter_mut().for_each(|a| *a /= norm);
    }
    let m = k + 1;
    let mut corr = vec![0.0; m * m];
    for a in 0..m {
        for b in a..m {
            let c: f64 = vars[a].iter().zip(&vars[b]).map(|(u, v)| u * v).sum();
            corr[a * m + b] = c;
            corr[b * m + a] = c;
        }
    }
    let Some(p) = inverse(&corr, m) else {
        return vec![None; k];
    };
    let t_dist = StudentsT::new(0.0, 1.0, df).expect("positive degrees of freedom");
    (0..k)
        .map(|i| {
            let r = (-p[i * m + k] / (p[i * m + i] * p[k * m + k]).sqrt()).clamp(-1.0, 1.0);
            let t = r * (df / (1.0 - r * r)).sqrt();
            let p_value = if t.is_finite() {
                2.0 * (1.0 - t_dist.cdf(t.abs()))
            } else {
                0.0
            };
            Some(Prcc {
                coefficient: r,
                p_value,
            })
        })
        .collect()
}

/// The inverse of the `m × m` row-major matrix `a` by Gauss–Jordan elimination with
/// partial pivoting, or `None` if a pivot falls below `1e-12` (singular in effect).
fn inverse(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut w = a.to_vec();
    let mut inv: Vec<f64> = (0..m * m)
        .map(|i| f64::from(u8::from(i / m == i % m)))
        .collect();
    for col in 0..m {
        let pivot =
            (col..m).max_by(|&r, &s| w[r * m + col].abs().total_cmp(&w[s * m + col].abs()))?;
        if w[pivot * m + col].abs() < 1e-12 {
            return None;
        }
        for c in 0..m {
            w.swap(col * m + c, pivot * m + c);
            inv.swap(col * m + c, pivot * m + c);
        }
        let d = w[col * m + col];
        for c in 0..m {
            w[col * m + c] /= d;
            inv[col * m + c] /= d;
        }
        for r in 0..m {
            if r != col {
                let f = w[r * m + col];
                if f != 0.0 {
                    for c in 0..m {
                        w[r * m + c] -= f * w[col * m + c];
                        inv[r * m + c] -= f * inv[col * m + c];
                    }
                }
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{purpose, stream, uniform};

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    /// The PRCC by its definition: the correlation of the residuals of least-squares fits
    /// (normal equations, solved by the same elimination) of the ranks of `x_i` and of `y`
    /// on the other ranks and a constant.
    fn by_residuals(x: &[Vec<f64>], y: &[f64], i: usize) -> f64 {
        let n = y.len();
        let k = x[0].len();
        let col = |j: usize| ranks(&x.iter().map(|r| r[j]).collect::<Vec<_>>());
        let others: Vec<Vec<f64>> = (0..k).filter(|&j| j != i).map(col).collect();
        let design: Vec<Vec<f64>> = (0..n)
            .map(|r| {
                std::iter::once(1.0)
                    .chain(others.iter().map(|c| c[r]))
                    .collect()
            })
            .collect();
        let q = k; // a constant and k − 1 others
        let residual = |target: &[f64]| -> Vec<f64> {
            let mut xtx = vec![0.0; q * q];
            let mut xty = vec![0.0; q];
            for r in 0..n {
                for a in 0..q {
                    xty[a] += design[r][a] * target[r];
                    for b in 0..q {
                        xtx[a * q + b] += design[r][a] * design[r][b];
                    }
                }
            }
            let inv = inverse(&xtx, q).unwrap();
            let beta: Vec<f64> = (0..q)
                .map(|a| (0..q).map(|b| inv[a * q + b] * xty[b]).sum())
                .collect();
            (0..n)
                .map(|r| target[r] - (0..q).map(|a| design[r][a] * beta[a]).sum::<f64>())
                .collect()
        };
        let (u, v) = (residual(&col(i)), residual(&ranks(y)));
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
        dot(&u, &v) / (dot(&u, &u) * dot(&v, &v)).sqrt()
    }

    #[test]
    fn prcc_is_the_correlation_of_rank_residuals() {
        let mut rng = stream(4, purpose::SENSITIVITY, 9, 0);
        let x: Vec<Vec<f64>> = (0..200)
            .map(|_| (0..4).map(|_| uniform(&mut rng)).collect())
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|r| (3.0 * r[0]).exp() - 2.0 * r[1] + 0.3 * r[2] * r[3] + 0.2 * uniform(&mut rng))
            .collect();
        let p = prcc(&x, &y);
        for (i, got) in p.iter().enumerate() {
            let expected = by_residuals(&x, &y, i);
            let got = got.unwrap();
            assert!(
                (got.coefficient - expected).abs() < 1e-10,
                "{i}: {got:?} vs {expected}"
            );
        }
        // Monotone strong effects are significant; the sign follows the effect.
        assert!(p[0].unwrap().coefficient > 0.9 && p[0].unwrap().p_value < 1e-10);
        assert!(p[1].unwrap().coefficient < -0.5 && p[1].unwrap().p_value < 1e-6);
    }

    #[test]
    fn an_unused_parameter_is_rejected_at_the_stated_rate() {
        // Under the null (y independent of x2) the p-value is uniform: about 5 % of 400
        // independent data sets fall below 0.05 (binomial sd 1.1 %; accept 2–9 %).
        let mut hits = 0;
        for s in 0..400u64 {
            let mut rng = stream(s, purpose::SENSITIVITY, 10, 0);
            let x: Vec<Vec<f64>> = (0..50)
                .map(|_| (0..2).map(|_| uniform(&mut rng)).collect())
                .collect();
            let y: Vec<f64> = x.iter().map(|r| r[0] + uniform(&mut rng)).collect();
            if prcc(&x, &y)[1].unwrap().p_value < 0.05 {
                hits += 1;
            }
        }
        assert!((8..=36).contains(&hits), "{hits} of 400 below 0.05");
    }

    #[test]
    fn a_resample_ranked_from_the_sorted_sample_equals_ranking_it_afresh() {
        // Ties in the data (values on a coarse grid) and repeats from the resample.
        let mut rng = stream(6, purpose::SENSITIVITY, 11, 0);
        let x: Vec<Vec<f64>> = (0..60)
            .map(|_| (0..3).map(|_| (uniform(&mut rng) * 8.0).floor()).collect())
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|r| (r[0] - r[1] + uniform(&mut rng)).round())
            .collect();
        let ranked = RankedSample::new(&x, &y);
        let all: Vec<usize> = (0..60).collect();
        assert_eq!(ranked.prcc(&all), prcc(&x, &y));
        for b in 0..50 {
            let mut rng = stream(6, purpose::SENSITIVITY, 12, b);
            let pick: Vec<usize> = (0..60).map(|_| crate::rng::below(&mut rng, 60)).collect();
            let xs: Vec<Vec<f64>> = pick.iter().map(|&i| x[i].clone()).collect();
            let ys: Vec<f64> = pick.iter().map(|&i| y[i]).collect();
            assert_eq!(ranked.prcc(&pick), prcc(&xs, &ys), "resample {b}");
        }
    }

    #[test]
    fn a_constant_output_has_no_prcc() {
        let x = vec![
            vec![1.0, 2.0],
            vec![2.0, 1.0],
            vec![3.0, 3.0],
            vec![4.0, 0.0],
        ];
        assert_eq!(prcc(&x, &[1.0; 4]), vec![None, None]);
    }
}
