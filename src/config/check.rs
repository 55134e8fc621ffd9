//! The per-key check of a config table against the catalogue (unknown keys with
//! suggestions, types, ranges; every problem collected), the order in which problems are
//! reported, and [`Config::validate`] for a configuration built in code.

use std::collections::HashSet;

use super::catalogue;
use super::dissemination::DisseminationConfig;
use super::root::Config;
use super::show::show_value;
use super::therapy::check_therapies;
use super::validate::push_cross_key_problems;
use crate::error::{ConfigError, Problem};

impl Config {
    /// Checks a configuration built or edited in code (e.g. after command-line flags such
    /// as `--days` were applied to a loaded config) with the same rules as `load`: every
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
                catalogue::lookup("run.seed")
                    .expect("catalogued")
                    .allowed_text(),
            ));
            copy.run.seed = None;
        }
        if i64::try_from(copy.run.stop_at_cells).is_err() {
            problems.push(Problem::new(
                "run.stop_at_cells",
                copy.run.stop_at_cells.to_string(),
                catalogue::lookup("run.stop_at_cells")
                    .expect("catalogued")
                    .allowed_text(),
            ));
            copy.run.stop_at_cells = 0;
        }
        if i64::try_from(copy.run.threads).is_err() {
            problems.push(Problem::new(
                "run.threads",
                copy.run.threads.to_string(),
                catalogue::lookup("run.threads")
                    .expect("catalogued")
                    .allowed_text(),
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
                    catalogue::lookup(key).expect("catalogued").allowed_text(),
                ));
                *value = neutral;
                rejected.insert(key.to_string());
            }
        }
        let mut table = copy.to_table();
        check_table(&mut table, "", &mut problems, &mut rejected);
        push_cross_key_problems(self, &rejected, &mut problems);
        sort_problems(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
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
        if let Some(i) = catalogue::position(key) {
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
        match catalogue::last_in_section(section) {
            Some(i) => (i, 1),
            None => (usize::MAX, 0),
        }
    };
    // One rank per problem (a rank scans the catalogue), however many problems.
    problems.sort_by_cached_key(|p| rank(&p.key));
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
            if !check_therapies(value, problems, bad) {
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
            if pattern == "organs.*"
                && let Some(problem) = organ_typo(&name, &table[&name])
            {
                table.remove(&name);
                problems.push(problem);
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
            // Past a few hundred problems (only the first ones are listed) an unknown key
            // gets no suggestion: the search for one is the costly part.
            if problems.len() < DETAILED_PROBLEMS {
                problems.push(unknown(&full, prefix, &value));
            } else {
                problems.push(Problem::new(&full, show_value(&value), "unknown key"));
            }
        }
    }
}

/// Problems beyond which unknown keys are reported without a suggestion.
const DETAILED_PROBLEMS: usize = 500;

/// Problem for `[organs.<name>]` that looks like a misspelt default organ: a new organ
/// (not lung, liver, bone or brain) that sets no `arrival_weight` (so it would silently
/// receive no cells) and whose name is within two edits of a default organ's.
fn organ_typo(name: &str, value: &toml::Value) -> Option<Problem> {
    let defaults = super::organs::default_organs();
    if defaults.contains_key(name) || value.get("arrival_weight").is_some() {
        return None;
    }
    let known = defaults
        .keys()
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()?
        .1;
    let shown = if value.is_table() {
        "{…}".to_string()
    } else {
        show_value(value)
    };
    Some(Problem::new(
        format!("organs.{name}"),
        shown,
        format!(
            "unknown organ without an arrival_weight (it would receive no cells); did you \
             mean organs.{known}? (a new organ sets organs.{name}.arrival_weight)"
        ),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::organs::OrganConfig;

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
}
