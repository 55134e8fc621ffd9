//! Persistence of state in the checkpoint byte format: the binary [`codec`] and the
//! [`Persist`] trait of the types that write themselves with it and read themselves back.
//!
//! A leaf module: it knows bytes, not the simulation. Each domain type implements
//! [`Persist`] next to its own fields; [`crate::checkpoint`] puts them together into a file.

pub mod codec;

pub use codec::{CodecError, MAX_COUNT, Reader, Writer};

/// A value that writes itself to a [`Writer`] and reads itself back from a [`Reader`],
/// byte for byte: `T::load` of what `save` wrote gives an equal value.
pub trait Persist: Sized {
    /// Append the value to `w`.
    fn save(&self, w: &mut Writer);

    /// Read a value written by [`Persist::save`].
    fn load(r: &mut Reader<'_>) -> Result<Self, CodecError>;
}

/// State restored in place onto a value built from the config: the config rebuilds what
/// it derives (rates, tables, solver plans), [`Restore::restore`] overwrites the dynamic
/// state with what [`Restore::save`] wrote.
pub trait Restore {
    /// Append the dynamic state to `w`.
    fn save(&self, w: &mut Writer);

    /// Overwrite the dynamic state with one written by [`Restore::save`].
    fn restore(&mut self, r: &mut Reader<'_>) -> Result<(), CodecError>;
}
