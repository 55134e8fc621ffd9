//! Snapshots as VTK XML image data for ParaView (`output.snapshot_vtk`).
//!
//! - `snapshot_day<D>.vti`: the domain region of the lattice window (3D: every z layer; 2D:
//!   one layer), one image cell (voxel) per lattice site, with two cell-data arrays:
//!   `kind` (UInt8, [`KIND_EMPTY`] … [`KIND_BORDER`]) and `rho` (UInt8, divisions left of
//!   a progenitor, 0 for every other site). Site `(x, y, z)` in domain coordinates spans
//!   `[x, x + 1) × spacing` µm on each axis (as in the fields): `Origin` = the first site's
//!   domain coordinates × `space.spacing_um`, `Spacing` = `space.spacing_um` (µm).
//! - `fields_day<D>.vti`: the cytokine grid, one image cell per field cell, with the
//!   cell-data arrays `il6_ng_ml` and `cxcl7_ng_ml` (Float32, ng/mL); `Spacing` = the field
//!   cell side `coarsen × spacing` µm (2D: one layer), `Origin` = the lattice site at which
//!   field cell `(0, 0, 0)` starts × spacing, so both images line up in ParaView.
//! - `snapshots.pvd`: a ParaView collection listing every `.vti` of the folder with its day
//!   as `timestep` (part 0 the lattice, part 1 the fields), rewritten after each snapshot.
//!
//! Values are written as ASCII (`format="ascii"`), x fastest, one x row per line; numbers
//! as `Display` writes them (shortest round-trip decimal), like the CSV snapshots. In 2D
//! the z extent is `0 0` (a flat image of `w × h` cells).

use crate::engine::cytokines::Cytokines;
use crate::engine::primary::Primary;
use crate::model::kind::{EMPTY, Kind, WALL};
use std::fmt::Write as _;

/// `kind` of an empty site.
pub const KIND_EMPTY: u8 = 0;
/// `kind` of a cancer stem cell (CSC).
pub const KIND_CSC: u8 = 1;
/// `kind` of a progenitor (ρ ≥ 1 divisions left, in `rho`).
pub const KIND_PROGENITOR: u8 = 2;
/// `kind` of a differentiated cell (ρ = 0).
pub const KIND_DIFFERENTIATED: u8 = 3;
/// `kind` of debris (a dead cell's remains, `cells.clearance_h`).
pub const KIND_DEBRIS: u8 = 4;
/// `kind` of the domain's occupied border ring.
pub const KIND_BORDER: u8 = 5;

/// File name of the collection, inside `snapshots/`.
pub const PVD_FILE: &str = "snapshots.pvd";

/// The `kind` and `rho` values of a site holding kind code `code`; `border` tells the
/// domain's border ring from debris (both have the wall's code).
pub fn site_values(code: u8, border: bool) -> (u8, u8) {
    if code == WALL {
        return (if border { KIND_BORDER } else { KIND_DEBRIS }, 0);
    }
    if code == EMPTY {
        return (KIND_EMPTY, 0);
    }
    match Kind::from_code(code) {
        Kind::Stem => (KIND_CSC, 0),
        Kind::Progenitor(0) => (KIND_DIFFERENTIATED, 0),
        Kind::Progenitor(r) => (KIND_PROGENITOR, r),
        Kind::Empty | Kind::Wall => (KIND_EMPTY, 0),
    }
}

/// One cell-data array: its name, VTK type and values as text (one x row per line).
struct Array {
    name: &'static str,
    vtk_type: &'static str,
    text: String,
}

/// An image of `cells` image cells per axis (`cells[2] = 0`: a flat 2D image).
fn image(cells: [usize; 3], origin: [f64; 3], spacing: [f64; 3], arrays: &[Array]) -> String {
    let extent = format!("0 {} 0 {} 0 {}", cells[0], cells[1], cells[2]);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\"?>\n");
    out.push_str("<VTKFile type=\"ImageData\" version=\"0.1\" byte_order=\"LittleEndian\">\n");
    let _ = writeln!(
        out,
        "  <ImageData WholeExtent=\"{extent}\" Origin=\"{} {} {}\" Spacing=\"{} {} {}\">",
        origin[0], origin[1], origin[2], spacing[0], spacing[1], spacing[2]
    );
    let _ = writeln!(out, "    <Piece Extent=\"{extent}\">");
    let _ = writeln!(out, "      <CellData Scalars=\"{}\">", arrays[0].name);
    for a in arrays {
        let _ = writeln!(
            out,
            "        <DataArray type=\"{}\" Name=\"{}\" format=\"ascii\">",
            a.vtk_type, a.name
        );
        out.push_str(&a.text);
        out.push_str("        </DataArray>\n");
    }
    out.push_str("      </CellData>\n    </Piece>\n  </ImageData>\n</VTKFile>\n");
    out
}

/// Appends `v` to a row of values, a space between two.
fn push_value(text: &mut String, first: bool, v: impl std::fmt::Display) {
    if !first {
        text.push(' ');
    }
    let _ = write!(text, "{v}");
}

/// The lattice snapshot as VTK image data (`snapshot_day<D>.vti`): the domain region of
/// the window, sites of `spacing_um` µm.
pub fn lattice_vti(primary: &Primary, spacing_um: f64) -> String {
    let lat = &primary.lattice;
    let axes = if lat.dims == 3 { 3 } else { 2 };
    let mut lo = [0i64; 3];
    let mut hi = [1i64; 3];
    for a in 0..axes {
        lo[a] = lat.origin[a].max(0);
        hi[a] = (lat.origin[a] + lat.side(a) as i64).min(lat.domain);
    }
    let mut kind = String::new();
    let mut rho = String::new();
    for z in lo[2]..hi[2] {
        for y in lo[1]..hi[1] {
            for x in lo[0]..hi[0] {
                let d = [x, y, z];
                let (k, r) = site_values(primary.code_at(d), lat.is_wall(d));
                push_value(&mut kind, x == lo[0], k);
                push_value(&mut rho, x == lo[0], r);
            }
            kind.push('\n');
            rho.push('\n');
        }
    }
    let n = |a: usize| (hi[a] - lo[a]).max(0) as usize;
    let cells = [n(0), n(1), if axes == 3 { n(2) } else { 0 }];
    let origin = [
        lo[0] as f64 * spacing_um,
        lo[1] as f64 * spacing_um,
        if axes == 3 {
            lo[2] as f64 * spacing_um
        } else {
            0.0
        },
    ];
    image(
        cells,
        origin,
        [spacing_um; 3],
        &[
            Array {
                name: "kind",
                vtk_type: "UInt8",
                text: kind,
            },
            Array {
                name: "rho",
                vtk_type: "UInt8",
                text: rho,
            },
        ],
    )
}

/// The cytokine fields as VTK image data (`fields_day<D>.vti`): one image cell per field
/// cell, `il6_ng_ml` and `cxcl7_ng_ml` (ng/mL).
pub fn fields_vti(cy: &Cytokines) -> String {
    let grid = &cy.il6;
    let [nx, ny, nz] = grid.n();
    let three = grid.dims() == 3;
    let s = grid.spacing_um();
    let h = grid.h_um();
    let o = grid.origin();
    let text = |values: &[f32]| {
        let mut t = String::new();
        for (i, v) in values.iter().enumerate() {
            push_value(&mut t, i % nx == 0, v);
            if i % nx == nx - 1 {
                t.push('\n');
            }
        }
        t
    };
    image(
        [nx, ny, if three { nz } else { 0 }],
        [
            o[0] as f64 * s,
            o[1] as f64 * s,
            if three { o[2] as f64 * s } else { 0.0 },
        ],
        [h, h, if three { h } else { s }],
        &[
            Array {
                name: "il6_ng_ml",
                vtk_type: "Float32",
                text: text(cy.il6.values()),
            },
            Array {
                name: "cxcl7_ng_ml",
                vtk_type: "Float32",
                text: text(cy.cxcl7.values()),
            },
        ],
    )
}

/// The day and part (0 lattice, 1 fields) of a snapshot's `.vti` file name, if it is one.
pub fn vti_day(name: &str) -> Option<(f64, u8)> {
    let (rest, part) = if let Some(r) = name.strip_prefix("snapshot_day") {
        (r, 0)
    } else {
        (name.strip_prefix("fields_day")?, 1)
    };
    let day: f64 = rest.strip_suffix(".vti")?.parse().ok()?;
    day.is_finite().then_some((day, part))
}

/// The ParaView collection of the `.vti` files named in `names` (others are skipped),
/// in day order, the lattice (part 0) before the fields (part 1).
pub fn pvd<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut entries: Vec<(f64, u8, &str)> = names
        .into_iter()
        .filter_map(|n| vti_day(n).map(|(d, p)| (d, p, n)))
        .collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\"?>\n");
    out.push_str("<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n");
    out.push_str("  <Collection>\n");
    for (day, part, name) in entries {
        let _ = writeln!(
            out,
            "    <DataSet timestep=\"{day}\" group=\"\" part=\"{part}\" file=\"{name}\"/>"
        );
    }
    out.push_str("  </Collection>\n</VTKFile>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kind::{STEM, progenitor};

    #[test]
    fn codes_are_documented_values() {
        assert_eq!(site_values(EMPTY, false), (0, 0));
        assert_eq!(site_values(STEM, false), (1, 0));
        assert_eq!(site_values(progenitor(4), false), (2, 4));
        assert_eq!(site_values(progenitor(0), false), (3, 0));
        assert_eq!(site_values(WALL, false), (4, 0));
        assert_eq!(site_values(WALL, true), (5, 0));
    }

    #[test]
    fn the_collection_lists_vti_files_by_day() {
        let text = pvd([
            "fields_day10.vti",
            "snapshot_day10.vti",
            "lattice_day10.csv",
            "snapshot_day2.5.vti",
            ".snapshot_day3.vti.tmp-1",
        ]);
        let lines: Vec<&str> = text.lines().filter(|l| l.contains("DataSet")).collect();
        assert_eq!(
            lines,
            [
                "    <DataSet timestep=\"2.5\" group=\"\" part=\"0\" file=\"snapshot_day2.5.vti\"/>",
                "    <DataSet timestep=\"10\" group=\"\" part=\"0\" file=\"snapshot_day10.vti\"/>",
                "    <DataSet timestep=\"10\" group=\"\" part=\"1\" file=\"fields_day10.vti\"/>",
            ]
        );
    }
}
