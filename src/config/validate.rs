//! Cross-key rules: checks that involve more than one key, run after the per-key catalogue
//! checks (docs/model.md §2.1: every per-step probability `rate × dt` must be ≤ 1), and
//! the derived limits of [`super::derived`] (step count, memory, field and niche
//! magnitudes).

use std::collections::HashSet;

use super::derived::derived_problems;
use super::lattice::InitKind;
use super::organs::OrganConfig;
use super::root::Config;
use super::show::show_value;
use super::therapy::therapy_step_problems;
use crate::error::Problem;
use crate::units::HOURS_PER_DAY;

/// Slack for floating-point rounding in `rate × dt ≤ 1` (so that exactly the largest
/// allowed value printed in a message is accepted).
const EPS: f64 = 1e-12;

/// Every cross-key problem of `config`, each with the keys it depends on (so that a rule
/// is skipped when one of its inputs was already rejected and replaced by its default).
pub(crate) fn cross_key_problems(config: &Config) -> Vec<(Vec<String>, Problem)> {
    let mut out = Vec::new();
    let run = &config.run;
    let cells = &config.cells;
    let dt = run.dt_h;

    if cells.p_symmetric > cells.p_symmetric_max {
        out.push((
            involved(&["cells.p_symmetric", "cells.p_symmetric_max"]),
            Problem::new(
                "cells.p_symmetric",
                num(cells.p_symmetric),
                format!(
                    "allowed at most cells.p_symmetric_max = {} (per CSC division)",
                    num(cells.p_symmetric_max)
                ),
            ),
        ));
    }

    if !config.fields.coarsen.is_power_of_two() {
        out.push((
            involved(&["fields.coarsen"]),
            Problem::new(
                "fields.coarsen",
                config.fields.coarsen.to_string(),
                "allowed 1, 2, 4 or 8 (sites per field cell; must divide the lattice tiles)",
            ),
        ));
    }

    // p_div = dt / cycle_time ≤ 1.
    out.extend(division_time_problem(
        "cells.cycle_time_h",
        cells.cycle_time_h,
        dt,
    ));

    // Debris lasts K = round(clearance_h / dt) steps: a positive time must give K ≥ 1.
    if cells.clearance_h > 0.0 && (cells.clearance_h / dt).round() < 1.0 {
        out.push((
            involved(&["cells.clearance_h", "run.dt_h"]),
            Problem::new(
                "cells.clearance_h",
                num(cells.clearance_h),
                format!(
                    "allowed 0 or at least {} (h) with run.dt_h = {}: debris lasts \
                     round(cells.clearance_h / run.dt_h) steps, at least one",
                    num(dt / 2.0),
                    num(dt)
                ),
            ),
        ));
    }

    // Rates: p = rate × factors × dt / (24 for per-day rates, 1 for per-hour ones) ≤ 1.
    let plasticity = Factor::new(
        "(1 + signalling.gain_plasticity)",
        1.0 + config.signalling.gain_plasticity,
    )
    .with(
        "signalling.gain_plasticity",
        config.signalling.gain_plasticity,
    );
    let dis = &config.dissemination;
    let niche = &config.niche;
    let mut rates = vec![
        Rate::per_day(
            "cells.migration_per_day",
            cells.migration_per_day,
            "cell widths per day",
        ),
        Rate::per_day(
            "cells.dedifferentiation_per_day",
            cells.dedifferentiation_per_day,
            "per day",
        )
        .times(plasticity),
        Rate::per_day(
            "cells.background_death_per_day",
            cells.background_death_per_day,
            "per day",
        ),
        Rate::per_day(
            "cells.csc_death_per_day",
            cells.csc_death_per_day,
            "per day",
        ),
        Rate::per_day(
            "msc.homing_per_day",
            config.msc.homing_per_day,
            "per pool cell per day",
        ),
        Rate::per_day(
            "msc.motility_per_day",
            config.msc.motility_per_day,
            "sites per day",
        ),
        Rate::per_day("msc.death_per_day", config.msc.death_per_day, "per day"),
    ];
    // CSCs enter the blood at csc_factor times the rim rate; if the factor is below 1 the
    // non-stem rate is the larger one.
    let mut intravasation = Rate::per_day(
        "dissemination.intravasation_per_day",
        dis.intravasation_per_day,
        "per rim cell per day",
    );
    if dis.csc_factor > 1.0 {
        intravasation = intravasation.times(
            Factor::new("dissemination.csc_factor", dis.csc_factor)
                .with("dissemination.csc_factor", dis.csc_factor),
        );
    } else {
        intravasation
            .involved
            .push("dissemination.csc_factor".to_string());
    }
    rates.push(intravasation);
    rates.push(Rate::per_hour(
        "dissemination.arrest_per_h",
        dis.arrest_per_h,
        "per CTC per h",
    ));
    // Waking is raised by the organ's tropism and a full niche; the organ with the largest
    // tropism sets the limit (one problem, naming that organ).
    let mut wake = Rate::per_day(
        "dissemination.wake_per_day",
        dis.wake_per_day,
        "per dormant CSC per day",
    );
    if let Some((name, organ)) = config
        .organs
        .iter()
        .max_by(|a, b| a.1.tropism.total_cmp(&b.1.tropism))
    {
        let key = format!("organs.{name}.tropism");
        wake = wake.times(Factor::new(&key, organ.tropism).with(&key, organ.tropism));
    }
    wake = wake.times(
        Factor::new(
            "(1 + niche.colonisation_gain)",
            1.0 + niche.colonisation_gain,
        )
        .with("niche.colonisation_gain", niche.colonisation_gain),
    );
    rates.push(wake);
    rates.push(Rate::per_day(
        "niche.tdsf_clearance_per_day",
        niche.tdsf_clearance_per_day,
        "per day",
    ));
    rates.push(Rate::per_day(
        "niche.hpc_loss_per_day",
        niche.hpc_loss_per_day,
        "per HPC per day",
    ));
    for rate in rates {
        out.extend(rate.problem(dt));
    }

    // MSC division p = dt / doubling_time ≤ 1.
    out.extend(division_time_problem(
        "msc.doubling_time_h",
        config.msc.doubling_time_h,
        dt,
    ));

    // MSCs act only through the cytokine fields: without them nothing homes (the pool
    // stays in the bone marrow), so an injection would do nothing.
    if config.msc.inject_count > 0 && !config.fields.enabled {
        out.push((
            involved(&["msc.inject_count", "fields.enabled"]),
            Problem::new(
                "msc.inject_count",
                config.msc.inject_count.to_string(),
                "allowed 0 when fields.enabled = false (MSCs home towards the tumour's IL6 \
                 and act through the CXCL7 field)",
            ),
        ));
    }

    // An injection after the end would silently never happen.
    if config.msc.inject_count > 0 && config.msc.inject_day > run.days {
        out.push((
            involved(&["msc.inject_day", "msc.inject_count", "run.days"]),
            Problem::new(
                "msc.inject_day",
                num(config.msc.inject_day),
                format!(
                    "allowed at most run.days = {} (days) when msc.inject_count > 0",
                    num(run.days)
                ),
            ),
        ));
    }

    out.extend(dissemination_problems(config));

    // A therapy that starts after the end of the run never acts: a mistake (a therapy file
    // with a shorter run), not a silent no-op.
    for (i, th) in config.therapy.iter().enumerate() {
        if th.start_day > run.days {
            let key = format!("therapy[{i}].start_day");
            out.push((
                involved(&["run.days", &format!("therapy[{i}]")]),
                Problem::new(
                    &key,
                    num(th.start_day),
                    format!(
                        "allowed at most run.days = {} (a therapy that starts after the end \
                         of the run never acts)",
                        num(run.days)
                    ),
                ),
            ));
        }
    }

    for problem in therapy_step_problems(&config.therapy, dt) {
        let entry = problem
            .key
            .split('.')
            .next()
            .unwrap_or("therapy")
            .to_string();
        out.push((involved(&["run.dt_h", &entry]), problem));
    }

    let space = &config.space;
    if space.initial_size > space.max_size {
        out.push((
            involved(&["space.initial_size", "space.max_size"]),
            Problem::new(
                "space.initial_size",
                space.initial_size.to_string(),
                format!(
                    "allowed at most space.max_size = {} (sites)",
                    space.max_size
                ),
            ),
        ));
    }

    if config.init.kind == InitKind::Disc {
        let radius = config.init.radius;
        let max_size = f64::from(space.max_size);
        if radius * 2.0 + 2.0 >= max_size {
            out.push((
                involved(&["init.radius", "init.kind", "space.max_size"]),
                Problem::new(
                    "init.radius",
                    num(radius),
                    format!(
                        "allowed value < {} (sites): the initial disc, 2 × radius + 2 sites \
                         wide with the border, must fit inside space.max_size = {}",
                        num((max_size - 2.0) / 2.0),
                        space.max_size
                    ),
                ),
            ));
        }
    }

    out.extend(init_file_problems(config).into_iter().map(|p| {
        (
            involved(&[
                "init.kind",
                "init.file",
                "space.dims",
                "space.max_size",
                "cells.rho_max",
            ]),
            p,
        )
    }));

    let days = run.days;
    let outside: Vec<String> = config
        .output
        .snapshot_days
        .iter()
        .filter(|d| !(0.0..=days).contains(*d))
        .map(|d| num(*d))
        .collect();
    if !outside.is_empty() {
        let list = toml::Value::Array(
            config
                .output
                .snapshot_days
                .iter()
                .map(|d| toml::Value::Float(*d))
                .collect(),
        );
        out.push((
            involved(&["output.snapshot_days", "run.days"]),
            Problem::new(
                "output.snapshot_days",
                show_value(&list),
                format!(
                    "allowed days 0 ≤ day ≤ run.days = {} (days); outside: {}",
                    num(days),
                    outside.join(", ")
                ),
            ),
        ));
    }

    let every = config.output.snapshot_every_days;
    let step_days = run.dt_h / 24.0;
    if every > 0.0 && every < step_days * (1.0 - EPS) {
        out.push((
            involved(&["output.snapshot_every_days", "run.dt_h"]),
            Problem::new(
                "output.snapshot_every_days",
                num(every),
                format!(
                    "allowed 0 (off) or at least one step, run.dt_h / 24 = {} (days) with \
                     run.dt_h = {}",
                    num(step_days),
                    num(run.dt_h)
                ),
            ),
        ));
    }

    out.extend(derived_problems(config));
    out
}

/// Cross-key rules of dissemination and the organs (docs/model.md §7.12–7.15), other than
/// the rate limits.
fn dissemination_problems(config: &Config) -> Vec<(Vec<String>, Problem)> {
    let mut out = Vec::new();
    let dis = &config.dissemination;
    if dis.micrometastasis_cells > dis.detect_cells {
        out.push((
            involved(&[
                "dissemination.micrometastasis_cells",
                "dissemination.detect_cells",
            ]),
            Problem::new(
                "dissemination.micrometastasis_cells",
                dis.micrometastasis_cells.to_string(),
                format!(
                    "allowed at most dissemination.detect_cells = {} (cells): a detected \
                     colony is also a micrometastasis",
                    dis.detect_cells
                ),
            ),
        ));
    }
    if !dis.enabled {
        return out;
    }
    // The weights are relative; all 0 leaves arresting CTCs (or mobilised HPCs) nowhere
    // to go.
    let weights = |leaf: &str, weight: fn(&OrganConfig) -> f64| {
        let mut keys = vec!["dissemination.enabled".to_string()];
        let mut shown = toml::Table::new();
        for (name, organ) in &config.organs {
            keys.push(format!("organs.{name}.{leaf}"));
            shown.insert(name.clone(), toml::Value::Float(weight(organ)));
        }
        let all_zero = config.organs.values().all(|o| weight(o) == 0.0);
        (keys, show_value(&toml::Value::Table(shown)), all_zero)
    };
    let (keys, shown, all_zero) = weights("arrival_weight", |o| o.arrival_weight);
    if all_zero {
        out.push((
            keys,
            Problem::new(
                "organs",
                format!("arrival weights {shown}"),
                "allowed organs.<name>.arrival_weight > 0 for at least one organ when \
                 dissemination.enabled = true (arresting CTCs are shared among the organs \
                 by arrival weight)",
            ),
        ));
    }
    let (mut keys, shown, all_zero) = weights("hpc_homing_weight", |o| o.hpc_homing_weight);
    let (linear, saturating) = (config.niche.mobilisation, config.niche.mobilisation_max);
    if all_zero && (linear > 0.0 || saturating > 0.0) {
        keys.push("niche.mobilisation".to_string());
        keys.push("niche.mobilisation_max".to_string());
        out.push((
            keys,
            Problem::new(
                "organs",
                format!("HPC homing weights {shown}"),
                format!(
                    "allowed organs.<name>.hpc_homing_weight > 0 for at least one organ when \
                     dissemination.enabled = true and HPCs are mobilised (niche.mobilisation = \
                     {}, niche.mobilisation_max = {}; mobilised HPCs are shared among the \
                     organs by homing weight); or set both to 0",
                    num(linear),
                    num(saturating)
                ),
            ),
        ));
    }
    out
}

/// A factor of a rate's per-step probability, e.g. `(1 + signalling.gain_plasticity)`,
/// with the keys and values it depends on (named in the message).
struct Factor {
    /// The factor as written in the message's formula.
    text: String,
    /// Its value.
    value: f64,
    /// `key = value` pairs it is computed from.
    inputs: Vec<(String, f64)>,
}

impl Factor {
    fn new(text: &str, value: f64) -> Self {
        Factor {
            text: text.to_string(),
            value,
            inputs: Vec::new(),
        }
    }

    fn with(mut self, key: &str, value: f64) -> Self {
        self.inputs.push((key.to_string(), value));
        self
    }
}

/// A rate whose per-step probability `rate × factors × dt / hours` must be ≤ 1
/// (docs/model.md §2.1), `hours` = 24 for a per-day rate, 1 for a per-hour rate.
struct Rate {
    key: &'static str,
    rate: f64,
    unit: &'static str,
    hours: f64,
    factors: Vec<Factor>,
    /// Keys the rule depends on besides `key` and `run.dt_h`.
    involved: Vec<String>,
}

impl Rate {
    fn per_day(key: &'static str, rate: f64, unit: &'static str) -> Self {
        Rate {
            key,
            rate,
            unit,
            hours: HOURS_PER_DAY,
            factors: Vec::new(),
            involved: Vec::new(),
        }
    }

    fn per_hour(key: &'static str, rate: f64, unit: &'static str) -> Self {
        Rate {
            hours: 1.0,
            ..Rate::per_day(key, rate, unit)
        }
    }

    fn times(mut self, factor: Factor) -> Self {
        self.involved
            .extend(factor.inputs.iter().map(|(key, _)| key.clone()));
        self.factors.push(factor);
        self
    }

    /// The problem if the per-step probability exceeds 1, naming the largest allowed rate.
    fn problem(self, dt: f64) -> Option<(Vec<String>, Problem)> {
        let factor: f64 = self.factors.iter().map(|f| f.value).product();
        let p = self.rate * factor * dt / self.hours;
        if p <= 1.0 + EPS {
            return None;
        }
        let largest = self.hours / (factor * dt);
        let mut with = vec![format!("run.dt_h = {}", num(dt))];
        with.extend(
            self.factors
                .iter()
                .flat_map(|f| &f.inputs)
                .map(|(key, value)| format!("{key} = {}", num(*value))),
        );
        let with = match with.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => unreachable!("run.dt_h is always named"),
        };
        let mut formula = vec![self.key.to_string()];
        formula.extend(self.factors.iter().map(|f| f.text.clone()));
        formula.push(if self.hours == HOURS_PER_DAY {
            "run.dt_h / 24".to_string()
        } else {
            "run.dt_h".to_string()
        });
        let mut keys = involved(&[self.key, "run.dt_h"]);
        keys.extend(self.involved);
        Some((
            keys,
            Problem::new(
                self.key,
                num(self.rate),
                format!(
                    "allowed at most {} ({}) with {with}: the per-step probability {} = {} \
                     must be ≤ 1",
                    num(largest),
                    self.unit,
                    formula.join(" × "),
                    short(p)
                ),
            ),
        ))
    }
}

/// Owned key names for a rule's list of involved keys.
fn involved(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

/// The problem of a division time `key = hours` shorter than the step `dt` (the per-step
/// division probability `dt / hours` must be ≤ 1), if any.
fn division_time_problem(key: &'static str, hours: f64, dt: f64) -> Option<(Vec<String>, Problem)> {
    (dt / hours > 1.0 + EPS).then(|| {
        (
            involved(&[key, "run.dt_h"]),
            Problem::new(
                key,
                num(hours),
                format!(
                    "allowed at least {} (h) with run.dt_h = {}: the per-step division \
                     probability run.dt_h / {key} = {} must be ≤ 1",
                    num(dt),
                    num(dt),
                    short(dt / hours)
                ),
            ),
        )
    })
}

/// Appends the cross-key problems of `config` to `problems`, skipping rules that depend on
/// a key (or section) in `rejected`: those keys were reported already and hold defaults.
pub(crate) fn push_cross_key_problems(
    config: &Config,
    rejected: &HashSet<String>,
    problems: &mut Vec<Problem>,
) {
    for (involved, problem) in cross_key_problems(config) {
        let depends_on_rejected = involved
            .iter()
            .any(|key| rejected.iter().any(|bad| covers(bad, key)));
        if !depends_on_rejected {
            problems.push(problem);
        }
    }
}

/// The problems of `init.file`: set with a kind that reads no file, missing for one
/// that does, and for `init.kind = "file"` every problem of the cells file
/// ([`super::init_file`]). A checkpoint (`"checkpoint"`) must be a readable file here;
/// its contents are checked when the run starts (the checkpoint module reads them).
fn init_file_problems(config: &Config) -> Vec<Problem> {
    let init = &config.init;
    let reads = matches!(init.kind, InitKind::File | InitKind::Checkpoint);
    let kind = toml::Value::try_from(init.kind).map_or_else(|_| String::new(), |v| show_value(&v));
    match (&init.file, reads) {
        (None, false) => Vec::new(),
        (Some(file), false) => vec![Problem::new(
            "init.file",
            format!("\"{file}\""),
            format!(
                "allowed only with init.kind = \"file\" or \"checkpoint\" (init.kind is {kind}): \
                 remove it or set init.kind"
            ),
        )],
        (None, true) => vec![Problem::new(
            "init.kind",
            kind,
            "needs init.file, the cells CSV (\"file\") or checkpoint (\"checkpoint\") to start from",
        )],
        (Some(file), true) if init.kind == InitKind::File => {
            let rules = super::init_file::CellsFileRules {
                dims: config.space.dims,
                max_size: config.space.max_size,
                rho_max: config.cells.rho_max,
            };
            super::init_file::read_cells_file(std::path::Path::new(file), rules)
                .err()
                .unwrap_or_default()
        }
        (Some(file), _) => match std::fs::metadata(file) {
            Ok(m) if m.is_file() => Vec::new(),
            Ok(_) => vec![Problem::new(
                "init.file",
                format!("\"{file}\""),
                "allowed a checkpoint file (written by seedsoil run --checkpoint-at D), not a folder",
            )],
            Err(e) => vec![Problem::new(
                "init.file",
                format!("\"{file}\""),
                format!("cannot read the checkpoint: {e}"),
            )],
        },
    }
}

/// Whether a rejected key or section `bad` covers `key`.
fn covers(bad: &str, key: &str) -> bool {
    key == bad
        || key
            .strip_prefix(bad)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// A number as written in TOML by a person: shortest round-trip form (`24`, `0.1`).
fn num(x: f64) -> String {
    x.to_string()
}

/// A derived quantity for messages, to 4 significant digits.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(config: &Config) -> Vec<String> {
        cross_key_problems(config)
            .into_iter()
            .map(|(_, p)| p.key)
            .collect()
    }

    #[test]
    fn default_has_no_cross_key_problems() {
        assert!(keys(&Config::default()).is_empty());
    }

    #[test]
    fn rate_limits_name_the_largest_allowed_value() {
        let mut c = Config::default();
        c.cells.migration_per_day = 30.0;
        c.run.dt_h = 1.0;
        let problems = cross_key_problems(&c);
        assert_eq!(problems.len(), 1);
        let p = &problems[0].1;
        assert_eq!(p.key, "cells.migration_per_day");
        assert!(p.allowed.starts_with("allowed at most 24 "), "{p}");

        // Exactly the limit is allowed.
        c.cells.migration_per_day = 24.0;
        assert!(keys(&c).is_empty());

        // Dedifferentiation counts the IL6 gain: (1 + 3) × r × 2 / 24 ≤ 1 → r ≤ 3.
        let mut c = Config::default();
        c.signalling.gain_plasticity = 3.0;
        c.run.dt_h = 2.0;
        c.cells.dedifferentiation_per_day = 4.0;
        let problems = cross_key_problems(&c);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].1.allowed.starts_with("allowed at most 3 "));
        c.cells.dedifferentiation_per_day = 3.0;
        assert!(keys(&c).is_empty());
    }

    #[test]
    fn every_rule_fires() {
        let mut c = Config::default();
        c.cells.p_symmetric = 0.6;
        c.run.dt_h = 12.0;
        c.cells.cycle_time_h = 6.0;
        c.cells.migration_per_day = 3.0;
        c.cells.dedifferentiation_per_day = 0.6;
        c.cells.background_death_per_day = 3.0;
        c.cells.csc_death_per_day = 3.0;
        c.space.initial_size = 4000;
        c.init.kind = InitKind::Disc;
        c.init.radius = 999.0;
        c.output.snapshot_days = vec![10.0, 91.0];
        c.output.snapshot_every_days = 0.25;
        c.msc.doubling_time_h = 6.0;
        c.msc.homing_per_day = 3.0;
        c.msc.death_per_day = 3.0;
        c.msc.inject_count = 10;
        c.msc.inject_day = 95.0;
        c.fields.enabled = false;
        c.dissemination.intravasation_per_day = 1.0;
        // dissemination.arrest_per_h = 0.5 × 12 h > 1 at the default.
        c.dissemination.wake_per_day = 0.2;
        c.dissemination.micrometastasis_cells = 20_000;
        c.niche.tdsf_clearance_per_day = 3.0;
        c.niche.hpc_loss_per_day = 3.0;
        for organ in c.organs.values_mut() {
            organ.arrival_weight = 0.0;
            organ.hpc_homing_weight = 0.0;
        }
        assert_eq!(
            keys(&c),
            [
                "cells.p_symmetric",
                "cells.cycle_time_h",
                "cells.migration_per_day",
                "cells.dedifferentiation_per_day",
                "cells.background_death_per_day",
                "cells.csc_death_per_day",
                "msc.homing_per_day",
                "msc.motility_per_day",
                "msc.death_per_day",
                "dissemination.intravasation_per_day",
                "dissemination.arrest_per_h",
                "dissemination.wake_per_day",
                "niche.tdsf_clearance_per_day",
                "niche.hpc_loss_per_day",
                "msc.doubling_time_h",
                "msc.inject_count",
                "msc.inject_day",
                "dissemination.micrometastasis_cells",
                "organs",
                "organs",
                "space.initial_size",
                "init.radius",
                "output.snapshot_days",
                "output.snapshot_every_days",
            ]
        );
        c.init.kind = InitKind::SingleCsc;
        assert!(!keys(&c).contains(&"init.radius".to_string()));
        // Without dissemination the organ weights are not needed.
        c.dissemination.enabled = false;
        assert!(!keys(&c).contains(&"organs".to_string()));
    }

    /// The single problem of `config`, which must have exactly one.
    fn only_problem(config: &Config) -> Problem {
        let mut problems = cross_key_problems(config);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems.remove(0).1
    }

    #[test]
    fn dissemination_rate_limits() {
        // Intravasation counts the CSC factor: 0.01 × 5 × 24 / 24 ≤ 1 → at most 0.2 at
        // dt = 24 h.
        let mut c = Config::default();
        c.run.dt_h = 24.0;
        c.cells.cycle_time_h = 24.0;
        c.cells.migration_per_day = 1.0;
        c.msc.motility_per_day = 1.0;
        c.msc.doubling_time_h = 24.0;
        c.dissemination.arrest_per_h = 1.0 / 24.0;
        c.niche.colonisation_gain = 0.0;
        assert!(keys(&c).is_empty(), "{:#?}", cross_key_problems(&c));
        c.dissemination.intravasation_per_day = 0.3;
        let p = only_problem(&c);
        assert_eq!(p.key, "dissemination.intravasation_per_day");
        assert!(p.allowed.starts_with("allowed at most 0.2 "), "{p}");
        assert!(p.allowed.contains("dissemination.csc_factor = 5"), "{p}");
        c.dissemination.intravasation_per_day = 0.2;
        assert!(keys(&c).is_empty());
        // With a CSC factor below 1 the non-stem rate binds: at most 1.
        c.dissemination.csc_factor = 0.5;
        c.dissemination.intravasation_per_day = 1.0;
        assert!(keys(&c).is_empty());
        c.dissemination.intravasation_per_day = 1.5;
        assert!(only_problem(&c).allowed.starts_with("allowed at most 1 "));
        c.dissemination.intravasation_per_day = 0.01;

        // Arrest is per hour: at most 1 / dt.
        c.dissemination.arrest_per_h = 0.5;
        let p = only_problem(&c);
        assert_eq!(p.key, "dissemination.arrest_per_h");
        assert!(p.allowed.starts_with("allowed at most 0.041666"), "{p}");
        assert!(
            p.allowed
                .contains("dissemination.arrest_per_h × run.dt_h = 12")
        );
        c.dissemination.arrest_per_h = 1.0 / 24.0;

        // Waking counts the largest tropism and a full niche: 1 / (3 × (1 + 1)) = 1/6.
        c.niche.colonisation_gain = 1.0;
        c.organs.get_mut("bone").unwrap().tropism = 3.0;
        c.organs.get_mut("brain").unwrap().tropism = 2.0;
        c.dissemination.wake_per_day = 0.2;
        let p = only_problem(&c);
        assert_eq!(p.key, "dissemination.wake_per_day");
        assert!(p.allowed.starts_with("allowed at most 0.16666"), "{p}");
        assert!(p.allowed.contains("organs.bone.tropism = 3"), "{p}");
        assert!(p.allowed.contains("niche.colonisation_gain = 1"), "{p}");
        c.dissemination.wake_per_day = 1.0 / 6.0;
        assert!(keys(&c).is_empty());

        // Niche rates per day.
        c.niche.hpc_loss_per_day = 1.5;
        c.niche.tdsf_clearance_per_day = 2.0;
        assert_eq!(
            keys(&c),
            ["niche.tdsf_clearance_per_day", "niche.hpc_loss_per_day"]
        );
    }

    #[test]
    fn organ_weight_rules() {
        let mut c = Config::default();
        c.dissemination.micrometastasis_cells = c.dissemination.detect_cells;
        assert!(keys(&c).is_empty());
        for organ in c.organs.values_mut() {
            organ.hpc_homing_weight = 0.0;
        }
        let p = only_problem(&c);
        assert_eq!(p.key, "organs");
        assert!(p.value.starts_with("HPC homing weights {"), "{p}");
        assert!(p.allowed.contains("niche.mobilisation_max = 119"), "{p}");
        // No HPCs are mobilised: no homing weights needed.
        c.niche.mobilisation_max = 0.0;
        assert!(keys(&c).is_empty());
        // One organ with a weight is enough.
        for organ in c.organs.values_mut() {
            organ.arrival_weight = 0.0;
        }
        assert_eq!(only_problem(&c).key, "organs");
        c.organs.get_mut("brain").unwrap().arrival_weight = 0.01;
        assert!(keys(&c).is_empty());
        // No organs at all.
        c.organs.clear();
        assert_eq!(keys(&c), ["organs"]);
    }

    #[test]
    fn rejected_organ_weights_silence_the_weight_rules() {
        let mut c = Config::default();
        for organ in c.organs.values_mut() {
            organ.arrival_weight = 0.0;
        }
        let mut problems = Vec::new();
        let rejected: HashSet<String> = ["organs.lung.arrival_weight".to_string()].into();
        push_cross_key_problems(&c, &rejected, &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
        push_cross_key_problems(&c, &HashSet::new(), &mut problems);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn rejected_inputs_silence_dependent_rules() {
        let mut c = Config::default();
        c.cells.p_symmetric = 0.6;
        let mut problems = Vec::new();
        let rejected: HashSet<String> = ["cells".to_string()].into();
        push_cross_key_problems(&c, &rejected, &mut problems);
        assert!(problems.is_empty());
        let rejected: HashSet<String> = ["cells.p_symmetric_max".to_string()].into();
        push_cross_key_problems(&c, &rejected, &mut problems);
        assert!(problems.is_empty());
        push_cross_key_problems(&c, &HashSet::new(), &mut problems);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(1.25), "1.25");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.0416666), "0.04167");
        assert_eq!(short(1234.5678), "1235");
    }
}
