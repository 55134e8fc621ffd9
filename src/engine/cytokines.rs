//! Coupling of the cytokine fields to the lattice (docs/model.md §7.10, step order item 3).
//!
//! The field grid is aligned with the lattice window: field cell `(i, j, k)` covers the
//! `c × c (× c)` sites from window site `(c·i, c·j, c·k)`, `c = fields.coarsen` (a power of
//! two dividing the tile side). Each cell step:
//! 1. cancer cells are counted per field cell (CSCs and others) by one parallel pass over
//!    the window;
//! 2. IL6 sources `S = (n_other · s_cell + n_csc · s_csc) · (1 + g_sec · H(CXCL7)) · m / (N_A · V)`
//!    (ng/mL/s; V the field cell's volume, a 2D lattice being a slab one site thick) and
//!    uptakes `U = uptake · (cells / sites)` are set, likewise for CXCL7;
//! 3. both fields advance by one cell step with the implicit solver, sub-cycled.
//!
//! Cells then read the concentration of their field cell.

use crate::config::{BoundaryKind, CytokineConfig, FieldsConfig};
use crate::engine::field_view::FieldView;
use crate::fields::{Boundary, Cytokine, DiffusionSolver, FieldGrid, Reaction};
use crate::model::HierarchyRates;
use crate::model::kind::classify8;
use crate::model::msc::{Msc, MscRates};
use crate::persist::{CodecError, Reader, Restore, Writer};
use crate::space::Lattice;
use rayon::prelude::*;

use crate::fields::AVOGADRO_PER_MOL as AVOGADRO;

/// Field cells per counting chunk for deterministic reductions.
const CHUNK: usize = 4096;

/// The IL6 and CXCL7 fields of the primary tumour and their sources.
#[derive(Debug)]
pub struct Cytokines {
    /// log2 of the coarsening factor.
    pub log_c: u32,
    /// Field cells per axis (1 along z in 2D).
    pub n: [usize; 3],
    /// Domain coordinates of the window origin the grid is aligned with.
    origin: [i64; 3],
    /// IL6, ng/mL.
    pub il6: FieldGrid,
    /// CXCL7, ng/mL.
    pub cxcl7: FieldGrid,
    /// The implicit solvers of IL6 and CXCL7.
    solvers: [DiffusionSolver; 2],
    /// Cancer cells per field cell: `[csc, other]` (refreshed each step).
    counts: Vec<[u16; 2]>,
    /// Field cell volume in mL.
    volume_ml: f64,
    /// Sites per field cell.
    sites: f64,
    /// Sources (ng/mL/s) and uptakes (1/s) of IL6 and CXCL7, rebuilt each step in place.
    source: [Vec<f32>; 2],
    uptake: [Vec<f32>; 2],
    /// IL6 secreted by the tumour (cancer cells and MSCs) at the last update, molecules/s.
    il6_output: f64,
    /// The cancer cells' part of `il6_output`. Not checkpointed: every step rebuilds it
    /// (step order item 3) before MSC homing reads it (item 5).
    il6_output_cells: f64,
}

/// The solver's description of a configured cytokine.
fn cytokine(cy: &CytokineConfig) -> Cytokine {
    Cytokine {
        diffusion_cm2_per_s: cy.diffusion_cm2_per_s,
        decay_per_h: cy.decay_per_h,
        molar_mass_g_per_mol: cy.molecular_mass_kda * 1e3,
        boundary: match cy.boundary {
            BoundaryKind::NoFlux => Boundary::NoFlux,
            BoundaryKind::Fixed => Boundary::Fixed(cy.far_field_ng_ml as f32),
        },
    }
}

/// What the field sources read of the MSCs in the tumour: their rates and the MSCs
/// themselves (as `Mscs::secretion` gives them).
#[derive(Debug, Clone, Copy)]
pub struct MscSecretion<'a> {
    /// The per-step MSC rates (induction, secretion per MSC).
    pub rates: &'a MscRates,
    /// The MSCs in the tumour.
    pub cells: &'a [Msc],
}

/// Summary statistics of one field.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FieldStats {
    /// Mean over field cells that hold cancer cells, ng/mL (0 if none).
    pub tumour_mean: f64,
    /// Maximum over the grid, ng/mL.
    pub max: f64,
}

impl Cytokines {
    /// Fields on the window of `lat`, at their far-field values, advanced by `dt_s` seconds
    /// per cell step. Fails only on parameters the config validation already excludes.
    pub fn new(
        lat: &Lattice,
        fields: &FieldsConfig,
        spacing_um: f64,
        dt_s: f64,
    ) -> Result<Self, crate::fields::FieldError> {
        let log_c = fields.coarsen.trailing_zeros();
        let n = Self::shape(lat, log_c);
        let grid = |cy: &CytokineConfig| {
            FieldGrid::new(
                lat.dims,
                n,
                spacing_um,
                fields.coarsen,
                lat.origin,
                cy.far_field_ng_ml as f32,
            )
        };
        let (il6, cxcl7) = (grid(&fields.il6)?, grid(&fields.cxcl7)?);
        let solver =
            |cy: &CytokineConfig| DiffusionSolver::new(cytokine(cy), dt_s, fields.substeps);
        Ok(Cytokines {
            log_c,
            n,
            origin: lat.origin,
            volume_ml: il6.volume_ml(),
            il6,
            cxcl7,
            solvers: [solver(&fields.il6)?, solver(&fields.cxcl7)?],
            counts: vec![[0, 0]; n[0] * n[1] * n[2]],
            sites: (fields.coarsen as f64).powi(lat.dims as i32),
            source: [Vec::new(), Vec::new()],
            uptake: [Vec::new(), Vec::new()],
            il6_output: 0.0,
            il6_output_cells: 0.0,
        })
    }

    fn shape(lat: &Lattice, log_c: u32) -> [usize; 3] {
        [
            lat.side(0) >> log_c,
            lat.side(1) >> log_c,
            if lat.dims == 3 {
                lat.side(2) >> log_c
            } else {
                1
            },
        ]
    }

    /// The view the cell rules read.
    pub fn view(&self) -> FieldView<'_> {
        FieldView {
            il6: self.il6.values(),
            cxcl7: self.cxcl7.values(),
            log_c: self.log_c,
            n: self.n,
        }
    }

    /// Field cell volume in mL.
    pub fn volume_ml(&self) -> f64 {
        self.volume_ml
    }

    /// Index of the field cell holding window coordinates `c`.
    #[inline(always)]
    pub fn index_of(&self, c: [usize; 3]) -> usize {
        let l = self.log_c;
        (c[0] >> l) + self.n[0] * ((c[1] >> l) + self.n[1] * (c[2] >> l))
    }

    /// Whether the grid still matches the lattice window.
    pub fn matches(&self, lat: &Lattice) -> bool {
        self.origin == lat.origin && self.n == Self::shape(lat, self.log_c)
    }

    /// Whether the grid fits `lat` as after a restore: its shape and origin are the
    /// window's now or before its last growth (the fields follow one step later), inside
    /// the window and aligned to its tiles.
    pub(crate) fn fits(&self, lat: &Lattice) -> bool {
        let t = 1i64 << lat.tile_log;
        (0..3).all(|a| {
            if a >= lat.dims {
                return self.n[a] == 1 && self.origin[a] == 0;
            }
            let side = lat.side(a);
            let span = self.n[a].checked_shl(self.log_c).unwrap_or(usize::MAX);
            let (o, lo) = (i128::from(self.origin[a]), i128::from(lat.origin[a]));
            (span == side || span.checked_mul(2) == Some(side))
                && self.origin[a].rem_euclid(t) == 0
                && o >= lo
                && o + span as i128 <= lo + side as i128
        })
    }

    /// Re-map the fields after the lattice window grew to `new` (origins stay aligned to
    /// tiles, hence to field cells): values keep their place in the domain; new cells hold
    /// `far`.
    pub fn regrid(
        &mut self,
        new: &Lattice,
        far: [f32; 2],
    ) -> Result<(), crate::fields::FieldError> {
        let n = Self::shape(new, self.log_c);
        self.il6.resize(new.origin, n, far[0])?;
        self.cxcl7.resize(new.origin, n, far[1])?;
        self.n = n;
        self.origin = new.origin;
        self.counts = vec![[0, 0]; n[0] * n[1] * n[2]];
        Ok(())
    }

    /// Count cancer cells per field cell (parallel over rows of field cells). Eight sites
    /// are classified at once in a 64-bit word (SWAR): a byte holds a cell if its kind is
    /// neither 0 (empty) nor 31 (wall), a CSC if its kind is 30.
    pub fn count_cells(&mut self, lat: &mut Lattice) {
        /// The kind bits of eight site bytes.
        const KIND_BYTES: u64 = 0x1F1F_1F1F_1F1F_1F1F;
        let c = 1usize << self.log_c;
        let [nx, ny, _] = self.n;
        let log_c = self.log_c;
        let dims3 = lat.dims == 3;
        let side0 = lat.side(0);
        let side1 = lat.side(1);
        let bytes = lat.as_bytes();
        // Field cells cover `c` consecutive sites of a row: a word of 8 sites holds 8 / c
        // groups (c = 1, 2, 4) or part of one (c = 8).
        let group = c.min(8);
        let mask = (1u32 << group) - 1;
        self.counts
            .par_chunks_mut(nx)
            .enumerate()
            .for_each(|(row, out)| {
                out.fill([0, 0]);
                let (j, k) = (row % ny, row / ny);
                let zs = if dims3 { c } else { 1 };
                for dz in 0..zs {
                    for dy in 0..c {
                        let z = if dims3 { k * c + dz } else { 0 };
                        let start = (j * c + dy) * side0 + z * side0 * side1;
                        let line = &bytes[start..start + side0];
                        let mut count_word = |w: usize, v: u64| {
                            let (cells, stems) = classify8(v);
                            if cells == 0 {
                                return;
                            }
                            // Site 8w + b is bit b of the masks.
                            for g in (0..8).step_by(group) {
                                let cg = (cells >> g) & mask;
                                if cg == 0 {
                                    continue;
                                }
                                let sg = (stems >> g) & mask;
                                let f = &mut out[(8 * w + g) >> log_c];
                                let n_stem = sg.count_ones() as u16;
                                f[0] += n_stem;
                                f[1] += cg.count_ones() as u16 - n_stem;
                            }
                        };
                        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
                        // Four words at a time, skipping runs of empty sites (most of the
                        // window around the tumour) with one test.
                        let blocks = line.chunks_exact(32);
                        let rest = blocks.remainder();
                        for (i, block) in blocks.enumerate() {
                            let v: [u64; 4] =
                                std::array::from_fn(|k| word(&block[8 * k..8 * k + 8]));
                            if (v[0] | v[1] | v[2] | v[3]) & KIND_BYTES == 0 {
                                continue;
                            }
                            for (k, &v) in v.iter().enumerate() {
                                count_word(4 * i + k, v);
                            }
                        }
                        let first = (side0 - rest.len()) / 8;
                        for (k, chunk) in rest.chunks_exact(8).enumerate() {
                            count_word(first + k, word(chunk));
                        }
                    }
                }
            });
    }

    /// The tumour's IL6 output at the last update (cancer-cell agents and MSCs on the
    /// lattice), molecules/s: the IL6_out that drives MSC homing at
    /// `run.cells_per_agent = 1` (else see [`Cytokines::systemic_il6_output`]).
    pub fn il6_output(&self) -> f64 {
        self.il6_output
    }

    /// The IL6 output the bone marrow sees when each cancer-cell agent stands for
    /// `cells_per_agent` cells (`run.cells_per_agent`, κ): `κ · (cancer cells' output) +
    /// (MSCs' output)`, molecules/s. The MSCs in the tumour homed one by one from the
    /// bone-marrow pool, so their own output is not multiplied. Equals
    /// [`Cytokines::il6_output`] at κ = 1.
    pub fn systemic_il6_output(&self, cells_per_agent: f64) -> f64 {
        self.il6_output + (cells_per_agent - 1.0) * self.il6_output_cells
    }

    /// Sources (ng/mL/s) and uptakes (1/s) of IL6 and CXCL7 per field cell from the
    /// current counts, fields and MSCs.
    fn set_sources(
        &mut self,
        fields: &FieldsConfig,
        rates: &HierarchyRates,
        mscs: Option<MscSecretion<'_>>,
    ) {
        let per_molecule =
            |cy: &CytokineConfig| cy.molecular_mass_kda * 1e3 / AVOGADRO * 1e9 / self.volume_ml;
        let (m_il6, m_cx) = (per_molecule(&fields.il6), per_molecule(&fields.cxcl7));
        let len = self.counts.len();
        for v in self.source.iter_mut().chain(self.uptake.iter_mut()) {
            v.clear();
            v.resize(len, 0.0);
        }
        let cxcl7 = self.cxcl7.values();
        let mut il6_output = 0.0;
        for (i, &[csc, other]) in self.counts.iter().enumerate() {
            if csc == 0 && other == 0 {
                continue;
            }
            let raise = 1.0 + rates.gain_il6_secretion * rates.h_cxcl7(cxcl7[i] as f64);
            let (csc, other) = (csc as f64, other as f64);
            let il6 = (other * fields.il6.secretion_per_cell + csc * fields.il6.secretion_per_csc)
                * raise;
            il6_output += il6;
            let cx = other * fields.cxcl7.secretion_per_cell + csc * fields.cxcl7.secretion_per_csc;
            self.source[0][i] = (il6 * m_il6) as f32;
            self.source[1][i] = (cx * m_cx) as f32;
            let share = (csc + other) / self.sites;
            self.uptake[0][i] = (fields.il6.uptake_per_h / 3600.0 * share) as f32;
            self.uptake[1][i] = (fields.cxcl7.uptake_per_h / 3600.0 * share) as f32;
        }
        self.il6_output_cells = il6_output;
        if let Some(mscs) = mscs {
            let r = mscs.rates;
            let il6 = self.il6.values();
            for m in mscs.cells {
                let Some(i) = self.il6.cell_of_site(m.pos) else {
                    continue;
                };
                let induced = r.induction(m.aldh, rates.h_il6(il6[i] as f64));
                self.source[1][i] += (induced * r.cxcl7_per_msc * m_cx) as f32;
                if r.il6_per_msc > 0.0 {
                    self.source[0][i] += (induced * r.il6_per_msc * m_il6) as f32;
                    il6_output += induced * r.il6_per_msc;
                }
            }
        }
        self.il6_output = il6_output;
    }

    /// One cell step of both fields: sources and uptakes from the current counts (call
    /// [`Cytokines::count_cells`] first) and MSCs, then the implicit solver.
    pub fn advance(
        &mut self,
        fields: &FieldsConfig,
        rates: &HierarchyRates,
        mscs: Option<MscSecretion<'_>>,
    ) {
        self.set_sources(fields, rates, mscs);
        let [il6, cxcl7] = &mut self.solvers;
        let (s, u) = (&self.source, &self.uptake);
        // Without uptake the solver takes its cheaper path (no per-cell division).
        let uptake = |i: usize, rate: f64| (rate > 0.0).then_some(&u[i][..]);
        il6.advance(
            &mut self.il6,
            Reaction {
                source_ng_ml_per_s: Some(&s[0]),
                uptake_per_s: uptake(0, fields.il6.uptake_per_h),
            },
        );
        cxcl7.advance(
            &mut self.cxcl7,
            Reaction {
                source_ng_ml_per_s: Some(&s[1]),
                uptake_per_s: uptake(1, fields.cxcl7.uptake_per_h),
            },
        );
    }

    /// Statistics of IL6 (`which = 0`) or CXCL7 (`1`), deterministic whatever the threads:
    /// fixed chunks summed in f64 and combined in index order.
    pub fn stats(&self, which: usize) -> FieldStats {
        let f = if which == 0 {
            self.il6.values()
        } else {
            self.cxcl7.values()
        };
        let parts: Vec<(f64, u64, f32)> = f
            .par_chunks(CHUNK)
            .zip(self.counts.par_chunks(CHUNK))
            .map(|(v, c)| {
                let mut sum = 0.0f64;
                let mut n = 0u64;
                let mut max = 0f32;
                for (x, k) in v.iter().zip(c) {
                    if k[0] + k[1] > 0 {
                        sum += *x as f64;
                        n += 1;
                    }
                    max = max.max(*x);
                }
                (sum, n, max)
            })
            .collect();
        let (sum, n, max) = parts.iter().fold((0.0, 0u64, 0f32), |a, p| {
            (a.0 + p.0, a.1 + p.1, a.2.max(p.2))
        });
        FieldStats {
            tumour_mean: if n > 0 { sum / n as f64 } else { 0.0 },
            max: max as f64,
        }
    }
}

/// The highest concentration a restored field may hold, ng/mL (1 mg/mL: far above any
/// cytokine level, low enough that Hill terms and sources stay finite).
const MAX_RESTORED_NG_ML: f32 = 1e6;

impl Restore for Cytokines {
    /// Checkpoint: the grid's shape and origin (which may lag one step behind a lattice
    /// that just grew), both concentration fields, the cell counts per field cell (read by
    /// the statistics between steps) and the last IL6 output (read by MSC homing). Sources
    /// and uptakes are rebuilt at every update and the solvers' plans from the grid.
    fn save(&self, w: &mut Writer) {
        for a in 0..3 {
            w.put_usize(self.n[a]);
            w.put_i64(self.origin[a]);
        }
        for grid in [&self.il6, &self.cxcl7] {
            w.put_vec(grid.values(), |w, &v| w.put_f32(v));
        }
        w.put_vec(&self.counts, |w, c| {
            w.put_u16(c[0]);
            w.put_u16(c[1]);
        });
        w.put_f64(self.il6_output);
    }

    /// Overwrite the dynamic state with one written by `save` (the
    /// fields having been built from the same structural config).
    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError> {
        let mut n = [0usize; 3];
        let mut origin = [0i64; 3];
        for a in 0..3 {
            n[a] = r.usize()?;
            origin[a] = r.i64()?;
        }
        let at = r.position();
        let cells = n[0].saturating_mul(n[1]).saturating_mul(n[2]);
        let grid = |old: &FieldGrid, values: Vec<f32>| {
            let mut g = FieldGrid::new(old.dims(), n, old.spacing_um(), old.coarsen(), origin, 0.0)
                .map_err(|_| CodecError::Invalid {
                    what: "field grid shape",
                    offset: at,
                })?;
            if values.len() != g.len() {
                return Err(CodecError::Invalid {
                    what: "field values",
                    offset: at,
                });
            }
            g.values_mut().copy_from_slice(&values);
            Ok(g)
        };
        // Concentrations are finite, not negative and at most MAX_RESTORED_NG_ML; the
        // lengths are checked against the shape before a grid of that shape is allocated.
        let level = |r: &mut Reader<'_>| {
            r.check(
                "field concentration (negative, or above 1e6 ng/mL)",
                |r| r.f32(),
                |v| (0.0..=MAX_RESTORED_NG_ML).contains(v),
            )
        };
        let il6 = r.vec(4, level)?;
        let cxcl7 = r.vec(4, level)?;
        if n.contains(&0) || il6.len() != cells || cxcl7.len() != cells {
            return Err(CodecError::Invalid {
                what: "field values (count differs from the grid shape)",
                offset: at,
            });
        }
        let (il6, cxcl7) = (grid(&self.il6, il6)?, grid(&self.cxcl7, cxcl7)?);
        let per_cell = 1u32 << (self.log_c * self.il6.dims() as u32);
        let counts = r.vec(4, |r| {
            r.check(
                "field cell counts (more cells than sites)",
                |r| Ok([r.u16()?, r.u16()?]),
                |c| u32::from(c[0]) + u32::from(c[1]) <= per_cell,
            )
        })?;
        if counts.len() != cells {
            return Err(CodecError::Invalid {
                what: "field cell counts",
                offset: at,
            });
        }
        self.n = n;
        self.origin = origin;
        self.il6 = il6;
        self.cxcl7 = cxcl7;
        self.counts = counts;
        self.il6_output = r.f64_non_negative("IL6 output (negative or above 1e30)")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::kind::{STEM, WALL, is_cell, progenitor};

    #[test]
    fn counts_match_a_naive_scan_in_2d_and_3d() {
        // Dense: cells everywhere; sparse: only in every third run of 16 sites, so that
        // whole blocks of sites are empty (flag bits set on some empty sites).
        for (dims, sparse) in [(2usize, false), (3, false), (2, true), (3, true)] {
            let mut cfg = Config::default();
            cfg.space.dims = dims as u8;
            let mut lat = Lattice::new(dims, 32, 100);
            let mut x = 12345u64;
            for s in 0..lat.len() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if lat.code(s) == WALL {
                    continue;
                }
                let code = match (x >> 60) % 4 {
                    _ if sparse && (s >> 4) % 3 != 0 => 0,
                    0 => STEM,
                    1 => progenitor(((x >> 40) % 10) as u8),
                    _ => 0,
                };
                lat.set(s, code | (((x >> 20) as u8) & 0xE0));
            }
            for coarsen in [1u32, 2, 4, 8] {
                cfg.fields.coarsen = coarsen;
                let mut cy = Cytokines::new(&lat, &cfg.fields, 10.0, 3600.0).unwrap();
                cy.count_cells(&mut lat);
                let mut naive = vec![[0u16; 2]; cy.counts.len()];
                for s in 0..lat.len() {
                    let code = lat.code(s);
                    if is_cell(code) {
                        naive[cy.index_of(lat.coords(s))][(code != STEM) as usize] += 1;
                    }
                }
                assert_eq!(
                    cy.counts, naive,
                    "{dims}D, coarsen {coarsen}, sparse {sparse}"
                );
            }
        }
    }
}
