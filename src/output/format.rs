//! How numbers are written in CSV cells: Rust's `Display`, the shortest decimal that
//! reads back to the same value, never in exponent notation, integral values without a
//! fraction (`3`, `0.0000001`, `1000000000000000000000`, `NaN`, `inf`).
//!
//! The `csv` serializer writes floats in `ryu`'s form instead (`3.0`, `1e-7`, `1e21`), so
//! every float column of a serde row names one of these functions in
//! `#[serde(serialize_with = "...")]`. Integers, strings and `bool`s (`true`/`false`)
//! are written by the serializer itself, as `Display` writes them.

use serde::Serializer;
use std::fmt::Display;

/// A number as `Display` writes it (`f64`: shortest round-trip decimal).
pub fn shortest<T: Display, S: Serializer>(x: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(x)
}

/// [`shortest`], or an empty cell for `None`.
pub fn shortest_or_empty<T: Display, S: Serializer>(
    x: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.collect_str(x),
        None => s.serialize_none(),
    }
}

/// A statistic: [`shortest`] when finite, an empty cell when `None`, NaN or infinite.
pub fn finite_or_empty<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) if x.is_finite() => s.collect_str(x),
        _ => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Row {
        #[serde(serialize_with = "shortest")]
        x: f64,
        #[serde(serialize_with = "shortest")]
        y: f32,
        #[serde(serialize_with = "shortest_or_empty")]
        z: Option<f64>,
        #[serde(serialize_with = "finite_or_empty")]
        stat: Option<f64>,
    }

    fn line(x: f64, y: f32, z: Option<f64>, stat: Option<f64>) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(Row { x, y, z, stat }).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn floats_are_written_as_display_writes_them() {
        let cases: [(f64, &str); 13] = [
            (0.0, "0"),
            (-0.0, "-0"),
            (3.0, "3"),
            (-42.0, "-42"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e-7, "0.0000001"),
            (1e21, "1000000000000000000000"),
            (123456789.125, "123456789.125"),
            (5e-324, &format!("{}", 5e-324)),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(line(x, 0.0, None, None), format!("{want},0,,\n"), "{x:?}");
            assert_eq!(
                line(0.0, 0.0, Some(x), None),
                format!("0,0,{want},\n"),
                "{x:?}"
            );
        }
    }

    #[test]
    fn f32_cells_are_shortest_for_f32() {
        assert_eq!(line(0.0, 0.1, None, None), "0,0.1,,\n");
        assert_eq!(line(0.0, 2.0, None, None), "0,2,,\n");
        assert_eq!(line(0.0, 1e-7, None, None), "0,0.0000001,,\n");
        assert_eq!(
            line(0.0, 3.4028235e38, None, None),
            format!("0,{},,\n", f32::MAX)
        );
    }

    #[test]
    fn statistics_are_empty_unless_finite() {
        assert_eq!(line(0.0, 0.0, None, Some(2.5)), "0,0,,2.5\n");
        assert_eq!(line(0.0, 0.0, None, Some(3.0)), "0,0,,3\n");
        assert_eq!(line(0.0, 0.0, None, Some(f64::NAN)), "0,0,,\n");
        assert_eq!(line(0.0, 0.0, None, Some(f64::INFINITY)), "0,0,,\n");
        assert_eq!(line(0.0, 0.0, None, None), "0,0,,\n");
    }

    #[test]
    fn the_csv_serializer_alone_would_write_other_bytes() {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize((3.0f64, 1e-7f64, 1e21f64)).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "3.0,1e-7,1e21\n");
    }
}
