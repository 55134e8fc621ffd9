//! Space: the growing 2D/3D lattice, its neighbourhoods and its tiling.

pub mod exterior;
pub mod lattice;

pub use lattice::Lattice;
