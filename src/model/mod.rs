//! Model rules as pure functions: cell kinds, their one-byte encoding, the fate rules
//! of the cancer-cell hierarchy (docs/model.md §7.2–7.8) and the time-unit conversions
//! ([`units`]). Random numbers are passed in.

pub mod hierarchy;
pub mod kind;
pub mod msc;
pub mod units;

pub use hierarchy::{HierarchyRates, hill};
pub use kind::{Class, Kind};
