//! Loading: TOML text → [`toml::Table`] → `--set` overrides → catalogue check → serde →
//! cross-key rules. Every stage collects all of its problems; the caller sees them at once.

use std::collections::HashSet;
use std::path::Path;

use super::catalogue;
use super::{Config, DEFAULT_TOML};
use crate::error::{ConfigError, Problem};

/// Where the embedded default comes from, for messages.
const DEFAULT_ORIGIN: &str = "the embedded default config (configs/baseline.toml)";

/// Longest value text shown in a problem before it is shortened.
const MAX_VALUE_CHARS: usize = 80;

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
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            load_str(&text, &path.display().to_string(), sets)
        }
    }
}

/// Like [`load`], from TOML text. `origin` names the text in parse errors (a path, or e.g.
/// "sweep run 3").
pub fn load_str(text: &str, origin: &str, sets: &[String]) -> Result<Config, ConfigError> {
    let mut table = parse_table(text, origin)?;
    let mut problems = Vec::new();
    let mut set_keys = HashSet::new();
    for arg in sets {
        match parse_set(arg).and_then(|(key, value)| {
            set_value(&mut table, &key, value)?;
            Ok(key)
        }) {
            Ok(key) => {
                set_keys.insert(key);
            }
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
    resolve(table, Vec::new(), &HashSet::new())
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
/// The value is not checked here; [`from_table`] checks it.
pub fn set_value(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), Problem> {
    let parts: Vec<&str> = key.split('.').map(str::trim).collect();
    let (last, parents) = parts.split_last().expect("split yields at least one part");
    let mut current = table;
    for (depth, part) in parents.iter().enumerate() {
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

/// Catalogue check, serde, cross-key rules; `problems` holds earlier problems (malformed
/// overrides), `set_keys` the keys given with `--set` (their problems say so).
fn resolve(
    mut table: toml::Table,
    mut problems: Vec<Problem>,
    set_keys: &HashSet<String>,
) -> Result<Config, ConfigError> {
    let mut bad = HashSet::new();
    check_table(&mut table, "", &mut problems, &mut bad);
    // Entries with problems were removed, so the defaults fill them and the cross-key
    // rules can still run on the rest. Missing keys are filled from the default config
    // (not from a section type's default: [fields.il6] and [fields.cxcl7] share a type
    // but not their defaults).
    let mut full = Config::default().to_table();
    super::deep_merge(&mut full, table);
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
    super::validate::push_cross_key_problems(&config, &bad, &mut problems);
    sort_problems(&mut problems);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid(annotate(problems, set_keys)))
    }
}

/// Orders problems like the catalogue (and `configs/baseline.toml`): by key, unknown keys
/// after the known keys of their section, anything else (malformed `--set`, unknown
/// sections) last. The sort is stable, so problems about one key keep their order.
///
/// Keys of named sections (`organs.lung.tropism`) rank as their catalogue entry
/// (`organs.*.tropism`); a problem about a known section itself (`organs`, `organs.Lung`)
/// ranks with the section's first key.
pub(crate) fn sort_problems(problems: &mut [Problem]) {
    let keys: Vec<&str> = catalogue::catalogue().iter().map(|i| i.key).collect();
    let parent = |k: &str| k.rsplit_once('.').map(|(s, _)| s.to_string());
    let rank = |key: &str| -> (usize, usize) {
        if let Some(i) = keys.iter().position(|k| catalogue::matches(k, key)) {
            return (i, 0);
        }
        if catalogue::section_pattern(key).is_some()
            && let Some(i) = keys.iter().position(|k| {
                let mut prefix = k.to_string();
                // Does some dotted prefix of the catalogue key match the section?
                while let Some(p) = parent(&prefix) {
                    if catalogue::matches(&p, key) {
                        return true;
                    }
                    prefix = p;
                }
                false
            })
        {
            return (i, 0);
        }
        let section = key.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
        match keys.iter().rposition(|k| {
            k.rsplit_once('.')
                .is_some_and(|(s, _)| catalogue::matches(s, section))
        }) {
            Some(i) => (i, 1),
            None => (usize::MAX, 0),
        }
    };
    problems.sort_by_key(|p| rank(&p.key));
}

/// Marks problems about keys given with `--set`.
fn annotate(mut problems: Vec<Problem>, set_keys: &HashSet<String>) -> Vec<Problem> {
    for problem in &mut problems {
        let from_set = set_keys.iter().any(|k| {
            k == &problem.key
                || k.strip_prefix(problem.key.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        if from_set && !problem.value.ends_with("(from --set)") {
            problem.value.push_str(" (from --set)");
        }
    }
    problems
}

/// Checks every entry of `table` (whose dotted path is `prefix`) against the catalogue:
/// known leaves are type- and range-checked and converted in place; sections are checked
/// recursively; unknown or invalid entries are reported and removed. Keys or sections whose
/// values were rejected go into `bad`.
pub(crate) fn check_table(
    table: &mut toml::Table,
    prefix: &str,
    problems: &mut Vec<Problem>,
    bad: &mut HashSet<String>,
) {
    let names: Vec<String> = table.keys().cloned().collect();
    for name in names {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if full == "therapy" {
            let value = table
                .get_mut(&name)
                .expect("name comes from the table's keys");
            if !super::therapy::check_therapies(value, problems, bad) {
                table.remove(&name);
            }
        } else if let Some(info) = catalogue::lookup(&full) {
            let value = &table[&name];
            match info.check(value) {
                Ok(converted) => {
                    table.insert(name, converted);
                }
                Err(allowed) => {
                    problems.push(Problem::new(&full, show_value(value), allowed));
                    bad.insert(full);
                    table.remove(&name);
                }
            }
        } else if let Some(pattern) = catalogue::section_pattern(&full) {
            if pattern.ends_with(".*") && !catalogue::valid_name(&name) {
                let value = table
                    .remove(&name)
                    .expect("name comes from the table's keys");
                problems.push(bad_name(&full, &name, &value));
                bad.insert(full);
                continue;
            }
            match table.get_mut(&name) {
                Some(toml::Value::Table(section)) => check_table(section, &full, problems, bad),
                Some(other) => {
                    problems.push(Problem::new(
                        &full,
                        show_value(other),
                        format!("expected a section [{full}] {}", section_contents(&full)),
                    ));
                    bad.insert(full);
                    table.remove(&name);
                }
                None => unreachable!("name comes from the table's keys"),
            }
        } else {
            let value = table
                .remove(&name)
                .expect("name comes from the table's keys");
            problems.push(unknown(&full, prefix, &value));
        }
    }
}

/// Problem for a named section (`[organs.<name>]`) whose name is not allowed
/// ([`catalogue::NAME_RULE`]), with the corrected name if lower-casing fixes it.
fn bad_name(full: &str, name: &str, value: &toml::Value) -> Problem {
    let section = full.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
    let fixed = name.trim().to_lowercase().replace(['-', ' ', '.'], "_");
    let hint = if catalogue::valid_name(&fixed) {
        format!("; did you mean [{section}.{fixed}]?")
    } else {
        String::new()
    };
    let value_text = if value.is_table() {
        "{…}".to_string()
    } else {
        show_value(value)
    };
    Problem::new(
        full,
        value_text,
        format!(
            "name {} not allowed: a name in [{section}.<name>] is {}{hint}",
            toml::Value::String(name.to_string()),
            catalogue::NAME_RULE
        ),
    )
}

/// "with keys a, b" (the leaves directly in `section`), or "holding [x.*] sections" for a
/// section that holds only named sections (`organs`).
fn section_contents(section: &str) -> String {
    let keys = keys_in_section(section);
    if keys.is_empty() {
        let subsections: Vec<String> = catalogue::sections()
            .iter()
            .filter(|s| {
                s.rsplit_once('.')
                    .is_some_and(|(parent, _)| catalogue::matches(parent, section))
            })
            .map(|s| format!("[{s}]"))
            .collect();
        format!("holding {} sections", subsections.join(", "))
    } else {
        format!("with keys {}", keys.join(", "))
    }
}

/// Problem for an unknown key or section, with the closest valid name if one is close.
fn unknown(full: &str, prefix: &str, value: &toml::Value) -> Problem {
    let is_section = value.is_table();
    let what = if is_section {
        format!("unknown section [{full}]")
    } else {
        "unknown key".to_string()
    };
    let allowed = match suggest(full, is_section) {
        Some(s) if is_section => format!("{what}; did you mean [{s}]?"),
        Some(s) => format!("{what}; did you mean {s}?"),
        None if !prefix.is_empty() && catalogue::section_pattern(prefix).is_some() => {
            format!(
                "{what}; keys in [{prefix}]: {}",
                keys_in_section(prefix).join(", ")
            )
        }
        None => format!(
            "{what}; sections are {}",
            catalogue::sections()
                .iter()
                .map(|s| format!("[{s}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let value_text = if is_section {
        "{…}".to_string()
    } else {
        show_value(value)
    };
    Problem::new(full, value_text, allowed)
}

/// Leaf names (without the section) of the keys directly in `section` (`organs.lung`
/// has the keys of `organs.*`).
fn keys_in_section(section: &str) -> Vec<&'static str> {
    catalogue::catalogue()
        .iter()
        .filter_map(|info| {
            let (parent, leaf) = info.key.rsplit_once('.')?;
            catalogue::matches(parent, section).then_some(leaf)
        })
        .collect()
}

/// A catalogue key or section with its `*` segments replaced by the names of `given` at
/// the same places, when `given` agrees with it up to there (`organs.*.tropism` for
/// `organs.lung.tropsim` is `organs.lung.tropism`); otherwise left as it is.
fn instantiate(pattern: &str, given: &str) -> String {
    let given: Vec<&str> = given.split('.').collect();
    let mut out = Vec::new();
    let mut agrees = true;
    for (i, part) in pattern.split('.').enumerate() {
        let name = given.get(i).copied();
        if part == "*" {
            match name {
                Some(name) if agrees && catalogue::valid_name(name) => out.push(name),
                _ => return pattern.to_string(),
            }
        } else {
            agrees &= name == Some(part);
            out.push(part);
        }
    }
    out.join(".")
}

/// The closest valid section (if `is_section`) or key to an unknown one, if any is close:
/// a key with the same leaf name in another section, a key whose leaf starts with the given
/// leaf, or one within a small edit distance.
fn suggest(full: &str, is_section: bool) -> Option<String> {
    let given = full.to_lowercase();
    let candidates: Vec<String> = if is_section {
        catalogue::sections()
    } else {
        catalogue::catalogue().iter().map(|i| i.key).collect()
    }
    .into_iter()
    .map(|c| instantiate(c, &given))
    .collect();
    let leaf = |k: &str| k.rsplit('.').next().unwrap_or(k).to_string();
    let given_leaf = leaf(&given);
    if !is_section {
        // Same leaf name in another section (e.g. run.cycle_time_h → cells.cycle_time_h).
        if let Some(best) = candidates
            .iter()
            .filter(|c| leaf(c) == given_leaf)
            .min_by_key(|c| strsim::levenshtein(&given, c))
        {
            return Some(best.to_string());
        }
    }
    let (best, distance) = candidates
        .iter()
        .map(|c| (c.as_str(), strsim::levenshtein(&given, c)))
        .min_by_key(|(_, d)| *d)?;
    let tolerance = (given.chars().count() / 4).max(2);
    if distance <= tolerance {
        return Some(best.to_string());
    }
    if !is_section && given_leaf.chars().count() >= 4 {
        // An abbreviation of a leaf name in the same section (cells.p_sym → cells.p_symmetric).
        let section = given.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
        if let Some(hit) = candidates.iter().find(|c| {
            c.rsplit_once('.').map(|(s, _)| s).unwrap_or("") == section
                && leaf(c).starts_with(&given_leaf)
        }) {
            return Some(hit.to_string());
        }
    }
    None
}

/// A value in TOML syntax for messages, shortened if long.
pub(crate) fn show_value(value: &toml::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > MAX_VALUE_CHARS {
        let short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{short}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suggestions' edit distance (`strsim::levenshtein`) counts characters, not bytes.
    #[test]
    fn edit_distance() {
        assert_eq!(strsim::levenshtein("kitten", "sitting"), 3);
        assert_eq!(strsim::levenshtein("", "abc"), 3);
        assert_eq!(strsim::levenshtein("abc", "abc"), 0);
        assert_eq!(strsim::levenshtein("ρ", "p"), 1);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("cells.p_symetric", false).as_deref(),
            Some("cells.p_symmetric")
        );
        assert_eq!(
            suggest("run.cycle_time_h", false).as_deref(),
            Some("cells.cycle_time_h")
        );
        assert_eq!(suggest("cell", true).as_deref(), Some("cells"));
        assert_eq!(
            suggest("cells.dedif", false).as_deref(),
            Some("cells.dedifferentiation_per_day")
        );
        assert_eq!(suggest("cells.zzzzzzzzzzzzzz", false), None);
        assert_eq!(suggest("metastasis", true), None);
        // Named sections: the suggestion keeps the organ's name.
        assert_eq!(
            suggest("organs.lung.tropsim", false).as_deref(),
            Some("organs.lung.tropism")
        );
        assert_eq!(
            suggest("organs.adrenal.hpc_homing", false).as_deref(),
            Some("organs.adrenal.hpc_homing_weight")
        );
        assert_eq!(
            suggest("dissemination.tropism", false).as_deref(),
            Some("organs.*.tropism")
        );
        assert_eq!(suggest("organ", true).as_deref(), Some("organs"));
        assert_eq!(suggest("nich", true).as_deref(), Some("niche"));
    }

    #[test]
    fn instantiate_fills_wildcards_from_the_given_key() {
        assert_eq!(
            instantiate("organs.*.tropism", "organs.lung.x"),
            "organs.lung.tropism"
        );
        assert_eq!(instantiate("organs.*", "organs.lung.x"), "organs.lung");
        assert_eq!(
            instantiate("organs.*.tropism", "organs"),
            "organs.*.tropism"
        );
        assert_eq!(
            instantiate("organs.*.tropism", "niche.lung.x"),
            "organs.*.tropism"
        );
        assert_eq!(instantiate("cells.rho_max", "cells.rho"), "cells.rho_max");
    }

    #[test]
    fn problems_sort_like_the_catalogue_with_named_sections() {
        let mut problems: Vec<Problem> = [
            "zzz",
            "organs.lung.unknown",
            "organs.bone.tropism",
            "organs.lung.arrival_weight",
            "organs",
            "organs.Bad",
            "output.snapshot_csv",
            "niche.k_hpc",
            "dissemination.enabled",
        ]
        .iter()
        .map(|k| Problem::new(*k, "1", "x"))
        .collect();
        sort_problems(&mut problems);
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "dissemination.enabled",
                "niche.k_hpc",
                "organs.lung.arrival_weight",
                "organs",
                "organs.Bad",
                "organs.bone.tropism",
                "organs.lung.unknown",
                "output.snapshot_csv",
                "zzz",
            ]
        );
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
    fn long_values_are_shortened() {
        let long = toml::Value::String("x".repeat(500));
        assert_eq!(show_value(&long).chars().count(), MAX_VALUE_CHARS);
    }
}
