//! The implicit diffusion–decay solver: one call advances a field by one cell step,
//! sub-cycled (see the scheme in the [module docs](super)).
//!
//! # Memory layout and parallel sweeps
//!
//! Values are stored x fastest. Each sub-step makes three (2D: two) sweeps over the grid
//! (Douglas: over the correction δ, then a last pass `c ← c + δ` with the positivity
//! guard):
//!
//! - **x**: blocks of [`ROWS_PER_BLOCK`] consecutive x-lines are independent contiguous
//!   chunks (`par_chunks_mut`). In each block a vectorised pass along the rows computes
//!   the Douglas residual (LOD: applies the source/decay/uptake update) and multiplies by
//!   the first Thomas factor `invᵢ`;
//!   then the block's lines are solved with their recurrences interleaved (one multiply
//!   and one add per cell and pass). The block is still in L1 cache for the solve, so the
//!   reaction costs no extra pass over memory.
//! - **y** (and **z** in 3D): the recurrence along y is applied to whole x-rows at once —
//!   `row_j ← inv_j · row_j + e_j · row_{j−1}` — which vectorises and reads memory
//!   contiguously. The lines are solved by the twisted factorisation (see
//!   [`super::thomas`]): the upper and lower halves of the rows are swept at the same
//!   time by two threads, each through contiguous memory. With more than two threads,
//!   rows are also cut into strips of columns (at least [`MIN_STRIP_VALUES`] wide, so
//!   that the hardware prefetcher follows each segment), solved in two colour phases so
//!   that neighbouring strips, which share a cache line on most rows, never run at the
//!   same time (measured: concurrent neighbouring strips made 2 threads slower than 1 on
//!   a 1000² grid). In 3D, the y-sweep also runs z-planes in parallel. z-lines are
//!   handled the same way, with whole xy-planes as rows.
//!
//! The strips are handed to rayon as lists of disjoint row segments (`&mut [f32]`); the
//! lists live in vectors kept by the solver between calls, so stepping does not allocate.
//!
//! Every line is solved with the same operations in the same order however lines are
//! grouped into blocks, strips and threads, and nothing is reduced across lines: the
//! result is bit-identical for any number of threads.

use super::thomas::{LineFactors, solve_rows, solve_strip};
use super::{Boundary, Cytokine, FieldError, FieldGrid, SUM_CHUNK, UM2_PER_CM2};
use rayon::prelude::*;
use std::slice::ChunksMut;

/// x-lines solved together (interleaved recurrences) in one block.
pub const ROWS_PER_BLOCK: usize = 8;

/// Concentrations below this, ng/mL, count as 0 at the start of a sub-step. Physically
/// nothing (10⁻²⁰ ng/mL of IL6 is 3·10⁻¹⁰ molecules per mL), but it keeps decaying
/// regions from sinking into subnormal `f32` values (below 1.2·10⁻³⁸), on which every
/// arithmetic operation is 10–100 times slower: without it, a field left to decay (e.g.
/// after surgery) slows every sweep within days of simulated time. The margin of 10¹⁸
/// covers the factors (≥ 1/(1 + 4r) per sweep) by which a sub-step can shrink a value.
pub const FLUSH_BELOW_NG_ML: f32 = 1e-20;

/// Narrowest strip of a y/z sweep, in values (1 KiB): shorter row segments at a large
/// stride defeat the hardware prefetcher.
const MIN_STRIP_VALUES: usize = 256;

/// The per-cell terms of one solve: sources and uptake, constant over the call's
/// sub-steps. Each slice, if given, has one value per field cell (index as in
/// [`FieldGrid::index`]); `None` means zero everywhere.
///
/// Both must be non-negative (and finite) for the non-negativity guarantee.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reaction<'a> {
    /// Source S, ng/mL per second (see [`super::secretion_ng_ml_per_s`]).
    pub source_ng_ml_per_s: Option<&'a [f32]>,
    /// First-order uptake rate U, 1/s (e.g. consuming cells × per-cell rate / 3600).
    pub uptake_per_s: Option<&'a [f32]>,
}

impl Reaction<'_> {
    /// No source and no uptake: pure diffusion and decay.
    pub const NONE: Reaction<'static> = Reaction {
        source_ng_ml_per_s: None,
        uptake_per_s: None,
    };
}

/// The time-stepping scheme of a [`DiffusionSolver`] (see the [module docs](super)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// Douglas (stabilising-correction) ADI: the correction `δ = c(t+τ) − c(t)` solves
    /// `(1 + τ(λ+U)) (1 − τDδx²)(1 − τDδy²)(1 − τDδz²) δ = τ (D∇²c − (λ+U) c + S)`. Its
    /// steady state is exactly that of the unsplit discrete equation, at any τ.
    #[default]
    Douglas,
    /// Locally one-dimensional backward Euler (BioFVM's scheme): reaction per cell, then
    /// one implicit sweep per axis, with D/(1 + λτ). Every factor is positive, but the
    /// steady state carries a splitting error of first order in λτ.
    Lod,
}

/// Everything that depends only on `(scheme, cytokine, τ, h, n)`.
#[derive(Debug, Clone)]
struct Plan {
    scheme: Scheme,
    dims: usize,
    n: [usize; 3],
    h_um: f64,
    /// Sub-step τ, s.
    tau: f32,
    /// Decay rate λ, 1/s.
    decay: f32,
    /// `r = D τ / h²`.
    r: f32,
    /// The far-field value of a fixed boundary (`None`: no flux).
    far: Option<f32>,
    /// A row of `nx` far-field values (empty for no flux).
    far_row: Vec<f32>,
    /// `invᵢ / (1 + τλ)` along x: the reaction factor and the first Thomas factor in one
    /// multiply.
    keep_inv: Vec<f32>,
    /// Thomas factors of the sweeps along x, y (and z). Douglas: of the correction, with
    /// ghost value 0 at a fixed boundary (the correction vanishes there); LOD: of the
    /// concentration with D/(1 + λτ). Mirrored ends for no flux.
    axes: Vec<LineFactors>,
}

/// Advances one cytokine's field: `∂c/∂t = D ∇²c − λ c + S − U c` over `dt_s` seconds in
/// `substeps` implicit Douglas sub-steps (see the [module docs](super)).
///
/// The Thomas factors are computed on first use for a grid shape and reused until the
/// grid's shape or cell size changes (e.g. after [`FieldGrid::resize`]).
#[derive(Debug)]
pub struct DiffusionSolver {
    cytokine: Cytokine,
    dt_s: f64,
    substeps: u32,
    scheme: Scheme,
    parallel: bool,
    plan: Option<Plan>,
    /// The correction `δ = c(t + τ) − c(t)` of a sub-step, one value per field cell.
    delta: Vec<f32>,
    /// Per-chunk flags of the final pass (negative value seen), one per [`SUM_CHUNK`].
    negative: Vec<bool>,
    /// Row segments of the strips of a y/z sweep (empty between calls; the allocation is
    /// kept).
    segs: Vec<&'static mut [f32]>,
    /// Per-row strip iterators used to build `segs` (empty between calls).
    row_strips: Vec<ChunksMut<'static, f32>>,
}

impl DiffusionSolver {
    /// A solver for `cytokine` that advances by `dt_s` seconds per call in `substeps`
    /// equal sub-steps.
    pub fn new(cytokine: Cytokine, dt_s: f64, substeps: u32) -> Result<Self, FieldError> {
        cytokine.validate()?;
        if !(dt_s.is_finite() && dt_s > 0.0) {
            return Err(FieldError::Parameter {
                name: "dt_s",
                value: dt_s,
                allowed: "finite and > 0",
            });
        }
        if substeps == 0 {
            return Err(FieldError::Parameter {
                name: "substeps",
                value: 0.0,
                allowed: "≥ 1",
            });
        }
        Ok(DiffusionSolver {
            cytokine,
            dt_s,
            substeps,
            scheme: Scheme::default(),
            parallel: true,
            plan: None,
            delta: Vec::new(),
            negative: Vec::new(),
            segs: Vec::new(),
            row_strips: Vec::new(),
        })
    }
    /// Sets the time-stepping scheme ([`Scheme::Douglas`] by default).
    pub fn set_scheme(&mut self, scheme: Scheme) {
        self.scheme = scheme;
    }

    /// The time-stepping scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether sweeps run in parallel on the current rayon pool (the default) or
    /// sequentially on the calling thread. The results are bit-identical either way.
    ///
    /// Sequential mode is for callers that step on a thread outside any rayon pool (e.g.
    /// a single-threaded run): a parallel call from there hands each sweep to rayon's
    /// global pool and waits for it, which cost about 0.15 ms per sweep in our
    /// measurements — more than the whole sweep on a 1000² grid.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    /// See [`DiffusionSolver::set_parallel`].
    pub fn parallel(&self) -> bool {
        self.parallel
    }

    /// The cytokine's parameters.
    pub fn cytokine(&self) -> &Cytokine {
        &self.cytokine
    }

    /// Time advanced per call, s.
    pub fn dt_s(&self) -> f64 {
        self.dt_s
    }

    /// Sub-steps per call.
    pub fn substeps(&self) -> u32 {
        self.substeps
    }

    /// The sub-step τ = dt / substeps, s.
    pub fn substep_s(&self) -> f64 {
        self.dt_s / self.substeps as f64
    }

    /// The diffusion number `r = D τ / h²` of one sub-step on `grid` (no stability limit
    /// applies; it says how far, in cells, a sub-step spreads: about `√(2r)`).
    pub fn diffusion_number(&self, grid: &FieldGrid) -> f64 {
        self.cytokine.diffusion_cm2_per_s * UM2_PER_CM2 * self.substep_s()
            / (grid.h_um() * grid.h_um())
    }

    /// Advances `grid` by `dt_s` seconds with the given sources and uptake.
    ///
    /// # Panics
    /// If a slice of `reaction` does not have one value per grid cell.
    pub fn advance(&mut self, grid: &mut FieldGrid, reaction: Reaction<'_>) {
        let len = grid.len();
        for s in [reaction.source_ng_ml_per_s, reaction.uptake_per_s]
            .into_iter()
            .flatten()
        {
            assert_eq!(s.len(), len, "one source/uptake value per field cell");
            debug_assert!(s.iter().all(|&v| v >= 0.0 && v.is_finite()));
        }
        self.ensure_plan(grid);
        for _ in 0..self.substeps {
            match self.scheme {
                Scheme::Douglas => self.substep(grid.values_mut(), reaction),
                Scheme::Lod => self.lod_substep(grid.values_mut(), reaction),
            }
        }
    }

    /// Advances two fields (e.g. IL6 and CXCL7) by one call each, concurrently
    /// (`rayon::join`); the result is the same as two [`DiffusionSolver::advance`] calls.
    pub fn advance_pair(
        first: (&mut DiffusionSolver, &mut FieldGrid, Reaction<'_>),
        second: (&mut DiffusionSolver, &mut FieldGrid, Reaction<'_>),
    ) {
        let (s1, g1, r1) = first;
        let (s2, g2, r2) = second;
        rayon::join(|| s1.advance(g1, r1), || s2.advance(g2, r2));
    }

    fn ensure_plan(&mut self, grid: &FieldGrid) {
        if self.scheme == Scheme::Douglas && self.delta.len() != grid.len() {
            self.delta = vec![0.0; grid.len()];
            self.negative = vec![false; grid.len().div_ceil(SUM_CHUNK)];
        }
        let fresh = self.plan.as_ref().is_some_and(|p| {
            p.scheme == self.scheme
                && p.dims == grid.dims()
                && p.n == grid.n()
                && p.h_um == grid.h_um()
        });
        if fresh {
            return;
        }
        let tau = self.substep_s();
        let r = self.diffusion_number(grid);
        let far = match self.cytokine.boundary {
            Boundary::NoFlux => None,
            Boundary::Fixed(v) => Some(v),
        };
        let n = grid.n();
        let td = tau * self.cytokine.decay_per_s();
        let axes: Vec<LineFactors> = match self.scheme {
            // The correction vanishes at a fixed boundary: ghost value 0.
            Scheme::Douglas => (0..grid.dims())
                .map(|a| LineFactors::new(n[a], r, far.map(|_| 0.0)))
                .collect(),
            // Steady-state correction for the splitting: dividing D by 1 + λτ makes the
            // fixed point of one sub-step solve λc − D∇²c = S exactly in 1D.
            Scheme::Lod => (0..grid.dims())
                .map(|a| LineFactors::new(n[a], r / (1.0 + td), far))
                .collect(),
        };
        let keep_inv = axes[0]
            .inv
            .iter()
            .map(|&a| (a as f64 / (1.0 + td)) as f32)
            .collect();
        self.plan = Some(Plan {
            scheme: self.scheme,
            dims: grid.dims(),
            n,
            h_um: grid.h_um(),
            tau: tau as f32,
            decay: self.cytokine.decay_per_s() as f32,
            r: r as f32,
            far,
            far_row: far.map_or(Vec::new(), |v| vec![v; n[0]]),
            keep_inv,
            axes,
        });
    }

    /// One LOD sub-step: reaction and x-sweep (fused), then the y (and z) sweeps.
    fn lod_substep(&mut self, values: &mut [f32], reaction: Reaction<'_>) {
        let DiffusionSolver {
            plan,
            segs,
            row_strips,
            parallel,
            ..
        } = self;
        let plan = plan.as_ref().expect("plan built by ensure_plan");
        let [nx, ny, nz] = plan.n;
        let block = ROWS_PER_BLOCK * nx;
        let x_block = |(b, chunk): (usize, &mut [f32])| {
            let range = b * block..b * block + chunk.len();
            let source = reaction.source_ng_ml_per_s.map(|s| &s[range.clone()]);
            let uptake = reaction.uptake_per_s.map(|u| &u[range]);
            prepare_x_rows(chunk, source, uptake, plan);
            solve_x_block(chunk, &plan.axes[0]);
        };
        if *parallel {
            values.par_chunks_mut(block).enumerate().for_each(x_block);
        } else {
            values.chunks_mut(block).enumerate().for_each(x_block);
        }
        let par = *parallel;
        sweep_strips(values, ny, nx, &plan.axes[1], segs, row_strips, par);
        if plan.dims == 3 {
            sweep_strips(values, nz, nx * ny, &plan.axes[2], segs, row_strips, par);
        }
    }

    /// One Douglas sub-step: the residual and the x-sweep of the correction (fused), the
    /// y (and z) sweeps of the correction, then `c ← c + δ` with the positivity guard.
    fn substep(&mut self, values: &mut [f32], reaction: Reaction<'_>) {
        let DiffusionSolver {
            plan,
            delta,
            negative,
            segs,
            row_strips,
            parallel,
            ..
        } = self;
        let plan = plan.as_ref().expect("plan built by ensure_plan");
        let [nx, ny, nz] = plan.n;
        let block = ROWS_PER_BLOCK * nx;
        let c: &[f32] = values;
        let x_block = |(b, chunk): (usize, &mut [f32])| {
            let first_row = b * ROWS_PER_BLOCK;
            for (k, row) in chunk.chunks_exact_mut(nx).enumerate() {
                residual_row(row, c, first_row + k, reaction, plan);
            }
            solve_x_block(chunk, &plan.axes[0]);
        };
        if *parallel {
            delta.par_chunks_mut(block).enumerate().for_each(x_block);
        } else {
            delta.chunks_mut(block).enumerate().for_each(x_block);
        }
        let par = *parallel;
        sweep_strips(delta, ny, nx, &plan.axes[1], segs, row_strips, par);
        if plan.dims == 3 {
            sweep_strips(delta, nz, nx * ny, &plan.axes[2], segs, row_strips, par);
        }
        // `c ← c + δ`; a chunk of SUM_CHUNK values that holds negative values is then fixed
        // in place (still in cache) by the guard, conserving the chunk's total; only a
        // chunk whose total is negative (never seen) is left to the global guard.
        let update = |((cs, ds), neg): ((&mut [f32], &[f32]), &mut bool)| {
            let mut any = false;
            for (v, &d) in cs.iter_mut().zip(ds) {
                let w = *v + d;
                any |= w < 0.0;
                // Tiny positive values become 0 (see FLUSH_BELOW_NG_ML); negative ones
                // are kept for the guard, which needs the scheme's total.
                *v = if !(0.0..FLUSH_BELOW_NG_ML).contains(&w) {
                    w
                } else {
                    0.0
                };
            }
            *neg = any && !positivity_guard(cs);
        };
        if par {
            values
                .par_chunks_mut(SUM_CHUNK)
                .zip(delta.par_chunks(SUM_CHUNK))
                .zip(negative.par_iter_mut())
                .for_each(update);
        } else {
            values
                .chunks_mut(SUM_CHUNK)
                .zip(delta.chunks(SUM_CHUNK))
                .zip(negative.iter_mut())
                .for_each(update);
        }
        if negative.iter().any(|&b| b) {
            // The scheme keeps the total of a field ≥ 0, but flushing tiny positive values
            // (below FLUSH_BELOW_NG_ML) can leave a decayed field with a negative total
            // made of values all below the flush level: such a field is zero.
            if !positivity_guard(values) {
                values.fill(0.0);
            }
        }
    }
}

/// Removes the negative values a Douglas sub-step can leave next to steep gradients from
/// `values` (one chunk of [`SUM_CHUNK`] values, i.e. a few neighbouring grid rows, or the
/// whole grid), conserving their total: negative values become 0 and the others are
/// scaled by `total / positive part` (≤ 1). The totals are summed in `f64` in a fixed
/// order, so the result does not depend on the number of threads. Returns `false`, and
/// changes nothing, if the total is negative.
fn positivity_guard(values: &mut [f32]) -> bool {
    // Eight independent f64 accumulators (in a fixed order), so that the sums vectorise
    // instead of waiting on one chain of additions.
    let (mut t, mut p) = ([0.0f64; 8], [0.0f64; 8]);
    let mut lanes = values.chunks_exact(8);
    for l in &mut lanes {
        for k in 0..8 {
            t[k] += l[k] as f64;
            p[k] += l[k].max(0.0) as f64;
        }
    }
    for (k, &v) in lanes.remainder().iter().enumerate() {
        t[k] += v as f64;
        p[k] += v.max(0.0) as f64;
    }
    let (total, positive) = (t.iter().sum::<f64>(), p.iter().sum::<f64>());
    if total < 0.0 {
        return false;
    }
    let scale = if positive > 0.0 {
        (total / positive).min(1.0) as f32
    } else {
        0.0
    };
    for v in values.iter_mut() {
        let w = v.max(0.0) * scale;
        *v = if w >= FLUSH_BELOW_NG_ML { w } else { 0.0 };
    }
    true
}

/// Computes row `row` (x-row index over all planes: `j + ny·k`) of the Douglas
/// correction's right-hand side, already multiplied by the reaction factor
/// `1 / (1 + τ(λ + U))` and the x-line factor `invᵢ`:
///
/// `δ* = invᵢ · τ (D ∇²c − (λ + U) c + S) / (1 + τ(λ + U))`,
///
/// with the 5- (7-) point Laplacian `r · Σ (c_nb − c)` (a no-flux neighbour outside the
/// grid is the cell itself; a fixed one is the far-field value).
#[inline]
fn residual_row(out: &mut [f32], c: &[f32], row: usize, reaction: Reaction<'_>, p: &Plan) {
    let [nx, ny, nz] = p.n;
    let (j, k) = (row % ny, row / ny);
    let base = row * nx;
    let cr = &c[base..base + nx];
    let plane = nx * ny;
    // A neighbour row outside the grid: the row itself for no flux (no exchange), the
    // far-field row for a fixed boundary.
    let row_at = |inside: bool, start: usize| -> &[f32] {
        if inside {
            &c[start..start + nx]
        } else if p.far.is_some() {
            &p.far_row
        } else {
            cr
        }
    };
    let down = row_at(j > 0, base.wrapping_sub(nx));
    let up = row_at(j + 1 < ny, base + nx);
    // x and y neighbours in one pass.
    let edge = |v: f32| p.far.map_or(0.0, |f| f - v);
    if nx == 1 {
        out[0] = 2.0 * edge(cr[0]) + (down[0] - cr[0]) + (up[0] - cr[0]);
    } else {
        out[0] = edge(cr[0]) + (cr[1] - cr[0]) + (down[0] - cr[0]) + (up[0] - cr[0]);
        let inner = out[1..nx - 1]
            .iter_mut()
            .zip(cr.windows(3))
            .zip(down[1..nx - 1].iter().zip(&up[1..nx - 1]));
        for ((o, w), (&d, &u)) in inner {
            let v = w[1];
            *o = (w[0] - v) + (w[2] - v) + (d - v) + (u - v);
        }
        let (l, v) = (nx - 1, cr[nx - 1]);
        out[l] = (cr[l - 1] - v) + edge(v) + (down[l] - v) + (up[l] - v);
    }
    if p.dims == 3 {
        let below = row_at(k > 0, base.wrapping_sub(plane));
        let above = row_at(k + 1 < nz, base + plane);
        for (((o, &v), &b), &a) in out.iter_mut().zip(cr).zip(below).zip(above) {
            *o += (b - v) + (a - v);
        }
    }
    let (r, tau, lambda) = (p.r, p.tau, p.decay);
    let inv = &p.axes[0].inv;
    let range = base..base + nx;
    match (reaction.source_ng_ml_per_s, reaction.uptake_per_s) {
        (None, None) => {
            for ((o, &v), &kk) in out.iter_mut().zip(cr).zip(&p.keep_inv) {
                *o = (r * *o - tau * lambda * v) * kk;
            }
        }
        (Some(s), None) => {
            for (((o, &v), &s), &kk) in out.iter_mut().zip(cr).zip(&s[range]).zip(&p.keep_inv) {
                *o = (r * *o + tau * (s - lambda * v)) * kk;
            }
        }
        (None, Some(u)) => {
            for (((o, &v), &u), &a) in out.iter_mut().zip(cr).zip(&u[range]).zip(inv) {
                let q = tau * (lambda + u);
                *o = (r * *o - q * v) / (1.0 + q) * a;
            }
        }
        (Some(s), Some(u)) => {
            let su = s[range.clone()].iter().zip(&u[range]);
            for (((o, &v), (&s, &u)), &a) in out.iter_mut().zip(cr).zip(su).zip(inv) {
                let q = tau * (lambda + u);
                *o = (r * *o + tau * s - q * v) / (1.0 + q) * a;
            }
        }
    }
}

/// LOD scheme: prepares a block of whole x-rows for [`solve_rows`]: sources, decay and uptake,
/// implicitly per cell, `c ← (c + τS) / (1 + τ(λ + U))`, times the x-line factor `invᵢ`
/// (folded in here, where it vectorises), plus the scaled ghost terms of a fixed far
/// field. Concentrations below [`FLUSH_BELOW_NG_ML`] count as 0.
#[inline]
fn prepare_x_rows(chunk: &mut [f32], source: Option<&[f32]>, uptake: Option<&[f32]>, p: &Plan) {
    let f = &p.axes[0];
    let nx = f.len();
    let (tau, opl) = (p.tau, 1.0 + p.tau * p.decay);
    let flush = |c: f32| if c >= FLUSH_BELOW_NG_ML { c } else { 0.0 };
    for (r, row) in chunk.chunks_exact_mut(nx).enumerate() {
        let range = r * nx..(r + 1) * nx;
        match (source, uptake) {
            (None, None) => {
                for (c, &k) in row.iter_mut().zip(&p.keep_inv) {
                    *c = flush(*c) * k;
                }
            }
            (Some(s), None) => {
                for ((c, &s), &k) in row.iter_mut().zip(&s[range]).zip(&p.keep_inv) {
                    *c = (flush(*c) + tau * s) * k;
                }
            }
            (None, Some(u)) => {
                for ((c, &u), &a) in row.iter_mut().zip(&u[range]).zip(&f.inv) {
                    *c = flush(*c) / (opl + tau * u) * a;
                }
            }
            (Some(s), Some(u)) => {
                let su = s[range.clone()].iter().zip(&u[range]);
                for ((c, (&s, &u)), &a) in row.iter_mut().zip(su).zip(&f.inv) {
                    *c = (flush(*c) + tau * s) / (opl + tau * u) * a;
                }
            }
        }
        f.add_scaled_ghosts(row);
    }
}

/// Solves the x-lines of a block of whole prepared rows, [`ROWS_PER_BLOCK`] at a time.
#[inline]
fn solve_x_block(chunk: &mut [f32], f: &LineFactors) {
    let mut rows = chunk.chunks_exact_mut(f.len());
    while rows.len() >= ROWS_PER_BLOCK {
        let group: [&mut [f32]; ROWS_PER_BLOCK] =
            std::array::from_fn(|_| rows.next().expect("counted"));
        solve_rows(group, f);
    }
    for row in rows {
        solve_rows([row], f);
    }
}

/// Strip width (in values) for rows of `inner` values when `threads` threads share the
/// work. Each strip already gives two parallel tasks (its upper and lower halves), so up
/// to two threads use whole rows (the best streaming); more threads get `threads`
/// strips (two colour phases of `threads / 2` strips, two halves each), each a multiple
/// of 16 values and at least [`MIN_STRIP_VALUES`] wide. Any width gives the same result;
/// this only balances the work.
fn strip_width(inner: usize, threads: usize) -> usize {
    let inner = inner.max(1);
    if threads <= 2 {
        return inner;
    }
    let w = inner.div_ceil(threads).div_ceil(16) * 16;
    w.max(MIN_STRIP_VALUES).min(inner)
}

/// Solves all lines along an axis whose cells are `inner` values apart: the grid is seen
/// as blocks of `len` rows of `inner` values (for y: one block per z-plane, rows = x-rows;
/// for z: one block, rows = xy-planes). Each block is cut into strips of columns (one
/// strip of whole rows for up to two threads), and each strip is solved by the row-wise
/// twisted Thomas kernel, its two halves in parallel.
fn sweep_strips(
    values: &mut [f32],
    len: usize,
    inner: usize,
    f: &LineFactors,
    segs_store: &mut Vec<&'static mut [f32]>,
    rows_store: &mut Vec<ChunksMut<'static, f32>>,
    parallel: bool,
) {
    let threads = if parallel {
        rayon::current_num_threads()
    } else {
        1
    };
    let w = strip_width(inner, threads);
    let strips_per_block = inner.div_ceil(w);
    let mut segs: Vec<&mut [f32]> = recycle(std::mem::take(segs_store));
    let mut rows: Vec<ChunksMut<'_, f32>> = recycle(std::mem::take(rows_store));
    for block in values.chunks_exact_mut(len * inner) {
        rows.extend(block.chunks_exact_mut(inner).map(|row| row.chunks_mut(w)));
        for _ in 0..strips_per_block {
            for row in rows.iter_mut() {
                segs.push(row.next().expect("one segment per strip"));
            }
        }
        rows.clear();
    }
    if parallel {
        // Two colour phases: even strips, then odd strips. Neighbouring strips share a
        // cache line at their boundary whenever a row is not a multiple of 64 bytes, and
        // solving them at the same time makes that line bounce between cores on every
        // row (measured with two concurrent strips of a 1000-wide grid: 2 threads slower
        // than 1). Only grids swept by more than two threads have several strips.
        for phase in 0..strips_per_block.min(2) {
            segs.par_chunks_mut(len)
                .enumerate()
                .filter(|(i, _)| (i % strips_per_block) % 2 == phase)
                .for_each(|(_, strip)| solve_strip(strip, f, true));
        }
    } else {
        segs.chunks_mut(len)
            .for_each(|strip| solve_strip(strip, f, false));
    }
    *segs_store = recycle(segs);
    *rows_store = recycle(rows);
}

/// Empties `v` and returns its allocation as a vector of another type of the same size
/// and alignment (here: the same references with another lifetime). The standard
/// library collects a mapped `vec::IntoIter` in place, so no allocation happens; this is
/// what lets the solver keep its lists of row segments between calls without `unsafe`.
fn recycle<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycling_keeps_the_allocation() {
        let mut data = [1.0f32; 8];
        let mut v: Vec<&mut [f32]> = data.chunks_mut(2).collect();
        v.reserve(100);
        let (cap, ptr) = (v.capacity(), v.as_ptr() as usize);
        let w: Vec<&'static mut [f32]> = recycle(v);
        assert_eq!(w.capacity(), cap);
        assert_eq!(w.as_ptr() as usize, ptr);
    }

    #[test]
    fn strips_are_multiples_of_16_and_bounded() {
        assert_eq!(strip_width(1000, 1), 1000);
        assert_eq!(strip_width(1000, 2), 1000);
        assert_eq!(strip_width(1000, 4), 256);
        assert_eq!(strip_width(2000, 8), 256);
        assert_eq!(strip_width(128, 4), 128);
        assert_eq!(strip_width(128 * 128, 4), 4096);
        assert_eq!(strip_width(3, 4), 3);
    }

    #[test]
    fn uniform_field_without_decay_stays_uniform_under_no_flux() {
        let mut c = Cytokine::IL6;
        c.decay_per_h = 0.0;
        c.boundary = Boundary::NoFlux;
        let mut s = DiffusionSolver::new(c, 3600.0, 3).unwrap();
        let mut g = FieldGrid::new(3, [7, 5, 4], 10.0, 2, [0; 3], 2.0).unwrap();
        s.advance(&mut g, Reaction::NONE);
        for &v in g.values() {
            assert!((v - 2.0).abs() < 1e-5, "{v}");
        }
    }

    #[test]
    fn steady_uniform_source_is_s_over_lambda_plus_u() {
        let mut c = Cytokine::IL6;
        c.boundary = Boundary::NoFlux;
        let mut s = DiffusionSolver::new(c, 3600.0, 2).unwrap();
        let mut g = FieldGrid::new(2, [6, 5, 1], 10.0, 4, [0; 3], 0.0).unwrap();
        let src = vec![0.17f32; g.len()];
        let up = vec![1e-4f32; g.len()];
        for _ in 0..400 {
            s.advance(
                &mut g,
                Reaction {
                    source_ng_ml_per_s: Some(&src),
                    uptake_per_s: Some(&up),
                },
            );
        }
        let want = 0.17 / (c.decay_per_s() + 1e-4);
        for &v in g.values() {
            assert!((v as f64 - want).abs() < 1e-4 * want, "{v} vs {want}");
        }
    }

    #[test]
    fn decaying_fields_flush_to_zero_instead_of_going_subnormal() {
        // No flux: the uniform field decays by exactly 1/(1 + λτ) per sub-step. (With a
        // fixed far field on this 6 × 5 × 4 grid of 10 µm cells, r = 900 and every mode
        // is short along all three axes, which the Douglas scheme damps only slowly:
        // see the module docs.)
        let mut cy = Cytokine::IL6;
        cy.boundary = Boundary::NoFlux;
        let mut s = DiffusionSolver::new(cy, 3600.0, 2).unwrap();
        let mut g = FieldGrid::new(3, [6, 5, 4], 10.0, 1, [0; 3], 1.0).unwrap();
        for _ in 0..100 {
            s.advance(&mut g, Reaction::NONE);
            assert!(g.values().iter().all(|&v| v == 0.0 || v.is_normal()));
        }
        // (1 + λτ)^(−200) ≈ 1e-26: everything has been flushed.
        assert!(g.values().iter().all(|&v| v == 0.0));
    }

    #[test]
    fn bad_solver_parameters_are_refused() {
        assert!(DiffusionSolver::new(Cytokine::IL6, 0.0, 1).is_err());
        assert!(DiffusionSolver::new(Cytokine::IL6, 3600.0, 0).is_err());
        let mut c = Cytokine::IL6;
        c.diffusion_cm2_per_s = -1.0;
        assert!(DiffusionSolver::new(c, 3600.0, 1).is_err());
    }
}
