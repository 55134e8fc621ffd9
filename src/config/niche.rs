//! `[niche]`: tumour-derived factors, VEGFR1+ HPCs and the pre-metastatic niche
//! (docs/model.md §7.15).

use super::declare::section;
use super::param::{FloatRange, PROBABILITY, ParamKind, RATE};

section! {
    /// `[niche]` section: docs/model.md §7.15.
    ///
    /// | symbol | field | unit |
    /// |---|---|---|
    /// | T secretion | `tdsf_per_cell` | units per primary cell per day |
    /// | T clearance | `tdsf_clearance_per_day` | per day |
    /// | HPC mobilisation, linear | `mobilisation` | HPCs per unit T per day (Poisson per step) |
    /// | HPC mobilisation, saturating | `mobilisation_max`, `k_tdsf` | HPCs per day, units of T: `+ mob_max · T / (K_T + T)` |
    /// | HPC loss | `hpc_loss_per_day` | per HPC per day |
    /// | K_H, n | `k_hpc`, `hill_n` | HPCs, – : N_o = H_oⁿ / (K_Hⁿ + H_oⁿ) |
    /// | g_niche | `colonisation_gain` | × |
    /// | anti-VEGFR1 | `vegfr1_blockade` | fraction of mobilisation blocked |
    pub struct NicheConfig in "niche" {
        /// Tumour-derived factor secreted per primary cancer cell per day (arbitrary units).
        pub tdsf_per_cell: f64 = 1e-6 => {
            symbol: "s_T",
            kind: ParamKind::Float(RATE),
            unit: "units per primary cell per day",
            source: "[A]",
            description: "Tumour-derived factors (VEGF-A, PlGF: one systemic variable T, arbitrary units) secreted per primary cancer cell.",
            comment: [
                "Pre-metastatic niche (docs/model.md §7.15, Psaila, Kaplan & Lyden). Tumour-derived",
                "factors (VEGF-A, PlGF: one systemic variable T, arbitrary units) secreted per primary",
                "cancer cell per day [A].",
            ],
        },
        /// Clearance of the tumour-derived factor, per day.
        pub tdsf_clearance_per_day: f64 = 1.0 => {
            symbol: "k_T",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[A]",
            description: "Clearance of the tumour-derived factor T.",
            comment: [
                "Clearance of T, per day [A].",
            ],
        },
        /// VEGFR1+ HPCs mobilised per unit of tumour-derived factor per day (the linear part).
        pub mobilisation: f64 = 0.0 => {
            symbol: "m_lin",
            kind: ParamKind::Float(RATE),
            unit: "HPCs per unit T per day",
            source: "[A]",
            description: "VEGFR1+ HPCs mobilised from the bone marrow, Poisson with mean mobilisation · T · dt per step; calibrated [A] so that the first niche forms about 10 days after implantation (Kaplan 2005).",
            comment: [
                "VEGFR1+ bone-marrow HPCs mobilised per unit T per day, linear part (a Poisson number per",
                "step with mean mobilisation · T · dt) [A]. 0 in model v2: a linear law grows HPCs with the",
                "tumour (57 × K_H in the lung by day 30, every organ saturated); mobilisation saturates",
                "instead (mobilisation_max, k_tdsf).",
            ],
        },
        /// mob_max: the plateau of the saturating part of HPC mobilisation, HPCs per day
        /// (`mob_max · T / (K_T + T)`; 0 = none).
        pub mobilisation_max: f64 = 119.0 => {
            symbol: "mob_max",
            kind: ParamKind::Float(RATE),
            unit: "HPCs per day",
            source: "[A]",
            description: "mob_max: plateau of the saturating part of HPC mobilisation, mob_max · T / (K_T + T) per day added to the linear part (0 = none), so that HPC counts plateau instead of growing with the tumour.",
            comment: [
                "mob_max: plateau of a saturating part of HPC mobilisation, mob_max · T / (K_T + T) HPCs",
                "per day added to the linear part (0 = none) [A]. Fitted in closed form (docs/model.md",
                "§8.6): a lung at homing weight w = 0.4 and loss 0.2/day holds H = w·M/0.2 HPCs, so its",
                "niche (H = K_H = 50) forms when M ≈ 25/day and plateaus at 2-4 × K_H when M ≈ 50-100/day.",
                "The graft makes T ≈ 0.0025 on day 10 and 0.016 on day 30; M(0.0025) = 25 and M(0.016)",
                "= 75 give mob_max = 119 and K_T = 0.0094. Measured (kaplan2005.*): lung niche on day",
                "13.9, HPCs 2.7 × K_H on days 25-35.",
            ],
        },
        /// K_T: tumour-derived factor at half of `mobilisation_max` (units of T).
        pub k_tdsf: f64 = 0.0094 => {
            symbol: "K_T",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "units of T",
            source: "[A]",
            description: "K_T: tumour-derived factor at which the saturating mobilisation is half of mobilisation_max.",
            comment: [
                "K_T: tumour-derived factor at half of mobilisation_max, in units of T [A]. See",
                "mobilisation_max.",
            ],
        },
        /// Loss of HPCs from an organ, per HPC per day.
        pub hpc_loss_per_day: f64 = 0.2 => {
            symbol: "ℓ",
            kind: ParamKind::Float(RATE),
            unit: "per HPC per day",
            source: "[A]",
            description: "Loss of HPCs from an organ.",
            comment: [
                "Loss of HPCs from an organ, per HPC per day [A].",
            ],
        },
        /// K_H: organ HPCs at half-maximal niche level.
        pub k_hpc: f64 = 50.0 => {
            symbol: "K_H",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "HPCs",
            source: "[A]",
            description: "K_H: organ HPCs at half-maximal niche level N_o = H_oⁿ/(K_Hⁿ + H_oⁿ); a niche is formed at N_o ≥ 0.5.",
            comment: [
                "K_H: organ HPCs at half-maximal niche level N_o = H_oⁿ / (K_Hⁿ + H_oⁿ), in HPCs; a niche",
                "is formed at N_o ≥ 0.5 [A].",
            ],
        },
        /// Hill coefficient n of the niche level.
        pub hill_n: f64 = 2.0 => {
            symbol: "n_H",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "–",
            source: "[A]",
            description: "n: Hill coefficient of the niche level.",
            comment: [
                "n: Hill coefficient of the niche level, dimensionless [A].",
            ],
        },
        /// g_niche: colonisation and waking gain of a full niche (N_o = 1).
        pub colonisation_gain: f64 = 10.0 => {
            symbol: "g_niche",
            kind: ParamKind::Float(RATE),
            unit: "×",
            source: "[A]",
            description: "g_niche: gain of colonisation and waking in a full niche (N_o = 1), × (1 + g_niche · N_o).",
            comment: [
                "g_niche: colonisation and waking in an organ are × (1 + g_niche · N_o), × [A].",
            ],
        },
        /// Fraction of HPC mobilisation blocked for the whole run (anti-VEGFR1 at constant
        /// exposure; docs/model.md §7.16: 0.95).
        pub vegfr1_blockade: f64 = 0.0 => {
            symbol: "b_VEGFR1",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Fraction of HPC mobilisation blocked for the whole run (anti-VEGFR1 at constant exposure; docs/model.md §7.16: 0.95).",
            comment: [
                "Fraction of HPC mobilisation blocked for the whole run, as by anti-VEGFR1 at constant",
                "exposure (docs/model.md §7.16: 0.95), dimensionless [A].",
            ],
        },
    }
}
