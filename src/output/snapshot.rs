//! Lattice snapshots: a CSV of occupied sites and PNG pictures.
//!
//! CSV columns: `x,y,z,kind,rho` in domain coordinates (`kind` = `csc` | `progenitor` |
//! `differentiated`; `rho` = divisions left, empty for CSCs), in site order. The CSV
//! lists cells only (no debris).
//!
//! Pictures ([`lattice_png`], [`field_png`]) show the same [`Region`]: the domain part of
//! the lattice window (3D: the central z slice, labelled `z = K (central slice)`), one
//! square of pixels per site, framed by [`figure::compose`] with a day stamp and a scale
//! bar in µm (`space.spacing_um`). Colours, from the Okabe–Ito palette (readable with
//! colour-blindness) and shared with the Python scripts: CSC vermillion `#D55E00`,
//! progenitors from sky blue `#56B4E9` (ρ = 1) to blue `#0072B2` (ρmax), differentiated
//! grey `#999999`, empty white, border black, debris of dead cells (`cells.clearance_h`)
//! reddish purple `#CC79A7`; MSCs (on their own layer, drawn over the cells as markers half
//! a site wide, [`msc_marker`]) yellow `#F0E442`, ALDH+ MSCs bluish green `#009E73`. The
//! legend counts the cells and MSCs drawn. Field heat maps use viridis on a log10 scale
//! ([`LogScale`]) with a colour bar.

use crate::engine::cytokines::Cytokines;
use crate::engine::primary::Primary;
use crate::model::kind::{EMPTY, Kind, STEM, WALL};
use crate::model::msc::Msc;
use crate::output::canvas::Canvas;
use crate::output::colour_scale::LogScale;
use crate::output::figure::{self, LegendEntry, Side, Stamp, Swatch};
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
            // Progenitor(ρ), ρ = c − 1 ≥ 1: from sky blue #56B4E9 (ρ = 1) to Okabe–Ito
            // blue #0072B2 (ρ = ρmax).
            let t = ((c - 2) as f64 / (rho_max.max(2) - 1) as f64).clamp(0.0, 1.0);
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

/// The part of the domain a snapshot picture shows, and how large: sites `x0..x1` ×
/// `y0..y1` (y upwards in the picture), in 3D the slice at `z`, `px_per_site` pixels per
/// site. The cells picture and the field pictures of a snapshot share it, so they cover the
/// same µm of tissue pixel for pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First x.
    pub x0: i64,
    /// One past the last x.
    pub x1: i64,
    /// First y.
    pub y0: i64,
    /// One past the last y.
    pub y1: i64,
    /// In 3D, the z of the slice shown; `None` in 2D.
    pub z: Option<i64>,
    /// Pixels per site along each axis.
    pub px_per_site: usize,
}

impl Region {
    /// The part of the domain that frames the cells of `lat`: their bounding box plus
    /// [`MARGIN`](crate::space::lattice::MARGIN) sites on each side, inside the domain (so
    /// inside any window that holds the cells, and inside its field grid; the window when
    /// there are no cells; 3D: the central z slice, `z = space.max_size /
    /// 2`), scaled up so the map is at least 256 pixels wide (at most 8 pixels per site).
    /// It depends on the cells only, not on how the window grew, so a run's pictures and
    /// `seedsoil render`'s of the same snapshot frame the same tissue.
    pub fn of(lat: &crate::space::Lattice) -> Region {
        let window = |a: usize| {
            (
                lat.origin[a].max(0),
                (lat.origin[a] + lat.side(a) as i64).min(lat.domain),
            )
        };
        let bounds = lat.cell_bounds();
        let frame = |a: usize| match bounds {
            Some((lo, hi)) => {
                let pad = crate::space::lattice::MARGIN as i64;
                ((lo[a] - pad).max(0), (hi[a] + 1 + pad).min(lat.domain))
            }
            None => window(a),
        };
        let (x0, x1) = frame(0);
        let (y0, y1) = frame(1);
        let w = (x1 - x0).max(1) as usize;
        Region {
            x0,
            x1,
            y0,
            y1,
            z: (lat.dims == 3).then_some(lat.domain / 2),
            px_per_site: (256 / w).clamp(1, 8),
        }
    }

    /// Sites along x.
    pub fn sites_x(&self) -> usize {
        (self.x1 - self.x0).max(0) as usize
    }

    /// Sites along y.
    pub fn sites_y(&self) -> usize {
        (self.y1 - self.y0).max(0) as usize
    }

    /// The z of the sites drawn (0 in 2D).
    pub fn z_or_0(&self) -> i64 {
        self.z.unwrap_or(0)
    }

    /// Domain coordinates of the site drawn at map pixel `(px, py)` (from the top left).
    pub fn site_at_pixel(&self, px: usize, py: usize) -> [i64; 3] {
        let s = self.px_per_site.max(1);
        [
            self.x0 + (px / s) as i64,
            self.y1 - 1 - (py / s) as i64,
            self.z_or_0(),
        ]
    }

    /// Top-left map pixel of the square drawing site `(x, y)`, if the region holds it.
    pub fn pixel_of(&self, x: i64, y: i64) -> Option<(usize, usize)> {
        let s = self.px_per_site.max(1);
        ((self.x0..self.x1).contains(&x) && (self.y0..self.y1).contains(&y))
            .then(|| ((x - self.x0) as usize * s, (self.y1 - 1 - y) as usize * s))
    }
}

/// When and at what resolution a snapshot was taken: stamped on its pictures.
#[derive(Debug, Clone, Copy)]
pub struct PictureInfo<'a> {
    /// The day, as in the file name (`30`, `12.5`).
    pub day: &'a str,
    /// Lattice spacing, µm per site (`space.spacing_um`).
    pub spacing_um: f64,
}

/// What a cells picture shows at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteView {
    /// No cell.
    Empty,
    /// The domain's border ring.
    Border,
    /// Debris of a dead cell (`cells.clearance_h`).
    Debris,
    /// A cancer cell of this kind code.
    Cell(u8),
}

/// Side in pixels of an MSC's marker when a site is `px_per_site` pixels wide: half the
/// site (at least one pixel), centred, so at two or more pixels per site at least three
/// quarters of the cell under an MSC keep their kind's colour.
pub fn msc_marker(px_per_site: usize) -> usize {
    (px_per_site / 2).max(1)
}

/// The cells picture of `region`: each site coloured by what `site` shows there, MSCs as
/// markers ([`msc_marker`]) over the cells (ALDH+ last), framed by [`figure::compose`]
/// with a legend counting the cells and MSCs drawn, the day, the scale bar and in 3D the
/// slice.
pub fn cells_picture(
    region: &Region,
    site: impl Fn([i64; 3]) -> SiteView,
    mscs: &[Msc],
    rho_max: u8,
    info: &PictureInfo,
) -> Canvas {
    let s = region.px_per_site.max(1);
    let (w, h) = (region.sites_x(), region.sites_y());
    let mut map = Canvas::new(w * s, h * s, colour(EMPTY, rho_max));
    // [csc, progenitor, differentiated, debris]
    let mut counts = [0u64; 4];
    let z = region.z_or_0();
    for y in region.y0..region.y1 {
        for x in region.x0..region.x1 {
            let (c, k) = match site([x, y, z]) {
                SiteView::Empty => continue,
                SiteView::Border => (colour(WALL, rho_max), None),
                SiteView::Debris => (DEBRIS_COLOUR, Some(3)),
                SiteView::Cell(code) => (
                    colour(code, rho_max),
                    match code {
                        STEM => Some(0),
                        1 => Some(2),
                        _ => Some(1),
                    },
                ),
            };
            if let Some(k) = k {
                counts[k] += 1;
            }
            if let Some((px, py)) = region.pixel_of(x, y) {
                map.fill_rect(px, py, s, s, c);
            }
        }
    }
    let (m, off) = (msc_marker(s), (s - msc_marker(s)) / 2);
    let mut msc_counts = [0u64; 2];
    for aldh in [false, true] {
        let c = if aldh { MSC_ALDH_POS } else { MSC_ALDH_NEG };
        for p in mscs.iter().filter(|m| m.aldh == aldh && m.pos[2] == z) {
            if let Some((px, py)) = region.pixel_of(p.pos[0], p.pos[1]) {
                map.fill_rect(px + off, py + off, m, m, c);
                msc_counts[usize::from(aldh)] += 1;
            }
        }
    }
    let mut legend = vec![
        LegendEntry {
            swatch: Swatch::Solid(colour(STEM, rho_max)),
            label: format!("CSC {}", counts[0]),
        },
        LegendEntry {
            swatch: Swatch::Ramp(colour(2, rho_max), colour(rho_max + 1, rho_max)),
            label: format!("progenitor {}", counts[1]),
        },
        LegendEntry {
            swatch: Swatch::None,
            label: format!("ρ 1..{rho_max}: light..dark"),
        },
        LegendEntry {
            swatch: Swatch::Solid(colour(1, rho_max)),
            label: format!("differentiated {}", counts[2]),
        },
    ];
    if counts[3] > 0 {
        legend.push(LegendEntry {
            swatch: Swatch::Solid(DEBRIS_COLOUR),
            label: format!("debris {}", counts[3]),
        });
    }
    legend.push(LegendEntry {
        swatch: Swatch::Solid(MSC_ALDH_NEG),
        label: format!("MSC ALDH- {}", msc_counts[0]),
    });
    legend.push(LegendEntry {
        swatch: Swatch::Solid(MSC_ALDH_POS),
        label: format!("MSC ALDH+ {}", msc_counts[1]),
    });
    if region.z.is_some() {
        legend.push(LegendEntry {
            swatch: Swatch::None,
            label: "(counts: this slice)".to_string(),
        });
    }
    figure::compose(
        &map,
        &Stamp {
            title: "cells by kind",
            day: info.day,
            spacing_um: info.spacing_um,
            px_per_site: s,
            slice_z: region.z,
        },
        &Side::Legend(&legend),
    )
}

/// The snapshot's cells picture as PNG bytes: the [`Region`] of the primary's lattice
/// window drawn by [`cells_picture`].
pub fn lattice_png(primary: &Primary, rho_max: u8, mscs: &[Msc], info: &PictureInfo) -> Vec<u8> {
    let lat = &primary.lattice;
    let region = Region::of(lat);
    cells_picture(
        &region,
        |d| {
            let code = primary.code_at(d);
            match code {
                EMPTY => SiteView::Empty,
                // Debris shares the border's code; it lies inside the domain.
                WALL if lat.is_wall(d) => SiteView::Border,
                WALL => SiteView::Debris,
                c => SiteView::Cell(c),
            }
        },
        mscs,
        rho_max,
        info,
    )
    .png()
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

/// Title of the field pictures: `IL6 (ng/mL)` (`which = 0`), `CXCL7 (ng/mL)` (`1`).
pub fn field_title(which: usize) -> &'static str {
    if which == 0 {
        "IL6 (ng/mL)"
    } else {
        "CXCL7 (ng/mL)"
    }
}

/// A field heat map of `region` (`value` of each site, ng/mL) on a log10 viridis `scale`
/// with its colour bar, titled [`field_title`]; `shared` says in the notes under the bar
/// that the scale is the same for every day of the run (else: this day's maximum).
pub fn field_picture(
    region: &Region,
    which: usize,
    value: impl Fn([i64; 3]) -> f64,
    scale: &LogScale,
    shared: bool,
    info: &PictureInfo,
) -> Canvas {
    let s = region.px_per_site.max(1);
    let mut map = Canvas::new(region.sites_x() * s, region.sites_y() * s, [0, 0, 0]);
    let z = region.z_or_0();
    for y in region.y0..region.y1 {
        for x in region.x0..region.x1 {
            if let Some((px, py)) = region.pixel_of(x, y) {
                map.fill_rect(px, py, s, s, scale.colour(value([x, y, z])));
            }
        }
    }
    let max = format!("max {} ng/mL", significant(scale.max()));
    let notes = [
        "log scale; values below",
        "max/1e4 (and 0) get the",
        "bottom colour",
        &max,
        if shared {
            "same scale on all days"
        } else {
            "scale: this day's max"
        },
    ];
    figure::compose(
        &map,
        &Stamp {
            title: field_title(which),
            day: info.day,
            spacing_um: info.spacing_um,
            px_per_site: s,
            slice_z: region.z,
        },
        &Side::ColourBar(scale, &notes),
    )
}

/// `v` with three significant digits (`12.3`, `0.00123`), or in exponent form beyond.
fn significant(v: f64) -> String {
    if (1e-3..1e5).contains(&v) {
        let decimals = (2 - v.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.2e}")
    }
}

/// The heat map of IL6 (`which = 0`) or CXCL7 (`1`) over `region` (the cells picture's:
/// the same sites, µm and pixels), on a log scale topped at this day's maximum over the
/// whole grid. Each site shows its field cell's value.
pub fn field_png(cy: &Cytokines, which: usize, region: &Region, info: &PictureInfo) -> Vec<u8> {
    let grid = if which == 0 { &cy.il6 } else { &cy.cxcl7 };
    let scale = LogScale::new(f64::from(grid.max()));
    let values = grid.values();
    field_picture(
        region,
        which,
        |d| grid.cell_of_site(d).map_or(0.0, |i| f64::from(values[i])),
        &scale,
        false,
        info,
    )
    .png()
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

    use crate::output::colour_scale::viridis;
    use crate::output::figure::{FRAME, INK, Layout, PAPER, Rect, layout};
    use crate::space::Lattice;

    /// A decoded PNG: width, height, RGB8.
    struct Image(usize, usize, Vec<u8>);

    impl Image {
        fn decode(png: &[u8]) -> Image {
            let decoder = png::Decoder::new(std::io::Cursor::new(png));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut buf).unwrap();
            Image(info.width as usize, info.height as usize, buf)
        }

        fn at(&self, x: usize, y: usize) -> [u8; 3] {
            let i = (y * self.0 + x) * 3;
            [self.2[i], self.2[i + 1], self.2[i + 2]]
        }

        fn pixels(&self, r: Rect) -> Vec<[u8; 3]> {
            let mut v = Vec::new();
            for y in r.y..r.y + r.h {
                for x in r.x..r.x + r.w {
                    v.push(self.at(x, y));
                }
            }
            v
        }

        /// The layout the picture was drawn with, for `region`.
        fn layout(&self, region: &Region) -> Layout {
            let s = region.px_per_site;
            let l = layout(
                region.sites_x() * s,
                region.sites_y() * s,
                region.z.is_some(),
            );
            assert_eq!((self.0, self.1), (l.width, l.height), "picture size");
            l
        }

        /// The map pixel at the centre of site `(x, y)`.
        fn site(&self, l: &Layout, region: &Region, x: i64, y: i64) -> [u8; 3] {
            let (px, py) = region.pixel_of(x, y).unwrap();
            let c = region.px_per_site / 2;
            self.at(l.map.x + px + c, l.map.y + py + c)
        }
    }

    const INFO: PictureInfo = PictureInfo {
        day: "30",
        spacing_um: 10.0,
    };

    fn msc(x: i64, y: i64, z: i64, aldh: bool) -> Msc {
        Msc {
            pos: [x, y, z],
            aldh,
            divisions_left: 3,
        }
    }

    #[test]
    fn mscs_are_drawn_as_markers_over_the_lattice() {
        let primary = Primary::new(Lattice::new(2, 64, 64));
        let mscs = [msc(10, 20, 0, false), msc(40, 50, 0, true)];
        let img = Image::decode(&lattice_png(&primary, 10, &mscs, &INFO));
        let region = Region::of(&primary.lattice);
        assert_eq!((region.sites_x(), region.px_per_site), (64, 4));
        let l = img.layout(&region);
        assert_eq!(img.site(&l, &region, 10, 20), MSC_ALDH_NEG);
        assert_eq!(img.site(&l, &region, 40, 50), MSC_ALDH_POS);
        assert_eq!(img.site(&l, &region, 30, 30), colour(EMPTY, 10));
        // The border ring at the domain's edge.
        assert_eq!(img.site(&l, &region, 0, 30), colour(WALL, 10));
    }

    /// A disc of progenitors with an MSC on every one of its sites (and a second one on
    /// some): the tumour must still show in its kind's colour.
    #[test]
    fn a_tumour_under_a_dense_msc_population_stays_visible() {
        let mut lat = Lattice::new(2, 64, 64);
        let code = crate::model::kind::progenitor(5);
        let mut mscs = Vec::new();
        for y in 20..44 {
            for x in 20..44 {
                let s = lat.site_at([x, y, 0]).unwrap();
                lat.set(s, code);
                mscs.push(msc(x, y, 0, (x + y) % 3 == 0));
                if x % 2 == 0 {
                    mscs.push(msc(x, y, 0, false));
                }
            }
        }
        let primary = Primary::new(lat);
        let img = Image::decode(&lattice_png(&primary, 10, &mscs, &INFO));
        let region = Region::of(&primary.lattice);
        let l = img.layout(&region);
        let s = region.px_per_site;
        let tumour = Rect {
            x: l.map.x + (20 - region.x0) as usize * s,
            y: l.map.y + (region.y1 - 44) as usize * s,
            w: 24 * s,
            h: 24 * s,
        };
        let px = img.pixels(tumour);
        let kind = px.iter().filter(|&&c| c == colour(code, 10)).count();
        let shown = kind as f64 / px.len() as f64;
        assert!(
            shown >= 0.7,
            "{shown:.2} of the tumour's pixels show its cells"
        );
        // And every MSC is still drawn.
        assert!(px.contains(&MSC_ALDH_NEG) && px.contains(&MSC_ALDH_POS));
        for x in 20..44 {
            assert!(
                [MSC_ALDH_NEG, MSC_ALDH_POS].contains(&img.site(&l, &region, x, 30)),
                "MSC marker at the centre of site ({x}, 30)"
            );
        }
    }

    #[test]
    fn legend_shows_the_documented_colours_and_counts() {
        let mut lat = Lattice::new(2, 64, 64);
        for (x, code) in [(30, STEM), (31, 1), (32, crate::model::kind::progenitor(4))] {
            let s = lat.site_at([x, 30, 0]).unwrap();
            lat.set(s, code);
        }
        let primary = Primary::new(lat);
        let mscs = [msc(10, 20, 0, false), msc(10, 20, 0, true)];
        let img = Image::decode(&lattice_png(&primary, 10, &mscs, &INFO));
        let l = img.layout(&Region::of(&primary.lattice));
        let side = img.pixels(l.side);
        let documented = [
            [0xD5, 0x5E, 0x00], // CSC
            [0x56, 0xB4, 0xE9], // progenitor, ρ = 1
            [0x00, 0x72, 0xB2], // progenitor, ρmax
            [0x99, 0x99, 0x99], // differentiated
            [0xF0, 0xE4, 0x42], // MSC ALDH−
            [0x00, 0x9E, 0x73], // MSC ALDH+
        ];
        for c in documented {
            assert!(side.contains(&c), "legend swatch {c:?}");
        }
        assert!(side.contains(&INK), "legend text");
        // Debris is listed only when some is drawn.
        assert!(!side.contains(&DEBRIS_COLOUR));
        assert_eq!(colour(STEM, 10), documented[0]);
        assert_eq!(colour(2, 10), documented[1]);
        assert_eq!(colour(11, 10), documented[2]);
        assert_eq!(colour(1, 10), documented[3]);
        assert_eq!((MSC_ALDH_NEG, MSC_ALDH_POS), (documented[4], documented[5]));
    }

    #[test]
    fn pictures_carry_a_day_stamp_and_a_scale_bar() {
        let primary = Primary::new(Lattice::new(2, 64, 64));
        let img = Image::decode(&lattice_png(&primary, 10, &[], &INFO));
        let l = img.layout(&Region::of(&primary.lattice));
        assert!(img.pixels(l.day).contains(&INK), "day stamp");
        assert!(img.pixels(l.scale_bar).contains(&INK), "scale bar");
        assert!(l.slice.is_none(), "2D: no slice label");
        // Another day, another stamp.
        let other = PictureInfo { day: "90", ..INFO };
        let img2 = Image::decode(&lattice_png(&primary, 10, &[], &other));
        assert_ne!(img.pixels(l.day), img2.pixels(l.day));
        assert_eq!(img.pixels(l.map), img2.pixels(l.map));
    }

    #[test]
    fn a_3d_picture_carries_its_slice_label() {
        let mut lat = Lattice::new(3, 32, 64);
        let s = lat.site_at([32, 32, 32]).unwrap();
        lat.set(s, STEM);
        let s = lat.site_at([33, 32, 31]).unwrap();
        lat.set(s, STEM);
        let primary = Primary::new(lat);
        let region = Region::of(&primary.lattice);
        assert_eq!(region.z, Some(32));
        let img = Image::decode(&lattice_png(&primary, 10, &[], &INFO));
        let l = img.layout(&region);
        let slice = l.slice.expect("3D: a slice label");
        assert!(img.pixels(slice).contains(&INK), "slice label drawn");
        assert!(slice.y > l.title.y && slice.y + slice.h <= l.map.y);
        // The central slice is drawn: its cell shows, the one at z = 31 does not.
        assert_eq!(img.site(&l, &region, 32, 32), colour(STEM, 10));
        assert_eq!(img.site(&l, &region, 33, 32), colour(EMPTY, 10));
    }

    #[test]
    fn field_colour_is_viridis_of_log10_value_on_the_documented_scale() {
        let lat = Lattice::new(2, 64, 64);
        let region = Region::of(&lat);
        // 10^(x/8 − 3) ng/mL along x: from 0.001 to about 2400; zero at y = 5.
        let value = |d: [i64; 3]| {
            if d[1] == 5 {
                0.0
            } else {
                10f64.powf(d[0] as f64 / 8.0 - 3.0)
            }
        };
        let max = value([63, 0, 0]);
        let scale = LogScale::new(max);
        let img = Image::decode(&field_picture(&region, 0, value, &scale, false, &INFO).png());
        let l = img.layout(&region);
        let floor = max / 1e4;
        for x in [0, 10, 31, 40, 63] {
            let v = value([x, 30, 0]);
            let t = ((v.max(floor).log10() - floor.log10()) / 4.0).clamp(0.0, 1.0);
            let want = colorous::VIRIDIS.eval_continuous(t);
            assert_eq!(
                img.site(&l, &region, x, 30),
                [want.r, want.g, want.b],
                "x = {x}"
            );
        }
        // Zero takes the floor colour, the bottom of the colour bar.
        let bottom = colorous::VIRIDIS.eval_continuous(0.0);
        assert_eq!(img.site(&l, &region, 40, 5), [bottom.r, bottom.g, bottom.b]);
        // The colour bar runs from the floor colour to the top colour, with ticks.
        let side = img.pixels(l.side);
        assert!(side.contains(&viridis(0.0)) && side.contains(&viridis(1.0)));
        assert!(side.contains(&INK), "tick labels and notes");
        assert!(img.pixels(l.day).contains(&INK), "day stamp");
    }

    /// The field grid covers the whole lattice window, which may reach past the domain;
    /// the field pictures show the cells picture's region only, pixel for pixel.
    #[test]
    fn cells_and_field_pictures_cover_the_same_region() {
        let lat = Lattice::new(2, 64, 40);
        assert_eq!(
            (lat.origin[0], lat.side(0)),
            (0, 64),
            "window past the domain"
        );
        let cfg = crate::config::Config::default();
        let cy = Cytokines::new(&lat, &cfg.fields, 10.0, 3600.0).unwrap();
        assert_eq!(cy.n[0] * cfg.fields.coarsen as usize, 64);
        let primary = Primary::new(lat);
        let region = Region::of(&primary.lattice);
        assert_eq!((region.x0, region.x1), (0, 40));
        let cells = Image::decode(&lattice_png(&primary, 10, &[], &INFO));
        let field = Image::decode(&field_png(&cy, 0, &region, &INFO));
        assert_eq!((cells.0, cells.1), (field.0, field.1), "same size");
        let l = cells.layout(&region);
        assert_eq!(field.layout(&region), l);
        // Both maps end at the domain's last site (the border ring, x = 39): the next
        // pixel is the frame around the map.
        let (right, mid) = (l.map.x + l.map.w, l.map.y + l.map.h / 2);
        assert_eq!(cells.at(right - 1, mid), colour(WALL, 10));
        assert_eq!(cells.at(right, mid), FRAME);
        assert_eq!(field.at(right, mid), FRAME);
        assert_ne!(field.at(right - 1, mid), PAPER);
        // Same µm: 40 sites of 10 µm.
        let um = |img: &Image| {
            let l = img.layout(&region);
            (l.map.w / region.px_per_site) as f64 * INFO.spacing_um
        };
        assert_eq!(um(&cells), 400.0);
        assert_eq!(um(&field), um(&cells));
    }
}
