//! The comparison's endpoints and their statistics: each [`Endpoint`] read from a run's
//! summary, `comparison.csv` ([`comparison`]: medians, intervals and paired differences
//! against the control), `time_to_event.csv` and the Kaplan–Meier curves of
//! `kaplan_meier.csv`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{CompareSpec, RunRecord, Table, stats};
use crate::output::column::{Column, Documented, col};
use crate::output::format::finite_or_empty;
use crate::output::{summary, table};
use crate::units::hours_to_days;

/// A completed run's summary row, by column name.
fn summary_of(record: &RunRecord) -> Option<HashMap<String, String>> {
    let tables = record.tables.as_ref()?;
    let mut reader = csv::Reader::from_reader(tables[Table::Summary as usize].as_bytes());
    reader.deserialize().next()?.ok()
}

/// How an endpoint is computed from the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// A number per run; an empty cell counts as 0 if `empty_is_zero`, else is skipped.
    Value {
        /// Treat an empty cell as 0 (e.g. metastatic cells without dissemination).
        empty_is_zero: bool,
    },
    /// A 0/1 (or true/false) indicator; an empty cell counts as 0.
    Probability,
    /// A time in days to an event (from the endpoint's `origin`); an empty cell is
    /// censored at the run's end.
    TimeToEvent,
    /// Whether the time-to-event column's event happened (a probability).
    EventHappened,
}

/// An endpoint of `comparison.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Name in the `endpoint` column.
    pub name: &'static str,
    /// The summary column it is read from.
    pub column: &'static str,
    /// How it is computed.
    pub kind: EndpointKind,
    /// Time-to-event endpoints: the summary column holding the day the time counts from
    /// (`None`: day 0). Runs without a value there (never reached the origin) are left
    /// out, and censored times are the run's end minus the origin.
    pub origin: Option<&'static str>,
}

/// The endpoints of `comparison.csv`, in output order.
pub const ENDPOINTS: [Endpoint; 8] = [
    Endpoint {
        name: "total",
        column: "total",
        kind: EndpointKind::Value {
            empty_is_zero: false,
        },
        origin: None,
    },
    Endpoint {
        name: "csc_fraction",
        column: "csc_fraction",
        kind: EndpointKind::Value {
            empty_is_zero: false,
        },
        origin: None,
    },
    Endpoint {
        name: "metastatic_cells",
        column: "metastatic_cells",
        kind: EndpointKind::Value {
            empty_is_zero: true,
        },
        origin: None,
    },
    Endpoint {
        name: "any_metastasis_detected",
        column: "any_metastasis_detected",
        kind: EndpointKind::Probability,
        origin: None,
    },
    Endpoint {
        name: "first_detection_day",
        column: "first_detection_day",
        kind: EndpointKind::TimeToEvent,
        origin: None,
    },
    Endpoint {
        name: "detection_events",
        column: "first_detection_day",
        kind: EndpointKind::EventHappened,
        origin: None,
    },
    Endpoint {
        name: "time_to_relapse_days",
        column: "time_to_relapse_days",
        kind: EndpointKind::TimeToEvent,
        origin: Some("therapy_reference_day"),
    },
    Endpoint {
        name: "relapse_events",
        column: "time_to_relapse_days",
        kind: EndpointKind::EventHappened,
        origin: Some("therapy_reference_day"),
    },
];

/// One row of `comparison.csv`: an endpoint's statistics in one scenario and its paired
/// differences against the control. `None` (and a non-finite value) is written as an
/// empty cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Scenario name.
    pub scenario: String,
    /// Endpoint name ([`ENDPOINTS`]).
    pub endpoint: &'static str,
    /// Runs contributing (completed runs holding the column).
    pub n: usize,
    /// Median (type 7; Kaplan–Meier for time-to-event endpoints; empty for
    /// probabilities).
    #[serde(serialize_with = "finite_or_empty")]
    pub median: Option<f64>,
    /// 2.5 % quantile; the Wilson lower bound for probabilities; the median's 95 %
    /// interval lower end for time-to-event endpoints.
    #[serde(serialize_with = "finite_or_empty")]
    pub q025: Option<f64>,
    /// 97.5 % quantile; the Wilson upper bound; the median's interval upper end.
    #[serde(serialize_with = "finite_or_empty")]
    pub q975: Option<f64>,
    /// Mean (the proportion for probabilities; empty for time-to-event endpoints).
    #[serde(serialize_with = "finite_or_empty")]
    pub mean: Option<f64>,
    /// Sample standard deviation.
    #[serde(serialize_with = "finite_or_empty")]
    pub sd: Option<f64>,
    /// Replicates paired with the control (both runs completed and holding a value).
    #[serde(rename = "diff_vs_control_n")]
    pub diff_n: usize,
    /// Median of the paired differences (scenario − control).
    #[serde(serialize_with = "finite_or_empty")]
    pub diff_median: Option<f64>,
    /// 2.5 % quantile of the paired differences.
    #[serde(serialize_with = "finite_or_empty")]
    pub diff_q025: Option<f64>,
    /// 97.5 % quantile of the paired differences.
    #[serde(serialize_with = "finite_or_empty")]
    pub diff_q975: Option<f64>,
    /// Mean of the paired differences.
    #[serde(serialize_with = "finite_or_empty")]
    pub diff_mean: Option<f64>,
    /// Standard error of that mean.
    #[serde(serialize_with = "finite_or_empty")]
    pub diff_se: Option<f64>,
}

impl Documented for ComparisonRow {
    const COLUMNS: &'static [Column] = &[
        col("scenario", "text", "the scenario's name"),
        col("endpoint", "text", "the endpoint (the endpoints below)"),
        col("n", "runs", "completed runs holding a value"),
        col(
            "median",
            "endpoint's",
            "median (type 7; Kaplan–Meier for times to events; empty for probabilities)",
        ),
        col(
            "q025",
            "endpoint's",
            "2.5 % quantile; Wilson lower bound for probabilities; lower end of the median's 95 % interval for times to events",
        ),
        col(
            "q975",
            "endpoint's",
            "97.5 % quantile; Wilson upper bound; upper end of the median's interval",
        ),
        col(
            "mean",
            "endpoint's",
            "mean (the proportion for probabilities; empty for times to events)",
        ),
        col("sd", "endpoint's", "sample standard deviation"),
        col(
            "diff_vs_control_n",
            "runs",
            "replicates paired with the control (both completed and holding a value)",
        ),
        col(
            "diff_median",
            "endpoint's",
            "median of the paired differences (scenario − control)",
        ),
        col(
            "diff_q025",
            "endpoint's",
            "2.5 % quantile of the paired differences",
        ),
        col(
            "diff_q975",
            "endpoint's",
            "97.5 % quantile of the paired differences",
        ),
        col("diff_mean", "endpoint's", "mean of the paired differences"),
        col("diff_se", "endpoint's", "standard error of that mean"),
    ];
}

/// An endpoint's value in one run: a number, or a (time, observed) pair.
#[derive(Debug, Clone, Copy)]
enum Obs {
    Number(f64),
    Event(f64, bool),
}

/// The run's end day (`time_h` / 24).
fn end_day(summary: &HashMap<String, String>) -> Option<f64> {
    summary
        .get("time_h")
        .and_then(|t| t.parse::<f64>().ok())
        .map(hours_to_days)
}

/// The endpoint's value in one run's summary. A column the summary does not hold (the
/// metastasis columns of a run without dissemination, the relapse columns of an
/// untreated run: [`summary::is_optional_summary_column`]) reads as an empty cell.
fn observe(summary: &HashMap<String, String>, endpoint: &Endpoint) -> Option<Obs> {
    let cell = match summary.get(endpoint.column) {
        Some(cell) => cell.trim(),
        None if summary::is_optional_summary_column(endpoint.column) => "",
        None => return None,
    };
    match endpoint.kind {
        EndpointKind::Value { empty_is_zero } => {
            if cell.is_empty() {
                empty_is_zero.then_some(Obs::Number(0.0))
            } else {
                cell.parse().ok().map(Obs::Number)
            }
        }
        EndpointKind::Probability => match cell {
            "" | "false" | "0" => Some(Obs::Number(0.0)),
            "true" | "1" => Some(Obs::Number(1.0)),
            other => other
                .parse::<f64>()
                .ok()
                .map(|x| Obs::Number(f64::from(x != 0.0))),
        },
        EndpointKind::TimeToEvent | EndpointKind::EventHappened => {
            // Times counted from an origin (relapse: from the first cytoreductive
            // therapy's start) exist only in runs that reached it, and are censored at
            // the run's end minus the origin.
            let origin = match endpoint.origin {
                None => 0.0,
                Some(col) => summary.get(col)?.trim().parse::<f64>().ok()?,
            };
            let (time, observed) = if cell.is_empty() {
                (end_day(summary)? - origin, false)
            } else {
                (cell.parse().ok()?, true)
            };
            Some(if endpoint.kind == EndpointKind::EventHappened {
                Obs::Number(f64::from(observed))
            } else {
                Obs::Event(time, observed)
            })
        }
    }
}

/// The rows of `comparison.csv`: every scenario (file order) × every endpoint
/// ([`ENDPOINTS`] order).
pub fn comparison(spec: &CompareSpec, records: &[RunRecord]) -> Vec<ComparisonRow> {
    let summaries: Vec<Option<HashMap<String, String>>> = records.iter().map(summary_of).collect();
    // observations[scenario][endpoint] = (replicate, value) in replicate order.
    let n_scen = spec.scenarios.len();
    let mut obs: Vec<Vec<Vec<(u32, Obs)>>> = vec![vec![Vec::new(); ENDPOINTS.len()]; n_scen];
    for (record, summary) in records.iter().zip(&summaries) {
        let Some(summary) = summary else { continue };
        for (e, endpoint) in ENDPOINTS.iter().enumerate() {
            if let Some(o) = observe(summary, endpoint) {
                obs[record.scenario][e].push((record.replicate, o));
            }
        }
    }
    let mut rows = Vec::new();
    for (s, scenario) in spec.scenarios.iter().enumerate() {
        for (e, endpoint) in ENDPOINTS.iter().enumerate() {
            let data = &obs[s][e];
            let mut row = ComparisonRow {
                scenario: scenario.name.clone(),
                endpoint: endpoint.name,
                n: data.len(),
                median: None,
                q025: None,
                q975: None,
                mean: None,
                sd: None,
                diff_n: 0,
                diff_median: None,
                diff_q025: None,
                diff_q975: None,
                diff_mean: None,
                diff_se: None,
            };
            if endpoint.kind == EndpointKind::TimeToEvent {
                let events: Vec<(f64, bool)> = data
                    .iter()
                    .filter_map(|(_, o)| match o {
                        Obs::Event(t, seen) => Some((*t, *seen)),
                        Obs::Number(_) => None,
                    })
                    .collect();
                let km = stats::kaplan_meier(&events, stats::Z95);
                (row.median, row.q025, row.q975) = stats::km_median(&km);
                rows.push(row);
                continue;
            }
            let values: Vec<f64> = data.iter().filter_map(|(_, o)| number(o)).collect();
            let sorted = stats::sorted(&values);
            row.mean = stats::mean(&values);
            row.sd = stats::sd(&values);
            if matches!(endpoint.kind, EndpointKind::Value { .. }) {
                row.median = stats::quantile_sorted(&sorted, 0.5);
                row.q025 = stats::quantile_sorted(&sorted, 0.025);
                row.q975 = stats::quantile_sorted(&sorted, 0.975);
            } else {
                let k = values.iter().filter(|&&x| x > 0.0).count() as u64;
                if let Some((lo, hi)) = stats::wilson(k, values.len() as u64, stats::Z95) {
                    row.q025 = Some(lo);
                    row.q975 = Some(hi);
                }
            }
            // Paired differences against the control, by replicate.
            let control: HashMap<u32, f64> = obs[spec.control][e]
                .iter()
                .filter_map(|(r, o)| number(o).map(|x| (*r, x)))
                .collect();
            let diffs: Vec<f64> = data
                .iter()
                .filter_map(|(r, o)| Some(number(o)? - control.get(r)?))
                .collect();
            let sorted = stats::sorted(&diffs);
            row.diff_n = diffs.len();
            row.diff_median = stats::quantile_sorted(&sorted, 0.5);
            row.diff_q025 = stats::quantile_sorted(&sorted, 0.025);
            row.diff_q975 = stats::quantile_sorted(&sorted, 0.975);
            row.diff_mean = stats::mean(&diffs);
            row.diff_se = stats::se(&diffs);
            rows.push(row);
        }
    }
    rows
}

fn number(o: &Obs) -> Option<f64> {
    match o {
        Obs::Number(x) => Some(*x),
        Obs::Event(..) => None,
    }
}

/// Writes `comparison.csv` ([`ComparisonRow`]).
pub fn write_comparison(rows: &[ComparisonRow], w: impl Write) -> io::Result<()> {
    table::write(rows.iter().cloned(), w)?;
    Ok(())
}

/// Events of `time_to_event.csv`: (event name, its time-to-event endpoint).
pub const TIME_TO_EVENT: [(&str, Endpoint); 2] = [
    ("relapse", ENDPOINTS[6]),
    ("detected_metastasis", ENDPOINTS[4]),
];

/// One row of `time_to_event.csv`: a run's time to an event, or its censoring time.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeToEventRow<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Replicate number.
    pub replicate: u32,
    /// The run's seed.
    pub seed: u64,
    /// Event name ([`TIME_TO_EVENT`]).
    pub event: &'a str,
    /// Days to the event, or to the run's end when censored.
    #[serde(serialize_with = "finite_or_empty")]
    pub time_days: Option<f64>,
    /// 1 if the event happened, 0 if censored.
    pub observed: u8,
}

impl Documented for TimeToEventRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col("scenario", "text", "the scenario's name"),
        col("replicate", "id", "the replicate"),
        col("seed", "–", "the run's seed"),
        col(
            "event",
            "text",
            "`relapse` (from `therapy_reference_day`; runs that never reached it have no row) or `detected_metastasis` (from day 0)",
        ),
        col(
            "time_days",
            "d",
            "days to the event, or to the run's end when censored",
        ),
        col("observed", "0/1", "1 if the event happened, 0 if censored"),
    ];
}

/// Writes `time_to_event.csv` ([`TimeToEventRow`]), one row per completed run and event
/// (a run without dissemination: its detection censored); `observed = 0` rows are
/// censored at the run's end.
/// Relapse times count from the first cytoreductive therapy's start
/// (`therapy_reference_day`), and runs that never reached one (an untreated control)
/// have no relapse row. Ready for Kaplan–Meier.
pub fn write_time_to_event(
    spec: &CompareSpec,
    records: &[RunRecord],
    w: impl Write,
) -> io::Result<()> {
    let mut rows = Vec::new();
    for record in records {
        let Some(summary) = summary_of(record) else {
            continue;
        };
        for (event, endpoint) in TIME_TO_EVENT {
            if let Some(Obs::Event(time, seen)) = observe(&summary, &endpoint) {
                rows.push(TimeToEventRow {
                    scenario: &spec.scenarios[record.scenario].name,
                    replicate: record.replicate,
                    seed: record.seed,
                    event,
                    time_days: Some(time),
                    observed: u8::from(seen),
                });
            }
        }
    }
    table::write(rows, w)?;
    Ok(())
}

/// One row of `kaplan_meier.csv`: a step of a scenario's Kaplan–Meier curve for one
/// event of [`TIME_TO_EVENT`] ([`stats::kaplan_meier`]), the curve that `comparison.csv`'s
/// median comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KaplanMeierRow<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Event name ([`TIME_TO_EVENT`]).
    pub event: &'a str,
    /// The step's time (0 for the curve's start).
    #[serde(serialize_with = "finite_or_empty")]
    pub time_days: Option<f64>,
    /// Runs at risk just before `time_days`.
    pub at_risk: u64,
    /// Events at `time_days`.
    pub events: u64,
    /// Ŝ just after `time_days`.
    #[serde(serialize_with = "crate::output::format::shortest")]
    pub survival: f64,
    /// Lower end of the pointwise 95 % log–log band.
    #[serde(serialize_with = "crate::output::format::shortest")]
    pub lower: f64,
    /// Upper end of the pointwise 95 % log–log band.
    #[serde(serialize_with = "crate::output::format::shortest")]
    pub upper: f64,
}

impl Documented for KaplanMeierRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col("scenario", "text", "the scenario's name"),
        col(
            "event",
            "text",
            "`relapse` or `detected_metastasis` (as in `time_to_event.csv`)",
        ),
        col(
            "time_days",
            "d",
            "an event time of the curve; the first row of each curve is its start at 0",
        ),
        col(
            "at_risk",
            "runs",
            "runs at risk just before the time (censored at it included)",
        ),
        col("events", "runs", "runs with the event at the time"),
        col(
            "survival",
            "fraction",
            "Kaplan–Meier estimate Ŝ just after the time (1 at the start)",
        ),
        col(
            "lower",
            "fraction",
            "lower end of the pointwise 95 % log–log band (Greenwood's variance)",
        ),
        col("upper", "fraction", "upper end of that band"),
    ];
}

/// Writes `kaplan_meier.csv` ([`KaplanMeierRow`]): for each scenario and event with rows
/// in `time_to_event.csv`, a start row at day 0 and one row per distinct event time.
/// The plotting script draws these curves; it does not estimate them again.
pub fn write_kaplan_meier(
    spec: &CompareSpec,
    records: &[RunRecord],
    w: impl Write,
) -> io::Result<()> {
    // Each completed run's summary, read once.
    let summaries: Vec<(usize, HashMap<String, String>)> = records
        .iter()
        .filter_map(|r| Some((r.scenario, summary_of(r)?)))
        .collect();
    let mut rows = Vec::new();
    for (s, scenario) in spec.scenarios.iter().enumerate() {
        for (event, endpoint) in TIME_TO_EVENT {
            let data: Vec<(f64, bool)> = summaries
                .iter()
                .filter(|(of, _)| *of == s)
                .filter_map(|(_, summary)| match observe(summary, &endpoint)? {
                    Obs::Event(t, seen) => Some((t, seen)),
                    Obs::Number(_) => None,
                })
                .collect();
            if data.is_empty() {
                continue;
            }
            let row = |time, at_risk, events, survival, lower, upper| KaplanMeierRow {
                scenario: &scenario.name,
                event,
                time_days: Some(time),
                at_risk,
                events,
                survival,
                lower,
                upper,
            };
            rows.push(row(0.0, data.len() as u64, 0, 1.0, 1.0, 1.0));
            for step in stats::kaplan_meier(&data, stats::Z95) {
                rows.push(row(
                    step.time,
                    step.at_risk,
                    step.events,
                    step.survival,
                    step.lower,
                    step.upper,
                ));
            }
        }
    }
    table::write(rows, w)?;
    Ok(())
}
