//! The rules of dissemination, colonisation, dormancy and the niche
//! (docs/model.md §7.12–7.15), each checked against its per-step probability or analytic
//! solution. Statistical checks use fixed seeds and a tolerance of 3.5 standard errors
//! (|z| < 3.5).

mod common;

use seedsoil::config::Config;
use seedsoil::metastasis::Colony;
use seedsoil::model::kind::{STEM, class_index, progenitor};
use seedsoil::sim::Simulation;
use seedsoil::space::exterior;

/// z-score of a count against the sum of independent Bernoulli expectations.
fn z(count: f64, mean: f64, var: f64) -> f64 {
    (count - mean) / var.sqrt()
}

/// z-score of a count against Binomial(n, p).
fn z_binomial(count: f64, n: f64, p: f64) -> f64 {
    z(count, n * p, n * p * (1.0 - p))
}

/// A simulation whose primary holds a single cell (below the angiogenic switch: it never
/// sheds), so the metastatic compartments can be driven directly.
fn quiet(config: &Config) -> Simulation {
    let mut c = config.clone();
    c.run.seed.get_or_insert(5);
    c.run.threads = 1;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.validate().expect("valid test config");
    Simulation::new(&c).unwrap()
}

#[test]
fn ctc_survival_follows_the_half_life() {
    // No arrest: CTCs only die, each surviving a step with 2^(−dt/t½).
    let mut c = common::model_v1();
    c.dissemination.arrest_per_h = 0.0;
    c.dissemination.ctc_half_life_h = 1.5;
    let mut sim = quiet(&c);
    let n = 40_000u64;
    let met = sim.metastasis.as_mut().unwrap();
    met.inject_ctcs(&vec![progenitor(3); n as usize]);
    for step in 1..=8u64 {
        met.disseminate(&mut sim.primary, step);
        let alive = met.circulation().len() as f64;
        let p = 0.5f64.powf(step as f64 / 1.5);
        let zz = z_binomial(alive, n as f64, p);
        eprintln!(
            "after {step} h: {alive} alive, expected {:.1}, z = {zz:.2}",
            n as f64 * p
        );
        assert!(zz.abs() < 3.5, "step {step}: z = {zz}");
    }
    assert_eq!(met.cascade().arrested, 0);
    // Power: a half-life of 1.2 h would be rejected.
    let p_wrong = 0.5f64.powf(8.0 / 1.2);
    let alive = met.circulation().len() as f64;
    assert!(z_binomial(alive, n as f64, p_wrong).abs() > 3.5);
}

#[test]
fn arrest_competes_with_death_and_follows_arrival_weights() {
    let mut c = common::model_v1();
    c.dissemination.arrest_per_h = 0.5;
    c.dissemination.extravasation = 0.8;
    // Non-stem CTCs found colonies that this test never steps; CSC fates are tested below.
    let mut sim = quiet(&c);
    let n = 20_000u64;
    let met = sim.metastasis.as_mut().unwrap();
    met.inject_ctcs(&vec![progenitor(0); n as usize]);
    for step in 1..=60 {
        met.disseminate(&mut sim.primary, step);
    }
    assert!(met.circulation().is_empty());
    let cas = met.cascade();
    let lambda = std::f64::consts::LN_2 / 1.5;
    let p_arrest = 0.5 / (0.5 + lambda);
    let zz = z_binomial(cas.arrested as f64, n as f64, p_arrest);
    eprintln!(
        "arrested {} of {n} (expected share {p_arrest:.4}), z = {zz:.2}",
        cas.arrested
    );
    assert!(zz.abs() < 3.5);
    assert_eq!(cas.arrested + cas.ctc_deaths, n);
    // Extravasation: 0.8 of the arrested.
    let a = cas.arrested as f64;
    let ze = z_binomial(cas.extravasated as f64, a, 0.8);
    eprintln!("extravasated {} of {a}, z = {ze:.2}", cas.extravasated);
    assert!(ze.abs() < 3.5);
    // Organs by arrival weight.
    let total: f64 = c.organs.values().map(|o| o.arrival_weight).sum();
    for o in &met.organs {
        let p = c.organs[&o.name].arrival_weight / total;
        let zo = z_binomial(o.arrested as f64, a, p);
        eprintln!(
            "{}: {} arrests, expected {:.1}, z = {zo:.2}",
            o.name,
            o.arrested,
            a * p
        );
        assert!(zo.abs() < 3.5, "{}", o.name);
    }
    // Every non-stem DTC founds a colony (that will die out).
    assert_eq!(cas.non_stem_colonies, cas.extravasated);
    assert_eq!(cas.dormant_entered, 0);
}

/// CSC DTCs: colonise with p_colonise · (1 + g · N_o), else dormant; in organs whose niche
/// is set to `hpcs`.
fn csc_fates(hpcs: u64) -> (u64, u64, f64) {
    let mut c = common::model_v1();
    // Arrest at once and always extravasate, so every CTC is a DTC after one step.
    c.dissemination.arrest_per_h = 1.0;
    c.dissemination.ctc_half_life_h = 1e6;
    c.dissemination.extravasation = 1.0;
    c.dissemination.p_colonise = 0.01;
    c.niche.mobilisation = 0.0;
    c.niche.hpc_loss_per_day = 0.0;
    let mut sim = quiet(&c);
    let met = sim.metastasis.as_mut().unwrap();
    for o in &mut met.organs {
        o.hpcs = hpcs;
    }
    let n = 6_000u64;
    met.inject_ctcs(&vec![STEM; n as usize]);
    let mut expected = 0.0;
    let mut var = 0.0;
    for step in 1..=40 {
        let before = met.circulation().len() as f64;
        // Each leaving CTC picks an organ by weight; all organs share one niche level here.
        let p_leave = 1.0 - (-(1.0 + std::f64::consts::LN_2 / 1e6)).exp();
        let p = met.p_colonise(0);
        let share = 1.0 / (1.0 + std::f64::consts::LN_2 / 1e6);
        expected += before * p_leave * share * p;
        var += before * p_leave * share * p * (1.0 - p * p_leave * share);
        met.disseminate(&mut sim.primary, step);
    }
    let cas = met.cascade();
    // Colonies founded by DTCs (not by dormant cells that woke meanwhile).
    let founded = cas.csc_colonies - cas.woke;
    assert_eq!(
        founded + cas.dormant_entered + cas.ctc_deaths,
        n - met.circulation().len() as u64
    );
    let zz = z(founded as f64, expected, var);
    eprintln!(
        "H = {hpcs}: {} colonies, {} dormant, expected {expected:.1} colonies, z = {zz:.2}",
        founded, cas.dormant_entered
    );
    assert!(zz.abs() < 3.5, "H = {hpcs}: z = {zz}");
    (founded, cas.dormant_entered, met.p_colonise(0))
}

#[test]
fn csc_dtcs_colonise_more_in_a_niche() {
    let (none, _, p0) = csc_fates(0);
    let (niche, _, p1) = csc_fates(500);
    // N = 500² / (50² + 500²) = 0.990; p = 0.01 · (1 + 10 · 0.990).
    assert!((p0 - 0.01).abs() < 1e-12);
    assert!((p1 - 0.01 * (1.0 + 10.0 * 250_000.0 / 252_500.0)).abs() < 1e-12);
    assert!(niche > 5 * none, "{niche} vs {none}");
}

/// Dormant CSCs in every organ set to `hpcs` HPCs wake over `steps` steps: returns
/// (woken, expected, variance).
fn wake(hpcs: u64, steps: u64) -> (u64, f64, f64) {
    let mut c = common::model_v1();
    c.dissemination.wake_per_day = 1e-3;
    c.niche.mobilisation = 0.0;
    c.niche.hpc_loss_per_day = 0.0;
    let mut sim = quiet(&c);
    let met = sim.metastasis.as_mut().unwrap();
    for o in &mut met.organs {
        o.hpcs = hpcs;
        o.dormant = 5_000;
    }
    let (mut expected, mut var) = (0.0, 0.0);
    for step in 1..=steps {
        for (i, o) in met.organs.iter().enumerate() {
            let p = met.p_wake(i);
            expected += o.dormant as f64 * p;
            var += o.dormant as f64 * p * (1.0 - p);
        }
        met.disseminate(&mut sim.primary, step);
    }
    let woke = met.cascade().woke;
    // Each woken cell founded a CSC colony and left the dormant pool.
    assert_eq!(met.cascade().csc_colonies, woke);
    assert_eq!(
        met.organs.iter().map(|o| o.dormant).sum::<u64>(),
        20_000 - woke
    );
    (woke, expected, var)
}

#[test]
fn dormant_cells_wake_faster_in_a_formed_niche() {
    let steps = 24 * 10;
    let (none, e0, v0) = wake(0, steps);
    let (niche, e1, v1) = wake(500, steps);
    let (z0, z1) = (z(none as f64, e0, v0), z(niche as f64, e1, v1));
    eprintln!(
        "woken in 10 days: {none} without a niche (expected {e0:.1}, z = {z0:.2}), {niche} in a formed niche (expected {e1:.1}, z = {z1:.2})"
    );
    assert!(z0.abs() < 3.5 && z1.abs() < 3.5);
    // 1e-3/day · 20,000 cells · 10 days = 200 without a niche; × 10.9 in it.
    assert!((e0 - 200.0).abs() < 2.0, "{e0}");
    let ratio = niche as f64 / none as f64;
    assert!(ratio > 8.0 && ratio < 14.0, "ratio {ratio}");
}

#[test]
fn a_colony_seeded_by_a_non_stem_cell_always_dies_out() {
    let c = common::model_v1();
    let sim = quiet(&c);
    let rates = sim.metastasis.as_ref().unwrap().colony_rates().clone();
    let rho_max = c.cells.rho_max;
    let mut id = 0;
    for rho in 0..=rho_max {
        for _ in 0..20 {
            id += 1;
            let mut colony = Colony::new(3, id, 0, progenitor(rho), 0, 2, 400);
            let mut step = 0;
            while colony.total() > 0 {
                colony.step(
                    &rates,
                    step,
                    seedsoil::metastasis::Avascular {
                        cells: 0,
                        p_switch: 0.0,
                    },
                );
                step += 1;
                assert!(
                    colony.total() <= 1 << rho,
                    "a Progenitor({rho}) clone exceeded 2^{rho} cells"
                );
                assert!(
                    step < 24 * 365,
                    "a Progenitor({rho}) clone still lives after a year"
                );
                assert_eq!(colony.tumour.counts()[class_index(STEM)], 0);
            }
        }
    }
    // Power: with the primary's plasticity in colonies some Progenitor(ρmax) clones turn
    // stem and keep growing.
    let mut c2 = common::model_v1();
    c2.dissemination.colony_dedifferentiation_per_day = 0.004;
    let sim2 = quiet(&c2);
    let rates2 = sim2.metastasis.as_ref().unwrap().colony_rates().clone();
    let mut lasting = 0;
    for k in 0..20 {
        let mut colony = Colony::new(4, 1000 + k, 0, progenitor(rho_max), 0, 2, 400);
        for step in 0..24 * 60 {
            colony.step(
                &rates2,
                step,
                seedsoil::metastasis::Avascular {
                    cells: 0,
                    p_switch: 0.0,
                },
            );
        }
        if colony.tumour.counts()[0] > 0 {
            lasting += 1;
        }
    }
    eprintln!(
        "with plasticity 0.004/day in colonies, {lasting} of 20 Progenitor({rho_max}) clones hold CSCs after 60 days"
    );
    assert!(lasting > 0);
}

#[test]
fn niche_follows_its_analytic_steady_state() {
    // A primary of constant size N: T → s N / k exactly (the update is the exact solution
    // of dT/dt = s N − k T over a step). HPCs in organ o: each step a share
    // q = 1 − exp(−ℓ dt) is lost, then a Poisson number with mean I = m T dt (w_o / Σw)
    // arrives, so the mean after a step settles at I / q (≈ m T (w_o / Σw) / ℓ).
    let c = common::model_v1();
    let mut sim = quiet(&c);
    let n_cells = 20_000u64;
    let met = sim.metastasis.as_mut().unwrap();
    let (s, k) = (1e-6, 1.0);
    let mut sums = vec![0.0; met.organs.len()];
    let steps = 24 * 200;
    let burn = 24 * 40;
    for step in 1..=steps {
        met.update_niches(n_cells, step);
        let t = step as f64 / 24.0;
        let exact = s * n_cells as f64 / k * (1.0 - (-k * t).exp());
        assert!(
            (met.tdsf() - exact).abs() < 1e-12 * exact.max(1e-12),
            "T at step {step}"
        );
        if step > burn {
            for (i, o) in met.organs.iter().enumerate() {
                sums[i] += o.hpcs as f64;
            }
        }
    }
    let w_total: f64 = c.organs.values().map(|o| o.hpc_homing_weight).sum();
    for (i, o) in met.organs.iter().enumerate() {
        let w = c.organs[&o.name].hpc_homing_weight / w_total;
        let dt_days = 1.0 / 24.0;
        let inflow = 1e5 * s * n_cells as f64 / k * dt_days * w;
        let expected = inflow / (1.0 - (-0.2 * dt_days).exp());
        let mean = sums[i] / (steps - burn) as f64;
        // Time average of an immigration–death count (variance = mean), correlated over
        // 1/ℓ = 5 days: 160 days hold 160 · ℓ / 2 = 16 independent samples.
        let se = (expected / 16.0).sqrt();
        eprintln!(
            "{}: mean HPCs {mean:.1}, steady state {expected:.1} (± {se:.1})",
            o.name
        );
        assert!(((mean - expected) / se).abs() < 3.5, "{}", o.name);
        assert!(o.niche_formed && met.niche_level(i) > 0.5);
    }
}

#[test]
fn intravasation_follows_the_rim_rate() {
    // A disc above the angiogenic switch, held still (the primary is not stepped): each rim
    // cell enters the blood with p_i per step, CSCs with csc_factor · p_i.
    let mut c = common::model_v1();
    c.run.seed = Some(9);
    c.run.threads = 1;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.space.initial_size = 256;
    c.init.kind = seedsoil::config::InitKind::Disc;
    c.init.radius = 50.0;
    c.init.csc_fraction = 0.3;
    c.dissemination.intravasation_per_day = 0.5;
    c.dissemination.csc_factor = 5.0;
    // Shed however small the disc gets (it loses about half its cells here).
    c.dissemination.min_primary_cells = 0;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let p = 0.5 / 24.0;
    let (mut expected, mut var) = ([0.0f64; 2], [0.0f64; 2]);
    for step in 0..200 {
        for site in sim.primary.listed_sites() {
            if sim.primary.is_rim(site) {
                let stem = sim.primary.lattice.code(site) == STEM;
                let q = if stem { 5.0 * p } else { p };
                expected[!stem as usize] += q;
                var[!stem as usize] += q * (1.0 - q);
            }
        }
        let met = sim.metastasis.as_mut().unwrap();
        met.disseminate(&mut sim.primary, step);
        sim.primary.check_invariants();
    }
    let cas = sim.metastasis.as_ref().unwrap().cascade();
    let got = [
        cas.intravasated[0],
        cas.intravasated[1] + cas.intravasated[2],
    ];
    for (i, name) in ["CSC", "non-stem"].iter().enumerate() {
        let zz = z(got[i] as f64, expected[i], var[i]);
        eprintln!(
            "{name}: {} intravasated, expected {:.1}, z = {zz:.2}",
            got[i], expected[i]
        );
        assert!(zz.abs() < 3.5, "{name}");
    }
    assert_eq!(sim.primary.events().removed, got[0] + got[1]);
    // Below the switch nothing is shed.
    let mut c2 = c.clone();
    c2.dissemination.min_primary_cells = 1_000_000;
    c2.validate().unwrap();
    let mut sim2 = Simulation::new(&c2).unwrap();
    for step in 0..50 {
        let met = sim2.metastasis.as_mut().unwrap();
        met.disseminate(&mut sim2.primary, step);
    }
    assert_eq!(
        sim2.metastasis.as_ref().unwrap().cascade().intravasated,
        [0; 3]
    );
}

#[test]
fn saturating_mobilisation_plateaus_at_its_analytic_steady_state() {
    // Model v2: mobilisation mob_max · T / (K_T + T) per day (the linear part off). With a
    // primary of constant size N, T → s N / k, and organ o's HPCs settle at I / q with
    // I = mob_max · T / (K_T + T) · dt · w_o / Σw and q = 1 − exp(−ℓ dt). Two sizes 4×
    // apart, both far above K_T: the plateau barely moves (a linear law would quadruple).
    let mut c = common::model_v1();
    c.run.seed = Some(21);
    c.niche.mobilisation = 0.0;
    c.niche.mobilisation_max = 200.0;
    c.niche.k_tdsf = 0.002;
    c.validate().unwrap();
    let w_total: f64 = c.organs.values().map(|o| o.hpc_homing_weight).sum();
    let (s, k, dt_days) = (1e-6, 1.0, 1.0 / 24.0);
    let mut plateau = Vec::new();
    for n_cells in [20_000u64, 80_000] {
        let mut sim = quiet(&c);
        let met = sim.metastasis.as_mut().unwrap();
        let mut sums = vec![0.0; met.organs.len()];
        let (steps, burn) = (24 * 200, 24 * 40);
        for step in 1..=steps {
            met.update_niches(n_cells, step);
            if step > burn {
                for (i, o) in met.organs.iter().enumerate() {
                    sums[i] += o.hpcs as f64;
                }
            }
        }
        let t = s * n_cells as f64 / k;
        let mut lung = 0.0;
        for (i, o) in met.organs.iter().enumerate() {
            let w = c.organs[&o.name].hpc_homing_weight / w_total;
            let inflow = 200.0 * t / (0.002 + t) * dt_days * w;
            let expected = inflow / (1.0 - (-0.2 * dt_days).exp());
            let mean = sums[i] / (steps - burn) as f64;
            let se = (expected / 16.0).sqrt();
            eprintln!(
                "N = {n_cells} {}: mean HPCs {mean:.1}, steady state {expected:.1} (± {se:.1})",
                o.name
            );
            assert!(((mean - expected) / se).abs() < 3.5, "{}", o.name);
            if o.name == "lung" {
                lung = mean;
                // Power: the linear law with the same initial slope would be far off.
                let linear = 200.0 / 0.002 * t * dt_days * w / (1.0 - (-0.2 * dt_days).exp());
                assert!(((mean - linear) / se).abs() > 3.5);
            }
        }
        plateau.push(lung);
    }
    assert!(plateau[1] / plateau[0] < 1.2, "plateau {plateau:?}");
}

#[test]
fn non_stem_dtcs_clone_or_stay_solitary_and_solitary_cells_die_at_their_rate() {
    // Model v2: an extravasated non-stem DTC starts a clone with p_nc, else it stays a
    // solitary dormant cell, which dies at δ per day. Non-stem CTCs arrest at once (as in
    // csc_fates), so the clones are Binomial(extravasated, p_nc); then, with no more
    // arrivals, the solitary pool decays as Binomial(N, (1 − δ dt)^T).
    let mut c = common::model_v1();
    c.dissemination.arrest_per_h = 1.0;
    c.dissemination.ctc_half_life_h = 1e6;
    c.dissemination.p_non_stem_clone = 0.3;
    c.dissemination.dtc_death_per_day = 0.1;
    c.niche.mobilisation = 0.0;
    let mut sim = quiet(&c);
    let met = sim.metastasis.as_mut().unwrap();
    let n = 8_000usize;
    met.inject_ctcs(&vec![progenitor(4); n]);
    let p_death = 0.1 / 24.0;
    let (mut dead_expected, mut dead_var) = (0.0, 0.0);
    for step in 1..=240 {
        let solitary: u64 = met.organs.iter().map(|o| o.dormant_non_stem).sum();
        // Deaths act after the step's circulation: on the pool before the step plus the
        // cells that entered it in this step.
        let entered_before = met.cascade().dormant_non_stem_entered;
        met.disseminate(&mut sim.primary, step);
        let entered = met.cascade().dormant_non_stem_entered - entered_before;
        let exposed = (solitary + entered) as f64;
        dead_expected += exposed * p_death;
        dead_var += exposed * p_death * (1.0 - p_death);
    }
    let cas = met.cascade();
    assert!(met.circulation().len() < 10);
    let extravasated = cas.extravasated as f64;
    // Every extravasated non-stem DTC either cloned or stayed solitary (exact).
    assert_eq!(
        cas.non_stem_colonies + cas.dormant_non_stem_entered,
        cas.extravasated
    );
    let zc = z(
        cas.non_stem_colonies as f64,
        0.3 * extravasated,
        0.21 * extravasated,
    );
    let zd = z(cas.dtc_deaths as f64, dead_expected, dead_var);
    eprintln!(
        "{} DTCs: {} clones (expected {:.1}, z = {zc:.2}), {} solitary, {} died (expected {dead_expected:.1}, z = {zd:.2})",
        cas.extravasated,
        cas.non_stem_colonies,
        0.3 * extravasated,
        cas.dormant_non_stem_entered,
        cas.dtc_deaths
    );
    assert!(zc.abs() < 3.5 && zd.abs() < 3.5);
    // Exact: the solitary pool is what entered minus what died.
    let solitary: u64 = met.organs.iter().map(|o| o.dormant_non_stem).sum();
    assert_eq!(solitary, cas.dormant_non_stem_entered - cas.dtc_deaths);
    // Power: every DTC cloning (today's default) and no deaths are both rejected.
    assert!(z(cas.non_stem_colonies as f64, extravasated, 1.0).abs() > 3.5);
    assert!(cas.dtc_deaths > 100);
}

/// Colonies founded by `n` CSC DTCs (every one colonises), stepped `days` days with the
/// avascular limit `cells` and switch rate `switch`, CSC death `csc_death` in colonies.
/// Returns the metastasis state and (switch draws expected, variance).
fn avascular_colonies(
    n: usize,
    days: u64,
    cells: u64,
    switch: f64,
    csc_death: f64,
    seed: u64,
) -> (seedsoil::metastasis::Metastasis, f64, f64) {
    let mut c = common::model_v1();
    c.run.seed = Some(seed);
    c.dissemination.arrest_per_h = 1.0;
    c.dissemination.ctc_half_life_h = 1e6;
    c.dissemination.extravasation = 1.0;
    c.dissemination.p_colonise = 1.0;
    c.dissemination.avascular_cells = cells;
    c.dissemination.switch_per_day = switch;
    c.dissemination.colony_csc_death_per_day = csc_death;
    c.niche.mobilisation = 0.0;
    // No death at division: a colony at the limit stays there until it switches.
    c.cells.death_at_division = 0.0;
    let mut sim = quiet(&c);
    let mut met = sim.metastasis.take().unwrap();
    met.inject_ctcs(&vec![STEM; n]);
    met.disseminate(&mut sim.primary, 0);
    let p = switch / 24.0;
    let (mut expected, mut var) = (0.0, 0.0);
    for step in 1..=days * 24 {
        let before: std::collections::HashMap<u64, bool> =
            met.colonies().iter().map(|c| (c.id, c.vascular)).collect();
        met.step_colonies(step, false);
        for col in met.colonies() {
            assert!(
                col.vascular || col.total() <= cells,
                "an avascular colony above the limit"
            );
            // Colonies that met the limit this step (and so drew the switch).
            if before.get(&col.id) == Some(&false) && (col.vascular || col.total() >= cells) {
                expected += p;
                var += p * (1.0 - p);
            }
        }
    }
    (met, expected, var)
}

#[test]
fn avascular_colonies_turn_over_at_their_limit_and_switch_at_their_rate() {
    // Model v2, angiogenic dormancy (Holmgren 1995): at most `avascular_cells` cells until
    // the switch; births beyond the limit balanced by apoptosis; the switch drawn with
    // p = switch · dt per step at the limit (no niche here).
    let (met, expected, var) = avascular_colonies(300, 40, 100, 0.05, 0.0, 31);
    let cas = met.cascade();
    let zz = z(cas.angiogenic_switches as f64, expected, var);
    let at_limit = met
        .colonies()
        .iter()
        .filter(|c| !c.vascular && c.total() == 100)
        .count();
    let deaths: u64 = met.colonies().iter().map(|c| c.events().deaths).sum();
    eprintln!(
        "{} switches (expected {expected:.1}, z = {zz:.2}); {at_limit} colonies at the limit, {deaths} apoptoses",
        cas.angiogenic_switches
    );
    assert!(zz.abs() < 3.5, "z = {zz}");
    assert!(
        at_limit >= 20 && deaths > 10_000,
        "turnover at the limit: {at_limit}, {deaths}"
    );
    // Every switched colony is vascular and only those grew past the limit (exact).
    let vascular = met.colonies().iter().filter(|c| c.vascular).count() as u64;
    assert_eq!(vascular, cas.angiogenic_switches);
    // Power: twice the switch rate is rejected.
    assert!(z(cas.angiogenic_switches as f64, 2.0 * expected, 2.0 * var).abs() > 3.5);
}

#[test]
fn csc_colonies_regress_only_with_colony_csc_death() {
    // With CSC death in colonies, dormant CSC colonies at their avascular limit can lose
    // every CSC and die out (their progenitors exhaust); without it none dies out.
    let (kept, _, _) = avascular_colonies(100, 60, 50, 0.0, 0.0, 32);
    let (regress, _, _) = avascular_colonies(100, 60, 50, 0.0, 0.2, 32);
    let csc_free = |m: &seedsoil::metastasis::Metastasis| {
        m.colonies()
            .iter()
            .filter(|c| c.tumour.counts()[0] == 0)
            .count() as u64
            + m.cascade().extinct
    };
    eprintln!(
        "CSC-free or extinct colonies: {} without colony CSC death, {} with 0.2/day",
        csc_free(&kept),
        csc_free(&regress)
    );
    assert_eq!(kept.cascade().extinct, 0);
    assert_eq!(csc_free(&kept), 0);
    assert!(csc_free(&regress) > 50, "{}", csc_free(&regress));
}

/// A still disc of radius 50 (30 % CSCs) with a hole of radius 6 punched in its centre,
/// and the sites of the cells that entered the blood over `steps` steps with `c`'s
/// shedding rule; also (expected shed, variance) for mass-based shedding.
fn shed_from_a_holed_disc(c: &Config, steps: u64) -> (Vec<[i64; 3]>, [i64; 3], f64, u64, f64) {
    let mut sim = Simulation::new(c).unwrap();
    let centre = {
        let sites = sim.primary.cell_sites();
        let n = sites.len() as i64;
        let mut m = [0i64; 3];
        for &s in &sites {
            let d = sim.primary.lattice.domain_coords(s);
            for a in 0..3 {
                m[a] += d[a];
            }
        }
        [m[0] / n, m[1] / n, m[2] / n]
    };
    let dist2 = |d: [i64; 3]| (d[0] - centre[0]).pow(2) + (d[1] - centre[1]).pow(2);
    for s in sim.primary.cell_sites() {
        if dist2(sim.primary.lattice.domain_coords(s)) <= 36 {
            sim.primary.kill_cell(s);
        }
    }
    let p = c.dissemination.shed_per_cell_per_day / 24.0;
    let f = c.dissemination.csc_factor;
    let (mut expected, mut csc_expected) = (0.0, 0.0);
    let mut removed = Vec::new();
    for step in 0..steps {
        let before: std::collections::BTreeSet<usize> =
            sim.primary.cell_sites().into_iter().collect();
        expected += p * before.len() as f64;
        // The exterior rim's composition at the step's start: each shed cell is a CSC
        // with probability f·c / (f·c + n).
        let lat = &sim.primary.lattice;
        let ext = exterior::exterior(lat);
        let (mut rc, mut rn) = (0.0, 0.0);
        for &s in &before {
            if exterior::on_exterior_rim(lat, &ext, s) {
                if lat.code(s) == STEM {
                    rc += 1.0;
                } else {
                    rn += 1.0;
                }
            }
        }
        let met = sim.metastasis.as_mut().unwrap();
        met.disseminate(&mut sim.primary, step);
        sim.primary.check_invariants();
        let after: std::collections::BTreeSet<usize> =
            sim.primary.cell_sites().into_iter().collect();
        let k = before.difference(&after).count() as f64;
        csc_expected += k * f * rc / (f * rc + rn);
        for s in before.difference(&after) {
            removed.push(sim.primary.lattice.domain_coords(*s));
        }
    }
    let cas = sim.metastasis.as_ref().unwrap().cascade();
    (removed, centre, expected, cas.intravasated[0], csc_expected)
}

#[test]
fn mass_based_shedding_follows_the_tumour_mass_from_its_exterior_rim_only() {
    // Model v2 (Butler & Gullino 1975): a Poisson number with mean shed · N · dt per step,
    // drawn among cells next to the exterior; cells next to a hole left inside the tumour
    // never shed. The old per-rim-cell rule sheds from the hole's edge (the power check).
    let mut c = common::model_v1();
    c.run.seed = Some(41);
    c.run.threads = 1;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.space.initial_size = 256;
    c.init.kind = seedsoil::config::InitKind::Disc;
    c.init.radius = 50.0;
    c.init.csc_fraction = 0.3;
    c.dissemination.min_primary_cells = 0;
    c.dissemination.csc_factor = 5.0;
    c.dissemination.shed_per_cell_per_day = 0.05;
    c.validate().unwrap();
    let (removed, centre, expected, csc, csc_expected) = shed_from_a_holed_disc(&c, 48);
    let got = removed.len() as f64;
    let zz = z(got, expected, expected);
    let near_hole = |r: &[[i64; 3]]| {
        r.iter()
            .filter(|d| (d[0] - centre[0]).pow(2) + (d[1] - centre[1]).pow(2) <= 144)
            .count()
    };
    eprintln!(
        "{got} shed (expected {expected:.1}, z = {zz:.2}), {csc} CSCs; {} next to the hole",
        near_hole(&removed)
    );
    assert!(zz.abs() < 3.5, "z = {zz}");
    assert_eq!(near_hole(&removed), 0, "a hole is not exterior");
    // CSCs weighted 5× on the exterior rim (binomial given the shed counts).
    let q = csc_expected / got;
    let zc = z(csc as f64, csc_expected, got * q * (1.0 - q));
    eprintln!("{csc} CSCs shed, expected {csc_expected:.1} (z = {zc:.2})");
    assert!(zc.abs() < 3.5, "CSC weighting z = {zc}");
    // Power: the per-rim-cell rule sheds from the hole's edge.
    let mut old = c.clone();
    old.dissemination.shed_per_cell_per_day = 0.0;
    old.dissemination.intravasation_per_day = 2.0;
    let (removed_old, ..) = shed_from_a_holed_disc(&old, 48);
    assert!(near_hole(&removed_old) > 0);
}
