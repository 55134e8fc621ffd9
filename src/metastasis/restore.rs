//! The metastatic state in checkpoints: what [`Metastasis`] saves and restores, and the
//! checks of restored state across its parts.

use super::events::{load_event, save_event};
use super::{Cascade, Colony, MetEvent, Metastasis};
use crate::persist::{CodecError, Persist, Reader, Restore, Writer};
use fixedbitset::FixedBitSet;

impl Restore for Metastasis {
    /// Checkpoint: every organ's state (its name, to check, and its counters; weights
    /// and tropism come from the config), the blood, the colonies, the tumour-derived
    /// factor, cascade counts, the event log and the colony counter. Rates are rebuilt
    /// from the config.
    fn save(&self, w: &mut Writer) {
        w.put_vec(&self.organs, |w, o| o.save(w));
        w.put_bytes(&self.circulation);
        w.put_vec(&self.colonies, |w, c| c.save_state(w));
        w.put_u64(self.next_colony);
        w.put_f64(self.tdsf);
        self.cascade.save(w);
        w.put_vec(&self.log, save_event);
        let pending: Vec<_> = self.pending.iter().collect();
        w.put_vec(&pending, |w, ((kind, compartment, class), n)| {
            save_event(
                w,
                &MetEvent {
                    step: 0,
                    kind: *kind,
                    compartment: *compartment,
                    class: Some(*class),
                    colony: None,
                    value: **n,
                },
            )
        });
        w.put_opt_u64(self.first_detection_step);
        w.put_u64(self.last_colony_turns);
        // The exterior of mass-based shedding, as computed at the start of its day.
        w.put_opt_u64(self.exterior_at.map(|(d, _)| d));
        w.put_opt_u64(self.exterior_at.map(|(_, l)| l as u64));
        let bytes: Vec<u8> = (0..self.exterior.len())
            .map(|s| u8::from(self.exterior.contains(s)))
            .collect();
        w.put_bytes(&bytes);
    }

    /// Overwrite the dynamic state with one written by `save`; the
    /// organs must be the same (by name, in order).
    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError> {
        let at = r.position();
        let n = r.len(8)?;
        if n != self.organs.len() {
            return Err(CodecError::Invalid {
                what: "number of organs",
                offset: at,
            });
        }
        for o in self.organs.iter_mut() {
            o.restore(r)?;
        }
        self.circulation = r.bytes()?.to_vec();
        let organs = self.organs.len();
        self.colonies = r.vec(8, |r| Colony::load_state(r, organs))?;
        self.next_colony = r.count()?;
        self.tdsf = r.f64_non_negative("tumour-derived factor (negative or above 1e30)")?;
        self.cascade = Cascade::load(r)?;
        self.log = r.vec(8, |r| load_event(r, organs))?;
        self.pending = r
            .vec(8, |r| load_event(r, organs))?
            .into_iter()
            .map(|e| ((e.kind, e.compartment, e.class.unwrap_or(0)), e.value))
            .collect();
        self.first_detection_step = r.opt_count()?;
        self.last_colony_turns = r.count()?;
        let (day, len) = (r.opt_count()?, r.opt_count()?);
        self.exterior_at = day.zip(len).map(|(d, l)| (d, l as usize));
        let at = r.position();
        let exterior = r.bytes()?;
        if exterior.iter().any(|&b| b > 1) || len.is_some_and(|l| l != exterior.len() as u64) {
            return Err(CodecError::Invalid {
                what: "primary exterior (flags or length)",
                offset: at,
            });
        }
        self.exterior = FixedBitSet::with_capacity(exterior.len());
        for (s, &b) in exterior.iter().enumerate() {
            self.exterior.set(s, b != 0);
        }
        // Its rim map is rebuilt from it at the next shedding step.
        self.exterior_rim = FixedBitSet::new();
        Ok(())
    }
}

impl Metastasis {
    /// Checks of restored state across its parts: circulating cells are cells, colonies
    /// live on lattices of the config's shape (`space.dims`,
    /// `dissemination.colony_max_size`) in increasing id order below the next id. The
    /// error names what is wrong.
    pub(crate) fn check_restored(&self) -> Result<(), &'static str> {
        let known = |code: u8| {
            code == crate::model::kind::STEM
                || (1..=crate::model::kind::progenitor(crate::model::kind::RHO_LIMIT))
                    .contains(&code)
        };
        if !self.circulation.iter().all(|&c| known(c)) {
            return Err("circulating cell kind");
        }
        let mut last = 0;
        for c in &self.colonies {
            let lat = &c.tumour.lattice;
            if lat.dims != self.dims || lat.domain != i64::from(self.colony_max_size) {
                return Err(
                    "colony lattice (dimensions or domain differ from space.dims, dissemination.colony_max_size)",
                );
            }
            if c.id <= last || c.id >= self.next_colony {
                return Err("colony ids (not increasing, or not below the next id)");
            }
            last = c.id;
        }
        Ok(())
    }
}
