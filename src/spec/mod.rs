//! What the batch files (`seedsoil sweep`, `seedsoil compare`) share: their typed head
//! and the pieces of their one-pass validation.
//!
//! Each batch file is read in three steps: the text is parsed as TOML (syntax errors keep
//! toml's line and column); the table is deserialized by serde into the file's typed
//! structs, whose fields are [`given::Given`] values (a value of the wrong type is kept, not
//! refused) and whose unknown keys are collected by a flattened table; then one validation
//! pass per file type turns the structs into the checked spec, collecting every problem
//! with its key, value and allowed range.
//!
//! - [`given`]: [`given::Given`], a field as the file gives it.
//! - [`show`]: values and names as problems show them.
//! - [`head`]: [`head::HeadFile`], the keys every batch file starts with (`base`, `seed`,
//!   `replicates`), and their checks.
//! - [`set`]: the `set` table of config keys applied after the base.

pub(crate) mod given;
pub(crate) mod head;
pub(crate) mod set;
pub(crate) mod show;
