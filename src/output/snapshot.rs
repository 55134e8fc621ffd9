//! Lattice snapshots: a CSV of occupied sites and a PNG picture.
//!
//! CSV columns: `x,y,z,kind,rho` in domain coordinates (`kind` = `csc` | `progenitor` |
//! `differentiated`; `rho` = divisions left, empty for CSCs), in site order.
//! PNG: the domain region of the lattice window (3D: the central z slice), one square of
//! pixels per site, colours from the Okabe–Ito palette (readable with colour-blindness):
//! CSC vermillion, progenitors blue (darker = more divisions left), differentiated grey,
//! empty white, border black, debris of dead cells (`cells.clearance_h`) reddish purple;
//! MSCs (on their own layer, drawn over the cells) yellow, ALDH+ MSCs bluish green. The CSV
//! lists cells only (no debris).

use crate::engine::cytokines::Cytokines;
use crate::engine::primary::Primary;
use crate::model::kind::{EMPTY, Kind, STEM, WALL};
use crate::model::msc::Msc;
use crate::output::{format, table};
use serde::{Deserialize, Serialize};

/// One row of a lattice snapshot CSV: an occupied site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatticeRow {
    /// Domain x.
    pub x: i64,
    /// Domain y.
    pub y: i64,
    /// Domain z (0 in 2D).
    pub z: i64,
    /// `csc`, `progenitor` or `differentiated`.
    pub kind: String,
    /// Divisions left (`0` for differentiated cells); empty for CSCs.
    pub rho: Option<u8>,
}

/// The snapshot as CSV text.
pub fn lattice_csv(primary: &Primary) -> String {
    let lat = &primary.lattice;
    table::text((0..lat.len()).filter_map(|s| {
        let code = lat.code(s);
        if code == EMPTY || code == WALL {
            return None;
        }
        let (kind, rho) = match Kind::from_code(code) {
            Kind::Stem => ("csc", None),
            Kind::Progenitor(0) => ("differentiated", Some(0)),
            Kind::Progenitor(r) => ("progenitor", Some(r)),
            _ => return None,
        };
        let [x, y, z] = lat.domain_coords(s);
        Some(LatticeRow {
            x,
            y,
            z,
            kind: kind.to_string(),
            rho,
        })
    }))
}

/// Okabe–Ito reddish purple: debris (a dead cell's remains) in pictures.
pub const DEBRIS_COLOUR: [u8; 3] = [204, 121, 167];
/// Okabe–Ito yellow: an ALDH− MSC in pictures.
pub const MSC_ALDH_NEG: [u8; 3] = [240, 228, 66];
/// Okabe–Ito bluish green: an ALDH+ MSC in pictures.
pub const MSC_ALDH_POS: [u8; 3] = [0, 158, 115];

/// RGB colour of a kind code, for pictures.
pub fn colour(code: u8, rho_max: u8) -> [u8; 3] {
    match code {
        EMPTY => [255, 255, 255],
        WALL => [0, 0, 0],
        STEM => [213, 94, 0],
        1 => [153, 153, 153],
        c => {
            // Progenitor(ρ), ρ ≥ 1: from light sky blue (ρ = 1) to Okabe–Ito blue (ρmax).
            let t = ((c - 1) as f64 / rho_max.max(1) as f64).clamp(0.0, 1.0);
            let light = [86.0, 180.0, 233.0];
            let dark = [0.0, 114.0, 178.0];
            let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
            [
                mix(light[0], dark[0]),
                mix(light[1], dark[1]),
                mix(light[2], dark[2]),
            ]
        }
    }
}

/// The snapshot as a PNG image (bytes). Small lattices are scaled up so the picture is at
/// least 256 pixels wide.
pub fn lattice_png(primary: &Primary, rho_max: u8, mscs: &[Msc]) -> Vec<u8> {
    let lat = &primary.lattice;
    // Domain region of the window along x and y.
    let lo = |a: usize| lat.origin[a].max(0);
    let hi = |a: usize| (lat.origin[a] + lat.side(a) as i64).min(lat.domain);
    let (x0, x1, y0, y1) = (lo(0), hi(0), lo(1), hi(1));
    let z = if lat.dims == 3 { lat.domain / 2 } else { 0 };
    let w = (x1 - x0) as usize;
    let h = (y1 - y0) as usize;
    let scale = (256 / w.max(1)).clamp(1, 8);
    let (pw, ph) = (w * scale, h * scale);
    let mut data = vec![0u8; pw * ph * 3];
    for py in 0..ph {
        for px in 0..pw {
            let d = [x0 + (px / scale) as i64, y1 - 1 - (py / scale) as i64, z];
            let code = primary.code_at(d);
            // Debris shares the border's code; it lies inside the domain.
            let c = if code == WALL && !lat.is_wall(d) {
                DEBRIS_COLOUR
            } else {
                colour(code, rho_max)
            };
            let i = (py * pw + px) * 3;
            data[i..i + 3].copy_from_slice(&c);
        }
    }
    // MSCs over the cells (ALDH+ last, so they stay visible where both share a site).
    for aldh in [false, true] {
        let c = if aldh { MSC_ALDH_POS } else { MSC_ALDH_NEG };
        for m in mscs.iter().filter(|m| m.aldh == aldh && m.pos[2] == z) {
            let [x, y, _] = m.pos;
            if x < x0 || x >= x1 || y < y0 || y >= y1 {
                continue;
            }
            let (bx, by) = ((x - x0) as usize * scale, (y1 - 1 - y) as usize * scale);
            for py in by..by + scale {
                for px in bx..bx + scale {
                    let i = (py * pw + px) * 3;
                    data[i..i + 3].copy_from_slice(&c);
                }
            }
        }
    }
    encode_png(pw as u32, ph as u32, &data)
}

/// One row of an MSC snapshot CSV: an MSC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MscRow {
    /// Domain x.
    pub x: i64,
    /// Domain y.
    pub y: i64,
    /// Domain z (0 in 2D).
    pub z: i64,
    /// 1 for an ALDH+ MSC, 0 for ALDH−.
    pub aldh_pos: u8,
    /// Divisions left.
    pub divisions_left: u8,
}

/// The MSCs in the tumour as CSV: `x,y,z,aldh_pos,divisions_left`, one row per MSC in
/// domain coordinates (several may share a site: they live on their own stromal layer).
pub fn mscs_csv(mscs: &crate::engine::Mscs) -> String {
    table::text(mscs.cells().iter().map(|m| MscRow {
        x: m.pos[0],
        y: m.pos[1],
        z: m.pos[2],
        aldh_pos: u8::from(m.aldh),
        divisions_left: m.divisions_left,
    }))
}

/// One row of a fields snapshot CSV: a field cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldRow {
    /// Domain x of the cell's first lattice site.
    pub x: i64,
    /// Domain y of that site.
    pub y: i64,
    /// Domain z of that site (0 in 2D).
    pub z: i64,
    /// IL6, ng/mL.
    #[serde(serialize_with = "format::shortest")]
    pub il6_ng_ml: f32,
    /// CXCL7, ng/mL.
    #[serde(serialize_with = "format::shortest")]
    pub cxcl7_ng_ml: f32,
}

/// The fields as CSV: `x,y,z,il6_ng_ml,cxcl7_ng_ml`, one row per field cell, with the
/// domain coordinates of the cell's first lattice site.
pub fn fields_csv(cy: &Cytokines) -> String {
    let (il6, cx) = (cy.il6.values(), cy.cxcl7.values());
    let o = cy.il6.origin();
    let c = cy.il6.coarsen() as i64;
    table::text((0..il6.len()).map(|i| {
        let [a, b, d] = cy.il6.coords(i);
        FieldRow {
            x: o[0] + c * a as i64,
            y: o[1] + c * b as i64,
            z: if cy.n[2] > 1 { o[2] + c * d as i64 } else { 0 },
            il6_ng_ml: il6[i],
            cxcl7_ng_ml: cx[i],
        }
    }))
}

/// Viridis-like colour for `t` in [0, 1] (perceptually ordered, colour-blind safe).
pub fn heat(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    } * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    std::array::from_fn(|k| (STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * f).round() as u8)
}

/// A heat map of IL6 (`which = 0`) or CXCL7 (`1`), scaled to the field's maximum (3D: the
/// central z layer), one square of pixels per field cell.
pub fn field_png(cy: &Cytokines, which: usize) -> Vec<u8> {
    let grid = if which == 0 { &cy.il6 } else { &cy.cxcl7 };
    let [nx, ny, nz] = cy.n;
    let k = nz / 2;
    let max = grid.max().max(f32::MIN_POSITIVE) as f64;
    heat_png(nx, ny, max, |x, y| grid.get([x, y, k]) as f64)
}

/// A heat map of an `nx` × `ny` layer (`value(x, y)`, y upwards) scaled to `max`, as
/// [`field_png`] draws it: one square of pixels per cell, at least 512 pixels wide.
pub fn heat_png(nx: usize, ny: usize, max: f64, value: impl Fn(usize, usize) -> f64) -> Vec<u8> {
    let scale = (512 / nx.max(1)).clamp(1, 16);
    let (pw, ph) = (nx * scale, ny * scale);
    let mut data = vec![0u8; pw * ph * 3];
    for py in 0..ph {
        for px in 0..pw {
            let v = value(px / scale, ny - 1 - py / scale);
            let i = (py * pw + px) * 3;
            data[i..i + 3].copy_from_slice(&heat(v / max));
        }
    }
    encode_png(pw as u32, ph as u32, &data)
}

/// Encode an RGB8 image as PNG.
pub fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("PNG header to memory");
        writer.write_image_data(rgb).expect("PNG data to memory");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_distinct() {
        let cs = [
            colour(EMPTY, 10),
            colour(WALL, 10),
            colour(STEM, 10),
            colour(1, 10),
            colour(11, 10),
            colour(2, 10),
        ];
        for i in 0..cs.len() {
            for j in 0..i {
                assert_ne!(cs[i], cs[j]);
            }
        }
        let png = encode_png(2, 1, &[0, 0, 0, 255, 255, 255]);
        assert_eq!(&png[1..4], b"PNG");
        assert!(!cs.contains(&MSC_ALDH_NEG) && !cs.contains(&MSC_ALDH_POS));
    }

    #[test]
    fn mscs_are_drawn_over_the_lattice() {
        let lat = crate::space::Lattice::new(2, 64, 64);
        let primary = Primary::new(lat);
        let mscs = [
            Msc {
                pos: [10, 20, 0],
                aldh: false,
                divisions_left: 3,
            },
            Msc {
                pos: [40, 50, 0],
                aldh: true,
                divisions_left: 0,
            },
        ];
        let png = lattice_png(&primary, 10, &mscs);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        // 64 sites wide, 4 pixels per site; y grows upwards in the picture.
        let scale = w / 64;
        let pixel = |x: i64, y: i64| {
            let (px, py) = (x as usize * scale, h - 1 - (y as usize * scale + scale - 1));
            let i = (py * w + px) * 3;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        assert_eq!(pixel(10, 20), MSC_ALDH_NEG);
        assert_eq!(pixel(40, 50), MSC_ALDH_POS);
        assert_eq!(pixel(30, 30), colour(EMPTY, 10));
    }
}
