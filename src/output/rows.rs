//! The rows of a run's tables as serde structs: `timeseries.csv` ([`TimeseriesRow`] and
//! [`TherapyOn`]), `events.csv` ([`EventRow`]) and `summary.csv` ([`SummaryRow`],
//! [`TherapySummary`], [`MetastasisSummary`], then one [`OrganSummary`] per organ), built
//! from the simulation. Field names are the column names; empty cells are `None`; floats
//! are written as [`format`](crate::output::format) writes them.

use crate::config::TherapyKind;
use crate::engine::FieldStats;
use crate::metastasis::{Compartment, Metastasis};
use crate::output::format::{shortest, shortest_or_empty};
use crate::output::table;
use crate::sim::Simulation;
use crate::units::steps_to_days;
use serde::Serialize;

/// One row of `timeseries.csv` before the therapy columns: a compartment (`primary`,
/// `circulation` or an organ) at a sampled step. Columns a compartment does not have
/// are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeseriesRow<'a> {
    /// Step.
    pub step: u64,
    /// Simulated time, h.
    #[serde(serialize_with = "shortest")]
    pub time_h: f64,
    /// `primary`, `circulation` or the organ's name.
    pub compartment: &'a str,
    /// CSCs.
    pub csc: u64,
    /// Progenitors (ρ ≥ 1).
    pub progenitor: u64,
    /// Differentiated cells (ρ = 0).
    pub differentiated: u64,
    /// All cells.
    pub total: u64,
    /// CSCs / total (0 when empty).
    #[serde(serialize_with = "shortest")]
    pub csc_fraction: f64,
    /// Divisions so far.
    pub births: Option<u64>,
    /// Deaths so far.
    pub deaths: Option<u64>,
    /// Moves so far.
    pub migrations: Option<u64>,
    /// Dedifferentiations so far.
    pub dedifferentiations: Option<u64>,
    /// Sites of the lattice window.
    pub lattice_sites: Option<u64>,
    /// Mean IL6 over field cells holding cancer cells, ng/mL.
    #[serde(serialize_with = "shortest_or_empty")]
    pub il6_tumour_mean_ng_ml: Option<f64>,
    /// Maximum IL6, ng/mL.
    #[serde(serialize_with = "shortest_or_empty")]
    pub il6_max_ng_ml: Option<f64>,
    /// Mean CXCL7 over field cells holding cancer cells, ng/mL.
    #[serde(serialize_with = "shortest_or_empty")]
    pub cxcl7_tumour_mean_ng_ml: Option<f64>,
    /// Maximum CXCL7, ng/mL.
    #[serde(serialize_with = "shortest_or_empty")]
    pub cxcl7_max_ng_ml: Option<f64>,
    /// The simulated tumour's IL6 output, molecules/s.
    #[serde(serialize_with = "shortest_or_empty")]
    pub il6_output_molecules_per_s: Option<f64>,
    /// ALDH+ MSCs in the tumour.
    pub msc_aldh_pos: Option<u64>,
    /// ALDH− MSCs in the tumour.
    pub msc_aldh_neg: Option<u64>,
    /// MSCs left in the bone-marrow pool.
    pub msc_pool: Option<u64>,
    /// MSCs homed so far.
    pub msc_homed: Option<u64>,
    /// Dormant cells.
    pub dormant: Option<u64>,
    /// Living colonies.
    pub colonies: Option<u64>,
    /// Micrometastases.
    pub micrometastases: Option<u64>,
    /// Detected colonies.
    pub detected_colonies: Option<u64>,
    /// Cells that entered the compartment so far (circulation: intravasated; organ:
    /// arrested).
    pub entered: Option<u64>,
    /// Cells extravasated so far.
    pub extravasated: Option<u64>,
    /// HPCs recruited.
    pub hpcs: Option<u64>,
    /// Pre-metastatic niche level.
    #[serde(serialize_with = "shortest_or_empty")]
    pub niche_level: Option<f64>,
    /// Tumour-derived secreted factor level (primary, with dissemination).
    #[serde(serialize_with = "shortest_or_empty")]
    pub tdsf: Option<f64>,
}

/// The therapy columns of `timeseries.csv`: 1 if a therapy of the kind is on in the step
/// (the same on every compartment's row), one column per [`TherapyKind`] in
/// [`TherapyKind::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TherapyOn {
    /// Chemotherapy.
    pub chemo_on: u8,
    /// Radiation.
    pub radiation_on: u8,
    /// Surgery.
    pub surgery_on: u8,
    /// Anti-IL6.
    pub anti_il6_on: u8,
    /// CXCR2 inhibitor.
    pub cxcr2_inhibitor_on: u8,
    /// Anti-VEGFR1.
    pub anti_vegfr1_on: u8,
    /// Differentiation therapy.
    pub differentiation_on: u8,
}

impl TherapyOn {
    /// The therapies on in step `step` of `sim`.
    pub fn at(sim: &Simulation, step: u64) -> TherapyOn {
        let on = |kind| u8::from(sim.therapy.kind_on(kind, step));
        TherapyOn {
            chemo_on: on(TherapyKind::Chemo),
            radiation_on: on(TherapyKind::Radiation),
            surgery_on: on(TherapyKind::Surgery),
            anti_il6_on: on(TherapyKind::AntiIl6),
            cxcr2_inhibitor_on: on(TherapyKind::Cxcr2Inhibitor),
            anti_vegfr1_on: on(TherapyKind::AntiVegfr1),
            differentiation_on: on(TherapyKind::Differentiation),
        }
    }
}

/// The header line of `timeseries.csv`.
pub fn timeseries_header() -> String {
    table::header_line::<(TimeseriesRow, TherapyOn)>()
}

/// `(csc, progenitor, differentiated, total, csc_fraction)` of class counts.
fn classes(c: [u64; 3]) -> ([u64; 4], f64) {
    let total: u64 = c.iter().sum();
    let frac = if total > 0 {
        c[0] as f64 / total as f64
    } else {
        0.0
    };
    ([c[0], c[1], c[2], total], frac)
}

/// IL6 and CXCL7 statistics (zeros without fields).
fn field_stats(sim: &Simulation) -> [FieldStats; 2] {
    sim.cytokines
        .as_ref()
        .map_or([FieldStats::default(); 2], |c| [c.stats(0), c.stats(1)])
}

/// The simulated tumour's IL6 output: cancer-cell agents and MSCs on the lattice (it
/// drives homing; the cancer cells' part × `run.cells_per_agent`, see
/// [`Cytokines::systemic_il6_output`](crate::engine::Cytokines::systemic_il6_output)).
fn il6_output(sim: &Simulation) -> f64 {
    sim.cytokines.as_ref().map_or(0.0, |c| c.il6_output())
}

/// Appends the rows of step `sim.step_count()` to `table`: the primary tumour, then with
/// dissemination the circulation and each organ.
pub fn push_timeseries(table: &mut String, sim: &Simulation) {
    let step = sim.step_count();
    let time_h = sim.time_h();
    let therapy = TherapyOn::at(sim, step);
    let ([csc, progenitor, differentiated, total], csc_fraction) = classes(sim.primary.counts());
    let e = sim.primary.events();
    let [il6, cx] = field_stats(sim);
    let [pos, neg] = sim.mscs.counts();
    let primary = TimeseriesRow {
        step,
        time_h,
        compartment: "primary",
        csc,
        progenitor,
        differentiated,
        total,
        csc_fraction,
        births: Some(e.births),
        deaths: Some(e.deaths),
        migrations: Some(e.migrations),
        dedifferentiations: Some(e.dedifferentiations),
        lattice_sites: Some(sim.primary.lattice.len() as u64),
        il6_tumour_mean_ng_ml: Some(il6.tumour_mean),
        il6_max_ng_ml: Some(il6.max),
        cxcl7_tumour_mean_ng_ml: Some(cx.tumour_mean),
        cxcl7_max_ng_ml: Some(cx.max),
        il6_output_molecules_per_s: Some(il6_output(sim)),
        msc_aldh_pos: Some(pos),
        msc_aldh_neg: Some(neg),
        msc_pool: Some(sim.mscs.pool().iter().sum()),
        msc_homed: Some(sim.mscs.events().homed),
        tdsf: sim.metastasis.as_ref().map(|m| m.tdsf()),
        ..TimeseriesRow::default()
    };
    table::push_row(table, &(primary, therapy));
    let Some(m) = &sim.metastasis else { return };
    let ([csc, progenitor, differentiated, total], csc_fraction) = classes(m.ctc_counts());
    let circulation = TimeseriesRow {
        step,
        time_h,
        compartment: "circulation",
        csc,
        progenitor,
        differentiated,
        total,
        csc_fraction,
        entered: Some(m.cascade().intravasated.iter().sum()),
        ..TimeseriesRow::default()
    };
    table::push_row(table, &(circulation, therapy));
    for (i, o) in m.organs.iter().enumerate() {
        let e = m.organ_events(i);
        let ([csc, progenitor, differentiated, total], csc_fraction) = classes(o.cells);
        let organ = TimeseriesRow {
            step,
            time_h,
            compartment: &o.name,
            csc,
            progenitor,
            differentiated,
            total,
            csc_fraction,
            births: Some(e.births),
            deaths: Some(e.deaths),
            migrations: Some(e.migrations),
            dedifferentiations: Some(e.dedifferentiations),
            lattice_sites: Some(o.sites),
            dormant: Some(o.dormant),
            colonies: Some(o.living_colonies),
            micrometastases: Some(o.micrometastases),
            detected_colonies: Some(o.detected),
            entered: Some(o.arrested),
            extravasated: Some(o.extravasated),
            hpcs: Some(o.hpcs),
            niche_level: Some(m.niche_level(i)),
            ..TimeseriesRow::default()
        };
        table::push_row(table, &(organ, therapy));
    }
}

/// One row of `events.csv`: a discrete event.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventRow<'a> {
    /// Step in which it happened.
    pub step: u64,
    /// Time of that step, h.
    #[serde(serialize_with = "shortest")]
    pub time_h: f64,
    /// Event name.
    pub event: &'a str,
    /// `primary`, `circulation`, `bone_marrow` or an organ's name.
    pub compartment: &'a str,
    /// Cell class involved (`csc`, `progenitor`, `differentiated`, `msc`), if any.
    pub cell_kind: &'a str,
    /// Colony involved, if any.
    pub colony_id: Option<u64>,
    /// The event's value (a count, a size, a snapshot stem, a stop reason).
    pub value: &'a str,
}

/// The header line of `events.csv`.
pub fn events_header() -> String {
    table::header_line::<EventRow>()
}

/// Counting class names, as in the column names.
pub const CLASS_NAMES: [&str; 3] = ["csc", "progenitor", "differentiated"];

/// Name of a compartment in the tables.
pub fn compartment_name(met: &Metastasis, c: Compartment) -> &str {
    match c {
        Compartment::Primary => "primary",
        Compartment::Circulation => "circulation",
        Compartment::Organ(o) => &met.organs[o].name,
    }
}

/// Population sizes whose first crossing is recorded as a `size_reached` event and in
/// the summary (`step_reached_<size>`).
pub const MILESTONES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The start of `summary.csv`: the run, the primary tumour, fields, MSCs and the steps
/// at which the sizes of [`MILESTONES`] were first
/// reached (empty if never).
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
    /// Step at which 1 000 cells were first reached.
    pub step_reached_1000: Option<u64>,
    /// Step at which 10 000 cells were first reached.
    pub step_reached_10000: Option<u64>,
    /// Step at which 100 000 cells were first reached.
    pub step_reached_100000: Option<u64>,
    /// Step at which 1 000 000 cells were first reached.
    pub step_reached_1000000: Option<u64>,
    /// Step at which 10 000 000 cells were first reached.
    pub step_reached_10000000: Option<u64>,
}

/// The therapy endpoints of `summary.csv` (empty days when not reached).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TherapySummary {
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
    /// Cells killed by chemotherapy in the primary tumour.
    pub chemo_deaths: u64,
    /// CTCs killed by chemotherapy.
    pub ctc_chemo_deaths: u64,
    /// Cells killed by radiation.
    pub radiation_kills: u64,
    /// Cells resected.
    pub resected: u64,
}

/// The metastasis endpoints of `summary.csv`, all empty without dissemination.
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

/// One organ's endpoints in `summary.csv`: its columns are these field names with
/// `_<organ>` appended, one group per organ in config order. Organs are configured, so
/// `summary.csv`'s header is a record built from these names rather than a fixed struct.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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

/// Day of a step (`None` if none).
fn day_of(step: Option<u64>, dt_h: f64) -> Option<f64> {
    step.map(|s| steps_to_days(s, dt_h))
}

/// The therapy endpoints of `sim`.
fn therapy_summary(sim: &Simulation) -> TherapySummary {
    let t = &sim.therapy;
    TherapySummary {
        therapy_reference_day: t.reference_day(),
        cells_at_therapy_start: t.reference.map(|(_, n)| n),
        relapse_day: day_of(t.relapse_step, sim.config().run.dt_h),
        time_to_relapse_days: t.time_to_relapse_days(),
        chemo_deaths: sim.primary.events().chemo_deaths,
        ctc_chemo_deaths: sim
            .metastasis
            .as_ref()
            .map_or(0, |m| m.cascade().ctc_chemo_deaths),
        radiation_kills: t.totals.radiation_kills.iter().sum(),
        resected: t.totals.resected.iter().sum(),
    }
}

/// The metastasis endpoints of `sim` and its organs' (none without dissemination).
fn metastasis_summary(sim: &Simulation) -> (MetastasisSummary, Vec<(&str, OrganSummary)>) {
    let Some(m) = &sim.metastasis else {
        return (MetastasisSummary::default(), Vec::new());
    };
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
    let organs = m
        .organs
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
        .collect();
    (summary, organs)
}

/// The columns of `summary.csv` for a run with these organs (config order): the fixed
/// columns ([`SummaryRow`], [`TherapySummary`], [`MetastasisSummary`]), then each organ's
/// ([`OrganSummary`] with `_<organ>` appended).
pub fn summary_columns(organs: &[&str]) -> Vec<String> {
    let mut header = table::header_of::<(SummaryRow, TherapySummary, MetastasisSummary)>();
    let organ_columns = table::header_of::<OrganSummary>();
    for name in organs {
        header.extend(organ_columns.iter().map(|c| format!("{c}_{name}")));
    }
    header
}

/// `summary.csv` of `sim` stopped for `reason`, given the largest population seen and
/// the steps at which the milestone sizes were reached. Its header is the fixed columns
/// ([`SummaryRow`], [`TherapySummary`], [`MetastasisSummary`]) then each organ's
/// ([`OrganSummary`]).
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
    let [r1, r2, r3, r4, r5] = milestone_steps;
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
        step_reached_1000: r1,
        step_reached_10000: r2,
        step_reached_100000: r3,
        step_reached_1000000: r4,
        step_reached_10000000: r5,
    };
    let (met, organs) = metastasis_summary(sim);
    let fixed = (row, therapy_summary(sim), met);
    let names: Vec<&str> = organs.iter().map(|(name, _)| *name).collect();
    let header = summary_columns(&names);
    let organ_rows: Vec<&OrganSummary> = organs.iter().map(|(_, o)| o).collect();
    let mut text = String::new();
    table::push_row(&mut text, &header);
    table::push_row(&mut text, &(&fixed, &organ_rows));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn therapy_columns_follow_the_therapy_kinds() {
        let want: Vec<String> = TherapyKind::ALL
            .iter()
            .map(|k| format!("{}_on", k.as_str()))
            .collect();
        assert_eq!(table::header_of::<TherapyOn>(), want);
    }

    #[test]
    fn milestone_columns_follow_the_milestones() {
        let columns = table::header_of::<SummaryRow>();
        let want: Vec<String> = MILESTONES
            .iter()
            .map(|m| format!("step_reached_{m}"))
            .collect();
        assert_eq!(columns[columns.len() - MILESTONES.len()..], want[..]);
    }

    #[test]
    fn headers_are_the_documented_columns() {
        assert_eq!(
            timeseries_header(),
            "step,time_h,compartment,csc,progenitor,differentiated,total,csc_fraction,births,deaths,migrations,dedifferentiations,lattice_sites,il6_tumour_mean_ng_ml,il6_max_ng_ml,cxcl7_tumour_mean_ng_ml,cxcl7_max_ng_ml,il6_output_molecules_per_s,msc_aldh_pos,msc_aldh_neg,msc_pool,msc_homed,dormant,colonies,micrometastases,detected_colonies,entered,extravasated,hpcs,niche_level,tdsf,chemo_on,radiation_on,surgery_on,anti_il6_on,cxcr2_inhibitor_on,anti_vegfr1_on,differentiation_on\n"
        );
        assert_eq!(
            events_header(),
            "step,time_h,event,compartment,cell_kind,colony_id,value\n"
        );
    }

    #[test]
    fn rows_without_a_compartment_s_columns_leave_them_empty() {
        let mut text = String::new();
        let row = TimeseriesRow {
            step: 24,
            time_h: 24.0,
            compartment: "circulation",
            csc: 1,
            total: 4,
            csc_fraction: 0.25,
            entered: Some(9),
            ..TimeseriesRow::default()
        };
        table::push_row(&mut text, &(row, TherapyOn::default()));
        assert_eq!(
            text,
            "24,24,circulation,1,0,0,4,0.25,,,,,,,,,,,,,,,,,,,9,,,,,0,0,0,0,0,0,0\n"
        );
    }
}
