//! An RGB8 canvas to draw pictures on: filled rectangles, copies of other canvases and
//! text in the public-domain 8 × 8 bitmap font of the `font8x8` crate (ASCII, Latin-1
//! such as `µ`, and Greek such as `ρ`; other characters are drawn as `?`).
//!
//! Drawing clips to the canvas; everything is integer arithmetic, so pictures are
//! byte-identical on every machine and for every thread count.

use font8x8::UnicodeFonts;

/// Side of a glyph in font pixels (each drawn as `scale × scale` canvas pixels).
pub const GLYPH: usize = 8;

/// An RGB8 image, row-major from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    /// A `width` × `height` canvas filled with `background`.
    pub fn new(width: usize, height: usize, background: [u8; 3]) -> Self {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            rgb.extend_from_slice(&background);
        }
        Canvas { width, height, rgb }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels, RGB8, row-major from the top-left corner.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// The colour of pixel `(x, y)` (`None` outside the canvas).
    pub fn get(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        (x < self.width && y < self.height).then(|| {
            let i = (y * self.width + x) * 3;
            [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
        })
    }

    /// Sets pixel `(x, y)` (ignored outside the canvas).
    pub fn put(&mut self, x: usize, y: usize, colour: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = (y * self.width + x) * 3;
            self.rgb[i..i + 3].copy_from_slice(&colour);
        }
    }

    /// Fills the rectangle of `w` × `h` pixels whose top-left corner is `(x, y)`, clipped
    /// to the canvas.
    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        let (x1, y1) = ((x + w).min(self.width), (y + h).min(self.height));
        for py in y.min(y1)..y1 {
            let row = py * self.width;
            for px in x.min(x1)..x1 {
                let i = (row + px) * 3;
                self.rgb[i..i + 3].copy_from_slice(&colour);
            }
        }
    }

    /// The outline, one pixel wide, of the rectangle `(x, y, w, h)`.
    pub fn stroke_rect(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        if w == 0 || h == 0 {
            return;
        }
        self.fill_rect(x, y, w, 1, colour);
        self.fill_rect(x, y + h - 1, w, 1, colour);
        self.fill_rect(x, y, 1, h, colour);
        self.fill_rect(x + w - 1, y, 1, h, colour);
    }

    /// Copies `src` with its top-left corner at `(x, y)`, clipped to this canvas.
    pub fn blit(&mut self, src: &Canvas, x: usize, y: usize) {
        let w = src.width.min(self.width.saturating_sub(x));
        for sy in 0..src.height.min(self.height.saturating_sub(y)) {
            let from = sy * src.width * 3;
            let to = ((y + sy) * self.width + x) * 3;
            self.rgb[to..to + w * 3].copy_from_slice(&src.rgb[from..from + w * 3]);
        }
    }

    /// Width in pixels of `text` drawn at `scale`.
    pub fn text_width(text: &str, scale: usize) -> usize {
        text.chars().count() * GLYPH * scale
    }

    /// Draws `text` with its top-left corner at `(x, y)`, each font pixel a `scale` ×
    /// `scale` square of `colour` (the background shows through); returns the width drawn.
    pub fn text(&mut self, x: usize, y: usize, text: &str, colour: [u8; 3], scale: usize) -> usize {
        let scale = scale.max(1);
        for (k, ch) in text.chars().enumerate() {
            let rows = glyph(ch);
            let gx = x + k * GLYPH * scale;
            for (row, bits) in rows.iter().enumerate() {
                for col in 0..GLYPH {
                    // Bit 0 is the leftmost pixel of the row.
                    if bits >> col & 1 == 1 {
                        self.fill_rect(gx + col * scale, y + row * scale, scale, scale, colour);
                    }
                }
            }
        }
        Self::text_width(text, scale)
    }

    /// The canvas as PNG bytes.
    pub fn png(&self) -> Vec<u8> {
        crate::output::snapshot::encode_png(self.width as u32, self.height as u32, &self.rgb)
    }
}

/// The 8 rows of a character's glyph (`?` for characters the font lacks).
fn glyph(ch: char) -> [u8; 8] {
    font8x8::BASIC_FONTS
        .get(ch)
        .or_else(|| font8x8::LATIN_FONTS.get(ch))
        .or_else(|| font8x8::GREEK_FONTS.get(ch))
        .or_else(|| font8x8::BASIC_FONTS.get('?'))
        .unwrap_or([0; 8])
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: [u8; 3] = [255, 255, 255];
    const BLACK: [u8; 3] = [0, 0, 0];

    #[test]
    fn text_draws_glyph_pixels_inside_its_box_only() {
        let mut c = Canvas::new(40, 20, WHITE);
        let w = c.text(2, 3, "µρ1", BLACK, 1);
        assert_eq!(w, 24);
        let mut inside = 0;
        for y in 0..20 {
            for x in 0..40 {
                let dark = c.get(x, y) == Some(BLACK);
                let in_box = (2..26).contains(&x) && (3..11).contains(&y);
                assert!(!dark || in_box, "pixel ({x}, {y}) outside the text box");
                inside += usize::from(dark);
            }
        }
        assert!(inside > 10, "the glyphs are drawn");
        // Scaled text covers a box `scale` times larger.
        let mut big = Canvas::new(40, 40, WHITE);
        assert_eq!(big.text(0, 0, "A", BLACK, 3), 24);
    }

    #[test]
    fn fill_and_blit_clip_to_the_canvas() {
        let mut c = Canvas::new(4, 3, WHITE);
        c.fill_rect(3, 2, 10, 10, BLACK);
        assert_eq!(c.get(3, 2), Some(BLACK));
        assert_eq!(c.get(2, 2), Some(WHITE));
        let mut src = Canvas::new(3, 3, [1, 2, 3]);
        src.put(0, 0, BLACK);
        c.blit(&src, 2, 1);
        assert_eq!(c.get(2, 1), Some(BLACK));
        assert_eq!(c.get(3, 2), Some([1, 2, 3]));
        assert_eq!(c.get(1, 1), Some(WHITE));
        assert_eq!(c.get(4, 0), None);
    }
}
