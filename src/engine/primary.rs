//! The primary tumour: the hierarchy rules of docs/model.md §7.2–7.8 on the growing
//! lattice, updated in parallel and deterministically (docs/architecture.md §3).
//!
//! # Update scheme
//!
//! Each step every cancer cell takes one turn, in a random order, exactly as in the
//! reference automaton; the order is built from tiles:
//! - the lattice is cut into tiles (32² in 2D, 16³ in 3D) coloured 2×2 (2×2×2), so that
//!   tiles of one colour never touch the same sites; the colours are visited in a random
//!   order per step and the tiles of one colour are updated in parallel;
//! - within a tile cells take their turns in a uniformly random order, each tile drawing
//!   from its own stream keyed by (seed, tile, step), so results never depend on threads.
//!
//! Only cells that can act are visited. A cell with no free neighbour does nothing in its
//! turn (contact inhibition), so each tile keeps an *active list* of sites whose cells may
//! have space. A cell found without space in its turn is dropped from the list; when a site
//! is freed (death, migration) its occupied neighbours are put back. A neighbour activated
//! during its own tile's phase takes a turn later in this step with the probability that
//! its place in the tile's random order lies after the current one (and then at a uniformly
//! random place among the remaining turns), which reproduces the random-order sequential
//! update exactly while visiting only cells at the tumour's free surfaces. Daughters and
//! migrants are stamped with the step so they do not act again in it.
//!
//! Rare events of every cell — background death, CSC death, plasticity, stemness loss
//! (docs/model.md §7.6–7.8), and death by chemotherapy while it is on — are sampled at the start of each tile's turn by skipping ahead geometrically over its
//! sites at the largest possible rate and thinning to the actual one; a cell that already
//! moved or was born in this step is not sampled again. (The reference applies them after
//! the cell's own division/migration; the difference is of order dt² per step.)
//!
//! # Debris clearance
//!
//! | symbol | key | unit | rule |
//! |---|---|---|---|
//! | T_clear | `cells.clearance_h` | h | a dead cell's debris blocks its site for `K = round(T_clear / dt)` steps |
//!
//! With `K` = 0 (the default) a dead cell's site is empty at once, as in the reference
//! automaton, and nothing below costs anything. With `K` > 0 a cancer cell that dies in the
//! primary — background death, death at division (α) or by exhaustion, CSC death, chemo,
//! radiation — leaves [`DEBRIS`] on its site: an occupied site that holds no cell. Nothing
//! divides or migrates into it, it counts as occupied for contact inhibition (its
//! neighbours are not given their turns back), it is not a cell (counts, CSC fraction,
//! shedding, fields ignore it) and it is not empty for the exterior. A cell that dies in
//! step `s` leaves debris that is cleared at the start of the cell update of step `s + K`
//! (its site is then empty and its neighbours take their turns again), so the site is
//! blocked for exactly `K` steps. Cells removed from the primary (shed into the blood,
//! resected) leave no debris. Since `K` is constant, debris is cleared in the order it was
//! made: a FIFO of (step due, site), filled from the tiles' deaths in tile order after each
//! step (deterministic whatever the threads) and saved in checkpoints.

use crate::persist::{CodecError, Reader, Writer};
use crate::model::HierarchyRates;
use crate::model::kind::{DEBRIS, EMPTY, KIND_MASK, STEM, WALL, class_index, is_cell, progenitor};
use crate::rng::{self, Stream, below, geometric_gap, purpose, uniform};
use crate::engine::barrier::SpinBarrier;
use crate::engine::field_view::FieldView;
use crate::space::lattice::{LISTED, Lattice, STAMP_MASK, moore_offsets, stamp_for};
use rand::Rng;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Cumulative counts of cell events in the primary tumour.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EventCounts {
    /// Cells born by division (daughters).
    pub births: u64,
    /// Cells that died (at division, background, CSC death).
    pub deaths: u64,
    /// Migrations.
    pub migrations: u64,
    /// Non-stem cells that turned into CSCs.
    pub dedifferentiations: u64,
    /// CSC divisions that gave a CSC daughter.
    pub symmetric_divisions: u64,
    /// Number of times the lattice window grew.
    pub growths: u64,
    /// Turns taken by listed cells (work done by the engine; a diagnostic).
    pub turns: u64,
    /// Cells removed from the lattice by [`Primary::remove_cell`] (intravasation): with
    /// births and deaths they balance the population, `Δtotal = births − deaths − removed`.
    pub removed: u64,
    /// Cells killed by radiation ([`Primary::kill_in_place`]) or removed by surgery
    /// ([`Primary::kill_cell`]): the full balance is
    /// `Δtotal = births − deaths − removed − therapy_killed`.
    pub therapy_killed: u64,
    /// Deaths by chemotherapy (included in `deaths`).
    pub chemo_deaths: u64,
    /// CSCs that lost stemness (became `Progenitor(ρmax)`).
    pub stemness_losses: u64,
}

impl EventCounts {
    /// Add another set of counts to these.
    pub fn add(&mut self, o: &EventCounts) {
        self.births += o.births;
        self.deaths += o.deaths;
        self.migrations += o.migrations;
        self.dedifferentiations += o.dedifferentiations;
        self.symmetric_divisions += o.symmetric_divisions;
        self.growths += o.growths;
        self.turns += o.turns;
        self.removed += o.removed;
        self.therapy_killed += o.therapy_killed;
        self.chemo_deaths += o.chemo_deaths;
        self.stemness_losses += o.stemness_losses;
    }
}

/// A tile's state. Aligned to 128 bytes so that tiles updated by different threads never
/// share a cache line (their counters change at every turn).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Tile {
    /// Global tile index in the current window (32 bits: with the other fields the tile
    /// fits two 128-byte lines, see the assertion below).
    index: u32,
    /// First site of the tile.
    base: usize,
    /// Key of the tile in domain tile coordinates (stable across growth).
    key: u64,
    list: Vec<u32>,
    hold: Vec<u32>,
    outbox: Vec<u32>,
    dropped: Vec<u32>,
    delta: [i64; 3],
    events: EventCounts,
    near_edge: bool,
    /// Sites of the cells that died in this tile's turn and left debris (debris on).
    debris: Vec<u32>,
}

// A tile takes two 128-byte lines; one byte more would make it three (and the tiles'
// memory half as large again).
const _: () = assert!(std::mem::size_of::<Tile>() == 256);

/// Geometry shared by all tiles of the current window.
#[derive(Debug, Clone)]
struct Tiling {
    /// Tiles per axis.
    n: [usize; 3],
    /// Tile side log2.
    tl: u32,
    /// Tiles touching an open window face, by global tile index.
    edge: Vec<bool>,
}

impl Tiling {
    fn new(lat: &Lattice) -> Self {
        let tl = lat.tile_log;
        let n = [
            lat.side(0) >> tl,
            lat.side(1) >> tl,
            if lat.dims == 3 { lat.side(2) >> tl } else { 1 },
        ];
        let mut edge = vec![false; n[0] * n[1] * n[2]];
        for tz in 0..n[2] {
            for ty in 0..n[1] {
                for tx in 0..n[0] {
                    let t = [tx, ty, tz];
                    let e = (0..lat.dims).any(|a| {
                        (t[a] == 0 && lat.face_open(a, false))
                            || (t[a] + 1 == n[a] && lat.face_open(a, true))
                    });
                    edge[tx + n[0] * (ty + n[1] * tz)] = e;
                }
            }
        }
        Tiling { n, tl, edge }
    }

    fn groups(&self) -> usize {
        if self.n[2] > 1 { 8 } else { 4 }
    }

    /// (group, index within group) of a tile.
    #[inline(always)]
    fn locate(&self, t: [usize; 3]) -> (usize, usize) {
        let g = (t[0] & 1) | ((t[1] & 1) << 1) | ((t[2] & 1) << 2);
        let hx = self.n[0] / 2;
        let hy = self.n[1] / 2;
        (g, (t[0] >> 1) + hx * ((t[1] >> 1) + hy * (t[2] >> 1)))
    }
}

/// The primary tumour on its lattice.
#[derive(Debug)]
pub struct Primary {
    /// The lattice.
    pub lattice: Lattice,
    tiling: Tiling,
    /// Tiles by colour; each behind a mutex, locked once per turn in parallel steps.
    groups: Vec<Vec<Mutex<Tile>>>,
    /// Work estimate per tile (list length at its last turn, plus one), by colour: the
    /// tiles of a colour are split among threads in contiguous bands of equal work, so each
    /// thread keeps to one region of the lattice (and of its cache) from phase to phase.
    work: Vec<Vec<AtomicU32>>,
    counts: [u64; 3],
    events: EventCounts,
    /// K: steps for which a dead cell's debris blocks its site (0: no debris). Derived from
    /// the config (`cells.clearance_h`), not saved; only the primary tumour has debris.
    clearance_steps: u64,
    /// Debris to clear, in order: (step at whose cell update the site empties, site).
    debris: VecDeque<(u64, u32)>,
}

/// Read-only state shared by the tiles during one phase.
struct Ctx<'a, const R: usize> {
    lat: &'a Lattice,
    /// Offsets (from a site) of the first site of each of the R rows of three sites that
    /// make up its Moore neighbourhood (3 rows in 2D, 9 in 3D).
    rows: [isize; R],
    /// Offset of the neighbour of neighbourhood bit `3·row + column`.
    bit_off: [isize; 32],
    rates: &'a HierarchyRates,
    p_rare_max: f64,
    /// Division threshold on a 32-bit uniform: `p_div · 2³²`.
    thr_div: u64,
    /// Migration threshold on the rest of the range: `p_mig · (2³² − thr_div)`.
    thr_mig: u64,
    cur: u8,
    mask: [usize; 3],
    log: [u32; 3],
    /// Bits of a site index that encode its tile: two sites share a tile iff their
    /// indices agree on these bits.
    tile_bits: usize,
    tiling: &'a Tiling,
    /// Cytokine fields, if simulated.
    fields: Option<FieldView<'a>>,
}

impl<const R: usize> Ctx<'_, R> {
    /// Whether two sites lie in the same tile.
    #[inline(always)]
    fn same_tile(&self, a: usize, b: usize) -> bool {
        (a ^ b) & self.tile_bits == 0
    }

    /// Global tile index of a site.
    #[inline(always)]
    fn tile_of(&self, site: usize) -> usize {
        let tl = self.tiling.tl;
        let x = (site & self.mask[0]) >> tl;
        let y = ((site >> self.log[0]) & self.mask[1]) >> tl;
        let z = (site >> (self.log[0] + self.log[1])) >> tl;
        x + self.tiling.n[0] * (y + self.tiling.n[1] * z)
    }

    /// Effective symmetric-division probability of a CSC at a site (out of line: it runs
    /// at about one turn in a few hundred).
    #[inline(never)]
    fn p_symmetric_at(&self, site: usize) -> f64 {
        let (il6, cxcl7) = self.cytokines(site);
        self.rates.p_symmetric_eff(il6, cxcl7)
    }

    /// Local (IL6, CXCL7) in ng/mL at a site: its field cell's values, or zero without
    /// fields.
    #[inline(always)]
    fn cytokines(&self, site: usize) -> (f64, f64) {
        match &self.fields {
            Some(f) => f.at(self.lat.coords(site)),
            None => (0.0, 0.0),
        }
    }
}

/// Move flag bits 7, 15, 23 to bits 0, 1, 2: after `>> 7` they sit at 0, 8, 16, and the
/// multiplication by 1 + 2⁷ + 2¹⁴ adds copies of them at 14, 15, 16 with no collisions.
#[inline(always)]
fn gather_flags(e: u32) -> u32 {
    ((e >> 7).wrapping_mul(0x4081) >> 14) & 7
}

/// Bit c (0..3) set iff byte c of a three-site row holds an empty site.
#[inline(always)]
fn empty_bits(row: u32) -> u32 {
    let m = row & 0x1F_1F1F;
    let occupied = (m + 0x7F_7F7F) & 0x80_8080;
    let e = !occupied & 0x80_8080;
    gather_flags(e)
}

/// Bit c (0..3) set iff byte c of a three-site row holds a cancer cell that is not listed.
#[inline(always)]
fn unlisted_cell_bits(row: u32) -> u32 {
    let m = row & 0x1F_1F1F;
    let occupied = (m + 0x7F_7F7F) & 0x80_8080;
    let not_wall = ((m ^ 0x1F_1F1F) + 0x7F_7F7F) & 0x80_8080;
    let e = occupied & not_wall & !row & 0x80_8080;
    gather_flags(e)
}

/// `SELECT8[b][k]`: position of the `k`-th set bit of the byte `b` (8 if none).
static SELECT8: [[u8; 8]; 256] = {
    let mut t = [[8u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        let mut bit = 0;
        while bit < 8 {
            if b & (1 << bit) != 0 {
                t[b][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        b += 1;
    }
    t
};

/// Position of the `k`-th (from 0) set bit of `mask` (fewer than 32 bits used; k below
/// the number of set bits). Branch-free: byte-wise popcounts locate the byte, a table the
/// bit (a loop over set bits would end at a random count and mispredict).
#[inline(always)]
fn nth_set_bit(mask: u32, k: u32) -> u32 {
    let c0 = (mask & 0xFF).count_ones();
    let c1 = c0 + ((mask >> 8) & 0xFF).count_ones();
    let c2 = c1 + ((mask >> 16) & 0xFF).count_ones();
    let byte = (k >= c0) as u32 + (k >= c1) as u32 + (k >= c2) as u32;
    let before = [0, c0, c1, c2][byte as usize];
    let b = (mask >> (8 * byte)) & 0xFF;
    8 * byte + SELECT8[b as usize][((k - before) & 7) as usize] as u32
}

impl<const R: usize> Ctx<'_, R> {
    /// Write a site during the tile's turn.
    #[inline(always)]
    fn put(&self, site: usize, v: u8) {
        // SAFETY: a tile's turn writes only its own sites and their one-site halo, and
        // reads at most two sites beyond its edge; tiles of one colour, the only ones
        // updated concurrently, are at least one tile (≥ 16 sites) apart, so no other
        // thread touches `site` meanwhile (Lattice::set_shared's contract).
        unsafe { self.lat.set_shared(site, v) }
    }

    /// Neighbourhood bits of site `x` selected by `bits` applied to each row.
    #[inline(always)]
    fn neighbour_mask(&self, x: usize, bits: impl Fn(u32) -> u32) -> u32 {
        let mut mask = 0u32;
        for (r, &ro) in self.rows.iter().enumerate() {
            mask |= bits(self.lat.get3((x as isize + ro) as usize)) << (3 * r);
        }
        mask
    }
}

/// One tile's turn: mutable tile state, its stream and the phase context.
struct Turn<'a, 'c, const R: usize> {
    t: &'a mut Tile,
    c: &'a Ctx<'c, R>,
    rng: Stream,
    /// Index of the entry taking its turn; `None` before the turns start.
    cursor: Option<usize>,
}

impl<const R: usize> Turn<'_, '_, R> {
    /// Put a new cell with `code` on the free site `s` (daughter or migrant): stamped with
    /// this step, listed if not already.
    #[inline(always)]
    fn place(&mut self, s: usize, code: u8) {
        let v = self.c.lat.get(s);
        debug_assert_eq!(v & KIND_MASK, EMPTY);
        self.c.put(s, code | self.c.cur | LISTED);
        if self.c.same_tile(s, self.t.base) {
            if v & LISTED == 0 {
                self.t.hold.push(s as u32);
            }
            self.t.near_edge |= self.c.tiling.edge[self.t.index as usize];
        } else {
            if v & LISTED == 0 {
                self.t.outbox.push(s as u32);
            }
            self.t.near_edge |= self.c.tiling.edge[self.c.tile_of(s)];
        }
    }

    /// Site `x` was just freed: give its occupied, unlisted neighbours back their turn.
    #[inline(always)]
    fn activate_around(&mut self, x: usize) {
        // Branch-free mask of the neighbours that hold an unlisted cell (the centre, just
        // freed, is empty and never selected).
        let mut mask = self.c.neighbour_mask(x, unlisted_cell_bits);
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let n = (x as isize + self.c.bit_off[k]) as usize;
            let v = self.c.lat.get(n);
            let base = v & KIND_MASK;
            if !self.c.same_tile(n, self.t.base) {
                // Another tile: its phase is either later in this step (then the cell takes
                // its turn there) or already done (then it acts next step).
                self.c.put(n, base | LISTED);
                self.t.outbox.push(n as u32);
                continue;
            }
            match self.cursor {
                None => {
                    self.c.put(n, base | LISTED);
                    self.t.list.push(n as u32);
                }
                Some(i) => {
                    let len = self.t.list.len();
                    let remaining = len - i - 1;
                    let had_turn = v & STAMP_MASK == self.c.cur;
                    if !had_turn && below(&mut self.rng, len + 1) < remaining + 1 {
                        // Its place in the random order is after the current turn.
                        self.c.put(n, base | LISTED);
                        self.t.list.push(n as u32);
                        let j = i + 1 + below(&mut self.rng, remaining + 1);
                        self.t.list.swap(j, len);
                    } else {
                        self.c.put(n, base | LISTED | self.c.cur);
                        self.t.hold.push(n as u32);
                    }
                }
            }
        }
    }

    /// Kill the cell at `s` outside its own turn (rare events), keeping the listed flag so
    /// that a pending entry stays consistent. With debris on (`D`), the site keeps debris
    /// and its neighbours stay as they are (they gain no space).
    fn kill_rare<const D: bool>(&mut self, s: usize, code: u8) {
        let v = self.c.lat.get(s);
        if D {
            self.c.put(s, DEBRIS | (v & LISTED));
            self.t.debris.push(s as u32);
            self.t.delta[class_index(code)] -= 1;
            self.t.events.deaths += 1;
            return;
        }
        self.c.put(s, v & LISTED);
        self.t.delta[class_index(code)] -= 1;
        self.t.events.deaths += 1;
        self.activate_around(s);
    }

    /// The rare events (docs/model.md §7.6–7.8) of every cell of the tile, by geometric
    /// skipping over sites.
    ///
    /// `D`: dead cells leave debris. The rules with and without debris are separate
    /// instances, so that without debris the engine runs exactly the reference code.
    fn rare_events<const D: bool>(&mut self) {
        let p_max = self.c.p_rare_max;
        if p_max <= 0.0 {
            return;
        }
        let tl = self.c.tiling.tl;
        let dims3 = self.c.lat.dims == 3;
        let nsites: u64 = 1u64 << (tl * if dims3 { 3 } else { 2 });
        let tmask = (1usize << tl) - 1;
        let r = self.c.rates;
        let mut i = geometric_gap(&mut self.rng, p_max);
        while i < nsites {
            let li = i as usize;
            let s = self.t.base
                + (li & tmask)
                + (((li >> tl) & tmask) << self.c.log[0])
                + ((li >> (2 * tl)) << (self.c.log[0] + self.c.log[1]));
            let v = self.c.lat.get(s);
            let code = v & KIND_MASK;
            if is_cell(code) && v & STAMP_MASK != self.c.cur {
                let u = uniform(&mut self.rng) * p_max;
                if code == STEM {
                    if u < r.p_death_stem {
                        self.kill_rare::<D>(s, code);
                    } else if u < r.p_death_stem + r.p_chemo_stem {
                        self.kill_rare::<D>(s, code);
                        self.t.events.chemo_deaths += 1;
                    } else if u < r.p_death_stem + r.p_chemo_stem + r.p_stemness_loss {
                        // Stemness loss: the CSC becomes a fresh progenitor in place.
                        let fresh = progenitor(r.rho_max);
                        self.c.put(s, (v & !KIND_MASK) | fresh);
                        self.t.delta[0] -= 1;
                        self.t.delta[class_index(fresh)] += 1;
                        self.t.events.stemness_losses += 1;
                    }
                } else if u < r.p_death_non_stem {
                    self.kill_rare::<D>(s, code);
                } else if u < r.p_death_non_stem + r.p_chemo_non_stem {
                    self.kill_rare::<D>(s, code);
                    self.t.events.chemo_deaths += 1;
                } else if code > r.dedif_min_rho
                    && u < r.p_death_non_stem
                        + r.p_chemo_non_stem
                        + r.p_dedif(self.c.cytokines(s).0)
                {
                    // Plasticity, for cells with ρ = code − 1 ≥ ρ_dedif divisions left.
                    self.c.put(s, (v & !KIND_MASK) | STEM);
                    self.t.delta[class_index(code)] -= 1;
                    self.t.delta[0] += 1;
                    self.t.events.dedifferentiations += 1;
                }
            }
            i = i
                .saturating_add(1)
                .saturating_add(geometric_gap(&mut self.rng, p_max));
        }
    }

    /// The turns (docs/model.md §7.2–7.5) of the listed cells of the tile, in random order.
    /// `D`: dead cells leave debris (see [`Turn::rare_events`]).
    fn turns<const D: bool>(&mut self) {
        let c = self.c;
        let r = c.rates;
        let cur = c.cur;
        rng::shuffle(&mut self.rng, &mut self.t.list);
        let mut kept = 0usize;
        let mut i = 0usize;
        while i < self.t.list.len() {
            let x = self.t.list[i] as usize;
            self.cursor = Some(i);
            i += 1;
            let v = c.lat.get(x);
            let code = v & KIND_MASK;
            if code == EMPTY {
                // The cell died (or was removed) since it was listed: drop the entry.
                c.put(x, EMPTY);
                continue;
            }
            if D && code == DEBRIS {
                // The cell died and left debris: drop the entry.
                c.put(x, DEBRIS);
                continue;
            }
            if v & STAMP_MASK == cur {
                // Born, arrived or already acted in this step.
                self.t.list[kept] = x as u32;
                kept += 1;
                continue;
            }
            // Branch-free mask of the free neighbours (the centre is occupied).
            let free = c.neighbour_mask(x, empty_bits);
            let nf = free.count_ones();
            if nf == 0 {
                // Contact inhibition: the turn passes, the cell leaves the active list.
                c.put(x, code | cur);
                self.t.dropped.push(x as u32);
                continue;
            }
            // One 64-bit draw decides the turn: the high half picks the free site, the low
            // half (32-bit resolution) decides division, and, given no division, migration
            // (the low half is then uniform on [thr_div, 2³²)).
            let draw = self.rng.next_u64();
            let k = (((draw >> 32) * nf as u64) >> 32) as u32;
            let target = (x as isize + c.bit_off[nth_set_bit(free, k) as usize]) as usize;
            let low = draw & 0xFFFF_FFFF;
            if low < c.thr_div {
                if code == STEM {
                    let p_s = c.p_symmetric_at(x);
                    let daughter = if uniform(&mut self.rng) < p_s {
                        self.t.events.symmetric_divisions += 1;
                        STEM
                    } else {
                        progenitor(r.rho_max)
                    };
                    c.put(x, code | cur | LISTED);
                    self.place(target, daughter);
                    self.t.delta[class_index(daughter)] += 1;
                    self.t.events.births += 1;
                    self.t.list[kept] = x as u32;
                    kept += 1;
                } else if code > progenitor(0) && uniform(&mut self.rng) >= r.alpha {
                    let child = code - 1;
                    c.put(x, child | cur | LISTED);
                    self.place(target, child);
                    self.t.delta[class_index(code)] -= 1;
                    self.t.delta[class_index(child)] += 2;
                    self.t.events.births += 1;
                    self.t.list[kept] = x as u32;
                    kept += 1;
                } else {
                    // Death at division (probability α) or exhaustion (ρ = 0).
                    self.t.delta[class_index(code)] -= 1;
                    self.t.events.deaths += 1;
                    if D {
                        c.put(x, DEBRIS);
                        self.t.debris.push(x as u32);
                    } else {
                        c.put(x, EMPTY);
                        self.activate_around(x);
                    }
                }
            } else if low - c.thr_div < c.thr_mig {
                c.put(x, EMPTY);
                self.place(target, code);
                self.t.events.migrations += 1;
                self.activate_around(x);
            } else {
                c.put(x, code | cur | LISTED);
                self.t.list[kept] = x as u32;
                kept += 1;
            }
        }
        self.cursor = None;
        self.t.events.turns += i as u64;
        self.t.list.truncate(kept);
        self.t.list.append(&mut self.t.hold);
        for &s in &self.t.dropped {
            let v = c.lat.get(s as usize);
            c.put(s as usize, v & !STAMP_MASK);
        }
        self.t.dropped.clear();
    }
}

/// One tile's turn in step `step`: its rare events, then its listed cells' turns. `D`:
/// dead cells leave debris.
fn tile_turn<const R: usize, const D: bool>(
    tile: &mut Tile,
    ctx: &Ctx<'_, R>,
    seed: u64,
    step: u64,
) {
    let mut turn = Turn {
        rng: rng::stream(seed, purpose::TILE, tile.key, step),
        t: tile,
        c: ctx,
        cursor: None,
    };
    turn.rare_events::<D>();
    turn.turns::<D>();
}

/// Exclusive access to a tile without locking.
fn tile_mut(m: &mut Mutex<Tile>) -> &mut Tile {
    m.get_mut().unwrap_or_else(|e| e.into_inner())
}

/// Lock a tile (a poisoned lock only means another thread panicked; that panic is
/// propagated by rayon anyway).
fn lock(m: &Mutex<Tile>) -> std::sync::MutexGuard<'_, Tile> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The band `[lo, hi)` of tiles for thread `k` of `n`: contiguous, with about equal
/// total work.
fn band(work: &[AtomicU32], k: usize, n: usize) -> (usize, usize) {
    let total: u64 = work.iter().map(|w| w.load(Ordering::Relaxed) as u64).sum();
    let (from, to) = (
        total * k as u64 / n as u64,
        total * (k as u64 + 1) / n as u64,
    );
    let (mut lo, mut hi, mut acc) = (work.len(), work.len(), 0u64);
    for (i, w) in work.iter().enumerate() {
        if acc >= from && lo == work.len() {
            lo = i;
        }
        if acc >= to {
            hi = i;
            break;
        }
        acc += w.load(Ordering::Relaxed) as u64;
    }
    (lo.min(hi), hi)
}

/// (group, index) of the tile holding `site`.
fn locate_site(lat: &Lattice, tiling: &Tiling, site: u32) -> (usize, usize) {
    let c = lat.coords(site as usize);
    let tl = tiling.tl;
    tiling.locate([c[0] >> tl, c[1] >> tl, c[2] >> tl])
}

/// Deliver the cross-tile entries produced by the tiles of colour `g` to their tiles'
/// lists, in tile order (deterministic), with exclusive access.
fn deliver(groups: &mut [Vec<Mutex<Tile>>], g: usize, lat: &Lattice, tiling: &Tiling) {
    for i in 0..groups[g].len() {
        let mut out = std::mem::take(&mut tile_mut(&mut groups[g][i]).outbox);
        for &s in &out {
            let (tg, ti) = locate_site(lat, tiling, s);
            tile_mut(&mut groups[tg][ti]).list.push(s);
        }
        out.clear();
        tile_mut(&mut groups[g][i]).outbox = out;
    }
}

/// [`deliver`] from inside a parallel region (one thread, others waiting at a barrier).
fn deliver_locked(groups: &[Vec<Mutex<Tile>>], g: usize, lat: &Lattice, tiling: &Tiling) {
    for tile in &groups[g] {
        let mut out = std::mem::take(&mut lock(tile).outbox);
        if out.is_empty() {
            lock(tile).outbox = out;
            continue;
        }
        for &s in &out {
            let (tg, ti) = locate_site(lat, tiling, s);
            lock(&groups[tg][ti]).list.push(s);
        }
        out.clear();
        lock(tile).outbox = out;
    }
}

impl Primary {
    /// The engine's state around `lattice` before [`Primary::rebuild`] lists its cells.
    fn unbuilt(lattice: Lattice) -> Self {
        Primary {
            tiling: Tiling::new(&lattice),
            lattice,
            groups: Vec::new(),
            work: Vec::new(),
            counts: [0; 3],
            events: EventCounts::default(),
            clearance_steps: 0,
            debris: VecDeque::new(),
        }
    }

    /// A primary tumour on `lattice` (already holding the initial cells).
    pub fn new(lattice: Lattice) -> Self {
        let mut p = Primary::unbuilt(lattice);
        p.rebuild();
        while p.any_cell_on_edge() && p.grow() {}
        p
    }

    /// Grow the lattice window (counted in `growths`), keep the debris queue on its sites,
    /// and rebuild the tiling. Returns `false` if the window could not grow.
    fn grow(&mut self) -> bool {
        let at: Vec<[i64; 3]> = self
            .debris
            .iter()
            .map(|&(_, s)| self.lattice.domain_coords(s as usize))
            .collect();
        if !self.lattice.grow() {
            return false;
        }
        for (entry, d) in self.debris.iter_mut().zip(at) {
            entry.1 = self
                .lattice
                .site_at(d)
                .expect("the grown window contains the old one") as u32;
        }
        self.events.growths += 1;
        self.rebuild();
        true
    }

    /// Set K, the steps for which a dead cell's debris blocks its site (0: none, the
    /// reference rule). Debris already on the lattice keeps its due step.
    pub fn set_clearance_steps(&mut self, steps: u64) {
        self.clearance_steps = steps;
    }

    /// K, the steps for which a dead cell's debris blocks its site (0: no debris).
    pub fn clearance_steps(&self) -> u64 {
        self.clearance_steps
    }

    /// Number of sites holding debris.
    pub fn debris(&self) -> usize {
        self.debris.len()
    }

    /// The debris to clear, in order: (step at whose cell update the site empties, site).
    pub fn debris_queue(&self) -> impl Iterator<Item = (u64, usize)> + '_ {
        self.debris.iter().map(|&(due, s)| (due, s as usize))
    }

    /// Clear the debris due at `step` (at the start of its cell update): each site empties
    /// and its cells take their turns again.
    fn clear_debris(&mut self, step: u64) {
        while let Some(&(due, site)) = self.debris.front()
            && due <= step
        {
            self.debris.pop_front();
            self.free_site(site as usize);
        }
    }

    /// Empty the debris at `site` (keeping its listed flag for a pending entry) and give its
    /// unlisted cells their turns back.
    fn free_site(&mut self, site: usize) {
        let v = self.lattice.get(site);
        debug_assert!(self.lattice.is_debris(site), "site {site} holds {v:#x}");
        self.lattice.set(site, v & LISTED);
        self.list_neighbours(site);
    }

    /// Remove every debris site for which `remove(site)` holds at once (surgery takes the
    /// mass away), as if it had been cleared. Returns the number removed.
    pub fn remove_debris(&mut self, mut remove: impl FnMut(usize) -> bool) -> usize {
        let queue = std::mem::take(&mut self.debris);
        let mut removed = 0;
        for (due, site) in queue {
            if remove(site as usize) {
                self.free_site(site as usize);
                removed += 1;
            } else {
                self.debris.push_back((due, site));
            }
        }
        removed
    }

    /// Rebuild the tiling and active lists from the lattice (after construction or growth).
    fn rebuild(&mut self) {
        self.lattice.clear_flags();
        let lat = &mut self.lattice;
        self.tiling = Tiling::new(lat);
        let tl = self.tiling.tl;
        let n = self.tiling.n;
        let off = lat.offsets();
        let mut groups: Vec<Vec<Mutex<Tile>>> =
            (0..self.tiling.groups()).map(|_| Vec::new()).collect();
        for g in groups.iter_mut() {
            g.resize_with(n[0] * n[1] * n[2] / self.tiling.groups(), Default::default);
        }
        let mut counts = [0u64; 3];
        let side = 1usize << tl;
        for tz in 0..n[2] {
            for ty in 0..n[1] {
                for tx in 0..n[0] {
                    let (g, gi) = self.tiling.locate([tx, ty, tz]);
                    let tile = tile_mut(&mut groups[g][gi]);
                    tile.index = (tx + n[0] * (ty + n[1] * tz)) as u32;
                    tile.base = lat.index([tx << tl, ty << tl, tz << tl]);
                    let dt = [
                        (lat.origin[0] >> tl) + tx as i64,
                        (lat.origin[1] >> tl) + ty as i64,
                        (lat.origin[2] >> tl) + tz as i64,
                    ];
                    tile.key = dt.iter().fold(0u64, |k, &d| {
                        (k << 21) | ((d + (1 << 20)) as u64 & 0x1F_FFFF)
                    });
                    let zs = if lat.dims == 3 { side } else { 1 };
                    for lz in 0..zs {
                        for ly in 0..side {
                            for lx in 0..side {
                                let s = lat.index([
                                    (tx << tl) + lx,
                                    (ty << tl) + ly,
                                    if lat.dims == 3 { (tz << tl) + lz } else { 0 },
                                ]);
                                let code = lat.code(s);
                                if !is_cell(code) {
                                    continue;
                                }
                                counts[class_index(code)] += 1;
                                if off
                                    .iter()
                                    .any(|&o| lat.code((s as isize + o) as usize) == EMPTY)
                                {
                                    lat.set(s, code | LISTED);
                                    tile.list.push(s as u32);
                                }
                            }
                        }
                    }
                }
            }
        }
        self.work = groups
            .iter_mut()
            .map(|g| {
                g.iter_mut()
                    .map(|t| AtomicU32::new(tile_mut(t).list.len() as u32 + 1))
                    .collect()
            })
            .collect();
        self.groups = groups;
        self.counts = counts;
    }

    fn any_cell_on_edge(&self) -> bool {
        let lat = &self.lattice;
        (0..lat.len()).any(|s| {
            is_cell(lat.code(s)) && {
                let c = lat.coords(s);
                let t = [
                    c[0] >> self.tiling.tl,
                    c[1] >> self.tiling.tl,
                    c[2] >> self.tiling.tl,
                ];
                self.tiling.edge[t[0] + self.tiling.n[0] * (t[1] + self.tiling.n[1] * t[2])]
            }
        })
    }

    /// Cells by class: `[csc, progenitor (ρ > 0), differentiated (ρ = 0)]`.
    pub fn counts(&self) -> [u64; 3] {
        self.counts
    }

    /// Total number of cancer cells.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Cumulative event counts.
    pub fn events(&self) -> EventCounts {
        self.events
    }

    /// Number of listed (possibly active) cells.
    pub fn active(&self) -> usize {
        self.groups
            .iter()
            .flatten()
            .map(|t| lock(t).list.len())
            .sum()
    }

    /// Every listed site (cells that had a free neighbour when last visited; some may have
    /// lost it since), in a fixed order: colour group, tile, list position. The same state
    /// gives the same sequence whatever the thread count.
    pub fn listed_sites(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for tile in self.groups.iter().flatten() {
            out.extend(lock(tile).list.iter().map(|&s| s as usize));
        }
        out
    }

    /// Sample listed sites independently with probability `p` each, by geometric skipping
    /// over the tiles' lists in their fixed order ([`Primary::listed_sites`]): the same
    /// state and stream give the same sites whatever the thread count. Costs one look at
    /// each tile plus one draw per sampled site. Every rim cell is listed, so thinning the
    /// result with [`Primary::is_rim`] samples rim cells exactly.
    pub fn sample_listed(&mut self, p: f64, rng: &mut Stream, out: &mut Vec<usize>) {
        if p <= 0.0 {
            return;
        }
        let mut next = geometric_gap(rng, p);
        let mut base = 0u64;
        for tile in self.groups.iter_mut().flatten() {
            let list = &tile_mut(tile).list;
            let end = base + list.len() as u64;
            while next < end {
                out.push(list[(next - base) as usize] as usize);
                next = next.saturating_add(1).saturating_add(geometric_gap(rng, p));
            }
            base = end;
        }
    }

    /// Remove the cancer cell at `site` between steps (intravasation) and return its kind
    /// code; its occupied neighbours that were not listed get their turns back, as after a
    /// death. `None` if the site holds no cancer cell.
    pub fn remove_cell(&mut self, site: usize) -> Option<u8> {
        let code = self.take_cell(site)?;
        self.events.removed += 1;
        Some(code)
    }

    /// Resect (surgery) the cancer cell at `site` between steps, like
    /// [`Primary::remove_cell`] but counted in `therapy_killed`: it leaves no debris.
    pub fn kill_cell(&mut self, site: usize) -> Option<u8> {
        let code = self.take_cell(site)?;
        self.events.therapy_killed += 1;
        Some(code)
    }

    /// Kill the cancer cell at `site` where it lies (radiation) between steps, in step
    /// `step`, counted in `therapy_killed`: with debris on its remains block the site until
    /// the cell update of step `step + K`; otherwise like [`Primary::kill_cell`].
    pub fn kill_in_place(&mut self, site: usize, step: u64) -> Option<u8> {
        if self.clearance_steps == 0 {
            return self.kill_cell(site);
        }
        let v = self.lattice.get(site);
        let code = v & KIND_MASK;
        if !is_cell(code) {
            return None;
        }
        // A pending list entry stays consistent: its turn finds debris and drops it.
        self.lattice.set(site, DEBRIS | (v & LISTED));
        self.counts[class_index(code)] -= 1;
        self.events.therapy_killed += 1;
        debug_assert!(
            self.debris
                .back()
                .is_none_or(|&(due, _)| due <= step + self.clearance_steps)
        );
        self.debris
            .push_back((step + self.clearance_steps, site as u32));
        Some(code)
    }

    /// The cancer cell at `site` dies between steps (apoptosis of an avascular colony),
    /// like [`Primary::remove_cell`] but counted in `deaths`.
    pub fn die(&mut self, site: usize) -> Option<u8> {
        let code = self.take_cell(site)?;
        self.events.deaths += 1;
        Some(code)
    }

    /// Every site holding a cancer cell, in lattice index order.
    pub fn cell_sites(&self) -> Vec<usize> {
        let lat = &self.lattice;
        let mut out = Vec::new();
        // The window holds a power-of-two number (≥ 2⁸) of sites: scan it in runs of 8
        // and skip the runs with no kind bits at all (empty sites).
        for run in (0..lat.len()).step_by(8) {
            let any = (run..run + 8).fold(0u8, |a, s| a | lat.get(s));
            if any & KIND_MASK != 0 {
                out.extend((run..run + 8).filter(|&s| is_cell(lat.code(s))));
            }
        }
        out
    }

    fn take_cell(&mut self, site: usize) -> Option<u8> {
        let v = self.lattice.get(site);
        let code = v & KIND_MASK;
        if !is_cell(code) {
            return None;
        }
        // A pending list entry stays consistent: the next turn finds the site empty and
        // drops it.
        self.lattice.set(site, v & LISTED);
        self.counts[class_index(code)] -= 1;
        self.list_neighbours(site);
        Some(code)
    }

    /// List the unlisted cells around `site` (just freed): they may have space now.
    fn list_neighbours(&mut self, site: usize) {
        let d = self.lattice.domain_coords(site);
        for o in moore_offsets(self.lattice.dims) {
            let Some(n) = self
                .lattice
                .site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
            else {
                continue;
            };
            let nv = self.lattice.get(n);
            if is_cell(nv & KIND_MASK) && nv & LISTED == 0 {
                self.lattice.set(n, nv | LISTED);
                let (g, i) = locate_site(&self.lattice, &self.tiling, n as u32);
                tile_mut(&mut self.groups[g][i]).list.push(n as u32);
            }
        }
    }

    /// Whether `site` holds a cancer cell with at least one empty neighbour (a rim site).
    pub fn is_rim(&self, site: usize) -> bool {
        let lat = &self.lattice;
        if !is_cell(lat.code(site)) {
            return false;
        }
        lat.any_neighbour(site, |n| lat.code(n) == EMPTY)
    }

    /// Advance the primary tumour by one step `step` (docs/model.md §7.2–7.8 for every
    /// cell). `parallel`: update the tiles of a colour on the current rayon pool (else on
    /// the calling thread); the outcome is the same. `fields`: the cytokine fields the
    /// rules read (zero without).
    pub fn step(
        &mut self,
        rates: &HierarchyRates,
        seed: u64,
        step: u64,
        parallel: bool,
        fields: Option<FieldView<'_>>,
    ) {
        if self.lattice.dims == 2 {
            self.step_n::<3>(rates, seed, step, parallel, fields);
        } else {
            self.step_n::<9>(rates, seed, step, parallel, fields);
        }
    }

    fn step_n<const R: usize>(
        &mut self,
        rates: &HierarchyRates,
        seed: u64,
        step: u64,
        parallel: bool,
        fields: Option<FieldView<'_>>,
    ) {
        let sy = self.lattice.side(0) as isize;
        let sz = sy * self.lattice.side(1) as isize;
        let mut rows = [0isize; R];
        let mut bit_off = [0isize; 32];
        for (r, row) in rows.iter_mut().enumerate() {
            let (dz, dy) = if R == 9 {
                (r as isize / 3 - 1, r as isize % 3 - 1)
            } else {
                (0, r as isize - 1)
            };
            *row = dz * sz + dy * sy - 1;
            for col in 0..3 {
                bit_off[3 * r + col] = *row + col as isize;
            }
        }
        if !self.debris.is_empty() {
            self.clear_debris(step);
        }
        let ngroups = self.groups.len();
        let mut order: Vec<usize> = (0..ngroups).collect();
        rng::shuffle(
            &mut rng::stream(seed, purpose::COLOUR_ORDER, 0, step),
            &mut order,
        );
        let p_rare_max = rates.p_rare_max();
        let two32 = (1u64 << 32) as f64;
        let thr_div = ((rates.p_div.clamp(0.0, 1.0) * two32).round() as u64).min(1 << 32);
        let thr_mig =
            (rates.p_mig.clamp(0.0, 1.0) * ((1u64 << 32) - thr_div) as f64).round() as u64;
        let lat = &self.lattice;
        let ctx = Ctx::<R> {
            lat,
            rows,
            bit_off,
            rates,
            p_rare_max,
            thr_div,
            thr_mig,
            cur: stamp_for(step),
            mask: [lat.side(0) - 1, lat.side(1) - 1, lat.side(2) - 1],
            log: lat.log,
            tile_bits: {
                let t = (1usize << lat.tile_log) - 1;
                ((lat.side(0) - 1) & !t)
                    | (((lat.side(1) - 1) & !t) << lat.log[0])
                    | (((lat.side(2) - 1) & !t) << (lat.log[0] + lat.log[1]))
            },
            tiling: &self.tiling,
            fields,
        };
        let debris = self.clearance_steps > 0;
        // The rules with and without debris are separate functions, so that without debris
        // the engine runs exactly the reference code.
        let turn_fn: fn(&mut Tile, &Ctx<'_, R>, u64, u64) = if debris {
            tile_turn::<R, true>
        } else {
            tile_turn::<R, false>
        };
        let run_tile = |tile: &mut Tile| {
            if tile.list.is_empty() && p_rare_max <= 0.0 {
                return;
            }
            turn_fn(tile, &ctx, seed, step);
        };
        let tiling = &self.tiling;
        let threads = rayon::current_num_threads();
        if parallel && threads > 1 {
            // One parallel region per step: every thread claims tiles of the current colour
            // from a shared counter, then all meet at a barrier; thread 0 delivers the
            // cross-tile entries, and all meet again before the next colour. Which thread
            // runs a tile never matters: each tile draws from its own stream.
            let groups = &self.groups;
            let work = &self.work;
            // Bands are fixed before the region starts (work is updated during it).
            let bands: Vec<Vec<(usize, usize)>> = work
                .iter()
                .map(|w| (0..threads).map(|k| band(w, k, threads)).collect())
                .collect();
            let barrier = SpinBarrier::new(threads);
            rayon::broadcast(|bc| {
                for &g in &order {
                    let (lo, hi) = bands[g][bc.index()];
                    for (tile, w) in groups[g][lo..hi].iter().zip(&work[g][lo..hi]) {
                        let mut tile = lock(tile);
                        run_tile(&mut tile);
                        w.store(tile.list.len() as u32 + 1, Ordering::Relaxed);
                    }
                    barrier.wait();
                    if bc.index() == 0 {
                        deliver_locked(groups, g, lat, tiling);
                    }
                    barrier.wait();
                }
            });
        } else {
            for &g in &order {
                for tile in self.groups[g].iter_mut() {
                    run_tile(tile_mut(tile));
                }
                deliver(&mut self.groups, g, lat, tiling);
            }
        }
        // Fold the tiles' counts (sums: order does not matter).
        let mut near_edge = false;
        for tile in self.groups.iter_mut().flatten() {
            let tile = tile_mut(tile);
            for k in 0..3 {
                self.counts[k] = (self.counts[k] as i64 + tile.delta[k]) as u64;
            }
            tile.delta = [0; 3];
            self.events.add(&tile.events);
            tile.events = EventCounts::default();
            near_edge |= std::mem::take(&mut tile.near_edge);
        }
        if debris {
            // This step's debris, in tile order (deterministic whatever the threads).
            let due = step + self.clearance_steps;
            for tile in self.groups.iter_mut().flatten() {
                let tile = tile_mut(tile);
                self.debris
                    .extend(tile.debris.drain(..).map(|site| (due, site)));
            }
        }
        if near_edge {
            self.grow();
        }
    }

    /// Checkpoint: the lattice (site bytes with their listed and stamp flags), counts,
    /// events, every tile's work estimate and active list in its exact order (tiles
    /// shuffle their lists, so the order is state), and the debris queue. Between steps
    /// the tiles' other vectors (held, outgoing, dropped entries, deaths) and per-step
    /// tallies are empty.
    pub(crate) fn save_state(&self, w: &mut Writer) {
        self.lattice.save_state(w);
        for c in self.counts {
            w.put_u64(c);
        }
        save_event_counts(w, &self.events);
        w.put_usize(self.groups.len());
        for (g, work) in self.groups.iter().zip(&self.work) {
            w.put_usize(g.len());
            for (tile, work) in g.iter().zip(work) {
                let t = lock(tile);
                debug_assert!(t.hold.is_empty() && t.outbox.is_empty() && t.dropped.is_empty());
                debug_assert!(t.debris.is_empty());
                debug_assert!(t.delta == [0; 3] && t.events == EventCounts::default());
                w.put_u32(work.load(Ordering::Relaxed));
                w.put_vec(&t.list, |w, &s| w.put_u32(s));
            }
        }
        let debris: Vec<(u64, u32)> = self.debris.iter().copied().collect();
        w.put_vec(&debris, |w, &(due, s)| {
            w.put_u64(due);
            w.put_u32(s);
        });
    }

    /// A primary tumour as written by [`Primary::save_state`]: the tiling is rebuilt from
    /// the lattice, then flags, lists and counters are put back exactly.
    pub(crate) fn load_state(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let lattice = Lattice::load_state(r)?;
        let saved = lattice.bytes();
        let mut p = Primary::unbuilt(lattice);
        // Tile geometry (index, base, key) as after any growth; lists are replaced below.
        p.rebuild();
        for (s, &v) in saved.iter().enumerate() {
            p.lattice.set(s, v);
        }
        for c in p.counts.iter_mut() {
            *c = r.u64()?;
        }
        p.events = load_event_counts(r)?;
        let at = r.position();
        let bad = |what| CodecError::Invalid { what, offset: at };
        if r.usize()? != p.groups.len() {
            return Err(bad("number of tile colours"));
        }
        let sites = p.lattice.len() as u32;
        for (g, work) in p.groups.iter_mut().zip(&mut p.work) {
            if r.usize()? != g.len() {
                return Err(bad("number of tiles"));
            }
            for (tile, work) in g.iter_mut().zip(work.iter_mut()) {
                *work.get_mut() = r.u32()?;
                let list = r.vec(4, |r| r.check("listed site", |r| r.u32(), |&s| s < sites))?;
                tile_mut(tile).list = list;
            }
        }
        let at = r.position();
        let debris = r.vec(12, |r| Ok((r.u64()?, r.u32()?)))?;
        let ordered = debris.windows(2).all(|w| w[0].0 <= w[1].0);
        if !ordered
            || debris
                .iter()
                .any(|&(_, s)| s >= sites || !p.lattice.is_debris(s as usize))
        {
            return Err(CodecError::Invalid {
                what: "debris queue",
                offset: at,
            });
        }
        p.debris = debris.into();
        Ok(p)
    }

    /// Kind code at domain coordinates (`WALL` outside the domain, `EMPTY` outside the window).
    pub fn code_at(&self, d: [i64; 3]) -> u8 {
        if self.lattice.is_wall(d) {
            return WALL;
        }
        self.lattice
            .site_at(d)
            .map(|s| self.lattice.code(s))
            .unwrap_or(EMPTY)
    }

    /// Recount cells by scanning the lattice (for checks; the engine keeps counts
    /// incrementally).
    pub fn recount(&self) -> [u64; 3] {
        let mut c = [0u64; 3];
        for s in 0..self.lattice.len() {
            let code = self.lattice.code(s);
            if is_cell(code) {
                c[class_index(code)] += 1;
            }
        }
        c
    }

    /// Check internal invariants (listed flags match list entries, no stale stamps on
    /// unlisted cells, counts match the lattice, the debris queue holds exactly the debris
    /// sites in order). For tests; panics with a message.
    pub fn check_invariants(&self) {
        let lat = &self.lattice;
        let mut entries = vec![0u8; lat.len()];
        for t in self.groups.iter().flatten() {
            let t = lock(t);
            for &s in &t.list {
                entries[s as usize] += 1;
            }
        }
        for (s, &e) in entries.iter().enumerate() {
            let v = lat.get(s);
            assert!(e <= 1, "site {s} listed {e} times");
            assert_eq!(
                e == 1,
                v & LISTED != 0,
                "listed flag of site {s} (byte {v:#x})"
            );
            if v & LISTED == 0 && is_cell(v & KIND_MASK) {
                assert_eq!(v & STAMP_MASK, 0, "unlisted cell at {s} has a stamp");
            }
        }
        assert_eq!(self.recount(), self.counts, "incremental counts");
        // Debris: exactly the queued sites, each once, in order of clearance.
        let mut queued = vec![false; lat.len()];
        let mut last = 0;
        for &(due, s) in &self.debris {
            assert!(due >= last, "debris queue out of order at site {s}");
            last = due;
            assert!(lat.is_debris(s as usize), "queued site {s} holds no debris");
            assert!(!queued[s as usize], "site {s} queued twice");
            queued[s as usize] = true;
        }
        let on_lattice = (0..lat.len()).filter(|&s| lat.is_debris(s)).count();
        assert_eq!(on_lattice, self.debris.len(), "debris sites vs queue");
    }
}

/// Checkpoint: cumulative event counts.
pub(crate) fn save_event_counts(w: &mut Writer, e: &EventCounts) {
    for v in [
        e.births,
        e.deaths,
        e.migrations,
        e.dedifferentiations,
        e.symmetric_divisions,
        e.growths,
        e.turns,
        e.removed,
        e.therapy_killed,
        e.chemo_deaths,
        e.stemness_losses,
    ] {
        w.put_u64(v);
    }
}

/// Event counts as written by [`save_event_counts`].
pub(crate) fn load_event_counts(r: &mut Reader<'_>) -> Result<EventCounts, CodecError> {
    Ok(EventCounts {
        births: r.u64()?,
        deaths: r.u64()?,
        migrations: r.u64()?,
        dedifferentiations: r.u64()?,
        symmetric_divisions: r.u64()?,
        growths: r.u64()?,
        turns: r.u64()?,
        removed: r.u64()?,
        therapy_killed: r.u64()?,
        chemo_deaths: r.u64()?,
        stemness_losses: r.u64()?,
    })
}

#[cfg(test)]
mod select_tests {
    use super::nth_set_bit;

    #[test]
    fn nth_set_bit_matches_a_naive_scan() {
        let mut x = 0x9E37_79B9u32;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let mask = x & 0x07FF_FFFF;
            let set: Vec<u32> = (0..27).filter(|b| mask & (1 << b) != 0).collect();
            for (k, &pos) in set.iter().enumerate() {
                assert_eq!(nth_set_bit(mask, k as u32), pos, "mask {mask:#x} k {k}");
            }
        }
    }
}
