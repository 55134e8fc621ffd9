//! One tile's turn: the hierarchy rules of docs/model.md §7.2–7.8 applied to the cells of
//! one tile (rare events by geometric skipping, then the listed cells' turns in a random
//! order), reading the lattice through SWAR masks of three-site rows.

use crate::engine::field_view::FieldView;
use crate::model::HierarchyRates;
use crate::model::kind::{DEBRIS, EMPTY, KIND_MASK, STEM, class_index, is_cell, progenitor};
use crate::rng::{self, Stream, below, geometric_gap, purpose, uniform};
use crate::space::lattice::{LISTED, Lattice, STAMP_MASK};
use rand::Rng;

use super::tiles::{Tile, Tiling};

/// Read-only state shared by the tiles during one phase.
pub(super) struct Ctx<'a, const R: usize> {
    pub(super) lat: &'a Lattice,
    /// Offsets (from a site) of the first site of each of the R rows of three sites that
    /// make up its Moore neighbourhood (3 rows in 2D, 9 in 3D).
    pub(super) rows: [isize; R],
    /// Offset of the neighbour of neighbourhood bit `3·row + column`.
    pub(super) bit_off: [isize; 32],
    pub(super) rates: &'a HierarchyRates,
    pub(super) p_rare_max: f64,
    /// Division threshold on a 32-bit uniform: `p_div · 2³²`.
    pub(super) thr_div: u64,
    /// Migration threshold on the rest of the range: `p_mig · (2³² − thr_div)`.
    pub(super) thr_mig: u64,
    pub(super) cur: u8,
    /// Site index strides per axis.
    pub(super) strides: [usize; 3],
    /// Window coordinates `[lo, hi)` per axis farther than `MARGIN` sites from an open
    /// face: a cell placed outside them makes the window grow after the step.
    pub(super) inner_lo: [usize; 3],
    pub(super) inner_hi: [usize; 3],
    pub(super) tiling: &'a Tiling,
    /// Cytokine fields, if simulated.
    pub(super) fields: Option<FieldView<'a>>,
}

impl<const R: usize> Ctx<'_, R> {
    /// Global tile index of the site at window coordinates `c`.
    #[inline(always)]
    fn tile_at(&self, c: [usize; 3]) -> usize {
        let tl = self.tiling.tl;
        self.tiling.global([c[0] >> tl, c[1] >> tl, c[2] >> tl])
    }

    /// Global tile index of a site.
    #[inline(always)]
    fn tile_of(&self, site: usize) -> usize {
        self.tile_at(self.lat.coords(site))
    }

    /// Whether window coordinates `c` lie within `MARGIN` sites of an open face.
    #[inline(always)]
    fn near_open_face(&self, c: [usize; 3]) -> bool {
        (0..3).any(|a| c[a] < self.inner_lo[a] || c[a] >= self.inner_hi[a])
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

/// `select_table::<N>(none)[m][k]`: position of the `k`-th (from 0, below 8) set bit of
/// the `log2 N`-bit value `m`, or `none` if `m` has fewer than `k + 1` set bits.
const fn select_table<const N: usize>(none: u8) -> [[u8; 8]; N] {
    let mut t = [[none; 8]; N];
    let mut m = 0;
    while m < N {
        let mut k = 0;
        let mut bit = 0;
        while 1 << bit < N {
            if m & (1 << bit) != 0 && k < 8 {
                t[m][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        m += 1;
    }
    t
}

/// `SELECT8[b][k]`: position of the `k`-th set bit of the byte `b` (8 if none).
static SELECT8: [[u8; 8]; 256] = select_table(8);

/// `SELECT9[m][k]`: position of the `k`-th set bit of the 9-bit neighbourhood mask `m` of
/// a 2D site (the centre, bit 4, is never set; 15 if fewer than `k + 1` bits are set): one
/// load instead of [`nth_set_bit`]'s popcounts.
static SELECT9: [[u8; 8]; 512] = select_table(15);

/// Position of the `k`-th (from 0) set bit of a neighbourhood mask of `R` rows: a table
/// look-up in 2D, [`nth_set_bit`] in 3D.
#[inline(always)]
fn select<const R: usize>(mask: u32, k: u32) -> usize {
    if R == 3 {
        SELECT9[(mask & 0x1FF) as usize][(k & 7) as usize] as usize
    } else {
        nth_set_bit(mask, k) as usize
    }
}

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

    /// The R three-site rows of the Moore neighbourhood of site `x` (see [`Ctx::rows`]).
    #[inline(always)]
    fn neighbour_rows(&self, x: usize) -> [u32; R] {
        self.lat.rows3(x, &self.rows)
    }

    /// Neighbourhood bits of site `x` selected by `bits` applied to each row.
    #[inline(always)]
    fn neighbour_mask(&self, x: usize, bits: impl Fn(u32) -> u32) -> u32 {
        rows_mask(&self.neighbour_rows(x), bits)
    }
}

/// Neighbourhood bits selected by `bits` applied to each of the rows read by
/// [`Ctx::neighbour_rows`].
#[inline(always)]
fn rows_mask<const R: usize>(rows: &[u32; R], bits: impl Fn(u32) -> u32) -> u32 {
    let mut mask = 0u32;
    for (r, &row) in rows.iter().enumerate() {
        mask |= bits(row) << (3 * r);
    }
    mask
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
        let at = self.c.lat.coords(s);
        self.t.near_edge |= self.c.near_open_face(at);
        if v & LISTED == 0 {
            if self.c.tile_at(at) == self.t.index as usize {
                self.t.hold.push(s as u32);
            } else {
                self.t.outbox.push(s as u32);
            }
        }
    }

    /// Site `x` was just freed: give its occupied, unlisted neighbours back their turn.
    #[inline(always)]
    fn activate_around(&mut self, x: usize) {
        // Branch-free mask of the neighbours that hold an unlisted cell (the centre, just
        // freed, is empty and never selected).
        let mask = self.c.neighbour_mask(x, unlisted_cell_bits);
        self.activate(x, mask);
    }

    /// Give the unlisted cells around the just freed site `x` selected by `mask` (bits of
    /// its Moore neighbourhood, as from [`unlisted_cell_bits`]) back their turn.
    #[inline(always)]
    fn activate(&mut self, x: usize, mut mask: u32) {
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let n = (x as isize + self.c.bit_off[k]) as usize;
            let v = self.c.lat.get(n);
            let base = v & KIND_MASK;
            if self.c.tile_of(n) != self.t.index as usize {
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
                + ((li >> tl) & tmask) * self.c.strides[1]
                + (li >> (2 * tl)) * self.c.strides[2];
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
            let rows = c.neighbour_rows(x);
            let free = rows_mask(&rows, empty_bits);
            // The neighbours to give their turns back if the cell leaves its site (migration
            // or death), from the same rows: the only sites the turn changes before then, its
            // own (listed) and the target (empty), are never selected, before or after.
            let unlisted = || rows_mask(&rows, unlisted_cell_bits);
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
            let target = (x as isize + c.bit_off[select::<R>(free, k)]) as usize;
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
                        self.activate(x, unlisted());
                    }
                }
            } else if low - c.thr_div < c.thr_mig {
                c.put(x, EMPTY);
                self.place(target, code);
                self.t.events.migrations += 1;
                self.activate(x, unlisted());
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
pub(super) fn tile_turn<const R: usize, const D: bool>(
    tile: &mut Tile,
    ctx: &Ctx<'_, R>,
    seed: u64,
    step: u64,
) {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        // The turn's own lists (empty between turns) come from the thread, so a tile holds
        // no buffers but its active list (memory: 4 bytes per listed cell, not 12).
        debug_assert!(tile.hold.is_empty() && tile.dropped.is_empty());
        std::mem::swap(&mut tile.hold, &mut scratch.0);
        std::mem::swap(&mut tile.dropped, &mut scratch.1);
        let mut turn = Turn {
            rng: rng::stream(seed, purpose::TILE, tile.key, step),
            t: tile,
            c: ctx,
            cursor: None,
        };
        turn.rare_events::<D>();
        turn.turns::<D>();
        std::mem::swap(&mut tile.hold, &mut scratch.0);
        std::mem::swap(&mut tile.dropped, &mut scratch.1);
        // The active list keeps at most twice its length (plus a little): lists shrink as
        // cells become surrounded, and doubling growth would otherwise keep their peak.
        let (len, cap) = (tile.list.len(), tile.list.capacity());
        if cap > 2 * len + 64 {
            tile.list.shrink_to(len + len / 4 + 16);
        }
    });
}

thread_local! {
    /// Per-thread buffers for the lists a tile's turn fills and empties (cells held back
    /// to the end of the turn, cells dropped for want of space).
    static SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<u32>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

#[cfg(test)]
mod select_tests {
    use super::{nth_set_bit, select};

    #[test]
    fn select_of_2d_masks_matches_a_naive_scan() {
        for mask in 0u32..512 {
            if mask & 0x10 != 0 {
                continue;
            }
            let set: Vec<usize> = (0..9).filter(|b| mask & (1 << b) != 0).collect();
            for (k, &pos) in set.iter().enumerate() {
                assert_eq!(select::<3>(mask, k as u32), pos, "mask {mask:#x} k {k}");
            }
        }
    }

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
