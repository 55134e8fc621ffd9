//! The cumulative counts of the metastatic cascade ([`Cascade`]): one list of its
//! counters, in checkpoint order.

use crate::persist::{CodecError, Persist, Reader, Writer};

/// Cumulative counts of the metastatic cascade.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cascade {
    /// Cells that entered the blood, by class.
    pub intravasated: [u64; 3],
    /// CTCs that died in the blood.
    pub ctc_deaths: u64,
    /// CTCs killed by chemotherapy (included in `ctc_deaths`).
    pub ctc_chemo_deaths: u64,
    /// CTCs that arrested in an organ.
    pub arrested: u64,
    /// Arrested cells that extravasated.
    pub extravasated: u64,
    /// Arrested cells that died failing to extravasate.
    pub extravasation_failed: u64,
    /// CSC DTCs that became dormant.
    pub dormant_entered: u64,
    /// Non-stem DTCs that stayed solitary and dormant (no clone).
    pub dormant_non_stem_entered: u64,
    /// Solitary dormant non-stem DTCs that died.
    pub dtc_deaths: u64,
    /// Avascular colonies that switched to angiogenic growth.
    pub angiogenic_switches: u64,
    /// Dormant CSCs that woke.
    pub woke: u64,
    /// Colonies founded by a CSC (a DTC or a woken dormant cell).
    pub csc_colonies: u64,
    /// Colonies founded by a non-stem DTC.
    pub non_stem_colonies: u64,
    /// Colonies that reached `micrometastasis_cells`.
    pub micrometastases: u64,
    /// Colonies that reached `detect_cells`.
    pub detected: u64,
    /// Colonies that died out.
    pub extinct: u64,
}

impl Cascade {
    /// Every counter, in checkpoint order (the order counters were added to the format).
    /// The one list of the fields: the pattern names every field and an unlisted binding
    /// is an unused variable, so a new counter cannot be left out.
    fn counters_mut(&mut self) -> [&mut u64; 18] {
        let Cascade {
            intravasated: [shed_csc, shed_progenitor, shed_differentiated],
            ctc_deaths,
            ctc_chemo_deaths,
            arrested,
            extravasated,
            extravasation_failed,
            dormant_entered,
            dormant_non_stem_entered,
            dtc_deaths,
            angiogenic_switches,
            woke,
            csc_colonies,
            non_stem_colonies,
            micrometastases,
            detected,
            extinct,
        } = self;
        [
            shed_csc,
            shed_progenitor,
            shed_differentiated,
            ctc_deaths,
            arrested,
            extravasated,
            extravasation_failed,
            dormant_entered,
            woke,
            csc_colonies,
            non_stem_colonies,
            micrometastases,
            detected,
            extinct,
            ctc_chemo_deaths,
            dormant_non_stem_entered,
            dtc_deaths,
            angiogenic_switches,
        ]
    }
}

/// Checkpoint: every counter as a u64, in the order of `Cascade::counters_mut`.
impl Persist for Cascade {
    fn save(&self, w: &mut Writer) {
        let mut c = *self;
        for v in c.counters_mut() {
            w.put_u64(*v);
        }
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let mut c = Cascade::default();
        for v in c.counters_mut() {
            *v = r.count()?;
        }
        Ok(c)
    }
}
