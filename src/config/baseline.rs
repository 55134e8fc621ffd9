//! `configs/baseline.toml`, the embedded default configuration, generated from the section
//! declarations ([`baseline_toml`]): every key of [`Config::default()`] with the fixed seed
//! [`BASELINE_SEED`], each under its declared comment, a named section (`[organs.<name>]`)
//! once per default organ. A test keeps the committed file equal to the generated text;
//! `seedsoil params --format toml > configs/baseline.toml` regenerates it.

use std::fmt::Write as _;

use super::declare::{Param, Section};
use super::organs::DEFAULT_ORGANS;
use super::root::{Config, SECTIONS};

/// The embedded default configuration: the text of `configs/baseline.toml`. `seedsoil run`
/// with no file runs it.
pub const DEFAULT_TOML: &str = include_str!("../../configs/baseline.toml");

/// The seed fixed in the embedded default (the baseline is otherwise `Config::default()`).
pub const BASELINE_SEED: u64 = 20261122;

/// The comment at the top of the file, without `# `.
const HEADER: &[&str] = &[
    "seedsoil baseline configuration.",
    "",
    "This file is the embedded default: `seedsoil run` with no config file runs exactly this",
    "(a test checks that the embedded copy and this file agree). Every key is spelled out with",
    "its unit and its source (docs/model.md §9). Source tags: [V] checked in a published",
    "source, [M] from the cited paper but not re-checked, [A] assumption, – technical key.",
    "`seedsoil params` lists every key with its default, unit, allowed range and source;",
    "`--set section.key=value` overrides any key on the command line.",
    "",
    "The values are the calibrated defaults of docs/model.md §9 (Config::default()), except",
    "the fixed seed below; how each was fitted is written next to it and in docs/model.md §8.6.",
];

/// The comment at the end of the file (the `[[therapy]]` entries, none by default).
const FOOTER: &[&str] = &[
    "Therapy (docs/model.md §7.16): none by default. Interventions are [[therapy]] entries,",
    "applied in the order listed; configs/therapies/*.toml holds one file per kind, and",
    "`seedsoil params` lists every key with its default. For example:",
    "",
    "[[therapy]]",
    "kind = \"chemo\"        # chemo | radiation | surgery | anti_il6 | cxcr2_inhibitor |",
    "                      # anti_vegfr1 | differentiation",
    "start_day = 60        # first cycle's start, days",
    "cycles = 4            # repeats (radiation: fractions)",
    "interval_days = 21    # from one cycle's start to the next, days",
    "duration_days = 3     # exposure per cycle, days (0 for radiation and surgery)",
    "kill_non_stem = 0.99  # the kind's own keys (chemo: per cycle)",
    "kill_csc = 0.2",
];

/// The text of `configs/baseline.toml`: the header comment, then each declared section
/// with a blank line before it, each key under its comment, then the closing comment. A
/// value is written as its declaration writes the default when that is a TOML literal
/// (`90.0`, `1e-4`), otherwise in TOML syntax (`"disc"`, `[]`, the seed, the organs'
/// weights).
pub fn baseline_toml() -> String {
    let mut config = Config::default();
    config.run.seed = Some(BASELINE_SEED);
    let table = config.to_table();
    let mut out = String::new();
    push_comment(&mut out, HEADER);
    for section in SECTIONS {
        match section.key.strip_suffix(".*") {
            None => {
                let values = table_at(&table, section.key);
                push_section(&mut out, section, section.key, values, &[]);
            }
            Some(parent) => {
                assert_eq!(parent, "organs", "default names only for [organs.*]");
                for (i, organ) in DEFAULT_ORGANS.iter().enumerate() {
                    let path = format!("{parent}.{}", organ.name);
                    let values = table_at(&table, &path);
                    let shown = Section {
                        comment: if i == 0 { section.comment } else { &[] },
                        ..*section
                    };
                    push_section(&mut out, &shown, &path, values, organ.comments);
                }
            }
        }
    }
    out.push('\n');
    push_comment(&mut out, FOOTER);
    out
}

/// The table at a dotted section path.
fn table_at<'a>(table: &'a toml::Table, path: &str) -> &'a toml::Table {
    path.split('.').fold(table, |t, part| {
        t[part]
            .as_table()
            .unwrap_or_else(|| panic!("[{path}] is a section of Config"))
    })
}

/// One section: a blank line, its comment, `[path]`, then each key under its comment
/// (`comments` replaces a key's declared comment, by leaf name).
fn push_section(
    out: &mut String,
    section: &Section,
    path: &str,
    values: &toml::Table,
    comments: &[(&str, &[&str])],
) {
    out.push('\n');
    push_comment(out, section.comment);
    let _ = writeln!(out, "[{path}]");
    for param in section.params {
        let leaf = param
            .info
            .key
            .rsplit_once('.')
            .map_or(param.info.key, |(_, l)| l);
        let comment = comments
            .iter()
            .find(|(key, _)| *key == leaf)
            .map_or(param.comment, |(_, lines)| *lines);
        push_comment(out, comment);
        // An optional key unset by default (`init.file`) is only its comment.
        if param.info.optional && !values.contains_key(leaf) {
            continue;
        }
        let value = values
            .get(leaf)
            .unwrap_or_else(|| panic!("{path}.{leaf} is in the default config"));
        let _ = writeln!(out, "{leaf} = {}", value_text(param, value));
    }
}

/// Comment lines: `# line`, or `#` for an empty line.
fn push_comment(out: &mut String, lines: &[&str]) {
    for line in lines {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
}

/// A value as the declaration writes its default, if that is a TOML literal of this value
/// (`1e-4`, not `0.0001`); otherwise in TOML syntax.
fn value_text(param: &Param, value: &toml::Value) -> String {
    match param.literal.parse::<toml::Value>() {
        Ok(literal) if param.info.check(&literal).as_ref() == Ok(value) => {
            param.literal.to_string()
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn committed_baseline_is_the_generated_text() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/baseline.toml");
        let file = std::fs::read_to_string(path).unwrap();
        assert_eq!(DEFAULT_TOML, file);
        let generated = baseline_toml();
        if file != generated {
            let line = file
                .lines()
                .zip(generated.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| file.lines().count().min(generated.lines().count()));
            panic!(
                "configs/baseline.toml differs from the declarations from line {}: \
                 regenerate it with `seedsoil params --format toml > configs/baseline.toml`",
                line + 1
            );
        }
    }

    #[test]
    fn baseline_comments_every_key() {
        // Each `key = value` line is directly preceded by a comment line.
        let lines: Vec<&str> = DEFAULT_TOML.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
                continue;
            }
            assert!(
                i > 0 && lines[i - 1].trim().starts_with('#'),
                "no comment above `{line}`"
            );
        }
    }

    #[test]
    fn values_keep_their_declared_spelling() {
        let text = baseline_toml();
        for line in [
            "days = 90.0",
            "seed = 20261122",
            "kind = \"disc\"",
            "diffusion_cm2_per_s = 5e-7",
            "switch_per_day = 1e-4",
            "snapshot_days = []",
            "hpc_homing_weight = 0.05",
        ] {
            assert!(text.lines().any(|l| l == line), "no line `{line}`");
        }
    }
}
