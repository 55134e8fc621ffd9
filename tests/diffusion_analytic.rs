//! The cytokine solver against analytic solutions (the README's "Solver accuracy"
//! paragraph), through the public API of `seedsoil::fields`. Each test states its
//! tolerance; run with `--nocapture` to see the measured errors.
//!
//! What the scheme is (see `seedsoil::fields`): per sub-step τ, a Douglas
//! (stabilising-correction) step: the correction δ = c(t+τ) − c(t) solves
//! `(1 + τ(λ+U)) Πₐ(1 − τDδₐ²) δ = τ (D∇²c − (λ+U)c + S)` by one Thomas sweep per axis.
//! It is first order in τ and second order in h, and its *steady state* is that of the
//! unsplit discrete equation, whatever τ. The point-source tests therefore check:
//! - the h-dependence of the error, as the change of the solution between successive
//!   grids, which must shrink at second order;
//! - that the steady state does not depend on τ and matches the analytic profile within
//!   the grid's spatial error, including at the engine's default settings.

use proptest::prelude::*;
use seedsoil::fields::{Boundary, Cytokine, DiffusionSolver, FieldGrid, Reaction};
use seedsoil::rng::{stream, uniform};
use std::f64::consts::PI;

/// Modified Bessel function of the second kind of order 0, by Abramowitz & Stegun
/// 9.8.5 (x ≤ 2, with I0 from 9.8.1; absolute error < 1e-8 · |ln x| + 1e-8) and 9.8.6
/// (x ≥ 2; relative error < 2e-7).
fn k0(x: f64) -> f64 {
    assert!(x > 0.0);
    if x <= 2.0 {
        let t = (x / 3.75) * (x / 3.75);
        let i0 = 1.0
            + t * (3.515_622_9
                + t * (3.089_942_4
                    + t * (1.206_749_2 + t * (0.265_973_2 + t * (0.036_076_8 + t * 0.004_581_3)))));
        let y = x * x / 4.0;
        -(x / 2.0).ln() * i0
            + (-0.577_215_66
                + y * (0.422_784_20
                    + y * (0.230_697_56
                        + y * (0.034_885_90
                            + y * (0.002_626_98 + y * (0.000_107_50 + y * 0.000_007_40))))))
    } else {
        let y = 2.0 / x;
        (-x).exp() / x.sqrt()
            * (1.253_314_14
                + y * (-0.078_323_58
                    + y * (0.021_895_68
                        + y * (-0.010_624_46
                            + y * (0.005_878_72 + y * (-0.002_515_40 + y * 0.000_532_08))))))
    }
}

#[test]
fn k0_matches_tabulated_values() {
    // Tolerance: 3e-7 relative (A&S 9.8.6 guarantees 2e-7 relative for x ≥ 2).
    for (x, want) in [
        (0.5, 0.924_419_071_2),
        (1.0, 0.421_024_438_2),
        (2.0, 0.113_893_872_7),
        (5.0, 0.003_691_098_3),
    ] {
        let got = k0(x);
        let rel = (got - want).abs() / want;
        println!("K0({x}) = {got:.10} (table {want}), relative error {rel:.1e}");
        assert!(rel < 3e-7, "K0({x}) = {got}, want {want}");
    }
}

/// IL6 (the default config's parameters) with another boundary and decay.
fn il6(boundary: Boundary, decay_per_h: f64) -> Cytokine {
    Cytokine {
        boundary,
        decay_per_h,
        ..Cytokine::IL6
    }
}

/// A grid filled with uniform random values in `[lo, lo + span)`.
fn random_grid(
    dims: usize,
    n: [usize; 3],
    coarsen: u32,
    seed: u64,
    lo: f32,
    span: f32,
) -> FieldGrid {
    let mut g = FieldGrid::new(dims, n, 10.0, coarsen, [0; 3], 0.0).unwrap();
    let mut rng = stream(seed, 0, 0, 0);
    for v in g.values_mut() {
        *v = lo + span * uniform(&mut rng) as f32;
    }
    g
}

#[test]
fn pure_decay_follows_backward_euler_and_converges_to_exp_at_first_order() {
    // Uniform c0, no flux, no source: diffusion does nothing, and each sub-step multiplies
    // by 1/(1 + λτ). Tolerances: the discrete formula to 1e-5 relative (f32 rounding of
    // 16–32 steps); exp(−λt) within the backward-Euler bound
    // (1+λτ)^(−n) / e^(−nλτ) − 1 ≤ e^(nλ²τ²/2) − 1; halving τ halves the error
    // (ratio in [1.9, 2.1]).
    let c0 = 10.0f32;
    let hours = 2.0;
    let cy = il6(Boundary::NoFlux, 0.7);
    let lambda = cy.decay_per_s();
    let exact = c0 as f64 * (-lambda * hours * 3600.0).exp();
    let mut errors = Vec::new();
    for substeps in [8u32, 16] {
        let mut g = FieldGrid::new(2, [12, 9, 1], 10.0, 4, [0; 3], c0).unwrap();
        let mut s = DiffusionSolver::new(cy, 3600.0, substeps).unwrap();
        for _ in 0..hours as usize {
            s.advance(&mut g, Reaction::NONE);
        }
        let n = hours * substeps as f64;
        let lt = lambda * s.substep_s();
        let discrete = c0 as f64 * (1.0 + lt).powf(-n);
        let worst = g
            .values()
            .iter()
            .map(|&v| (v as f64 - discrete).abs() / discrete)
            .fold(0.0, f64::max);
        assert!(worst < 1e-5, "vs (1+λτ)^-n = {discrete}: {worst:e}");
        let err = (g.mean() - exact) / exact;
        let bound = (n * lt * lt / 2.0).exp() - 1.0;
        println!(
            "pure decay, {substeps} sub-steps/h: vs (1+λτ)^-n {worst:.2e}; \
             relative error vs exp(-λt) {err:.4e} (bound {bound:.4e})"
        );
        assert!(err > 0.0 && err <= bound, "{err} vs bound {bound}");
        errors.push(err);
    }
    let ratio = errors[0] / errors[1];
    println!("pure decay: error ratio when τ is halved {ratio:.3}");
    assert!((1.9..=2.1).contains(&ratio), "{ratio}");
}

/// The largest deviation from the grid's mean of the averages over blocks of `b` cells
/// per axis (whole blocks only): the field's variation on scales of `b` cells and more.
fn block_spread(g: &FieldGrid, b: usize) -> f64 {
    let n = g.n();
    let dims = g.dims();
    let blocks: [usize; 3] = std::array::from_fn(|a| if a < dims { n[a] / b } else { 1 });
    let side: [usize; 3] = std::array::from_fn(|a| if a < dims { b } else { 1 });
    let mean = g.mean();
    let mut worst = 0.0f64;
    for bk in 0..blocks[2] {
        for bj in 0..blocks[1] {
            for bi in 0..blocks[0] {
                let mut sum = 0.0f64;
                for k in 0..side[2] {
                    for j in 0..side[1] {
                        for i in 0..side[0] {
                            let ijk = [bi * b + i, bj * b + j, bk * side[2] + k];
                            sum += g.get(ijk) as f64;
                        }
                    }
                }
                let avg = sum / (side[0] * side[1] * side[2]) as f64;
                worst = worst.max((avg - mean).abs());
            }
        }
    }
    worst
}

#[test]
fn mass_is_conserved_with_no_flux_and_no_decay() {
    // Random non-uniform initial field, no flux, λ = 0, no source, IL6's D, 1 h steps in
    // 4 sub-steps (r = Dτ/h² ≈ 28 on 40 µm cells): total mass constant to 1e-5 relative
    // over 100 steps (400 sub-steps), and the field spreads: its variation on scales of 4
    // cells and more (block averages) falls by a factor ≥ 10 (diffusion over 100 h
    // reaches ≈ 8 mm, the grid is ≤ 2.6 mm wide). (Cell-to-cell noise is not checked: the
    // Douglas scheme damps modes that are short along two or more axes only slowly at
    // large r — see `seedsoil::fields`.)
    let cy = il6(Boundary::NoFlux, 0.0);
    for (dims, n) in [(2, [64, 48, 1]), (3, [20, 16, 12])] {
        let mut g = random_grid(dims, n, 4, 7, 0.0, 5.0);
        let m0 = g.total_mass_ng();
        let spread0 = block_spread(&g, 4);
        let mut s = DiffusionSolver::new(cy, 3600.0, 4).unwrap();
        let mut worst = 0.0f64;
        for _ in 0..100 {
            s.advance(&mut g, Reaction::NONE);
            worst = worst.max(((g.total_mass_ng() - m0) / m0).abs());
        }
        let spread = block_spread(&g, 4);
        println!(
            "mass conservation {dims}D: worst relative drift {worst:.2e} over 400 sub-steps; \
             block-average spread {spread0:.3e} -> {spread:.3e}"
        );
        assert!(worst < 1e-5, "{dims}D: {worst}");
        assert!(spread < 0.1 * spread0, "{dims}D: did not diffuse");
    }
}

/// Rate of a point source, ng/s.
const Q_NG_PER_S: f64 = 1e-6;

/// Sub-steps needed to shrink the slowest transient (which decays like (1 + λτ)^(−k)) by
/// `factor`.
fn steps_for(lambda_tau: f64, factor: f64) -> usize {
    (factor.ln() / lambda_tau.ln_1p()).ceil() as usize
}

/// The field of a point source `Q_NG_PER_S` in the central cell of a grid of
/// `(2 half + 1)^dims` cells of side `10 µm × coarsen`, with IL6 (fixed far field 0),
/// after `steps` sub-steps of `τ = lambda_tau / λ` from `start` (zero if `None`).
fn point_source(
    dims: usize,
    coarsen: u32,
    half: usize,
    lambda_tau: f64,
    steps: usize,
    start: Option<FieldGrid>,
) -> FieldGrid {
    let n = 2 * half + 1;
    let shape = if dims == 2 { [n, n, 1] } else { [n, n, n] };
    let mut g =
        start.unwrap_or_else(|| FieldGrid::new(dims, shape, 10.0, coarsen, [0; 3], 0.0).unwrap());
    let cy = Cytokine::IL6;
    let mut s = DiffusionSolver::new(cy, lambda_tau / cy.decay_per_s(), 1).unwrap();
    let mut source = vec![0.0f32; g.len()];
    let centre = if dims == 2 {
        [half, half, 0]
    } else {
        [half; 3]
    };
    source[g.index(centre)] = (Q_NG_PER_S / g.volume_ml()) as f32;
    let reaction = Reaction {
        source_ng_ml_per_s: Some(&source),
        uptake_per_s: None,
    };
    for _ in 0..steps {
        s.advance(&mut g, reaction);
    }
    g
}

/// Offset of cell `ijk` from the centre cell `half`, in cells.
fn offset(ijk: [usize; 3], half: usize, dims: usize) -> [i64; 3] {
    std::array::from_fn(|a| {
        if a < dims {
            ijk[a] as i64 - half as i64
        } else {
            0
        }
    })
}

/// Max and RMS relative difference `(a − b)/b` over the cells of `a` at distances in
/// `[r_lo, r_hi]` µm from the centre; `b(offset)` gives the reference.
fn rel_error(
    a: &FieldGrid,
    half: usize,
    r_lo: f64,
    r_hi: f64,
    b: impl Fn([i64; 3], f64) -> f64,
) -> (f64, f64) {
    let (mut max, mut sq, mut count) = (0.0f64, 0.0, 0usize);
    for (idx, &v) in a.values().iter().enumerate() {
        let d = offset(a.coords(idx), half, a.dims());
        let r = a.h_um() * ((d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) as f64).sqrt();
        if r >= r_lo && r <= r_hi {
            let want = b(d, r);
            let e = (v as f64 - want) / want;
            max = max.max(e.abs());
            sq += e * e;
            count += 1;
        }
    }
    assert!(count > 0);
    (max, (sq / count as f64).sqrt())
}

/// The analytic steady state of a point source in a 2D slab one lattice spacing (10 µm)
/// thick: `c(r) = q / (2π D d) · K0(r / L)`, ng/mL, r in µm.
fn slab_k0(r_um: f64) -> f64 {
    let cy = Cytokine::IL6;
    let thickness_cm = 10.0e-4;
    Q_NG_PER_S / (2.0 * PI * cy.diffusion_cm2_per_s * thickness_cm)
        * k0(r_um / cy.diffusion_length_um())
}

#[test]
fn point_source_2d_error_shrinks_at_second_order_in_h() {
    // IL6 (D = 5e-7 cm²/s, λ = 0.7/h, L ≈ 507 µm), point source in the central cell of a
    // ±10 L domain, far field fixed at 0, steady state at λτ = 0.05 (τ ≈ 257 s), on
    // h = 40, 20 and 10 µm (255², 509², 1015² cells). At fixed τ the error against
    // q/(2πDd)·K0(r/L) is (splitting error, the same on every grid) + (spatial error);
    // the spatial part is what refining changes. Over radii 2–6 L, the change between
    // successive grids (at the coarse grid's cell centres, which the finer grid shares)
    // must shrink by ≥ 3 per halving of h (4 for exact second order), in both the max and
    // the RMS norm.
    let l = Cytokine::IL6.diffusion_length_um();
    let lt = 0.05;
    let steps = steps_for(lt, 1e7);
    let grids: Vec<(FieldGrid, usize)> = [4u32, 2, 1]
        .iter()
        .map(|&c| {
            let half = (10.0 * l / (10.0 * c as f64)).round() as usize;
            let g = point_source(2, c, half, lt, steps, None);
            let (max, rms) = rel_error(&g, half, 2.0 * l, 6.0 * l, |_, r| slab_k0(r));
            println!(
                "2D point source, h = {} µm, λτ = {lt}: error vs K0 at 2–6 L max {max:.4e}, RMS {rms:.4e}",
                g.h_um()
            );
            (g, half)
        })
        .collect();
    let change = |coarse: &(FieldGrid, usize), fine: &(FieldGrid, usize)| {
        rel_error(&coarse.0, coarse.1, 2.0 * l, 6.0 * l, |d, _| {
            let f = [
                (fine.1 as i64 + 2 * d[0]) as usize,
                (fine.1 as i64 + 2 * d[1]) as usize,
                0,
            ];
            fine.0.get(f) as f64
        })
    };
    let d1 = change(&grids[0], &grids[1]);
    let d2 = change(&grids[1], &grids[2]);
    let (rmax, rrms) = (d1.0 / d2.0, d1.1 / d2.1);
    println!(
        "2D point source: change 40→20 µm max {:.3e} RMS {:.3e}; 20→10 µm max {:.3e} RMS {:.3e}; \
         ratios {rmax:.2} (max), {rrms:.2} (RMS); observed order {:.2}, {:.2}",
        d1.0,
        d1.1,
        d2.0,
        d2.1,
        rmax.log2(),
        rrms.log2()
    );
    assert!(rmax >= 3.0 && rrms >= 3.0, "{rmax} {rrms}");
}

#[test]
fn point_source_2d_steady_state_matches_k0_whatever_tau() {
    // Same problem on the h = 40 µm grid: stepped to its steady state at λτ = 0.01, then
    // on from there at λτ = 0.04, 0.35 and 0.7 (one sub-step per hour). The Douglas
    // scheme's fixed point is the steady state of the unsplit discrete equation, so it
    // does not depend on τ: the larger steps must keep it. (Starting from the previous
    // solution also spares the large steps the slow approach of short-wave modes, see
    // `seedsoil::fields`.) Tolerances: every solution within
    // 3e-3 (max) and 1.5e-3 (RMS) of K0 at radii 2–6 L — the size of this grid's spatial
    // error (≈ 1e-3, see the refinement test) — and the solutions agree with each other
    // within 1e-4 (f32 rounding and the remaining transient).
    let l = Cytokine::IL6.diffusion_length_um();
    let half = (10.0 * l / 40.0).round() as usize;
    let mut solutions: Vec<FieldGrid> = Vec::new();
    for (lt, factor) in [(0.01, 1e7), (0.04, 1e3), (0.35, 1e3), (0.7, 1e3)] {
        let g = point_source(
            2,
            4,
            half,
            lt,
            steps_for(lt, factor),
            solutions.last().cloned(),
        );
        let (max, rms) = rel_error(&g, half, 2.0 * l, 6.0 * l, |_, r| slab_k0(r));
        println!("2D point source, h = 40 µm, λτ = {lt}: error vs K0 max {max:.4e}, RMS {rms:.4e}");
        assert!(max < 3e-3 && rms < 1.5e-3, "λτ = {lt}: {max} {rms}");
        if let Some(first) = solutions.first() {
            let (d, _) = rel_error(&g, half, 2.0 * l, 6.0 * l, |dd, _| {
                let h = half as i64;
                first.get([(h + dd[0]) as usize, (h + dd[1]) as usize, 0]) as f64
            });
            println!("  change from λτ = 0.01: max {d:.2e}");
            assert!(d < 1e-4, "λτ = {lt}: {d}");
        }
        solutions.push(g);
    }
}

#[test]
fn point_source_3d_steady_state_matches_the_yukawa_profile() {
    // 3D, IL6, point source in the central cell of a ±6 L cube of h = 100 µm cells (61³,
    // h ≈ L/5), far field 0, stepped to its steady state at λτ = 0.04, then on at
    // λτ = 0.35 and 0.7 (as in the 2D test: the steady state must stay). Analytic:
    // c(r) = q/(4πDr)·e^(−r/L), compared at radii 1.5–3 L (the fixed far field at 6 L
    // lowers the profile there by ≤ 1e-3). Tolerances: within 2e-2 max and 1e-2 RMS at
    // every τ: what is left is the spatial error of this coarse grid (h = L/5), largest
    // near the source (measured 1.3e-2 max, 5.3e-3 RMS); and the Douglas steady state
    // does not depend on τ (solutions within 1e-4 of each other).
    let cy = Cytokine::IL6;
    let l = cy.diffusion_length_um();
    let coarsen = 10;
    let half = (6.0 * l / 100.0).round() as usize;
    let yukawa = |r_um: f64| {
        let r_cm = r_um * 1e-4;
        Q_NG_PER_S / (4.0 * PI * cy.diffusion_cm2_per_s * r_cm) * (-r_um / l).exp()
    };
    let mut solutions: Vec<FieldGrid> = Vec::new();
    for (lt, factor) in [(0.04, 1e7), (0.35, 1e3), (0.7, 1e3)] {
        let g = point_source(
            3,
            coarsen,
            half,
            lt,
            steps_for(lt, factor),
            solutions.last().cloned(),
        );
        let (max, rms) = rel_error(&g, half, 1.5 * l, 3.0 * l, |_, r| yukawa(r));
        println!("3D point source, h = 100 µm, λτ = {lt}: error max {max:.4e}, RMS {rms:.4e}");
        assert!(max < 2e-2 && rms < 1e-2, "λτ = {lt}: {max} {rms}");
        if let Some(first) = solutions.first() {
            let h = half as i64;
            let (d, _) = rel_error(&g, half, 1.5 * l, 3.0 * l, |dd, _| {
                first.get([
                    (h + dd[0]) as usize,
                    (h + dd[1]) as usize,
                    (h + dd[2]) as usize,
                ]) as f64
            });
            println!("  change from λτ = 0.04: max {d:.2e}");
            assert!(d < 1e-4, "λτ = {lt}: {d}");
        }
        solutions.push(g);
    }
}

/// One random stepping problem for the property test.
#[derive(Debug, Clone)]
struct Problem {
    dims: usize,
    n: [usize; 3],
    coarsen: u32,
    diffusion_cm2_per_s: f64,
    decay_per_h: f64,
    boundary: Boundary,
    dt_s: f64,
    substeps: u32,
    with_source: bool,
    with_uptake: bool,
    seed: u64,
    calls: usize,
}

fn problems() -> impl Strategy<Value = Problem> {
    (
        (
            prop_oneof![Just(2usize), Just(3usize)],
            1usize..=13,
            1usize..=11,
            1usize..=7,
            1u32..=5,
            prop_oneof![Just(0.0), 1e-9..1e-5f64],
            prop_oneof![Just(0.0), 0.0..10.0f64],
        ),
        (
            prop_oneof![
                Just(Boundary::NoFlux),
                Just(Boundary::Fixed(0.0)),
                (0.0f32..100.0).prop_map(Boundary::Fixed)
            ],
            prop_oneof![1e-3..10.0f64, 10.0..3600.0f64, Just(1e6), Just(1e9)],
            1u32..=4,
            any::<bool>(),
            any::<bool>(),
            any::<u64>(),
            1usize..=3,
        ),
    )
        .prop_map(
            |(
                (dims, nx, ny, nz, coarsen, d, lambda),
                (boundary, dt, sub, src, upt, seed, calls),
            )| {
                Problem {
                    dims,
                    n: [nx, ny, if dims == 3 { nz } else { 1 }],
                    coarsen,
                    diffusion_cm2_per_s: d,
                    decay_per_h: lambda,
                    boundary,
                    dt_s: dt,
                    substeps: sub,
                    with_source: src,
                    with_uptake: upt,
                    seed,
                    calls,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Concentrations stay ≥ 0 and finite for any non-negative data, any D, λ, τ
    /// (up to 10⁹ s: the scheme is unconditionally stable) and both boundary kinds.
    #[test]
    fn concentrations_stay_non_negative_and_finite(p in problems()) {
        let cy = Cytokine {
            diffusion_cm2_per_s: p.diffusion_cm2_per_s,
            decay_per_h: p.decay_per_h,
            boundary: p.boundary,
            ..Cytokine::IL6
        };
        let mut g = FieldGrid::new(p.dims, p.n, 1.0, p.coarsen, [0; 3], 0.0).unwrap();
        let mut rng = stream(p.seed, 0, 0, 0);
        for v in g.values_mut() {
            // Zeros, small and large values.
            let u = uniform(&mut rng);
            *v = if u < 0.3 { 0.0 } else { (u * 1e3).powi(2) as f32 };
        }
        let source: Vec<f32> = (0..g.len())
            .map(|_| if uniform(&mut rng) < 0.5 { 0.0 } else { (uniform(&mut rng) * 1e3) as f32 })
            .collect();
        let uptake: Vec<f32> = (0..g.len()).map(|_| (uniform(&mut rng) * 1e-2) as f32).collect();
        let reaction = Reaction {
            source_ng_ml_per_s: p.with_source.then_some(&source[..]),
            uptake_per_s: p.with_uptake.then_some(&uptake[..]),
        };
        let mut s = DiffusionSolver::new(cy, p.dt_s, p.substeps).unwrap();
        for _ in 0..p.calls {
            s.advance(&mut g, reaction);
            for &v in g.values() {
                prop_assert!(v >= 0.0 && v.is_finite(), "value {}", v);
            }
        }
    }
}

#[test]
fn results_are_bit_identical_for_1_2_and_4_threads() {
    // 2D 1300 × 300 (3 strips per y-sweep) and 3D 64 × 48 × 100 (6 strips per z-sweep),
    // random field, sources and uptake, fixed far field 0.5 ng/mL, 3 calls of 4 sub-steps:
    // every value must have the same bits whatever the pool size, and in sequential mode.
    let cy = il6(Boundary::Fixed(0.5), 0.7);
    for (dims, n) in [(2, [1300, 300, 1]), (3, [64, 48, 100])] {
        let start = random_grid(dims, n, 2, 11, 0.0, 3.0);
        let mut rng = stream(12, 0, 0, 0);
        let source: Vec<f32> = (0..start.len()).map(|_| uniform(&mut rng) as f32).collect();
        let uptake: Vec<f32> = (0..start.len())
            .map(|_| 1e-4 * uniform(&mut rng) as f32)
            .collect();
        let reaction = Reaction {
            source_ng_ml_per_s: Some(&source),
            uptake_per_s: Some(&uptake),
        };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut g = start.clone();
                let mut s = DiffusionSolver::new(cy, 3600.0, 4).unwrap();
                for _ in 0..3 {
                    s.advance(&mut g, reaction);
                }
                g
            })
        };
        let one = run(1);
        assert_ne!(one.values(), start.values());
        // Sequential mode (no rayon) gives the same bits.
        let mut seq = start.clone();
        let mut s = DiffusionSolver::new(cy, 3600.0, 4).unwrap();
        s.set_parallel(false);
        for _ in 0..3 {
            s.advance(&mut seq, reaction);
        }
        assert!(
            one.values()
                .iter()
                .zip(seq.values())
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{dims}D: sequential differs"
        );
        for threads in [2, 4] {
            let other = run(threads);
            let same = one
                .values()
                .iter()
                .zip(other.values())
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{dims}D: 1 vs {threads} threads differ");
        }
        // Two fields in one call give the same bits as two separate calls.
        let mut a = start.clone();
        let mut b = start.clone();
        let mut sa = DiffusionSolver::new(cy, 3600.0, 4).unwrap();
        let mut sb = DiffusionSolver::new(Cytokine::CXCL7, 3600.0, 4).unwrap();
        DiffusionSolver::advance_pair(
            (&mut sa, &mut a, reaction),
            (&mut sb, &mut b, Reaction::NONE),
        );
        let mut b2 = start.clone();
        DiffusionSolver::new(Cytokine::CXCL7, 3600.0, 4)
            .unwrap()
            .advance(&mut b2, Reaction::NONE);
        let mut a2 = start.clone();
        DiffusionSolver::new(cy, 3600.0, 4)
            .unwrap()
            .advance(&mut a2, reaction);
        assert_eq!(a.values(), a2.values());
        assert_eq!(b.values(), b2.values());
    }
}

#[test]
fn resize_keeps_overlapping_values_and_fills_new_cells() {
    // Every site keeps its value where old and new grids overlap; new cells hold the far
    // field; misaligned origins are refused.
    for dims in [2usize, 3] {
        let c = 4u32;
        let n0 = if dims == 2 { [8, 6, 1] } else { [8, 6, 5] };
        let origin0 = if dims == 2 { [32, 40, 0] } else { [32, 40, 8] };
        let mut g = FieldGrid::new(dims, n0, 10.0, c, origin0, 0.0).unwrap();
        for (i, v) in g.values_mut().iter_mut().enumerate() {
            *v = 1.0 + i as f32;
        }
        let old = g.clone();
        // Grow as the lattice does: double every side and re-centre.
        let shift = |a: usize, n: usize| {
            if a < dims {
                (n as i64 / 2) * c as i64
            } else {
                0
            }
        };
        let origin1: [i64; 3] = std::array::from_fn(|a| origin0[a] - shift(a, n0[a]));
        let n1: [usize; 3] = std::array::from_fn(|a| if a < dims { 2 * n0[a] } else { 1 });
        g.resize(origin1, n1, -7.0).unwrap();
        assert_eq!((g.origin(), g.n()), (origin1, n1));
        let mut kept = 0;
        for idx in 0..g.len() {
            let ijk = g.coords(idx);
            let site: [i64; 3] = std::array::from_fn(|a| origin1[a] + (ijk[a] as i64) * c as i64);
            match old.cell_of_site(site) {
                Some(o) => {
                    assert_eq!(g.values()[idx], old.values()[o]);
                    kept += 1;
                }
                None => assert_eq!(g.values()[idx], -7.0),
            }
        }
        assert_eq!(kept, old.len());
        // Shrink to a window that cuts the old grid: overlap kept, the rest far field.
        let origin2: [i64; 3] =
            std::array::from_fn(|a| if a < dims { origin0[a] + 4 } else { origin0[2] });
        let mut h = old.clone();
        h.resize(origin2, n0, 0.25).unwrap();
        for idx in 0..h.len() {
            let ijk = h.coords(idx);
            let site: [i64; 3] = std::array::from_fn(|a| origin2[a] + (ijk[a] as i64) * c as i64);
            let want = old.cell_of_site(site).map_or(0.25, |o| old.values()[o]);
            assert_eq!(h.values()[idx], want);
        }
        // Misaligned.
        let mut bad = origin1;
        bad[0] += 2;
        assert!(g.clone().resize(bad, n1, 0.0).is_err());
    }
}

#[test]
fn point_source_steady_profile_is_within_5_percent_of_k0_at_the_default_settings() {
    // The engine's defaults (`Config::default()`): 1 h cell steps in `fields.substeps`
    // sub-steps, field cells of 10 µm × `fields.coarsen`, IL6 and CXCL7 with the default
    // config's parameters (fixed far field 0). A point source in the central cell of a ±10 L
    // domain, stepped to its steady state (200 cell steps: the slowest transient falls
    // below 1e-20 of its start); error against q/(2πDd)·K0(r/L) at radii 1–6 L.
    // Tolerance: 5 % max relative error (the requirement). The Douglas scheme's steady
    // state is that of the unsplit discrete equation, so what is left is the spatial
    // error of h = 40 µm (≈ L/12): measured max 1.6e-3 (IL6), 1.8e-3 (CXCL7) at 1 sub-step
    // per hour (the LOD scheme this replaced was 30 % off at 2 sub-steps).
    let config = seedsoil::config::Config::default();
    let (coarsen, substeps) = (config.fields.coarsen, config.fields.substeps);
    let h = 10.0 * coarsen as f64;
    for cy in [Cytokine::IL6, Cytokine::CXCL7] {
        let l = cy.diffusion_length_um();
        let half = (10.0 * l / h).round() as usize;
        let n = 2 * half + 1;
        let mut g = FieldGrid::new(2, [n, n, 1], 10.0, coarsen, [0; 3], 0.0).unwrap();
        let mut source = vec![0.0f32; g.len()];
        source[g.index([half, half, 0])] = (Q_NG_PER_S / g.volume_ml()) as f32;
        let reaction = Reaction {
            source_ng_ml_per_s: Some(&source),
            uptake_per_s: None,
        };
        let mut s = DiffusionSolver::new(cy, 3600.0, substeps).unwrap();
        for _ in 0..200 {
            s.advance(&mut g, reaction);
        }
        let thickness_cm = 10.0e-4;
        let analytic = |r_um: f64| {
            Q_NG_PER_S / (2.0 * PI * cy.diffusion_cm2_per_s * thickness_cm) * k0(r_um / l)
        };
        let (max, rms) = rel_error(&g, half, l, 6.0 * l, |_, r| analytic(r));
        println!(
            "2D point source at the defaults (h = {h} µm, {substeps} sub-step(s) per hour, \
             λτ = {:.3}), D = {} cm²/s: error vs K0 at 1–6 L max {max:.4e}, RMS {rms:.4e}",
            cy.decay_per_s() * 3600.0 / substeps as f64,
            cy.diffusion_cm2_per_s
        );
        assert!(max <= 0.05, "D = {}: {max}", cy.diffusion_cm2_per_s);
    }
}
