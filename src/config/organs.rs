//! `[organs.<name>]`: the distant organs (docs/model.md §7.12–7.15), and the default ones
//! (lung, liver, bone, brain).

use std::collections::BTreeMap;

use super::declare::section;
use super::param::{ParamKind, RATE};

section! {
    /// `[organs.<name>]`: one distant organ.
    ///
    /// | symbol | field | unit |
    /// |---|---|---|
    /// | arrival weight | `arrival_weight` | share of arresting CTCs (blood flow × tropism for arrest) |
    /// | HPC homing weight | `hpc_homing_weight` | share of mobilised HPCs |
    /// | soil tropism | `tropism` | × colonisation and waking |
    ///
    /// `OrganConfig::default()` is an organ that receives nothing until weights are given.
    pub struct OrganConfig in "organs.*" [
        "Distant organs, one [organs.<name>] section each (docs/model.md §7.12–7.15). Weights are",
        "relative: arrival_weight shares arresting CTCs (blood flow × tropism for arrest;",
        "Kennecke 2010's metastatic sites of breast cancer) [M], hpc_homing_weight shares",
        "mobilised HPCs [A], tropism multiplies colonisation and waking (seed–soil",
        "compatibility, ×) [A]. A config file's organs are merged into these by name; a new name",
        "adds an organ (keys not given: weights 0, tropism 1).",
    ] {
        /// Relative weight with which an arresting CTC lodges in this organ.
        pub arrival_weight: f64 = 0.0 => {
            symbol: "w_o",
            kind: ParamKind::Float(RATE),
            default: "lung 0.35, liver 0.25, bone 0.3, brain 0.1 (other organs 0)",
            unit: "–",
            source: "[M]",
            description: "Relative weight with which an arresting CTC lodges in this organ (blood flow × tropism; Kennecke 2010 sites of breast-cancer metastasis).",
            comment: [
                "Share of arresting CTCs, dimensionless [M].",
            ],
        },
        /// Relative weight with which a mobilised HPC homes to this organ.
        pub hpc_homing_weight: f64 = 0.0 => {
            symbol: "h_o",
            kind: ParamKind::Float(RATE),
            default: "lung 0.4, liver 0.2, bone 0.3, brain 0.05 (other organs 0)",
            unit: "–",
            source: "[A]",
            description: "Relative weight with which a mobilised HPC homes to this organ.",
            comment: [
                "Share of mobilised HPCs, dimensionless [A].",
            ],
        },
        /// Seed–soil compatibility: multiplies colonisation and waking probabilities.
        pub tropism: f64 = 1.0 => {
            symbol: "τ_o",
            kind: ParamKind::Float(RATE),
            unit: "×",
            source: "[A]",
            description: "Seed–soil compatibility: multiplies colonisation and waking in this organ.",
            comment: [
                "Seed–soil compatibility, × [A].",
            ],
        },
    }
}

/// A default organ (docs/model.md §7.12): its weights, and any comment of
/// `configs/baseline.toml` that differs from its parameter's for this organ.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DefaultOrgan {
    /// The organ's name, its section `[organs.<name>]`.
    pub(crate) name: &'static str,
    /// `arrival_weight`.
    pub(crate) arrival_weight: f64,
    /// `hpc_homing_weight`.
    pub(crate) hpc_homing_weight: f64,
    /// Comment lines (without `# `) above a key of this organ's section, by leaf name.
    pub(crate) comments: &'static [(&'static str, &'static [&'static str])],
}

/// The default organs in the order `configs/baseline.toml` lists them; arrival weights from
/// Kennecke 2010's metastatic sites of breast cancer. Their tropism is 1.
pub(crate) const DEFAULT_ORGANS: &[DefaultOrgan] = &[
    DefaultOrgan {
        name: "lung",
        arrival_weight: 0.35,
        hpc_homing_weight: 0.4,
        comments: &[],
    },
    DefaultOrgan {
        name: "liver",
        arrival_weight: 0.25,
        hpc_homing_weight: 0.2,
        comments: &[],
    },
    DefaultOrgan {
        name: "bone",
        arrival_weight: 0.3,
        hpc_homing_weight: 0.3,
        comments: &[],
    },
    DefaultOrgan {
        name: "brain",
        arrival_weight: 0.1,
        hpc_homing_weight: 0.05,
        comments: &[(
            "hpc_homing_weight",
            &[
                "Share of mobilised HPCs, dimensionless [A]. 0.05 (was 0.1; the blood–brain barrier",
                "keeps bone-marrow cells out): at saturation the brain holds w·mob_max/0.2 ≈ 30 HPCs,",
                "niche level 0.26 < 0.5 (kaplan2005.brain_spared), where 0.1 would reach 0.59.",
            ],
        )],
    },
];

/// The default organs of docs/model.md §7.12: lung, liver, bone, brain (arrival weights
/// from Kennecke 2010's metastatic sites of breast cancer).
pub fn default_organs() -> BTreeMap<String, OrganConfig> {
    DEFAULT_ORGANS
        .iter()
        .map(|organ| {
            (
                organ.name.to_string(),
                OrganConfig {
                    arrival_weight: organ.arrival_weight,
                    hpc_homing_weight: organ.hpc_homing_weight,
                    tropism: 1.0,
                },
            )
        })
        .collect()
}
