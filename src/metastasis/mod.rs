//! Dissemination, circulation, colonisation, dormancy and the pre-metastatic niche
//! (docs/model.md §7.12–7.15; step order items 6–8).
//!
//! # Rules, per step of `dt` hours
//!
//! κ = `run.cells_per_agent`: the real cells one agent of the primary stands for (1 = one
//! agent, one cell). It multiplies the primary's systemic outputs, marked κ below.
//!
//! | rule | probability per step | key |
//! |---|---|---|
//! | intravasation of a rim cell (free neighbour), once the primary holds `min_primary_cells` | `p_i = r_i · dt/24`, CSCs `× csc_factor`; cells per rim agent Binomial(⌈κ⌉, κ p_i / ⌈κ⌉) | `dissemination.intravasation_per_day`, `csc_factor`, `min_primary_cells`, `run.cells_per_agent` |
//! | mass-based shedding (replaces the rim rule when `shed > 0`) | Poisson, mean `κ · shed · N · dt/24`, from the exterior rim, CSCs weighted `× csc_factor` | `dissemination.shed_per_cell_per_day` |
//! | a CTC leaves the blood | `1 − exp(−(λ + a) dt)`, `λ = ln 2 / t½` | `ctc_half_life_h`, `arrest_per_h` |
//! | ... by death / by arrest | `λ / (λ + a)` / `a / (λ + a)` | (competing hazards) |
//! | arrest in organ o | `w_o / Σ w` | `organs.<o>.arrival_weight` |
//! | extravasation | `p_ext` | `extravasation` |
//! | a CSC DTC founds a colony | `min(1, p_col · τ_o · (1 + g · N_o))`, else dormant | `p_colonise`, `organs.<o>.tropism`, `niche.colonisation_gain` |
//! | a non-stem DTC | founds a colony (a clone of at most 2^ρ cells) | |
//! | a dormant CSC wakes, founding a colony | `r_w · dt/24 · τ_o · (1 + g · N_o)` | `wake_per_day` |
//! | a non-stem DTC starts a clone, else stays solitary and dormant | `p_nc` | `p_non_stem_clone` |
//! | a solitary dormant non-stem DTC dies | `δ · dt/24` | `dtc_death_per_day` |
//! | tumour-derived factor | `dT/dt = s · κ · N_primary − k T` (exact over a step) | `niche.tdsf_per_cell`, `tdsf_clearance_per_day`, `run.cells_per_agent` |
//! | HPCs mobilised | Poisson, mean `(m · T + m_max · T / (K_T + T)) · dt/24 · (1 − blockade)` | `niche.mobilisation`, `mobilisation_max`, `k_tdsf`, `vegfr1_blockade` |
//! | homing to organ o | multinomial, `h_o / Σ h` | `organs.<o>.hpc_homing_weight` |
//! | an organ HPC is lost | `1 − exp(−ℓ · dt/24)` | `niche.hpc_loss_per_day` |
//! | niche level | `N_o = H_oⁿ / (K_Hⁿ + H_oⁿ)`, formed while `N_o ≥ 0.5` | `niche.k_hpc`, `hill_n` |
//!
//! Counting with κ > 1. Each cell shed is one CTC agent, and from the blood on every agent
//! is one cell: CTC, arrest, extravasation, DTC, dormancy and colony counts (and the
//! colonies' own lattices) are single cells, never multiplied by κ, so nothing is counted
//! twice. The shed cell's agent in the primary stands for κ cells, so the cell takes 1/κ of
//! it: the agent leaves the lattice with probability 1/κ per cell it sheds (mass-based), or
//! min(1, c/κ) once it has shed c cells in a step (rim rule). At κ = 1 every shed cell
//! removes its agent, without a draw, as before the key existed.
//!
//! Circulation uses the exact competing-risk form rather than `rate × dt`: at dt = 1 h and
//! a 1.5 h half-life the linear form would be far off, and the exact one makes survival in
//! the blood exactly `2^(−t/t½)` at every step.
//!
//! Each colony ([`Colony`]) is a lattice clone stepped with the primary's hierarchy rules
//! (no fields; non-stem plasticity at `dissemination.colony_dedifferentiation_per_day`),
//! keyed by its own seed, so colonies step in parallel with results independent of the
//! thread count. Dormant cells are counts per organ and cost one binomial draw per organ
//! and step; an organ without cells costs nothing.
//!
//! Every random draw of items 6 and 7 comes from one stream per step and purpose; work is
//! done in fixed orders (tile lists, CTC list, organ name order, colony id order).
//! Checkpoints save and restore this state in the private `restore` module.

pub mod cascade;
pub mod colony;
pub mod events;
pub mod organ;
mod restore;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use std::collections::BTreeMap;

use rand_distr::{Binomial, Distribution, Poisson};

use crate::config::Config;
use crate::engine::primary::{EventCounts, Primary};
use crate::model::HierarchyRates;
use crate::model::hierarchy::hill;
use crate::model::kind::{STEM, class_index, is_cell};
use crate::rng::{self, Stream, purpose, uniform};
use crate::units::hours_to_days;
pub use cascade::Cascade;
pub use colony::{Avascular, Colony};
pub use events::{Compartment, EventKind, MetEvent};
pub use organ::Organ;

/// Per-step probabilities of the rules above.
#[derive(Debug, Clone)]
struct Rates {
    p_intra: f64,
    p_intra_csc: f64,
    p_ctc_leave: f64,
    death_share: f64,
    p_extravasate: f64,
    p_colonise: f64,
    gain: f64,
    p_wake: f64,
    p_non_stem_clone: f64,
    p_dtc_death: f64,
    /// Mass-based shedding per primary agent per step, κ included.
    shed_per_step: f64,
    /// κ, `run.cells_per_agent`.
    cells_per_agent: f64,
    csc_factor: f64,
    avascular_cells: u64,
    p_switch: f64,
    detect: u64,
    micro: u64,
    min_primary: u64,
    /// Tumour-derived factor per primary agent per day, κ included.
    tdsf_source: f64,
    tdsf_keep: f64,
    tdsf_clearance_per_day: f64,
    dt_days: f64,
    mobilisation: f64,
    mobilisation_max: f64,
    k_tdsf: f64,
    p_hpc_loss: f64,
    k_hpc: f64,
    hill_n: f64,
}

/// The metastatic state of a run: circulation, organs (niches, dormant cells), colonies.
#[derive(Debug)]
pub struct Metastasis {
    rates: Rates,
    colony_rates: HierarchyRates,
    /// Colony rates before therapy.
    colony_base_rates: HierarchyRates,
    /// HPC mobilisation left by anti-VEGFR1 therapy in this step.
    mobilisation_factor: f64,
    /// Per-step chemo death of a CTC, `[CSC, non-stem]`, in this step.
    ctc_kill: [f64; 2],
    dims: usize,
    colony_max_size: u32,
    /// The organs, in name order.
    pub organs: Vec<Organ>,
    /// Kind codes of the circulating tumour cells, in order of entry.
    circulation: Vec<u8>,
    /// Living colonies, in id order.
    colonies: Vec<Colony>,
    next_colony: u64,
    /// Systemic tumour-derived factor T (arbitrary units).
    tdsf: f64,
    cascade: Cascade,
    log: Vec<MetEvent>,
    pending: BTreeMap<(EventKind, Compartment, usize), u64>,
    first_detection_step: Option<u64>,
    scratch: Vec<usize>,
    /// The primary's exterior (mass-based shedding), with the step and window size it
    /// was computed for: recomputed once a day and whenever the window grows.
    /// One bit a site.
    exterior: FixedBitSet,
    exterior_at: Option<(u64, usize)>,
    /// [`crate::space::exterior::rim_map`] of `exterior`, kept with it (not saved: rebuilt
    /// from `exterior` when its length differs, as after a restore).
    exterior_rim: FixedBitSet,
    seed: u64,
    last_colony_turns: u64,
}

impl Metastasis {
    /// The metastatic compartments of a validated config (no cells anywhere yet).
    pub fn new(config: &Config) -> Self {
        let d = &config.dissemination;
        let n = &config.niche;
        let dt = config.run.dt_h;
        let dt_days = hours_to_days(dt);
        let lambda = std::f64::consts::LN_2 / d.ctc_half_life_h;
        let hazard = lambda + d.arrest_per_h;
        let mut colony_config = config.clone();
        colony_config.cells.dedifferentiation_per_day = d.colony_dedifferentiation_per_day;
        colony_config.cells.csc_death_per_day = d.colony_csc_death_per_day;
        let k = n.tdsf_clearance_per_day;
        let tdsf_keep = (-k * dt_days).exp();
        // κ: every systemic output of a primary agent is that of κ cells.
        let kappa = config.run.cells_per_agent;
        let rates = Rates {
            p_intra: d.intravasation_per_day * dt_days,
            p_intra_csc: d.intravasation_per_day * d.csc_factor * dt_days,
            p_ctc_leave: -(-hazard * dt).exp_m1(),
            death_share: if hazard > 0.0 { lambda / hazard } else { 1.0 },
            p_extravasate: d.extravasation,
            p_colonise: d.p_colonise,
            gain: n.colonisation_gain,
            p_wake: d.wake_per_day * dt_days,
            p_non_stem_clone: d.p_non_stem_clone,
            shed_per_step: d.shed_per_cell_per_day * dt_days * kappa,
            cells_per_agent: kappa,
            csc_factor: d.csc_factor,
            p_dtc_death: d.dtc_death_per_day * dt_days,
            avascular_cells: d.avascular_cells,
            p_switch: d.switch_per_day * dt_days,
            detect: d.detect_cells,
            micro: d.micrometastasis_cells,
            min_primary: d.min_primary_cells,
            tdsf_source: n.tdsf_per_cell * kappa,
            tdsf_keep,
            tdsf_clearance_per_day: k,
            dt_days,
            mobilisation: n.mobilisation * (1.0 - n.vegfr1_blockade),
            mobilisation_max: n.mobilisation_max * (1.0 - n.vegfr1_blockade),
            k_tdsf: n.k_tdsf,
            p_hpc_loss: -(-n.hpc_loss_per_day * dt_days).exp_m1(),
            k_hpc: n.k_hpc,
            hill_n: n.hill_n,
        };
        let organs = config
            .organs
            .iter()
            .map(|(name, o)| Organ {
                name: name.clone(),
                arrival_weight: o.arrival_weight,
                hpc_homing_weight: o.hpc_homing_weight,
                tropism: o.tropism,
                hpcs: 0,
                dormant: 0,
                dormant_non_stem: 0,
                niche_formed: false,
                niche_formed_step: None,
                first_arrival_step: None,
                arrested: 0,
                extravasated: 0,
                colonies_founded: 0,
                micrometastases: 0,
                detected: 0,
                cells: [0; 3],
                living_colonies: 0,
                sites: 0,
                past_events: EventCounts::default(),
            })
            .collect();
        Metastasis {
            rates,
            colony_rates: HierarchyRates::from_config(&colony_config),
            colony_base_rates: HierarchyRates::from_config(&colony_config),
            mobilisation_factor: 1.0,
            ctc_kill: [0.0; 2],
            dims: config.space.dims as usize,
            colony_max_size: d.colony_max_size,
            organs,
            circulation: Vec::new(),
            colonies: Vec::new(),
            next_colony: 1,
            tdsf: 0.0,
            cascade: Cascade::default(),
            log: Vec::new(),
            pending: BTreeMap::new(),
            first_detection_step: None,
            scratch: Vec::new(),
            exterior: FixedBitSet::new(),
            exterior_at: None,
            exterior_rim: FixedBitSet::new(),
            seed: config.run.seed.unwrap_or(0),
            last_colony_turns: 0,
        }
    }

    /// Step order item 2: the therapy modifiers of this step for colonies (systemic drugs),
    /// HPC mobilisation (anti-VEGFR1) and CTCs (per-step chemo death).
    pub fn set_therapy(&mut self, mods: &crate::therapy::Modifiers) {
        self.colony_rates = mods.apply(&self.colony_base_rates);
        self.mobilisation_factor = mods.mobilisation;
        self.ctc_kill = mods.chemo_death;
    }

    /// The hierarchy rates colonies step with (the primary's, with
    /// `dissemination.colony_dedifferentiation_per_day` as plasticity and no fields;
    /// therapy modifiers of the current step applied).
    pub fn colony_rates(&self) -> &HierarchyRates {
        &self.colony_rates
    }

    /// Turns (cell updates) the colonies took in their last step: the work of a step.
    pub fn last_colony_turns(&self) -> u64 {
        self.last_colony_turns
    }

    /// Cumulative cascade counts.
    pub fn cascade(&self) -> Cascade {
        self.cascade
    }

    /// The event log so far, in order.
    pub fn events(&self) -> &[MetEvent] {
        &self.log
    }

    /// Kind codes of the circulating tumour cells.
    pub fn circulation(&self) -> &[u8] {
        &self.circulation
    }

    /// CTCs by class.
    pub fn ctc_counts(&self) -> [u64; 3] {
        let mut c = [0; 3];
        for &code in &self.circulation {
            c[class_index(code)] += 1;
        }
        c
    }

    /// Living colonies, in id order.
    pub fn colonies(&self) -> &[Colony] {
        &self.colonies
    }

    /// The systemic tumour-derived factor T.
    pub fn tdsf(&self) -> f64 {
        self.tdsf
    }

    /// Niche level N_o of an organ from its HPC count.
    pub fn niche_level(&self, organ: usize) -> f64 {
        hill(
            self.organs[organ].hpcs as f64,
            self.rates.k_hpc,
            self.rates.hill_n,
        )
    }

    /// Step of the first detected metastasis.
    pub fn first_detection_step(&self) -> Option<u64> {
        self.first_detection_step
    }

    /// Cells outside the primary: circulating, dormant and in colonies.
    pub fn cells_outside_primary(&self) -> u64 {
        self.circulation.len() as u64
            + self
                .organs
                .iter()
                .map(|o| o.dormant + o.dormant_non_stem + o.metastatic_cells())
                .sum::<u64>()
    }

    /// Put cells of the given kind codes into the blood (tests and scenarios).
    pub fn inject_ctcs(&mut self, codes: &[u8]) {
        self.circulation.extend_from_slice(codes);
    }

    /// Step order item 6: intravasation from the primary's rim, circulation, arrest,
    /// extravasation, colonisation or dormancy, and waking.
    pub fn disseminate(&mut self, primary: &mut Primary, step: u64) {
        let mut rng = rng::stream(self.seed, purpose::DISSEMINATION, 0, step);
        self.intravasate(primary, &mut rng, step);
        self.circulate(&mut rng, step);
        self.wake(&mut rng, step);
        self.solitary_deaths(&mut rng);
        self.flush(step);
    }

    /// Rim cells of the primary enter the blood (sampled at the CSC rate over the listed
    /// sites and thinned to each cell's own rate).
    ///
    /// A rim agent stands for κ cells (`run.cells_per_agent`), each leaving with its
    /// per-step probability p: it sheds Binomial(n, κ p / n) cells, n = ⌈κ⌉ (exactly κ
    /// independent cells for a whole κ; mean κ p always). Sites are sampled with the chance
    /// that at least one of the n trials at the CSC rate succeeds, the number of successes
    /// is drawn given that, and each is thinned to the cell's own rate. Each cell becomes
    /// one CTC; the agent leaves the lattice with probability min(1, c/κ) after shedding c
    /// cells. At κ = 1 this is one Bernoulli(p) per sampled site and the agent leaves with
    /// its cell, with the same draws as before `run.cells_per_agent` existed.
    fn intravasate(&mut self, primary: &mut Primary, rng: &mut Stream, step: u64) {
        if self.rates.shed_per_step > 0.0 {
            self.shed(primary, rng, step);
            return;
        }
        let (p_non_stem, p_csc) = (self.rates.p_intra, self.rates.p_intra_csc);
        let p_max = p_non_stem.max(p_csc);
        if p_max <= 0.0 || primary.total() == 0 || primary.total() < self.rates.min_primary {
            return;
        }
        let kappa = self.rates.cells_per_agent;
        let trials = kappa.ceil() as u64;
        // Per trial at the CSC rate; the chance that a site sheds at least one cell.
        let p_trial = p_max * (kappa / trials as f64);
        let p_site = if trials == 1 {
            p_trial
        } else {
            -(trials as f64 * (-p_trial).ln_1p()).exp_m1()
        };
        let mut sites = std::mem::take(&mut self.scratch);
        sites.clear();
        primary.sample_listed(p_site, rng, &mut sites);
        for &s in &sites {
            if !primary.is_rim(s) {
                continue;
            }
            let code = primary.lattice.code(s);
            let p = if code == STEM { p_csc } else { p_non_stem };
            let cells = if trials == 1 {
                u64::from(uniform(rng) * p_max < p)
            } else {
                let hits = successes_given_one(trials, p_trial, p_site, rng);
                if p >= p_max {
                    hits
                } else {
                    Binomial::new(hits, p / p_max)
                        .expect("0 ≤ p / p_max < 1")
                        .sample(rng)
                }
            };
            if cells == 0 {
                continue;
            }
            for _ in 0..cells {
                self.circulation.push(code);
                self.cascade.intravasated[class_index(code)] += 1;
                self.count(EventKind::Intravasation, Compartment::Primary, code);
            }
            // The agent goes with probability min(1, cells / κ) (always at κ = 1).
            let c = cells as f64;
            if c >= kappa || uniform(rng) * kappa < c {
                primary.remove_cell(s);
            }
        }
        self.scratch = sites;
    }

    /// Mass-based shedding: a Poisson number with mean `κ · shed · N · dt` of cells of the
    /// exterior rim enter the blood, CSCs weighted by `csc_factor` (drawn by rejection
    /// among the listed cells next to an exterior site). Each shed cell is one CTC; its
    /// agent leaves the lattice with probability 1/κ (always at κ = 1, without a draw),
    /// and an agent that left cannot be drawn again in the step. The exterior is
    /// recomputed once a day and whenever the lattice window changes, and extended at
    /// once by the sites of the agents that left; the candidates are gathered each step.
    fn shed(&mut self, primary: &mut Primary, rng: &mut Stream, step: u64) {
        let n = primary.total();
        if n == 0 || n < self.rates.min_primary {
            return;
        }
        let steps_per_day = (1.0 / self.rates.dt_days).round().max(1.0) as u64;
        let day = step / steps_per_day;
        let len = primary.lattice.len();
        let stale = match self.exterior_at {
            Some((d, l)) => l != len || d != day,
            None => true,
        };
        if stale {
            self.exterior = crate::space::exterior::exterior(&primary.lattice);
            self.exterior_at = Some((day, len));
        }
        if stale || self.exterior_rim.len() != self.exterior.len() {
            self.exterior_rim = crate::space::exterior::rim_map(&primary.lattice, &self.exterior);
        }
        let mean = self.rates.shed_per_step * n as f64;
        // Below rand_distr's limit: `seedsoil check` bounds this mean for the largest
        // primary the domain holds (config::derived, dissemination.shed_per_cell_per_day).
        let k = Poisson::new(mean)
            .expect("a finite mean below the limit config validation enforces")
            .sample(rng) as u64;
        if k == 0 {
            return;
        }
        // In parallel, in the list's order (collect keeps it): the same rim for any
        // thread count. A listed cell is on the rim when it has an exterior neighbour
        // (`exterior_rim`).
        let near = &self.exterior_rim;
        let rim: Vec<usize> = primary
            .listed_sites()
            .into_par_iter()
            .with_min_len(4096)
            .filter(|&s| near.contains(s) && is_cell(primary.lattice.code(s)))
            .collect();
        if rim.is_empty() {
            return;
        }
        let w_max = self.rates.csc_factor.max(1.0);
        let mut taken = std::collections::BTreeSet::new();
        let mut shed = 0;
        let mut tries = 0u64;
        while shed < k && taken.len() < rim.len() && tries < 100 * k + 1000 {
            tries += 1;
            let s = rim[crate::rng::below(rng, rim.len())];
            if taken.contains(&s) {
                continue;
            }
            let code = primary.lattice.code(s);
            let w = if code == STEM {
                self.rates.csc_factor
            } else {
                1.0
            };
            if uniform(rng) * w_max >= w {
                continue;
            }
            // The cell takes 1/κ of its agent.
            let kappa = self.rates.cells_per_agent;
            if kappa <= 1.0 || uniform(rng) * kappa < 1.0 {
                taken.insert(s);
                primary.remove_cell(s);
                // Its site is exterior now (and so is any hole it opens).
                crate::space::exterior::extend_rim(
                    &primary.lattice,
                    &mut self.exterior,
                    &mut self.exterior_rim,
                    s,
                );
            }
            self.circulation.push(code);
            self.cascade.intravasated[class_index(code)] += 1;
            self.count(EventKind::Intravasation, Compartment::Primary, code);
            shed += 1;
        }
    }

    /// Each CTC dies, arrests or stays; arrested cells extravasate or die; DTCs found a
    /// colony or go dormant.
    fn circulate(&mut self, rng: &mut Stream, step: u64) {
        if self.circulation.is_empty() {
            return;
        }
        let total_weight: f64 = self.organs.iter().map(|o| o.arrival_weight).sum();
        let ctcs = std::mem::take(&mut self.circulation);
        let mut kept = Vec::with_capacity(ctcs.len());
        for code in ctcs {
            let kill = self.ctc_kill[usize::from(code != STEM)];
            if kill > 0.0 && uniform(rng) < kill {
                // Chemotherapy kills CTCs as it kills cycling cells.
                self.cascade.ctc_deaths += 1;
                self.cascade.ctc_chemo_deaths += 1;
                self.count(EventKind::CtcDeath, Compartment::Circulation, code);
                continue;
            }
            let u = uniform(rng);
            if u >= self.rates.p_ctc_leave {
                kept.push(code);
                continue;
            }
            if u < self.rates.p_ctc_leave * self.rates.death_share || total_weight <= 0.0 {
                self.cascade.ctc_deaths += 1;
                self.count(EventKind::CtcDeath, Compartment::Circulation, code);
                continue;
            }
            let o = self.pick_organ(rng, total_weight);
            self.cascade.arrested += 1;
            let organ = &mut self.organs[o];
            organ.arrested += 1;
            organ.first_arrival_step.get_or_insert(step);
            self.count(EventKind::Arrest, Compartment::Organ(o), code);
            if uniform(rng) >= self.rates.p_extravasate {
                self.cascade.extravasation_failed += 1;
                self.count(EventKind::ExtravasationFailed, Compartment::Organ(o), code);
                continue;
            }
            self.cascade.extravasated += 1;
            self.organs[o].extravasated += 1;
            self.count(EventKind::Extravasation, Compartment::Organ(o), code);
            if code == STEM {
                if uniform(rng) < self.p_colonise(o) {
                    self.found(o, code, step);
                } else {
                    self.organs[o].dormant += 1;
                    self.cascade.dormant_entered += 1;
                    self.count(EventKind::DormancyEntry, Compartment::Organ(o), code);
                }
            } else if self.rates.p_non_stem_clone >= 1.0
                || uniform(rng) < self.rates.p_non_stem_clone
            {
                self.found(o, code, step);
            } else {
                // A solitary dormant non-stem cell (no draw when every one clones).
                self.organs[o].dormant_non_stem += 1;
                self.cascade.dormant_non_stem_entered += 1;
                self.count(EventKind::DormancyEntry, Compartment::Organ(o), code);
            }
        }
        self.circulation = kept;
    }

    /// The organ an arresting CTC lodges in, by arrival weight.
    fn pick_organ(&self, rng: &mut Stream, total_weight: f64) -> usize {
        let mut x = uniform(rng) * total_weight;
        let mut last = 0;
        for (i, o) in self.organs.iter().enumerate() {
            if o.arrival_weight <= 0.0 {
                continue;
            }
            last = i;
            if x < o.arrival_weight {
                return i;
            }
            x -= o.arrival_weight;
        }
        last
    }

    /// Niche and tropism factor of organ `o`: `τ_o · (1 + g · N_o)`.
    fn soil_factor(&self, o: usize) -> f64 {
        self.organs[o].tropism * (1.0 + self.rates.gain * self.niche_level(o))
    }

    /// Probability that a CSC DTC in organ `o` founds a colony now.
    pub fn p_colonise(&self, o: usize) -> f64 {
        (self.rates.p_colonise * self.soil_factor(o)).min(1.0)
    }

    /// Per-step probability that a dormant CSC in organ `o` wakes now.
    pub fn p_wake(&self, o: usize) -> f64 {
        (self.rates.p_wake * self.soil_factor(o)).min(1.0)
    }

    /// Dormant CSCs wake (a binomial draw per organ holding any) and found colonies.
    fn wake(&mut self, rng: &mut Stream, step: u64) {
        for o in 0..self.organs.len() {
            let n = self.organs[o].dormant;
            if n == 0 {
                continue;
            }
            let p = self.p_wake(o);
            if p <= 0.0 {
                continue;
            }
            let woke = Binomial::new(n, p)
                .expect("0 < p ≤ 1 by construction")
                .sample(rng);
            self.organs[o].dormant -= woke;
            self.cascade.woke += woke;
            for _ in 0..woke {
                let id = self.found(o, STEM, step);
                self.log.push(MetEvent {
                    step,
                    kind: EventKind::DormancyExit,
                    compartment: Compartment::Organ(o),
                    class: Some(0),
                    colony: Some(id),
                    value: 1,
                });
            }
        }
    }

    /// Solitary dormant non-stem DTCs die (a binomial draw per organ holding any).
    fn solitary_deaths(&mut self, rng: &mut Stream) {
        let p = self.rates.p_dtc_death;
        if p <= 0.0 {
            return;
        }
        for o in 0..self.organs.len() {
            let n = self.organs[o].dormant_non_stem;
            if n == 0 {
                continue;
            }
            let died = Binomial::new(n, p.min(1.0)).expect("0 < p ≤ 1").sample(rng);
            self.organs[o].dormant_non_stem -= died;
            self.cascade.dtc_deaths += died;
        }
    }

    /// Found a colony of one cell `code` in organ `o`; returns its id.
    fn found(&mut self, o: usize, code: u8, step: u64) -> u64 {
        let id = self.next_colony;
        self.next_colony += 1;
        let colony = Colony::new(
            self.seed,
            id,
            o,
            code,
            step,
            self.dims,
            self.colony_max_size,
        );
        self.colonies.push(colony);
        if code == STEM {
            self.cascade.csc_colonies += 1;
        } else {
            self.cascade.non_stem_colonies += 1;
        }
        self.organs[o].colonies_founded += 1;
        self.log.push(MetEvent {
            step,
            kind: EventKind::Colonisation,
            compartment: Compartment::Organ(o),
            class: Some(class_index(code)),
            colony: Some(id),
            value: 1,
        });
        id
    }

    /// Count one cell in this step's aggregated events.
    fn count(&mut self, kind: EventKind, compartment: Compartment, code: u8) {
        *self
            .pending
            .entry((kind, compartment, class_index(code)))
            .or_insert(0) += 1;
    }

    /// Move this step's aggregated counts into the log (in a fixed order).
    fn flush(&mut self, step: u64) {
        let pending = std::mem::take(&mut self.pending);
        // Aggregated rows come before the per-colony rows of the same step.
        let at = self.log.partition_point(|e| e.step < step);
        let rows: Vec<MetEvent> = pending
            .into_iter()
            .map(|((kind, compartment, class), value)| MetEvent {
                step,
                kind,
                compartment,
                class: Some(class),
                colony: None,
                value,
            })
            .collect();
        self.log.splice(at..at, rows);
    }

    /// Step order item 7: the tumour-derived factor, HPC mobilisation, homing and loss,
    /// and the niche levels. `primary_cells` is the primary's size now, in agents: the
    /// factor's source is `tdsf_per_cell · κ · primary_cells` per day.
    pub fn update_niches(&mut self, primary_cells: u64, step: u64) {
        let r = &self.rates;
        let source = r.tdsf_source * primary_cells as f64;
        self.tdsf = if r.tdsf_clearance_per_day > 0.0 {
            self.tdsf * r.tdsf_keep + source / r.tdsf_clearance_per_day * (1.0 - r.tdsf_keep)
        } else {
            self.tdsf + source * r.dt_days
        };
        let mut mean = r.mobilisation * self.mobilisation_factor * self.tdsf * r.dt_days;
        if r.mobilisation_max > 0.0 {
            // The saturating part: mob_max · T / (K_T + T) per day.
            let t = self.tdsf;
            mean += r.mobilisation_max * self.mobilisation_factor * t / (r.k_tdsf + t) * r.dt_days;
        }
        let any_hpcs = self.organs.iter().any(|o| o.hpcs > 0);
        if mean <= 0.0 && !any_hpcs {
            return;
        }
        let mut rng = rng::stream(self.seed, purpose::NICHE, 0, step);
        // Loss first (of the HPCs present at the start of the step), then homing.
        let p_loss = r.p_hpc_loss;
        for organ in &mut self.organs {
            if organ.hpcs > 0 && p_loss > 0.0 {
                let lost = Binomial::new(organ.hpcs, p_loss.min(1.0))
                    .expect("0 < p ≤ 1")
                    .sample(&mut rng);
                organ.hpcs -= lost;
            }
        }
        if mean > 0.0 {
            // Below rand_distr's limit: `seedsoil check` bounds this mean for the largest
            // primary the domain holds (config::derived, niche.mobilisation).
            let mut n = Poisson::new(mean)
                .expect("a positive finite mean below the limit config validation enforces")
                .sample(&mut rng) as u64;
            let mut weight_left: f64 = self.organs.iter().map(|o| o.hpc_homing_weight).sum();
            for organ in &mut self.organs {
                if n == 0 || weight_left <= 0.0 {
                    break;
                }
                let w = organ.hpc_homing_weight;
                if w <= 0.0 {
                    continue;
                }
                let p = (w / weight_left).min(1.0);
                let k = if p >= 1.0 {
                    n
                } else {
                    Binomial::new(n, p).expect("0 ≤ p < 1").sample(&mut rng)
                };
                organ.hpcs += k;
                n -= k;
                weight_left -= w;
            }
        }
        for o in 0..self.organs.len() {
            let formed = self.niche_level(o) >= 0.5;
            let organ = &mut self.organs[o];
            if formed != organ.niche_formed {
                organ.niche_formed = formed;
                if formed {
                    organ.niche_formed_step.get_or_insert(step);
                }
                let hpcs = organ.hpcs;
                self.log.push(MetEvent {
                    step,
                    kind: if formed {
                        EventKind::NicheFormed
                    } else {
                        EventKind::NicheLost
                    },
                    compartment: Compartment::Organ(o),
                    class: None,
                    colony: None,
                    value: hpcs,
                });
            }
        }
    }

    /// Step order item 8: every colony takes one step (in parallel on the current rayon
    /// pool when `parallel`); then sizes, detection and extinction are recorded in id order.
    pub fn step_colonies(&mut self, step: u64, parallel: bool) {
        if self.colonies.is_empty() {
            return;
        }
        let turns_before: u64 = self.colonies.iter().map(|c| c.events().turns).sum();
        let rates = &self.colony_rates;
        // Each organ's avascular limit: the angiogenic switch × (1 + g · N_o).
        let limits: Vec<Avascular> = (0..self.organs.len())
            .map(|o| Avascular {
                cells: self.rates.avascular_cells,
                p_switch: (self.rates.p_switch * (1.0 + self.rates.gain * self.niche_level(o)))
                    .min(1.0),
            })
            .collect();
        let switched: Vec<bool> = if parallel {
            self.colonies
                .par_iter_mut()
                .with_max_len(1)
                .map(|c| c.step(rates, step, limits[c.organ]))
                .collect()
        } else {
            self.colonies
                .iter_mut()
                .map(|c| c.step(rates, step, limits[c.organ]))
                .collect()
        };
        for organ in &mut self.organs {
            organ.cells = [0; 3];
            organ.living_colonies = 0;
            organ.sites = 0;
        }
        let (micro, detect) = (self.rates.micro, self.rates.detect);
        self.last_colony_turns =
            self.colonies.iter().map(|c| c.events().turns).sum::<u64>() - turns_before;
        let mut colonies = std::mem::take(&mut self.colonies);
        for (c, switched) in colonies.iter_mut().zip(switched) {
            let total = c.total();
            let o = c.organ;
            let event = |kind: EventKind, value: u64| MetEvent {
                step,
                kind,
                compartment: Compartment::Organ(o),
                class: Some(class_index(c.seed_kind)),
                colony: Some(c.id),
                value,
            };
            if switched {
                self.log.push(event(EventKind::AngiogenicSwitch, total));
                self.cascade.angiogenic_switches += 1;
            }
            if c.micro_step.is_none() && total >= micro {
                self.log.push(event(EventKind::Micrometastasis, total));
                self.cascade.micrometastases += 1;
                self.organs[o].micrometastases += 1;
            }
            if c.detected_step.is_none() && total >= detect {
                self.log.push(event(EventKind::ColonyDetected, total));
                self.cascade.detected += 1;
                self.organs[o].detected += 1;
                self.first_detection_step.get_or_insert(step);
            }
            if total == 0 {
                self.log.push(event(EventKind::ColonyExtinct, c.peak));
                self.cascade.extinct += 1;
                self.organs[o].past_events.add(&c.events());
                continue;
            }
            if c.micro_step.is_none() && total >= micro {
                c.micro_step = Some(step);
            }
            if c.detected_step.is_none() && total >= detect {
                c.detected_step = Some(step);
            }
            let counts = c.tumour.counts();
            let organ = &mut self.organs[o];
            for (total, n) in organ.cells.iter_mut().zip(counts) {
                *total += n;
            }
            organ.living_colonies += 1;
            organ.sites += c.tumour.lattice.len() as u64;
        }
        colonies.retain(|c| c.total() > 0);
        self.colonies = colonies;
    }

    /// Cumulative events of the colonies of organ `o` (living and extinct).
    pub fn organ_events(&self, o: usize) -> EventCounts {
        let mut e = self.organs[o].past_events;
        for c in self.colonies.iter().filter(|c| c.organ == o) {
            e.add(&c.events());
        }
        e
    }
}

/// The number of successes of `n ≥ 2` Bernoulli(`p`) trials given at least one, where
/// `q = 1 − (1 − p)ⁿ` is the chance of at least one: the first success J is drawn from
/// its law given J ≤ n (inversion of `P(J ≤ j) = (1 − (1 − p)^j) / q`), the later trials
/// are free.
fn successes_given_one(n: u64, p: f64, q: f64, rng: &mut Stream) -> u64 {
    if p >= 1.0 {
        return n;
    }
    let j = ((-uniform(rng) * q).ln_1p() / (-p).ln_1p()).floor();
    let first = (j as u64).saturating_add(1).clamp(1, n);
    1 + Binomial::new(n - first, p).expect("0 < p < 1").sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successes_given_one_follow_the_truncated_binomial() {
        // Mean n p / q and P(exactly one) = n p (1 − p)^(n−1) / q, q = 1 − (1 − p)^n.
        for (n, p) in [
            (2u64, 0.3f64),
            (3, 0.05),
            (8, 0.0949),
            (40, 0.104),
            (1000, 0.002),
        ] {
            let q = -(n as f64 * (-p).ln_1p()).exp_m1();
            let mut rng = rng::stream(3, 0, n, 0);
            let draws = 200_000;
            let (mut sum, mut sum2, mut ones) = (0.0, 0.0, 0.0);
            for _ in 0..draws {
                let k = successes_given_one(n, p, q, &mut rng);
                assert!((1..=n).contains(&k));
                sum += k as f64;
                sum2 += (k * k) as f64;
                ones += f64::from(k == 1);
            }
            let mean = n as f64 * p / q;
            let var = sum2 / draws as f64 - (sum / draws as f64).powi(2);
            let zm = (sum / draws as f64 - mean) / (var / draws as f64).sqrt();
            let p1 = n as f64 * p * (1.0 - p).powi(n as i32 - 1) / q;
            let z1 = (ones - draws as f64 * p1) / (draws as f64 * p1 * (1.0 - p1)).sqrt();
            assert!(
                zm.abs() < 3.5 && z1.abs() < 3.5,
                "n {n}, p {p}: z {zm}, {z1}"
            );
        }
    }
}
