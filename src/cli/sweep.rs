//! `seedsoil sweep` and `seedsoil collect`: a sweep folder set up (or reused), its runs
//! executed on a pool, their records merged, the manifest and the summary.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use seedsoil::error::RunError;
use seedsoil::output::manifest;
use seedsoil::output::write_atomic;
use seedsoil::sweep::manifest::SweepManifest;
use seedsoil::sweep::{self, Sweep, SweepSpec};

use super::progress::RunsBar;
use super::{CollectArgs, SweepArgs, array_task, bad_usage, batch_folder, batch_seed, print};

/// Runs `seedsoil sweep`.
pub fn sweep_cmd(args: SweepArgs) -> Result<()> {
    let started = Instant::now();
    let spec = SweepSpec::load(&args.file, args.replicates)?;
    let dir = batch_folder(args.output.as_ref(), &args.file, "sweep");
    let (shard, partial) = array_task(args.index, args.shard.as_deref())?;
    let seed = batch_seed(
        spec.seed.or_else(|| sweep::recorded_seed(&dir)),
        partial,
        "sweep",
        &args.file,
        &dir,
    )?;
    let sweep = Sweep::new(spec, seed);
    sweep::check_points(&sweep)?;
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
                sweep::folder::clear(&dir)?;
            }
            sweep::write_setup(&sweep, &dir)?;
        }
    }

    if args.plan {
        sweep::write_plan_file(&sweep, &dir)?;
        println!("{total}");
        return Ok(());
    }
    // Temporary record folders a killed process left (never a live one's).
    let stale = if args.resume {
        seedsoil::output::record::remove_stale(&dir.join("runs"))
    } else {
        0
    };

    let ids: Vec<u64> = match (args.index, shard) {
        (Some(i), _) => vec![i],
        (None, Some((k, n))) => sweep.shard(k, n),
        (None, None) => (0..total).collect(),
    };
    let todo = sweep::pending(&sweep, &dir, &ids);
    let progress = RunsBar::new(
        Some(ids.len() as u64),
        (ids.len() - todo.len()) as u64,
        args.quiet,
    )
    .counting_failures();
    let on_done = |outcome: &sweep::Outcome| progress.done(outcome.error.is_none());
    let outcomes = sweep::run_many(&sweep, &dir, &todo, usize::from(args.threads), &on_done)?;
    progress.finish();

    if partial {
        let failures: Vec<&sweep::Outcome> =
            outcomes.iter().filter(|o| o.error.is_some()).collect();
        if !args.quiet {
            print::task("runs", todo.len(), ids.len(), &dir);
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
    let m = SweepManifest::new(
        &sweep,
        &report,
        Some(threads),
        wall,
        &outcomes,
        super::command_line(),
    );
    write_atomic(&dir.join("manifest.json"), manifest::to_json(&m).as_bytes())?;
    if !args.quiet {
        print::stale(stale);
        let recorded = ids.len() - todo.len();
        print::sweep(
            &sweep,
            &report,
            (total, seed),
            (todo.len(), recorded),
            wall,
            &dir,
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
    if !report.invalid.is_empty() {
        if !message.is_empty() {
            message.push('\n');
        }
        let ids: Vec<String> = report.invalid.iter().map(|(i, _)| i.to_string()).collect();
        message.push_str(&format!(
            "{} runs have an invalid record (`seedsoil sweep --resume` runs them again; paths in {}): run ids {}",
            report.invalid.len(),
            dir.display(),
            ids.join(" ")
        ));
        for (i, e) in &report.invalid {
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

/// Runs `seedsoil collect`.
pub fn collect_cmd(args: CollectArgs) -> Result<()> {
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
    let stale = seedsoil::output::record::remove_stale(&args.dir.join("runs"));
    let report = sweep::merge(&sweep, &args.dir)?;
    let m = SweepManifest::new(
        &sweep,
        &report,
        None,
        started.elapsed().as_secs_f64(),
        &[],
        super::command_line(),
    );
    write_atomic(
        &args.dir.join("manifest.json"),
        manifest::to_json(&m).as_bytes(),
    )?;
    if !args.quiet {
        println!(
            "seedsoil {}: collected {} of {} runs ({} failed, {}{} missing) in {}",
            env!("CARGO_PKG_VERSION"),
            report.completed,
            sweep.run_count(),
            report.failed.len(),
            if report.invalid.is_empty() {
                String::new()
            } else {
                format!("{} invalid, ", report.invalid.len())
            },
            report.missing.len(),
            args.dir.display()
        );
        print::stale(stale);
    }
    merge_result(&report, &args.dir)
}
