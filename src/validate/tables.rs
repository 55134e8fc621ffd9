//! One run's tables, read back as a user's script would read the run folder: every
//! statistic of the suite is computed from `timeseries.csv`, `events.csv` and
//! `summary.csv` (and the resolved config), so that anyone can recompute it from the run
//! folders that `seedsoil validate` writes.

use std::collections::HashMap;

use crate::config::Config;
use crate::output::summary;
use crate::units::hours_to_days;

/// A CSV table: header and rows of text fields.
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Parses CSV text with a header.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let columns = reader
            .headers()
            .map_err(|e| format!("bad CSV header: {e}"))?
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_string(), i))
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("bad CSV row: {e}"))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Table { columns, rows })
    }

    /// The index of `column`.
    fn col(&self, column: &str) -> Result<usize, String> {
        self.columns
            .get(column)
            .copied()
            .ok_or_else(|| format!("no column `{column}`"))
    }

    /// Rows as field slices.
    pub fn rows(&self) -> impl Iterator<Item = &[String]> {
        self.rows.iter().map(Vec::as_slice)
    }
}

/// Parses a field as a number; an empty field is NaN.
fn number(field: &str) -> f64 {
    if field.is_empty() {
        f64::NAN
    } else {
        field.parse().unwrap_or(f64::NAN)
    }
}

/// One completed run: its resolved config and its three tables.
#[derive(Debug, Clone)]
pub struct RunTables {
    /// The resolved config of the run.
    pub config: Config,
    /// `timeseries.csv`.
    pub timeseries: Table,
    /// `events.csv`.
    pub events: Table,
    /// `summary.csv` (one row).
    pub summary: Table,
}

impl RunTables {
    /// Parses a run's `[timeseries, events, summary]` texts.
    pub fn parse(config: Config, tables: &[String; 3]) -> Result<Self, String> {
        Ok(RunTables {
            config,
            timeseries: Table::parse(&tables[0])?,
            events: Table::parse(&tables[1])?,
            summary: Table::parse(&tables[2])?,
        })
    }

    /// A column of `summary.csv` (NaN when empty, or when the run's summary does not
    /// hold that optional column: [`summary::is_optional_summary_column`]).
    pub fn summary(&self, column: &str) -> Result<f64, String> {
        let row = self.summary.rows.first().ok_or("summary.csv has no row")?;
        match self.summary.col(column) {
            Ok(c) => Ok(number(&row[c])),
            Err(_) if summary::is_optional_summary_column(column) => Ok(f64::NAN),
            Err(e) => Err(e),
        }
    }

    /// `(day, value)` of `column` in the rows of `compartment` of `timeseries.csv`.
    pub fn series(&self, compartment: &str, column: &str) -> Result<Vec<(f64, f64)>, String> {
        let (t, k, c) = (
            self.timeseries.col("time_h")?,
            self.timeseries.col("compartment")?,
            self.timeseries.col(column)?,
        );
        Ok(self
            .timeseries
            .rows()
            .filter(|r| r[k] == compartment)
            .map(|r| (hours_to_days(number(&r[t])), number(&r[c])))
            .collect())
    }

    /// `column` of `compartment` on the last recorded day ≤ `day` (a run that stopped
    /// early, e.g. extinct, gives its last row).
    pub fn at_day(&self, compartment: &str, column: &str, day: f64) -> Result<f64, String> {
        self.series(compartment, column)?
            .into_iter()
            .rfind(|(d, _)| *d <= day + 1e-9)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("no `{compartment}` row of `{column}` by day {day}"))
    }

    /// The sum of `column` over the rows of `compartment` with day in `(from, to]` (for
    /// per-interval counts such as `births`; rows are at least an hour apart, so
    /// `from + 10⁻⁶` excludes `from`).
    pub fn sum_between(
        &self,
        compartment: &str,
        column: &str,
        from: f64,
        to: f64,
    ) -> Result<f64, String> {
        Ok(self
            .values_between(compartment, column, from + 1e-6, to)?
            .sum())
    }

    /// The non-NaN values of `column` of `compartment` with day in `[from, to]` (up to
    /// 10⁻⁹ day).
    fn values_between(
        &self,
        compartment: &str,
        column: &str,
        from: f64,
        to: f64,
    ) -> Result<impl Iterator<Item = f64>, String> {
        Ok(self
            .series(compartment, column)?
            .into_iter()
            .filter(move |(d, v)| *d >= from - 1e-9 && *d <= to + 1e-9 && !v.is_nan())
            .map(|(_, v)| v))
    }

    /// The maximum of `column` of `compartment` over days in `[from, to]`.
    pub fn max_between(
        &self,
        compartment: &str,
        column: &str,
        from: f64,
        to: f64,
    ) -> Result<f64, String> {
        Ok(self
            .values_between(compartment, column, from, to)?
            .fold(f64::NAN, f64::max))
    }

    /// The organs' compartment names, in the order of `timeseries.csv`.
    pub fn organs(&self) -> Vec<String> {
        self.config.organs.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> RunTables {
        let ts = "step,time_h,compartment,total,births\n0,0,primary,1,0\n24,24,primary,3,2\n48,48,primary,7,4\n24,24,lung,0,\n";
        let ev = "step,time_h,event,compartment,cell_kind,colony_id,value\n30,30,arrest,lung,,,2\n40,40,arrest,lung,,,3\n";
        let su = "seed,total\n1,7\n";
        RunTables::parse(
            Config::default(),
            &[ts.to_string(), ev.to_string(), su.to_string()],
        )
        .unwrap()
    }

    #[test]
    fn tables_read_back_by_day_and_event() {
        let t = tables();
        assert_eq!(t.at_day("primary", "total", 1.5).unwrap(), 3.0);
        assert_eq!(t.sum_between("primary", "births", 0.0, 2.0).unwrap(), 6.0);
        assert_eq!(t.max_between("primary", "total", 0.0, 1.0).unwrap(), 3.0);
        assert_eq!(t.summary("total").unwrap(), 7.0);
        assert!(t.summary("nope").is_err());
    }
}
