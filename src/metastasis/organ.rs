//! One distant organ ([`Organ`]): its weights from the config, and its dynamic state:
//! HPCs, niche, dormant cells and the counters of its colonies.

use crate::engine::primary::EventCounts;
use crate::persist::{CodecError, Persist, Reader, Restore, Writer};

/// One distant organ.
#[derive(Debug, Clone)]
pub struct Organ {
    /// Name (`organs.<name>`).
    pub name: String,
    /// Arrival weight.
    pub arrival_weight: f64,
    /// HPC homing weight.
    pub hpc_homing_weight: f64,
    /// Tropism (× colonisation and waking).
    pub tropism: f64,
    /// VEGFR1+ HPCs in the organ (H_o).
    pub hpcs: u64,
    /// Dormant CSCs in the organ.
    pub dormant: u64,
    /// Solitary dormant non-stem DTCs in the organ.
    pub dormant_non_stem: u64,
    /// Whether the niche is formed now (N_o ≥ 0.5).
    pub niche_formed: bool,
    /// Step at which the niche first formed.
    pub niche_formed_step: Option<u64>,
    /// Step of the first arrest of a CTC in the organ.
    pub first_arrival_step: Option<u64>,
    /// CTCs arrested here.
    pub arrested: u64,
    /// DTCs (extravasated cells) here.
    pub extravasated: u64,
    /// Colonies founded here.
    pub colonies_founded: u64,
    /// Colonies here that reached micrometastasis size.
    pub micrometastases: u64,
    /// Colonies here that were detected.
    pub detected: u64,
    /// Cells in the living colonies by class, after the last colony step.
    pub cells: [u64; 3],
    /// Living colonies here.
    pub living_colonies: u64,
    /// Lattice sites held by the living colonies' windows.
    pub sites: u64,
    /// Events of colonies that died out here (added to the living ones' for totals).
    pub past_events: EventCounts,
}

impl Organ {
    /// Total cells in the organ's colonies.
    pub fn metastatic_cells(&self) -> u64 {
        self.cells.iter().sum()
    }
}

/// Checkpoint: the organ's name (checked on restore: the organs must be the same, in
/// order) and its dynamic state; weights and tropism come from the config.
impl Restore for Organ {
    fn save(&self, w: &mut Writer) {
        w.put_str(&self.name);
        w.put_u64(self.hpcs);
        w.put_u64(self.dormant);
        w.put_u64(self.dormant_non_stem);
        w.put_bool(self.niche_formed);
        w.put_opt_u64(self.niche_formed_step);
        w.put_opt_u64(self.first_arrival_step);
        for v in [
            self.arrested,
            self.extravasated,
            self.colonies_founded,
            self.micrometastases,
            self.detected,
            self.cells[0],
            self.cells[1],
            self.cells[2],
            self.living_colonies,
            self.sites,
        ] {
            w.put_u64(v);
        }
        self.past_events.save(w);
    }

    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError> {
        let at = r.position();
        if r.string()? != self.name {
            return Err(CodecError::Invalid {
                what: "organ name",
                offset: at,
            });
        }
        self.hpcs = r.count()?;
        self.dormant = r.count()?;
        self.dormant_non_stem = r.count()?;
        self.niche_formed = r.bool()?;
        self.niche_formed_step = r.opt_count()?;
        self.first_arrival_step = r.opt_count()?;
        self.arrested = r.count()?;
        self.extravasated = r.count()?;
        self.colonies_founded = r.count()?;
        self.micrometastases = r.count()?;
        self.detected = r.count()?;
        self.cells = [r.count()?, r.count()?, r.count()?];
        self.living_colonies = r.count()?;
        self.sites = r.count()?;
        self.past_events = EventCounts::load(r)?;
        Ok(())
    }
}
