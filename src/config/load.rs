//! Loading: TOML text → [`toml::Table`] → `--set` overrides → catalogue check → serde →
//! cross-key rules. Every stage collects all of its problems; the caller sees them at once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::baseline::DEFAULT_TOML;
use super::check::{check_table, sort_problems};
use super::merge::{deep_merge, merge_fragment};
use super::root::Config;
use super::show::show_value;
use super::validate::push_cross_key_problems;
use crate::error::{ConfigError, Problem};

/// Where the embedded default comes from, for messages.
const DEFAULT_ORIGIN: &str = "the embedded default config (configs/baseline.toml)";

/// Loads a configuration file (or the embedded default [`DEFAULT_TOML`] when `path` is
/// `None`), applies each `--set key=value` override in order, and validates the result.
///
/// Errors: [`ConfigError::Io`] if the file cannot be read, [`ConfigError::Parse`] if it is
/// not TOML (message with line and column), [`ConfigError::Invalid`] with every problem
/// found otherwise (unknown keys with suggestions, types, ranges, cross-key rules,
/// malformed overrides).
pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Config, ConfigError> {
    match path {
        None => load_str(DEFAULT_TOML, DEFAULT_ORIGIN, sets),
        Some(path) => from_table_with_sets(read_table(path)?, &Override::sets(sets)),
    }
}

/// Loads several config files merged left to right, then the overrides: the first file's
/// table, each further file merged in with [`merge_fragment`] (tables key by key, other
/// values replaced, `[[therapy]]` entries appended), as a compare scenario merges its
/// `include` files. One file is [`load`]; none is the embedded default.
///
/// Errors: as [`load`], for the first file that cannot be read or parsed.
pub fn load_files(paths: &[PathBuf], sets: &[String]) -> Result<Config, ConfigError> {
    load_files_with(paths, &Override::sets(sets))
}

/// Like [`load_files`], with overrides that say which flag gave them (a problem with
/// `run.days` given by `--days` says `(from --days)`).
pub fn load_files_with(paths: &[PathBuf], overrides: &[Override]) -> Result<Config, ConfigError> {
    let Some((first, rest)) = paths.split_first() else {
        return load_str_with(DEFAULT_TOML, DEFAULT_ORIGIN, overrides);
    };
    let mut table = read_table(first)?;
    for path in rest {
        merge_fragment(&mut table, read_table(path)?);
    }
    from_table_with_sets(table, overrides)
}

/// One override of a config key, `key=value`, and the command-line flag that gave it
/// (`--set`, or a shorthand such as `--days`), named in its problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// `key=value`, as for `--set`.
    pub arg: String,
    /// The flag, e.g. `--set` or `--days`.
    pub flag: String,
}

impl Override {
    /// An override given with `--set key=value`.
    pub fn set(arg: impl Into<String>) -> Override {
        Override {
            arg: arg.into(),
            flag: "--set".to_string(),
        }
    }

    /// An override of `key` given with the shorthand `flag` (e.g. `--days` for
    /// `run.days`); `value` is TOML text.
    pub fn flag(flag: &str, key: &str, value: &str) -> Override {
        Override {
            arg: format!("{key}={value}"),
            flag: flag.to_string(),
        }
    }

    /// `--set` overrides.
    pub fn sets(args: &[String]) -> Vec<Override> {
        args.iter().map(Override::set).collect()
    }
}

/// A config file's table (not yet checked). A compare or sweep file is refused with one
/// problem saying which command takes it, rather than a list of unknown keys.
fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = crate::input::read_toml_text(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut table = parse_table(&text, &path.display().to_string())?;
    if let Some(problem) = spec_file_problem(&table, path) {
        return Err(ConfigError::Invalid(vec![problem]));
    }
    anchor_paths(&mut table, path.parent().unwrap_or(Path::new("")));
    Ok(table)
}

/// The keys whose values name files (`section`, `key`): `init.file`.
const PATH_KEYS: &[(&str, &str)] = &[("init", "file")];

/// Makes the file paths of a config table (`init.file`) absolute (canonical, when the
/// file exists): a relative path is taken relative to `dir`, the folder of the file the table was read from (a relative
/// `dir`, or `""`, is itself taken relative to the working directory). Absolute paths and
/// values that are not strings are left as they are (the checks report the latter). The
/// resolved config so names the same file from any working directory.
pub fn anchor_paths(table: &mut toml::Table, dir: &Path) {
    for (section, key) in PATH_KEYS {
        if let Some(value) = table
            .get_mut(*section)
            .and_then(toml::Value::as_table_mut)
            .and_then(|t| t.get_mut(*key))
        {
            anchor_value(value, dir);
        }
    }
}

/// Like [`anchor_paths`], for one value set by a dotted key (`--set init.file=…`, a
/// compare scenario's `set`): a relative path is taken relative to `dir`.
pub fn anchor_set(key: &str, value: &mut toml::Value, dir: &Path) {
    if PATH_KEYS
        .iter()
        .any(|(section, leaf)| key == format!("{section}.{leaf}"))
    {
        anchor_value(value, dir);
    }
}

/// A string value holding a relative path, made absolute against `dir`.
fn anchor_value(value: &mut toml::Value, dir: &Path) {
    let toml::Value::String(text) = value else {
        return;
    };
    let path = Path::new(text.as_str());
    if text.trim().is_empty() || path.is_absolute() {
        return;
    }
    let joined = dir.join(path);
    // The file's canonical path if it exists (no `..`), else the path made absolute (its
    // problem then names where it was looked for).
    let absolute = std::fs::canonicalize(&joined)
        .or_else(|_| std::path::absolute(&joined))
        .unwrap_or(joined);
    *text = absolute.display().to_string();
}

/// If `table` is a sweep file (`[[axis]]`) or a compare file (`[scenario.<name>]`,
/// `control` or `replicates`), the problem that says so and names the command to use.
fn spec_file_problem(table: &toml::Table, path: &Path) -> Option<Problem> {
    let (key, command) = if table.contains_key("axis") {
        ("axis", "sweep")
    } else {
        let key = ["scenario", "control", "replicates"]
            .into_iter()
            .find(|k| table.contains_key(*k))?;
        (key, "compare")
    };
    let shown = match &table[key] {
        toml::Value::Table(_) => "{…}".to_string(),
        toml::Value::Array(_) => "[…]".to_string(),
        other => show_value(other),
    };
    Some(Problem::new(
        key,
        shown,
        format!(
            "this is a {command} file, not a config: use seedsoil {command} {}",
            path.display()
        ),
    ))
}

/// Like [`load`], from TOML text. `origin` names the text in parse errors (a path, or e.g.
/// "sweep run 3").
pub fn load_str(text: &str, origin: &str, sets: &[String]) -> Result<Config, ConfigError> {
    load_str_with(text, origin, &Override::sets(sets))
}

/// Like [`load_str`], with overrides that say which flag gave them.
pub fn load_str_with(
    text: &str,
    origin: &str,
    overrides: &[Override],
) -> Result<Config, ConfigError> {
    from_table_with_sets(parse_table(text, origin)?, overrides)
}

/// Like [`from_table`], after applying `overrides` to the table in order (their problems
/// name their flags).
pub fn from_table_with(table: toml::Table, overrides: &[Override]) -> Result<Config, ConfigError> {
    from_table_with_sets(table, overrides)
}

/// Applies the overrides to a table, in order, and resolves it.
fn from_table_with_sets(
    mut table: toml::Table,
    overrides: &[Override],
) -> Result<Config, ConfigError> {
    let mut problems = Vec::new();
    let mut set_keys = Vec::new();
    for o in overrides {
        match parse_set(&o.arg).and_then(|(key, mut value)| {
            // A path given on the command line is relative to the working directory.
            anchor_set(&key, &mut value, Path::new(""));
            set_value(&mut table, &key, value)?;
            Ok(key)
        }) {
            Ok(key) => set_keys.push((key, o.flag.clone())),
            Err(problem) => problems.push(problem),
        }
    }
    resolve(table, problems, &set_keys)
}

/// Parses TOML text into a table; syntax errors become [`ConfigError::Parse`] with the
/// line and column.
pub fn parse_table(text: &str, origin: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| ConfigError::Parse {
        path_or_origin: origin.to_string(),
        message: e.to_string().trim_end().to_string(),
    })
}

/// Checks a table (already holding any overrides) and turns it into a validated
/// [`Config`]. Used by [`load`]; sweeps and scenario comparisons that edit tables
/// themselves (with [`set_value`]) finish with it.
pub fn from_table(table: toml::Table) -> Result<Config, ConfigError> {
    resolve(table, Vec::new(), &[])
}

/// Splits a `--set` argument `key=value` and parses the value as a TOML value (integer,
/// float, bool, string, array, ...), falling back to a plain string when it is not valid
/// TOML (so `--set init.kind=disc` works unquoted).
pub fn parse_set(arg: &str) -> Result<(String, toml::Value), Problem> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(Problem::new(
            "--set",
            format!("\"{arg}\""),
            "expected key=value, e.g. --set cells.p_symmetric=0.2",
        ));
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(|part| part.trim().is_empty()) {
        return Err(Problem::new(
            "--set",
            format!("\"{arg}\""),
            "expected a dotted key before '=', e.g. --set cells.p_symmetric=0.2",
        ));
    }
    Ok((key.to_string(), parse_value_text(value)))
}

/// A value written on the command line: TOML if it parses, otherwise a plain string.
pub(crate) fn parse_value_text(text: &str) -> toml::Value {
    let text = text.trim();
    text.parse::<toml::Value>()
        .unwrap_or_else(|_| toml::Value::String(text.to_string()))
}

/// Sets a dotted key (`section.key`, or deeper) in a table, creating missing sections.
/// A part `name[N]` is entry N (0-based) of an existing array of tables, so
/// `therapy[0].start_day` changes one key of the first `[[therapy]]` entry. The value is
/// not checked here; [`from_table`] checks it.
pub fn set_value(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), Problem> {
    let parts: Vec<&str> = key.split('.').map(str::trim).collect();
    let (last, parents) = parts.split_last().expect("split yields at least one part");
    if indexed(last).is_some() {
        return Err(Problem::new(
            key,
            format!("{} (from --set)", show_value(&value)),
            format!("cannot set a whole entry: name a key inside it, e.g. {last}.start_day"),
        ));
    }
    let mut current = table;
    for (depth, part) in parents.iter().enumerate() {
        if let Some((name, index)) = indexed(part) {
            let entries = current.get(name).and_then(toml::Value::as_array);
            let count = entries.map_or(0, Vec::len);
            if !entries
                .and_then(|e| e.get(index))
                .is_some_and(toml::Value::is_table)
            {
                let prefix = parts[..depth].join(".");
                let array = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                return Err(Problem::new(
                    key,
                    format!("{} (from --set)", show_value(&value)),
                    format!(
                        "cannot set it: there are {count} [[{array}]] entries (indices from \
                         0); add the entry in a config file, then set its keys"
                    ),
                ));
            }
            current = current
                .get_mut(name)
                .and_then(toml::Value::as_array_mut)
                .and_then(|e| e.get_mut(index))
                .and_then(toml::Value::as_table_mut)
                .expect("checked above: an entry that is a table");
            continue;
        }
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(next) = entry else {
            let prefix = parts[..=depth].join(".");
            return Err(Problem::new(
                key,
                format!("{} (from --set)", show_value(&value)),
                format!("cannot set it: {prefix} is a value, not a section"),
            ));
        };
        current = next;
    }
    current.insert(last.to_string(), value);
    Ok(())
}

/// `name[N]` as (`name`, N); `None` for any other key part.
fn indexed(part: &str) -> Option<(&str, usize)> {
    let (name, rest) = part.split_once('[')?;
    let index = rest.strip_suffix(']')?.trim().parse().ok()?;
    (!name.trim().is_empty()).then_some((name.trim(), index))
}

/// Catalogue check, serde, cross-key rules; `problems` holds earlier problems (malformed
/// overrides), `set_keys` the keys given with overrides and their flags, in order (their
/// problems say so).
fn resolve(
    mut table: toml::Table,
    mut problems: Vec<Problem>,
    set_keys: &[(String, String)],
) -> Result<Config, ConfigError> {
    let mut bad = HashSet::new();
    check_table(&mut table, "", &mut problems, &mut bad);
    // Entries with problems were removed, so the defaults fill them and the cross-key
    // rules can still run on the rest. Missing keys are filled from the default config
    // (not from a section type's default: [fields.il6] and [fields.cxcl7] share a type
    // but not their defaults).
    let mut full = Config::default().to_table();
    deep_merge(&mut full, table);
    let config: Config = match toml::Value::Table(full).try_into() {
        Ok(config) => config,
        Err(e) => {
            // Cannot happen while the catalogue matches the structs (tested); report it
            // rather than panic.
            problems.push(Problem::new(
                "(config)",
                "(whole file)",
                format!("not accepted: {}", e.message()),
            ));
            return Err(ConfigError::Invalid(annotate(problems, set_keys)));
        }
    };
    push_cross_key_problems(&config, &bad, &mut problems);
    sort_problems(&mut problems);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid(annotate(problems, set_keys)))
    }
}

/// Marks problems about keys given with overrides with the flag of the last one that set
/// the key (or a key inside the problem's section).
fn annotate(mut problems: Vec<Problem>, set_keys: &[(String, String)]) -> Vec<Problem> {
    for problem in &mut problems {
        let flag = set_keys.iter().rev().find_map(|(k, flag)| {
            let hit = k == &problem.key
                || k.strip_prefix(problem.key.as_str())
                    .is_some_and(|rest| rest.starts_with('.'));
            hit.then_some(flag)
        });
        if let Some(flag) = flag {
            let mark = format!(" (from {flag})");
            if !problem.value.ends_with(&mark) {
                problem.value.push_str(&mark);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::baseline::BASELINE_SEED;
    use crate::config::catalogue::{ParamInfo, catalogue};
    use crate::config::lattice::InitKind;
    use crate::config::organs::{OrganConfig, default_organs};
    use std::path::PathBuf;

    fn baseline_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/baseline.toml")
    }

    #[test]
    fn set_values_parse_as_toml_or_string() {
        assert_eq!(parse_value_text("0.2"), toml::Value::Float(0.2));
        assert_eq!(parse_value_text("3"), toml::Value::Integer(3));
        assert_eq!(parse_value_text("true"), toml::Value::Boolean(true));
        assert_eq!(
            parse_value_text("disc"),
            toml::Value::String("disc".to_string())
        );
        assert_eq!(
            parse_value_text("\"disc\""),
            toml::Value::String("disc".to_string())
        );
        assert_eq!(
            parse_value_text("[1, 2.5]"),
            toml::Value::Array(vec![toml::Value::Integer(1), toml::Value::Float(2.5)])
        );
        assert!(parse_set("cells.p_symmetric").is_err());
        assert!(parse_set("=3").is_err());
        assert!(parse_set("cells..x=3").is_err());
        assert_eq!(
            parse_set(" cells.p_symmetric = 0.2 ").unwrap(),
            ("cells.p_symmetric".to_string(), toml::Value::Float(0.2))
        );
    }

    #[test]
    fn set_value_creates_sections_and_refuses_to_descend_into_values() {
        let mut table = toml::Table::new();
        set_value(&mut table, "cells.p_symmetric", toml::Value::Float(0.2)).unwrap();
        assert_eq!(table["cells"]["p_symmetric"], toml::Value::Float(0.2));
        let err =
            set_value(&mut table, "cells.p_symmetric.x", toml::Value::Integer(1)).unwrap_err();
        assert!(err.allowed.contains("not a section"), "{err}");
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
        assert_eq!(loaded.run.seed, Some(BASELINE_SEED));
        let mut expected = Config::default();
        expected.run.seed = Some(BASELINE_SEED);
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
                // An optional key unset by default (init.file) is shown in a comment.
                let shown = section.is_some_and(|s| s.contains_key(name))
                    || (info.optional && DEFAULT_TOML.contains(&format!("\n# {name} = ")));
                assert!(shown, "configs/baseline.toml lacks {key}");
            }
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
    fn partial_files_take_defaults() {
        let c = load_str("[cells]\np_symmetric = 0.2\n", "test", &[]).unwrap();
        let mut expected = Config::default();
        expected.cells.p_symmetric = 0.2;
        assert_eq!(c, expected);
        assert_eq!(load_str("", "empty", &[]).unwrap(), Config::default());
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
            let shown = parse_value_text(info.default);
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
        let mut organs = default_organs();
        assert_eq!(
            organs.keys().collect::<Vec<_>>(),
            ["bone", "brain", "liver", "lung"]
        );
        // A name that is not a default organ gets OrganConfig::default().
        organs.insert("adrenal".to_string(), OrganConfig::default());
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
                    .check(&parse_value_text(&text))
                    .unwrap_or_else(|e| panic!("{}: default text invalid: {e}", info.key));
                let actual = &organ[leaf];
                assert_eq!(&shown, actual, "{} for {name}", info.key);
                assert!(info.check(actual).is_ok(), "{} for {name}", info.key);
            }
        }
    }
}
