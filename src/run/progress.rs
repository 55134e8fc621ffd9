//! How a run reports its progress: the [`Progress`] observer. The library draws nothing;
//! the command line turns these calls into a progress bar.

use crate::output::Recorder;
use crate::sim::{Observer, Simulation, StopReason};

/// Receives the progress of a run driven by [`crate::run::Driver`]. Every method does
/// nothing by default; `()` observes nothing.
pub trait Progress: Send {
    /// The simulation is built (or restored) and lasts at most `max_steps` steps.
    fn start(&mut self, max_steps: u64) {
        let _ = max_steps;
    }

    /// Step `step` has been recorded; the primary tumour holds `cells` agents. `last`:
    /// the run ends at this step.
    fn step(&mut self, step: u64, cells: u64, last: bool) {
        let _ = (step, cells, last);
    }

    /// The run stopped (`reason`) on day `stopped_day`, before the checkpoint of `day`,
    /// which is therefore not written.
    fn checkpoint_skipped(&mut self, day: f64, reason: StopReason, stopped_day: f64) {
        let _ = (day, reason, stopped_day);
    }

    /// The run has ended; its tables are being finished.
    fn finish(&mut self) {}
}

/// Observes nothing.
impl Progress for () {}

/// The observer of a driven run: the recorder, then the progress.
pub(crate) struct Watched<'a> {
    /// Records the tables and snapshots.
    pub recorder: &'a mut Recorder,
    /// Hears of each step.
    pub progress: &'a mut dyn Progress,
}

impl Observer for Watched<'_> {
    fn observe(&mut self, sim: &Simulation, last: bool) {
        self.recorder.observe(sim, last);
        self.progress
            .step(sim.step_count(), sim.primary.total(), last);
    }
}
