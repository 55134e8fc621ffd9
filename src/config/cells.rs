//! `[cells]` and `[signalling]`: the rules of the cancer-cell hierarchy and the Hill terms by
//! which cytokines modulate them.

use super::declare::section;
use super::param::{FloatRange, PROBABILITY, ParamKind, RATE};

section! {
    /// `[cells]` section: docs/model.md §7.2–7.8.
    pub struct CellsConfig in "cells" {
        /// Cell cycle time in hours; p_div = dt / cycle_time.
        pub cycle_time_h: f64 = 24.0 => {
            symbol: "T_c",
            kind: ParamKind::Float(FloatRange::closed(1.0, 1000.0)),
            unit: "h",
            source: "[V]",
            description: "Cell cycle time; p_div = dt / cycle_time (typical range 18–48 h).",
            comment: [
                "Cell cycle time in hours; p_div = dt / cycle_time (docs/model.md §7.2, range 18–48 h) [V].",
            ],
        },
        /// Base probability p_s that a CSC division is symmetric (CSC daughter).
        pub p_symmetric: f64 = 0.3 => {
            symbol: "p_s",
            kind: ParamKind::Float(PROBABILITY),
            unit: "per CSC division",
            source: "[V]",
            description: "p_s: base probability that a CSC division is symmetric (typical range 0.01–0.3).",
            comment: [
                "p_s: base probability that a CSC division is symmetric (gives a CSC daughter), per CSC",
                "division (docs/model.md §7.3, range 0.01–0.3) [V]. Fitted to \"growth driven by CSCs\"",
                "(baseline.csc_driven): at 0.1 a tumour without plasticity stays near 15,000 cells on day",
                "90 (one tenth of one with it); at 0.3, the range's top, it keeps 80 % of the default.",
            ],
        },
        /// Cap p_s_max on the cytokine-raised symmetric probability.
        pub p_symmetric_max: f64 = 0.5 => {
            symbol: "p_s_max",
            kind: ParamKind::Float(PROBABILITY),
            unit: "per CSC division",
            source: "[A]",
            description: "p_s_max: cap on the cytokine-raised symmetric probability; must be ≥ cells.p_symmetric.",
            comment: [
                "p_s_max: cap on the cytokine-raised symmetric probability, per CSC division; must be at",
                "least p_symmetric (docs/model.md §7.3) [A].",
            ],
        },
        /// ρmax: divisions left to a fresh progenitor.
        pub rho_max: u8 = 10 => {
            symbol: "ρmax",
            kind: ParamKind::Int { min: 0, max: 20 },
            unit: "divisions",
            source: "[V]",
            description: "ρmax: divisions left to a fresh progenitor (typical range 5–20; at most 20 by lattice encoding).",
            comment: [
                "ρmax: divisions left to a fresh progenitor, in divisions (docs/model.md §7.4,",
                "range 5–20) [V].",
            ],
        },
        /// α: probability a progenitor dies at a division attempt.
        pub death_at_division: f64 = 0.01 => {
            symbol: "α",
            kind: ParamKind::Float(PROBABILITY),
            unit: "per progenitor division attempt",
            source: "[V]",
            description: "α: probability that a progenitor dies at a division attempt (typical range 0–0.3).",
            comment: [
                "α: probability that a progenitor dies at a division attempt, per attempt",
                "(docs/model.md §7.4, range 0–0.3) [V].",
            ],
        },
        /// μ: migration in cell widths per day; p_mig = μ·dt.
        pub migration_per_day: f64 = 10.0 => {
            symbol: "μ",
            kind: ParamKind::Float(RATE),
            unit: "cell widths per day",
            source: "[V]",
            description: "μ: migration; p_mig = μ · dt (typical range 0–15).",
            comment: [
                "μ: migration in cell widths per day; p_mig = μ · dt (docs/model.md §7.5, range 0–15) [V].",
            ],
        },
        /// r_dedif: base dedifferentiation rate of non-stem cells, per day.
        pub dedifferentiation_per_day: f64 = 0.008 => {
            symbol: "r_dedif",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[A]",
            description: "r_dedif: base rate at which non-stem cells become CSCs, raised by IL6 (derived from Gupta 2011).",
            comment: [
                "r_dedif: base rate at which a non-stem cell turns into a CSC, per day, raised by IL6",
                "(docs/model.md §7.7) [A]. Fitted with dedifferentiation_min_rho: plasticity of the",
                "youngest progeny only (ρ ≥ 9) at 0.008/day keeps dedifferentiations below symmetric CSC",
                "divisions (0.68 of them over 120 days) while the CSC fraction stays at equilibrium.",
                "Trade-off (docs/model.md §8.6): Gupta 2011's regain of 1-8 % CSCs in 7 days needs about",
                "0.03/day, which makes the fraction climb (day 90 / day 45 = 2.0) and lets",
                "dedifferentiation match symmetric divisions.",
            ],
        },
        /// α_bg: background death of non-stem cells, per day.
        pub background_death_per_day: f64 = 0.03 => {
            symbol: "α_bg",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[V]",
            description: "α_bg: background death of non-stem cells, with or without space.",
            comment: [
                "α_bg: background death of non-stem cells, per day, with or without space",
                "(docs/model.md §7.6) [V]. 0.03/day: tissue turnover (tumours lose a large share of the",
                "cells they make), which frees space inside the mass; fitted with the stemness loss to the",
                "flat CSC fraction of baseline.csc_fraction_no_msc (0.02-0.05 tried; 0.05 climbed 1.5x).",
            ],
        },
        /// α_s: CSC death, per day.
        pub csc_death_per_day: f64 = 0.0 => {
            symbol: "α_s",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[V]",
            description: "α_s: death of CSCs.",
            comment: [
                "α_s: death of CSCs, per day (docs/model.md §7.6) [V].",
            ],
        },
        /// r_loss: rate at which a CSC loses stemness and becomes a `Progenitor(ρmax)`, per
        /// day, with or without space (two-way state transitions, Gupta 2011).
        pub stemness_loss_per_day: f64 = 0.04 => {
            symbol: "r_loss",
            kind: ParamKind::Float(RATE),
            unit: "per day",
            source: "[A]",
            description: "r_loss: rate at which a CSC loses stemness and becomes a Progenitor(ρmax), with or without space (two-way transitions, Gupta 2011).",
            comment: [
                "r_loss: rate at which a CSC loses stemness and becomes a Progenitor(ρmax), per day, with",
                "or without space (two-way state transitions, Gupta 2011) [A]. Fitted to the equilibrium",
                "of baseline.csc_fraction_no_msc by configs/sweeps/calibrate-hierarchy.toml (0.02, 0.03,",
                "0.04): 0.04 gives 1.5 % CSCs on day 90, day 90 / day 45 = 1.3 (0.02: 1.5, still",
                "climbing), and keeps 80 % of the size without plasticity. Gupta 2011's return of a",
                "100 %-CSC population within days would need ≥ 0.2/day, which no CSC-driven tumour",
                "survives (at 0.1/day it stays near 15,000 cells without plasticity; §8.6).",
            ],
        },
        /// ρ_dedif: the least ρ (divisions left) of a non-stem cell that can dedifferentiate;
        /// 0 = any non-stem cell.
        pub dedifferentiation_min_rho: u8 = 9 => {
            symbol: "ρ_dedif",
            kind: ParamKind::Int { min: 0, max: 21 },
            unit: "divisions",
            source: "[A]",
            description: "ρ_dedif: least ρ (divisions left) of a non-stem cell that can dedifferentiate; 0 = any non-stem cell, above ρmax = none.",
            comment: [
                "ρ_dedif: least ρ (divisions left) of a non-stem cell that can dedifferentiate, in",
                "divisions; 0 = any non-stem cell [A]. 9: only a CSC's youngest progeny (ρ = 9, 10; 2.5 %",
                "of the day-90 tumour) can revert, so plasticity cannot take over growth.",
            ],
        },
        /// T_clear: hours for which a primary cell that dies (background death, death at
        /// division, CSC death, chemo, radiation) leaves debris blocking its site, for
        /// `round(T_clear / dt)` steps; 0 = its site is empty at once (the reference rule).
        pub clearance_h: f64 = 0.0 => {
            symbol: "T_clear",
            kind: ParamKind::Float(FloatRange::closed(0.0, 240.0)),
            unit: "h",
            source: "[A]",
            description: "T_clear: a primary cell that dies (not one resected or shed) leaves debris blocking its site for round(T_clear / dt) steps (apoptotic clearance takes 1–3 days in tissue); 0 = cleared at once.",
            comment: [
                "T_clear: hours for which a cell that dies in the primary (background death, death at",
                "division, CSC death, chemo, radiation; not a resected or shed cell) leaves debris that",
                "blocks its site, round(T_clear / dt) steps; 0 = its site is empty at once (apoptotic",
                "clearance takes 1–3 days in tissue) [A].",
            ],
        },
    }
}

section! {
    /// `[signalling]` section: Hill terms H(c; K, n) = cⁿ/(Kⁿ + cⁿ) (docs/model.md §7.1).
    pub struct SignallingConfig in "signalling" {
        /// K_IL6 in ng/mL.
        pub k_il6_ng_ml: f64 = 1.0 => {
            symbol: "K_IL6",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "ng/mL",
            source: "[A]",
            description: "K_IL6: half-saturation of the IL6 Hill term H(c; K, n) = cⁿ/(Kⁿ + cⁿ).",
            comment: [
                "K_IL6: half-saturation of the IL6 Hill term H(c; K, n) = cⁿ/(Kⁿ + cⁿ), in ng/mL",
                "(docs/model.md §7.1) [A].",
            ],
        },
        /// K_CXCL7 in ng/mL.
        pub k_cxcl7_ng_ml: f64 = 5.0 => {
            symbol: "K_CXCL7",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "ng/mL",
            source: "[A]",
            description: "K_CXCL7: half-saturation of the CXCL7 Hill term.",
            comment: [
                "K_CXCL7: half-saturation of the CXCL7 Hill term, in ng/mL (docs/model.md §7.1) [A].",
            ],
        },
        /// Hill coefficient n.
        pub hill_n: f64 = 1.0 => {
            symbol: "n",
            kind: ParamKind::Float(FloatRange::closed(0.1, 10.0)),
            unit: "–",
            source: "[A]",
            description: "n: Hill coefficient of both Hill terms.",
            comment: [
                "n: Hill coefficient of both Hill terms, dimensionless (docs/model.md §7.1) [A].",
            ],
        },
        /// g_IL6: gain of p_s by IL6.
        pub gain_il6: f64 = 1.0 => {
            symbol: "g_IL6",
            kind: ParamKind::Float(RATE),
            unit: "–",
            source: "[A]",
            description: "g_IL6: gain of the symmetric-division probability p_s by IL6.",
            comment: [
                "g_IL6: gain of the symmetric-division probability p_s by IL6, dimensionless",
                "(docs/model.md §7.3) [A].",
            ],
        },
        /// g_CXCL7: gain of p_s by CXCL7.
        pub gain_cxcl7: f64 = 2.0 => {
            symbol: "g_CXCL7",
            kind: ParamKind::Float(RATE),
            unit: "–",
            source: "[A]",
            description: "g_CXCL7: gain of the symmetric-division probability p_s by CXCL7.",
            comment: [
                "g_CXCL7: gain of the symmetric-division probability p_s by CXCL7, dimensionless",
                "(docs/model.md §7.3) [A].",
            ],
        },
        /// g_plast: gain of dedifferentiation by IL6.
        pub gain_plasticity: f64 = 6.0 => {
            symbol: "g_plast",
            kind: ParamKind::Float(RATE),
            unit: "–",
            source: "[A]",
            description: "g_plast: gain of dedifferentiation by IL6.",
            comment: [
                "g_plast: gain of dedifferentiation by IL6, dimensionless (docs/model.md §7.7) [A].",
                "Calibrated with g_sec to the Liu 2011 arms (first specification: 3, docs/model.md §8.5;",
                "configs/liu2011-msc.toml).",
            ],
        },
        /// g_sec: gain of IL6 secretion by CXCL7.
        pub gain_il6_secretion: f64 = 20.0 => {
            symbol: "g_sec",
            kind: ParamKind::Float(RATE),
            unit: "–",
            source: "[A]",
            description: "g_sec: gain of IL6 secretion by CXCL7.",
            comment: [
                "g_sec: gain of IL6 secretion by CXCL7, dimensionless (docs/model.md §7.10) [A]. Calibrated",
                "to the Liu 2011 arms (first specification: 1, docs/model.md §8.5;",
                "configs/liu2011-msc.toml).",
            ],
        },
        /// Fraction of IL6 signalling blocked for the whole run (an anti-IL6 antibody at
        /// constant exposure): every IL6 Hill term is multiplied by `1 − il6_blockade`.
        pub il6_blockade: f64 = 0.0 => {
            symbol: "b_IL6",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Fraction of IL6 signalling blocked for the whole run (anti-IL6 at constant exposure): every IL6 Hill term × (1 − value).",
            comment: [
                "Fraction of IL6 signalling blocked for the whole run, as by an anti-IL6 antibody at",
                "constant exposure: every IL6 Hill term (p_s, plasticity, MSC CXCL7 induction, MSC",
                "homing) is multiplied by 1 − il6_blockade. 0 to 1, dimensionless [A].",
            ],
        },
        /// Fraction of CXCL7 signalling through CXCR2 blocked for the whole run (a CXCR2
        /// inhibitor at constant exposure): every CXCL7 Hill term × `1 − cxcr2_blockade`.
        pub cxcr2_blockade: f64 = 0.0 => {
            symbol: "b_CXCR2",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Fraction of CXCL7/CXCR2 signalling blocked for the whole run (CXCR2 inhibitor at constant exposure): every CXCL7 Hill term × (1 − value).",
            comment: [
                "Fraction of CXCL7 signalling through CXCR2 blocked for the whole run, as by a CXCR2",
                "inhibitor: every CXCL7 Hill term (p_s, IL6 secretion) × (1 − cxcr2_blockade) [A].",
            ],
        },
    }
}
