//! The field grid: `f32` concentrations (ng/mL) on a 2D or 3D box of cells aligned with
//! the lattice.
//!
//! Field cell `(i, j, k)` covers the lattice sites `origin + c·(i, j, k)` up to (not
//! including) `origin + c·(i, j, k) + c` on each axis, `c` being the coarsening factor;
//! in 2D the single layer `k = 0` covers the slab. Values are stored x fastest:
//! `index = i + nx·(j + ny·k)`.
//!
//! Cell side `h = spacing × c` µm; cell volume `h³` in 3D and `h² × spacing` in 2D (the
//! slab is one lattice spacing thick), in mL (1 µm³ = 10⁻¹² mL).

use super::{FieldError, ML_PER_UM3};
use rayon::prelude::*;

/// Values per chunk of the deterministic sums ([`FieldGrid::mean`],
/// [`FieldGrid::total_mass_ng`]).
pub const SUM_CHUNK: usize = 4096;

/// A 2D or 3D grid of concentrations in ng/mL, aligned with the lattice.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldGrid {
    dims: usize,
    n: [usize; 3],
    coarsen: u32,
    spacing_um: f64,
    h_um: f64,
    volume_ml: f64,
    origin: [i64; 3],
    values: Vec<f32>,
}

impl FieldGrid {
    /// A grid of `n = [nx, ny, nz]` cells (`nz = 1` in 2D), each `coarsen` lattice sites
    /// of `spacing_um` µm per side, whose cell `(0, 0, 0)` starts at lattice site `origin`,
    /// every value `fill_ng_ml`.
    pub fn new(
        dims: usize,
        n: [usize; 3],
        spacing_um: f64,
        coarsen: u32,
        origin: [i64; 3],
        fill_ng_ml: f32,
    ) -> Result<Self, FieldError> {
        if dims != 2 && dims != 3 {
            return Err(FieldError::Dims(dims));
        }
        check_shape(dims, n)?;
        if !(spacing_um.is_finite() && spacing_um > 0.0) {
            return Err(FieldError::Parameter {
                name: "spacing_um",
                value: spacing_um,
                allowed: "finite and > 0",
            });
        }
        if coarsen == 0 {
            return Err(FieldError::Parameter {
                name: "coarsen",
                value: 0.0,
                allowed: "≥ 1",
            });
        }
        let h_um = spacing_um * coarsen as f64;
        let volume_ml = if dims == 3 {
            h_um * h_um * h_um * ML_PER_UM3
        } else {
            h_um * h_um * spacing_um * ML_PER_UM3
        };
        Ok(FieldGrid {
            dims,
            n,
            coarsen,
            spacing_um,
            h_um,
            volume_ml,
            origin,
            values: vec![fill_ng_ml; n[0] * n[1] * n[2]],
        })
    }

    /// The smallest grid whose origin is a multiple of `coarsen` (so that any two such
    /// grids are aligned) covering the lattice window of `sites` sites per axis starting at
    /// lattice site `site_origin`. In 2D the z axis is one layer at `site_origin[2]`.
    pub fn covering(
        dims: usize,
        spacing_um: f64,
        coarsen: u32,
        site_origin: [i64; 3],
        sites: [usize; 3],
        fill_ng_ml: f32,
    ) -> Result<Self, FieldError> {
        let c = coarsen.max(1) as i64;
        let mut origin = [0i64; 3];
        let mut n = [1usize; 3];
        for a in 0..3 {
            if a == 2 && dims == 2 {
                origin[2] = site_origin[2];
                continue;
            }
            let lo = site_origin[a].div_euclid(c) * c;
            let hi = site_origin[a] + sites[a] as i64;
            origin[a] = lo;
            n[a] = ((hi - lo + c - 1).div_euclid(c)).max(0) as usize;
        }
        FieldGrid::new(dims, n, spacing_um, coarsen, origin, fill_ng_ml)
    }

    /// 2 or 3.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Cells per axis `[nx, ny, nz]` (`nz = 1` in 2D).
    pub fn n(&self) -> [usize; 3] {
        self.n
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a grid has at least one cell.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Lattice sites per field cell along each axis.
    pub fn coarsen(&self) -> u32 {
        self.coarsen
    }

    /// Lattice spacing, µm.
    pub fn spacing_um(&self) -> f64 {
        self.spacing_um
    }

    /// Field cell side `h` = spacing × coarsening factor, µm.
    pub fn h_um(&self) -> f64 {
        self.h_um
    }

    /// Volume of one field cell, mL: `h³` in 3D, `h² × spacing` in 2D.
    pub fn volume_ml(&self) -> f64 {
        self.volume_ml
    }

    /// Lattice site at which cell `(0, 0, 0)` starts.
    pub fn origin(&self) -> [i64; 3] {
        self.origin
    }

    /// The concentrations, ng/mL, x fastest.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The concentrations, ng/mL, x fastest, for writing.
    pub fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }

    /// Sets every value to `value_ng_ml`.
    pub fn fill(&mut self, value_ng_ml: f32) {
        self.values.fill(value_ng_ml);
    }

    /// Flat index of cell `(i, j, k)` (which must be inside the grid).
    #[inline]
    pub fn index(&self, ijk: [usize; 3]) -> usize {
        debug_assert!(ijk.iter().zip(&self.n).all(|(&x, &n)| x < n), "{ijk:?}");
        ijk[0] + self.n[0] * (ijk[1] + self.n[1] * ijk[2])
    }

    /// Cell coordinates `(i, j, k)` of flat index `index`.
    #[inline]
    pub fn coords(&self, index: usize) -> [usize; 3] {
        let i = index % self.n[0];
        let rest = index / self.n[0];
        [i, rest % self.n[1], rest / self.n[1]]
    }

    /// The value in cell `(i, j, k)`.
    #[inline]
    pub fn get(&self, ijk: [usize; 3]) -> f32 {
        self.values[self.index(ijk)]
    }

    /// Sets the value in cell `(i, j, k)`.
    #[inline]
    pub fn set(&mut self, ijk: [usize; 3], value_ng_ml: f32) {
        let i = self.index(ijk);
        self.values[i] = value_ng_ml;
    }

    /// Flat index of the field cell holding lattice site `site`, if the grid covers it. In
    /// 2D the site's z coordinate is ignored.
    #[inline]
    pub fn cell_of_site(&self, site: [i64; 3]) -> Option<usize> {
        let c = self.coarsen as i64;
        let mut ijk = [0usize; 3];
        for a in 0..self.dims {
            let d = site[a] - self.origin[a];
            if d < 0 {
                return None;
            }
            let i = (d / c) as usize;
            if i >= self.n[a] {
                return None;
            }
            ijk[a] = i;
        }
        Some(self.index(ijk))
    }

    /// Centre of cell `(i, j, k)` in µm, in lattice coordinates (site `s` spans
    /// `[s, s + 1)` × spacing). In 2D the z coordinate is the slab's centre.
    pub fn cell_centre_um(&self, ijk: [usize; 3]) -> [f64; 3] {
        let mut x = [0.0; 3];
        for (a, xa) in x.iter_mut().enumerate() {
            let extent = if a == 2 && self.dims == 2 {
                1.0
            } else {
                self.coarsen as f64
            };
            *xa = (self.origin[a] as f64 + ijk[a] as f64 * extent + 0.5 * extent) * self.spacing_um;
        }
        x
    }

    /// Moves the grid to `new_origin` with `new_n` cells per axis, keeping the values where
    /// the old and new grids overlap and setting every new cell to `far_field_ng_ml`.
    ///
    /// The new origin must differ from the old one by multiples of the coarsening factor
    /// (so that cells coincide), and in 2D keep its z coordinate and `nz = 1`. This is how
    /// the field follows the lattice window when it doubles and re-centres.
    pub fn resize(
        &mut self,
        new_origin: [i64; 3],
        new_n: [usize; 3],
        far_field_ng_ml: f32,
    ) -> Result<(), FieldError> {
        check_shape(self.dims, new_n)?;
        let c = self.coarsen as i64;
        let misaligned = (0..3).any(|a| (new_origin[a] - self.origin[a]) % c != 0)
            || (self.dims == 2 && new_origin[2] != self.origin[2]);
        if misaligned {
            return Err(FieldError::Misaligned {
                old: self.origin,
                new: new_origin,
                coarsen: self.coarsen,
            });
        }
        // Offset of the new grid's cell 0 in old cells, per axis.
        let shift: [i64; 3] = std::array::from_fn(|a| (new_origin[a] - self.origin[a]) / c);
        // Overlap, in new cell coordinates: [lo, hi).
        let lo: [i64; 3] = std::array::from_fn(|a| (-shift[a]).max(0));
        let hi: [i64; 3] =
            std::array::from_fn(|a| (self.n[a] as i64 - shift[a]).min(new_n[a] as i64));
        let mut values = vec![far_field_ng_ml; new_n[0] * new_n[1] * new_n[2]];
        if (0..3).all(|a| lo[a] < hi[a]) {
            let width = (hi[0] - lo[0]) as usize;
            for k in lo[2]..hi[2] {
                for j in lo[1]..hi[1] {
                    let dst = lo[0] as usize + new_n[0] * (j as usize + new_n[1] * k as usize);
                    let (oi, oj, ok) = (lo[0] + shift[0], j + shift[1], k + shift[2]);
                    let src = self.index([oi as usize, oj as usize, ok as usize]);
                    values[dst..dst + width].copy_from_slice(&self.values[src..src + width]);
                }
            }
        }
        self.values = values;
        self.origin = new_origin;
        self.n = new_n;
        Ok(())
    }

    /// Mean concentration, ng/mL: a deterministic sum (see [`FieldGrid::total_mass_ng`]).
    pub fn mean(&self) -> f64 {
        chunked_sum(&self.values) / self.values.len() as f64
    }

    /// Largest concentration, ng/mL (NaN values are ignored). A maximum does not depend on
    /// the order of comparison, so this is deterministic as it stands.
    pub fn max(&self) -> f32 {
        self.values
            .par_chunks(SUM_CHUNK)
            .map(|ch| ch.iter().copied().fold(f32::NEG_INFINITY, f32::max))
            .reduce(|| f32::NEG_INFINITY, f32::max)
    }

    /// Total amount of cytokine on the grid, ng: `Σ c · V`.
    ///
    /// Floating-point addition is not associative, so a sum whose grouping depends on how
    /// rayon happened to split the work (its adaptive `sum()`) could differ in the last
    /// bits between thread counts, and outputs would no longer be byte-identical
    /// (docs/architecture.md §3). Here the values are summed in fixed chunks of
    /// [`SUM_CHUNK`] in `f64` (each chunk in index order, possibly in parallel), and the
    /// chunk sums are then added in index order: the result is the same whatever the
    /// number of threads.
    pub fn total_mass_ng(&self) -> f64 {
        chunked_sum(&self.values) * self.volume_ml
    }
}

/// Deterministic `f64` sum of `values`: fixed chunks summed in index order, chunk sums
/// combined in index order.
fn chunked_sum(values: &[f32]) -> f64 {
    let partial: Vec<f64> = values
        .par_chunks(SUM_CHUNK)
        .map(|ch| ch.iter().map(|&v| v as f64).sum::<f64>())
        .collect();
    partial.iter().sum()
}

fn check_shape(dims: usize, n: [usize; 3]) -> Result<(), FieldError> {
    if n.contains(&0) || (dims == 2 && n[2] != 1) {
        Err(FieldError::Shape { dims, n })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_coords_are_inverse() {
        let g = FieldGrid::new(3, [5, 4, 3], 10.0, 4, [0, 0, 0], 0.0).unwrap();
        for idx in 0..g.len() {
            assert_eq!(g.index(g.coords(idx)), idx);
        }
        assert_eq!(g.index([1, 2, 1]), 1 + 5 * (2 + 4));
        assert_eq!(g.h_um(), 40.0);
        assert!((g.volume_ml() - 64_000.0 * 1e-12).abs() < 1e-20);
        let g2 = FieldGrid::new(2, [5, 4, 1], 10.0, 4, [0, 0, 0], 0.0).unwrap();
        assert!((g2.volume_ml() - 16_000.0 * 1e-12).abs() < 1e-20);
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert_eq!(
            FieldGrid::new(4, [1, 1, 1], 10.0, 1, [0; 3], 0.0),
            Err(FieldError::Dims(4))
        );
        assert!(FieldGrid::new(2, [4, 4, 2], 10.0, 1, [0; 3], 0.0).is_err());
        assert!(FieldGrid::new(3, [4, 0, 2], 10.0, 1, [0; 3], 0.0).is_err());
        assert!(FieldGrid::new(3, [4, 4, 2], 0.0, 1, [0; 3], 0.0).is_err());
        assert!(FieldGrid::new(3, [4, 4, 2], 10.0, 0, [0; 3], 0.0).is_err());
    }

    #[test]
    fn sites_map_to_their_cells() {
        let g = FieldGrid::new(2, [3, 2, 1], 10.0, 4, [-8, 4, 0], 0.0).unwrap();
        assert_eq!(g.cell_of_site([-8, 4, 0]), Some(0));
        assert_eq!(g.cell_of_site([-5, 7, 99]), Some(0));
        assert_eq!(g.cell_of_site([-4, 8, 0]), Some(g.index([1, 1, 0])));
        assert_eq!(g.cell_of_site([3, 11, 0]), Some(g.index([2, 1, 0])));
        assert_eq!(g.cell_of_site([4, 4, 0]), None);
        assert_eq!(g.cell_of_site([-9, 4, 0]), None);
        assert_eq!(g.cell_of_site([0, 12, 0]), None);
        let c = g.cell_centre_um([0, 0, 0]);
        assert_eq!(c, [-60.0, 60.0, 5.0]);
    }

    #[test]
    fn covering_grids_are_aligned_and_cover_the_window() {
        let g = FieldGrid::covering(3, 10.0, 4, [-6, 0, 3], [10, 8, 1], 0.0).unwrap();
        assert_eq!(g.origin(), [-8, 0, 0]);
        assert_eq!(g.n(), [3, 2, 1]);
        let g = FieldGrid::covering(2, 10.0, 4, [32, 32, 0], [64, 64, 1], 0.0).unwrap();
        assert_eq!(g.origin(), [32, 32, 0]);
        assert_eq!(g.n(), [16, 16, 1]);
    }

    #[test]
    fn sums_are_chunked_and_exact_for_small_integers() {
        let mut g = FieldGrid::new(2, [100, 90, 1], 10.0, 1, [0; 3], 0.0).unwrap();
        for (i, v) in g.values_mut().iter_mut().enumerate() {
            *v = (i % 7) as f32;
        }
        let exact: f64 = (0..9000).map(|i| (i % 7) as f64).sum();
        assert_eq!(g.mean() * 9000.0, exact);
        assert_eq!(g.max(), 6.0);
        assert!((g.total_mass_ng() - exact * g.volume_ml()).abs() < 1e-18);
    }
}
