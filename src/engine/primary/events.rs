//! The cumulative event counts of a primary tumour or a colony ([`EventCounts`]).

use crate::persist::{CodecError, Persist, Reader, Writer};

/// Cumulative counts of cell events in the primary tumour.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EventCounts {
    /// Cells born by division (daughters).
    pub births: u64,
    /// Cells that died (at division, background, CSC death).
    pub deaths: u64,
    /// Migrations.
    pub migrations: u64,
    /// Non-stem cells that turned into CSCs.
    pub dedifferentiations: u64,
    /// CSC divisions that gave a CSC daughter.
    pub symmetric_divisions: u64,
    /// Number of times the lattice window grew.
    pub growths: u64,
    /// Turns taken by listed cells (work done by the engine; a diagnostic).
    pub turns: u64,
    /// Cells removed from the lattice by [`Primary::remove_cell`] (intravasation): with
    /// births and deaths they balance the population, `Δtotal = births − deaths − removed`.
    ///
    /// [`Primary::remove_cell`]: crate::engine::Primary::remove_cell
    pub removed: u64,
    /// Cells killed by radiation ([`Primary::kill_in_place`]) or removed by surgery
    /// ([`Primary::kill_cell`]): the full balance is
    /// `Δtotal = births − deaths − removed − therapy_killed`.
    ///
    /// [`Primary::kill_in_place`]: crate::engine::Primary::kill_in_place
    /// [`Primary::kill_cell`]: crate::engine::Primary::kill_cell
    pub therapy_killed: u64,
    /// Deaths by chemotherapy (included in `deaths`).
    pub chemo_deaths: u64,
    /// CSCs that lost stemness (became `Progenitor(ρmax)`).
    pub stemness_losses: u64,
}

impl EventCounts {
    /// Add another set of counts to these.
    pub fn add(&mut self, o: &EventCounts) {
        self.births += o.births;
        self.deaths += o.deaths;
        self.migrations += o.migrations;
        self.dedifferentiations += o.dedifferentiations;
        self.symmetric_divisions += o.symmetric_divisions;
        self.growths += o.growths;
        self.turns += o.turns;
        self.removed += o.removed;
        self.therapy_killed += o.therapy_killed;
        self.chemo_deaths += o.chemo_deaths;
        self.stemness_losses += o.stemness_losses;
    }
}

/// Checkpoint: cumulative event counts.
impl Persist for EventCounts {
    fn save(&self, w: &mut Writer) {
        let e = self;
        for v in [
            e.births,
            e.deaths,
            e.migrations,
            e.dedifferentiations,
            e.symmetric_divisions,
            e.growths,
            e.turns,
            e.removed,
            e.therapy_killed,
            e.chemo_deaths,
            e.stemness_losses,
        ] {
            w.put_u64(v);
        }
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(EventCounts {
            births: r.count()?,
            deaths: r.count()?,
            migrations: r.count()?,
            dedifferentiations: r.count()?,
            symmetric_divisions: r.count()?,
            growths: r.count()?,
            turns: r.count()?,
            removed: r.count()?,
            therapy_killed: r.count()?,
            chemo_deaths: r.count()?,
            stemness_losses: r.count()?,
        })
    }
}
