//! A metastatic colony: one disseminated cell's clone on its own lattice, stepped with the
//! hierarchy rules of the primary (MODEL.md section 5) and its own random streams.

use crate::checkpoint::codec::{CodecError, Reader, Writer};
use crate::model::HierarchyRates;
use crate::model::kind::is_cell;
use crate::rng::{self, purpose};
use crate::sim::primary::{EventCounts, Primary};
use crate::space::Lattice;
use crate::space::lattice::tile_log;
use rand::Rng;

/// One colony in a distant organ.
///
/// The colony's lattice is a window of its own domain (`dissemination.colony_max_size`
/// sites per side) that grows with the clone, exactly like the primary's. Its draws come
/// from streams keyed by its own seed, derived from the run's seed and the colony's id, so
/// the colonies of a run can step in any order or in parallel with identical results.
#[derive(Debug)]
pub struct Colony {
    /// Run-wide id, in order of foundation (from 1).
    pub id: u64,
    /// Index of the organ (in name order) the colony grows in.
    pub organ: usize,
    /// Kind code of the founding cell.
    pub seed_kind: u8,
    /// Step at which the colony was founded.
    pub founded_step: u64,
    /// Largest size reached so far.
    pub peak: u64,
    /// Step at which the colony first reached `dissemination.micrometastasis_cells`.
    pub micro_step: Option<u64>,
    /// Step at which the colony was first detected (`dissemination.detect_cells`).
    pub detected_step: Option<u64>,
    /// The clone on its lattice.
    pub tumour: Primary,
    seed: u64,
}

impl Colony {
    /// A colony founded by one cell of kind `code` at the centre of a fresh domain of
    /// `max_size` sites per side in `dims` dimensions.
    pub fn new(
        run_seed: u64,
        id: u64,
        organ: usize,
        code: u8,
        step: u64,
        dims: usize,
        max_size: u32,
    ) -> Self {
        debug_assert!(is_cell(code));
        // Four tiles per axis: the founder's tile is then not on the window's edge, so the
        // window need not grow at once (two tiles would be all edge).
        let mut lattice = Lattice::new(dims, 4 << tile_log(dims), max_size);
        let c = (max_size / 2) as i64;
        let centre = [c, c, if dims == 3 { c } else { 0 }];
        let site = lattice
            .site_at(centre)
            .expect("the window is centred on the domain centre");
        lattice.set(site, code);
        let seed = rng::stream(run_seed, purpose::COLONY, id, 0).next_u64();
        Colony {
            id,
            organ,
            seed_kind: code,
            founded_step: step,
            peak: 1,
            micro_step: None,
            detected_step: None,
            tumour: Primary::new(lattice),
            seed,
        }
    }

    /// The colony's own master seed (its streams are keyed by it).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Cells in the colony.
    pub fn total(&self) -> u64 {
        self.tumour.total()
    }

    /// Cumulative events of the colony.
    pub fn events(&self) -> EventCounts {
        self.tumour.events()
    }

    /// Checkpoint: identity, milestones, seed and the clone's whole lattice state.
    pub(crate) fn save_state(&self, w: &mut Writer) {
        w.put_u64(self.id);
        w.put_usize(self.organ);
        w.put_u8(self.seed_kind);
        w.put_u64(self.founded_step);
        w.put_u64(self.peak);
        w.put_opt_u64(self.micro_step);
        w.put_opt_u64(self.detected_step);
        w.put_u64(self.seed);
        self.tumour.save_state(w);
    }

    /// A colony as written by [`Colony::save_state`]; `organs` bounds the organ index.
    pub(crate) fn load_state(r: &mut Reader<'_>, organs: usize) -> Result<Self, CodecError> {
        Ok(Colony {
            id: r.u64()?,
            organ: r.check("colony organ", |r| r.usize(), |&o| o < organs)?,
            seed_kind: r.check("colony founder kind", |r| r.u8(), |&k| is_cell(k))?,
            founded_step: r.u64()?,
            peak: r.u64()?,
            micro_step: r.opt_u64()?,
            detected_step: r.opt_u64()?,
            seed: r.u64()?,
            tumour: Primary::load_state(r)?,
        })
    }

    /// One step of the hierarchy rules (serial inside the colony: colonies are what runs
    /// in parallel). Colonies have no cytokine fields.
    pub fn step(&mut self, rates: &HierarchyRates, step: u64) {
        self.tumour.step(rates, self.seed, step, false, None);
        self.peak = self.peak.max(self.tumour.total());
    }
}
