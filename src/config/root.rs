//! The root of the configuration: [`Config`], one field per section, and the sections'
//! declarations in catalogue order ([`SECTIONS`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cells::{CellsConfig, SignallingConfig};
use super::declare::Section;
use super::dissemination::DisseminationConfig;
use super::fields::{CytokineConfig, FieldsConfig};
use super::lattice::{InitConfig, SpaceConfig};
use super::msc::MscConfig;
use super::niche::NicheConfig;
use super::organs::{OrganConfig, default_organs};
use super::run::{OutputConfig, RunConfig};
use super::therapy::TherapyConfig;

/// The whole run configuration. One section per concern; units live in key names.
///
/// `Config::default()` holds the defaults of docs/model.md §9 with no seed; the embedded
/// default (`DEFAULT_TOML`, `configs/baseline.toml`) equals it except for a fixed seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[run]`: duration, seed, threads, time step, stop conditions.
    #[serde(default)]
    pub run: RunConfig,
    /// `[space]`: lattice dimension and size.
    #[serde(default)]
    pub space: SpaceConfig,
    /// `[init]`: initial condition.
    #[serde(default)]
    pub init: InitConfig,
    /// `[cells]`: the cancer-cell hierarchy (docs/model.md §7.2–7.8).
    #[serde(default)]
    pub cells: CellsConfig,
    /// `[signalling]`: Hill terms by which cytokines modulate cell rules
    /// (docs/model.md §7.1).
    #[serde(default)]
    pub signalling: SignallingConfig,
    /// `[fields]`: cytokine fields IL6 and CXCL7 (docs/model.md §7.10).
    #[serde(default)]
    pub fields: FieldsConfig,
    /// `[msc]`: mesenchymal stem cells (docs/model.md §7.11).
    #[serde(default)]
    pub msc: MscConfig,
    /// `[dissemination]`: intravasation, circulation, extravasation, colonisation and
    /// dormancy (docs/model.md §7.12–7.14).
    #[serde(default)]
    pub dissemination: DisseminationConfig,
    /// `[niche]`: tumour-derived factors, VEGFR1+ HPCs and the pre-metastatic niche
    /// (docs/model.md §7.15).
    #[serde(default)]
    pub niche: NicheConfig,
    /// `[organs.<name>]`: the distant organs, by name (docs/model.md §7.12–7.15). A file's
    /// organs are merged into the default ones (lung, liver, bone, brain) by name; a new
    /// name adds an organ (keys not given take [`OrganConfig::default`]), and an organ with
    /// both weights 0 receives nothing. Names follow `catalogue::NAME_RULE`.
    #[serde(default = "default_organs")]
    pub organs: BTreeMap<String, OrganConfig>,
    /// `[output]`: what is written and when.
    #[serde(default)]
    pub output: OutputConfig,
    /// `[[therapy]]`: interventions with schedules, applied in the order listed
    /// (docs/model.md §7.16); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub therapy: Vec<TherapyConfig>,
}

/// The declared sections of leaf keys in the order of [`Config`]'s fields (and of the
/// catalogue, `seedsoil params` and `configs/baseline.toml`).
pub(crate) const SECTIONS: &[Section] = &[
    RunConfig::SECTION,
    SpaceConfig::SECTION,
    InitConfig::SECTION,
    CellsConfig::SECTION,
    SignallingConfig::SECTION,
    FieldsConfig::SECTION,
    CytokineConfig::IL6,
    CytokineConfig::CXCL7,
    MscConfig::SECTION,
    DisseminationConfig::SECTION,
    NicheConfig::SECTION,
    OrganConfig::SECTION,
    OutputConfig::SECTION,
];

impl Default for Config {
    /// The defaults of docs/model.md §9, no seed.
    fn default() -> Self {
        Config {
            run: RunConfig::default(),
            space: SpaceConfig::default(),
            init: InitConfig::default(),
            cells: CellsConfig::default(),
            signalling: SignallingConfig::default(),
            fields: FieldsConfig::default(),
            msc: MscConfig::default(),
            dissemination: DisseminationConfig::default(),
            niche: NicheConfig::default(),
            organs: default_organs(),
            output: OutputConfig::default(),
            therapy: Vec::new(),
        }
    }
}

impl Config {
    /// The resolved configuration as TOML text (every key, one section per table).
    /// Loading it again gives an equal `Config`; runs write it as `config.toml`.
    ///
    /// # Panics
    /// If an integer does not fit TOML's 64-bit signed integers (a seed above
    /// `i64::MAX`), which [`Config::validate`] and `load` reject.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a validated config serialises to TOML")
    }

    /// The configuration as a TOML table (e.g. to edit it with `set_value` and check it
    /// again with `from_table`).
    ///
    /// # Panics
    /// As [`Config::to_toml`].
    pub fn to_table(&self) -> toml::Table {
        toml::Table::try_from(self).expect("a validated config serialises to TOML")
    }
}
