//! Cytokine fields (docs/model.md §7.10): concentrations of IL6 and CXCL7 on a grid aligned
//! with the lattice, advanced by an implicit diffusion–decay solver.
//!
//! # The equation
//!
//! For each cytokine, on the field grid:
//!
//! ```text
//! ∂c/∂t = D ∇²c − λ c + S(x) − U(x) c
//! ```
//!
//! | symbol | meaning | unit | where |
//! |---|---|---|---|
//! | c | concentration | ng/mL | [`FieldGrid`] values (`f32`) |
//! | D | diffusion coefficient | cm²/s (1 cm²/s = 10⁸ µm²/s) | [`Cytokine::diffusion_cm2_per_s`] |
//! | λ | decay rate | 1/h | [`Cytokine::decay_per_h`] |
//! | S | source, per field cell | ng/mL per s | [`Reaction::source_ng_ml_per_s`] |
//! | U | uptake rate, per field cell | 1/s | [`Reaction::uptake_per_s`] |
//! | h | field cell side = lattice spacing × coarsening factor | µm | [`FieldGrid::h_um`] |
//! | V | field cell volume (h³ in 3D, h² × spacing in 2D) | mL (1 µm³ = 10⁻¹² mL) | [`FieldGrid::volume_ml`] |
//!
//! A 2D lattice is a slab one lattice spacing thick with no flux above and below, so a 2D
//! field cell is a box `h × h × spacing`, and diffusion acts in x and y only.
//!
//! A secretion of `s` molecules/s by each of `k` cells in a field cell of volume `V` adds
//! `S = s · k · m / (N_A · V) × 10⁹` ng/mL per second, with `m` the molar mass in g/mol
//! (IL6 21 kDa, CXCL7 7.6 kDa) and `N_A` Avogadro's number
//! ([`secretion_ng_ml_per_s`]).
//!
//! Boundaries ([`Boundary`]): no flux (mirror), or a fixed far-field value held just
//! outside the grid (a Dirichlet ghost cell one cell width beyond the edge).
//!
//! # The scheme
//!
//! [`DiffusionSolver::advance`] advances a field by one cell step `dt`, sub-cycled into
//! `substeps` equal steps `τ = dt / substeps`. Each sub-step is a Douglas
//! (stabilising-correction, Douglas–Rachford) ADI step ([`Scheme::Douglas`], the default):
//!
//! 1. the residual of the full equation at the current field, `R = τ (D ∇²c − (λ + U) c
//!    + S)`, with the 5- (3D: 7-) point Laplacian, multiplied by `1 / (1 + τ(λ + U))`;
//! 2. for x, then y, then z: an implicit sweep of the correction along every grid line,
//!    `(1 + 2r) δᵢ − r δᵢ₋₁ − r δᵢ₊₁ = δᵢ*` with `r = D τ / h²`, solved exactly by the
//!    Thomas algorithm (no-flux end: mirrored, diagonal `1 + r`; fixed end: the
//!    correction is 0 beyond it);
//! 3. `c ← c + δ`.
//!
//! Its fixed point is `R = 0`: the steady state of the *unsplit* discrete equation,
//! whatever τ, so a steady profile carries only the grid's spatial error (second order in
//! h; measured for a point source in 2D at the defaults, h = 40 µm, one sub-step per hour:
//! 0.16 % max at 1–6 diffusion lengths, tests/diffusion_analytic.rs). Transients are
//! first order in τ. The scheme is unconditionally stable (each Fourier mode is
//! multiplied by `1 − (q + Σa)/((1 + q) Π(1 + a)) ∈ [0, 1)`, with `a = 4r sin²(kh/2)` per
//! axis and `q = τ(λ + U)`), but modes that are short along two or more axes at once are
//! damped slowly when `r ≫ 1` (by `≈ 1 − 2/a` per sub-step in 2D, less in 3D): grid-scale
//! noise and the immediate neighbourhood of a new point source settle over many steps
//! rather than within one.
//!
//! Unlike backward Euler, the correction step is not a positive operator, so a step can
//! leave small negative values next to steep gradients. A positivity guard then fixes
//! each chunk of [`SUM_CHUNK`] values (a few neighbouring grid rows) that holds one: its
//! negative values become 0 and the others are scaled by the chunk's `total / positive
//! part` (≤ 1), totals summed in `f64` in a fixed order. Concentrations stay
//! non-negative, the step's total is kept (hence exact mass conservation under no flux
//! without decay), and the result is the same for any number of threads.
//!
//! [`Scheme::Lod`] keeps the previous scheme: reaction per cell, `c ← (c + τS) / (1 +
//! τ(λ + U))`, then locally one-dimensional backward Euler sweeps (BioFVM, Ghaffarizadeh
//! et al. 2016) with `D / (1 + λτ)`. Every factor is positive, but its steady state
//! carries the splitting's cross term, first order in λτ: for the point source above,
//! 48 % (1 sub-step), 30 % (2), 12 % (8), 6 % (16) max at 1–6 L.
//!
//! Values below [`FLUSH_BELOW_NG_ML`] (10⁻²⁰ ng/mL) are set to 0 at the end of each
//! sub-step (LOD: at its start), so that decaying regions never reach slow subnormal
//! floats.
//!
//! # Parallelism and reproducibility
//!
//! Grid lines are independent, so each sweep runs in parallel over lines with rayon. Each
//! line's arithmetic is fixed, and no value is reduced across lines, so results are
//! bit-identical whatever the number of threads (docs/architecture.md §3). Statistics
//! ([`FieldGrid::mean`], [`FieldGrid::total_mass_ng`]) sum fixed-size chunks in `f64`,
//! combined in index order.

mod grid;
mod solver;
mod thomas;

pub use grid::{FieldGrid, SUM_CHUNK};
pub use solver::{DiffusionSolver, FLUSH_BELOW_NG_ML, ROWS_PER_BLOCK, Reaction, Scheme};

/// Avogadro's number, 1/mol (exact, SI 2019).
pub const AVOGADRO_PER_MOL: f64 = 6.022_140_76e23;
/// Molar mass of IL6 (21 kDa), g/mol (source tag \[V\]: checked in a published source;
/// docs/model.md §7.10).
pub const IL6_MOLAR_MASS_G_PER_MOL: f64 = 21_000.0;
/// Molar mass of CXCL7 (7.6 kDa), g/mol (source tag \[V\]).
pub const CXCL7_MOLAR_MASS_G_PER_MOL: f64 = 7_600.0;
/// Nanograms per gram.
const NG_PER_G: f64 = 1e9;
/// Square micrometres per square centimetre.
pub(crate) const UM2_PER_CM2: f64 = 1e8;
/// Millilitres (cm³) per cubic micrometre.
pub(crate) const ML_PER_UM3: f64 = 1e-12;

/// The source term, in ng/mL per second, of `cells` cells each secreting
/// `molecules_per_s_per_cell` molecules per second into a field cell of `volume_ml` mL:
///
/// `S = s · k · m / (N_A · V) × 10⁹ ng/g`, with `m` the molar mass in g/mol.
///
/// Example: 5 IL6 molecules/s from one cell in a (10 µm)³ voxel (10⁻⁹ mL) give
/// 5 · 21000 / (6.022·10²³ · 10⁻⁹) · 10⁹ ≈ 0.174 ng/mL/s.
pub fn secretion_ng_ml_per_s(
    molecules_per_s_per_cell: f64,
    cells: f64,
    molar_mass_g_per_mol: f64,
    volume_ml: f64,
) -> f64 {
    molecules_per_s_per_cell * cells * molar_mass_g_per_mol / (AVOGADRO_PER_MOL * volume_ml)
        * NG_PER_G
}

/// What holds the concentration at the edges of the field grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Boundary {
    /// No flux through the edges (a mirror: the ghost cell copies the edge cell).
    NoFlux,
    /// A fixed far-field concentration, ng/mL (≥ 0), held in a ghost cell one cell width
    /// beyond each edge.
    Fixed(f32),
}

/// The physical parameters of one cytokine (docs/model.md §7.10).
///
/// | symbol | field | unit |
/// |---|---|---|
/// | D | `diffusion_cm2_per_s` | cm²/s |
/// | λ | `decay_per_h` | 1/h |
/// | m | `molar_mass_g_per_mol` | g/mol |
/// | – | `boundary` | no flux or fixed ng/mL |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cytokine {
    /// Diffusion coefficient D, cm²/s (≥ 0).
    pub diffusion_cm2_per_s: f64,
    /// Decay rate λ, 1/h (≥ 0).
    pub decay_per_h: f64,
    /// Molar mass m, g/mol (> 0); converts molecules to nanograms.
    pub molar_mass_g_per_mol: f64,
    /// Boundary condition at the grid's edges.
    pub boundary: Boundary,
}

impl Cytokine {
    /// IL6 with the defaults of docs/model.md §7.10: D = 5·10⁻⁷ cm²/s, λ = 0.7/h, 21 kDa,
    /// far field 0.
    pub const IL6: Cytokine = Cytokine {
        diffusion_cm2_per_s: 5e-7,
        decay_per_h: 0.7,
        molar_mass_g_per_mol: IL6_MOLAR_MASS_G_PER_MOL,
        boundary: Boundary::Fixed(0.0),
    };

    /// CXCL7 with the defaults of docs/model.md §7.10: D = 3·10⁻⁷ cm²/s, λ = 0.5/h, 7.6
    /// kDa, far field 0.
    pub const CXCL7: Cytokine = Cytokine {
        diffusion_cm2_per_s: 3e-7,
        decay_per_h: 0.5,
        molar_mass_g_per_mol: CXCL7_MOLAR_MASS_G_PER_MOL,
        boundary: Boundary::Fixed(0.0),
    };

    /// Checks that every parameter is finite and in range.
    pub fn validate(&self) -> Result<(), FieldError> {
        let check = |name: &'static str, value: f64, ok: bool, allowed: &'static str| {
            if ok && value.is_finite() {
                Ok(())
            } else {
                Err(FieldError::Parameter {
                    name,
                    value,
                    allowed,
                })
            }
        };
        check(
            "diffusion_cm2_per_s",
            self.diffusion_cm2_per_s,
            self.diffusion_cm2_per_s >= 0.0,
            "finite and ≥ 0",
        )?;
        check(
            "decay_per_h",
            self.decay_per_h,
            self.decay_per_h >= 0.0,
            "finite and ≥ 0",
        )?;
        check(
            "molar_mass_g_per_mol",
            self.molar_mass_g_per_mol,
            self.molar_mass_g_per_mol > 0.0,
            "finite and > 0",
        )?;
        if let Boundary::Fixed(v) = self.boundary {
            check(
                "boundary (fixed far-field value, ng/mL)",
                v as f64,
                v >= 0.0,
                "finite and ≥ 0",
            )?;
        }
        Ok(())
    }

    /// The decay rate λ in 1/s.
    pub fn decay_per_s(&self) -> f64 {
        self.decay_per_h / 3600.0
    }

    /// The diffusion length `L = √(D/λ)` in µm (infinite without decay): the distance over
    /// which a steady profile falls by a factor e (2D: `K0(r/L)`, 3D: `e^(−r/L)/r`).
    pub fn diffusion_length_um(&self) -> f64 {
        (self.diffusion_cm2_per_s * UM2_PER_CM2 / self.decay_per_s()).sqrt()
    }

    /// The source term, in ng/mL per second, of `cells` cells each secreting
    /// `molecules_per_s_per_cell` molecules of this cytokine per second into a field cell
    /// of `volume_ml` mL ([`secretion_ng_ml_per_s`] with this cytokine's molar mass).
    pub fn secretion_ng_ml_per_s(
        &self,
        molecules_per_s_per_cell: f64,
        cells: f64,
        volume_ml: f64,
    ) -> f64 {
        secretion_ng_ml_per_s(
            molecules_per_s_per_cell,
            cells,
            self.molar_mass_g_per_mol,
            volume_ml,
        )
    }
}

/// Why a field grid or solver could not be built or changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldError {
    /// Dimensions other than 2 or 3.
    #[error("field grids are 2D or 3D, not {0}D")]
    Dims(usize),
    /// A grid with no cells, or with more than one layer in 2D.
    #[error("invalid field grid shape {n:?} for {dims}D (each side ≥ 1, nz = 1 in 2D)")]
    Shape {
        /// Dimensions of the grid.
        dims: usize,
        /// Cells per axis that were asked for.
        n: [usize; 3],
    },
    /// A new origin not on the old grid's cell boundaries (or a moved z origin in 2D).
    #[error(
        "new field origin {new:?} is not aligned with the old origin {old:?} \
         (offsets must be multiples of the coarsening factor {coarsen}, z fixed in 2D)"
    )]
    Misaligned {
        /// The current origin, in lattice sites.
        old: [i64; 3],
        /// The requested origin, in lattice sites.
        new: [i64; 3],
        /// The coarsening factor.
        coarsen: u32,
    },
    /// A parameter out of range.
    #[error("{name} = {value}: allowed {allowed}")]
    Parameter {
        /// Which parameter.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What is allowed.
        allowed: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secretion_conversion_matches_the_hand_computation() {
        // 5 molecules/s, one cell, 21 kDa, (10 µm)³ = 1e-9 mL.
        let s = secretion_ng_ml_per_s(5.0, 1.0, 21_000.0, 1e-9);
        let hand = 5.0 * 21_000.0 / 6.022_140_76e23 / 1e-9 * 1e9;
        assert!((s - hand).abs() < 1e-12 * hand);
        assert!((s - 0.174_36).abs() < 1e-4, "{s}");
        // Linear in the number of cells, inverse in the volume.
        let s2 = Cytokine::IL6.secretion_ng_ml_per_s(5.0, 4.0, 2e-9);
        assert!((s2 - 2.0 * s).abs() < 1e-12);
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        Cytokine::IL6.validate().unwrap();
        Cytokine::CXCL7.validate().unwrap();
        let l = Cytokine::IL6.diffusion_length_um();
        assert!((l - 507.09).abs() < 0.1, "{l}");
        let mut c = Cytokine::IL6;
        c.decay_per_h = -1.0;
        let e = c.validate().unwrap_err();
        assert!(e.to_string().starts_with("decay_per_h = -1"), "{e}");
        c = Cytokine::IL6;
        c.boundary = Boundary::Fixed(f32::NAN);
        assert!(c.validate().is_err());
        c.boundary = Boundary::Fixed(-1.0);
        assert!(c.validate().is_err());
        c = Cytokine::IL6;
        c.diffusion_cm2_per_s = f64::INFINITY;
        assert!(c.validate().is_err());
    }
}
