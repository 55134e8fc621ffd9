//! The run driver: one simulation from its config (or a checkpoint) to its tables, as
//! `seedsoil run` runs it and as every run of `compare`, `sweep` and `validate` is run.
//!
//! A [`Driver`] builds a [`Simulation`] from a config, or restores one from a
//! [`Checkpoint`], and attaches the [`Recorder`] ([`Driver::start`]); the started [`Run`]
//! goes to its stop condition, saving the checkpoints of its [`CheckpointSchedule`] on
//! the way, and finishes the tables ([`Run::complete`]): an [`Outcome`] with the
//! [`StopReason`]. With an output folder ([`Driver::output`]) the run writes
//! `config.toml`, its snapshots, checkpoints, the three tables ([`TABLE_FILES`]) and
//! `organs.csv` ([`ORGANS_FILE`], the summary's organs as a tidy table) there; without
//! one everything stays in memory. Progress goes to a [`Progress`]
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
//! assert!(events.ends_with(",stop,primary,,,days,reason\n"));
//! assert!(summary.starts_with("seed,stop_reason,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod progress;
pub mod schedule;

pub use error::{DriverError, panic_message};
pub use progress::Progress;
pub use schedule::{CheckpointSchedule, ScheduledCheckpoint};

use std::path::PathBuf;
use std::time::Instant;

use crate::checkpoint::{self, Checkpoint};
use crate::config::{Config, InitKind};
use crate::error::RunError;
use crate::output::{Recorder, RunDir, summary};
use crate::sim::{Simulation, StopReason};
use crate::units::hours_to_days;
use progress::Watched;

/// The files of a run's tables, in the order of [`Outcome::tables`].
pub const TABLE_FILES: [&str; 3] = ["timeseries.csv", "events.csv", "summary.csv"];

/// The tidy table of a run's organs ([`summary::organs`]), written beside [`TABLE_FILES`]
/// into an output folder: one row per organ, the values of the summary's per-organ
/// columns (the merges of `compare` and `sweep` make it from each run's summary,
/// [`summary::organs_from_summary`]).
pub const ORGANS_FILE: &str = "organs.csv";

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
            None if run_config.init.kind == InitKind::Checkpoint => {
                let cells = checkpoint::primary_cells(&run_config)?;
                Simulation::with_cells(&run_config, &cells).map_err(DriverError::Start)?
            }
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

    /// [`Driver::start`], then [`Run::complete`]: the whole run. A panic inside (a bug)
    /// is caught and returned as [`DriverError::Panicked`], so that the caller can record
    /// the failure.
    pub fn run(self, progress: &mut dyn Progress) -> Result<Outcome, DriverError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.start(progress)?.complete(progress)
        }))
        .unwrap_or_else(|payload| Err(DriverError::Panicked(panic_message(payload.as_ref()))))
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
            dir.write(ORGANS_FILE, summary::organs(&sim).as_bytes())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    /// A small, fast run: 4 days, one thread, a small lattice window.
    fn small(sets: &[&str]) -> Config {
        let mut all: Vec<String> = [
            "run.days=4",
            "run.seed=11",
            "run.threads=1",
            "space.max_size=300",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        all.extend(sets.iter().map(|s| s.to_string()));
        config::load(None, &all).unwrap()
    }

    /// Every call a run's progress observer receives.
    #[derive(Default)]
    struct Heard {
        start: Vec<u64>,
        steps: Vec<(u64, bool)>,
        skipped: Vec<(f64, StopReason)>,
        finished: usize,
    }

    impl Progress for Heard {
        fn start(&mut self, max_steps: u64) {
            self.start.push(max_steps);
        }
        fn step(&mut self, step: u64, _cells: u64, last: bool) {
            self.steps.push((step, last));
        }
        fn checkpoint_skipped(&mut self, day: f64, reason: StopReason, _stopped_day: f64) {
            self.skipped.push((day, reason));
        }
        fn finish(&mut self) {
            self.finished += 1;
        }
    }

    fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn a_run_in_memory_reports_every_step_once() {
        let cfg = small(&[]);
        let mut heard = Heard::default();
        let outcome = Driver::new(&cfg).run(&mut heard).unwrap();
        assert_eq!(outcome.reason, StopReason::Days);
        let max = outcome.sim.max_steps();
        assert_eq!(outcome.sim.step_count(), max);
        assert_eq!(heard.start, [max]);
        let expected: Vec<(u64, bool)> = (0..=max).map(|s| (s, s == max)).collect();
        assert_eq!(heard.steps, expected);
        assert_eq!(heard.finished, 1);
        assert!(heard.skipped.is_empty());
        assert!(outcome.snapshot_files.is_empty() && outcome.checkpoint_files.is_empty());
        // The same tables as the recorder driven by hand.
        let mut sim = Simulation::new(&cfg).unwrap();
        let mut recorder = Recorder::new(&sim, None);
        let reason = sim.run(&mut recorder);
        assert_eq!(reason, outcome.reason);
        assert_eq!(recorder.finish(&sim, reason).unwrap(), outcome.tables);
    }

    #[test]
    fn stop_reasons_are_typed() {
        let cells = Driver::new(&small(&["run.stop_at_cells=150"]))
            .run(&mut ())
            .unwrap();
        assert_eq!(cells.reason, StopReason::Cells);
        assert!(cells.sim.primary.total() >= 150);
        assert!(
            cells.tables[2]
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("11,stop_at_cells,")
        );
        let text = "[run]\ndays = 5\nseed = 11\nthreads = 1\n[fields]\nenabled = false\n\
                    [msc]\npool = 0\n[dissemination]\nenabled = false\n\
                    [[therapy]]\nkind = \"surgery\"\nstart_day = 1\nfraction = 1.0\n";
        let cfg = config::load_str(text, "test", &[]).unwrap();
        let extinct = Driver::new(&cfg).run(&mut ()).unwrap();
        assert_eq!(extinct.reason, StopReason::Extinct);
        assert_eq!(extinct.sim.primary.total(), 0);
        assert!(extinct.tables[1].ends_with(",stop,primary,,,extinct,reason\n"));
    }

    #[test]
    fn an_output_folder_gets_the_config_tables_and_checkpoints_and_a_resume_matches() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = small(&["run.days=6"]);
        let dir = RunDir::create(&tmp.path().join("full"), false).unwrap();
        let schedule = CheckpointSchedule::new(&[3.0, 1.5], &cfg, 0).unwrap();
        let full = Driver::new(&cfg)
            .threads(2)
            .output(dir.clone())
            .checkpoints(schedule)
            .run(&mut ())
            .unwrap();
        assert_eq!(
            full.checkpoint_files,
            ["checkpoints/day1.5.ckpt", "checkpoints/day3.ckpt"]
        );
        // The recorded config is the run's, without the threads of this run.
        assert_eq!(read(&dir.path, "config.toml"), cfg.to_toml().as_bytes());
        assert_eq!(full.sim.config().run.threads, 2);
        for (name, table) in TABLE_FILES.iter().zip(&full.tables) {
            assert_eq!(read(&dir.path, name), table.as_bytes(), "{name}");
        }

        // Resuming the day-3 checkpoint gives the uninterrupted run's tables.
        let ck = Checkpoint::read(&read(&dir.path, "checkpoints/day3.ckpt")).unwrap();
        assert_eq!(ck.config, cfg);
        let resumed_dir = RunDir::create(&tmp.path().join("resumed"), false).unwrap();
        let schedule = CheckpointSchedule::new(&[3.0], &cfg, ck.step()).unwrap();
        let resumed = Driver::new(&cfg)
            .resume(&ck)
            .output(resumed_dir.clone())
            .checkpoints(schedule)
            .run(&mut ())
            .unwrap();
        assert_eq!(resumed.tables, full.tables);
        assert_eq!(resumed.sim.step_count(), full.sim.step_count());
        // A checkpoint at the resumed step is the checkpoint resumed from.
        assert_eq!(
            read(&resumed_dir.path, "checkpoints/day3.ckpt"),
            read(&dir.path, "checkpoints/day3.ckpt")
        );
    }

    #[test]
    fn a_checkpoint_after_the_stop_is_skipped_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = small(&["run.stop_at_cells=150"]);
        let dir = RunDir::create(&tmp.path().join("run"), false).unwrap();
        let schedule = CheckpointSchedule::new(&[0.0, 4.0], &cfg, 0).unwrap();
        let mut heard = Heard::default();
        let outcome = Driver::new(&cfg)
            .output(dir.clone())
            .checkpoints(schedule)
            .run(&mut heard)
            .unwrap();
        assert_eq!(outcome.reason, StopReason::Cells);
        assert_eq!(outcome.checkpoint_files, ["checkpoints/day0.ckpt"]);
        assert_eq!(heard.skipped, [(4.0, StopReason::Cells)]);
        assert!(!dir.path.join("checkpoints/day4.ckpt").exists());
    }

    #[test]
    fn paused_runs_checkpoint_and_complete_like_uninterrupted_ones() {
        let cfg = small(&[]);
        let whole = Driver::new(&cfg).run(&mut ()).unwrap();
        let mut run = Driver::new(&cfg).start(&mut ()).unwrap();
        assert_eq!(run.run_until(30, &mut ()), None);
        assert_eq!(run.simulation().step_count(), 30);
        let ck = Checkpoint::read(&run.checkpoint()).unwrap();
        assert_eq!(ck.step(), 30);
        let finished = run.complete(&mut ()).unwrap();
        assert_eq!(finished.tables, whole.tables);
        let branched = Driver::new(&cfg).resume(&ck).run(&mut ()).unwrap();
        assert_eq!(branched.tables, whole.tables);
    }

    /// A progress observer that panics at a step: stands for any panic inside a run.
    struct PanicsAt(u64);

    impl Progress for PanicsAt {
        fn step(&mut self, step: u64, _cells: u64, _last: bool) {
            assert!(step < self.0, "planted panic at step {step}");
        }
    }

    #[test]
    fn a_panic_inside_a_run_is_returned_as_a_failure() {
        let cfg = small(&[]);
        let e = Driver::new(&cfg).run(&mut PanicsAt(5)).unwrap_err();
        assert!(matches!(e, DriverError::Panicked(_)), "{e}");
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("planted panic at step 5"), "{e}");
    }

    #[test]
    fn failures_are_typed() {
        let cfg = small(&[]);
        // Checkpoints need a folder.
        let schedule = CheckpointSchedule::new(&[1.0], &cfg, 0).unwrap();
        let e = Driver::new(&cfg)
            .checkpoints(schedule)
            .run(&mut ())
            .unwrap_err();
        assert!(matches!(e, DriverError::Output(RunError::Other(_))), "{e}");
        assert_eq!(e.exit_code(), 1);
        // A structural change cannot restore a checkpoint.
        let mut run = Driver::new(&cfg).start(&mut ()).unwrap();
        run.run_until(10, &mut ());
        let ck = Checkpoint::read(&run.checkpoint()).unwrap();
        let e = Driver::new(&small(&["space.dims=3"]))
            .resume(&ck)
            .run(&mut ())
            .unwrap_err();
        assert!(
            matches!(
                e,
                DriverError::Restore(checkpoint::CheckpointError::Structural(_))
            ),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("space.dims"), "{e}");
        // An unwritable output folder.
        let tmp = tempfile::tempdir().unwrap();
        let dir = RunDir::create(&tmp.path().join("gone"), false).unwrap();
        std::fs::remove_dir(&dir.path).unwrap();
        std::fs::write(&dir.path, "a file, not a folder").unwrap();
        let e = Driver::new(&cfg).output(dir).run(&mut ()).unwrap_err();
        assert!(
            matches!(e, DriverError::Output(RunError::Output { .. })),
            "{e}"
        );
    }
}
