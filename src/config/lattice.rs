//! `[space]` and `[init]`: the lattice and the initial condition on it.

use serde::{Deserialize, Serialize};

use super::declare::section;
use super::param::{FloatRange, PROBABILITY, ParamKind};

section! {
    /// `[space]` section.
    pub struct SpaceConfig in "space" {
        /// 2 (Moore 8) or 3 (Moore 26).
        pub dims: u8 = 2 => {
            symbol: "–",
            kind: ParamKind::Int { min: 2, max: 3 },
            unit: "–",
            source: "–",
            description: "Lattice dimension: 2 (Moore, 8 neighbours) or 3 (Moore, 26 neighbours).",
            comment: [
                "Lattice dimension: 2 (Moore neighbourhood, 8 neighbours) or 3 (26 neighbours)",
                "(docs/model.md §2.3) [V].",
            ],
        },
        /// Side of the lattice window allocated at start, in sites (grown as needed).
        pub initial_size: u32 = 64 => {
            symbol: "–",
            kind: ParamKind::Int { min: 8, max: 65_536 },
            unit: "sites",
            source: "–",
            description: "Side of the lattice window allocated at start; grown as the tumour nears its edge.",
            comment: [
                "Side of the lattice window allocated at start, in sites; the window grows as the tumour",
                "approaches its edge (docs/model.md §2.3, technical, –).",
            ],
        },
        /// Side of the whole domain in sites; its outermost ring is an occupied border.
        pub max_size: u32 = 2000 => {
            symbol: "L",
            kind: ParamKind::Int { min: 8, max: 65_536 },
            unit: "sites",
            source: "–",
            description: "Side of the whole domain; its outermost ring is an occupied border (R0: 1000).",
            comment: [
                "Side of the whole domain, in sites; its outermost ring is an occupied border. Bounds",
                "memory (docs/model.md §2.3, technical, –).",
            ],
        },
        /// Lattice spacing in micrometres (one cell diameter).
        pub spacing_um: f64 = 10.0 => {
            symbol: "Δx",
            kind: ParamKind::Float(FloatRange::positive()),
            unit: "µm",
            source: "[V]",
            description: "Lattice spacing, one cell diameter.",
            comment: [
                "Lattice spacing in micrometres, one cell diameter (docs/model.md §2.1) [V].",
            ],
        },
    }
}

/// Kind of initial condition (`init.kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// One CSC in the centre of the domain.
    #[default]
    SingleCsc,
    /// One `Progenitor(ρmax)` in the centre of the domain (a non-stem clone).
    SingleProgenitor,
    /// A disc (2D) or ball (3D) of `init.radius` sites, fully occupied, CSCs at
    /// `init.csc_fraction` (an exact share, see [`InitConfig::csc_fraction`]), other cells
    /// Progenitor(ρ) with ρ uniform on 0..=ρmax.
    Disc,
    /// The cells listed in the CSV file `init.file` (the columns of a run's
    /// `snapshots/lattice_dayD.csv`), read and checked by [`super::init_file`].
    File,
    /// The primary tumour's cells of the checkpoint `init.file` (written by
    /// `seedsoil run --checkpoint-at D`): the cells only, no debris, fields, MSCs or
    /// metastases; the run starts at day 0 with this config and seed.
    Checkpoint,
}

section! {
    /// `[init]` section.
    pub struct InitConfig in "init" {
        /// `single_csc`, `single_progenitor`, `disc`, `file` or `checkpoint`.
        pub kind: InitKind = InitKind::Disc => {
            symbol: "–",
            kind: ParamKind::Enum(&["single_csc", "single_progenitor", "disc", "file", "checkpoint"]),
            default: "disc",
            unit: "–",
            source: "–",
            description: "Initial condition: one CSC in the centre, one Progenitor(ρmax) in the centre, a full disc/ball of mixed cells, the cells of a CSV file (init.file) or the primary tumour of a checkpoint (init.file).",
            comment: [
                "Initial condition: \"single_csc\" (one CSC in the centre, as in R0), \"single_progenitor\"",
                "(one Progenitor(rho_max) in the centre: a non-stem clone), \"disc\" (a full disc/ball of",
                "radius init.radius), \"file\" (the cells listed in the CSV init.file) or \"checkpoint\"",
                "(the primary tumour's cells of the checkpoint init.file) (docs/model.md §5, technical, –).",
                "Fitted (docs/model.md §8.6): a small implanted graft, not one CSC. With stemness loss a",
                "lone founding CSC is lost before its first symmetric division in 21 of 200 tumours by",
                "day 30; a graft of 81 cells holding exactly its 4 CSCs took in 400 of 400, and it is",
                "Kaplan 2005's set-up (implanted cells).",
            ],
        },
        /// Radius of the initial disc/ball in sites (`disc` only).
        pub radius: f64 = 5.0 => {
            symbol: "R_0",
            kind: ParamKind::Float(FloatRange::closed(0.0, 32_768.0)),
            unit: "sites",
            source: "–",
            description: "Radius of the initial disc/ball (disc only); must fit inside space.max_size.",
            comment: [
                "Radius of the initial disc/ball, in sites; used by \"disc\" only (technical, –). 5 sites:",
                "81 cells in 2D.",
            ],
        },
        /// Fraction f_0 of CSCs in the initial disc/ball (`disc` only): f_0·N of its N cells,
        /// rounded at random (mean exactly f_0·N), on sites drawn without replacement.
        pub csc_fraction: f64 = 0.05 => {
            symbol: "f_0",
            kind: ParamKind::Float(PROBABILITY),
            unit: "–",
            source: "[A]",
            description: "Fraction of CSCs in the initial disc/ball (disc only): f_0·N of its N cells, rounded at random to keep the mean, on random sites; others Progenitor(ρ), ρ uniform on 0..=ρmax.",
            comment: [
                "Fraction of CSCs in the initial disc/ball, dimensionless: f·N of its N cells (rounded at",
                "random, keeping the mean) on random sites; the other cells are Progenitor(ρ) with ρ",
                "uniform on 0..=ρmax; used by \"disc\" only [A]. 0.05: the graft holds",
                "the few-% CSCs of a xenograft (Ginestier 2007).",
            ],
        },
        /// The cells CSV (`init.kind = "file"`) or checkpoint (`"checkpoint"`) to start from;
        /// a relative path is resolved against the folder of the config file that sets it
        /// (against the working directory with `--set`) and written absolute in the
        /// resolved config.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub file: Option<String> = None => {
            symbol: "–",
            kind: ParamKind::Path,
            default: "unset",
            unit: "–",
            source: "–",
            optional: true,
            description: "Cells CSV (x,y[,z],kind,rho, as a snapshot's lattice_dayD.csv) for init.kind = file, or checkpoint for init.kind = checkpoint; relative to the config file that sets it.",
            comment: [
                "Cells file (technical, –): for init.kind = \"file\" a CSV with the columns of a run's",
                "snapshots/lattice_dayD.csv (x,y[,z],kind,rho), for \"checkpoint\" a checkpoint written by",
                "seedsoil run --checkpoint-at D. Relative to the folder of this file. Unset by default, e.g.",
                "file = \"cells/example-cells.csv\"",
            ],
        },
    }
}
