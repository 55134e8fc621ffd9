//! `[fields]`, `[fields.il6]` and `[fields.cxcl7]`: the cytokine fields and their solver
//! (docs/model.md §7.10).

use serde::{Deserialize, Serialize};

use super::declare::section;
use super::param::{FloatRange, ParamKind};

/// Allowed molecular masses, kDa: above 0 and at most 10⁴ (no protein is heavier; titin,
/// the largest, is about 3.8·10³ kDa). Wider values only turned concentrations infinite.
const MOLECULAR_MASS_KDA: FloatRange = FloatRange::open_closed(0.0, 10_000.0);

/// Boundary condition of a cytokine field at the edge of its grid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// No flux across the edge.
    NoFlux,
    /// The concentration beyond the edge is held at `far_field_ng_ml`.
    #[default]
    Fixed,
}

section! {
    /// `[fields]` section: the cytokine grid and its solver.
    pub struct FieldsConfig in "fields" {
        /// Whether the fields are simulated (off in R0).
        pub enabled: bool = true => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Simulate the IL6 and CXCL7 fields (off in R0).",
            comment: [
                "Simulate the cytokine fields IL6 and CXCL7 (docs/model.md §7.10): diffusion, decay,",
                "secretion by cancer cells, uptake, on a grid aligned with the lattice (technical, –).",
            ],
        },
        /// Lattice sites per field cell along each axis (1, 2, 4 or 8).
        pub coarsen: u32 = 4 => {
            symbol: "c",
            kind: ParamKind::Int { min: 1, max: 8 },
            unit: "sites",
            source: "–",
            description: "Lattice sites per field cell along each axis: 1, 2, 4 or 8.",
            comment: [
                "Lattice sites per field cell along each axis: 1, 2, 4 or 8. The diffusion length",
                "sqrt(D/λ) is about 50 sites for IL6, so 4 loses little accuracy (technical, –).",
            ],
        },
        /// Implicit solver sub-steps per cell step.
        pub substeps: u32 = 1 => {
            symbol: "n_sub",
            kind: ParamKind::Int { min: 1, max: 100 },
            unit: "per cell step",
            source: "–",
            description: "Implicit (Douglas ADI) diffusion sub-steps per cell step.",
            comment: [
                "Implicit (Douglas ADI) solver sub-steps per cell step. Its steady state does not",
                "depend on them; more sub-steps follow fast changes more closely (technical, –).",
            ],
        },
    }
    tables {
        /// `[fields.il6]`.
        pub il6: CytokineConfig = CytokineConfig::il6(),
        /// `[fields.cxcl7]`.
        pub cxcl7: CytokineConfig = CytokineConfig::cxcl7(),
    }
}

/// One cytokine: `∂c/∂t = D ∇²c − λ c + S(x) − U(x) c`, c in ng/mL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CytokineConfig {
    /// D, cm²/s.
    pub diffusion_cm2_per_s: f64,
    /// λ, 1/h.
    pub decay_per_h: f64,
    /// Secretion per non-stem cancer cell, molecules/s.
    pub secretion_per_cell: f64,
    /// Secretion per CSC, molecules/s.
    pub secretion_per_csc: f64,
    /// Secretion per MSC, molecules/s, induced by local IL6: × (b + H(IL6)) with
    /// b = `msc.basal_cxcl7`, and × `msc.aldh_boost` for ALDH+ MSCs.
    pub secretion_per_msc: f64,
    /// Uptake per cancer cell, 1/h (U = rate × cells in the field cell / sites in it).
    pub uptake_per_h: f64,
    /// Molecular mass in kDa (converts molecules to ng). At most 10⁴ kDa: no protein is
    /// heavier (titin, the largest, is about 3.8·10³ kDa), and absurd masses such as 10³⁰⁰
    /// made every concentration infinite.
    pub molecular_mass_kda: f64,
    /// Boundary condition at the edge of the field grid.
    pub boundary: BoundaryKind,
    /// Concentration held beyond a fixed boundary, ng/mL.
    pub far_field_ng_ml: f64,
}

section! {
    impl CytokineConfig {
        /// The default IL6 parameters (docs/model.md §7.10).
        pub fn il6() -> Self, const IL6 in "fields.il6" {
            diffusion_cm2_per_s = 5e-7 => {
                symbol: "D_IL6",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e-3)),
                unit: "cm²/s",
                source: "[A]",
                description: "D: diffusion coefficient of IL6.",
                comment: [
                    "D_IL6, cm²/s (docs/model.md §7.10) [A] (Stokes–Einstein gives 1.4e-6 in water).",
                ],
            },
            decay_per_h = 0.7 => {
                symbol: "λ_IL6",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e4)),
                unit: "1/h",
                source: "[A]",
                description: "λ: decay rate of IL6.",
                comment: [
                    "λ_IL6, decay per hour [A].",
                ],
            },
            secretion_per_cell = 0.001 => {
                symbol: "s_IL6",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per non-stem cell",
                source: "[A]",
                description: "Secretion of IL6 by a non-stem cancer cell (IL6: raised by CXCL7, × (1 + g_sec·H(CXCL7))).",
                comment: [
                    "s_IL6: molecules/s secreted by a non-stem cancer cell, raised by CXCL7 as",
                    "(1 + signalling.gain_il6_secretion · H(CXCL7)) [A]. The first specification listed 5/s",
                    "(docs/model.md §8.5) but wanted a large tumour's interior near 1 ng/mL; 5/s gives about",
                    "900 ng/mL (steady state s·m/(λV)). At 0.001/s a tumour without MSCs holds about",
                    "0.2 ng/mL, and MSC-induced CXCL7 raises it to 1-1.5 ng/mL: the Hill terms work in their",
                    "sensitive range (README, \"IL6 levels\").",
                ],
            },
            secretion_per_csc = 0.001 => {
                symbol: "s_IL6_csc",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per CSC",
                source: "[A]",
                description: "Secretion of IL6 by a CSC (IL6: raised by CXCL7 like non-stem cells).",
                comment: [
                    "s_IL6_csc: molecules/s secreted by a CSC, raised by CXCL7 likewise [A].",
                ],
            },
            secretion_per_msc = 0.0 => {
                symbol: "s_IL6_msc",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per MSC",
                source: "[A]",
                description: "Secretion by an MSC, induced by local IL6: × (msc.basal_cxcl7 + H(IL6)), × msc.aldh_boost for ALDH+ MSCs.",
                comment: [
                    "IL6 secreted by an MSC, molecules/s, induced like its CXCL7 (0: MSCs make no IL6) [A].",
                ],
            },
            uptake_per_h = 0.0 => {
                symbol: "u_IL6",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e4)),
                unit: "1/h per cell",
                source: "[A]",
                description: "Uptake of IL6 by a cancer cell, per hour, scaled by the cells' share of the field cell's sites.",
                comment: [
                    "Uptake by cancer cells, per hour, scaled by the share of the field cell's sites that",
                    "hold cancer cells [A].",
                ],
            },
            molecular_mass_kda = 21.0 => {
                symbol: "m_IL6",
                kind: ParamKind::Float(MOLECULAR_MASS_KDA),
                unit: "kDa",
                source: "[V]",
                description: "Molecular mass of IL6, converting secreted molecules to ng.",
                comment: [
                    "Molecular mass of IL6 in kDa [V] (converts molecules to ng).",
                ],
            },
            boundary = BoundaryKind::Fixed => {
                symbol: "–",
                kind: ParamKind::Enum(&["fixed", "no_flux"]),
                default: "fixed",
                unit: "–",
                source: "–",
                description: "Boundary of the field grid: held at far_field_ng_ml beyond the edge, or no flux.",
                comment: [
                    "Boundary of the field grid: \"fixed\" (held at far_field_ng_ml beyond the edge) or",
                    "\"no_flux\" (technical, –).",
                ],
            },
            far_field_ng_ml = 0.0 => {
                symbol: "c∞_IL6",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "ng/mL",
                source: "[A]",
                description: "Concentration beyond a fixed boundary.",
                comment: [
                    "Concentration beyond a fixed boundary, ng/mL [A].",
                ],
            },
        }
        /// The default CXCL7 parameters (docs/model.md §7.10; secreted by MSCs, not by cancer
        /// cells).
        pub fn cxcl7() -> Self, const CXCL7 in "fields.cxcl7" {
            diffusion_cm2_per_s = 3e-7 => {
                symbol: "D_CXCL7",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e-3)),
                unit: "cm²/s",
                source: "[A]",
                description: "D: diffusion coefficient of CXCL7.",
                comment: [
                    "D_CXCL7, cm²/s [A].",
                ],
            },
            decay_per_h = 0.5 => {
                symbol: "λ_CXCL7",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e4)),
                unit: "1/h",
                source: "[A]",
                description: "λ: decay rate of CXCL7.",
                comment: [
                    "λ_CXCL7, decay per hour [A].",
                ],
            },
            secretion_per_cell = 0.0 => {
                symbol: "s_CXCL7_cell",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per non-stem cell",
                source: "[A]",
                description: "Secretion of CXCL7 by a non-stem cancer cell (IL6: raised by CXCL7, × (1 + g_sec·H(CXCL7))).",
                comment: [
                    "CXCL7 is secreted by MSCs (docs/model.md §7.11), not by cancer cells: 0 [A].",
                ],
            },
            secretion_per_csc = 0.0 => {
                symbol: "s_CXCL7_csc",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per CSC",
                source: "[A]",
                description: "Secretion of CXCL7 by a CSC (IL6: raised by CXCL7 like non-stem cells).",
                comment: [
                    "Secretion by a CSC: 0 [A].",
                ],
            },
            secretion_per_msc = 15.0 => {
                symbol: "s_CXCL7",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "molecules/s per MSC",
                source: "[A]",
                description: "Secretion by an MSC, induced by local IL6: × (msc.basal_cxcl7 + H(IL6)), × msc.aldh_boost for ALDH+ MSCs (calibrated to Liu 2011, configs/liu2011-msc.toml).",
                comment: [
                    "s_CXCL7: molecules/s secreted by an MSC, induced by local IL6 as",
                    "(msc.basal_cxcl7 + H(IL6)), × msc.aldh_boost for ALDH+ MSCs (docs/model.md §7.11).",
                    "Calibrated to Liu 2011; configs/liu2011-msc.toml documents the fit [A]. 15 (was 5): the",
                    "fewer, shorter-lived MSCs of the calibrated pool (max_divisions, death_per_day below)",
                    "need it to keep liu2011.msc_gain at 2-4x (3.3x measured).",
                ],
            },
            uptake_per_h = 0.0 => {
                symbol: "u_CXCL7",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e4)),
                unit: "1/h per cell",
                source: "[A]",
                description: "Uptake of CXCL7 by a cancer cell, per hour, scaled by the cells' share of the field cell's sites.",
                comment: [
                    "Uptake by cancer cells, per hour [A].",
                ],
            },
            molecular_mass_kda = 7.6 => {
                symbol: "m_CXCL7",
                kind: ParamKind::Float(MOLECULAR_MASS_KDA),
                unit: "kDa",
                source: "[V]",
                description: "Molecular mass of CXCL7, converting secreted molecules to ng.",
                comment: [
                    "Molecular mass of CXCL7 in kDa [V].",
                ],
            },
            boundary = BoundaryKind::Fixed => {
                symbol: "–",
                kind: ParamKind::Enum(&["fixed", "no_flux"]),
                default: "fixed",
                unit: "–",
                source: "–",
                description: "Boundary of the field grid: held at far_field_ng_ml beyond the edge, or no flux.",
                comment: [
                    "Boundary of the field grid (technical, –).",
                ],
            },
            far_field_ng_ml = 0.0 => {
                symbol: "c∞_CXCL7",
                kind: ParamKind::Float(FloatRange::closed(0.0, 1e6)),
                unit: "ng/mL",
                source: "[A]",
                description: "Concentration beyond a fixed boundary.",
                comment: [
                    "Concentration beyond a fixed boundary, ng/mL [A].",
                ],
            },
        }
    }
}

impl Default for CytokineConfig {
    fn default() -> Self {
        CytokineConfig::il6()
    }
}
