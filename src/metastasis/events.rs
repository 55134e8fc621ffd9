//! The metastasis event log: where an event happened ([`Compartment`]), what happened
//! ([`EventKind`]) and one row of `events.csv` ([`MetEvent`]), with the checkpoint form of
//! a row.

use crate::persist::{CodecError, Reader, Writer};

/// Where an event happened or a count lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compartment {
    /// The primary tumour.
    Primary,
    /// The blood (circulating tumour cells).
    Circulation,
    /// A distant organ, by index in name order.
    Organ(usize),
}

/// Kinds of metastasis events (rows of `events.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// Cells entered the blood from the primary (aggregated per step and kind).
    Intravasation,
    /// CTCs died in the blood.
    CtcDeath,
    /// CTCs arrested in an organ.
    Arrest,
    /// Arrested cells extravasated (became DTCs).
    Extravasation,
    /// Arrested cells failed to extravasate and died.
    ExtravasationFailed,
    /// CSC DTCs became dormant.
    DormancyEntry,
    /// A dormant CSC woke (one row per colony it founds).
    DormancyExit,
    /// A DTC or a woken CSC founded a colony.
    Colonisation,
    /// A colony reached `dissemination.micrometastasis_cells`.
    Micrometastasis,
    /// A colony reached `dissemination.detect_cells`.
    ColonyDetected,
    /// A colony died out.
    ColonyExtinct,
    /// An organ's niche level rose to 0.5 or above.
    NicheFormed,
    /// An organ's niche level fell below 0.5.
    NicheLost,
    /// An avascular colony switched to angiogenic growth.
    AngiogenicSwitch,
}

impl EventKind {
    /// Every event kind, in declaration order.
    pub const ALL: [EventKind; 14] = EVENT_KINDS;

    /// Name used in `events.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Intravasation => "intravasation",
            EventKind::CtcDeath => "ctc_death",
            EventKind::Arrest => "arrest",
            EventKind::Extravasation => "extravasation",
            EventKind::ExtravasationFailed => "extravasation_failed",
            EventKind::DormancyEntry => "dormancy_entry",
            EventKind::DormancyExit => "dormancy_exit",
            EventKind::Colonisation => "colonisation",
            EventKind::Micrometastasis => "micrometastasis",
            EventKind::ColonyDetected => "colony_detected",
            EventKind::ColonyExtinct => "colony_extinct",
            EventKind::NicheFormed => "niche_formed",
            EventKind::NicheLost => "niche_lost",
            EventKind::AngiogenicSwitch => "angiogenic_switch",
        }
    }
}

/// One row of the metastasis event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetEvent {
    /// Step in which it happened.
    pub step: u64,
    /// What happened.
    pub kind: EventKind,
    /// Where.
    pub compartment: Compartment,
    /// Counting class of the cells involved (0 CSC, 1 progenitor, 2 differentiated), if any.
    pub class: Option<usize>,
    /// The colony, for colony events.
    pub colony: Option<u64>,
    /// Number of cells (aggregated events), or the colony's size, or the organ's HPCs.
    pub value: u64,
}

/// Every event kind, in declaration order (the checkpoint codes are the indices).
const EVENT_KINDS: [EventKind; 14] = [
    EventKind::Intravasation,
    EventKind::CtcDeath,
    EventKind::Arrest,
    EventKind::Extravasation,
    EventKind::ExtravasationFailed,
    EventKind::DormancyEntry,
    EventKind::DormancyExit,
    EventKind::Colonisation,
    EventKind::Micrometastasis,
    EventKind::ColonyDetected,
    EventKind::ColonyExtinct,
    EventKind::NicheFormed,
    EventKind::NicheLost,
    EventKind::AngiogenicSwitch,
];

/// Checkpoint: one event-log row.
pub(super) fn save_event(w: &mut Writer, e: &MetEvent) {
    w.put_u64(e.step);
    let kind = EVENT_KINDS
        .iter()
        .position(|&k| k == e.kind)
        .expect("every kind is listed");
    w.put_u8(kind as u8);
    match e.compartment {
        Compartment::Primary => w.put_u64(0),
        Compartment::Circulation => w.put_u64(1),
        Compartment::Organ(o) => w.put_u64(2 + o as u64),
    }
    w.put_option(e.class.as_ref(), |w, &c| w.put_u8(c as u8));
    w.put_opt_u64(e.colony);
    w.put_u64(e.value);
}

/// An event-log row as written by [`save_event`]; `organs` bounds organ indices.
pub(super) fn load_event(r: &mut Reader<'_>, organs: usize) -> Result<MetEvent, CodecError> {
    let step = r.count()?;
    let kind = EVENT_KINDS[r.check(
        "event kind",
        |r| r.u8(),
        |&k| (k as usize) < EVENT_KINDS.len(),
    )? as usize];
    let compartment = match r.check("compartment", |r| r.count(), |&c| c < 2 + organs as u64)? {
        0 => Compartment::Primary,
        1 => Compartment::Circulation,
        o => Compartment::Organ((o - 2) as usize),
    };
    let class = r.option(|r| r.check("cell class", |r| r.u8(), |&c| c < 3))?;
    Ok(MetEvent {
        step,
        kind,
        compartment,
        class: class.map(usize::from),
        colony: r.opt_count()?,
        value: r.count()?,
    })
}
