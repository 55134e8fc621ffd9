//! seedsoil: a fast, reproducible agent-based simulator of tumour cell hierarchies.
//!
//! Cancer stem cells (CSCs), progenitors with limited divisions and differentiated cells
//! on a 2D/3D lattice; bone-marrow MSCs and their IL6/CXCL7 loop with the cancer cells as
//! diffusing fields; dissemination, pre-metastatic niches and colonies; therapies. The
//! model is written out in `docs/model.md` (ODD protocol, every equation and parameter);
//! the command-line tool (`seedsoil run`, `compare`, `sweep`, `validate`) is described in
//! the README.
//!
//! # Use from Rust
//!
//! A config is built as the command line builds it (the embedded default,
//! `configs/baseline.toml`, plus `key=value` overrides), a [`sim::Simulation`] is seeded
//! from it and run; its compartments can then be read. The same config and seed give the
//! same tumour for any thread count.
//!
//! ```
//! use seedsoil::config;
//! use seedsoil::sim::{Simulation, StopReason};
//!
//! let config = config::load(None, &["run.days=30".into(), "run.seed=7".into()])?;
//! let mut sim = Simulation::new(&config)?;
//! // `()` observes nothing; `output::Recorder` writes the tables as `seedsoil run` does,
//! // and `run::Driver` runs a config to its tables (and its folder) as `seedsoil run` does.
//! assert_eq!(sim.run(&mut ()), StopReason::Days);
//! let [csc, progenitor, differentiated] = sim.primary.counts();
//! let total = sim.primary.total();
//! assert_eq!(csc + progenitor + differentiated, total);
//! assert!(csc > 0 && total > 1_000, "{csc} CSCs of {total} cells on day 30");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! | module | what it holds |
//! |---|---|
//! | [`space`] | the lattice window, its tiles, neighbourhoods and the tumour's exterior |
//! | [`model`] | the rules of one cell, MSC and cytokine, with their rates per step |
//! | [`fields`] | the implicit diffusion–decay solver of the cytokine fields |
//! | [`engine`] | the parts the step loop drives: the parallel primary tumour, cytokine coupling, MSCs |
//! | [`therapy`] | therapy schedules and their effects |
//! | [`metastasis`] | circulation, organs, niches and colonies |
//! | [`sim`] | the step loop ([`sim::Simulation`]) |
//! | [`config`] | the config file, its parameter catalogue and validation |
//! | [`output`] | the tables of a run, snapshots and `manifest.json` |
//! | [`checkpoint`] | saving and resuming a whole simulation |
//! | [`persist`] | the binary codec of saved state and the traits of the types that use it |
//! | [`run`] | the run driver: one simulation from its config or a checkpoint to its tables, with checkpoints and a progress observer |
//! | [`batch`], [`compare`], [`sweep`], [`validate`] | many runs: replicates, scenario comparisons, parameter sweeps, the validation suite |
//! | [`sensitivity`] | global sensitivity analysis: Morris and Sobol' designs, their estimators and PRCC |
//! | [`fit`] | Bayesian calibration by ABC-SMC (`seedsoil fit`): priors, perturbation kernel, adaptive distance, the algorithm, the fit folder with one record per candidate, resume and job arrays, posterior predictive runs |
//! | [`rng`] | the counter-based random streams behind reproducibility |
//! | [`units`] | the one conversion between days, hours and steps |
//! | [`input`] | reading user-named files with a size cap |
//! | [`error`] | the error types of each area |
#![deny(missing_docs)]

pub mod batch;
pub mod checkpoint;
pub mod compare;
pub mod config;
pub mod engine;
pub mod error;
pub mod fields;
pub mod fit;
pub mod input;
pub mod metastasis;
pub mod model;
pub mod output;
pub mod persist;
pub mod rng;
pub mod run;
pub mod schema;
pub mod sensitivity;
pub mod sim;
pub mod space;
pub(crate) mod spec;
pub mod sweep;
pub mod therapy;
pub mod units;
pub mod validate;
