//! `seedsoil compare`: the output folder checked (fresh, `--resume`, `--force`) and marked
//! running, every scenario × replicate run into its own record, the records merged into
//! the tables, the manifest finished, the summary printed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use seedsoil::compare::manifest::{CompareManifest, Status};
use seedsoil::compare::{self, CompareSpec, folder, record};
use seedsoil::error::RunError;
use seedsoil::output::{RunDir, manifest, write_atomic};

use super::progress::RunsBar;
use super::{CompareArgs, array_task, bad_usage, batch_seed, fresh_seed, print};

/// The output folder: `-o`, else `runs/compare-<file stem>` (suffixed `-2`, `-3`, … if
/// taken, unless `--force` or `--resume` asks for that folder itself).
fn output_dir(args: &CompareArgs) -> PathBuf {
    if let Some(p) = &args.output {
        return p.clone();
    }
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenarios".to_string());
    let base = PathBuf::from("runs").join(format!("compare-{stem}"));
    if args.force || args.resume || args.plan || args.index.is_some() || args.shard.is_some() {
        return base;
    }
    let mut candidate = base.clone();
    let mut k = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    candidate
}

/// Runs `seedsoil compare`.
pub fn compare_cmd(args: CompareArgs) -> Result<()> {
    let started = Instant::now();
    let mut overrides = seedsoil::config::Override::sets(&args.sets);
    overrides.extend(args.days.map(super::days_override));
    let spec = CompareSpec::load_with(&args.file, args.replicates, &overrides)?;
    let dir = output_dir(&args);
    if args.plan || args.index.is_some() || args.shard.is_some() {
        return array_step(&args, &spec, &dir);
    }
    let occupied = !folder::is_empty(&dir);
    if occupied && !args.force && !args.resume {
        let state = match folder::status(&dir).as_deref() {
            Some("running") => "its comparison did not finish: manifest.json says running",
            Some("failed") => "its comparison failed",
            Some(_) => "it holds a finished comparison",
            None => "it is not empty",
        };
        return Err(RunError::Occupied {
            path: dir,
            state: state.to_string(),
        }
        .into());
    }
    let seed = match args.resume {
        true => spec.seed.or_else(|| folder::recorded_seed(&dir)),
        false => spec.seed,
    }
    .unwrap_or_else(fresh_seed);
    // Start afresh (deleting any earlier comparison), or reuse the folder's records.
    let fresh = !args.resume
        || match folder::recorded(&dir) {
            Some(stored) => {
                if let Some(difference) = folder::difference(&stored, &spec, seed) {
                    return Err(bad_usage(
                        "--resume",
                        format!("\"{}\"", dir.display()),
                        format!(
                            "the folder holds a different comparison ({difference}); choose another folder or pass --force"
                        ),
                    ));
                }
                false
            }
            None if !occupied || folder::status(&dir).as_deref() == Some("running") => true,
            None => {
                return Err(bad_usage(
                    "--resume",
                    format!("\"{}\"", dir.display()),
                    "not a comparison folder that --resume can reuse (it holds no compare.toml); choose another folder or pass --force",
                ));
            }
        };
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        usize::from(args.threads)
    };
    let command_line = super::command_line();
    // The folder is marked running before anything else is written or deleted.
    let mut m = CompareManifest::new(
        &spec,
        &args.file,
        seed,
        &[],
        threads,
        0.0,
        command_line.clone(),
    );
    // A new folder appears with this manifest inside; an existing one gets it first and
    // then (starting afresh) loses the earlier comparison's files.
    let owned: &[&str] = if fresh { &folder::OWNED } else { &[] };
    RunDir::claim(&dir, true, manifest::to_json(&m).as_bytes(), owned)?;
    let outcome = run_into(&spec, seed, &dir, fresh, &args, &mut m);
    m.wall_time_s = started.elapsed().as_secs_f64();
    let (records, failures) = match outcome {
        Ok(done) => done,
        Err(e) => {
            m.status = Status::Failed;
            m.error = Some(format!("{e:#}"));
            // The error itself matters more than a manifest that cannot be written.
            let _ = write_manifest(&dir, &m);
            return Err(e);
        }
    };
    m.status = match failures {
        None => Status::Completed,
        Some(_) => Status::Failed,
    };
    m.error = failures.clone();
    write_manifest(&dir, &m)?;
    if !args.quiet {
        let dir = RunDir { path: dir.clone() };
        print::comparison(&spec, &records, seed, m.wall_time_s, &dir);
    }
    match failures {
        None => Ok(()),
        Some(message) => Err(RunError::Other(message).into()),
    }
}

/// One step of a comparison run as a job array: `--plan` (set up the folder, write
/// `plan.csv`, print the number of runs) or a task (`--index`, `--shard`: run the selected
/// runs without a record into their records). `--resume` merges afterwards.
fn array_step(args: &CompareArgs, spec: &CompareSpec, dir: &Path) -> Result<()> {
    let (shard, partial) = array_task(args.index, args.shard.as_deref())?;
    let seed = batch_seed(
        spec.seed.or_else(|| folder::recorded_seed(dir)),
        partial,
        "comparison",
        &args.file,
        dir,
    )?;
    let different = |difference: String| {
        bad_usage(
            "--output",
            format!("\"{}\"", dir.display()),
            format!(
                "the folder holds a different comparison ({difference}); choose another folder or pass --force to --plan"
            ),
        )
    };
    let stored = folder::recorded(dir);
    if let Some(stored) = &stored
        && !args.force
        && let Some(difference) = folder::difference(stored, spec, seed)
    {
        return Err(different(difference));
    }
    let total = compare::jobs(spec).len();
    if args.plan {
        let fresh = args.force || stored.is_none();
        if fresh && !args.force && !folder::is_empty(dir) {
            return Err(RunError::Occupied {
                path: dir.to_path_buf(),
                state: "it is not empty and holds no comparison".to_string(),
            }
            .into());
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let m = CompareManifest::new(
            spec,
            &args.file,
            seed,
            &[],
            threads,
            0.0,
            super::command_line(),
        );
        let owned: &[&str] = if fresh { &folder::OWNED } else { &[] };
        RunDir::claim(dir, true, manifest::to_json(&m).as_bytes(), owned)?;
        folder::write_setup(spec, seed, dir)?;
        folder::write_plan(spec, seed, dir)?;
        println!("{total}");
        return Ok(());
    }
    if stored.is_none() {
        return Err(bad_usage(
            "--output",
            format!("\"{}\"", dir.display()),
            format!(
                "no comparison there: run `seedsoil compare {} -o {} --plan` first",
                args.file.display(),
                dir.display()
            ),
        ));
    }
    let selected: Vec<(usize, u32)> = match (args.index, shard) {
        (Some(i), _) => match compare::jobs(spec).get(i as usize) {
            Some(&job) => vec![job],
            None => {
                return Err(bad_usage(
                    "--index",
                    i.to_string(),
                    format!(
                        "allowed integer 0 ≤ value < {total} (the comparison has {total} runs)"
                    ),
                ));
            }
        },
        // A task without --index has a shard.
        (None, shard) => {
            let (k, n) = shard.unwrap_or((0, 1));
            compare::shard(spec, k, n)
        }
    };
    let pending = compare::pending(spec, seed, dir);
    let todo: Vec<(usize, u32)> = selected
        .iter()
        .copied()
        .filter(|j| pending.contains(j))
        .collect();
    let progress = RunsBar::new(
        Some(selected.len() as u64),
        (selected.len() - todo.len()) as u64,
        args.quiet,
    )
    .counting_failures();
    let on_done = |run: &compare::RunRecord| progress.done(run.completed());
    let executed =
        compare::run_pending(spec, seed, dir, &todo, usize::from(args.threads), &on_done)?;
    progress.finish();
    let mut problems = Vec::new();
    for e in &executed {
        let name = &spec.scenarios[e.run.scenario].name;
        if let Err(err) = &e.written {
            problems.push(format!(
                "\n  {name} replicate {}: cannot write its record: {err}",
                e.run.replicate
            ));
        } else if let Some(error) = &e.run.error {
            problems.push(format!(
                "\n  {name} replicate {} (seed {}): {error}",
                e.run.replicate, e.run.seed
            ));
        }
    }
    if !args.quiet {
        print::task("runs", todo.len(), selected.len(), dir);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RunError::Other(format!(
            "{} runs failed:{}",
            problems.len(),
            problems.concat()
        ))
        .into())
    }
}

fn write_manifest(dir: &Path, m: &CompareManifest) -> Result<(), RunError> {
    write_atomic(&dir.join("manifest.json"), manifest::to_json(m).as_bytes())
}

/// Everything after the folder is marked running (and, if `fresh`, cleared of an earlier
/// comparison): the setup written, the runs without a record run into records, the
/// records merged into the tables. Fills `m` from the records. Returns the records and,
/// if runs failed, the message listing them; an error when a record or table could not
/// be written.
fn run_into(
    spec: &CompareSpec,
    seed: u64,
    dir: &Path,
    fresh: bool,
    args: &CompareArgs,
    m: &mut CompareManifest,
) -> Result<(Vec<compare::RunRecord>, Option<String>)> {
    if !fresh {
        // Temporary record folders a killed process left (never a live one's).
        for scenario in &spec.scenarios {
            seedsoil::output::record::remove_stale(&record::runs_dir(dir).join(&scenario.name));
        }
    }
    folder::write_setup(spec, seed, dir)?;

    let todo = compare::pending(spec, seed, dir);
    let total = compare::jobs(spec).len() as u64;
    let progress =
        RunsBar::new(Some(total), total - todo.len() as u64, args.quiet).counting_failures();
    let on_done = |run: &compare::RunRecord| progress.done(run.completed());
    let executed =
        compare::run_pending(spec, seed, dir, &todo, usize::from(args.threads), &on_done)?;
    progress.finish();
    let unwritten: Vec<String> = executed
        .into_iter()
        .filter_map(|e| {
            let run = e.run;
            e.written.err().map(|err| {
                format!(
                    "\n  {} replicate {}: {:#}",
                    spec.scenarios[run.scenario].name,
                    run.replicate,
                    anyhow::Error::from(err)
                )
            })
        })
        .collect();
    m.runs_executed_now = todo.len();
    if !unwritten.is_empty() {
        return Err(RunError::Other(format!(
            "cannot write the records of {} of {} runs (the others are recorded: fix the cause and pass --resume):{}",
            unwritten.len(),
            todo.len(),
            unwritten.concat()
        ))
        .into());
    }

    let records = match compare::collect(spec, seed, dir) {
        Ok(records) => records,
        Err(missing) => {
            let list: Vec<String> = missing
                .iter()
                .map(|&(s, r)| format!("{} replicate {r}", spec.scenarios[s].name))
                .collect();
            return Err(RunError::Other(format!(
                "{} runs have no complete record in {}: {}",
                missing.len(),
                record::runs_dir(dir).display(),
                list.join(", ")
            ))
            .into());
        }
    };
    let executed_now = m.runs_executed_now;
    *m = CompareManifest::new(
        spec,
        &args.file,
        seed,
        &records,
        m.threads,
        0.0,
        m.command_line.clone(),
    );
    m.runs_executed_now = executed_now;
    let tables = compare::tables(spec, &records).context("cannot format the tables")?;
    for (name, bytes) in &tables {
        write_atomic(&dir.join(name), bytes)?;
    }

    let failures: Vec<&compare::RunRecord> = records.iter().filter(|r| !r.completed()).collect();
    if failures.is_empty() {
        return Ok((records, None));
    }
    let mut message = format!(
        "{} of {} runs failed (see {}):",
        failures.len(),
        records.len(),
        dir.join("runs.csv").display()
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
    Ok((records, Some(message)))
}
