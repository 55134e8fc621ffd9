//! Cancer-cell kinds and their encoding in the low five bits of a lattice site.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | empty site |
//! | 1 ..= 21 | `Progenitor(ρ)` with ρ = code − 1 (ρ = 0: differentiated, exhausted) |
//! | 30 | `Stem` (cancer stem cell, CSC) |
//! | 31 | wall (the occupied border of the domain), or debris ([`DEBRIS`]) |

/// Mask of the kind code within a site byte.
pub const KIND_MASK: u8 = 0x1F;
/// Code of an empty site.
pub const EMPTY: u8 = 0;
/// Code of a cancer stem cell.
pub const STEM: u8 = 30;
/// Code of a wall site (the domain's occupied border, and anything outside the domain).
pub const WALL: u8 = 31;
/// Code of debris: the remains of a dead cell that block its site until they are cleared
/// (`cells.clearance_h` > 0). Debris shares the wall's code on purpose: to every rule it is
/// what the border is, an occupied site that holds no cancer cell (never counted, never
/// listed, never a division or migration target, not empty for contact inhibition or for
/// the exterior), so the hot loop needs no extra test. It is told apart from the border by
/// position: the border is fixed by the domain's geometry
/// ([`crate::space::Lattice::is_wall`]), debris lies inside the domain.
pub const DEBRIS: u8 = WALL;
/// Largest ρmax the encoding supports.
pub const RHO_LIMIT: u8 = 20;

/// Code of `Progenitor(rho)`.
#[inline(always)]
pub const fn progenitor(rho: u8) -> u8 {
    rho + 1
}

/// Whether a code holds a cancer cell (stem or progenitor).
#[inline(always)]
pub const fn is_cell(code: u8) -> bool {
    code != EMPTY && code != WALL
}

/// For eight site bytes (a little-endian `u64`, site `8w + b` in byte b), bit masks (bit b
/// = byte b) of the bytes that hold a cancer cell ([`is_cell`]) and of those that hold a
/// CSC: a byte holds a cell if its kind is neither 0 (empty) nor 31 (wall), a CSC if its
/// kind is 30 (SWAR, eight sites at once).
#[inline(always)]
pub fn classify8(v: u64) -> (u32, u32) {
    const K: u64 = 0x1F1F_1F1F_1F1F_1F1F;
    const H: u64 = 0x8080_8080_8080_8080;
    const L: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let m = v & K;
    // High bit of a byte set iff the byte (≤ 0x1F) is non-zero.
    let nonzero = |x: u64| (x + L) & H;
    let occupied = nonzero(m);
    let not_wall = nonzero(m ^ K);
    let not_stem = nonzero(m ^ (0x1E1E_1E1E_1E1E_1E1E));
    let cells = occupied & not_wall;
    let stems = cells & !not_stem & H;
    (gather8(cells), gather8(stems))
}

/// Bits 7, 15, …, 63 of `x` to bits 0..8.
#[inline(always)]
fn gather8(x: u64) -> u32 {
    (((x >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
}

/// A decoded site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No cell.
    Empty,
    /// Cancer stem cell.
    Stem,
    /// Non-stem cancer cell with ρ divisions left (ρ = 0: differentiated).
    Progenitor(u8),
    /// Occupied border.
    Wall,
}

impl Kind {
    /// Decode a kind code (the low five bits of a site).
    pub fn from_code(code: u8) -> Kind {
        match code & KIND_MASK {
            EMPTY => Kind::Empty,
            STEM => Kind::Stem,
            WALL => Kind::Wall,
            c => Kind::Progenitor(c - 1),
        }
    }

    /// Encode as a kind code.
    pub fn code(self) -> u8 {
        match self {
            Kind::Empty => EMPTY,
            Kind::Stem => STEM,
            Kind::Wall => WALL,
            Kind::Progenitor(r) => progenitor(r),
        }
    }
}

/// Counting classes of cancer cells, as reported in outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Cancer stem cells.
    Csc = 0,
    /// Progenitors with ρ > 0 (can still divide).
    Progenitor = 1,
    /// Differentiated cells (ρ = 0).
    Differentiated = 2,
}

/// The counting class of a cell code (`None` for empty and wall).
#[inline(always)]
pub const fn class_index(code: u8) -> usize {
    match code {
        STEM => 0,
        1 => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify8_matches_bytewise() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (cells, stems) = classify8(x);
            for b in 0..8 {
                let code = ((x >> (8 * b)) & 0x1F) as u8;
                assert_eq!(cells >> b & 1 == 1, is_cell(code), "{x:#x} byte {b}");
                assert_eq!(stems >> b & 1 == 1, code == STEM, "{x:#x} byte {b}");
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for k in [
            Kind::Empty,
            Kind::Stem,
            Kind::Wall,
            Kind::Progenitor(0),
            Kind::Progenitor(RHO_LIMIT),
        ] {
            assert_eq!(Kind::from_code(k.code()), k);
        }
        assert!(progenitor(RHO_LIMIT) < STEM);
        assert_eq!(class_index(STEM), Class::Csc as usize);
        assert_eq!(class_index(progenitor(0)), Class::Differentiated as usize);
        assert_eq!(class_index(progenitor(3)), Class::Progenitor as usize);
    }
}
