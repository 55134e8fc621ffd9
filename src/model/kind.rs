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
