//! Summary statistics of a scenario comparison: sample quantiles, mean and standard
//! deviation, the Wilson interval of a proportion and the Kaplan–Meier estimate of a
//! time-to-event endpoint (median and its 95 % confidence interval).
//!
//! Definitions (fixed, so that the numbers in `comparison.csv` are reproducible and can be
//! recomputed by any tool):
//!
//! - **Quantiles** are Hyndman & Fan type 7 (R's default, NumPy's `linear`): for sorted
//!   values x₀ ≤ … ≤ xₙ₋₁ and probability p, h = (n − 1) p and
//!   Q(p) = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).
//! - **Standard deviation** is the sample one (divisor n − 1); undefined for n < 2.
//! - **Wilson interval** (score interval) of k successes in n trials at z = 1.959964 (95 %):
//!   (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
//! - **Kaplan–Meier**: Ŝ(t) = ∏_{tᵢ ≤ t} (1 − dᵢ/nᵢ) over distinct event times tᵢ with dᵢ
//!   events and nᵢ at risk (a run censored at tᵢ is still at risk at tᵢ). The median is
//!   the smallest event time with Ŝ(t) ≤ 0.5 (undefined if Ŝ stays above 0.5). Its 95 %
//!   interval (Brookmeyer & Crowley) is the set of times where the pointwise log–log band
//!   contains 0.5: lower = the smallest event time whose lower band is ≤ 0.5, upper = the
//!   smallest event time whose upper band is ≤ 0.5 (undefined if never). The band uses
//!   Greenwood's variance: with σ² = Σ dᵢ/(nᵢ(nᵢ − dᵢ)) and θ = σ / |ln Ŝ|, the band is
//!   [Ŝ^exp(zθ), Ŝ^exp(−zθ)]; it is [0, 0] once Ŝ = 0.

/// The standard normal quantile for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Type 7 quantile of already **sorted** values (see the module docs); `None` if empty.
///
/// # Panics
/// If `p` is outside `[0, 1]`.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    assert!((0.0..=1.0).contains(&p), "quantile probability {p}");
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let x = sorted[lo];
    if lo + 1 < n && frac > 0.0 {
        Some(x + frac * (sorted[lo + 1] - x))
    } else {
        Some(x)
    }
}

/// Values sorted ascending (total order; NaNs are not expected).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Arithmetic mean summed in index order; `None` if empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (divisor n − 1); `None` for fewer than two values.
pub fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// Standard error of the mean, sd/√n; `None` for fewer than two values.
pub fn se(values: &[f64]) -> Option<f64> {
    sd(values).map(|s| s / (values.len() as f64).sqrt())
}

/// Wilson score interval (lower, upper) of `k` successes in `n` trials at normal
/// quantile `z` (use [`Z95`]); `None` if `n` is 0.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    // At k = 0 (k = n) the bound is exactly 0 (1); rounding would leave ±1e-17.
    let lo = if k == 0 {
        0.0
    } else {
        ((centre - half) / denom).max(0.0)
    };
    let hi = if p == 1.0 {
        1.0
    } else {
        ((centre + half) / denom).min(1.0)
    };
    Some((lo, hi))
}

/// One step of a Kaplan–Meier curve: at event time `time`, `events` of `at_risk` subjects
/// had the event; `survival` is Ŝ just after `time`, `lower`/`upper` its pointwise 95 %
/// log–log band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmStep {
    /// The event time.
    pub time: f64,
    /// Subjects at risk just before `time` (censored at `time` included).
    pub at_risk: u64,
    /// Events at `time`.
    pub events: u64,
    /// Ŝ(time).
    pub survival: f64,
    /// Lower end of the pointwise band at `time`.
    pub lower: f64,
    /// Upper end of the pointwise band at `time`.
    pub upper: f64,
}

/// The Kaplan–Meier curve of `(time, observed)` pairs (`observed = false`: censored at
/// `time`): one [`KmStep`] per distinct event time, ascending. Band at normal quantile `z`.
pub fn kaplan_meier(data: &[(f64, bool)], z: f64) -> Vec<KmStep> {
    let mut d = data.to_vec();
    // Events before censorings at equal times: a subject censored at t was at risk at t.
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = d.len() as u64;
    let mut survival = 1.0;
    let mut greenwood = 0.0;
    let mut steps = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let t = d[i].0;
        let mut events = 0u64;
        let mut leaving = 0u64;
        while i < d.len() && d[i].0 == t {
            events += u64::from(d[i].1);
            leaving += 1;
            i += 1;
        }
        if events > 0 {
            let n = at_risk as f64;
            let e = events as f64;
            survival *= 1.0 - e / n;
            let (lower, upper) = if events == at_risk || survival <= 0.0 {
                survival = 0.0;
                (0.0, 0.0)
            } else {
                greenwood += e / (n * (n - e));
                let theta = greenwood.sqrt() / survival.ln().abs();
                (
                    survival.powf((z * theta).exp()),
                    survival.powf((-z * theta).exp()),
                )
            };
            steps.push(KmStep {
                time: t,
                at_risk,
                events,
                survival,
                lower,
                upper,
            });
        }
        at_risk -= leaving;
    }
    steps
}

/// Median of a Kaplan–Meier curve and its 95 % interval (see the module docs):
/// `(median, lower, upper)`, each `None` when the curve does not reach 0.5.
pub fn km_median(steps: &[KmStep]) -> (Option<f64>, Option<f64>, Option<f64>) {
    let first = |f: &dyn Fn(&KmStep) -> f64| steps.iter().find(|s| f(s) <= 0.5).map(|s| s.time);
    (
        first(&|s| s.survival),
        first(&|s| s.lower),
        first(&|s| s.upper),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn type_7_quantiles_by_hand() {
        let x = sorted(&[4.0, 1.0, 3.0, 2.0]);
        // h = 3p: p = 0.5 → h = 1.5 → 2 + 0.5 (3 − 2) = 2.5.
        assert_eq!(quantile_sorted(&x, 0.5), Some(2.5));
        // p = 0.025 → h = 0.075 → 1 + 0.075 = 1.075.
        assert!(close(quantile_sorted(&x, 0.025).unwrap(), 1.075));
        // p = 0.975 → h = 2.925 → 3 + 0.925 = 3.925.
        assert!(close(quantile_sorted(&x, 0.975).unwrap(), 3.925));
        assert_eq!(quantile_sorted(&x, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&x, 1.0), Some(4.0));
        assert_eq!(quantile_sorted(&[7.0], 0.3), Some(7.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        // Odd count: the middle value.
        assert_eq!(quantile_sorted(&[1.0, 5.0, 9.0], 0.5), Some(5.0));
    }

    #[test]
    fn mean_sd_se_by_hand() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        // Sum of squares 32, divisor 7.
        assert!(close(sd(&x).unwrap(), (32.0f64 / 7.0).sqrt()));
        assert!(close(se(&x).unwrap(), (32.0f64 / 7.0).sqrt() / 8f64.sqrt()));
        assert_eq!(sd(&[1.0]), None);
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn wilson_by_hand() {
        // k = 5, n = 10, z = 1.96: centre (0.5 + 0.19208)/1.38416 = 0.5, half-width
        // 1.96 √(0.025 + 0.009604)/1.38416 = 0.263410…
        let (lo, hi) = wilson(5, 10, 1.96).unwrap();
        assert!((lo - 0.236_590).abs() < 1e-6, "{lo}");
        assert!((hi - 0.763_410).abs() < 1e-6, "{hi}");
        // k = 0, n = 10: lower 0, upper z²/n / (1 + z²/n) = 0.38416/1.38416 = 0.277540…
        let (lo, hi) = wilson(0, 10, 1.96).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277540).abs() < 1e-6, "{hi}");
        // k = n mirrors k = 0.
        let (lo, hi) = wilson(10, 10, 1.96).unwrap();
        assert!((lo - (1.0 - 0.277540)).abs() < 1e-6, "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(wilson(0, 0, Z95), None);
    }

    #[test]
    fn kaplan_meier_median_with_censoring_by_hand() {
        // Times 1 (event), 2 (censored), 3 (event), 4 (event), 5 (censored):
        // Ŝ(1) = 4/5 = 0.8, Ŝ(3) = 0.8 · 2/3 = 0.5333, Ŝ(4) = 0.5333 · 1/2 = 0.2667.
        let data = [
            (1.0, true),
            (2.0, false),
            (3.0, true),
            (4.0, true),
            (5.0, false),
        ];
        let km = kaplan_meier(&data, Z95);
        let times: Vec<f64> = km.iter().map(|s| s.time).collect();
        assert_eq!(times, [1.0, 3.0, 4.0]);
        let at_risk: Vec<u64> = km.iter().map(|s| s.at_risk).collect();
        assert_eq!(at_risk, [5, 3, 2]);
        assert!(close(km[0].survival, 0.8));
        assert!(close(km[1].survival, 0.8 * 2.0 / 3.0));
        assert!(close(km[2].survival, 0.8 / 3.0));
        assert_eq!(km_median(&km).0, Some(4.0));
        // Without censoring the median is the middle time.
        let all: Vec<(f64, bool)> = (1..=5).map(|t| (t as f64, true)).collect();
        assert_eq!(km_median(&kaplan_meier(&all, Z95)).0, Some(3.0));
        // Censored at t together with an event at t: still at risk at t.
        let tie = [(2.0, false), (2.0, true), (3.0, true)];
        let km = kaplan_meier(&tie, Z95);
        assert_eq!(km[0].at_risk, 3);
        assert!(close(km[0].survival, 2.0 / 3.0));
        // Curve that never reaches 0.5: no median and no upper end, but the lower end of
        // the interval exists: Ŝ(1) = 2/3, θ = √(1/6)/ln 1.5 = 1.006 86, lower band
        // (2/3)^exp(1.973 4) = (2/3)^7.194 = 0.054 ≤ 0.5.
        let few = [(1.0, true), (9.0, false), (9.0, false)];
        let km = kaplan_meier(&few, Z95);
        assert!((km[0].lower - 0.054_2).abs() < 1e-3, "{}", km[0].lower);
        assert_eq!(km_median(&km), (None, Some(1.0), None));
        // No events at all: an empty curve.
        assert!(kaplan_meier(&[(5.0, false)], Z95).is_empty());
    }

    #[test]
    fn kaplan_meier_log_log_band_by_hand() {
        // Ten events at t = 1..10. After k events Ŝ = (10 − k)/10 and Greenwood's sum
        // telescopes: Σ 1/((11 − i)(10 − i)) = 1/(10 − k) − 1/10.
        let data: Vec<(f64, bool)> = (1..=10).map(|t| (t as f64, true)).collect();
        let km = kaplan_meier(&data, Z95);
        for (k, step) in km.iter().enumerate().take(9) {
            let k = (k + 1) as f64;
            let s = (10.0 - k) / 10.0;
            let theta = (1.0 / (10.0 - k) - 0.1).sqrt() / s.ln().abs();
            assert!(close(step.survival, s));
            assert!(close(step.lower, s.powf((Z95 * theta).exp())));
            assert!(close(step.upper, s.powf((-Z95 * theta).exp())));
        }
        assert_eq!((km[9].survival, km[9].lower, km[9].upper), (0.0, 0.0, 0.0));
        // Values by hand: k = 1: Ŝ = 0.9, θ = √(1/9 − 0.1)/ln(10/9) = 0.996 40, lower
        // 0.9^exp(1.952 9) = 0.9^7.048 = 0.473 0 (already ≤ 0.5). k = 7: Ŝ = 0.3, θ =
        // √(1/3 − 0.1)/ln(10/3) = 0.401 21, upper 0.3^exp(−0.786 4) = 0.3^0.455 5 = 0.577 9.
        // k = 8: Ŝ = 0.2, θ = √0.4/ln 5 = 0.392 97, upper 0.2^exp(−0.770 2) = 0.474 7.
        assert!((km[0].lower - 0.473_009).abs() < 1e-5, "{}", km[0].lower);
        assert!((km[6].upper - 0.577_867).abs() < 1e-5, "{}", km[6].upper);
        assert!((km[7].upper - 0.474_715).abs() < 1e-5, "{}", km[7].upper);
        // So the median is 5 with 95 % interval [1, 8].
        assert_eq!(km_median(&km), (Some(5.0), Some(1.0), Some(8.0)));
    }
}
