//! Command-line interface (docs/architecture.md §6): the arguments and the dispatch to
//! each command. Exit codes: 0 success, 1 a run failed, 2 bad usage or invalid config.
//!
//! - [`run`](mod@run): `seedsoil run`, on the library's run driver ([`seedsoil::run`]).
//! - [`compare`], [`sweep`] (also `collect`), [`validate`]: the batch commands.
//! - [`print`]: the one-screen summaries on stdout.
//! - [`progress`]: the progress bars on stderr (the only user of indicatif).

mod compare;
mod fit;
mod print;
mod progress;
mod run;
mod sensitivity;
mod sweep;
mod validate;

use anyhow::Result;
use clap::{Args, CommandFactory, Parser, Subcommand};
use seedsoil::checkpoint::CheckpointError;
use seedsoil::config::{self, Config, ParamsFormat};
use seedsoil::error::{ConfigError, Problem, RunError};
use seedsoil::run::DriverError;
use std::path::PathBuf;

/// seedsoil: a fast, reproducible agent-based simulator of tumour cell hierarchies.
#[derive(Debug, Parser)]
#[command(name = "seedsoil", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one simulation and write its output folder.
    Run(RunArgs),
    /// Validate a config (all problems at once) and print the resolved config.
    Check(CheckArgs),
    /// List every parameter: key, symbol, default, unit, allowed range, source tag.
    Params {
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ParamsFormat,
    },
    /// Run every scenario of a compare file over common replicate seeds and compare
    /// endpoints against the control (paired differences).
    Compare(CompareArgs),
    /// Run a parameter sweep (grid, zip, Latin hypercube, or the Morris and Sobol' designs
    /// of a sensitivity analysis), one record per run, then merge the records into tables.
    Sweep(SweepArgs),
    /// Merge the per-run records of a sweep folder into its tables (after sharded or
    /// job-array runs); lists missing and failed runs.
    Collect(CollectArgs),
    /// Sensitivity indices of a sweep folder's outputs: Morris μ*, μ, σ (morris sweeps),
    /// Sobol' S1, ST (sobol sweeps), PRCC with p-values (any sweep), with bootstrap
    /// intervals; writes DIR/sensitivity.csv and prints a ranked table per output.
    Sensitivity(SensitivityArgs),
    /// Calibrate parameters to observed data by ABC-SMC: priors over config keys, a tidy
    /// CSV of measurements; writes the posterior, the generations and posterior predictive
    /// runs. Runs here, or a batch at a time as a job array (--plan, --index, --shard).
    Fit(fit::FitArgs),
    /// Draw a run folder's snapshots as PNGs (lattice, IL6, CXCL7 per day) plus numbered
    /// frames and an animated GIF of the growth on one canvas.
    Render(RenderArgs),
    /// Run the validation suite: every published outcome and calibration target as a
    /// named check with its source, scenarios, statistic, acceptance rule and power.
    Validate(validate::ValidateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) on stdout.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct RenderArgs {
    /// A run folder (holding snapshots/lattice_day<D>.csv, config.toml, events.csv).
    run_dir: PathBuf,
    /// Output folder (default: RUN_DIR/render); its files are derived and overwritten.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Write only the animation: frames/frame_NNNN.png and growth.gif.
    #[arg(long)]
    frames: bool,
    /// Pixels per site in the frames and GIF.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64), allow_negative_numbers = true)]
    scale: u32,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct SweepArgs {
    /// The sweep file (TOML): base, seed, replicates, design, set, [[axis]] ...
    file: PathBuf,
    /// Output folder (default: runs/sweep-<file stem>).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Start again in an existing output folder (its records are deleted).
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Reuse the output folder: skip runs whose record is complete, run the rest, merge.
    #[arg(long)]
    resume: bool,
    /// Replicates per point (overrides the file's `replicates`).
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    replicates: Option<u32>,
    /// Worker threads across runs, 0 = all cores; each simulation uses one (the last run
    /// all of them). Outputs do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024), allow_negative_numbers = true)]
    threads: u16,
    /// Validate, write DIR/sweep.toml, DIR/base.toml and DIR/plan.csv, print the number
    /// of runs, run nothing.
    #[arg(long, conflicts_with_all = ["index", "shard"])]
    plan: bool,
    /// Run only run I (0-based) into the folder, skipping it if its record is complete;
    /// no merge (run `seedsoil collect DIR` afterwards).
    #[arg(
        long,
        value_name = "I",
        conflicts_with = "shard",
        allow_negative_numbers = true
    )]
    index: Option<u64>,
    /// Run the runs with run_id % N == K (K in 0..N); no merge.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true)]
    shard: Option<String>,
    /// Print nothing but errors (and the run count of --plan).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct CollectArgs {
    /// A sweep output folder (holding sweep.toml and runs/).
    dir: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct SensitivityArgs {
    /// A sweep output folder (holding sweep.toml and summary.csv).
    dir: PathBuf,
    /// Output columns of summary.csv to analyse (repeatable; default: total,
    /// csc_fraction and metastatic_cells where the table has them).
    #[arg(long, value_name = "COL")]
    output: Vec<String>,
    /// Bootstrap resamples of the confidence intervals (0: none).
    #[arg(long, value_name = "B", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=100_000), allow_negative_numbers = true)]
    bootstrap: u32,
    /// Replicate runs of a point: averaged before the estimators, or each replicate a
    /// design of its own, pooled (noise).
    #[arg(long, value_enum, default_value = "mean")]
    replicates: seedsoil::sensitivity::analysis::Replicates,
    /// Write sensitivity.csv, print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The compare file (TOML): base, replicates, seed, control, [scenario.<name>] ...
    file: PathBuf,
    /// Output folder (default: runs/compare-<file stem>, suffixed -2, -3, ... if taken;
    /// with --force or --resume the default folder itself).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Start again in an existing output folder (marked running, then its comparison
    /// deleted, records included).
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Reuse the output folder of the same comparison (e.g. after a kill): skip runs whose
    /// record is complete, run the rest, merge.
    #[arg(long)]
    resume: bool,
    /// Replicates per scenario (overrides the file's `replicates`).
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    replicates: Option<u32>,
    /// Override a key of every scenario's config, after the scenario's own `set`, e.g.
    /// --set cells.p_symmetric=0.2 (repeatable; recorded in compare.toml).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Simulated days of every scenario (run.days, after --set).
    #[arg(long, allow_hyphen_values = true)]
    days: Option<f64>,
    /// Worker threads across runs, 0 = all cores; each simulation uses one. Outputs do not
    /// depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024), allow_negative_numbers = true)]
    threads: u16,
    /// Validate, set up the folder (compare.toml, configs/, a running manifest.json) and
    /// write DIR/plan.csv (one row per run); print the number of runs, run nothing. Then
    /// run the rows with --index or --shard (e.g. a job array) and merge with --resume.
    #[arg(long, conflicts_with_all = ["index", "shard", "resume"])]
    plan: bool,
    /// Run only run I (row I of plan.csv, 0-based) into its record, skipping it if its
    /// record is complete; no merge.
    #[arg(
        long,
        value_name = "I",
        conflicts_with_all = ["shard", "force", "resume"],
        allow_negative_numbers = true
    )]
    index: Option<u64>,
    /// Run the runs of task K of N (K in 0..N): rows with row % N == K, or with
    /// branch_at_day whole replicates (replicate % N == K); no merge.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true, conflicts_with_all = ["force", "resume"])]
    shard: Option<String>,
    /// Print nothing but errors (and the run count of --plan).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// Config files (TOML), merged left to right as a compare scenario's `include` (tables
    /// key by key, [[therapy]] entries appended), e.g. a base and a therapy file; the
    /// embedded default (configs/baseline.toml) if omitted.
    config: Vec<PathBuf>,
    /// Override any key, e.g. --set cells.p_symmetric=0.2 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Output folder (default: runs/<config name>-seed<seed>, never reused).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite an existing output folder.
    #[arg(long)]
    force: bool,
    /// Master seed (run.seed).
    #[arg(long, value_parser = clap::value_parser!(u64).range(..=i64::MAX as u64), allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Worker threads, 0 = all cores (overrides run.threads for this run only; outputs,
    /// including the written config.toml, do not depend on it).
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=1024), allow_negative_numbers = true)]
    threads: Option<u16>,
    /// Simulated days (run.days).
    #[arg(long, allow_hyphen_values = true)]
    days: Option<f64>,
    /// Stop when the primary tumour holds this many cells (run.stop_at_cells).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    stop_at_cells: Option<u64>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// Resume from a checkpoint file: its stored config, with --days/--set overrides
    /// (keys that define the saved state, such as run.seed and space.*, may not change).
    #[arg(long, value_name = "CHECKPOINT", conflicts_with = "config")]
    from: Option<PathBuf>,
    /// Save the whole simulation state at the start of day DAY (after recording it) to
    /// <output>/checkpoints/day<DAY>.ckpt and go on (repeatable; DAY on a step of
    /// run.dt_h, between 0 and run.days).
    #[arg(
        long = "checkpoint-at",
        value_name = "DAY",
        allow_negative_numbers = true
    )]
    checkpoint_at: Vec<f64>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    config: ConfigArgs,
}

/// Exit code for an error: 2 for invalid configs and usage, 1 for failed runs.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if let Some(c) = e.downcast_ref::<ConfigError>() {
        return c.exit_code();
    }
    if let Some(r) = e.downcast_ref::<RunError>() {
        return r.exit_code();
    }
    if let Some(c) = e.downcast_ref::<CheckpointError>() {
        return c.exit_code();
    }
    if let Some(d) = e.downcast_ref::<DriverError>() {
        return d.exit_code();
    }
    if let Some(v) = e.downcast_ref::<seedsoil::error::ValidateError>() {
        return v.exit_code();
    }
    if e.downcast_ref::<seedsoil::error::SensitivityError>()
        .is_some()
    {
        return 2;
    }
    1
}

/// Parse arguments and run the command.
pub fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run_cmd(args),
        Command::Check(args) => {
            let cfg = load(&args.config, &[])?;
            print!("{}", cfg.to_toml());
            eprintln!("config is valid");
            Ok(())
        }
        Command::Params { format } => {
            print!("{}", config::params_table(format));
            Ok(())
        }
        Command::Compare(args) => compare::compare_cmd(args),
        Command::Sweep(args) => sweep::sweep_cmd(args),
        Command::Collect(args) => sweep::collect_cmd(args),
        Command::Sensitivity(args) => sensitivity::sensitivity_cmd(args),
        Command::Fit(args) => fit::fit_cmd(args),
        Command::Render(args) => render_cmd(args),
        Command::Validate(args) => validate::validate_cmd(args),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "seedsoil", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn render_cmd(args: RenderArgs) -> anyhow::Result<()> {
    let out = args.out.unwrap_or_else(|| args.run_dir.join("render"));
    let opts = seedsoil::output::render::RenderOptions {
        frames_only: args.frames,
        scale: args.scale,
    };
    let files = seedsoil::output::render::render(&args.run_dir, &out, opts)?;
    if !args.quiet {
        eprintln!("wrote {} files to {}", files.len(), out.display());
    }
    Ok(())
}

/// A usage error (exit 2) as a config problem: `key = value: allowed`.
/// The output folder of a batch command (`what`: "sweep", "fit"): the one given, else
/// `runs/<what>-<file stem>`.
fn batch_folder(output: Option<&PathBuf>, file: &std::path::Path, what: &str) -> PathBuf {
    output.cloned().unwrap_or_else(|| {
        let stem = file
            .file_stem()
            .map_or_else(|| what.to_string(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("runs").join(format!("{what}-{stem}"))
    })
}

/// The seed of a batch (`what`: "sweep", "fit") from file `file` into folder `dir`: the
/// one given (in the file or its base) or recorded in the folder, else a fresh one; not
/// for a partial run (`--index`, `--shard`), since every process must agree on it.
fn batch_seed(
    given: Option<u64>,
    partial: bool,
    what: &str,
    file: &std::path::Path,
    dir: &std::path::Path,
) -> Result<u64> {
    match given {
        Some(s) => Ok(s),
        None if partial => Err(bad_usage(
            "seed",
            "(missing)",
            format!(
                "--index and --shard need the {what} seed: give `seed` in {} or run --plan -o {} first",
                file.display(),
                dir.display()
            ),
        )),
        None => Ok(fresh_seed()),
    }
}

/// The `--shard` of a batch command parsed, and whether the command is an array task
/// (`--index` or `--shard`).
fn array_task(index: Option<u64>, shard: Option<&str>) -> Result<(Option<(u64, u64)>, bool)> {
    let shard = shard.map(|s| parse_shard("--shard", s)).transpose()?;
    Ok((shard, index.is_some() || shard.is_some()))
}

/// `--shard K/N` parsed: integers with N ≥ 1 and 0 ≤ K < N.
fn parse_shard(flag: &str, text: &str) -> Result<(u64, u64)> {
    text.split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)))
        .filter(|&(k, n)| n >= 1 && k < n)
        .ok_or_else(|| {
            bad_usage(
                flag,
                format!("\"{text}\""),
                format!("expected K/N with integers N ≥ 1 and 0 ≤ K < N, e.g. {flag} 0/4"),
            )
        })
}

fn bad_usage(key: &str, value: impl Into<String>, allowed: impl Into<String>) -> anyhow::Error {
    ConfigError::Invalid(vec![Problem::new(key, value, allowed)]).into()
}

/// The config of `args` with the `extra` overrides (from shorthand flags) after its own.
fn load(args: &ConfigArgs, extra: &[config::Override]) -> Result<Config> {
    let mut sets = config::Override::sets(&args.sets);
    sets.extend_from_slice(extra);
    Ok(config::load_files_with(&args.config, &sets)?)
}

/// The command line as given, for manifests (arguments that are not UTF-8, such as some
/// file names, are kept with replacement characters rather than refused).
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// `--days D` as an override of run.days (TOML spells the float that is not a number
/// `nan`; Rust's `{:?}` says `NaN`).
fn days_override(days: f64) -> config::Override {
    let text = if days.is_nan() {
        "nan".to_string()
    } else {
        format!("{days:?}")
    };
    config::Override::flag("--days", "run.days", &text)
}

/// A seed from the clock when none is configured (kept ≤ i64::MAX so TOML can hold it).
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut s = nanos ^ (std::process::id() as u64).rotate_left(32);
    seedsoil::rng::splitmix64(&mut s) >> 1
}
