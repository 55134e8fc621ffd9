//! Therapy rules (docs/model.md §7.16): linear–quadratic survival per radiation fraction,
//! chemotherapy's kill over an exposure, surgery's exact residual and relapse from the
//! surviving CSCs, the signalling therapies' modifiers, and reproducibility of treated runs
//! (threads, checkpoints). Statistical checks use fixed seeds and a tolerance of 3.5
//! standard errors; each has a power check that a wrong rule would fail.

mod common;

use assert_cmd::Command;
use seedsoil::config::{self, Config, InitKind, TherapyConfig, TherapyKind};
use seedsoil::sim::Simulation;
use seedsoil::therapy;
use std::path::Path;

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// A packed disc of `radius` with a given CSC fraction and nothing else going on: no
/// fields, MSCs, dissemination, deaths, plasticity or migration, and (almost) no division.
fn quiet_disc(radius: f64, csc_fraction: f64, seed: u64) -> Config {
    let mut c = common::model_v1();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.space.max_size = 1024;
    c.init.kind = InitKind::Disc;
    c.init.radius = radius;
    c.init.csc_fraction = csc_fraction;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.dissemination.enabled = false;
    c.cells.background_death_per_day = 0.0;
    c.cells.csc_death_per_day = 0.0;
    c.cells.dedifferentiation_per_day = 0.0;
    c.cells.migration_per_day = 0.0;
    c.cells.cycle_time_h = 1000.0;
    c
}

/// z-score of `observed` successes among `n` trials of probability `p`.
fn z(observed: u64, n: u64, p: f64) -> f64 {
    let n = n as f64;
    (observed as f64 - n * p) / (n * p * (1.0 - p)).sqrt()
}

#[test]
fn radiation_survival_follows_the_linear_quadratic_model() {
    // exp(−αd − βd²) per fraction, CSCs' α and β halved (docs/model.md §7.16).
    for (dose, seed) in [(2.0, 1u64), (5.0, 2)] {
        let c = quiet_disc(150.0, 0.3, seed);
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        let before = sim.primary.counts();
        let mut th = TherapyConfig::new(TherapyKind::Radiation, 0.0);
        th.dose_gy = Some(dose);
        let killed = therapy::irradiate(&mut sim.primary, &th, seed, 0, 0);
        sim.primary.check_invariants();
        let after = sim.primary.counts();
        let non_stem = |c: [u64; 3]| c[1] + c[2];
        assert_eq!(before[0] - after[0], killed[0]);
        assert_eq!(non_stem(before) - non_stem(after), killed[1] + killed[2]);
        let alpha = 0.3;
        let beta = alpha / 3.5;
        let s_non_stem = (-alpha * dose - beta * dose * dose).exp();
        let s_csc = (-0.5 * alpha * dose - 0.5 * beta * dose * dose).exp();
        let z_csc = z(after[0], before[0], s_csc);
        let z_non = z(non_stem(after), non_stem(before), s_non_stem);
        println!(
            "{dose} Gy: CSC {}/{} survive (expected {:.4}, z = {z_csc:.2}); non-stem {}/{} (expected {:.4}, z = {z_non:.2})",
            after[0],
            before[0],
            s_csc,
            non_stem(after),
            non_stem(before),
            s_non_stem
        );
        assert!(before[0] > 10_000 && non_stem(before) > 30_000);
        assert!(z_csc.abs() < 3.5, "CSC survival z = {z_csc}");
        assert!(z_non.abs() < 3.5, "non-stem survival z = {z_non}");
        // Power: CSCs surviving like non-stem cells (no radioresistance) is rejected.
        assert!(z(after[0], before[0], s_non_stem).abs() > 3.5);
    }
}

#[test]
fn chemo_kills_every_cell_at_its_kinds_hazard_during_the_exposure() {
    // A 3-day exposure (72 steps) with kill_non_stem = 0.7 and kill_csc = 0.2 per cycle:
    // every cell, in the core or at the rim, dies per step with h = 1 − (1 − kill)^(1/72),
    // so a cell exposed throughout dies with probability kill. Killing frees space and the
    // survivors divide, so the check is per step: the chemo deaths of each step against
    // h_csc · CSCs + h_non_stem · non-stem cells at its start, summed over the exposure
    // (a sum of independent Bernoulli counts: its variance is Σ N h (1 − h)).
    let mut c = quiet_disc(120.0, 0.3, 7);
    let mut chemo = TherapyConfig::new(TherapyKind::Chemo, 1.0);
    chemo.duration_days = 3.0;
    chemo.kill_non_stem = Some(0.7);
    chemo.kill_csc = Some(0.2);
    c.therapy = vec![chemo];
    c.run.days = 5.0;
    c.validate().unwrap();
    let h = |kill: f64| 1.0 - (1.0 - kill).powf(1.0 / 72.0);
    let (h_csc, h_non) = (h(0.2), h(0.7));
    let mut sim = Simulation::new(&c).unwrap();
    while sim.step_count() < 24 {
        sim.step();
    }
    assert_eq!(sim.primary.events().chemo_deaths, 0);
    let before = sim.primary.counts();
    let (mut observed, mut expected, mut var, mut expected_same) = (0u64, 0.0, 0.0, 0.0);
    while sim.step_count() < 24 + 72 {
        let [csc, prog, diff] = sim.primary.counts();
        let non = (prog + diff) as f64;
        let d0 = sim.primary.events().chemo_deaths;
        sim.step();
        observed += sim.primary.events().chemo_deaths - d0;
        expected += h_csc * csc as f64 + h_non * non;
        var += h_csc * (1.0 - h_csc) * csc as f64 + h_non * (1.0 - h_non) * non;
        expected_same += h_non * (csc as f64 + non);
    }
    sim.primary.check_invariants();
    let zc = (observed as f64 - expected) / var.sqrt();
    let after = sim.primary.counts();
    println!(
        "chemo: {observed} deaths in the exposure, expected {expected:.1} (z = {zc:.2}); CSCs {} -> {}, non-stem {} -> {}",
        before[0],
        after[0],
        before[1] + before[2],
        after[1] + after[2]
    );
    assert!(zc.abs() < 3.5, "chemo deaths z = {zc}");
    // Power: CSCs killed like non-stem cells would be rejected.
    assert!(((observed as f64 - expected_same) / var.sqrt()).abs() > 3.5);
    // The CSC fraction rises (CSCs are spared relative to non-stem cells).
    let frac = |c: [u64; 3]| c[0] as f64 / c.iter().sum::<u64>() as f64;
    assert!(frac(after) > 1.5 * frac(before));
    // Off after the exposure: no further chemo deaths.
    let deaths = sim.primary.events().chemo_deaths;
    while sim.step_count() < 24 * 5 {
        sim.step();
    }
    assert_eq!(sim.primary.events().chemo_deaths, deaths);
}

#[test]
fn surgery_leaves_exactly_the_configured_residual() {
    for (fraction, seed) in [(0.999, 3u64), (0.9, 4), (1.0, 5)] {
        let c = quiet_disc(100.0, 0.1, seed);
        let mut sim = Simulation::new(&c).unwrap();
        let n = sim.primary.total();
        let removed = therapy::resect(&mut sim.primary, fraction, seed, 0, 0);
        sim.primary.check_invariants();
        let expected_left = n - (n as f64 * fraction).round() as u64;
        assert_eq!(sim.primary.total(), expected_left, "fraction {fraction}");
        assert_eq!(removed.iter().sum::<u64>(), n - expected_left);
    }
    // The survivors are a random subset: their CSC share is the tumour's (binomial-like
    // check on a 10 % residual of a 30 %-CSC disc).
    let c = quiet_disc(150.0, 0.3, 9);
    let mut sim = Simulation::new(&c).unwrap();
    let before = sim.primary.counts();
    let share = before[0] as f64 / sim.primary.total() as f64;
    therapy::resect(&mut sim.primary, 0.9, 9, 0, 0);
    let after = sim.primary.counts();
    let zc = z(after[0], sim.primary.total(), share);
    assert!(zc.abs() < 3.5, "CSC share of the residual z = {zc}");
}

fn summary_value(dir: &Path, column: &str) -> String {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == column).expect(column);
    row[i].to_string()
}

/// The model-v1 start and hierarchy (one CSC, p_s 0.1, plasticity of any non-stem cell, no
/// background death or stemness loss), against which these therapy rules were written.
const V1_HIERARCHY: &str = "[init]\nkind = \"single_csc\"\n[cells]\np_symmetric = 0.1\n\
    dedifferentiation_per_day = 0.004\ndedifferentiation_min_rho = 0\n\
    background_death_per_day = 0.0\nstemness_loss_per_day = 0.0\n";

/// A small, fast primary-only config (TOML) with `therapies` appended.
fn treated_config(dir: &Path, days: f64, therapies: &str) -> std::path::PathBuf {
    let text = format!(
        "[run]\ndays = {days}\nseed = 11\n{V1_HIERARCHY}[fields]\nenabled = false\n[msc]\npool = 0\n[dissemination]\nenabled = false\n{therapies}"
    );
    let path = dir.join("treated.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_primary_relapses_after_surgery_from_surviving_cscs() {
    let tmp = tempfile::tempdir().unwrap();
    let surgery = "[[therapy]]\nkind = \"surgery\"\nstart_day = 30\nfraction = 0.999\n";
    let cfg = treated_config(tmp.path(), 60.0, surgery);
    let out = tmp.path().join("run");
    seedsoil()
        .args([
            "run",
            cfg.to_str().unwrap(),
            "-q",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let at_start: u64 = summary_value(&out, "cells_at_therapy_start")
        .parse()
        .unwrap();
    let resected: u64 = summary_value(&out, "resected").parse().unwrap();
    assert_eq!(
        at_start - resected,
        at_start - (at_start as f64 * 0.999).round() as u64
    );
    assert!(at_start > 10_000, "{at_start} cells at surgery");
    let relapse: f64 = summary_value(&out, "relapse_day").parse().unwrap();
    let ttr: f64 = summary_value(&out, "time_to_relapse_days").parse().unwrap();
    assert!(relapse > 30.0 && relapse < 60.0, "relapse on day {relapse}");
    assert!((ttr - (relapse - 30.0)).abs() < 1e-9);
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains(",surgery,primary,,,"), "{events}");
    assert!(events.contains(",relapse,primary,,,"));
    // The timeseries marks the surgery step (rows every 24 h fall on day 30).
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "surgery_on").unwrap();
    let on: Vec<&str> = ts
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(col) == Some("1"))
        .collect();
    assert_eq!(on.len(), 1);
    assert!(on[0].starts_with("720,"));

    // Control: complete resection leaves nothing to relapse from.
    let cfg = treated_config(
        tmp.path(),
        60.0,
        "[[therapy]]\nkind = \"surgery\"\nstart_day = 30\nfraction = 1.0\n",
    );
    let out = tmp.path().join("complete");
    seedsoil()
        .args([
            "run",
            cfg.to_str().unwrap(),
            "-q",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(summary_value(&out, "relapse_day"), "");
    assert_eq!(summary_value(&out, "total"), "0");
    assert_eq!(summary_value(&out, "stop_reason"), "extinct");
}

#[test]
fn signalling_therapies_scale_their_terms_only_while_on() {
    let mut c = common::model_v1();
    c.run.seed = Some(1);
    let mut il6 = TherapyConfig::new(TherapyKind::AntiIl6, 1.0);
    il6.duration_days = 2.0;
    let mut cx = TherapyConfig::new(TherapyKind::Cxcr2Inhibitor, 1.0);
    cx.duration_days = 2.0;
    cx.efficacy = Some(0.5);
    cx.csc_kill_per_day = Some(0.24);
    let mut dif = TherapyConfig::new(TherapyKind::Differentiation, 2.0);
    dif.duration_days = 1.0;
    let mut vegf = TherapyConfig::new(TherapyKind::AntiVegfr1, 0.0);
    vegf.duration_days = 1.0;
    c.therapy = vec![il6, cx, dif, vegf];
    c.validate().unwrap();
    let t = therapy::TherapyState::new(&c);
    let m = t.modifiers(30);
    assert!((m.il6_signal - 0.1).abs() < 1e-12);
    assert!((m.cxcl7_signal - 0.5).abs() < 1e-12);
    assert!((m.csc_death - 0.01).abs() < 1e-12);
    assert_eq!(m.p_symmetric_factor, 1.0);
    assert_eq!(m.mobilisation, 1.0);
    let m = t.modifiers(50);
    assert_eq!(m.p_symmetric_factor, 0.5);
    assert!((t.modifiers(5).mobilisation - 0.05).abs() < 1e-12);
    assert!(t.modifiers(80).is_none());
    let base = seedsoil::model::HierarchyRates::from_config(&c);
    let r = t.modifiers(50).apply(&base);
    assert_eq!(r.p_symmetric, base.p_symmetric * 0.5);
    assert_eq!(r.p_symmetric_max, base.p_symmetric_max * 0.5);
    assert!((r.il6_signal - 0.1 * base.il6_signal).abs() < 1e-12);
}

#[test]
fn therapy_config_errors_name_the_entry_and_key() {
    let text = "[[therapy]]\nkind = \"chemo\"\nstart_day = 10\n\n[[therapy]]\nkind = \"radiation\"\nstart_day = 5\ncycles = 5\ndose_gy = -2\nefficacy = 0.5\n\n[[therapy]]\nkind = \"surgery\"\nstrat_day = 3\n";
    let err = config::load_str(text, "test", &[]).unwrap_err().to_string();
    for needle in [
        "therapy[0].duration_days = 0: allowed value > 0",
        "therapy[1].dose_gy = -2",
        "therapy[1].efficacy = 0.5: not a key of kind \"radiation\"",
        "therapy[1].interval_days = 0",
        "therapy[2].start_day = (missing)",
        "therapy[2].strat_day = 3: unknown therapy key; did you mean therapy[2].start_day?",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    // The resolved config spells out the kind's defaults and reloads to the same config.
    let c = config::load_str(
        "[[therapy]]\nkind = \"chemo\"\nstart_day = 10\nduration_days = 3\n",
        "test",
        &[],
    )
    .unwrap();
    let text = c.to_toml();
    assert!(text.contains("kill_non_stem = 0.99"), "{text}");
    assert_eq!(config::load_str(&text, "again", &[]).unwrap(), c);
}

#[test]
fn treated_runs_are_identical_across_threads_and_through_a_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    // The full model (fields, MSCs, dissemination) with every kind of therapy.
    let text = "[run]\ndays = 24\nseed = 5\n[dissemination]\nmin_primary_cells = 500\n\
        [[therapy]]\nkind = \"chemo\"\nstart_day = 12\ncycles = 2\ninterval_days = 4\nduration_days = 2\n\
        [[therapy]]\nkind = \"cxcr2_inhibitor\"\nstart_day = 12\nduration_days = 8\ncsc_kill_per_day = 0.2\n\
        [[therapy]]\nkind = \"anti_il6\"\nstart_day = 14\nduration_days = 3\n\
        [[therapy]]\nkind = \"anti_vegfr1\"\nstart_day = 5\nduration_days = 10\n\
        [[therapy]]\nkind = \"differentiation\"\nstart_day = 18\nduration_days = 2\n\
        [[therapy]]\nkind = \"radiation\"\nstart_day = 19\ncycles = 2\ninterval_days = 1\n\
        [[therapy]]\nkind = \"surgery\"\nstart_day = 21\nfraction = 0.99\n";
    let cfg = tmp.path().join("all.toml");
    std::fs::write(&cfg, text).unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        seedsoil()
            .args(["run", "-q", "-o", out.to_str().unwrap()])
            .args(extra)
            .assert()
            .success();
        out
    };
    let c = cfg.to_str().unwrap();
    let a = run("a", &[c, "--threads", "1"]);
    let b = run("b", &[c, "--threads", "2", "--checkpoint-at", "13"]);
    let ckpt = b.join("checkpoints/day13.ckpt");
    let r = run("r", &["--from", ckpt.to_str().unwrap(), "--threads", "2"]);
    for name in ["timeseries.csv", "events.csv", "summary.csv", "config.toml"] {
        let x = std::fs::read(a.join(name)).unwrap();
        assert!(
            x == std::fs::read(b.join(name)).unwrap(),
            "{name}: 1 vs 2 threads"
        );
        assert!(x == std::fs::read(r.join(name)).unwrap(), "{name}: resumed");
    }
    let events = std::fs::read_to_string(a.join("events.csv")).unwrap();
    for e in [
        "chemo_on",
        "chemo_off",
        "cxcr2_inhibitor_on",
        "anti_il6_off",
        "anti_vegfr1_on",
        "differentiation_on",
        "radiation_fraction",
        "surgery",
    ] {
        assert!(events.contains(&format!(",{e},")), "no {e} event");
    }
    assert!(summary_value(&a, "chemo_deaths").parse::<u64>().unwrap() > 0);
    assert!(summary_value(&a, "radiation_kills").parse::<u64>().unwrap() > 0);
}
