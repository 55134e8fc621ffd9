//! The primary tumour's lattice: one byte per site in a window that grows.
//!
//! The *domain* is a square (cube) of `max_size` sites per side whose outermost ring is an
//! occupied border (docs/model.md §7.9). Only a *window* of it is allocated: a box whose
//! sides are whole numbers of tiles, aligned to the tiles, that starts small around the
//! centre and grows, face by face, when a cell comes within [`MARGIN`] sites of one of its
//! faces inside the domain (after Poleszczuk & Enderling 2014, whose window doubles). It
//! grows to the cells' bounding box plus a sixteenth of its extent (at least one tile) on
//! each side that needs it, so it tracks the tumour's extent: its volume stays within
//! about 1.125^D of the tumour's bounding box. Sites of the window outside the domain, and
//! the domain's border, hold [`WALL`].
//!
//! A site byte holds (bit 7) the *listed* flag: some tile's active list has an entry for
//! the site; (bits 5–6) a step *stamp*: 0 = none, else `step mod 3 + 1` when the occupant
//! was born, arrived or took its turn in that step; (bits 0–4) the kind code
//! ([`crate::model::kind`]).
//!
//! # Shared mutation
//!
//! Tiles of one colour are updated in parallel, each writing its own sites and a one-site
//! halo, and reading a two-site halo. Sites are therefore `UnsafeCell<u8>` and the lattice
//! is `Sync`; the only writer through a shared reference is the crate-private
//! `Lattice::set_shared`, whose contract is the colouring invariant: tiles of one colour
//! are at least one tile (16 or 32 sites) apart, so no site is written by one thread while
//! another thread reads or writes it. Everything else mutates through `&mut self`. This is
//! the only `unsafe` in seedsoil; it lets a row of three neighbours be read with a single
//! unaligned 4-byte load in the hot loop.
//!
//! Tiles are `2^TILE_LOG` sites per side (32 in 2D, 16 in 3D), defined in domain
//! coordinates, so growth re-tiles deterministically.

use crate::model::kind::{DEBRIS, EMPTY, KIND_MASK, STEM, WALL, is_cell};
use crate::persist::{CodecError, Persist, Reader, Writer};
use std::cell::UnsafeCell;
use strength_reduce::StrengthReducedUsize;

/// A cell within this many sites of an open window face (one the window can still grow
/// past) makes the window grow at the end of the step. A cell moves or places a daughter at
/// most one site per step and a cell that moved does not act again in that step, so cells
/// never take a turn on the window's outermost ring.
pub const MARGIN: usize = 2;

/// A face that grows moves out to `extent / GROWTH_DIVISOR` sites (in whole tiles, at
/// least one) beyond the cells: the window's volume stays within (1 + 2/16)^D ≈ 1.42 (3D)
/// of the cells' bounding box, and a tumour growing from one cell to 10⁹ grows its window
/// a few dozen times per face (each growth copies the window once).
pub const GROWTH_DIVISOR: i64 = 16;

/// Listed flag (bit 7 of a site byte).
pub const LISTED: u8 = 0x80;
/// Stamp bits (5–6 of a site byte).
pub const STAMP_MASK: u8 = 0x60;
/// Shift of the stamp bits.
pub const STAMP_SHIFT: u32 = 5;

/// The stamp value (already shifted into place) for `step`: never 0, and different for
/// consecutive steps.
#[inline]
pub const fn stamp_for(step: u64) -> u8 {
    (((step % 3) + 1) as u8) << STAMP_SHIFT
}

/// log2 of the tile side for a dimension.
pub const fn tile_log(dims: usize) -> u32 {
    if dims == 2 { 5 } else { 4 }
}

/// The Moore neighbourhood's offsets for `D` neighbours (8 in 2D, 26 in 3D), in z, y, x
/// order (x fastest).
const fn moore_table<const N: usize>(dims: usize) -> [[i64; 3]; N] {
    let mut v = [[0i64; 3]; N];
    let mut k = 0;
    let (z0, z1) = if dims == 3 { (-1, 1) } else { (0, 0) };
    let mut dz = z0;
    while dz <= z1 {
        let mut dy = -1;
        while dy <= 1 {
            let mut dx = -1;
            while dx <= 1 {
                if dx != 0 || dy != 0 || dz != 0 {
                    v[k] = [dx, dy, dz];
                    k += 1;
                }
                dx += 1;
            }
            dy += 1;
        }
        dz += 1;
    }
    v
}

const MOORE_2D: [[i64; 3]; 8] = moore_table(2);
const MOORE_3D: [[i64; 3]; 26] = moore_table(3);

/// Coordinate offsets `[dx, dy, dz]` of the Moore neighbourhood (8 in 2D, 26 in 3D), in
/// z, y, x order (x fastest).
pub fn moore_offsets(dims: usize) -> &'static [[i64; 3]] {
    if dims == 3 { &MOORE_3D } else { &MOORE_2D }
}

/// A growing lattice window over a square/cubic domain.
#[derive(Debug)]
pub struct Lattice {
    /// 2 or 3.
    pub dims: usize,
    /// Window side per axis in sites, a whole number of tiles (axis 2 is 1 in 2D).
    side: [usize; 3],
    /// Fast division by the x side (site index → row).
    div_x: StrengthReducedUsize,
    /// Fast division by the y side (row → z).
    div_y: StrengthReducedUsize,
    /// Domain coordinates of window site (0, 0, 0); multiples of the tile side.
    pub origin: [i64; 3],
    /// Domain side in sites (`space.max_size`).
    pub domain: i64,
    /// log2 of the tile side.
    pub tile_log: u32,
    /// The site bytes, x fastest, followed by [`PAD`] padding bytes.
    sites: Box<[UnsafeCell<u8>]>,
}

/// Padding bytes after the last site, so a 4-byte row read never leaves the allocation.
const PAD: usize = 4;

/// How the site indices of a window map to those of the window it grew into.
#[derive(Debug, Clone, Copy)]
pub struct SiteMap {
    div_x: StrengthReducedUsize,
    div_y: StrengthReducedUsize,
    shift: [usize; 3],
    side: [usize; 3],
}

impl SiteMap {
    /// The new index of old site `site`.
    #[inline]
    pub fn map(&self, site: usize) -> usize {
        let (row, x) = StrengthReducedUsize::div_rem(site, self.div_x);
        let (z, y) = StrengthReducedUsize::div_rem(row, self.div_y);
        (x + self.shift[0])
            + self.side[0] * ((y + self.shift[1]) + self.side[1] * (z + self.shift[2]))
    }
}

// SAFETY: shared mutation happens only through `set_shared`, whose callers guarantee that
// no two threads touch the same site concurrently (see the module docs).
unsafe impl Sync for Lattice {}

impl Lattice {
    /// A window of at least `initial` sites per side (rounded up to whole tiles, at least
    /// one) around the domain centre `max_size / 2`, inside the tile-aligned domain.
    pub fn new(dims: usize, initial: u32, max_size: u32) -> Self {
        let tl = tile_log(dims);
        let t = 1i64 << tl;
        let end_aligned = (max_size as i64 + t - 1).div_euclid(t) * t;
        let tiles = ((initial as i64 + t - 1) / t).max(1);
        let centre_tile = (max_size / 2) as i64 / t;
        let lo = ((centre_tile - tiles / 2) * t).max(0);
        let hi = (lo + tiles * t).min(end_aligned.max(t));
        let lo = (hi - tiles * t).max(0);
        let mut side = [1usize; 3];
        let mut origin = [0i64; 3];
        for a in 0..dims {
            side[a] = (hi - lo) as usize;
            origin[a] = lo;
        }
        Self::with_geometry(dims, side, origin, max_size as i64, tl)
    }

    /// An empty window of the given geometry with its walls painted.
    fn with_geometry(
        dims: usize,
        side: [usize; 3],
        origin: [i64; 3],
        domain: i64,
        tile_log: u32,
    ) -> Self {
        let mut lat = Lattice {
            dims,
            side,
            div_x: StrengthReducedUsize::new(side[0]),
            div_y: StrengthReducedUsize::new(side[1]),
            origin,
            domain,
            tile_log,
            sites: Box::new([]),
        };
        lat.sites = Self::alloc(lat.len());
        lat.paint_walls();
        lat
    }

    /// Number of sites in the window.
    pub fn len(&self) -> usize {
        self.side[0] * self.side[1] * self.side[2]
    }

    /// Whether the window has no sites (never true).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Window side per axis.
    #[inline(always)]
    pub fn side(&self, axis: usize) -> usize {
        self.side[axis]
    }

    /// Site index strides per axis: `[1, side x, side x · side y]`.
    #[inline(always)]
    pub fn strides(&self) -> [usize; 3] {
        [1, self.side[0], self.side[0] * self.side[1]]
    }

    /// Site index offsets of the Moore neighbourhood (8 in 2D, 26 in 3D), in the order of
    /// [`moore_offsets`].
    pub fn offsets(&self) -> Vec<isize> {
        let sy = self.side(0) as isize;
        let sz = sy * self.side(1) as isize;
        moore_offsets(self.dims)
            .iter()
            .map(|o| o[2] as isize * sz + o[1] as isize * sy + o[0] as isize)
            .collect()
    }

    /// Window coordinates of a site.
    #[inline(always)]
    pub fn coords(&self, site: usize) -> [usize; 3] {
        let (row, x) = StrengthReducedUsize::div_rem(site, self.div_x);
        let (z, y) = StrengthReducedUsize::div_rem(row, self.div_y);
        [x, y, z]
    }

    /// Site index of window coordinates.
    #[inline(always)]
    pub fn index(&self, c: [usize; 3]) -> usize {
        c[0] + self.side[0] * (c[1] + self.side[1] * c[2])
    }

    /// Domain coordinates of a site.
    pub fn domain_coords(&self, site: usize) -> [i64; 3] {
        let c = self.coords(site);
        [
            c[0] as i64 + self.origin[0],
            c[1] as i64 + self.origin[1],
            c[2] as i64 + self.origin[2],
        ]
    }

    /// Site index of domain coordinates, if inside the window.
    pub fn site_at(&self, d: [i64; 3]) -> Option<usize> {
        let mut c = [0usize; 3];
        for a in 0..3 {
            let w = d[a] - self.origin[a];
            if w < 0 || w >= self.side(a) as i64 {
                return None;
            }
            c[a] = w as usize;
        }
        Some(self.index(c))
    }

    /// Whether `pred` holds for a Moore neighbour of `site` inside the window, trying them
    /// in the order of [`moore_offsets`]. Sites off the window's edge take their
    /// neighbours by index arithmetic; edge sites go through [`Lattice::site_at`].
    #[inline]
    pub fn any_neighbour(&self, site: usize, mut pred: impl FnMut(usize) -> bool) -> bool {
        let c = self.coords(site);
        let inside = (0..self.dims).all(|a| c[a] >= 1 && c[a] + 1 < self.side(a));
        let offsets = moore_offsets(self.dims);
        if inside {
            let sy = self.side(0) as isize;
            let sz = sy * self.side(1) as isize;
            offsets.iter().any(|o| {
                let t = site as isize + o[0] as isize + o[1] as isize * sy + o[2] as isize * sz;
                pred(t as usize)
            })
        } else {
            let d = self.domain_coords(site);
            offsets.iter().any(|o| {
                self.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                    .is_some_and(&mut pred)
            })
        }
    }

    /// Calls `f` on every Moore neighbour of `site` inside the window, in the order of
    /// [`moore_offsets`].
    #[inline]
    pub fn for_each_neighbour(&self, site: usize, mut f: impl FnMut(usize)) {
        self.any_neighbour(site, |t| {
            f(t);
            false
        });
    }

    /// Whether domain coordinates lie on the border ring or outside the domain.
    pub fn is_wall(&self, d: [i64; 3]) -> bool {
        (0..self.dims).any(|a| d[a] <= 0 || d[a] >= self.domain - 1)
    }

    fn alloc(sites: usize) -> Box<[UnsafeCell<u8>]> {
        (0..sites + PAD).map(|_| UnsafeCell::new(0)).collect()
    }

    /// Load of a site byte.
    #[inline(always)]
    pub fn get(&self, site: usize) -> u8 {
        // SAFETY: a read; concurrent writers of this site are excluded by the contract of
        // `set_shared`.
        unsafe { *self.sites[site].get() }
    }

    /// Store of a site byte, with exclusive access.
    #[inline(always)]
    pub fn set(&mut self, site: usize, v: u8) {
        *self.sites[site].get_mut() = v;
    }

    /// Store of a site byte through a shared reference, during a parallel phase.
    ///
    /// # Safety
    /// No other thread may read or write `site` (or read it as part of a row) while this
    /// call runs. The tile colouring guarantees it: a tile's turn touches only its own
    /// sites and those within two sites of it, and tiles updated together are at least 16
    /// sites apart.
    #[inline(always)]
    pub(crate) unsafe fn set_shared(&self, site: usize, v: u8) {
        // SAFETY: exclusive access to this byte is the caller's contract.
        unsafe { *self.sites[site].get() = v }
    }

    /// The bytes of sites `site`, `site + 1`, `site + 2` in the low 24 bits, read with one
    /// unaligned 4-byte load (the fourth byte, `site + 3`, is read and discarded).
    #[inline(always)]
    pub fn get3(&self, site: usize) -> u32 {
        let cells = &self.sites[site..site + 4];
        // SAFETY: four in-bounds bytes (checked by the slice above); `UnsafeCell<u8>` has the
        // layout of `u8`; concurrent writers are excluded by the contract of `set_shared`.
        let bytes = unsafe { (cells.as_ptr() as *const [u8; 4]).read_unaligned() };
        u32::from_le_bytes(bytes) & 0x00FF_FFFF
    }

    /// The R three-site rows at `x + offsets[r]` ([`Lattice::get3`] of each), with one
    /// bounds check for all of them (the hot loop reads a cell's Moore neighbourhood so).
    #[inline(always)]
    pub fn rows3<const R: usize>(&self, x: usize, offsets: &[isize; R]) -> [u32; R] {
        let end = self.sites.len() as isize - 4;
        let ok = offsets.iter().fold(true, |ok, &o| {
            let s = x as isize + o;
            ok & (s >= 0) & (s <= end)
        });
        assert!(ok, "rows of site {x} leave the window");
        let base = self.sites.as_ptr() as *const u8;
        std::array::from_fn(|r| {
            // SAFETY: every row start is in `0..=len − 4` (checked above), so its four bytes
            // are in bounds; `UnsafeCell<u8>` has the layout of `u8`; concurrent writers are
            // excluded by the contract of `set_shared`.
            let bytes = unsafe {
                (base.offset(x as isize + offsets[r]) as *const [u8; 4]).read_unaligned()
            };
            u32::from_le_bytes(bytes) & 0x00FF_FFFF
        })
    }

    /// All site bytes as a plain slice (x fastest), for bulk reads; needs exclusive access.
    pub fn as_bytes(&mut self) -> &[u8] {
        let len = self.len();
        let cells: &mut [UnsafeCell<u8>] = &mut self.sites[..len];
        // SAFETY: `UnsafeCell<u8>` has the layout of `u8`, and `&mut self` excludes any
        // other access for the lifetime of the returned slice.
        unsafe { std::slice::from_raw_parts(cells.as_mut_ptr() as *const u8, len) }
    }

    /// A copy of all site bytes (for tests and snapshots).
    pub fn bytes(&self) -> Vec<u8> {
        (0..self.len()).map(|s| self.get(s)).collect()
    }

    /// Kind code at a site.
    #[inline(always)]
    pub fn code(&self, site: usize) -> u8 {
        self.get(site) & KIND_MASK
    }

    /// Calls `f` with every site whose kind is not [`EMPTY`] (cells, debris, walls), in
    /// index order. The window holds a multiple of 16 sites: it is scanned in runs of 8 and
    /// the runs with no kind bits at all are skipped.
    #[inline]
    pub fn for_each_occupied(&self, mut f: impl FnMut(usize)) {
        for run in (0..self.len()).step_by(8) {
            let any = (run..run + 8).fold(0u8, |a, s| a | self.get(s));
            if any & KIND_MASK != 0 {
                for s in run..run + 8 {
                    if self.code(s) != EMPTY {
                        f(s);
                    }
                }
            }
        }
    }

    /// Whether a site holds debris (a dead cell's remains, [`DEBRIS`]): the wall's code at
    /// a site inside the domain.
    pub fn is_debris(&self, site: usize) -> bool {
        self.code(site) == DEBRIS && !self.is_wall(self.domain_coords(site))
    }

    /// Put [`WALL`] on every window site that [`Lattice::is_wall`]: whole rows where y or z
    /// lies on the border or outside, else the ends of the row in x. Costs one visit per
    /// row plus one per wall site (a window inside the domain has none).
    fn paint_walls(&mut self) {
        // Window coordinates [lo, hi) per axis that are inside the domain's interior.
        let mut lo = [0usize; 3];
        let mut hi = [self.side(0), self.side(1), self.side(2)];
        for a in 0..self.dims {
            let side = self.side(a) as i64;
            lo[a] = (1 - self.origin[a]).clamp(0, side) as usize;
            hi[a] = (self.domain - 1 - self.origin[a]).clamp(0, side) as usize;
            hi[a] = hi[a].max(lo[a]);
        }
        let [sx, sy, sz] = [self.side(0), self.side(1), self.side(2)];
        if lo == [0; 3] && hi == [sx, sy, sz] {
            return;
        }
        for z in 0..sz {
            for y in 0..sy {
                let row = sx * (y + sy * z);
                let whole = y < lo[1] || y >= hi[1] || z < lo[2] || z >= hi[2];
                if whole {
                    for x in 0..sx {
                        self.set(row + x, WALL);
                    }
                } else {
                    for x in (0..lo[0]).chain(hi[0]..sx) {
                        self.set(row + x, WALL);
                    }
                }
            }
        }
    }

    /// Whether the window already covers the whole domain along `axis`.
    pub fn covers(&self, axis: usize) -> bool {
        axis >= self.dims
            || (self.origin[axis] <= 0 && self.origin[axis] + self.side(axis) as i64 >= self.domain)
    }

    /// Whether `site` lies on a face of the window that the window could still grow past
    /// ([`Lattice::face_open`]): a cell there has neighbours outside the window, which
    /// the engine never allows (it grows the window first).
    pub fn on_open_face(&self, site: usize) -> bool {
        let c = self.coords(site);
        (0..3).any(|a| {
            (c[a] == 0 && self.face_open(a, false))
                || (c[a] + 1 == self.side(a) && self.face_open(a, true))
        })
    }

    /// Whether the window face on `axis` (`upper` or lower) lies inside the domain, so that
    /// a tumour reaching it needs a larger window.
    pub fn face_open(&self, axis: usize, upper: bool) -> bool {
        if axis >= self.dims {
            return false;
        }
        if upper {
            self.origin[axis] + (self.side(axis) as i64) < self.domain
        } else {
            self.origin[axis] > 0
        }
    }

    /// Grow every open face ([`Lattice::face_open`]) by a sixteenth of the window's side
    /// (at least one tile), keeping the old window inside and the origin aligned to tiles;
    /// cells keep their domain coordinates and their site bytes (flags included). Returns
    /// `false` if nothing could grow.
    pub fn grow(&mut self) -> bool {
        self.grow_map().is_some()
    }

    /// [`Lattice::grow`], returning how old site indices map to new ones.
    pub fn grow_map(&mut self) -> Option<SiteMap> {
        let mut lo = self.origin;
        let mut hi = [0i64; 3];
        for a in 0..self.dims {
            let pad = self.pad(self.side(a) as i64);
            hi[a] = self.origin[a] + self.side(a) as i64 - 1;
            if self.face_open(a, false) {
                lo[a] -= pad;
            }
            if self.face_open(a, true) {
                hi[a] += pad;
            }
        }
        self.regrow(lo, hi)
    }

    /// Grow the window around the box `[lo, hi]` (domain coordinates, inclusive) that
    /// holds every cell: each open face that the box comes within [`MARGIN`] sites of moves
    /// out to a sixteenth of the box's extent (at least one tile) beyond it. Other faces
    /// stay.
    /// Returns how old site indices map to new ones, or `None` if nothing could grow.
    pub fn grow_around(&mut self, lo: [i64; 3], hi: [i64; 3]) -> Option<SiteMap> {
        let mut want_lo = self.origin;
        let mut want_hi = [0i64; 3];
        let m = MARGIN as i64;
        for a in 0..self.dims {
            let pad = self.pad(hi[a] - lo[a] + 1);
            let end = self.origin[a] + self.side(a) as i64;
            want_hi[a] = end - 1;
            if self.face_open(a, false) && lo[a] - self.origin[a] < m {
                want_lo[a] = lo[a] - pad;
            }
            if self.face_open(a, true) && end - 1 - hi[a] < m {
                want_hi[a] = hi[a] + pad;
            }
        }
        self.regrow(want_lo, want_hi)
    }

    /// The room added beyond a box of `extent` sites when a face grows: a sixteenth of
    /// it, in whole tiles, at least one tile ([`GROWTH_DIVISOR`]).
    fn pad(&self, extent: i64) -> i64 {
        let t = 1i64 << self.tile_log;
        ((extent / GROWTH_DIVISOR + t - 1) / t).max(1) * t
    }

    /// Re-allocate the window as the smallest tile-aligned box inside the tile-aligned
    /// domain that holds both the current window and `[lo, hi]`, copying every site byte.
    fn regrow(&mut self, lo: [i64; 3], hi: [i64; 3]) -> Option<SiteMap> {
        let t = 1i64 << self.tile_log;
        let end_aligned = (self.domain + t - 1).div_euclid(t) * t;
        let mut side = self.side;
        let mut origin = self.origin;
        for a in 0..self.dims {
            let end = self.origin[a] + self.side(a) as i64;
            let l = (lo[a].div_euclid(t) * t).max(0).min(self.origin[a]);
            let h = ((hi[a] + 1 + t - 1).div_euclid(t) * t)
                .min(end_aligned)
                .max(end);
            origin[a] = l;
            side[a] = (h - l) as usize;
        }
        if side == self.side && origin == self.origin {
            return None;
        }
        let mut next = Self::with_geometry(self.dims, side, origin, self.domain, self.tile_log);
        let shift: [usize; 3] = std::array::from_fn(|a| (self.origin[a] - origin[a]) as usize);
        let sx = self.side(0);
        for z in 0..self.side(2) {
            for y in 0..self.side(1) {
                let from = self.index([0, y, z]);
                let to = next.index([shift[0], y + shift[1], z + shift[2]]);
                let src = &self.sites[from..from + sx];
                let dst = &mut next.sites[to..to + sx];
                for (d, s) in dst.iter_mut().zip(src) {
                    // SAFETY: a read; `&mut self` excludes any writer.
                    *d.get_mut() = unsafe { *s.get() };
                }
            }
        }
        let map = SiteMap {
            div_x: self.div_x,
            div_y: self.div_y,
            shift,
            side: next.side,
        };
        *self = next;
        Some(map)
    }

    /// The smallest box `[lo, hi]` (domain coordinates, inclusive) holding every cancer
    /// cell, or `None` without cells. One pass over the window, row by row.
    pub fn cell_bounds(&self) -> Option<([i64; 3], [i64; 3])> {
        let mut lo = [i64::MAX; 3];
        let mut hi = [i64::MIN; 3];
        let sx = self.side(0);
        for z in 0..self.side(2) {
            for y in 0..self.side(1) {
                let row = self.index([0, y, z]);
                let first = (0..sx).find(|&x| is_cell(self.code(row + x)));
                let Some(first) = first else { continue };
                let last = (first..sx).rev().find(|&x| is_cell(self.code(row + x)));
                let last = last.unwrap_or(first);
                let c = [first as i64, y as i64, z as i64];
                for a in 0..3 {
                    lo[a] = lo[a].min(c[a] + self.origin[a]);
                    hi[a] = hi[a].max(c[a] + self.origin[a]);
                }
                hi[0] = hi[0].max(last as i64 + self.origin[0]);
            }
        }
        (lo[0] <= hi[0]).then_some((lo, hi))
    }

    /// Whether a box `[lo, hi]` (domain coordinates) comes within [`MARGIN`] sites of an
    /// open face of the window.
    pub fn near_open_face(&self, lo: [i64; 3], hi: [i64; 3]) -> bool {
        let m = MARGIN as i64;
        (0..self.dims).any(|a| {
            (self.face_open(a, false) && lo[a] - self.origin[a] < m)
                || (self.face_open(a, true) && self.origin[a] + self.side(a) as i64 - 1 - hi[a] < m)
        })
    }

    /// Clear the listed flags and stamps of every site.
    pub fn clear_flags(&mut self) {
        for c in self.sites.iter_mut() {
            *c.get_mut() &= KIND_MASK;
        }
    }
}

impl Persist for Lattice {
    /// Checkpoint: the window's geometry and every site byte, flags included.
    fn save(&self, w: &mut Writer) {
        w.put_u8(self.dims as u8);
        for a in 0..3 {
            w.put_u32(self.side[a] as u32);
            w.put_i64(self.origin[a]);
        }
        w.put_i64(self.domain);
        w.put_u32(self.tile_log);
        w.put_bytes(&self.bytes());
    }

    /// A lattice as written by `save`, checked: its geometry (dimensions, tile size,
    /// window sides and origin aligned to tiles and overlapping the domain), and every
    /// site byte: a known kind code, [`WALL`] exactly on the border and outside the
    /// domain, no cell or debris on the window's outermost ring (the window grows before a
    /// cell gets there).
    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let dims = r.check("lattice dimensions", |r| r.u8(), |&d| d == 2 || d == 3)? as usize;
        let tl_expected = tile_log(dims);
        let geometry_at = r.position();
        let bad_geometry = CodecError::Invalid {
            what: "lattice window (sides or origin)",
            offset: geometry_at,
        };
        let mut side = [0usize; 3];
        let mut origin = [0i64; 3];
        for a in 0..3 {
            side[a] = r.check("lattice window size", |r| r.u32(), |&l| l <= 1 << 16)? as usize;
            origin[a] = r.i64()?;
        }
        let domain = r.check(
            "lattice domain size",
            |r| r.i64(),
            |&d| (8..=1 << 16).contains(&d),
        )?;
        let tl = r.check("tile size", |r| r.u32(), |&t| t == tl_expected)?;
        let t = 1i64 << tl;
        for a in 0..3 {
            let ok = if a < dims {
                side[a] > 0
                    && (side[a] as i64).rem_euclid(t) == 0
                    && origin[a].rem_euclid(t) == 0
                    && origin[a] < domain
                    && origin[a] > -(side[a] as i64)
            } else {
                side[a] == 1 && origin[a] == 0
            };
            if !ok {
                return Err(bad_geometry);
            }
        }
        let at = r.position();
        let bytes = r.bytes()?;
        let too_big = side.iter().product::<usize>() > 1 << 36;
        if too_big || bytes.len() != side.iter().product::<usize>() {
            return Err(CodecError::Invalid {
                what: "lattice site bytes (count)",
                offset: at,
            });
        }
        let mut lat = Lattice {
            dims,
            side,
            div_x: StrengthReducedUsize::new(side[0]),
            div_y: StrengthReducedUsize::new(side[1]),
            origin,
            domain,
            tile_log: tl,
            sites: Box::new([]),
        };
        for (s, &v) in bytes.iter().enumerate() {
            let code = v & KIND_MASK;
            let known = code == EMPTY
                || code == STEM
                || code == WALL
                || code <= crate::model::kind::progenitor(crate::model::kind::RHO_LIMIT);
            let c = lat.coords(s);
            let wall = lat.is_wall(lat.domain_coords(s));
            let ring = (0..dims).any(|a| c[a] == 0 || c[a] + 1 == lat.side(a));
            // (A listed site may hold no cell any more: its entry is dropped lazily.)
            let ok = known && (!wall || code == WALL) && (!ring || wall || code == EMPTY);
            if !ok {
                return Err(CodecError::Invalid {
                    what: "lattice site byte (kind, wall or flag)",
                    offset: at + 8 + s,
                });
            }
        }
        lat.sites = bytes
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0, PAD))
            .map(UnsafeCell::new)
            .collect();
        Ok(lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walls_are_exactly_the_border_and_outside() {
        for (dims, initial, max_size) in [
            (2, 64, 100),
            (2, 64, 30),
            (2, 0, 1000),
            (3, 32, 40),
            (3, 0, 200),
            (2, 128, 77),
        ] {
            let mut lat = Lattice::new(dims, initial, max_size);
            for _ in 0..4 {
                for s in 0..lat.len() {
                    let wall = lat.is_wall(lat.domain_coords(s));
                    assert_eq!(
                        lat.get(s) == WALL,
                        wall,
                        "dims {dims} max {max_size} site {s}"
                    );
                }
                if !lat.grow() {
                    break;
                }
            }
        }
    }
    use crate::model::kind::{EMPTY, STEM};
    use crate::space::lattice::stamp_for;

    #[test]
    fn moore_offsets_cover_the_neighbourhood() {
        assert_eq!(moore_offsets(2).len(), 8);
        assert_eq!(moore_offsets(3).len(), 26);
        // The site offsets follow the same order.
        let lat = Lattice::new(3, 64, 64);
        let (sy, sz) = (64isize, 64 * 64);
        for (o, s) in moore_offsets(3).iter().zip(lat.offsets()) {
            assert_eq!(s, o[0] as isize + o[1] as isize * sy + o[2] as isize * sz);
        }
    }

    #[test]
    fn window_is_centred_and_walls_are_painted() {
        let lat = Lattice::new(2, 64, 1000);
        assert_eq!(lat.side(0), 64);
        assert_eq!(lat.origin[0] % 32, 0);
        assert!(lat.site_at([500, 500, 0]).is_some());
        // A domain smaller than the window: the border ring is wall.
        let small = Lattice::new(2, 64, 40);
        assert_eq!(small.code(small.site_at([0, 5, 0]).unwrap()), WALL);
        assert_eq!(small.code(small.site_at([39, 5, 0]).unwrap()), WALL);
        assert_eq!(small.code(small.site_at([20, 20, 0]).unwrap()), EMPTY);
    }

    #[test]
    fn growth_keeps_site_bytes_at_their_domain_coordinates() {
        for dims in [2, 3] {
            let mut lat = Lattice::new(dims, 32, 1000);
            let d = [500, 501, if dims == 3 { 499 } else { 0 }];
            let s = lat.site_at(d).unwrap();
            let byte = STEM | LISTED | stamp_for(7);
            lat.set(s, byte);
            let before = [lat.side(0), lat.side(1), lat.side(2)];
            let map = lat.grow_map().expect("room to grow");
            let t = 1 << tile_log(dims);
            for (a, side) in before.iter().enumerate().take(dims) {
                // One tile (a sixteenth of the side, at least a tile) on each open face.
                assert_eq!(lat.side(a), side + 2 * t, "axis {a}");
            }
            let n = lat.site_at(d).unwrap();
            assert_eq!(map.map(s), n);
            assert_eq!(lat.get(n), byte, "flags and stamp kept");
            let cells = (0..lat.len()).filter(|&s| lat.code(s) == STEM).count();
            assert_eq!(cells, 1);
        }
    }

    #[test]
    fn a_window_grows_only_on_the_faces_the_cells_approach() {
        let mut lat = Lattice::new(2, 64, 1000);
        let (o, side) = (lat.origin, lat.side(0) as i64);
        // Cells one site from the upper x face, far from every other face.
        let lo = [o[0] + side - 2, o[1] + 20, 0];
        let hi = [o[0] + side - 2, o[1] + 30, 0];
        assert!(lat.near_open_face(lo, hi));
        let map = lat.grow_around(lo, hi).expect("the x face is approached");
        assert_eq!(lat.origin, o, "lower faces stay");
        assert_eq!(lat.side(1) as i64, side, "y faces stay");
        assert_eq!(lat.side(0) as i64, side + 32, "x grows by one tile");
        assert_eq!(map.map(0), 0);
        assert!(!lat.near_open_face(lo, hi));
        // A box far from every face grows nothing.
        let mid = [o[0] + 30, o[1] + 30, 0];
        assert!(lat.grow_around(mid, mid).is_none());
    }

    #[test]
    fn a_window_around_a_large_box_overshoots_it_by_a_sixteenth_per_side() {
        let mut lat = Lattice::new(3, 16, 4000);
        let c = 2000i64;
        for r in [10i64, 100, 400] {
            let (lo, hi) = ([c - r; 3], [c + r; 3]);
            while lat.near_open_face(lo, hi) || (0..3).any(|a| lat.origin[a] > lo[a]) {
                lat.grow_around(lo, hi).expect("room to grow");
            }
            let extent = 2 * r + 1;
            for a in 0..3 {
                let side = lat.side(a) as i64;
                // At most the box plus a sixteenth of it (rounded up to whole tiles) and
                // one tile of alignment on each side.
                assert!(
                    side <= extent + 2 * (extent / 16 + 16) + 2 * 16,
                    "r {r}: {side}"
                );
                assert!(side >= extent);
            }
        }
    }

    #[test]
    fn growth_stops_at_the_domain() {
        let mut lat = Lattice::new(2, 64, 100);
        while lat.grow() {}
        assert!(lat.covers(0) && lat.covers(1));
        assert!(lat.side(0) <= 256);
        assert!(!lat.face_open(0, false) && !lat.face_open(0, true));
    }

    #[test]
    fn offsets_are_moore() {
        assert_eq!(Lattice::new(2, 64, 100).offsets().len(), 8);
        assert_eq!(Lattice::new(3, 32, 100).offsets().len(), 26);
    }
}
