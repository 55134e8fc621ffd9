//! The parameter catalogue: one entry per leaf config key with its symbol, type, default, unit,
//! allowed range, source tag and a one-line description (printed by `seedsoil params`).
//!
//! The entries come from the section declarations (the `section!` macro), one per
//! parameter, in the order of the sections in `Config`. The catalogue is the single source
//! of truth for per-key checks: loading a config checks every key of the TOML table against
//! it (unknown keys, types, ranges) before serde sees the table. A unit test keeps it in
//! step with the serde structs: it must list exactly the leaf keys of
//! `toml::to_string(&Config::default())` (plus the optional `run.seed` and `init.file`).
//!
//! Source tags follow docs/model.md: `[V]` checked in a published source, `[M]` from the
//! cited paper but not re-checked, `[A]` assumption, `–` technical key (no biological
//! meaning).

use super::declare::Section;
use super::root::SECTIONS;

pub use super::param::{FloatRange, ParamInfo, ParamKind};

/// Number of declared parameters in `sections`.
const fn count(sections: &[Section]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < sections.len() {
        n += sections[i].params.len();
        i += 1;
    }
    n
}

/// The entries of `sections`' parameters, in order; `N` is their number.
const fn flatten<const N: usize>(sections: &[Section]) -> [ParamInfo; N] {
    let mut out = [sections[0].params[0].info; N];
    let mut n = 0;
    let mut i = 0;
    while i < sections.len() {
        let mut j = 0;
        while j < sections[i].params.len() {
            out[n] = sections[i].params[j].info;
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "N is the number of declared parameters");
    out
}

/// The catalogue, in section order.
static CATALOGUE: [ParamInfo; count(SECTIONS)] = flatten(SECTIONS);

/// Every parameter, one entry per leaf config key, in section order.
pub fn catalogue() -> &'static [ParamInfo] {
    &CATALOGUE
}

/// The catalogue entry of a dotted key, e.g. `lookup("cells.p_symmetric")`. A `*` segment
/// of a catalogue key stands for any name: `lookup("organs.lung.tropism")` finds
/// `organs.*.tropism` (whether the name is allowed is checked when loading, see
/// [`valid_name`]).
pub fn lookup(key: &str) -> Option<&'static ParamInfo> {
    position(key).map(|i| &CATALOGUE[i])
}

/// Where the keys and their sections are in the catalogue, for lookups that cost the
/// same however many keys a config holds: exact keys and sections by hash, the few
/// with `*` segments by a scan.
struct Index {
    /// Catalogue keys without `*`: their position.
    keys: std::collections::HashMap<&'static str, usize>,
    /// Positions of the keys with a `*` segment.
    wild_keys: Vec<usize>,
    /// Sections (a key without its leaf) without `*`: the last position of a key in it.
    sections: std::collections::HashMap<&'static str, usize>,
    /// Sections with a `*` segment and the last position of a key in each.
    wild_sections: Vec<(&'static str, usize)>,
}

fn index() -> &'static Index {
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = Index {
            keys: std::collections::HashMap::new(),
            wild_keys: Vec::new(),
            sections: std::collections::HashMap::new(),
            wild_sections: Vec::new(),
        };
        let wild = |s: &str| s.split('.').any(|p| p == "*");
        for (i, info) in CATALOGUE.iter().enumerate() {
            if wild(info.key) {
                index.wild_keys.push(i);
            } else {
                index.keys.entry(info.key).or_insert(i);
            }
            if let Some((section, _)) = info.key.rsplit_once('.') {
                if wild(section) {
                    match index.wild_sections.iter_mut().find(|(s, _)| *s == section) {
                        Some(entry) => entry.1 = i,
                        None => index.wild_sections.push((section, i)),
                    }
                } else {
                    index.sections.insert(section, i);
                }
            }
        }
        index
    })
}

/// Position in the catalogue of the first entry that [`matches()`] `key`.
pub fn position(key: &str) -> Option<usize> {
    let index = index();
    let exact = index.keys.get(key).copied();
    let wild = index
        .wild_keys
        .iter()
        .copied()
        .find(|&i| matches(CATALOGUE[i].key, key));
    match (exact, wild) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Position in the catalogue of the last key whose section [`matches()`] `section`.
pub fn last_in_section(section: &str) -> Option<usize> {
    let index = index();
    let exact = index.sections.get(section).copied();
    let wild = index
        .wild_sections
        .iter()
        .filter(|(s, _)| matches(s, section))
        .map(|&(_, i)| i)
        .max();
    exact.max(wild)
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
    section_list()
        .iter()
        .copied()
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
    section_list().to_vec()
}

/// [`sections`], computed once (a config with many unknown keys asks for every key).
fn section_list() -> &'static [&'static str] {
    static SECTIONS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    SECTIONS.get_or_init(|| {
        let mut out: Vec<&'static str> = Vec::new();
        for info in &CATALOGUE {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::root::Config;
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

    #[test]
    fn catalogue_lists_exactly_the_serialised_keys() {
        let listed: BTreeSet<String> = catalogue().iter().map(|i| i.key.to_string()).collect();
        assert_eq!(listed.len(), catalogue().len(), "duplicate catalogue keys");

        let mut from_default = keys_of(&Config::default());
        // run.seed and init.file are optional and absent from the default; they must be
        // listed anyway.
        for key in ["run.seed", "init.file"] {
            assert!(!from_default.contains(key));
            from_default.insert(key.to_string());
        }
        assert_eq!(listed, from_default);

        let mut seeded = Config::default();
        seeded.run.seed = Some(7);
        seeded.init.file = Some("cells.csv".to_string());
        assert_eq!(listed, keys_of(&seeded));

        // Every organ has every organs.* key, a new one included.
        let mut more = Config::default();
        more.organs.insert(
            "adrenal".to_string(),
            crate::config::organs::OrganConfig::default(),
        );
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
    fn only_run_seed_and_init_file_are_optional() {
        let optional: Vec<&str> = catalogue()
            .iter()
            .filter(|i| i.optional)
            .map(|i| i.key)
            .collect();
        assert_eq!(optional, ["run.seed", "init.file"]);
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
            .chain(crate::config::therapy::therapy_catalogue())
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
            "one of \"single_csc\", \"single_progenitor\", \"disc\", \"file\", \"checkpoint\""
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
}
