//! Configuration: serde structs with defaults and units, validation that reports every
//! problem at once, `--set key=value` overrides, the embedded default config and the
//! parameter catalogue printed by `seedsoil params`.
//!
//! Data flow: TOML text → [`toml::Table`] → overrides applied → catalogue check (unknown
//! keys, types, ranges; all problems collected) → serde deserialisation into [`Config`] →
//! cross-key checks ([`Config::validate`]). Constructors downstream take a validated config.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Problem};

pub mod catalogue;
mod load;
mod merge;
pub mod therapy;
mod validate;

pub use catalogue::{
    FloatRange, ParamInfo, ParamKind, ParamsFormat, catalogue, lookup, params_table,
};
pub use load::{from_table, load, load_str, parse_set, parse_table, set_value};
pub(crate) use merge::deep_merge;
pub use therapy::{Surgery, TherapyConfig, TherapyKind};

/// The embedded default configuration: the text of `configs/baseline.toml`. `seedsoil run`
/// with no file runs it.
pub const DEFAULT_TOML: &str = include_str!("../../configs/baseline.toml");

/// The whole run configuration. One section per concern; units live in key names.
///
/// `Config::default()` holds the defaults of docs/model.md §9 with no seed; the embedded
/// default ([`DEFAULT_TOML`], `configs/baseline.toml`) equals it except for a fixed seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[run]`: duration, seed, threads, time step, stop conditions.
    #[serde(default)]
    pub run: RunConfig,
    /// `[space]`: lattice dimension and size.
    #[serde(default)]
    pub space: SpaceConfig,
    /// `[init]`: initial condition.
    #[serde(default)]
    pub init: InitConfig,
    /// `[cells]`: the cancer-cell hierarchy (docs/model.md §7.2–7.8).
    #[serde(default)]
    pub cells: CellsConfig,
    /// `[signalling]`: Hill terms by which cytokines modulate cell rules
    /// (docs/model.md §7.1).
    #[serde(default)]
    pub signalling: SignallingConfig,
    /// `[fields]`: cytokine fields IL6 and CXCL7 (docs/model.md §7.10).
    #[serde(default)]
    pub fields: FieldsConfig,
    /// `[msc]`: mesenchymal stem cells (docs/model.md §7.11).
    #[serde(default)]
    pub msc: MscConfig,
    /// `[dissemination]`: intravasation, circulation, extravasation, colonisation and
    /// dormancy (docs/model.md §7.12–7.14).
    #[serde(default)]
    pub dissemination: DisseminationConfig,
    /// `[niche]`: tumour-derived factors, VEGFR1+ HPCs and the pre-metastatic niche
    /// (docs/model.md §7.15).
    #[serde(default)]
    pub niche: NicheConfig,
    /// `[organs.<name>]`: the distant organs, by name (docs/model.md §7.12–7.15). A file's
    /// organs are merged into the default ones (lung, liver, bone, brain) by name; a new
    /// name adds an organ (keys not given take [`OrganConfig::default`]), and an organ with
    /// both weights 0 receives nothing. Names follow [`catalogue::NAME_RULE`].
    #[serde(default = "default_organs")]
    pub organs: BTreeMap<String, OrganConfig>,
    /// `[output]`: what is written and when.
    #[serde(default)]
    pub output: OutputConfig,
    /// `[[therapy]]`: interventions with schedules, applied in the order listed
    /// (docs/model.md §7.16); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub therapy: Vec<therapy::TherapyConfig>,
}

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

/// `[fields]` section: the cytokine grid and its solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldsConfig {
    /// Whether the fields are simulated (off in R0).
    pub enabled: bool,
    /// Lattice sites per field cell along each axis (1, 2, 4 or 8).
    pub coarsen: u32,
    /// Implicit solver sub-steps per cell step.
    pub substeps: u32,
    /// `[fields.il6]`.
    pub il6: CytokineConfig,
    /// `[fields.cxcl7]`.
    pub cxcl7: CytokineConfig,
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
    /// Molecular mass in kDa (converts molecules to ng).
    pub molecular_mass_kda: f64,
    /// Boundary condition at the edge of the field grid.
    pub boundary: BoundaryKind,
    /// Concentration held beyond a fixed boundary, ng/mL.
    pub far_field_ng_ml: f64,
}

impl CytokineConfig {
    /// The default IL6 parameters (docs/model.md §7.10).
    pub fn il6() -> Self {
        CytokineConfig {
            diffusion_cm2_per_s: 5e-7,
            decay_per_h: 0.7,
            secretion_per_cell: IL6_PER_CELL,
            secretion_per_csc: IL6_PER_CELL,
            secretion_per_msc: 0.0,
            uptake_per_h: 0.0,
            molecular_mass_kda: 21.0,
            boundary: BoundaryKind::Fixed,
            far_field_ng_ml: 0.0,
        }
    }

    /// The default CXCL7 parameters (docs/model.md §7.10; secreted by MSCs, not by cancer
    /// cells).
    pub fn cxcl7() -> Self {
        CytokineConfig {
            diffusion_cm2_per_s: 3e-7,
            decay_per_h: 0.5,
            secretion_per_cell: 0.0,
            secretion_per_csc: 0.0,
            secretion_per_msc: CXCL7_PER_MSC,
            uptake_per_h: 0.0,
            molecular_mass_kda: 7.6,
            boundary: BoundaryKind::Fixed,
            far_field_ng_ml: 0.0,
        }
    }
}

impl Default for FieldsConfig {
    fn default() -> Self {
        FieldsConfig {
            enabled: true,
            coarsen: 4,
            substeps: 1,
            il6: CytokineConfig::il6(),
            cxcl7: CytokineConfig::cxcl7(),
        }
    }
}

impl Default for CytokineConfig {
    fn default() -> Self {
        CytokineConfig::il6()
    }
}

/// `[run]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Simulated duration in days (`run.days`).
    pub days: f64,
    /// Master seed; `None` draws one at start and records it in the resolved config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Worker threads; 0 = all cores. Outputs never depend on it.
    pub threads: usize,
    /// Cell time step in hours (`run.dt_h`, docs/model.md §2.1: 1 h).
    pub dt_h: f64,
    /// Stop as soon as the primary tumour holds at least this many cells (0 = no such stop).
    pub stop_at_cells: u64,
    /// κ, real cells that one agent of the primary stands for (≥ 1; 1 = one agent, one
    /// cell). A simulated primary of 10⁵–10⁶ agents stands for a mouse tumour of 10⁸–10⁹
    /// cells; κ scales the primary's *systemic* outputs so that the parameters of the
    /// systemic compartments stay in mouse units (HPC counts, the MSC pool, cells shed per
    /// cell per day):
    /// - the tumour-derived factor: production `niche.tdsf_per_cell · κ · N` per day;
    /// - the IL6 output the bone marrow sees (MSC homing):
    ///   `κ · (cancer cells' IL6 output) + (tumour MSCs' IL6 output)`; the MSCs in the
    ///   tumour came one by one from the pool, so their own output is not scaled;
    /// - shedding: κ times as many cells enter the blood per step as the same primary
    ///   sheds at κ = 1, in both shedding rules (mass-based: a Poisson number with mean
    ///   `κ · shed_per_cell_per_day · N · dt / 24`; per rim cell: Binomial(⌈κ⌉, κ p / ⌈κ⌉)
    ///   cells per rim agent, mean κ p, p its per-cell probability).
    ///
    /// Each shed cell is one CTC agent, and everything downstream counts single cells
    /// (CTCs, arrested and extravasated cells, DTCs, dormant cells, colony cells, HPCs,
    /// MSCs): no systemic count is multiplied by κ afterwards. An agent of the primary is
    /// κ cells, so one shed cell takes 1/κ of it: the agent leaves the lattice with
    /// probability 1/κ per cell it sheds (mass-based), or min(1, c/κ) after shedding c
    /// cells in a step (per rim cell), and the primary loses, on average, as many agents
    /// per step as at κ = 1. Local processes are not scaled: division, death, migration,
    /// plasticity, the cytokine fields and everything MSCs do in the tumour, and the
    /// primary's own counts and size thresholds (`run.stop_at_cells`,
    /// `dissemination.min_primary_cells`, the primary columns of the outputs, and
    /// `il6_output_molecules_per_s`, the lattice's own output) stay in agents; the
    /// `tdsf` columns hold the systemic factor, κ included. The run's `manifest.json`
    /// records κ (`cells_per_agent`), and the run summary prints it when κ ≠ 1.
    pub cells_per_agent: f64,
}

/// `[space]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpaceConfig {
    /// 2 (Moore 8) or 3 (Moore 26).
    pub dims: u8,
    /// Side of the lattice window allocated at start, in sites (grown as needed).
    pub initial_size: u32,
    /// Side of the whole domain in sites; its outermost ring is an occupied border.
    pub max_size: u32,
    /// Lattice spacing in micrometres (one cell diameter).
    pub spacing_um: f64,
}

/// Kind of initial condition (`init.kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// One CSC in the centre of the domain.
    #[default]
    SingleCsc,
    /// One `Progenitor(ρmax)` in the centre of the domain (a non-stem clone).
    SingleProgenitor,
    /// A disc (2D) or ball (3D) of `init.radius` sites, fully occupied, CSCs at
    /// `init.csc_fraction` (an exact share, see [`InitConfig::csc_fraction`]), other cells
    /// Progenitor(ρ) with ρ uniform on 0..=ρmax.
    Disc,
}

/// `[init]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InitConfig {
    /// `single_csc` or `disc`.
    pub kind: InitKind,
    /// Radius of the initial disc/ball in sites (`disc` only).
    pub radius: f64,
    /// Fraction f_0 of CSCs in the initial disc/ball (`disc` only): f_0·N of its N cells,
    /// rounded at random (mean exactly f_0·N), on sites drawn without replacement.
    pub csc_fraction: f64,
}

/// `[cells]` section: docs/model.md §7.2–7.8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CellsConfig {
    /// Cell cycle time in hours; p_div = dt / cycle_time.
    pub cycle_time_h: f64,
    /// Base probability p_s that a CSC division is symmetric (CSC daughter).
    pub p_symmetric: f64,
    /// Cap p_s_max on the cytokine-raised symmetric probability.
    pub p_symmetric_max: f64,
    /// ρmax: divisions left to a fresh progenitor.
    pub rho_max: u8,
    /// α: probability a progenitor dies at a division attempt.
    pub death_at_division: f64,
    /// μ: migration in cell widths per day; p_mig = μ·dt.
    pub migration_per_day: f64,
    /// r_dedif: base dedifferentiation rate of non-stem cells, per day.
    pub dedifferentiation_per_day: f64,
    /// α_bg: background death of non-stem cells, per day.
    pub background_death_per_day: f64,
    /// α_s: CSC death, per day.
    pub csc_death_per_day: f64,
    /// r_loss: rate at which a CSC loses stemness and becomes a `Progenitor(ρmax)`, per
    /// day, with or without space (two-way state transitions, Gupta 2011).
    pub stemness_loss_per_day: f64,
    /// ρ_dedif: the least ρ (divisions left) of a non-stem cell that can dedifferentiate;
    /// 0 = any non-stem cell.
    pub dedifferentiation_min_rho: u8,
    /// T_clear: hours for which a primary cell that dies (background death, death at
    /// division, CSC death, chemo, radiation) leaves debris blocking its site, for
    /// `round(T_clear / dt)` steps; 0 = its site is empty at once (the reference rule).
    pub clearance_h: f64,
}

/// `[signalling]` section: Hill terms H(c; K, n) = cⁿ/(Kⁿ + cⁿ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignallingConfig {
    /// K_IL6 in ng/mL.
    pub k_il6_ng_ml: f64,
    /// K_CXCL7 in ng/mL.
    pub k_cxcl7_ng_ml: f64,
    /// Hill coefficient n.
    pub hill_n: f64,
    /// g_IL6: gain of p_s by IL6.
    pub gain_il6: f64,
    /// g_CXCL7: gain of p_s by CXCL7.
    pub gain_cxcl7: f64,
    /// g_plast: gain of dedifferentiation by IL6.
    pub gain_plasticity: f64,
    /// g_sec: gain of IL6 secretion by CXCL7.
    pub gain_il6_secretion: f64,
    /// Fraction of IL6 signalling blocked for the whole run (an anti-IL6 antibody at
    /// constant exposure): every IL6 Hill term is multiplied by `1 − il6_blockade`.
    pub il6_blockade: f64,
    /// Fraction of CXCL7 signalling through CXCR2 blocked for the whole run (a CXCR2
    /// inhibitor at constant exposure): every CXCL7 Hill term × `1 − cxcr2_blockade`.
    pub cxcr2_blockade: f64,
}

/// CXCL7 secretion per MSC (molecules/s), calibrated to the Liu 2011 arms
/// (`configs/liu2011-msc.toml` documents the fit).
pub const CXCL7_PER_MSC: f64 = 15.0;

/// IL6 secretion per cancer cell (molecules/s): about 0.2 ng/mL in a tumour without MSCs,
/// and about 1–1.5 ng/mL once MSC-induced CXCL7 raises secretion, so that the Hill terms
/// work in their sensitive range (docs/model.md §7.10; the first specification's 5/s
/// gave about 900 ng/mL and saturated them, §8.5; README, "IL6 levels").
pub const IL6_PER_CELL: f64 = 0.001;

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MscConfig {
    /// MSCs in the bone-marrow pool at the start.
    pub pool: u64,
    /// Fraction of pool MSCs that are primitive ALDH+.
    pub aldh_fraction: f64,
    /// Homing per pool MSC per day at saturating tumour IL6 output.
    pub homing_per_day: f64,
    /// K_rec: tumour IL6 output (molecules/s) at which homing is half its maximum.
    pub k_recruit: f64,
    /// Day of an MSC injection into the bone marrow (Liu 2011); used if `inject_count > 0`.
    pub inject_day: f64,
    /// MSCs injected on `inject_day` (0: no injection).
    pub inject_count: u64,
    /// Moves per day on the stromal layer.
    pub motility_per_day: f64,
    /// Probability that a move is biased up the IL6 gradient (else to a random neighbour).
    pub chemotaxis: f64,
    /// χ: bias strength of a biased move, neighbour `e` with probability ∝
    /// `exp(χ · û·ê) / |e|` (û the unit IL6 gradient, turned in 2D so that the drift follows
    /// it exactly; ê the unit offset).
    pub chemotaxis_bias: f64,
    /// Doubling time of dividing MSCs, h.
    pub doubling_time_h: f64,
    /// Divisions left to a fresh ALDH− MSC.
    pub max_divisions: u8,
    /// Death rate of MSCs in the tumour, per day.
    pub death_per_day: f64,
    /// b: basal CXCL7 secretion, in units of `fields.cxcl7.secretion_per_msc`.
    pub basal_cxcl7: f64,
    /// ALDH+ MSCs secrete this many times more CXCL7 than ALDH− MSCs.
    pub aldh_boost: f64,
}

impl Default for MscConfig {
    /// The defaults of docs/model.md §7.11.
    fn default() -> Self {
        MscConfig {
            pool: 2000,
            aldh_fraction: 0.05,
            homing_per_day: 0.01,
            k_recruit: K_RECRUIT,
            inject_day: 0.0,
            inject_count: 0,
            motility_per_day: 5.0,
            chemotaxis: 0.5,
            chemotaxis_bias: 3.0,
            doubling_time_h: 48.0,
            max_divisions: 1,
            death_per_day: 0.1,
            basal_cxcl7: 0.1,
            aldh_boost: 3.0,
        }
    }
}

/// K_rec (molecules/s of tumour IL6 output), calibrated with [`CXCL7_PER_MSC`].
pub const K_RECRUIT: f64 = 2.0;

impl MscConfig {
    /// Whether any MSC can ever be in the simulation.
    pub fn any(&self) -> bool {
        self.pool > 0 || self.inject_count > 0
    }
}

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisseminationConfig {
    /// Whether dissemination, niches and colonies are simulated (off in R0).
    pub enabled: bool,
    /// Intravasation per rim cell (a cancer cell with a free neighbour) per day; CSCs
    /// enter at `csc_factor` times this.
    pub intravasation_per_day: f64,
    /// Intravasation happens only while the primary holds at least this many cells: the
    /// angiogenic switch (an avascular tumour has no vessels to enter; Folkman 1971).
    pub min_primary_cells: u64,
    /// CSC intravasation relative to non-stem cells (metastasis stem cells).
    pub csc_factor: f64,
    /// Mass-based shedding: cells entering the blood per primary cell per day, drawn
    /// among the cells of the exterior rim (0 = the per-rim-cell rule
    /// `intravasation_per_day` instead).
    pub shed_per_cell_per_day: f64,
    /// Half-life of a circulating tumour cell, h.
    pub ctc_half_life_h: f64,
    /// Hazard of arrest in an organ, per h (competing with death in the blood).
    pub arrest_per_h: f64,
    /// Probability that an arrested cell extravasates (else it dies).
    pub extravasation: f64,
    /// Probability that a CSC DTC starts a colony (else it becomes dormant), before the
    /// organ's tropism and niche factors.
    pub p_colonise: f64,
    /// Waking rate of a dormant CSC per day, before the organ's tropism and niche factors.
    pub wake_per_day: f64,
    /// Probability that a non-stem DTC starts a clone; otherwise it stays a solitary
    /// dormant cell (Luzzi 1998; Chambers 2002).
    pub p_non_stem_clone: f64,
    /// Death of a solitary dormant non-stem DTC, per day.
    pub dtc_death_per_day: f64,
    /// Most cells of an avascular colony (angiogenic dormancy; 0 = no limit).
    pub avascular_cells: u64,
    /// Angiogenic switch of a colony at the avascular limit, per day, × (1 + g_niche · N_o).
    pub switch_per_day: f64,
    /// Death of CSCs in colonies, per day (so that CSC colonies can regress).
    pub colony_csc_death_per_day: f64,
    /// A colony of at least this many cells is detected (a clinical metastasis).
    pub detect_cells: u64,
    /// A colony of at least this many cells counts as a micrometastasis (Luzzi 1998).
    pub micrometastasis_cells: u64,
    /// Dedifferentiation of non-stem cells in colonies, per day (the primary uses
    /// `cells.dedifferentiation_per_day`). Default 0: docs/model.md §7.13 has non-stem
    /// seeds die out, which plasticity at the primary's rate would undo (README,
    /// departures).
    pub colony_dedifferentiation_per_day: f64,
    /// Side of each colony's lattice domain, in sites (its window grows up to it).
    pub colony_max_size: u32,
}

impl Default for DisseminationConfig {
    /// The defaults of docs/model.md §7.12–7.14.
    fn default() -> Self {
        DisseminationConfig {
            enabled: true,
            intravasation_per_day: INTRAVASATION_PER_DAY,
            min_primary_cells: 5000,
            csc_factor: 5.0,
            shed_per_cell_per_day: 0.001,
            ctc_half_life_h: 1.5,
            arrest_per_h: 0.5,
            extravasation: 0.8,
            p_colonise: 0.01,
            wake_per_day: 1e-4,
            p_non_stem_clone: 0.4,
            dtc_death_per_day: 0.05,
            avascular_cells: 100,
            switch_per_day: 1e-4,
            colony_csc_death_per_day: 0.01,
            detect_cells: 10_000,
            micrometastasis_cells: 32,
            colony_dedifferentiation_per_day: 0.0,
            colony_max_size: 1000,
        }
    }
}

/// Intravasation per rim cell per day, calibrated so that the baseline tumour sheds
/// about 10⁻³ of its cells per day (docs/model.md §7.12; README, "Dissemination").
pub const INTRAVASATION_PER_DAY: f64 = 0.01;

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NicheConfig {
    /// Tumour-derived factor secreted per primary cancer cell per day (arbitrary units).
    pub tdsf_per_cell: f64,
    /// Clearance of the tumour-derived factor, per day.
    pub tdsf_clearance_per_day: f64,
    /// VEGFR1+ HPCs mobilised per unit of tumour-derived factor per day (the linear part).
    pub mobilisation: f64,
    /// mob_max: the plateau of the saturating part of HPC mobilisation, HPCs per day
    /// (`mob_max · T / (K_T + T)`; 0 = none).
    pub mobilisation_max: f64,
    /// K_T: tumour-derived factor at half of `mobilisation_max` (units of T).
    pub k_tdsf: f64,
    /// Loss of HPCs from an organ, per HPC per day.
    pub hpc_loss_per_day: f64,
    /// K_H: organ HPCs at half-maximal niche level.
    pub k_hpc: f64,
    /// Hill coefficient n of the niche level.
    pub hill_n: f64,
    /// g_niche: colonisation and waking gain of a full niche (N_o = 1).
    pub colonisation_gain: f64,
    /// Fraction of HPC mobilisation blocked for the whole run (anti-VEGFR1 at constant
    /// exposure; docs/model.md §7.16: 0.95).
    pub vegfr1_blockade: f64,
}

impl Default for NicheConfig {
    /// The defaults of docs/model.md §7.15.
    fn default() -> Self {
        NicheConfig {
            tdsf_per_cell: 1e-6,
            tdsf_clearance_per_day: 1.0,
            mobilisation: 0.0,
            mobilisation_max: 119.0,
            k_tdsf: 0.0094,
            hpc_loss_per_day: 0.2,
            k_hpc: 50.0,
            hill_n: 2.0,
            colonisation_gain: 10.0,
            vegfr1_blockade: 0.0,
        }
    }
}

/// `[organs.<name>]`: one distant organ.
///
/// | symbol | field | unit |
/// |---|---|---|
/// | arrival weight | `arrival_weight` | share of arresting CTCs (blood flow × tropism for arrest) |
/// | HPC homing weight | `hpc_homing_weight` | share of mobilised HPCs |
/// | soil tropism | `tropism` | × colonisation and waking |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganConfig {
    /// Relative weight with which an arresting CTC lodges in this organ.
    pub arrival_weight: f64,
    /// Relative weight with which a mobilised HPC homes to this organ.
    pub hpc_homing_weight: f64,
    /// Seed–soil compatibility: multiplies colonisation and waking probabilities.
    pub tropism: f64,
}

impl Default for OrganConfig {
    /// An organ that receives nothing until weights are given.
    fn default() -> Self {
        OrganConfig {
            arrival_weight: 0.0,
            hpc_homing_weight: 0.0,
            tropism: 1.0,
        }
    }
}

/// The default organs of docs/model.md §7.12: lung, liver, bone, brain (arrival weights
/// from Kennecke 2010's metastatic sites of breast cancer).
pub fn default_organs() -> BTreeMap<String, OrganConfig> {
    [
        ("lung", 0.35, 0.4),
        ("liver", 0.25, 0.2),
        ("bone", 0.3, 0.3),
        ("brain", 0.1, 0.05),
    ]
    .into_iter()
    .map(|(name, arrival, hpc)| {
        (
            name.to_string(),
            OrganConfig {
                arrival_weight: arrival,
                hpc_homing_weight: hpc,
                tropism: 1.0,
            },
        )
    })
    .collect()
}

/// `[output]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Interval between timeseries rows, in hours (rows also at start and end).
    pub timeseries_every_h: f64,
    /// Days at which lattice snapshots are written (`snapshots/`).
    pub snapshot_days: Vec<f64>,
    /// Write snapshots as CSV (one row per occupied site).
    pub snapshot_csv: bool,
    /// Write snapshots as PNG images (3D: the central z slice).
    pub snapshot_png: bool,
}

impl Default for Config {
    /// The defaults of docs/model.md §9, no seed.
    fn default() -> Self {
        Config {
            run: RunConfig::default(),
            space: SpaceConfig::default(),
            init: InitConfig::default(),
            cells: CellsConfig::default(),
            signalling: SignallingConfig::default(),
            fields: FieldsConfig::default(),
            msc: MscConfig::default(),
            dissemination: DisseminationConfig::default(),
            niche: NicheConfig::default(),
            organs: default_organs(),
            output: OutputConfig::default(),
            therapy: Vec::new(),
        }
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            days: 90.0,
            seed: None,
            threads: 0,
            dt_h: 1.0,
            stop_at_cells: 0,
            cells_per_agent: 1.0,
        }
    }
}

impl Default for SpaceConfig {
    fn default() -> Self {
        SpaceConfig {
            dims: 2,
            initial_size: 64,
            max_size: 2000,
            spacing_um: 10.0,
        }
    }
}

impl Default for InitConfig {
    fn default() -> Self {
        InitConfig {
            kind: InitKind::Disc,
            radius: 5.0,
            csc_fraction: 0.05,
        }
    }
}

impl Default for CellsConfig {
    /// The defaults of docs/model.md §7.2–7.8.
    fn default() -> Self {
        CellsConfig {
            cycle_time_h: 24.0,
            p_symmetric: 0.3,
            p_symmetric_max: 0.5,
            rho_max: 10,
            death_at_division: 0.01,
            migration_per_day: 10.0,
            dedifferentiation_per_day: 0.008,
            background_death_per_day: 0.03,
            csc_death_per_day: 0.0,
            stemness_loss_per_day: 0.04,
            dedifferentiation_min_rho: 9,
            clearance_h: 0.0,
        }
    }
}

impl Default for SignallingConfig {
    /// The defaults of docs/model.md §7.1.
    fn default() -> Self {
        SignallingConfig {
            k_il6_ng_ml: 1.0,
            k_cxcl7_ng_ml: 5.0,
            hill_n: 1.0,
            gain_il6: 1.0,
            gain_cxcl7: 2.0,
            gain_plasticity: 6.0,
            gain_il6_secretion: 20.0,
            il6_blockade: 0.0,
            cxcr2_blockade: 0.0,
        }
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            timeseries_every_h: 24.0,
            snapshot_days: Vec::new(),
            snapshot_csv: true,
            snapshot_png: true,
        }
    }
}

impl Config {
    /// Checks a configuration built or edited in code (e.g. after command-line flags such
    /// as `--days` were applied to a loaded config) with the same rules as [`load`]: every
    /// key's range from the catalogue, then the cross-key rules. All problems are reported.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut copy = self.clone();
        // Integers beyond i64 cannot be written as TOML; report and neutralise them so the
        // rest can still be checked.
        if let Some(seed) = copy.run.seed
            && i64::try_from(seed).is_err()
        {
            problems.push(Problem::new(
                "run.seed",
                seed.to_string(),
                lookup("run.seed").expect("catalogued").allowed_text(),
            ));
            copy.run.seed = None;
        }
        if i64::try_from(copy.run.stop_at_cells).is_err() {
            problems.push(Problem::new(
                "run.stop_at_cells",
                copy.run.stop_at_cells.to_string(),
                lookup("run.stop_at_cells")
                    .expect("catalogued")
                    .allowed_text(),
            ));
            copy.run.stop_at_cells = 0;
        }
        if i64::try_from(copy.run.threads).is_err() {
            problems.push(Problem::new(
                "run.threads",
                copy.run.threads.to_string(),
                lookup("run.threads").expect("catalogued").allowed_text(),
            ));
            copy.run.threads = 0;
        }
        // Neutralised keys also silence the cross-key rules that depend on them.
        let mut rejected = HashSet::new();
        let dissemination = DisseminationConfig::default();
        for (key, value, neutral) in [
            ("msc.pool", &mut copy.msc.pool, 0),
            ("msc.inject_count", &mut copy.msc.inject_count, 0),
            (
                "dissemination.detect_cells",
                &mut copy.dissemination.detect_cells,
                dissemination.detect_cells,
            ),
            (
                "dissemination.micrometastasis_cells",
                &mut copy.dissemination.micrometastasis_cells,
                dissemination.micrometastasis_cells,
            ),
            (
                "dissemination.min_primary_cells",
                &mut copy.dissemination.min_primary_cells,
                dissemination.min_primary_cells,
            ),
        ] {
            if i64::try_from(*value).is_err() {
                problems.push(Problem::new(
                    key,
                    value.to_string(),
                    lookup(key).expect("catalogued").allowed_text(),
                ));
                *value = neutral;
                rejected.insert(key.to_string());
            }
        }
        let mut table = copy.to_table();
        load::check_table(&mut table, "", &mut problems, &mut rejected);
        validate::push_cross_key_problems(self, &rejected, &mut problems);
        load::sort_problems(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The resolved configuration as TOML text (every key, one section per table).
    /// Loading it again gives an equal `Config`; runs write it as `config.toml`.
    ///
    /// # Panics
    /// If an integer does not fit TOML's 64-bit signed integers (a seed above
    /// `i64::MAX`), which [`Config::validate`] and [`load`] reject.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a validated config serialises to TOML")
    }

    /// The configuration as a TOML table (e.g. to edit it with [`set_value`] and check it
    /// again with [`from_table`]).
    ///
    /// # Panics
    /// As [`Config::to_toml`].
    pub fn to_table(&self) -> toml::Table {
        toml::Table::try_from(self).expect("a validated config serialises to TOML")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn baseline_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/baseline.toml")
    }

    #[test]
    fn embedded_default_equals_baseline_file() {
        let embedded = load(None, &[]).unwrap();
        let file = load(Some(&baseline_path()), &[]).unwrap();
        assert_eq!(embedded, file);
        let text = std::fs::read_to_string(baseline_path()).unwrap();
        assert_eq!(DEFAULT_TOML, text);
    }

    #[test]
    fn embedded_default_is_config_default_with_a_fixed_seed() {
        let loaded = load_str(DEFAULT_TOML, "test", &[]).unwrap();
        assert_eq!(loaded.run.seed, Some(20261122));
        let mut expected = Config::default();
        expected.run.seed = Some(20261122);
        assert_eq!(loaded, expected);
    }

    #[test]
    fn baseline_file_spells_out_every_key() {
        let table = parse_table(DEFAULT_TOML, "test").unwrap();
        for info in catalogue() {
            // A wildcard key (organs.*.tropism) must be spelled out for every default organ.
            let keys: Vec<String> = match info.key.strip_prefix("organs.*.") {
                Some(leaf) => default_organs()
                    .keys()
                    .map(|organ| format!("organs.{organ}.{leaf}"))
                    .collect(),
                None => {
                    assert!(!info.key.contains('*'), "unexpected wildcard {}", info.key);
                    vec![info.key.to_string()]
                }
            };
            for key in keys {
                let (path, name) = key.rsplit_once('.').unwrap();
                let section = path
                    .split('.')
                    .try_fold(&table, |t, part| t.get(part).and_then(|v| v.as_table()));
                assert!(
                    section.is_some_and(|s| s.contains_key(name)),
                    "configs/baseline.toml lacks {key}"
                );
            }
        }
    }

    #[test]
    fn baseline_comments_every_key() {
        // Each `key = value` line is directly preceded by a comment line.
        let lines: Vec<&str> = DEFAULT_TOML.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
                continue;
            }
            assert!(
                i > 0 && lines[i - 1].trim().starts_with('#'),
                "no comment above `{line}`"
            );
        }
    }

    #[test]
    fn reference_r0_loads() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/reference-r0.toml");
        let c = load(Some(&path), &[]).unwrap();
        assert_eq!(c.space.dims, 2);
        assert_eq!(c.space.max_size, 1000);
        assert_eq!(c.init.kind, InitKind::SingleCsc);
        assert_eq!(c.cells.p_symmetric, 0.3);
        assert_eq!(c.cells.p_symmetric_max, 0.3);
        assert_eq!(c.cells.death_at_division, 0.05);
        assert_eq!(c.cells.migration_per_day, 15.0);
        assert_eq!(c.cells.dedifferentiation_per_day, 0.0);
        assert_eq!(c.run.seed, Some(1));
        assert_eq!(c.run.stop_at_cells, 500_000);
        assert!(c.output.snapshot_days.is_empty());
        assert!(!c.dissemination.enabled);
    }

    #[test]
    fn liu2011_models_the_primary_only() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/liu2011-msc.toml");
        let c = load(Some(&path), &[]).unwrap();
        assert!(!c.dissemination.enabled);
        assert_eq!(c.msc.inject_count, 1000);
    }

    #[test]
    fn validate_reports_overflowing_cell_counts_once() {
        let mut c = Config::default();
        c.dissemination.micrometastasis_cells = u64::MAX;
        c.dissemination.detect_cells = u64::MAX;
        let err = c.validate().unwrap_err();
        let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
        // No follow-up micrometastasis_cells ≤ detect_cells problem.
        assert_eq!(
            keys,
            [
                "dissemination.detect_cells",
                "dissemination.micrometastasis_cells"
            ]
        );
        let mut c = Config::default();
        c.organs
            .insert("Adrenal".to_string(), OrganConfig::default());
        c.dissemination.micrometastasis_cells = 20_000;
        let err = c.validate().unwrap_err();
        let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["dissemination.micrometastasis_cells", "organs.Adrenal"]
        );
    }

    #[test]
    fn to_toml_round_trips() {
        let mut c = Config::default();
        c.run.seed = Some(42);
        c.run.dt_h = 0.7;
        c.cells.p_symmetric = 0.123456789;
        c.init.kind = InitKind::Disc;
        c.output.snapshot_days = vec![1.5, 30.0];
        let text = c.to_toml();
        assert_eq!(load_str(&text, "round trip", &[]).unwrap(), c);
        // Without a seed the key is absent and stays absent.
        let text = Config::default().to_toml();
        assert!(!text.contains("seed"));
        assert_eq!(
            load_str(&text, "round trip", &[]).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn validate_checks_ranges_and_cross_keys() {
        assert!(Config::default().validate().is_ok());
        let mut c = Config::default();
        c.run.days = -1.0;
        c.cells.p_symmetric = 0.9;
        c.run.seed = Some(u64::MAX);
        let err = c.validate().unwrap_err();
        let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["run.days", "run.seed", "cells.p_symmetric"]);
    }

    #[test]
    fn partial_files_take_defaults() {
        let c = load_str("[cells]\np_symmetric = 0.2\n", "test", &[]).unwrap();
        let mut expected = Config::default();
        expected.cells.p_symmetric = 0.2;
        assert_eq!(c, expected);
        assert_eq!(load_str("", "empty", &[]).unwrap(), Config::default());
    }
}
