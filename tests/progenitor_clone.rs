//! docs/model.md §8.3: a clone started by one Progenitor(ρmax) never holds more than 2^ρmax
//! cells and dies out.
//!
//! Without CSCs and without plasticity, every cell descends from the founder through at most
//! ρmax divisions, each of which turns one cell into two, and a Progenitor(0) that attempts
//! division dies. So the clone is a binary tree of depth ρmax (pruned by death at division,
//! α): at most 2^ρmax cells at any time, and with α = 0 exactly 2^ρmax − 1 births and 2^ρmax
//! deaths by extinction. The bound is tight: in free space (p_mig = 1) with small ρmax the
//! clone does reach 2^ρmax cells in some replicates.

use seedsoil::config::{Config, InitKind};
use seedsoil::sim::Simulation;

/// Steps allowed for a clone to die out (extinction takes a few hundred to a few thousand).
const MAX_STEPS: u64 = 50_000;

fn config(dims: u8, rho_max: u8, alpha: f64, migration_per_day: f64, seed: u64) -> Config {
    let mut c = Config::default();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.space.dims = dims;
    // The hierarchy rules alone: no cytokine fields.
    c.fields.enabled = false;
    c.space.initial_size = 64;
    c.space.max_size = if dims == 2 { 400 } else { 120 };
    c.init.kind = InitKind::SingleProgenitor;
    c.cells.cycle_time_h = 24.0;
    c.cells.rho_max = rho_max;
    c.cells.death_at_division = alpha;
    c.cells.migration_per_day = migration_per_day;
    c.cells.dedifferentiation_per_day = 0.0;
    c.cells.background_death_per_day = 0.0;
    c.cells.csc_death_per_day = 0.0;
    c
}

/// What one clone did until it died out.
struct CloneRun {
    max_total: u64,
    steps: u64,
    births: u64,
    deaths: u64,
}

/// Steps the clone until extinction, asserting the bound and the absence of CSCs each step.
fn run_clone(dims: u8, rho_max: u8, alpha: f64, migration_per_day: f64, seed: u64) -> CloneRun {
    let cfg = config(dims, rho_max, alpha, migration_per_day, seed);
    let mut sim = Simulation::new(&cfg).unwrap();
    let bound = 1u64 << rho_max;
    let what =
        format!("{dims}D rho_max {rho_max} alpha {alpha} mu {migration_per_day} seed {seed}");
    let founder_class = if rho_max > 0 { 1 } else { 2 };
    let mut expected = [0; 3];
    expected[founder_class] = 1;
    assert_eq!(sim.primary.counts(), expected, "{what}: initial clone");
    let c = (cfg.space.max_size / 2) as i64;
    let centre = [c, c, if dims == 3 { c } else { 0 }];
    assert_eq!(
        sim.primary.code_at(centre),
        rho_max + 1,
        "{what}: the founder is a Progenitor(rho_max) (code rho_max + 1) at the centre"
    );
    let mut max_total = 1;
    while sim.primary.total() > 0 {
        assert!(
            sim.step_count() < MAX_STEPS,
            "{what}: clone still alive after {MAX_STEPS} steps ({} cells)",
            sim.primary.total()
        );
        sim.step();
        let counts = sim.primary.counts();
        let total = sim.primary.total();
        assert_eq!(
            counts[0],
            0,
            "{what}: a CSC appeared at step {}",
            sim.step_count()
        );
        assert!(
            total <= bound,
            "{what}: {total} cells at step {} exceed 2^rho_max = {bound}",
            sim.step_count()
        );
        max_total = max_total.max(total);
    }
    sim.primary.check_invariants();
    assert_eq!(
        sim.primary.recount(),
        [0, 0, 0],
        "{what}: lattice empty at extinction"
    );
    let e = sim.primary.events();
    assert_eq!(e.dedifferentiations, 0, "{what}");
    assert_eq!(e.symmetric_divisions, 0, "{what}");
    // Every cell ever present died exactly once.
    assert_eq!(e.deaths, e.births + 1, "{what}: deaths = births + founder");
    CloneRun {
        max_total,
        steps: sim.step_count(),
        births: e.births,
        deaths: e.deaths,
    }
}

#[test]
fn clones_stay_below_two_to_the_rho_max_and_die_out() {
    // (dims, rho_max, alpha, migration per day, seeds)
    let cases: &[(u8, u8, f64, f64, u64)] = &[
        (2, 3, 0.0, 0.0, 200),
        (2, 3, 0.2, 10.0, 200),
        (2, 6, 0.0, 10.0, 100),
        (2, 6, 0.1, 0.0, 100),
        (2, 10, 0.0, 0.0, 20),
        (2, 10, 0.0, 15.0, 20),
        (2, 10, 0.05, 15.0, 20),
        (3, 6, 0.0, 10.0, 30),
        (3, 10, 0.0, 0.0, 5),
        (3, 10, 0.05, 15.0, 5),
    ];
    for &(dims, rho, alpha, mu, seeds) in cases {
        let mut longest = 0;
        let mut largest = 0;
        for seed in 1..=seeds {
            let r = run_clone(dims, rho, alpha, mu, seed);
            if alpha == 0.0 {
                // No death at division: the whole binary tree of depth rho_max is made.
                assert_eq!(
                    (r.births, r.deaths),
                    ((1 << rho) - 1, 1 << rho),
                    "{dims}D rho_max {rho} alpha 0 mu {mu} seed {seed}: births, deaths"
                );
            }
            longest = longest.max(r.steps);
            largest = largest.max(r.max_total);
        }
        eprintln!(
            "{dims}D rho_max {rho} alpha {alpha} mu {mu}: {seeds} clones, largest {largest} \
             (bound {}), slowest extinction {longest} steps",
            1u64 << rho
        );
    }
}

#[test]
fn the_bound_is_reached_in_free_space() {
    // α = 0 and p_mig = 1: cells disperse, so each can divide when its turn comes, and some
    // clones have all 2^ρmax cells alive at once.
    for (rho, seeds) in [(1u8, 50u64), (2, 200), (3, 400)] {
        let largest = (1..=seeds)
            .map(|seed| run_clone(2, rho, 0.0, 24.0, seed).max_total)
            .max()
            .unwrap();
        assert_eq!(
            largest,
            1 << rho,
            "rho_max {rho}: largest clone over {seeds} seeds is {largest}, not 2^rho_max"
        );
    }
}

#[test]
fn rho_max_zero_founder_dies_at_its_first_attempt() {
    // ρmax = 0: the founder is already differentiated; it never divides.
    for seed in 1..=20 {
        let r = run_clone(2, 0, 0.0, 10.0, seed);
        assert_eq!((r.births, r.deaths, r.max_total), (0, 1, 1), "seed {seed}");
    }
}
