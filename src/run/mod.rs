//! The run driver: one simulation from its config (or a checkpoint) to its tables, as
//! `seedsoil run` runs it and as every run of `compare`, `sweep` and `validate` is run.
//!
//! A [`Driver`] builds a [`Simulation`] from a config, or restores one from a
//! [`Checkpoint`], and attaches the [`Recorder`] ([`Driver::start`]); the started [`Run`]
//! goes to its stop condition, saving the checkpoints of its [`CheckpointSchedule`] on
//! the way, and finishes the tables ([`Run::complete`]): an [`Outcome`] with the
//! [`StopReason`]. With an output folder ([`Driver::output`]) the run writes
//! `config.toml`, its snapshots, checkpoints and the three tables ([`TABLE_FILES`])
//! there; without one everything stays in memory. Progress goes to a [`Progress`]
//! observer (the command line draws it as a bar; `()` ignores it). The run's
//! `manifest.json` is [`crate::output::manifest`]'s.
//!
//! - [`schedule`]: the checkpoint days of a run, checked against its config.
//! - [`progress`]: the progress observer.
//! - [`error`]: why a run failed ([`DriverError`]).
//!
//! ```
//! use seedsoil::config;
//! use seedsoil::run::Driver;
//! use seedsoil::sim::StopReason;
//!
//! let config = config::load(None, &["run.days=10".into(), "run.seed=7".into()])?;
//! let outcome = Driver::new(&config).threads(1).run(&mut ())?;
//! assert_eq!(outcome.reason, StopReason::Days);
//! let [timeseries, events, summary] = &outcome.tables;
//! assert!(timeseries.starts_with("step,time_h,"));
//! assert!(events.ends_with(",stop,primary,,,days\n"));
//! assert!(summary.starts_with("seed,stop_reason,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod progress;
pub mod schedule;

pub use error::DriverError;
pub use progress::Progress;
pub use schedule::{CheckpointSchedule, ScheduledCheckpoint};

use std::path::PathBuf;
use std::time::Instant;

use crate::checkpoint::{self, Checkpoint};
use crate::config::Config;
use crate::error::RunError;
use crate::model::units::hours_to_days;
use crate::output::{Recorder, RunDir};
use crate::sim::{Simulation, StopReason};
use progress::Watched;

/// The files of a run's tables, in the order of [`Outcome::tables`].
pub const TABLE_FILES: [&str; 3] = ["timeseries.csv", "events.csv", "summary.csv"];

/// How to run one simulation: its config, where it starts, where its outputs go.
#[derive(Debug)]
pub struct Driver<'a> {
    config: &'a Config,
    threads: Option<usize>,
    resume: Option<&'a Checkpoint>,
    dir: Option<RunDir>,
    checkpoints: CheckpointSchedule,
}

impl<'a> Driver<'a> {
    /// A run of `config` (`run.seed` set: [`Simulation::new`]), from day 0, with no
    /// output folder and no checkpoints. `config` is the run's config as recorded: in
    /// `config.toml` and in its checkpoints.
    pub fn new(config: &'a Config) -> Self {
        Driver {
            config,
            threads: None,
            resume: None,
            dir: None,
            checkpoints: CheckpointSchedule::default(),
        }
    }

    /// Worker threads for this run only (0 = all cores): replaces `run.threads` in the
    /// simulation, not in the recorded config. Outputs do not depend on it.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Start from `checkpoint` instead of day 0: its state and tables so far, restored
    /// with the run's config (which must keep its structural keys,
    /// [`crate::checkpoint::STRUCTURAL_KEYS`]).
    pub fn resume(mut self, checkpoint: &'a Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// Write `config.toml`, the snapshots, the checkpoints and the tables into `dir`.
    pub fn output(mut self, dir: RunDir) -> Self {
        self.dir = Some(dir);
        self
    }

    /// Save the whole state at the steps of `schedule` into the output folder, as
    /// [`CheckpointSchedule::file`] (a run with checkpoints needs an output folder).
    pub fn checkpoints(mut self, schedule: CheckpointSchedule) -> Self {
        self.checkpoints = schedule;
        self
    }

    /// Writes `config.toml` (with an output folder), builds or restores the simulation,
    /// tells `progress` its length and attaches the recorder.
    pub fn start(self, progress: &mut dyn Progress) -> Result<Run, DriverError> {
        let started = Instant::now();
        if !self.checkpoints.is_empty() && self.dir.is_none() {
            return Err(RunError::Other(
                "checkpoints are saved into the run's output folder, and it has none".into(),
            )
            .into());
        }
        if let Some(dir) = &self.dir {
            dir.write("config.toml", self.config.to_toml().as_bytes())?;
        }
        let mut run_config = self.config.clone();
        if let Some(threads) = self.threads {
            run_config.run.threads = threads;
        }
        let sim = match self.resume {
            None => Simulation::new(&run_config).map_err(DriverError::Start)?,
            Some(ck) => ck.restore(&run_config)?,
        };
        progress.start(sim.max_steps());
        let recorder = match self.resume {
            None => Recorder::new(&sim, self.dir.clone()),
            Some(ck) => ck.restore_recorder(&sim, self.dir.clone())?,
        };
        Ok(Run {
            sim,
            recorder,
            config: self.config.clone(),
            dir: self.dir,
            checkpoints: self.checkpoints,
            started,
        })
    }

    /// [`Driver::start`], then [`Run::complete`]: the whole run.
    pub fn run(self, progress: &mut dyn Progress) -> Result<Outcome, DriverError> {
        self.start(progress)?.complete(progress)
    }
}

/// A started run: the simulation and its recorder.
#[derive(Debug)]
pub struct Run {
    sim: Simulation,
    recorder: Recorder,
    /// The config as recorded (stored in checkpoints).
    config: Config,
    dir: Option<RunDir>,
    checkpoints: CheckpointSchedule,
    started: Instant,
}

impl Run {
    /// The simulation as it is now.
    pub fn simulation(&self) -> &Simulation {
        &self.sim
    }

    /// Runs until step `step` has been recorded and pauses there (`None`), or returns the
    /// stop reason if the run ends first ([`Simulation::run_until`]). Pausing never
    /// changes what is recorded.
    pub fn run_until(&mut self, step: u64, progress: &mut dyn Progress) -> Option<StopReason> {
        let mut observer = Watched {
            recorder: &mut self.recorder,
            progress,
        };
        self.sim.run_until(&mut observer, step)
    }

    /// The checkpoint of the run now (simulation and tables so far, with the recorded
    /// config): the bytes of a checkpoint file ([`crate::checkpoint`]).
    pub fn checkpoint(&self) -> Vec<u8> {
        checkpoint::save_with_config(&self.sim, &self.recorder, &self.config)
    }

    /// Runs to the stop condition, saving the scheduled checkpoints it reaches (a
    /// checkpoint the run stops before is not written: `progress` hears of it), then
    /// finishes the tables and writes them into the output folder. A run that has
    /// already stopped is only finished.
    pub fn complete(mut self, progress: &mut dyn Progress) -> Result<Outcome, DriverError> {
        let schedule = std::mem::take(&mut self.checkpoints);
        let mut checkpoint_files = Vec::new();
        let mut stopped = None;
        for c in schedule.entries() {
            stopped = self.run_until(c.step, progress);
            // Paused at the step, or the run ended exactly there: save either way.
            if self.sim.step_count() == c.step
                && let Some(dir) = &self.dir
            {
                let file = CheckpointSchedule::file(c.day);
                dir.write(&file, &self.checkpoint())?;
                checkpoint_files.push(file);
            }
            if let Some(reason) = stopped {
                if self.sim.step_count() < c.step {
                    progress.checkpoint_skipped(c.day, reason, hours_to_days(self.sim.time_h()));
                }
                break;
            }
        }
        let reason = match stopped {
            Some(reason) => reason,
            None => self.sim.run(&mut Watched {
                recorder: &mut self.recorder,
                progress,
            }),
        };
        progress.finish();
        let Run {
            sim,
            mut recorder,
            dir,
            started,
            ..
        } = self;
        let snapshot_files = std::mem::take(&mut recorder.snapshot_files);
        let tables = recorder.finish(&sim, reason)?;
        if let Some(dir) = &dir {
            for (name, table) in TABLE_FILES.iter().zip(&tables) {
                dir.write(name, table.as_bytes())?;
            }
        }
        Ok(Outcome {
            sim,
            reason,
            tables,
            snapshot_files,
            checkpoint_files,
            wall_time_s: started.elapsed().as_secs_f64(),
        })
    }
}

/// A completed run.
#[derive(Debug)]
pub struct Outcome {
    /// The simulation as it ended.
    pub sim: Simulation,
    /// Why it stopped.
    pub reason: StopReason,
    /// The text of `timeseries.csv`, `events.csv` and `summary.csv` ([`TABLE_FILES`]),
    /// with headers.
    pub tables: [String; 3],
    /// The snapshot files written (with an output folder).
    pub snapshot_files: Vec<PathBuf>,
    /// The checkpoint files written, relative to the output folder
    /// ([`CheckpointSchedule::file`]), in step order.
    pub checkpoint_files: Vec<String>,
    /// Wall time from [`Driver::start`] to the end, in seconds (not deterministic).
    pub wall_time_s: f64,
}
