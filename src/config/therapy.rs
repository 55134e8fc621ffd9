//! `[[therapy]]`: interventions with schedules (docs/model.md §7.16).
//!
//! A config holds a list of therapies, applied in the order listed. Each has a kind, a
//! schedule (`start_day`, `cycles`, `interval_days`, `duration_days`) and the keys of its
//! kind; keys a kind does not use are refused, and the kind's keys that are not given take
//! their defaults, which the resolved config spells out (so `config.toml` of a run
//! reproduces it).
//!
//! | kind | exposure | keys (default) |
//! |---|---|---|
//! | `chemo` | `duration_days` > 0 per cycle | `kill_non_stem` (0.99), `kill_csc` (0.2) per cycle |
//! | `radiation` | instant, one fraction per cycle | `dose_gy` (2), `alpha_per_gy` (0.3), `alpha_beta_gy` (3.5), `csc_radioresistance` (0.5) |
//! | `surgery` | instant | either `fraction` (0.999): a random sample; or `residual_fraction` (no default) with `margin_sites` (1): the mass minus a residual at the margin |
//! | `anti_il6` | `duration_days` > 0 | `efficacy` (0.9) |
//! | `cxcr2_inhibitor` | `duration_days` > 0 | `efficacy` (0.9), `csc_kill_per_day` (0) |
//! | `anti_vegfr1` | `duration_days` > 0 | `efficacy` (0.95) |
//! | `differentiation` | `duration_days` > 0 | `factor` (0.5) |

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::param::{FloatRange, ParamInfo, ParamKind, p as t};
use super::show::show_value;
use crate::error::Problem;
use crate::units::{HOURS_PER_DAY, days_to_steps, hours_to_days, per_step};

/// What an intervention does (docs/model.md §7.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TherapyKind {
    /// Cytotoxic chemotherapy: cells attempting division die (systemic).
    Chemo,
    /// Radiotherapy: linear–quadratic survival per fraction (the primary only).
    Radiation,
    /// Surgery: removes a random fraction of the primary's cells, or the mass but for a
    /// residual at its margin.
    Surgery,
    /// Anti-IL6 (tocilizumab-like): IL6 signalling × (1 − efficacy).
    AntiIl6,
    /// CXCR2 inhibitor (reparixin-like): CXCL7 signalling × (1 − efficacy), extra CSC death.
    Cxcr2Inhibitor,
    /// Anti-VEGFR1: HPC mobilisation × (1 − efficacy).
    AntiVegfr1,
    /// Differentiation therapy: p_s × factor.
    Differentiation,
}

impl TherapyKind {
    /// Every kind, in the order of docs/model.md §7.16 (also the order of the on/off
    /// columns of `timeseries.csv`).
    pub const ALL: [TherapyKind; 7] = [
        TherapyKind::Chemo,
        TherapyKind::Radiation,
        TherapyKind::Surgery,
        TherapyKind::AntiIl6,
        TherapyKind::Cxcr2Inhibitor,
        TherapyKind::AntiVegfr1,
        TherapyKind::Differentiation,
    ];

    /// The name used in config files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            TherapyKind::Chemo => "chemo",
            TherapyKind::Radiation => "radiation",
            TherapyKind::Surgery => "surgery",
            TherapyKind::AntiIl6 => "anti_il6",
            TherapyKind::Cxcr2Inhibitor => "cxcr2_inhibitor",
            TherapyKind::AntiVegfr1 => "anti_vegfr1",
            TherapyKind::Differentiation => "differentiation",
        }
    }

    /// Index in [`TherapyKind::ALL`].
    pub fn index(self) -> usize {
        TherapyKind::ALL
            .iter()
            .position(|&k| k == self)
            .expect("ALL lists every kind")
    }

    fn from_name(name: &str) -> Option<TherapyKind> {
        TherapyKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether each cycle is an instant event (radiation fraction, surgery) rather than an
    /// exposure lasting `duration_days`.
    pub fn is_instant(self) -> bool {
        matches!(self, TherapyKind::Radiation | TherapyKind::Surgery)
    }

    /// Whether the therapy kills or removes cancer cells (chemo, radiation, surgery): the
    /// first of these sets the reference size for the time to relapse.
    pub fn is_cytoreductive(self) -> bool {
        matches!(
            self,
            TherapyKind::Chemo | TherapyKind::Radiation | TherapyKind::Surgery
        )
    }

    /// The kind-specific keys and their defaults.
    fn keys(self) -> &'static [(&'static str, f64)] {
        match self {
            TherapyKind::Chemo => &[("kill_non_stem", 0.99), ("kill_csc", 0.2)],
            TherapyKind::Radiation => &[
                ("dose_gy", 2.0),
                ("alpha_per_gy", 0.3),
                ("alpha_beta_gy", 3.5),
                ("csc_radioresistance", 0.5),
            ],
            // `residual_fraction` has no default: giving it selects surgery of the mass
            // (see [`Surgery`]); `margin_sites` is an integer (default 1).
            TherapyKind::Surgery => &[
                ("fraction", 0.999),
                ("margin_sites", 1.0),
                ("residual_fraction", f64::NAN),
            ],
            TherapyKind::AntiIl6 => &[("efficacy", 0.9)],
            TherapyKind::Cxcr2Inhibitor => &[("efficacy", 0.9), ("csc_kill_per_day", 0.0)],
            TherapyKind::AntiVegfr1 => &[("efficacy", 0.95)],
            TherapyKind::Differentiation => &[("factor", 0.5)],
        }
    }
}

/// One `[[therapy]]` entry: a kind, a schedule and the kind's keys. After loading, the
/// keys of its kind are all set (defaults filled in) and no other kind's key is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TherapyConfig {
    /// What the intervention does.
    pub kind: TherapyKind,
    /// Day of the first cycle's start.
    pub start_day: f64,
    /// Number of cycles (fractions for radiation); 1 for a single event or course.
    pub cycles: u32,
    /// Days from one cycle's start to the next (used when `cycles` > 1).
    pub interval_days: f64,
    /// Exposure per cycle in days (0 for the instant kinds, radiation and surgery).
    pub duration_days: f64,
    /// Chemo: probability per cycle that a cycling non-stem cell dies at division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_non_stem: Option<f64>,
    /// Chemo: the same for CSCs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_csc: Option<f64>,
    /// Radiation: dose per fraction, Gy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_gy: Option<f64>,
    /// Radiation: α of non-stem cells, per Gy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_per_gy: Option<f64>,
    /// Radiation: α/β of non-stem cells, Gy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_beta_gy: Option<f64>,
    /// Radiation: CSCs' α and β are multiplied by this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csc_radioresistance: Option<f64>,
    /// Surgery: fraction of the primary's cells removed, drawn at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Surgery of the mass: the residual's depth, in lattice sites from the exterior.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_sites: Option<u32>,
    /// Surgery of the mass: probability that a cell within `margin_sites` of the exterior
    /// is left behind. Giving it selects surgery of the mass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual_fraction: Option<f64>,
    /// Anti-IL6, CXCR2 inhibitor, anti-VEGFR1: fraction of the target's signalling blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficacy: Option<f64>,
    /// CXCR2 inhibitor: extra CSC death, per day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csc_kill_per_day: Option<f64>,
    /// Differentiation therapy: multiplies p_s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
}

impl TherapyConfig {
    /// A therapy of `kind` starting on `start_day`, one cycle, the kind's defaults (chemo and
    /// the signalling therapies get a 3-day exposure).
    pub fn new(kind: TherapyKind, start_day: f64) -> Self {
        let mut table = toml::Table::new();
        table.insert("kind".into(), kind.as_str().into());
        table.insert("start_day".into(), start_day.into());
        if !kind.is_instant() {
            table.insert("duration_days".into(), 3.0.into());
        }
        let mut value = toml::Value::Table(table);
        let mut problems = Vec::new();
        check_entry(&mut value, "therapy[0]", &mut problems);
        assert!(problems.is_empty(), "defaults are valid: {problems:?}");
        value.try_into().expect("a checked entry deserialises")
    }

    /// A kind-specific value (filled in by loading), 0 if the kind has no such key.
    fn get(&self, key: &str) -> f64 {
        let v = match key {
            "kill_non_stem" => self.kill_non_stem,
            "kill_csc" => self.kill_csc,
            "dose_gy" => self.dose_gy,
            "alpha_per_gy" => self.alpha_per_gy,
            "alpha_beta_gy" => self.alpha_beta_gy,
            "csc_radioresistance" => self.csc_radioresistance,
            "fraction" => self.fraction,
            "margin_sites" => self.margin_sites.map(f64::from),
            "residual_fraction" => self.residual_fraction,
            "efficacy" => self.efficacy,
            "csc_kill_per_day" => self.csc_kill_per_day,
            "factor" => self.factor,
            _ => None,
        };
        v.unwrap_or_else(|| {
            self.kind
                .keys()
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0.0, |(_, d)| *d)
        })
    }

    /// `kill_non_stem` (chemo).
    pub fn kill_non_stem(&self) -> f64 {
        self.get("kill_non_stem")
    }
    /// `kill_csc` (chemo).
    pub fn kill_csc(&self) -> f64 {
        self.get("kill_csc")
    }
    /// `dose_gy` (radiation).
    pub fn dose_gy(&self) -> f64 {
        self.get("dose_gy")
    }
    /// `alpha_per_gy` (radiation).
    pub fn alpha_per_gy(&self) -> f64 {
        self.get("alpha_per_gy")
    }
    /// `alpha_beta_gy` (radiation).
    pub fn alpha_beta_gy(&self) -> f64 {
        self.get("alpha_beta_gy")
    }
    /// `csc_radioresistance` (radiation).
    pub fn csc_radioresistance(&self) -> f64 {
        self.get("csc_radioresistance")
    }
    /// `fraction` (surgery).
    pub fn fraction(&self) -> f64 {
        self.get("fraction")
    }
    /// What a surgery removes: a random sample (`fraction`), or the mass but for a residual
    /// at its margin (`residual_fraction`, `margin_sites`).
    pub fn surgery(&self) -> Surgery {
        match self.residual_fraction {
            Some(residual_fraction) => Surgery::Mass {
                margin_sites: self.margin_sites.unwrap_or(1),
                residual_fraction,
            },
            None => Surgery::Random {
                fraction: self.fraction(),
            },
        }
    }
    /// `efficacy` (anti-IL6, CXCR2 inhibitor, anti-VEGFR1).
    pub fn efficacy(&self) -> f64 {
        self.get("efficacy")
    }
    /// `csc_kill_per_day` (CXCR2 inhibitor).
    pub fn csc_kill_per_day(&self) -> f64 {
        self.get("csc_kill_per_day")
    }
    /// `factor` (differentiation).
    pub fn factor(&self) -> f64 {
        self.get("factor")
    }

    /// Linear–quadratic survival of one fraction, `exp(−α d − β d²)` with β = α / (α/β);
    /// for CSCs α and β are scaled by `csc_radioresistance`.
    pub fn lq_survival(&self, csc: bool) -> f64 {
        let scale = if csc { self.csc_radioresistance() } else { 1.0 };
        let alpha = self.alpha_per_gy() * scale;
        let beta = self.alpha_per_gy() / self.alpha_beta_gy() * scale;
        let d = self.dose_gy();
        (-alpha * d - beta * d * d).exp()
    }
}

/// What a surgery removes from the primary (colonies, dormant cells and CTCs are never
/// touched).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Surgery {
    /// Exactly `round(N · fraction)` of the primary's N cells, drawn at random (key
    /// `fraction`; the rule of model version 1).
    Random {
        /// Fraction of the cells removed.
        fraction: f64,
    },
    /// The mass: every cell is removed except, independently with probability
    /// `residual_fraction`, the cells within `margin_sites` lattice sites of the tumour's
    /// exterior (keys `residual_fraction`, `margin_sites`); debris deeper than the margin
    /// goes too. Selected by giving `residual_fraction`.
    Mass {
        /// Depth of the margin in sites (Moore steps) from the exterior; 0 = no margin.
        margin_sites: u32,
        /// Probability that a margin cell is left behind.
        residual_fraction: f64,
    },
}

/// Integer ≥ 1 for `cycles`.
const CYCLES: ParamKind = ParamKind::Int {
    min: 1,
    max: 10_000,
};
const DAYS: FloatRange = FloatRange::closed(0.0, 100_000.0);
const PROBABILITY: FloatRange = FloatRange::closed(0.0, 1.0);

static THERAPY_CATALOGUE: &[ParamInfo] = &[
    t(
        "therapy.kind",
        "–",
        ParamKind::Enum(&[
            "chemo",
            "radiation",
            "surgery",
            "anti_il6",
            "cxcr2_inhibitor",
            "anti_vegfr1",
            "differentiation",
        ]),
        "(required)",
        "–",
        "–",
        "What the intervention does (docs/model.md §7.16); [[therapy]] entries apply in the order listed and combine.",
    ),
    t(
        "therapy.start_day",
        "t_start",
        ParamKind::Float(DAYS),
        "(required)",
        "days",
        "–",
        "Start of the first cycle (instant kinds: the day of the event).",
    ),
    t(
        "therapy.cycles",
        "n_cyc",
        CYCLES,
        "1",
        "–",
        "–",
        "Number of cycles (radiation: fractions); 1 for a single event or course.",
    ),
    t(
        "therapy.interval_days",
        "Δt_cyc",
        ParamKind::Float(DAYS),
        "0",
        "days",
        "–",
        "From one cycle's start to the next; > 0 and ≥ duration_days when cycles > 1.",
    ),
    t(
        "therapy.duration_days",
        "t_exp",
        ParamKind::Float(DAYS),
        "0",
        "days",
        "–",
        "Exposure per cycle: > 0 for chemo and the signalling therapies, 0 for radiation and surgery.",
    ),
    t(
        "therapy.kill_non_stem",
        "k_ns",
        ParamKind::Float(PROBABILITY),
        "0.99",
        "per cycle",
        "[A]",
        "chemo: probability that a non-stem cell dies over one cycle's exposure, at its division attempts (0.7 in the first specification, docs/model.md §8.5; calibrated to Li 2008's ~3× CSC enrichment at the end of a course).",
    ),
    t(
        "therapy.kill_csc",
        "k_csc",
        ParamKind::Float(PROBABILITY),
        "0.2",
        "per cycle",
        "[A]",
        "chemo: the same for CSCs.",
    ),
    t(
        "therapy.dose_gy",
        "d",
        ParamKind::Float(FloatRange::closed(0.0, 100.0)),
        "2",
        "Gy",
        "[M]",
        "radiation: dose per fraction.",
    ),
    t(
        "therapy.alpha_per_gy",
        "α_R",
        ParamKind::Float(FloatRange::closed(0.0, 10.0)),
        "0.3",
        "per Gy",
        "[M]",
        "radiation: linear–quadratic α of non-stem cells (START trials).",
    ),
    t(
        "therapy.alpha_beta_gy",
        "α/β",
        ParamKind::Float(FloatRange::open_closed(0.0, 1000.0)),
        "3.5",
        "Gy",
        "[M]",
        "radiation: α/β of non-stem cells (START trials); β = α / (α/β).",
    ),
    t(
        "therapy.csc_radioresistance",
        "ε_CSC",
        ParamKind::Float(PROBABILITY),
        "0.5",
        "×",
        "[A]",
        "radiation: CSCs' α and β are multiplied by this (Phillips 2006, Diehn 2009).",
    ),
    t(
        "therapy.fraction",
        "f_res",
        ParamKind::Float(PROBABILITY),
        "0.999",
        "–",
        "[A]",
        "surgery: fraction of the primary's cells removed, drawn at random; colonies and dormant cells are untouched. Not with residual_fraction.",
    ),
    t(
        "therapy.margin_sites",
        "d_margin",
        ParamKind::Int { min: 0, max: 1000 },
        "1 (with residual_fraction)",
        "sites",
        "[A]",
        "surgery of the mass: depth of the margin, in lattice sites (Moore steps) from the tumour's exterior (the empty region joined to the domain's edge; holes inside do not count); 0 = no margin.",
    ),
    t(
        "therapy.residual_fraction",
        "f_res",
        ParamKind::Float(PROBABILITY),
        "(none: surgery removes fraction at random)",
        "–",
        "[A]",
        "surgery of the mass: every primary cell is removed except those within margin_sites of the exterior, each left behind with this probability; giving it selects this mode (not with fraction).",
    ),
    t(
        "therapy.efficacy",
        "e",
        ParamKind::Float(PROBABILITY),
        "anti_il6 0.9, cxcr2_inhibitor 0.9, anti_vegfr1 0.95",
        "–",
        "[A]",
        "anti_il6: IL6 signalling × (1 − efficacy); cxcr2_inhibitor: CXCL7 signalling × (1 − efficacy); anti_vegfr1: HPC mobilisation × (1 − efficacy).",
    ),
    t(
        "therapy.csc_kill_per_day",
        "r_kill",
        ParamKind::Float(FloatRange::at_least(0.0)),
        "0",
        "per day",
        "[V]",
        "cxcr2_inhibitor: extra CSC death during exposure (Ginestier 2010, qualitative).",
    ),
    t(
        "therapy.factor",
        "φ",
        ParamKind::Float(PROBABILITY),
        "0.5",
        "×",
        "[A]",
        "differentiation: multiplies p_s (and its cytokine-raised cap) during exposure.",
    ),
];

/// The `[[therapy]]` keys, for `seedsoil params` (after the section keys).
pub fn therapy_catalogue() -> &'static [ParamInfo] {
    THERAPY_CATALOGUE
}

fn info(key: &str) -> Option<&'static ParamInfo> {
    THERAPY_CATALOGUE
        .iter()
        .find(|i| i.key.strip_prefix("therapy.") == Some(key))
}

/// Checks the top-level `therapy` value (an array of tables), entry by entry, filling each
/// kind's defaults. Entries with problems are removed (the caller reports the problems).
pub(crate) fn check_therapies(
    value: &mut toml::Value,
    problems: &mut Vec<Problem>,
    bad: &mut HashSet<String>,
) -> bool {
    let toml::Value::Array(entries) = value else {
        problems.push(Problem::new(
            "therapy",
            show_value(value),
            "expected a list of [[therapy]] tables, each with kind and start_day (see configs/therapies/)",
        ));
        bad.insert("therapy".to_string());
        return false;
    };
    let mut kept = Vec::new();
    for (i, entry) in std::mem::take(entries).into_iter().enumerate() {
        let mut entry = entry;
        let name = format!("therapy[{i}]");
        let before = problems.len();
        check_entry(&mut entry, &name, problems);
        if problems.len() == before {
            kept.push(entry);
        } else {
            bad.insert(name);
        }
    }
    *entries = kept;
    true
}

/// The keys every kind has: what it is and when.
const SCHEDULE_KEYS: [&str; 5] = [
    "kind",
    "start_day",
    "cycles",
    "interval_days",
    "duration_days",
];

/// Checks one entry named `name` (`therapy[2]`), converting values in place and filling
/// the kind's defaults: the kind, then each key (known, in range, of the kind), then the
/// rules between keys (surgery's mode, the schedule).
fn check_entry(entry: &mut toml::Value, name: &str, problems: &mut Vec<Problem>) {
    let toml::Value::Table(table) = entry else {
        problems.push(Problem::new(
            name,
            show_value(entry),
            "expected a [[therapy]] table with kind and start_day",
        ));
        return;
    };
    let kind = entry_kind(table, name, problems);
    if !table.contains_key("start_day") {
        problems.push(Problem::new(
            format!("{name}.start_day"),
            "(missing)",
            "required: the day of the first cycle's start, value ≥ 0 (days)",
        ));
    }
    let keys: Vec<String> = table.keys().filter(|k| *k != "kind").cloned().collect();
    for key in keys {
        check_key(table, name, &key, kind, problems);
    }
    let Some(kind) = kind else { return };
    // Surgery removes a random sample (`fraction`) or the mass (`residual_fraction`, with
    // `margin_sites`): one mode per entry, selected by `residual_fraction`.
    let mass = kind == TherapyKind::Surgery && table.contains_key("residual_fraction");
    surgery_mode_problems(table, name, kind, mass, problems);
    fill_defaults(table, kind, mass);
    schedule_problems(table, name, kind, problems);
}

/// The entry's `kind` (required, one of [`TherapyKind::ALL`]).
fn entry_kind(table: &toml::Table, name: &str, problems: &mut Vec<Problem>) -> Option<TherapyKind> {
    let Some(value) = table.get("kind") else {
        problems.push(Problem::new(
            format!("{name}.kind"),
            "(missing)",
            "required: one of \"chemo\", \"radiation\", \"surgery\", \"anti_il6\", \"cxcr2_inhibitor\", \"anti_vegfr1\", \"differentiation\"",
        ));
        return None;
    };
    match info("kind").expect("listed").check(value) {
        Ok(v) => v.as_str().and_then(TherapyKind::from_name),
        Err(allowed) => {
            problems.push(Problem::new(
                format!("{name}.kind"),
                show_value(value),
                allowed,
            ));
            None
        }
    }
}

/// Checks the entry's key `key` (not `kind`): known, of the type and range of the
/// catalogue (converted in place), and a key of `kind` (if known). Unknown or invalid
/// values are removed.
fn check_key(
    table: &mut toml::Table,
    name: &str,
    key: &str,
    kind: Option<TherapyKind>,
    problems: &mut Vec<Problem>,
) {
    let full = format!("{name}.{key}");
    let shown = show_value(&table[key]);
    let Some(info) = info(key) else {
        problems.push(unknown_key(name, key, &shown));
        table.remove(key);
        return;
    };
    match info.check(&table[key]) {
        Ok(v) => {
            table.insert(key.to_string(), v);
        }
        Err(allowed) => {
            problems.push(Problem::new(&full, shown, allowed));
            table.remove(key);
            return;
        }
    }
    if let Some(kind) = kind
        && !SCHEDULE_KEYS.contains(&key)
        && !kind.keys().iter().any(|(k, _)| *k == key)
    {
        let own: Vec<&str> = kind.keys().iter().map(|(k, _)| *k).collect();
        problems.push(Problem::new(
            &full,
            shown,
            format!(
                "not a key of kind \"{}\" (its keys: {})",
                kind.as_str(),
                own.join(", ")
            ),
        ));
    }
}

/// Problem for a key no therapy has, with the closest therapy key if one is close.
fn unknown_key(name: &str, key: &str, shown: &str) -> Problem {
    let known: Vec<&str> = THERAPY_CATALOGUE
        .iter()
        .filter_map(|i| i.key.strip_prefix("therapy."))
        .collect();
    let hint = known
        .iter()
        .min_by_key(|k| strsim::levenshtein(k, key))
        .filter(|k| strsim::levenshtein(k, key) <= 3)
        .map(|k| format!("; did you mean {name}.{k}?"))
        .unwrap_or_default();
    Problem::new(
        format!("{name}.{key}"),
        shown,
        format!("unknown therapy key{hint} (allowed: {})", known.join(", ")),
    )
}

/// A surgery takes the keys of one mode: `fraction` (random), or `residual_fraction` with
/// `margin_sites` (the mass; `mass`).
fn surgery_mode_problems(
    table: &toml::Table,
    name: &str,
    kind: TherapyKind,
    mass: bool,
    problems: &mut Vec<Problem>,
) {
    if mass && table.contains_key("fraction") {
        problems.push(Problem::new(
            format!("{name}.fraction"),
            show_value(&table["fraction"]),
            format!(
                "not allowed together with {name}.residual_fraction: surgery removes either \
                 a random fraction of the cells (fraction) or the mass but for a residual at \
                 its margin (residual_fraction, margin_sites); give one of them"
            ),
        ));
    }
    if kind == TherapyKind::Surgery && !mass && table.contains_key("margin_sites") {
        problems.push(Problem::new(
            format!("{name}.margin_sites"),
            show_value(&table["margin_sites"]),
            format!(
                "used only with {name}.residual_fraction (surgery of the mass); surgery \
                 with fraction removes cells at random, with no margin"
            ),
        ));
    }
}

/// Fills the schedule and kind defaults (for a surgery, of its mode only), so the resolved
/// config spells them out.
fn fill_defaults(table: &mut toml::Table, kind: TherapyKind, mass: bool) {
    table.entry("cycles").or_insert(toml::Value::Integer(1));
    table
        .entry("interval_days")
        .or_insert(toml::Value::Float(0.0));
    table
        .entry("duration_days")
        .or_insert(toml::Value::Float(0.0));
    for (k, d) in kind.keys() {
        let value = match *k {
            "fraction" if mass => continue,
            "margin_sites" | "residual_fraction" if !mass => continue,
            "residual_fraction" => continue,
            "margin_sites" => toml::Value::Integer(*d as i64),
            _ => toml::Value::Float(*d),
        };
        table.entry(*k).or_insert(value);
    }
}

/// The schedule's rules (after [`fill_defaults`]): an exposure for the lasting kinds, none
/// for the instant ones, and cycles that do not overlap.
fn schedule_problems(
    table: &toml::Table,
    name: &str,
    kind: TherapyKind,
    problems: &mut Vec<Problem>,
) {
    let num = |k: &str| table.get(k).and_then(toml::Value::as_float).unwrap_or(0.0);
    let cycles = table
        .get("cycles")
        .and_then(toml::Value::as_integer)
        .unwrap_or(1);
    let (interval, duration) = (num("interval_days"), num("duration_days"));
    if kind.is_instant() && duration != 0.0 {
        problems.push(Problem::new(
            format!("{name}.duration_days"),
            duration.to_string(),
            format!(
                "allowed only 0 for \"{}\" (an instant event per cycle)",
                kind.as_str()
            ),
        ));
    }
    if !kind.is_instant() && duration <= 0.0 {
        problems.push(Problem::new(
            format!("{name}.duration_days"),
            duration.to_string(),
            format!(
                "allowed value > 0 (days) for \"{}\": the exposure per cycle",
                kind.as_str()
            ),
        ));
    }
    if cycles > 1 && (interval <= 0.0 || interval < duration) {
        problems.push(Problem::new(
            format!("{name}.interval_days"),
            interval.to_string(),
            format!(
                "allowed value > 0 and ≥ duration_days = {duration} (days) when cycles = {cycles}: cycles may not overlap"
            ),
        ));
    }
}

/// Cross-key rules of the therapies that involve the time step: every exposure lasts at
/// least one step, and per-step probabilities stay ≤ 1.
pub(crate) fn therapy_step_problems(therapies: &[TherapyConfig], dt_h: f64) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, th) in therapies.iter().enumerate() {
        let name = format!("therapy[{i}]");
        if !th.kind.is_instant() && days_to_steps(th.duration_days, dt_h).round() < 1.0 {
            out.push(Problem::new(
                format!("{name}.duration_days"),
                th.duration_days.to_string(),
                format!(
                    "allowed at least one step, ≥ {} days at run.dt_h = {dt_h}",
                    hours_to_days(dt_h) / 2.0
                ),
            ));
        }
        let p = per_step(th.csc_kill_per_day(), dt_h);
        if p > 1.0 + 1e-12 {
            out.push(Problem::new(
                format!("{name}.csc_kill_per_day"),
                th.csc_kill_per_day().to_string(),
                format!(
                    "allowed at most {} per day at run.dt_h = {dt_h} (a per-step probability ≤ 1)",
                    HOURS_PER_DAY / dt_h
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> (toml::Value, Vec<Problem>) {
        let mut v = toml::Value::Table(text.parse::<toml::Table>().unwrap());
        let mut problems = Vec::new();
        check_entry(&mut v, "therapy[0]", &mut problems);
        (v, problems)
    }

    #[test]
    fn defaults_are_filled_per_kind() {
        let (v, p) = check("kind = \"chemo\"\nstart_day = 60\nduration_days = 3");
        assert!(p.is_empty(), "{p:?}");
        let th: TherapyConfig = v.try_into().unwrap();
        assert_eq!(th.kill_non_stem, Some(0.99));
        assert_eq!(th.kill_csc, Some(0.2));
        assert_eq!(th.dose_gy, None);
        assert_eq!(th.cycles, 1);
    }

    #[test]
    fn wrong_keys_and_schedules_are_named() {
        let (_, p) = check(
            "kind = \"surgery\"\nstart_day = 60\nduration_days = 2\nkill_csc = 0.5\ncycles = 2\ndose = 3",
        );
        let keys: Vec<&str> = p.iter().map(|p| p.key.as_str()).collect();
        assert!(keys.contains(&"therapy[0].kill_csc"), "{p:?}");
        assert!(keys.contains(&"therapy[0].dose"), "{p:?}");
        assert!(keys.contains(&"therapy[0].duration_days"), "{p:?}");
        assert!(keys.contains(&"therapy[0].interval_days"), "{p:?}");
        let (_, p) = check("kind = \"chemotherapy\"");
        let keys: Vec<&str> = p.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["therapy[0].kind", "therapy[0].start_day"]);
    }

    #[test]
    fn lq_survival_values() {
        let th = TherapyConfig::new(TherapyKind::Radiation, 10.0);
        // exp(−0.3·2 − (0.3/3.5)·4)
        let s = (-0.6f64 - 0.3 / 3.5 * 4.0).exp();
        assert!((th.lq_survival(false) - s).abs() < 1e-15);
        assert!((th.lq_survival(true) - s.sqrt()).abs() < 1e-15);
    }
}
