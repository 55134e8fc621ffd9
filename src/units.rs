//! Time units: the one place that converts between days, hours and steps of `run.dt_h`
//! hours (docs/model.md §2.1). A leaf module: it depends on nothing else in the crate.
//!
//! Each helper evaluates exactly the expression (operands and order) that the call sites
//! used to write by hand, so that replacing them changes no output bit: floating-point
//! multiplication and division are not associative, and `r · dt / 24` computed as
//! `(r · dt) / 24` can differ in the last bit from `r · (dt / 24)`.
//!
//! | symbol | helper | unit | equation |
//! |---|---|---|---|
//! | p | [`per_step`] | per step | p = r · Δt / 24, r per day, Δt hours |
//! | t | [`steps_to_days`] | days | t = n · Δt / 24, n steps of Δt hours |
//! | n | [`days_to_steps`] | steps (real) | n = t · 24 / Δt, t days |
//! | n | [`step_of_day`] | step | n = round(t · 24 / Δt) |
//! | t | [`hours_to_days`] | days | t = h / 24, h hours |

/// Hours in a day, h/d.
pub const HOURS_PER_DAY: f64 = 24.0;

/// The per-step amount p (a probability or an expected count per step) of a rate
/// `rate_per_day` r (per day) over a step of `dt_h` Δt hours: p = r · Δt / 24, evaluated
/// as `(r · Δt) / 24`.
///
/// A linear conversion: for a probability it is the first-order (small r · Δt) form, and
/// the config rules (`config::validate`) keep it ≤ 1.
#[inline]
pub fn per_step(rate_per_day: f64, dt_h: f64) -> f64 {
    rate_per_day * dt_h / HOURS_PER_DAY
}

/// The time t (days) spanned by `steps` n steps of `dt_h` Δt hours, so also the day at
/// which step n begins: t = n · Δt / 24, evaluated as `(n · Δt) / 24`.
#[inline]
pub fn steps_to_days(steps: u64, dt_h: f64) -> f64 {
    steps as f64 * dt_h / HOURS_PER_DAY
}

/// The number of steps n (real, not rounded) of `dt_h` Δt hours in `days` t days:
/// n = t · 24 / Δt, evaluated as `(t · 24) / Δt`.
#[inline]
pub fn days_to_steps(days: f64, dt_h: f64) -> f64 {
    days * HOURS_PER_DAY / dt_h
}

/// The step n of day `day` t (days) at steps of `dt_h` Δt hours, rounded to the nearest
/// step: n = round(t · 24 / Δt) ([`days_to_steps`] rounded; negative days give step 0).
#[inline]
pub fn step_of_day(day: f64, dt_h: f64) -> u64 {
    days_to_steps(day, dt_h).round() as u64
}

/// The time t (days) of `hours` h hours: t = h / 24.
#[inline]
pub fn hours_to_days(hours: f64) -> f64 {
    hours / HOURS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The helpers are bit-identical to the hand-written expressions they replace, over
    /// rates, days and steps whose products round differently in the two orders.
    #[test]
    fn bit_identical_to_the_hand_written_expressions() {
        let dts = [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0, 12.0, 24.0];
        let rates = [
            0.0,
            1e-4,
            0.004,
            0.008,
            0.03,
            0.1,
            0.3,
            1.0 / 3.0,
            5.0,
            10.0,
            15.0,
        ];
        for &dt in &dts {
            for &r in &rates {
                assert_eq!(per_step(r, dt).to_bits(), (r * dt / 24.0).to_bits());
                assert_eq!(days_to_steps(r, dt).to_bits(), (r * 24.0 / dt).to_bits());
                assert_eq!(step_of_day(r, dt), (r * 24.0 / dt).round() as u64);
            }
            for n in [0u64, 1, 7, 23, 24, 25, 999, 1_000_001] {
                assert_eq!(
                    steps_to_days(n, dt).to_bits(),
                    (n as f64 * dt / 24.0).to_bits()
                );
            }
            assert_eq!(hours_to_days(dt).to_bits(), (dt / 24.0).to_bits());
        }
    }

    /// The orders matter: `r · Δt / 24` and `r · (Δt / 24)` differ for some inputs, which
    /// is why the metastasis rates (`rate · dt_days`) do not use [`per_step`].
    #[test]
    fn the_order_of_evaluation_matters() {
        let differs = (1..1000).any(|i| {
            let r = i as f64 * 1e-3;
            per_step(r, 1.0).to_bits() != (r * hours_to_days(1.0)).to_bits()
        });
        assert!(differs);
    }

    #[test]
    fn known_values() {
        assert_eq!(per_step(24.0, 1.0), 1.0);
        assert_eq!(per_step(3.0, 4.0), 0.5);
        assert_eq!(steps_to_days(48, 0.5), 1.0);
        assert_eq!(days_to_steps(2.0, 0.5), 96.0);
        assert_eq!(step_of_day(1.0, 7.0), 3);
        assert_eq!(step_of_day(-1.0, 1.0), 0);
        assert_eq!(hours_to_days(36.0), 1.5);
    }
}
