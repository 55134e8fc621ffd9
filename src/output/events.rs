//! The kinds of event `events.csv` records: each kind's name, where it happens, what its
//! `value` holds and in which unit. The recorder writes each row's `unit` column from
//! this table ([`unit_of`]), and `docs/outputs.md` lists it (`seedsoil::schema`).

use crate::config::TherapyKind;

/// One kind of event of `events.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventKindDoc {
    /// The event's name (`<kind>_on` stands for each therapy kind's name).
    pub name: &'static str,
    /// The compartments it is recorded in.
    pub compartment: &'static str,
    /// The unit of its `value` (the `unit` column).
    pub unit: &'static str,
    /// What happened and what its `value` holds.
    pub meaning: &'static str,
}

const fn kind(
    name: &'static str,
    compartment: &'static str,
    unit: &'static str,
    meaning: &'static str,
) -> EventKindDoc {
    EventKindDoc {
        name,
        compartment,
        unit,
        meaning,
    }
}

/// Every kind of event, in the order of the docs: the run's, the metastatic cascade's,
/// the therapies'.
pub const EVENT_KINDS: &[EventKindDoc] = &[
    kind(
        "start",
        "primary",
        "cells",
        "the run started: value = cells in the primary",
    ),
    kind(
        "lattice_grown",
        "primary",
        "sites",
        "the lattice window grew: value = its sites",
    ),
    kind(
        "size_reached",
        "primary",
        "cells",
        "the primary first held value cells (10³ … 10⁷, up to the largest size the run can reach)",
    ),
    kind(
        "msc_injected",
        "bone_marrow",
        "MSCs",
        "MSCs injected in the step: value = how many",
    ),
    kind(
        "msc_first_homed",
        "primary",
        "MSCs",
        "the first MSCs homed to the tumour: value = MSCs homed so far",
    ),
    kind(
        "snapshot",
        "primary",
        "path",
        "a snapshot was written: value = its file stem, relative to the run folder",
    ),
    kind(
        "stop",
        "primary",
        "reason",
        "the run stopped: value = the stop reason (`days`, `stop_at_cells` or `extinct`)",
    ),
    kind(
        "intravasation",
        "primary",
        "cells",
        "cells shed into the blood in the step (one row per cell kind)",
    ),
    kind(
        "ctc_death",
        "circulation",
        "cells",
        "CTCs that died in the blood in the step (per kind)",
    ),
    kind(
        "arrest",
        "organ",
        "cells",
        "CTCs arrested in the organ in the step (per kind)",
    ),
    kind(
        "extravasation",
        "organ",
        "cells",
        "arrested cells that extravasated in the step (per kind)",
    ),
    kind(
        "extravasation_failed",
        "organ",
        "cells",
        "arrested cells that failed to extravasate and died (per kind)",
    ),
    kind(
        "dormancy_entry",
        "organ",
        "cells",
        "disseminated cells that became dormant in the step (per kind)",
    ),
    kind(
        "dormancy_exit",
        "organ",
        "cells",
        "a dormant CSC woke and founds colony `colony_id`: value = 1",
    ),
    kind(
        "colonisation",
        "organ",
        "cells",
        "a colony was founded (`colony_id`, `cell_kind` = its founder): value = 1",
    ),
    kind(
        "micrometastasis",
        "organ",
        "cells",
        "colony `colony_id` reached `dissemination.micrometastasis_cells`: value = its cells",
    ),
    kind(
        "colony_detected",
        "organ",
        "cells",
        "colony `colony_id` reached `dissemination.detect_cells`: value = its cells",
    ),
    kind(
        "angiogenic_switch",
        "organ",
        "cells",
        "avascular colony `colony_id` switched to angiogenic growth: value = its cells",
    ),
    kind(
        "colony_extinct",
        "organ",
        "cells",
        "colony `colony_id` died out: value = its peak size",
    ),
    kind(
        "niche_formed",
        "organ",
        "HPCs",
        "the organ's niche level rose to 0.5 or above: value = HPCs recruited",
    ),
    kind(
        "niche_lost",
        "organ",
        "HPCs",
        "the organ's niche level fell below 0.5: value = HPCs recruited",
    ),
    kind(
        "<kind>_on",
        "systemic",
        "index",
        "a therapy of that kind (`chemo`, `radiation`, …) started: value = its index among the config's `[[therapy]]` entries, from 0",
    ),
    kind(
        "<kind>_off",
        "systemic",
        "index",
        "that therapy ended: value = its index",
    ),
    kind(
        "radiation_fraction",
        "primary",
        "cells",
        "a radiation fraction was given: value = cells killed",
    ),
    kind(
        "surgery",
        "primary",
        "cells",
        "a surgery: value = cells removed",
    ),
    kind(
        "relapse",
        "primary",
        "cells",
        "the primary relapsed (more cells than at the first cytoreductive therapy's start): value = its cells",
    ),
];

/// The documentation of event `name` (`None` for a name no kind has).
pub fn doc_of(name: &str) -> Option<&'static EventKindDoc> {
    let pattern = ["_on", "_off"].iter().find_map(|suffix| {
        let kind = name.strip_suffix(suffix)?;
        TherapyKind::ALL
            .iter()
            .any(|k| k.as_str() == kind)
            .then(|| format!("<kind>{suffix}"))
    });
    let name = pattern.as_deref().unwrap_or(name);
    EVENT_KINDS.iter().find(|k| k.name == name)
}

/// The unit of event `name`'s value (empty for a name no kind has; tests keep every
/// event written documented).
pub fn unit_of(name: &str) -> &'static str {
    doc_of(name).map_or("", |k| k.unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metastasis::EventKind;

    #[test]
    fn every_metastasis_and_therapy_event_has_a_unit() {
        for k in EventKind::ALL {
            assert!(doc_of(k.as_str()).is_some(), "{} undocumented", k.as_str());
        }
        for k in TherapyKind::ALL {
            for suffix in ["on", "off"] {
                assert_eq!(unit_of(&format!("{}_{suffix}", k.as_str())), "index");
            }
        }
        assert_eq!(unit_of("colony_extinct"), "cells");
        assert_eq!(unit_of("niche_formed"), "HPCs");
        assert_eq!(unit_of("msc_injected"), "MSCs");
        assert_eq!(unit_of("no_such_event"), "");
        assert_eq!(unit_of("chemo_sideways"), "");
    }

    #[test]
    fn event_kinds_are_listed_once() {
        for (i, k) in EVENT_KINDS.iter().enumerate() {
            assert!(!k.unit.is_empty(), "{}", k.name);
            assert!(
                EVENT_KINDS[..i].iter().all(|o| o.name != k.name),
                "{} twice",
                k.name
            );
        }
    }
}
