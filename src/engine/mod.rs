//! The engine parts the step loop ([`crate::sim`]) drives: the parallel primary lattice
//! engine ([`primary`]), the coupling of the cytokine fields to the cells ([`cytokines`],
//! read through a [`FieldView`]), the MSC population ([`msc`]) and the spinning barrier of
//! the primary's worker threads ([`barrier`]).
//!
//! Everything here sits below [`crate::therapy`] and [`crate::metastasis`], which act on a
//! [`Primary`] (therapies on the primary tumour, colonies as small primaries), and below
//! [`crate::sim`], which owns one of each and steps them in order.

pub mod barrier;
pub mod cytokines;
pub mod field_view;
pub mod msc;
pub mod primary;

pub use cytokines::{Cytokines, FieldStats, MscSecretion};
pub use field_view::FieldView;
pub use msc::{MscEvents, Mscs};
pub use primary::{EventCounts, Primary};
