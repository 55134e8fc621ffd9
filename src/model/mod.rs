//! Model rules as pure functions: cell kinds, their one-byte encoding, the fate rules
//! of the cancer-cell hierarchy (docs/model.md §7.2–7.8) and of the MSCs (§7.11).
//! Random numbers are passed in.

pub mod hierarchy;
pub mod kind;
pub mod msc;

pub use hierarchy::{HierarchyRates, hill};
pub use kind::{Class, Kind};
