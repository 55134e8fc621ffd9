//! Test functions of sensitivity analysis with closed-form Sobol' indices, on the unit
//! cube: what the estimators are checked against, and a way for users to check a design
//! before spending runs on it.
//!
//! | function | inputs | equation | indices |
//! |---|---|---|---|
//! | Ishigami (`a` = 7, `b` = 0.1) | `x_i = −π + 2π u_i`, `i = 1..3` | `sin x₁ + a sin² x₂ + b x₃⁴ sin x₁` | `V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2`, `V₁ = bπ⁴/5 + b²π⁸/50 + 1/2`, `V₂ = a²/8`, `V₁₃ = 8b²π⁸/225` (Ishigami & Homma 1990; Saltelli et al. 2008, §4.5) |
//! | Sobol's G | `u_i`, `i = 1..k` | `Π (|4u_i − 2| + a_i) / (1 + a_i)` | `V_i = 1 / (3 (1 + a_i)²)`, `V = Π (1 + V_i) − 1`, `S_i = V_i / V`, `S_Ti = V_i Π_{l≠i} (1 + V_l) / V` (Saltelli et al. 2010) |

use std::f64::consts::PI;

/// The Ishigami function (`a` = 7, `b` = 0.1) of a point `u` of the unit cube (3 inputs,
/// each mapped onto [−π, π]).
pub fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// The exact Sobol' indices of a test function.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// The output's variance.
    pub variance: f64,
    /// First-order indices `S_i`.
    pub first: Vec<f64>,
    /// Total-order indices `S_Ti`.
    pub total: Vec<f64>,
    /// Second-order indices `((i, l), S_il)`, `i < l`, of the pairs that interact.
    pub second: Vec<((usize, usize), f64)>,
}

/// The exact indices of [`ishigami`]: only `x₁` and `x₃` interact.
pub fn ishigami_exact() -> Exact {
    let (a, b) = (7.0f64, 0.1f64);
    let (p4, p8) = (PI.powi(4), PI.powi(8));
    let v = a * a / 8.0 + b * p4 / 5.0 + b * b * p8 / 18.0 + 0.5;
    let v1 = b * p4 / 5.0 + b * b * p8 / 50.0 + 0.5;
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * p8 / 225.0;
    Exact {
        variance: v,
        first: vec![v1 / v, v2 / v, 0.0],
        total: vec![(v1 + v13) / v, v2 / v, v13 / v],
        second: vec![((0, 2), v13 / v)],
    }
}

/// Sobol's G function with coefficients `a` (one input per coefficient; a larger `a_i`
/// makes input `i` less important).
#[derive(Debug, Clone, PartialEq)]
pub struct GFunction {
    /// The coefficients `a_i ≥ 0`.
    pub a: Vec<f64>,
}

impl GFunction {
    /// The value at a point `u` of the unit cube.
    pub fn value(&self, u: &[f64]) -> f64 {
        u.iter()
            .zip(&self.a)
            .map(|(u, a)| ((4.0 * u - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// The exact first- and total-order indices (second order left empty).
    pub fn exact(&self) -> Exact {
        let vi: Vec<f64> = self
            .a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let total = (0..vi.len())
            .map(|i| {
                let others: f64 = (0..vi.len())
                    .filter(|&l| l != i)
                    .map(|l| 1.0 + vi[l])
                    .product();
                vi[i] * others / v
            })
            .collect();
        Exact {
            variance: v,
            first: vi.iter().map(|x| x / v).collect(),
            total,
            second: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ishigami_variance_is_the_sum_of_its_parts() {
        // V = V1 + V2 + V13 (no other term), so S1 + S2 + S13 = 1; Ishigami's V = 13.845.
        let e = ishigami_exact();
        let sum: f64 = e.first.iter().sum::<f64>() + e.second[0].1;
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((e.variance - 13.8446).abs() < 1e-3, "{}", e.variance);
    }

    #[test]
    fn g_function_indices_add_up_and_follow_a() {
        // With one input the first- and total-order index are both 1; with several the
        // first-order indices sum to less than 1 and fall as a grows.
        let one = GFunction { a: vec![2.0] }.exact();
        assert!((one.first[0] - 1.0).abs() < 1e-12 && (one.total[0] - 1.0).abs() < 1e-12);
        let g = GFunction {
            a: vec![0.0, 1.0, 9.0],
        }
        .exact();
        assert!(g.first.iter().sum::<f64>() < 1.0);
        assert!(g.first[0] > g.first[1] && g.first[1] > g.first[2]);
        // G = 1 + … at the centre of no input: u = 0.25 maps |4u − 2| to 1.
        let f = GFunction { a: vec![0.0, 1.0] };
        assert!((f.value(&[0.25, 0.25]) - 1.0).abs() < 1e-12);
    }
}
