//! `seedsoil sensitivity` on sweep folders: indices of a known function written into a
//! folder's table match their closed forms through the whole command (design read back
//! from `sweep.toml`, outputs from `summary.csv`, `sensitivity.csv` written); a real Morris
//! sweep of the simulator is analysed end to end; bad folders and columns are refused
//! with exit code 2 and a message that names them.

use assert_cmd::cargo::cargo_bin;
use seedsoil::sensitivity::test_functions::ishigami;
use seedsoil::sweep::Sweep;
use seedsoil::sweep::spec::SweepSpec;
use std::path::Path;
use std::process::{Command, Output};

fn seedsoil(args: &[&str]) -> Output {
    Command::new(cargo_bin("seedsoil"))
        .args(args)
        .output()
        .unwrap()
}

/// `seedsoil ARGS…`, which must succeed (else its stderr is shown).
fn succeeds(args: &[&str]) -> Output {
    let out = seedsoil(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A row of `sensitivity.csv`: output, parameter, index, estimate, ci_low, ci_high.
type Row = (String, String, String, f64, Option<f64>, Option<f64>);

/// The rows of `sensitivity.csv`.
fn indices(dir: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(dir.join("sensitivity.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "output",
            "parameter",
            "index",
            "estimate",
            "ci_low",
            "ci_high"
        ]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let opt = |i: usize| rec[i].parse::<f64>().ok();
            (
                rec[0].to_string(),
                rec[1].to_string(),
                rec[2].to_string(),
                rec[3].parse().unwrap(),
                opt(4),
                opt(5),
            )
        })
        .collect()
}

/// Writes a sweep folder for the sweep file `text` (seed 7) whose `summary.csv` holds,
/// for each run, the output `y` = `f(unit point)` plus `noise` × (a fixed pattern of
/// replicate offsets).
fn folder(dir: &Path, text: &str, f: impl Fn(&[f64]) -> f64, noise: &[f64]) -> Sweep {
    let spec = SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap();
    let sweep = Sweep::new(spec, 7);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("sweep.toml"), sweep.spec.resolved_toml(7)).unwrap();
    std::fs::write(dir.join("base.toml"), sweep.spec.base_toml()).unwrap();
    let params = sweep.params();
    let mut csv = format!(
        "run_id,point,replicate,seed,{},stop_reason,y\n",
        params.join(",")
    );
    let reps = sweep.spec.replicates;
    for p in 0..sweep.points.len() {
        // A Latin hypercube has no unit points: its output is then f(centre).
        let u = sweep.points.unit(p).unwrap_or(vec![0.5; 3]);
        let values: Vec<String> = sweep
            .points
            .get(p)
            .iter()
            .map(seedsoil::sweep::value_text)
            .collect();
        for r in 0..reps {
            let e = noise[(p as usize * 7 + r as usize * 3) % noise.len()];
            csv.push_str(&format!(
                "{},{p},{r},1,{},days,{}\n",
                p * u64::from(reps) + u64::from(r),
                values.join(","),
                f(&u) + e
            ));
        }
    }
    std::fs::write(dir.join("summary.csv"), csv).unwrap();
    sweep
}

const AXES: &str = "[[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.01, 0.3]\n\
                    [[axis]]\nparam = \"cells.migration_per_day\"\nrange = [1, 100]\nscale = \"log\"\n\
                    [[axis]]\nparam = \"cells.cycle_time_h\"\nrange = [10, 40]\n";

#[test]
fn sobol_indices_of_a_known_function_come_out_of_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sobol");
    // The two replicates of a point are f + 0.5 and f − 0.5: the variance between them
    // (with n − 1) is 0.5, the variance of all runs V + 0.25 (Ishigami's V = 13.845), so
    // the stochastic share is 0.5 / 14.095 = 0.0355; their mean is f itself.
    folder(
        &dir,
        &format!("design = \"sobol\"\nsamples = 4096\nreplicates = 2\n{AXES}"),
        ishigami,
        &[0.5, -0.5],
    );
    let out = succeeds(&[
        "sensitivity",
        dir.to_str().unwrap(),
        "--output",
        "y",
        "--bootstrap",
        "100",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    // Ranked by total order: x1 (0.558), x2 (0.442), x3 (0.244).
    let order: Vec<usize> = [
        "cells.p_symmetric",
        "cells.migration_per_day",
        "cells.cycle_time_h",
    ]
    .iter()
    .map(|p| text.find(p).unwrap())
    .collect();
    assert!(order[0] < order[1] && order[1] < order[2], "{text}");
    let rows = indices(&dir);
    let get = |param: &str, index: &str| {
        rows.iter()
            .find(|r| r.1 == param && r.2 == index)
            .unwrap_or_else(|| panic!("no {index} of {param}"))
            .clone()
    };
    // Closed forms (as in the unit tests of sensitivity::saltelli).
    let s1 = [0.3139, 0.4424, 0.0];
    let st = [0.5576, 0.4424, 0.2437];
    for (i, p) in [
        "cells.p_symmetric",
        "cells.migration_per_day",
        "cells.cycle_time_h",
    ]
    .iter()
    .enumerate()
    {
        let (f, t) = (get(p, "S1"), get(p, "ST"));
        assert!((f.3 - s1[i]).abs() < 0.03, "S1 of {p}: {f:?}");
        assert!((t.3 - st[i]).abs() < 0.03, "ST of {p}: {t:?}");
        assert!(f.4.unwrap() <= f.3 && f.3 <= f.5.unwrap());
    }
    let share = get("(seed)", "stochastic_share").3;
    assert!(
        (share - 0.5 / 14.095).abs() < 0.002,
        "stochastic share {share}"
    );
    // Pooled as noise (variance 0.25 of 14.095, 2 %): the same indices within it.
    let out = seedsoil(&[
        "sensitivity",
        dir.to_str().unwrap(),
        "--output",
        "y",
        "--bootstrap",
        "0",
        "--replicates",
        "noise",
        "-q",
    ]);
    assert!(out.status.success() && out.stdout.is_empty());
    let pooled = indices(&dir);
    let st2 = pooled
        .iter()
        .find(|r| r.1 == "cells.migration_per_day" && r.2 == "ST")
        .unwrap();
    assert!((st2.3 - 0.4424).abs() < 0.03 && st2.4.is_none(), "{st2:?}");
}

#[test]
fn morris_measures_of_a_linear_function_are_its_slopes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("morris");
    // y = 4 u1 − 2 u2 + 0 u3 (unit coordinates): μ = slope, σ = 0.
    folder(
        &dir,
        &format!("design = \"morris\"\ntrajectories = 12\nlayout = \"optimized\"\n{AXES}"),
        |u| 4.0 * u[0] - 2.0 * u[1],
        &[0.0],
    );
    succeeds(&["sensitivity", dir.to_str().unwrap(), "--output", "y", "-q"]);
    let rows = indices(&dir);
    let est = |p: &str, i: &str| rows.iter().find(|r| r.1 == p && r.2 == i).unwrap().3;
    assert!((est("cells.p_symmetric", "mu") - 4.0).abs() < 1e-9);
    assert!((est("cells.migration_per_day", "mu_star") - 2.0).abs() < 1e-9);
    assert!(est("cells.cycle_time_h", "mu_star").abs() < 1e-9);
    assert!(est("cells.p_symmetric", "sigma").abs() < 1e-9);
    // 3 parameters × (μ*, μ, σ, PRCC, p), one replicate: no stochastic share.
    assert_eq!(rows.len(), 15);
}

#[test]
fn a_morris_sweep_of_the_simulator_is_analysed_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    let base = format!("{}/configs/reference-r0.toml", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        &file,
        format!(
            "base = \"{base}\"\nseed = 3\nreplicates = 2\ndesign = \"morris\"\ntrajectories = 3\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n\
             [[axis]]\nparam = \"run.days\"\nrange = [8, 16]\n"
        ),
    )
    .unwrap();
    let dir = tmp.path().join("out");
    succeeds(&[
        "sweep",
        file.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "-q",
    ]);
    let out = succeeds(&["sensitivity", dir.to_str().unwrap(), "--bootstrap", "50"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("total: morris design, 9 points, 2 replicates per point, averaged"),
        "{text}"
    );
    let rows = indices(&dir);
    // total and csc_fraction (R0 has no metastases): 2 × (2 × 5 + the stochastic share).
    assert_eq!(rows.len(), 22, "{rows:?}");
    // A longer run holds more cells: run.days has a positive elementary effect on total.
    let mu = rows
        .iter()
        .find(|r| r.0 == "total" && r.1 == "run.days" && r.2 == "mu")
        .unwrap();
    assert!(mu.3 > 0.0, "{mu:?}");
}

#[test]
fn bad_folders_and_columns_are_refused_with_their_names() {
    let tmp = tempfile::tempdir().unwrap();
    let out = seedsoil(&["sensitivity", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a sweep folder"));
    let dir = tmp.path().join("s");
    folder(
        &dir,
        &format!("design = \"lhs\"\nsamples = 20\n{AXES}"),
        ishigami,
        &[0.0],
    );
    let out = seedsoil(&[
        "sensitivity",
        dir.to_str().unwrap(),
        "--output",
        "yy",
        "--output",
        "nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--output yy: did you mean y?") && err.contains("--output nope"),
        "{err}"
    );
    // No default output in the table and none named: refused, listing the columns, and
    // no sensitivity.csv written.
    let out = seedsoil(&["sensitivity", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("none of the default outputs") && err.contains("output columns are: y"),
        "{err}"
    );
    assert!(!dir.join("sensitivity.csv").exists());
    // A design point without its run.
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let cut: Vec<&str> = text.lines().filter(|l| !l.starts_with("5,")).collect();
    std::fs::write(dir.join("summary.csv"), cut.join("\n")).unwrap();
    let out = seedsoil(&["sensitivity", dir.to_str().unwrap(), "--output", "y"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of the 20 runs") && err.contains("--resume"),
        "{err}"
    );
}
