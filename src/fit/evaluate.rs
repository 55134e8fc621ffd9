//! Simulating a candidate of a fit and reading its summary statistics.
//!
//! A candidate's config is the fit's base (with `run.days` at the last observed day) with
//! each fitted key set to the candidate's value, as `--set` would, and `run.seed` set to
//! the candidate's seed. It runs on one thread (a run's outputs do not depend on it), and
//! its statistics are read from its `timeseries.csv`: for each observed output and day,
//! the value of the primary compartment at the last step of that day's hour, `24 · day`.
//! The table is sampled every 24 h when every observed day is whole, else every step.
//!
//! A candidate whose config is invalid (a combination of values a cross-key rule
//! refuses), whose simulation fails, or whose run ends before an observed day (extinction
//! or `run.stop_at_cells`) has no statistics: the fit counts it as a failed run, never
//! accepted.

use super::observed::Observed;
use super::smc::Candidate;
use super::spec::FitSpec;
use crate::config::Config;
use crate::error::ConfigError;

/// The config of the candidate with parameter values `theta` (in the order of the fit's
/// priors), validated; its seed is not set.
pub fn candidate_config(spec: &FitSpec, theta: &[f64]) -> Result<Config, ConfigError> {
    let mut table = spec.base_table.clone();
    let mut problems = Vec::new();
    for ((key, _), value) in spec.priors.params.iter().zip(theta) {
        if let Err(p) = crate::config::set_value(&mut table, key, toml::Value::Float(*value)) {
            problems.push(p);
        }
    }
    let every_h = if spec
        .observed
        .statistics
        .iter()
        .all(|s| s.day.fract() == 0.0)
    {
        24.0
    } else {
        table
            .get("run")
            .and_then(|r| r.get("dt_h"))
            .and_then(toml::Value::as_float)
            .unwrap_or(1.0)
    };
    if let Err(p) = crate::config::set_value(
        &mut table,
        "output.timeseries_every_h",
        toml::Value::Float(every_h),
    ) {
        problems.push(p);
    }
    if problems.is_empty() {
        crate::config::from_table(table)
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

/// The statistics of candidate `c`, in the order of the observed statistics, or `None`
/// (module docs).
pub fn summaries(spec: &FitSpec, c: &Candidate) -> Option<Vec<f64>> {
    statistics_of(&timeseries(spec, &c.theta, c.seed)?, &spec.observed)
}

/// The text of the `timeseries.csv` of the run with parameter values `theta` and seed
/// `seed` on one thread, or `None` if its config is invalid or it failed.
pub fn timeseries(spec: &FitSpec, theta: &[f64], seed: u64) -> Option<String> {
    let config = candidate_config(spec, theta).ok()?;
    let (_, [timeseries, _, _]) = crate::batch::simulate_record(config, seed, 1).ok()?;
    Some(timeseries)
}

/// The observed statistics read from the text of a `timeseries.csv`, or `None` when a
/// day was not reached.
pub fn statistics_of(timeseries: &str, observed: &Observed) -> Option<Vec<f64>> {
    let mut reader = csv::Reader::from_reader(timeseries.as_bytes());
    let header: Vec<String> = reader.headers().ok()?.iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (time, compartment) = (col("time_h")?, col("compartment")?);
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.get(compartment) == Some("primary"))
        .collect();
    observed
        .statistics
        .iter()
        .map(|s| {
            let c = col(&s.output)?;
            let hour = 24.0 * s.day;
            let row = rows.iter().find(|r| {
                r.get(time)
                    .and_then(|t| t.parse::<f64>().ok())
                    .is_some_and(|t| (t - hour).abs() < 1e-6)
            })?;
            row.get(c)?.parse::<f64>().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::observed::Statistic;

    fn observed(stats: &[(&str, f64)]) -> Observed {
        Observed {
            statistics: stats
                .iter()
                .map(|&(output, day)| Statistic {
                    output: output.into(),
                    day,
                    value: 0.0,
                    sd: 0.0,
                    n: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn statistics_are_the_primary_rows_at_the_observed_hours() {
        let ts = "step,time_h,compartment,total,csc_fraction\n\
                  0,0,primary,10,0.1\n0,0,circulation,0,0\n\
                  24,24,primary,20,0.2\n24,24,circulation,3,0\n\
                  48,48,primary,40,0.25\n";
        let o = observed(&[("total", 1.0), ("total", 2.0), ("csc_fraction", 1.0)]);
        assert_eq!(statistics_of(ts, &o), Some(vec![20.0, 40.0, 0.2]));
        // A day the run did not reach.
        assert_eq!(statistics_of(ts, &observed(&[("total", 3.0)])), None);
    }
}
