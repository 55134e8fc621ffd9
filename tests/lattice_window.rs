//! The primary's lattice window (docs/architecture.md §3): a box of whole tiles that grows
//! face by face around the cells. Two exact properties:
//! - the cell update does not depend on the window: the same seed gives the same tumour,
//!   step for step, from a small window that grows many times and from one that covers the
//!   whole domain from the start, with 1 and 2 threads, in 2D and 3D;
//! - the window tracks the tumour's extent: its sides stay within a sixteenth of the cells'
//!   bounding box (in whole tiles) plus the alignment, on every axis, whenever it grows.

use std::path::PathBuf;

use seedsoil::config::{Config, load};
use seedsoil::sim::Simulation;

fn reference_r0(dims: u8, seed: u64, initial: u32, max_size: u32, threads: usize) -> Config {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/reference-r0.toml");
    let mut c = load(Some(&path), &[]).expect("configs/reference-r0.toml loads");
    c.run.seed = Some(seed);
    c.run.threads = threads;
    c.space.dims = dims;
    c.space.initial_size = initial;
    c.space.max_size = max_size;
    c
}

/// Counts and cumulative events after each of `steps` steps.
fn trajectory(c: &Config, steps: u64) -> (Vec<String>, u64, usize) {
    let mut sim = Simulation::new(c).unwrap();
    let mut rows = Vec::new();
    for _ in 0..steps {
        sim.step();
        let mut e = sim.primary.events();
        e.growths = 0;
        rows.push(format!("{:?} {e:?}", sim.primary.counts()));
    }
    sim.primary.check_invariants();
    (
        rows,
        sim.primary.events().growths,
        sim.primary.lattice.len(),
    )
}

#[test]
fn the_update_does_not_depend_on_the_window() {
    for (dims, steps, max_size) in [(2, 1400, 512), (3, 500, 128)] {
        for seed in [1, 2] {
            let (small, grown, small_len) =
                trajectory(&reference_r0(dims, seed, 16, max_size, 2), steps);
            let (whole, whole_grown, whole_len) =
                trajectory(&reference_r0(dims, seed, max_size, max_size, 1), steps);
            assert!(
                grown >= 3,
                "{dims}D seed {seed}: the small window grew {grown} times"
            );
            assert_eq!(whole_grown, 0, "the whole-domain window cannot grow");
            assert!(small_len < whole_len, "{small_len} vs {whole_len}");
            let last = small.last().unwrap();
            assert!(
                !last.starts_with("[0, 0, 0]"),
                "{dims}D seed {seed}: died out"
            );
            for (step, (a, b)) in small.iter().zip(&whole).enumerate() {
                assert_eq!(a, b, "{dims}D seed {seed}: step {}", step + 1);
            }
        }
    }
}

#[test]
fn the_window_tracks_the_tumours_extent() {
    for (dims, steps) in [(2u8, 2500u64), (3, 700)] {
        let c = reference_r0(dims, 3, 16, 2000, 2);
        let mut sim = Simulation::new(&c).unwrap();
        let tile = if dims == 2 { 32 } else { 16 };
        let mut growths = 0;
        for _ in 0..steps {
            sim.step();
            let e = sim.primary.events();
            if e.growths == growths {
                continue;
            }
            growths = e.growths;
            let lat = &sim.primary.lattice;
            let (lo, hi) = lat.cell_bounds().expect("cells");
            for a in 0..dims as usize {
                let extent = hi[a] - lo[a] + 1;
                let side = lat.side(a) as i64;
                // The box, a sixteenth of it in whole tiles on each side, one tile of
                // alignment on each side; and every cell at least MARGIN from an open face.
                let pad = ((extent / 16 + tile - 1) / tile).max(1) * tile;
                assert!(
                    side <= extent + 2 * pad + 2 * tile,
                    "{dims}D growth {growths}: axis {a}: side {side}, cells span {extent}"
                );
                assert!(!lat.near_open_face(lo, hi), "{dims}D growth {growths}");
            }
        }
        assert!(growths >= 4, "{dims}D: {growths} growths");
    }
}

#[test]
#[ignore = "prints the memory breakdown of a 3D R0 tumour (run with --ignored --nocapture)"]
fn memory_breakdown_3d() {
    let mut c = reference_r0(3, 1, 64, 1000, 2);
    c.run.stop_at_cells = 2_000_000;
    let mut sim = Simulation::new(&c).unwrap();
    while sim.primary.total() < 2_000_000 {
        sim.step();
    }
    let [lat, lists, scratch, tiles] = sim.primary.heap_bytes();
    let n = sim.primary.total() as f64;
    eprintln!(
        "cells {n}: lattice {:.2} B/cell, lists {:.2}, scratch {:.2}, tiles {:.2}; listed {:.2} per cell",
        lat as f64 / n,
        lists as f64 / n,
        scratch as f64 / n,
        tiles as f64 / n,
        sim.primary.active() as f64 / n
    );
}
