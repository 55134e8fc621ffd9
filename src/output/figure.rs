//! The frame of every snapshot picture: a map (lattice or field, one square of pixels per
//! site) with a header (title, day stamp, and in 3D the z slice shown), a scale bar in µm
//! under the map, and a side panel holding a legend or a colour bar.
//!
//! ```text
//! title                                  day D
//! z = K (central slice)                  (3D only)
//! +-----------------+   legend / colour bar
//! |       map       |
//! +-----------------+
//! ===== 100 µm
//! ```
//!
//! The layout depends only on the map's size and the dimension ([`layout`]), so pictures of
//! one snapshot (cells, IL6, CXCL7) share their size and map position, and so do the
//! frames of an animation. Text is 8 × 8 pixels, doubled when the map is at least
//! [`BIG_TEXT_FROM`] pixels tall.

use crate::output::canvas::{Canvas, GLYPH};
use crate::output::colour_scale::{LogScale, decade_label};

/// Maps at least this many pixels tall get text at twice the font size.
pub const BIG_TEXT_FROM: usize = 480;
/// Text and lines.
pub const INK: [u8; 3] = [0, 0, 0];
/// The picture's background.
pub const PAPER: [u8; 3] = [255, 255, 255];
/// The frame drawn around the map (outside it).
pub const FRAME: [u8; 3] = [96, 96, 96];
/// Width of the side panel in characters.
const SIDE_CHARS: usize = 26;
/// Lines of text the side panel holds at least (the body is at least this tall).
const SIDE_LINES: usize = 12;

/// A rectangle of pixels: top-left corner, width and height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: usize,
    /// Top edge.
    pub y: usize,
    /// Width.
    pub w: usize,
    /// Height.
    pub h: usize,
}

/// Where the parts of a picture go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Font pixels per glyph pixel (1 or 2).
    pub text_scale: usize,
    /// The whole picture's width.
    pub width: usize,
    /// The whole picture's height.
    pub height: usize,
    /// The title, top left.
    pub title: Rect,
    /// The day stamp (`day D`), right-aligned in this box at the top right.
    pub day: Rect,
    /// In 3D, the slice label (`z = K (central slice)`) under the title.
    pub slice: Option<Rect>,
    /// The map.
    pub map: Rect,
    /// The legend or colour bar.
    pub side: Rect,
    /// The scale bar and its label, under the map.
    pub scale_bar: Rect,
}

/// The layout of a picture whose map is `map_w` × `map_h` pixels (`three_d`: with a slice
/// label line).
pub fn layout(map_w: usize, map_h: usize, three_d: bool) -> Layout {
    let t = if map_h >= BIG_TEXT_FROM { 2 } else { 1 };
    let (g, pad) = (GLYPH * t, 4 * t);
    let m = 2 * g;
    let line = g + pad;
    let title = Rect {
        x: m,
        y: m,
        w: 14 * g,
        h: g,
    };
    let slice = three_d.then_some(Rect {
        x: m,
        y: m + line,
        w: 22 * g,
        h: g,
    });
    let map_y = m + line * if three_d { 2 } else { 1 } + pad;
    let body_h = map_h.max(SIDE_LINES * line);
    let side = Rect {
        x: m + map_w + m,
        y: map_y,
        w: SIDE_CHARS * g,
        h: body_h,
    };
    let width = side.x + side.w + m;
    let scale_bar = Rect {
        x: m,
        y: map_y + body_h + 2 * pad,
        w: map_w.max(12 * g),
        h: g,
    };
    Layout {
        text_scale: t,
        width,
        height: scale_bar.y + scale_bar.h + m,
        title,
        day: Rect {
            x: width - m - 12 * g,
            y: m,
            w: 12 * g,
            h: g,
        },
        slice,
        map: Rect {
            x: m,
            y: map_y,
            w: map_w,
            h: map_h,
        },
        side,
        scale_bar,
    }
}

/// What is stamped on a picture.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The title (`cells`, `IL6 (ng/mL)`).
    pub title: &'a str,
    /// The day, as in the file name (`30`, `12.5`).
    pub day: &'a str,
    /// Lattice spacing, µm per site (`space.spacing_um`).
    pub spacing_um: f64,
    /// Map pixels per lattice site.
    pub px_per_site: usize,
    /// In 3D, the z of the slice shown (the central one).
    pub slice_z: Option<i64>,
}

/// The swatch of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// One colour.
    Solid([u8; 3]),
    /// A ramp from the first colour (left) to the second (right).
    Ramp([u8; 3], [u8; 3]),
    /// No swatch: a line of text under the previous entry.
    None,
}

/// One line of a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Its swatch.
    pub swatch: Swatch,
    /// Its text.
    pub label: String,
}

/// What the side panel shows.
#[derive(Debug, Clone, Copy)]
pub enum Side<'a> {
    /// A legend, one entry per line.
    Legend(&'a [LegendEntry]),
    /// A vertical colour bar of a log scale with a tick per decade, then lines of notes.
    ColourBar(&'a LogScale, &'a [&'a str]),
}

/// A round scale-bar length (µm) no longer than a quarter of `map_w` pixels, and its
/// length in pixels.
pub fn scale_bar_length(map_w: usize, spacing_um: f64, px_per_site: usize) -> (f64, usize) {
    const LENGTHS: [f64; 16] = [
        1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5,
    ];
    let px = |um: f64| ((um / spacing_um * px_per_site as f64).round() as usize).max(1);
    let um = LENGTHS
        .iter()
        .rev()
        .copied()
        .find(|&um| px(um) <= map_w / 4)
        .unwrap_or(LENGTHS[0]);
    (um, px(um))
}

/// `100 µm`, `1 mm`, `2.5 mm`.
pub fn length_label(um: f64) -> String {
    if um >= 1000.0 {
        format!("{} mm", um / 1000.0)
    } else {
        format!("{um} µm")
    }
}

/// The picture: `map` framed and stamped as [`layout`] places it.
pub fn compose(map: &Canvas, stamp: &Stamp, side: &Side) -> Canvas {
    let l = layout(map.width(), map.height(), stamp.slice_z.is_some());
    let t = l.text_scale;
    let (g, pad) = (GLYPH * t, 4 * t);
    let mut c = Canvas::new(l.width, l.height, PAPER);
    c.text(l.title.x, l.title.y, stamp.title, INK, t);
    let day = format!("day {}", stamp.day);
    let dw = Canvas::text_width(&day, t);
    c.text(
        (l.day.x + l.day.w).saturating_sub(dw),
        l.day.y,
        &day,
        INK,
        t,
    );
    if let (Some(r), Some(z)) = (l.slice, stamp.slice_z) {
        c.text(r.x, r.y, &format!("z = {z} (central slice)"), INK, t);
    }
    c.stroke_rect(l.map.x - 1, l.map.y - 1, l.map.w + 2, l.map.h + 2, FRAME);
    c.blit(map, l.map.x, l.map.y);

    // Scale bar.
    let (um, px) = scale_bar_length(l.map.w, stamp.spacing_um, stamp.px_per_site);
    let r = l.scale_bar;
    c.fill_rect(r.x, r.y + g / 2 - t, px, 2 * t, INK);
    c.fill_rect(r.x, r.y + pad, t, g - 2 * pad, INK);
    c.fill_rect(r.x + px - t.min(px), r.y + pad, t, g - 2 * pad, INK);
    c.text(r.x + px + 2 * pad, r.y, &length_label(um), INK, t);

    let s = l.side;
    let line = g + pad;
    match side {
        Side::Legend(entries) => {
            for (k, e) in entries.iter().enumerate() {
                let y = s.y + k * line;
                let (sw, sh) = (2 * g, g);
                match e.swatch {
                    Swatch::Solid(col) => c.fill_rect(s.x, y, sw, sh, col),
                    Swatch::Ramp(a, b) => {
                        for i in 0..sw {
                            let f = i as f64 / (sw - 1).max(1) as f64;
                            let col: [u8; 3] = std::array::from_fn(|k| {
                                (a[k] as f64 + (b[k] as f64 - a[k] as f64) * f).round() as u8
                            });
                            c.fill_rect(s.x + i, y, 1, sh, col);
                        }
                    }
                    Swatch::None => {}
                }
                if e.swatch != Swatch::None {
                    c.stroke_rect(s.x - 1, y - 1, sw + 2, sh + 2, FRAME);
                }
                c.text(s.x + sw + 2 * pad, y, &e.label, INK, t);
            }
        }
        Side::ColourBar(scale, notes) => {
            let bar_y = s.y + g / 2;
            let bar_h = s.h.saturating_sub(g + (notes.len() + 1) * line).max(2);
            let bar_w = 2 * g;
            for row in 0..bar_h {
                let p = 1.0 - row as f64 / (bar_h - 1) as f64;
                c.fill_rect(
                    s.x,
                    bar_y + row,
                    bar_w,
                    1,
                    crate::output::colour_scale::viridis(p),
                );
            }
            c.stroke_rect(s.x - 1, bar_y - 1, bar_w + 2, bar_h + 2, FRAME);
            for (v, p) in scale.decades() {
                let y = bar_y + ((1.0 - p) * (bar_h - 1) as f64).round() as usize;
                c.fill_rect(s.x + bar_w, y, pad, t, INK);
                c.text(s.x + bar_w + 2 * pad, y - g / 2, &decade_label(v), INK, t);
            }
            for (k, note) in notes.iter().enumerate() {
                c.text(s.x, bar_y + bar_h + g + k * line, note, INK, t);
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_is_a_round_length_under_a_quarter_of_the_map() {
        // 10 µm sites, 1 px each, 1024 px: 2 mm would be 200 px ≤ 256.
        assert_eq!(scale_bar_length(1024, 10.0, 1), (2000.0, 200));
        assert_eq!(scale_bar_length(256, 10.0, 4), (100.0, 40));
        assert_eq!(scale_bar_length(256, 10.0, 1), (500.0, 50));
        assert_eq!(length_label(2000.0), "2 mm");
        assert_eq!(length_label(500.0), "500 µm");
    }

    #[test]
    fn pictures_of_one_map_size_share_their_layout() {
        let a = layout(300, 200, false);
        assert_eq!(a.map.w, 300);
        assert!(a.side.x > a.map.x + a.map.w && a.width > a.side.x + a.side.w - 1);
        assert!(a.height > a.map.y + a.side.h);
        assert_eq!(a.text_scale, 1);
        let b = layout(600, 600, true);
        assert_eq!(b.text_scale, 2);
        assert!(b.slice.is_some() && b.map.y > a.map.y);
    }
}
