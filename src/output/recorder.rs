//! The recorder: an [`Observer`] that samples the simulation into the run's tables and
//! writes snapshots at their configured days.

use crate::config::Config;
use crate::error::RunError;
use crate::output::files::RunDir;
use crate::output::rows::{self, EventRow};
use crate::output::summary::{self, MILESTONES};
use crate::output::{events, snapshot, table, vtk};
use crate::persist::{CodecError, Reader, Writer};
use crate::sim::{Observer, Simulation, StopReason};
use crate::units::{hours_to_days, step_of_day};

/// Collects a run's outputs while it runs.
#[derive(Debug)]
pub struct Recorder {
    every: u64,
    snapshot_steps: Vec<u64>,
    /// `output.snapshot_at_end`: also a snapshot at the last observed step.
    snapshot_at_end: bool,
    snapshot_csv: bool,
    snapshot_png: bool,
    snapshot_vtk: bool,
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
    /// How many of [`MILESTONES`] the run can reach ([`summary::reachable_milestones`]).
    milestones: usize,
    peak_total: u64,
    error: Option<RunError>,
    /// Paths of the snapshot files written.
    pub snapshot_files: Vec<std::path::PathBuf>,
}

/// A number as the snapshot file names write it (shortest round-trip decimal).
fn fmt_f(x: f64) -> String {
    format!("{x}")
}

/// The steps at which `config` writes snapshots, sorted, each once: the days of
/// `output.snapshot_days` and, with `output.snapshot_every_days` = N > 0, the days N, 2N, …
/// up to `run.days`, each on its nearest step.
pub fn snapshot_steps(config: &Config) -> Vec<u64> {
    let dt = config.run.dt_h;
    let mut steps: Vec<u64> = config
        .output
        .snapshot_days
        .iter()
        .map(|&d| step_of_day(d, dt))
        .collect();
    let every = config.output.snapshot_every_days;
    // Validation keeps N at least one step long, so there are at most as many as steps.
    if every > 0.0 && every.is_finite() {
        let last = step_of_day(config.run.days, dt);
        for k in 1u64.. {
            let step = step_of_day(k as f64 * every, dt);
            if step > last {
                break;
            }
            steps.push(step);
        }
    }
    steps.sort_unstable();
    steps.dedup();
    steps
}

impl Recorder {
    /// A recorder for `sim`'s config; snapshots go to `dir` (none written without a dir).
    pub fn new(sim: &Simulation, dir: Option<RunDir>) -> Self {
        let cfg = sim.config();
        let dt = cfg.run.dt_h;
        let every = ((cfg.output.timeseries_every_h / dt).round() as u64).max(1);
        Recorder {
            every,
            snapshot_steps: snapshot_steps(cfg),
            snapshot_at_end: cfg.output.snapshot_at_end,
            snapshot_csv: cfg.output.snapshot_csv,
            snapshot_png: cfg.output.snapshot_png,
            snapshot_vtk: cfg.output.snapshot_vtk,
            dir,
            timeseries: rows::timeseries_header(),
            events: rows::events_header(),
            last_sampled: None,
            growths_seen: sim.primary.events().growths,
            met_events_seen: 0,
            therapy_events_seen: 0,
            injected_seen: sim.mscs.events().injected,
            first_homed_recorded: sim.mscs.events().homed > 0,
            milestone_steps: [None; MILESTONES.len()],
            milestones: summary::reachable_milestones(cfg),
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
        rec.events = with_units(r.string()?);
        rec.last_sampled = r.opt_count()?;
        rec.growths_seen = r.count()?;
        rec.met_events_seen = r.usize()?;
        rec.injected_seen = r.count()?;
        rec.first_homed_recorded = r.bool()?;
        let at = r.position();
        let milestones = r.vec(1, |r| r.opt_u64())?;
        rec.milestone_steps = milestones.try_into().map_err(|_| CodecError::Invalid {
            what: "milestones",
            offset: at,
        })?;
        rec.peak_total = r.count()?;
        rec.therapy_events_seen = r.usize()?;
        if rec.therapy_events_seen > sim.therapy.log.len() {
            return Err(CodecError::Invalid {
                what: "therapy events recorded",
                offset: at,
            });
        }
        let step = sim.step_count();
        let not_after = |s: Option<u64>| s.is_none_or(|s| s <= step);
        if !not_after(rec.last_sampled)
            || !rec.milestone_steps.iter().all(|&s| not_after(s))
            || rec.injected_seen > sim.mscs.events().injected
            || rec.growths_seen > sim.primary.events().growths
        {
            return Err(CodecError::Invalid {
                what: "recorder counters (beyond the simulation's)",
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
        let row = EventRow {
            step,
            time_h: step as f64 * sim.config().run.dt_h,
            event,
            compartment,
            cell_kind,
            colony_id: None,
            value,
            unit: events::unit_of(event),
        };
        table::push_row(&mut self.events, &row);
    }

    fn sample(&mut self, sim: &Simulation) {
        rows::push_timeseries(&mut self.timeseries, sim);
        self.last_sampled = Some(sim.step_count());
    }

    /// Write the therapy events logged since the last call.
    fn therapy_events(&mut self, sim: &Simulation) {
        let dt = sim.config().run.dt_h;
        for e in &sim.therapy.log[self.therapy_events_seen..] {
            let row = EventRow {
                step: e.step,
                time_h: e.step as f64 * dt,
                event: &e.event,
                compartment: e.compartment,
                cell_kind: "",
                colony_id: None,
                value: &e.value.to_string(),
                unit: events::unit_of(&e.event),
            };
            table::push_row(&mut self.events, &row);
        }
        self.therapy_events_seen = sim.therapy.log.len();
    }

    /// Write the metastasis events logged since the last call.
    fn metastasis_events(&mut self, sim: &Simulation) {
        let Some(m) = &sim.metastasis else { return };
        let dt = sim.config().run.dt_h;
        for e in &m.events()[self.met_events_seen..] {
            let row = EventRow {
                step: e.step,
                time_h: e.step as f64 * dt,
                event: e.kind.as_str(),
                compartment: rows::compartment_name(m, e.compartment),
                cell_kind: e.class.map_or("", |k| rows::CLASS_NAMES[k]),
                colony_id: e.colony,
                value: &e.value.to_string(),
                unit: events::unit_of(e.kind.as_str()),
            };
            table::push_row(&mut self.events, &row);
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
        let day_label = stem.trim_start_matches("snapshots/lattice_day");
        let info = snapshot::PictureInfo {
            day: day_label,
            spacing_um: sim.config().space.spacing_um,
        };
        let region = snapshot::Region::of(&sim.primary.lattice);
        if let (Some(cy), true) = (&sim.cytokines, self.snapshot_png && result.is_ok()) {
            for (which, name) in [(0, "il6"), (1, "cxcl7")] {
                let fstem = stem.replace("lattice_day", &format!("{name}_day"));
                let png = snapshot::field_png(cy, which, &region, &info);
                match dir.write(&format!("{fstem}.png"), &png) {
                    Ok(p) => written.push(p),
                    Err(e) => result = Err(e),
                }
            }
        }
        if self.snapshot_png && result.is_ok() {
            let png = snapshot::lattice_png(
                &sim.primary,
                sim.config().cells.rho_max,
                sim.mscs.cells(),
                &info,
            );
            match dir.write(&format!("{stem}.png"), &png) {
                Ok(p) => written.push(p),
                Err(e) => result = Err(e),
            }
        }
        if self.snapshot_vtk && result.is_ok() {
            result = write_vtk(dir, sim, &stem, &mut written);
        }
        for p in written {
            // The collection is rewritten at each snapshot: listed once.
            if !self.snapshot_files.contains(&p) {
                self.snapshot_files.push(p);
            }
        }
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
    /// or the first error met while writing snapshots. (`organs.csv` is
    /// [`summary::organs`] of the simulation.)
    pub fn finish(mut self, sim: &Simulation, reason: StopReason) -> Result<[String; 3], RunError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.event(sim, "stop", "", reason.as_str());
        let summary = summary::summary(sim, reason.as_str(), self.peak_total, self.milestone_steps);
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
        for (i, m) in MILESTONES[..self.milestones].iter().enumerate() {
            if self.milestone_steps[i].is_none() && total >= *m {
                self.milestone_steps[i] = Some(step);
                self.event(sim, "size_reached", "", &m.to_string());
            }
        }
        if (step.is_multiple_of(self.every) || last) && self.last_sampled != Some(step) {
            self.sample(sim);
        }
        if self.snapshot_steps.binary_search(&step).is_ok() || (last && self.snapshot_at_end) {
            self.snapshot(sim);
        }
    }
}

/// The events table of a checkpoint: as saved, or, saved by a seedsoil from before
/// `events.csv` had its `unit` column, with that column added ([`events::unit_of`] each
/// row's event), so that a resumed run writes one table of one shape.
fn with_units(text: String) -> String {
    let header = rows::events_header();
    let Some(former) = header.strip_suffix(",unit\n") else {
        return text;
    };
    let Some(body) = text.strip_prefix(&format!("{former}\n")) else {
        return text;
    };
    let mut out = header;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    for row in reader.records() {
        let Ok(row) = row else { return text };
        let unit = events::unit_of(row.get(2).unwrap_or(""));
        table::push_row(&mut out, &row.iter().chain([unit]).collect::<Vec<_>>());
    }
    out
}

/// Writes the VTK files of the snapshot `stem` (`snapshots/lattice_day<D>`): the lattice
/// and the fields as `.vti`, then the collection `snapshots.pvd` of every `.vti` in the
/// folder (so that a killed run's collection lists the files that exist).
fn write_vtk(
    dir: &RunDir,
    sim: &Simulation,
    stem: &str,
    written: &mut Vec<std::path::PathBuf>,
) -> Result<(), RunError> {
    let spacing = sim.config().space.spacing_um;
    let lattice = stem.replace("lattice_day", "snapshot_day");
    written.push(dir.write(
        &format!("{lattice}.vti"),
        vtk::lattice_vti(&sim.primary, spacing).as_bytes(),
    )?);
    if let Some(cy) = &sim.cytokines {
        let fields = stem.replace("lattice_day", "fields_day");
        written.push(dir.write(&format!("{fields}.vti"), vtk::fields_vti(cy).as_bytes())?);
    }
    let folder = dir.path.join("snapshots");
    let names: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|source| RunError::Output {
            path: folder.clone(),
            source,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let pvd = vtk::pvd(names.iter().map(String::as_str));
    written.push(dir.write(&format!("snapshots/{}", vtk::PVD_FILE), pvd.as_bytes())?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_of_an_older_checkpoint_get_their_units() {
        let former = "step,time_h,event,compartment,cell_kind,colony_id,value\n\
                      0,0,start,primary,,,81\n\
                      24,24,niche_formed,lung,,,12\n";
        assert_eq!(
            with_units(former.to_string()),
            "step,time_h,event,compartment,cell_kind,colony_id,value,unit\n\
             0,0,start,primary,,,81,cells\n\
             24,24,niche_formed,lung,,,12,HPCs\n"
        );
        let today = format!("{}0,0,start,primary,,,81,cells\n", rows::events_header());
        assert_eq!(with_units(today.clone()), today);
    }

    #[test]
    fn snapshot_days_join_the_listed_days_and_every_n_days() {
        let mut c = Config::default();
        c.run.days = 10.0;
        c.run.dt_h = 1.0;
        assert!(snapshot_steps(&c).is_empty());
        c.output.snapshot_every_days = 4.0;
        assert_eq!(snapshot_steps(&c), [96, 192]);
        // Listed days join them, each step once.
        c.output.snapshot_days = vec![8.0, 1.0, 10.0, 4.0];
        assert_eq!(snapshot_steps(&c), [24, 96, 192, 240]);
        // Up to run.days inclusive; 0 = off.
        c.output.snapshot_every_days = 5.0;
        c.output.snapshot_days.clear();
        assert_eq!(snapshot_steps(&c), [120, 240]);
        c.output.snapshot_every_days = 0.0;
        assert!(snapshot_steps(&c).is_empty());
        // A fraction of a day that does not add up exactly (0.1 × 3 > 0.3).
        c.run.days = 0.3;
        c.run.dt_h = 2.4;
        c.output.snapshot_every_days = 0.1;
        assert_eq!(snapshot_steps(&c), [1, 2, 3]);
    }
}
