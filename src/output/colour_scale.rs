//! The logarithmic viridis colour scale of the field heat maps.
//!
//! A concentration `v` (ng/mL) is drawn with viridis at
//! `t = (log10(max(v, floor)) − log10(floor)) / DECADES`, where `max` is the scale's
//! maximum and `floor = max / 10^DECADES`: values at or below the floor (zero included)
//! get the floor colour, dark purple; the maximum gets yellow. The Python
//! `scripts/plot_snapshot.py` draws the fields with the same map (viridis, log scale).

/// Decades from the floor to the maximum of a [`LogScale`].
pub const DECADES: i32 = 4;

/// A log10 colour scale from `max / 10^DECADES` to `max` (ng/mL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogScale {
    max: f64,
}

impl LogScale {
    /// The scale topped at `max` ng/mL; a maximum that is not positive and finite (a field
    /// that is zero everywhere) becomes 1 ng/mL, so the whole field shows the floor colour.
    pub fn new(max: f64) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        LogScale { max }
    }

    /// The maximum, ng/mL.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The floor, `max / 10^DECADES` ng/mL.
    pub fn floor(&self) -> f64 {
        self.max / 10f64.powi(DECADES)
    }

    /// Position of `value` on the scale, 0 (at or below the floor, or not a number) to 1
    /// (at or above the maximum).
    pub fn position(&self, value: f64) -> f64 {
        if value.is_nan() || value <= self.floor() {
            return 0.0;
        }
        ((value.log10() - self.floor().log10()) / f64::from(DECADES)).clamp(0.0, 1.0)
    }

    /// The colour of `value`.
    pub fn colour(&self, value: f64) -> [u8; 3] {
        viridis(self.position(value))
    }

    /// The powers of ten between the floor and the maximum (inclusive), smallest first, as
    /// `(value, position)`: the ticks of a colour bar.
    pub fn decades(&self) -> Vec<(f64, f64)> {
        let lo = self.floor().log10().ceil() as i32;
        let hi = self.max.log10().floor() as i32;
        (lo..=hi)
            .map(|k| {
                let v = 10f64.powi(k);
                (v, self.position(v))
            })
            .collect()
    }
}

/// The viridis colour at `t` in [0, 1] (the `colorous` crate's matplotlib viridis).
pub fn viridis(t: f64) -> [u8; 3] {
    let c = colorous::VIRIDIS.eval_continuous(if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    });
    [c.r, c.g, c.b]
}

/// A tick label for a power of ten: `0.01`, `1`, `100`; `1e-5`, `1e5` beyond.
pub fn decade_label(value: f64) -> String {
    let k = value.log10().round() as i32;
    match k {
        -3..=-1 => format!("{:.*}", (-k) as usize, value),
        0..=4 => format!("{}", 10i64.pow(k as u32)),
        _ => format!("1e{k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_is_four_decades_below_the_maximum_and_zero_takes_its_colour() {
        let s = LogScale::new(50.0);
        assert!((s.floor() - 0.005).abs() < 1e-15);
        assert_eq!(s.position(0.0), 0.0);
        assert_eq!(s.position(0.001), 0.0);
        assert_eq!(s.position(50.0), 1.0);
        assert!((s.position(0.5) - 0.5).abs() < 1e-12);
        assert_eq!(s.colour(0.0), viridis(0.0));
        assert_eq!(s.colour(1e9), viridis(1.0));
        assert_eq!(viridis(0.0), [68, 1, 84]);
        assert_eq!(viridis(1.0), [253, 231, 37]);
        // A field that is zero everywhere has a scale too.
        assert_eq!(LogScale::new(0.0).max(), 1.0);
    }

    #[test]
    fn decades_are_the_powers_of_ten_on_the_scale() {
        let ticks: Vec<f64> = LogScale::new(50.0).decades().iter().map(|t| t.0).collect();
        assert_eq!(ticks.len(), 4);
        for (t, want) in ticks.iter().zip([0.01, 0.1, 1.0, 10.0]) {
            assert!((t / want - 1.0).abs() < 1e-12);
        }
        let labels: Vec<String> = [1e-5, 0.001, 0.1, 1.0, 100.0, 1e5]
            .iter()
            .map(|&v| decade_label(v))
            .collect();
        assert_eq!(labels, ["1e-5", "0.001", "0.1", "1", "100", "1e5"]);
    }
}
