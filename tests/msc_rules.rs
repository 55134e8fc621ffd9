//! The MSC rules of docs/model.md §7.11, checked against their per-step probabilities and
//! the analytic steady state of their secretion.
//!
//! - Homing, death and division: over a whole run, the observed counts are compared with
//!   the sums of their per-step expectations given the state before each step (pool ×
//!   p_home(IL6_out); MSCs at risk × p_death; divisible MSCs × (1 − p_death) × p_div).
//!   Each count is a sum of independent binomials, so |observed − expected| must stay
//!   under 3.5 standard deviations.
//! - Chemotaxis: MSCs biased up the IL6 gradient end closer to the tumour centre (where IL6
//!   peaks) than unbiased ones, by more than 3.5 standard errors over replicate runs.
//! - Secretion: MSCs on every site of a closed (no-flux) grid, in IL6 held at a known level,
//!   reach the uniform steady CXCL7 of `s_CXCL7 · (b + H(IL6)) · β · m / (λ V)` within 1 %.

use seedsoil::config::{BoundaryKind, Config, InitKind, TherapyConfig, TherapyKind};
use seedsoil::engine::{Cytokines, Mscs};
use seedsoil::model::HierarchyRates;
use seedsoil::model::msc::Msc;
use seedsoil::sim::Simulation;
use seedsoil::space::Lattice;

/// The Liu 2011 set-up at a smaller size: a disc, MSCs injected on day 0.
fn config(seed: u64) -> Config {
    let mut c = Config::default();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.run.days = 20.0;
    c.space.max_size = 600;
    c.init.kind = InitKind::Disc;
    c.init.radius = 20.0;
    c.msc.pool = 0;
    c.msc.inject_count = 5000;
    c.msc.homing_per_day = 0.05;
    c.msc.death_per_day = 0.1;
    c
}

/// Runs `c` to its end, checking homing, deaths and divisions against the sums of their
/// per-step expectations (|z| < 3.5 each). Returns the homing counted in the steps where
/// IL6 signalling was lowered by a therapy, as (observed, expected were it not lowered,
/// variance of that).
fn check_msc_counts(c: &Config) -> [f64; 3] {
    let mut sim = Simulation::new(c).unwrap();
    let (p_death, p_div) = (sim.mscs.rates().p_death, sim.mscs.rates().p_div);
    let base_signal = 1.0 - c.signalling.il6_blockade;
    // (observed, expected, variance) for homing, deaths, divisions.
    let mut acc = [[0f64; 3]; 3];
    let mut lowered = [0f64; 3];
    while sim.stop_reason().is_none() {
        let pool_before: u64 = sim.mscs.pool().iter().sum();
        let before = sim.mscs.cells().to_vec();
        let e0 = sim.mscs.events();
        let injected_now = u64::from(sim.step_count() == 0) * c.msc.inject_count;
        sim.step();
        let e1 = sim.mscs.events();
        let homed = e1.homed - e0.homed;
        // Homing: each pool MSC (after the injection) with p_home at this step's IL6 output
        // and this step's IL6 signalling (the blockade, times 1 − efficacy while an
        // anti-IL6 therapy is on).
        let out = sim.cytokines.as_ref().unwrap().il6_output();
        let signal = sim.rates().il6_signal;
        let p_home = sim.mscs.rates().p_home(out, signal);
        let n = (pool_before + injected_now) as f64;
        acc[0][0] += homed as f64;
        acc[0][1] += n * p_home;
        acc[0][2] += n * p_home * (1.0 - p_home);
        if signal < base_signal {
            let p_free = sim.mscs.rates().p_home(out, base_signal);
            lowered[0] += homed as f64;
            lowered[1] += n * p_free;
            lowered[2] += n * p_free * (1.0 - p_free);
        }
        // Deaths: every MSC in the tumour after homing.
        let at_risk = (before.len() as u64 + homed) as f64;
        acc[1][0] += (e1.deaths - e0.deaths) as f64;
        acc[1][1] += at_risk * p_death;
        acc[1][2] += at_risk * p_death * (1.0 - p_death);
        // Divisions: MSCs able to divide (homed ones all can) that survive.
        let r = sim.mscs.rates();
        let divisible = (before.iter().filter(|m| r.can_divide(m)).count() as u64 + homed) as f64;
        let p = (1.0 - p_death) * p_div;
        acc[2][0] += (e1.divisions - e0.divisions) as f64;
        acc[2][1] += divisible * p;
        acc[2][2] += divisible * p * (1.0 - p);
    }
    for (name, [obs, exp, var]) in ["homing", "deaths", "divisions"].iter().zip(acc) {
        let z = (obs - exp) / var.sqrt();
        println!("{name}: observed {obs}, expected {exp:.1}, z = {z:.2}");
        assert!(exp > 100.0, "{name}: too few events to test ({exp})");
        assert!(z.abs() < 3.5, "{name}: z = {z}");
    }
    // ALDH− MSCs never exceed their capacity.
    let max = c.msc.max_divisions;
    assert!(sim.mscs.cells().iter().all(|m| m.divisions_left <= max));
    lowered
}

#[test]
fn homing_death_and_division_follow_their_probabilities() {
    let lowered = check_msc_counts(&config(3));
    assert_eq!(lowered, [0.0; 3], "no therapy, no lowered signalling");
}

#[test]
fn a_scheduled_anti_il6_therapy_lowers_homing_like_the_blockade() {
    // Anti-IL6 at efficacy 0.9 on days 2-12 of 20: homing in those steps follows
    // p_home_max · 0.1 · H(IL6_out) (checked with the other counts), and falls far below
    // what the same steps would give without it (more than 3.5 standard deviations).
    let mut c = config(4);
    let mut anti = TherapyConfig::new(TherapyKind::AntiIl6, 2.0);
    anti.duration_days = 10.0;
    anti.efficacy = Some(0.9);
    c.therapy = vec![anti];
    let [obs, free, var] = check_msc_counts(&c);
    let z = (obs - free) / var.sqrt();
    println!("homing under anti-IL6: {obs}, {free:.1} without it, z = {z:.1}");
    assert!(free > 100.0, "too few MSCs to test ({free})");
    assert!(z < -3.5, "anti-IL6 does not lower homing: z = {z}");
}

/// Mean distance of the MSCs from the domain centre at the end of a run.
fn mean_distance(chemotaxis: f64, seed: u64) -> f64 {
    let mut c = config(seed);
    c.msc.chemotaxis = chemotaxis;
    c.msc.motility_per_day = 12.0;
    let centre = (c.space.max_size / 2) as f64;
    let mut sim = Simulation::new(&c).unwrap();
    sim.run(&mut ());
    let cells = sim.mscs.cells();
    assert!(cells.len() > 50, "{} MSCs", cells.len());
    cells
        .iter()
        .map(|m| ((m.pos[0] as f64 - centre).powi(2) + (m.pos[1] as f64 - centre).powi(2)).sqrt())
        .sum::<f64>()
        / cells.len() as f64
}

#[test]
fn chemotaxis_brings_mscs_towards_the_il6_peak() {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let v = x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, v / n)
    };
    let seeds = 1..=4u64;
    let biased: Vec<f64> = seeds.clone().map(|s| mean_distance(1.0, s)).collect();
    let unbiased: Vec<f64> = seeds.map(|s| mean_distance(0.0, s)).collect();
    let (mb, vb) = stats(&biased);
    let (mu, vu) = stats(&unbiased);
    println!("mean distance from the centre: chemotaxis 1 {mb:.2}, chemotaxis 0 {mu:.2} sites");
    assert!(
        mu - mb > 3.5 * (vb + vu).sqrt(),
        "{biased:?} vs {unbiased:?}"
    );
}

/// Steady CXCL7 of MSCs on every site of a closed grid, in IL6 held at `il6`.
fn cxcl7_of_packed_mscs(aldh: bool, il6: f64) -> (f64, f64) {
    let mut cfg = Config::default();
    cfg.msc.pool = 0;
    // IL6 held uniform: no decay, no flux, filled with `il6` at the start.
    cfg.fields.il6.decay_per_h = 0.0;
    cfg.fields.il6.boundary = BoundaryKind::NoFlux;
    cfg.fields.il6.far_field_ng_ml = il6;
    cfg.fields.cxcl7.boundary = BoundaryKind::NoFlux;
    let mut lat = Lattice::new(2, 256, 256);
    let mut cy = Cytokines::new(&lat, &cfg.fields, cfg.space.spacing_um, 3600.0).unwrap();
    let mut mscs = Mscs::new(&cfg);
    for y in 0..256 {
        for x in 0..256 {
            mscs.insert(Msc {
                pos: [x, y, 0],
                aldh,
                divisions_left: 0,
            });
        }
    }
    let rates = HierarchyRates::from_config(&cfg);
    for _ in 0..48 {
        cy.count_cells(&mut lat);
        cy.advance(&cfg.fields, &rates, Some(mscs.secretion()));
    }
    let centre = cy.cxcl7.get([32, 32, 0]) as f64;
    let cx = &cfg.fields.cxcl7;
    let k = cfg.signalling.k_il6_ng_ml;
    let induction =
        (cfg.msc.basal_cxcl7 + il6 / (k + il6)) * if aldh { cfg.msc.aldh_boost } else { 1.0 };
    let steady = cx.secretion_per_msc * induction * cx.molecular_mass_kda * 1e3 / 6.022_140_76e23
        * 1e9
        / 1e-9
        / (cx.decay_per_h / 3600.0);
    (centre, steady)
}

#[test]
fn msc_cxcl7_secretion_reaches_its_analytic_steady_state() {
    for (aldh, il6) in [(false, 0.0), (false, 1.0), (true, 1.0), (true, 4.0)] {
        let (got, want) = cxcl7_of_packed_mscs(aldh, il6);
        println!("ALDH+ {aldh}, IL6 {il6} ng/mL: centre {got:.3}, analytic {want:.3} ng/mL");
        assert!((got / want - 1.0).abs() < 0.01, "{got} vs {want}");
    }
}
