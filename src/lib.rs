//! seedsoil: a fast, reproducible agent-based simulator of tumour cell hierarchies.
#![deny(missing_docs)]

pub mod batch;
pub mod checkpoint;
pub mod compare;
pub mod config;
pub mod error;
pub mod fields;
pub mod metastasis;
pub mod model;
pub mod output;
pub mod rng;
pub mod sim;
pub mod space;
pub mod sweep;
pub mod therapy;
pub mod validate;
