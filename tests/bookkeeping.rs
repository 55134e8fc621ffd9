//! Cell bookkeeping (docs/architecture.md §8): every step, births − deaths − cells shed
//! into the blood (intravasation, docs/model.md §7.12) equals the change in population, the
//! engine's incremental counts equal a recount of the lattice, and the internal state
//! (active lists, listed flags, stamps) stays consistent — for 2D and 3D, with every rare
//! event on, for R0, through lattice growth, and (proptest) for small random parameter
//! sets.

use std::path::PathBuf;

use proptest::prelude::*;
use seedsoil::config::{Config, InitKind, load};
use seedsoil::engine::EventCounts;
use seedsoil::model::kind::{EMPTY, KIND_MASK, is_cell};
use seedsoil::sim::Simulation;
use seedsoil::space::lattice::LISTED;

/// Between steps, every cell that has a free neighbour must be on an active list (listed
/// flag set): otherwise it would never take a turn again, a silent freeze that
/// `check_invariants` does not look for. Returns the number of such cells.
fn assert_cells_with_space_are_listed(sim: &Simulation, what: &str) -> usize {
    let lat = &sim.primary.lattice;
    let off = lat.offsets();
    let mut with_space = 0;
    for s in 0..lat.len() {
        let v = lat.get(s);
        if !is_cell(v & KIND_MASK) {
            continue;
        }
        let c = lat.coords(s);
        assert!(
            (0..lat.dims).all(|a| c[a] > 0 && c[a] + 1 < lat.side(a)),
            "{what}: step {}: cell at window border {c:?}",
            sim.step_count()
        );
        let free = off
            .iter()
            .any(|&o| lat.get((s as isize + o) as usize) & KIND_MASK == EMPTY);
        if free {
            with_space += 1;
            assert!(
                v & LISTED != 0,
                "{what}: step {}: cell {:#04x} at {:?} has a free neighbour but is not listed",
                sim.step_count(),
                v,
                lat.domain_coords(s)
            );
        }
    }
    with_space
}

/// Steps `sim` `steps` times (or until extinction), checking after every step that
/// births − deaths − shed = Δ total; when CSCs cannot die, also that the CSC count changes
/// by the symmetric divisions plus dedifferentiations minus the CSCs shed. Invariants every `every` steps and at the
/// end, where the counts must also equal a recount.
fn step_and_check(sim: &mut Simulation, steps: u64, every: u64, what: &str) -> EventCounts {
    let csc_immortal = sim.config().cells.csc_death_per_day == 0.0;
    sim.primary.check_invariants();
    assert_cells_with_space_are_listed(sim, what);
    let start = sim.primary.events();
    let mut before_events = start;
    let mut before_total = sim.primary.total();
    let mut before_csc = sim.primary.counts()[0];
    let shed_csc = |sim: &Simulation| {
        sim.metastasis
            .as_ref()
            .map_or(0, |m| m.cascade().intravasated[0])
    };
    let mut before_shed_csc = shed_csc(sim);
    for _ in 0..steps {
        if sim.primary.total() == 0 {
            break;
        }
        sim.step();
        let step = sim.step_count();
        let e = sim.primary.events();
        let total = sim.primary.total();
        let births = e.births - before_events.births;
        let deaths = e.deaths - before_events.deaths;
        let shed = e.removed - before_events.removed;
        assert_eq!(
            total as i64 - before_total as i64,
            births as i64 - deaths as i64 - shed as i64,
            "{what}: step {step}: population {before_total} -> {total} but births {births}, \
             deaths {deaths}, shed {shed}"
        );
        let counts = sim.primary.counts();
        assert_eq!(counts.iter().sum::<u64>(), total, "{what}: step {step}");
        if csc_immortal {
            let gained = (e.symmetric_divisions - before_events.symmetric_divisions)
                + (e.dedifferentiations - before_events.dedifferentiations);
            let shed_stem = shed_csc(sim) - before_shed_csc;
            let lost = e.stemness_losses - before_events.stemness_losses;
            assert_eq!(
                counts[0] as i64 - before_csc as i64,
                gained as i64 - lost as i64 - shed_stem as i64,
                "{what}: step {step}: CSCs {before_csc} -> {} but symmetric divisions + \
                 dedifferentiations = {gained}, stemness losses {lost}, CSCs shed {shed_stem}",
                counts[0]
            );
        }
        assert!(e.symmetric_divisions <= e.births, "{what}: step {step}");
        if step.is_multiple_of(every) {
            sim.primary.check_invariants();
            assert_cells_with_space_are_listed(sim, what);
        }
        before_events = e;
        before_total = total;
        before_csc = counts[0];
        before_shed_csc = shed_csc(sim);
    }
    sim.primary.check_invariants();
    assert_cells_with_space_are_listed(sim, what);
    assert_eq!(
        sim.primary.counts(),
        sim.primary.recount(),
        "{what}: counts vs recount at the end"
    );
    // The events of this run (fields set one by one, so new counters do not break this).
    let mut e = sim.primary.events();
    e.births -= start.births;
    e.deaths -= start.deaths;
    e.migrations -= start.migrations;
    e.dedifferentiations -= start.dedifferentiations;
    e.symmetric_divisions -= start.symmetric_divisions;
    e.growths -= start.growths;
    e
}

fn base(dims: u8, seed: u64) -> Config {
    let mut c = Config::default();
    c.run.seed = Some(seed);
    c.run.threads = 2;
    // The hierarchy rules alone: no cytokine fields.
    c.fields.enabled = false;
    c.space.dims = dims;
    c.space.initial_size = 64;
    c.space.max_size = if dims == 2 { 2000 } else { 400 };
    c
}

/// Every rare event on at rates high enough to happen many times in a short run.
fn with_rare_events(mut c: Config) -> Config {
    c.cells.p_symmetric = 0.2;
    c.cells.death_at_division = 0.05;
    c.cells.background_death_per_day = 0.3;
    c.cells.csc_death_per_day = 0.05;
    c.cells.dedifferentiation_per_day = 0.05;
    c.cells.dedifferentiation_min_rho = 0;
    c.cells.stemness_loss_per_day = 0.05;
    // Shedding (by mass, the default) from a few hundred cells on.
    c.dissemination.min_primary_cells = 200;
    c
}

fn reference_r0() -> Config {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/reference-r0.toml");
    let mut c = load(Some(&path), &[]).expect("configs/reference-r0.toml loads");
    c.run.threads = 2;
    c
}

#[test]
fn r0_grows_the_lattice_and_keeps_its_books() {
    for seed in [1, 2] {
        let mut c = reference_r0();
        c.run.seed = Some(seed);
        let mut sim = Simulation::new(&c).unwrap();
        let side0 = sim.primary.lattice.side(0);
        let e = step_and_check(&mut sim, 1500, 50, &format!("R0 seed {seed}"));
        eprintln!(
            "R0 seed {seed}: {} cells {:?}, window {}, {e:?}",
            sim.primary.total(),
            sim.primary.counts(),
            sim.primary.lattice.side(0)
        );
        assert!(e.births > 0 && e.deaths > 0 && e.migrations > 0, "{e:?}");
        assert!(
            e.growths > 0,
            "R0 seed {seed}: the 64-site window never grew: {e:?}"
        );
        assert!(sim.primary.lattice.side(0) > side0);
        assert_eq!(e.dedifferentiations, 0);
    }
}

#[test]
fn rare_events_2d_keep_the_books() {
    for seed in [3, 4] {
        let mut c = with_rare_events(base(2, seed));
        c.init.kind = InitKind::Disc;
        c.init.radius = 12.0;
        c.init.csc_fraction = 0.2;
        let mut sim = Simulation::new(&c).unwrap();
        let e = step_and_check(&mut sim, 300, 25, &format!("2D rare events seed {seed}"));
        eprintln!("2D rare seed {seed}: {:?} {e:?}", sim.primary.counts());
        assert!(e.dedifferentiations > 0, "{e:?}");
        assert!(
            e.deaths > 0 && e.births > 0 && e.symmetric_divisions > 0,
            "{e:?}"
        );
        // The tumour passed the angiogenic switch: shedding is in the books too.
        assert!(e.removed > 0, "{e:?}");
    }
}

#[test]
fn rare_events_3d_keep_the_books() {
    for seed in [5, 6] {
        let mut c = with_rare_events(base(3, seed));
        c.init.kind = InitKind::Disc;
        c.init.radius = 6.0;
        c.init.csc_fraction = 0.2;
        let mut sim = Simulation::new(&c).unwrap();
        let e = step_and_check(&mut sim, 120, 20, &format!("3D rare events seed {seed}"));
        eprintln!("3D rare seed {seed}: {:?} {e:?}", sim.primary.counts());
        assert!(e.dedifferentiations > 0, "{e:?}");
        assert!(e.deaths > 0 && e.births > 0 && e.removed > 0, "{e:?}");
    }
}

#[test]
fn growth_in_3d_keeps_the_books() {
    // A single CSC with plenty of self-renewal and dedifferentiation (no CSC death, so the
    // CSC identity is checked too) grows past the initial 32³ window.
    let mut c = base(3, 7);
    c.space.initial_size = 32;
    c.space.max_size = 200;
    c.cells.p_symmetric = 0.3;
    c.cells.death_at_division = 0.05;
    c.cells.migration_per_day = 15.0;
    c.cells.dedifferentiation_per_day = 0.05;
    c.cells.background_death_per_day = 0.05;
    let mut sim = Simulation::new(&c).unwrap();
    let e = step_and_check(&mut sim, 300, 25, "3D growth");
    eprintln!(
        "3D growth: {:?}, window {}, {e:?}",
        sim.primary.counts(),
        sim.primary.lattice.side(0)
    );
    assert!(e.growths > 0, "3D window never grew: {e:?}");
    assert!(e.dedifferentiations > 0, "{e:?}");
}

#[test]
fn a_domain_smaller_than_the_window_fills_up_and_keeps_its_books() {
    // The tumour reaches the occupied border: contact inhibition everywhere.
    let mut c = base(2, 8);
    c.space.max_size = 40;
    c.cells.p_symmetric = 0.3;
    c.cells.death_at_division = 0.0;
    c.cells.background_death_per_day = 0.2;
    let mut sim = Simulation::new(&c).unwrap();
    let e = step_and_check(&mut sim, 1500, 50, "2D small domain");
    assert_eq!(e.growths, 0);
    assert!(
        sim.primary.total() > 38 * 38 / 2,
        "{:?}",
        sim.primary.counts()
    );
}

/// Small random parameter sets.
#[derive(Debug, Clone)]
struct Small {
    dims: u8,
    p_symmetric: f64,
    rho_max: u8,
    alpha: f64,
    migration_per_day: f64,
    background_death_per_day: f64,
    csc_death_per_day: f64,
    dedifferentiation_per_day: f64,
    init: u8,
    radius: f64,
    csc_fraction: f64,
    seed: u64,
    threads: usize,
    steps: u64,
}

fn small() -> impl Strategy<Value = Small> {
    (
        (
            prop_oneof![3 => Just(2u8), 1 => Just(3u8)],
            0.0..=0.5f64,
            0u8..=8,
            0.0..=0.3f64,
            prop_oneof![Just(0.0), 0.0..=24.0f64],
            prop_oneof![Just(0.0), 0.0..=2.0f64],
            prop_oneof![Just(0.0), 0.0..=1.0f64],
        ),
        (
            prop_oneof![Just(0.0), 0.0..=1.0f64],
            0u8..3,
            1.0..=6.0f64,
            0.0..=1.0f64,
            any::<u64>(),
            1usize..=3,
            20u64..=120,
        ),
    )
        .prop_map(
            |(
                (dims, ps, rho, alpha, mu, bg, cd),
                (dd, init, radius, frac, seed, threads, steps),
            )| {
                Small {
                    dims,
                    p_symmetric: ps,
                    rho_max: rho,
                    alpha,
                    migration_per_day: mu,
                    background_death_per_day: bg,
                    csc_death_per_day: cd,
                    dedifferentiation_per_day: dd,
                    init,
                    radius,
                    csc_fraction: frac,
                    seed: seed >> 1,
                    threads,
                    steps,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        // Integration tests have no lib.rs next to them to persist failures beside.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn books_balance_for_random_small_parameter_sets(s in small()) {
        let mut c = base(s.dims, s.seed);
        c.run.threads = s.threads;
        c.space.max_size = if s.dims == 2 { 300 } else { 80 };
        c.space.initial_size = 32;
        c.cells.p_symmetric = s.p_symmetric;
        c.cells.p_symmetric_max = 0.5;
        c.cells.rho_max = s.rho_max;
        c.cells.death_at_division = s.alpha;
        c.cells.migration_per_day = s.migration_per_day;
        c.cells.background_death_per_day = s.background_death_per_day;
        c.cells.csc_death_per_day = s.csc_death_per_day;
        c.cells.dedifferentiation_per_day = s.dedifferentiation_per_day;
        c.init.kind = match s.init {
            0 => InitKind::SingleCsc,
            1 => InitKind::SingleProgenitor,
            _ => InitKind::Disc,
        };
        c.init.radius = s.radius;
        c.init.csc_fraction = s.csc_fraction;
        c.validate().expect("generated configs are valid");
        let mut sim = Simulation::new(&c).unwrap();
        let e = step_and_check(&mut sim, s.steps, 5, &format!("{s:?}"));
        // Dedifferentiation only happens when it is switched on.
        if s.dedifferentiation_per_day == 0.0 {
            prop_assert_eq!(e.dedifferentiations, 0);
        }
        if s.p_symmetric == 0.0 {
            prop_assert_eq!(e.symmetric_divisions, 0);
        }
        if s.migration_per_day == 0.0 {
            prop_assert_eq!(e.migrations, 0);
        }
    }
}
