//! Mesenchymal stem cells (docs/model.md §7.11): per-step probabilities and secretion.
//!
//! | symbol | field | unit | meaning |
//! |---|---|---|---|
//! | p_home | `p_home_max` | per pool cell per step | homing at saturating IL6 output, `homing_per_day · dt / 24` |
//! | K_rec | `k_recruit` | molecules/s | half-saturation of homing in the tumour's IL6 output |
//! | p_move | `p_move` | per step | a move on the stromal layer, `motility_per_day · dt / 24` |
//! | q | `chemotaxis` | – | share of moves that are biased up the IL6 gradient |
//! | χ | `chemotaxis_bias` | – | bias strength: a biased move goes to neighbour e with probability ∝ `exp(χ · û·ê) / \|e\|`, û the unit IL6 gradient (turned so the drift follows it, [`crate::engine::msc::BiasedWalk`]) |
//! | p_div | `p_div` | per step | division, `dt / doubling_time_h` |
//! | d_max | `max_divisions` | divisions | capacity of a fresh ALDH− MSC |
//! | p_death | `p_death` | per step | death, `death_per_day · dt / 24` |
//! | s_CXCL7 | `cxcl7_per_msc` | molecules/s | CXCL7 secretion scale |
//! | b | `basal` | – | CXCL7 secretion without IL6 |
//! | β | `aldh_boost` | × | ALDH+ secretion factor |
//!
//! Homing per step of each pool MSC: `p_home_max · (1 − il6_blockade) · H(IL6_out; K_rec, n)`.
//! CXCL7 secretion of an MSC at local IL6: `s_CXCL7 · (b + (1 − il6_blockade) · H(IL6; K_IL6, n))`
//! (the IL6 Hill term as cancer cells feel it, [`crate::model::HierarchyRates::h_il6`]),
//! × β if ALDH+ (Liu 2011: IL6 from cancer cells induces CXCL7 in MSCs, most in ALDH+ MSCs).

use crate::config::Config;
use crate::model::hierarchy::hill;
use crate::persist::{CodecError, Persist, Reader, Writer};
use crate::units::per_step;

/// One MSC in the tumour, on the stromal layer (it does not take a cancer-cell site).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msc {
    /// Domain coordinates of its site (z = 0 in 2D).
    pub pos: [i64; 3],
    /// Primitive ALDH+ MSC (divides asymmetrically, without limit).
    pub aldh: bool,
    /// Divisions left (ALDH− only; ALDH+ MSCs ignore it).
    pub divisions_left: u8,
}

/// Checkpoint: the position (three i64), the ALDH flag and the divisions left: 26 bytes.
impl Persist for Msc {
    fn save(&self, w: &mut Writer) {
        for p in self.pos {
            w.put_i64(p);
        }
        w.put_bool(self.aldh);
        w.put_u8(self.divisions_left);
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Msc {
            pos: [r.i64()?, r.i64()?, r.i64()?],
            aldh: r.bool()?,
            divisions_left: r.u8()?,
        })
    }
}

/// Per-step MSC probabilities and secretion parameters derived from a validated config.
#[derive(Debug, Clone, PartialEq)]
pub struct MscRates {
    /// Homing per pool MSC per step at saturating tumour IL6 output.
    pub p_home_max: f64,
    /// K_rec, molecules/s.
    pub k_recruit: f64,
    /// κ = `run.cells_per_agent`: cells per cancer-cell agent, × the cancer cells' IL6
    /// output that drives homing.
    pub cells_per_agent: f64,
    /// Move per step.
    pub p_move: f64,
    /// q: share of moves biased up the IL6 gradient.
    pub chemotaxis: f64,
    /// χ: bias strength of a biased move.
    pub chemotaxis_bias: f64,
    /// Division per step.
    pub p_div: f64,
    /// Divisions of a fresh ALDH− MSC.
    pub max_divisions: u8,
    /// Death per step.
    pub p_death: f64,
    /// CXCL7 secretion scale, molecules/s.
    pub cxcl7_per_msc: f64,
    /// IL6 secretion scale, molecules/s (0 in the defaults).
    pub il6_per_msc: f64,
    /// Basal CXCL7 secretion b.
    pub basal: f64,
    /// ALDH+ secretion factor.
    pub aldh_boost: f64,
    /// Hill coefficient.
    pub hill_n: f64,
}

impl MscRates {
    /// Rates for the step `run.dt_h` of `config`.
    pub fn from_config(config: &Config) -> Self {
        let m = &config.msc;
        let dt = config.run.dt_h;
        MscRates {
            p_home_max: per_step(m.homing_per_day, dt),
            k_recruit: m.k_recruit,
            cells_per_agent: config.run.cells_per_agent,
            p_move: per_step(m.motility_per_day, dt),
            chemotaxis: m.chemotaxis,
            chemotaxis_bias: m.chemotaxis_bias,
            p_div: dt / m.doubling_time_h,
            max_divisions: m.max_divisions,
            p_death: per_step(m.death_per_day, dt),
            cxcl7_per_msc: config.fields.cxcl7.secretion_per_msc,
            il6_per_msc: config.fields.il6.secretion_per_msc,
            basal: m.basal_cxcl7,
            aldh_boost: m.aldh_boost,
            hill_n: config.signalling.hill_n,
        }
    }

    /// Homing probability per pool MSC this step, given the tumour's IL6 output in
    /// molecules/s as the bone marrow sees it (κ applied:
    /// [`Cytokines::systemic_il6_output`](crate::engine::Cytokines::systemic_il6_output)) and
    /// the IL6 signalling left this step, `il6_signal` =
    /// [`HierarchyRates::il6_signal`](crate::model::HierarchyRates::il6_signal): `1 −
    /// signalling.il6_blockade`, times `1 − efficacy` while an anti-IL6 therapy is on.
    pub fn p_home(&self, il6_output: f64, il6_signal: f64) -> f64 {
        self.p_home_max * il6_signal * hill(il6_output, self.k_recruit, self.hill_n)
    }

    /// Secretion multiplier of an MSC whose local IL6 gives the Hill term `h_il6` as the
    /// cells feel it ([`HierarchyRates::h_il6`](crate::model::HierarchyRates::h_il6),
    /// blockade included): `b + h_il6`, × β for ALDH+. Multiply by `cxcl7_per_msc` (or
    /// `il6_per_msc`) for molecules/s.
    pub fn induction(&self, aldh: bool, h_il6: f64) -> f64 {
        let boost = if aldh { self.aldh_boost } else { 1.0 };
        (self.basal + h_il6) * boost
    }

    /// Whether an MSC can divide now.
    pub fn can_divide(&self, msc: &Msc) -> bool {
        msc.aldh || msc.divisions_left > 0
    }

    /// The two MSCs after a division of `msc` (the mother keeps its site; the daughter's
    /// position is set by the caller). ALDH+ divides asymmetrically: it stays ALDH+ and
    /// gives an ALDH− daughter with `max_divisions`; an ALDH− MSC gives two ALDH− cells
    /// with one division fewer.
    pub fn divide(&self, msc: &Msc) -> (Msc, Msc) {
        if msc.aldh {
            (
                *msc,
                Msc {
                    pos: msc.pos,
                    aldh: false,
                    divisions_left: self.max_divisions,
                },
            )
        } else {
            let left = msc.divisions_left.saturating_sub(1);
            let m = Msc {
                divisions_left: left,
                ..*msc
            };
            (m, m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HierarchyRates;

    #[test]
    fn aldh_pos_divides_asymmetrically_and_aldh_neg_exhausts() {
        let r = MscRates::from_config(&Config::default());
        let stem = Msc {
            pos: [1, 2, 0],
            aldh: true,
            divisions_left: 0,
        };
        let (a, b) = r.divide(&stem);
        assert!(a.aldh && !b.aldh);
        assert_eq!(b.divisions_left, r.max_divisions);
        // An ALDH− lineage from one cell gives at most 2^max_divisions cells.
        let mut cells = vec![b];
        loop {
            let mut next = Vec::new();
            let mut divided = false;
            for c in &cells {
                if r.can_divide(c) {
                    let (x, y) = r.divide(c);
                    next.push(x);
                    next.push(y);
                    divided = true;
                } else {
                    next.push(*c);
                }
            }
            cells = next;
            if !divided {
                break;
            }
        }
        assert_eq!(cells.len(), 1 << r.max_divisions);
    }

    #[test]
    fn induction_and_homing_follow_the_hill_terms() {
        let mut cfg = Config::default();
        cfg.msc.basal_cxcl7 = 0.1;
        cfg.msc.aldh_boost = 3.0;
        cfg.signalling.k_il6_ng_ml = 2.0;
        let r = MscRates::from_config(&cfg);
        let h = HierarchyRates::from_config(&cfg);
        assert!((r.induction(false, h.h_il6(0.0)) - 0.1).abs() < 1e-12);
        assert!((r.induction(false, h.h_il6(2.0)) - 0.6).abs() < 1e-12);
        assert!((r.induction(true, h.h_il6(2.0)) - 1.8).abs() < 1e-12);
        assert_eq!(r.p_home(0.0, h.il6_signal), 0.0);
        let half = r.p_home(cfg.msc.k_recruit, h.il6_signal);
        assert!((half - 0.5 * cfg.msc.homing_per_day / 24.0).abs() < 1e-15);
        // Blocking IL6 scales both IL6 terms.
        cfg.signalling.il6_blockade = 0.9;
        let b = MscRates::from_config(&cfg);
        let hb = HierarchyRates::from_config(&cfg);
        assert!((b.induction(false, hb.h_il6(2.0)) - (0.1 + 0.05)).abs() < 1e-12);
        assert!((b.p_home(cfg.msc.k_recruit, hb.il6_signal) - 0.1 * half).abs() < 1e-15);
    }
}
