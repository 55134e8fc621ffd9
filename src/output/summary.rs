//! `summary.csv` and `organs.csv`: the endpoints of a run as serde rows. `summary.csv` is
//! one row of the column groups its model fills ([`SummaryLayout`]): [`SummaryRow`], the
//! milestone steps, [`RelapseSummary`], [`TherapySummary`], [`MetastasisSummary`], then
//! one [`OrganSummary`] per organ; `organs.csv` is [`OrganName`] and [`OrganSummary`], one
//! row per organ (the same values). Each row type documents its columns ([`Documented`]).

use crate::config::Config;
use crate::metastasis::Metastasis;
use crate::output::column::{Column, Documented, col};
use crate::output::format::{shortest, shortest_or_empty};
use crate::output::rows::{classes, field_stats, il6_output};
use crate::output::table;
use crate::sim::Simulation;
use crate::units::steps_to_days;
use serde::{Deserialize, Serialize};

/// Population sizes whose first crossing is recorded as a `size_reached` event and in
/// the summary (`step_reached_<size>`), for the sizes a run can reach
/// ([`reachable_milestones`]).
pub const MILESTONES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// How many of [`MILESTONES`] (a prefix: they grow) a run of `config` can reach: a
/// size at most the domain's sites inside its border ring, `(space.max_size − 2)^dims`,
/// and at most `run.stop_at_cells` when that stop is set (the run ends there).
pub fn reachable_milestones(config: &Config) -> usize {
    let side = u128::from(config.space.max_size.saturating_sub(2));
    let sites = side.saturating_pow(u32::from(config.space.dims));
    let stop = config.run.stop_at_cells;
    MILESTONES
        .iter()
        .take_while(|&&m| u128::from(m) <= sites && (stop == 0 || m <= stop))
        .count()
}

/// The start of `summary.csv`: the run, the primary tumour, fields and MSCs. The steps
/// at which the sizes of [`MILESTONES`] were first reached follow it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SummaryRow<'a> {
    /// The run's seed.
    pub seed: u64,
    /// Why the run stopped.
    pub stop_reason: &'a str,
    /// Steps run.
    pub steps: u64,
    /// Simulated time, h.
    #[serde(serialize_with = "shortest")]
    pub time_h: f64,
    /// CSCs at the end.
    pub csc: u64,
    /// Progenitors at the end.
    pub progenitor: u64,
    /// Differentiated cells at the end.
    pub differentiated: u64,
    /// All cells at the end.
    pub total: u64,
    /// CSCs / total at the end.
    #[serde(serialize_with = "shortest")]
    pub csc_fraction: f64,
    /// Divisions.
    pub births: u64,
    /// Deaths.
    pub deaths: u64,
    /// Moves.
    pub migrations: u64,
    /// Dedifferentiations.
    pub dedifferentiations: u64,
    /// Symmetric CSC divisions.
    pub symmetric_divisions: u64,
    /// CSC divisions losing stemness.
    pub stemness_losses: u64,
    /// Largest population seen.
    pub peak_total: u64,
    /// Mean IL6 over field cells holding cancer cells, ng/mL.
    #[serde(serialize_with = "shortest")]
    pub il6_tumour_mean_ng_ml: f64,
    /// Maximum IL6, ng/mL.
    #[serde(serialize_with = "shortest")]
    pub il6_max_ng_ml: f64,
    /// Mean CXCL7 over field cells holding cancer cells, ng/mL.
    #[serde(serialize_with = "shortest")]
    pub cxcl7_tumour_mean_ng_ml: f64,
    /// Maximum CXCL7, ng/mL.
    #[serde(serialize_with = "shortest")]
    pub cxcl7_max_ng_ml: f64,
    /// The simulated tumour's IL6 output, molecules/s.
    #[serde(serialize_with = "shortest")]
    pub il6_output_molecules_per_s: f64,
    /// ALDH+ MSCs in the tumour.
    pub msc_aldh_pos: u64,
    /// ALDH− MSCs in the tumour.
    pub msc_aldh_neg: u64,
    /// MSCs left in the bone-marrow pool.
    pub msc_pool: u64,
    /// MSCs homed.
    pub msc_homed: u64,
    /// MSCs injected.
    pub msc_injected: u64,
    /// MSC divisions.
    pub msc_divisions: u64,
    /// MSC deaths.
    pub msc_deaths: u64,
}

impl Documented for SummaryRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col("seed", "–", "the run's seed"),
        col(
            "stop_reason",
            "text",
            "why the run stopped (`days`, `stop_at_cells` or `extinct`)",
        ),
        col("steps", "steps", "steps run"),
        col("time_h", "h", "simulated time"),
        col("csc", "cells", "CSCs in the primary at the end"),
        col(
            "progenitor",
            "cells",
            "progenitors in the primary at the end",
        ),
        col(
            "differentiated",
            "cells",
            "differentiated cells in the primary at the end",
        ),
        col("total", "cells", "all cells of the primary at the end"),
        col("csc_fraction", "fraction", "csc / total at the end"),
        col("births", "divisions", "divisions in the primary"),
        col("deaths", "cells", "deaths in the primary"),
        col("migrations", "moves", "cell moves in the primary"),
        col(
            "dedifferentiations",
            "cells",
            "dedifferentiations to CSCs in the primary",
        ),
        col(
            "symmetric_divisions",
            "divisions",
            "symmetric CSC divisions",
        ),
        col(
            "stemness_losses",
            "divisions",
            "CSC divisions that lost stemness",
        ),
        col("peak_total", "cells", "largest primary population seen"),
        col(
            "il6_tumour_mean_ng_ml",
            "ng/mL",
            "final mean IL6 over the field cells holding cancer cells",
        ),
        col("il6_max_ng_ml", "ng/mL", "final maximum IL6"),
        col(
            "cxcl7_tumour_mean_ng_ml",
            "ng/mL",
            "final mean CXCL7 over the field cells holding cancer cells",
        ),
        col("cxcl7_max_ng_ml", "ng/mL", "final maximum CXCL7"),
        col(
            "il6_output_molecules_per_s",
            "molecules/s",
            "the simulated tumour's final IL6 output",
        ),
        col(
            "msc_aldh_pos",
            "MSCs",
            "ALDH+ MSCs in the tumour at the end",
        ),
        col(
            "msc_aldh_neg",
            "MSCs",
            "ALDH− MSCs in the tumour at the end",
        ),
        col("msc_pool", "MSCs", "MSCs left in the bone-marrow pool"),
        col("msc_homed", "MSCs", "MSCs homed to the tumour"),
        col("msc_injected", "MSCs", "MSCs injected"),
        col("msc_divisions", "divisions", "MSC divisions"),
        col("msc_deaths", "MSCs", "MSC deaths"),
    ];
}

/// The milestone columns of `summary.csv`, one per reachable size of [`MILESTONES`]:
/// `step_reached_<N>`.
pub const MILESTONE_COLUMN: Column = col(
    "step_reached_<N>",
    "step",
    "step at which the primary first held N cells (N = 1000, 10000, …), empty if never; one column per N up to the largest size the run can reach (`space.max_size`, `run.stop_at_cells`)",
);

/// The relapse endpoints of `summary.csv`, present when the config lists a
/// cytoreductive therapy (chemo, radiation or surgery; empty days when not reached).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RelapseSummary {
    /// Day the first cytoreductive therapy started.
    #[serde(serialize_with = "shortest_or_empty")]
    pub therapy_reference_day: Option<f64>,
    /// Cells then.
    pub cells_at_therapy_start: Option<u64>,
    /// Day the tumour relapsed.
    #[serde(serialize_with = "shortest_or_empty")]
    pub relapse_day: Option<f64>,
    /// Days from the reference to relapse.
    #[serde(serialize_with = "shortest_or_empty")]
    pub time_to_relapse_days: Option<f64>,
}

impl Documented for RelapseSummary {
    const COLUMNS: &'static [Column] = &[
        col(
            "therapy_reference_day",
            "d",
            "day the first cytoreductive therapy started (empty if none did)",
        ),
        col("cells_at_therapy_start", "cells", "primary cells then"),
        col(
            "relapse_day",
            "d",
            "day the primary first held more cells than then, after that therapy's course (empty if never)",
        ),
        col(
            "time_to_relapse_days",
            "d",
            "relapse_day − therapy_reference_day",
        ),
    ];
}

/// The therapy totals of `summary.csv` (zero without therapies).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TherapySummary {
    /// Cells killed by chemotherapy in the primary tumour.
    pub chemo_deaths: u64,
    /// CTCs killed by chemotherapy.
    pub ctc_chemo_deaths: u64,
    /// Cells killed by radiation.
    pub radiation_kills: u64,
    /// Cells resected.
    pub resected: u64,
}

impl Documented for TherapySummary {
    const COLUMNS: &'static [Column] = &[
        col(
            "chemo_deaths",
            "cells",
            "cells killed by chemotherapy in the primary",
        ),
        col("ctc_chemo_deaths", "cells", "CTCs killed by chemotherapy"),
        col("radiation_kills", "cells", "cells killed by radiation"),
        col("resected", "cells", "cells removed by surgery"),
    ];
}

/// The metastasis endpoints of `summary.csv`, present with dissemination
/// (`dissemination.enabled`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetastasisSummary {
    /// CTCs in the blood.
    pub ctc: Option<u64>,
    /// Dormant cells in the organs.
    pub dormant: Option<u64>,
    /// Metastatic cells in the organs.
    pub metastatic_cells: Option<u64>,
    /// Living colonies.
    pub living_colonies: Option<u64>,
    /// Cells intravasated.
    pub intravasated: Option<u64>,
    /// CTC deaths.
    pub ctc_deaths: Option<u64>,
    /// CTCs arrested in an organ.
    pub arrested: Option<u64>,
    /// Cells extravasated.
    pub extravasated: Option<u64>,
    /// Cells that entered dormancy.
    pub dormant_entered: Option<u64>,
    /// Dormant cells that woke.
    pub woke: Option<u64>,
    /// Colonies founded by CSCs.
    pub csc_colonies: Option<u64>,
    /// Colonies founded by non-stem cells.
    pub non_stem_colonies: Option<u64>,
    /// Micrometastases.
    pub micrometastases: Option<u64>,
    /// Detected metastases.
    pub detected_metastases: Option<u64>,
    /// Colonies gone extinct.
    pub extinct_colonies: Option<u64>,
    /// Extravasated / arrested (empty when none arrested).
    #[serde(serialize_with = "shortest_or_empty")]
    pub fraction_extravasated: Option<f64>,
    /// Micrometastases / arrested.
    #[serde(serialize_with = "shortest_or_empty")]
    pub fraction_micrometastasis: Option<f64>,
    /// Detected / arrested.
    #[serde(serialize_with = "shortest_or_empty")]
    pub fraction_detected: Option<f64>,
    /// Day of the first arrival in any organ.
    #[serde(serialize_with = "shortest_or_empty")]
    pub first_arrival_day: Option<f64>,
    /// Day the first niche formed.
    #[serde(serialize_with = "shortest_or_empty")]
    pub first_niche_day: Option<f64>,
    /// Day of the first detection.
    #[serde(serialize_with = "shortest_or_empty")]
    pub first_detection_day: Option<f64>,
    /// Whether any metastasis was detected.
    pub any_metastasis_detected: Option<bool>,
    /// Tumour-derived secreted factor level.
    #[serde(serialize_with = "shortest_or_empty")]
    pub tdsf: Option<f64>,
    /// Dormant non-stem cells.
    pub dormant_non_stem: Option<u64>,
    /// Non-stem cells that entered dormancy.
    pub dormant_non_stem_entered: Option<u64>,
    /// Disseminated tumour cell deaths.
    pub dtc_deaths: Option<u64>,
    /// Angiogenic switches.
    pub angiogenic_switches: Option<u64>,
}

impl Documented for MetastasisSummary {
    const COLUMNS: &'static [Column] = &[
        col("ctc", "cells", "CTCs in the blood at the end"),
        col("dormant", "cells", "dormant cells in the organs at the end"),
        col(
            "metastatic_cells",
            "cells",
            "cells in metastatic colonies at the end (metastatic burden)",
        ),
        col("living_colonies", "colonies", "living colonies at the end"),
        col("intravasated", "cells", "cells shed into the blood"),
        col("ctc_deaths", "cells", "CTCs that died in the blood"),
        col("arrested", "cells", "CTCs arrested in an organ"),
        col("extravasated", "cells", "arrested cells that extravasated"),
        col("dormant_entered", "cells", "cells that entered dormancy"),
        col("woke", "cells", "dormant cells that woke"),
        col("csc_colonies", "colonies", "colonies founded by CSCs"),
        col(
            "non_stem_colonies",
            "colonies",
            "colonies founded by non-stem cells",
        ),
        col(
            "micrometastases",
            "colonies",
            "colonies that reached `dissemination.micrometastasis_cells`",
        ),
        col(
            "detected_metastases",
            "colonies",
            "colonies that reached `dissemination.detect_cells`",
        ),
        col("extinct_colonies", "colonies", "colonies gone extinct"),
        col(
            "fraction_extravasated",
            "fraction",
            "extravasated / arrested (empty when none arrested; Luzzi 1998)",
        ),
        col(
            "fraction_micrometastasis",
            "fraction",
            "micrometastases / arrested",
        ),
        col(
            "fraction_detected",
            "fraction",
            "detected_metastases / arrested",
        ),
        col(
            "first_arrival_day",
            "d",
            "day of the first arrest in any organ (empty if none)",
        ),
        col(
            "first_niche_day",
            "d",
            "day the first niche formed (empty if none)",
        ),
        col(
            "first_detection_day",
            "d",
            "day of the first detected metastasis (empty if none): the time to detection",
        ),
        col(
            "any_metastasis_detected",
            "true/false",
            "whether any metastasis was detected",
        ),
        col(
            "tdsf",
            "fraction",
            "tumour-derived secreted factor level T at the end, 0–1",
        ),
        col(
            "dormant_non_stem",
            "cells",
            "dormant non-stem cells at the end",
        ),
        col(
            "dormant_non_stem_entered",
            "cells",
            "non-stem cells that entered dormancy",
        ),
        col("dtc_deaths", "cells", "disseminated tumour cells that died"),
        col(
            "angiogenic_switches",
            "colonies",
            "avascular colonies that switched to angiogenic growth",
        ),
    ];
}

/// One organ's endpoints: in `summary.csv` its columns are these field names with
/// `_<organ>` appended, one group per organ in config order; in `organs.csv` they are
/// one row after the organ's name ([`OrganName`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganSummary {
    /// Metastatic cells.
    pub metastatic_cells: u64,
    /// Colonies founded.
    pub colonies: u64,
    /// Colonies detected.
    pub detected: u64,
    /// Dormant cells.
    pub dormant: u64,
    /// HPCs recruited.
    pub hpcs: u64,
    /// Day the niche formed.
    #[serde(serialize_with = "shortest_or_empty")]
    pub niche_day: Option<f64>,
    /// Day of the first arrival.
    #[serde(serialize_with = "shortest_or_empty")]
    pub first_arrival_day: Option<f64>,
}

impl Documented for OrganSummary {
    const COLUMNS: &'static [Column] = &[
        col(
            "metastatic_cells",
            "cells",
            "cells in the organ's colonies at the end (its metastatic burden)",
        ),
        col("colonies", "colonies", "colonies founded in the organ"),
        col("detected", "colonies", "colonies detected in the organ"),
        col("dormant", "cells", "dormant cells in the organ at the end"),
        col(
            "hpcs",
            "HPCs",
            "haematopoietic progenitor cells recruited to its niche at the end",
        ),
        col(
            "niche_day",
            "d",
            "day its pre-metastatic niche formed (level ≥ 0.5; empty if never)",
        ),
        col(
            "first_arrival_day",
            "d",
            "day the first CTC arrested in it (empty if none)",
        ),
    ];
}

/// The key of a row of `organs.csv`: the organ, followed by its [`OrganSummary`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganName<'a> {
    /// The organ's name (`[organs.<name>]`).
    pub organ: &'a str,
}

impl Documented for OrganName<'_> {
    const COLUMNS: &'static [Column] = &[col(
        "organ",
        "text",
        "the organ's name (`[organs.<name>]`), in config order",
    )];
}

/// Which column groups a run's `summary.csv` holds: its fixed columns ([`SummaryRow`]),
/// the first `milestones` sizes of [`MILESTONES`], [`RelapseSummary`] if `relapse`,
/// [`TherapySummary`], [`MetastasisSummary`] if `metastasis`, then one [`OrganSummary`]
/// per organ (only with dissemination). A group appears only when the configured model
/// can fill it, so that a run has no column that is empty by construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryLayout {
    /// Milestone columns: a prefix of [`MILESTONES`] ([`reachable_milestones`]).
    pub milestones: usize,
    /// The relapse columns: the config lists a cytoreductive therapy.
    pub relapse: bool,
    /// The metastasis columns: dissemination is on.
    pub metastasis: bool,
    /// The organs, in config order (empty without dissemination).
    pub organs: Vec<String>,
}

impl SummaryLayout {
    /// The layout of a run of `config`.
    pub fn of(config: &Config) -> SummaryLayout {
        let metastasis = config.dissemination.enabled;
        SummaryLayout {
            milestones: reachable_milestones(config),
            relapse: config.therapy.iter().any(|t| t.kind.is_cytoreductive()),
            metastasis,
            organs: if metastasis {
                config.organs.keys().cloned().collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The header of a summary with this layout.
    pub fn columns(&self) -> Vec<String> {
        let mut header = table::header_of::<SummaryRow>();
        header.extend(
            MILESTONES[..self.milestones.min(MILESTONES.len())]
                .iter()
                .map(|m| format!("step_reached_{m}")),
        );
        if self.relapse {
            header.extend(table::header_of::<RelapseSummary>());
        }
        header.extend(table::header_of::<TherapySummary>());
        if self.metastasis {
            header.extend(table::header_of::<MetastasisSummary>());
        }
        let organ_columns = table::header_of::<OrganSummary>();
        for name in &self.organs {
            header.extend(organ_columns.iter().map(|c| format!("{c}_{name}")));
        }
        header
    }

    /// The layout whose header is `header` (`None` if no layout writes it): how a
    /// reader of `summary.csv` (a sweep's record check, `organs.csv` of a merge) learns
    /// which groups and organs a summary holds.
    pub fn parse(header: &[String]) -> Option<SummaryLayout> {
        let fixed = table::header_of::<SummaryRow>().len();
        let mut at = fixed;
        let milestones = (0..MILESTONES.len())
            .take_while(|&k| {
                header.get(fixed + k) == Some(&format!("step_reached_{}", MILESTONES[k]))
            })
            .count();
        at += milestones;
        let first = |group: Vec<String>| group[0].clone();
        let relapse = header.get(at) == Some(&first(table::header_of::<RelapseSummary>()));
        if relapse {
            at += table::header_of::<RelapseSummary>().len();
        }
        at += table::header_of::<TherapySummary>().len();
        let metastasis = header.get(at) == Some(&first(table::header_of::<MetastasisSummary>()));
        if metastasis {
            at += table::header_of::<MetastasisSummary>().len();
        }
        let group = table::header_of::<OrganSummary>();
        let rest = header.get(at..)?;
        if !rest.len().is_multiple_of(group.len()) {
            return None;
        }
        let organs = rest
            .chunks(group.len())
            .map(|g| {
                g[0].strip_prefix(&format!("{}_", group[0]))
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let layout = SummaryLayout {
            milestones,
            relapse,
            metastasis,
            organs,
        };
        (layout.columns() == header).then_some(layout)
    }
}

/// Whether `column` is a column that some summaries hold and others do not (milestones,
/// relapse, metastasis and organ columns): a reader missing it in one run's summary
/// reads it as empty there.
pub fn is_optional_summary_column(column: &str) -> bool {
    let organ_group = table::header_of::<OrganSummary>();
    column.starts_with("step_reached_")
        || table::header_of::<RelapseSummary>()
            .iter()
            .any(|c| c == column)
        || table::header_of::<MetastasisSummary>()
            .iter()
            .any(|c| c == column)
        || organ_group.iter().any(|c| {
            column
                .strip_prefix(c.as_str())
                .is_some_and(|r| r.starts_with('_'))
        })
}

/// Day of a step (`None` if none).
fn day_of(step: Option<u64>, dt_h: f64) -> Option<f64> {
    step.map(|s| steps_to_days(s, dt_h))
}

/// The relapse endpoints and therapy totals of `sim`.
fn therapy_summary(sim: &Simulation) -> (RelapseSummary, TherapySummary) {
    let t = &sim.therapy;
    let relapse = RelapseSummary {
        therapy_reference_day: t.reference_day(),
        cells_at_therapy_start: t.reference.map(|(_, n)| n),
        relapse_day: day_of(t.relapse_step, sim.config().run.dt_h),
        time_to_relapse_days: t.time_to_relapse_days(),
    };
    let totals = TherapySummary {
        chemo_deaths: sim.primary.events().chemo_deaths,
        ctc_chemo_deaths: sim
            .metastasis
            .as_ref()
            .map_or(0, |m| m.cascade().ctc_chemo_deaths),
        radiation_kills: t.totals.radiation_kills.iter().sum(),
        resected: t.totals.resected.iter().sum(),
    };
    (relapse, totals)
}

/// The metastasis endpoints of `sim` and its organs' (none without dissemination).
fn metastasis_summary(sim: &Simulation) -> Option<(MetastasisSummary, Vec<(&str, OrganSummary)>)> {
    let m = sim.metastasis.as_ref()?;
    let dt = sim.config().run.dt_h;
    let c = m.cascade();
    let frac = |x: u64| (c.arrested > 0).then(|| x as f64 / c.arrested as f64);
    let summary = MetastasisSummary {
        ctc: Some(m.circulation().len() as u64),
        dormant: Some(m.organs.iter().map(|o| o.dormant).sum()),
        metastatic_cells: Some(m.organs.iter().map(|o| o.metastatic_cells()).sum()),
        living_colonies: Some(m.colonies().len() as u64),
        intravasated: Some(c.intravasated.iter().sum()),
        ctc_deaths: Some(c.ctc_deaths),
        arrested: Some(c.arrested),
        extravasated: Some(c.extravasated),
        dormant_entered: Some(c.dormant_entered),
        woke: Some(c.woke),
        csc_colonies: Some(c.csc_colonies),
        non_stem_colonies: Some(c.non_stem_colonies),
        micrometastases: Some(c.micrometastases),
        detected_metastases: Some(c.detected),
        extinct_colonies: Some(c.extinct),
        fraction_extravasated: frac(c.extravasated),
        fraction_micrometastasis: frac(c.micrometastases),
        fraction_detected: frac(c.detected),
        first_arrival_day: day_of(
            m.organs.iter().filter_map(|o| o.first_arrival_step).min(),
            dt,
        ),
        first_niche_day: day_of(
            m.organs.iter().filter_map(|o| o.niche_formed_step).min(),
            dt,
        ),
        first_detection_day: day_of(m.first_detection_step(), dt),
        any_metastasis_detected: Some(c.detected > 0),
        tdsf: Some(m.tdsf()),
        dormant_non_stem: Some(m.organs.iter().map(|o| o.dormant_non_stem).sum()),
        dormant_non_stem_entered: Some(c.dormant_non_stem_entered),
        dtc_deaths: Some(c.dtc_deaths),
        angiogenic_switches: Some(c.angiogenic_switches),
    };
    Some((summary, organ_summaries(m, dt)))
}

/// Each organ's endpoints, in config order.
fn organ_summaries(m: &Metastasis, dt: f64) -> Vec<(&str, OrganSummary)> {
    m.organs
        .iter()
        .map(|o| {
            let row = OrganSummary {
                metastatic_cells: o.metastatic_cells(),
                colonies: o.colonies_founded,
                detected: o.detected,
                dormant: o.dormant,
                hpcs: o.hpcs,
                niche_day: day_of(o.niche_formed_step, dt),
                first_arrival_day: day_of(o.first_arrival_step, dt),
            };
            (o.name.as_str(), row)
        })
        .collect()
}

/// `organs.csv` of `sim`: [`OrganName`] and [`OrganSummary`], one row per organ in
/// config order (only the header without dissemination). The same values as the
/// summary's per-organ columns.
pub fn organs(sim: &Simulation) -> String {
    let rows = sim
        .metastasis
        .as_ref()
        .map_or_else(Vec::new, |m| organ_summaries(m, sim.config().run.dt_h));
    table::text(
        rows.into_iter()
            .map(|(organ, summary)| (OrganName { organ }, summary)),
    )
}

/// `organs.csv` made from a run's `summary.csv` text: the header of [`OrganName`] and
/// [`OrganSummary`], then one row per organ of the summary's per-organ columns. How a
/// comparison or a sweep gathers the organs of records that hold only summaries.
///
/// Errors: the text is not a summary a run writes (its header, one row).
pub fn organs_from_summary(summary: &str) -> Result<String, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(summary.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let layout = SummaryLayout::parse(&header).ok_or("not the header of a run's summary.csv")?;
    let row = reader
        .records()
        .next()
        .ok_or("summary.csv has no row")?
        .map_err(|e| e.to_string())?;
    let group = table::header_of::<OrganSummary>();
    let start = header.len() - layout.organs.len() * group.len();
    let mut text = table::header_line::<(OrganName, OrganSummary)>();
    for (k, organ) in layout.organs.iter().enumerate() {
        let at = start + k * group.len();
        let mut cells = vec![organ.as_str()];
        cells.extend((at..at + group.len()).map(|i| row.get(i).unwrap_or("")));
        table::push_row(&mut text, &cells);
    }
    Ok(text)
}

/// `summary.csv` of `sim` stopped for `reason`, given the largest population seen and
/// the steps at which the milestone sizes were reached. Its columns are those of the
/// run's [`SummaryLayout`].
pub fn summary(
    sim: &Simulation,
    reason: &str,
    peak_total: u64,
    milestone_steps: [Option<u64>; MILESTONES.len()],
) -> String {
    let ([csc, progenitor, differentiated, total], csc_fraction) = classes(sim.primary.counts());
    let e = sim.primary.events();
    let [il6, cx] = field_stats(sim);
    let [pos, neg] = sim.mscs.counts();
    let m = sim.mscs.events();
    let row = SummaryRow {
        seed: sim.seed(),
        stop_reason: reason,
        steps: sim.step_count(),
        time_h: sim.time_h(),
        csc,
        progenitor,
        differentiated,
        total,
        csc_fraction,
        births: e.births,
        deaths: e.deaths,
        migrations: e.migrations,
        dedifferentiations: e.dedifferentiations,
        symmetric_divisions: e.symmetric_divisions,
        stemness_losses: e.stemness_losses,
        peak_total,
        il6_tumour_mean_ng_ml: il6.tumour_mean,
        il6_max_ng_ml: il6.max,
        cxcl7_tumour_mean_ng_ml: cx.tumour_mean,
        cxcl7_max_ng_ml: cx.max,
        il6_output_molecules_per_s: il6_output(sim),
        msc_aldh_pos: pos,
        msc_aldh_neg: neg,
        msc_pool: sim.mscs.pool().iter().sum(),
        msc_homed: m.homed,
        msc_injected: m.injected,
        msc_divisions: m.divisions,
        msc_deaths: m.deaths,
    };
    let mut layout = SummaryLayout::of(sim.config());
    let (relapse, totals) = therapy_summary(sim);
    let met = metastasis_summary(sim);
    // The organs as the simulation holds them (the config's, in its order).
    layout.metastasis = met.is_some();
    layout.organs = met.as_ref().map_or_else(Vec::new, |(_, organs)| {
        organs.iter().map(|(name, _)| name.to_string()).collect()
    });
    let mut cells = table::cells(&row);
    cells.extend(
        milestone_steps[..layout.milestones]
            .iter()
            .map(|s| s.map_or_else(String::new, |s| s.to_string())),
    );
    if layout.relapse {
        cells.extend(table::cells(&relapse));
    }
    cells.extend(table::cells(&totals));
    if let Some((met, organs)) = &met {
        cells.extend(table::cells(met));
        for (_, organ) in organs {
            cells.extend(table::cells(organ));
        }
    }
    let mut text = String::new();
    table::push_row(&mut text, &layout.columns());
    table::push_row(&mut text, &cells);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TherapyKind;

    #[test]
    fn every_column_of_the_summary_tables_is_documented() {
        use crate::output::column::mismatch;
        for problem in [
            mismatch::<SummaryRow>(),
            mismatch::<RelapseSummary>(),
            mismatch::<TherapySummary>(),
            mismatch::<MetastasisSummary>(),
            mismatch::<OrganSummary>(),
            mismatch::<OrganName>(),
        ] {
            assert_eq!(problem, None);
        }
    }

    #[test]
    fn the_full_layout_is_the_former_summary_header() {
        let full = SummaryLayout {
            milestones: MILESTONES.len(),
            relapse: true,
            metastasis: true,
            organs: vec!["bone".into(), "lung".into()],
        };
        let columns = full.columns().join(",");
        assert!(columns.contains(",msc_deaths,step_reached_1000,step_reached_10000,step_reached_100000,step_reached_1000000,step_reached_10000000,therapy_reference_day,cells_at_therapy_start,relapse_day,time_to_relapse_days,chemo_deaths,ctc_chemo_deaths,radiation_kills,resected,ctc,"), "{columns}");
        assert!(columns.ends_with(",angiogenic_switches,metastatic_cells_bone,colonies_bone,detected_bone,dormant_bone,hpcs_bone,niche_day_bone,first_arrival_day_bone,metastatic_cells_lung,colonies_lung,detected_lung,dormant_lung,hpcs_lung,niche_day_lung,first_arrival_day_lung"), "{columns}");
    }

    #[test]
    fn a_summary_header_gives_back_its_layout() {
        for milestones in 0..=MILESTONES.len() {
            for relapse in [false, true] {
                for organs in [
                    vec![],
                    vec!["lung".to_string()],
                    vec!["a".into(), "b_c".into()],
                ] {
                    let layout = SummaryLayout {
                        milestones,
                        relapse,
                        metastasis: !organs.is_empty(),
                        organs,
                    };
                    assert_eq!(
                        SummaryLayout::parse(&layout.columns()),
                        Some(layout.clone())
                    );
                }
            }
        }
        let mut bad = SummaryLayout::default().columns();
        bad[0] = "sed".into();
        assert_eq!(SummaryLayout::parse(&bad), None);
        let mut cut = SummaryLayout::of(&Config::default()).columns();
        cut.pop();
        assert_eq!(SummaryLayout::parse(&cut), None);
    }

    #[test]
    fn milestones_stop_at_the_largest_size_a_run_can_reach() {
        let mut c = Config::default();
        // 1998² sites inside the border ring: up to 10⁶.
        assert_eq!(c.space.max_size, 2000);
        assert_eq!(reachable_milestones(&c), 4);
        c.run.stop_at_cells = 500_000;
        assert_eq!(reachable_milestones(&c), 3);
        c.run.stop_at_cells = 1_000;
        assert_eq!(reachable_milestones(&c), 1);
        c.run.stop_at_cells = 999;
        assert_eq!(reachable_milestones(&c), 0);
        c.run.stop_at_cells = 0;
        c.space.dims = 3;
        c.space.max_size = 64;
        assert_eq!(reachable_milestones(&c), 3);
        c.space.max_size = 65_536;
        assert_eq!(reachable_milestones(&c), MILESTONES.len());
    }

    #[test]
    fn summary_groups_follow_the_configured_model() {
        let mut c = Config::default();
        let layout = SummaryLayout::of(&c);
        assert!(layout.metastasis && !layout.relapse);
        assert_eq!(layout.organs, ["bone", "brain", "liver", "lung"]);
        c.dissemination.enabled = false;
        c.therapy
            .push(crate::config::TherapyConfig::new(TherapyKind::AntiIl6, 1.0));
        let layout = SummaryLayout::of(&c);
        assert!(!layout.metastasis && !layout.relapse && layout.organs.is_empty());
        c.therapy
            .push(crate::config::TherapyConfig::new(TherapyKind::Surgery, 1.0));
        assert!(SummaryLayout::of(&c).relapse);
    }

    #[test]
    fn optional_summary_columns_are_the_conditional_groups() {
        for c in [
            "step_reached_1000",
            "time_to_relapse_days",
            "ctc",
            "first_detection_day",
            "niche_day_lung",
            "metastatic_cells_bone",
        ] {
            assert!(is_optional_summary_column(c), "{c}");
        }
        for c in ["total", "seed", "chemo_deaths", "nope", "niche_day"] {
            assert!(!is_optional_summary_column(c), "{c}");
        }
    }
}
