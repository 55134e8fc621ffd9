//! `seedsoil validate`: arguments → [`seedsoil::validate::Options`] → run → the tables,
//! the run folders and a one-screen verdict. Exit 0 if every check passes, 1 if any
//! fails (or a run failed), 2 on bad input.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use seedsoil::error::RunError;
use seedsoil::output::RunDir;
use seedsoil::output::manifest::{self, RunningManifest};
use seedsoil::validate::{self, Options, Prepared, Validation, record, report};

use super::progress::RunsBar;

/// Arguments of `seedsoil validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Run the checks whose scenarios derive from the baseline on this config instead of
    /// the embedded default (the R0 checks are left out).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seeds per arm for every check (default: each check's own, chosen for ≥ 90 % power).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..=10_000))]
    seeds: Option<u64>,
    /// Master seed; fresh seeds give a fresh validation (default 20261201).
    #[arg(long, value_parser = clap::value_parser!(u64).range(..=i64::MAX as u64), allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Only the quick subset (cheap scenarios, under 3 minutes on 2 cores; run by CI).
    #[arg(long)]
    quick: bool,
    /// Only these checks: names, or a source prefix such as `kaplan2005` (repeatable).
    #[arg(long, value_name = "NAME", num_args = 1..)]
    only: Vec<String>,
    /// Repeat the suite on K independent seed blocks and report how often each criterion
    /// passed (power.csv): the empirical power.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000), allow_negative_numbers = true)]
    blocks: u64,
    /// Output folder (default: runs/validate, suffixed -2, -3, ... if taken).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite an existing output folder (its old run folders are removed).
    #[arg(long)]
    force: bool,
    /// Worker threads across runs, 0 = all cores; each simulation uses one. Outputs do not
    /// depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024), allow_negative_numbers = true)]
    threads: u16,
    /// List the checks (name, seeds, quick, source, claim) and run nothing.
    #[arg(long)]
    list: bool,
    /// Reuse the output folder of the same validation (validate.toml): skip simulations
    /// whose record is complete, run the rest, evaluate. Merges a job array's records.
    #[arg(long, conflicts_with_all = ["force", "list"])]
    resume: bool,
    /// Set up the folder (validate.toml, a running manifest.json) and write DIR/plan.csv,
    /// one row per simulation; print their number, run nothing. Then run the rows with
    /// --index or --shard (e.g. a job array) and evaluate with --resume.
    #[arg(long, conflicts_with_all = ["index", "shard", "resume", "list"])]
    plan: bool,
    /// Run only simulation I (row I of plan.csv, 0-based) into its record; no verdicts.
    #[arg(long, value_name = "I", conflicts_with_all = ["shard", "force", "resume", "list"], allow_negative_numbers = true)]
    index: Option<u64>,
    /// Run the simulations of task K of N (rows with row % N == K); no verdicts.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true, conflicts_with_all = ["force", "resume", "list"])]
    shard: Option<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `seedsoil validate`.
pub fn validate_cmd(args: ValidateArgs) -> Result<()> {
    let baseline = match &args.config {
        Some(path) => {
            let text = seedsoil::input::read_toml_text(path).map_err(|source| {
                seedsoil::error::ConfigError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
            // The user's config must be valid on its own (and a config: a compare or sweep
            // file is refused with the command to use, as by seedsoil run).
            seedsoil::config::load(Some(path), &[])?;
            Some((path.display().to_string(), text))
        }
        None => None,
    };
    let options = Options {
        seed: args.seed.unwrap_or(validate::DEFAULT_SEED),
        seeds: args.seeds.map(|n| n as usize),
        quick: args.quick,
        only: args.only.clone(),
        blocks: args.blocks as usize,
        threads: usize::from(args.threads),
        baseline,
    };
    if args.list {
        let (checks, skipped) = validate::select(&options)?;
        for c in &checks {
            println!(
                "{:<32} {:>3} seeds{}  {}\n    {}",
                c.name,
                validate::seeds_of(c, &options),
                if c.quick { ", quick" } else { "" },
                c.source,
                c.claim
            );
        }
        for s in skipped {
            println!("{s:<32} (on R0, not on the given config)");
        }
        return Ok(());
    }
    // Selection errors before any folder is made.
    let prepared = validate::prepare(&options)?;
    let (shard, partial) = super::array_task(args.index, args.shard.as_deref())?;
    let reuse = args.resume || args.plan || partial;
    let path = match &args.output {
        Some(p) => p.clone(),
        None if reuse => PathBuf::from("runs/validate"),
        None => RunDir::fresh_path(&PathBuf::from("runs/validate")),
    };
    let same = record::same_options(&path, &options);
    if same == Some(false) && (partial || args.resume || (args.plan && !args.force)) {
        return Err(super::bad_usage(
            "--output",
            format!("\"{}\"", path.display()),
            "the folder holds a validation with other options (its validate.toml differs); choose another folder, or pass --force to --plan",
        ));
    }
    let occupied = std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_some());
    if args.resume && same.is_none() && occupied {
        return Err(super::bad_usage(
            "--resume",
            format!("\"{}\"", path.display()),
            "not a validation folder that --resume can reuse (it holds no validate.toml); choose another folder or pass --force",
        ));
    }
    if partial {
        if same.is_none() {
            return Err(super::bad_usage(
                "--output",
                format!("\"{}\"", path.display()),
                "no validation there: run seedsoil validate with the same options, -o and --plan first",
            ));
        }
        return run_task(&args, &options, &prepared, &path, shard);
    }
    // The folder says it holds an unfinished validation before an earlier one's files go.
    let running = RunningManifest::new(options.seed, super::command_line());
    let fresh = !(reuse && same == Some(true)) || args.force;
    let owned: &[&str] = if fresh { &VALIDATE_FILES } else { &[] };
    let dir = RunDir::claim(
        &path,
        args.force || reuse,
        manifest::to_json(&running).as_bytes(),
        owned,
    )?;
    seedsoil::output::write_atomic(
        &dir.path.join(record::OPTIONS),
        record::options_text(&options).as_bytes(),
    )?;
    if args.plan {
        record::write_plan(&dir.path, &prepared, &options)?;
        println!("{}", prepared.jobs.len());
        return Ok(());
    }

    let started = std::time::Instant::now();
    let todo: Vec<usize> = (0..prepared.jobs.len())
        .filter(|&i| record::read(&dir.path, &prepared, &options, i).is_none())
        .collect();
    let progress = RunsBar::new(
        Some(prepared.jobs.len() as u64),
        (prepared.jobs.len() - todo.len()) as u64,
        args.quiet,
    );
    let wall = run_into(&prepared, &options, &dir.path, &todo, &|r| {
        progress.done_with(r.scenario.clone())
    })?;
    progress.finish();
    let runs: Vec<validate::RunRecord> = (0..prepared.jobs.len())
        .map(|i| {
            let mut r = record::read(&dir.path, &prepared, &options, i).ok_or_else(|| {
                RunError::Other(format!(
                    "simulation {i} has no complete record in {}",
                    dir.path.display()
                ))
            })?;
            r.wall_time_s = wall[i];
            Ok(r)
        })
        .collect::<Result<_, RunError>>()?;
    let v = validate::evaluate(prepared, runs, &options, started);
    write_outputs(&v, &dir)?;
    if !args.quiet {
        print_verdict(&v, &dir);
    }
    if v.all_pass() {
        Ok(())
    } else {
        let (passed, total) = v.passed();
        let failed_runs = v.runs.iter().filter(|r| r.outcome.is_err()).count();
        let mut message = if passed < total {
            format!("{} of {total} checks failed", total - passed)
        } else {
            format!("all {total} checks passed in block 0")
        };
        if v.options.blocks > 1 {
            let blocks_failing = v.results.iter().filter(|r| !r.passes()).count();
            message.push_str(&format!(
                "; {blocks_failing} check verdicts failed over {} blocks (power.csv)",
                v.options.blocks
            ));
        }
        if failed_runs > 0 {
            message.push_str(&format!("; {failed_runs} runs failed (runs.csv)"));
        }
        Err(RunError::Other(format!(
            "{message} (see {})",
            dir.path.join("validation.csv").display()
        ))
        .into())
    }
}

/// The files and folders a validation writes besides `manifest.json`: what `--force`
/// removes of an earlier one.
const VALIDATE_FILES: [&str; 8] = [
    "runs",
    record::OPTIONS,
    record::PLAN,
    "validation.csv",
    "values.csv",
    "checks.csv",
    "runs.csv",
    "power.csv",
];

/// Writes the tables and the manifest of a validation (the run folders are its records,
/// written as each simulation ended).
fn write_outputs(v: &Validation, dir: &RunDir) -> Result<()> {
    let csv = |rows: Vec<u8>, name: &str| -> Result<()> {
        dir.write(name, &rows)?;
        Ok(())
    };
    csv(
        report::csv_text(&report::criterion_rows(v)).context("validation.csv")?,
        "validation.csv",
    )?;
    csv(
        report::csv_text(&report::value_rows(v)).context("values.csv")?,
        "values.csv",
    )?;
    csv(
        report::csv_text(&report::check_rows(v)).context("checks.csv")?,
        "checks.csv",
    )?;
    csv(
        report::csv_text(&report::run_rows(v)).context("runs.csv")?,
        "runs.csv",
    )?;
    if v.options.blocks > 1 {
        csv(
            report::csv_text(&report::power_rows(v)).context("power.csv")?,
            "power.csv",
        )?;
    }
    let (passed, total) = v.passed();
    let manifest = serde_json::json!({
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
        "command_line": super::command_line(),
        "date_utc": humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        "seed": v.options.seed,
        "blocks": v.options.blocks,
        "seeds": v.options.seeds,
        "quick": v.options.quick,
        "only": v.options.only,
        "config": v.options.baseline.as_ref().map(|(origin, _)| origin.clone()),
        "skipped_checks": v.skipped,
        "checks": total,
        "checks_passed": passed,
        "runs": v.runs.len(),
        "failed_runs": v.runs.iter().filter(|r| r.outcome.is_err()).count(),
        "status": "completed",
        "wall_time_s": v.wall_time_s,
        "run_wall_time_s": v.runs.iter().map(|r| r.wall_time_s).collect::<Vec<_>>(),
        "files": ["validation.csv", "values.csv", "checks.csv", "runs.csv", "power.csv (--blocks > 1)", "runs/<scenario>/seed-<seed>/", "manifest.json"],
        "deterministic_note": "every file but manifest.json is identical for the same options and seed, whatever the thread count",
    });
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    dir.write("manifest.json", text.as_bytes())?;
    Ok(())
}

fn print_verdict(v: &Validation, dir: &RunDir) {
    use seedsoil::validate::rule::num;
    println!(
        "seedsoil validate: seed {}, {} block{}, {} runs in {:.0} s",
        v.options.seed,
        v.options.blocks,
        if v.options.blocks == 1 { "" } else { "s" },
        v.runs.len(),
        v.wall_time_s
    );
    for res in v.results.iter().filter(|r| r.block == 0) {
        let c = &v.checks[res.check];
        let verdict = if res.passes() { "pass" } else { "FAIL" };
        println!("{verdict:<4}  {}  ({} seeds)", c.name, res.seeds);
        match &res.criteria {
            Ok(criteria) => {
                for k in criteria {
                    let e = &k.estimate;
                    println!(
                        "      {} {} [{}, {}] {}  power {:.0} %  {}",
                        if k.passes() { " " } else { "x" },
                        num(e.value),
                        num(e.low),
                        num(e.high),
                        k.rule.text(),
                        100.0 * k.power(),
                        k.statistic
                    );
                }
            }
            Err(e) => println!("      not evaluated: {e}"),
        }
    }
    if !v.skipped.is_empty() {
        println!(
            "not run on the given config (R0 checks): {}",
            v.skipped.join(", ")
        );
    }
    if v.options.blocks > 1 {
        println!("empirical power over {} blocks:", v.options.blocks);
        for p in report::power_rows(v) {
            println!(
                "  {:>3}/{:<3} {}  {}",
                p.passed, p.blocks, p.check, p.statistic
            );
        }
    }
    let (passed, total) = v.passed();
    println!(
        "{passed} of {total} checks pass; tables and run folders in {}",
        dir.path.display()
    );
    println!(
        "report: python3 scripts/validation_report.py {}",
        dir.path.display()
    );
}

/// Runs the simulations `todo` of `prepared` on the pool of `options.threads` workers,
/// writing each one's record into `dir` as it ends; returns the wall time of every
/// simulation of `prepared` (0 for those not run now).
fn run_into(
    prepared: &Prepared,
    options: &Options,
    dir: &std::path::Path,
    todo: &[usize],
    on_done: &(dyn Fn(&validate::RunRecord) + Sync),
) -> Result<Vec<f64>> {
    let pool = seedsoil::batch::pool(options.threads)?;
    let done = seedsoil::batch::each_on_pool(&pool, todo.len(), |k| {
        let r = prepared.run_job(options, todo[k]);
        let written = record::write(dir, &r);
        on_done(&r);
        (r.wall_time_s, written)
    });
    let mut wall = vec![0.0; prepared.jobs.len()];
    for (&i, (w, written)) in todo.iter().zip(done) {
        written?;
        wall[i] = w;
    }
    Ok(wall)
}

/// An array task: the selected rows of the plan without a record, run into their
/// records; no verdicts.
fn run_task(
    args: &ValidateArgs,
    options: &Options,
    prepared: &Prepared,
    dir: &std::path::Path,
    shard: Option<(u64, u64)>,
) -> Result<()> {
    let total = prepared.jobs.len();
    let selected: Vec<usize> = match (args.index, shard) {
        (Some(i), _) if (i as usize) < total => vec![i as usize],
        (Some(i), _) => {
            return Err(super::bad_usage(
                "--index",
                i.to_string(),
                format!(
                    "allowed integer 0 ≤ value < {total} (the validation has {total} simulations)"
                ),
            ));
        }
        // A task without --index has a shard.
        (None, shard) => {
            let (k, n) = shard.unwrap_or((0, 1));
            (0..total).filter(|i| *i as u64 % n == k).collect()
        }
    };
    let todo: Vec<usize> = selected
        .iter()
        .copied()
        .filter(|&i| record::read(dir, prepared, options, i).is_none())
        .collect();
    let progress = RunsBar::new(
        Some(selected.len() as u64),
        (selected.len() - todo.len()) as u64,
        args.quiet,
    );
    run_into(prepared, options, dir, &todo, &|r| {
        progress.done_with(r.scenario.clone())
    })?;
    progress.finish();
    if !args.quiet {
        super::print::task("simulations", todo.len(), selected.len(), dir);
    }
    Ok(())
}
