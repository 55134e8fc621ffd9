//! Therapy schedules and their effects (docs/model.md §7.16), applied at step order item 2.
//!
//! Each `[[therapy]]` entry becomes a list of cycles in steps. A cycle of an exposure kind
//! (chemo, anti-IL6, CXCR2 inhibitor, anti-VEGFR1, differentiation) is on during steps
//! `[start, start + duration)`, with `start = round((start_day + c · interval_days) · 24 / dt)`
//! and `duration = round(duration_days · 24 / dt)`; a cycle of an instant kind (a radiation
//! fraction, surgery) happens at the start of its step. Therapies combine:
//!
//! | effect | while on | combination |
//! |---|---|---|
//! | chemo | every cell dies per step with `h = 1 − (1 − kill)^(1/L)`, L = exposure steps | `1 − Π(1 − h)` |
//! | anti-IL6 | IL6 Hill terms × (1 − efficacy) | product |
//! | CXCR2 inhibitor | CXCL7 Hill terms × (1 − efficacy); CSC death + `csc_kill_per_day · dt/24` | product; `1 − Π(1 − p)` |
//! | anti-VEGFR1 | HPC mobilisation × (1 − efficacy) | product |
//! | differentiation | p_s (and its cap) × factor | product |
//! | radiation fraction | each primary cell survives with `exp(−αd − βd²)`, CSCs' α, β × `csc_radioresistance` | in listed order |
//! | surgery (`fraction`) | exactly `round(N · fraction)` of the primary's N cells removed, at random | in listed order |
//! | surgery of the mass (`residual_fraction`) | every primary cell removed but those within `margin_sites` of the exterior, each kept with probability `residual_fraction` | in listed order |
//!
//! Chemo kills at division attempts. In the reference rule set every cell attempts
//! division at `p_div` per step whether or not it has space (contact inhibition only stops
//! the daughter's placement), so every cell on a lattice is exposed; the fatal attempts are
//! spread evenly over the exposure as the per-step hazard `h`, which makes a cell die with
//! probability `kill` (`kill_csc` for CSCs, `kill_non_stem` otherwise) over one cycle's
//! exposure. They are sampled with the other rare events (background death, plasticity).
//! CTCs die at the same hazard; dormant DTCs (out of cycle) are spared. Chemo and the drug
//! therapies are systemic (primary, colonies, and for chemo the CTCs); radiation and
//! surgery act on the primary only.
//!
//! Surgery of the mass (model v2): a resection takes the tumour out, leaving at most a
//! thin residual where the cut ran, at the tumour's edge. The *exterior* is the empty
//! region joined to the domain's edge ([`crate::space::exterior`]; holes inside the tumour,
//! left by chemo, radiation or death, are not exterior); a cell's depth is its distance
//! from the exterior in Moore steps (1 = next to the exterior). Every cell deeper than
//! `margin_sites` is removed; each cell within `margin_sites` stays, independently, with
//! probability `residual_fraction` (one uniform draw per margin cell, in lattice order,
//! from the therapy's stream for that step, so the outcome does not depend on threads).
//! Debris deeper than the margin is removed with the mass. Resected cells leave no
//! debris; cells killed by radiation leave debris when `cells.clearance_h` > 0.
//!
//! Time to relapse (summary.csv): the first cytoreductive therapy (chemo, radiation or
//! surgery) fixes the reference size, the primary's cells at the start of its first cycle;
//! relapse is the first step after that therapy's last cycle ended (its course is over) at
//! which the primary holds more cells than the reference. A tumour that never shrank
//! below it therefore relapses as soon as the course ends (progression on therapy), and
//! the time to relapse is counted from the reference step.

use crate::config::{Config, Surgery, TherapyConfig, TherapyKind};
use crate::engine::Primary;
use crate::model::HierarchyRates;
use crate::model::kind::{STEM, class_index};
use crate::persist::{CodecError, Reader, Restore, Writer};
use crate::rng::{self, below, purpose, uniform};
use crate::space::exterior;
use crate::units::{self, step_of_day, steps_to_days};

/// What the therapies on in one step do to the rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Modifiers {
    /// Multiplies the IL6 Hill terms (anti-IL6).
    pub il6_signal: f64,
    /// Multiplies the CXCL7 Hill terms (CXCR2 inhibitor).
    pub cxcl7_signal: f64,
    /// Extra CSC death per step (CXCR2 inhibitor).
    pub csc_death: f64,
    /// Multiplies p_s and its cap (differentiation therapy).
    pub p_symmetric_factor: f64,
    /// Multiplies HPC mobilisation (anti-VEGFR1).
    pub mobilisation: f64,
    /// Death per step by chemo: `[CSC, non-stem]`.
    pub chemo_death: [f64; 2],
}

impl Default for Modifiers {
    fn default() -> Self {
        Modifiers {
            il6_signal: 1.0,
            cxcl7_signal: 1.0,
            csc_death: 0.0,
            p_symmetric_factor: 1.0,
            mobilisation: 1.0,
            chemo_death: [0.0; 2],
        }
    }
}

impl Modifiers {
    /// Whether nothing is changed.
    pub fn is_none(&self) -> bool {
        *self == Modifiers::default()
    }

    /// The hierarchy rates under these modifiers.
    pub fn apply(&self, base: &HierarchyRates) -> HierarchyRates {
        let mut r = base.clone();
        r.il6_signal *= self.il6_signal;
        r.cxcl7_signal *= self.cxcl7_signal;
        r.p_death_stem = 1.0 - (1.0 - r.p_death_stem) * (1.0 - self.csc_death);
        r.p_symmetric *= self.p_symmetric_factor;
        r.p_symmetric_max *= self.p_symmetric_factor;
        r.p_chemo_stem = self.chemo_death[0];
        r.p_chemo_non_stem = self.chemo_death[1];
        r
    }
}

/// One therapy event for `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TherapyEvent {
    /// Step at which it happened.
    pub step: u64,
    /// Event name: `<kind>_on`, `<kind>_off`, `radiation_fraction`, `surgery`, `relapse`.
    pub event: String,
    /// Where it acted: `primary` (radiation, surgery, relapse) or `systemic`.
    pub compartment: &'static str,
    /// Cells killed or removed (radiation, surgery), cells in the primary (relapse), the
    /// therapy's index in the config (on/off).
    pub value: u64,
}

/// Cumulative cells killed by the instant therapies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TherapyTotals {
    /// Cells killed by radiation, by class `[csc, progenitor, differentiated]`.
    pub radiation_kills: [u64; 3],
    /// Cells removed by surgery, by class.
    pub resected: [u64; 3],
}

/// The schedules of a run's therapies and what they did so far.
#[derive(Debug, Clone)]
pub struct TherapyState {
    therapies: Vec<TherapyConfig>,
    /// Per therapy, per cycle: `[start, end)` in steps (instant kinds: end = start + 1).
    windows: Vec<Vec<(u64, u64)>>,
    /// Per therapy: per-step chemo death `[CSC, non-stem]`.
    chemo_h: Vec<[f64; 2]>,
    dt_h: f64,
    /// The step and primary size at the first cytoreductive therapy's start.
    pub reference: Option<(u64, u64)>,
    /// The step from which relapse is watched: the end of the reference therapy's course.
    pub watch_from: Option<u64>,
    /// First step after `reference` with more cells in the primary.
    pub relapse_step: Option<u64>,
    /// Events so far.
    pub log: Vec<TherapyEvent>,
    /// Cells killed by radiation and surgery.
    pub totals: TherapyTotals,
}

impl TherapyState {
    /// The schedules of `config.therapy` (validated).
    pub fn new(config: &Config) -> Self {
        let dt = config.run.dt_h;
        let steps = |days: f64| step_of_day(days, dt);
        let mut windows = Vec::new();
        let mut chemo_h = Vec::new();
        for th in &config.therapy {
            let len = if th.kind.is_instant() {
                1
            } else {
                steps(th.duration_days).max(1)
            };
            windows.push(
                (0..th.cycles as u64)
                    .map(|c| {
                        let start = steps(th.start_day + c as f64 * th.interval_days);
                        (start, start + len)
                    })
                    .collect::<Vec<_>>(),
            );
            let h = if th.kind == TherapyKind::Chemo {
                [th.kill_csc(), th.kill_non_stem()].map(|k| per_step(k, len as f64))
            } else {
                [0.0; 2]
            };
            chemo_h.push(h);
        }
        TherapyState {
            therapies: config.therapy.clone(),
            windows,
            chemo_h,
            dt_h: dt,
            reference: None,
            watch_from: None,
            relapse_step: None,
            log: Vec::new(),
            totals: TherapyTotals::default(),
        }
    }

    /// Whether any therapy is configured.
    pub fn any(&self) -> bool {
        !self.therapies.is_empty()
    }

    /// Whether therapy `i` is on at `step` (an instant kind: at the step of a cycle).
    fn on(&self, i: usize, step: u64) -> bool {
        self.windows[i].iter().any(|&(a, b)| a <= step && step < b)
    }

    /// Whether a therapy of `kind` is on at `step` (timeseries on/off columns).
    pub fn kind_on(&self, kind: TherapyKind, step: u64) -> bool {
        self.therapies
            .iter()
            .enumerate()
            .any(|(i, th)| th.kind == kind && self.on(i, step))
    }

    /// The modifiers of the therapies on at `step`.
    pub fn modifiers(&self, step: u64) -> Modifiers {
        let mut m = Modifiers::default();
        for (i, th) in self.therapies.iter().enumerate() {
            if th.kind.is_instant() || !self.on(i, step) {
                continue;
            }
            match th.kind {
                TherapyKind::Chemo => {
                    for k in 0..2 {
                        m.chemo_death[k] =
                            1.0 - (1.0 - m.chemo_death[k]) * (1.0 - self.chemo_h[i][k]);
                    }
                }
                TherapyKind::AntiIl6 => m.il6_signal *= 1.0 - th.efficacy(),
                TherapyKind::Cxcr2Inhibitor => {
                    m.cxcl7_signal *= 1.0 - th.efficacy();
                    let p = units::per_step(th.csc_kill_per_day(), self.dt_h).min(1.0);
                    m.csc_death = 1.0 - (1.0 - m.csc_death) * (1.0 - p);
                }
                TherapyKind::AntiVegfr1 => m.mobilisation *= 1.0 - th.efficacy(),
                TherapyKind::Differentiation => m.p_symmetric_factor *= th.factor(),
                TherapyKind::Radiation | TherapyKind::Surgery => {}
            }
        }
        m
    }

    /// Step order item 2 at `step`: relapse check, on/off events, radiation fractions and
    /// surgery on the primary in the listed order. Returns the step's modifiers.
    pub fn begin_step(&mut self, step: u64, seed: u64, primary: &mut Primary) -> Modifiers {
        if let (Some((_, cells)), Some(from), None) =
            (self.reference, self.watch_from, self.relapse_step)
            && step >= from
            && primary.total() > cells
        {
            self.relapse_step = Some(step);
            self.log.push(TherapyEvent {
                step,
                event: "relapse".into(),
                compartment: "primary",
                value: primary.total(),
            });
        }
        for i in 0..self.therapies.len() {
            let th = &self.therapies[i];
            let starts = self.windows[i].iter().any(|&(a, _)| a == step);
            if starts && th.kind.is_cytoreductive() && self.reference.is_none() {
                self.reference = Some((step, primary.total()));
                self.watch_from = self.windows[i].iter().map(|&(_, b)| b).max();
            }
            if th.kind.is_instant() {
                if starts {
                    let killed = match th.kind {
                        TherapyKind::Radiation => {
                            let k = irradiate(primary, th, seed, i as u64, step);
                            add(&mut self.totals.radiation_kills, k);
                            ("radiation_fraction", k)
                        }
                        _ => {
                            let k = match th.surgery() {
                                Surgery::Random { fraction } => {
                                    resect(primary, fraction, seed, i as u64, step)
                                }
                                Surgery::Mass {
                                    margin_sites,
                                    residual_fraction,
                                } => resect_mass(
                                    primary,
                                    margin_sites,
                                    residual_fraction,
                                    seed,
                                    i as u64,
                                    step,
                                ),
                            };
                            add(&mut self.totals.resected, k);
                            ("surgery", k)
                        }
                    };
                    self.log.push(TherapyEvent {
                        step,
                        event: killed.0.into(),
                        compartment: "primary",
                        value: killed.1.iter().sum(),
                    });
                }
                continue;
            }
            let on_now = self.on(i, step);
            let on_before = step > 0 && self.on(i, step - 1);
            if on_now != on_before {
                self.log.push(TherapyEvent {
                    step,
                    event: format!("{}_{}", th.kind.as_str(), if on_now { "on" } else { "off" }),
                    compartment: "systemic",
                    value: i as u64,
                });
            }
        }
        self.modifiers(step)
    }

    /// Day of the reference (first cytoreductive therapy's start), if reached.
    pub fn reference_day(&self) -> Option<f64> {
        self.reference.map(|(s, _)| steps_to_days(s, self.dt_h))
    }

    /// Days from the reference to relapse, if the primary relapsed.
    pub fn time_to_relapse_days(&self) -> Option<f64> {
        match (self.reference, self.relapse_step) {
            (Some((a, _)), Some(b)) => Some(steps_to_days(b - a, self.dt_h)),
            _ => None,
        }
    }
}

impl TherapyState {
    /// Whether restored state is consistent at simulation step `step`: a relapse is not
    /// after it, nor before the reference.
    pub(crate) fn consistent(&self, step: u64) -> bool {
        self.relapse_step.is_none_or(|s| s <= step)
            && match (self.reference, self.relapse_step) {
                (Some((a, _)), Some(b)) => b >= a,
                _ => true,
            }
    }
}

impl Restore for TherapyState {
    /// Checkpoint: what the therapies did so far (the schedules come from the config).
    fn save(&self, w: &mut Writer) {
        w.put_opt_u64(self.reference.map(|r| r.0));
        w.put_opt_u64(self.reference.map(|r| r.1));
        w.put_opt_u64(self.watch_from);
        w.put_opt_u64(self.relapse_step);
        w.put_vec(&self.log, |w, e| {
            w.put_u64(e.step);
            w.put_str(&e.event);
            w.put_bool(e.compartment == "primary");
            w.put_u64(e.value);
        });
        for v in self
            .totals
            .radiation_kills
            .iter()
            .chain(&self.totals.resected)
        {
            w.put_u64(*v);
        }
    }

    /// Overwrite the dynamic state with one written by `save`.
    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError> {
        let (step, cells) = (r.opt_count()?, r.opt_count()?);
        self.reference = step.zip(cells);
        self.watch_from = r.opt_count()?;
        self.relapse_step = r.opt_count()?;
        self.log = r.vec(8, |r| {
            Ok(TherapyEvent {
                step: r.count()?,
                event: r.string()?,
                compartment: if r.bool()? { "primary" } else { "systemic" },
                value: r.count()?,
            })
        })?;
        for v in self
            .totals
            .radiation_kills
            .iter_mut()
            .chain(self.totals.resected.iter_mut())
        {
            *v = r.count()?;
        }
        Ok(())
    }
}

fn add(total: &mut [u64; 3], k: [u64; 3]) {
    for c in 0..3 {
        total[c] += k[c];
    }
}

/// Per-step death so that `steps` steps give `kill` in all.
fn per_step(kill: f64, steps: f64) -> f64 {
    if kill >= 1.0 {
        1.0
    } else {
        1.0 - (1.0 - kill).powf(1.0 / steps)
    }
}

/// One radiation fraction: every cell of the primary survives independently with its
/// class's LQ survival. Cells are visited in lattice order with one stream per (therapy,
/// step), so the outcome does not depend on threads. A killed cell dies where it lies (it
/// leaves debris when `cells.clearance_h` > 0). Returns the cells killed by class.
pub fn irradiate(
    primary: &mut Primary,
    th: &TherapyConfig,
    seed: u64,
    entity: u64,
    step: u64,
) -> [u64; 3] {
    let survive = [th.lq_survival(true), th.lq_survival(false)];
    let mut rng = rng::stream(seed, purpose::THERAPY, entity, step);
    let mut killed = [0u64; 3];
    for s in primary.cell_sites() {
        let code = primary.lattice.code(s);
        let p = if code == STEM { survive[0] } else { survive[1] };
        if uniform(&mut rng) >= p {
            primary.kill_in_place(s, step);
            killed[class_index(code)] += 1;
        }
    }
    killed
}

/// Surgery: remove exactly `round(N · fraction)` of the primary's N cells, chosen uniformly
/// at random (the survivors are a uniform random subset of size `N − removed`).
pub fn resect(primary: &mut Primary, fraction: f64, seed: u64, entity: u64, step: u64) -> [u64; 3] {
    let mut sites = primary.cell_sites();
    let n = sites.len();
    let remove = ((n as f64) * fraction).round() as usize;
    let mut rng = rng::stream(seed, purpose::THERAPY, entity, step);
    // Partial Fisher–Yates: the first `remove` entries are a uniform random subset.
    for i in 0..remove.min(n) {
        let j = i + below(&mut rng, n - i);
        sites.swap(i, j);
    }
    let mut removed = [0u64; 3];
    for &s in &sites[..remove.min(n)] {
        if let Some(code) = primary.kill_cell(s) {
            removed[class_index(code)] += 1;
        }
    }
    removed
}

/// Surgery of the mass: remove every primary cell except those within `margin_sites` of
/// the exterior, each of which stays independently with probability `residual_fraction`
/// (one uniform draw per margin cell, in lattice order, from the stream of (therapy,
/// step)). Debris deeper than the margin goes with the mass; resected cells leave none.
/// Returns the cells removed by class.
pub fn resect_mass(
    primary: &mut Primary,
    margin_sites: u32,
    residual_fraction: f64,
    seed: u64,
    entity: u64,
    step: u64,
) -> [u64; 3] {
    let ext = exterior::exterior(&primary.lattice);
    let depth = exterior::distance_to_exterior(&primary.lattice, &ext, margin_sites);
    let mut rng = rng::stream(seed, purpose::THERAPY, entity, step);
    let mut removed = [0u64; 3];
    for s in primary.cell_sites() {
        if depth[s] <= margin_sites && uniform(&mut rng) < residual_fraction {
            continue;
        }
        if let Some(code) = primary.kill_cell(s) {
            removed[class_index(code)] += 1;
        }
    }
    if primary.debris() > 0 {
        primary.remove_debris(|s| depth[s] > margin_sites);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_step_kill_compounds_to_the_cycle_kill() {
        for (kill, n) in [(0.7, 3.0), (0.2, 72.0), (0.5, 1.0)] {
            let q = per_step(kill, n);
            assert!((1.0 - (1.0 - q).powf(n) - kill).abs() < 1e-12);
        }
        assert_eq!(per_step(1.0, 5.0), 1.0);
    }

    #[test]
    fn schedules_and_modifiers_combine() {
        let mut c = Config::default();
        c.run.dt_h = 1.0;
        let mut chemo = TherapyConfig::new(TherapyKind::Chemo, 1.0);
        chemo.cycles = 2;
        chemo.interval_days = 7.0;
        chemo.duration_days = 2.0;
        let mut il6 = TherapyConfig::new(TherapyKind::AntiIl6, 0.0);
        il6.duration_days = 10.0;
        let mut il6b = il6.clone();
        il6b.efficacy = Some(0.5);
        c.therapy = vec![chemo, il6, il6b];
        let t = TherapyState::new(&c);
        assert!(!t.kind_on(TherapyKind::Chemo, 23));
        assert!(t.kind_on(TherapyKind::Chemo, 24));
        assert!(t.kind_on(TherapyKind::Chemo, 71));
        assert!(!t.kind_on(TherapyKind::Chemo, 72));
        assert!(t.kind_on(TherapyKind::Chemo, 8 * 24));
        let m = t.modifiers(30);
        assert!((m.il6_signal - 0.1 * 0.5).abs() < 1e-12);
        // 48 steps of exposure: kill 0.99 → h = 1 − 0.01^(1/48).
        assert!((m.chemo_death[1] - (1.0 - 0.01f64.powf(1.0 / 48.0))).abs() < 1e-12);
        assert!(t.modifiers(100).chemo_death == [0.0; 2]);
        assert_eq!(t.modifiers(300), Modifiers::default());
    }
}
