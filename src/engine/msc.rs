//! The MSC population (docs/model.md §7.11, step order item 5): the bone-marrow pool,
//! homing into the tumour, and the MSC agents on the tumour's stromal layer.
//!
//! Each step, on one random stream keyed by (seed, step), in this order:
//! 1. an injection due at this step adds `msc.inject_count` MSCs to the pool (ALDH+ at
//!    `msc.aldh_fraction`, rounded);
//! 2. homing: each pool MSC homes with `p_home = homing · dt · (1 − il6_blockade) ·
//!    H(IL6_out; K_rec)` (binomial draws per ALDH class), IL6_out being the tumour's IL6
//!    output at the last field update as the bone marrow sees it: the cancer cells' part
//!    × `run.cells_per_agent` (κ, the cells one agent stands for), plus the tumour MSCs'
//!    own part ([`Cytokines::systemic_il6_output`]); a homed MSC (one MSC, never × κ)
//!    enters at a random rim site (a cancer cell with an empty neighbour);
//! 3. every MSC in the tumour, in list order: death with `p_death`; else division with
//!    `p_div` if it can divide (ALDH+ always, ALDH− while divisions are left; the daughter
//!    takes a random neighbouring site); else a move with `p_move`: with probability
//!    `chemotaxis` a biased move up the IL6 gradient (below), else to a uniformly random
//!    neighbour.
//!
//! A biased move is a step of a biased random walk without a preferred lattice direction
//! ([`BiasedWalk`]):
//!
//! | symbol | key | unit | meaning |
//! |---|---|---|---|
//! | q | `msc.chemotaxis` | – | share of moves that are biased |
//! | χ | `msc.chemotaxis_bias` | – | bias strength (0: the biased move is an unbiased step) |
//! | ∇c | – | ng/mL per field cell | IL6 gradient, central differences between field cells |
//! | e, ê = e/\|e\| | – | sites | Moore offset (length 1, √2, √3) and its unit vector |
//! | û | – | – | ĝ = ∇c/\|∇c\| turned by δ_χ(θ) (2D) so the drift is parallel to ĝ |
//!
//! `P(e) = w(e) / Σ_e' w(e')`, `w(e) = exp(χ · û·ê) / |e|`; expected displacement per
//! biased move (closed form) `Σ_e e · w(e) / Σ_e w(e)`.
//!
//! Lattice anisotropy. The prior `1/|e|` offsets the longer diagonal steps: by the square's
//! symmetry any such rule drifts along ĝ to first order in χ, and `1/|e|` also cancels the
//! cubic term, so with û = ĝ the drift direction is off ĝ by at most 0.06° at χ = 3
//! (0.23° at χ = 4, 1.1° at χ = 6; without the prior 2.2°, 2.9°, 3.9°). The turn δ_χ(θ)
//! removes the rest: θ the angle of ĝ, folded into [0°, 45°] by the square's symmetry, is
//! mapped to the direction φ whose drift points at exactly θ (bisection when the walk is
//! built, a table of 181 angles interpolated linearly; |δ| = the deviations above), so the
//! drift direction follows ĝ to < 10⁻³° for χ ≤ 10. What the 8-neighbour lattice leaves is
//! the drift speed: along an axis 0.928, along a diagonal 0.972 sites per biased move at
//! χ = 3 (+4.7 %; +18 % at χ = 6); the spread about the drift is not tuned. Measured on
//! walkers drawn to a point source from a ring (tests/msc_chemotaxis.rs), the angles of
//! their net displacements mod 45° are uniform (mean χ² over 30 seeds 7.9 at χ = 3 and 7.7
//! at χ = 6, 8 df; 41 at χ = 6 without the turn). In 3D the rule has no turn (û = ĝ) and
//! its anisotropy is not calibrated.
//! The previous rule (the offset maximising `ĝ·ê`) drew eight straight radial streaks: MSCs
//! gathered on the rays at 22.5° + k · 45° from the IL6 peak, where the argmax switches
//! between two offsets, and zig-zagged in along them (default run, day 90: of the MSCs
//! beyond 30 sites of the tumour's centroid, 42 % lie at 15–25° mod 45° with the argmax,
//! 24 % with this rule, 22 % if uniform; seeds 1 and 2: 26 %, 34 % against 19 %, 24 %. MSC
//! clusters make such counts vary by seed).
//!
//! MSCs live on their own layer: any number may share a site, and they never block cancer
//! cells. They stay inside the lattice window (a move or a daughter that would leave it, or
//! land on the domain border, stays put), which always contains the tumour with a margin.
//! Their CXCL7 (and optional IL6) secretion enters the field sources at the next field
//! update (step order item 3), which sees exactly the state this step leaves.

use rand_distr::{Binomial, Distribution};

use crate::config::Config;
use crate::engine::cytokines::{Cytokines, MscSecretion};
use crate::engine::primary::Primary;
use crate::model::msc::{Msc, MscRates};
use crate::persist::{CodecError, Persist, Reader, Restore, Writer};
use crate::rng::{self, below, purpose, uniform};
use crate::space::lattice::moore_offsets;
use crate::units::step_of_day;

/// Cumulative MSC event counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MscEvents {
    /// MSCs injected into the pool.
    pub injected: u64,
    /// MSCs that homed from the pool into the tumour.
    pub homed: u64,
    /// Divisions in the tumour.
    pub divisions: u64,
    /// Deaths in the tumour.
    pub deaths: u64,
}

/// Checkpoint: the four counts in declaration order.
impl Persist for MscEvents {
    fn save(&self, w: &mut Writer) {
        for v in [self.injected, self.homed, self.divisions, self.deaths] {
            w.put_u64(v);
        }
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(MscEvents {
            injected: r.count()?,
            homed: r.count()?,
            divisions: r.count()?,
            deaths: r.count()?,
        })
    }
}

/// The bone-marrow pool and the MSCs in the tumour.
#[derive(Debug, Clone)]
pub struct Mscs {
    rates: MscRates,
    aldh_fraction: f64,
    /// Pool MSCs: `[ALDH+, ALDH−]`.
    pool: [u64; 2],
    /// MSCs in the tumour.
    cells: Vec<Msc>,
    /// Step of the injection and its size (none if count 0).
    inject: Option<(u64, u64)>,
    events: MscEvents,
    /// Moore neighbourhood offsets.
    offsets: &'static [[i64; 3]],
    /// The biased move up the IL6 gradient.
    walk: BiasedWalk,
}

/// The biased step of MSC chemotaxis (see the module docs): offset `e` of the Moore
/// neighbourhood with probability ∝ `exp(χ · û·ê) / |e|`, û the gradient direction turned
/// (2D) so that the expected displacement is parallel to the gradient.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasedWalk {
    offsets: &'static [[i64; 3]],
    /// Unit vectors of the offsets.
    unit: Vec<[f64; 3]>,
    /// Prior weights `1 / |e|`.
    prior: Vec<f64>,
    /// χ.
    chi: f64,
    /// 2D with χ > 0: for θ = 45° · k / TURN_STEPS (k = 0..=TURN_STEPS), the direction φ
    /// (radians) fed to the weights so that the drift points at exactly θ; empty otherwise.
    turn: Vec<f64>,
}

/// Intervals of the table of corrected directions over [0°, 45°].
const TURN_STEPS: usize = 180;

impl BiasedWalk {
    /// The walk on the Moore neighbourhood of `dims` (2 or 3) with bias strength `chi ≥ 0`.
    pub fn new(dims: usize, chi: f64) -> Self {
        let offsets = moore_offsets(dims);
        let len = |o: &[i64; 3]| ((o[0] * o[0] + o[1] * o[1] + o[2] * o[2]) as f64).sqrt();
        let mut walk = BiasedWalk {
            unit: offsets
                .iter()
                .map(|o| {
                    let l = len(o);
                    [o[0] as f64 / l, o[1] as f64 / l, o[2] as f64 / l]
                })
                .collect(),
            prior: offsets.iter().map(|o| 1.0 / len(o)).collect(),
            offsets,
            chi,
            turn: Vec::new(),
        };
        if dims == 2 && chi > 0.0 {
            // By the square's symmetry the drift of direction φ points at φ for φ = 0 and
            // 45°, and (the prior cancelling the cubic term) within 2.5° of it for χ ≤ 8 in
            // between: bisection on φ for each θ of the table.
            let quarter = std::f64::consts::FRAC_PI_4;
            walk.turn = (0..=TURN_STEPS)
                .map(|k| {
                    let theta = quarter * k as f64 / TURN_STEPS as f64;
                    let (mut lo, mut hi) = (0.0, quarter);
                    for _ in 0..60 {
                        let phi = 0.5 * (lo + hi);
                        let d = walk.drift_along([phi.cos(), phi.sin(), 0.0]);
                        if d[1].atan2(d[0]) < theta {
                            lo = phi;
                        } else {
                            hi = phi;
                        }
                    }
                    0.5 * (lo + hi)
                })
                .collect();
        }
        walk
    }

    /// The unit direction fed to the weights for the gradient `g`: ĝ turned (2D, χ > 0) so
    /// that the drift is parallel to ĝ; `None` where `g` is zero or not finite.
    pub fn direction(&self, g: [f64; 3]) -> Option<[f64; 3]> {
        let norm = (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return None;
        }
        if self.turn.is_empty() {
            return Some([g[0] / norm, g[1] / norm, g[2] / norm]);
        }
        let (quarter, half) = (std::f64::consts::FRAC_PI_4, std::f64::consts::FRAC_PI_2);
        let theta = g[1].atan2(g[0]);
        let a = theta.rem_euclid(half);
        let (a, sign) = if a <= quarter {
            (a, 1.0)
        } else {
            (half - a, -1.0)
        };
        let x = a / quarter * TURN_STEPS as f64;
        let i = (x as usize).min(TURN_STEPS - 1);
        let phi = self.turn[i] + (x - i as f64) * (self.turn[i + 1] - self.turn[i]);
        let t = theta + sign * (phi - a);
        Some([t.cos(), t.sin(), 0.0])
    }

    /// The Moore offsets, in the order of [`BiasedWalk::weights`].
    pub fn offsets(&self) -> &[[i64; 3]] {
        self.offsets
    }

    /// Unnormalised weights `w(e) = exp(χ · (û·ê − 1)) / |e|` for the gradient `g` (any
    /// length; û its [`BiasedWalk::direction`]), written into `out[..offsets.len()]`; their
    /// sum, or `None` where `g` is zero or not finite.
    pub fn weights(&self, g: [f64; 3], out: &mut [f64; 26]) -> Option<f64> {
        let u = self.direction(g)?;
        Some(self.weights_along(u, out))
    }

    /// The weights for the unit direction `gh` itself (no turn); their sum.
    fn weights_along(&self, gh: [f64; 3], out: &mut [f64; 26]) -> f64 {
        let mut total = 0.0;
        for (k, (u, &pr)) in self.unit.iter().zip(&self.prior).enumerate() {
            let cos = u[0] * gh[0] + u[1] * gh[1] + u[2] * gh[2];
            let w = (self.chi * (cos - 1.0)).exp() * pr;
            out[k] = w;
            total += w;
        }
        total
    }

    /// Expected displacement of a move weighted along the unit direction `gh` (no turn).
    fn drift_along(&self, gh: [f64; 3]) -> [f64; 3] {
        let mut w = [0.0; 26];
        let total = self.weights_along(gh, &mut w);
        let mut d = [0.0; 3];
        for (o, &wk) in self.offsets.iter().zip(&w) {
            for a in 0..3 {
                d[a] += o[a] as f64 * wk / total;
            }
        }
        d
    }

    /// Index of the offset chosen for the gradient `g` by the uniform draw `u` in `[0, 1)`
    /// (inverse of the cumulative weights), or `None` where `g` is zero.
    pub fn choose(&self, g: [f64; 3], u: f64) -> Option<usize> {
        let mut w = [0.0; 26];
        let total = self.weights(g, &mut w)?;
        let target = u * total;
        let n = self.offsets.len();
        let mut acc = 0.0;
        for (k, &wk) in w[..n].iter().enumerate() {
            acc += wk;
            if target < acc {
                return Some(k);
            }
        }
        Some(n - 1)
    }

    /// Closed form of the expected displacement of one biased move, in sites:
    /// `Σ_e e · w(e) / Σ_e w(e)` (zero where `g` is zero).
    pub fn drift(&self, g: [f64; 3]) -> [f64; 3] {
        self.direction(g).map_or([0.0; 3], |u| self.drift_along(u))
    }
}

/// Split `n` MSCs into `[ALDH+, ALDH−]` with the ALDH+ share `fraction` (rounded).
fn split(n: u64, fraction: f64) -> [u64; 2] {
    let pos = ((n as f64) * fraction).round().min(n as f64) as u64;
    [pos, n - pos]
}

impl Mscs {
    /// The pool of `config.msc` and an empty tumour.
    pub fn new(config: &Config) -> Self {
        let m = &config.msc;
        let inject = (m.inject_count > 0)
            .then(|| (step_of_day(m.inject_day, config.run.dt_h), m.inject_count));
        let dims = config.space.dims as usize;
        let offsets = moore_offsets(dims);
        Mscs {
            rates: MscRates::from_config(config),
            aldh_fraction: m.aldh_fraction,
            pool: split(m.pool, m.aldh_fraction),
            cells: Vec::new(),
            inject,
            events: MscEvents::default(),
            walk: BiasedWalk::new(dims, m.chemotaxis_bias),
            offsets,
        }
    }

    /// The per-step rates.
    pub fn rates(&self) -> &MscRates {
        &self.rates
    }

    /// MSCs in the tumour.
    pub fn cells(&self) -> &[Msc] {
        &self.cells
    }

    /// What the cytokine field sources read of the MSCs ([`Cytokines::advance`]).
    pub fn secretion(&self) -> MscSecretion<'_> {
        MscSecretion {
            rates: &self.rates,
            cells: &self.cells,
        }
    }

    /// MSCs in the tumour: `[ALDH+, ALDH−]`.
    pub fn counts(&self) -> [u64; 2] {
        let pos = self.cells.iter().filter(|c| c.aldh).count() as u64;
        [pos, self.cells.len() as u64 - pos]
    }

    /// MSCs in the bone-marrow pool: `[ALDH+, ALDH−]`.
    pub fn pool(&self) -> [u64; 2] {
        self.pool
    }

    /// Cumulative events.
    pub fn events(&self) -> MscEvents {
        self.events
    }

    /// Place an MSC in the tumour directly (tests and hand-made scenarios; MSCs otherwise
    /// arrive by homing). `pos` must lie inside the lattice window.
    pub fn insert(&mut self, msc: Msc) {
        self.cells.push(msc);
    }

    /// Whether anything can still happen (MSCs anywhere or an injection to come).
    pub fn is_active(&self) -> bool {
        !self.cells.is_empty() || self.pool.iter().any(|&n| n > 0) || self.inject.is_some()
    }

    /// One step (see the module docs). `cytokines` gives the IL6 field and the tumour's IL6
    /// output; without fields nothing homes and moves are unbiased. `il6_signal`: the IL6
    /// signalling left this step (blockade and anti-IL6 therapy), which scales homing.
    /// Returns the number of MSCs injected at this step.
    pub fn step(
        &mut self,
        primary: &Primary,
        cytokines: Option<&Cytokines>,
        il6_signal: f64,
        seed: u64,
        step: u64,
    ) -> u64 {
        let mut injected = 0;
        if let Some((at, count)) = self.inject
            && at == step
        {
            let add = split(count, self.aldh_fraction);
            self.pool[0] += add[0];
            self.pool[1] += add[1];
            self.events.injected += count;
            self.inject = None;
            injected = count;
        }
        if !self.is_active() {
            return injected;
        }
        let mut rng = rng::stream(seed, purpose::MSC, 0, step);
        let lat = &primary.lattice;

        // 2. Homing.
        let il6_out = cytokines.map_or(0.0, |c| c.systemic_il6_output(self.rates.cells_per_agent));
        let p = self.rates.p_home(il6_out, il6_signal);
        if p > 0.0 && self.pool.iter().any(|&n| n > 0) {
            let mut homed = [0u64; 2];
            for (class, h) in homed.iter_mut().enumerate() {
                if self.pool[class] > 0 {
                    *h = Binomial::new(self.pool[class], p)
                        .expect("0 < p ≤ 1 by validation")
                        .sample(&mut rng);
                }
            }
            if homed.iter().any(|&h| h > 0) {
                let listed = primary.listed_sites();
                for (class, &h) in homed.iter().enumerate() {
                    for _ in 0..h {
                        let Some(site) = rim_site(primary, &listed, &mut rng) else {
                            break;
                        };
                        self.pool[class] -= 1;
                        self.events.homed += 1;
                        self.cells.push(Msc {
                            pos: lat.domain_coords(site),
                            aldh: class == 0,
                            divisions_left: self.rates.max_divisions,
                        });
                    }
                }
            }
        }

        // 3. Death, division, movement.
        let (r, offsets) = (&self.rates, &self.offsets);
        let n = self.cells.len();
        let mut keep = Vec::with_capacity(n + 8);
        for i in 0..n {
            let mut c = self.cells[i];
            if uniform(&mut rng) < r.p_death {
                self.events.deaths += 1;
                continue;
            }
            if r.can_divide(&c) && uniform(&mut rng) < r.p_div {
                let (mother, mut daughter) = r.divide(&c);
                let o = offsets[below(&mut rng, offsets.len())];
                daughter.pos = step_to(primary, mother.pos, o);
                self.events.divisions += 1;
                keep.push(mother);
                keep.push(daughter);
                continue;
            }
            if uniform(&mut rng) < r.p_move {
                let g = if uniform(&mut rng) < r.chemotaxis {
                    cytokines.and_then(|cy| il6_gradient(cy, c.pos))
                } else {
                    None
                };
                let up = g.and_then(|g| self.walk.choose(g, uniform(&mut rng)));
                let o = match up {
                    Some(k) => offsets[k],
                    None => offsets[below(&mut rng, offsets.len())],
                };
                c.pos = step_to(primary, c.pos, o);
            }
            keep.push(c);
        }
        self.cells = keep;
        injected
    }
}

impl Restore for Mscs {
    /// Checkpoint: the pool, every MSC in the tumour (in list order), whether the
    /// injection is still to come, and the event counts. Rates are rebuilt from the config.
    fn save(&self, w: &mut Writer) {
        w.put_u64(self.pool[0]);
        w.put_u64(self.pool[1]);
        w.put_vec(&self.cells, |w, m| m.save(w));
        w.put_bool(self.inject.is_some());
        self.events.save(w);
    }

    /// Overwrite the dynamic state with one written by `save`. The injection
    /// is one event: if it already happened before the checkpoint it does not happen again;
    /// otherwise the injection of the config the MSCs were built from (possibly a changed
    /// one, e.g. another `msc.inject_day`) is kept.
    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError> {
        // At most what the largest msc.pool and msc.inject_count put in the pool.
        let most = |r: &mut Reader<'_>| {
            r.check(
                "MSC pool (more than msc.pool and msc.inject_count allow)",
                |r| r.count(),
                |&n| n <= 2_000_000_000,
            )
        };
        self.pool = [most(r)?, most(r)?];
        self.cells = r.vec(26, Msc::load)?;
        let pending = r.bool()?;
        self.events = MscEvents::load(r)?;
        if !pending && self.events.injected > 0 {
            self.inject = None;
        }
        Ok(())
    }
}

impl Mscs {
    /// Whether every MSC in the tumour sits inside the lattice window and off the
    /// domain's border (a check of restored state).
    pub(crate) fn on_lattice(&self, lat: &crate::space::Lattice) -> bool {
        self.cells
            .iter()
            .all(|m| lat.site_at(m.pos).is_some() && !lat.is_wall(m.pos))
    }
}

/// `pos + o` if that site is inside the lattice window and not on the domain border, else
/// `pos`.
fn step_to(primary: &Primary, pos: [i64; 3], o: [i64; 3]) -> [i64; 3] {
    let lat = &primary.lattice;
    let to = [pos[0] + o[0], pos[1] + o[1], pos[2] + o[2]];
    if lat.site_at(to).is_some() && !lat.is_wall(to) {
        to
    } else {
        pos
    }
}

/// A random rim site: up to 64 draws among the listed sites, keeping the first that is a
/// rim site now; failing that, the last listed site drawn (still a cancer cell's site or
/// its former one). `None` only when nothing is listed.
fn rim_site(primary: &Primary, listed: &[usize], rng: &mut rng::Stream) -> Option<usize> {
    if listed.is_empty() {
        return None;
    }
    let mut site = listed[0];
    for _ in 0..64 {
        site = listed[below(rng, listed.len())];
        if primary.is_rim(site) {
            break;
        }
    }
    Some(site)
}

/// The IL6 gradient at `pos` (central differences between the neighbouring field cells,
/// one-sided at the grid edge), in ng/mL per field cell, or `None` where the field is flat.
fn il6_gradient(cy: &Cytokines, pos: [i64; 3]) -> Option<[f64; 3]> {
    let v = cy.view();
    let origin = cy.il6.origin();
    let l = v.log_c;
    let mut f = [0usize; 3];
    for a in 0..3 {
        f[a] = ((pos[a] - origin[a]).max(0) as usize) >> l;
        f[a] = f[a].min(v.n[a] - 1);
    }
    let at = |c: [usize; 3]| v.il6[c[0] + v.n[0] * (c[1] + v.n[1] * c[2])] as f64;
    let mut g = [0.0f64; 3];
    for a in 0..3 {
        if v.n[a] < 2 {
            continue;
        }
        let (mut lo, mut hi) = (f, f);
        lo[a] = f[a].saturating_sub(1);
        hi[a] = (f[a] + 1).min(v.n[a] - 1);
        g[a] = at(hi) - at(lo);
    }
    (g.iter().any(|&x| x != 0.0)).then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rounds_and_conserves() {
        assert_eq!(split(2000, 0.05), [100, 1900]);
        assert_eq!(split(3, 0.5), [2, 1]);
        assert_eq!(split(0, 0.5), [0, 0]);
        assert_eq!(split(7, 1.0), [7, 0]);
    }
}
