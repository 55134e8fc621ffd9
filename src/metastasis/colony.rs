//! A metastatic colony: one disseminated cell's clone on its own lattice, stepped with the
//! hierarchy rules of the primary (docs/model.md §7.14) and its own random streams.

use crate::engine::primary::{EventCounts, Primary};
use crate::model::HierarchyRates;
use crate::model::kind::{classify8, is_cell};
use crate::persist::{CodecError, Persist, Reader, Writer};
use crate::rng::{self, purpose};
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
    /// Whether the colony has switched to angiogenic growth (unbounded); until then it
    /// grows to at most `dissemination.avascular_cells` cells.
    pub vascular: bool,
    /// Step of the angiogenic switch.
    pub switch_step: Option<u64>,
    seed: u64,
}

/// The avascular limit of colonies in one organ at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Avascular {
    /// Most cells an avascular colony holds (0 = no limit: every colony is vascular).
    pub cells: u64,
    /// Per-step probability that a colony at the limit switches to angiogenic growth.
    pub p_switch: f64,
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
        // One tile (16³ sites in 3D, 32² in 2D): the window grows face by face as the clone
        // nears a face, so a colony costs about what its cells span (a few KiB while small).
        let mut lattice = Lattice::new(dims, 1 << tile_log(dims), max_size);
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
            vascular: false,
            switch_step: None,
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
        w.put_bool(self.vascular);
        w.put_opt_u64(self.switch_step);
        self.tumour.save(w);
    }

    /// A colony as written by [`Colony::save_state`]; `organs` bounds the organ index.
    pub(crate) fn load_state(r: &mut Reader<'_>, organs: usize) -> Result<Self, CodecError> {
        Ok(Colony {
            id: r.count()?,
            organ: r.check("colony organ", |r| r.usize(), |&o| o < organs)?,
            seed_kind: r.check("colony founder kind", |r| r.u8(), |&k| is_cell(k))?,
            founded_step: r.count()?,
            peak: r.count()?,
            micro_step: r.opt_count()?,
            detected_step: r.opt_count()?,
            seed: r.u64()?,
            vascular: r.bool()?,
            switch_step: r.opt_count()?,
            tumour: Primary::load(r)?,
        })
    }

    /// One step of the hierarchy rules (serial inside the colony: colonies are what runs
    /// in parallel). Colonies have no cytokine fields.
    ///
    /// Angiogenic dormancy (Holmgren 1995): an avascular colony holds at most
    /// `limit.cells` cells. Cells born beyond the limit are balanced by apoptosis of as
    /// many non-stem cells drawn at random (CSCs resist it; they die only at
    /// `dissemination.colony_csc_death_per_day`), so that the clone turns over at constant
    /// size; if too few non-stem cells are left, random CSCs make up the rest. At the
    /// limit the colony switches to angiogenic, unbounded growth with probability
    /// `limit.p_switch` per step. Returns whether it switched in this step.
    pub fn step(&mut self, rates: &HierarchyRates, step: u64, limit: Avascular) -> bool {
        self.tumour.step(rates, self.seed, step, false, None);
        let mut switched = false;
        if !self.vascular && limit.cells > 0 && self.tumour.total() >= limit.cells {
            let mut rng = rng::stream(self.seed, purpose::ANGIOGENESIS, 0, step);
            if limit.p_switch > 0.0 && crate::rng::uniform(&mut rng) < limit.p_switch {
                self.vascular = true;
                self.switch_step = Some(step);
                switched = true;
            } else {
                let excess = (self.tumour.total() - limit.cells) as usize;
                let mut removed = 0usize;
                if excess > 0 {
                    // Non-stem cells first, then CSCs: a partial shuffle of each group.
                    let (mut stem, mut non_stem) = sites_by_stemness(&mut self.tumour.lattice);
                    for group in [&mut non_stem, &mut stem] {
                        let k_max = (excess - removed).min(group.len());
                        for k in 0..k_max {
                            let j = k + crate::rng::below(&mut rng, group.len() - k);
                            group.swap(k, j);
                            self.tumour.die(group[k]);
                        }
                        removed += k_max;
                    }
                }
            }
        }
        self.peak = self.peak.max(self.tumour.total());
        switched
    }
}

/// The sites of the CSCs and of the other cancer cells on `lat`, each in lattice index
/// order: [`Primary::cell_sites`] partitioned by kind, read eight sites at a time
/// ([`classify8`]) and 32 at a time across empty stretches (a colony's window is mostly
/// empty).
fn sites_by_stemness(lat: &mut Lattice) -> (Vec<usize>, Vec<usize>) {
    const KIND: u64 = 0x1F1F_1F1F_1F1F_1F1F;
    let bytes = lat.as_bytes();
    let (mut stem, mut non_stem) = (Vec::new(), Vec::new());
    let mut push = |base: usize, v: u64| {
        let (cells, stems) = classify8(v);
        let (mut s, mut o) = (stems, cells & !stems);
        while s != 0 {
            stem.push(base + s.trailing_zeros() as usize);
            s &= s - 1;
        }
        while o != 0 {
            non_stem.push(base + o.trailing_zeros() as usize);
            o &= o - 1;
        }
    };
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    let blocks = bytes.chunks_exact(32);
    let tail = blocks.remainder();
    for (i, block) in blocks.enumerate() {
        let w: [u64; 4] = std::array::from_fn(|k| word(&block[8 * k..8 * k + 8]));
        if (w[0] | w[1] | w[2] | w[3]) & KIND == 0 {
            continue;
        }
        for (k, &v) in w.iter().enumerate() {
            if v & KIND != 0 {
                push(32 * i + 8 * k, v);
            }
        }
    }
    // A window of other than a multiple of 32 sites: the rest, padded with empty sites.
    let start = bytes.len() - tail.len();
    for (k, part) in tail.chunks(8).enumerate() {
        let mut b = [0u8; 8];
        b[..part.len()].copy_from_slice(part);
        push(start + 8 * k, u64::from_le_bytes(b));
    }
    (stem, non_stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::{STEM, WALL, progenitor};

    #[test]
    fn sites_by_stemness_partitions_cell_sites_in_lattice_order() {
        for dims in [2usize, 3] {
            let mut lat = Lattice::new(dims, 32, 40);
            let mut x = 0x2545_F491_4F6C_DD1Du64;
            for s in 0..lat.len() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if lat.code(s) == WALL || !x.is_multiple_of(5) {
                    continue;
                }
                let code = match (x >> 20) % 3 {
                    0 => STEM,
                    1 => progenitor(0),
                    _ => progenitor(((x >> 30) % 8) as u8),
                };
                lat.set(s, code);
            }
            let want: (Vec<usize>, Vec<usize>) = (0..lat.len())
                .filter(|&s| is_cell(lat.code(s)))
                .partition(|&s| lat.code(s) == STEM);
            assert!(!want.0.is_empty() && !want.1.is_empty());
            assert_eq!(sites_by_stemness(&mut lat), want, "dims {dims}");
        }
    }
}
