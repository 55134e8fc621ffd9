//! The `set` table of a batch file, `set = { "cells.p_symmetric" = 0.05 }`: config keys
//! (dotted) with the values every run of the file (a sweep) or of one scenario (a
//! comparison) takes, applied after the base as `--set` would.

use super::given::Given;
use super::show::show;
use crate::error::Problem;

/// Flattens a `set` table into dotted keys: `{ "cells.p_symmetric" = 0.05 }` and
/// `{ cells = { p_symmetric = 0.05 } }` both give `cells.p_symmetric`.
pub fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) if !inner.is_empty() => flatten(&full, inner, out),
            other => out.push((full, other.clone())),
        }
    }
}

/// The keys and values of the `set` table `given` (named `key` in problems), flattened;
/// a problem if it is not a table.
pub fn read(
    given: Option<&Given<toml::Table>>,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, toml::Value)> {
    let mut set = Vec::new();
    match given {
        None => {}
        Some(Given { typed: Some(t), .. }) => flatten("", t, &mut set),
        Some(other) => problems.push(Problem::new(
            key,
            show(&other.raw),
            "expected a table of dotted keys, e.g. set = { \"cells.p_symmetric\" = 0.05 }",
        )),
    }
    set
}

/// Applies `set` to the base `table` (if it was read), as `--set` would: each key known
/// (`seedsoil params`), not one of `varied` (the keys the batch varies itself, refused
/// with `varied_why`), and its value valid for the key.
pub fn apply(
    set: &[(String, toml::Value)],
    varied: &[&str],
    varied_why: &str,
    mut table: Option<&mut toml::Table>,
    problems: &mut Vec<Problem>,
) {
    for (key, value) in set {
        let name = format!("set.{key}");
        if crate::config::lookup(key).is_none() {
            problems.push(Problem::new(
                name,
                show(value),
                "unknown config key; `seedsoil params` lists every key",
            ));
        } else if varied.contains(&key.as_str()) {
            problems.push(Problem::new(name, show(value), varied_why));
        } else if let Some(t) = table.as_deref_mut()
            && let Err(p) = crate::config::set_value(t, key, value.clone())
        {
            problems.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_tables_flatten_to_dotted_keys() {
        let t: toml::Table = "\"cells.p_symmetric\" = 0.05\nrun = { days = 3 }\n"
            .parse()
            .unwrap();
        let mut out = Vec::new();
        flatten("", &t, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["cells.p_symmetric", "run.days"]);
    }
}
