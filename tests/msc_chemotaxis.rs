//! MSC chemotaxis as a biased random walk (src/engine/msc.rs): a biased move goes to Moore
//! neighbour `e` with probability `w(e) / Σ w`, `w(e) = exp(χ · û·ê) / |e|`, û the unit IL6
//! gradient turned (2D) so that the drift is parallel to the gradient.
//!
//! - Drift in a uniform gradient: the mean displacement per biased move equals the closed
//!   form `Σ e · w(e) / Σ w(e)` within 3.5 standard errors per axis, for gradients at 0°,
//!   22.5°, 45° and 67.5°, both for the pure choice function and through `Mscs::step` on a
//!   linear IL6 ramp. The closed form itself points along the gradient to < 10⁻³° at every
//!   angle for χ from 0.5 to 10.
//! - Isotropy: walkers started on a ring around a point source of IL6 (the radial gradient
//!   built analytically, the walk driven by the choice function in a small loop, not through
//!   the whole simulation) have net displacements whose angle mod 45° is uniform over nine
//!   5° bins, at χ = 3 (all or half of the moves biased) and χ = 6 (where the rule without
//!   the turn fails, mean χ² 41 over 30 seeds): chi-square below 26.12 (8 degrees of freedom, p > 0.001). Each displacement
//!   is jittered uniformly within its unit cell, else the integer displacements exactly
//!   along an axis or a diagonal (angle 0 mod 45°) would fill the first bin for any rule.
//!
//! Every test has a power check: the previous rule (the offset maximising `ĝ·ê`, kept
//! here as [`argmax`]) fails it by far.

use seedsoil::config::Config;
use seedsoil::engine::msc::BiasedWalk;
use seedsoil::engine::{Cytokines, Mscs, Primary};
use seedsoil::model::msc::Msc;
use seedsoil::space::Lattice;

/// χ of the defaults.
const CHI: f64 = 3.0;
/// Largest |z| accepted.
const Z_MAX: f64 = 3.5;
/// Chi-square with 8 degrees of freedom at p = 0.001.
const CHI2_8_P001: f64 = 26.12;

/// SplitMix64: a small deterministic generator for the draws of these tests.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The previous rule: the offset maximising `o·g / |o|` (first one on ties).
fn argmax(offsets: &[[i64; 3]], g: [f64; 3]) -> [i64; 3] {
    let mut best = offsets[0];
    let mut score = f64::NEG_INFINITY;
    for &o in offsets {
        let len = ((o[0] * o[0] + o[1] * o[1] + o[2] * o[2]) as f64).sqrt();
        let s = (o[0] as f64 * g[0] + o[1] as f64 * g[1] + o[2] as f64 * g[2]) / len;
        if s > score {
            score = s;
            best = o;
        }
    }
    best
}

fn unit(theta_deg: f64) -> [f64; 3] {
    let t = theta_deg.to_radians();
    [t.cos(), t.sin(), 0.0]
}

/// Mean and standard error per axis (x, y) of displacements.
fn mean_se(d: &[[f64; 2]]) -> ([f64; 2], [f64; 2]) {
    let n = d.len() as f64;
    let mut m = [0.0; 2];
    let mut se = [0.0; 2];
    for a in 0..2 {
        m[a] = d.iter().map(|x| x[a]).sum::<f64>() / n;
        let v = d.iter().map(|x| (x[a] - m[a]).powi(2)).sum::<f64>() / (n - 1.0);
        se[a] = (v / n).sqrt();
    }
    (m, se)
}

/// Largest |z| over the two axes of `mean` against `want`.
fn z_max(mean: [f64; 2], se: [f64; 2], want: [f64; 3]) -> f64 {
    (0..2)
        .map(|a| (mean[a] - want[a]) / se[a])
        .fold(0.0f64, |z, x| z.max(x.abs()))
}

const ANGLES: [f64; 4] = [0.0, 22.5, 45.0, 67.5];

#[test]
fn biased_step_drifts_as_its_closed_form_in_a_uniform_gradient() {
    let walk = BiasedWalk::new(2, CHI);
    let mut rng = Rng(11);
    let n = 200_000;
    for theta in ANGLES {
        // Any gradient length gives the same choice.
        let g = unit(theta).map(|x| 0.37 * x);
        let want = walk.drift(g);
        let angle = want[1].atan2(want[0]).to_degrees();
        let speed = want[0].hypot(want[1]);
        let d: Vec<[f64; 2]> = (0..n)
            .map(|_| {
                let o = walk.offsets()[walk.choose(g, rng.uniform()).unwrap()];
                [o[0] as f64, o[1] as f64]
            })
            .collect();
        let (m, se) = mean_se(&d);
        let z = z_max(m, se, want);
        // Power: the argmax rule moves along one offset every time.
        let old = argmax(walk.offsets(), g);
        let z_old = z_max([old[0] as f64, old[1] as f64], se, want);
        println!(
            "θ = {theta:>4}°: mean ({:.4}, {:.4}) ± ({:.4}, {:.4}), closed form ({:.4}, {:.4}) \
             at {angle:.3}°, speed {speed:.4}; |z| = {z:.2}; argmax ({}, {}) |z| = {z_old:.0}",
            m[0], m[1], se[0], se[1], want[0], want[1], old[0], old[1]
        );
        assert!(z < Z_MAX, "θ = {theta}: |z| = {z}");
        assert!(
            z_old > Z_MAX,
            "θ = {theta}: the argmax rule passes, |z| = {z_old}"
        );
        // The lattice anisotropy left in the closed form: the speed (the direction is exact).
        assert!(
            (angle - theta).abs() < 1e-3,
            "drift at {angle}° for θ = {theta}°"
        );
        assert!((0.92..0.98).contains(&speed), "speed {speed}");
    }
    // No gradient, no biased move.
    assert_eq!(walk.choose([0.0; 3], 0.5), None);
    assert_eq!(walk.drift([0.0; 3]), [0.0; 3]);
}

#[test]
fn closed_form_drift_is_parallel_to_the_gradient_at_every_angle() {
    for chi in [0.5, 1.0, 3.0, 6.0, 10.0] {
        let walk = BiasedWalk::new(2, chi);
        let (mut worst, mut lo, mut hi) = (0.0f64, f64::INFINITY, 0.0f64);
        for k in 0..1000 {
            let theta = 360.0 * k as f64 / 1000.0 - 180.0;
            let d = walk.drift(unit(theta));
            let off = (d[1].atan2(d[0]).to_degrees() - theta + 540.0).rem_euclid(360.0) - 180.0;
            worst = worst.max(off.abs());
            let speed = d[0].hypot(d[1]);
            lo = lo.min(speed);
            hi = hi.max(speed);
        }
        println!(
            "χ = {chi}: drift direction within {worst:.1e}° of the gradient; speed {lo:.4}–{hi:.4} \
             sites per biased move ({:+.1} %)",
            100.0 * (hi / lo - 1.0)
        );
        assert!(worst < 1e-3, "χ = {chi}: {worst}°");
    }
}

#[test]
fn msc_drift_through_the_simulation_matches_the_closed_form() {
    let mut cfg = Config::default();
    cfg.msc.pool = 0;
    cfg.msc.inject_count = 0;
    cfg.msc.death_per_day = 0.0;
    cfg.msc.chemotaxis = 1.0;
    cfg.msc.chemotaxis_bias = CHI;
    // One move per step.
    cfg.msc.motility_per_day = 24.0 / cfg.run.dt_h;
    let walk = BiasedWalk::new(2, CHI);
    let side = 256u32;
    for theta in [0.0, 22.5] {
        let lat = Lattice::new(2, side, side);
        let mut cy = Cytokines::new(&lat, &cfg.fields, cfg.space.spacing_um, 3600.0).unwrap();
        // IL6 rising linearly along θ: 1 ng/mL per field cell, from 100 ng/mL.
        let g = unit(theta);
        let n = cy.n;
        for j in 0..n[1] {
            for i in 0..n[0] {
                let c = 100.0 + g[0] * i as f64 + g[1] * j as f64;
                cy.il6.set([i, j, 0], c as f32);
            }
        }
        let primary = Primary::new(lat);
        let mut mscs = Mscs::new(&cfg);
        assert_eq!(mscs.rates().p_move, 1.0);
        let start = (side / 2) as i64 - 30;
        for _ in 0..2000 {
            mscs.insert(Msc {
                pos: [start, start, 0],
                aldh: false,
                divisions_left: 0,
            });
        }
        let mut d = Vec::new();
        // 40 steps of at most one site keep them inside the grid's interior cells.
        for step in 0..40 {
            let before = mscs.cells().to_vec();
            mscs.step(&primary, Some(&cy), 1.0, 5, step);
            let after = mscs.cells();
            assert_eq!(after.len(), before.len());
            d.extend(
                before
                    .iter()
                    .zip(after)
                    .map(|(b, a)| [(a.pos[0] - b.pos[0]) as f64, (a.pos[1] - b.pos[1]) as f64]),
            );
        }
        let want = walk.drift(g);
        let (m, se) = mean_se(&d);
        let z = z_max(m, se, want);
        let old = argmax(walk.offsets(), g);
        let z_old = z_max([old[0] as f64, old[1] as f64], se, want);
        println!(
            "simulation, θ = {theta}°: {} moves, mean ({:.4}, {:.4}) ± ({:.4}, {:.4}), closed \
             form ({:.4}, {:.4}); |z| = {z:.2}; argmax |z| = {z_old:.0}",
            d.len(),
            m[0],
            m[1],
            se[0],
            se[1],
            want[0],
            want[1]
        );
        assert!(z < Z_MAX, "θ = {theta}: |z| = {z}");
        assert!(z_old > Z_MAX, "θ = {theta}: the argmax rule passes");
    }
}

/// Chi-square against uniform of the net displacements' angles mod 45° in nine 5° bins, for
/// walkers started on a ring of radius 60 around a point source of IL6 at the origin,
/// making `steps` moves, each biased with probability `share` (by the new rule, or by the
/// argmax rule if `old`), else to a uniformly random neighbour.
fn ring_chi2(walk: &BiasedWalk, share: f64, old: bool, seed: u64) -> (f64, [u64; 9]) {
    let mut rng = Rng(seed);
    let (walkers, steps, radius) = (9000, 30, 60.0);
    let offsets = walk.offsets();
    let mut bins = [0u64; 9];
    for _ in 0..walkers {
        let phi = std::f64::consts::TAU * rng.uniform();
        let start = [
            (radius * phi.cos()).round() as i64,
            (radius * phi.sin()).round() as i64,
        ];
        let mut p = start;
        for _ in 0..steps {
            // IL6 peaks at the origin: the gradient points at it.
            let g = [-(p[0] as f64), -(p[1] as f64), 0.0];
            let o = if rng.uniform() < share {
                if old {
                    argmax(offsets, g)
                } else {
                    offsets[walk.choose(g, rng.uniform()).unwrap()]
                }
            } else {
                offsets[(rng.uniform() * offsets.len() as f64) as usize]
            };
            p = [p[0] + o[0], p[1] + o[1]];
        }
        // Each site stands for its unit cell: a uniform jitter within it keeps the integer
        // displacements off the exact axes and diagonals, which mod 45° would all fall in
        // the first bin (a counting artefact of any rule, isotropic or not).
        let (dx, dy) = (
            (p[0] - start[0]) as f64 + rng.uniform() - 0.5,
            (p[1] - start[1]) as f64 + rng.uniform() - 0.5,
        );
        let a = dy.atan2(dx).to_degrees().rem_euclid(45.0);
        bins[((a / 5.0) as usize).min(8)] += 1;
    }
    let e = walkers as f64 / 9.0;
    let chi2 = bins.iter().map(|&b| (b as f64 - e).powi(2) / e).sum();
    (chi2, bins)
}

#[test]
fn net_displacements_towards_a_point_source_have_no_preferred_lattice_direction() {
    for (chi, share, seed) in [(CHI, 1.0, 21), (CHI, 0.5, 22), (6.0, 1.0, 23)] {
        let walk = BiasedWalk::new(2, chi);
        let (chi2, bins) = ring_chi2(&walk, share, false, seed);
        let (chi2_old, bins_old) = ring_chi2(&walk, share, true, seed);
        println!(
            "bias {chi}, share {share}: biased walk χ² = {chi2:.2} {bins:?}; argmax χ² = \
             {chi2_old:.0} {bins_old:?} (8 df, p = 0.001 at {CHI2_8_P001})"
        );
        assert!(chi2 < CHI2_8_P001, "share {share}: χ² = {chi2}, {bins:?}");
        assert!(
            chi2_old > CHI2_8_P001,
            "share {share}: the argmax rule passes, χ² = {chi2_old}"
        );
    }
}
