//! Configuration: serde structs with defaults and units, validation that reports every
//! problem at once, `--set key=value` overrides, the embedded default config and the
//! parameter catalogue printed by `seedsoil params`.
//!
//! Each parameter is declared once, in its section's file (`run`, `lattice`, `cells`,
//! `fields`, `msc`, `dissemination`, `niche`, `organs`; see `declare`): the declaration
//! gives the struct field with its doc comment and serde attributes, its default, its
//! catalogue entry and the comment that `configs/baseline.toml` writes above it. The
//! catalogue and the embedded default (generated, and committed) follow from the
//! declarations.
//!
//! Data flow: TOML text → [`toml::Table`] → overrides applied → catalogue check (unknown
//! keys, types, ranges; all problems collected) → serde deserialisation into [`Config`] →
//! cross-key checks ([`Config::validate`]). Constructors downstream take a validated config.
//!
//! The files form no cycle: `param` and `show` are leaves; `declare` and the section files
//! build on `param`; `root` gathers the sections; `catalogue`, `baseline` and
//! `params_table` read the declarations; `therapy` uses only `param` and `show`;
//! `init_file` (the cells file of `init.kind = "file"`, read and checked by `validate`),
//! `derived` (limits on quantities derived from several keys, called by `validate`),
//! `validate` (cross-key rules), `check` (per-key checks) and `load` come last, in that
//! order. This file only declares and re-exports.

mod baseline;
pub mod catalogue;
mod cells;
mod check;
mod declare;
mod derived;
mod dissemination;
mod fields;
pub mod init_file;
mod lattice;
mod load;
mod merge;
mod msc;
mod niche;
mod organs;
mod param;
mod params_table;
mod root;
mod run;
mod show;
pub mod therapy;
mod validate;

pub use baseline::{BASELINE_SEED, DEFAULT_TOML, baseline_toml};
pub use catalogue::{FloatRange, ParamInfo, ParamKind, catalogue, lookup};
pub use cells::{CellsConfig, SignallingConfig};
pub use dissemination::DisseminationConfig;
pub use fields::{BoundaryKind, CytokineConfig, FieldsConfig};
pub use init_file::{CellsFileRules, InitCell, InitCellKind, read_cells_file};
pub use lattice::{InitConfig, InitKind, SpaceConfig};
pub use load::{
    Override, anchor_paths, anchor_set, from_table, from_table_with, load, load_files,
    load_files_with, load_str, load_str_with, parse_set, parse_table, set_value,
};
pub use merge::{APPENDED_KEY, merge_fragment};
pub use msc::MscConfig;
pub use niche::NicheConfig;
pub use organs::{OrganConfig, default_organs};
pub use params_table::{ParamRow, ParamsFormat, params_table};
pub use root::Config;
pub use run::{OutputConfig, RunConfig};
pub use therapy::{Surgery, TherapyConfig, TherapyKind};
