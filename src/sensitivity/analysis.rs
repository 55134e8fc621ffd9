//! `seedsoil sensitivity`: the sensitivity indices of a sweep folder's outputs.
//!
//! The folder's resolved `sweep.toml` gives the design (and, with its seed, the unit-cube
//! point of every run); its `summary.csv` gives one row per completed run. For each chosen
//! output column:
//!
//! - **replicates** (`R` runs per design point, different seeds): averaged per point
//!   before the estimators ([`Replicates::Mean`], the default), or treated as noise
//!   ([`Replicates::Noise`]): each replicate is a design of its own (its own Morris
//!   trajectories, Saltelli base samples, PRCC rows) and the estimators pool them. With
//!   `R ≥ 2` the report gives the **stochastic share** of the output's variance: the mean
//!   over points of the variance between replicates, divided by the variance over all runs
//!   (both with `n − 1`): 0 when the seed does not matter, near 1 when the parameters do
//!   not.
//! - **indices**: Morris `mu_star`, `mu`, `sigma` ([`super::morris`]) for a `morris`
//!   sweep; Sobol' `S1`, `ST` (and `S2` with `second_order`) ([`super::saltelli`]) for a
//!   `sobol` sweep; and for every design the partial rank correlation `prcc` with its
//!   `prcc_p_value` ([`super::prcc`]), on the parameters' values as run.
//! - **intervals**: percentile bootstrap with `resamples` resamples (0: none) over
//!   trajectories, base samples or runs; `prcc_p_value` has none.
//!
//! The rows of `sensitivity.csv` are tidy: `output, parameter, index, estimate, ci_low,
//! ci_high` (a second-order index names its pair `a × b`; the stochastic share has the
//! parameter `(seed)`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::bootstrap::bootstrap;
use super::prcc::{RankedSample, prcc};
use crate::error::SensitivityError;
use crate::sweep::Sweep;
use crate::sweep::spec::Design;

/// How replicate runs of a design point enter the estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Replicates {
    /// Average the replicates of each point first.
    Mean,
    /// Each replicate is a design of its own; the estimators pool them.
    Noise,
}

/// The options of an analysis.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output columns of `summary.csv`; empty: [`DEFAULT_OUTPUTS`] that the table has.
    pub outputs: Vec<String>,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// How replicates enter.
    pub replicates: Replicates,
}

/// Outputs analysed when none is named: primary size, CSC fraction, metastatic burden.
pub const DEFAULT_OUTPUTS: [&str; 3] = ["total", "csc_fraction", "metastatic_cells"];

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexRow {
    /// The output column.
    pub output: String,
    /// The parameter (config key), a pair `a × b`, or `(seed)`.
    pub parameter: String,
    /// `mu_star`, `mu`, `sigma`, `S1`, `ST`, `S2`, `prcc`, `prcc_p_value`,
    /// `stochastic_share`.
    pub index: &'static str,
    /// The estimate (`NaN` when undefined, e.g. a constant output).
    pub estimate: f64,
    /// Lower end of the 95 % bootstrap interval (empty without one).
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
}

/// The analysis of a sweep folder.
#[derive(Debug, Clone)]
pub struct Report {
    /// The sweep's design.
    pub design: Design,
    /// Parameters (axes), in axis order.
    pub parameters: Vec<String>,
    /// Design points and replicates per point.
    pub points: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// How replicates entered.
    pub mode: Replicates,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// The rows, output by output in the order asked, parameters in axis order.
    pub rows: Vec<IndexRow>,
}

impl Report {
    /// `sensitivity.csv`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in &self.rows {
            w.serialize(r).expect("rows serialise");
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
    }

    /// The outputs, in the order asked.
    pub fn outputs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.output.as_str()) {
                out.push(&r.output);
            }
        }
        out
    }

    /// The row of `output`, `parameter` and `index`, if any.
    pub fn get(&self, output: &str, parameter: &str, index: &str) -> Option<&IndexRow> {
        self.rows
            .iter()
            .find(|r| r.output == output && r.parameter == parameter && r.index == index)
    }
}

/// The outputs of `summary.csv` by column, per run id.
struct Table {
    header: Vec<String>,
    /// `(point, replicate)` → the row's fields.
    rows: BTreeMap<(u64, u32), Vec<String>>,
}

fn read_table(path: &Path) -> Result<Table, SensitivityError> {
    let bad = |reason: String| SensitivityError::BadTable {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column {name}")))
    };
    let (point, replicate) = (col("point")?, col("replicate")?);
    let mut rows = BTreeMap::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let (Ok(p), Ok(r)) = (field(point).parse(), field(replicate).parse()) else {
            return Err(bad(format!(
                "row {}: point and replicate must be integers",
                line + 2
            )));
        };
        rows.insert((p, r), record.iter().map(str::to_string).collect());
    }
    Ok(Table { header, rows })
}

/// The analysis of the sweep folder `dir` (see the module docs).
pub fn analyse(dir: &Path, options: &Options) -> Result<Report, SensitivityError> {
    let resolved = dir.join("sweep.toml");
    if !resolved.is_file() {
        return Err(SensitivityError::NotASweep(dir.to_path_buf()));
    }
    let sweep = Sweep::load_resolved(&resolved).map_err(SensitivityError::Config)?;
    let table = read_table(&dir.join("summary.csv"))?;
    let params = sweep.params();
    let reps = sweep.spec.replicates;
    let n_points = sweep.points.len();
    let missing: Vec<(u64, u32)> = (0..n_points)
        .flat_map(|p| (0..reps).map(move |r| (p, r)))
        .filter(|k| !table.rows.contains_key(k))
        .collect();
    if !missing.is_empty() {
        return Err(SensitivityError::Incomplete {
            dir: dir.to_path_buf(),
            missing: missing.len() as u64,
            runs: n_points * u64::from(reps),
        });
    }
    let outputs = choose_outputs(&table.header, &params, &options.outputs)?;
    let mut rows = Vec::new();
    for output in &outputs {
        let c = table
            .header
            .iter()
            .position(|h| h == output)
            .expect("chosen from the header");
        // y[r][p]: the output of replicate r at point p (NaN if not a number).
        let y: Vec<Vec<f64>> = (0..reps)
            .map(|r| {
                (0..n_points)
                    .map(|p| table.rows[&(p, r)][c].parse().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        if y.iter().flatten().any(|v| !v.is_finite()) {
            return Err(SensitivityError::NotNumeric(output.clone()));
        }
        rows.extend(analyse_output(&sweep, &table, &params, output, &y, options));
    }
    Ok(Report {
        design: sweep.spec.design,
        parameters: params,
        points: n_points,
        replicates: reps,
        mode: options.replicates,
        resamples: options.resamples,
        rows,
    })
}

/// The outputs to analyse: those named (each a numeric column that is not an id or a
/// parameter), or the [`DEFAULT_OUTPUTS`] the table has.
fn choose_outputs(
    header: &[String],
    params: &[String],
    named: &[String],
) -> Result<Vec<String>, SensitivityError> {
    let ids = ["run_id", "point", "replicate", "seed", "stop_reason"];
    let allowed: Vec<&String> = header
        .iter()
        .filter(|h| !ids.contains(&h.as_str()) && !params.contains(h))
        .collect();
    if named.is_empty() {
        let chosen: Vec<String> = DEFAULT_OUTPUTS
            .iter()
            .filter(|o| allowed.iter().any(|a| a == *o))
            .map(|o| o.to_string())
            .collect();
        if chosen.is_empty() {
            return Err(SensitivityError::NoDefaultOutputs(
                allowed.into_iter().cloned().collect(),
            ));
        }
        return Ok(chosen);
    }
    let unknown: Vec<(String, Option<String>)> = named
        .iter()
        .filter(|n| !allowed.contains(n))
        .map(|n| {
            let best = allowed
                .iter()
                .map(|a| (strsim::levenshtein(n, a), *a))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, a)| a.clone());
            (n.clone(), best)
        })
        .collect();
    if !unknown.is_empty() {
        return Err(SensitivityError::UnknownOutputs(unknown));
    }
    Ok(named.to_vec())
}

fn row(
    output: &str,
    parameter: &str,
    index: &'static str,
    e: super::bootstrap::Estimate,
) -> IndexRow {
    let ci = |v: f64| (!v.is_nan()).then_some(v);
    IndexRow {
        output: output.into(),
        parameter: parameter.into(),
        index,
        estimate: e.estimate,
        ci_low: ci(e.ci_low),
        ci_high: ci(e.ci_high),
    }
}

/// The rows of one output.
fn analyse_output(
    sweep: &Sweep,
    table: &Table,
    params: &[String],
    output: &str,
    y: &[Vec<f64>],
    options: &Options,
) -> Vec<IndexRow> {
    let n_points = sweep.points.len() as usize;
    let reps = y.len();
    let k = params.len();
    let seed = sweep.seed;
    let (boot, mode) = (options.resamples, options.replicates);
    // The designs' own indices, from the outputs of one or all replicates.
    let ys: Vec<Vec<f64>> = match mode {
        Replicates::Mean => vec![
            (0..n_points)
                .map(|p| y.iter().map(|r| r[p]).sum::<f64>() / reps as f64)
                .collect(),
        ],
        Replicates::Noise => y.to_vec(),
    };
    let blocks = ys.len();
    let pooled: Vec<f64> = ys.concat();
    let mut rows = Vec::new();
    match sweep.spec.design {
        Design::Morris => {
            let m = sweep.spec.morris.expect("a morris sweep").design(k, seed);
            let unit: Vec<Vec<f64>> = (0..n_points as u64)
                .map(|p| sweep.points.unit(p).expect("a morris design"))
                .collect();
            let points: Vec<Vec<f64>> = (0..blocks).flat_map(|_| unit.iter().cloned()).collect();
            let pooled_design = crate::sensitivity::morris::Morris {
                r: m.r * blocks,
                ..m
            };
            let s = pooled_design.screen(&points, &pooled, boot, seed);
            for (i, p) in params.iter().enumerate() {
                rows.push(row(output, p, "mu_star", s[i].mu_star));
                rows.push(row(output, p, "mu", s[i].mu));
                rows.push(row(output, p, "sigma", s[i].sigma));
            }
        }
        Design::Sobol => {
            let d = sweep.spec.saltelli().expect("a sobol sweep");
            let pooled_design = crate::sensitivity::saltelli::Saltelli {
                n: d.n * blocks,
                ..d
            };
            let ix = pooled_design.indices(&pooled, boot, seed);
            for (i, p) in params.iter().enumerate() {
                rows.push(row(output, p, "S1", ix.first[i]));
                rows.push(row(output, p, "ST", ix.total[i]));
            }
            for ((i, l), e) in ix.second {
                rows.push(row(
                    output,
                    &format!("{} × {}", params[i], params[l]),
                    "S2",
                    e,
                ));
            }
        }
        Design::Grid | Design::Zip | Design::Lhs => {}
    }
    // PRCC on the parameters' values as run (the table's columns), one row per point or
    // per run.
    let columns: Vec<usize> = params
        .iter()
        .map(|p| {
            table
                .header
                .iter()
                .position(|h| h == p)
                .expect("parameter columns")
        })
        .collect();
    let x_point: Vec<Vec<f64>> = (0..n_points as u64)
        .map(|p| {
            columns
                .iter()
                .map(|&c| table.rows[&(p, 0)][c].parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let x: Vec<Vec<f64>> = (0..blocks).flat_map(|_| x_point.iter().cloned()).collect();
    if x.iter().flatten().all(|v| v.is_finite()) {
        let p0 = prcc(&x, &pooled);
        let ranked = RankedSample::new(&x, &pooled);
        let est = bootstrap(x.len(), boot, seed ^ 0x5052_4343, |pick: &[usize]| {
            ranked
                .prcc(pick)
                .iter()
                .map(|r| r.map_or(f64::NAN, |r| r.coefficient))
                .collect()
        });
        for (i, p) in params.iter().enumerate() {
            rows.push(row(output, p, "prcc", est[i]));
            rows.push(IndexRow {
                output: output.into(),
                parameter: p.clone(),
                index: "prcc_p_value",
                estimate: p0[i].map_or(f64::NAN, |r| r.p_value),
                ci_low: None,
                ci_high: None,
            });
        }
    }
    if reps >= 2 {
        rows.push(IndexRow {
            output: output.into(),
            parameter: "(seed)".into(),
            index: "stochastic_share",
            estimate: stochastic_share(y),
            ci_low: None,
            ci_high: None,
        });
    }
    rows
}

/// The mean over points of the variance between replicates, over the variance of all
/// runs (both with `n − 1`); `y[r][p]`.
pub fn stochastic_share(y: &[Vec<f64>]) -> f64 {
    let reps = y.len() as f64;
    let points = y[0].len();
    let within: f64 = (0..points)
        .map(|p| {
            let m = y.iter().map(|r| r[p]).sum::<f64>() / reps;
            y.iter().map(|r| (r[p] - m).powi(2)).sum::<f64>() / (reps - 1.0)
        })
        .sum::<f64>()
        / points as f64;
    let all: Vec<f64> = y.concat();
    let m = all.iter().sum::<f64>() / all.len() as f64;
    let total = all.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (all.len() as f64 - 1.0);
    if total > 0.0 {
        within / total
    } else {
        f64::NAN
    }
}
