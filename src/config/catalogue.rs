//! The parameter catalogue: one entry per leaf config key with its symbol, type, default, unit,
//! allowed range, source tag and a one-line description (printed by `seedsoil params`).
//!
//! The catalogue is the single source of truth for per-key checks: loading a config checks
//! every key of the TOML table against it (unknown keys, types, ranges) before serde sees
//! the table. A unit test keeps it in step with the serde structs: it must list exactly the
//! leaf keys of `toml::to_string(&Config::default())` (plus the optional `run.seed`).
//!
//! Source tags follow docs/model.md: `[V]` checked in a published source, `[M]` from the
//! cited paper but not re-checked, `[A]` assumption, `–` technical key (no biological
//! meaning).

use std::fmt::Write as _;

/// An interval of real numbers; unbounded ends are ±infinity. Values must also be finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatRange {
    /// Lower bound (`f64::NEG_INFINITY` if none).
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_inclusive: bool,
    /// Upper bound (`f64::INFINITY` if none).
    pub max: f64,
    /// Whether `max` itself is allowed.
    pub max_inclusive: bool,
}

impl FloatRange {
    /// `min ≤ value ≤ max`.
    pub const fn closed(min: f64, max: f64) -> Self {
        FloatRange {
            min,
            min_inclusive: true,
            max,
            max_inclusive: true,
        }
    }

    /// `min < value ≤ max`.
    pub const fn open_closed(min: f64, max: f64) -> Self {
        FloatRange {
            min,
            min_inclusive: false,
            max,
            max_inclusive: true,
        }
    }

    /// `value ≥ min` (finite).
    pub const fn at_least(min: f64) -> Self {
        Self::closed(min, f64::INFINITY)
    }

    /// `value > 0` (finite).
    pub const fn positive() -> Self {
        Self::open_closed(0.0, f64::INFINITY)
    }

    /// Whether `x` is finite and inside the interval.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite()
            && (if self.min_inclusive {
                x >= self.min
            } else {
                x > self.min
            })
            && (if self.max_inclusive {
                x <= self.max
            } else {
                x < self.max
            })
    }
}

impl std::fmt::Display for FloatRange {
    /// `0 ≤ value ≤ 1`, `value ≥ 0`, `0 < value ≤ 24`, `value > 0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lo = if self.min_inclusive { "≤" } else { "<" };
        let hi = if self.max_inclusive { "≤" } else { "<" };
        let ge = if self.min_inclusive { "≥" } else { ">" };
        match (self.min.is_finite(), self.max.is_finite()) {
            (true, true) => write!(f, "{} {lo} value {hi} {}", self.min, self.max),
            (true, false) => write!(f, "value {ge} {}", self.min),
            (false, true) => write!(f, "value {hi} {}", self.max),
            (false, false) => write!(f, "any finite number"),
        }
    }
}

/// The type of a parameter, with its allowed range or values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A real number in the given range. Integers are accepted and converted.
    Float(FloatRange),
    /// An integer in `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// A string, one of the listed values.
    Enum(&'static [&'static str]),
    /// A list of real numbers, each in the given range (integers accepted and converted).
    FloatList(FloatRange),
}

/// One leaf config key of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    /// Dotted key, e.g. `cells.p_symmetric`.
    pub key: &'static str,
    /// The key's symbol in the model description (docs/model.md), e.g. `p_s`, `ρmax`, `α`;
    /// `–` for technical keys with no symbol.
    pub symbol: &'static str,
    /// Type and allowed range or values.
    pub kind: ParamKind,
    /// Default value as text, as it would be written in TOML or with `--set`
    /// (enum values unquoted).
    pub default: &'static str,
    /// Unit, e.g. `h`, `per day`, `µm`; `–` for dimensionless.
    pub unit: &'static str,
    /// Source tag (docs/model.md): `[V]`, `[M]`, `[A]`, or `–` for technical keys.
    pub source: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Whether the key may be absent with no default value (only `run.seed`).
    pub optional: bool,
}

impl ParamInfo {
    /// The allowed range or values as text, e.g. `0 ≤ value ≤ 1`,
    /// `integer 2 ≤ value ≤ 3`, `one of "single_csc", "disc"`, `true or false`.
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Float(range) => range.to_string(),
            ParamKind::Int { min, max } => format!("integer {min} ≤ value ≤ {max}"),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
            ParamKind::FloatList(range) => format!("list of numbers, each {range}"),
        }
    }

    /// The text of a problem's "allowed" part for this key:
    /// `allowed <range> (<unit>)`, the unit left out when dimensionless.
    pub fn allowed_text(&self) -> String {
        format!("allowed {}{}", self.range_text(), self.unit_suffix())
    }

    /// ` (unit)`, or nothing for dimensionless keys.
    fn unit_suffix(&self) -> String {
        if self.unit == "–" || self.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.unit)
        }
    }

    /// Checks a TOML value against this key's type and range.
    ///
    /// Returns the value converted to the catalogue type (integers become floats for
    /// `Float` and `FloatList` keys), or the "allowed" text of a [`crate::error::Problem`].
    pub fn check(&self, value: &toml::Value) -> Result<toml::Value, String> {
        use toml::Value as V;
        let wrong_type = |expected: &str| {
            format!(
                "expected {expected}, got {}; {}",
                type_name(value),
                self.allowed_text()
            )
        };
        match self.kind {
            ParamKind::Float(range) => {
                let x = as_number(value).ok_or_else(|| wrong_type("a number"))?;
                if range.contains(x) {
                    Ok(V::Float(x))
                } else {
                    Err(self.out_of_range(x))
                }
            }
            ParamKind::Int { min, max } => match value {
                V::Integer(i) if (min..=max).contains(i) => Ok(V::Integer(*i)),
                V::Integer(_) => Err(self.allowed_text()),
                _ => Err(wrong_type("an integer")),
            },
            ParamKind::Bool => match value {
                V::Boolean(_) => Ok(value.clone()),
                _ => Err(wrong_type("true or false")),
            },
            ParamKind::Enum(values) => match value {
                V::String(s) if values.contains(&s.as_str()) => Ok(value.clone()),
                V::String(_) => Err(self.allowed_text()),
                _ => Err(wrong_type("a string")),
            },
            ParamKind::FloatList(range) => {
                let V::Array(items) = value else {
                    return Err(wrong_type("a list of numbers"));
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let x = as_number(item).ok_or_else(|| wrong_type("a list of numbers"))?;
                    if !range.contains(x) {
                        return Err(self.out_of_range(x));
                    }
                    out.push(V::Float(x));
                }
                Ok(V::Array(out))
            }
        }
    }

    /// "allowed" text for a number outside the range (mentions finiteness for inf/NaN).
    fn out_of_range(&self, x: f64) -> String {
        if x.is_finite() {
            self.allowed_text()
        } else {
            format!(
                "allowed finite values only, {}{}",
                self.range_text(),
                self.unit_suffix()
            )
        }
    }
}

/// A TOML integer or float as `f64`.
fn as_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Human name of a TOML value's type, for "wrong type" messages.
pub(crate) fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// Probability in `[0, 1]`.
const PROBABILITY: FloatRange = FloatRange::closed(0.0, 1.0);
/// Non-negative rate.
const RATE: FloatRange = FloatRange::at_least(0.0);

/// Shorthand constructor for the static tables (this one and the `[[therapy]]` keys').
pub(crate) const fn p(
    key: &'static str,
    symbol: &'static str,
    kind: ParamKind,
    default: &'static str,
    unit: &'static str,
    source: &'static str,
    description: &'static str,
) -> ParamInfo {
    ParamInfo {
        key,
        symbol,
        kind,
        default,
        unit,
        source,
        description,
        optional: false,
    }
}

/// The catalogue, in section order.
static CATALOGUE: &[ParamInfo] = &[
    // [run]
    p(
        "run.days",
        "–",
        ParamKind::Float(FloatRange::open_closed(0.0, 100_000.0)),
        "90",
        "days",
        "–",
        "Simulated duration.",
    ),
    ParamInfo {
        key: "run.seed",
        symbol: "–",
        kind: ParamKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "random (drawn and recorded)",
        unit: "–",
        source: "–",
        description: "Master seed; if absent, one is drawn at start and written to the resolved config.",
        optional: true,
    },
    p(
        "run.threads",
        "–",
        ParamKind::Int { min: 0, max: 1024 },
        "0",
        "–",
        "–",
        "Worker threads (0 = all cores); outputs never depend on it.",
    ),
    p(
        "run.dt_h",
        "dt",
        ParamKind::Float(FloatRange::open_closed(0.0, 24.0)),
        "1",
        "h",
        "[V]",
        "Cell time step dt (Enderling 2009; Poleszczuk & Enderling 2014); per-step probability = rate × dt.",
    ),
    p(
        "run.stop_at_cells",
        "–",
        ParamKind::Int {
            min: 0,
            max: u32::MAX as i64,
        },
        "0",
        "cells",
        "–",
        "Stop as soon as the primary tumour holds at least this many cells (0 = never).",
    ),
    p(
        "run.cells_per_agent",
        "κ",
        ParamKind::Float(FloatRange::closed(1.0, 1e6)),
        "1",
        "cells",
        "[A]",
        "κ, real cells one agent of the primary stands for: multiplies the primary's systemic outputs (tumour-derived factor production, the cancer cells' IL6 output seen by the bone marrow, cells shed per step in both shedding rules); each shed cell is one CTC and every systemic count (CTCs, DTCs, colonies, HPCs, MSCs) is in single cells, never × κ; a shed cell takes 1/κ of its agent; local rules, the primary's counts and its il6_output column stay in agents.",
    ),
    // [space]
    p(
        "space.dims",
        "–",
        ParamKind::Int { min: 2, max: 3 },
        "2",
        "–",
        "–",
        "Lattice dimension: 2 (Moore, 8 neighbours) or 3 (Moore, 26 neighbours).",
    ),
    p(
        "space.initial_size",
        "–",
        ParamKind::Int {
            min: 8,
            max: 65_536,
        },
        "64",
        "sites",
        "–",
        "Side of the lattice window allocated at start; grown as the tumour nears its edge.",
    ),
    p(
        "space.max_size",
        "L",
        ParamKind::Int {
            min: 8,
            max: 65_536,
        },
        "2000",
        "sites",
        "–",
        "Side of the whole domain; its outermost ring is an occupied border (R0: 1000).",
    ),
    p(
        "space.spacing_um",
        "Δx",
        ParamKind::Float(FloatRange::positive()),
        "10",
        "µm",
        "[V]",
        "Lattice spacing, one cell diameter.",
    ),
    // [init]
    p(
        "init.kind",
        "–",
        ParamKind::Enum(&["single_csc", "single_progenitor", "disc"]),
        "disc",
        "–",
        "–",
        "Initial condition: one CSC in the centre, one Progenitor(ρmax) in the centre, or a full disc/ball of mixed cells.",
    ),
    p(
        "init.radius",
        "R_0",
        ParamKind::Float(FloatRange::closed(0.0, 32_768.0)),
        "5",
        "sites",
        "–",
        "Radius of the initial disc/ball (disc only); must fit inside space.max_size.",
    ),
    p(
        "init.csc_fraction",
        "f_0",
        ParamKind::Float(PROBABILITY),
        "0.05",
        "–",
        "[A]",
        "Fraction of CSCs in the initial disc/ball (disc only): f_0·N of its N cells, rounded at random to keep the mean, on random sites; others Progenitor(ρ), ρ uniform on 0..=ρmax.",
    ),
    // [cells]
    p(
        "cells.cycle_time_h",
        "T_c",
        ParamKind::Float(FloatRange::closed(1.0, 1000.0)),
        "24",
        "h",
        "[V]",
        "Cell cycle time; p_div = dt / cycle_time (typical range 18–48 h).",
    ),
    p(
        "cells.p_symmetric",
        "p_s",
        ParamKind::Float(PROBABILITY),
        "0.3",
        "per CSC division",
        "[V]",
        "p_s: base probability that a CSC division is symmetric (typical range 0.01–0.3).",
    ),
    p(
        "cells.p_symmetric_max",
        "p_s_max",
        ParamKind::Float(PROBABILITY),
        "0.5",
        "per CSC division",
        "[A]",
        "p_s_max: cap on the cytokine-raised symmetric probability; must be ≥ cells.p_symmetric.",
    ),
    p(
        "cells.rho_max",
        "ρmax",
        ParamKind::Int { min: 0, max: 20 },
        "10",
        "divisions",
        "[V]",
        "ρmax: divisions left to a fresh progenitor (typical range 5–20; at most 20 by lattice encoding).",
    ),
    p(
        "cells.death_at_division",
        "α",
        ParamKind::Float(PROBABILITY),
        "0.01",
        "per progenitor division attempt",
        "[V]",
        "α: probability that a progenitor dies at a division attempt (typical range 0–0.3).",
    ),
    p(
        "cells.migration_per_day",
        "μ",
        ParamKind::Float(RATE),
        "10",
        "cell widths per day",
        "[V]",
        "μ: migration; p_mig = μ · dt (typical range 0–15).",
    ),
    p(
        "cells.dedifferentiation_per_day",
        "r_dedif",
        ParamKind::Float(RATE),
        "0.008",
        "per day",
        "[A]",
        "r_dedif: base rate at which non-stem cells become CSCs, raised by IL6 (derived from Gupta 2011).",
    ),
    p(
        "cells.background_death_per_day",
        "α_bg",
        ParamKind::Float(RATE),
        "0.03",
        "per day",
        "[V]",
        "α_bg: background death of non-stem cells, with or without space.",
    ),
    p(
        "cells.csc_death_per_day",
        "α_s",
        ParamKind::Float(RATE),
        "0",
        "per day",
        "[V]",
        "α_s: death of CSCs.",
    ),
    p(
        "cells.stemness_loss_per_day",
        "r_loss",
        ParamKind::Float(RATE),
        "0.04",
        "per day",
        "[A]",
        "r_loss: rate at which a CSC loses stemness and becomes a Progenitor(ρmax), with or without space (two-way transitions, Gupta 2011).",
    ),
    p(
        "cells.dedifferentiation_min_rho",
        "ρ_dedif",
        ParamKind::Int { min: 0, max: 21 },
        "9",
        "divisions",
        "[A]",
        "ρ_dedif: least ρ (divisions left) of a non-stem cell that can dedifferentiate; 0 = any non-stem cell, above ρmax = none.",
    ),
    p(
        "cells.clearance_h",
        "T_clear",
        ParamKind::Float(FloatRange::closed(0.0, 240.0)),
        "0",
        "h",
        "[A]",
        "T_clear: a primary cell that dies (not one resected or shed) leaves debris blocking its site for round(T_clear / dt) steps (apoptotic clearance takes 1–3 days in tissue); 0 = cleared at once.",
    ),
    // [signalling]
    p(
        "signalling.k_il6_ng_ml",
        "K_IL6",
        ParamKind::Float(FloatRange::positive()),
        "1",
        "ng/mL",
        "[A]",
        "K_IL6: half-saturation of the IL6 Hill term H(c; K, n) = cⁿ/(Kⁿ + cⁿ).",
    ),
    p(
        "signalling.k_cxcl7_ng_ml",
        "K_CXCL7",
        ParamKind::Float(FloatRange::positive()),
        "5",
        "ng/mL",
        "[A]",
        "K_CXCL7: half-saturation of the CXCL7 Hill term.",
    ),
    p(
        "signalling.hill_n",
        "n",
        ParamKind::Float(FloatRange::closed(0.1, 10.0)),
        "1",
        "–",
        "[A]",
        "n: Hill coefficient of both Hill terms.",
    ),
    p(
        "signalling.gain_il6",
        "g_IL6",
        ParamKind::Float(RATE),
        "1",
        "–",
        "[A]",
        "g_IL6: gain of the symmetric-division probability p_s by IL6.",
    ),
    p(
        "signalling.gain_cxcl7",
        "g_CXCL7",
        ParamKind::Float(RATE),
        "2",
        "–",
        "[A]",
        "g_CXCL7: gain of the symmetric-division probability p_s by CXCL7.",
    ),
    p(
        "signalling.gain_plasticity",
        "g_plast",
        ParamKind::Float(RATE),
        "6",
        "–",
        "[A]",
        "g_plast: gain of dedifferentiation by IL6.",
    ),
    p(
        "signalling.gain_il6_secretion",
        "g_sec",
        ParamKind::Float(RATE),
        "20",
        "–",
        "[A]",
        "g_sec: gain of IL6 secretion by CXCL7.",
    ),
    p(
        "signalling.il6_blockade",
        "b_IL6",
        ParamKind::Float(PROBABILITY),
        "0",
        "–",
        "[A]",
        "Fraction of IL6 signalling blocked for the whole run (anti-IL6 at constant exposure): every IL6 Hill term × (1 − value).",
    ),
    p(
        "signalling.cxcr2_blockade",
        "b_CXCR2",
        ParamKind::Float(PROBABILITY),
        "0",
        "–",
        "[A]",
        "Fraction of CXCL7/CXCR2 signalling blocked for the whole run (CXCR2 inhibitor at constant exposure): every CXCL7 Hill term × (1 − value).",
    ),
    // [fields]
    p(
        "fields.enabled",
        "–",
        ParamKind::Bool,
        "true",
        "–",
        "–",
        "Simulate the IL6 and CXCL7 fields (off in R0).",
    ),
    p(
        "fields.coarsen",
        "c",
        ParamKind::Int { min: 1, max: 8 },
        "4",
        "sites",
        "–",
        "Lattice sites per field cell along each axis: 1, 2, 4 or 8.",
    ),
    p(
        "fields.substeps",
        "n_sub",
        ParamKind::Int { min: 1, max: 100 },
        "1",
        "per cell step",
        "–",
        "Implicit (Douglas ADI) diffusion sub-steps per cell step.",
    ),
    p(
        "fields.il6.diffusion_cm2_per_s",
        "D_IL6",
        ParamKind::Float(FloatRange::closed(0.0, 1e-3)),
        "5e-7",
        "cm²/s",
        "[A]",
        "D: diffusion coefficient of IL6.",
    ),
    p(
        "fields.il6.decay_per_h",
        "λ_IL6",
        ParamKind::Float(FloatRange::closed(0.0, 1e4)),
        "0.7",
        "1/h",
        "[A]",
        "λ: decay rate of IL6.",
    ),
    p(
        "fields.il6.secretion_per_cell",
        "s_IL6",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0.001",
        "molecules/s per non-stem cell",
        "[A]",
        "Secretion of IL6 by a non-stem cancer cell (IL6: raised by CXCL7, × (1 + g_sec·H(CXCL7))).",
    ),
    p(
        "fields.il6.secretion_per_csc",
        "s_IL6_csc",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0.001",
        "molecules/s per CSC",
        "[A]",
        "Secretion of IL6 by a CSC (IL6: raised by CXCL7 like non-stem cells).",
    ),
    p(
        "fields.il6.secretion_per_msc",
        "s_IL6_msc",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0",
        "molecules/s per MSC",
        "[A]",
        "Secretion by an MSC, induced by local IL6: × (msc.basal_cxcl7 + H(IL6)), × msc.aldh_boost for ALDH+ MSCs.",
    ),
    p(
        "fields.il6.uptake_per_h",
        "u_IL6",
        ParamKind::Float(FloatRange::closed(0.0, 1e4)),
        "0",
        "1/h per cell",
        "[A]",
        "Uptake of IL6 by a cancer cell, per hour, scaled by the cells' share of the field cell's sites.",
    ),
    p(
        "fields.il6.molecular_mass_kda",
        "m_IL6",
        ParamKind::Float(FloatRange::positive()),
        "21",
        "kDa",
        "[V]",
        "Molecular mass of IL6, converting secreted molecules to ng.",
    ),
    p(
        "fields.il6.boundary",
        "–",
        ParamKind::Enum(&["fixed", "no_flux"]),
        "fixed",
        "–",
        "–",
        "Boundary of the field grid: held at far_field_ng_ml beyond the edge, or no flux.",
    ),
    p(
        "fields.il6.far_field_ng_ml",
        "c∞_IL6",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0",
        "ng/mL",
        "[A]",
        "Concentration beyond a fixed boundary.",
    ),
    p(
        "fields.cxcl7.diffusion_cm2_per_s",
        "D_CXCL7",
        ParamKind::Float(FloatRange::closed(0.0, 1e-3)),
        "3e-7",
        "cm²/s",
        "[A]",
        "D: diffusion coefficient of CXCL7.",
    ),
    p(
        "fields.cxcl7.decay_per_h",
        "λ_CXCL7",
        ParamKind::Float(FloatRange::closed(0.0, 1e4)),
        "0.5",
        "1/h",
        "[A]",
        "λ: decay rate of CXCL7.",
    ),
    p(
        "fields.cxcl7.secretion_per_cell",
        "s_CXCL7_cell",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0",
        "molecules/s per non-stem cell",
        "[A]",
        "Secretion of CXCL7 by a non-stem cancer cell (IL6: raised by CXCL7, × (1 + g_sec·H(CXCL7))).",
    ),
    p(
        "fields.cxcl7.secretion_per_csc",
        "s_CXCL7_csc",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0",
        "molecules/s per CSC",
        "[A]",
        "Secretion of CXCL7 by a CSC (IL6: raised by CXCL7 like non-stem cells).",
    ),
    p(
        "fields.cxcl7.secretion_per_msc",
        "s_CXCL7",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "15",
        "molecules/s per MSC",
        "[A]",
        "Secretion by an MSC, induced by local IL6: × (msc.basal_cxcl7 + H(IL6)), × msc.aldh_boost for ALDH+ MSCs (calibrated to Liu 2011, configs/liu2011-msc.toml).",
    ),
    p(
        "fields.cxcl7.uptake_per_h",
        "u_CXCL7",
        ParamKind::Float(FloatRange::closed(0.0, 1e4)),
        "0",
        "1/h per cell",
        "[A]",
        "Uptake of CXCL7 by a cancer cell, per hour, scaled by the cells' share of the field cell's sites.",
    ),
    p(
        "fields.cxcl7.molecular_mass_kda",
        "m_CXCL7",
        ParamKind::Float(FloatRange::positive()),
        "7.6",
        "kDa",
        "[V]",
        "Molecular mass of CXCL7, converting secreted molecules to ng.",
    ),
    p(
        "fields.cxcl7.boundary",
        "–",
        ParamKind::Enum(&["fixed", "no_flux"]),
        "fixed",
        "–",
        "–",
        "Boundary of the field grid: held at far_field_ng_ml beyond the edge, or no flux.",
    ),
    p(
        "fields.cxcl7.far_field_ng_ml",
        "c∞_CXCL7",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0",
        "ng/mL",
        "[A]",
        "Concentration beyond a fixed boundary.",
    ),
    // [msc]
    p(
        "msc.pool",
        "M_0",
        ParamKind::Int {
            min: 0,
            max: 1_000_000_000,
        },
        "2000",
        "cells",
        "[A]",
        "MSCs in the bone-marrow pool at the start (not spatial); 0 with no injection: no MSCs.",
    ),
    p(
        "msc.aldh_fraction",
        "f_ALDH",
        ParamKind::Float(PROBABILITY),
        "0.05",
        "–",
        "[A]",
        "Fraction of pool MSCs that are primitive ALDH+ (Liu 2011).",
    ),
    p(
        "msc.homing_per_day",
        "r_home",
        ParamKind::Float(RATE),
        "0.01",
        "per pool cell per day",
        "[A]",
        "Homing of pool MSCs into the tumour, × H(IL6_out; K_rec) with IL6_out the tumour's IL6 output.",
    ),
    p(
        "msc.k_recruit",
        "K_rec",
        ParamKind::Float(FloatRange::positive()),
        "2",
        "molecules/s",
        "[A]",
        "K_rec: tumour IL6 output at which homing is half its maximum (calibrated, configs/liu2011-msc.toml).",
    ),
    p(
        "msc.inject_day",
        "t_inj",
        ParamKind::Float(FloatRange::closed(0.0, 100_000.0)),
        "0",
        "day",
        "–",
        "Day of an MSC injection into the bone marrow (Liu 2011); used only if msc.inject_count > 0.",
    ),
    p(
        "msc.inject_count",
        "N_inj",
        ParamKind::Int {
            min: 0,
            max: 1_000_000_000,
        },
        "0",
        "cells",
        "–",
        "MSCs injected on msc.inject_day; they join the pool and home from there (0: no injection).",
    ),
    p(
        "msc.motility_per_day",
        "r_move",
        ParamKind::Float(RATE),
        "5",
        "sites per day",
        "[A]",
        "Moves per day of an MSC on the stromal layer.",
    ),
    p(
        "msc.chemotaxis",
        "q",
        ParamKind::Float(PROBABILITY),
        "0.5",
        "–",
        "[A]",
        "Probability that a move is biased up the IL6 gradient (else to a random neighbour); 0 = unbiased walk.",
    ),
    p(
        "msc.chemotaxis_bias",
        "χ",
        ParamKind::Float(FloatRange::at_least(0.0)),
        "3",
        "–",
        "[A]",
        "χ: a biased move goes to neighbour e with probability ∝ exp(χ · û·ê)/|e| (û the unit IL6 gradient, turned in 2D so the drift follows it; ê the unit offset); 0 = unbiased.",
    ),
    p(
        "msc.doubling_time_h",
        "T_MSC",
        ParamKind::Float(FloatRange::positive()),
        "48",
        "h",
        "[A]",
        "Doubling time of MSCs in the tumour (ALDH+ always, ALDH− while divisions are left).",
    ),
    p(
        "msc.max_divisions",
        "d_max",
        ParamKind::Int { min: 0, max: 60 },
        "1",
        "divisions",
        "[A]",
        "Divisions left to a fresh ALDH− MSC.",
    ),
    p(
        "msc.death_per_day",
        "δ_MSC",
        ParamKind::Float(RATE),
        "0.1",
        "per day",
        "[A]",
        "Death of MSCs in the tumour (ALDH+ and ALDH−).",
    ),
    p(
        "msc.basal_cxcl7",
        "b",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "0.1",
        "–",
        "[A]",
        "b: CXCL7 secretion without IL6, in units of fields.cxcl7.secretion_per_msc.",
    ),
    p(
        "msc.aldh_boost",
        "β",
        ParamKind::Float(FloatRange::closed(0.0, 1e6)),
        "3",
        "×",
        "[A]",
        "ALDH+ MSCs secrete this many times more CXCL7 than ALDH− MSCs (Liu 2011, qualitative).",
    ),
    // [dissemination]
    p(
        "dissemination.enabled",
        "–",
        ParamKind::Bool,
        "true",
        "–",
        "–",
        "Simulate dissemination, the pre-metastatic niche and metastatic colonies (off in R0).",
    ),
    p(
        "dissemination.intravasation_per_day",
        "r_i",
        ParamKind::Float(RATE),
        "0.01",
        "per rim cell per day",
        "[A]",
        "Intravasation of rim cancer cells (with a free neighbour), CSCs × csc_factor; calibrated [A] so that the baseline tumour sheds about 10⁻³ of its cells per day (Butler & Gullino 1975 [V]).",
    ),
    p(
        "dissemination.min_primary_cells",
        "N_min",
        ParamKind::Int {
            min: 0,
            max: u32::MAX as i64,
        },
        "5000",
        "cells",
        "[A]",
        "Intravasation starts once the primary holds this many cells (the angiogenic switch, Folkman 1971; not in the first specification (docs/model.md §8.5), see README).",
    ),
    p(
        "dissemination.csc_factor",
        "w_CSC",
        ParamKind::Float(RATE),
        "5",
        "×",
        "[A]",
        "CSC intravasation relative to non-stem rim cells (metastasis stem cells).",
    ),
    p(
        "dissemination.shed_per_cell_per_day",
        "r_shed",
        ParamKind::Float(FloatRange::closed(0.0, 1.0)),
        "0.001",
        "per primary cell per day",
        "[V]",
        "Mass-based shedding (Butler & Gullino 1975: 3.2–4.1 × 10⁶ cells per gram per day, about 10⁻³ per cell): a Poisson number per step with mean shed · N · dt, drawn among the exterior rim (holes left by therapy do not count), CSCs weighted by csc_factor; replaces intravasation_per_day when > 0.",
    ),
    p(
        "dissemination.ctc_half_life_h",
        "t½",
        ParamKind::Float(FloatRange::positive()),
        "1.5",
        "h",
        "[V]",
        "Half-life of a circulating tumour cell in the blood (Meng 2004; range 1–2.4 h).",
    ),
    p(
        "dissemination.arrest_per_h",
        "a",
        ParamKind::Float(RATE),
        "0.5",
        "per CTC per h",
        "[A]",
        "Hazard of a CTC arresting in an organ, competing with death in the blood; the organ is drawn by organs.*.arrival_weight.",
    ),
    p(
        "dissemination.extravasation",
        "p_ext",
        ParamKind::Float(PROBABILITY),
        "0.8",
        "per arrested cell",
        "[V]",
        "Probability that an arrested cell extravasates and becomes a DTC, else it dies (Koop 1995).",
    ),
    p(
        "dissemination.p_colonise",
        "p_col",
        ParamKind::Float(PROBABILITY),
        "0.01",
        "per CSC DTC",
        "[A]",
        "Probability that a CSC DTC starts a colony (else it becomes dormant), × organs.*.tropism × (1 + niche.colonisation_gain · N_o).",
    ),
    p(
        "dissemination.wake_per_day",
        "r_wake",
        ParamKind::Float(RATE),
        "1e-4",
        "per dormant CSC per day",
        "[A]",
        "Waking of a dormant CSC, which then starts a colony, × organs.*.tropism × (1 + niche.colonisation_gain · N_o) (range 1e-6–1e-3).",
    ),
    p(
        "dissemination.p_non_stem_clone",
        "p_nc",
        ParamKind::Float(FloatRange::closed(0.0, 1.0)),
        "0.4",
        "probability per non-stem DTC",
        "[A]",
        "Chance that a non-stem DTC starts a clone (which dies out within its ρ divisions); otherwise it stays a solitary dormant cell (Luzzi 1998, Chambers 2002).",
    ),
    p(
        "dissemination.dtc_death_per_day",
        "δ_DTC",
        ParamKind::Float(RATE),
        "0.05",
        "per solitary non-stem DTC per day",
        "[A]",
        "Death of a solitary dormant non-stem DTC.",
    ),
    p(
        "dissemination.avascular_cells",
        "N_av",
        ParamKind::Int {
            min: 0,
            max: 100_000_000,
        },
        "100",
        "cells",
        "[A]",
        "Most cells of an avascular colony: at the limit births are balanced by apoptosis until the angiogenic switch (Holmgren 1995); 0 = no limit.",
    ),
    p(
        "dissemination.switch_per_day",
        "r_sw",
        ParamKind::Float(RATE),
        "0.0001",
        "per colony per day",
        "[A]",
        "Angiogenic switch of a colony at the avascular limit, × (1 + niche.colonisation_gain · N_o); it then grows without limit.",
    ),
    p(
        "dissemination.colony_csc_death_per_day",
        "α_s,col",
        ParamKind::Float(RATE),
        "0.01",
        "per colony CSC per day",
        "[A]",
        "Death of CSCs in colonies (the primary uses cells.csc_death_per_day), so that CSC colonies can regress.",
    ),
    p(
        "dissemination.detect_cells",
        "N_det",
        ParamKind::Int {
            min: 1,
            max: u32::MAX as i64,
        },
        "10000",
        "cells",
        "[A]",
        "A colony of at least this many cells is detected (a clinical metastasis).",
    ),
    p(
        "dissemination.micrometastasis_cells",
        "N_micro",
        ParamKind::Int {
            min: 1,
            max: u32::MAX as i64,
        },
        "32",
        "cells",
        "[A]",
        "A colony of at least this many cells counts as a micrometastasis (Luzzi 1998); at most detect_cells.",
    ),
    p(
        "dissemination.colony_dedifferentiation_per_day",
        "r_dedif,col",
        ParamKind::Float(RATE),
        "0",
        "per day",
        "[A]",
        "Dedifferentiation of non-stem cells in colonies (the primary uses cells.dedifferentiation_per_day); 0 so that non-stem seeds die out (docs/model.md §7.13).",
    ),
    p(
        "dissemination.colony_max_size",
        "L_col",
        ParamKind::Int {
            min: 8,
            max: 65_536,
        },
        "1000",
        "sites",
        "–",
        "Side of each colony's lattice domain (its window grows up to it), as space.max_size for the primary.",
    ),
    // [niche]
    p(
        "niche.tdsf_per_cell",
        "s_T",
        ParamKind::Float(RATE),
        "1e-6",
        "units per primary cell per day",
        "[A]",
        "Tumour-derived factors (VEGF-A, PlGF: one systemic variable T, arbitrary units) secreted per primary cancer cell.",
    ),
    p(
        "niche.tdsf_clearance_per_day",
        "k_T",
        ParamKind::Float(RATE),
        "1",
        "per day",
        "[A]",
        "Clearance of the tumour-derived factor T.",
    ),
    p(
        "niche.mobilisation",
        "m_lin",
        ParamKind::Float(RATE),
        "0",
        "HPCs per unit T per day",
        "[A]",
        "VEGFR1+ HPCs mobilised from the bone marrow, Poisson with mean mobilisation · T · dt per step; calibrated [A] so that the first niche forms about 10 days after implantation (Kaplan 2005).",
    ),
    p(
        "niche.mobilisation_max",
        "mob_max",
        ParamKind::Float(RATE),
        "119",
        "HPCs per day",
        "[A]",
        "mob_max: plateau of the saturating part of HPC mobilisation, mob_max · T / (K_T + T) per day added to the linear part (0 = none), so that HPC counts plateau instead of growing with the tumour.",
    ),
    p(
        "niche.k_tdsf",
        "K_T",
        ParamKind::Float(FloatRange::positive()),
        "0.0094",
        "units of T",
        "[A]",
        "K_T: tumour-derived factor at which the saturating mobilisation is half of mobilisation_max.",
    ),
    p(
        "niche.hpc_loss_per_day",
        "ℓ",
        ParamKind::Float(RATE),
        "0.2",
        "per HPC per day",
        "[A]",
        "Loss of HPCs from an organ.",
    ),
    p(
        "niche.k_hpc",
        "K_H",
        ParamKind::Float(FloatRange::positive()),
        "50",
        "HPCs",
        "[A]",
        "K_H: organ HPCs at half-maximal niche level N_o = H_oⁿ/(K_Hⁿ + H_oⁿ); a niche is formed at N_o ≥ 0.5.",
    ),
    p(
        "niche.hill_n",
        "n_H",
        ParamKind::Float(FloatRange::positive()),
        "2",
        "–",
        "[A]",
        "n: Hill coefficient of the niche level.",
    ),
    p(
        "niche.colonisation_gain",
        "g_niche",
        ParamKind::Float(RATE),
        "10",
        "×",
        "[A]",
        "g_niche: gain of colonisation and waking in a full niche (N_o = 1), × (1 + g_niche · N_o).",
    ),
    p(
        "niche.vegfr1_blockade",
        "b_VEGFR1",
        ParamKind::Float(PROBABILITY),
        "0",
        "–",
        "[A]",
        "Fraction of HPC mobilisation blocked for the whole run (anti-VEGFR1 at constant exposure; docs/model.md §7.16: 0.95).",
    ),
    // [organs.<name>]: one section per organ, any name (see ORGAN_NAME_RULE).
    p(
        "organs.*.arrival_weight",
        "w_o",
        ParamKind::Float(RATE),
        "lung 0.35, liver 0.25, bone 0.3, brain 0.1 (other organs 0)",
        "–",
        "[M]",
        "Relative weight with which an arresting CTC lodges in this organ (blood flow × tropism; Kennecke 2010 sites of breast-cancer metastasis).",
    ),
    p(
        "organs.*.hpc_homing_weight",
        "h_o",
        ParamKind::Float(RATE),
        "lung 0.4, liver 0.2, bone 0.3, brain 0.05 (other organs 0)",
        "–",
        "[A]",
        "Relative weight with which a mobilised HPC homes to this organ.",
    ),
    p(
        "organs.*.tropism",
        "τ_o",
        ParamKind::Float(RATE),
        "1",
        "×",
        "[A]",
        "Seed–soil compatibility: multiplies colonisation and waking in this organ.",
    ),
    // [output]
    p(
        "output.timeseries_every_h",
        "–",
        ParamKind::Float(FloatRange::positive()),
        "24",
        "h",
        "–",
        "Interval between timeseries rows (rows also at start and end).",
    ),
    p(
        "output.snapshot_days",
        "–",
        ParamKind::FloatList(FloatRange::closed(0.0, 100_000.0)),
        "[]",
        "days",
        "–",
        "Days at which lattice snapshots are written (each ≤ run.days).",
    ),
    p(
        "output.snapshot_csv",
        "–",
        ParamKind::Bool,
        "true",
        "–",
        "–",
        "Write snapshots as CSV (one row per occupied site).",
    ),
    p(
        "output.snapshot_png",
        "–",
        ParamKind::Bool,
        "true",
        "–",
        "–",
        "Write snapshots as PNG images (3D: the central z slice).",
    ),
];

/// Every parameter, one entry per leaf config key, in section order.
pub fn catalogue() -> &'static [ParamInfo] {
    CATALOGUE
}

/// The catalogue entry of a dotted key, e.g. `lookup("cells.p_symmetric")`. A `*` segment
/// of a catalogue key stands for any name: `lookup("organs.lung.tropism")` finds
/// `organs.*.tropism` (whether the name is allowed is checked when loading, see
/// [`valid_name`]).
pub fn lookup(key: &str) -> Option<&'static ParamInfo> {
    CATALOGUE.iter().find(|info| matches(info.key, key))
}

/// Whether a catalogue key or section `pattern`, whose `*` segments stand for any
/// non-empty name, matches the dotted `key` (`organs.*.tropism` matches
/// `organs.lung.tropism`, and itself).
pub fn matches(pattern: &str, key: &str) -> bool {
    let mut pattern = pattern.split('.');
    let mut key = key.split('.');
    loop {
        match (pattern.next(), key.next()) {
            (None, None) => return true,
            (Some(p), Some(k)) if p == k || (p == "*" && !k.is_empty()) => {}
            _ => return false,
        }
    }
}

/// The section of [`sections`] that a dotted section path belongs to, e.g. `organs.*` for
/// `organs.lung`, `cells` for `cells`.
pub fn section_pattern(section: &str) -> Option<&'static str> {
    sections()
        .into_iter()
        .find(|pattern| matches(pattern, section))
}

/// What a name standing for a `*` segment (an organ name) must look like.
pub const NAME_RULE: &str = "a lower-case letter, then lower-case letters, digits or _ ([a-z][a-z0-9_]*), at most 32 characters";

/// Whether `name` may stand for a `*` segment of a key (e.g. an organ name in
/// `[organs.<name>]`): see [`NAME_RULE`].
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 32
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Section names (every dotted prefix of a catalogue key), e.g. `run`, `cells`,
/// `organs`, `organs.*` (one section per organ).
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for info in CATALOGUE {
        let mut end = 0;
        while let Some(dot) = info.key[end..].find('.') {
            end += dot;
            let section = &info.key[..end];
            if !out.contains(&section) {
                out.push(section);
            }
            end += 1;
        }
    }
    out
}

/// Output format of [`params_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParamsFormat {
    /// A Markdown table.
    Md,
    /// CSV with a header row.
    Csv,
}

/// The catalogue as a table with columns key, symbol, default, unit, range, source,
/// description (`seedsoil params --format md|csv`). The Markdown table is also the
/// parameter table of docs/model.md (section 9), checked by `tests/docs_model.rs`.
pub fn params_table(format: ParamsFormat) -> String {
    const HEADER: [&str; 7] = [
        "key",
        "symbol",
        "default",
        "unit",
        "range",
        "source",
        "description",
    ];
    let rows = CATALOGUE
        .iter()
        .chain(super::therapy::therapy_catalogue())
        .map(|info| {
            [
                info.key.to_string(),
                info.symbol.to_string(),
                info.default.to_string(),
                info.unit.to_string(),
                info.range_text(),
                info.source.to_string(),
                info.description.to_string(),
            ]
        });
    match format {
        ParamsFormat::Md => {
            let mut out = String::new();
            let cell = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(out, "| {} |", HEADER.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(HEADER.len()));
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, s)| if i == 0 { format!("`{s}`") } else { cell(s) })
                    .collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out
        }
        ParamsFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            // Writing to a Vec cannot fail, and all fields are valid UTF-8.
            writer.write_record(HEADER).expect("write to memory");
            for row in rows {
                writer.write_record(&row).expect("write to memory");
            }
            let bytes = writer.into_inner().expect("flush to memory");
            String::from_utf8(bytes).expect("catalogue text is UTF-8")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::BTreeSet;

    /// Dotted leaf keys of a TOML table (arrays are leaves).
    fn leaf_keys(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
        for (name, value) in table {
            let key = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            match value {
                toml::Value::Table(t) => leaf_keys(t, &key, out),
                _ => {
                    out.insert(key);
                }
            }
        }
    }

    /// Serialised leaf keys, organ keys `organs.<name>.<leaf>` written `organs.*.<leaf>`.
    fn keys_of(config: &Config) -> BTreeSet<String> {
        let text = toml::to_string(config).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let mut keys = BTreeSet::new();
        leaf_keys(&table, "", &mut keys);
        keys.into_iter().map(|k| wildcard(&k)).collect()
    }

    /// `organs.<name>.<leaf>` → `organs.*.<leaf>`; other keys unchanged.
    fn wildcard(key: &str) -> String {
        match key.split('.').collect::<Vec<_>>()[..] {
            ["organs", _, leaf] => format!("organs.*.{leaf}"),
            _ => key.to_string(),
        }
    }

    /// The default text of a wildcard entry for one organ: `lung 0.35, liver 0.25, ...
    /// (other organs 0)` gives the organ's value (or the "other organs" value for a name
    /// not listed); a plain text applies to every organ.
    fn organ_default(text: &str, organ: &str) -> String {
        let (listed, other) = match text.split_once(" (other organs ") {
            Some((listed, rest)) => (listed, Some(rest.trim_end_matches(')'))),
            None => (text, None),
        };
        if !listed.contains(',') {
            return listed.to_string();
        }
        listed
            .split(", ")
            .find_map(|pair| {
                let (name, value) = pair.split_once(' ').unwrap();
                (name == organ).then(|| value.to_string())
            })
            .or(other.map(str::to_string))
            .unwrap_or_else(|| panic!("{text}: no default for organ {organ}"))
    }

    #[test]
    fn catalogue_lists_exactly_the_serialised_keys() {
        let listed: BTreeSet<String> = catalogue().iter().map(|i| i.key.to_string()).collect();
        assert_eq!(listed.len(), catalogue().len(), "duplicate catalogue keys");

        let mut from_default = keys_of(&Config::default());
        // run.seed is optional and absent from the default; it must be listed anyway.
        assert!(!from_default.contains("run.seed"));
        from_default.insert("run.seed".to_string());
        assert_eq!(listed, from_default);

        let mut seeded = Config::default();
        seeded.run.seed = Some(7);
        assert_eq!(listed, keys_of(&seeded));

        // Every organ has every organs.* key, a new one included.
        let mut more = Config::default();
        more.organs
            .insert("adrenal".to_string(), crate::config::OrganConfig::default());
        let table = more.to_table();
        let organs = table["organs"].as_table().unwrap();
        assert_eq!(organs.len(), 5);
        for (name, organ) in organs {
            let leaves: BTreeSet<String> = organ
                .as_table()
                .unwrap()
                .keys()
                .map(|leaf| format!("organs.*.{leaf}"))
                .collect();
            let catalogued: BTreeSet<String> = listed
                .iter()
                .filter(|k| k.starts_with("organs.*."))
                .cloned()
                .collect();
            assert_eq!(leaves, catalogued, "organ {name}");
        }
    }

    #[test]
    fn only_run_seed_is_optional() {
        let optional: Vec<&str> = catalogue()
            .iter()
            .filter(|i| i.optional)
            .map(|i| i.key)
            .collect();
        assert_eq!(optional, ["run.seed"]);
    }

    #[test]
    fn catalogue_defaults_match_config_default() {
        let table = Config::default().to_table();
        for info in catalogue().iter().filter(|i| !i.optional) {
            if info.key.contains('*') {
                continue; // organ entries: see organ_defaults_match_default_organs
            }
            let (path, name) = info.key.rsplit_once('.').unwrap();
            let section = path
                .split('.')
                .fold(&table, |t, part| t[part].as_table().unwrap());
            let actual = &section[name];
            let shown = crate::config::load::parse_value_text(info.default);
            let shown = info
                .check(&shown)
                .unwrap_or_else(|e| panic!("{}: default text invalid: {e}", info.key));
            assert_eq!(&shown, actual, "{}: default text disagrees", info.key);
            // The default itself is inside the range.
            assert!(info.check(actual).is_ok(), "{}", info.key);
        }
    }

    #[test]
    fn organ_defaults_match_default_organs() {
        let mut organs = crate::config::default_organs();
        assert_eq!(
            organs.keys().collect::<Vec<_>>(),
            ["bone", "brain", "liver", "lung"]
        );
        // A name that is not a default organ gets OrganConfig::default().
        organs.insert("adrenal".to_string(), crate::config::OrganConfig::default());
        let config = Config {
            organs,
            ..Config::default()
        };
        let table = config.to_table();
        let entries: Vec<&ParamInfo> = catalogue()
            .iter()
            .filter(|i| i.key.starts_with("organs.*."))
            .collect();
        assert_eq!(entries.len(), 3);
        for info in entries {
            let leaf = info.key.rsplit_once('.').unwrap().1;
            for (name, organ) in table["organs"].as_table().unwrap() {
                let text = organ_default(info.default, name);
                let shown = info
                    .check(&crate::config::load::parse_value_text(&text))
                    .unwrap_or_else(|e| panic!("{}: default text invalid: {e}", info.key));
                let actual = &organ[leaf];
                assert_eq!(&shown, actual, "{} for {name}", info.key);
                assert!(info.check(actual).is_ok(), "{} for {name}", info.key);
            }
        }
    }

    #[test]
    fn wildcard_keys_are_found_by_name() {
        let tropism = lookup("organs.*.tropism").unwrap();
        assert_eq!(lookup("organs.lung.tropism"), Some(tropism));
        assert_eq!(lookup("organs.adrenal.tropism"), Some(tropism));
        assert_eq!(lookup("organs.lung"), None);
        assert_eq!(lookup("organs..tropism"), None);
        assert_eq!(lookup("organs.lung.tropism.x"), None);
        assert_eq!(section_pattern("organs.lung"), Some("organs.*"));
        assert_eq!(section_pattern("organs"), Some("organs"));
        assert_eq!(section_pattern("organs.lung.x"), None);
        assert_eq!(section_pattern("fields.il6"), Some("fields.il6"));
        assert!(valid_name("lung"));
        assert!(valid_name("a2_b"));
        assert!(valid_name(&"x".repeat(32)));
        assert!(!valid_name(&"x".repeat(33)));
        assert!(!valid_name("Lung"));
        assert!(!valid_name("2lung"));
        assert!(!valid_name("_lung"));
        assert!(!valid_name("lymph-node"));
        assert!(!valid_name(""));
        assert!(!valid_name("*"));
    }

    #[test]
    fn every_entry_is_described() {
        for info in catalogue()
            .iter()
            .chain(super::super::therapy::therapy_catalogue())
        {
            assert!(!info.description.is_empty(), "{}", info.key);
            assert!(
                !info.symbol.trim().is_empty() && !info.symbol.contains('|'),
                "{}: give the key a symbol (docs/model.md), or – for a technical key",
                info.key
            );
            assert!(!info.unit.is_empty(), "{}", info.key);
            assert!(
                ["[V]", "[M]", "[A]", "–"].contains(&info.source),
                "{}: bad source tag {}",
                info.key,
                info.source
            );
        }
    }

    #[test]
    fn sections_in_order() {
        assert_eq!(
            sections(),
            [
                "run",
                "space",
                "init",
                "cells",
                "signalling",
                "fields",
                "fields.il6",
                "fields.cxcl7",
                "msc",
                "dissemination",
                "niche",
                "organs",
                "organs.*",
                "output"
            ]
        );
    }

    #[test]
    fn range_texts() {
        assert_eq!(
            lookup("cells.p_symmetric").unwrap().allowed_text(),
            "allowed 0 ≤ value ≤ 1 (per CSC division)"
        );
        assert_eq!(lookup("run.dt_h").unwrap().range_text(), "0 < value ≤ 24");
        assert_eq!(
            lookup("cells.migration_per_day").unwrap().range_text(),
            "value ≥ 0"
        );
        assert_eq!(
            lookup("space.spacing_um").unwrap().range_text(),
            "value > 0"
        );
        assert_eq!(
            lookup("init.kind").unwrap().range_text(),
            "one of \"single_csc\", \"single_progenitor\", \"disc\""
        );
        assert_eq!(
            lookup("space.dims").unwrap().allowed_text(),
            "allowed integer 2 ≤ value ≤ 3"
        );
    }

    #[test]
    fn check_coerces_and_rejects() {
        let ps = lookup("cells.p_symmetric").unwrap();
        assert_eq!(
            ps.check(&toml::Value::Integer(1)),
            Ok(toml::Value::Float(1.0))
        );
        assert!(ps.check(&toml::Value::Float(1.5)).is_err());
        assert!(ps.check(&toml::Value::Float(f64::NAN)).is_err());
        assert!(ps.check(&toml::Value::String("x".into())).is_err());
        let mig = lookup("cells.migration_per_day").unwrap();
        let err = mig.check(&toml::Value::Float(f64::INFINITY)).unwrap_err();
        assert!(err.contains("finite"), "{err}");
        let rho = lookup("cells.rho_max").unwrap();
        assert!(rho.check(&toml::Value::Integer(21)).is_err());
        assert!(rho.check(&toml::Value::Float(10.0)).is_err());
        let days = lookup("output.snapshot_days").unwrap();
        assert_eq!(
            days.check(&toml::Value::Array(vec![
                toml::Value::Integer(1),
                toml::Value::Float(2.5)
            ])),
            Ok(toml::Value::Array(vec![
                toml::Value::Float(1.0),
                toml::Value::Float(2.5)
            ]))
        );
        assert!(
            days.check(&toml::Value::Array(vec![toml::Value::Integer(-1)]))
                .is_err()
        );
    }

    #[test]
    fn tables_render() {
        let md = params_table(ParamsFormat::Md);
        assert!(md.starts_with("| key | symbol | default | unit | range | source | description |"));
        let therapy_keys = super::super::therapy::therapy_catalogue().len();
        assert_eq!(md.lines().count(), catalogue().len() + therapy_keys + 2);
        assert!(md.contains("`cells.p_symmetric`"));

        let csv_text = params_table(ParamsFormat::Csv);
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                "key",
                "symbol",
                "default",
                "unit",
                "range",
                "source",
                "description"
            ]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), catalogue().len() + therapy_keys);
        let seed = records.iter().find(|r| &r[0] == "run.seed").unwrap();
        assert_eq!(&seed[2], "random (drawn and recorded)");
        let ps = records
            .iter()
            .find(|r| &r[0] == "cells.p_symmetric")
            .unwrap();
        assert_eq!(&ps[1], "p_s");
    }
}
