//! `seedsoil run`: the config (or a checkpoint) and the flags → the run driver → the run
//! folder, its manifest and the summary.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use seedsoil::checkpoint::Checkpoint;
use seedsoil::config;
use seedsoil::output::manifest::{self, FailedRunManifest, RunManifest, RunningManifest};
use seedsoil::output::{RUN_FILES, RunDir};
use seedsoil::run::{CheckpointSchedule, Driver};

use super::progress::StepBar;
use super::{RunArgs, command_line, days_override, fresh_seed, load, print};

/// The name of a run's default folder: the config files' stems joined with `+`
/// (`baseline+chemo` for `baseline.toml therapies/chemo.toml`), `baseline` without a file.
fn run_name(files: &[PathBuf]) -> String {
    let stems: Vec<String> = files
        .iter()
        .filter_map(|f| Path::file_stem(f))
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if stems.is_empty() {
        "baseline".to_string()
    } else {
        stems.join("+")
    }
}

/// Runs `seedsoil run`.
pub fn run_cmd(args: RunArgs) -> Result<()> {
    let started = Instant::now();
    // Command-line flags become overrides, so they are validated like the file.
    let mut extra = Vec::new();
    if let Some(s) = args.seed {
        extra.push(config::Override::flag("--seed", "run.seed", &s.to_string()));
    }
    if let Some(d) = args.days {
        extra.push(days_override(d));
    }
    if let Some(n) = args.stop_at_cells {
        extra.push(config::Override::flag(
            "--stop-at-cells",
            "run.stop_at_cells",
            &n.to_string(),
        ));
    }
    let resume = match &args.from {
        None => None,
        Some(path) => {
            let ck = Checkpoint::read_file(path)
                .with_context(|| format!("cannot resume from {}", path.display()))?;
            Some((path.clone(), ck))
        }
    };
    let mut cfg = match &resume {
        None => load(&args.config, &extra)?,
        Some((path, ck)) => {
            // The stored resolved config, with the overrides, validated like any config.
            let mut sets = config::Override::sets(&args.config.sets);
            sets.extend(extra);
            let origin = format!("the config stored in {}", path.display());
            let cfg = config::load_str_with(ck.config_toml(), &origin, &sets)?;
            ck.check_config(&cfg)
                .with_context(|| format!("cannot resume from {}", path.display()))?;
            cfg
        }
    };
    if cfg.run.seed.is_none() {
        cfg.run.seed = Some(fresh_seed());
    }
    let start_step = resume.as_ref().map_or(0, |(_, ck)| ck.step());
    let checkpoints = CheckpointSchedule::new(&args.checkpoint_at, &cfg, start_step)?;
    let seed = cfg.run.seed.unwrap_or_default();
    let name = match &resume {
        Some((path, _)) => format!(
            "resume-{}",
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        None => run_name(&args.config.config),
    };
    let command_line = command_line();
    // The folder says it holds an unfinished run before anything of an earlier run goes.
    let running = RunningManifest::new(seed, command_line.clone());
    let (path, force) = match &args.output {
        Some(p) => (p.clone(), args.force),
        None => {
            let base = PathBuf::from("runs").join(format!("{name}-seed{seed}"));
            (RunDir::fresh_path(&base), false)
        }
    };
    let dir = RunDir::claim(
        &path,
        force,
        manifest::to_json(&running).as_bytes(),
        &RUN_FILES,
    )?;
    let mut driver = Driver::new(&cfg)
        .output(dir.clone())
        .checkpoints(checkpoints);
    if let Some(t) = args.threads {
        driver = driver.threads(usize::from(t));
    }
    if let Some((_, ck)) = &resume {
        driver = driver.resume(ck);
    }
    let result = driver
        .run(&mut StepBar::new(args.quiet))
        .map_err(anyhow::Error::from)
        .and_then(|outcome| {
            let wall = started.elapsed().as_secs_f64();
            let m =
                RunManifest::completed(&outcome.sim, outcome.reason, wall, command_line.clone());
            dir.write("manifest.json", manifest::to_json(&m).as_bytes())?;
            Ok((outcome, wall))
        });
    let (outcome, wall) = match result {
        Ok(done) => done,
        Err(e) => {
            // A failed run leaves a record of what happened, not a silent half-folder.
            let wall = started.elapsed().as_secs_f64();
            let m = FailedRunManifest::new(seed, format!("{e:#}"), wall, command_line);
            let _ = dir.write("manifest.json", manifest::to_json(&m).as_bytes());
            return Err(e);
        }
    };
    if !args.quiet {
        let resumed = resume.as_ref().map(|(path, ck)| (path.as_path(), ck));
        print::run(&cfg, seed, &outcome, resumed, wall, &dir);
    }
    Ok(())
}
