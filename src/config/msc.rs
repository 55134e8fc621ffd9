//! `[msc]`: mesenchymal stem cells (docs/model.md §7.11).

use super::declare::section;
use super::param::{FloatRange, PROBABILITY, ParamKind, RATE};

section! {
    /// `[msc]` section: mesenchymal stem cells (docs/model.md §7.11).
    ///
    /// | symbol | field | unit |
    /// |---|---|---|
    /// | bone-marrow pool | `pool` | cells |
    /// | ALDH+ share of the pool | `aldh_fraction` | – |
    /// | homing rate | `homing_per_day` | per pool cell per day, × H(IL6_out; K_rec) |
    /// | K_rec | `k_recruit` | molecules/s of tumour IL6 output |
    /// | injection | `inject_day`, `inject_count` | day, cells (none if count 0) |
    /// | motility | `motility_per_day` | sites per day |
    /// | share of biased moves q | `chemotaxis` | – (0 = unbiased walk) |
    /// | bias strength χ | `chemotaxis_bias` | – (biased move ∝ exp(χ û·ê)/\|e\|) |
    /// | division | `doubling_time_h` | h |
    /// | ALDH− capacity | `max_divisions` | divisions |
    /// | death | `death_per_day` | per day |
    /// | basal CXCL7 secretion b | `basal_cxcl7` | – |
    /// | ALDH+ secretion factor | `aldh_boost` | × |
    pub struct MscConfig in "msc" {
        /// MSCs in the bone-marrow pool at the start.
        pub pool: u64 = 2000 => {
            symbol: "M_0",
            kind: ParamKind::Int { min: 0, max: 1_000_000_000 },
            unit: "cells",
            source: "[A]",
            description: "MSCs in the bone-marrow pool at the start (not spatial); 0 with no injection: no MSCs.",
            comment: [
                "Mesenchymal stem cells (docs/model.md §7.11). MSCs in the bone-marrow pool at the start",
                "(not spatial); with inject_count = 0, pool = 0 means no MSCs at all, cells [A].",
            ],
        },
        /// Fraction of pool MSCs that are primitive ALDH+.
        pub aldh_fraction: f64 = 0.05 => {
            symbol: "f_ALDH",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Fraction of pool MSCs that are primitive ALDH+ (Liu 2011).",
            comment: [
                "Fraction of pool MSCs that are primitive ALDH+, dimensionless [A].",
            ],
        },
        /// Homing per pool MSC per day at saturating tumour IL6 output.
        pub homing_per_day: f64 = 0.01 => {
            symbol: "r_home",
            kind: ParamKind::Float(RATE),
            unit: "per pool cell per day",
            source: "[A]",
            description: "Homing of pool MSCs into the tumour, × H(IL6_out; K_rec) with IL6_out the tumour's IL6 output.",
            comment: [
                "Homing of each pool MSC into the tumour, per day, × H(IL6_out; k_recruit) where IL6_out",
                "is the tumour's IL6 output; homed MSCs enter at a random rim site [A]. 0.01 with",
                "k_recruit = 2: homing saturates while the tumour is small, so the MSCs' effect on the CSC",
                "fraction no longer grows with the tumour (baseline.csc_fraction: day 90 / day 45 = 1.02).",
            ],
        },
        /// K_rec: tumour IL6 output (molecules/s) at which homing is half its maximum.
        pub k_recruit: f64 = 2.0 => {
            symbol: "K_rec",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "molecules/s",
            source: "[A]",
            description: "K_rec: tumour IL6 output at which homing is half its maximum (calibrated, configs/liu2011-msc.toml).",
            comment: [
                "K_rec: tumour IL6 output at which homing is half its maximum, molecules/s. Calibrated",
                "with fields.cxcl7.secretion_per_msc (configs/liu2011-msc.toml) and homing_per_day [A].",
            ],
        },
        /// Day of an MSC injection into the bone marrow (Liu 2011); used if `inject_count > 0`.
        pub inject_day: f64 = 0.0 => {
            symbol: "t_inj",
            kind: ParamKind::Float(FloatRange::closed(0.0, 100_000.0)),
            unit: "day",
            source: "–",
            description: "Day of an MSC injection into the bone marrow (Liu 2011); used only if msc.inject_count > 0.",
            comment: [
                "Day of an MSC injection into the bone marrow (Liu 2011's tibial injection); used only if",
                "inject_count > 0 (–).",
            ],
        },
        /// MSCs injected on `inject_day` (0: no injection).
        pub inject_count: u64 = 0 => {
            symbol: "N_inj",
            kind: ParamKind::Int { min: 0, max: 1_000_000_000 },
            unit: "cells",
            source: "–",
            description: "MSCs injected on msc.inject_day; they join the pool and home from there (0: no injection).",
            comment: [
                "MSCs injected on inject_day; they join the pool and home from there, cells (–).",
            ],
        },
        /// Moves per day on the stromal layer.
        pub motility_per_day: f64 = 5.0 => {
            symbol: "r_move",
            kind: ParamKind::Float(RATE),
            unit: "sites per day",
            source: "[A]",
            description: "Moves per day of an MSC on the stromal layer.",
            comment: [
                "Moves per day of an MSC on its stromal layer (MSCs never take cancer sites), sites per",
                "day [A].",
            ],
        },
        /// Probability that a move is biased up the IL6 gradient (else to a random neighbour).
        pub chemotaxis: f64 = 0.5 => {
            symbol: "q",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Probability that a move is biased up the IL6 gradient (else to a random neighbour); 0 = unbiased walk.",
            comment: [
                "Probability that a move is biased up the IL6 gradient, else to a random neighbour",
                "(0 = unbiased walk), dimensionless [A].",
            ],
        },
        /// χ: bias strength of a biased move, neighbour `e` with probability ∝
        /// `exp(χ · û·ê) / |e|` (û the unit IL6 gradient, turned in 2D so that the drift follows
        /// it exactly; ê the unit offset).
        pub chemotaxis_bias: f64 = 3.0 => {
            symbol: "χ",
            kind: ParamKind::Float(FloatRange::at_least(0.0)),
            unit: "–",
            source: "[A]",
            description: "χ: a biased move goes to neighbour e with probability ∝ exp(χ · û·ê)/|e| (û the unit IL6 gradient, turned in 2D so the drift follows it; ê the unit offset); 0 = unbiased.",
            comment: [
                "chi: bias strength of a biased move, which goes to neighbour e with probability",
                "proportional to exp(chi * u.e) / |e| (u, e unit vectors of the IL6 gradient and of the",
                "offset; 1/|e| evens out the longer diagonal steps, and u is turned slightly in 2D so the",
                "mean step follows the gradient exactly), dimensionless, >= 0 [A].",
            ],
        },
        /// Doubling time of dividing MSCs, h.
        pub doubling_time_h: f64 = 48.0 => {
            symbol: "T_MSC",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "h",
            source: "[A]",
            description: "Doubling time of MSCs in the tumour (ALDH+ always, ALDH− while divisions are left).",
            comment: [
                "Doubling time of dividing MSCs, h: ALDH+ MSCs divide asymmetrically (ALDH+ and ALDH−),",
                "ALDH− MSCs while divisions are left [A].",
            ],
        },
        /// Divisions left to a fresh ALDH− MSC.
        pub max_divisions: u8 = 1 => {
            symbol: "d_max",
            kind: ParamKind::Int { min: 0, max: 60 },
            unit: "divisions",
            source: "[A]",
            description: "Divisions left to a fresh ALDH− MSC.",
            comment: [
                "Divisions left to a fresh ALDH− MSC [A]. Fitted to baseline.msc_share with",
                "death_per_day: ALDH+ MSCs are ≥ 1 % of tumour MSCs only if each ALDH− daughter expands",
                "little (steady ALDH−/ALDH+ ≈ inflow × 2^divisions / death); 5 divisions at 0.02/day gave",
                "0.1 % ALDH+ and MSCs 4-8 % of the tumour, 1 division at 0.1/day gives 2.5 % and 0.13 %.",
            ],
        },
        /// Death rate of MSCs in the tumour, per day.
        pub death_per_day: f64 = 0.1 => {
            symbol: "δ_MSC",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[A]",
            description: "Death of MSCs in the tumour (ALDH+ and ALDH−).",
            comment: [
                "Death of MSCs in the tumour, per day [A] (see max_divisions).",
            ],
        },
        /// b: basal CXCL7 secretion, in units of `fields.cxcl7.secretion_per_msc`.
        pub basal_cxcl7: f64 = 0.1 => {
            symbol: "b",
            kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
            unit: "–",
            source: "[A]",
            description: "b: CXCL7 secretion without IL6, in units of fields.cxcl7.secretion_per_msc.",
            comment: [
                "b: CXCL7 secretion without IL6, in units of fields.cxcl7.secretion_per_msc,",
                "dimensionless [A].",
            ],
        },
        /// ALDH+ MSCs secrete this many times more CXCL7 than ALDH− MSCs.
        pub aldh_boost: f64 = 3.0 => {
            symbol: "β",
            kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
            unit: "×",
            source: "[A]",
            description: "ALDH+ MSCs secrete this many times more CXCL7 than ALDH− MSCs (Liu 2011, qualitative).",
            comment: [
                "ALDH+ MSCs secrete this many times more CXCL7 than ALDH− ones (Liu 2011) [A].",
            ],
        },
    }
}

impl MscConfig {
    /// Whether any MSC can ever be in the simulation.
    pub fn any(&self) -> bool {
        self.pool > 0 || self.inject_count > 0
    }
}
