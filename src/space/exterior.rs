//! The tumour's exterior: the empty sites connected to the outside of the tumour.
//!
//! An empty site is exterior when a path of empty sites (Moore neighbourhood, the
//! neighbourhood cells move and divide in) joins it to the window's edge or to the
//! domain's border. Empty sites enclosed by cells (holes left by killed cells, a necrotic
//! cavity) are interior. Cells next to an exterior site form the exterior rim, the only
//! cells that shed into the blood under mass-based shedding and the margin of a resection.
//!
//! Debris (a dead cell's remains, `cells.clearance_h`) is not empty: it is not exterior and
//! a path of empty sites does not pass through it. It holds no cell, so it never sheds.
//!
//! The distance of a site from the exterior ([`distance_to_exterior`]) is the least number
//! of Moore steps from an exterior site: 1 for a cell next to the exterior, and in general
//! the Chebyshev distance to the nearest exterior site (the path may cross cells, debris
//! and holes inside the tumour; only its ends matter). A hole inside the tumour is not
//! exterior, so cells next to it are as far from the exterior as their position makes
//! them. Surgery of the mass keeps its residual among the cells within `margin_sites`.

use super::lattice::Lattice;
use crate::model::kind::{EMPTY, WALL};
use fixedbitset::FixedBitSet;

/// For every site of the window, whether it is an exterior empty site (breadth-first
/// search over empty sites from the window's edge and the sites next to the border), one
/// bit a site.
pub fn exterior(lat: &Lattice) -> FixedBitSet {
    let mut ext = FixedBitSet::with_capacity(lat.len());
    let mut queue = Vec::new();
    let dims = lat.dims;
    let side = [lat.side(0), lat.side(1), lat.side(2)];
    // Every site outside the bounding box of the blocking sites (cells and debris, not the
    // border ring) is empty or wall, and an empty one reaches the window's edge or a site
    // next to the border in a straight line of such sites: it is exterior without a search.
    // The search runs only inside the box grown by one site, from that one-site layer.
    let Some(bbox) = blocking_box(lat) else {
        for s in 0..lat.len() {
            ext.set(s, lat.code(s) == EMPTY);
        }
        return ext;
    };
    let (lo, hi) = (
        bbox.0.map(|c| c.saturating_sub(1)),
        std::array::from_fn::<usize, 3, _>(|a| (bbox.1[a] + 1).min(side[a] - 1)),
    );
    // A coordinate on the window's edge, or next to the border ring (a site whose axis
    // neighbour is wall: the domain coordinate is within 1 of a wall coordinate).
    let edge_at = |a: usize, c: usize| {
        let d = c as i64 + lat.origin[a];
        a < dims && (c == 0 || c + 1 == side[a] || d <= 1 || d >= lat.domain - 2)
    };
    // Where a coordinate lies against the grown box: 0 outside, 1 on its outer layer
    // (outside the blocking box, or on the window's edge), 2 inside (axis 2 in 2D is
    // always inside).
    let place = |a: usize, c: usize| {
        if a >= dims {
            2
        } else if c < lo[a] || c > hi[a] {
            0
        } else if c == lo[a] || c == hi[a] {
            1
        } else {
            2
        }
    };
    for z in 0..side[2] {
        let (pz, ez) = (place(2, z), edge_at(2, z));
        for y in 0..side[1] {
            let (pzy, ezy) = (pz.min(place(1, y)), ez || edge_at(1, y));
            let row = lat.index([0, y, z]);
            for x in 0..side[0] {
                let s = row + x;
                if lat.code(s) != EMPTY {
                    continue;
                }
                match pzy.min(place(0, x)) {
                    0 => ext.insert(s),
                    1 => {
                        ext.insert(s);
                        queue.push(s);
                    }
                    _ if ezy || edge_at(0, x) => {
                        ext.insert(s);
                        queue.push(s);
                    }
                    _ => {}
                }
            }
        }
    }
    flood(lat, &mut ext, queue, |_| {});
    ext
}

/// The window coordinates `(low, high)` (inclusive) of the box around every site that
/// blocks a path of empty sites inside the domain (a cell or debris), if there is one.
fn blocking_box(lat: &Lattice) -> Option<([usize; 3], [usize; 3])> {
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    lat.for_each_occupied(|s| {
        if lat.code(s) != WALL || !lat.is_wall(lat.domain_coords(s)) {
            for (a, c) in lat.coords(s).into_iter().enumerate() {
                lo[a] = lo[a].min(c);
                hi[a] = hi[a].max(c);
            }
        }
    });
    (lo[0] != usize::MAX).then_some((lo, hi))
}

/// Marks as exterior every empty site joined by empty sites to the sites of `queue`
/// (already marked), calling `marked` on each site it marks.
fn flood(
    lat: &Lattice,
    ext: &mut FixedBitSet,
    mut queue: Vec<usize>,
    mut marked: impl FnMut(usize),
) {
    while let Some(s) = queue.pop() {
        lat.for_each_neighbour(s, |t| {
            if !ext.contains(t) && lat.code(t) == EMPTY {
                ext.insert(t);
                marked(t);
                queue.push(t);
            }
        });
    }
}

/// Marks the empty `site` (a cell next to the exterior just left it) as exterior, with
/// every empty site it now joins to the exterior (a hole it opens).
pub fn extend(lat: &Lattice, ext: &mut FixedBitSet, site: usize) {
    extend_marking(lat, ext, site, |_| {});
}

/// [`extend`], calling `marked` on every site it makes exterior.
fn extend_marking(
    lat: &Lattice,
    ext: &mut FixedBitSet,
    site: usize,
    mut marked: impl FnMut(usize),
) {
    if ext.contains(site) || lat.code(site) != EMPTY {
        return;
    }
    ext.insert(site);
    marked(site);
    flood(lat, ext, vec![site], marked);
}

/// For every site of the window, its distance from the exterior in Moore steps (0 on
/// exterior sites), if at most `max`; `u32::MAX` beyond `max` (or with no exterior at
/// all). A breadth-first search from the exterior sites of `ext` (from [`exterior`])
/// through every other site of the window, stopped after `max` steps: the window is a box,
/// so this is the Chebyshev distance to the nearest exterior site.
pub fn distance_to_exterior(lat: &Lattice, ext: &FixedBitSet, max: u32) -> Vec<u32> {
    let mut dist = vec![u32::MAX; lat.len()];
    let mut front: Vec<usize> = Vec::new();
    for s in ext.ones() {
        dist[s] = 0;
        front.push(s);
    }
    let mut next = Vec::new();
    for k in 1..=max {
        if front.is_empty() {
            break;
        }
        for &s in &front {
            lat.for_each_neighbour(s, |t| {
                if dist[t] == u32::MAX {
                    dist[t] = k;
                    next.push(t);
                }
            });
        }
        std::mem::swap(&mut front, &mut next);
        next.clear();
    }
    dist
}

/// Whether the cell at `site` has an exterior neighbour in `ext` (from [`exterior`]).
pub fn on_exterior_rim(lat: &Lattice, ext: &FixedBitSet, site: usize) -> bool {
    lat.any_neighbour(site, |t| ext.contains(t))
}

/// The rim map of `ext`, one bit a site: whether the site's Moore box (the site and its
/// neighbours inside the window) holds an exterior site. A cell is never exterior, so on a
/// cell this is [`on_exterior_rim`]; shedding finds the rim cells with one load each
/// instead of a visit to every neighbour. The box is a dilation of the exterior along each
/// axis in turn: the set ORed with itself shifted by one site, one row and (in 3D) one
/// plane either way, the bits that a shift carries across a row's or plane's end cleared.
/// It works a word (64 sites) at a time and holds three more bit sets while it runs.
pub fn rim_map(lat: &Lattice, ext: &FixedBitSet) -> FixedBitSet {
    let n = ext.len();
    let sx = lat.side(0);
    let plane = sx * lat.side(1);
    let mut shifted = FixedBitSet::with_capacity(n);
    // Along x: from the site before (not onto a row's first site) and after (not onto its
    // last).
    let mut rim = ext.clone();
    for (by, end) in [(1isize, 0), (-1, sx - 1)] {
        shift_into(&mut shifted, ext, by);
        for row in (0..n).step_by(sx) {
            shifted.remove(row + end);
        }
        rim |= &shifted;
    }
    // Along y: from the row before (not onto a plane's first row) and after (its last).
    let along_x = rim.clone();
    for (by, end) in [(sx as isize, 0), (-(sx as isize), plane - sx)] {
        shift_into(&mut shifted, &along_x, by);
        for p in (0..n).step_by(plane) {
            shifted.set_range(p + end..p + end + sx, false);
        }
        rim |= &shifted;
    }
    // Along z (3D): from the plane before and after; nothing crosses the window's ends.
    if lat.dims == 3 {
        let along_y = rim.clone();
        for by in [plane as isize, -(plane as isize)] {
            shift_into(&mut shifted, &along_y, by);
            rim |= &shifted;
        }
    }
    rim
}

/// Writes into `dst` (of `src`'s length) the bits of `src` moved `by` sites up (towards
/// higher sites; down when negative): bit `s` of `dst` is bit `s - by` of `src`, clear
/// where that is outside the set.
fn shift_into(dst: &mut FixedBitSet, src: &FixedBitSet, by: isize) {
    const B: usize = usize::BITS as usize;
    let (words, bits) = (by.unsigned_abs() / B, by.unsigned_abs() % B);
    let from = src.as_slice();
    let word = |i: Option<usize>| i.and_then(|i| from.get(i)).copied().unwrap_or(0);
    let out = dst.as_mut_slice();
    for (i, o) in out.iter_mut().enumerate() {
        *o = if by >= 0 {
            let (a, b) = (word(i.checked_sub(words)), word(i.checked_sub(words + 1)));
            if bits == 0 {
                a
            } else {
                (a << bits) | (b >> (B - bits))
            }
        } else {
            let (a, b) = (word(Some(i + words)), word(Some(i + words + 1)));
            if bits == 0 {
                a
            } else {
                (a >> bits) | (b << (B - bits))
            }
        };
    }
    // Bits moved past the set's end stay clear.
    let tail = src.len() % B;
    if tail != 0
        && let Some(last) = out.last_mut()
    {
        *last &= (1usize << tail) - 1;
    }
}

/// [`extend`], keeping `rim` the [`rim_map`] of `ext`: every site made exterior and its
/// neighbours join the rim map.
pub fn extend_rim(lat: &Lattice, ext: &mut FixedBitSet, rim: &mut FixedBitSet, site: usize) {
    extend_marking(lat, ext, site, |s| {
        rim.insert(s);
        lat.for_each_neighbour(s, |t| rim.insert(t))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::{is_cell, progenitor};

    #[test]
    fn a_hole_inside_a_ring_of_cells_is_interior() {
        let mut lat = Lattice::new(2, 64, 64);
        let c = 32i64;
        // A 9 × 9 square of cells with a 3 × 3 hole in its middle.
        for x in c - 4..=c + 4 {
            for y in c - 4..=c + 4 {
                if (x - c).abs() > 1 || (y - c).abs() > 1 {
                    let s = lat.site_at([x, y, 0]).unwrap();
                    lat.set(s, progenitor(3));
                }
            }
        }
        let ext = exterior(&lat);
        let at = |x: i64, y: i64| ext.contains(lat.site_at([x, y, 0]).unwrap());
        assert!(!at(c, c) && !at(c + 1, c - 1), "the hole is interior");
        assert!(at(c + 5, c) && at(5, 5), "outside is exterior");
        let site = |x: i64, y: i64| lat.site_at([x, y, 0]).unwrap();
        // A cell on the hole's edge only is not on the exterior rim; an outer one is.
        assert!(!on_exterior_rim(&lat, &ext, site(c + 2, c)));
        assert!(on_exterior_rim(&lat, &ext, site(c + 4, c)));
        // Open the ring (a diagonal gap is enough in the Moore neighbourhood): the hole
        // joins the exterior.
        let gap: Vec<usize> = (2..=4).map(|k| site(c + k, c + k)).collect();
        for s in gap {
            lat.set(s, EMPTY);
        }
        let ext = exterior(&lat);
        assert!(ext.contains(lat.site_at([c, c, 0]).unwrap()));
    }

    #[test]
    fn distance_counts_moore_steps_from_the_exterior_not_from_holes() {
        let mut lat = Lattice::new(2, 64, 64);
        let c = 32i64;
        let site = |lat: &Lattice, x: i64, y: i64| lat.site_at([x, y, 0]).unwrap();
        // A 15 × 15 square of cells with a hole at its centre.
        for x in c - 7..=c + 7 {
            for y in c - 7..=c + 7 {
                if (x, y) != (c, c) {
                    let s = site(&lat, x, y);
                    lat.set(s, progenitor(3));
                }
            }
        }
        let ext = exterior(&lat);
        let dist = distance_to_exterior(&lat, &ext, 100);
        for x in c - 7..=c + 7 {
            for y in c - 7..=c + 7 {
                let expected = 8 - (x - c).abs().max((y - c).abs());
                assert_eq!(dist[site(&lat, x, y)], expected as u32, "({x}, {y})");
            }
        }
        // Stopped at `max`.
        let near = distance_to_exterior(&lat, &ext, 2);
        assert_eq!(near[site(&lat, c + 6, c)], 2);
        assert_eq!(near[site(&lat, c + 5, c)], u32::MAX);
    }

    /// The exterior by definition: a flood of empty sites from every empty site on the
    /// window's edge or next to a wall site of the border, over the whole window.
    fn exterior_by_definition(lat: &Lattice) -> FixedBitSet {
        let mut ext = FixedBitSet::with_capacity(lat.len());
        let mut queue = Vec::new();
        for s in 0..lat.len() {
            if lat.code(s) != EMPTY {
                continue;
            }
            let c = lat.coords(s);
            let d = lat.domain_coords(s);
            let on_edge = (0..lat.dims).any(|a| c[a] == 0 || c[a] + 1 == lat.side(a));
            let by_wall = (0..lat.dims).any(|a| {
                [-1i64, 1].iter().any(|&k| {
                    let mut e = d;
                    e[a] += k;
                    lat.is_wall(e)
                })
            });
            if on_edge || by_wall {
                ext.insert(s);
                queue.push(s);
            }
        }
        while let Some(s) = queue.pop() {
            let d = lat.domain_coords(s);
            for o in crate::space::lattice::moore_offsets(lat.dims) {
                if let Some(t) = lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                    && !ext.contains(t)
                    && lat.code(t) == EMPTY
                {
                    ext.insert(t);
                    queue.push(t);
                }
            }
        }
        ext
    }

    #[test]
    fn exterior_matches_its_definition_on_random_tumours_walls_and_debris() {
        use crate::rng::{below, stream, uniform};
        // 2D and 3D, windows inside the domain and larger than it (a wall ring inside the
        // window), porous blobs of cells with debris, off-centre and touching the edge.
        let cases = [
            (2usize, 64u32, 1000u32),
            (2, 64, 40),
            (3, 32, 1000),
            (3, 32, 20),
        ];
        for (k, &(dims, initial, domain)) in cases.iter().enumerate() {
            for trial in 0..12u64 {
                let mut rng = stream(k as u64, 0xE7, trial, 0);
                let mut lat = Lattice::new(dims, initial, domain);
                let side = lat.side(0) as i64;
                let centre: [i64; 3] = std::array::from_fn(|a| {
                    if a < dims {
                        lat.origin[a] + below(&mut rng, side as usize) as i64
                    } else {
                        0
                    }
                });
                let r = 2 + below(&mut rng, side as usize / 3) as i64;
                let density = 0.55 + 0.45 * uniform(&mut rng);
                for s in 0..lat.len() {
                    let d = lat.domain_coords(s);
                    let inside = (0..dims).all(|a| (d[a] - centre[a]).abs() <= r);
                    if !inside || lat.code(s) != EMPTY || uniform(&mut rng) > density {
                        continue;
                    }
                    let code = if uniform(&mut rng) < 0.05 {
                        WALL
                    } else {
                        progenitor(2)
                    };
                    lat.set(s, code);
                }
                assert_eq!(
                    exterior(&lat),
                    exterior_by_definition(&lat),
                    "dims {dims}, window {initial}, domain {domain}, trial {trial}"
                );
            }
        }
        // An empty window: every empty site is exterior.
        let lat = Lattice::new(2, 64, 40);
        assert_eq!(exterior(&lat), exterior_by_definition(&lat));
    }

    #[test]
    fn the_rim_map_is_the_moore_box_of_the_exterior_and_extends_with_it() {
        use crate::rng::{below, stream, uniform};
        // Random porous blobs in 2D and 3D, windows inside the domain and larger than it,
        // rows a whole number of 64-site words long and not; then cells next to the
        // exterior leave one by one (as in shedding).
        for (k, &(dims, initial, domain)) in [
            (2usize, 64u32, 1000u32),
            (2, 64, 40),
            (2, 96, 1000),
            (3, 32, 1000),
            (3, 32, 20),
            (3, 48, 1000),
        ]
        .iter()
        .enumerate()
        {
            for trial in 0..6u64 {
                let mut rng = stream(k as u64, 0xE8, trial, 0);
                let mut lat = Lattice::new(dims, initial, domain);
                let side = lat.side(0);
                for s in 0..lat.len() {
                    let c = lat.coords(s);
                    let inside = (0..dims).all(|a| c[a] > side / 5 && c[a] < side - side / 4);
                    if inside && lat.code(s) == EMPTY && uniform(&mut rng) < 0.8 {
                        lat.set(s, progenitor(2));
                    }
                }
                let mut ext = exterior(&lat);
                let mut rim = rim_map(&lat, &ext);
                // By definition: the site or one of its Moore neighbours is exterior; on
                // every cell, that is on_exterior_rim.
                let check = |lat: &Lattice, ext: &FixedBitSet, rim: &FixedBitSet| {
                    for s in 0..lat.len() {
                        let boxed = ext.contains(s) || on_exterior_rim(lat, ext, s);
                        assert_eq!(
                            rim.contains(s),
                            boxed,
                            "dims {dims}, trial {trial}, site {s}"
                        );
                        if is_cell(lat.code(s)) {
                            assert_eq!(rim.contains(s), on_exterior_rim(lat, ext, s));
                        }
                    }
                    assert_eq!(rim.len(), lat.len());
                };
                check(&lat, &ext, &rim);
                for _ in 0..200 {
                    let s = below(&mut rng, lat.len());
                    if !is_cell(lat.code(s)) || !rim.contains(s) {
                        continue;
                    }
                    lat.set(s, EMPTY);
                    extend_rim(&lat, &mut ext, &mut rim, s);
                }
                assert_eq!(rim, rim_map(&lat, &ext), "dims {dims}, trial {trial}");
                check(&lat, &ext, &rim);
            }
        }
    }

    #[test]
    fn a_shift_moves_every_bit_by_the_same_number_of_sites() {
        use crate::rng::{below, stream, uniform};
        let mut rng = stream(1, 0xE9, 0, 0);
        for len in [1usize, 63, 64, 65, 127, 128, 200, 1000] {
            let mut src = FixedBitSet::with_capacity(len);
            for s in 0..len {
                src.set(s, uniform(&mut rng) < 0.4);
            }
            let mut dst = FixedBitSet::with_capacity(len);
            let shifts = [0isize, 1, -1, 63, -63, 64, -64, 65, -65, 130, -130];
            for by in shifts
                .into_iter()
                .chain([below(&mut rng, 2 * len) as isize - len as isize])
            {
                shift_into(&mut dst, &src, by);
                for s in 0..len {
                    let from = s as isize - by;
                    let expected =
                        from >= 0 && (from as usize) < len && src.contains(from as usize);
                    assert_eq!(dst.contains(s), expected, "len {len}, by {by}, bit {s}");
                }
                // Nothing past the end: the set counts only its own bits.
                let ones = (0..len).filter(|&s| dst.contains(s)).count();
                assert_eq!(dst.count_ones(..), ones, "len {len}, by {by}");
            }
        }
    }
}
