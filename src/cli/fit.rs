//! `seedsoil fit`: arguments → fit file and folder → the fit here, or one step of a job
//! array (`--plan`, `--index`, `--shard`) → the tables and the posterior predictive runs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use seedsoil::error::RunError;
use seedsoil::fit::driver::{self, Planned};
use seedsoil::fit::folder::{self, param_names};
use seedsoil::fit::predictive::{draws, predictive_csv};
use seedsoil::fit::spec::FitSpec;
use seedsoil::fit::tables::{generations_csv, posterior_csv};
use seedsoil::fit::{Fit, StopReason};
use seedsoil::output::write_atomic;

use super::progress::RunsBar;
use super::{array_task, bad_usage, batch_folder, batch_seed};

/// Arguments of `seedsoil fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The fit file (TOML): base, seed, observed, population, max_generations, budget, …,
    /// weights, [[param]] key and prior.
    file: PathBuf,
    /// Output folder (default: runs/fit-<file stem>).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Start again in an existing output folder (its records are deleted).
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Reuse the output folder: take every recorded candidate from its record, simulate
    /// the rest, write the tables. The result is that of an uninterrupted fit.
    #[arg(long)]
    resume: bool,
    /// Worker threads across candidates, 0 = all cores; each simulation uses one. Results
    /// do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024), allow_negative_numbers = true)]
    threads: u16,
    /// Replay the fit over the folder's records and write the next batch of candidates
    /// to simulate to DIR/plan.csv; print their number (0: the fit is complete; run again
    /// with --resume for the tables). Simulates nothing.
    #[arg(long, conflicts_with_all = ["index", "shard"])]
    plan: bool,
    /// Simulate row I (0-based) of DIR/plan.csv into its record (a job array task).
    #[arg(
        long,
        value_name = "I",
        conflicts_with = "shard",
        allow_negative_numbers = true
    )]
    index: Option<u64>,
    /// Simulate the rows of DIR/plan.csv with row % N == K (K in 0..N).
    #[arg(long, value_name = "K/N", allow_hyphen_values = true)]
    shard: Option<String>,
    /// Print nothing but errors (and the candidate count of --plan).
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `seedsoil fit`.
pub fn fit_cmd(args: FitArgs) -> Result<()> {
    let started = Instant::now();
    let text = seedsoil::input::read_toml_text(&args.file).map_err(|source| {
        seedsoil::error::ConfigError::Io {
            path: args.file.clone(),
            source,
        }
    })?;
    let spec = FitSpec::from_text(&text, &args.file)?;
    let dir = batch_folder(args.output.as_ref(), &args.file, "fit");
    let (shard, partial) = array_task(args.index, args.shard.as_deref())?;
    let seed = batch_seed(
        spec.seed.or_else(|| folder::recorded_seed(&dir)),
        partial,
        "fit",
        &args.file,
        &dir,
    )?;

    // --plan --force starts the folder again; a task (--index, --shard) never does.
    let reuse = partial || ((args.resume || args.plan) && !args.force);
    match folder::same_setup(&spec, &text, seed, &dir)? {
        Some(false) if reuse => {
            return Err(bad_usage(
                "--output",
                format!("\"{}\"", dir.display()),
                "the folder holds a different fit (its fit.toml, base.toml, observed.csv or seed.txt differ); choose another folder or pass --force",
            ));
        }
        Some(true) if reuse => {}
        None if partial => {
            return Err(bad_usage(
                "--output",
                format!("\"{}\"", dir.display()),
                format!(
                    "no fit there: run `seedsoil fit {} -o {} --plan` first",
                    args.file.display(),
                    dir.display()
                ),
            ));
        }
        _ if dir.exists() && !reuse && !args.force => {
            return Err(RunError::Exists(dir.clone()).into());
        }
        _ => {
            if dir.exists() && args.force {
                folder::clear(&dir)?;
            }
            folder::write_setup(&spec, &text, seed, &dir)?;
        }
    }

    if args.plan {
        return match driver::plan(&spec, seed, &dir)? {
            Planned::Pending(c) => {
                println!("{}", c.len());
                if !args.quiet {
                    eprintln!(
                        "{} candidates of generation {} planned in {}; simulate them with --index or --shard, then --plan again",
                        c.len(),
                        c[0].generation,
                        dir.join("plan.csv").display()
                    );
                }
                Ok(())
            }
            Planned::Complete(_) => {
                println!("0");
                if !args.quiet {
                    eprintln!(
                        "the fit is complete; write its tables with `seedsoil fit {} -o {} --resume`",
                        args.file.display(),
                        dir.display()
                    );
                }
                Ok(())
            }
        };
    }

    let threads = usize::from(args.threads);
    if partial {
        let planned = folder::read_plan(&spec, &dir)?;
        let rows: Vec<usize> = match (args.index, shard) {
            (Some(i), _) if (i as usize) < planned.len() => vec![i as usize],
            (Some(i), _) => {
                return Err(bad_usage(
                    "--index",
                    i.to_string(),
                    format!(
                        "allowed integer 0 ≤ value < {} (the rows of {})",
                        planned.len(),
                        dir.join("plan.csv").display()
                    ),
                ));
            }
            // A partial run without --index has a shard.
            (None, shard) => {
                let (k, n) = shard.unwrap_or((0, 1));
                (0..planned.len()).filter(|r| *r as u64 % n == k).collect()
            }
        };
        let selected: Vec<_> = rows.iter().map(|&r| planned[r].clone()).collect();
        let bar = RunsBar::new(Some(selected.len() as u64), 0, args.quiet).counting_failures();
        let (ran, failed) =
            driver::run_planned(&spec, &dir, &selected, threads, &|ok| bar.done(ok))?;
        bar.finish();
        if !args.quiet {
            println!(
                "seedsoil {}: simulated {ran} of {} selected candidates ({} already recorded, {failed} failed) into {}",
                env!("CARGO_PKG_VERSION"),
                selected.len(),
                selected.len() - ran,
                dir.display()
            );
        }
        return Ok(());
    }

    let bar = RunsBar::new(None, 0, args.quiet).counting_failures();
    let fit = driver::fit_here(&spec, seed, &dir, threads, &|ok| bar.done(ok))?;
    bar.finish();
    let Some(posterior) = fit.posterior() else {
        return Err(RunError::Other(format!(
            "generation 0 could not accept {} particles before the fit stopped ({}) after {} runs; a run fails when its config is invalid or it ends before the last observed day (extinction, run.stop_at_cells): see the records in {}",
            spec.settings.population,
            stop_name(fit.stop),
            fit.runs,
            dir.join("records").display()
        ))
        .into());
    };
    write_atomic(
        &dir.join("posterior.csv"),
        posterior_csv(&spec, &fit)?.as_bytes(),
    )?;
    write_atomic(
        &dir.join("generations.csv"),
        generations_csv(&spec, &fit)?.as_bytes(),
    )?;
    let chosen = draws(posterior, seed, spec.predictive);
    let predictive = predictive_csv(&spec, posterior, &chosen, &seedsoil::batch::pool(threads)?)?;
    write_atomic(&dir.join("predictive.csv"), predictive.as_bytes())?;
    let manifest = serde_json::json!({
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
        "command_line": super::command_line(),
        "fit_file": args.file.display().to_string(),
        "seed": seed,
        "stop": stop_name(fit.stop),
        "generations": fit.populations.len(),
        "runs": fit.runs,
        "predictive_runs": chosen.len(),
        "wall_s": started.elapsed().as_secs_f64(),
    });
    write_atomic(
        &dir.join("manifest.json"),
        format!("{manifest:#}\n").as_bytes(),
    )?;
    if !args.quiet {
        print_fit(&spec, &fit, seed, &dir);
    }
    Ok(())
}

/// The stop reason as `manifest.json` and the console name it.
fn stop_name(stop: StopReason) -> &'static str {
    match stop {
        StopReason::MaxGenerations => "max_generations",
        StopReason::MinAcceptance => "min_acceptance",
        StopReason::FinalEpsilon => "final_epsilon",
        StopReason::Budget => "budget",
    }
}

/// The one-screen summary of a fit: the generations, the posterior, the files. It holds
/// no timing (`manifest.json` has the wall time), so that it is the same on every rerun.
fn print_fit(spec: &FitSpec, fit: &Fit, seed: u64, dir: &Path) {
    println!(
        "seedsoil {}: fit of {} parameters to {} statistics, seed {seed}, {} runs; stopped: {}",
        env!("CARGO_PKG_VERSION"),
        spec.priors.dim(),
        spec.observed.statistics.len(),
        fit.runs,
        stop_name(fit.stop)
    );
    println!();
    println!(
        "{:>10}  {:>12}  {:>10}  {:>8}  {:>8}",
        "generation", "epsilon", "acceptance", "ESS", "runs"
    );
    for p in &fit.populations {
        println!(
            "{:>10}  {:>12.4}  {:>10.3}  {:>8.1}  {:>8}",
            p.generation, p.epsilon, p.acceptance_rate, p.ess, p.runs
        );
    }
    let posterior = fit.posterior().expect("checked by the caller");
    let (mean, sd) = (posterior.mean(), posterior.sd());
    println!();
    println!(
        "{:<32}  {:>11}  {:>11}  {:>11}  {:>11}",
        "posterior", "mean", "sd", "5 %", "95 %"
    );
    for (k, key) in param_names(spec).iter().enumerate() {
        let (lo, hi) = posterior.credible_interval(k, 0.9);
        println!(
            "{key:<32}  {:>11.5}  {:>11.5}  {lo:>11.5}  {hi:>11.5}",
            mean[k], sd[k]
        );
    }
    println!();
    println!(
        "posterior.csv, generations.csv, predictive.csv ({} runs) in {}",
        spec.predictive,
        dir.display()
    );
}
