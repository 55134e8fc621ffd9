//! Command-line interface (docs/architecture.md §6). Exit codes: 0 success, 1 a run
//! failed, 2 bad usage or invalid config.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seedsoil::checkpoint::{self, Checkpoint, CheckpointError};
use seedsoil::config::{self, Config, ParamsFormat};
use seedsoil::error::{ConfigError, Problem, RunError};
use seedsoil::model::units::{days_to_steps, hours_to_days, step_of_day, steps_to_days};
use seedsoil::output::{Recorder, RunDir};
use seedsoil::sim::{Simulation, StopReason};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Run a parameter sweep (grid, zip or Latin hypercube), one record per run, then
    /// merge the records into tables.
    Sweep(SweepArgs),
    /// Merge the per-run records of a sweep folder into its tables (after sharded or
    /// job-array runs); lists missing and failed runs.
    Collect(CollectArgs),
    /// Draw a run folder's snapshots as PNGs (lattice, IL6, CXCL7 per day) plus numbered
    /// frames and an animated GIF of the growth on one canvas.
    Render(RenderArgs),
    /// Run the validation suite: every published outcome and calibration target as a
    /// named check with its source, scenarios, statistic, acceptance rule and power.
    Validate(crate::validate_cmd::ValidateArgs),
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
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    scale: u32,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct SweepArgs {
    /// The sweep file (TOML): base, seed, replicates, design, [[axis]] ...
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
    #[arg(long, value_name = "R")]
    replicates: Option<u32>,
    /// Worker threads across runs, 0 = all cores; each simulation uses one. Outputs do not
    /// depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024))]
    threads: u16,
    /// Validate, write DIR/sweep.toml, DIR/base.toml and DIR/plan.csv, print the number
    /// of runs, run nothing.
    #[arg(long, conflicts_with_all = ["index", "shard"])]
    plan: bool,
    /// Run only run I (0-based) into the folder, skipping it if its record is complete;
    /// no merge (run `seedsoil collect DIR` afterwards).
    #[arg(long, value_name = "I", conflicts_with = "shard")]
    index: Option<u64>,
    /// Run the runs with run_id % N == K (K in 0..N); no merge.
    #[arg(long, value_name = "K/N")]
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
struct CompareArgs {
    /// The compare file (TOML): base, replicates, seed, control, [scenario.<name>] ...
    file: PathBuf,
    /// Output folder (default: runs/compare-<file stem>, suffixed -2, -3, ... if taken;
    /// with --force the default folder itself is overwritten).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite an existing output folder.
    #[arg(long)]
    force: bool,
    /// Replicates per scenario (overrides the file's `replicates`).
    #[arg(long, value_name = "R")]
    replicates: Option<u32>,
    /// Worker threads across runs, 0 = all cores; each simulation uses one. Outputs do not
    /// depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024))]
    threads: u16,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// Config file (TOML); the embedded default (configs/baseline.toml) if omitted.
    config: Option<PathBuf>,
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
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads, 0 = all cores (overrides run.threads for this run only; outputs,
    /// including the written config.toml, do not depend on it).
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=1024))]
    threads: Option<u16>,
    /// Simulated days (run.days).
    #[arg(long, allow_negative_numbers = true)]
    days: Option<f64>,
    /// Stop when the primary tumour holds this many cells (run.stop_at_cells).
    #[arg(long, value_name = "N")]
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
    if let Some(v) = e.downcast_ref::<seedsoil::error::ValidateError>() {
        return v.exit_code();
    }
    1
}

/// Parse arguments and run the command.
pub fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run_cmd(args),
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
        Command::Compare(args) => compare_cmd(args),
        Command::Sweep(args) => sweep_cmd(args),
        Command::Collect(args) => collect_cmd(args),
        Command::Render(args) => render_cmd(args),
        Command::Validate(args) => crate::validate_cmd::validate_cmd(args),
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

/// The files a sweep writes in its output folder besides `runs/`.
const SWEEP_FILES: [&str; 7] = [
    "sweep.toml",
    "base.toml",
    "plan.csv",
    "runs.csv",
    "summary.csv",
    "timeseries.csv",
    "manifest.json",
];

fn bad_usage(key: &str, value: impl Into<String>, allowed: impl Into<String>) -> anyhow::Error {
    ConfigError::Invalid(vec![Problem::new(key, value, allowed)]).into()
}

fn sweep_cmd(args: SweepArgs) -> Result<()> {
    use seedsoil::sweep::{self, Sweep, SweepSpec};
    let started = Instant::now();
    let spec = SweepSpec::load(&args.file, args.replicates)?;
    let dir = match &args.output {
        Some(p) => p.clone(),
        None => {
            let stem = args
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".to_string());
            PathBuf::from("runs").join(format!("sweep-{stem}"))
        }
    };
    let shard = match &args.shard {
        None => None,
        Some(text) => {
            let parsed = text
                .split_once('/')
                .and_then(|(k, n)| {
                    Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?))
                })
                .filter(|&(k, n)| n >= 1 && k < n);
            match parsed {
                Some(kn) => Some(kn),
                None => {
                    return Err(bad_usage(
                        "--shard",
                        format!("\"{text}\""),
                        "expected K/N with integers N ≥ 1 and 0 ≤ K < N, e.g. --shard 0/4",
                    ));
                }
            }
        }
    };
    let partial = args.index.is_some() || shard.is_some();
    // The seed: the file's (or its base's), else the one recorded in the folder, else a
    // fresh one (not for partial runs: every process must agree on it).
    let seed = match spec.seed.or_else(|| sweep::recorded_seed(&dir)) {
        Some(s) => s,
        None if partial => {
            return Err(bad_usage(
                "seed",
                "(missing)",
                format!(
                    "--index and --shard need the sweep seed: give `seed` in {} or run --plan -o {} first",
                    args.file.display(),
                    dir.display()
                ),
            ));
        }
        None => fresh_seed(),
    };
    let sweep = Sweep::new(spec, seed);
    let total = sweep.run_count();
    if let Some(i) = args.index
        && i >= total
    {
        return Err(bad_usage(
            "--index",
            i.to_string(),
            format!("allowed integer 0 ≤ value < {total} (the sweep has {total} runs)"),
        ));
    }
    let different = || {
        bad_usage(
            "--output",
            format!("\"{}\"", dir.display()),
            "the folder holds a different sweep (its sweep.toml or base.toml differ); choose another folder or pass --force",
        )
    };
    let exists = dir.exists();
    match sweep::same_setup(&sweep, &dir) {
        Some(false) if partial || args.resume => return Err(different()),
        Some(true) if partial || args.resume => {}
        _ if exists && !partial && !args.resume && !args.force => {
            return Err(RunError::Exists(dir.clone()).into());
        }
        _ => {
            if exists && args.force {
                let runs = dir.join("runs");
                if runs.is_dir() {
                    std::fs::remove_dir_all(&runs).map_err(|source| RunError::Output {
                        path: runs.clone(),
                        source,
                    })?;
                }
                for name in SWEEP_FILES {
                    let _ = std::fs::remove_file(dir.join(name));
                }
            }
            sweep::write_setup(&sweep, &dir)?;
        }
    }

    if args.plan {
        let base = std::path::absolute(dir.join("base.toml")).unwrap_or(dir.join("base.toml"));
        let mut bytes = Vec::new();
        sweep::write_plan(&sweep, &base, &mut bytes).context("cannot format plan.csv")?;
        seedsoil::output::write_atomic(&dir.join("plan.csv"), &bytes)?;
        println!("{total}");
        return Ok(());
    }

    let ids: Vec<u64> = match (args.index, shard) {
        (Some(i), _) => vec![i],
        (None, Some((k, n))) => sweep.shard(k, n),
        (None, None) => (0..total).collect(),
    };
    let todo = sweep::pending(&sweep, &dir, &ids);
    let progress = if !args.quiet && std::io::stderr().is_terminal() {
        let p = ProgressBar::with_draw_target(Some(ids.len() as u64), ProgressDrawTarget::stderr());
        p.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} run {pos}/{len} {msg} (eta {eta})",
            )
            .expect("valid template"),
        );
        p.set_position((ids.len() - todo.len()) as u64);
        p.reset_eta();
        p.set_message("0 failed");
        Some(p)
    } else {
        None
    };
    let failed = std::sync::atomic::AtomicU64::new(0);
    let on_done = |outcome: &sweep::Outcome| {
        if let Some(p) = &progress {
            if outcome.error.is_some() {
                let k = failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                p.set_message(format!("{k} failed"));
            }
            p.inc(1);
        }
    };
    let outcomes = sweep::run_many(&sweep, &dir, &todo, usize::from(args.threads), &on_done)?;
    if let Some(p) = &progress {
        p.finish_and_clear();
    }

    if partial {
        let failures: Vec<&sweep::Outcome> =
            outcomes.iter().filter(|o| o.error.is_some()).collect();
        if !args.quiet {
            println!(
                "seedsoil {}: ran {} of {} selected runs ({} already recorded) into {}",
                env!("CARGO_PKG_VERSION"),
                todo.len(),
                ids.len(),
                ids.len() - todo.len(),
                dir.display()
            );
        }
        if failures.is_empty() {
            return Ok(());
        }
        let mut message = format!("{} runs failed:", failures.len());
        for o in failures {
            message.push_str(&format!(
                "\n  run {} (point {}, replicate {}, seed {}): {}",
                o.run.run_id,
                o.run.point,
                o.run.replicate,
                o.run.seed,
                o.error.as_deref().unwrap_or("")
            ));
        }
        return Err(RunError::Other(message).into());
    }

    let report = sweep::merge(&sweep, &dir)?;
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        usize::from(args.threads)
    };
    let wall = started.elapsed().as_secs_f64();
    write_sweep_manifest(&sweep, &dir, &report, Some(threads), wall, &outcomes)?;
    if !args.quiet {
        println!(
            "seedsoil {}: sweep of {} points x {} replicates = {total} runs (seed {seed}, design {})",
            env!("CARGO_PKG_VERSION"),
            sweep.points.len(),
            sweep.spec.replicates,
            sweep.spec.design.as_str()
        );
        println!(
            "  {} completed, {} failed; {} run now, {} already recorded",
            report.completed,
            report.failed.len(),
            todo.len(),
            ids.len() - todo.len()
        );
        println!("  wall time {wall:.2} s");
        println!("  outputs in {}:", dir.display());
        println!(
            "    runs.csv summary.csv{} runs/ sweep.toml base.toml manifest.json",
            if sweep.spec.outputs >= sweep::Outputs::Timeseries {
                " timeseries.csv"
            } else {
                ""
            }
        );
    }
    merge_result(&report, &dir)
}

/// Exit status of a merge: an error (exit 1) listing failed and missing runs.
fn merge_result(report: &seedsoil::sweep::MergeReport, dir: &Path) -> Result<()> {
    if report.all_completed() {
        return Ok(());
    }
    let mut message = String::new();
    if !report.failed.is_empty() {
        let ids: Vec<String> = report.failed.iter().map(|(i, _)| i.to_string()).collect();
        message.push_str(&format!(
            "{} runs failed (see {}): run ids {}",
            report.failed.len(),
            dir.join("runs.csv").display(),
            ids.join(" ")
        ));
        for (i, e) in &report.failed {
            message.push_str(&format!("\n  run {i}: {e}"));
        }
    }
    if !report.missing.is_empty() {
        if !message.is_empty() {
            message.push('\n');
        }
        let ids: Vec<String> = report.missing.iter().map(|i| i.to_string()).collect();
        message.push_str(&format!(
            "{} runs missing (not yet run): run ids {}",
            report.missing.len(),
            ids.join(" ")
        ));
    }
    Err(RunError::Other(message).into())
}

/// `manifest.json` of a sweep folder.
fn write_sweep_manifest(
    sweep: &seedsoil::sweep::Sweep,
    dir: &Path,
    report: &seedsoil::sweep::MergeReport,
    threads: Option<usize>,
    wall: f64,
    outcomes: &[seedsoil::sweep::Outcome],
) -> Result<()> {
    let manifest = serde_json::json!({
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
        "crates": crate_versions().into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect::<serde_json::Map<_, _>>(),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "sweep_file": sweep.spec.file.display().to_string(),
        "base": sweep.spec.base.as_ref().map(|p| p.display().to_string()),
        "seed": sweep.seed,
        "run_seeds": "seed of run i: seedsoil::sweep::run_seed(seed, i); listed in runs.csv",
        "design": sweep.spec.design.as_str(),
        "points": sweep.points.len(),
        "replicates": sweep.spec.replicates,
        "runs": sweep.run_count(),
        "params": sweep.params(),
        "outputs": sweep.spec.outputs.as_str(),
        "threads": threads,
        "wall_time_s": wall,
        "runs_executed_now": outcomes.len(),
        "completed": report.completed,
        "failed_runs": report.failed.iter().map(|(i, e)| serde_json::json!({"run_id": i, "error": e})).collect::<Vec<_>>(),
        "missing_runs": report.missing,
        "files": ["sweep.toml", "base.toml", "runs/", "runs.csv", "summary.csv", "timeseries.csv (outputs = timeseries or all)", "manifest.json"],
        "deterministic_note": "every merged table is identical for the same sweep and seed, whatever the thread count or the split into shards",
    });
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    seedsoil::output::write_atomic(&dir.join("manifest.json"), text.as_bytes())?;
    Ok(())
}

fn collect_cmd(args: CollectArgs) -> Result<()> {
    use seedsoil::sweep::{self, Sweep};
    let started = Instant::now();
    let file = args.dir.join("sweep.toml");
    if !file.is_file() {
        return Err(bad_usage(
            "DIR",
            format!("\"{}\"", args.dir.display()),
            "not a sweep folder: it holds no sweep.toml (written by seedsoil sweep, also with --plan)",
        ));
    }
    let sweep = Sweep::load_resolved(&file)?;
    let report = sweep::merge(&sweep, &args.dir)?;
    write_sweep_manifest(
        &sweep,
        &args.dir,
        &report,
        None,
        started.elapsed().as_secs_f64(),
        &[],
    )?;
    if !args.quiet {
        println!(
            "seedsoil {}: collected {} of {} runs ({} failed, {} missing) in {}",
            env!("CARGO_PKG_VERSION"),
            report.completed,
            sweep.run_count(),
            report.failed.len(),
            report.missing.len(),
            args.dir.display()
        );
    }
    merge_result(&report, &args.dir)
}

fn compare_cmd(args: CompareArgs) -> Result<()> {
    use seedsoil::compare::{self, CompareSpec};
    let started = Instant::now();
    let spec = CompareSpec::load(&args.file, args.replicates)?;
    let seed = spec.seed.unwrap_or_else(fresh_seed);
    let dir = match &args.output {
        Some(p) => RunDir::create(p, args.force)?,
        None => {
            let stem = args
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenarios".to_string());
            let default = PathBuf::from("runs").join(format!("compare-{stem}"));
            if args.force {
                RunDir::create(&default, true)?
            } else {
                RunDir::fresh(&default)?
            }
        }
    };
    // A forced re-run replaces the scenario configs of the earlier one.
    let configs = dir.path.join("configs");
    if configs.is_dir() {
        std::fs::remove_dir_all(&configs).map_err(|source| RunError::Output {
            path: configs.clone(),
            source,
        })?;
    }
    let total = spec.scenarios.len() as u64 * u64::from(spec.replicates);
    let progress = if !args.quiet && std::io::stderr().is_terminal() {
        let p = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        p.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} run {pos}/{len} {msg} (eta {eta})",
            )
            .expect("valid template"),
        );
        p.set_message("0 failed");
        Some(p)
    } else {
        None
    };
    let failed = std::sync::atomic::AtomicU64::new(0);
    let on_done = |record: &compare::RunRecord| {
        if let Some(p) = &progress {
            if !record.completed() {
                let k = failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                p.set_message(format!("{k} failed"));
            }
            p.inc(1);
        }
    };
    let records = compare::run_all(&spec, seed, usize::from(args.threads), &on_done)?;
    if let Some(p) = &progress {
        p.finish_and_clear();
    }

    let tables = compare::tables(&spec, &records).context("cannot format the tables")?;
    for (name, bytes) in &tables {
        dir.write(name, bytes)?;
    }
    for scenario in &spec.scenarios {
        if let Ok(cfg) = &scenario.config {
            dir.write(
                &format!("configs/{}.toml", scenario.name),
                cfg.to_toml().as_bytes(),
            )?;
        }
    }
    let failures: Vec<&compare::RunRecord> = records.iter().filter(|r| !r.completed()).collect();
    let wall = started.elapsed().as_secs_f64();
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        usize::from(args.threads)
    };
    let name = |r: &compare::RunRecord| spec.scenarios[r.scenario].name.clone();
    let manifest = serde_json::json!({
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
        "crates": crate_versions().into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect::<serde_json::Map<_, _>>(),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "compare_file": args.file.display().to_string(),
        "base": spec.base.as_ref().map(|p| p.display().to_string()),
        "seed": seed,
        "replicates": spec.replicates,
        "replicate_seeds": (0..spec.replicates).map(|r| compare::replicate_seed(seed, r)).collect::<Vec<_>>(),
        "control": spec.control().name,
        "branch_at_day": spec.branch_at_day,
        "scenarios": spec.scenarios.iter().map(|s| serde_json::json!({
            "name": s.name,
            "description": s.description,
            "include": s.include.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "set": s.set.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>(),
            "config": s.config.as_ref().ok().map(|_| format!("configs/{}.toml", s.name)),
            "config_error": s.config.as_ref().err().map(|e| e.to_string()),
        })).collect::<Vec<_>>(),
        "threads": threads,
        "wall_time_s": wall,
        "runs": records.len(),
        "failed_runs": failures.iter().map(|r| serde_json::json!({
            "scenario": name(r),
            "replicate": r.replicate,
            "seed": r.seed,
            "error": r.error,
        })).collect::<Vec<_>>(),
        "run_wall_time_s": records.iter().map(|r| r.wall_time_s).collect::<Vec<_>>(),
        "files": ["runs.csv", "timeseries.csv", "events.csv", "summary.csv", "comparison.csv", "time_to_event.csv", "configs/", "manifest.json"],
        "deterministic_note": "every file but manifest.json is identical for the same compare file and seed, whatever the thread count",
    });
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    dir.write("manifest.json", text.as_bytes())?;

    if !args.quiet {
        print_comparison(&spec, &records, seed, wall, &dir);
    }
    if failures.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "{} of {} runs failed (see {}):",
        failures.len(),
        records.len(),
        dir.path.join("runs.csv").display()
    );
    for r in &failures {
        message.push_str(&format!(
            "\n  {} replicate {} (seed {}): {}",
            name(r),
            r.replicate,
            r.seed,
            r.error.as_deref().unwrap_or("")
        ));
    }
    Err(RunError::Other(message).into())
}

/// The one-screen summary of a comparison.
fn print_comparison(
    spec: &seedsoil::compare::CompareSpec,
    records: &[seedsoil::compare::RunRecord],
    seed: u64,
    wall: f64,
    dir: &RunDir,
) {
    let rows = seedsoil::compare::comparison(spec, records);
    let get = |scenario: &str, endpoint: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.endpoint == endpoint)
    };
    let fmt = |x: Option<f64>, digits: usize| {
        x.map(|x| format!("{x:.digits$}"))
            .unwrap_or_else(|| "-".to_string())
    };
    println!(
        "seedsoil {}: compared {} scenarios x {} replicates (seed {seed}), control {}",
        env!("CARGO_PKG_VERSION"),
        spec.scenarios.len(),
        spec.replicates,
        spec.control().name
    );
    println!(
        "  {:<20} {:>9} {:>14} {:>12} {:>14}",
        "scenario", "completed", "median cells", "median CSC", "P(metastasis)"
    );
    for (i, s) in spec.scenarios.iter().enumerate() {
        let done = records
            .iter()
            .filter(|r| r.scenario == i && r.completed())
            .count();
        let cells = get(&s.name, "total").and_then(|r| r.median);
        let csc = get(&s.name, "csc_fraction").and_then(|r| r.median);
        let met = get(&s.name, "any_metastasis_detected").and_then(|r| r.mean);
        println!(
            "  {:<20} {:>9} {:>14} {:>12} {:>14}",
            s.name,
            format!("{done}/{}", spec.replicates),
            fmt(cells, 0),
            fmt(csc.map(|x| 100.0 * x), 2).to_string() + if csc.is_some() { " %" } else { "" },
            fmt(met, 2)
        );
    }
    println!("  wall time {wall:.2} s");
    println!("  outputs in {}:", dir.path.display());
    println!(
        "    comparison.csv runs.csv timeseries.csv events.csv summary.csv time_to_event.csv configs/ manifest.json"
    );
}

fn load(args: &ConfigArgs, extra: &[String]) -> Result<Config> {
    let mut sets = args.sets.clone();
    sets.extend_from_slice(extra);
    Ok(config::load(args.config.as_deref(), &sets)?)
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

fn run_cmd(args: RunArgs) -> Result<()> {
    let started = Instant::now();
    // Command-line flags become overrides, so they are validated like the file.
    let mut extra = Vec::new();
    if let Some(s) = args.seed {
        extra.push(format!("run.seed={s}"));
    }
    if let Some(d) = args.days {
        extra.push(format!("run.days={d:?}"));
    }
    if let Some(n) = args.stop_at_cells {
        extra.push(format!("run.stop_at_cells={n}"));
    }
    let resume = match &args.from {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
                path: path.clone(),
                source,
            })?;
            let ck = Checkpoint::read(&bytes)
                .with_context(|| format!("cannot resume from {}", path.display()))?;
            Some((path.clone(), ck))
        }
    };
    let mut cfg = match &resume {
        None => load(&args.config, &extra)?,
        Some((path, ck)) => {
            // The stored resolved config, with the overrides, validated like any config.
            let mut sets = args.config.sets.clone();
            sets.extend(extra);
            let origin = format!("the config stored in {}", path.display());
            let cfg = config::load_str(ck.config_toml(), &origin, &sets)?;
            ck.check_config(&cfg)
                .with_context(|| format!("cannot resume from {}", path.display()))?;
            cfg
        }
    };
    if cfg.run.seed.is_none() {
        cfg.run.seed = Some(fresh_seed());
    }
    let start_step = resume.as_ref().map_or(0, |(_, ck)| ck.step());
    let checkpoints = checkpoint_steps(&args.checkpoint_at, &cfg, start_step)?;
    let seed = cfg.run.seed.unwrap_or_default();
    let name = match &resume {
        Some((path, _)) => format!(
            "resume-{}",
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        None => args
            .config
            .config
            .as_deref()
            .and_then(Path::file_stem)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "baseline".to_string()),
    };
    let dir = match &args.output {
        Some(p) => RunDir::create(p, args.force)?,
        None => RunDir::fresh(&PathBuf::from("runs").join(format!("{name}-seed{seed}")))?,
    };
    let mut run_cfg = cfg.clone();
    if let Some(t) = args.threads {
        run_cfg.run.threads = t as usize;
    }
    let start = resume.as_ref().map(|(_, ck)| ck);
    let outcome = execute(
        &dir,
        &cfg,
        &run_cfg,
        start,
        &checkpoints,
        args.quiet,
        started,
    );
    let (sim, reason, snapshot_files, wall) = match outcome {
        Ok(done) => done,
        Err(e) => {
            // A failed run leaves a record of what happened, not a silent half-folder.
            let record = serde_json::json!({
                "seedsoil_version": env!("CARGO_PKG_VERSION"),
                "seed": seed,
                "command_line": std::env::args().collect::<Vec<_>>(),
                "status": "failed",
                "error": format!("{e:#}"),
                "wall_time_s": started.elapsed().as_secs_f64(),
            });
            let text = serde_json::to_string_pretty(&record).expect("record serialises") + "\n";
            let _ = dir.write("manifest.json", text.as_bytes());
            return Err(e);
        }
    };

    if !args.quiet {
        let [csc, prog, diff] = sim.primary.counts();
        let total = csc + prog + diff;
        let frac = if total > 0 {
            100.0 * csc as f64 / total as f64
        } else {
            0.0
        };
        println!(
            "seedsoil {}: run finished ({})",
            env!("CARGO_PKG_VERSION"),
            reason.as_str()
        );
        println!(
            "  simulated {:.1} days ({} steps of {} h), seed {}",
            hours_to_days(sim.time_h()),
            sim.step_count(),
            cfg.run.dt_h,
            seed
        );
        println!("  primary tumour: {total} cells");
        println!("    cancer stem cells      {csc:>12}  ({frac:.2} %)");
        println!("    progenitors (rho > 0)  {prog:>12}");
        println!("    differentiated         {diff:>12}");
        let kappa = cfg.run.cells_per_agent;
        if kappa != 1.0 {
            println!(
                "  scale: one primary agent stands for {kappa} cells (run.cells_per_agent): the primary above is {:.3e} cells;\n    tumour-derived factor, IL6 seen by the bone marrow and cells shed x {kappa}; CTCs, DTCs, colonies, HPCs and MSCs count single cells",
                total as f64 * kappa
            );
        }
        let e = sim.primary.events();
        println!(
            "  events: {} births, {} deaths, {} migrations, {} dedifferentiations",
            e.births, e.deaths, e.migrations, e.dedifferentiations
        );
        if let Some(cy) = &sim.cytokines {
            let (il6, cx) = (cy.stats(0), cy.stats(1));
            println!(
                "  cytokines (ng/mL, mean over the tumour / max): IL6 {:.3} / {:.3}, CXCL7 {:.3} / {:.3}",
                il6.tumour_mean, il6.max, cx.tumour_mean, cx.max
            );
        }
        if sim.config().msc.any() {
            let [pos, neg] = sim.mscs.counts();
            let pool: u64 = sim.mscs.pool().iter().sum();
            let m = sim.mscs.events();
            println!(
                "  MSCs: {} in the tumour ({pos} ALDH+, {neg} ALDH-), {pool} in the bone marrow; {} homed, {} injected",
                pos + neg,
                m.homed,
                m.injected
            );
        }
        match &sim.metastasis {
            None => println!("  metastases: not simulated (dissemination.enabled = false)"),
            Some(m) => print_metastases(m, cfg.run.dt_h),
        }
        if let Some((path, ck)) = &resume {
            println!(
                "  resumed from {} (day {}, step {})",
                path.display(),
                ck.day(),
                ck.step()
            );
        }
        println!("  wall time {wall:.2} s");
        println!("  outputs in {}:", dir.path.display());
        println!("    config.toml timeseries.csv events.csv summary.csv manifest.json");
        if !snapshot_files.is_empty() {
            println!("    snapshots/ ({} files)", snapshot_files.len());
        }
        let written: Vec<String> = checkpoints
            .iter()
            .filter(|c| c.0 <= sim.step_count())
            .map(|c| checkpoint_file(c.1))
            .collect();
        if !written.is_empty() {
            println!("    {}", written.join(" "));
        }
    }
    Ok(())
}

/// The metastasis lines of the run summary.
fn print_metastases(m: &seedsoil::metastasis::Metastasis, dt_h: f64) {
    let c = m.cascade();
    let shed: u64 = c.intravasated.iter().sum();
    println!(
        "  dissemination: {shed} cells shed, {} arrested, {} extravasated; {} colonies founded ({} by CSCs), {} micrometastases, {} detected",
        c.arrested,
        c.extravasated,
        c.csc_colonies + c.non_stem_colonies,
        c.csc_colonies,
        c.micrometastases,
        c.detected
    );
    match m.first_detection_step() {
        Some(s) => println!(
            "  first detected metastasis on day {:.1}",
            steps_to_days(s, dt_h)
        ),
        None => println!("  no metastasis detected"),
    }
    println!("    organ      cells  colonies  detected  dormant   HPCs  niche formed");
    for (i, o) in m.organs.iter().enumerate() {
        let niche = o
            .niche_formed_step
            .map(|s| format!("day {:.1}", steps_to_days(s, dt_h)))
            .unwrap_or_else(|| "no".to_string());
        println!(
            "    {:<8} {:>7} {:>9} {:>9} {:>8} {:>6}  {niche} (level {:.2})",
            o.name,
            o.metastatic_cells(),
            o.living_colonies,
            o.detected,
            o.dormant,
            o.hpcs,
            m.niche_level(i)
        );
    }
}

/// The steps (and days) of `--checkpoint-at` values, sorted and deduplicated; each must
/// lie on a step between the start (`start_step`, after a resume) and `run.days`.
fn checkpoint_steps(days: &[f64], cfg: &Config, start_step: u64) -> Result<Vec<(u64, f64)>> {
    let dt = cfg.run.dt_h;
    let start_day = steps_to_days(start_step, dt);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for &day in days {
        let steps = days_to_steps(day, dt);
        let on_step = (steps - steps.round()).abs() <= 1e-9 * steps.abs().max(1.0);
        if !day.is_finite() || day < start_day || day > cfg.run.days || !on_step {
            let from = if start_step > 0 {
                format!("the checkpoint's day {start_day}")
            } else {
                "0".to_string()
            };
            problems.push(Problem::new(
                "--checkpoint-at",
                format!("{day}"),
                format!(
                    "allowed {from} ≤ DAY ≤ run.days = {} with DAY × 24 / run.dt_h a whole \
                     number of steps (run.dt_h = {dt} h)",
                    cfg.run.days
                ),
            ));
            continue;
        }
        out.push((steps.round() as u64, day));
    }
    if !problems.is_empty() {
        return Err(ConfigError::Invalid(problems).into());
    }
    let max_steps = step_of_day(cfg.run.days, dt);
    if start_step > max_steps {
        return Err(ConfigError::Invalid(vec![Problem::new(
            "run.days",
            format!("{}", cfg.run.days),
            format!("allowed ≥ {start_day} (the checkpoint's day) when resuming"),
        )])
        .into());
    }
    out.sort_by_key(|c| c.0);
    out.dedup_by_key(|c| c.0);
    Ok(out)
}

/// Path of a checkpoint file in the run folder.
fn checkpoint_file(day: f64) -> String {
    format!("checkpoints/day{day}.ckpt")
}

/// The part of a run that can fail once its folder exists: simulate and write the outputs.
fn execute(
    dir: &RunDir,
    cfg: &Config,
    run_cfg: &Config,
    start: Option<&Checkpoint>,
    checkpoints: &[(u64, f64)],
    quiet: bool,
    started: Instant,
) -> Result<(Simulation, StopReason, Vec<PathBuf>, f64)> {
    dir.write("config.toml", cfg.to_toml().as_bytes())?;

    let mut sim = match start {
        None => Simulation::new(run_cfg).context("cannot start the simulation")?,
        Some(ck) => ck.restore(run_cfg)?,
    };
    let progress = if !quiet && std::io::stderr().is_terminal() {
        let p = ProgressBar::with_draw_target(Some(sim.max_steps()), ProgressDrawTarget::stderr());
        p.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} step {pos}/{len} {msg} (eta {eta})",
            )
            .expect("valid template"),
        );
        Some(p)
    } else {
        None
    };
    let mut recorder = match start {
        None => Recorder::new(&sim, Some(dir.clone()), progress),
        Some(ck) => ck.restore_recorder(&sim, Some(dir.clone()), progress)?,
    };
    let mut stopped = None;
    for &(step, day) in checkpoints {
        stopped = sim.run_until(&mut recorder, step);
        // Paused at the step, or the run ended exactly there: save either way.
        if sim.step_count() == step {
            let bytes = checkpoint::save_with_config(&sim, &recorder, cfg);
            dir.write(&checkpoint_file(day), &bytes)?;
        }
        if let Some(reason) = stopped {
            if sim.step_count() < step && !quiet {
                eprintln!(
                    "note: the run stopped ({}) on day {} before checkpoint day {day}; not written",
                    reason.as_str(),
                    hours_to_days(sim.time_h())
                );
            }
            break;
        }
    }
    let reason = match stopped {
        Some(reason) => reason,
        None => sim.run(&mut recorder),
    };
    let snapshot_files = recorder.snapshot_files.clone();
    let [timeseries, events, summary] = recorder.finish(&sim, reason)?;
    dir.write("timeseries.csv", timeseries.as_bytes())?;
    dir.write("events.csv", events.as_bytes())?;
    dir.write("summary.csv", summary.as_bytes())?;
    let wall = started.elapsed().as_secs_f64();
    let manifest = manifest_json(run_cfg, &sim, reason.as_str(), wall);
    dir.write("manifest.json", manifest.as_bytes())?;
    Ok((sim, reason, snapshot_files, wall))
}

/// Crate versions that shape the numbers, read from the embedded Cargo.lock.
fn crate_versions() -> Vec<(String, String)> {
    let lock = include_str!("../Cargo.lock");
    let wanted = [
        "rand",
        "rand_core",
        "rand_distr",
        "rand_xoshiro",
        "rayon",
        "serde",
        "toml",
        "csv",
        "png",
    ];
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ")
            && let Some(n) = name.take()
            && wanted.contains(&n.as_str())
        {
            out.push((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

fn manifest_json(cfg: &Config, sim: &Simulation, reason: &str, wall: f64) -> String {
    let crates: serde_json::Map<String, serde_json::Value> = crate_versions()
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let threads = if cfg.run.threads == 0 {
        rayon::current_num_threads()
    } else {
        cfg.run.threads
    };
    let v = serde_json::json!({
        "seedsoil_version": env!("CARGO_PKG_VERSION"),
        "crates": crates,
        "seed": sim.seed(),
        "threads": threads,
        "wall_time_s": wall,
        "command_line": std::env::args().collect::<Vec<_>>(),
        "status": "completed",
        "stop_reason": reason,
        "steps": sim.step_count(),
        "cells_per_agent": cfg.run.cells_per_agent,
        "cells_per_agent_note": "real cells one agent of the primary stands for (run.cells_per_agent): the primary's counts are agents; its systemic outputs (tumour-derived factor, IL6 seen by the bone marrow, cells shed) are x cells_per_agent; CTC, DTC, colony, HPC and MSC counts are single cells",
        "files": ["config.toml", "timeseries.csv", "events.csv", "summary.csv", "manifest.json"],
        "deterministic_note": "every file but manifest.json is identical for the same config and seed, whatever the thread count",
    });
    serde_json::to_string_pretty(&v).expect("manifest serialises") + "\n"
}
