//! Iliopoulos 2011 / Gupta 2011 (MODEL.md section 9, outcome 4): a population sorted to
//! contain no CSCs rebuilds a CSC fraction of a few percent within days, faster with IL6.
//!
//! Two arms on the same initial populations (a disc of 1,961 non-stem cells, ρ uniform,
//! seeds 1–6, no MSCs), both with the IL6 field (IL6 raises plasticity by
//! 1 + g_plast·H(IL6)): the cells' own IL6 only (a small tumour holds well under
//! K_IL6 = 1 ng/mL), and with IL6 added to the medium as in Iliopoulos 2011 (the field held
//! at 10 ng/mL beyond the grid's edge and filled with it at the start).
//! After 7 days: the arm without added IL6 holds a CSC fraction of a few percent (between
//! 1 % and 8 %), and the IL6 arm's mean is higher by more than 3.5 standard errors of the
//! difference, and by at least a factor 1.5.

use seedsoil::config::{Config, InitKind};
use seedsoil::sim::Simulation;

fn csc_fraction_after_a_week(added_il6_ng_ml: f64, seed: u64) -> f64 {
    let mut c = Config::default();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.run.days = 7.0;
    c.space.max_size = 200;
    c.space.initial_size = 64;
    c.init.kind = InitKind::Disc;
    c.init.radius = 25.0;
    c.init.csc_fraction = 0.0;
    c.msc.pool = 0;
    c.fields.il6.far_field_ng_ml = added_il6_ng_ml;
    let mut sim = Simulation::new(&c).expect("simulation");
    assert_eq!(
        sim.primary.counts()[0],
        0,
        "the sorted population has no CSCs"
    );
    sim.run(&mut ());
    let [csc, prog, diff] = sim.primary.counts();
    csc as f64 / (csc + prog + diff) as f64
}

fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn a_sorted_population_regains_cscs_faster_with_il6() {
    let seeds = 1..=6u64;
    let without: Vec<f64> = seeds
        .clone()
        .map(|s| csc_fraction_after_a_week(0.0, s))
        .collect();
    let with: Vec<f64> = seeds.map(|s| csc_fraction_after_a_week(10.0, s)).collect();
    let (m0, se0) = mean_se(&without);
    let (m1, se1) = mean_se(&with);
    println!("CSC fraction after 7 days: own IL6 {m0:.4} ± {se0:.4}, IL6 added {m1:.4} ± {se1:.4}");
    assert!(
        (0.01..0.08).contains(&m0),
        "a few percent without IL6: {without:?}"
    );
    let se = (se0 * se0 + se1 * se1).sqrt();
    assert!(
        m1 - m0 > 3.5 * se,
        "IL6 raises regain: {m0} vs {m1} (se {se})"
    );
    assert!(m1 > 1.5 * m0, "{m0} vs {m1}");
}
