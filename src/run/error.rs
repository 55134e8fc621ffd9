//! Why a driven run failed: [`DriverError`].

use crate::checkpoint::CheckpointError;
use crate::error::RunError;
use crate::sim::SimError;

/// Why [`crate::run::Driver`] could not complete a run.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The simulation could not be built from the config.
    #[error("cannot start the simulation: {0}")]
    Start(SimError),
    /// The checkpoint could not be restored with the config (its simulation or its
    /// recorder).
    #[error(transparent)]
    Restore(#[from] CheckpointError),
    /// An output (table, snapshot, checkpoint, `config.toml`) could not be written.
    #[error(transparent)]
    Output(#[from] RunError),
    /// The simulation panicked (a bug: no accepted config should make it panic). The
    /// message is the panic's.
    #[error("the simulation panicked (a bug in seedsoil; please report it with the config): {0}")]
    Panicked(String),
}

/// The message of a caught panic's payload (`panic!` with a literal or a formatted
/// message), or `unknown panic`.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string())
}

impl DriverError {
    /// Process exit code: 2 (bad input) when the initial cells cannot be placed, 1 when the
    /// simulation cannot start otherwise or panicked, the checkpoint's code (2, bad input)
    /// when it cannot be restored or started from, the output error's code otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            // A cells file that changed into a bad one since the config was checked.
            DriverError::Start(crate::sim::SimError::InitialCells(_)) => 2,
            DriverError::Start(_) | DriverError::Panicked(_) => 1,
            DriverError::Restore(e) => e.exit_code(),
            DriverError::Output(e) => e.exit_code(),
        }
    }
}
