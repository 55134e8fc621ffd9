//! Cross-key rules: checks that involve more than one key, run after the per-key catalogue
//! checks (MODEL.md section 1: every per-step probability `rate × dt` must be ≤ 1).

use std::collections::HashSet;

use super::{Config, InitKind};
use crate::error::Problem;

/// Slack for floating-point rounding in `rate × dt ≤ 1` (so that exactly the largest
/// allowed value printed in a message is accepted).
const EPS: f64 = 1e-12;

/// Every cross-key problem of `config`, each with the keys it depends on (so that a rule
/// is skipped when one of its inputs was already rejected and replaced by its default).
pub(crate) fn cross_key_problems(config: &Config) -> Vec<(Vec<&'static str>, Problem)> {
    let mut out = Vec::new();
    let run = &config.run;
    let cells = &config.cells;
    let dt = run.dt_h;

    if cells.p_symmetric > cells.p_symmetric_max {
        out.push((
            vec!["cells.p_symmetric", "cells.p_symmetric_max"],
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
            vec!["fields.coarsen"],
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

    // Per-day rates: p = rate × factor × dt / 24 ≤ 1.
    let plasticity = 1.0 + config.signalling.gain_plasticity;
    let rates: Vec<(&'static str, f64, f64, &'static str, Vec<&'static str>)> = vec![
        (
            "cells.migration_per_day",
            cells.migration_per_day,
            1.0,
            "cell widths per day",
            vec![],
        ),
        (
            "cells.dedifferentiation_per_day",
            cells.dedifferentiation_per_day,
            plasticity,
            "per day",
            vec!["signalling.gain_plasticity"],
        ),
        (
            "cells.background_death_per_day",
            cells.background_death_per_day,
            1.0,
            "per day",
            vec![],
        ),
        (
            "cells.csc_death_per_day",
            cells.csc_death_per_day,
            1.0,
            "per day",
            vec![],
        ),
        (
            "msc.homing_per_day",
            config.msc.homing_per_day,
            1.0,
            "per pool cell per day",
            vec![],
        ),
        (
            "msc.motility_per_day",
            config.msc.motility_per_day,
            1.0,
            "sites per day",
            vec![],
        ),
        (
            "msc.death_per_day",
            config.msc.death_per_day,
            1.0,
            "per day",
            vec![],
        ),
    ];
    for (key, rate, factor, unit, extra) in rates {
        let p = rate * factor * dt / 24.0;
        if p > 1.0 + EPS {
            let largest = 24.0 / (factor * dt);
            let (with, formula) = if extra.is_empty() {
                (
                    format!("run.dt_h = {}", num(dt)),
                    format!("{key} × run.dt_h / 24"),
                )
            } else {
                (
                    format!(
                        "run.dt_h = {} and signalling.gain_plasticity = {}",
                        num(dt),
                        num(config.signalling.gain_plasticity)
                    ),
                    format!("{key} × (1 + signalling.gain_plasticity) × run.dt_h / 24"),
                )
            };
            let mut involved = vec![key, "run.dt_h"];
            involved.extend(extra);
            out.push((
                involved,
                Problem::new(
                    key,
                    num(rate),
                    format!(
                        "allowed at most {} ({unit}) with {with}: the per-step probability \
                         {formula} = {} must be ≤ 1",
                        num(largest),
                        short(p)
                    ),
                ),
            ));
        }
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
            vec!["msc.inject_count", "fields.enabled"],
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
            vec!["msc.inject_day", "msc.inject_count", "run.days"],
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

    let space = &config.space;
    if space.initial_size > space.max_size {
        out.push((
            vec!["space.initial_size", "space.max_size"],
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
                vec!["init.radius", "init.kind", "space.max_size"],
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
            vec!["output.snapshot_days", "run.days"],
            Problem::new(
                "output.snapshot_days",
                super::load::show_value(&list),
                format!(
                    "allowed days 0 ≤ day ≤ run.days = {} (days); outside: {}",
                    num(days),
                    outside.join(", ")
                ),
            ),
        ));
    }

    out
}

/// The problem of a division time `key = hours` shorter than the step `dt` (the per-step
/// division probability `dt / hours` must be ≤ 1), if any.
fn division_time_problem(
    key: &'static str,
    hours: f64,
    dt: f64,
) -> Option<(Vec<&'static str>, Problem)> {
    (dt / hours > 1.0 + EPS).then(|| {
        (
            vec![key, "run.dt_h"],
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
        c.msc.doubling_time_h = 6.0;
        c.msc.homing_per_day = 3.0;
        c.msc.death_per_day = 3.0;
        c.msc.inject_count = 10;
        c.msc.inject_day = 95.0;
        c.fields.enabled = false;
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
                "msc.doubling_time_h",
                "msc.inject_count",
                "msc.inject_day",
                "space.initial_size",
                "init.radius",
                "output.snapshot_days",
            ]
        );
        c.init.kind = InitKind::SingleCsc;
        assert!(!keys(&c).contains(&"init.radius".to_string()));
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
