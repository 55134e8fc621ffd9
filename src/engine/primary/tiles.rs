//! The tile scheduler of the primary engine: tiles with their active lists (behind one
//! mutex each), the tiling of the window into colours, the work bands that split a colour
//! among threads, and the delivery of cross-tile list entries in tile order.

use super::events::EventCounts;
use crate::space::lattice::Lattice;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// A tile's state. Aligned to 128 bytes so that tiles updated by different threads never
/// share a cache line (their counters change at every turn).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(super) struct Tile {
    /// Global tile index in the current window (32 bits: with the other fields the tile
    /// fits two 128-byte lines, see the assertion below).
    pub(super) index: u32,
    /// First site of the tile.
    pub(super) base: usize,
    /// Key of the tile in domain tile coordinates (stable across growth).
    pub(super) key: u64,
    pub(super) list: Vec<u32>,
    pub(super) hold: Vec<u32>,
    pub(super) outbox: Vec<u32>,
    pub(super) dropped: Vec<u32>,
    pub(super) delta: [i64; 3],
    pub(super) events: EventCounts,
    pub(super) near_edge: bool,
    /// Sites of the cells that died in this tile's turn and left debris (debris on).
    pub(super) debris: Vec<u32>,
}

// A tile takes two 128-byte lines; one byte more would make it three (and the tiles'
// memory half as large again).
const _: () = assert!(std::mem::size_of::<Tile>() == 256);

/// Geometry shared by all tiles of the current window.
///
/// Tiles are coloured by the parity of their *domain* tile coordinates (2×2 in 2D, 2×2×2
/// in 3D), so a tile keeps its colour, and the tiles of a colour keep their relative order
/// (z, then y, then x), whatever the window: the update order does not depend on how the
/// window grew.
#[derive(Debug, Clone)]
pub(super) struct Tiling {
    /// Tiles per axis.
    pub(super) n: [usize; 3],
    /// Tile side log2.
    pub(super) tl: u32,
    /// Parity of the window's first tile per axis (its domain tile coordinate mod 2).
    parity: [usize; 3],
    /// Number of colours: 4 in 2D, 8 in 3D.
    colours: usize,
    /// Index of each tile (by global tile index) within its colour.
    slot: Vec<u32>,
}

impl Tiling {
    pub(super) fn new(lat: &Lattice) -> Self {
        let tl = lat.tile_log;
        let n = [
            lat.side(0) >> tl,
            lat.side(1) >> tl,
            if lat.dims == 3 { lat.side(2) >> tl } else { 1 },
        ];
        let parity: [usize; 3] =
            std::array::from_fn(|a| (lat.origin[a] >> tl).rem_euclid(2) as usize);
        let colours = if lat.dims == 3 { 8 } else { 4 };
        let mut next = vec![0u32; colours];
        let mut slot = vec![0u32; n[0] * n[1] * n[2]];
        for tz in 0..n[2] {
            for ty in 0..n[1] {
                for tx in 0..n[0] {
                    let g = Self::colour(parity, [tx, ty, tz]);
                    slot[tx + n[0] * (ty + n[1] * tz)] = next[g];
                    next[g] += 1;
                }
            }
        }
        Tiling {
            n,
            tl,
            parity,
            colours,
            slot,
        }
    }

    fn colour(parity: [usize; 3], t: [usize; 3]) -> usize {
        ((t[0] + parity[0]) & 1) | (((t[1] + parity[1]) & 1) << 1) | (((t[2] + parity[2]) & 1) << 2)
    }

    /// Heap bytes of the tiling's tables.
    pub(super) fn heap_bytes(&self) -> usize {
        self.slot.capacity() * 4
    }

    /// Number of colours (tile groups).
    pub(super) fn groups(&self) -> usize {
        self.colours
    }

    /// Global index of the tile at window tile coordinates `t`.
    #[inline(always)]
    pub(super) fn global(&self, t: [usize; 3]) -> usize {
        t[0] + self.n[0] * (t[1] + self.n[1] * t[2])
    }

    /// (group, index within group) of a tile.
    #[inline(always)]
    pub(super) fn locate(&self, t: [usize; 3]) -> (usize, usize) {
        (
            Self::colour(self.parity, t),
            self.slot[self.global(t)] as usize,
        )
    }
}

/// Exclusive access to a tile without locking.
pub(super) fn tile_mut(m: &mut Mutex<Tile>) -> &mut Tile {
    m.get_mut().unwrap_or_else(|e| e.into_inner())
}

/// Lock a tile (a poisoned lock only means another thread panicked; that panic is
/// propagated by rayon anyway).
pub(super) fn lock(m: &Mutex<Tile>) -> std::sync::MutexGuard<'_, Tile> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The band `[lo, hi)` of tiles for thread `k` of `n`: contiguous, with about equal
/// total work.
pub(super) fn band(work: &[AtomicU32], k: usize, n: usize) -> (usize, usize) {
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

/// The tiles of one colour claimed by the threads of a parallel phase: thread `k` owns a
/// band (see [`band`]) and claims its tiles from the front; a thread whose band is done
/// steals tiles from the back of the other bands, so the phase ends when the work does
/// (the bands only come from last step's work) while each thread keeps to its region of
/// the lattice. Which thread runs a tile never changes the outcome.
#[derive(Debug)]
pub(super) struct Claims {
    /// Per band, `front | back << 32`: the tiles `[front, back)` not yet claimed.
    bands: Vec<Claim>,
}

/// One band's unclaimed range, on its own cache line (its owner updates it per tile).
#[derive(Debug)]
#[repr(align(128))]
struct Claim(AtomicU64);

impl Claims {
    /// The bands `[lo, hi)` of the threads, in thread order.
    pub(super) fn new(bands: impl IntoIterator<Item = (usize, usize)>) -> Self {
        Claims {
            bands: bands
                .into_iter()
                .map(|(lo, hi)| Claim(AtomicU64::new(lo as u64 | (hi as u64) << 32)))
                .collect(),
        }
    }

    /// Claim the next tile for thread `k`: the front of its own band, else the back of
    /// another band (the next ones first); `None` when every band is done.
    pub(super) fn next(&self, k: usize) -> Option<usize> {
        let n = self.bands.len();
        for j in 0..n {
            let own = j == 0;
            let claim = &self.bands[(k + j) % n].0;
            let mut cur = claim.load(Ordering::Relaxed);
            loop {
                let (front, back) = (cur & 0xFFFF_FFFF, cur >> 32);
                if front >= back {
                    break;
                }
                let (next, tile) = if own {
                    (cur + 1, front)
                } else {
                    (cur - (1 << 32), back - 1)
                };
                match claim.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
                    Ok(_) => return Some(tile as usize),
                    Err(now) => cur = now,
                }
            }
        }
        None
    }
}

/// (group, index) of the tile holding `site`.
pub(super) fn locate_site(lat: &Lattice, tiling: &Tiling, site: u32) -> (usize, usize) {
    let c = lat.coords(site as usize);
    let tl = tiling.tl;
    tiling.locate([c[0] >> tl, c[1] >> tl, c[2] >> tl])
}

/// Deliver the cross-tile entries produced by the tiles of colour `g` to their tiles'
/// lists, in tile order (deterministic), with exclusive access.
pub(super) fn deliver(groups: &mut [Vec<Mutex<Tile>>], g: usize, lat: &Lattice, tiling: &Tiling) {
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
pub(super) fn deliver_locked(
    groups: &[Vec<Mutex<Tile>>],
    g: usize,
    lat: &Lattice,
    tiling: &Tiling,
) {
    for tile in &groups[g] {
        // One lock per source tile; its entries go to tiles of other colours (other locks).
        let mut source = lock(tile);
        for &s in &source.outbox {
            let (tg, ti) = locate_site(lat, tiling, s);
            lock(&groups[tg][ti]).list.push(s);
        }
        source.outbox.clear();
    }
}

#[cfg(test)]
mod claim_tests {
    use super::Claims;

    #[test]
    fn claims_hand_out_every_tile_once_owner_from_front_thief_from_back() {
        let claims = Claims::new([(0, 3), (3, 7)]);
        assert_eq!(claims.next(0), Some(0));
        assert_eq!(claims.next(1), Some(3));
        assert_eq!(claims.next(0), Some(1));
        assert_eq!(claims.next(0), Some(2));
        // Band 0 is done: thread 0 steals from the back of band 1.
        assert_eq!(claims.next(0), Some(6));
        assert_eq!(claims.next(1), Some(4));
        assert_eq!(claims.next(1), Some(5));
        assert_eq!(claims.next(1), None);
        assert_eq!(claims.next(0), None);
    }

    #[test]
    fn claims_from_threads_cover_all_tiles_exactly_once() {
        let n = 1000;
        let claims = Claims::new([(0, 100), (100, 900), (900, 1000)]);
        let seen: Vec<std::sync::atomic::AtomicU32> = (0..n)
            .map(|_| std::sync::atomic::AtomicU32::new(0))
            .collect();
        std::thread::scope(|s| {
            for k in 0..3 {
                let (claims, seen) = (&claims, &seen);
                s.spawn(move || {
                    while let Some(t) = claims.next(k) {
                        seen[t].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                });
            }
        });
        assert!(
            seen.iter()
                .all(|c| c.load(std::sync::atomic::Ordering::Relaxed) == 1)
        );
    }
}
