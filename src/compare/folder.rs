//! The state of a comparison folder between processes: the resolved comparison
//! (`compare.toml`, what `--resume` checks), the status in `manifest.json`, and clearing
//! a folder for `--force`.
//!
//! `compare.toml` holds everything the outputs depend on: the compare seed, replicates,
//! control, `branch_at_day`, the scenario names in order, the command-line overrides (if
//! any), the base config's table and each scenario's merged table (before validation).
//! Two comparisons with the same `compare.toml` write the same records and tables.

use std::path::Path;

use super::CompareSpec;
use crate::error::RunError;

/// The resolved comparison's file in the folder.
pub const RESOLVED: &str = "compare.toml";

/// The plan of a comparison run as a job array (`--plan`).
pub const PLAN: &str = "plan.csv";

/// The tables `seedsoil compare` merges from the records.
pub const FILES: [&str; 8] = [
    "runs.csv",
    "timeseries.csv",
    "events.csv",
    "summary.csv",
    "organs.csv",
    "comparison.csv",
    "time_to_event.csv",
    "kaplan_meier.csv",
];

/// The resolved comparison of `spec` with compare seed `seed`, as a TOML table.
pub fn resolved(spec: &CompareSpec, seed: u64) -> toml::Table {
    use toml::Value as V;
    let mut t = toml::Table::new();
    t.insert("seed".into(), V::Integer(seed as i64));
    t.insert("replicates".into(), V::Integer(i64::from(spec.replicates)));
    t.insert("control".into(), V::String(spec.control().name.clone()));
    if let Some(day) = spec.branch_at_day {
        t.insert("branch_at_day".into(), V::Float(day));
    }
    t.insert(
        "scenarios".into(),
        V::Array(
            spec.scenarios
                .iter()
                .map(|s| V::String(s.name.clone()))
                .collect(),
        ),
    );
    if !spec.overrides.is_empty() {
        // Command-line overrides (`--set`, `--days`), applied to every scenario.
        let sets = spec
            .overrides
            .iter()
            .map(|o| V::String(o.clone()))
            .collect();
        t.insert("overrides".into(), V::Array(sets));
    }
    t.insert("base".into(), V::Table(spec.base_table.clone()));
    let scenarios = spec
        .scenarios
        .iter()
        .map(|s| (s.name.clone(), V::Table(s.table.clone())))
        .collect();
    t.insert("scenario".into(), V::Table(scenarios));
    t
}

/// The text of `compare.toml` for `spec` with seed `seed`.
pub fn resolved_text(spec: &CompareSpec, seed: u64) -> String {
    let body = toml::to_string(&resolved(spec, seed)).expect("a TOML table serialises");
    format!(
        "# The resolved comparison written by seedsoil compare: `--resume` reuses this folder\n\
         # only for a comparison that resolves to the same file.\n{body}"
    )
}

/// The resolved comparison stored in `dir`, if there is one that parses.
pub fn recorded(dir: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(dir.join(RESOLVED))
        .ok()?
        .parse()
        .ok()
}

/// The compare seed stored in `dir`'s `compare.toml`, if any.
pub fn recorded_seed(dir: &Path) -> Option<u64> {
    recorded(dir)?
        .get("seed")?
        .as_integer()
        .and_then(|s| u64::try_from(s).ok())
}

/// A value as a difference message shows it: TOML syntax, long ones cut.
fn show(value: Option<&toml::Value>) -> String {
    let Some(value) = value else {
        return "absent".to_string();
    };
    let text = match value {
        toml::Value::Table(_) => "a table".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        text.chars().take(57).collect::<String>() + "..."
    } else {
        text
    }
}

/// The first key (dotted, in key order) where `old` and `new` differ, with both values.
fn first_difference(prefix: &str, old: &toml::Table, new: &toml::Table) -> Option<String> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (old.get(key), new.get(key)) {
            (Some(toml::Value::Table(a)), Some(toml::Value::Table(b))) => {
                if let Some(d) = first_difference(&path, a, b) {
                    return Some(d);
                }
            }
            (a, b) if a != b => {
                return Some(format!(
                    "{path} is {} in the folder, {} now",
                    show(a),
                    show(b)
                ));
            }
            _ => {}
        }
    }
    None
}

/// How the comparison stored in a folder (`stored`, its `compare.toml`) differs from
/// `spec` with seed `seed`: the first differing key, e.g. `scenario.fast.cells.p_symmetric
/// is 0.5 in the folder, 0.4 now`; `None` if they are the same comparison.
pub fn difference(stored: &toml::Table, spec: &CompareSpec, seed: u64) -> Option<String> {
    // Compared after a round trip through text, as the folder's file was written.
    let text = toml::to_string(&resolved(spec, seed)).expect("a TOML table serialises");
    let new: toml::Table = text.parse().expect("a serialised table parses");
    first_difference("", stored, &new)
}

/// The `status` of `dir/manifest.json` (`running`, `completed`, `failed`), if it names one.
pub fn status(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    manifest["status"].as_str().map(str::to_string)
}

/// Whether `dir` is a folder without entries (or does not exist).
pub fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut e| e.next().is_none())
}

/// The files and folders of a comparison, in the order `--force` removes them
/// ([`crate::output::RunDir::begin`], after the new comparison's running manifest): the
/// records (`runs/`) first, then the tables and `configs/`, `compare.toml` last, so that
/// a process killed midway never leaves records without the comparison they belong to.
/// Other files are left alone.
pub const OWNED: [&str; 12] = [
    "runs", FILES[0], FILES[1], FILES[2], FILES[3], FILES[4], FILES[5], FILES[6], FILES[7],
    "configs", PLAN, RESOLVED,
];

/// Writes `plan.csv`: one row per run in output order (`row`, the `--index` of the run;
/// `scenario`, `replicate`, `seed`).
pub fn write_plan(spec: &CompareSpec, seed: u64, dir: &Path) -> Result<(), RunError> {
    #[derive(serde::Serialize)]
    struct PlanRow<'a> {
        row: usize,
        scenario: &'a str,
        replicate: u32,
        seed: u64,
    }
    let path = dir.join(PLAN);
    let mut w = csv::Writer::from_writer(Vec::new());
    for (row, (s, r)) in super::jobs(spec).into_iter().enumerate() {
        w.serialize(PlanRow {
            row,
            scenario: &spec.scenarios[s].name,
            replicate: r,
            seed: super::replicate_seed(seed, r),
        })
        .map_err(|e| RunError::Other(format!("{}: {e}", path.display())))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| RunError::Other(format!("{}: {e}", path.display())))?;
    crate::output::write_atomic(&path, &bytes)
}

/// Writes the setup of the comparison of `spec` with seed `seed` into `dir`:
/// `compare.toml` and each valid scenario's resolved config `configs/<name>.toml`.
pub fn write_setup(spec: &CompareSpec, seed: u64, dir: &Path) -> Result<(), RunError> {
    let configs = dir.join("configs");
    std::fs::create_dir_all(&configs).map_err(|source| RunError::Output {
        path: configs.clone(),
        source,
    })?;
    for scenario in &spec.scenarios {
        if let Ok(cfg) = &scenario.config {
            crate::output::write_atomic(
                &configs.join(format!("{}.toml", scenario.name)),
                cfg.to_toml().as_bytes(),
            )?;
        }
    }
    crate::output::write_atomic(&dir.join(RESOLVED), resolved_text(spec, seed).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> CompareSpec {
        let tmp = tempfile::tempdir().unwrap();
        CompareSpec::from_text(text, &tmp.path().join("c.toml"), None).unwrap()
    }

    const FILE: &str = "replicates = 2\nseed = 3\n[scenario.control]\n\
                        [scenario.fast]\nset = { \"cells.p_symmetric\" = 0.5 }\n";

    #[test]
    fn the_same_comparison_has_no_difference_and_others_name_the_key() {
        let tmp = tempfile::tempdir().unwrap();
        let a = spec(FILE);
        write_setup(&a, 3, tmp.path()).unwrap();
        let stored = recorded(tmp.path()).unwrap();
        assert_eq!(recorded_seed(tmp.path()), Some(3));
        assert_eq!(difference(&stored, &a, 3), None);
        assert_eq!(
            difference(&stored, &a, 4).unwrap(),
            "seed is 3 in the folder, 4 now"
        );
        let b = spec(&FILE.replace("0.5", "0.4"));
        assert_eq!(
            difference(&stored, &b, 3).unwrap(),
            "scenario.fast.cells.p_symmetric is 0.5 in the folder, 0.4 now"
        );
        let c = spec(&FILE.replace("replicates = 2", "replicates = 5"));
        assert_eq!(
            difference(&stored, &c, 3).unwrap(),
            "replicates is 2 in the folder, 5 now"
        );
        let d = spec(&(FILE.to_string() + "[scenario.slow]\n"));
        assert!(
            difference(&stored, &d, 3)
                .unwrap()
                .starts_with("scenario.slow is absent in the folder, a table now"),
        );
        assert!(tmp.path().join("configs/fast.toml").is_file());
    }

    #[test]
    fn forcing_removes_every_table_a_comparison_writes() {
        for name in FILES {
            assert!(OWNED.contains(&name), "{name}");
        }
    }

    #[test]
    fn forcing_removes_the_comparison_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write_setup(&spec(FILE), 3, dir).unwrap();
        std::fs::create_dir_all(dir.join("runs/control/000000")).unwrap();
        for name in ["runs.csv", "comparison.csv", "manifest.json", "notes.txt"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let run_dir = crate::output::RunDir::create(dir, true).unwrap();
        run_dir.begin(b"{}", &OWNED).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["manifest.json", "notes.txt"]);
        assert_eq!(std::fs::read(dir.join("manifest.json")).unwrap(), b"{}");
        assert!(!is_empty(dir));
        assert!(is_empty(&dir.join("missing")));
    }
}
