//! `[dissemination]`: intravasation, circulation, extravasation, colonisation and dormancy
//! (docs/model.md §7.12–7.14).

use super::declare::section;
use super::param::{FloatRange, PROBABILITY, ParamKind, RATE};

section! {
    /// `[dissemination]` section: docs/model.md §7.12–7.14.
    ///
    /// | symbol | field | unit |
    /// |---|---|---|
    /// | rim intravasation | `intravasation_per_day` | per rim cell per day (CSCs × `csc_factor`) |
    /// | CTC half-life | `ctc_half_life_h` | h |
    /// | arrest hazard | `arrest_per_h` | per CTC per h |
    /// | extravasation | `extravasation` | probability per arrested cell |
    /// | p_colonise | `p_colonise` | per CSC DTC, × tropism × (1 + g_niche · N_o) |
    /// | waking | `wake_per_day` | per dormant CSC per day, × tropism × (1 + g_niche · N_o) |
    /// | detection | `detect_cells` | cells in a colony |
    /// | micrometastasis | `micrometastasis_cells` | cells in a colony |
    /// | colony plasticity | `colony_dedifferentiation_per_day` | per non-stem colony cell per day |
    /// | colony space | `colony_max_size` | sites per side of a colony's lattice |
    pub struct DisseminationConfig in "dissemination" {
        /// Whether dissemination, niches and colonies are simulated (off in R0).
        pub enabled: bool = true => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Simulate dissemination, the pre-metastatic niche and metastatic colonies (off in R0).",
            comment: [
                "Simulate the metastatic cascade (docs/model.md §7.12–7.14): intravasation, circulation,",
                "extravasation, colonisation and dormancy, with the pre-metastatic niche of [niche] and",
                "one lattice simulation per colony (technical, –). Off in R0.",
            ],
        },
        /// Intravasation per rim cell (a cancer cell with a free neighbour) per day; CSCs
        /// enter at `csc_factor` times this.
        pub intravasation_per_day: f64 = 0.01 => {
            symbol: "r_i",
            kind: ParamKind::Float(RATE),
            unit: "per rim cell per day",
            source: "[A]",
            description: "Intravasation of rim cancer cells (with a free neighbour), CSCs × csc_factor; calibrated [A] so that the baseline tumour sheds about 10⁻³ of its cells per day (Butler & Gullino 1975 [V]).",
            comment: [
                "Intravasation of rim cancer cells (a free neighbour), per rim cell per day; CSCs enter",
                "at csc_factor times this. Real tumours shed 3.2–4.1 × 10⁶ cells per gram per day, about",
                "10⁻³ per cell per day (Butler & Gullino 1975) [V]; this rim rate is calibrated so that",
                "the baseline tumour sheds about 10⁻³ of its cells per day [A].",
            ],
        },
        /// Intravasation happens only while the primary holds at least this many cells: the
        /// angiogenic switch (an avascular tumour has no vessels to enter; Folkman 1971).
        pub min_primary_cells: u64 = 5000 => {
            symbol: "N_min",
            kind: ParamKind::Int { min: 0, max: u32::MAX as i64 },
            unit: "cells",
            source: "[A]",
            description: "Intravasation starts once the primary holds this many cells (the angiogenic switch, Folkman 1971; not in the first specification (docs/model.md §8.5), see README).",
            comment: [
                "Intravasation starts once the primary holds this many cells: the angiogenic switch (an",
                "avascular tumour has no vessels to enter; Folkman 1971). Not in the first specification",
                "(docs/model.md §8.5): without it a tumour of a few dozen cells sheds, and DTCs arrive",
                "before any niche can form, against Kaplan 2005's order of events (README,",
                "\"Dissemination\"), cells [A].",
            ],
        },
        /// CSC intravasation relative to non-stem cells (metastasis stem cells).
        pub csc_factor: f64 = 5.0 => {
            symbol: "w_CSC",
            kind: ParamKind::Float(RATE),
            unit: "×",
            source: "[A]",
            description: "CSC intravasation relative to non-stem rim cells (metastasis stem cells).",
            comment: [
                "CSC intravasation relative to non-stem rim cells, × (metastasis stem cells, Trumpp &",
                "Baccelli) [A].",
            ],
        },
        /// Mass-based shedding: cells entering the blood per primary cell per day, drawn
        /// among the cells of the exterior rim (0 = the per-rim-cell rule
        /// `intravasation_per_day` instead).
        pub shed_per_cell_per_day: f64 = 0.001 => {
            symbol: "r_shed",
            kind: ParamKind::Float(FloatRange::closed(0.0, 1.0)),
            unit: "per primary cell per day",
            source: "[V]",
            description: "Mass-based shedding (Butler & Gullino 1975: 3.2–4.1 × 10⁶ cells per gram per day, about 10⁻³ per cell): a Poisson number per step with mean shed · N · dt, drawn among the exterior rim (holes left by therapy do not count), CSCs weighted by csc_factor; replaces intravasation_per_day when > 0.",
            comment: [
                "Mass-based shedding: cells entering the blood per primary cell per day, a Poisson",
                "number per step drawn among the cells next to the tumour's exterior (holes do not",
                "count), CSCs weighted by csc_factor; 0 = the per-rim-cell rule intravasation_per_day",
                "instead (Butler & Gullino 1975: 3-4 × 10⁶ cells per gram per day, of the order of 10⁻³",
                "per cell per day) [V]. On in model v2: therapy holes no longer shed (therapy.perforation:",
                "treated / untreated 0.99 and 0.94).",
            ],
        },
        /// Half-life of a circulating tumour cell, h.
        pub ctc_half_life_h: f64 = 1.5 => {
            symbol: "t½",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "h",
            source: "[V]",
            description: "Half-life of a circulating tumour cell in the blood (Meng 2004; range 1–2.4 h).",
            comment: [
                "Half-life of a circulating tumour cell (CTC) in the blood, in hours (Meng 2004, range",
                "1–2.4 h) [V].",
            ],
        },
        /// Hazard of arrest in an organ, per h (competing with death in the blood).
        pub arrest_per_h: f64 = 0.5 => {
            symbol: "a",
            kind: ParamKind::Float(RATE),
            unit: "per CTC per h",
            source: "[A]",
            description: "Hazard of a CTC arresting in an organ, competing with death in the blood; the organ is drawn by organs.*.arrival_weight.",
            comment: [
                "Hazard of a CTC arresting in an organ, per h, competing with death in the blood; the",
                "organ is drawn by arrival weight [A].",
            ],
        },
        /// Probability that an arrested cell extravasates (else it dies).
        pub extravasation: f64 = 0.8 => {
            symbol: "p_ext",
            kind: ParamKind::Float(PROBABILITY),
            unit: "per arrested cell",
            source: "[V]",
            description: "Probability that an arrested cell extravasates and becomes a DTC, else it dies (Koop 1995).",
            comment: [
                "Probability that an arrested cell extravasates and becomes a disseminated tumour cell",
                "(DTC), else it dies (Koop 1995) [V].",
            ],
        },
        /// Probability that a CSC DTC starts a colony (else it becomes dormant), before the
        /// organ's tropism and niche factors.
        pub p_colonise: f64 = 0.01 => {
            symbol: "p_col",
            kind: ParamKind::Float(PROBABILITY),
            unit: "per CSC DTC",
            source: "[A]",
            description: "Probability that a CSC DTC starts a colony (else it becomes dormant), × organs.*.tropism × (1 + niche.colonisation_gain · N_o).",
            comment: [
                "Probability that a CSC DTC starts a colony, else it becomes dormant, × the organ's tropism",
                "× (1 + niche.colonisation_gain · N_o) [A]. The first specification (docs/model.md §8.5)",
                "listed 0.03; 0.01 puts the share of arrested cells that reach detection within an order of",
                "magnitude of Luzzi 1998's 0.02 % (at 0.03 it was 0.15–0.2 %, the band's edge; README,",
                "\"Dissemination\").",
            ],
        },
        /// Waking rate of a dormant CSC per day, before the organ's tropism and niche factors.
        pub wake_per_day: f64 = 1e-4 => {
            symbol: "r_wake",
            kind: ParamKind::Float(RATE),
            unit: "per dormant CSC per day",
            source: "[A]",
            description: "Waking of a dormant CSC, which then starts a colony, × organs.*.tropism × (1 + niche.colonisation_gain · N_o) (range 1e-6–1e-3).",
            comment: [
                "Waking of a dormant CSC, per day, × tropism × (1 + niche.colonisation_gain · N_o); a",
                "woken CSC starts a colony (range 1e-6–1e-3) [A].",
            ],
        },
        /// Probability that a non-stem DTC starts a clone; otherwise it stays a solitary
        /// dormant cell (Luzzi 1998; Chambers 2002).
        pub p_non_stem_clone: f64 = 0.4 => {
            symbol: "p_nc",
            kind: ParamKind::Float(FloatRange::closed(0.0, 1.0)),
            unit: "probability per non-stem DTC",
            source: "[A]",
            description: "Chance that a non-stem DTC starts a clone (which dies out within its ρ divisions); otherwise it stays a solitary dormant cell (Luzzi 1998, Chambers 2002).",
            comment: [
                "Chance that a non-stem DTC starts a clone (which dies out within its ρ divisions);",
                "otherwise it stays a solitary dormant cell (Luzzi 1998; Chambers 2002) [A]. Fitted to",
                "luzzi1998.cascade: 0.3 gave 1.1 % of arrested cells in micrometastases (band 1-5 %), 0.4",
                "moves it off the band's edge; most DTCs stay solitary, as Luzzi saw.",
            ],
        },
        /// Death of a solitary dormant non-stem DTC, per day.
        pub dtc_death_per_day: f64 = 0.05 => {
            symbol: "δ_DTC",
            kind: ParamKind::Float(RATE),
            unit: "per solitary non-stem DTC per day",
            source: "[A]",
            description: "Death of a solitary dormant non-stem DTC.",
            comment: [
                "Death of a solitary dormant non-stem DTC, per day [A]. 0.05: solitary cells are lost",
                "over weeks (Luzzi 1998 found about a third left after 11 days).",
            ],
        },
        /// Most cells of an avascular colony (angiogenic dormancy; 0 = no limit).
        pub avascular_cells: u64 = 100 => {
            symbol: "N_av",
            kind: ParamKind::Int { min: 0, max: 100_000_000 },
            unit: "cells",
            source: "[A]",
            description: "Most cells of an avascular colony: at the limit births are balanced by apoptosis until the angiogenic switch (Holmgren 1995); 0 = no limit.",
            comment: [
                "Most cells of an avascular colony, in cells: at the limit births are balanced by",
                "apoptosis until the angiogenic switch (Holmgren 1995); 0 = no limit [A]. Fitted with",
                "switch_per_day by configs/sweeps/calibrate-metastasis.toml: 200 left 8 % of the primary",
                "in dormant colonies by day 120 even without a detected one; 100 (a 2D colony about",
                "0.1 mm across) leaves about 1 %.",
            ],
        },
        /// Angiogenic switch of a colony at the avascular limit, per day, × (1 + g_niche · N_o).
        pub switch_per_day: f64 = 1e-4 => {
            symbol: "r_sw",
            kind: ParamKind::Float(RATE),
            default: "0.0001",
            unit: "per colony per day",
            source: "[A]",
            description: "Angiogenic switch of a colony at the avascular limit, × (1 + niche.colonisation_gain · N_o); it then grows without limit.",
            comment: [
                "Angiogenic switch of a colony at the avascular limit, per colony per day, × (1 +",
                "niche.colonisation_gain · N_o) [A]. Fitted against two targets that pull apart",
                "(docs/model.md §8.6): detection of 0.005-0.1 % of arrested cells by day 120 needs about",
                "one detected colony per two tumours, and a detected colony alone is several % of the",
                "primary (burden ≤ 10 % on day 120). 1.5e-4 gave 11 %, 7e-5 detected 0.0056 %; 1e-4:",
                "0.010 % detected, burden 2.5 % (day 90) and 6.4 % (day 120).",
            ],
        },
        /// Death of CSCs in colonies, per day (so that CSC colonies can regress).
        pub colony_csc_death_per_day: f64 = 0.01 => {
            symbol: "α_s,col",
            kind: ParamKind::Float(RATE),
            unit: "per colony CSC per day",
            source: "[A]",
            description: "Death of CSCs in colonies (the primary uses cells.csc_death_per_day), so that CSC colonies can regress.",
            comment: [
                "Death of CSCs in colonies, per day (so that CSC colonies can regress) [A]. 0.01: a",
                "colony's CSCs turn over within months; with stemness loss ≥ 99.9 % of colonies regress",
                "or stay below detection (luzzi1998.cascade).",
            ],
        },
        /// A colony of at least this many cells is detected (a clinical metastasis).
        pub detect_cells: u64 = 10000 => {
            symbol: "N_det",
            kind: ParamKind::Int { min: 1, max: u32::MAX as i64 },
            unit: "cells",
            source: "[A]",
            description: "A colony of at least this many cells is detected (a clinical metastasis).",
            comment: [
                "A colony of at least this many cells is detected, a clinical metastasis, cells [A].",
            ],
        },
        /// A colony of at least this many cells counts as a micrometastasis (Luzzi 1998).
        pub micrometastasis_cells: u64 = 32 => {
            symbol: "N_micro",
            kind: ParamKind::Int { min: 1, max: u32::MAX as i64 },
            unit: "cells",
            source: "[A]",
            description: "A colony of at least this many cells counts as a micrometastasis (Luzzi 1998); at most detect_cells.",
            comment: [
                "A colony of at least this many cells counts as a micrometastasis (Luzzi 1998's",
                "targets: 2.5 % of arrested cells start micrometastases), cells; at most detect_cells [A].",
            ],
        },
        /// Dedifferentiation of non-stem cells in colonies, per day (the primary uses
        /// `cells.dedifferentiation_per_day`). Default 0: docs/model.md §7.13 has non-stem
        /// seeds die out, which plasticity at the primary's rate would undo (README,
        /// departures).
        pub colony_dedifferentiation_per_day: f64 = 0.0 => {
            symbol: "r_dedif,col",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[A]",
            description: "Dedifferentiation of non-stem cells in colonies (the primary uses cells.dedifferentiation_per_day); 0 so that non-stem seeds die out (docs/model.md §7.13).",
            comment: [
                "Dedifferentiation of non-stem cells in colonies, per day. Departs from the primary's",
                "cells.dedifferentiation_per_day = 0.004 on purpose: docs/model.md §7.14 has non-stem DTC",
                "colonies die out (only CSC-bearing seeds make lasting metastases), and at 0.004/day a",
                "clone of 2^ρmax cells would nearly always make a CSC. 0: no plasticity in colonies [A].",
            ],
        },
        /// Side of each colony's lattice domain, in sites (its window grows up to it).
        pub colony_max_size: u32 = 1000 => {
            symbol: "L_col",
            kind: ParamKind::Int { min: 8, max: 65_536 },
            unit: "sites",
            source: "–",
            description: "Side of each colony's lattice domain (its window grows up to it), as space.max_size for the primary.",
            comment: [
                "Side of each colony's lattice domain, in sites; its window grows up to it, as",
                "space.max_size for the primary (technical, –).",
            ],
        },
    }
}
