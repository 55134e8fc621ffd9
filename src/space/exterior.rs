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

/// For every site of the window, whether it is an exterior empty site (breadth-first
/// search over empty sites from the window's edge and the sites next to the border).
pub fn exterior(lat: &Lattice) -> Vec<bool> {
    let mut ext = vec![false; lat.len()];
    let mut queue = Vec::new();
    let dims = lat.dims;
    let side = [lat.side(0), lat.side(1), lat.side(2)];
    // Every site outside the bounding box of the blocking sites (cells and debris, not the
    // border ring) is empty or wall, and an empty one reaches the window's edge or a site
    // next to the border in a straight line of such sites: it is exterior without a search.
    // The search runs only inside the box grown by one site, from that one-site layer.
    let Some(bbox) = blocking_box(lat) else {
        for (s, e) in ext.iter_mut().enumerate() {
            *e = lat.code(s) == EMPTY;
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
                    0 => ext[s] = true,
                    1 => {
                        ext[s] = true;
                        queue.push(s);
                    }
                    _ if ezy || edge_at(0, x) => {
                        ext[s] = true;
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
fn flood(lat: &Lattice, ext: &mut [bool], mut queue: Vec<usize>, mut marked: impl FnMut(usize)) {
    while let Some(s) = queue.pop() {
        lat.for_each_neighbour(s, |t| {
            if !ext[t] && lat.code(t) == EMPTY {
                ext[t] = true;
                marked(t);
                queue.push(t);
            }
        });
    }
}

/// Marks the empty `site` (a cell next to the exterior just left it) as exterior, with
/// every empty site it now joins to the exterior (a hole it opens).
pub fn extend(lat: &Lattice, ext: &mut [bool], site: usize) {
    extend_marking(lat, ext, site, |_| {});
}

/// [`extend`], calling `marked` on every site it makes exterior.
fn extend_marking(lat: &Lattice, ext: &mut [bool], site: usize, mut marked: impl FnMut(usize)) {
    if ext[site] || lat.code(site) != EMPTY {
        return;
    }
    ext[site] = true;
    marked(site);
    flood(lat, ext, vec![site], marked);
}

/// For every site of the window, its distance from the exterior in Moore steps (0 on
/// exterior sites), if at most `max`; `u32::MAX` beyond `max` (or with no exterior at
/// all). A breadth-first search from the exterior sites of `ext` (from [`exterior`])
/// through every other site of the window, stopped after `max` steps: the window is a box,
/// so this is the Chebyshev distance to the nearest exterior site.
pub fn distance_to_exterior(lat: &Lattice, ext: &[bool], max: u32) -> Vec<u32> {
    let mut dist = vec![u32::MAX; lat.len()];
    let mut front: Vec<usize> = Vec::new();
    for (s, &e) in ext.iter().enumerate() {
        if e {
            dist[s] = 0;
            front.push(s);
        }
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
pub fn on_exterior_rim(lat: &Lattice, ext: &[bool], site: usize) -> bool {
    lat.any_neighbour(site, |t| ext[t])
}

/// [`on_exterior_rim`] of every site of the window at once: whether the site has a Moore
/// neighbour inside the window that is exterior in `ext`. The exterior sites of each
/// site's 3 × 3 (× 3) box are counted by separable sums along the axes, clipped to the
/// window, and the site's own exterior flag taken off; a rim cell is then a cell with a
/// true entry, found with two loads instead of a visit to every neighbour.
pub fn rim_map(lat: &Lattice, ext: &[bool]) -> Vec<bool> {
    let sx = lat.side(0);
    let plane = sx * lat.side(1);
    let mut count: Vec<u8> = vec![0; ext.len()];
    // Along x, row by row: the site and its neighbours in the row.
    for (out, row) in count.chunks_exact_mut(sx).zip(ext.chunks_exact(sx)) {
        for (x, o) in out.iter_mut().enumerate() {
            *o = u8::from(row[x])
                + u8::from(x > 0 && row[x - 1])
                + u8::from(x + 1 < sx && row[x + 1]);
        }
    }
    // Along y, then z: each line adds the lines next to it (a row, a plane) of the sums so
    // far.
    let axes: &[(usize, usize)] = if lat.dims == 3 {
        &[(sx, plane), (plane, ext.len())]
    } else {
        &[(sx, plane)]
    };
    for &(line, block) in axes {
        let before = count.clone();
        for (out, src) in count
            .chunks_exact_mut(block)
            .zip(before.chunks_exact(block))
        {
            let lines = block / line;
            for k in 0..lines {
                let o = &mut out[k * line..(k + 1) * line];
                if k > 0 {
                    for (a, b) in o.iter_mut().zip(&src[(k - 1) * line..k * line]) {
                        *a += b;
                    }
                }
                if k + 1 < lines {
                    for (a, b) in o.iter_mut().zip(&src[(k + 1) * line..(k + 2) * line]) {
                        *a += b;
                    }
                }
            }
        }
    }
    count
        .iter()
        .zip(ext)
        .map(|(&n, &e)| n > u8::from(e))
        .collect()
}

/// [`extend`], keeping `rim` the [`rim_map`] of `ext`: the neighbours of every site made
/// exterior join the rim map.
pub fn extend_rim(lat: &Lattice, ext: &mut [bool], rim: &mut [bool], site: usize) {
    extend_marking(lat, ext, site, |s| {
        lat.for_each_neighbour(s, |t| rim[t] = true)
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
        let at = |x: i64, y: i64| ext[lat.site_at([x, y, 0]).unwrap()];
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
        assert!(ext[lat.site_at([c, c, 0]).unwrap()]);
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
    fn exterior_by_definition(lat: &Lattice) -> Vec<bool> {
        let mut ext = vec![false; lat.len()];
        let mut queue = Vec::new();
        for (s, is_ext) in ext.iter_mut().enumerate() {
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
                *is_ext = true;
                queue.push(s);
            }
        }
        while let Some(s) = queue.pop() {
            let d = lat.domain_coords(s);
            for o in crate::space::lattice::moore_offsets(lat.dims) {
                if let Some(t) = lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                    && !ext[t]
                    && lat.code(t) == EMPTY
                {
                    ext[t] = true;
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
    fn the_rim_map_is_on_exterior_rim_everywhere_and_extends_with_the_exterior() {
        use crate::rng::{below, stream, uniform};
        // Random porous blobs in 2D and 3D, windows inside the domain and larger than it;
        // then cells next to the exterior leave one by one (as in shedding).
        for (k, &(dims, initial, domain)) in [
            (2usize, 64u32, 1000u32),
            (2, 64, 40),
            (3, 32, 1000),
            (3, 32, 20),
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
                let by_site = |lat: &Lattice, ext: &[bool]| -> Vec<bool> {
                    (0..lat.len())
                        .map(|s| on_exterior_rim(lat, ext, s))
                        .collect()
                };
                assert_eq!(rim, by_site(&lat, &ext), "dims {dims}, trial {trial}");
                for _ in 0..200 {
                    let s = below(&mut rng, lat.len());
                    if !is_cell(lat.code(s)) || !rim[s] {
                        continue;
                    }
                    lat.set(s, EMPTY);
                    extend_rim(&lat, &mut ext, &mut rim, s);
                }
                assert_eq!(rim, rim_map(&lat, &ext), "dims {dims}, trial {trial}");
                assert_eq!(rim, by_site(&lat, &ext), "dims {dims}, trial {trial}");
            }
        }
    }
}
