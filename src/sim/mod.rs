//! The simulation: construction from a validated config and the step loop in the fixed
//! order of docs/model.md §3.
//!
//! Step order (the parts that exist today are marked):
//! 1. record outputs due at this step (observers) — *yes*;
//! 2. apply scheduled therapy events — *yes*: relapse check, radiation fractions and
//!    surgery in the listed order, then the modifiers of the therapies on in this step
//!    (chemo, anti-IL6, CXCR2 inhibitor, anti-VEGFR1, differentiation) for items 3–8
//!    (see [`crate::therapy`]);
//! 3. update cytokine fields (IL6, CXCL7) — *yes*, when `fields.enabled`;
//! 4. update primary cancer cells (docs/model.md §7.2–7.8) — *yes*;
//! 5. update MSCs (inject, recruit, die, divide, move; their secretion enters the next
//!    field update) — *yes*;
//! 6. dissemination: intravasation from the primary's rim, circulation, arrest,
//!    extravasation, colonisation or dormancy, waking — *yes*, when `dissemination.enabled`;
//! 7. niches: tumour-derived factor, HPC mobilisation and homing, niche levels — *yes*;
//! 8. colonies: every metastatic colony steps, in parallel — *yes*. Colonies read nothing
//!    that items 3–7 write, so they step alongside items 3–5 (on the other threads while the
//!    primary steps); a colony founded in item 6 takes its first step in the next step;
//! 9. advance time — *yes*.

use crate::config::{CellsFileRules, Config, InitCell, InitCellKind, InitKind};
use crate::engine::{Cytokines, Mscs, Primary};
use crate::metastasis::Metastasis;
use crate::model::HierarchyRates;
use crate::model::kind::{STEM, progenitor};
use crate::persist::{Persist, Restore};
use crate::rng::{self, below, purpose, uniform};
use crate::space::Lattice;
use crate::therapy::TherapyState;
use crate::units::step_of_day;

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// `run.days` elapsed.
    Days,
    /// The primary tumour reached `run.stop_at_cells`.
    Cells,
    /// No cancer cell is left anywhere (primary, blood, organs).
    Extinct,
}

impl StopReason {
    /// Short name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Days => "days",
            StopReason::Cells => "stop_at_cells",
            StopReason::Extinct => "extinct",
        }
    }

    /// The stop reason named `name` ([`StopReason::as_str`]), if any.
    pub fn from_name(name: &str) -> Option<StopReason> {
        [StopReason::Days, StopReason::Cells, StopReason::Extinct]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// Receives the state of a simulation at each step (outputs, progress).
pub trait Observer {
    /// Called at the start of every step (step order item 1) and once after the last step
    /// with `last = true`.
    fn observe(&mut self, sim: &Simulation, last: bool);
}

/// An observer that does nothing.
impl Observer for () {
    fn observe(&mut self, _sim: &Simulation, _last: bool) {}
}

/// A seeded simulation of one tumour.
#[derive(Debug)]
pub struct Simulation {
    config: Config,
    seed: u64,
    /// Rates from the config, before therapy.
    base_rates: HierarchyRates,
    /// Rates of the current step (therapy modifiers applied).
    rates: HierarchyRates,
    /// Therapy schedules and what they did.
    pub therapy: TherapyState,
    /// The primary tumour.
    pub primary: Primary,
    /// The cytokine fields of the primary tumour, if simulated (`fields.enabled`).
    pub cytokines: Option<Cytokines>,
    /// The MSCs: bone-marrow pool and cells in the tumour.
    pub mscs: Mscs,
    /// Circulation, organs, niches and colonies, if simulated (`dissemination.enabled`).
    pub metastasis: Option<Metastasis>,
    step: u64,
    /// The primary's cumulative turns when last read (for the work of a step).
    last_primary_turns: u64,
    max_steps: u64,
    pool: std::sync::Arc<rayon::ThreadPool>,
    /// Observers have already seen the current step (after [`Simulation::run_until`]
    /// paused or a run ended, or in a checkpoint): a run does not observe it again.
    observed: bool,
}

/// Errors constructing a simulation.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The cytokine fields could not be set up.
    #[error("cytokine fields: {0}")]
    Fields(String),
    /// The initial cells could not be placed: the cells file of `init.kind = "file"`
    /// cannot be read or has problems (it changed since the config was checked), or
    /// `init.kind = "checkpoint"` without the checkpoint's cells
    /// ([`Simulation::with_cells`]).
    #[error("cannot place the initial cells: {0}")]
    InitialCells(String),
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Requested threads.
        threads: usize,
        /// The cause.
        message: String,
    },
}

/// Where a new simulation's initial cells come from.
enum Start<'a> {
    /// `config.init` (for `"file"`, the cells file; `"checkpoint"` is an error).
    Config,
    /// These cells, whatever `init.kind` says.
    Cells(&'a [InitCell]),
    /// No cells from a file or checkpoint: the state is restored from a checkpoint next.
    Restore,
}

impl Simulation {
    /// Build a simulation from a validated config. `config.run.seed` must be set (the CLI
    /// draws and records one when the user gave none).
    ///
    /// `init.kind = "file"` reads the cells file again (an error if it changed into one
    /// with problems); `init.kind = "checkpoint"` needs the checkpoint's cells:
    /// [`Simulation::with_cells`] (the run driver reads them,
    /// [`crate::checkpoint::primary_cells`]).
    pub fn new(config: &Config) -> Result<Self, SimError> {
        Self::build(config, Start::Config)
    }

    /// Like [`Simulation::new`], with `cells` (checked by the caller: inside the domain,
    /// off its border, once per site, ρ ≤ `cells.rho_max`) as the initial tumour instead
    /// of `config.init`: the start of `init.kind = "checkpoint"`.
    pub fn with_cells(config: &Config, cells: &[InitCell]) -> Result<Self, SimError> {
        Self::build(config, Start::Cells(cells))
    }

    /// Like [`Simulation::new`], for a simulation whose state a checkpoint overwrites
    /// next: the cells of a cells file or checkpoint start are not read again.
    pub(crate) fn for_restore(config: &Config) -> Result<Self, SimError> {
        Self::build(config, Start::Restore)
    }

    fn build(config: &Config, start: Start) -> Result<Self, SimError> {
        let seed = config.run.seed.unwrap_or(0);
        let threads = config.run.threads;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| SimError::Threads {
                threads,
                message: e.to_string(),
            })?;
        let dims = config.space.dims as usize;
        let mut lattice = Lattice::new(dims, config.space.initial_size, config.space.max_size);
        match start {
            Start::Cells(cells) => place_cells(&mut lattice, cells),
            Start::Restore if matches!(config.init.kind, InitKind::File | InitKind::Checkpoint) => {
            }
            Start::Config | Start::Restore => seed_initial_cells(&mut lattice, config, seed)?,
        }
        let mut primary = pool.install(|| Primary::new(lattice));
        primary.set_clearance_steps(clearance_steps(config));
        let cytokines = if config.fields.enabled {
            let dt_s = config.run.dt_h * 3600.0;
            Some(
                Cytokines::new(
                    &primary.lattice,
                    &config.fields,
                    config.space.spacing_um,
                    dt_s,
                )
                .map_err(|e| SimError::Fields(e.to_string()))?,
            )
        } else {
            None
        };
        let max_steps = step_of_day(config.run.days, config.run.dt_h);
        Ok(Simulation {
            config: config.clone(),
            seed,
            base_rates: HierarchyRates::from_config(config),
            rates: HierarchyRates::from_config(config),
            therapy: TherapyState::new(config),
            primary,
            cytokines,
            mscs: Mscs::new(config),
            metastasis: config
                .dissemination
                .enabled
                .then(|| Metastasis::new(config)),
            step: 0,
            last_primary_turns: 0,
            max_steps,
            pool: std::sync::Arc::new(pool),
            observed: false,
        })
    }

    /// The config the simulation was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Simulated time in hours.
    pub fn time_h(&self) -> f64 {
        self.step as f64 * self.config.run.dt_h
    }

    /// Steps the run lasts unless stopped earlier.
    pub fn max_steps(&self) -> u64 {
        self.max_steps
    }

    /// Per-step probabilities of the hierarchy rules.
    pub fn rates(&self) -> &HierarchyRates {
        &self.rates
    }

    /// Cancer cells anywhere: primary, blood, dormant and in colonies.
    pub fn cancer_cells(&self) -> u64 {
        self.primary.total()
            + self
                .metastasis
                .as_ref()
                .map_or(0, Metastasis::cells_outside_primary)
    }

    /// Whether the run should stop now, and why.
    pub fn stop_reason(&self) -> Option<StopReason> {
        let stop_cells = self.config.run.stop_at_cells;
        if stop_cells > 0 && self.primary.total() >= stop_cells {
            Some(StopReason::Cells)
        } else if self.cancer_cells() == 0 {
            Some(StopReason::Extinct)
        } else if self.step >= self.max_steps {
            Some(StopReason::Days)
        } else {
            None
        }
    }

    /// One step in the order of docs/model.md §3 (without observers).
    pub fn step(&mut self) {
        self.observed = false;
        let pool = std::sync::Arc::clone(&self.pool);
        let parallel = pool.current_num_threads() > 1;
        if pool.current_thread_index().is_some() || (!parallel && self.cytokines.is_none()) {
            // Inside the pool already, or nothing in this step uses rayon.
            self.step_inner(parallel);
        } else {
            // Everything parallel inside a step (field sweeps, counting, tile phases) runs
            // on this simulation's pool, never on rayon's global one.
            pool.install(|| self.step_inner(parallel));
        }
    }

    fn step_inner(&mut self, parallel: bool) {
        let step = self.step;
        // 2. Therapy: instant events on the primary, then this step's modifiers.
        if self.therapy.any() {
            let mods = self.therapy.begin_step(step, self.seed, &mut self.primary);
            self.rates = mods.apply(&self.base_rates);
            if let Some(met) = &mut self.metastasis {
                met.set_therapy(&mods);
            }
        }
        let mut local = LocalStep {
            config: &self.config,
            rates: &self.rates,
            seed: self.seed,
            step,
            primary: &mut self.primary,
            cytokines: &mut self.cytokines,
            mscs: &mut self.mscs,
        };
        match &mut self.metastasis {
            None => local.run(parallel),
            Some(met) => {
                // 8. Colonies founded in earlier steps, each on its own streams. They read
                // nothing that items 3–5 write, so they step concurrently with them when
                // their work (cell turns in the last step) rivals the primary's: the
                // primary then steps on one thread while the others take colonies (and it
                // joins them when done); otherwise each steps in parallel in turn. Which
                // way is taken changes speed only, never results.
                let primary_turns = local.primary.events().turns - self.last_primary_turns;
                self.last_primary_turns = local.primary.events().turns;
                if parallel && 5 * met.last_colony_turns() >= 3 * primary_turns {
                    rayon::join(|| local.run(false), || met.step_colonies(step, true));
                } else {
                    met.step_colonies(step, parallel);
                    local.run(parallel);
                }
                // 6. Dissemination (serial, one stream per step): new colonies take their
                // first step in the next step.
                met.disseminate(&mut self.primary, step);
                // 7. Niches.
                met.update_niches(self.primary.total(), step);
            }
        }
        // 9. Advance time.
        self.step += 1;
    }

    /// Run until a stop condition, calling `observer` at every step and at the end. The
    /// whole loop runs inside the simulation's thread pool, so steps do not pay for handing
    /// work to it.
    pub fn run(&mut self, observer: &mut (impl Observer + Send)) -> StopReason {
        self.run_in_pool(observer, None)
            .expect("without a pause the loop ends with a stop reason")
    }

    /// Run until step `step` has started and `observer` has seen it, then pause (return
    /// `None`) before stepping; or return the stop reason if the run ends first (then the
    /// observer has had its last call). A later [`Simulation::run`] or `run_until` goes on
    /// without observing the paused step again, so pausing never changes what observers
    /// record. A `step` already reached pauses at the current step.
    pub fn run_until(
        &mut self,
        observer: &mut (impl Observer + Send),
        step: u64,
    ) -> Option<StopReason> {
        self.run_in_pool(observer, Some(step))
    }

    fn run_in_pool(
        &mut self,
        observer: &mut (impl Observer + Send),
        pause_at: Option<u64>,
    ) -> Option<StopReason> {
        let pool = std::sync::Arc::clone(&self.pool);
        if pool.current_num_threads() == 1 && self.cytokines.is_none() {
            // Nothing uses rayon: stay on the calling thread.
            return self.run_loop(observer, pause_at);
        }
        pool.install(|| self.run_loop(observer, pause_at))
    }

    fn run_loop(
        &mut self,
        observer: &mut impl Observer,
        pause_at: Option<u64>,
    ) -> Option<StopReason> {
        loop {
            let reason = self.stop_reason();
            if !self.observed {
                observer.observe(self, reason.is_some());
                self.observed = true;
            }
            if reason.is_some() {
                return reason;
            }
            if pause_at.is_some_and(|p| self.step >= p) {
                return None;
            }
            self.step();
        }
    }

    /// Checkpoint: the dynamic state (step counters, primary, fields, MSCs, metastasis).
    /// Everything derived from the config (rates, tables, thread pool) is not saved: it is
    /// rebuilt by [`Simulation::new`] before [`Simulation::load_state`].
    pub(crate) fn save_state(&self, w: &mut crate::persist::Writer) {
        w.put_u64(self.step);
        w.put_u64(self.last_primary_turns);
        w.put_bool(self.observed);
        self.primary.save(w);
        w.put_option(self.cytokines.as_ref(), |w, c| c.save(w));
        self.mscs.save(w);
        w.put_option(self.metastasis.as_ref(), |w, m| m.save(w));
        self.therapy.save(w);
    }

    /// Overwrite the dynamic state of a simulation freshly built by [`Simulation::new`]
    /// with one written by [`Simulation::save_state`]. The config must keep the structural keys of the saved one (checked by
    /// the caller), so that fields and metastasis are present in both or in neither.
    pub(crate) fn load_state(
        &mut self,
        r: &mut crate::persist::Reader<'_>,
    ) -> Result<(), crate::persist::CodecError> {
        use crate::persist::CodecError;
        self.step = r.count()?;
        self.last_primary_turns = r.count()?;
        self.observed = r.bool()?;
        let at = r.position();
        let primary = Primary::load(r)?;
        let space = &self.config.space;
        if primary.lattice.dims != usize::from(space.dims)
            || primary.lattice.domain != i64::from(space.max_size)
        {
            return Err(CodecError::Invalid {
                what: "primary lattice (dimensions or domain differ from space.dims, space.max_size)",
                offset: at,
            });
        }
        if self.last_primary_turns > primary.events().turns {
            return Err(CodecError::Invalid {
                what: "primary turns at the last step (more than the primary's turns)",
                offset: 8,
            });
        }
        self.primary = primary;
        self.primary
            .set_clearance_steps(clearance_steps(&self.config));
        let at = r.position();
        let mismatch = |what| CodecError::Invalid { what, offset: at };
        match (r.bool()?, self.cytokines.as_mut()) {
            (true, Some(c)) => {
                c.restore(r)?;
                if !c.fits(&self.primary.lattice) {
                    return Err(mismatch(
                        "cytokine field grid (shape or origin do not fit the lattice window)",
                    ));
                }
            }
            (false, None) => {}
            _ => {
                return Err(mismatch(
                    "cytokine fields (present in one of config and state)",
                ));
            }
        }
        self.mscs.restore(r)?;
        let at = r.position();
        if !self.mscs.on_lattice(&self.primary.lattice) {
            return Err(CodecError::Invalid {
                what: "MSC position (outside the lattice window or on the border)",
                offset: at,
            });
        }
        let at = r.position();
        match (r.bool()?, self.metastasis.as_mut()) {
            (true, Some(m)) => {
                m.restore(r)?;
                m.check_restored()
                    .map_err(|what| CodecError::Invalid { what, offset: at })?;
            }
            (false, None) => {}
            _ => {
                return Err(CodecError::Invalid {
                    what: "metastasis (present in one of config and state)",
                    offset: at,
                });
            }
        }
        let at = r.position();
        self.therapy.restore(r)?;
        if !self.therapy.consistent(self.step) {
            return Err(CodecError::Invalid {
                what: "therapy state (relapse after the checkpoint's step or before the reference)",
                offset: at,
            });
        }
        Ok(())
    }
}

/// Step order items 3–5 (fields, primary, MSCs), on borrowed parts of the simulation so
/// that colonies (item 8) can step alongside.
struct LocalStep<'a> {
    config: &'a Config,
    rates: &'a HierarchyRates,
    seed: u64,
    step: u64,
    primary: &'a mut Primary,
    cytokines: &'a mut Option<Cytokines>,
    mscs: &'a mut Mscs,
}

impl LocalStep<'_> {
    /// Items 3–5; `parallel`: the primary's tiles on the current rayon pool.
    fn run(&mut self, parallel: bool) {
        let (cfg, rates, seed, step) = (self.config, self.rates, self.seed, self.step);
        // 3. Fields: sources from the cells now, then one implicit step (sub-cycled).
        if let Some(cy) = self.cytokines.as_mut() {
            if !cy.matches(&self.primary.lattice) {
                let far = [
                    cfg.fields.il6.far_field_ng_ml as f32,
                    cfg.fields.cxcl7.far_field_ng_ml as f32,
                ];
                cy.regrid(&self.primary.lattice, far)
                    .expect("the lattice window keeps tile-aligned origins, so fields re-grid");
            }
            cy.count_cells(&mut self.primary.lattice);
            cy.advance(&cfg.fields, rates, Some(self.mscs.secretion()));
        }
        // 4. Primary cancer cells.
        let fields = self.cytokines.as_ref().map(Cytokines::view);
        self.primary.step(rates, seed, step, parallel, fields);
        // 5. MSCs (serial, one stream per step: a few thousand agents at most).
        self.mscs.step(
            self.primary,
            self.cytokines.as_ref(),
            rates.il6_signal,
            seed,
            step,
        );
    }
}

/// K = round(`cells.clearance_h` / dt): the steps for which a dead primary cell's debris
/// blocks its site (0: none).
fn clearance_steps(config: &Config) -> u64 {
    (config.cells.clearance_h / config.run.dt_h).round() as u64
}

/// Place `cells` on the lattice, grown until their bounding box fits (they lie inside the
/// domain, off its border).
fn place_cells(lattice: &mut Lattice, cells: &[InitCell]) {
    let Some(first) = cells.first() else {
        return;
    };
    let (mut lo, mut hi) = (first.pos, first.pos);
    for c in cells {
        for a in 0..3 {
            lo[a] = lo[a].min(c.pos[a]);
            hi[a] = hi[a].max(c.pos[a]);
        }
    }
    while (lattice.site_at(lo).is_none() || lattice.site_at(hi).is_none()) && lattice.grow() {}
    for c in cells {
        let s = lattice
            .site_at(c.pos)
            .expect("the window was grown to hold the cells, which lie inside the domain");
        let code = match c.kind {
            InitCellKind::Csc => STEM,
            InitCellKind::Progenitor(rho) => progenitor(rho),
        };
        lattice.set(s, code);
    }
}

/// Place the initial cells of `config.init` on the lattice (domain centre = max_size / 2).
fn seed_initial_cells(lattice: &mut Lattice, config: &Config, seed: u64) -> Result<(), SimError> {
    let dims = config.space.dims as usize;
    let c = (config.space.max_size / 2) as i64;
    let centre = [c, c, if dims == 3 { c } else { 0 }];
    match config.init.kind {
        InitKind::SingleCsc | InitKind::SingleProgenitor => {
            let s = lattice.site_at(centre).expect("centre inside window");
            let code = if config.init.kind == InitKind::SingleCsc {
                STEM
            } else {
                progenitor(config.cells.rho_max)
            };
            lattice.set(s, code);
        }
        InitKind::File => {
            let file = config.init.file.as_deref().ok_or_else(|| {
                SimError::InitialCells("init.kind = \"file\" needs init.file".to_string())
            })?;
            let rules = CellsFileRules {
                dims: config.space.dims,
                max_size: config.space.max_size,
                rho_max: config.cells.rho_max,
            };
            let cells = crate::config::read_cells_file(std::path::Path::new(file), rules).map_err(
                |problems| {
                    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    SimError::InitialCells(lines.join("; "))
                },
            )?;
            place_cells(lattice, &cells);
        }
        InitKind::Checkpoint => {
            return Err(SimError::InitialCells(
                "init.kind = \"checkpoint\" starts from the checkpoint's cells: \
                 build it with Simulation::with_cells"
                    .to_string(),
            ));
        }
        InitKind::Disc => {
            let mut rng = rng::stream(seed, purpose::INIT, 0, 0);
            let r = config.init.radius;
            let ri = r.ceil() as i64;
            // The window starts small: grow it until the disc's bounding box fits.
            let lo = [
                centre[0] - ri,
                centre[1] - ri,
                if dims == 3 { centre[2] - ri } else { 0 },
            ];
            let hi = [
                centre[0] + ri,
                centre[1] + ri,
                if dims == 3 { centre[2] + ri } else { 0 },
            ];
            while (lattice.site_at(lo).is_none() || lattice.site_at(hi).is_none()) && lattice.grow()
            {
            }
            let zr = if dims == 3 { -ri..=ri } else { 0..=0 };
            let mut sites = Vec::new();
            for dz in zr {
                for dy in -ri..=ri {
                    for dx in -ri..=ri {
                        if ((dx * dx + dy * dy + dz * dz) as f64) > r * r {
                            continue;
                        }
                        let d = [centre[0] + dx, centre[1] + dy, centre[2] + dz];
                        if lattice.is_wall(d) {
                            continue;
                        }
                        sites.push(lattice.site_at(d).expect(
                            "the window was grown to hold the disc, which validation keeps inside the domain",
                        ));
                    }
                }
            }
            // A population with a known CSC share: f·N CSCs rounded at random (so the
            // expected count is f·N and it varies by less than one), on sites drawn
            // uniformly without replacement (a partial Fisher–Yates shuffle).
            let n = sites.len();
            let exact = config.init.csc_fraction * n as f64;
            let stem =
                (exact.floor() as usize + usize::from(uniform(&mut rng) < exact.fract())).min(n);
            for i in 0..stem {
                let j = i + below(&mut rng, n - i);
                sites.swap(i, j);
            }
            for (i, &s) in sites.iter().enumerate() {
                let code = if i < stem {
                    STEM
                } else {
                    progenitor(below(&mut rng, config.cells.rho_max as usize + 1) as u8)
                };
                lattice.set(s, code);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disc config that validation accepts but whose disc does not fit the initial window.
    fn disc(radius: f64, max_size: u32) -> Config {
        let mut c = Config::default();
        c.run.seed = Some(1);
        c.run.threads = 1;
        c.space.initial_size = 64;
        c.space.max_size = max_size;
        c.init.kind = InitKind::Disc;
        c.init.radius = radius;
        c
    }

    #[test]
    fn a_valid_disc_larger_than_the_initial_window_is_placed() {
        // Both configs validate (the disc fits the domain); the window should grow to hold
        // the disc (docs/model.md §2.3: the lattice window starts small and grows).
        // max_size 1022: centre 511 = 15·32 + 31 lies one site below the top of the 64-site
        // window [448, 512), so even the default radius 10 does not fit.
        for (radius, max_size) in [(10.0, 1022), (30.0, 2000)] {
            let c = disc(radius, max_size);
            c.validate().expect("valid config");
            let sim = Simulation::new(&c).unwrap();
            let r = radius.ceil() as i64;
            let n = (2 * r + 1) * (2 * r + 1);
            assert!(
                sim.primary.total() > (n as u64) / 2,
                "radius {radius}, max_size {max_size}"
            );
            sim.primary.check_invariants();
        }
    }

    #[test]
    fn a_disc_holds_its_csc_share_rounded_at_random_on_uniform_sites() {
        // Default radius 5: N = 81 cells, f_0 = 0.05 → f_0·N = 4.05 CSCs: 4 with
        // probability 0.95, 5 with probability 0.05, never another count. Over 1,500
        // seeds the mean count is 4.05 with standard error 0.218 / √1500 = 0.0056; it is
        // asserted within 0.03 (5.3 standard errors). Each site is a CSC with probability
        // f_0: the CSCs among the 21 sites within radius 2.5 of the centre average
        // 21 · 0.05 = 1.05 per disc (standard error ≤ √(1.05 · 0.95 / 1500) = 0.026);
        // asserted within 0.12 (4.6 standard errors).
        let seeds = 1500u64;
        let (mut total, mut fives, mut inner) = (0u64, 0u64, 0u64);
        for seed in 0..seeds {
            let mut c = disc(5.0, 2000);
            c.init.csc_fraction = 0.05;
            c.run.seed = Some(seed);
            let sim = Simulation::new(&c).unwrap();
            let lat = &sim.primary.lattice;
            assert_eq!(sim.primary.total(), 81);
            let stem: Vec<usize> = sim
                .primary
                .cell_sites()
                .into_iter()
                .filter(|&s| lat.code(s) == STEM)
                .collect();
            assert!(
                matches!(stem.len(), 4 | 5),
                "seed {seed}: {} CSCs",
                stem.len()
            );
            total += stem.len() as u64;
            fives += u64::from(stem.len() == 5);
            let centre = 1000i64;
            inner += stem
                .iter()
                .filter(|&&s| {
                    let d = lat.domain_coords(s);
                    let (dx, dy) = (d[0] - centre, d[1] - centre);
                    ((dx * dx + dy * dy) as f64) <= 2.5 * 2.5
                })
                .count() as u64;
        }
        let mean = total as f64 / seeds as f64;
        assert!((mean - 4.05).abs() < 0.03, "mean CSC count {mean}");
        assert!(fives > 0, "the count is rounded up sometimes");
        let inner_mean = inner as f64 / seeds as f64;
        assert!(
            (inner_mean - 1.05).abs() < 0.12,
            "CSCs near the centre {inner_mean}"
        );
        // The extremes: f_0 = 0 gives no CSC, f_0 = 1 only CSCs.
        for (f, want) in [(0.0, 0u64), (1.0, 81)] {
            let mut c = disc(5.0, 2000);
            c.init.csc_fraction = f;
            let sim = Simulation::new(&c).unwrap();
            let lat = &sim.primary.lattice;
            let stem = sim
                .primary
                .cell_sites()
                .into_iter()
                .filter(|&s| lat.code(s) == STEM);
            assert_eq!(stem.count() as u64, want);
        }
    }
}
