//! Two-way state transitions (Gupta 2011): CSCs lose stemness at
//! `cells.stemness_loss_per_day` and become `Progenitor(ρmax)`; non-stem cells with at
//! least `cells.dedifferentiation_min_rho` divisions left become CSCs at
//! `cells.dedifferentiation_per_day`. Both act with or without space, so they are tested
//! under full contact inhibition: a domain packed with cells, where nobody divides or
//! moves, so that each cell is a two-state Markov chain with a closed-form law.
//! Tolerance 3.5 standard errors, each with a power check that a wrong rule fails; and
//! R0 (`configs/reference-r0.toml`, all of this off) gives byte-identical tables to the
//! stored run of the code before these rules.

mod common;

use seedsoil::config::{self, Config, InitKind};
use seedsoil::model::kind::{STEM, progenitor};
use seedsoil::sim::Simulation;

/// A disc of 2,900 cells (radius 30) on a 64 × 64 domain, `csc_fraction` CSCs, the other
/// cells Progenitor(ρ) with ρ uniform. `packed`: no migration and a 1000 h cycle, so that
/// the interior is contact-inhibited and the rim nearly still; otherwise the default
/// cycle and migration (the disc grows). No fields, MSCs, dissemination or deaths.
fn disc(csc_fraction: f64, packed: bool, seed: u64) -> Config {
    let mut c = common::model_v1();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.space.initial_size = 64;
    c.space.max_size = 256;
    c.init.kind = InitKind::Disc;
    c.init.radius = 30.0;
    c.init.csc_fraction = csc_fraction;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.dissemination.enabled = false;
    c.cells.background_death_per_day = 0.0;
    c.cells.csc_death_per_day = 0.0;
    c.cells.dedifferentiation_per_day = 0.0;
    if packed {
        c.cells.migration_per_day = 0.0;
        c.cells.cycle_time_h = 1000.0;
    }
    c
}

/// The codes of every cell.
fn codes(sim: &Simulation) -> Vec<u8> {
    sim.primary
        .cell_sites()
        .into_iter()
        .map(|s| sim.primary.lattice.code(s))
        .collect()
}

fn z(observed: f64, mean: f64, var: f64) -> f64 {
    (observed - mean) / var.sqrt()
}

/// Steps `steps` times; before each step `eligible(sim)` counts the cells that may take
/// the event, whose per-step probability is `p`. Returns the sum over steps of the
/// expected events `p · eligibleₜ` and of their variances `p (1 − p) · eligibleₜ`: every
/// cell present at a step's start gets exactly one rare-event draw in that step.
fn expected_over(
    sim: &mut Simulation,
    steps: u64,
    p: f64,
    eligible: impl Fn(&Simulation) -> f64,
) -> (f64, f64) {
    let (mut mean, mut var) = (0.0, 0.0);
    for _ in 0..steps {
        let n = eligible(sim);
        mean += p * n;
        var += p * (1.0 - p) * n;
        sim.step();
    }
    (mean, var)
}

#[test]
fn cscs_lose_stemness_at_their_rate_with_and_without_space() {
    let rate = 0.2;
    for (packed, seed) in [(true, 11u64), (false, 12)] {
        let mut c = disc(0.5, packed, seed);
        c.cells.stemness_loss_per_day = rate;
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        let csc0 = sim.primary.counts()[0];
        let p = rate / 24.0;
        let (mean, var) = expected_over(&mut sim, 240, p, |s| s.primary.counts()[0] as f64);
        let e = sim.primary.events();
        let losses = e.stemness_losses as f64;
        let zz = z(losses, mean, var);
        println!(
            "packed {packed}: {losses} losses in 10 days (expected {mean:.1}, z = {zz:.2}); {} of {} cells listed",
            sim.primary.active(),
            sim.primary.total()
        );
        assert!(zz.abs() < 3.5, "packed {packed}: z = {zz}");
        // Exact: CSCs change only by symmetric divisions and stemness loss here.
        let csc = sim.primary.counts()[0] as i64;
        assert_eq!(
            csc - csc0 as i64,
            e.symmetric_divisions as i64 - e.stemness_losses as i64
        );
        // Power: half the rate is rejected.
        assert!(z(losses, mean / 2.0, var / 2.0).abs() > 3.5);
    }
}

#[test]
fn a_lost_csc_becomes_a_fresh_progenitor_in_place() {
    let mut c = disc(1.0, true, 13);
    c.cells.stemness_loss_per_day = 1.0;
    c.cells.cycle_time_h = 1000.0;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let fresh = progenitor(c.cells.rho_max);
    let count = |s: &Simulation| codes(s).iter().filter(|&&k| k == fresh).count() as i64;
    let (f0, b0) = (count(&sim), sim.primary.events().births as i64);
    for _ in 0..48 {
        sim.step();
    }
    let e = sim.primary.events();
    // Fresh progenitors come from stemness losses, and the few divisions of the rim (a
    // 1000 h cycle) add or use up at most one each: |Δfresh − losses| ≤ births.
    let gained = count(&sim) - f0;
    let losses = e.stemness_losses as i64;
    assert!(losses > 1000, "{losses}");
    assert!(gained >= losses - (e.births as i64 - b0) && gained <= losses + (e.births as i64 - b0));
}

#[test]
fn equilibrium_of_two_way_transitions_in_a_still_population() {
    // With loss p_l and plasticity p_d per step and nothing else, each cell is a two-state
    // chain: the CSC fraction tends to f∞ = p_d / (p_l + p_d) from any start. Measured on
    // two sorted starts (0 % and 100 % CSCs) after 20 days: both near f∞, by 3.5 SE of
    // the closed form P(CSC at t) (the few rim divisions of a 1000 h cycle aside).
    let (r_loss, r_dedif, days) = (0.5f64, 0.05f64, 20i32);
    let (pl, pd) = (r_loss / 24.0, r_dedif / 24.0);
    let f_inf = pd / (pl + pd);
    let lambda_t = (1.0 - pl - pd).powi(days * 24);
    for (start, seed) in [(0.0, 14u64), (1.0, 15)] {
        let mut c = disc(start, true, seed);
        c.cells.stemness_loss_per_day = r_loss;
        c.cells.dedifferentiation_per_day = r_dedif;
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        for _ in 0..days * 24 {
            sim.step();
        }
        let [csc, p, d] = sim.primary.counts();
        let n = (csc + p + d) as f64;
        let f_t = f_inf + (start - f_inf) * lambda_t;
        let zz = z(csc as f64, n * f_t, n * f_t * (1.0 - f_t));
        println!(
            "start {start}: CSC fraction {:.4} after {days} days (closed form {f_t:.4}, z = {zz:.2})",
            csc as f64 / n
        );
        assert!(zz.abs() < 3.5, "start {start}: z = {zz}");
        // Power: without stemness loss a CSC-sorted start would stay all CSCs.
        if start == 1.0 {
            assert!(csc as f64 / n < 0.5);
        }
    }
}

#[test]
fn only_cells_with_enough_divisions_left_dedifferentiate() {
    let (rate, min_rho) = (0.05, 6u8);
    for (packed, seed) in [(true, 16u64), (false, 17)] {
        let mut c = disc(0.0, packed, seed);
        c.cells.dedifferentiation_per_day = rate;
        c.cells.dedifferentiation_min_rho = min_rho;
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        // Code = ρ + 1: eligible cells have code > ρ_dedif.
        let eligible = |s: &Simulation| {
            codes(s)
                .iter()
                .filter(|&&k| k != STEM && k > min_rho)
                .count() as f64
        };
        let non_stem = |s: &Simulation| {
            let [_, p, d] = s.primary.counts();
            (p + d) as f64
        };
        let p = rate / 24.0;
        let mut all = (0.0, 0.0);
        let (mut mean, mut var) = (0.0, 0.0);
        for _ in 0..240 {
            let (n, m) = (eligible(&sim), non_stem(&sim));
            mean += p * n;
            var += p * (1.0 - p) * n;
            all.0 += p * m;
            all.1 += p * (1.0 - p) * m;
            sim.step();
        }
        let dedif = sim.primary.events().dedifferentiations as f64;
        let zz = z(dedif, mean, var);
        println!(
            "packed {packed}: {dedif} dedifferentiations (expected {mean:.1} from eligible cells, z = {zz:.2}; {:.1} if every non-stem cell could)",
            all.0
        );
        assert!(zz.abs() < 3.5, "packed {packed}: z = {zz}");
        // Power: plasticity of every non-stem cell (ρ_dedif = 0) is rejected.
        assert!(z(dedif, all.0, all.1).abs() > 3.5);
    }
}

#[test]
fn r0_tables_are_byte_identical_to_the_code_before_the_new_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/reference-r0.toml");
    let sets = [
        "run.days=40".to_string(),
        "run.seed=5".to_string(),
        "output.snapshot_days=[]".to_string(),
    ];
    let c = config::load(Some(std::path::Path::new(path)), &sets).unwrap();
    // As the code before issue 17 wrote them (events without their unit column).
    let tables = common::former_tables(&seedsoil::batch::simulate(c, 5, 1).unwrap().tables);
    let golden =
        |f: &str| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/r0-golden/").to_string() + f;
    common::assert_golden(&golden("timeseries.csv"), &tables[0]);
    common::assert_golden(&golden("events.csv"), &tables[1]);
}
