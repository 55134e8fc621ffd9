//! Typed errors of the library (docs/architecture.md §9: typed in the library with
//! `thiserror`, contextual in the binary with `anyhow`).
//!
//! - [`ConfigError`]: a configuration could not be read, parsed or validated. Invalid
//!   configurations carry *every* problem found ([`Problem`]), not only the first one.
//! - [`RunError`]: a run could not write its outputs (or read back its records).
//!
//! Exit codes (docs/architecture.md §6): 0 success, 1 a run failed, 2 bad usage or
//! invalid config; see [`ConfigError::exit_code`] and [`RunError::exit_code`].

use std::fmt;
use std::path::PathBuf;

/// One problem found in a configuration: which key, what value was given, what is allowed.
///
/// Displayed as `key = value: allowed`, e.g.
/// `cells.p_symmetric = 1.5: allowed 0 ≤ value ≤ 1 (per CSC division)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key, e.g. `cells.p_symmetric` (or `--set` for a malformed override).
    pub key: String,
    /// The value as given, in TOML syntax where possible (strings quoted).
    pub value: String,
    /// What is allowed instead (or why the key is refused), e.g.
    /// `allowed 0 ≤ value ≤ 1 (per CSC division)` or
    /// `unknown key; did you mean cells.p_symmetric?`.
    pub allowed: String,
}

impl Problem {
    /// Builds a problem from its three parts.
    pub fn new(
        key: impl Into<String>,
        value: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Self {
        Problem {
            key: key.into(),
            value: value.into(),
            allowed: allowed.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.key, self.value, self.allowed)
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read configuration file {}", path.display())]
    Io {
        /// The file that was asked for.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The text is not valid TOML. `message` is toml's message, which includes the line and
    /// column of the error and the offending line.
    #[error("invalid TOML in {path_or_origin}:\n{message}")]
    Parse {
        /// The file path, or a description of where the text came from (e.g. the embedded
        /// default).
        path_or_origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The TOML is well formed but keys, types, ranges or cross-key rules are violated.
    /// Every problem found is listed.
    #[error("{}", format_problems(.0))]
    Invalid(Vec<Problem>),
}

impl ConfigError {
    /// Process exit code for this error: always 2 ("bad usage or invalid config",
    /// docs/architecture.md §6).
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// The problems of an [`ConfigError::Invalid`] error; empty for the other variants.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

/// The most problems an [`ConfigError::Invalid`] message lists; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// Header line and one indented line per problem, at most [`MAX_LISTED_PROBLEMS`] of
/// them, then a count of the others.
fn format_problems(problems: &[Problem]) -> String {
    let n = problems.len();
    let mut text = format!(
        "invalid configuration ({} problem{}):",
        thousands(n as u64),
        if n == 1 { "" } else { "s" }
    );
    for problem in problems.iter().take(MAX_LISTED_PROBLEMS) {
        text.push_str("\n  ");
        text.push_str(&problem.to_string());
    }
    if n > MAX_LISTED_PROBLEMS {
        let more = n - MAX_LISTED_PROBLEMS;
        text.push_str(&format!(
            "\n  … and {} more problem{}",
            thousands(more as u64),
            if more == 1 { "" } else { "s" }
        ));
    }
    text
}

/// `n` with commas between groups of three digits: `3,999,950`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Why a run failed after its configuration was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An output file or folder could not be written.
    #[error("cannot write output {}", path.display())]
    Output {
        /// The file or folder being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A file the command reads back (e.g. a sweep's record) could not be read.
    #[error("cannot read {}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The run folder exists already; runs never overwrite without `--force`.
    #[error("output folder {} already exists; pass --force to overwrite", .0.display())]
    Exists(PathBuf),
    /// The output path exists but is not a folder (a file, a dangling symbolic link).
    #[error("output path {} is {what}; name a folder (new or, with --force, an earlier run's)", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// The output folder holds an earlier comparison: `--resume` reuses its finished
    /// runs, `--force` starts again (bad usage).
    #[error(
        "output folder {} already exists ({state}); pass --resume to reuse its finished runs or --force to start again",
        path.display()
    )]
    Occupied {
        /// The folder.
        path: PathBuf,
        /// What it holds, e.g. `a comparison that did not finish`.
        state: String,
    },
    /// `seedsoil render` was given a folder without lattice snapshots (bad usage).
    #[error(
        "no lattice snapshots in {}: expected snapshots/lattice_day<D>.csv; \
         make them with `seedsoil run --set output.snapshot_days=[5.0,10.0]` (snapshot_csv on)",
        .0.display()
    )]
    NoSnapshots(PathBuf),
    /// An input file (a run folder's snapshot, say) holds what no run writes: bad input,
    /// described in words with the file and the offending row.
    #[error("{0}")]
    BadInput(String),
    /// Any other failure, described in words.
    #[error("{0}")]
    Other(String),
}

/// Why `seedsoil sensitivity` could not analyse a folder: all bad input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// The folder holds no resolved sweep.
    #[error("{} is not a sweep folder: it has no sweep.toml (run `seedsoil sweep FILE -o DIR` first)", .0.display())]
    NotASweep(PathBuf),
    /// The resolved sweep file is invalid.
    #[error(transparent)]
    Config(ConfigError),
    /// `summary.csv` is missing or unreadable.
    #[error("{}: {reason}", path.display())]
    BadTable {
        /// The table.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Some runs have no row in `summary.csv`.
    #[error("{missing} of the {runs} runs of {} have no result: finish them with `seedsoil sweep --resume` or `seedsoil collect` first", dir.display())]
    Incomplete {
        /// The sweep folder.
        dir: PathBuf,
        /// Runs without a row.
        missing: u64,
        /// Runs of the design.
        runs: u64,
    },
    /// `--output` named columns that are not outputs of the table.
    #[error("{}", unknown_outputs(.0))]
    UnknownOutputs(Vec<(String, Option<String>)>),
    /// An output column holds something other than finite numbers.
    #[error(
        "output {0}: every run must give a finite number (it is empty or not a number in some row)"
    )]
    NotNumeric(String),
    /// No `--output` was named and the table has none of the default outputs.
    #[error(
        "summary.csv has none of the default outputs ({}): name one or more with --output COL; its output columns are: {}",
        crate::sensitivity::analysis::DEFAULT_OUTPUTS.join(", "),
        .0.join(", ")
    )]
    NoDefaultOutputs(Vec<String>),
}

fn unknown_outputs(list: &[(String, Option<String>)]) -> String {
    let mut text = String::from("not an output column of summary.csv (see its header):");
    for (name, best) in list {
        text.push_str(&format!("\n  --output {name}"));
        if let Some(b) = best {
            text.push_str(&format!(": did you mean {b}?"));
        }
    }
    text
}

/// Why `seedsoil validate` could not start (bad usage: exit 2) or could not run (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// `--only` named checks that do not exist (with the nearest name, if close).
    #[error("{}", unknown_checks(.0))]
    UnknownChecks(Vec<(String, Option<String>)>),
    /// The options select no check (e.g. `--config` with only R0 checks).
    #[error("no check selected: `seedsoil validate --list` shows the checks")]
    NothingSelected,
    /// The suite itself is inconsistent (a bug).
    #[error("the validation suite is inconsistent: {0}")]
    Suite(String),
    /// Running failed (thread pool, output).
    #[error(transparent)]
    Run(RunError),
}

fn unknown_checks(list: &[(String, Option<String>)]) -> String {
    let mut text = format!(
        "unknown check{} (`seedsoil validate --list` shows them):",
        if list.len() == 1 { "" } else { "s" }
    );
    for (name, best) in list {
        text.push_str(&format!("\n  --only {name}"));
        if let Some(b) = best {
            text.push_str(&format!(": did you mean {b}?"));
        }
    }
    text
}

impl ValidateError {
    /// Process exit code: 2 for bad usage, 1 when running failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            ValidateError::UnknownChecks(_) | ValidateError::NothingSelected => 2,
            ValidateError::Suite(_) => 1,
            ValidateError::Run(e) => e.exit_code(),
        }
    }
}

impl RunError {
    /// Process exit code for this error: 2 for [`RunError::Exists`] and
    /// [`RunError::Occupied`], [`RunError::NotAFolder`], [`RunError::NoSnapshots`] and
    /// [`RunError::BadInput`] (bad usage: the user must choose another folder or pass
    /// `--force`), 1 for every other failure ("a run
    /// failed", docs/architecture.md §6).
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Exists(_)
            | RunError::Occupied { .. }
            | RunError::NotAFolder { .. }
            | RunError::NoSnapshots(_)
            | RunError::BadInput(_) => 2,
            RunError::Output { .. } | RunError::Input { .. } | RunError::Other(_) => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_lists_every_problem_on_its_own_line() {
        let err = ConfigError::Invalid(vec![
            Problem::new("cells.p_symmetric", "1.5", "allowed 0 ≤ value ≤ 1"),
            Problem::new("space.dims", "4", "allowed integer 2 ≤ value ≤ 3"),
        ]);
        let text = err.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "invalid configuration (2 problems):");
        assert_eq!(lines[1], "  cells.p_symmetric = 1.5: allowed 0 ≤ value ≤ 1");
        assert_eq!(lines[2], "  space.dims = 4: allowed integer 2 ≤ value ≤ 3");
        assert_eq!(err.exit_code(), 2);
        assert_eq!(err.problems().len(), 2);
    }

    #[test]
    fn one_problem_is_singular() {
        let err = ConfigError::Invalid(vec![Problem::new("a.b", "1", "allowed x")]);
        assert!(
            err.to_string()
                .starts_with("invalid configuration (1 problem):")
        );
    }

    #[test]
    fn run_error_messages_and_codes() {
        let err = RunError::Exists(PathBuf::from("out/run1"));
        assert_eq!(
            err.to_string(),
            "output folder out/run1 already exists; pass --force to overwrite"
        );
        assert_eq!(err.exit_code(), 2);
        assert_eq!(RunError::Other("boom".into()).exit_code(), 1);
    }
}
