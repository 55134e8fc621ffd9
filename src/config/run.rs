//! `[run]` and `[output]`: duration, seed, threads, time step and stop conditions of a run,
//! and what it writes.

use super::declare::section;
use super::param::{FloatRange, ParamKind};

section! {
    /// `[run]` section.
    pub struct RunConfig in "run" {
        /// Simulated duration in days (`run.days`).
        pub days: f64 = 90.0 => {
            symbol: "–",
            kind: ParamKind::Float(FloatRange::open_closed(0.0, 100_000.0)),
            unit: "days",
            source: "–",
            description: "Simulated duration.",
            comment: [
                "Simulated duration, in days (technical, –).",
            ],
        },
        /// Master seed; `None` draws one at start and records it in the resolved config.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub seed: Option<u64> = None => {
            symbol: "–",
            kind: ParamKind::Int { min: 0, max: i64::MAX },
            default: "random (drawn and recorded)",
            unit: "–",
            source: "–",
            optional: true,
            description: "Master seed; if absent, one is drawn at start and written to the resolved config.",
            comment: [
                "Master seed (technical, –). Fixed here so that the baseline is reproducible; remove the",
                "line to draw a random seed at start (it is then recorded in the run's config.toml).",
            ],
        },
        /// Worker threads; 0 = all cores. Outputs never depend on it.
        pub threads: usize = 0 => {
            symbol: "–",
            kind: ParamKind::Int { min: 0, max: 1024 },
            unit: "–",
            source: "–",
            description: "Worker threads (0 = all cores); outputs never depend on it.",
            comment: [
                "Worker threads, 0 = all cores (technical, –). Outputs never depend on it.",
            ],
        },
        /// Cell time step in hours (`run.dt_h`, docs/model.md §2.1: 1 h).
        pub dt_h: f64 = 1.0 => {
            symbol: "dt",
            kind: ParamKind::Float(FloatRange::open_closed(0.0, 24.0)),
            unit: "h",
            source: "[V]",
            description: "Cell time step dt (Enderling 2009; Poleszczuk & Enderling 2014); per-step probability = rate × dt.",
            comment: [
                "Cell time step dt, in hours; a per-step probability is rate × dt (docs/model.md §2.1,",
                "Enderling 2009; Poleszczuk & Enderling 2014) [V].",
            ],
        },
        /// Stop as soon as the primary tumour holds at least this many cells (0 = no such stop).
        pub stop_at_cells: u64 = 0 => {
            symbol: "–",
            kind: ParamKind::Int { min: 0, max: u32::MAX as i64 },
            unit: "cells",
            source: "–",
            description: "Stop as soon as the primary tumour holds at least this many cells (0 = never).",
            comment: [
                "Stop as soon as the primary tumour holds at least this many cells, 0 = no such stop",
                "(technical, –).",
            ],
        },
        /// κ, real cells that one agent of the primary stands for (≥ 1; 1 = one agent, one
        /// cell). A simulated primary of 10⁵–10⁶ agents stands for a mouse tumour of 10⁸–10⁹
        /// cells; κ scales the primary's *systemic* outputs so that the parameters of the
        /// systemic compartments stay in mouse units (HPC counts, the MSC pool, cells shed per
        /// cell per day):
        /// - the tumour-derived factor: production `niche.tdsf_per_cell · κ · N` per day;
        /// - the IL6 output the bone marrow sees (MSC homing):
        ///   `κ · (cancer cells' IL6 output) + (tumour MSCs' IL6 output)`; the MSCs in the
        ///   tumour came one by one from the pool, so their own output is not scaled;
        /// - shedding: κ times as many cells enter the blood per step as the same primary
        ///   sheds at κ = 1, in both shedding rules (mass-based: a Poisson number with mean
        ///   `κ · shed_per_cell_per_day · N · dt / 24`; per rim cell: Binomial(⌈κ⌉, κ p / ⌈κ⌉)
        ///   cells per rim agent, mean κ p, p its per-cell probability).
        ///
        /// Each shed cell is one CTC agent, and everything downstream counts single cells
        /// (CTCs, arrested and extravasated cells, DTCs, dormant cells, colony cells, HPCs,
        /// MSCs): no systemic count is multiplied by κ afterwards. An agent of the primary is
        /// κ cells, so one shed cell takes 1/κ of it: the agent leaves the lattice with
        /// probability 1/κ per cell it sheds (mass-based), or min(1, c/κ) after shedding c
        /// cells in a step (per rim cell), and the primary loses, on average, as many agents
        /// per step as at κ = 1. Local processes are not scaled: division, death, migration,
        /// plasticity, the cytokine fields and everything MSCs do in the tumour, and the
        /// primary's own counts and size thresholds (`run.stop_at_cells`,
        /// `dissemination.min_primary_cells`, the primary columns of the outputs, and
        /// `il6_output_molecules_per_s`, the lattice's own output) stay in agents; the
        /// `tdsf` columns hold the systemic factor, κ included. The run's `manifest.json`
        /// records κ (`cells_per_agent`), and the run summary prints it when κ ≠ 1.
        pub cells_per_agent: f64 = 1.0 => {
            symbol: "κ",
            kind: ParamKind::Float(FloatRange::closed(1.0, 1e6)),
            unit: "cells",
            source: "[A]",
            description: "κ, real cells one agent of the primary stands for: multiplies the primary's systemic outputs (tumour-derived factor production, the cancer cells' IL6 output seen by the bone marrow, cells shed per step in both shedding rules); each shed cell is one CTC and every systemic count (CTCs, DTCs, colonies, HPCs, MSCs) is in single cells, never × κ; a shed cell takes 1/κ of its agent; local rules, the primary's counts and its il6_output column stay in agents.",
            comment: [
                "κ: real cells that one agent of the primary stands for, in cells; 1 = one agent, one",
                "cell. A simulated primary of 10⁵–10⁶ agents stands for a mouse tumour of 10⁸–10⁹ cells:",
                "κ multiplies the primary's systemic outputs (tumour-derived factor production, the",
                "cancer cells' IL6 output seen by the bone marrow, cells shed into the blood per step)",
                "so that the systemic parameters stay in mouse units. Each shed cell is one CTC, and",
                "CTCs, DTCs, colonies, HPCs and MSCs count single cells (never × κ); a shed cell takes",
                "1/κ of its agent. Division, migration, fields and the primary's own counts are not",
                "scaled [A].",
            ],
        },
    }
}

section! {
    /// `[output]` section.
    pub struct OutputConfig in "output" {
        /// Interval between timeseries rows, in hours (rows also at start and end).
        pub timeseries_every_h: f64 = 24.0 => {
            symbol: "–",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "h",
            source: "–",
            description: "Interval between timeseries rows (rows also at start and end).",
            comment: [
                "Interval between rows of timeseries.csv, in hours; rows are also written at the start",
                "and the end (technical, –).",
            ],
        },
        /// Days at which lattice snapshots are written (`snapshots/`).
        pub snapshot_days: Vec<f64> = Vec::new() => {
            symbol: "–",
            kind: ParamKind::FloatList(FloatRange::closed(0.0, 100_000.0)),
            default: "[]",
            unit: "days",
            source: "–",
            description: "Days at which lattice snapshots are written (each ≤ run.days).",
            comment: [
                "Days at which lattice snapshots are written to snapshots/, each between 0 and run.days",
                "(technical, –). Empty: no snapshots.",
            ],
        },
        /// Also write a snapshot every this many days (days N, 2N, … up to `run.days`, besides
        /// `output.snapshot_days`); 0 = off.
        pub snapshot_every_days: f64 = 0.0 => {
            symbol: "–",
            kind: ParamKind::Float(FloatRange::closed(0.0, 100_000.0)),
            unit: "days",
            source: "–",
            description: "Also write a snapshot every this many days (N, 2N, … ≤ run.days), besides output.snapshot_days; 0 = off, else at least one step (run.dt_h / 24).",
            comment: [
                "Also write a snapshot every this many days (N, 2N, … up to run.days), besides the",
                "days listed in snapshot_days; 0 = off, else at least one step, run.dt_h / 24",
                "(technical, –).",
            ],
        },
        /// Also write a snapshot of the state the run ends in (at `run.days`,
        /// `run.stop_at_cells` or extinction), unless one was due at that step anyway.
        pub snapshot_at_end: bool = false => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Also write a snapshot of the final state, at the step the run ends (run.days, run.stop_at_cells or extinction), unless one is due there anyway.",
            comment: [
                "Also write a snapshot of the final state, at the step the run ends (run.days,",
                "run.stop_at_cells or extinction), unless one is due there anyway (technical, –).",
            ],
        },
        /// Write snapshots as CSV (one row per occupied site).
        pub snapshot_csv: bool = true => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Write snapshots as CSV (one row per occupied site).",
            comment: [
                "Write snapshots as CSV, one row per occupied site (technical, –).",
            ],
        },
        /// Write snapshots as PNG images (3D: the central z slice).
        pub snapshot_png: bool = true => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Write snapshots as PNG images (3D: the central z slice).",
            comment: [
                "Write snapshots as PNG images; in 3D the central z slice (technical, –).",
            ],
        },
        /// Also write each snapshot as VTK image data for ParaView (`snapshot_day<D>.vti`,
        /// `fields_day<D>.vti`, listed in `snapshots.pvd`).
        pub snapshot_vtk: bool = false => {
            symbol: "–",
            kind: ParamKind::Bool,
            unit: "–",
            source: "–",
            description: "Also write snapshots as VTK image data for ParaView (snapshot_day<D>.vti, fields_day<D>.vti, listed in snapshots.pvd); 3D runs in full.",
            comment: [
                "Also write snapshots as VTK image data for ParaView: snapshot_day<D>.vti (the",
                "lattice, 3D in full), fields_day<D>.vti and the collection snapshots.pvd",
                "(technical, –).",
            ],
        },
    }
}
