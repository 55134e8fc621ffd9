//! Outputs of a run (docs/architecture.md §7): the run folder, its tables, snapshots and
//! manifest. Writers serialise to `impl Write` or return strings so tests can compare text;
//! files are written to a temporary name and renamed when complete.
//!
//! ```text
//! manifest.json    version, crate versions, seed, threads, wall time, command line
//! config.toml      the fully resolved config: rerunning it reproduces the run
//! timeseries.csv   one row per compartment per sampled step
//! events.csv       discrete events (start, lattice growth, sizes reached, snapshots, stop),
//!                  each value with its unit
//! summary.csv      one row of endpoints
//! organs.csv       one row of endpoints per organ (the summary's per-organ columns, tidy)
//! snapshots/       lattice snapshots (CSV, PNG; VTK for ParaView) at configured days
//! ```
//! Every file except `manifest.json` is byte-identical for the same config and seed,
//! whatever the thread count; the manifest records wall time and the command line.

pub mod canvas;
pub mod colour_scale;
pub mod column;
pub mod events;
pub mod figure;
pub mod files;
pub mod format;
pub mod manifest;
pub mod record;
pub mod recorder;
pub mod render;
pub mod rows;
pub mod snapshot;
pub mod summary;
pub mod table;
pub mod vtk;

pub use files::{AtomicFile, RUN_FILES, RunDir, write_atomic};
pub use recorder::Recorder;
