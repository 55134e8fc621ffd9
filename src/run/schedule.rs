//! The checkpoint schedule of a run: the days at which the whole state is saved, each on
//! a step between the run's start and `run.days`.

use crate::config::Config;
use crate::error::{ConfigError, Problem};
use crate::units::{days_to_steps, step_of_day, steps_to_days};

/// One scheduled checkpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledCheckpoint {
    /// The step at whose start the state is saved (after the observers recorded it).
    pub step: u64,
    /// The day as given (its file is named after it: [`CheckpointSchedule::file`]).
    pub day: f64,
}

/// The checkpoints of a run, sorted by step, one per step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckpointSchedule {
    entries: Vec<ScheduledCheckpoint>,
}

impl CheckpointSchedule {
    /// The schedule of `days` (as `seedsoil run --checkpoint-at` gives them) for a run of
    /// `config` starting at `start_step` (0, or the step of the checkpoint it resumes):
    /// sorted, one checkpoint per step. Every day must be finite, lie on a step of
    /// `run.dt_h` and between the start and `run.days`; every day that does not is a
    /// problem of the returned error (named `--checkpoint-at`). A start after `run.days`
    /// is an error too (a resumed run must not end before its checkpoint).
    pub fn new(days: &[f64], config: &Config, start_step: u64) -> Result<Self, ConfigError> {
        let dt = config.run.dt_h;
        let start_day = steps_to_days(start_step, dt);
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for &day in days {
            let steps = days_to_steps(day, dt);
            let on_step = (steps - steps.round()).abs() <= 1e-9 * steps.abs().max(1.0);
            if !day.is_finite() || day < start_day || day > config.run.days || !on_step {
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
                        config.run.days
                    ),
                ));
                continue;
            }
            entries.push(ScheduledCheckpoint {
                step: steps.round() as u64,
                day,
            });
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        let max_steps = step_of_day(config.run.days, dt);
        if start_step > max_steps {
            return Err(ConfigError::Invalid(vec![Problem::new(
                "run.days",
                format!("{}", config.run.days),
                format!("allowed ≥ {start_day} (the checkpoint's day) when resuming"),
            )]));
        }
        entries.sort_by_key(|c| c.step);
        entries.dedup_by_key(|c| c.step);
        Ok(CheckpointSchedule { entries })
    }

    /// The checkpoints, sorted by step.
    pub fn entries(&self) -> &[ScheduledCheckpoint] {
        &self.entries
    }

    /// Whether no checkpoint is scheduled.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file of the checkpoint of `day`, relative to the run folder:
    /// `checkpoints/day<DAY>.ckpt`.
    pub fn file(day: f64) -> String {
        // `+ 0.0` turns a day of -0 into 0: `day0.ckpt`, not `day-0.ckpt`.
        format!("checkpoints/day{}.ckpt", day + 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default config, 30 days in steps of 1 h.
    fn config() -> Config {
        crate::config::load(None, &["run.days=30".into()]).unwrap()
    }

    fn steps(schedule: &CheckpointSchedule) -> Vec<(u64, f64)> {
        schedule.entries().iter().map(|c| (c.step, c.day)).collect()
    }

    #[test]
    fn days_become_sorted_unique_steps() {
        let cfg = config();
        let dt = cfg.run.dt_h;
        let s = CheckpointSchedule::new(&[20.0, 5.0, 0.0, 30.0, 5.0], &cfg, 0).unwrap();
        let per_day = (24.0 / dt) as u64;
        assert_eq!(
            steps(&s),
            vec![
                (0, 0.0),
                (5 * per_day, 5.0),
                (20 * per_day, 20.0),
                (30 * per_day, 30.0)
            ]
        );
        assert!(!s.is_empty());
        assert!(CheckpointSchedule::new(&[], &cfg, 0).unwrap().is_empty());
        assert_eq!(CheckpointSchedule::file(15.0), "checkpoints/day15.ckpt");
        assert_eq!(CheckpointSchedule::file(2.5), "checkpoints/day2.5.ckpt");
    }

    #[test]
    fn every_bad_day_is_a_problem() {
        let cfg = config();
        let err =
            CheckpointSchedule::new(&[-1.0, 31.0, f64::NAN, 10.0, 1e-5], &cfg, 0).unwrap_err();
        let problems = err.problems();
        let values: Vec<&str> = problems.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(values, ["-1", "31", "NaN", "0.00001"]);
        assert!(problems.iter().all(|p| p.key == "--checkpoint-at"));
        assert!(
            problems[0]
                .allowed
                .starts_with("allowed 0 ≤ DAY ≤ run.days = 30 with DAY × 24 / run.dt_h"),
            "{}",
            problems[0].allowed
        );
    }

    #[test]
    fn a_resumed_run_checkpoints_from_its_start_and_ends_after_it() {
        let cfg = config();
        let start = step_of_day(10.0, cfg.run.dt_h);
        let s = CheckpointSchedule::new(&[10.0, 12.0], &cfg, start).unwrap();
        assert_eq!(s.entries()[0].step, start);
        let err = CheckpointSchedule::new(&[9.0], &cfg, start).unwrap_err();
        assert!(
            err.problems()[0]
                .allowed
                .starts_with("allowed the checkpoint's day 10 ≤ DAY"),
            "{err}"
        );
        let err = CheckpointSchedule::new(&[], &cfg, step_of_day(31.0, cfg.run.dt_h)).unwrap_err();
        assert_eq!(err.problems()[0].key, "run.days");
        assert_eq!(
            err.problems()[0].allowed,
            "allowed ≥ 31 (the checkpoint's day) when resuming"
        );
    }
}
