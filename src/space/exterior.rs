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

use super::Lattice;
use crate::model::kind::EMPTY;

/// For every site of the window, whether it is an exterior empty site (breadth-first
/// search over empty sites from the window's edge and the sites next to the border).
pub fn exterior(lat: &Lattice) -> Vec<bool> {
    let n = lat.len();
    let mut ext = vec![false; n];
    let mut queue = Vec::new();
    let dims = lat.dims;
    let sides: Vec<usize> = (0..3).map(|a| lat.side(a)).collect();
    let open = |s: usize| lat.code(s) == EMPTY;
    for (s, is_ext) in ext.iter_mut().enumerate() {
        if !open(s) {
            continue;
        }
        let c = lat.coords(s);
        let d = lat.domain_coords(s);
        let edge = (0..dims).any(|a| c[a] == 0 || c[a] + 1 == sides[a])
            || (0..dims).any(|a| {
                lat.is_wall({
                    let mut e = d;
                    e[a] -= 1;
                    e
                }) || lat.is_wall({
                    let mut e = d;
                    e[a] += 1;
                    e
                })
            });
        if edge {
            *is_ext = true;
            queue.push(s);
        }
    }
    let offsets = super::lattice::moore_offsets(dims);
    while let Some(s) = queue.pop() {
        let d = lat.domain_coords(s);
        for o in &offsets {
            if let Some(t) = lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                && !ext[t]
                && open(t)
            {
                ext[t] = true;
                queue.push(t);
            }
        }
    }
    ext
}

/// Marks the empty `site` (a cell next to the exterior just left it) as exterior, with
/// every empty site it now joins to the exterior (a hole it opens).
pub fn extend(lat: &Lattice, ext: &mut [bool], site: usize) {
    if ext[site] || lat.code(site) != EMPTY {
        return;
    }
    let offsets = super::lattice::moore_offsets(lat.dims);
    ext[site] = true;
    let mut queue = vec![site];
    while let Some(s) = queue.pop() {
        let d = lat.domain_coords(s);
        for o in &offsets {
            if let Some(t) = lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                && !ext[t]
                && lat.code(t) == EMPTY
            {
                ext[t] = true;
                queue.push(t);
            }
        }
    }
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
    let offsets = super::lattice::moore_offsets(lat.dims);
    let mut next = Vec::new();
    for k in 1..=max {
        if front.is_empty() {
            break;
        }
        for &s in &front {
            let d = lat.domain_coords(s);
            for o in &offsets {
                if let Some(t) = lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
                    && dist[t] == u32::MAX
                {
                    dist[t] = k;
                    next.push(t);
                }
            }
        }
        std::mem::swap(&mut front, &mut next);
        next.clear();
    }
    dist
}

/// Whether the cell at `site` has an exterior neighbour in `ext` (from [`exterior`]).
pub fn on_exterior_rim(lat: &Lattice, ext: &[bool], site: usize) -> bool {
    let d = lat.domain_coords(site);
    super::lattice::moore_offsets(lat.dims).iter().any(|o| {
        lat.site_at([d[0] + o[0], d[1] + o[1], d[2] + o[2]])
            .is_some_and(|t| ext[t])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::progenitor;

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
}
