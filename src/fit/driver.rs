//! Running a fit on a folder: on this machine ([`fit_here`]), or a batch at a time through
//! a job array ([`plan`], then [`run_planned`] per task).
//!
//! Every simulated candidate leaves a record in the folder ([`super::folder`]), and the
//! algorithm takes a candidate's result from its record when there is one. So:
//!
//! - a killed fit resumes where it stopped, with the result of an uninterrupted one;
//! - [`plan`] replays the fit over the records and stops at the first batch that has
//!   candidates without a record: it writes them to `plan.csv` for the array's tasks
//!   ([`run_planned`] simulates one row or a shard of rows each), and the next [`plan`]
//!   goes on from there. When the fit is complete it says so, and a final [`fit_here`]
//!   writes the tables from the records without simulating anything again.
//!
//! A batch is [`super::Settings::batch`] candidates, so the array of each round has that
//! many tasks (fewer when the generation needs fewer).

use rayon::prelude::*;

use super::evaluate::summaries;
use super::folder::{read_record, write_plan, write_record};
use super::smc::{AbcSmc, Candidate, Fit, FitError};
use super::spec::FitSpec;
use crate::batch::{each_on_pool, pool};
use crate::error::RunError;
use std::path::Path;
use std::sync::Mutex;

/// What a [`plan`] found.
#[derive(Debug)]
pub enum Planned {
    /// These candidates are left to simulate; `plan.csv` lists them.
    Pending(Vec<Candidate>),
    /// Every candidate the fit needs is recorded.
    Complete(Box<Fit>),
}

/// The algorithm of the fit `spec` with seed `seed`.
pub fn algorithm(spec: &FitSpec, seed: u64) -> AbcSmc {
    AbcSmc {
        priors: spec.priors.clone(),
        distance: spec.distance(),
        settings: spec.settings,
        seed,
    }
}

/// Simulates `candidates` on `pool` (one thread each, [`each_on_pool`]) and records each result; calls
/// `on_run` with whether it completed as each ends. The results are in candidate order.
pub fn simulate_and_record(
    spec: &FitSpec,
    dir: &Path,
    candidates: &[Candidate],
    pool: &rayon::ThreadPool,
    on_run: &(dyn Fn(bool) + Sync),
) -> Result<Vec<Option<Vec<f64>>>, RunError> {
    each_on_pool(pool, candidates.len(), |i| {
        let c = &candidates[i];
        let stats = summaries(spec, c);
        write_record(spec, dir, c, stats.as_deref())?;
        on_run(stats.is_some());
        Ok(stats)
    })
    .into_iter()
    .collect()
}

/// Runs the fit into `dir` on this machine with `threads` workers, reusing the records
/// there; `on_run` is called as each simulation ends.
pub fn fit_here(
    spec: &FitSpec,
    seed: u64,
    dir: &Path,
    threads: usize,
    on_run: &(dyn Fn(bool) + Sync),
) -> Result<Fit, RunError> {
    let pool = pool(threads)?;
    let failure: Mutex<Option<RunError>> = Mutex::new(None);
    let result = algorithm(spec, seed).try_resume(Vec::new(), |batch| {
        let mut results: Vec<Option<Option<Vec<f64>>>> = batch
            .par_iter()
            .map(|c| read_record(spec, dir, c))
            .collect();
        let todo: Vec<usize> = (0..batch.len()).filter(|&i| results[i].is_none()).collect();
        let to_run: Vec<Candidate> = todo.iter().map(|&i| batch[i].clone()).collect();
        match simulate_and_record(spec, dir, &to_run, &pool, on_run) {
            Ok(fresh) => {
                for (i, r) in todo.into_iter().zip(fresh) {
                    results[i] = Some(r);
                }
                Ok(results.into_iter().map(Option::flatten).collect())
            }
            Err(e) => {
                let message = e.to_string();
                *failure.lock().expect("no panics while holding it") = Some(e);
                Err(FitError::Stopped(message))
            }
        }
    });
    if let Some(e) = failure.into_inner().expect("no panics while holding it") {
        return Err(e);
    }
    result.map_err(fit_error)
}

/// Replays the fit over the records in `dir`; writes `plan.csv` with the first batch's
/// candidates that have no record, or removes it when the fit is complete.
pub fn plan(spec: &FitSpec, seed: u64, dir: &Path) -> Result<Planned, RunError> {
    let pending: Mutex<Vec<Candidate>> = Mutex::new(Vec::new());
    let result = algorithm(spec, seed).try_resume(Vec::new(), |batch| {
        let recorded: Vec<Option<Option<Vec<f64>>>> = batch
            .par_iter()
            .map(|c| read_record(spec, dir, c))
            .collect();
        let left: Vec<Candidate> = batch
            .iter()
            .zip(&recorded)
            .filter(|(_, r)| r.is_none())
            .map(|(c, _)| c.clone())
            .collect();
        if left.is_empty() {
            return Ok(recorded.into_iter().map(Option::flatten).collect());
        }
        *pending.lock().expect("no panics while holding it") = left;
        Err(FitError::Stopped("candidates left for the array".into()))
    });
    let pending = pending.into_inner().expect("no panics while holding it");
    if !pending.is_empty() {
        write_plan(spec, dir, &pending)?;
        return Ok(Planned::Pending(pending));
    }
    let fit = result.map_err(fit_error)?;
    let plan = dir.join("plan.csv");
    if plan.exists() {
        std::fs::remove_file(&plan).map_err(|source| RunError::Output { path: plan, source })?;
    }
    Ok(Planned::Complete(Box::new(fit)))
}

/// Simulates the planned candidates `rows` (rows of `plan.csv`) that have no record yet;
/// returns the candidates simulated and how many of them failed.
pub fn run_planned(
    spec: &FitSpec,
    dir: &Path,
    planned: &[Candidate],
    threads: usize,
    on_run: &(dyn Fn(bool) + Sync),
) -> Result<(usize, usize), RunError> {
    let todo: Vec<Candidate> = planned
        .iter()
        .filter(|c| read_record(spec, dir, c).is_none())
        .cloned()
        .collect();
    let results = simulate_and_record(spec, dir, &todo, &pool(threads)?, on_run)?;
    Ok((todo.len(), results.iter().filter(|r| r.is_none()).count()))
}

/// A fit error as a run error (the fit file was checked, so only a stuck proposal or an
/// inconsistency can remain).
fn fit_error(e: FitError) -> RunError {
    RunError::Other(format!("fit: {e}"))
}
