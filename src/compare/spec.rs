//! The scenario comparison file (docs/architecture.md §5): parsing, checking (every
//! problem at once) and merging each scenario's config.
//!
//! ```toml
//! base = "baseline.toml"        # the shared head (crate::spec::head): relative to this
//! replicates = 20               #   file, the embedded default if omitted; R, required
//! seed = 7                      #   (--replicates overrides); default: the base's run.seed
//! control = "control"           # default: the scenario named "control", else the first
//! branch_at_day = 60            # optional: grow once per replicate, then treat
//! [scenario.control]
//! [scenario.chemo]
//! include = ["therapies/chemo.toml"]       # fragments merged into the base, in order
//! set = { "cells.p_symmetric" = 0.05 }     # dotted keys, applied last
//! description = "..."                       # optional, copied to the outputs
//! ```
//!
//! Reading: serde deserializes the file into `CompareFile` (the shared head flattened in,
//! each `[scenario.<name>]` a `ScenarioFile`; every field kept as given, unknown keys
//! collected), then one validation pass checks it and reports every problem at once, in
//! the order unknown keys, `base`, `replicates`, `seed`, `branch_at_day`, the scenarios
//! (in file order: name, unknown keys, `description`, `include`, `set`), `control`, and
//! last, with `branch_at_day`, the base config's validity and `run.days`.
//!
//! A scenario's config is built by [`merge_fragment`]: the base file's table, each
//! include deep-merged in order (tables key by key, other values replaced), except that
//! the `[[therapy]]` arrays are appended (the base's entries first); then the `set` keys
//! ([`crate::config::set_value`]); then [`crate::config::from_table`]. A scenario whose
//! config is invalid is not an error of the file: its runs are recorded as failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{self, Config, Override, catalogue};
use crate::error::{ConfigError, Problem};
use crate::spec::given::{Given, finite};
use crate::spec::head::{HeadFile, folder, parse_file, read_toml, unknown_keys};
use crate::spec::show::{quoted, show};
use crate::units::step_of_day;

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
pub use crate::config::APPENDED_KEY;
/// The scenario merge (the same as for several config files on a command line).
pub use crate::config::merge_fragment;

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
    /// The command-line overrides (`key=value`) applied to every scenario, in order.
    pub overrides: Vec<String>,
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
        let text = crate::input::read_toml_text(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_text(&text, path, replicates)
    }

    /// Like [`CompareSpec::load`], with command-line overrides (`--set`, `--days`) applied
    /// to every scenario's config after the scenario's own `set` keys (and to the base
    /// config used for `branch_at_day`, where they apply). A problem of an override in any
    /// scenario's config is a problem of the comparison (exit 2), named with the scenario.
    pub fn load_with(
        path: &Path,
        replicates: Option<u32>,
        overrides: &[Override],
    ) -> Result<CompareSpec, ConfigError> {
        let text = crate::input::read_toml_text(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file: CompareFile = parse_file(&text, path)?;
        file.check(&text, path, replicates, overrides)
            .map_err(ConfigError::Invalid)
    }

    /// Like [`CompareSpec::load`], from the text of the file `path` (relative paths inside
    /// it are resolved against `path`'s folder).
    pub fn from_text(
        text: &str,
        path: &Path,
        replicates: Option<u32>,
    ) -> Result<CompareSpec, ConfigError> {
        let file: CompareFile = parse_file(text, path)?;
        file.check(text, path, replicates, &[])
            .map_err(ConfigError::Invalid)
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

/// A compare file as given: the typed form serde reads, before the checks.
#[derive(Debug, Deserialize)]
struct CompareFile {
    /// `base`, `seed`, `replicates`.
    #[serde(flatten)]
    head: HeadFile,
    /// The control scenario's name.
    control: Option<Given<String>>,
    /// Day at which runs branch.
    branch_at_day: Option<Given<f64>>,
    /// The `[scenario.<name>]` sections (by name; their file order comes from the text).
    scenario: Option<Given<BTreeMap<String, Given<ScenarioFile>>>>,
    /// Keys a compare file does not have.
    #[serde(flatten)]
    unknown: toml::Table,
}

/// A `[scenario.<name>]` section as given.
#[derive(Debug, Deserialize)]
struct ScenarioFile {
    /// Fragments merged into the base, in order.
    include: Option<Given<Vec<Given<String>>>>,
    /// Dotted keys applied last.
    set: Option<Given<toml::Table>>,
    /// Text copied to the outputs.
    description: Option<Given<String>>,
    /// Keys a scenario does not have.
    #[serde(flatten)]
    unknown: toml::Table,
}

/// Needed at least once.
const NEED_SCENARIO: &str = "a compare file needs at least one [scenario.<name>] section";

impl CompareFile {
    /// The validation pass: every problem of the file at once, in the order of its keys
    /// (unknown keys, base, replicates, seed, branch_at_day, scenarios, control).
    fn check(
        self,
        text: &str,
        path: &Path,
        cli_replicates: Option<u32>,
        overrides: &[Override],
    ) -> Result<CompareSpec, Vec<Problem>> {
        let mut problems = Vec::new();
        let dir = folder(path);
        unknown_keys(
            &self.unknown,
            "",
            "a compare file",
            &TOP_KEYS,
            &mut problems,
        );
        let base = self.head.base(&dir, "compare", &mut problems);
        let replicates = self
            .head
            .replicates(cli_replicates, u32::MAX, None, &mut problems);
        let seed = self.head.seed(base.table.as_ref(), &mut problems);
        let branch_at_day = self.branch_at_day(&mut problems);
        for o in overrides {
            if let Err(p) = config::parse_set(&o.arg) {
                problems.push(p);
            }
        }
        let mut base = base;
        if let Some(table) = &mut base.table {
            // The base (grown for branch_at_day) takes the overrides that apply to it; a
            // scenario's config takes them all (checked in check_scenario).
            for o in overrides {
                if let Ok((key, value)) = config::parse_set(&o.arg) {
                    let _ = config::set_value(table, &key, value);
                }
            }
        }
        let (names, scenarios) =
            self.scenarios(text, &dir, base.table.as_ref(), overrides, &mut problems);
        let control = self.control(&names, &scenarios, &mut problems);
        if let (Some(day), Some(table)) = (branch_at_day, &base.table) {
            branch_problems(day, base.path.as_deref(), table, &mut problems);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CompareSpec {
            file: path.to_path_buf(),
            base: base.path,
            base_table: base.table.expect("no problems: the base was read"),
            replicates: replicates.expect("no problems: replicates known"),
            seed,
            control: control.expect("no problems: control known"),
            branch_at_day,
            scenarios,
            overrides: overrides.iter().map(|o| o.arg.clone()).collect(),
        })
    }

    /// `branch_at_day`, a number > 0.
    fn branch_at_day(&self, problems: &mut Vec<Problem>) -> Option<f64> {
        let given = self.branch_at_day.as_ref()?;
        let day = finite(given).filter(|d| *d > 0.0);
        if day.is_none() {
            problems.push(Problem::new(
                "branch_at_day",
                show(&given.raw),
                "allowed number value > 0 (days, below the base's run.days)",
            ));
        }
        day
    }

    /// The scenario names in file order, and the scenarios without problems.
    fn scenarios(
        &self,
        text: &str,
        dir: &Path,
        base: Option<&toml::Table>,
        overrides: &[Override],
        problems: &mut Vec<Problem>,
    ) -> (Vec<String>, Vec<Scenario>) {
        let sections = match &self.scenario {
            None => {
                problems.push(Problem::new("scenario", "(missing)", NEED_SCENARIO));
                return (Vec::new(), Vec::new());
            }
            Some(Given {
                typed: Some(sections),
                ..
            }) if sections.is_empty() => {
                problems.push(Problem::new("scenario", "{}", NEED_SCENARIO));
                return (Vec::new(), Vec::new());
            }
            Some(Given {
                typed: Some(sections),
                ..
            }) => sections,
            Some(other) => {
                problems.push(Problem::new(
                    "scenario",
                    show(&other.raw),
                    "expected [scenario.<name>] sections",
                ));
                return (Vec::new(), Vec::new());
            }
        };
        let mut order = scenario_order(text);
        order.retain(|name| sections.contains_key(name));
        for name in sections.keys() {
            if !order.contains(name) {
                order.push(name.clone());
            }
        }
        let scenarios = order
            .iter()
            .filter_map(|name| {
                check_scenario(name, &sections[name], dir, base, overrides, problems)
            })
            .collect();
        (order, scenarios)
    }

    /// Index of the control scenario: `control`, else the scenario named "control", else
    /// the first.
    fn control(
        &self,
        names: &[String],
        scenarios: &[Scenario],
        problems: &mut Vec<Problem>,
    ) -> Option<usize> {
        let given = match &self.control {
            None => {
                let named = scenarios.iter().position(|s| s.name == "control");
                return Some(named.unwrap_or(0));
            }
            Some(given) => given,
        };
        let Some(name) = given.typed() else {
            problems.push(Problem::new(
                "control",
                show(&given.raw),
                "expected the name of a scenario (a string)",
            ));
            return None;
        };
        let found = scenarios.iter().position(|s| &s.name == name);
        if found.is_none() {
            let names: Vec<String> = names.iter().map(|s| quoted(s)).collect();
            let names = if names.is_empty() {
                "(none)".to_string()
            } else {
                names.join(", ")
            };
            problems.push(Problem::new(
                "control",
                quoted(name),
                format!("not a scenario of this file; scenarios are {names}"),
            ));
        }
        found
    }
}

/// Branching grows the tumour with the base config: it must be valid, and the branch must
/// come before its end.
fn branch_problems(
    day: f64,
    base: Option<&Path>,
    table: &toml::Table,
    problems: &mut Vec<Problem>,
) {
    let given = base
        .map(|p| quoted(&p.display().to_string()))
        .unwrap_or_else(|| "(the embedded default)".to_string());
    match config::from_table(table.clone()) {
        Err(e) => problems.push(Problem::new(
            "base",
            given,
            format!(
                "with branch_at_day the base config must be valid, but: {}",
                crate::batch::one_line(&e.to_string())
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

/// Checks one `[scenario.<name>]` section and builds its config; problems of the section
/// itself (not of the merged config) go to `problems`.
fn check_scenario(
    name: &str,
    section: &Given<ScenarioFile>,
    dir: &Path,
    base: Option<&toml::Table>,
    overrides: &[Override],
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
    let Some(file) = section.typed() else {
        problems.push(Problem::new(
            &prefix,
            show(&section.raw),
            format!(
                "expected a section [{prefix}] with the keys {}",
                SCENARIO_KEYS.join(", ")
            ),
        ));
        return None;
    };
    unknown_keys(
        &file.unknown,
        &prefix,
        "a scenario",
        &SCENARIO_KEYS,
        problems,
    );
    let description = file.description(&prefix, problems);
    let (include, fragments) = file.includes(&prefix, dir, problems);
    let mut set = file.set(&prefix, problems);
    // A path set here (init.file) is relative to the compare file.
    for (key, value) in &mut set {
        config::anchor_set(key, value, dir);
    }
    if problems.len() > before {
        return None;
    }
    let scenario = build_scenario(name, description, include, fragments, set, base?, overrides);
    // An override that does not fit a scenario is a usage error, as for `seedsoil run`.
    if let Err(e) = &scenario.config {
        let marks: Vec<String> = overrides
            .iter()
            .map(|o| format!("(from {})", o.flag))
            .collect();
        let before = problems.len();
        for p in e.problems() {
            if marks.iter().any(|m| p.value.ends_with(m.as_str())) {
                problems.push(Problem::new(
                    &p.key,
                    &p.value,
                    format!("{} (in scenario {name})", p.allowed),
                ));
            }
        }
        if problems.len() > before {
            return None;
        }
    }
    Some(scenario)
}

impl ScenarioFile {
    /// `description`, a string.
    fn description(&self, prefix: &str, problems: &mut Vec<Problem>) -> Option<String> {
        let given = self.description.as_ref()?;
        if given.typed.is_none() {
            problems.push(Problem::new(
                format!("{prefix}.description"),
                show(&given.raw),
                "expected a string",
            ));
        }
        given.typed.clone()
    }

    /// The included paths (resolved against `dir`) and the fragments that could be read.
    fn includes(
        &self,
        prefix: &str,
        dir: &Path,
        problems: &mut Vec<Problem>,
    ) -> (Vec<PathBuf>, Vec<toml::Table>) {
        let (mut include, mut fragments) = (Vec::new(), Vec::new());
        let Some(given) = &self.include else {
            return (include, fragments);
        };
        let Some(items) = given.typed() else {
            problems.push(Problem::new(
                format!("{prefix}.include"),
                show(&given.raw),
                "expected an array of paths, e.g. include = [\"therapies/chemo.toml\"]",
            ));
            return (include, fragments);
        };
        for (i, item) in items.iter().enumerate() {
            let key = format!("{prefix}.include[{i}]");
            let Some(file) = item.typed() else {
                problems.push(Problem::new(
                    key,
                    show(&item.raw),
                    "expected a path to a TOML fragment (a string), relative to the compare file",
                ));
                continue;
            };
            let path = dir.join(file);
            fragments.extend(read_toml(&path, &key, file, "compare", problems));
            include.push(path);
        }
        (include, fragments)
    }

    /// The `set` keys, flattened to dotted keys.
    fn set(&self, prefix: &str, problems: &mut Vec<Problem>) -> Vec<(String, toml::Value)> {
        crate::spec::set::read(self.set.as_ref(), &format!("{prefix}.set"), problems)
    }
}

/// A checked scenario: the base, its fragments merged in order, the `set` keys applied;
/// its config validated (or why it is invalid).
fn build_scenario(
    name: &str,
    description: Option<String>,
    include: Vec<PathBuf>,
    fragments: Vec<toml::Table>,
    set: Vec<(String, toml::Value)>,
    base: &toml::Table,
    overrides: &[Override],
) -> Scenario {
    let mut table = base.clone();
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
        let config = config::from_table_with(table.clone(), overrides);
        for o in overrides {
            if let Ok((key, value)) = config::parse_set(&o.arg) {
                let _ = config::set_value(&mut table, &key, value);
            }
        }
        config
    } else {
        Err(ConfigError::Invalid(set_problems))
    };
    Scenario {
        name: name.to_string(),
        description,
        include,
        set,
        table,
        config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys the messages list are the keys the typed structs read.
    #[test]
    fn listed_keys_are_the_typed_keys() {
        let mut text: String = TOP_KEYS.iter().map(|k| format!("{k} = 1\n")).collect();
        text.push_str("extra = 2\n");
        let file: CompareFile = parse_file(&text, Path::new("f.toml")).unwrap();
        let unknown: Vec<&String> = file.unknown.keys().collect();
        assert_eq!(unknown, ["extra"]);
        let table: toml::Table = SCENARIO_KEYS
            .iter()
            .map(|k| (k.to_string(), toml::Value::Integer(1)))
            .collect();
        let scenario = Given::<ScenarioFile>::new(toml::Value::Table(table));
        assert!(scenario.typed.unwrap().unknown.is_empty());
    }

    /// The base's problems run on after the colon of their header, no stray "; ".
    #[test]
    fn an_invalid_base_with_branch_at_day_is_one_clean_line() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("b.toml"), "[cells]\np_symmetric = 0.9\n").unwrap();
        let text = "base = \"b.toml\"\nreplicates = 1\nbranch_at_day = 5\n\
                    [scenario.control]\n[scenario.x]\n";
        let e = CompareSpec::from_text(text, &tmp.path().join("c.toml"), None).unwrap_err();
        let base = e.problems().iter().find(|p| p.key == "base").unwrap();
        assert_eq!(
            base.allowed,
            "with branch_at_day the base config must be valid, but: invalid configuration \
             (1 problem): cells.p_symmetric = 0.9: allowed at most cells.p_symmetric_max = 0.5 \
             (per CSC division)"
        );
    }

    #[test]
    fn scenario_order_follows_the_text() {
        let text = "[scenario.zeta]\n[scenario.alpha]\nset = { \"a.b\" = 1 }\n[scenario.mid]\n";
        assert_eq!(scenario_order(text), ["zeta", "alpha", "mid"]);
        let inline = "scenario = { b = {}, a = {} }\n";
        assert_eq!(scenario_order(inline), ["b", "a"]);
    }
}
