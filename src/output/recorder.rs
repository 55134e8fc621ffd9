//! The recorder: an [`Observer`] that samples the simulation into the run's tables and
//! writes snapshots at their configured days.

use crate::config::TherapyKind;
use crate::engine::FieldStats;
use crate::error::RunError;
use crate::metastasis::{Compartment, Metastasis};
use crate::model::units::{hours_to_days, step_of_day, steps_to_days};
use crate::output::files::RunDir;
use crate::output::snapshot;
use crate::persist::{CodecError, Reader, Writer};
use crate::sim::{Observer, Simulation, StopReason};
use std::fmt::Write as _;

/// Population sizes whose first crossing is recorded as a `size_reached` event and in
/// the summary.
pub const MILESTONES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Header of `timeseries.csv`.
pub const TIMESERIES_HEADER: &str = "step,time_h,compartment,csc,progenitor,differentiated,total,csc_fraction,births,deaths,migrations,dedifferentiations,lattice_sites,il6_tumour_mean_ng_ml,il6_max_ng_ml,cxcl7_tumour_mean_ng_ml,cxcl7_max_ng_ml,il6_output_molecules_per_s,msc_aldh_pos,msc_aldh_neg,msc_pool,msc_homed,dormant,colonies,micrometastases,detected_colonies,entered,extravasated,hpcs,niche_level,tdsf,chemo_on,radiation_on,surgery_on,anti_il6_on,cxcr2_inhibitor_on,anti_vegfr1_on,differentiation_on\n";
/// Header of `events.csv`.
pub const EVENTS_HEADER: &str = "step,time_h,event,compartment,cell_kind,colony_id,value\n";

/// Collects a run's outputs while it runs.
#[derive(Debug)]
pub struct Recorder {
    every: u64,
    snapshot_steps: Vec<u64>,
    snapshot_csv: bool,
    snapshot_png: bool,
    dir: Option<RunDir>,
    timeseries: String,
    events: String,
    last_sampled: Option<u64>,
    growths_seen: u64,
    met_events_seen: usize,
    therapy_events_seen: usize,
    injected_seen: u64,
    first_homed_recorded: bool,
    milestone_steps: [Option<u64>; MILESTONES.len()],
    peak_total: u64,
    error: Option<RunError>,
    /// Paths of the snapshot files written.
    pub snapshot_files: Vec<std::path::PathBuf>,
}

fn fmt_f(x: f64) -> String {
    // Shortest representation that round-trips: stable and exact.
    format!("{x}")
}

/// `csc,progenitor,differentiated,total,csc_fraction,births,deaths,migrations` of the
/// primary tumour now: the columns shared by the timeseries and the summary.
fn population_columns(sim: &Simulation) -> String {
    let [csc, prog, diff] = sim.primary.counts();
    let total = csc + prog + diff;
    let frac = if total > 0 {
        csc as f64 / total as f64
    } else {
        0.0
    };
    let e = sim.primary.events();
    format!(
        "{csc},{prog},{diff},{total},{},{},{},{}",
        fmt_f(frac),
        e.births,
        e.deaths,
        e.migrations
    )
}

/// `il6_tumour_mean_ng_ml,il6_max_ng_ml,cxcl7_tumour_mean_ng_ml,cxcl7_max_ng_ml` (means
/// over field cells holding cancer cells; zeros without fields).
fn field_columns(sim: &Simulation) -> String {
    let [il6, cx] = sim
        .cytokines
        .as_ref()
        .map_or([FieldStats::default(); 2], |c| [c.stats(0), c.stats(1)]);
    format!(
        "{},{},{},{}",
        fmt_f(il6.tumour_mean),
        fmt_f(il6.max),
        fmt_f(cx.tumour_mean),
        fmt_f(cx.max)
    )
}

/// `il6_output_molecules_per_s,msc_aldh_pos,msc_aldh_neg,msc_pool,msc_homed`: the
/// simulated tumour's IL6 output (cancer-cell agents and MSCs on the lattice; it drives
/// homing, the cancer cells' part × `run.cells_per_agent`, see
/// [`Cytokines::systemic_il6_output`](crate::engine::Cytokines::systemic_il6_output)), MSCs in
/// the tumour by ALDH class, MSCs left in the bone-marrow pool, and MSCs homed so far.
fn msc_columns(sim: &Simulation) -> String {
    let [pos, neg] = sim.mscs.counts();
    let pool: u64 = sim.mscs.pool().iter().sum();
    let out = sim.cytokines.as_ref().map_or(0.0, |c| c.il6_output());
    format!(
        "{},{pos},{neg},{pool},{}",
        fmt_f(out),
        sim.mscs.events().homed
    )
}

/// Counting class names, as in the column names.
const CLASS_NAMES: [&str; 3] = ["csc", "progenitor", "differentiated"];

/// `csc,progenitor,differentiated,total,csc_fraction` of a compartment's counts.
fn class_columns(c: [u64; 3]) -> String {
    let total: u64 = c.iter().sum();
    let frac = if total > 0 {
        c[0] as f64 / total as f64
    } else {
        0.0
    };
    format!("{},{},{},{total},{}", c[0], c[1], c[2], fmt_f(frac))
}

/// Name of a compartment in the tables.
fn compartment_name(met: &Metastasis, c: Compartment) -> &str {
    match c {
        Compartment::Primary => "primary",
        Compartment::Circulation => "circulation",
        Compartment::Organ(o) => &met.organs[o].name,
    }
}

/// Day of a step, as text (empty if none).
fn day_of(step: Option<u64>, dt_h: f64) -> String {
    step.map(|s| fmt_f(steps_to_days(s, dt_h)))
        .unwrap_or_default()
}

/// Header of the therapy endpoints in `summary.csv`.
const THERAPY_SUMMARY_HEADER: &str = ",therapy_reference_day,cells_at_therapy_start,relapse_day,time_to_relapse_days,chemo_deaths,ctc_chemo_deaths,radiation_kills,resected";

/// The therapy endpoints of `summary.csv` (empty days when not reached).
fn therapy_summary(sim: &Simulation) -> String {
    let t = &sim.therapy;
    let dt = sim.config().run.dt_h;
    format!(
        ",{},{},{},{},{},{},{},{}",
        t.reference_day().map(fmt_f).unwrap_or_default(),
        t.reference.map(|(_, n)| n.to_string()).unwrap_or_default(),
        day_of(t.relapse_step, dt),
        t.time_to_relapse_days().map(fmt_f).unwrap_or_default(),
        sim.primary.events().chemo_deaths,
        sim.metastasis
            .as_ref()
            .map_or(0, |m| m.cascade().ctc_chemo_deaths),
        t.totals.radiation_kills.iter().sum::<u64>(),
        t.totals.resected.iter().sum::<u64>(),
    )
}

/// Header of the metastasis endpoints in `summary.csv` (organ columns follow).
const MET_SUMMARY_HEADER: &str = ",ctc,dormant,metastatic_cells,living_colonies,intravasated,ctc_deaths,arrested,extravasated,dormant_entered,woke,csc_colonies,non_stem_colonies,micrometastases,detected_metastases,extinct_colonies,fraction_extravasated,fraction_micrometastasis,fraction_detected,first_arrival_day,first_niche_day,first_detection_day,any_metastasis_detected,tdsf,dormant_non_stem,dormant_non_stem_entered,dtc_deaths,angiogenic_switches";

/// The metastasis endpoints of `summary.csv`: header and row, with per-organ columns
/// (`metastatic_cells_<organ>` ...). Without dissemination the shared columns are empty.
fn metastasis_summary(sim: &Simulation) -> (String, String) {
    let mut header = MET_SUMMARY_HEADER.to_string();
    let Some(m) = &sim.metastasis else {
        let n = MET_SUMMARY_HEADER.matches(',').count();
        return (header, ",".repeat(n));
    };
    let dt = sim.config().run.dt_h;
    let c = m.cascade();
    let frac = |x: u64| {
        if c.arrested > 0 {
            fmt_f(x as f64 / c.arrested as f64)
        } else {
            String::new()
        }
    };
    let dormant: u64 = m.organs.iter().map(|o| o.dormant).sum();
    let met_cells: u64 = m.organs.iter().map(|o| o.metastatic_cells()).sum();
    let first_arrival = m.organs.iter().filter_map(|o| o.first_arrival_step).min();
    let first_niche = m.organs.iter().filter_map(|o| o.niche_formed_step).min();
    let mut row = format!(
        ",{},{dormant},{met_cells},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        m.circulation().len(),
        m.colonies().len(),
        c.intravasated.iter().sum::<u64>(),
        c.ctc_deaths,
        c.arrested,
        c.extravasated,
        c.dormant_entered,
        c.woke,
        c.csc_colonies,
        c.non_stem_colonies,
        c.micrometastases,
        c.detected,
        c.extinct,
        frac(c.extravasated),
        frac(c.micrometastases),
        frac(c.detected),
        day_of(first_arrival, dt),
        day_of(first_niche, dt),
        day_of(m.first_detection_step(), dt),
        c.detected > 0,
        fmt_f(m.tdsf()),
        m.organs.iter().map(|o| o.dormant_non_stem).sum::<u64>(),
        c.dormant_non_stem_entered,
        c.dtc_deaths,
        c.angiogenic_switches,
    );
    for o in &m.organs {
        let n = &o.name;
        let _ = write!(
            header,
            ",metastatic_cells_{n},colonies_{n},detected_{n},dormant_{n},hpcs_{n},niche_day_{n},first_arrival_day_{n}"
        );
        let _ = write!(
            row,
            ",{},{},{},{},{},{},{}",
            o.metastatic_cells(),
            o.colonies_founded,
            o.detected,
            o.dormant,
            o.hpcs,
            day_of(o.niche_formed_step, dt),
            day_of(o.first_arrival_step, dt)
        );
    }
    (header, row)
}

impl Recorder {
    /// A recorder for `sim`'s config; snapshots go to `dir` (none written without a dir).
    pub fn new(sim: &Simulation, dir: Option<RunDir>) -> Self {
        let cfg = sim.config();
        let dt = cfg.run.dt_h;
        let every = ((cfg.output.timeseries_every_h / dt).round() as u64).max(1);
        let mut snapshot_steps: Vec<u64> = cfg
            .output
            .snapshot_days
            .iter()
            .map(|&d| step_of_day(d, dt))
            .collect();
        snapshot_steps.sort_unstable();
        snapshot_steps.dedup();
        Recorder {
            every,
            snapshot_steps,
            snapshot_csv: cfg.output.snapshot_csv,
            snapshot_png: cfg.output.snapshot_png,
            dir,
            timeseries: TIMESERIES_HEADER.to_string(),
            events: EVENTS_HEADER.to_string(),
            last_sampled: None,
            growths_seen: sim.primary.events().growths,
            met_events_seen: 0,
            therapy_events_seen: 0,
            injected_seen: sim.mscs.events().injected,
            first_homed_recorded: sim.mscs.events().homed > 0,
            milestone_steps: [None; MILESTONES.len()],
            peak_total: 0,
            error: None,
            snapshot_files: Vec::new(),
        }
    }

    /// Checkpoint: the tables so far and the counters that decide what is recorded next
    /// (last sampled step, events already seen, milestones reached, peak size). The cadence
    /// and snapshot days come from the config; snapshot files already written are not part
    /// of it.
    pub(crate) fn save_state(&self, w: &mut Writer) {
        w.put_str(&self.timeseries);
        w.put_str(&self.events);
        w.put_opt_u64(self.last_sampled);
        w.put_u64(self.growths_seen);
        w.put_usize(self.met_events_seen);
        w.put_u64(self.injected_seen);
        w.put_bool(self.first_homed_recorded);
        w.put_vec(&self.milestone_steps, |w, s| w.put_opt_u64(*s));
        w.put_u64(self.peak_total);
        w.put_usize(self.therapy_events_seen);
    }

    /// A recorder for `sim` (cadence and snapshot days from its config) holding the state
    /// written by [`Recorder::save_state`].
    pub(crate) fn load_state(
        sim: &Simulation,
        dir: Option<RunDir>,
        r: &mut Reader<'_>,
    ) -> Result<Self, CodecError> {
        let mut rec = Recorder::new(sim, dir);
        rec.timeseries = r.string()?;
        rec.events = r.string()?;
        rec.last_sampled = r.opt_u64()?;
        rec.growths_seen = r.u64()?;
        rec.met_events_seen = r.usize()?;
        rec.injected_seen = r.u64()?;
        rec.first_homed_recorded = r.bool()?;
        let at = r.position();
        let milestones = r.vec(1, |r| r.opt_u64())?;
        rec.milestone_steps = milestones.try_into().map_err(|_| CodecError::Invalid {
            what: "milestones",
            offset: at,
        })?;
        rec.peak_total = r.u64()?;
        rec.therapy_events_seen = r.usize()?;
        if rec.therapy_events_seen > sim.therapy.log.len() {
            return Err(CodecError::Invalid {
                what: "therapy events recorded",
                offset: at,
            });
        }
        let events = sim.metastasis.as_ref().map_or(0, |m| m.events().len());
        if rec.met_events_seen > events {
            return Err(CodecError::Invalid {
                what: "metastasis events recorded",
                offset: at,
            });
        }
        Ok(rec)
    }

    fn event(&mut self, sim: &Simulation, event: &str, cell_kind: &str, value: &str) {
        self.event_at(sim.step_count(), sim, "primary", event, cell_kind, value);
    }

    /// An event stamped with the step in which it happened (`step` ≤ the current step).
    fn event_at(
        &mut self,
        step: u64,
        sim: &Simulation,
        compartment: &str,
        event: &str,
        cell_kind: &str,
        value: &str,
    ) {
        let _ = writeln!(
            self.events,
            "{},{},{},{},{},,{}",
            step,
            fmt_f(step as f64 * sim.config().run.dt_h),
            event,
            compartment,
            cell_kind,
            value
        );
    }

    fn sample(&mut self, sim: &Simulation) {
        let (step, time) = (sim.step_count(), fmt_f(sim.time_h()));
        // The therapies on in this step, the same on every compartment's row.
        let mut therapy = String::new();
        for kind in TherapyKind::ALL {
            let _ = write!(therapy, ",{}", u8::from(sim.therapy.kind_on(kind, step)));
        }
        therapy.push('\n');
        let tdsf = sim
            .metastasis
            .as_ref()
            .map(|m| fmt_f(m.tdsf()))
            .unwrap_or_default();
        let _ = write!(
            self.timeseries,
            "{step},{time},primary,{},{},{},{},{},,,,,,,,,{tdsf}",
            population_columns(sim),
            sim.primary.events().dedifferentiations,
            sim.primary.lattice.len(),
            field_columns(sim),
            msc_columns(sim)
        );
        self.timeseries.push_str(&therapy);
        if let Some(m) = &sim.metastasis {
            // Blood: CTCs by class and the cells that entered it so far.
            let c = m.cascade();
            let _ = write!(
                self.timeseries,
                "{step},{time},circulation,{},,,,,,,,,,,,,,,,,,,{},,,,",
                class_columns(m.ctc_counts()),
                c.intravasated.iter().sum::<u64>()
            );
            self.timeseries.push_str(&therapy);
            for (i, o) in m.organs.iter().enumerate() {
                let e = m.organ_events(i);
                let _ = write!(
                    self.timeseries,
                    "{step},{time},{},{},{},{},{},{},{},,,,,,,,,,{},{},{},{},{},{},{},{},",
                    o.name,
                    class_columns(o.cells),
                    e.births,
                    e.deaths,
                    e.migrations,
                    e.dedifferentiations,
                    o.sites,
                    o.dormant,
                    o.living_colonies,
                    o.micrometastases,
                    o.detected,
                    o.arrested,
                    o.extravasated,
                    o.hpcs,
                    fmt_f(m.niche_level(i)),
                );
                self.timeseries.push_str(&therapy);
            }
        }
        self.last_sampled = Some(step);
    }

    /// Write the therapy events logged since the last call.
    fn therapy_events(&mut self, sim: &Simulation) {
        let dt = sim.config().run.dt_h;
        for e in &sim.therapy.log[self.therapy_events_seen..] {
            let _ = writeln!(
                self.events,
                "{},{},{},{},,,{}",
                e.step,
                fmt_f(e.step as f64 * dt),
                e.event,
                e.compartment,
                e.value
            );
        }
        self.therapy_events_seen = sim.therapy.log.len();
    }

    /// Write the metastasis events logged since the last call.
    fn metastasis_events(&mut self, sim: &Simulation) {
        let Some(m) = &sim.metastasis else { return };
        let dt = sim.config().run.dt_h;
        for e in &m.events()[self.met_events_seen..] {
            let _ = writeln!(
                self.events,
                "{},{},{},{},{},{},{}",
                e.step,
                fmt_f(e.step as f64 * dt),
                e.kind.as_str(),
                compartment_name(m, e.compartment),
                e.class.map(|k| CLASS_NAMES[k]).unwrap_or(""),
                e.colony.map(|id| id.to_string()).unwrap_or_default(),
                e.value
            );
        }
        self.met_events_seen = m.events().len();
    }

    fn snapshot(&mut self, sim: &Simulation) {
        let Some(dir) = &self.dir else { return };
        let day = hours_to_days(sim.time_h());
        let stem = format!(
            "snapshots/lattice_day{}",
            fmt_f((day * 1000.0).round() / 1000.0)
        );
        let mut written = Vec::new();
        let mut result = Ok(());
        if self.snapshot_csv {
            match dir.write(
                &format!("{stem}.csv"),
                snapshot::lattice_csv(&sim.primary).as_bytes(),
            ) {
                Ok(p) => written.push(p),
                Err(e) => result = Err(e),
            }
        }
        if let (Some(cy), true) = (&sim.cytokines, self.snapshot_csv && result.is_ok()) {
            let fstem = stem.replace("lattice_day", "fields_day");
            match dir.write(&format!("{fstem}.csv"), snapshot::fields_csv(cy).as_bytes()) {
                Ok(p) => written.push(p),
                Err(e) => result = Err(e),
            }
        }
        if self.snapshot_csv && result.is_ok() && sim.config().msc.any() {
            let mstem = stem.replace("lattice_day", "mscs_day");
            match dir.write(
                &format!("{mstem}.csv"),
                snapshot::mscs_csv(&sim.mscs).as_bytes(),
            ) {
                Ok(p) => written.push(p),
                Err(e) => result = Err(e),
            }
        }
        if let (Some(cy), true) = (&sim.cytokines, self.snapshot_png && result.is_ok()) {
            for (which, name) in [(0, "il6"), (1, "cxcl7")] {
                let fstem = stem.replace("lattice_day", &format!("{name}_day"));
                match dir.write(&format!("{fstem}.png"), &snapshot::field_png(cy, which)) {
                    Ok(p) => written.push(p),
                    Err(e) => result = Err(e),
                }
            }
        }
        if self.snapshot_png && result.is_ok() {
            let png =
                snapshot::lattice_png(&sim.primary, sim.config().cells.rho_max, sim.mscs.cells());
            match dir.write(&format!("{stem}.png"), &png) {
                Ok(p) => written.push(p),
                Err(e) => result = Err(e),
            }
        }
        self.snapshot_files.extend(written);
        match result {
            Ok(()) => self.event(sim, "snapshot", "", &stem),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
    }

    /// Finish: the three tables as text (`timeseries.csv`, `events.csv`, `summary.csv`),
    /// or the first error met while writing snapshots.
    pub fn finish(mut self, sim: &Simulation, reason: StopReason) -> Result<[String; 3], RunError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.event(sim, "stop", "", reason.as_str());
        let e = sim.primary.events();
        let mut summary = String::from(
            "seed,stop_reason,steps,time_h,csc,progenitor,differentiated,total,csc_fraction,births,deaths,migrations,dedifferentiations,symmetric_divisions,stemness_losses,peak_total,il6_tumour_mean_ng_ml,il6_max_ng_ml,cxcl7_tumour_mean_ng_ml,cxcl7_max_ng_ml,il6_output_molecules_per_s,msc_aldh_pos,msc_aldh_neg,msc_pool,msc_homed,msc_injected,msc_divisions,msc_deaths",
        );
        for m in MILESTONES {
            let _ = write!(summary, ",step_reached_{m}");
        }
        summary.push_str(THERAPY_SUMMARY_HEADER);
        summary.push('\n');
        let _ = write!(
            summary,
            "{},{},{},{},{},{},{},{},{}",
            sim.seed(),
            reason.as_str(),
            sim.step_count(),
            fmt_f(sim.time_h()),
            population_columns(sim),
            e.dedifferentiations,
            e.symmetric_divisions,
            e.stemness_losses,
            self.peak_total
        );
        let m = sim.mscs.events();
        let _ = write!(
            summary,
            ",{},{},{},{},{}",
            field_columns(sim),
            msc_columns(sim),
            m.injected,
            m.divisions,
            m.deaths
        );
        for s in self.milestone_steps {
            let _ = write!(summary, ",{}", s.map(|s| s.to_string()).unwrap_or_default());
        }
        summary.push_str(&therapy_summary(sim));
        let (met_header, met_row) = metastasis_summary(sim);
        summary.push_str(&met_row);
        summary.push('\n');
        let header_end = summary.find('\n').expect("the header line ends");
        summary.insert_str(header_end, &met_header);
        Ok([self.timeseries, self.events, summary])
    }
}

impl Observer for Recorder {
    fn observe(&mut self, sim: &Simulation, last: bool) {
        let step = sim.step_count();
        let total = sim.primary.total();
        self.peak_total = self.peak_total.max(total);
        if step == 0 && self.last_sampled.is_none() {
            self.event(sim, "start", "", &total.to_string());
        }
        let growths = sim.primary.events().growths;
        if growths != self.growths_seen {
            self.growths_seen = growths;
            self.event(
                sim,
                "lattice_grown",
                "",
                &sim.primary.lattice.len().to_string(),
            );
        }
        // Therapy events happened at item 2 of the previous step, metastasis events inside
        // it (items 6–8).
        self.therapy_events(sim);
        self.metastasis_events(sim);
        let m = sim.mscs.events();
        if m.injected != self.injected_seen {
            let n = m.injected - self.injected_seen;
            self.injected_seen = m.injected;
            // MSC events happen inside the previous step (step order item 5).
            let at = sim.step_count().saturating_sub(1);
            self.event_at(
                at,
                sim,
                "bone_marrow",
                "msc_injected",
                "msc",
                &n.to_string(),
            );
        }
        if !self.first_homed_recorded && m.homed > 0 {
            self.first_homed_recorded = true;
            let at = sim.step_count().saturating_sub(1);
            self.event_at(
                at,
                sim,
                "primary",
                "msc_first_homed",
                "msc",
                &m.homed.to_string(),
            );
        }
        for (i, m) in MILESTONES.iter().enumerate() {
            if self.milestone_steps[i].is_none() && total >= *m {
                self.milestone_steps[i] = Some(step);
                self.event(sim, "size_reached", "", &m.to_string());
            }
        }
        if (step.is_multiple_of(self.every) || last) && self.last_sampled != Some(step) {
            self.sample(sim);
        }
        if self.snapshot_steps.binary_search(&step).is_ok() {
            self.snapshot(sim);
        }
    }
}
