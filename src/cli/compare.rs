//! `seedsoil compare`: every scenario of a compare file run over common seeds, the
//! tables, configs and manifest written, the summary printed.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use seedsoil::compare::manifest::CompareManifest;
use seedsoil::compare::{self, CompareSpec};
use seedsoil::error::RunError;
use seedsoil::output::{RunDir, manifest};

use super::progress::RunsBar;
use super::{CompareArgs, fresh_seed, print};

/// Runs `seedsoil compare`.
pub fn compare_cmd(args: CompareArgs) -> Result<()> {
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
    let progress = RunsBar::new(Some(total), 0, args.quiet).counting_failures();
    let on_done = |record: &compare::RunRecord| progress.done(record.completed());
    let records = compare::run_all(&spec, seed, usize::from(args.threads), &on_done)?;
    progress.finish();

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
    let m = CompareManifest::new(
        &spec,
        &args.file,
        seed,
        &records,
        threads,
        wall,
        super::command_line(),
    );
    dir.write("manifest.json", manifest::to_json(&m).as_bytes())?;

    if !args.quiet {
        print::comparison(&spec, &records, seed, wall, &dir);
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
            spec.scenarios[r.scenario].name,
            r.replicate,
            r.seed,
            r.error.as_deref().unwrap_or("")
        ));
    }
    Err(RunError::Other(message).into())
}
