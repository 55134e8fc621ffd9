//! Reproducibility (docs/architecture.md §3, docs/model.md §8.3): the same config and
//! seed give identical results whatever the number of worker threads. Runs with 1, 2 and 4
//! threads must agree exactly, at several steps, on the cell counts, the event counts, the
//! lattice window and every site byte of the lattice (kind code, listed flag and stamp); a
//! different seed must give a different tumour (so the comparison can fail).

mod common;

use std::path::PathBuf;

use seedsoil::config::{Config, InitKind, load};
use seedsoil::engine::{EventCounts, MscEvents};
use seedsoil::model::msc::Msc;
use seedsoil::sim::Simulation;

/// The full observable state of the primary tumour at one step.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    step: u64,
    counts: [u64; 3],
    events: EventCounts,
    origin: [i64; 3],
    side: [u32; 3],
    /// Every site byte of the lattice window.
    sites: Vec<u8>,
    /// Every MSC in the tumour (position, class, divisions left), the pool and MSC events.
    mscs: Vec<Msc>,
    msc_pool: [u64; 2],
    msc_events: MscEvents,
    /// Every IL6 and CXCL7 value, as bits.
    fields: Vec<u32>,
    /// The metastatic state: cascade counts, organs (HPCs, dormant cells, colony cells),
    /// the event log, the CTCs, and every colony's counts, events and site bytes.
    metastasis: String,
}

/// A text digest of the metastatic compartments (empty without dissemination).
fn metastasis_digest(sim: &Simulation) -> String {
    let Some(m) = &sim.metastasis else {
        return String::new();
    };
    let mut out = format!(
        "{:?}\nT {}\nCTCs {:?}\n",
        m.cascade(),
        m.tdsf().to_bits(),
        m.circulation()
    );
    for o in &m.organs {
        out += &format!(
            "{} H {} dormant {} cells {:?} niche {:?}\n",
            o.name, o.hpcs, o.dormant, o.cells, o.niche_formed_step
        );
    }
    for e in m.events() {
        out += &format!("{e:?}\n");
    }
    for c in m.colonies() {
        let lat = &c.tumour.lattice;
        // FNV-1a over every site byte.
        let hash = (0..lat.len()).fold(0xcbf2_9ce4_8422_2325u64, |h, s| {
            (h ^ lat.get(s) as u64).wrapping_mul(0x0100_0000_01b3)
        });
        out += &format!(
            "colony {} organ {} counts {:?} events {:?} window {:?}/{:?} sites {hash:016x}\n",
            c.id,
            c.organ,
            c.tumour.counts(),
            c.events(),
            lat.origin,
            [lat.side(0), lat.side(1), lat.side(2)],
        );
    }
    out
}

fn snapshot(sim: &Simulation) -> Snapshot {
    let lat = &sim.primary.lattice;
    Snapshot {
        step: sim.step_count(),
        counts: sim.primary.counts(),
        events: sim.primary.events(),
        origin: lat.origin,
        side: [lat.side(0) as u32, lat.side(1) as u32, lat.side(2) as u32],
        sites: (0..lat.len()).map(|s| lat.get(s)).collect(),
        mscs: sim.mscs.cells().to_vec(),
        msc_pool: sim.mscs.pool(),
        msc_events: sim.mscs.events(),
        fields: sim.cytokines.as_ref().map_or(Vec::new(), |c| {
            c.il6
                .values()
                .iter()
                .chain(c.cxcl7.values())
                .map(|v| v.to_bits())
                .collect()
        }),
        metastasis: metastasis_digest(sim),
    }
}

/// Runs `config` with `threads` worker threads and snapshots it at each of `checkpoints`.
fn run(config: &Config, threads: usize, checkpoints: &[u64]) -> Vec<Snapshot> {
    let mut c = config.clone();
    c.run.threads = threads;
    let mut sim = Simulation::new(&c).unwrap();
    let mut out = Vec::new();
    for &at in checkpoints {
        while sim.step_count() < at {
            sim.step();
        }
        out.push(snapshot(&sim));
    }
    sim.primary.check_invariants();
    out
}

/// Describes the first difference between two snapshots (rather than dumping megabytes).
fn first_difference(a: &Snapshot, b: &Snapshot) -> String {
    if a.counts != b.counts {
        return format!("counts {:?} vs {:?}", a.counts, b.counts);
    }
    if a.events != b.events {
        return format!("events {:?} vs {:?}", a.events, b.events);
    }
    if a.msc_events != b.msc_events || a.mscs != b.mscs || a.msc_pool != b.msc_pool {
        return format!(
            "MSCs: {:?} {} cells vs {:?} {} cells",
            a.msc_events,
            a.mscs.len(),
            b.msc_events,
            b.mscs.len()
        );
    }
    if a.fields != b.fields {
        return "cytokine field values".to_string();
    }
    if a.metastasis != b.metastasis {
        let line = a
            .metastasis
            .lines()
            .zip(b.metastasis.lines())
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("{:.200} vs {:.200}", x, y))
            .unwrap_or_else(|| "different lengths".to_string());
        return format!("metastasis: {line}");
    }
    if (a.origin, a.side) != (b.origin, b.side) {
        return format!(
            "window {:?}/{:?} vs {:?}/{:?}",
            a.origin, a.side, b.origin, b.side
        );
    }
    match a.sites.iter().zip(&b.sites).position(|(x, y)| x != y) {
        Some(i) => format!(
            "site {i}: byte {:#04x} vs {:#04x} ({} sites differ)",
            a.sites[i],
            b.sites[i],
            a.sites.iter().zip(&b.sites).filter(|(x, y)| x != y).count()
        ),
        None => "identical".to_string(),
    }
}

/// Asserts that 1, 2 and 4 threads give identical snapshots at every checkpoint, that the
/// tumour is non-trivial (at least `min_cells` at the end), and that another seed differs.
/// Returns the single-thread snapshots.
fn assert_thread_independent(name: &str, config: &Config, checkpoints: &[u64], min_cells: u64) {
    let reference = run(config, 1, checkpoints);
    let last = reference.last().unwrap();
    eprintln!(
        "{name}: {:?} cells at step {}, window 2^{:?}, {:?}, {} MSCs",
        last.counts,
        last.step,
        last.side,
        last.events,
        last.mscs.len()
    );
    assert!(
        last.counts.iter().sum::<u64>() >= min_cells,
        "{name}: only {:?} cells at step {}; the comparison would be weak",
        last.counts,
        last.step
    );
    if config.msc.inject_count > 0 {
        assert!(
            last.mscs.len() >= 20 && last.mscs.iter().any(|m| m.aldh),
            "{name}: only {} MSCs in the tumour; the comparison would be weak",
            last.mscs.len()
        );
    }
    for threads in [2, 4] {
        let other = run(config, threads, checkpoints);
        for (a, b) in reference.iter().zip(&other) {
            assert!(
                a == b,
                "{name}: 1 thread vs {threads} threads differ at step {}: {}",
                a.step,
                first_difference(a, b)
            );
        }
    }
    // The comparison can fail: another seed gives another tumour.
    let mut c = config.clone();
    c.run.seed = Some(config.run.seed.unwrap() + 1);
    let other_seed = run(&c, 2, checkpoints);
    let (a, b) = (last, other_seed.last().unwrap());
    assert!(
        a.sites != b.sites && (a.counts != b.counts || a.events != b.events),
        "{name}: seeds {} and {} gave the same result",
        config.run.seed.unwrap(),
        config.run.seed.unwrap() + 1
    );
}

#[test]
fn r0_2d_is_independent_of_threads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/reference-r0.toml");
    let mut c = load(Some(&path), &[]).expect("configs/reference-r0.toml loads");
    c.run.seed = Some(11);
    // Growth happens along the way (64 → 128 → 256 sites), so re-tiling is compared too.
    assert_thread_independent("R0 2D", &c, &[1, 100, 400, 700, 900], 2000);
}

#[test]
fn spheroid_3d_is_independent_of_threads() {
    let mut c = common::model_v1();
    c.run.seed = Some(12);
    // The hierarchy rules alone: no cytokine fields.
    c.fields.enabled = false;
    c.space.dims = 3;
    c.space.initial_size = 32;
    c.space.max_size = 300;
    c.cells.p_symmetric = 0.3;
    c.cells.death_at_division = 0.05;
    c.cells.migration_per_day = 15.0;
    c.cells.dedifferentiation_per_day = 0.0;
    assert_thread_independent("3D", &c, &[1, 150, 300, 450], 2000);
}

#[test]
fn rare_events_and_disc_are_independent_of_threads() {
    for dims in [2u8, 3] {
        let mut c = common::model_v1();
        c.run.seed = Some(13);
        c.space.dims = dims;
        // The disc must fit the initial window (see the report on seed_initial_cells).
        c.space.initial_size = if dims == 2 { 128 } else { 64 };
        c.space.max_size = if dims == 2 { 1000 } else { 200 };
        c.init.kind = InitKind::Disc;
        c.init.radius = if dims == 2 { 20.0 } else { 8.0 };
        c.init.csc_fraction = 0.05;
        c.cells.p_symmetric = 0.1;
        c.cells.death_at_division = 0.05;
        c.cells.migration_per_day = 10.0;
        c.cells.dedifferentiation_per_day = 0.05;
        c.cells.background_death_per_day = 0.2;
        c.cells.csc_death_per_day = 0.05;
        // Fields on: plasticity and p_s read IL6, so the coupling is compared too; MSCs
        // injected at the start home, move up the IL6 gradient, divide and secrete CXCL7.
        assert!(c.fields.enabled);
        c.msc.inject_count = 20_000;
        c.msc.inject_day = 0.0;
        let name = format!("{dims}D disc with rare events, fields and MSCs");
        // Dedifferentiation makes many CSCs: keep the 3D run short.
        let checkpoints: &[u64] = if dims == 2 {
            &[0, 1, 2, 50, 150, 250]
        } else {
            &[0, 1, 2, 50, 120]
        };
        assert_thread_independent(&name, &c, checkpoints, 1000);
    }
}

#[test]
fn metastasis_is_independent_of_threads() {
    for dims in [2u8, 3] {
        let mut c = common::model_v1();
        c.run.seed = Some(14);
        c.space.dims = dims;
        c.space.initial_size = if dims == 2 { 128 } else { 64 };
        c.space.max_size = if dims == 2 { 1000 } else { 200 };
        // A disc above the angiogenic switch sheds from the first step.
        c.init.kind = InitKind::Disc;
        c.init.radius = if dims == 2 { 45.0 } else { 12.0 };
        c.init.csc_fraction = 0.2;
        c.dissemination.min_primary_cells = 1000;
        // Shed and colonise a lot, so that hundreds of colonies step in parallel.
        c.dissemination.intravasation_per_day = if dims == 2 { 0.05 } else { 0.004 };
        c.dissemination.wake_per_day = if dims == 2 { 1e-3 } else { 2e-3 };
        c.dissemination.p_colonise = if dims == 2 { 0.3 } else { 0.05 };
        c.dissemination.colony_max_size = if dims == 2 { 500 } else { 100 };
        c.dissemination.colony_dedifferentiation_per_day = 0.01;
        c.dissemination.micrometastasis_cells = 8;
        c.dissemination.detect_cells = 50;
        assert!(c.fields.enabled && c.dissemination.enabled);
        let name = format!("{dims}D disc with dissemination, niches and colonies");
        let checkpoints: &[u64] = if dims == 2 {
            &[0, 1, 2, 60, 200, 300]
        } else {
            &[0, 1, 2, 60, 150]
        };
        let reference = run(&c, 1, &[*checkpoints.last().unwrap()]);
        let m = &reference[0].metastasis;
        let colonies = m.lines().filter(|l| l.starts_with("colony ")).count();
        eprintln!("{name}: {colonies} living colonies");
        let kinds = [
            "ColonyDetected",
            "ColonyExtinct",
            "DormancyExit",
            "NicheFormed",
        ];
        let missing: Vec<&str> = kinds.into_iter().filter(|k| !m.contains(k)).collect();
        assert!(
            colonies >= 100 && missing.is_empty(),
            "{name}: {colonies} colonies, no {missing:?} events; the comparison would be weak"
        );
        assert_thread_independent(&name, &c, checkpoints, 1000);
    }
}

#[test]
fn calibrated_default_is_independent_of_threads() {
    // The shipped default (model v2, calibrated) as it is, through day 25: the graft, fields,
    // MSC homing, shedding by mass from day ~18, niches and colonies.
    let mut c = Config::default();
    c.run.seed = Some(20261122);
    assert_thread_independent("calibrated default", &c, &[0, 1, 300, 450, 600], 5000);
}

#[test]
fn model_v2_rules_are_independent_of_threads() {
    // Every rule added for model v2 switched on: stemness loss, plasticity limited by ρ,
    // saturating mobilisation, solitary non-stem DTCs, avascular colonies with apoptosis and
    // the angiogenic switch, colony CSC death, and mass-based shedding from the exterior.
    let mut c = common::model_v1();
    c.run.seed = Some(15);
    c.space.initial_size = 128;
    c.space.max_size = 1000;
    c.init.kind = InitKind::Disc;
    c.init.radius = 45.0;
    c.init.csc_fraction = 0.2;
    c.cells.stemness_loss_per_day = 0.05;
    c.cells.dedifferentiation_min_rho = 5;
    c.niche.mobilisation = 0.0;
    c.niche.mobilisation_max = 200.0;
    c.niche.k_tdsf = 0.002;
    c.dissemination.min_primary_cells = 1000;
    c.dissemination.shed_per_cell_per_day = 0.05;
    c.dissemination.p_colonise = 0.3;
    c.dissemination.p_non_stem_clone = 0.3;
    c.dissemination.dtc_death_per_day = 0.1;
    c.dissemination.avascular_cells = 40;
    c.dissemination.switch_per_day = 0.05;
    c.dissemination.colony_csc_death_per_day = 0.05;
    c.dissemination.colony_max_size = 500;
    c.dissemination.micrometastasis_cells = 8;
    c.dissemination.detect_cells = 50;
    let checkpoints: &[u64] = &[0, 1, 2, 60, 200, 300];
    let reference = run(&c, 1, &[300]);
    let m = &reference[0].metastasis;
    let colonies = m.lines().filter(|l| l.starts_with("colony ")).count();
    eprintln!("model v2 rules: {colonies} living colonies");
    assert!(
        colonies >= 50 && m.contains("AngiogenicSwitch"),
        "{colonies} colonies; the comparison would be weak"
    );
    assert_thread_independent("model v2 rules", &c, checkpoints, 1000);
}

#[test]
fn systemic_scale_is_independent_of_threads() {
    // run.cells_per_agent = 20: the factor, the IL6 the bone marrow sees and both shedding
    // rules scaled (a rim agent sheds Binomial(20, 20 p / 20) cells and leaves with
    // probability c / 20; mass-based, each CTC takes its agent with probability 1/20),
    // with fields, MSC homing and colonies on.
    for mass_based in [false, true] {
        let mut c = common::model_v1();
        c.run.seed = Some(16);
        c.run.cells_per_agent = 20.0;
        c.space.initial_size = 128;
        c.space.max_size = 1000;
        c.init.kind = InitKind::Disc;
        c.init.radius = 35.0;
        c.init.csc_fraction = 0.2;
        c.msc.pool = 3000;
        c.msc.homing_per_day = 0.02;
        c.dissemination.min_primary_cells = 1000;
        if mass_based {
            c.dissemination.shed_per_cell_per_day = 0.0005;
        } else {
            c.dissemination.intravasation_per_day = 0.003;
        }
        c.dissemination.p_colonise = 0.3;
        c.dissemination.colony_max_size = 500;
        c.dissemination.micrometastasis_cells = 8;
        c.dissemination.detect_cells = 50;
        let name = format!(
            "κ = 20, {} shedding",
            if mass_based { "mass-based" } else { "rim" }
        );
        let checkpoints: &[u64] = &[0, 1, 2, 60, 150];
        let reference = run(&c, 1, &[150]);
        let m = &reference[0].metastasis;
        let colonies = m.lines().filter(|l| l.starts_with("colony ")).count();
        eprintln!(
            "{name}: {colonies} living colonies, {} MSCs",
            reference[0].mscs.len()
        );
        assert!(
            colonies >= 50 && reference[0].mscs.len() >= 20,
            "{name}: {colonies} colonies; the comparison would be weak"
        );
        assert_thread_independent(&name, &c, checkpoints, 1000);
    }
}

#[test]
fn debris_and_surgery_of_the_mass_are_independent_of_threads() {
    // Debris clearance with every kind of death (background, CSC, at division, chemo,
    // radiation) and a surgery of the mass with a random residual at the margin, with
    // mass-based shedding: 1, 2 and 4 threads give identical lattices and outputs.
    for dims in [2u8, 3] {
        let mut c = common::model_v1();
        c.run.seed = Some(16);
        c.space.dims = dims;
        c.space.initial_size = if dims == 2 { 128 } else { 64 };
        c.space.max_size = if dims == 2 { 1000 } else { 200 };
        c.init.kind = InitKind::Disc;
        c.init.radius = if dims == 2 { 45.0 } else { 8.0 };
        c.init.csc_fraction = 0.2;
        c.cells.background_death_per_day = 0.1;
        c.cells.csc_death_per_day = 0.05;
        c.cells.death_at_division = 0.05;
        c.cells.clearance_h = 36.0;
        c.dissemination.min_primary_cells = 500;
        c.dissemination.shed_per_cell_per_day = 0.01;
        let mut chemo =
            seedsoil::config::TherapyConfig::new(seedsoil::config::TherapyKind::Chemo, 2.0);
        chemo.duration_days = 1.0;
        let mut radiation =
            seedsoil::config::TherapyConfig::new(seedsoil::config::TherapyKind::Radiation, 4.0);
        radiation.dose_gy = Some(1.0);
        let mut surgery =
            seedsoil::config::TherapyConfig::new(seedsoil::config::TherapyKind::Surgery, 6.0);
        surgery.fraction = None;
        surgery.margin_sites = Some(2);
        surgery.residual_fraction = Some(0.5);
        c.therapy = vec![chemo, radiation, surgery];
        c.validate().unwrap();
        let name = format!("{dims}D debris and surgery of the mass");
        // Surgery at step 144; the last checkpoints follow the regrowth from the margin.
        let checkpoints: &[u64] = if dims == 2 {
            &[0, 1, 60, 100, 145, 200, 260]
        } else {
            &[0, 1, 60, 100, 145, 170]
        };
        assert_thread_independent(&name, &c, checkpoints, 200);
    }
}
