//! `seedsoil compare`: outputs identical across thread counts, common random numbers,
//! failed scenarios recorded without stopping the others, every problem of a malformed
//! compare file at once, include merging and scenario order.

mod common;

use common::{output_files as files, repo, seedsoil};
use seedsoil::compare::{CompareSpec, merge_fragment};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    repo("tests/data/compare").join(name)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// Rows of a CSV (without its header) split into fields (no quoted fields expected).
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// A compare file in `dir` whose base is the whole default model (dissemination, fields,
/// MSCs) shortened to `days`.
fn whole_model_compare(dir: &Path, days: f64, extra: &str) -> PathBuf {
    let baseline = std::fs::read_to_string(repo("configs/baseline.toml")).unwrap();
    let base = baseline.replacen("days = 90.0", &format!("days = {days:?}"), 1);
    assert_ne!(base, baseline, "baseline.toml holds `days = 90.0`");
    std::fs::write(dir.join("base.toml"), base).unwrap();
    std::fs::write(
        dir.join("more_stem.toml"),
        "[cells]\np_symmetric = 0.2\np_symmetric_max = 0.4\n",
    )
    .unwrap();
    let file = dir.join("whole.toml");
    std::fs::write(
        &file,
        format!(
            "base = \"base.toml\"\nreplicates = 3\nseed = 11\n{extra}\n\
             [scenario.control]\n\
             [scenario.more_stem]\ninclude = [\"more_stem.toml\"]\n\
             description = \"more symmetric CSC divisions\"\n"
        ),
    )
    .unwrap();
    file
}

#[test]
fn outputs_are_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = whole_model_compare(tmp.path(), 30.0, "");
    let mut results = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("out{threads}"));
        seedsoil()
            .arg("compare")
            .arg(&file)
            .arg("-o")
            .arg(&out)
            .args(["--threads", threads, "--quiet"])
            .assert()
            .success();
        results.push((out.clone(), files(&out)));
    }
    // The tables (names unchanged: the plotting scripts read them), the resolved
    // comparison and each run's record.
    let names: Vec<&str> = results[0]
        .1
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !n.starts_with("runs/"))
        .collect();
    let records: Vec<&str> = results[0]
        .1
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with("runs/"))
        .collect();
    assert_eq!(records.len(), 2 * 3 * 3, "{records:?}");
    assert!(records.contains(&"runs/more_stem/000002/summary.csv"));
    assert_eq!(
        names,
        [
            "compare.toml",
            "comparison.csv",
            "configs/control.toml",
            "configs/more_stem.toml",
            "events.csv",
            "kaplan_meier.csv",
            "organs.csv",
            "runs.csv",
            "summary.csv",
            "time_to_event.csv",
            "timeseries.csv",
        ]
    );
    for ((name, a), (_, b)) in results[0].1.iter().zip(&results[1].1) {
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
    }
    let out = &results[0].0;
    assert!(out.join("manifest.json").is_file());

    // runs.csv: scenarios in file order, replicates 0..3, the same seeds in each.
    let runs = rows(&read(out, "runs.csv"));
    assert_eq!(runs.len(), 6);
    for (i, row) in runs.iter().enumerate() {
        assert_eq!(row[0], if i < 3 { "control" } else { "more_stem" });
        assert_eq!(row[1], (i % 3).to_string());
        assert_eq!(row[2], runs[i % 3][2], "common random numbers");
        assert_eq!(row[3], "completed");
        assert_eq!(row[4], "days");
        assert_eq!(row[5], "");
    }

    // Concatenated tables: one header with the leading columns, rows in run order.
    let summary = read(out, "summary.csv");
    assert!(summary.starts_with("scenario,replicate,seed,stop_reason,"));
    assert_eq!(summary.matches("scenario,").count(), 1, "one header");
    let summary_rows = rows(&summary);
    assert_eq!(summary_rows.len(), 6);
    let timeseries = read(out, "timeseries.csv");
    assert!(timeseries.starts_with("scenario,replicate,seed,step,time_h,compartment,"));
    let first: Vec<&str> = timeseries
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let switch = first.iter().position(|s| *s == "more_stem").unwrap();
    assert!(first[..switch].iter().all(|s| *s == "control"));
    assert!(first[switch..].iter().all(|s| *s == "more_stem"));

    // comparison.csv: the median of `total` is the middle of the three runs' totals.
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|c| *c == "total").unwrap();
    let mut totals: Vec<f64> = summary_rows[..3]
        .iter()
        .map(|r| r[col].parse().unwrap())
        .collect();
    totals.sort_by(f64::total_cmp);
    let comparison = read(out, "comparison.csv");
    let line = comparison
        .lines()
        .find(|l| l.starts_with("control,total,"))
        .unwrap();
    let fields: Vec<&str> = line.split(',').collect();
    assert_eq!(fields[2], "3");
    assert_eq!(fields[3].parse::<f64>().unwrap(), totals[1]);
    // The endpoints, in order, for each scenario.
    let endpoints: Vec<&str> = comparison
        .lines()
        .skip(1)
        .take(8)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        endpoints,
        [
            "total",
            "csc_fraction",
            "metastatic_cells",
            "any_metastasis_detected",
            "first_detection_day",
            "detection_events",
            "time_to_relapse_days",
            "relapse_events",
        ]
    );

    // time_to_event.csv: one detected_metastasis row per run, censored at day 30 when the
    // run saw no detection.
    let tte = rows(&read(out, "time_to_event.csv"));
    let detections: Vec<&Vec<String>> = tte
        .iter()
        .filter(|r| r[3] == "detected_metastasis")
        .collect();
    assert_eq!(detections.len(), 6);
    for r in &detections {
        assert!(r[5] == "1" || (r[5] == "0" && r[4] == "30"), "{r:?}");
    }

    // kaplan_meier.csv: per scenario, a start row and the product-limit steps of its
    // time_to_event rows, computed here by hand; its median is comparison.csv's.
    let km = rows(&read(out, "kaplan_meier.csv"));
    let comparison = rows(&read(out, "comparison.csv"));
    for scenario in ["control", "more_stem"] {
        let mut times: Vec<(f64, bool)> = detections
            .iter()
            .filter(|r| r[0] == scenario)
            .map(|r| (r[4].parse().unwrap(), r[5] == "1"))
            .collect();
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        let curve: Vec<&Vec<String>> = km
            .iter()
            .filter(|r| r[0] == scenario && r[1] == "detected_metastasis")
            .collect();
        assert_eq!(curve[0][2..6], ["0", "3", "0", "1"], "{curve:?}");
        let mut event_times: Vec<f64> = times.iter().filter(|t| t.1).map(|t| t.0).collect();
        event_times.dedup();
        assert_eq!(curve.len(), 1 + event_times.len(), "{curve:?}");
        let mut s = 1.0;
        let mut median = String::new();
        for (row, t) in curve[1..].iter().zip(&event_times) {
            let at_risk = times.iter().filter(|x| x.0 >= *t).count();
            let d = times.iter().filter(|x| x.0 == *t && x.1).count();
            s *= 1.0 - d as f64 / at_risk as f64;
            assert_eq!(row[2].parse::<f64>().unwrap(), *t);
            assert_eq!(row[3], at_risk.to_string());
            assert_eq!(row[4], d.to_string());
            assert!(
                (row[5].parse::<f64>().unwrap() - s).abs() < 1e-12,
                "{row:?}"
            );
            if s <= 0.5 && median.is_empty() {
                median = row[2].clone();
            }
        }
        let reported = comparison
            .iter()
            .find(|r| r[0] == scenario && r[1] == "first_detection_day")
            .unwrap();
        assert_eq!(reported[3], median, "{scenario}: {reported:?}");
    }
}

#[test]
fn identical_scenarios_give_identical_rows_and_zero_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    seedsoil()
        .arg("compare")
        .arg(data("small.toml"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("twin"));
    for table in ["summary.csv", "timeseries.csv", "events.csv"] {
        let text = read(&out, table);
        let strip = |scenario: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix(&format!("{scenario},")))
                .map(str::to_string)
                .collect()
        };
        let (control, twin, fast) = (strip("control"), strip("twin"), strip("fast"));
        assert!(!control.is_empty());
        assert_eq!(control, twin, "{table}: twin repeats the control");
        assert_ne!(control, fast, "{table}: fast differs");
    }
    let comparison = read(&out, "comparison.csv");
    for line in comparison.lines().filter(|l| l.starts_with("twin,")) {
        let f: Vec<&str> = line.split(',').collect();
        if f[8] != "0" {
            // Paired differences exactly 0.
            for x in &f[9..] {
                assert_eq!(*x, "0", "{line}");
            }
        }
    }
    let total = comparison
        .lines()
        .find(|l| l.starts_with("fast,total,"))
        .unwrap();
    let f: Vec<&str> = total.split(',').collect();
    assert_eq!(f[8], "3");
    assert!(
        f[12].parse::<f64>().unwrap() > 0.0,
        "faster cycle, more cells: {total}"
    );
    // The description is copied to the manifest.
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["scenarios"][2]["name"], "twin");
    assert_eq!(
        manifest["scenarios"][2]["description"],
        "identical to the control"
    );
    assert_eq!(manifest["replicate_seeds"].as_array().unwrap().len(), 3);
    // Never overwritten without --force.
    seedsoil()
        .arg("compare")
        .arg(data("small.toml"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--force"));
}

#[test]
fn an_invalid_scenario_fails_its_runs_and_the_others_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(tmp.path().join("typo.toml"), "[cells]\np_symetric = 0.1\n").unwrap();
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nreplicates = 2\nseed = 3\n\
             [scenario.control]\n\
             [scenario.broken]\nset = {{ \"cells.p_symmetric\" = 2.0 }}\ninclude = [\"typo.toml\"]\n",
            data("base.toml").display().to_string()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let assert = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("2 of 4 runs failed"), "{stderr}");
    assert!(stderr.contains("broken replicate 0"), "{stderr}");
    assert!(stderr.contains("broken replicate 1"), "{stderr}");
    let runs = rows(&read(&out, "runs.csv"));
    assert_eq!(runs.len(), 4);
    assert!(runs[..2].iter().all(|r| r[3] == "completed"));
    for r in &runs[2..] {
        assert_eq!(r[0], "broken");
        assert_eq!(r[3], "failed");
        assert_eq!(r[4], "");
    }
    let text = read(&out, "runs.csv");
    // Both problems, in one quoted field.
    assert!(text.contains("cells.p_symmetric = 2.0"), "{text}");
    assert!(text.contains("cells.p_symetric"), "{text}");
    // The failed scenario's endpoints are empty; the control's are there.
    let comparison = read(&out, "comparison.csv");
    assert!(
        comparison.contains("broken,total,0,,,,,,0,,,,,\n"),
        "{comparison}"
    );
    assert!(comparison.contains("control,total,2,"), "{comparison}");
    assert_eq!(rows(&read(&out, "summary.csv")).len(), 2);
    assert!(out.join("configs/control.toml").is_file());
    assert!(!out.join("configs/broken.toml").exists());
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["failed_runs"].as_array().unwrap().len(), 2);
}

#[test]
fn a_malformed_compare_file_lists_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "base = \"missing-base.toml\"\nreplicates = 0\nseed = -4\ncontrol = \"nope\"\n\
         branch_at_day = \"soon\"\nrepeats = 3\n\
         [scenario.Chemo]\n\
         [scenario.ok]\ninclude = [\"nowhere.toml\", 5]\nset = 3\ncolour = \"red\"\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let assert = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for needle in [
        "repeats = 3: unknown key",
        "base = \"missing-base.toml\": cannot read",
        "replicates = 0: allowed integer 1",
        "seed = -4: allowed integer 0",
        "branch_at_day = \"soon\": allowed number",
        "scenario.Chemo = {…}: name \"Chemo\" not allowed",
        "scenario.ok.colour = \"red\": unknown key",
        "scenario.ok.include[0] = \"nowhere.toml\": cannot read",
        "scenario.ok.include[1] = 5: expected a path",
        "scenario.ok.set = 3: expected a table",
        "control = \"nope\": not a scenario",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(stderr.contains("11 problems"), "{stderr}");
    assert!(!out.exists(), "nothing is written for a malformed file");

    // Not TOML, and no scenarios.
    std::fs::write(&file, "replicates = [\n").unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid TOML"));
    std::fs::write(&file, "replicates = 2\n").unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("at least one [scenario.<name>]"));
}

#[test]
fn includes_merge_tables_and_append_therapy_arrays() {
    // Table level: [[therapy]] entries appended (base first), tables merged key by key.
    let mut base: toml::Table = "[cells]\np_symmetric = 0.1\ncycle_time_h = 24.0\n\
         [[therapy]]\nkind = \"surgery\"\n"
        .parse()
        .unwrap();
    let chemo: toml::Table = "[cells]\ncycle_time_h = 12.0\n[[therapy]]\nkind = \"chemo\"\n"
        .parse()
        .unwrap();
    let cxcr2: toml::Table = "[[therapy]]\nkind = \"cxcr2_inhibitor\"\nstart_day = 3\n\
         [run]\ndays = 5.0\n"
        .parse()
        .unwrap();
    merge_fragment(&mut base, chemo);
    merge_fragment(&mut base, cxcr2);
    let kinds: Vec<&str> = base["therapy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["surgery", "chemo", "cxcr2_inhibitor"]);
    assert_eq!(base["cells"]["p_symmetric"].as_float(), Some(0.1));
    assert_eq!(base["cells"]["cycle_time_h"].as_float(), Some(12.0));
    assert_eq!(base["run"]["days"].as_float(), Some(5.0));
    // Below the top level, arrays are replaced, not appended.
    let mut t: toml::Table = "[output]\nsnapshot_days = [1.0]\n".parse().unwrap();
    merge_fragment(&mut t, "[output]\nsnapshot_days = [2.0]\n".parse().unwrap());
    assert_eq!(t["output"]["snapshot_days"].as_array().unwrap().len(), 1);

    // A compare file: includes in order, then `set`; scenarios in file order.
    let spec = CompareSpec::load(&data("merge.toml"), None).unwrap();
    let names: Vec<&str> = spec.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["zeta", "control", "alpha"]);
    assert_eq!(spec.control().name, "control");
    assert_eq!(spec.replicates, 2);
    assert_eq!(spec.seed, Some(5));
    let zeta = spec.scenarios[0].config.as_ref().unwrap();
    // faster.toml sets cycle_time_h = 12 and p_symmetric_max = 0.6; slower.toml then sets
    // cycle_time_h = 30; set gives p_symmetric = 0.45.
    assert_eq!(zeta.cells.cycle_time_h, 30.0);
    assert_eq!(zeta.cells.p_symmetric_max, 0.6);
    assert_eq!(zeta.cells.p_symmetric, 0.45);
    assert_eq!(zeta.run.days, 8.0, "from the base");
    let control = spec.scenarios[1].config.as_ref().unwrap();
    assert_eq!(control, &spec.base_config().unwrap());
    let alpha = spec.scenarios[2].config.as_ref().unwrap();
    assert_eq!(alpha.cells.migration_per_day, 3.0);
    assert_eq!(alpha.run.days, 4.0);
    // --replicates overrides the file.
    assert_eq!(
        CompareSpec::load(&data("merge.toml"), Some(7))
            .unwrap()
            .replicates,
        7
    );
}

/// Rows of a concatenated table for one scenario, without the scenario column, split at
/// the `step` column (`index` after the leading columns): (up to `step`, after it).
fn split_rows(text: &str, scenario: &str, step: u64) -> (Vec<String>, Vec<String>) {
    let prefix = format!("{scenario},");
    text.lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::to_string)
        .partition(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap() <= step)
}

#[test]
fn branching_shares_the_grown_tumour_and_then_each_arm_goes_its_way() {
    let tmp = tempfile::tempdir().unwrap();
    // Whole model, 30 days, branched at day 15 (step 360 with dt = 1 h); a third scenario
    // changes a structural key and cannot branch.
    let file = whole_model_compare(
        tmp.path(),
        30.0,
        "branch_at_day = 15\n[scenario.reshaped]\nset = { \"space.spacing_um\" = 12.0 }\n",
    );
    let branched = tmp.path().join("branched");
    let assert = seedsoil()
        .arg("compare")
        .arg(&file)
        .arg("-o")
        .arg(&branched)
        .arg("--quiet")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("3 of 9 runs failed"), "{stderr}");
    assert!(stderr.contains("reshaped replicate 0"), "{stderr}");
    assert!(stderr.contains("space.spacing_um"), "{stderr}");

    // The same comparison without branching (the failing scenario taken out).
    let plain_file = tmp.path().join("plain.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let plain = text.replace("branch_at_day = 15\n", "").replace(
        "[scenario.reshaped]\nset = { \"space.spacing_um\" = 12.0 }\n",
        "",
    );
    std::fs::write(&plain_file, plain).unwrap();
    let unbranched = tmp.path().join("unbranched");
    seedsoil()
        .arg("compare")
        .arg(&plain_file)
        .arg("-o")
        .arg(&unbranched)
        .arg("--quiet")
        .assert()
        .success();

    let step = 360;
    for table in ["timeseries.csv", "events.csv"] {
        let b = read(&branched, table);
        let u = read(&unbranched, table);
        let (control_before, control_after) = split_rows(&b, "control", step);
        let (stem_before, stem_after) = split_rows(&b, "more_stem", step);
        assert!(
            !control_before.is_empty() && !control_after.is_empty(),
            "{table}"
        );
        // Up to the branch step every arm holds the base's rows.
        assert_eq!(
            control_before, stem_before,
            "{table}: shared until the branch"
        );
        // The control is the base, so branching changes nothing for it.
        let (plain_control_before, plain_control_after) = split_rows(&u, "control", step);
        assert_eq!(control_before, plain_control_before, "{table}");
        assert_eq!(control_after, plain_control_after, "{table}");
        // After it the arm with more symmetric divisions differs from the control.
        assert_ne!(
            control_after, stem_after,
            "{table}: arms differ after the branch"
        );
        if table == "timeseries.csv" {
            // Unbranched, more_stem differs from the start (it was not grown as the base).
            let (plain_stem_before, _) = split_rows(&u, "more_stem", step);
            assert_ne!(stem_before, plain_stem_before, "{table}");
        }
    }
    assert_eq!(
        read(&branched, "summary.csv")
            .lines()
            .filter(|l| l.starts_with("control,"))
            .collect::<Vec<_>>(),
        read(&unbranched, "summary.csv")
            .lines()
            .filter(|l| l.starts_with("control,"))
            .collect::<Vec<_>>()
    );
    let runs = read(&branched, "runs.csv");
    assert_eq!(runs.matches(",failed,").count(), 3);
    assert!(
        runs.lines()
            .filter(|l| l.starts_with("reshaped,"))
            .all(|l| l.contains(",failed,"))
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&branched, "manifest.json")).unwrap();
    assert_eq!(manifest["branch_at_day"], 15.0);

    // A branch day past the base's end is a problem of the file.
    std::fs::write(
        &file,
        text.replace("branch_at_day = 15", "branch_at_day = 30"),
    )
    .unwrap();
    seedsoil()
        .arg("compare")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "branch_at_day = 30.0: allowed number 0 < value < 30",
        ));
}

#[test]
fn therapy_arms_branch_from_one_tumour_and_are_identical_across_threads() {
    // The whole model for 30 days, grown once per replicate to day 15, then untreated,
    // resected on day 20, or given chemo to the end (days 27-30; its CSC enrichment is
    // transient, so it is read at the exposure's end) with and without a CXCR2 inhibitor.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let baseline = std::fs::read_to_string(repo("configs/baseline.toml")).unwrap();
    std::fs::write(
        dir.join("base.toml"),
        baseline.replacen("days = 90.0", "days = 30.0", 1),
    )
    .unwrap();
    std::fs::write(
        dir.join("surgery.toml"),
        "[[therapy]]\nkind = \"surgery\"\nstart_day = 20\nfraction = 0.999\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("chemo.toml"),
        "[[therapy]]\nkind = \"chemo\"\nstart_day = 27\nduration_days = 3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("cxcr2.toml"),
        "[[therapy]]\nkind = \"cxcr2_inhibitor\"\nstart_day = 27\nduration_days = 3\ncsc_kill_per_day = 0.3\n",
    )
    .unwrap();
    let file = dir.join("therapies.toml");
    std::fs::write(
        &file,
        "base = \"base.toml\"\nreplicates = 3\nseed = 5\nbranch_at_day = 15\n\
         [scenario.control]\n\
         [scenario.surgery]\ninclude = [\"surgery.toml\"]\n\
         [scenario.chemo]\ninclude = [\"chemo.toml\"]\n\
         [scenario.chemo_cxcr2]\ninclude = [\"chemo.toml\", \"cxcr2.toml\"]\n",
    )
    .unwrap();
    let run = |name: &str, threads: &str| {
        let out = dir.join(name);
        seedsoil()
            .arg("compare")
            .arg(&file)
            .args(["-o", out.to_str().unwrap(), "--quiet", "--threads", threads])
            .assert()
            .success();
        out
    };
    let one = run("one", "1");
    let two = run("two", "2");
    let (a, b) = (files(&one), files(&two));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }

    // Every arm shares the grown tumour up to day 15 (step 360).
    let ts = read(&one, "timeseries.csv");
    let (control_before, _) = split_rows(&ts, "control", 360);
    for arm in ["surgery", "chemo", "chemo_cxcr2"] {
        let (before, after) = split_rows(&ts, arm, 360);
        assert_eq!(before, control_before, "{arm} before the branch");
        assert!(!after.is_empty());
    }
    // Relapse: a time-to-event row per treated run, none for the untreated control.
    let tte = read(&one, "time_to_event.csv");
    let relapse = |arm: &str| {
        tte.lines()
            .filter(|l| l.starts_with(&format!("{arm},")) && l.contains(",relapse,"))
            .count()
    };
    assert_eq!(relapse("control"), 0);
    assert_eq!(relapse("surgery"), 3);
    assert_eq!(relapse("chemo"), 3);
    // Surgery resected 99.9 % of each primary.
    let summary_text = read(&one, "summary.csv");
    let header: Vec<&str> = summary_text.lines().next().unwrap().split(',').collect();
    let summary = rows(&summary_text);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (scen, resected, at_start) = (
        col("scenario"),
        col("resected"),
        col("cells_at_therapy_start"),
    );
    for r in summary.iter().filter(|r| r[scen] == "surgery") {
        let n: f64 = r[at_start].parse().unwrap();
        let removed: f64 = r[resected].parse().unwrap();
        assert_eq!(removed, (n * 0.999).round());
    }
    // comparison.csv: the chemo arm's CSC fraction is above the control's in every
    // replicate (paired), and adding the CXCR2 inhibitor lowers it again.
    let cmp = rows(&read(&one, "comparison.csv"));
    let find = |scenario: &str, endpoint: &str| {
        cmp.iter()
            .find(|r| r[0] == scenario && r[1] == endpoint)
            .unwrap_or_else(|| panic!("{scenario} {endpoint}"))
            .clone()
    };
    let chemo = find("chemo", "csc_fraction");
    let combo = find("chemo_cxcr2", "csc_fraction");
    let diff_q025 = |r: &[String]| r[10].parse::<f64>().unwrap();
    let median = |r: &[String]| r[3].parse::<f64>().unwrap();
    assert!(diff_q025(&chemo) > 0.0, "chemo vs control: {chemo:?}");
    assert!(median(&combo) < median(&chemo), "{combo:?} vs {chemo:?}");
    let ttr = find("surgery", "time_to_relapse_days");
    assert_eq!(ttr[2], "3");
}
