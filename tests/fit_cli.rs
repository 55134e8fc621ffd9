//! `seedsoil fit`: the tables of a fit, and the promises of its folder. A fit gives the same
//! bytes for any thread count; a killed fit resumed with `--resume` gives the bytes of an
//! uninterrupted one; the same fit run a batch at a time as a job array (`--plan`, then
//! `--shard`/`--index` tasks, until the plan is empty) gives them too; bad input is
//! refused with exit 2 naming key, value and what is allowed.

mod common;

use common::{refused_in, repo, seedsoil, seedsoil_in};
use std::path::{Path, PathBuf};

/// The tables of a fit that must not depend on how it was run.
const TABLES: [&str; 6] = [
    "posterior.csv",
    "generations.csv",
    "predictive.csv",
    "observed.csv",
    "base.toml",
    "seed.txt",
];

/// Writes a small fit (R0 from a disc of 81 cells, T_c and p_s, four days of growth)
/// into `dir` as `fit.toml` with `data.csv`; `extra` is appended to the top-level keys.
fn small_fit(dir: &Path, extra: &str) -> PathBuf {
    std::fs::write(dir.join("data.csv"), "day,total,csc\n2,291,14\n4,1010,21\n").unwrap();
    let file = dir.join("fit.toml");
    std::fs::write(
        &file,
        format!(
            "base = {:?}\n\
             set = {{ \"init.kind\" = \"disc\", \"init.radius\" = 5.0, \"init.csc_fraction\" = 0.1, \"cells.p_symmetric_max\" = 1.0 }}\n\
             seed = 3\nobserved = \"data.csv\"\npopulation = 24\nmax_generations = 3\n\
             min_acceptance = 0.02\nbatch = 10\npredictive = 4\n{extra}\n\
             [[param]]\nkey = \"cells.cycle_time_h\"\nprior = \"uniform\"\nrange = [12.0, 48.0]\n\
             [[param]]\nkey = \"cells.p_symmetric\"\nprior = \"uniform\"\nrange = [0.05, 0.8]\n",
            repo("configs/reference-r0.toml").display().to_string()
        ),
    )
    .unwrap();
    file
}

fn fit(dir: &Path, out: &str, more: &[&str]) -> String {
    let mut args = vec!["fit", "fit.toml", "-o", out];
    args.extend(more);
    let (code, stdout, err) = seedsoil_in(dir, &args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    stdout
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_same_tables(a: &Path, b: &Path, what: &str) {
    for name in TABLES {
        assert!(read(a, name) == read(b, name), "{what}: {name} differs");
    }
}

fn rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_fit_writes_its_tables_and_they_agree_with_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    small_fit(tmp.path(), "");
    let stdout = fit(tmp.path(), "out", &["--threads", "2"]);
    let out = tmp.path().join("out");
    assert!(stdout.contains("stopped: max_generations"), "{stdout}");
    assert!(stdout.contains("cells.cycle_time_h"), "{stdout}");

    let generations = rows(&read(&out, "generations.csv"));
    assert_eq!(generations.len(), 3, "three generations");
    let posterior = rows(&read(&out, "posterior.csv"));
    assert_eq!(posterior.len(), 3 * 24, "24 particles per generation");
    for (t, g) in generations.iter().enumerate() {
        let of_t: Vec<&csv::StringRecord> =
            posterior.iter().filter(|r| r[0] == t.to_string()).collect();
        let sum: f64 = of_t.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
        assert!(
            (sum - 1.0).abs() < 1e-9,
            "generation {t}: weights sum to {sum}"
        );
        let ess = 1.0
            / of_t
                .iter()
                .map(|r| r[2].parse::<f64>().unwrap().powi(2))
                .sum::<f64>();
        let reported: f64 = g[5].parse().unwrap();
        assert!((ess - reported).abs() < 1e-9 * ess, "generation {t}: ESS");
        // Accepted distances lie within the generation's tolerance.
        let epsilon: f64 = g[1].parse().unwrap();
        assert!(
            of_t.iter().all(|r| r[3].parse::<f64>().unwrap() <= epsilon),
            "generation {t}: a distance above ε = {epsilon}"
        );
        // Particles lie in the prior's support.
        for r in &of_t {
            let (tc, ps): (f64, f64) = (r[5].parse().unwrap(), r[6].parse().unwrap());
            assert!((12.0..=48.0).contains(&tc) && (0.05..=0.8).contains(&ps));
        }
        let acceptance: f64 = g[4].parse().unwrap();
        let runs: f64 = g[3].parse().unwrap();
        assert_eq!(
            acceptance,
            24.0 / runs,
            "generation {t}: acceptance = P / runs"
        );
    }
    // A particle's statistics are its candidate's record.
    let first = &posterior[0];
    let seed: u64 = first[4].parse().unwrap();
    let records: Vec<PathBuf> = std::fs::read_dir(out.join("records/g000"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let record = records
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|t| rows(t)[0][2] == seed.to_string())
        .expect("the particle's record");
    let r = &rows(&record)[0];
    assert_eq!(&r[5], "completed");
    assert_eq!((&r[3], &r[4]), (&first[5], &first[6]), "θ");
    assert_eq!((&r[6], &r[9]), (&first[7], &first[10]), "statistics");

    // Four predictive draws, each with days 0..=4.
    let predictive = rows(&read(&out, "predictive.csv"));
    assert_eq!(predictive.len(), 4 * 5);
    let days: Vec<&str> = predictive.iter().take(5).map(|r| &r[5]).collect();
    assert_eq!(days, ["0", "1", "2", "3", "4"]);
}

#[test]
fn a_fit_gives_the_same_bytes_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    small_fit(tmp.path(), "");
    fit(tmp.path(), "one", &["--threads", "1", "-q"]);
    fit(tmp.path(), "three", &["--threads", "3", "-q"]);
    assert_same_tables(
        &tmp.path().join("one"),
        &tmp.path().join("three"),
        "1 vs 3 threads",
    );
}

#[test]
fn a_killed_fit_resumes_to_the_bytes_of_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    small_fit(tmp.path(), "");
    fit(tmp.path(), "whole", &["-q"]);

    // Kill a fit mid-way (its records are written as each run ends), then resume.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("seedsoil"))
        .current_dir(tmp.path())
        .args(["fit", "fit.toml", "-o", "killed", "-q", "--threads", "1"])
        .spawn()
        .unwrap();
    let records = tmp.path().join("killed/records");
    let start = std::time::Instant::now();
    while count_records(&records) < 40 && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = count_records(&records);
    assert!(before >= 40, "the fit was killed after {before} runs");
    assert!(
        !tmp.path().join("killed/posterior.csv").exists(),
        "killed before its tables"
    );

    // Without --resume the folder is not reused.
    refused_in(
        tmp.path(),
        &["fit", "fit.toml", "-o", "killed"],
        &["already exists"],
    );
    fit(tmp.path(), "killed", &["--resume", "-q"]);
    assert_same_tables(
        &tmp.path().join("whole"),
        &tmp.path().join("killed"),
        "killed and resumed",
    );

    // A record of other parameter values (a tampered or stale file) is simulated again.
    let stale = tmp.path().join("whole/records/g001/000000.csv");
    let text = read(&tmp.path().join("whole/records/g001"), "000000.csv");
    let mut r = rows(&text)[0].clone();
    let changed: Vec<String> = r
        .iter()
        .enumerate()
        .map(|(i, v)| if i == 3 { "30.5".into() } else { v.to_string() })
        .collect();
    r = csv::StringRecord::from(changed);
    let header = text.lines().next().unwrap();
    std::fs::write(
        &stale,
        format!("{header}\n{}\n", r.iter().collect::<Vec<_>>().join(",")),
    )
    .unwrap();
    let posterior = read(&tmp.path().join("whole"), "posterior.csv");
    fit(tmp.path(), "whole", &["--resume", "-q"]);
    assert_eq!(read(&tmp.path().join("whole"), "posterior.csv"), posterior);
    assert_ne!(
        read(&tmp.path().join("whole/records/g001"), "000000.csv"),
        format!("{header}\n{}\n", r.iter().collect::<Vec<_>>().join(","))
    );
}

fn count_records(dir: &Path) -> usize {
    let Ok(gens) = std::fs::read_dir(dir) else {
        return 0;
    };
    gens.filter_map(Result::ok)
        .filter_map(|g| std::fs::read_dir(g.path()).ok())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".csv"))
                .count()
        })
        .sum()
}

#[test]
fn a_fit_run_as_a_job_array_gives_the_bytes_of_a_local_one() {
    let tmp = tempfile::tempdir().unwrap();
    small_fit(tmp.path(), "");
    fit(tmp.path(), "local", &["-q"]);

    let dir = tmp.path();
    let mut rounds = 0;
    loop {
        let planned: usize = fit(dir, "array", &["--plan", "-q"]).trim().parse().unwrap();
        if planned == 0 {
            break;
        }
        assert!(planned <= 10, "a plan holds at most one batch");
        rounds += 1;
        if rounds == 1 {
            refused_in(
                dir,
                &["fit", "fit.toml", "-o", "array", "--index", "999"],
                &["--index", "999", "plan.csv"],
            );
        }
        assert!(rounds < 200, "the plan never empties");
        if rounds % 2 == 0 {
            // Array tasks of one row each.
            for i in 0..planned {
                fit(dir, "array", &["--index", &i.to_string(), "-q"]);
            }
        } else {
            for k in 0..3 {
                fit(dir, "array", &["--shard", &format!("{k}/3"), "-q"]);
            }
        }
    }
    assert!(
        !dir.join("array/plan.csv").exists(),
        "no plan once complete"
    );
    fit(dir, "array", &["--resume", "-q"]);
    assert_same_tables(&dir.join("local"), &dir.join("array"), "array vs local");
    let records = |d: &str| count_records(&dir.join(d).join("records"));
    assert!(
        records("array") <= records("local"),
        "the array simulated no extra candidate"
    );

    refused_in(
        dir,
        &["fit", "fit.toml", "-o", "array", "--index", "0"],
        &["cannot read the plan", "--plan"],
    );
    refused_in(
        dir,
        &["fit", "fit.toml", "-o", "fresh", "--shard", "0/2"],
        &["--plan"],
    );
    refused_in(
        dir,
        &["fit", "fit.toml", "-o", "array", "--shard", "2/2"],
        &["--shard", "K/N"],
    );
}

#[test]
fn a_folder_of_another_fit_is_refused_and_force_starts_again() {
    let tmp = tempfile::tempdir().unwrap();
    small_fit(tmp.path(), "");
    fit(tmp.path(), "out", &["-q"]);
    small_fit(tmp.path(), "quantile = 0.3");
    refused_in(
        tmp.path(),
        &["fit", "fit.toml", "-o", "out", "--resume"],
        &["--output", "a different fit", "--force"],
    );
    fit(tmp.path(), "out", &["--force", "-q"]);
    assert!(read(&tmp.path().join("out"), "fit.toml").contains("quantile = 0.3"));
    // --plan --force starts the folder again too: the first batch is planned afresh.
    let planned = fit(tmp.path(), "out", &["--plan", "--force", "-q"]);
    assert_eq!(planned.trim(), "10", "a fresh plan of one batch");
    assert!(!tmp.path().join("out/records").exists(), "records removed");
    assert!(
        !tmp.path().join("out/posterior.csv").exists(),
        "tables removed"
    );
}

#[test]
fn a_bad_fit_file_is_refused_with_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_fit(tmp.path(), "quantile = 2");
    let text = std::fs::read_to_string(&file).unwrap();
    let set_line = text.lines().find(|l| l.starts_with("set = ")).unwrap();
    std::fs::write(
        &file,
        text.replace(
            set_line,
            "set = { \"cells.p_symmetric\" = 0.2, \"cells.nope\" = 1 }",
        ),
    )
    .unwrap();
    let err = refused_in(
        tmp.path(),
        &["fit", "fit.toml", "-o", "out"],
        &[
            "quantile",
            "0 < value ≤ 1",
            "set.cells.p_symmetric",
            "a [[param]] fits this key",
            "set.cells.nope",
            "unknown config key",
        ],
    );
    assert!(!tmp.path().join("out").exists(), "{err}");
    seedsoil()
        .args(["fit", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--plan"));
}

#[test]
fn a_fit_whose_runs_all_fail_says_why_and_writes_no_posterior() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_fit(tmp.path(), "budget = 30");
    // Every run stops at 2 cells, before the first observed day.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "\"cells.p_symmetric_max\" = 1.0 }",
            "\"cells.p_symmetric_max\" = 1.0, \"run.stop_at_cells\" = 2 }",
        ),
    )
    .unwrap();
    let (code, _, err) = seedsoil_in(tmp.path(), &["fit", "fit.toml", "-o", "out"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("generation 0 could not accept 24 particles") && err.contains("(budget)"),
        "{err}"
    );
    assert!(!tmp.path().join("out/posterior.csv").exists());
    assert_eq!(count_records(&tmp.path().join("out/records")), 30);
}
