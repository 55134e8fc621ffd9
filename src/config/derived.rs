//! Derived limits: rules on quantities the engine computes from several keys, run with the
//! cross-key rules ([`super::validate`]) so that every problem is still reported at once.
//!
//! Each key may be in its range while a product of keys is not something the engine can
//! compute with: a Poisson mean beyond what `rand_distr` samples, a diffusion number or a
//! concentration beyond `f32`, a step count that never ends, a lattice larger than the
//! machine. Each rule bounds the quantity for the largest state the config allows (every
//! site of the domain a cancer cell, every field cell at its largest source) and names
//! the key to change, its value and the largest (or smallest) value allowed with the
//! others as they are:
//!
//! | quantity | bound | key named |
//! |---|---|---|
//! | steps `run.days × 24 / run.dt_h` | ≤ [`MAX_STEPS`] | `run.dt_h` |
//! | lattice + field memory at the largest window | ≤ the machine's memory | `space.max_size` (`dissemination.colony_max_size`) |
//! | diffusion number `r = D τ / h²` of each cytokine | ≤ [`MAX_DIFFUSION_NUMBER`] | `space.spacing_um` |
//! | largest concentration of each cytokine | ≤ [`MAX_CONCENTRATION_NG_ML`] | `fields.<cytokine>` |
//! | tumour-derived factor `T` (and `s κ N / k`) | ≤ [`MAX_TDSF`] | `niche.tdsf_per_cell` or `niche.tdsf_clearance_per_day` |
//! | HPCs mobilised per step (a Poisson mean) | ≤ [`MAX_MEAN_PER_STEP`] | `niche.mobilisation` or `niche.mobilisation_max` |
//! | cells shed per step (a Poisson mean) | ≤ [`MAX_POISSON_MEAN`] | `dissemination.shed_per_cell_per_day` |
//!
//! The bounds are far above any calibrated value (the defaults sit 10⁸ or more below
//! each); they exist so that a config `seedsoil check` accepts cannot make `run` panic,
//! abort or write inf/NaN.

use super::root::Config;
use crate::error::Problem;
use crate::units::HOURS_PER_DAY;

/// Largest number of cell steps in a run (`run.days × 24 / run.dt_h`): 10⁸ steps of the
/// smallest useful lattice already take days of computing.
pub(crate) const MAX_STEPS: f64 = 1e8;

/// Largest diffusion number `r = D τ / h²` of one field sub-step. The implicit solver is
/// stable at any `r`, but keeps its factors in `f32` and forms `1 + 2r − r e` in `f64`:
/// beyond about 10¹² the cancellation leaves no significant digit.
pub(crate) const MAX_DIFFUSION_NUMBER: f64 = 1e12;

/// Largest concentration (ng/mL) a cytokine may reach in the worst case: the fields are
/// `f32` (at most 3.4·10³⁸), and products with them must stay finite.
pub(crate) const MAX_CONCENTRATION_NG_ML: f64 = 1e30;

/// Largest value of the tumour-derived factor `T` (and of `s κ N / k`, which the engine
/// forms on the way), arbitrary units.
pub(crate) const MAX_TDSF: f64 = 1e100;

/// Largest mean of a per-step Poisson count (HPCs mobilised). `rand_distr` refuses means
/// above 1.844·10¹⁹; 10¹⁰ per step over at most [`MAX_STEPS`] steps also keeps the
/// organs' HPC counts below `u64::MAX`.
pub(crate) const MAX_MEAN_PER_STEP: f64 = 1e10;

/// Largest mean `rand_distr` accepts for a Poisson draw (`Poisson::MAX_LAMBDA`): the
/// bound of the number of cells shed per step.
pub(crate) const MAX_POISSON_MEAN: f64 = rand_distr::Poisson::<f64>::MAX_LAMBDA;

/// Avogadro's number, 1/mol (as in the fields module, which config may not use).
const AVOGADRO_PER_MOL: f64 = 6.022_140_76e23;

/// Bytes the engine holds per lattice site of the window (the site byte).
const BYTES_PER_SITE: f64 = 1.0;

/// Bytes held per field cell: per cytokine the value, source, uptake and solver
/// correction (`f32` each), and the two cell counts (`u16` each).
const BYTES_PER_FIELD_CELL: f64 = 2.0 * 4.0 * 4.0 + 4.0;

/// Memory assumed when `/proc/meminfo` cannot be read: 16 GiB.
pub(crate) const FALLBACK_MEMORY_BYTES: f64 = 16.0 * 1024.0 * 1024.0 * 1024.0;

/// A derived problem with the keys it depends on (a rule is skipped when one of them was
/// already rejected).
pub(crate) type Derived = (Vec<String>, Problem);

/// Every derived-limit problem of `config` on this machine.
pub(crate) fn derived_problems(config: &Config) -> Vec<Derived> {
    derived_problems_with(config, machine_memory_bytes())
}

/// Every derived-limit problem of `config` on a machine with `memory_bytes` of memory.
pub(crate) fn derived_problems_with(config: &Config, memory_bytes: f64) -> Vec<Derived> {
    let mut out = Vec::new();
    out.extend(step_problem(config));
    out.extend(memory_problems(config, memory_bytes));
    if config.fields.enabled {
        out.extend(diffusion_problem(config));
        out.extend(concentration_problems(config));
    }
    if config.dissemination.enabled {
        out.extend(shedding_problem(config));
        out.extend(niche_problems(config));
    }
    out
}

/// The cells shed per step, a Poisson draw of mean `κ · shed · N · dt / 24`, must have a
/// mean of at most [`MAX_POISSON_MEAN`] for the largest primary (only reachable with a
/// 3D domain far beyond any machine's memory, but checked all the same).
fn shedding_problem(config: &Config) -> Option<Derived> {
    let dis = &config.dissemination;
    let per_agent = config.run.cells_per_agent * config.run.dt_h / HOURS_PER_DAY;
    let mean = dis.shed_per_cell_per_day * per_agent * max_primary_agents(config);
    (mean > MAX_POISSON_MEAN).then(|| {
        (
            keys(&[
                "dissemination.shed_per_cell_per_day",
                "run.cells_per_agent",
                "run.dt_h",
                "space.max_size",
                "space.dims",
                "dissemination.enabled",
            ]),
            Problem::new(
                "dissemination.shed_per_cell_per_day",
                num(dis.shed_per_cell_per_day),
                format!(
                    "allowed at most {} (per primary cell per day) with run.cells_per_agent = \
                     {}, run.dt_h = {} and at most {} cells N (space.max_size = {}, \
                     space.dims = {}): the mean number of cells shed per step, \
                     run.cells_per_agent × shed × N × run.dt_h / 24 = {}, must be ≤ {}",
                    short(MAX_POISSON_MEAN / (per_agent * max_primary_agents(config))),
                    num(config.run.cells_per_agent),
                    num(config.run.dt_h),
                    short(max_primary_agents(config)),
                    config.space.max_size,
                    config.space.dims,
                    short(mean),
                    short(MAX_POISSON_MEAN)
                ),
            ),
        )
    })
}

/// The machine's memory in bytes: `MemTotal` of `/proc/meminfo`, else
/// [`FALLBACK_MEMORY_BYTES`].
pub(crate) fn machine_memory_bytes() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| parse_mem_total(&text))
        .unwrap_or(FALLBACK_MEMORY_BYTES)
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn parse_mem_total(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut parts = line["MemTotal:".len()..].split_whitespace();
    let value: f64 = parts.next()?.parse().ok()?;
    let scale = match parts.next() {
        Some("kB") => 1024.0,
        Some("MB") => 1024.0 * 1024.0,
        Some("GB") => 1024.0 * 1024.0 * 1024.0,
        None | Some("B") => 1.0,
        Some(_) => return None,
    };
    Some(value * scale)
}

/// The run's step count `run.days × 24 / run.dt_h` must be at most [`MAX_STEPS`].
fn step_problem(config: &Config) -> Option<Derived> {
    let (days, dt) = (config.run.days, config.run.dt_h);
    let steps = days * HOURS_PER_DAY / dt;
    (steps > MAX_STEPS).then(|| {
        (
            keys(&["run.dt_h", "run.days"]),
            Problem::new(
                "run.dt_h",
                num(dt),
                format!(
                    "allowed at least {} (h) with run.days = {}: the run takes run.days × 24 / \
                     run.dt_h = {} steps, at most {}",
                    short(days * HOURS_PER_DAY / MAX_STEPS),
                    num(days),
                    short(steps),
                    short(MAX_STEPS)
                ),
            ),
        )
    })
}

/// Tile side of the lattice (sites): windows are whole tiles (32 in 2D, 16 in 3D, as in
/// the space module).
fn tile_side(dims: u8) -> u64 {
    if dims == 3 { 16 } else { 32 }
}

/// Side of the largest lattice window for a domain of `max_size` sites: the window grows
/// until it covers the domain, rounded up to whole tiles.
pub(crate) fn largest_window_side(dims: u8, max_size: u32) -> u64 {
    let t = tile_side(dims);
    u64::from(max_size).div_ceil(t) * t
}

/// Memory (bytes) the primary's lattice and fields take at the largest window: a lower
/// bound of what a run that grows to the domain's edge needs.
pub(crate) fn primary_memory_bytes(config: &Config) -> f64 {
    let dims = config.space.dims;
    let side = largest_window_side(dims, config.space.max_size) as f64;
    let mut bytes = side.powi(dims as i32) * BYTES_PER_SITE;
    if config.fields.enabled {
        let cells = (side / f64::from(config.fields.coarsen.max(1))).max(1.0);
        bytes += cells.powi(dims as i32) * BYTES_PER_FIELD_CELL;
    }
    bytes
}

/// The lattice (and fields) must fit in the machine's memory at their largest window; so
/// must one colony's lattice.
fn memory_problems(config: &Config, memory: f64) -> Vec<Derived> {
    let mut out = Vec::new();
    let dims = config.space.dims;
    let need = primary_memory_bytes(config);
    if need > memory {
        out.push((
            keys(&[
                "space.max_size",
                "space.dims",
                "fields.enabled",
                "fields.coarsen",
            ]),
            Problem::new(
                "space.max_size",
                config.space.max_size.to_string(),
                format!(
                    "allowed a smaller domain with space.dims = {dims}: its lattice{} at \
                     least {} at the largest window ({} sites per side), more than this \
                     machine's memory ({}); lower space.max_size{}",
                    if config.fields.enabled {
                        " and fields take"
                    } else {
                        " takes"
                    },
                    gib(need),
                    largest_window_side(dims, config.space.max_size),
                    gib(memory),
                    if dims == 3 {
                        " or use space.dims = 2"
                    } else {
                        ""
                    }
                ),
            ),
        ));
    }
    if config.dissemination.enabled {
        let size = config.dissemination.colony_max_size;
        let side = largest_window_side(dims, size) as f64;
        let need = side.powi(dims as i32) * BYTES_PER_SITE;
        if need > memory {
            out.push((
                keys(&[
                    "dissemination.colony_max_size",
                    "space.dims",
                    "dissemination.enabled",
                ]),
                Problem::new(
                    "dissemination.colony_max_size",
                    size.to_string(),
                    format!(
                        "allowed a smaller colony domain with space.dims = {dims}: one \
                         colony's lattice takes up to {} ({} sites per side), more than this \
                         machine's memory ({})",
                        gib(need),
                        side,
                        gib(memory)
                    ),
                ),
            ));
        }
    }
    out
}

/// The two cytokines: section key and parameters.
fn cytokines(config: &Config) -> [(&'static str, &super::fields::CytokineConfig); 2] {
    [
        ("fields.il6", &config.fields.il6),
        ("fields.cxcl7", &config.fields.cxcl7),
    ]
}

/// The diffusion number `r = D τ / h²` of one sub-step of `cytokine` (τ = dt / substeps,
/// h = spacing × coarsen).
pub(crate) fn diffusion_number(config: &Config, diffusion_cm2_per_s: f64) -> f64 {
    let tau_s = config.run.dt_h * 3600.0 / f64::from(config.fields.substeps.max(1));
    let h_um = config.space.spacing_um * f64::from(config.fields.coarsen.max(1));
    diffusion_cm2_per_s * 1e8 * tau_s / (h_um * h_um)
}

/// `r = D τ / h²` of each cytokine must be at most [`MAX_DIFFUSION_NUMBER`]: one problem
/// (the larger `r`) naming `space.spacing_um`.
fn diffusion_problem(config: &Config) -> Option<Derived> {
    let (section, cy) = cytokines(config)
        .into_iter()
        .max_by(|a, b| a.1.diffusion_cm2_per_s.total_cmp(&b.1.diffusion_cm2_per_s))?;
    let r = diffusion_number(config, cy.diffusion_cm2_per_s);
    if r <= MAX_DIFFUSION_NUMBER {
        return None;
    }
    // r scales as 1 / spacing²: the smallest spacing that brings it to the limit.
    let spacing = config.space.spacing_um * (r / MAX_DIFFUSION_NUMBER).sqrt();
    let d_key = format!("{section}.diffusion_cm2_per_s");
    Some((
        keys(&[
            "space.spacing_um",
            "run.dt_h",
            "fields.substeps",
            "fields.coarsen",
            &d_key,
        ]),
        Problem::new(
            "space.spacing_um",
            num(config.space.spacing_um),
            format!(
                "allowed at least {} (µm) with {d_key} = {}, run.dt_h = {}, fields.substeps = \
                 {} and fields.coarsen = {}: the diffusion number D × τ / h² of a field \
                 sub-step = {} must be ≤ {}",
                short(spacing),
                num(cy.diffusion_cm2_per_s),
                num(config.run.dt_h),
                config.fields.substeps,
                config.fields.coarsen,
                short(r),
                short(MAX_DIFFUSION_NUMBER)
            ),
        ),
    ))
}

/// An upper bound of a cytokine's concentration (ng/mL): every site holding its largest
/// source (a cancer cell at the largest per-cell rate, raised by the CXCL7 feedback for
/// IL6, or an MSC at its largest induction), cleared only by decay — over the whole run
/// when the decay rate is 0 — plus the far-field value.
pub(crate) fn concentration_bound(config: &Config, il6: bool) -> f64 {
    let (cy, msc) = (
        if il6 {
            &config.fields.il6
        } else {
            &config.fields.cxcl7
        },
        &config.msc,
    );
    let raise = if il6 {
        1.0 + config.signalling.gain_il6_secretion
    } else {
        1.0
    };
    let cancer = cy.secretion_per_cell.max(cy.secretion_per_csc) * raise;
    let induction = (msc.basal_cxcl7 + 1.0) * msc.aldh_boost.max(1.0);
    let per_site = cancer.max(cy.secretion_per_msc * induction);
    // One site's volume, mL (1 µm³ = 10⁻¹² mL); a 2D field cell is one spacing thick.
    let volume_ml = config.space.spacing_um.powi(3) * 1e-12;
    let ng_ml_per_s = per_site * cy.molecular_mass_kda * 1e3 / AVOGADRO_PER_MOL * 1e9 / volume_ml;
    let decay_per_s = cy.decay_per_h / 3600.0;
    let seconds = config.run.days * HOURS_PER_DAY * 3600.0;
    let held = if decay_per_s > 0.0 {
        ng_ml_per_s / decay_per_s
    } else {
        ng_ml_per_s * seconds
    };
    cy.far_field_ng_ml + held
}

/// Each cytokine's largest concentration must be at most [`MAX_CONCENTRATION_NG_ML`].
fn concentration_problems(config: &Config) -> Vec<Derived> {
    let mut out = Vec::new();
    for (il6, (section, cy)) in [true, false].into_iter().zip(cytokines(config)) {
        let bound = concentration_bound(config, il6);
        if bound <= MAX_CONCENTRATION_NG_ML {
            continue;
        }
        let inputs = [
            ("space.spacing_um".to_string(), config.space.spacing_um),
            (format!("{section}.decay_per_h"), cy.decay_per_h),
            (
                format!("{section}.molecular_mass_kda"),
                cy.molecular_mass_kda,
            ),
            (
                format!("{section}.secretion_per_cell"),
                cy.secretion_per_cell,
            ),
            (format!("{section}.secretion_per_csc"), cy.secretion_per_csc),
            (format!("{section}.secretion_per_msc"), cy.secretion_per_msc),
        ];
        let mut involved: Vec<String> = inputs.iter().map(|(k, _)| k.clone()).collect();
        involved.extend(keys(&[
            "signalling.gain_il6_secretion",
            "msc.basal_cxcl7",
            "msc.aldh_boost",
            "run.days",
            &format!("{section}.far_field_ng_ml"),
        ]));
        let mut with: Vec<String> = inputs
            .iter()
            .map(|(k, v)| format!("{k} = {}", num(*v)))
            .collect();
        if il6 {
            with.push(format!(
                "signalling.gain_il6_secretion = {}",
                num(config.signalling.gain_il6_secretion)
            ));
        }
        out.push((
            involved,
            Problem::new(
                section,
                format!("(derived) largest concentration {} ng/mL", short(bound)),
                format!(
                    "allowed at most {} ng/mL (fields are f32): with {}, every site at its \
                     largest secretion{} reaches {} ng/mL; raise space.spacing_um or \
                     {section}.decay_per_h, or lower the secretion",
                    short(MAX_CONCENTRATION_NG_ML),
                    with.join(", "),
                    if cy.decay_per_h > 0.0 {
                        ""
                    } else {
                        " without decay over run.days"
                    },
                    short(bound)
                ),
            ),
        ));
    }
    out
}

/// Largest number of cancer-cell agents of the primary: every site inside the domain's
/// border.
pub(crate) fn max_primary_agents(config: &Config) -> f64 {
    (f64::from(config.space.max_size) - 2.0)
        .max(1.0)
        .powi(config.space.dims as i32)
}

/// The tumour-derived factor's source `s κ N` (per day) at the largest primary.
fn max_tdsf_source(config: &Config) -> f64 {
    config.niche.tdsf_per_cell * config.run.cells_per_agent * max_primary_agents(config)
}

/// An upper bound of the tumour-derived factor `T` over the run: `dT/dt = s κ N − k T`
/// from 0 gives `T ≤ s κ N (1 − e^(−k t)) / k` (`s κ N t` for k = 0).
pub(crate) fn tdsf_bound(config: &Config) -> f64 {
    let k = config.niche.tdsf_clearance_per_day;
    let days = config.run.days;
    let span = if k > 0.0 {
        -(-k * days).exp_m1() / k
    } else {
        days
    };
    max_tdsf_source(config) * span
}

/// The tumour-derived factor (and the engine's `s κ N / k`) must stay at most
/// [`MAX_TDSF`]; the HPCs mobilised per step (a Poisson mean) at most
/// [`MAX_MEAN_PER_STEP`].
fn niche_problems(config: &Config) -> Vec<Derived> {
    let mut out = Vec::new();
    let niche = &config.niche;
    let k = niche.tdsf_clearance_per_day;
    let source = max_tdsf_source(config);
    let agents = max_primary_agents(config);
    let tdsf_keys = keys(&[
        "niche.tdsf_per_cell",
        "niche.tdsf_clearance_per_day",
        "run.cells_per_agent",
        "space.max_size",
        "space.dims",
        "run.days",
        "dissemination.enabled",
    ]);
    // The engine forms s κ N / k when k > 0, T itself otherwise.
    let (peak, formula) = if k > 0.0 {
        (source / k, "s κ N / niche.tdsf_clearance_per_day")
    } else {
        (tdsf_bound(config), "s κ N × run.days")
    };
    let context = format!(
        "run.cells_per_agent = {} and at most {} cells N (space.max_size = {}, space.dims = {})",
        num(config.run.cells_per_agent),
        short(agents),
        config.space.max_size,
        config.space.dims
    );
    if peak.is_nan() || peak > MAX_TDSF {
        // Name the clearance when a positive clearance large enough exists (it must keep
        // its per-step probability ≤ 1), else the source.
        let k_min = source / MAX_TDSF;
        let k_max = HOURS_PER_DAY / config.run.dt_h;
        let problem = if k > 0.0 && k_min <= k_max {
            Problem::new(
                "niche.tdsf_clearance_per_day",
                num(k),
                format!(
                    "allowed 0 or at least {} (per day) with niche.tdsf_per_cell = {}, {context}: \
                     {formula} = {} must be ≤ {}",
                    short(k_min),
                    num(niche.tdsf_per_cell),
                    short(peak),
                    short(MAX_TDSF)
                ),
            )
        } else {
            let per_unit = peak / niche.tdsf_per_cell;
            Problem::new(
                "niche.tdsf_per_cell",
                num(niche.tdsf_per_cell),
                format!(
                    "allowed at most {} (units per primary cell per day) with \
                     niche.tdsf_clearance_per_day = {}, {context}: {formula} = {} must be ≤ {}",
                    short(MAX_TDSF / per_unit),
                    num(k),
                    short(peak),
                    short(MAX_TDSF)
                ),
            )
        };
        out.push((tdsf_keys, problem));
        // The mobilisation bound needs a finite T.
        return out;
    }
    let t = tdsf_bound(config);
    let factor = (1.0 - niche.vegfr1_blockade) * config.run.dt_h / HOURS_PER_DAY;
    let linear = niche.mobilisation * t * factor;
    let saturating = niche.mobilisation_max * factor;
    let mean = linear + saturating;
    if mean > MAX_MEAN_PER_STEP {
        let mut involved = tdsf_keys;
        involved.extend(keys(&[
            "niche.mobilisation",
            "niche.mobilisation_max",
            "niche.vegfr1_blockade",
            "run.dt_h",
        ]));
        let what = format!(
            "the mean number of HPCs mobilised per step, (niche.mobilisation × T + \
             niche.mobilisation_max) × (1 − niche.vegfr1_blockade) × run.dt_h / 24 = {}, \
             must be ≤ {} (T reaches up to {} with niche.tdsf_per_cell = {}, \
             niche.tdsf_clearance_per_day = {}, {context})",
            short(mean),
            short(MAX_MEAN_PER_STEP),
            short(t),
            num(niche.tdsf_per_cell),
            num(k)
        );
        let problem = if linear >= saturating {
            Problem::new(
                "niche.mobilisation",
                num(niche.mobilisation),
                format!(
                    "allowed at most {} (HPCs per unit T per day): {what}",
                    short((MAX_MEAN_PER_STEP - saturating).max(0.0) / (t * factor))
                ),
            )
        } else {
            Problem::new(
                "niche.mobilisation_max",
                num(niche.mobilisation_max),
                format!(
                    "allowed at most {} (HPCs per day): {what}",
                    short((MAX_MEAN_PER_STEP - linear).max(0.0) / factor)
                ),
            )
        };
        out.push((involved, problem));
    }
    out
}

/// Owned key names.
fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|k| k.to_string()).collect()
}

/// A number as written in TOML by a person: shortest round-trip form.
fn num(x: f64) -> String {
    x.to_string()
}

/// A derived quantity for messages: 4 significant digits, in exponent form when large or
/// small (`1e8`, `2.5e-12`, `0.04167`).
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let magnitude = x.abs().log10();
    if !(-4.0..6.0).contains(&magnitude) {
        let text = format!("{x:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        return format!("{mantissa}e{exponent}");
    }
    let digits = (3 - magnitude.floor() as i32).max(0) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Bytes as GiB for messages.
fn gib(bytes: f64) -> String {
    format!("{} GiB", short(bytes / (1024.0 * 1024.0 * 1024.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plenty of memory, so that only the rule under test fires.
    const LARGE: f64 = 1e15;

    fn keys_of(config: &Config) -> Vec<String> {
        derived_problems_with(config, LARGE)
            .into_iter()
            .map(|(_, p)| p.key)
            .collect()
    }

    fn metastasis() -> Config {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/configs/metastasis.toml"
        ))
        .unwrap();
        crate::config::load_str(&text, "configs/metastasis.toml", &[]).unwrap()
    }

    #[test]
    fn shipped_configs_are_far_inside_every_limit() {
        for c in [Config::default(), metastasis()] {
            assert!(
                keys_of(&c).is_empty(),
                "{:#?}",
                derived_problems_with(&c, LARGE)
            );
            // 10⁸ below each bound (fields and niche).
            assert!(concentration_bound(&c, true) < MAX_CONCENTRATION_NG_ML * 1e-8);
            assert!(concentration_bound(&c, false) < MAX_CONCENTRATION_NG_ML * 1e-8);
            assert!(diffusion_number(&c, 1e-3) < MAX_DIFFUSION_NUMBER * 1e-6);
            assert!(tdsf_bound(&c) < MAX_TDSF * 1e-8);
        }
    }

    #[test]
    fn step_count_is_capped() {
        let mut c = Config::default();
        c.run.days = 100.0;
        c.run.dt_h = 1e-9;
        let p = &derived_problems_with(&c, LARGE)[0].1;
        assert_eq!(p.key, "run.dt_h");
        assert!(p.allowed.starts_with("allowed at least 2.4e-5 (h)"), "{p}");
        // Exactly the cap is allowed.
        c.run.dt_h = 100.0 * 24.0 / MAX_STEPS;
        assert!(keys_of(&c).is_empty());
    }

    #[test]
    fn memory_counts_the_largest_window_and_the_fields() {
        assert_eq!(largest_window_side(2, 2000), 2016);
        assert_eq!(largest_window_side(3, 2000), 2000);
        assert_eq!(largest_window_side(2, 8), 32);
        assert_eq!(largest_window_side(3, 8), 16);
        assert_eq!(largest_window_side(3, 65536), 65536);
        let mut c = Config::default();
        // 2016² site bytes + 504² field cells of 36 bytes.
        assert_eq!(
            primary_memory_bytes(&c),
            2016.0 * 2016.0 + 504.0 * 504.0 * 36.0
        );
        assert!(
            derived_problems_with(&c, 1e6)
                .iter()
                .any(|(_, p)| p.key == "space.max_size")
        );
        c.space.dims = 3;
        c.space.max_size = 65536;
        let p = derived_problems_with(&c, 24e9)
            .into_iter()
            .find(|(_, p)| p.key == "space.max_size")
            .unwrap()
            .1;
        assert!(p.allowed.contains("or use space.dims = 2"), "{p}");
        // The 3D default fits in 16 GiB (the fallback).
        c.space.max_size = 2000;
        assert!(derived_problems_with(&c, FALLBACK_MEMORY_BYTES).is_empty());
    }

    #[test]
    fn mem_total_is_read_in_kib() {
        let text = "MemFree:  10 kB\nMemTotal:       24683584 kB\n";
        assert_eq!(parse_mem_total(text), Some(24683584.0 * 1024.0));
        assert_eq!(parse_mem_total("nothing"), None);
        assert!(machine_memory_bytes() > 0.0);
    }

    #[test]
    fn diffusion_number_names_the_smallest_spacing() {
        let mut c = Config::default();
        c.space.spacing_um = 1e-50;
        let p = &derived_problems_with(&c, LARGE)[0].1;
        assert_eq!(p.key, "space.spacing_um");
        // At the spacing named, r is at the limit and accepted.
        let at = p.allowed["allowed at least ".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap();
        c.space.spacing_um = at * 1.001;
        assert!(!keys_of(&c).contains(&"space.spacing_um".to_string()));
    }

    #[test]
    fn concentrations_bound_secretion_decay_and_spacing() {
        let mut c = Config::default();
        c.signalling.gain_il6_secretion = 1e300;
        assert_eq!(keys_of(&c), ["fields.il6"]);
        let mut c = Config::default();
        c.fields.cxcl7.decay_per_h = 0.0;
        c.fields.cxcl7.secretion_per_msc = 1e6;
        c.msc.aldh_boost = 1e6;
        c.msc.basal_cxcl7 = 1e6;
        c.space.spacing_um = 1e-3;
        c.fields.cxcl7.diffusion_cm2_per_s = 0.0;
        c.fields.il6.diffusion_cm2_per_s = 0.0;
        assert_eq!(keys_of(&c), ["fields.cxcl7"]);
        // With decay the same secretion is held.
        c.fields.cxcl7.decay_per_h = 1e4;
        c.space.spacing_um = 1.0;
        assert!(
            keys_of(&c).is_empty(),
            "{:#?}",
            derived_problems_with(&c, LARGE)
        );
        // Fields off: no field rule.
        c.fields.enabled = false;
        c.msc.inject_count = 0;
        c.space.spacing_um = 1e-300;
        assert!(keys_of(&c).is_empty());
    }

    #[test]
    fn niche_rules_name_the_key_to_change() {
        let mut c = metastasis();
        c.niche.tdsf_clearance_per_day = 5e-324;
        assert_eq!(keys_of(&c), ["niche.tdsf_clearance_per_day"]);
        c.niche.tdsf_clearance_per_day = 0.0;
        assert!(keys_of(&c).is_empty());
        c.niche.tdsf_clearance_per_day = 1.0;
        c.niche.tdsf_per_cell = 1e300;
        assert_eq!(keys_of(&c), ["niche.tdsf_per_cell"]);
        c.niche.tdsf_per_cell = 1e-6;
        c.niche.mobilisation = 1e25;
        assert_eq!(keys_of(&c), ["niche.mobilisation"]);
        c.niche.mobilisation = 0.0;
        c.niche.mobilisation_max = 1e20;
        assert_eq!(keys_of(&c), ["niche.mobilisation_max"]);
        // The named largest value is accepted.
        let p = derived_problems_with(&c, LARGE).remove(0).1;
        let at: f64 = p.allowed["allowed at most ".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        c.niche.mobilisation_max = at * 0.999;
        assert!(keys_of(&c).is_empty());
        // Without dissemination the niche is not simulated.
        c.niche.mobilisation_max = 1e300;
        c.dissemination.enabled = false;
        assert!(keys_of(&c).is_empty());
    }

    #[test]
    fn shedding_stays_below_the_poisson_limit() {
        // The largest 2D primary at the largest κ, shedding rate and step: far below.
        let mut c = Config::default();
        c.space.max_size = 65536;
        c.run.cells_per_agent = 1e6;
        c.run.dt_h = 24.0;
        c.dissemination.shed_per_cell_per_day = 1.0;
        assert!(shedding_problem(&c).is_none());
        // A 3D domain of 65536³ sites could exceed it.
        c.space.dims = 3;
        let p = shedding_problem(&c).unwrap().1;
        assert_eq!(p.key, "dissemination.shed_per_cell_per_day");
        assert!(p.allowed.starts_with("allowed at most 0.06"), "{p}");
    }

    #[test]
    fn short_numbers_switch_to_exponents() {
        assert_eq!(short(1e8), "1e8");
        assert_eq!(short(2.5e-12), "2.5e-12");
        assert_eq!(short(0.0416666), "0.04167");
        assert_eq!(short(12345.0), "12345");
        assert_eq!(short(1.23456e30), "1.235e30");
    }
}
