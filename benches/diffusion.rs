//! Benchmark of one implicit diffusion–decay cell step (1 h) of a cytokine field (the
//! solver of `src/fields/`): all sub-steps of one `advance` call, for IL6 with the
//! default config's parameters (`configs/baseline.toml`, fixed far field 0), on 2D grids of 250², 1000² and 2000²
//! cells and a 3D grid of 128³ cells, with 1 and 2 threads.
//!
//! Each case runs repetitions of enough steps to take about 0.2 s and prints the median,
//! min and max over repetitions, in ns per grid point per cytokine per cell step (the
//! target is ≤ 2 ns on one thread), and the time per step. "seq" is the solver's
//! sequential mode on the main thread (no rayon); `N` threads run inside a rayon pool of
//! N threads. `--substeps` defaults to `fields.substeps` of the default configuration,
//! `--scheme` to Douglas (`lod`: the locally one-dimensional scheme).
//!
//! `cargo bench --bench diffusion -- [--threads seq,1,2] [--reps 7] [--only 2d1000]
//! [--substeps N] [--scheme douglas|lod]`

mod common;

use seedsoil::fields::{Cytokine, DiffusionSolver, FieldGrid, Reaction, Scheme};
use std::time::Instant;

struct Case {
    name: &'static str,
    dims: usize,
    n: [usize; 3],
}

const CASES: [Case; 4] = [
    Case {
        name: "2d250",
        dims: 2,
        n: [250, 250, 1],
    },
    Case {
        name: "2d1000",
        dims: 2,
        n: [1000, 1000, 1],
    },
    Case {
        name: "2d2000",
        dims: 2,
        n: [2000, 2000, 1],
    },
    Case {
        name: "3d128",
        dims: 3,
        n: [128, 128, 128],
    },
];

/// Median, min and max of the ns per point of `reps` timed repetitions, and the median
/// time per step in ms.
fn time_case(
    case: &Case,
    reps: usize,
    parallel: bool,
    substeps: u32,
    scheme: Scheme,
) -> (f64, f64, f64, f64) {
    // MODEL defaults: 10 µm spacing, coarsening 4, one 1 h step in `substeps` sub-steps.
    let mut grid = FieldGrid::new(case.dims, case.n, 10.0, 4, [0; 3], 0.0).expect("grid");
    let len = grid.len();
    // A non-uniform field and a source in a central disc/ball (as a tumour would give).
    let n = case.n;
    let mut source = vec![0.0f32; len];
    for (idx, v) in grid.values_mut().iter_mut().enumerate() {
        *v = ((idx * 2_654_435_761) % 1000) as f32 * 1e-3;
    }
    for (idx, s) in source.iter_mut().enumerate() {
        let (i, j, k) = (idx % n[0], (idx / n[0]) % n[1], idx / (n[0] * n[1]));
        let d2 = [(i, n[0]), (j, n[1]), (k, n[2])]
            .iter()
            .filter(|(_, m)| *m > 1)
            .map(|&(x, m)| {
                let d = x as f64 - m as f64 / 2.0;
                d * d
            })
            .sum::<f64>();
        if d2 < (n[0] as f64 / 4.0).powi(2) {
            *s = 0.17;
        }
    }
    let mut solver = DiffusionSolver::new(Cytokine::IL6, 3600.0, substeps).expect("solver");
    solver.set_parallel(parallel);
    solver.set_scheme(scheme);
    let reaction = Reaction {
        source_ng_ml_per_s: Some(&source),
        uptake_per_s: None,
    };
    // Warm up (builds the plan, touches memory) and calibrate the iteration count.
    let t = Instant::now();
    solver.advance(&mut grid, reaction);
    solver.advance(&mut grid, reaction);
    let per_step = t.elapsed().as_secs_f64() / 2.0;
    let iters = ((0.2 / per_step).ceil() as usize).clamp(3, 10_000);
    let mut ns: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                solver.advance(&mut grid, reaction);
            }
            t.elapsed().as_secs_f64() * 1e9 / (iters * len) as f64
        })
        .collect();
    assert!(grid.values().iter().all(|v| v.is_finite() && *v >= 0.0));
    ns.sort_by(f64::total_cmp);
    let median = ns[ns.len() / 2];
    (median, ns[0], ns[ns.len() - 1], median * len as f64 * 1e-6)
}

fn main() {
    let mut args = common::BenchArgs::from_env();
    let mut take = |name: &str| args.take(name);
    // 0 = sequential mode.
    let threads: Vec<usize> = take("--threads").map_or(vec![0, 1, 2], |v| {
        v.split(',')
            .map(|t| {
                if t == "seq" {
                    0
                } else {
                    t.parse().expect("--threads seq,1,2")
                }
            })
            .collect()
    });
    let reps: usize = take("--reps").map_or(7, |v| v.parse().expect("--reps N"));
    let only = take("--only");
    let substeps: u32 = take("--substeps")
        .map_or(seedsoil::config::Config::default().fields.substeps, |v| {
            v.parse().expect("--substeps N")
        });
    let scheme = match take("--scheme").as_deref() {
        None | Some("douglas") => Scheme::Douglas,
        Some("lod") => Scheme::Lod,
        Some(other) => panic!("--scheme douglas|lod, not {other}"),
    };
    println!(
        "one IL6 cell step ({scheme:?}, {substeps} sub-step(s)), median of {reps} repetitions"
    );
    for case in CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
    {
        for &t in &threads {
            let (median, lo, hi, ms) = if t == 0 {
                time_case(case, reps, false, substeps, scheme)
            } else {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .expect("thread pool");
                pool.install(|| time_case(case, reps, true, substeps, scheme))
            };
            let mode = if t == 0 {
                "sequential".to_string()
            } else {
                format!("{t} thread(s)")
            };
            println!(
                "{:>7} {:>14} {:>12}: {:6.3} ns per point (min {:.3}, max {:.3}), {:8.3} ms per step",
                case.name,
                format!("{:?}", &case.n[..case.dims]),
                mode,
                median,
                lo,
                hi,
                ms
            );
        }
    }
}
