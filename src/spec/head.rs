//! [`HeadFile`]: the keys every batch file (sweep, compare) starts with, and their checks.
//!
//! ```toml
//! base = "baseline.toml"   # the base config, relative to this file; the embedded default if omitted
//! seed = 7                 # the file's seed (default: the base's run.seed)
//! replicates = 20          # R; --replicates overrides
//! ```
//!
//! A file's typed struct flattens a [`HeadFile`] and, last, a table that collects the keys
//! it does not know ([`unknown_keys`] reports them).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::given::Given;
use super::show::{quoted, show};
use crate::batch::{MAX_REPLICATES, one_line};
use crate::config::{DEFAULT_TOML, parse_table};
use crate::error::{ConfigError, Problem};

/// The keys shared by the batch files, as given.
#[derive(Debug, Deserialize)]
pub(crate) struct HeadFile {
    /// `base`: the base config's path, relative to the file.
    pub base: Option<Given<String>>,
    /// `seed`: the file's seed.
    pub seed: Option<Given<u64>>,
    /// `replicates`: replicates per point or scenario.
    pub replicates: Option<Given<u32>>,
}

/// A batch file's base config.
#[derive(Debug)]
pub(crate) struct Base {
    /// Its path, resolved against the file's folder; `None` for the embedded default.
    pub path: Option<PathBuf>,
    /// Its table, if it could be read.
    pub table: Option<toml::Table>,
}

/// Parses the text of the batch file at `path` and deserializes it into its typed struct
/// `F` (whose fields are [`Given`] values, so that only a syntax error fails).
///
/// Errors: [`ConfigError::Parse`] for a syntax error, [`ConfigError::Invalid`] if serde
/// refuses the file (which the `Given` fields rule out).
pub(crate) fn parse_file<F: DeserializeOwned>(text: &str, path: &Path) -> Result<F, ConfigError> {
    // toml's messages for syntax errors, as every config file gives them.
    parse_table(text, &path.display().to_string())?;
    // The document deserializer (not a parsed table's) keeps date-times date-times.
    toml::de::Deserializer::parse(text)
        .and_then(F::deserialize)
        .map_err(|e| {
            ConfigError::Invalid(vec![Problem::new(
                "(file)",
                "(whole file)",
                format!("not accepted: {}", e.message()),
            )])
        })
}

/// The folder relative paths in the file at `path` start from.
pub(crate) fn folder(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// One problem per key of `unknown` (the keys a table does not know, in key order): the
/// key under `prefix` (empty at the top level), and the keys `holder` ("a sweep file",
/// "an axis") has.
pub(crate) fn unknown_keys(
    unknown: &toml::Table,
    prefix: &str,
    holder: &str,
    keys: &[&str],
    problems: &mut Vec<Problem>,
) {
    for (key, value) in unknown {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        problems.push(Problem::new(
            full,
            show(value),
            format!("unknown key; {holder} has the keys {}", keys.join(", ")),
        ));
    }
}

/// Reads and parses a TOML file named by `key` (its value `given`) of a `what` file
/// ("compare", "sweep"), pushing a problem if it cannot; a relative `init.file` in it is
/// made relative to it ([`crate::config::anchor_paths`]).
pub(crate) fn read_toml(
    path: &Path,
    key: &str,
    given: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<toml::Table> {
    let text = match crate::input::read_toml_text(path) {
        Ok(text) => text,
        Err(e) => {
            problems.push(Problem::new(
                key,
                quoted(given),
                format!(
                    "cannot read {} ({e}); paths are relative to the {what} file",
                    path.display()
                ),
            ));
            return None;
        }
    };
    match parse_table(&text, &path.display().to_string()) {
        Ok(mut table) => {
            // Its file paths (init.file) are relative to it, as in any config file.
            crate::config::anchor_paths(&mut table, path.parent().unwrap_or(Path::new("")));
            Some(table)
        }
        Err(e) => {
            problems.push(Problem::new(
                key,
                quoted(given),
                format!("not a TOML file: {}", one_line(&e.to_string())),
            ));
            None
        }
    }
}

impl HeadFile {
    /// The base config of the `what` file ("compare", "sweep") in `dir`: the file named by
    /// `base`, or the embedded default.
    pub fn base(&self, dir: &Path, what: &str, problems: &mut Vec<Problem>) -> Base {
        match &self.base {
            None => Base {
                path: None,
                table: Some(
                    parse_table(DEFAULT_TOML, "the embedded default")
                        .expect("the embedded default is TOML"),
                ),
            },
            Some(Given {
                typed: Some(name), ..
            }) => {
                let path = dir.join(name);
                let table = read_toml(&path, "base", name, what, problems);
                Base {
                    path: Some(path),
                    table,
                }
            }
            Some(other) => {
                problems.push(Problem::new(
                    "base",
                    show(&other.raw),
                    format!(
                        "expected a path to a config file (a string), relative to the {what} file"
                    ),
                ));
                Base {
                    path: None,
                    table: None,
                }
            }
        }
    }

    /// The file's seed: `seed`, else the base's `run.seed` (if a non-negative integer).
    pub fn seed(&self, base: Option<&toml::Table>, problems: &mut Vec<Problem>) -> Option<u64> {
        match &self.seed {
            Some(Given { typed: Some(s), .. }) => Some(*s),
            Some(other) => {
                problems.push(Problem::new(
                    "seed",
                    show(&other.raw),
                    format!("allowed integer 0 ≤ value ≤ {}", i64::MAX),
                ));
                None
            }
            None => base
                .and_then(|t| t.get("run"))
                .and_then(|r| r.get("seed"))
                .and_then(toml::Value::as_integer)
                .filter(|s| *s >= 0)
                .map(|s| s as u64),
        }
    }

    /// Replicates: `cli` (`--replicates`, allowed up to `cli_max`) if given, else the
    /// file's `replicates`, else `default` (`None`: the key is required).
    pub fn replicates(
        &self,
        cli: Option<u32>,
        cli_max: u32,
        default: Option<u32>,
        problems: &mut Vec<Problem>,
    ) -> Option<u32> {
        let allowed = format!("allowed integer 1 ≤ value ≤ {MAX_REPLICATES}");
        if let Some(r) = cli {
            if (1..=cli_max).contains(&r) {
                return Some(r);
            }
            problems.push(Problem::new("--replicates", r.to_string(), allowed));
            return None;
        }
        match &self.replicates {
            Some(given) => match given.typed {
                Some(r) if (1..=MAX_REPLICATES).contains(&r) => Some(r),
                _ => {
                    problems.push(Problem::new("replicates", show(&given.raw), allowed));
                    None
                }
            },
            None if default.is_some() => default,
            None => {
                problems.push(Problem::new(
                    "replicates",
                    "(missing)",
                    format!("required: an integer 1 ≤ value ≤ {MAX_REPLICATES} (or --replicates)"),
                ));
                None
            }
        }
    }
}
