//! One declared scale for systemic coupling: `run.cells_per_agent` = κ, the real cells one
//! agent of the primary stands for. κ multiplies the primary's systemic outputs — the
//! tumour-derived factor, the cancer cells' IL6 output seen by the bone marrow and the
//! cells shed into the blood — and nothing else: each shed cell is one CTC, systemic
//! counts are single cells, local rules are untouched, and κ = 1 reproduces the outputs of
//! the code from before the key existed byte for byte.
//!
//! Statistical checks use fixed seeds and a tolerance of 3.5 standard errors (|z| < 3.5),
//! each with a power check (the unscaled rate is rejected).

mod common;

use seedsoil::config::{self, Config, InitKind};
use seedsoil::metastasis::Metastasis;
use seedsoil::model::hierarchy::hill;
use seedsoil::model::kind::STEM;
use seedsoil::sim::Simulation;
use seedsoil::space::exterior;

fn z(count: f64, mean: f64, var: f64) -> f64 {
    (count - mean) / var.sqrt()
}

/// A full, contact-inhibited disc of radius 50 (30 % CSCs) above the angiogenic switch,
/// without fields or MSCs; its CTCs never arrest (they only die), so no colonies.
fn still_disc(seed: u64, kappa: f64) -> Config {
    let mut c = common::model_v1();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.run.cells_per_agent = kappa;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.space.initial_size = 256;
    c.init.kind = InitKind::Disc;
    c.init.radius = 50.0;
    c.init.csc_fraction = 0.3;
    c.dissemination.min_primary_cells = 0;
    c.dissemination.csc_factor = 5.0;
    c.dissemination.arrest_per_h = 0.0;
    c
}

fn shed_total(sim: &Simulation) -> u64 {
    sim.metastasis
        .as_ref()
        .unwrap()
        .cascade()
        .intravasated
        .iter()
        .sum()
}

#[test]
fn tumour_factor_follows_its_ode_with_kappa_times_the_primary() {
    // dT/dt = s κ N − c T, N constant over a step: T ← T e^(−c dt) + (s κ N / c)(1 − e^(−c dt)),
    // along a growing, shedding primary whose size N (agents) is recorded after each step.
    let kappa = 250.0;
    let mut c = still_disc(3, kappa);
    c.init.radius = 20.0;
    c.dissemination.intravasation_per_day = 0.05;
    c.niche.tdsf_per_cell = 2e-6;
    c.niche.tdsf_clearance_per_day = 0.7;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let (s, cl, dt) = (2e-6f64, 0.7f64, 1.0f64 / 24.0);
    let keep = (-cl * dt).exp();
    let (mut t, mut t_unscaled) = (0.0f64, 0.0f64);
    let n0 = sim.primary.total();
    for _ in 0..24 * 12 {
        sim.step();
        let n = sim.primary.total() as f64;
        t = t * keep + s * kappa * n / cl * (1.0 - keep);
        t_unscaled = t_unscaled * keep + s * n / cl * (1.0 - keep);
        let got = sim.metastasis.as_ref().unwrap().tdsf();
        assert!(
            ((got - t) / t).abs() < 1e-12,
            "step {}: T = {got}, closed form {t}",
            sim.step_count()
        );
    }
    eprintln!(
        "primary {n0} → {} agents; T = {t:.4} ({:.3e} at κ = 1)",
        sim.primary.total(),
        t_unscaled
    );
    assert!(sim.primary.total() > n0, "the primary grew");
}

#[test]
fn niche_dynamics_at_kappa_equal_those_of_a_kappa_times_bigger_primary() {
    // The factor, HPC mobilisation, homing, loss and niche levels driven by a primary of N
    // agents at κ = 8 and by one of 8 N at κ = 1, on the same seed: identical in every
    // bit (κ a power of two, so s κ N and s (κ N) round alike), while N itself does not
    // match a κ = 1 run (the power check).
    let mut c = common::model_v1();
    c.run.seed = Some(17);
    c.niche.mobilisation = 3e4;
    c.niche.mobilisation_max = 50.0;
    c.niche.k_tdsf = 0.01;
    c.validate().unwrap();
    let mut scaled_config = c.clone();
    scaled_config.run.cells_per_agent = 8.0;
    scaled_config.validate().unwrap();
    let mut scaled = Metastasis::new(&scaled_config);
    let mut big = Metastasis::new(&c);
    let mut same_size = Metastasis::new(&c);
    let mut formed = 0;
    for step in 0..24 * 40u64 {
        // A primary growing from 200 to about 7,000 agents.
        let n = (200.0 * (step as f64 / 270.0).exp()) as u64;
        scaled.update_niches(n, step);
        big.update_niches(8 * n, step);
        same_size.update_niches(n, step);
        assert_eq!(scaled.tdsf().to_bits(), big.tdsf().to_bits(), "step {step}");
        for (a, b) in scaled.organs.iter().zip(&big.organs) {
            assert_eq!(
                (a.hpcs, a.niche_formed, a.niche_formed_step),
                (b.hpcs, b.niche_formed, b.niche_formed_step),
                "{} at step {step}",
                a.name
            );
        }
    }
    assert_eq!(scaled.events(), big.events());
    for (i, (a, b)) in scaled.organs.iter().zip(&same_size.organs).enumerate() {
        eprintln!(
            "{}: {} HPCs, niche level {:.3}, formed at step {:?} (κ = 1: {} HPCs, formed at {:?})",
            a.name,
            a.hpcs,
            scaled.niche_level(i),
            a.niche_formed_step,
            b.hpcs,
            b.niche_formed_step
        );
        formed += usize::from(a.niche_formed_step.is_some());
        assert!(a.niche_formed_step != b.niche_formed_step || a.hpcs != b.hpcs);
    }
    assert!(formed > 0, "the comparison includes niche formation");
    let ratio = scaled.tdsf() / same_size.tdsf();
    assert!((ratio - 8.0).abs() < 1e-9, "T ratio {ratio}");
}

/// Expected CTCs over `steps` steps of mass-based shedding from a still disc with κ, and
/// what happened: `(expected, shed, expected CSCs, CSCs shed, agents removed, agents at
/// start)`.
fn mass_shedding(kappa: f64, steps: u64) -> (f64, u64, f64, u64, u64, u64) {
    let mut c = still_disc(41, kappa);
    c.dissemination.shed_per_cell_per_day = 0.01;
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    let n0 = sim.primary.total();
    let f = 5.0;
    let (mut expected, mut csc_expected) = (0.0, 0.0);
    for step in 0..steps {
        let n = sim.primary.total() as f64;
        expected += kappa * 0.01 * n / 24.0;
        // The exterior rim's composition at the step's start: a shed cell is a CSC with
        // probability f·c / (f·c + n) (its agent rarely leaves at κ ≫ 1).
        let lat = &sim.primary.lattice;
        let ext = exterior::exterior(lat);
        let (mut rc, mut rn) = (0.0, 0.0);
        for s in sim.primary.cell_sites() {
            if exterior::on_exterior_rim(lat, &ext, s) {
                if lat.code(s) == STEM {
                    rc += 1.0;
                } else {
                    rn += 1.0;
                }
            }
        }
        let before = shed_total(&sim);
        let met = sim.metastasis.as_mut().unwrap();
        met.disseminate(&mut sim.primary, step);
        sim.primary.check_invariants();
        csc_expected += (shed_total(&sim) - before) as f64 * f * rc / (f * rc + rn);
    }
    let cas = sim.metastasis.as_ref().unwrap().cascade();
    (
        expected,
        shed_total(&sim),
        csc_expected,
        cas.intravasated[0],
        sim.primary.events().removed,
        n0,
    )
}

#[test]
fn mass_shedding_is_kappa_times_the_butler_gullino_rate_of_a_full_tumour() {
    // E[cells entering the blood per step] = κ · shed · N · dt / 24 (a Poisson number), N
    // the agents of a full, contact-inhibited disc; each cell is one CTC; its agent leaves
    // with probability 1/κ, so the primary loses agents at the κ = 1 rate.
    let kappa = 50.0;
    let (expected, got, csc_expected, csc, removed, n0) = mass_shedding(kappa, 120);
    let zz = z(got as f64, expected, expected);
    eprintln!("κ = {kappa}: {got} CTCs from {n0} agents, expected {expected:.1} (z = {zz:.2})");
    assert!(zz.abs() < 3.5, "z = {zz}");
    // Power: the unscaled rate is far off.
    assert!(z(got as f64, expected / kappa, expected / kappa) > 3.5);
    // CSCs weighted by csc_factor among the exterior rim (binomial given the counts).
    let q = csc_expected / got as f64;
    let zc = z(csc as f64, csc_expected, got as f64 * q * (1.0 - q));
    eprintln!("{csc} CSCs, expected {csc_expected:.1} (z = {zc:.2})");
    assert!(zc.abs() < 3.5, "CSC weighting z = {zc}");
    // Agents leaving: Binomial(CTCs, 1/κ).
    let p = 1.0 / kappa;
    let zr = z(removed as f64, got as f64 * p, got as f64 * p * (1.0 - p));
    eprintln!(
        "{removed} agents left the primary (expected {:.1}, z = {zr:.2})",
        got as f64 * p
    );
    assert!(zr.abs() < 3.5, "agents removed z = {zr}");
    // Power: an agent per CTC would be more agents than the disc holds.
    assert!(z(removed as f64, got as f64, got as f64).abs() > 3.5);
    // κ = 1: every CTC takes its agent along.
    let (expected1, got1, .., removed1, _) = mass_shedding(1.0, 120);
    assert_eq!(removed1, got1);
    assert!(z(got1 as f64, expected1, expected1).abs() < 3.5);
}

/// Binomial(n, p) probability of k.
fn binomial_pmf(n: u64, p: f64, k: u64) -> f64 {
    let ln_choose = (1..=k)
        .map(|i| ((n - k + i) as f64 / i as f64).ln())
        .sum::<f64>();
    (ln_choose + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp()
}

#[test]
fn rim_shedding_is_kappa_times_the_per_rim_cell_rate() {
    // The per-rim-cell rule: a rim agent stands for κ cells, each entering the blood with
    // p per step (CSCs csc_factor · p); it sheds Binomial(⌈κ⌉, κ p / ⌈κ⌉) cells (mean κ p)
    // and leaves with probability min(1, c / κ) after shedding c. Checked at a fractional
    // and a whole κ against the sums of per-agent expectations over 150 steps.
    for kappa in [2.5f64, 40.0] {
        let mut c = still_disc(9, kappa);
        c.dissemination.intravasation_per_day = 0.5;
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        let p = 0.5 / 24.0;
        let n = kappa.ceil() as u64;
        // Per rim agent with per-cell p: (mean cells, their variance, P(the agent leaves)).
        let per_agent = |q: f64| {
            let t = q * kappa / n as f64;
            let leave: f64 = (1..=n)
                .map(|k| binomial_pmf(n, t, k) * (k as f64 / kappa).min(1.0))
                .sum();
            (kappa * q, n as f64 * t * (1.0 - t), leave)
        };
        let (csc_rate, other_rate) = (per_agent(5.0 * p), per_agent(p));
        let (mut mean, mut var) = ([0.0f64; 2], [0.0f64; 2]);
        let (mut leave_mean, mut leave_var) = (0.0, 0.0);
        for step in 0..150 {
            for site in sim.primary.listed_sites() {
                if sim.primary.is_rim(site) {
                    let stem = sim.primary.lattice.code(site) == STEM;
                    let (m, v, l) = if stem { csc_rate } else { other_rate };
                    mean[!stem as usize] += m;
                    var[!stem as usize] += v;
                    leave_mean += l;
                    leave_var += l * (1.0 - l);
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
            let zz = z(got[i] as f64, mean[i], var[i]);
            eprintln!(
                "κ = {kappa}, {name}: {} CTCs, expected {:.1} (z = {zz:.2})",
                got[i], mean[i]
            );
            assert!(zz.abs() < 3.5, "κ = {kappa}, {name}: z = {zz}");
            // Power: the unscaled rate.
            let unscaled = mean[i] / kappa;
            assert!(z(got[i] as f64, unscaled, unscaled).abs() > 3.5);
        }
        let removed = sim.primary.events().removed as f64;
        let zr = z(removed, leave_mean, leave_var);
        eprintln!("κ = {kappa}: {removed} agents left, expected {leave_mean:.1} (z = {zr:.2})");
        assert!(zr.abs() < 3.5, "κ = {kappa}: agents removed z = {zr}");
        assert!(removed < (got[0] + got[1]) as f64 / 2.0);
    }
}

#[test]
fn bone_marrow_sees_kappa_times_the_cancer_cells_il6_output() {
    // Same primary state at κ = 1 and κ = 30: the tumour's own IL6 output (the fields)
    // is the same, the output the bone marrow sees is κ × the cancer cells' part, and
    // pool MSCs home with p = homing · dt · H(κ · output; K_rec, n). MSCs in the tumour
    // secrete IL6 here too: their part is not multiplied (they came one by one).
    let mut c = common::model_v1();
    c.run.threads = 1;
    c.run.seed = Some(23);
    c.space.initial_size = 128;
    c.init.kind = InitKind::Disc;
    c.init.radius = 20.0;
    c.dissemination.enabled = false;
    c.msc.pool = 200_000;
    c.msc.homing_per_day = 2.0;
    c.fields.il6.secretion_per_msc = 0.01;
    let s = c.fields.il6.secretion_per_cell;
    assert_eq!(s, c.fields.il6.secretion_per_csc);
    let cells = |sim: &Simulation| sim.primary.total() as f64 * s;
    let mut homed = Vec::new();
    for kappa in [1.0, 30.0] {
        let mut c = c.clone();
        c.run.cells_per_agent = kappa;
        // K_rec at 10× the unscaled output: homing far from saturation at κ = 1.
        let n0 = {
            let probe = Simulation::new(&c).unwrap();
            probe.primary.total() as f64
        };
        c.msc.k_recruit = 10.0 * n0 * s;
        c.validate().unwrap();
        let mut sim = Simulation::new(&c).unwrap();
        // Step 1: no CXCL7 yet (no MSCs), so every cancer cell secretes s.
        let out1 = cells(&sim);
        sim.step();
        let cy = sim.cytokines.as_ref().unwrap();
        assert!(((cy.il6_output() - out1) / out1).abs() < 1e-9);
        let seen = cy.systemic_il6_output(kappa);
        assert!(
            ((seen - kappa * out1) / (kappa * out1)).abs() < 1e-9,
            "κ = {kappa}"
        );
        let p = 2.0 / 24.0 * hill(kappa * out1, c.msc.k_recruit, c.signalling.hill_n);
        let h = sim.mscs.events().homed as f64;
        let zz = z(h, 200_000.0 * p, 200_000.0 * p * (1.0 - p));
        eprintln!(
            "κ = {kappa}: IL6 output {out1:.3} molecules/s, seen {seen:.3}; {h} MSCs homed, expected {:.1} (z = {zz:.2})",
            200_000.0 * p
        );
        assert!(zz.abs() < 3.5, "κ = {kappa}: z = {zz}");
        homed.push(h);
        // Step 2: the homed MSCs secrete IL6 (CXCL7 is still 0: it was only sourced by
        // MSCs from step 2 on), so output = cells + MSCs and the bone marrow sees
        // κ · cells + MSCs.
        let out2 = cells(&sim);
        sim.step();
        let cy = sim.cytokines.as_ref().unwrap();
        let msc_part = cy.il6_output() - out2;
        assert!(msc_part > 0.01 * out2, "MSC IL6 {msc_part} vs cells {out2}");
        let seen = cy.systemic_il6_output(kappa);
        let want = kappa * out2 + msc_part;
        assert!(
            ((seen - want) / want).abs() < 1e-9,
            "κ = {kappa}: {seen} vs {want}"
        );
    }
    // Power: the scaled output recruits far more MSCs.
    assert!(homed[1] > 3.0 * homed[0], "{homed:?}");
}

/// Byte length and FNV-1a hash of timeseries.csv, events.csv and summary.csv.
type Tables = [(usize, u64); 3];

/// FNV-1a (64 bits) of a text.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn one_cell_per_agent_reproduces_the_code_before_the_key() {
    // Byte length and FNV-1a hash of timeseries.csv, events.csv and summary.csv as written
    // by `seedsoil run` built from the commit before `run.cells_per_agent` existed
    // (492bf7e), for configs/baseline.toml run for 30 days (it sheds from day 15, grows
    // colonies, forms niches and recruits MSCs), configs/metastasis.toml for 10 days and
    // configs/reference-r0.toml for 60 days. The configs are the resolved config.toml files
    // of those runs (tests/data/k1-golden/), so later changes of the defaults or of the
    // shipped configs do not touch this comparison. The pins were re-taken once, when the
    // lattice window stopped re-listing cells as it grew (issue 18: results no longer depend
    // on the window; checked statistically by the validation suite), with `SEEDSOIL_BLESS=1`
    // printing the new values. The metastasis disc is all CSCs
    // (`init.csc_fraction = 1`): its initial lattice does not depend on how a disc draws
    // its CSCs, which changed after 492bf7e (an exact share instead of one draw per site).
    let cases: [(&str, Tables); 3] = [
        (
            "baseline-30d",
            [
                (21445, 0xa02f_b628_885d_b80b),
                (58995, 0x70d3_76c7_bed1_b8e0),
                (2042, 0xb8b8_9bfe_78e1_0c0e),
            ],
        ),
        (
            "metastasis-10d",
            [
                (7769, 0x60fd_0948_efd4_f20e),
                (49607, 0x6ccf_4856_73e2_3bc1),
                (1963, 0x81eb_206e_2410_a0e5),
            ],
        ),
        (
            "reference-r0-60d",
            [
                (7886, 0x067d_c2ee_6c16_13b9),
                (1036, 0x0139_0603_3a82_a2b4),
                (1178, 0xab68_b987_2757_123c),
            ],
        ),
    ];
    for (name, want) in cases {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/k1-golden")
            .join(format!("{name}.toml"));
        let c = config::load(Some(&path), &[]).unwrap();
        assert_eq!(c.run.cells_per_agent, 1.0);
        let seed = c.run.seed.unwrap();
        // As the code before issue 17 wrote them (events without their unit column,
        // every summary column group).
        let tables = common::former_tables(&seedsoil::batch::simulate(c, seed, 1).unwrap().tables);
        let got: Vec<(usize, u64)> = tables.iter().map(|t| (t.len(), fnv(t))).collect();
        eprintln!("{name}: {got:?}");
        if std::env::var_os("SEEDSOIL_BLESS").is_some() {
            continue;
        }
        for ((table, file), (len, hash)) in tables
            .iter()
            .zip(["timeseries.csv", "events.csv", "summary.csv"])
            .zip(want)
        {
            assert_eq!(
                (table.len(), fnv(table)),
                (len, hash),
                "{name}: {file} differs from the code before run.cells_per_agent"
            );
        }
    }
}

#[test]
fn cells_per_agent_is_a_number_of_cells_from_one_to_a_million() {
    for bad in ["0.5", "0", "2e6", "-3"] {
        let err = config::load_str(&format!("[run]\ncells_per_agent = {bad}\n"), "test", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("run.cells_per_agent"), "{bad}: {err}");
    }
    for good in ["1", "1.5", "1000", "1e6"] {
        let c =
            config::load_str(&format!("[run]\ncells_per_agent = {good}\n"), "test", &[]).unwrap();
        assert_eq!(c.run.cells_per_agent, good.parse::<f64>().unwrap());
    }
    let info = config::lookup("run.cells_per_agent").unwrap();
    assert_eq!(
        (info.default, info.unit, info.source),
        ("1", "cells", "[A]")
    );
}
