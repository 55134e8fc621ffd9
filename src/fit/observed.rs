//! The observed data of a fit: a tidy CSV of measurements of the primary tumour over
//! time, turned into the summary statistics that simulations are compared with.
//!
//! ```text
//! day,total,total_sd,csc_fraction
//! 10,1200,150,
//! 10,1350,,
//! 20,5400,600,0.031
//! ```
//!
//! | column | meaning |
//! |---|---|
//! | `day` | simulated day of the measurement (a number ≥ 0; the day's last step is compared) |
//! | `O` | a measurement of the output `O`, a column of `timeseries.csv` (`total`, `csc`, `csc_fraction`, …) for the primary compartment; empty: not measured on that row |
//! | `O_sd` | optional: the measurement's standard deviation |
//!
//! Rows of the same day are replicate measurements. Each output and day with at least one
//! measurement is one summary statistic `j`: the observed value is the mean `ȳ_j` of its
//! `n_j` measurements, and its measurement sd `σ_j` (which the distance adds to the
//! spread of the simulations, [`super::distance`]) is the sd of that mean:
//!
//! | given | `σ_j` |
//! |---|---|
//! | `O_sd` on every measurement | `sqrt(Σ sd_i² ) / n_j` |
//! | no `O_sd`, `n_j ≥ 2` | the sample sd of the measurements `/ sqrt(n_j)` |
//! | otherwise | 0 (unknown) |

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Problem;
use crate::output::column::{Documented, names};
use crate::output::rows::TimeseriesRow;

/// Largest observed file read, in bytes.
pub const MAX_OBSERVED_BYTES: u64 = 64 << 20;

/// One summary statistic: an output on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistic {
    /// The `timeseries.csv` column.
    pub output: String,
    /// The day.
    pub day: f64,
    /// The mean of the measurements.
    pub value: f64,
    /// The sd of that mean (0 when unknown).
    pub sd: f64,
    /// Measurements.
    pub n: usize,
}

/// The observed data: its statistics, ordered by output (in column order) then day.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The statistics.
    pub statistics: Vec<Statistic>,
}

impl Observed {
    /// The last observed day: how long each simulation must run.
    pub fn last_day(&self) -> f64 {
        self.statistics.iter().map(|s| s.day).fold(0.0, f64::max)
    }

    /// The observed values, in statistic order.
    pub fn values(&self) -> Vec<f64> {
        self.statistics.iter().map(|s| s.value).collect()
    }

    /// The measurement sds, in statistic order.
    pub fn sds(&self) -> Vec<f64> {
        self.statistics.iter().map(|s| s.sd).collect()
    }
}

/// The outputs a fit can compare: the numeric columns of `timeseries.csv`.
pub fn outputs() -> Vec<&'static str> {
    names(TimeseriesRow::COLUMNS)
        .into_iter()
        .filter(|c| !["step", "time_h", "compartment"].contains(c))
        .collect()
}

/// The measurements of one output on one day (keyed by output index and the day's bits):
/// values and their sds, if given.
type Cell = (Vec<f64>, Vec<Option<f64>>);

/// Reads the observed CSV at `path` (named `key` in problems); every problem at once.
pub fn read(path: &Path, key: &str, problems: &mut Vec<Problem>) -> Option<Observed> {
    let shown = path.display().to_string();
    let bytes = match crate::input::read_capped(path, MAX_OBSERVED_BYTES) {
        Ok(b) => b,
        Err(e) => {
            let why = match e {
                crate::input::ReadError::Io(e) => e.to_string(),
                crate::input::ReadError::TooLarge { cap } => format!("larger than {cap} bytes"),
            };
            problems.push(Problem::new(
                key,
                &shown,
                format!(
                    "cannot read the observed data ({why}); paths are relative to the fit file"
                ),
            ));
            return None;
        }
    };
    parse(&bytes, &shown, key, problems)
}

/// [`read`] of CSV bytes (`shown` names the file in problems).
pub fn parse(
    bytes: &[u8],
    shown: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<Observed> {
    let before = problems.len();
    let mut bad = |what: String, reason: String| {
        problems.push(Problem::new(format!("{key} ({shown})"), what, reason));
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            bad("(header)".into(), format!("not a CSV file: {e}"));
            return None;
        }
    };
    let known = outputs();
    let Some(day_col) = header.iter().position(|h| h == "day") else {
        bad(
            header.join(","),
            "needs a column day (the day of each measurement)".into(),
        );
        return None;
    };
    // Output columns and their optional sd columns.
    let mut columns: Vec<(String, usize, Option<usize>)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i == day_col {
            continue;
        }
        if let Some(base) = h.strip_suffix("_sd") {
            if !header.iter().any(|o| o == base) {
                bad(
                    format!("column {h}"),
                    format!("an sd column needs its output column {base}"),
                );
            }
            continue;
        }
        if known.contains(&h.as_str()) {
            let sd = header.iter().position(|o| *o == format!("{h}_sd"));
            columns.push((h.clone(), i, sd));
        } else {
            let best = known
                .iter()
                .map(|k| (strsim::levenshtein(h, k), *k))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, k)| format!(" (did you mean {k}?)"))
                .unwrap_or_default();
            bad(
                format!("column {h}"),
                format!(
                    "not an output of timeseries.csv{best}; allowed: day, an output ({}) and O_sd",
                    known.join(", ")
                ),
            );
        }
    }
    if columns.is_empty() {
        bad(header.join(","), "needs at least one output column".into());
    }
    let mut cells: BTreeMap<(usize, u64), Cell> = BTreeMap::new();
    for (line, record) in reader.records().enumerate() {
        let row = line + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                bad(format!("row {row}"), format!("not CSV: {e}"));
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("");
        let number = |i: usize| -> Result<Option<f64>, ()> {
            let t = field(i);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or(())
        };
        let day = match number(day_col) {
            Ok(Some(d)) if d >= 0.0 => d,
            _ => {
                bad(
                    format!("row {row}: day = {:?}", field(day_col)),
                    "a number ≥ 0".into(),
                );
                continue;
            }
        };
        for (o, (name, c, sd)) in columns.iter().enumerate() {
            let value = match number(*c) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(()) => {
                    bad(
                        format!("row {row}: {name} = {:?}", field(*c)),
                        "a finite number, or empty when not measured".into(),
                    );
                    continue;
                }
            };
            let s = match sd.map(number) {
                None | Some(Ok(None)) => None,
                Some(Ok(Some(s))) if s >= 0.0 => Some(s),
                Some(_) => {
                    bad(
                        format!("row {row}: {name}_sd = {:?}", field(sd.expect("sd column"))),
                        "a number ≥ 0, or empty when unknown".into(),
                    );
                    continue;
                }
            };
            let cell = cells.entry((o, day.to_bits())).or_default();
            cell.0.push(value);
            cell.1.push(s);
        }
    }
    if problems.len() > before {
        return None;
    }
    if cells.is_empty() {
        problems.push(Problem::new(
            format!("{key} ({shown})"),
            "(no measurements)",
            "needs at least one row with a day and a measured output",
        ));
        return None;
    }
    let mut statistics: Vec<Statistic> = cells
        .into_iter()
        .map(|((o, day), (values, sds))| {
            let n = values.len();
            let mean = values.iter().sum::<f64>() / n as f64;
            let sd = if sds.iter().all(Option::is_some) {
                sds.iter()
                    .map(|s| s.unwrap_or(0.0).powi(2))
                    .sum::<f64>()
                    .sqrt()
                    / n as f64
            } else if n >= 2 {
                let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
                (var / n as f64).sqrt()
            } else {
                0.0
            };
            Statistic {
                output: columns[o].0.clone(),
                day: f64::from_bits(day),
                value: mean,
                sd,
                n,
            }
        })
        .collect();
    // Output in column order, then day (the map's day key orders non-negative days).
    statistics.sort_by(|a, b| {
        let pos = |s: &Statistic| columns.iter().position(|c| c.0 == s.output);
        pos(a).cmp(&pos(b)).then(a.day.total_cmp(&b.day))
    });
    Some(Observed { statistics })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(text: &str) -> Result<Observed, Vec<String>> {
        let mut problems = Vec::new();
        parse(text.as_bytes(), "data.csv", "observed", &mut problems)
            .ok_or_else(|| problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn replicates_average_and_their_sd_is_that_of_the_mean() {
        let o = observed(
            "day,total,total_sd,csc_fraction\n\
             10,1200,150,\n10,1400,200,\n20,5000,,0.03\n20,6000,,0.05\n30,9000,,\n",
        )
        .unwrap();
        let s: Vec<(&str, f64, f64, f64, usize)> = o
            .statistics
            .iter()
            .map(|s| (s.output.as_str(), s.day, s.value, s.sd, s.n))
            .collect();
        // total on day 10: mean 1300; both sds given: sqrt(150² + 200²) / 2 = 125.
        assert_eq!(s[0], ("total", 10.0, 1300.0, 125.0, 2));
        // total on day 20: no sd column values, two measurements: sample sd 707.1 / √2 = 500.
        assert_eq!((s[1].0, s[1].1, s[1].2, s[1].4), ("total", 20.0, 5500.0, 2));
        assert!((s[1].3 - 500.0).abs() < 1e-9);
        // total on day 30: one measurement without sd: unknown.
        assert_eq!(s[2], ("total", 30.0, 9000.0, 0.0, 1));
        // csc_fraction only on day 20: mean 0.04, sd 0.01414 / √2 = 0.01.
        assert_eq!((s[3].0, s[3].1, s[3].4), ("csc_fraction", 20.0, 2));
        assert!((s[3].2 - 0.04).abs() < 1e-12 && (s[3].3 - 0.01).abs() < 1e-12);
        assert_eq!(o.last_day(), 30.0);
        assert_eq!(o.values().len(), 4);
    }

    #[test]
    fn every_problem_of_the_file_is_reported_at_once() {
        let p = observed("day,totl,csc_sd,total\n-1,5,,x\n3,,,\n").unwrap_err();
        let all = p.join("\n");
        for needle in [
            "column totl",
            "did you mean total?",
            "column csc_sd",
            "day = \"-1\"",
        ] {
            assert!(all.contains(needle), "{needle} missing from:\n{all}");
        }
        let p = observed("total\n5\n").unwrap_err().join("\n");
        assert!(p.contains("needs a column day"), "{p}");
        let p = observed("day,total\n3,\n").unwrap_err().join("\n");
        assert!(p.contains("at least one row"), "{p}");
        let p = observed("day,total,total_sd\n3,10,-2\n")
            .unwrap_err()
            .join("\n");
        assert!(p.contains("total_sd = \"-2\""), "{p}");
    }

    #[test]
    fn the_outputs_are_the_numeric_timeseries_columns() {
        let o = outputs();
        assert!(o.contains(&"total") && o.contains(&"csc_fraction"));
        assert!(!o.contains(&"step") && !o.contains(&"compartment"));
    }
}
