//! Tridiagonal (Thomas) solves of the backward-Euler diffusion equation along grid lines.
//!
//! Along one line of `n` cells, one implicit step with `r = D τ / h²` solves
//!
//! ```text
//! b₀ x₀ − r x₁ = d₀ + g,    −r xᵢ₋₁ + (1 + 2r) xᵢ − r xᵢ₊₁ = dᵢ,    −r xₙ₋₂ + bₙ₋₁ xₙ₋₁ = dₙ₋₁ + g
//! ```
//!
//! where an end is `b = 1 + r`, `g = 0` for no flux (the ghost cell mirrors the edge
//! cell) and `b = 1 + 2r`, `g = r · value` for a fixed far-field value. The matrix depends
//! only on `(r, n, boundary)`, so the Thomas elimination factors are computed once (in
//! `f64`, then rounded to `f32`):
//!
//! ```text
//! den₀ = b₀,  denᵢ = bᵢ − r eᵢ₋₁,  invᵢ = 1 / denᵢ,  eᵢ = r / denᵢ
//! ```
//!
//! and each solve is a forward pass `d'₀ = inv₀ d₀`, `d'ᵢ = invᵢ dᵢ + eᵢ d'ᵢ₋₁` and a
//! backward pass `xₙ₋₁ = d'ₙ₋₁`, `xᵢ = d'ᵢ + eᵢ xᵢ₊₁`: three flops per cell and pass,
//! all factors ≥ 0, so non-negative data give non-negative results. The matrix is
//! strictly diagonally dominant (or, for no flux without decay, weakly dominant and
//! irreducible), so the elimination is stable without pivoting.
//!
//! Two kernels apply the factors:
//! - [`solve_rows`] solves `K` contiguous lines (x-lines) at once, interleaving their
//!   recurrences so that `K` independent dependency chains keep the core busy. It takes
//!   the right-hand side already multiplied by `invᵢ` (the caller folds this into its
//!   vectorised source/decay pass), so its forward pass is `d'ᵢ = (invᵢ dᵢ) + eᵢ d'ᵢ₋₁`:
//!   one multiply and one add per cell;
//! - [`solve_strip`] solves a bundle of lines lying side by side (y- or z-lines seen as
//!   rows of the grid): the recurrences run over whole row segments, which vectorises and
//!   streams through memory contiguously. It uses the *twisted* (burn-at-both-ends)
//!   factorisation: elimination runs down from the first row and up from the last row
//!   to a fixed middle row `m = n / 2`, which is solved directly,
//!
//!   ```text
//!   xₘ = γ · (dₘ + r (d'ₘ₋₁ + d''ₘ₊₁)),   γ = 1 / (bₘ − r eₘ₋₁ − r eₙ₋₂₋ₘ),
//!   ```
//!
//!   and substitution runs outwards from it. The matrix is symmetric end to end, so the
//!   upward elimination uses the same factors mirrored (`inv_{n−1−j}`, `e_{n−1−j}`). The
//!   two halves are independent, so two threads can sweep them at once, each through
//!   contiguous memory.
//!
//! Both perform, for each line, the same operations in the same order whatever the
//! grouping and whether the halves run in parallel, so the result does not depend on
//! how lines are split between threads.

/// Precomputed Thomas factors for lines of one length, `r` and boundary kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineFactors {
    /// `1 / denᵢ`.
    pub inv: Vec<f32>,
    /// `r / denᵢ`.
    pub e: Vec<f32>,
    /// `r · value` added to the right-hand side at each fixed end (0 for no flux or a zero
    /// far field).
    pub ghost: f32,
    /// The ghost terms already multiplied by `inv₀` and `invₙ₋₁`, for [`solve_rows`].
    pub ghost_scaled: [f32; 2],
    /// `r`, for the middle row of the twisted factorisation.
    pub r: f32,
    /// `γ = 1 / (bₘ − r eₘ₋₁ − r eₙ₋₂₋ₘ)`, the middle row's pivot (`m = n / 2`).
    pub gamma: f32,
}

impl LineFactors {
    /// Factors for lines of `n ≥ 1` cells with `r = D τ / h² ≥ 0`; `fixed` is the far-field
    /// value for a fixed boundary, `None` for no flux.
    pub fn new(n: usize, r: f64, fixed: Option<f32>) -> Self {
        assert!(n >= 1 && r >= 0.0 && r.is_finite());
        let end_reduction = if fixed.is_some() { 0.0 } else { r };
        let diagonal = |i: usize| {
            let mut b = 1.0 + 2.0 * r;
            if i == 0 {
                b -= end_reduction;
            }
            if i == n - 1 {
                b -= end_reduction;
            }
            b
        };
        let mut inv = Vec::with_capacity(n);
        let mut e64 = Vec::with_capacity(n);
        let mut e_prev = 0.0f64;
        for i in 0..n {
            let den = diagonal(i) - r * e_prev;
            let ei = r / den;
            inv.push((1.0 / den) as f32);
            e64.push(ei);
            e_prev = ei;
        }
        // Twisted factorisation: the middle row m = n/2 meets the elimination from above
        // (factor e_{m−1}) and the mirrored elimination from below (e_{n−2−m}).
        let m = n / 2;
        let mut pivot = diagonal(m);
        if m > 0 {
            pivot -= r * e64[m - 1];
        }
        if m + 1 < n {
            pivot -= r * e64[n - 2 - m];
        }
        let ghost64 = fixed.map_or(0.0, |v| r * v as f64);
        let ghost_scaled = [
            (ghost64 * inv[0] as f64) as f32,
            (ghost64 * inv[n - 1] as f64) as f32,
        ];
        LineFactors {
            inv,
            e: e64.iter().map(|&x| x as f32).collect(),
            ghost: ghost64 as f32,
            ghost_scaled,
            r: r as f32,
            gamma: (1.0 / pivot) as f32,
        }
    }

    /// Number of cells per line.
    pub fn len(&self) -> usize {
        self.inv.len()
    }

    /// Prepares a right-hand side for [`solve_rows`]: multiplies each cell by `invᵢ` and
    /// adds the scaled ghost terms at the ends (as the solver's source/decay pass does).
    #[cfg(test)]
    pub fn scale(&self, row: &mut [f32]) {
        for (d, &a) in row.iter_mut().zip(&self.inv) {
            *d *= a;
        }
        self.add_scaled_ghosts(row);
    }

    /// Adds the scaled ghost terms of a fixed far field at both ends of a scaled line.
    #[inline]
    pub fn add_scaled_ghosts(&self, row: &mut [f32]) {
        if self.ghost != 0.0 {
            let n = row.len();
            row[0] += self.ghost_scaled[0];
            row[n - 1] += self.ghost_scaled[1];
        }
    }
}

/// Solves `K` lines stored one after the other (each `f.len()` long) in place, with their
/// recurrences interleaved. Each line must hold `invᵢ · dᵢ` (see [`LineFactors::scale`]),
/// fixed-boundary ghost terms included.
#[inline(always)]
pub(crate) fn solve_rows<const K: usize>(rows: [&mut [f32]; K], f: &LineFactors) {
    let n = f.len();
    let e = &f.e[..n];
    let mut rows = rows;
    for row in rows.iter_mut() {
        assert_eq!(row.len(), n);
    }
    // Forward elimination (d'₀ = inv₀ d₀ is already in place).
    let mut prev: [f32; K] = std::array::from_fn(|l| rows[l][0]);
    for i in 1..n {
        let b = e[i];
        for l in 0..K {
            let v = rows[l][i] + prev[l] * b;
            rows[l][i] = v;
            prev[l] = v;
        }
    }
    // Back substitution.
    let mut next = prev;
    for i in (0..n - 1).rev() {
        let b = e[i];
        for l in 0..K {
            let v = rows[l][i] + next[l] * b;
            rows[l][i] = v;
            next[l] = v;
        }
    }
}

/// Solves the lines running across `segs` in place: `segs[j]` holds cell `j` of a bundle of
/// parallel lines (one line per element of the segment), by the twisted factorisation
/// (see the module docs). With `parallel`, the upper and lower halves are swept by
/// `rayon::join`; the arithmetic is the same either way. The fixed-boundary ghost terms
/// are added here.
pub(crate) fn solve_strip(segs: &mut [&mut [f32]], f: &LineFactors, parallel: bool) {
    let n = f.len();
    assert_eq!(segs.len(), n);
    if f.ghost != 0.0 {
        let g = f.ghost;
        for v in segs[0].iter_mut() {
            *v += g;
        }
        for v in segs[n - 1].iter_mut() {
            *v += g;
        }
    }
    let m = n / 2;
    let (upper, rest) = segs.split_at_mut(m);
    let (middle, lower) = rest.split_first_mut().expect("n ≥ 1");
    let upper_inv = &f.inv[..m];
    let upper_e = &f.e[..m];
    // The lower half, row m+1+k, uses the mirrored factors of index n−2−m−k.
    let lower_inv = &f.inv[..n - 1 - m];
    let lower_e = &f.e[..n - 1 - m];
    // Elimination: down through the upper half, up through the lower half.
    both(
        parallel,
        || eliminate(upper.iter_mut(), upper_inv, upper_e),
        || eliminate(lower.iter_mut().rev(), lower_inv, lower_e),
    );
    // The middle row.
    let (r, gamma) = (f.r, f.gamma);
    let middle: &mut [f32] = middle;
    match (upper.last(), lower.first()) {
        (Some(a), Some(b)) => {
            for ((x, &a), &b) in middle.iter_mut().zip(a.iter()).zip(b.iter()) {
                *x = (*x + r * (a + b)) * gamma;
            }
        }
        (Some(a), None) | (None, Some(a)) => {
            for (x, &a) in middle.iter_mut().zip(a.iter()) {
                *x = (*x + r * a) * gamma;
            }
        }
        (None, None) => {
            for x in middle.iter_mut() {
                *x *= gamma;
            }
        }
    }
    // Substitution outwards from the middle.
    let middle: &[f32] = middle;
    both(
        parallel,
        || substitute(upper.iter_mut().rev(), middle, upper_e),
        || substitute(lower.iter_mut(), middle, lower_e),
    );
}

/// Runs `a` and `b`, with `rayon::join` if `parallel`.
fn both(parallel: bool, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    if parallel {
        rayon::join(a, b);
    } else {
        a();
        b();
    }
}

/// Forward elimination over `rows` taken in elimination order, with factors in that order:
/// `d'₀ = inv₀ d₀`, `d'ₖ = invₖ dₖ + eₖ d'ₖ₋₁`.
fn eliminate<'s, 'a: 's>(
    rows: impl Iterator<Item = &'s mut &'a mut [f32]>,
    inv: &[f32],
    e: &[f32],
) {
    let mut prev: Option<&'s [f32]> = None;
    for ((row, &a), &b) in rows.zip(inv).zip(e) {
        let row: &'s mut [f32] = row;
        match prev {
            None => {
                for d in row.iter_mut() {
                    *d *= a;
                }
            }
            Some(p) => {
                for (d, &q) in row.iter_mut().zip(p) {
                    *d = *d * a + q * b;
                }
            }
        }
        prev = Some(row);
    }
}

/// Back substitution over `rows` taken from the middle outwards: `xₖ = d'ₖ + eₖ xₖ₊₁`,
/// starting from the solved middle row; `e` is indexed by distance from the outer end,
/// so it is read backwards.
fn substitute<'s, 'a: 's>(
    rows: impl Iterator<Item = &'s mut &'a mut [f32]>,
    middle: &'s [f32],
    e: &[f32],
) {
    let mut next: &'s [f32] = middle;
    for (row, &b) in rows.zip(e.iter().rev()) {
        let row: &'s mut [f32] = row;
        for (x, &y) in row.iter_mut().zip(next) {
            *x += y * b;
        }
        next = row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense reference: builds the tridiagonal matrix and solves it by Gaussian
    /// elimination in f64.
    fn reference(d: &[f64], r: f64, fixed: Option<f64>) -> Vec<f64> {
        let n = d.len();
        let mut a = vec![vec![0.0; n]; n];
        let mut rhs = d.to_vec();
        for i in 0..n {
            a[i][i] = 1.0 + 2.0 * r;
            if i > 0 {
                a[i][i - 1] = -r;
            }
            if i + 1 < n {
                a[i][i + 1] = -r;
            }
        }
        match fixed {
            None => {
                a[0][0] -= r;
                a[n - 1][n - 1] -= r;
            }
            Some(v) => {
                rhs[0] += r * v;
                rhs[n - 1] += r * v;
            }
        }
        for col in 0..n {
            for row in col + 1..n {
                let m = a[row][col] / a[col][col];
                let pivot_row = a[col].clone();
                for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= m * p;
                }
                rhs[row] -= m * rhs[col];
            }
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
            x[i] = (rhs[i] - s) / a[i][i];
        }
        x
    }

    #[test]
    fn both_kernels_match_a_dense_solve() {
        for &n in &[1usize, 2, 3, 17] {
            for &r in &[0.0, 0.3, 7.0, 1e4] {
                for fixed in [None, Some(0.0f32), Some(2.5f32)] {
                    let f = LineFactors::new(n, r, fixed);
                    let d: Vec<f32> = (0..n).map(|i| ((i * 7919) % 13) as f32 + 0.5).collect();
                    let df: Vec<f64> = d.iter().map(|&v| v as f64).collect();
                    let want = reference(&df, r, fixed.map(|v| v as f64));
                    // Row kernel (ghost added by the caller).
                    let mut row = d.clone();
                    f.scale(&mut row);
                    solve_rows([&mut row[..]], &f);
                    // Strip kernel: 3 identical lines side by side.
                    let mut cells: Vec<Vec<f32>> = d.iter().map(|&v| vec![v; 3]).collect();
                    let mut segs: Vec<&mut [f32]> =
                        cells.iter_mut().map(|c| c.as_mut_slice()).collect();
                    solve_strip(&mut segs, &f, false);
                    for i in 0..n {
                        let tol = 1e-5 * want[i].abs().max(1.0);
                        assert!(
                            (row[i] as f64 - want[i]).abs() < tol,
                            "n={n} r={r} {fixed:?} i={i}: {} vs {}",
                            row[i],
                            want[i]
                        );
                        for v in &cells[i] {
                            assert!(
                                (*v as f64 - want[i]).abs() < tol,
                                "strip: {v} vs {}",
                                want[i]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn strip_halves_in_parallel_give_the_same_bits() {
        for &n in &[1usize, 2, 5, 64] {
            let f = LineFactors::new(n, 9.0, Some(1.5));
            let data: Vec<Vec<f32>> = (0..n)
                .map(|j| (0..37).map(|i| ((i * 13 + j * 7) % 11) as f32).collect())
                .collect();
            let mut a = data.clone();
            let mut b = data;
            let mut sa: Vec<&mut [f32]> = a.iter_mut().map(|r| r.as_mut_slice()).collect();
            let mut sb: Vec<&mut [f32]> = b.iter_mut().map(|r| r.as_mut_slice()).collect();
            solve_strip(&mut sa, &f, false);
            solve_strip(&mut sb, &f, true);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn interleaved_rows_equal_single_rows() {
        let n = 50;
        let f = LineFactors::new(n, 3.0, None);
        let mut data: Vec<f32> = (0..4 * n).map(|i| ((i * 31) % 17) as f32).collect();
        for row in data.chunks_exact_mut(n) {
            f.scale(row);
        }
        let mut four = data.clone();
        let mut it = four.chunks_exact_mut(n);
        let rows: [&mut [f32]; 4] = std::array::from_fn(|_| it.next().unwrap());
        solve_rows(rows, &f);
        let mut one = data;
        for row in one.chunks_exact_mut(n) {
            solve_rows([row], &f);
        }
        assert_eq!(four, one);
    }

    #[test]
    fn no_flux_conserves_the_sum() {
        let n = 64;
        let f = LineFactors::new(n, 50.0, None);
        let mut row: Vec<f32> = (0..n).map(|i| if i == 3 { 100.0 } else { 0.0 }).collect();
        f.scale(&mut row);
        solve_rows([&mut row[..]], &f);
        let s: f64 = row.iter().map(|&v| v as f64).sum();
        assert!((s - 100.0).abs() < 1e-4, "{s}");
        assert!(row.iter().all(|&v| v >= 0.0));
    }
}
