//! Acceptance rules and the criteria they judge.
//!
//! Two conventions, stated once for the whole suite:
//! - a **target** (a calibration band such as "1–5 %", or a bound such as "≤ 3 %") is met
//!   when the point estimate lies in it ([`Rule::Band`], [`Rule::AtLeast`],
//!   [`Rule::AtMost`]); its 95 % interval is reported beside it;
//! - an **effect** (A is larger than B) is claimed only when the 95 % interval excludes
//!   no effect ([`Rule::Exceeds`], [`Rule::Under`]): a one-sided test at 2.5 %.
//!
//! Each rule also gives the plug-in power of its criterion: the chance that a fresh block
//! of as many seeds passes, if the truth were the estimate just made (see
//! [`super::stats::Estimate::chance_value_in`]).

use super::stats::Estimate;

/// When a criterion passes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// The point estimate lies in `[lo, hi]`.
    Band(f64, f64),
    /// The point estimate is at least this.
    AtLeast(f64),
    /// The point estimate is at most this.
    AtMost(f64),
    /// The lower 95 % bound is above this (a significant increase).
    Exceeds(f64),
    /// The upper 95 % bound is below this (a significant decrease).
    Under(f64),
}

impl Rule {
    /// Does `e` pass?
    pub fn passes(&self, e: &Estimate) -> bool {
        let v = e.value;
        match *self {
            Rule::Band(lo, hi) => v >= lo && v <= hi,
            Rule::AtLeast(x) => v >= x,
            Rule::AtMost(x) => v <= x,
            Rule::Exceeds(x) => e.low > x,
            Rule::Under(x) => e.high < x,
        }
    }

    /// The plug-in power: P(a fresh block of `e.n` seeds passes | the truth is `e`).
    pub fn power(&self, e: &Estimate) -> f64 {
        let p = match *self {
            Rule::Band(lo, hi) => e.chance_value_in(lo, hi),
            Rule::AtLeast(x) => e.chance_value_in(x, f64::INFINITY),
            Rule::AtMost(x) => e.chance_value_in(f64::NEG_INFINITY, x),
            Rule::Exceeds(x) => e.chance_low_above(x),
            Rule::Under(x) => e.chance_high_below(x),
        };
        if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
    }

    /// The rule as text, e.g. `in [0.01, 0.05]` or `95 % CI above 1`.
    pub fn text(&self) -> String {
        match *self {
            Rule::Band(lo, hi) => format!("in [{}, {}]", num(lo), num(hi)),
            Rule::AtLeast(x) => format!(">= {}", num(x)),
            Rule::AtMost(x) => format!("<= {}", num(x)),
            Rule::Exceeds(x) => format!("95 % CI above {}", num(x)),
            Rule::Under(x) => format!("95 % CI below {}", num(x)),
        }
    }
}

/// A number in at most 4 significant digits, without trailing zeros.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (4 - 1 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// One judged statistic of a check.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// What is measured, with its unit and scenario reading, e.g. "CSC fraction of the
    /// primary on day 90".
    pub statistic: String,
    /// The estimate over the seeds.
    pub estimate: Estimate,
    /// The acceptance rule.
    pub rule: Rule,
}

impl Criterion {
    /// A criterion.
    pub fn new(statistic: impl Into<String>, estimate: Estimate, rule: Rule) -> Self {
        Criterion {
            statistic: statistic.into(),
            estimate,
            rule,
        }
    }

    /// Does it pass? (A NaN estimate never passes.)
    pub fn passes(&self) -> bool {
        !self.estimate.value.is_nan() && self.rule.passes(&self.estimate)
    }

    /// Its plug-in power.
    pub fn power(&self) -> f64 {
        self.rule.power(&self.estimate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_is_judged_on_the_point_estimate() {
        let e = Estimate::mean(&[0.02, 0.03, 0.04]);
        assert!(Rule::Band(0.01, 0.05).passes(&e));
        assert!(!Rule::Band(0.035, 0.05).passes(&e));
    }

    #[test]
    fn an_effect_needs_its_interval_clear_of_zero() {
        let e = Estimate::mean(&[0.1, 0.2, 0.3, 0.25]);
        assert!(Rule::Exceeds(0.0).passes(&e));
        let noisy = Estimate::mean(&[-1.0, 2.0, 0.5, -0.4]);
        assert!(noisy.value > 0.0 && !Rule::Exceeds(0.0).passes(&noisy));
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(1234.6), "1235");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(0.000123456), "0.0001235");
    }
}
