//! Progress bars on stderr (indicatif), shown unless `--quiet` or stderr is not a
//! terminal: one bar style for every command ([`bar`]), a run's [`StepBar`] (the
//! [`Progress`] observer of the run driver) and the [`RunsBar`] of many runs.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seedsoil::run::Progress;
use seedsoil::sim::StopReason;

/// A bar counting `unit`s (`step`, `run`) up to `len` (`None`: set later), or `None`
/// when progress is not shown.
fn bar(len: Option<u64>, unit: &str, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let p = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let template = format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {unit} {{pos}}/{{len}} {{msg}} (eta {{eta}})"
    );
    p.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    Some(p)
}

/// The progress of one run: its steps and the primary's cells, every 24 steps. Notes
/// (a checkpoint the run stopped before) go to stderr unless quiet.
pub struct StepBar {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl StepBar {
    /// A bar for a run; none if `quiet`.
    pub fn new(quiet: bool) -> Self {
        StepBar { bar: None, quiet }
    }
}

impl Progress for StepBar {
    fn start(&mut self, max_steps: u64) {
        self.bar = bar(Some(max_steps), "step", self.quiet);
    }

    fn step(&mut self, step: u64, cells: u64, last: bool) {
        if let Some(p) = &self.bar
            && (step.is_multiple_of(24) || last)
        {
            p.set_position(step);
            p.set_message(format!("{cells} cells"));
        }
    }

    fn checkpoint_skipped(&mut self, day: f64, reason: StopReason, stopped_day: f64) {
        if self.quiet {
            return;
        }
        let note = || {
            eprintln!(
                "note: the run stopped ({}) on day {stopped_day} before checkpoint day {day}; not written",
                reason.as_str()
            );
        };
        match &self.bar {
            Some(p) => p.suspend(note),
            None => note(),
        }
    }

    fn finish(&mut self) {
        if let Some(p) = self.bar.take() {
            p.finish_and_clear();
        }
    }
}

/// The progress of many runs (compare, sweep, validate), updated from worker threads.
pub struct RunsBar {
    bar: Option<ProgressBar>,
    failed: AtomicU64,
}

impl RunsBar {
    /// A bar counting `len` runs (`None`: unknown), of which
    /// `done` are done already; none if `quiet`.
    pub fn new(len: Option<u64>, done: u64, quiet: bool) -> Self {
        let bar = bar(len, "run", quiet);
        if let Some(p) = &bar
            && done > 0
        {
            p.set_position(done);
            p.reset_eta();
        }
        RunsBar {
            bar,
            failed: AtomicU64::new(0),
        }
    }

    /// Shows the count of failed runs ([`RunsBar::done`]) as the message.
    pub fn counting_failures(self) -> Self {
        if let Some(p) = &self.bar {
            p.set_message("0 failed");
        }
        self
    }

    /// A run is done; it failed unless `ok`.
    pub fn done(&self, ok: bool) {
        if let Some(p) = &self.bar {
            if !ok {
                let k = self.failed.fetch_add(1, Ordering::Relaxed) + 1;
                p.set_message(format!("{k} failed"));
            }
            p.inc(1);
        }
    }

    /// A run is done; `message` is shown.
    pub fn done_with(&self, message: String) {
        if let Some(p) = &self.bar {
            p.set_message(message);
            p.inc(1);
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(p) = &self.bar {
            p.finish_and_clear();
        }
    }
}
