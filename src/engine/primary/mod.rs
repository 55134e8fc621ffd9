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

mod events;
mod tiles;
mod turn;

pub use events::EventCounts;
use tiles::{Claims, Tile, Tiling, band, deliver, deliver_locked, locate_site, lock, tile_mut};
use turn::{Ctx, tile_turn};

use crate::engine::barrier::SpinBarrier;
use crate::engine::field_view::FieldView;
use crate::model::HierarchyRates;
use crate::model::kind::{DEBRIS, EMPTY, KIND_MASK, WALL, class_index, is_cell};
use crate::persist::{CodecError, Persist, Reader, Writer};
use crate::rng::{self, Stream, geometric_gap, purpose};
use crate::space::lattice::{LISTED, Lattice, MARGIN, STAMP_MASK, moore_offsets, stamp_for};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Listed cells below which a step runs on the calling thread even when parallel steps are
/// asked for: about 30 µs of turns, the order of the cost of a parallel region (waking the
/// threads, eight barriers).
const PARALLEL_MIN_LISTED: u64 = 1024;

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
    pub fn new(mut lattice: Lattice) -> Self {
        // Cells on a face the window could grow past would have neighbours outside it
        // (a lattice that no run makes, e.g. a killed run's snapshot): grow first.
        while (0..lattice.len()).any(|s| is_cell(lattice.code(s)) && lattice.on_open_face(s))
            && lattice.grow()
        {}
        let mut p = Primary::unbuilt(lattice);
        p.rebuild();
        while p.any_cell_near_open_face() && p.grow() {}
        p
    }

    /// Grow the lattice window around the cells (counted in `growths`), keeping every
    /// site's byte, every tile's active list in its order and the debris queue: the
    /// update does not depend on the window. Returns `false` if the window could not grow.
    fn grow(&mut self) -> bool {
        let Some((mut lo, mut hi)) = self.lattice.cell_bounds() else {
            return false;
        };
        for &(_, s) in &self.debris {
            let d = self.lattice.domain_coords(s as usize);
            for a in 0..3 {
                lo[a] = lo[a].min(d[a]);
                hi[a] = hi[a].max(d[a]);
            }
        }
        let Some(map) = self.lattice.grow_around(lo, hi) else {
            return false;
        };
        assert!(
            self.lattice.len() <= u32::MAX as usize,
            "lattice window of {} sites: more than 2^32",
            self.lattice.len()
        );
        for entry in self.debris.iter_mut() {
            entry.1 = map.map(entry.1 as usize) as u32;
        }
        let old: Vec<Tile> = std::mem::take(&mut self.groups)
            .into_iter()
            .flatten()
            .map(|t| t.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
        self.tiling = Tiling::new(&self.lattice);
        let mut groups = self.fresh_tiles();
        let tl = self.tiling.tl;
        for mut tile in old {
            let c = self.lattice.coords(map.map(tile.base));
            let (g, i) = self.tiling.locate([c[0] >> tl, c[1] >> tl, c[2] >> tl]);
            let new = tile_mut(&mut groups[g][i]);
            debug_assert_eq!(new.key, tile.key);
            for s in tile.list.iter_mut() {
                *s = map.map(*s as usize) as u32;
            }
            new.list = std::mem::take(&mut tile.list);
        }
        self.set_tiles(groups);
        self.events.growths += 1;
        true
    }

    /// Every tile of the current tiling, empty, by colour.
    fn fresh_tiles(&self) -> Vec<Vec<Mutex<Tile>>> {
        let lat = &self.lattice;
        let tl = self.tiling.tl;
        let n = self.tiling.n;
        let mut groups: Vec<Vec<Mutex<Tile>>> =
            (0..self.tiling.groups()).map(|_| Vec::new()).collect();
        for tz in 0..n[2] {
            for ty in 0..n[1] {
                for tx in 0..n[0] {
                    let (g, gi) = self.tiling.locate([tx, ty, tz]);
                    debug_assert_eq!(gi, groups[g].len());
                    let dt = [
                        (lat.origin[0] >> tl) + tx as i64,
                        (lat.origin[1] >> tl) + ty as i64,
                        (lat.origin[2] >> tl) + tz as i64,
                    ];
                    groups[g].push(Mutex::new(Tile {
                        index: self.tiling.global([tx, ty, tz]) as u32,
                        base: lat.index([tx << tl, ty << tl, tz << tl]),
                        key: dt.iter().fold(0u64, |k, &d| {
                            (k << 21) | ((d + (1 << 20)) as u64 & 0x1F_FFFF)
                        }),
                        ..Default::default()
                    }));
                }
            }
        }
        groups
    }

    /// Install `groups` as the tiles, with work estimates from their lists.
    fn set_tiles(&mut self, mut groups: Vec<Vec<Mutex<Tile>>>) {
        self.work = groups
            .iter_mut()
            .map(|g| {
                g.iter_mut()
                    .map(|t| AtomicU32::new(tile_mut(t).list.len() as u32 + 1))
                    .collect()
            })
            .collect();
        self.groups = groups;
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

    /// Build the tiling and active lists from the lattice (at construction and restore):
    /// every cell with an empty neighbour is listed, in site order within its tile.
    fn rebuild(&mut self) {
        self.lattice.clear_flags();
        self.tiling = Tiling::new(&self.lattice);
        let mut groups = self.fresh_tiles();
        let lat = &mut self.lattice;
        let tl = self.tiling.tl;
        let off = lat.offsets();
        let mut counts = [0u64; 3];
        let side = 1usize << tl;
        for tile in groups.iter_mut().flatten() {
            let tile = tile_mut(tile);
            let b = lat.coords(tile.base);
            let zs = if lat.dims == 3 { side } else { 1 };
            for lz in 0..zs {
                for ly in 0..side {
                    for lx in 0..side {
                        let s = lat.index([b[0] + lx, b[1] + ly, b[2] + lz]);
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
        self.set_tiles(groups);
        self.counts = counts;
    }

    /// Whether a cell lies within `MARGIN` sites of an open face of the window.
    fn any_cell_near_open_face(&self) -> bool {
        self.lattice
            .cell_bounds()
            .is_some_and(|(lo, hi)| self.lattice.near_open_face(lo, hi))
    }

    /// Heap memory the tumour holds, in bytes, by part: `[lattice window, active lists,
    /// per-turn scratch lists (held, outbox, dropped, debris), tiles and tiling]`
    /// (capacities, not lengths: what the allocator gave).
    pub fn heap_bytes(&self) -> [usize; 4] {
        let mut lists = 0;
        let mut scratch = 0;
        let mut tiles = 0;
        for t in self.groups.iter().flatten() {
            let t = lock(t);
            lists += t.list.capacity() * 4;
            scratch += (t.hold.capacity()
                + t.outbox.capacity()
                + t.dropped.capacity()
                + t.debris.capacity())
                * 4;
            tiles += std::mem::size_of::<Mutex<Tile>>();
        }
        tiles += self.work.iter().map(|w| w.len() * 4).sum::<usize>()
            + self.tiling.heap_bytes()
            + self.debris.capacity() * 16;
        [self.lattice.len(), lists, scratch, tiles]
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
        lat.for_each_occupied(|s| {
            if is_cell(lat.code(s)) {
                out.push(s);
            }
        });
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
            strides: lat.strides(),
            inner_lo: std::array::from_fn(|a| if lat.face_open(a, false) { MARGIN } else { 0 }),
            inner_hi: std::array::from_fn(|a| {
                let side = lat.side(a);
                if lat.face_open(a, true) {
                    side.saturating_sub(MARGIN)
                } else {
                    side
                }
            }),
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
        // A step with few listed cells costs less than waking the threads and meeting at
        // the barriers: it runs on the calling thread (the outcome is the same).
        let listed = || -> u64 {
            self.work
                .iter()
                .flatten()
                .map(|w| w.load(Ordering::Relaxed) as u64 - 1)
                .sum()
        };
        if parallel && threads > 1 && listed() >= PARALLEL_MIN_LISTED {
            // One parallel region per step: every thread claims tiles of the current colour
            // (its own band of equal work first, then the rest of the others' bands), then
            // all meet at a barrier; thread 0 delivers the cross-tile entries, and all meet
            // again before the next colour. Which thread runs a tile never matters: each
            // tile draws from its own stream.
            let groups = &self.groups;
            let work = &self.work;
            // Bands are fixed before the region starts (work is updated during it).
            let claims: Vec<Claims> = work
                .iter()
                .map(|w| Claims::new((0..threads).map(|k| band(w, k, threads))))
                .collect();
            let barrier = SpinBarrier::new(threads);
            rayon::broadcast(|bc| {
                for &g in &order {
                    while let Some(i) = claims[g].next(bc.index()) {
                        let mut tile = lock(&groups[g][i]);
                        run_tile(&mut tile);
                        work[g][i].store(tile.list.len() as u32 + 1, Ordering::Relaxed);
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
                for (tile, w) in self.groups[g].iter_mut().zip(&self.work[g]) {
                    let tile = tile_mut(tile);
                    run_tile(tile);
                    w.store(tile.list.len() as u32 + 1, Ordering::Relaxed);
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

impl Persist for Primary {
    /// Checkpoint: the lattice (site bytes with their listed and stamp flags), counts,
    /// events, every tile's work estimate and active list in its exact order (tiles
    /// shuffle their lists, so the order is state), and the debris queue. Between steps
    /// the tiles' other vectors (held, outgoing, dropped entries, deaths) and per-step
    /// tallies are empty.
    fn save(&self, w: &mut Writer) {
        self.lattice.save(w);
        for c in self.counts {
            w.put_u64(c);
        }
        self.events.save(w);
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

    /// A primary tumour as written by `save`: the tiling is rebuilt from
    /// the lattice, then flags, lists and counters are put back exactly.
    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        // The lattice checks its geometry and site bytes (so the rebuild below is safe).
        let lattice = Lattice::load(r)?;
        let saved = lattice.bytes();
        let mut p = Primary::unbuilt(lattice);
        // Tile geometry (index, base, key) as after any growth; lists are replaced below.
        p.rebuild();
        for (s, &v) in saved.iter().enumerate() {
            p.lattice.set(s, v);
        }
        // The rebuild counted the cells: the saved counts must agree.
        let at = r.position();
        let mut counts = [0u64; 3];
        for c in counts.iter_mut() {
            *c = r.count()?;
        }
        if counts != p.counts {
            return Err(CodecError::Invalid {
                what: "cell counts (differ from the cells on the lattice)",
                offset: at,
            });
        }
        p.events = EventCounts::load(r)?;
        let at = r.position();
        let bad = |what| CodecError::Invalid { what, offset: at };
        if r.usize()? != p.groups.len() {
            return Err(bad("number of tile colours"));
        }
        let sites = p.lattice.len() as u64;
        let (lat, tiling) = (&p.lattice, &p.tiling);
        let mut seen = vec![false; lat.len()];
        let mut entries = 0usize;
        for (g, (group, work)) in p.groups.iter_mut().zip(&mut p.work).enumerate() {
            if r.usize()? != group.len() {
                return Err(bad("number of tiles"));
            }
            for (i, (tile, work)) in group.iter_mut().zip(work.iter_mut()).enumerate() {
                *work.get_mut() = r.check("tile work estimate", |r| r.u32(), |&w| w <= 1 << 24)?;
                // Each entry: a listed cell of this tile, once.
                let list = r.vec(4, |r| {
                    r.check(
                        "listed site (not a listed cell of its tile, or listed twice)",
                        |r| r.u32(),
                        |&s| {
                            let ok = (s as u64) < sites
                                && !seen[s as usize]
                                && lat.get(s as usize) & LISTED != 0
                                && locate_site(lat, tiling, s) == (g, i);
                            if ok {
                                seen[s as usize] = true;
                            }
                            ok
                        },
                    )
                })?;
                entries += list.len();
                tile_mut(tile).list = list;
            }
        }
        // Every listed flag has its entry; unlisted cells carry no stamp.
        let flags_ok = (0..lat.len()).all(|s| {
            let v = lat.get(s);
            (v & LISTED != 0) == seen[s]
                && (v & LISTED != 0 || !is_cell(v & KIND_MASK) || v & STAMP_MASK == 0)
        });
        if !flags_ok || entries != seen.iter().filter(|&&x| x).count() {
            return Err(bad("listed flags (differ from the tiles' lists)"));
        }
        let at = r.position();
        let debris = r.vec(12, |r| Ok((r.count()?, r.u32()?)))?;
        let ordered = debris.windows(2).all(|w| w[0].0 <= w[1].0);
        let mut queued = vec![false; lat.len()];
        let each_once = debris.iter().all(|&(_, s)| {
            let ok = (s as u64) < sites && lat.is_debris(s as usize) && !queued[s as usize];
            if ok {
                queued[s as usize] = true;
            }
            ok
        });
        let on_lattice = (0..lat.len()).filter(|&s| lat.is_debris(s)).count();
        if !ordered || !each_once || on_lattice != debris.len() {
            return Err(CodecError::Invalid {
                what: "debris queue (differs from the debris on the lattice)",
                offset: at,
            });
        }
        p.debris = debris.into();
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::STEM;

    /// A lattice no run makes (a killed run's snapshot replayed without its growth
    /// events): a cell on every open face of the window. The primary grows the window
    /// until the cells sit inside, instead of reading neighbours outside it.
    #[test]
    fn cells_on_open_faces_grow_the_window_instead_of_reading_outside_it() {
        for dims in [2, 3] {
            let mut lat = Lattice::new(dims, 64, 4096);
            let side = lat.side(0) as i64;
            let o = lat.origin;
            let mut placed = Vec::new();
            for a in 0..dims {
                for end in [0, side - 1] {
                    let mut d = [o[0] + side / 2, o[1] + side / 2, o[2]];
                    if dims == 3 {
                        d[2] = o[2] + side / 2;
                    }
                    d[a] = o[a] + end;
                    let s = lat.site_at(d).unwrap();
                    assert!(lat.on_open_face(s), "{dims}D {d:?}");
                    lat.set(s, STEM);
                    placed.push(d);
                }
            }
            let before = lat.len();
            let p = Primary::new(lat);
            assert!(p.lattice.len() > before, "{dims}D: the window grew");
            assert_eq!(p.counts()[0], placed.len() as u64);
            for d in placed {
                let s = p.lattice.site_at(d).expect("kept inside");
                assert_eq!(p.lattice.code(s), STEM);
                assert!(!p.lattice.on_open_face(s));
            }
        }
    }
}
