//! The rows of a run's tables as serde structs: `timeseries.csv` ([`TimeseriesRow`] and
//! [`TherapyOn`]) and `events.csv` ([`EventRow`]), built from the simulation; the
//! endpoints of `summary.csv` and `organs.csv` are in [`summary`](super::summary). Field
//! names are the column names; empty cells are `None`; floats are written as
//! [`format`](crate::output::format) writes them. Each row type documents its columns
//! ([`Documented`]).

use crate::config::TherapyKind;
use crate::engine::FieldStats;
use crate::metastasis::{Compartment, Metastasis};
use crate::output::column::{Column, Documented, col};
use crate::output::format::{shortest, shortest_or_empty};
use crate::output::table;
use crate::sim::Simulation;
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

impl Documented for TimeseriesRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col(
            "step",
            "step",
            "the sampled step (every `output.timeseries_every_h` hours, and the last)",
        ),
        col("time_h", "h", "simulated time of the step"),
        col(
            "compartment",
            "text",
            "`primary`, `circulation` or an organ's name",
        ),
        col(
            "csc",
            "cells",
            "cancer stem cells (primary: on the lattice; circulation: CTCs; organ: in its colonies)",
        ),
        col("progenitor", "cells", "progenitors (ρ ≥ 1 divisions left)"),
        col("differentiated", "cells", "differentiated cells (ρ = 0)"),
        col("total", "cells", "all cancer cells of the compartment"),
        col("csc_fraction", "fraction", "csc / total (0 when empty)"),
        col(
            "births",
            "divisions",
            "divisions so far (primary; organ: in its colonies)",
        ),
        col(
            "deaths",
            "cells",
            "deaths so far (primary; organ: in its colonies)",
        ),
        col(
            "migrations",
            "moves",
            "cell moves so far (primary; organ: in its colonies)",
        ),
        col(
            "dedifferentiations",
            "cells",
            "dedifferentiations to CSCs so far (primary; organ: in its colonies)",
        ),
        col(
            "lattice_sites",
            "sites",
            "sites of the lattice window (organ: of its living colonies' windows)",
        ),
        col(
            "il6_tumour_mean_ng_ml",
            "ng/mL",
            "mean IL6 over the field cells holding cancer cells (primary)",
        ),
        col("il6_max_ng_ml", "ng/mL", "maximum IL6 (primary)"),
        col(
            "cxcl7_tumour_mean_ng_ml",
            "ng/mL",
            "mean CXCL7 over the field cells holding cancer cells (primary)",
        ),
        col("cxcl7_max_ng_ml", "ng/mL", "maximum CXCL7 (primary)"),
        col(
            "il6_output_molecules_per_s",
            "molecules/s",
            "the simulated tumour's IL6 output, which drives MSC homing (primary)",
        ),
        col("msc_aldh_pos", "MSCs", "ALDH+ MSCs in the tumour (primary)"),
        col("msc_aldh_neg", "MSCs", "ALDH− MSCs in the tumour (primary)"),
        col(
            "msc_pool",
            "MSCs",
            "MSCs left in the bone-marrow pool (primary)",
        ),
        col(
            "msc_homed",
            "MSCs",
            "MSCs homed to the tumour so far (primary)",
        ),
        col("dormant", "cells", "dormant disseminated cells (organ)"),
        col("colonies", "colonies", "living colonies (organ)"),
        col(
            "micrometastases",
            "colonies",
            "colonies that reached `dissemination.micrometastasis_cells` so far (organ)",
        ),
        col(
            "detected_colonies",
            "colonies",
            "colonies detected so far (organ)",
        ),
        col(
            "entered",
            "cells",
            "cells that entered so far (circulation: shed from the primary; organ: CTCs arrested)",
        ),
        col("extravasated", "cells", "cells extravasated so far (organ)"),
        col(
            "hpcs",
            "HPCs",
            "haematopoietic progenitor cells recruited to the niche (organ)",
        ),
        col(
            "niche_level",
            "fraction",
            "pre-metastatic niche level, 0–1; formed at 0.5 (organ)",
        ),
        col(
            "tdsf",
            "fraction",
            "tumour-derived secreted factor level T, 0–1 (primary, with dissemination)",
        ),
    ];
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

impl Documented for TherapyOn {
    const COLUMNS: &'static [Column] = &[
        col(
            "chemo_on",
            "0/1",
            "1 while a chemotherapy is on in the step (every compartment's row)",
        ),
        col(
            "radiation_on",
            "0/1",
            "1 while a radiation schedule is on in the step",
        ),
        col("surgery_on", "0/1", "1 while a surgery is on in the step"),
        col("anti_il6_on", "0/1", "1 while an anti-IL6 therapy is on"),
        col(
            "cxcr2_inhibitor_on",
            "0/1",
            "1 while a CXCR2 inhibitor is on",
        ),
        col(
            "anti_vegfr1_on",
            "0/1",
            "1 while an anti-VEGFR1 therapy is on",
        ),
        col(
            "differentiation_on",
            "0/1",
            "1 while a differentiation therapy is on",
        ),
    ];
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
pub(crate) fn classes(c: [u64; 3]) -> ([u64; 4], f64) {
    let total: u64 = c.iter().sum();
    let frac = if total > 0 {
        c[0] as f64 / total as f64
    } else {
        0.0
    };
    ([c[0], c[1], c[2], total], frac)
}

/// IL6 and CXCL7 statistics (zeros without fields).
pub(crate) fn field_stats(sim: &Simulation) -> [FieldStats; 2] {
    sim.cytokines
        .as_ref()
        .map_or([FieldStats::default(); 2], |c| [c.stats(0), c.stats(1)])
}

/// The simulated tumour's IL6 output: cancer-cell agents and MSCs on the lattice (it
/// drives homing; the cancer cells' part × `run.cells_per_agent`, see
/// [`Cytokines::systemic_il6_output`](crate::engine::Cytokines::systemic_il6_output)).
pub(crate) fn il6_output(sim: &Simulation) -> f64 {
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
    /// The value's unit ([`unit_of`](crate::output::events::unit_of) the event).
    pub unit: &'a str,
}

impl Documented for EventRow<'_> {
    const COLUMNS: &'static [Column] = &[
        col("step", "step", "the step in which the event happened"),
        col("time_h", "h", "time of that step"),
        col("event", "text", "the event's name (the event kinds below)"),
        col(
            "compartment",
            "text",
            "where: `primary`, `circulation`, `bone_marrow`, `systemic` or an organ's name",
        ),
        col(
            "cell_kind",
            "text",
            "the cell class involved (`csc`, `progenitor`, `differentiated`, `msc`), if any",
        ),
        col("colony_id", "id", "the colony involved, if any"),
        col(
            "value",
            "see unit",
            "the event's value, in `unit` (the event kinds below)",
        ),
        col("unit", "text", "the value's unit, fixed per event kind"),
    ];
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
    fn every_column_of_the_run_tables_is_documented() {
        use crate::output::column::mismatch;
        for problem in [
            mismatch::<TimeseriesRow>(),
            mismatch::<TherapyOn>(),
            mismatch::<EventRow>(),
        ] {
            assert_eq!(problem, None);
        }
    }

    /// The layout with every group holds the columns every summary held before the
    /// groups became conditional, in the same order.
    #[test]
    fn headers_are_the_documented_columns() {
        assert_eq!(
            timeseries_header(),
            "step,time_h,compartment,csc,progenitor,differentiated,total,csc_fraction,births,deaths,migrations,dedifferentiations,lattice_sites,il6_tumour_mean_ng_ml,il6_max_ng_ml,cxcl7_tumour_mean_ng_ml,cxcl7_max_ng_ml,il6_output_molecules_per_s,msc_aldh_pos,msc_aldh_neg,msc_pool,msc_homed,dormant,colonies,micrometastases,detected_colonies,entered,extravasated,hpcs,niche_level,tdsf,chemo_on,radiation_on,surgery_on,anti_il6_on,cxcr2_inhibitor_on,anti_vegfr1_on,differentiation_on\n"
        );
        assert_eq!(
            events_header(),
            "step,time_h,event,compartment,cell_kind,colony_id,value,unit\n"
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
