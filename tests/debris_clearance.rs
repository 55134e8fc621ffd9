//! Debris clearance (`cells.clearance_h`): a cell that dies in the primary leaves debris
//! that blocks its site for K = round(clearance_h / dt) steps, then the site is empty.
//! Tested under full contact inhibition (a domain packed with cells that divide at every
//! step, so a freed site is refilled at once): exact invariants (the site of one killed
//! cell is blocked for exactly K steps; every death of every kind gives a debris episode of
//! exactly K steps; the debris count equals the deaths of the last K steps; resected cells
//! leave none), Little's law for the steady-state debris count, and clearance_h = 0 giving
//! byte-identical tables to the code before debris existed.

mod common;

use seedsoil::config::{self, Config, InitKind, TherapyConfig, TherapyKind};
use seedsoil::sim::Simulation;
use seedsoil::therapy;

/// A domain of `side` × `side` sites (`dims` = 2) or cubed (3) whose interior is packed
/// with cells after a few steps: a disc/ball as large as validation allows, every cell
/// dividing at each step (cycle time = dt = 1 h, so a free site is refilled in the step it
/// frees; with a shorter step, at p_div = dt / 1 h), no migration, no fields, MSCs or dissemination, no deaths.
/// `csc_only`: every cell a CSC with symmetric divisions only (no exhaustion, no α).
fn packed(dims: u8, side: u32, csc_only: bool, seed: u64) -> Config {
    let mut c = common::model_v1();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.run.dt_h = 1.0;
    c.space.dims = dims;
    c.space.initial_size = side;
    c.space.max_size = side;
    c.init.kind = InitKind::Disc;
    c.init.radius = (side as f64 - 2.0) / 2.0 - 0.01;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.dissemination.enabled = false;
    c.cells.cycle_time_h = 1.0;
    c.cells.migration_per_day = 0.0;
    c.cells.dedifferentiation_per_day = 0.0;
    c.cells.background_death_per_day = 0.0;
    c.cells.csc_death_per_day = 0.0;
    c.cells.death_at_division = 0.0;
    c.cells.rho_max = 20;
    if csc_only {
        c.init.csc_fraction = 1.0;
        c.cells.p_symmetric = 1.0;
        c.cells.p_symmetric_max = 1.0;
    } else {
        c.init.csc_fraction = 0.3;
    }
    c
}

/// Sites inside the domain (the border ring is wall).
fn interior(dims: u8, side: u32) -> u64 {
    (side as u64 - 2).pow(dims as u32)
}

/// Steps until every interior site holds a cell (the disc's corners filled).
fn fill(sim: &mut Simulation, sites: u64) {
    for _ in 0..200 {
        if sim.primary.total() == sites {
            return;
        }
        sim.step();
    }
    panic!("domain not packed: {} of {sites}", sim.primary.total());
}

/// The sites holding debris, from the lattice bytes (not from the engine's queue).
fn debris_sites(sim: &Simulation) -> Vec<bool> {
    let lat = &sim.primary.lattice;
    (0..lat.len()).map(|s| lat.is_debris(s)).collect()
}

#[test]
fn a_killed_cells_site_stays_blocked_for_exactly_the_clearance_time() {
    // (dt, clearance_h, K): K = round(clearance_h / dt); K = 0 is the reference rule.
    for (dims, side) in [(2u8, 40u32), (3, 14)] {
        for (dt, clearance, k) in [
            (1.0, 24.0, 24u64),
            (0.5, 12.0, 24),
            (0.5, 7.5, 15),
            (1.0, 1.0, 1),
            (1.0, 0.0, 0),
        ] {
            let mut c = packed(dims, side, true, 1);
            c.run.dt_h = dt;
            c.cells.clearance_h = clearance;
            c.validate().unwrap();
            let mut sim = Simulation::new(&c).unwrap();
            assert_eq!(sim.primary.clearance_steps(), k);
            let n = interior(dims, side);
            fill(&mut sim, n);
            let centre = (side / 2) as i64;
            let d = [centre, centre, if dims == 3 { centre } else { 0 }];
            let site = sim.primary.lattice.site_at(d).unwrap();
            let births = sim.primary.events().births;
            let at = sim.step_count();
            assert!(sim.primary.kill_in_place(site, at).is_some());
            let label = format!("{dims}D dt {dt} clearance {clearance} h");
            // Blocked during the cell updates of steps at .. at + K − 1: nobody divides.
            for j in 0..k {
                assert!(sim.primary.lattice.is_debris(site), "{label}: step {j}");
                assert_eq!(sim.primary.debris(), 1);
                assert_eq!(sim.primary.total(), n - 1, "{label}: step {j}");
                sim.step();
                assert_eq!(sim.primary.events().births, births, "{label}: step {j}");
            }
            // Freed at the start of the update of step at + K; refilled in it when every
            // neighbour divides at each step (p_div = dt / 1 h = 1), else soon after.
            sim.step();
            assert!(!sim.primary.lattice.is_debris(site), "{label}");
            assert_eq!(sim.primary.debris(), 0);
            if dt == 1.0 {
                assert_eq!(sim.primary.events().births, births + 1, "{label}");
            }
            while sim.primary.total() < n {
                assert!(sim.step_count() < at + k + 20, "{label}: not refilled");
                sim.step();
            }
            assert_eq!(sim.primary.events().births, births + 1, "{label}");
            sim.primary.check_invariants();
        }
    }
}

#[test]
fn every_death_leaves_debris_for_exactly_the_clearance_time() {
    // Every kind of death at once, packed: background death, CSC death, death at division
    // (α) and by exhaustion (ρ = 0 cells that get space), chemotherapy and radiation; and a
    // surgery, whose removed cells leave no debris. Each site's debris episodes (runs of
    // steps it is seen holding debris) last exactly K steps, and after each step the debris
    // count equals the deaths and radiation kills of the last K steps.
    for (dims, side, k) in [(2u8, 64u32, 18u64), (3, 16, 7)] {
        let mut c = packed(dims, side, false, 2);
        c.cells.rho_max = 4;
        c.cells.background_death_per_day = 0.3;
        c.cells.csc_death_per_day = 0.2;
        c.cells.death_at_division = 0.1;
        c.cells.clearance_h = k as f64;
        let mut chemo = TherapyConfig::new(TherapyKind::Chemo, 4.0);
        chemo.duration_days = 1.0;
        let mut radiation = TherapyConfig::new(TherapyKind::Radiation, 6.0);
        radiation.cycles = 2;
        radiation.interval_days = 1.0;
        let mut surgery = TherapyConfig::new(TherapyKind::Surgery, 9.0);
        surgery.fraction = Some(0.3);
        c.therapy = vec![chemo, radiation, surgery];
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        let lat_len = sim.primary.lattice.len();
        let mut run = vec![0u64; lat_len];
        let mut episodes = 0u64;
        let mut killed_per_step: Vec<u64> = Vec::new();
        let killed = |s: &Simulation| {
            s.primary.events().deaths + s.therapy.totals.radiation_kills.iter().sum::<u64>()
        };
        let mut before = killed(&sim);
        for step in 0..12 * 24 {
            sim.step();
            assert_eq!(
                sim.primary.lattice.len(),
                lat_len,
                "the window covers the domain"
            );
            let now = killed(&sim);
            killed_per_step.push(now - before);
            before = now;
            let debris = debris_sites(&sim);
            for (s, &d) in debris.iter().enumerate() {
                if d {
                    run[s] += 1;
                    assert!(
                        run[s] <= k,
                        "{dims}D site {s}: debris for more than {k} steps"
                    );
                } else if run[s] > 0 {
                    assert_eq!(
                        run[s], k,
                        "{dims}D site {s}: debris cleared early (step {step})"
                    );
                    episodes += 1;
                    run[s] = 0;
                }
            }
            let on_lattice = debris.iter().filter(|&&d| d).count() as u64;
            let recent: u64 = killed_per_step.iter().rev().take(k as usize).sum();
            assert_eq!(
                on_lattice, recent,
                "{dims}D step {step}: debris vs recent deaths"
            );
            assert_eq!(sim.primary.debris() as u64, on_lattice);
            if step % 50 == 0 {
                sim.primary.check_invariants();
            }
        }
        sim.primary.check_invariants();
        let e = sim.primary.events();
        eprintln!(
            "{dims}D: {episodes} debris episodes of {k} steps; {} deaths ({} by chemo), {:?} radiation kills, {:?} resected",
            e.deaths,
            e.chemo_deaths,
            sim.therapy.totals.radiation_kills,
            sim.therapy.totals.resected
        );
        assert!(episodes > 500, "{dims}D: only {episodes} episodes");
        assert!(e.chemo_deaths > 0 && sim.therapy.totals.resected.iter().sum::<u64>() > 0);
        assert!(sim.therapy.totals.radiation_kills.iter().sum::<u64>() > 100);
        // Radiation, background and CSC deaths all left debris: every one is counted above.
    }
}

#[test]
fn steady_state_debris_follows_littles_law() {
    // Little's law: in steady state the mean number of debris sites is the death rate times
    // the time each lasts, L = N · d · T / 24 (N cells, d deaths per cell per day, T hours).
    //
    // (a) CSC death in a packed CSC tissue that refills every freed site at once: a true
    //     steady state, N ≈ S / (1 + d·T/24). Tolerance: 2 % of L (the standard error of
    //     the time mean, debris counts being nearly Poisson with a correlation time of K
    //     steps, is about 0.5 %); power: T one hour longer or shorter is rejected.
    let (d, t_h) = (0.25, 24.0);
    let mut c = packed(2, 64, true, 3);
    c.cells.csc_death_per_day = d;
    c.cells.clearance_h = t_h;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    // Warm-up: the disc fills the domain's corners, debris reaches its steady state.
    for _ in 0..100 {
        sim.step();
    }
    let (mut sum_debris, mut sum_n, mut steps) = (0.0, 0.0, 0.0);
    for _ in 0..1500 {
        sum_n += sim.primary.total() as f64;
        sim.step();
        sum_debris += sim.primary.debris() as f64;
        steps += 1.0;
    }
    let (debris, n) = (sum_debris / steps, sum_n / steps);
    let little = |t: f64| n * d * t / 24.0;
    let rel = |t: f64| (debris - little(t)) / little(t);
    eprintln!(
        "CSC death: mean debris {debris:.1}, N {n:.1}, N·d·T/24 = {:.1} ({:+.2} %)",
        little(t_h),
        100.0 * rel(t_h)
    );
    assert!(rel(t_h).abs() < 0.02, "relative error {}", rel(t_h));
    assert!(rel(t_h + 1.0).abs() > 0.02 && rel(t_h - 1.0).abs() > 0.02);

    // (b) Background death of non-stem cells that barely divide (cycle time 1000 h, so the
    //     tissue thins slowly and exhaustion deaths are rare): the debris after each step
    //     is expected to be Σ over the last K steps of p · N (p = d · dt / 24, N non-stem
    //     cells at the step's start). Tolerance: 3.5 standard errors of the summed count
    //     (each death counted in K sums: variance K² · Σ p (1 − p) N); power: T ± 2 h.
    let (d, k) = (0.25, 12usize);
    let mut c = packed(2, 64, false, 4);
    c.init.csc_fraction = 0.0;
    c.cells.cycle_time_h = 1000.0;
    c.cells.background_death_per_day = d;
    c.cells.clearance_h = k as f64;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let p = d / 24.0;
    let mut n_hist: Vec<f64> = Vec::new();
    let (mut observed, mut var) = (0.0, 0.0);
    let mut expected = [0.0f64; 3];
    for step in 0..240 {
        n_hist.push(sim.primary.total() as f64);
        sim.step();
        if step + 1 >= k {
            observed += sim.primary.debris() as f64;
            for (i, kk) in [k, k - 2, k + 2].into_iter().enumerate() {
                let window = n_hist.iter().rev().take(kk);
                expected[i] += window.map(|&n| p * n).sum::<f64>();
            }
        }
    }
    for &n in &n_hist {
        var += (k * k) as f64 * p * (1.0 - p) * n;
    }
    let z = |e: f64| (observed - e) / var.sqrt();
    eprintln!(
        "background death: summed debris {observed}, expected {:.1} (z = {:.2}); K ± 2: z = {:.1}, {:.1}",
        expected[0],
        z(expected[0]),
        z(expected[1]),
        z(expected[2])
    );
    assert!(z(expected[0]).abs() < 3.5);
    assert!(z(expected[1]).abs() > 3.5 && z(expected[2]).abs() > 3.5);
}

#[test]
fn debris_is_not_a_cell_and_survives_window_growth() {
    // A small tumour with debris that reaches the window's edge: growth keeps every debris
    // site at its domain coordinates with its clearance step; debris is not counted.
    let mut c = common::model_v1();
    c.run.seed = Some(6);
    c.run.threads = 1;
    c.space.initial_size = 64;
    c.space.max_size = 1000;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.dissemination.enabled = false;
    c.cells.background_death_per_day = 0.2;
    c.cells.death_at_division = 0.1;
    c.cells.clearance_h = 48.0;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let queue = |s: &Simulation| {
        let lat = &s.primary.lattice;
        s.primary
            .debris_queue()
            .map(|(due, site)| (due, lat.domain_coords(site)))
            .collect::<Vec<_>>()
    };
    let mut growths_with_debris = 0;
    while sim.step_count() < 30 * 24 {
        let before = queue(&sim);
        let window = (sim.primary.lattice.origin, sim.primary.lattice.len());
        sim.step();
        if (sim.primary.lattice.origin, sim.primary.lattice.len()) != window && !before.is_empty() {
            growths_with_debris += 1;
            // Entries due later than this step are kept, at the same places.
            let step = sim.step_count() - 1;
            let kept: Vec<_> = before.into_iter().filter(|e| e.0 > step).collect();
            let after = queue(&sim);
            assert_eq!(&after[..kept.len()], &kept[..]);
            sim.primary.check_invariants();
        }
    }
    sim.primary.check_invariants();
    assert!(
        growths_with_debris > 0,
        "no growth with debris on the lattice"
    );
    assert!(sim.primary.debris() > 0);
    assert_eq!(sim.primary.recount(), sim.primary.counts());
    // The snapshot lists cells only.
    let csv = seedsoil::output::snapshot::lattice_csv(&sim.primary);
    assert_eq!(csv.lines().count() as u64 - 1, sim.primary.total());
}

#[test]
fn clearance_zero_gives_the_tables_of_the_code_before_debris() {
    // A short treated run of the default model with deaths, chemo, radiation, surgery and
    // mass-based shedding, clearance_h absent (= 0): tables byte-identical to those of the
    // code before debris existed (tests/data/clearance-off-golden/, written by 492bf7e with
    // the config's clearance_h line removed, seed 7). The disc is all CSCs, so its initial
    // lattice does not depend on how a disc draws its CSCs (changed after 492bf7e).
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/clearance-off-golden/"
    );
    let path = std::path::PathBuf::from(dir).join("config.toml");
    let c = config::load(Some(&path), &[]).unwrap();
    assert_eq!(c.cells.clearance_h, 0.0);
    // As the code before issue 17 wrote them (events without their unit column, every
    // summary column group).
    let tables = common::former_tables(&seedsoil::batch::simulate(c, 7, 1).unwrap().tables);
    for (table, name) in tables
        .iter()
        .zip(["timeseries.csv", "events.csv", "summary.csv"])
    {
        common::assert_golden(&format!("{dir}{name}"), table);
    }
}

#[test]
fn radiation_kills_leave_debris_but_resection_does_not() {
    let mut c = packed(2, 64, false, 8);
    c.cells.cycle_time_h = 1000.0;
    c.cells.clearance_h = 30.0;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let th = TherapyConfig::new(TherapyKind::Radiation, 0.0);
    let killed: u64 = therapy::irradiate(&mut sim.primary, &th, 8, 0, 0)
        .iter()
        .sum();
    assert!(killed > 100);
    assert_eq!(sim.primary.debris() as u64, killed);
    let n = sim.primary.total();
    let removed: u64 = therapy::resect(&mut sim.primary, 0.5, 8, 1, 0).iter().sum();
    assert_eq!(sim.primary.total(), n - removed);
    assert_eq!(
        sim.primary.debris() as u64,
        killed,
        "resected cells leave no debris"
    );
    sim.primary.check_invariants();
}
