//! Fate rules of the cancer-cell hierarchy (docs/model.md §7.2–7.8), per step of `dt`
//! hours.
//!
//! | symbol | field | unit | meaning |
//! |---|---|---|---|
//! | p_div | `p_div` | per step | division attempt, `dt / cycle_time` |
//! | p_s | `p_symmetric` | per CSC division | symmetric (CSC) daughter |
//! | p_s_max | `p_symmetric_max` | per CSC division | cap of the cytokine-raised p_s |
//! | ρmax | `rho_max` | divisions | capacity of a fresh progenitor |
//! | α | `alpha` | per progenitor division attempt | death at division |
//! | p_mig | `p_mig` | per step | migration, `μ · dt` |
//! | p_dedif | `p_dedif_base` | per step | plasticity, `r_dedif · dt` |
//! | α_bg · dt | `p_death_non_stem` | per step | background death of non-stem cells |
//! | α_s · dt | `p_death_stem` | per step | CSC death |
//! | r_loss · dt | `p_stemness_loss` | per step | a CSC becomes `Progenitor(ρmax)` |
//! | ρ_dedif | `dedif_min_rho` | divisions | least ρ of a cell that can dedifferentiate |
//! | h_chemo | `p_chemo_stem`, `p_chemo_non_stem` | per step | death by chemotherapy while on |
//!
//! `p_s_eff = min(p_s_max, p_s · (1 + g_IL6 · H(IL6; K_IL6, n) + g_CXCL7 · H(CXCL7; K_CXCL7, n)))`
//! and `p_dedif = r_dedif · dt · (1 + g_plast · H(IL6; K_IL6, n))`, with
//! `H(c; K, n) = cⁿ / (Kⁿ + cⁿ)`. A blockade (`signalling.il6_blockade`,
//! `signalling.cxcr2_blockade`) multiplies the IL6 or CXCL7 Hill terms by `1 − blockade`.

use crate::config::Config;
use crate::units::per_step;

/// Hill function `H(c; K, n) = cⁿ / (Kⁿ + cⁿ)`, 0 for c ≤ 0.
#[inline]
pub fn hill(c: f64, k: f64, n: f64) -> f64 {
    if c <= 0.0 {
        return 0.0;
    }
    if n == 1.0 {
        // The default Hill coefficient: no powers needed.
        return c / (k + c);
    }
    // cⁿ/(Kⁿ + cⁿ) = 1/(1 + (K/c)ⁿ): no overflow to ∞/∞ for large n or c.
    1.0 / (1.0 + (k / c).powf(n))
}

/// Per-step probabilities of the hierarchy rules, derived from a validated config.
#[derive(Debug, Clone, PartialEq)]
pub struct HierarchyRates {
    /// Division attempt per step.
    pub p_div: f64,
    /// Base symmetric-division probability.
    pub p_symmetric: f64,
    /// Cap on the raised symmetric-division probability.
    pub p_symmetric_max: f64,
    /// ρmax.
    pub rho_max: u8,
    /// Death at a progenitor division attempt.
    pub alpha: f64,
    /// Migration per step (only when not attempting division).
    pub p_mig: f64,
    /// Base dedifferentiation per step of a non-stem cell.
    pub p_dedif_base: f64,
    /// Background death per step of a non-stem cell.
    pub p_death_non_stem: f64,
    /// Death per step of a CSC.
    pub p_death_stem: f64,
    /// Stemness loss per step of a CSC (it becomes `Progenitor(ρmax)`).
    pub p_stemness_loss: f64,
    /// Least ρ of a non-stem cell that can dedifferentiate (0: every non-stem cell).
    pub dedif_min_rho: u8,
    /// K_IL6, ng/mL.
    pub k_il6: f64,
    /// K_CXCL7, ng/mL.
    pub k_cxcl7: f64,
    /// Hill coefficient.
    pub hill_n: f64,
    /// g_IL6.
    pub gain_il6: f64,
    /// g_CXCL7.
    pub gain_cxcl7: f64,
    /// g_plast.
    pub gain_plasticity: f64,
    /// g_sec: gain of IL6 secretion by CXCL7.
    pub gain_il6_secretion: f64,
    /// IL6 signalling left after blockade, `1 − signalling.il6_blockade`: multiplies every
    /// IL6 Hill term.
    pub il6_signal: f64,
    /// CXCL7 signalling left after CXCR2 blockade, `1 − signalling.cxcr2_blockade`.
    pub cxcl7_signal: f64,
    /// Death of a CSC per step by chemotherapy (0 without).
    pub p_chemo_stem: f64,
    /// Death of a non-stem cell per step by chemotherapy (0 without).
    pub p_chemo_non_stem: f64,
}

impl HierarchyRates {
    /// Per-step probabilities for the step `run.dt_h` of `config`.
    pub fn from_config(config: &Config) -> Self {
        let dt = config.run.dt_h;
        let c = &config.cells;
        let s = &config.signalling;
        HierarchyRates {
            p_div: dt / c.cycle_time_h,
            p_symmetric: c.p_symmetric,
            p_symmetric_max: c.p_symmetric_max,
            rho_max: c.rho_max,
            alpha: c.death_at_division,
            p_mig: per_step(c.migration_per_day, dt),
            p_dedif_base: per_step(c.dedifferentiation_per_day, dt),
            p_death_non_stem: per_step(c.background_death_per_day, dt),
            p_death_stem: per_step(c.csc_death_per_day, dt),
            p_stemness_loss: per_step(c.stemness_loss_per_day, dt),
            dedif_min_rho: c.dedifferentiation_min_rho,
            k_il6: s.k_il6_ng_ml,
            k_cxcl7: s.k_cxcl7_ng_ml,
            hill_n: s.hill_n,
            gain_il6: s.gain_il6,
            gain_cxcl7: s.gain_cxcl7,
            gain_plasticity: s.gain_plasticity,
            gain_il6_secretion: s.gain_il6_secretion,
            il6_signal: 1.0 - s.il6_blockade,
            cxcl7_signal: 1.0 - s.cxcr2_blockade,
            p_chemo_stem: 0.0,
            p_chemo_non_stem: 0.0,
        }
    }

    /// Effective symmetric-division probability at local IL6 and CXCL7 (ng/mL).
    #[inline]
    pub fn p_symmetric_eff(&self, il6: f64, cxcl7: f64) -> f64 {
        let raise = 1.0 + self.gain_il6 * self.h_il6(il6) + self.gain_cxcl7 * self.h_cxcl7(cxcl7);
        (self.p_symmetric * raise).min(self.p_symmetric_max.max(self.p_symmetric))
    }

    /// Dedifferentiation probability per step of a non-stem cell at local IL6 (ng/mL).
    #[inline]
    pub fn p_dedif(&self, il6: f64) -> f64 {
        self.p_dedif_base * (1.0 + self.gain_plasticity * self.h_il6(il6))
    }

    /// The IL6 Hill term as the cells feel it: `(1 − il6_blockade) · H(IL6; K_IL6, n)`.
    #[inline]
    pub fn h_il6(&self, il6: f64) -> f64 {
        self.il6_signal * hill(il6, self.k_il6, self.hill_n)
    }

    /// The CXCL7 Hill term as the cells feel it: `(1 − cxcr2_blockade) · H(CXCL7; K_CXCL7, n)`.
    #[inline]
    pub fn h_cxcl7(&self, cxcl7: f64) -> f64 {
        self.cxcl7_signal * hill(cxcl7, self.k_cxcl7, self.hill_n)
    }

    /// Largest per-step probability of a rare event (death or plasticity) for any cell at
    /// any cytokine level: the rate at which sites are sampled before thinning.
    pub fn p_rare_max(&self) -> f64 {
        let non_stem = self.p_death_non_stem
            + self.p_chemo_non_stem
            + self.p_dedif_base * (1.0 + self.gain_plasticity);
        non_stem
            .max(self.p_death_stem + self.p_chemo_stem + self.p_stemness_loss)
            .min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hill_values() {
        assert_eq!(hill(0.0, 1.0, 1.0), 0.0);
        assert!((hill(1.0, 1.0, 1.0) - 0.5).abs() < 1e-12);
        assert!((hill(3.0, 1.0, 2.0) - 0.9).abs() < 1e-12);
        // Large coefficients and levels stay finite (a step function in the limit).
        assert_eq!(hill(1e6, 50.0, 400.0), 1.0);
        assert!(hill(10.0, 50.0, 400.0) < 1e-250);
        assert!((hill(50.0, 50.0, 400.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn symmetric_probability_is_raised_and_capped() {
        let mut cfg = Config::default();
        cfg.cells.p_symmetric = 0.1;
        cfg.cells.p_symmetric_max = 0.5;
        let r = HierarchyRates::from_config(&cfg);
        assert_eq!(r.p_symmetric_eff(0.0, 0.0), 0.1);
        // IL6 at K: 0.1 * (1 + 1 * 0.5) = 0.15
        assert!((r.p_symmetric_eff(1.0, 0.0) - 0.15).abs() < 1e-12);
        // Saturating both: 0.1 * (1 + 1 + 2) = 0.4 < 0.5
        assert!((r.p_symmetric_eff(1e9, 1e9) - 0.4).abs() < 1e-6);
        cfg.cells.p_symmetric_max = 0.3;
        let r = HierarchyRates::from_config(&cfg);
        assert!((r.p_symmetric_eff(1e9, 1e9) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn plasticity_is_raised_by_il6() {
        let mut cfg = Config::default();
        cfg.signalling.gain_plasticity = 3.0;
        cfg.cells.dedifferentiation_per_day = 0.004;
        let r = HierarchyRates::from_config(&cfg);
        let base = 0.004 / 24.0;
        assert!((r.p_dedif(0.0) - base).abs() < 1e-15);
        assert!((r.p_dedif(1.0) - base * 2.5).abs() < 1e-15);
        assert!(r.p_rare_max() >= r.p_dedif(1e9));
        // A blockade scales the IL6 term.
        cfg.signalling.il6_blockade = 0.9;
        let b = HierarchyRates::from_config(&cfg);
        assert!((b.p_dedif(1.0) - base * 1.15).abs() < 1e-15);
        cfg.signalling.cxcr2_blockade = 0.5;
        cfg.signalling.gain_il6 = 0.0;
        cfg.cells.p_symmetric = 0.1;
        let c = HierarchyRates::from_config(&cfg);
        // 0.1 · (1 + 2 · 0.5 · H(5; 5)) = 0.15.
        assert!((c.p_symmetric_eff(0.0, 5.0) - 0.15).abs() < 1e-12);
    }
}
