//! The scenario comparison file (docs/architecture.md §5): parsing, checking (every
//! problem at once) and merging each scenario's config.
//!
//! ```toml
//! base = "baseline.toml"        # relative to this file; the embedded default if omitted
//! replicates = 20               # R; --replicates overrides
//! seed = 7                      # compare seed (default: the base's run.seed)
//! control = "control"           # default: the scenario named "control", else the first
//! branch_at_day = 60            # optional: grow once per replicate, then treat
//! [scenario.control]
//! [scenario.chemo]
//! include = ["therapies/chemo.toml"]       # fragments merged into the base, in order
//! set = { "cells.p_symmetric" = 0.05 }     # dotted keys, applied last
//! description = "..."                       # optional, copied to the outputs
//! ```
//!
//! A scenario's config is built by [`merge_fragment`]: the base file's table, each
//! include deep-merged in order (tables key by key, other values replaced), except that
//! the `[[therapy]]` arrays are appended (the base's entries first); then the `set` keys
//! ([`crate::config::set_value`]); then [`crate::config::from_table`]. A scenario whose
//! config is invalid is not an error of the file: its runs are recorded as failed.

use std::path::{Path, PathBuf};

use crate::batch::{BatchHead, MAX_REPLICATES, quoted, read_head, read_toml, show};
use crate::config::{self, Config, catalogue};
use crate::error::{ConfigError, Problem};
use crate::model::units::step_of_day;

/// Top-level keys of a compare file.
pub const TOP_KEYS: [&str; 6] = [
    "base",
    "replicates",
    "seed",
    "control",
    "branch_at_day",
    "scenario",
];

/// Keys of a `[scenario.<name>]` section.
pub const SCENARIO_KEYS: [&str; 3] = ["include", "set", "description"];

/// The top-level key whose arrays of tables are appended, not replaced, when merging.
pub const APPENDED_KEY: &str = "therapy";

/// A checked compare file.
#[derive(Debug)]
pub struct CompareSpec {
    /// The compare file.
    pub file: PathBuf,
    /// The base config file, resolved against the compare file's folder; `None` for the
    /// embedded default.
    pub base: Option<PathBuf>,
    /// The base file's TOML table (before any scenario's includes and sets).
    pub base_table: toml::Table,
    /// Replicates per scenario (R).
    pub replicates: u32,
    /// The compare seed: the file's `seed`, else the base's `run.seed`; `None` if neither
    /// is given (the caller draws one and records it).
    pub seed: Option<u64>,
    /// Index of the control scenario in [`CompareSpec::scenarios`].
    pub control: usize,
    /// `branch_at_day`: grow once per replicate with the base config to this day, then
    /// treat that state in every arm.
    pub branch_at_day: Option<f64>,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
}

/// One scenario of a compare file.
#[derive(Debug)]
pub struct Scenario {
    /// Name (the `[scenario.<name>]` key), following [`catalogue::NAME_RULE`].
    pub name: String,
    /// Optional text, copied to the outputs.
    pub description: Option<String>,
    /// Included fragments, resolved against the compare file's folder, in order.
    pub include: Vec<PathBuf>,
    /// The `set` keys (dotted) and values, applied after the includes.
    pub set: Vec<(String, toml::Value)>,
    /// The merged table, before validation.
    pub table: toml::Table,
    /// The validated config (without the replicate seed), or why it is invalid.
    pub config: Result<Config, ConfigError>,
}

/// Deep-merges `fragment` into `base`: tables merge key by key and any other value
/// replaces, except that arrays under the top-level key [`APPENDED_KEY`] (`[[therapy]]`)
/// are appended to the base's array. Below the top level it is `config::deep_merge`.
pub fn merge_fragment(base: &mut toml::Table, fragment: toml::Table) {
    for (key, value) in fragment {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Array(old)), toml::Value::Array(new)) if key == APPENDED_KEY => {
                old.extend(new);
            }
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => {
                config::deep_merge(old, new)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Flattens a `set` table into dotted keys: `{ "cells.p_symmetric" = 0.05 }` and
/// `{ cells = { p_symmetric = 0.05 } }` both give `cells.p_symmetric`.
fn flatten_set(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) if !inner.is_empty() => flatten_set(&full, inner, out),
            other => out.push((full, other.clone())),
        }
    }
}

/// Scenario names in the order they appear in the text (toml's tables are sorted by
/// key): the byte offset of each key under `scenario`.
fn scenario_order(text: &str) -> Vec<String> {
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    for (key, value) in doc.get_ref().iter() {
        if key.get_ref().as_ref() == "scenario"
            && let toml::de::DeValue::Table(table) = value.get_ref()
        {
            let mut names: Vec<(usize, String)> = table
                .iter()
                .map(|(k, _)| (k.span().start, k.get_ref().to_string()))
                .collect();
            names.sort();
            return names.into_iter().map(|(_, name)| name).collect();
        }
    }
    Vec::new()
}

impl CompareSpec {
    /// Reads and checks a compare file. `replicates` (from `--replicates`) overrides the
    /// file's `replicates`.
    ///
    /// Errors: [`ConfigError::Io`] if the file cannot be read, [`ConfigError::Parse`] if it
    /// is not TOML, [`ConfigError::Invalid`] with every problem of the file (unknown keys,
    /// types, missing or malformed base and include files, no scenarios, bad names, an
    /// unknown control). Invalid scenario configs are not errors here (see
    /// [`Scenario::config`]).
    pub fn load(path: &Path, replicates: Option<u32>) -> Result<CompareSpec, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_text(&text, path, replicates)
    }

    /// Like [`CompareSpec::load`], from the text of the file `path` (relative paths inside
    /// it are resolved against `path`'s folder).
    pub fn from_text(
        text: &str,
        path: &Path,
        replicates: Option<u32>,
    ) -> Result<CompareSpec, ConfigError> {
        let mut problems = Vec::new();
        let BatchHead {
            table,
            dir,
            base,
            base_table,
        } = read_head(text, path, "compare", &TOP_KEYS, &mut problems)?;

        // replicates
        let replicates = match (replicates, table.get("replicates")) {
            (Some(r), _) if r >= 1 => Some(r),
            (Some(r), _) => {
                problems.push(Problem::new(
                    "--replicates",
                    r.to_string(),
                    format!("allowed integer 1 ≤ value ≤ {MAX_REPLICATES}"),
                ));
                None
            }
            (None, Some(toml::Value::Integer(r)))
                if (1..=i64::from(MAX_REPLICATES)).contains(r) =>
            {
                Some(*r as u32)
            }
            (None, Some(other)) => {
                problems.push(Problem::new(
                    "replicates",
                    show(other),
                    format!("allowed integer 1 ≤ value ≤ {MAX_REPLICATES}"),
                ));
                None
            }
            (None, None) => {
                problems.push(Problem::new(
                    "replicates",
                    "(missing)",
                    format!("required: an integer 1 ≤ value ≤ {MAX_REPLICATES} (or --replicates)"),
                ));
                None
            }
        };

        // seed
        let seed = match table.get("seed") {
            Some(toml::Value::Integer(s)) if *s >= 0 => Some(*s as u64),
            Some(other) => {
                problems.push(Problem::new(
                    "seed",
                    show(other),
                    format!("allowed integer 0 ≤ value ≤ {}", i64::MAX),
                ));
                None
            }
            None => base_table
                .as_ref()
                .and_then(|t| t.get("run"))
                .and_then(|r| r.get("seed"))
                .and_then(toml::Value::as_integer)
                .filter(|s| *s >= 0)
                .map(|s| s as u64),
        };

        // branch_at_day
        let branch_at_day = match table.get("branch_at_day") {
            None => None,
            Some(v) => match v {
                toml::Value::Float(d) if d.is_finite() && *d > 0.0 => Some(*d),
                toml::Value::Integer(d) if *d > 0 => Some(*d as f64),
                other => {
                    problems.push(Problem::new(
                        "branch_at_day",
                        show(other),
                        "allowed number value > 0 (days, below the base's run.days)",
                    ));
                    None
                }
            },
        };

        // scenarios
        let mut scenarios = Vec::new();
        let mut names_in_file = Vec::new();
        match table.get("scenario") {
            None => problems.push(Problem::new(
                "scenario",
                "(missing)",
                "a compare file needs at least one [scenario.<name>] section",
            )),
            Some(toml::Value::Table(sections)) if sections.is_empty() => {
                problems.push(Problem::new(
                    "scenario",
                    "{}",
                    "a compare file needs at least one [scenario.<name>] section",
                ))
            }
            Some(toml::Value::Table(sections)) => {
                let mut order = scenario_order(text);
                order.retain(|name| sections.contains_key(name));
                for name in sections.keys() {
                    if !order.contains(name) {
                        order.push(name.clone());
                    }
                }
                names_in_file = order.clone();
                for name in order {
                    let value = &sections[&name];
                    if let Some(s) =
                        parse_scenario(&name, value, &dir, base_table.as_ref(), &mut problems)
                    {
                        scenarios.push(s);
                    }
                }
            }
            Some(other) => problems.push(Problem::new(
                "scenario",
                show(other),
                "expected [scenario.<name>] sections",
            )),
        }

        // control
        let control = match table.get("control") {
            Some(toml::Value::String(name)) => {
                match scenarios.iter().position(|s| &s.name == name) {
                    Some(i) => Some(i),
                    None => {
                        let names: Vec<String> = names_in_file.iter().map(|s| quoted(s)).collect();
                        problems.push(Problem::new(
                            "control",
                            quoted(name),
                            format!("not a scenario of this file; scenarios are {}", {
                                if names.is_empty() {
                                    "(none)".to_string()
                                } else {
                                    names.join(", ")
                                }
                            }),
                        ));
                        None
                    }
                }
            }
            Some(other) => {
                problems.push(Problem::new(
                    "control",
                    show(other),
                    "expected the name of a scenario (a string)",
                ));
                None
            }
            None => Some(
                scenarios
                    .iter()
                    .position(|s| s.name == "control")
                    .unwrap_or(0),
            ),
        };

        // Branching grows the tumour with the base config: it must be valid, and the branch
        // must come before its end.
        if let (Some(day), Some(base_table)) = (branch_at_day, &base_table) {
            let given = base
                .as_ref()
                .map(|p: &PathBuf| quoted(&p.display().to_string()))
                .unwrap_or_else(|| "(the embedded default)".to_string());
            match config::from_table(base_table.clone()) {
                Err(e) => problems.push(Problem::new(
                    "base",
                    given,
                    format!(
                        "with branch_at_day the base config must be valid, but: {}",
                        e.to_string()
                            .lines()
                            .map(str::trim)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                )),
                Ok(cfg) if day >= cfg.run.days => problems.push(Problem::new(
                    "branch_at_day",
                    toml::Value::Float(day).to_string(),
                    format!(
                        "allowed number 0 < value < {} (the base's run.days)",
                        cfg.run.days
                    ),
                )),
                Ok(_) => {}
            }
        }

        if problems.is_empty() {
            Ok(CompareSpec {
                file: path.to_path_buf(),
                base,
                base_table: base_table.expect("no problems: the base was read"),
                replicates: replicates.expect("no problems: replicates known"),
                seed,
                control: control.expect("no problems: control known"),
                branch_at_day,
                scenarios,
            })
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The control scenario.
    pub fn control(&self) -> &Scenario {
        &self.scenarios[self.control]
    }

    /// The base config (no scenario's includes or sets), validated.
    pub fn base_config(&self) -> Result<Config, ConfigError> {
        config::from_table(self.base_table.clone())
    }

    /// The step at which runs branch (`branch_at_day` in steps of the base's `run.dt_h`,
    /// rounded to the nearest step), or `None` without branching or with an invalid base.
    pub fn branch_step(&self) -> Option<u64> {
        let day = self.branch_at_day?;
        let base = self.base_config().ok()?;
        Some(step_of_day(day, base.run.dt_h))
    }
}

/// Checks one `[scenario.<name>]` section and builds its config; problems of the section
/// itself (not of the merged config) go to `problems`.
fn parse_scenario(
    name: &str,
    value: &toml::Value,
    dir: &Path,
    base: Option<&toml::Table>,
    problems: &mut Vec<Problem>,
) -> Option<Scenario> {
    let prefix = format!("scenario.{name}");
    let before = problems.len();
    if !catalogue::valid_name(name) {
        problems.push(Problem::new(
            &prefix,
            "{…}",
            format!(
                "name {} not allowed: a scenario name is {}",
                quoted(name),
                catalogue::NAME_RULE
            ),
        ));
    }
    let empty = toml::Table::new();
    let section = match value {
        toml::Value::Table(t) => t,
        other => {
            problems.push(Problem::new(
                &prefix,
                show(other),
                format!(
                    "expected a section [{prefix}] with the keys {}",
                    SCENARIO_KEYS.join(", ")
                ),
            ));
            &empty
        }
    };
    for (key, value) in section {
        if !SCENARIO_KEYS.contains(&key.as_str()) {
            problems.push(Problem::new(
                format!("{prefix}.{key}"),
                show(value),
                format!(
                    "unknown key; a scenario has the keys {}",
                    SCENARIO_KEYS.join(", ")
                ),
            ));
        }
    }

    let description = match section.get("description") {
        None => None,
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.push(Problem::new(
                format!("{prefix}.description"),
                show(other),
                "expected a string",
            ));
            None
        }
    };

    let mut include = Vec::new();
    let mut fragments = Vec::new();
    match section.get("include") {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let key = format!("{prefix}.include[{i}]");
                match item {
                    toml::Value::String(file) => {
                        let p = dir.join(file);
                        if let Some(t) = read_toml(&p, &key, file, "compare", problems) {
                            fragments.push(t);
                        }
                        include.push(p);
                    }
                    other => problems.push(Problem::new(
                        key,
                        show(other),
                        "expected a path to a TOML fragment (a string), relative to the compare file",
                    )),
                }
            }
        }
        Some(other) => problems.push(Problem::new(
            format!("{prefix}.include"),
            show(other),
            "expected an array of paths, e.g. include = [\"therapies/chemo.toml\"]",
        )),
    }

    let mut set = Vec::new();
    match section.get("set") {
        None => {}
        Some(toml::Value::Table(t)) => flatten_set("", t, &mut set),
        Some(other) => problems.push(Problem::new(
            format!("{prefix}.set"),
            show(other),
            "expected a table of dotted keys, e.g. set = { \"cells.p_symmetric\" = 0.05 }",
        )),
    }

    if problems.len() > before {
        return None;
    }
    let mut table = base?.clone();
    for fragment in fragments {
        merge_fragment(&mut table, fragment);
    }
    let mut set_problems = Vec::new();
    for (key, value) in &set {
        if let Err(p) = config::set_value(&mut table, key, value.clone()) {
            set_problems.push(p);
        }
    }
    let config = if set_problems.is_empty() {
        config::from_table(table.clone())
    } else {
        Err(ConfigError::Invalid(set_problems))
    };
    Some(Scenario {
        name: name.to_string(),
        description,
        include,
        set,
        table,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_order_follows_the_text() {
        let text = "[scenario.zeta]\n[scenario.alpha]\nset = { \"a.b\" = 1 }\n[scenario.mid]\n";
        assert_eq!(scenario_order(text), ["zeta", "alpha", "mid"]);
        let inline = "scenario = { b = {}, a = {} }\n";
        assert_eq!(scenario_order(inline), ["b", "a"]);
    }

    #[test]
    fn set_tables_flatten_to_dotted_keys() {
        let t: toml::Table = "\"cells.p_symmetric\" = 0.05\nrun = { days = 3 }\n"
            .parse()
            .unwrap();
        let mut out = Vec::new();
        flatten_set("", &t, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["cells.p_symmetric", "run.days"]);
    }
}
