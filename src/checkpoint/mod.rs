//! Checkpoints: the whole state of a run at the start of a step, saved to resume it later
//! with byte-identical outputs, or to branch scenarios from one grown tumour.
//!
//! # What is saved
//!
//! Only *dynamic* state: everything derived from the config (rates, precomputed tables,
//! solver plans, the thread pool) is rebuilt by [`Simulation::new`] from the config, and
//! the dynamic state is then overwritten in place. That state is
//! - the step counter and the primary's turns at the last step;
//! - the primary tumour: lattice geometry, every site byte *with* its listed and stamp
//!   flags, each tile's active list in its exact order (tiles shuffle their lists), work
//!   estimates, counts, event counts and the debris queue (site and clearance step of each
//!   dead cell's debris, `cells.clearance_h`; format 3);
//! - the cytokine fields (grid shape and origin, both concentration fields, per field
//!   cell counts, the last IL6 output);
//! - the MSCs (pool, every MSC, whether the injection is still to come, events);
//! - metastasis: organs' counters, the blood, every colony with its own lattice state and
//!   seed, the tumour-derived factor, cascade counts, the event log, the colony counter;
//! - the [`Recorder`]'s tables so far and its counters, so that a resumed run appends to
//!   exactly the text an uninterrupted run would have.
//!
//! Random streams are keyed by `(seed, purpose, entity, step)` ([`crate::rng`]) and no
//! generator lives across steps, so the seed and the step reconstruct every stream.
//!
//! # File format (version [`FORMAT_VERSION`])
//!
//! ```text
//! magic            20 bytes  "SEEDSOIL-CHECKPOINT\0"
//! format version   u32 LE    FORMAT_VERSION
//! seedsoil version u64 LE length + UTF-8
//! config           u64 LE length + UTF-8: the resolved config TOML
//! step             u64 LE    the step at which the checkpoint was taken
//! state            u64 LE length + bytes: the simulation ([`crate::persist::codec`])
//! recorder         u64 LE length + bytes: the recorder's tables and counters
//! checksum         u64 LE    FNV-1a 64 of every byte before it
//! ```
//!
//! # Structural keys
//!
//! A checkpoint may be restored with a changed config (rates, therapies, days, output
//! cadence), but not with changed keys that define the shape of the saved state
//! ([`STRUCTURAL_KEYS`] and the set of organ names).

use crate::config::{self, Config};
use crate::error::ConfigError;
use crate::output::{Recorder, RunDir};
use crate::persist::{CodecError, Reader, Writer};
use crate::sim::{SimError, Simulation};
use crate::units::steps_to_days;

/// The checkpoint format this seedsoil writes and reads.
pub const FORMAT_VERSION: u32 = 3;

/// First bytes of every checkpoint file.
pub const MAGIC: &[u8; 20] = b"SEEDSOIL-CHECKPOINT\0";

/// Config keys (dotted; a trailing `.` means every key of that table) that define the
/// structure of the saved state and so may not change on restore. The set of organ names
/// (`organs.<name>`) may not change either.
pub const STRUCTURAL_KEYS: &[&str] = &[
    "run.seed",
    "run.dt_h",
    "space.",
    "init.",
    "cells.rho_max",
    "fields.enabled",
    "fields.coarsen",
    "dissemination.enabled",
    "dissemination.colony_max_size",
];

/// Why a checkpoint could not be read or restored. Every variant is bad input (exit
/// code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The checkpoint file could not be read.
    #[error("cannot read checkpoint {}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The bytes do not start with the checkpoint magic.
    #[error("not a seedsoil checkpoint (the file does not start with the checkpoint header)")]
    NotACheckpoint,
    /// A checkpoint of another format version.
    #[error(
        "checkpoint format version {found}, this seedsoil reads version {expected} \
         (written by seedsoil {written_by})"
    )]
    Version {
        /// The file's format version.
        found: u32,
        /// [`FORMAT_VERSION`].
        expected: u32,
        /// The seedsoil version that wrote it, if readable (else `unknown`).
        written_by: String,
    },
    /// The checksum does not match the contents: the file is truncated or corrupt.
    #[error(
        "checkpoint is truncated or corrupt: checksum mismatch (stored {stored:#018x}, \
         computed {computed:#018x})"
    )]
    Checksum {
        /// The checksum in the file.
        stored: u64,
        /// The checksum of the contents.
        computed: u64,
    },
    /// The contents could not be decoded (checksum fine, data inconsistent). The codec
    /// error is part of the message, not a separate source (it would be printed twice).
    #[error("checkpoint is truncated or corrupt: {0}")]
    Corrupt(CodecError),
    /// The config stored in the checkpoint, or the config to restore with, is invalid.
    #[error("config of the checkpoint: {0}")]
    Config(ConfigError),
    /// The config to restore with changes keys that define the saved state's structure.
    #[error("{}", format_structural(.0))]
    Structural(Vec<StructuralChange>),
    /// The simulation could not be built from the config.
    #[error("cannot restore the simulation: {0}")]
    Sim(SimError),
    /// The checkpoint file is larger than [`MAX_CHECKPOINT_BYTES`].
    #[error(
        "checkpoint {} is larger than {}, the most seedsoil reads as a checkpoint \
         (a checkpoint of the largest run that fits in memory is smaller)",
        path.display(), crate::input::human_bytes(*cap)
    )]
    TooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// The cap, in bytes.
        cap: u64,
    },
}

impl From<CodecError> for CheckpointError {
    fn from(e: CodecError) -> Self {
        CheckpointError::Corrupt(e)
    }
}

impl From<ConfigError> for CheckpointError {
    fn from(e: ConfigError) -> Self {
        CheckpointError::Config(e)
    }
}

impl From<SimError> for CheckpointError {
    fn from(e: SimError) -> Self {
        CheckpointError::Sim(e)
    }
}

/// The largest checkpoint file seedsoil reads: 64 GiB.
pub const MAX_CHECKPOINT_BYTES: u64 = 64 << 30;

impl CheckpointError {
    /// Process exit code: always 2 (bad input, docs/architecture.md §6).
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// A structural key whose value differs between the checkpoint and a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuralChange {
    /// Dotted key (`organs` for the set of organ names).
    pub key: String,
    /// The checkpoint's value (TOML syntax; `(none)` if absent).
    pub checkpoint: String,
    /// The new value.
    pub new: String,
}

fn format_structural(changes: &[StructuralChange]) -> String {
    let mut text = String::from(
        "cannot resume with a changed structural key (it defines the saved state; \
         rates, therapies, days and output cadence may change):",
    );
    for c in changes {
        text.push_str(&format!(
            "\n  {}: checkpoint {}, new {}",
            c.key, c.checkpoint, c.new
        ));
    }
    text
}

/// FNV-1a, 64 bit.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// Serialise the simulation and the recorder's accumulated state, storing
/// `sim.config()` as the checkpoint's config.
pub fn save(sim: &Simulation, recorder: &Recorder) -> Vec<u8> {
    save_with_config(sim, recorder, sim.config())
}

/// Like [`save`], storing `config` as the checkpoint's config: the config as the run
/// records it (e.g. without a `--threads` override of the command line, which is in
/// `sim.config()` but not in the run's `config.toml`). It must equal `sim.config()` in
/// every key but `run.threads`.
pub fn save_with_config(sim: &Simulation, recorder: &Recorder, config: &Config) -> Vec<u8> {
    let mut w = Writer::new();
    w.put_raw(MAGIC);
    w.put_u32(FORMAT_VERSION);
    w.put_str(env!("CARGO_PKG_VERSION"));
    w.put_str(&config.to_toml());
    w.put_u64(sim.step_count());
    let mut state = Writer::new();
    sim.save_state(&mut state);
    w.put_bytes(&state.into_bytes());
    let mut rec = Writer::new();
    recorder.save_state(&mut rec);
    w.put_bytes(&rec.into_bytes());
    let mut bytes = w.into_bytes();
    let sum = fnv1a64(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// What a checkpoint holds before it is applied.
#[derive(Clone)]
pub struct Checkpoint {
    /// The resolved config the checkpoint was taken with.
    pub config: Config,
    config_toml: String,
    seedsoil_version: String,
    step: u64,
    state: Vec<u8>,
    recorder: Vec<u8>,
}

/// Sizes instead of the (megabytes of) state bytes.
impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoint")
            .field("step", &self.step)
            .field("seedsoil_version", &self.seedsoil_version)
            .field("config_toml_bytes", &self.config_toml.len())
            .field("state_bytes", &self.state.len())
            .field("recorder_bytes", &self.recorder.len())
            .finish_non_exhaustive()
    }
}

impl Checkpoint {
    /// Read the checkpoint file `path`: its first bytes must be the checkpoint header
    /// (so that e.g. `/dev/zero` is refused at once), and it may hold at most
    /// [`MAX_CHECKPOINT_BYTES`]; then as [`Checkpoint::read`].
    pub fn read_file(path: &std::path::Path) -> Result<Checkpoint, CheckpointError> {
        let io = |source| CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        };
        match crate::input::read_capped_if(path, MAX_CHECKPOINT_BYTES, MAGIC.len(), |head| {
            head == MAGIC
        }) {
            Ok(Some(bytes)) => Checkpoint::read(&bytes),
            Ok(None) => Err(CheckpointError::NotACheckpoint),
            Err(crate::input::ReadError::TooLarge { cap }) => Err(CheckpointError::TooLarge {
                path: path.to_path_buf(),
                cap,
            }),
            Err(crate::input::ReadError::Io(source)) => Err(io(source)),
        }
    }

    /// Read a checkpoint file's bytes: header, format version, checksum, config.
    pub fn read(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(CheckpointError::NotACheckpoint);
        }
        let mut r = Reader::new(&bytes[MAGIC.len()..]);
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            let written_by = r.string().unwrap_or_else(|_| "unknown".to_string());
            return Err(CheckpointError::Version {
                found: version,
                expected: FORMAT_VERSION,
                written_by,
            });
        }
        if bytes.len() < MAGIC.len() + 4 + 8 {
            return Err(CodecError::Truncated {
                offset: bytes.len(),
                needed: 8,
                available: 0,
            }
            .into());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
        let computed = fnv1a64(body);
        if stored != computed {
            return Err(CheckpointError::Checksum { stored, computed });
        }
        let mut r = Reader::new(&body[MAGIC.len() + 4..]);
        let seedsoil_version = r.string()?;
        let config_toml = r.string()?;
        let step = r.count()?;
        let state = r.bytes()?.to_vec();
        let recorder = r.bytes()?.to_vec();
        let config = config::load_str(&config_toml, "the config stored in the checkpoint", &[])?;
        Ok(Checkpoint {
            config,
            config_toml,
            seedsoil_version,
            step,
            state,
            recorder,
        })
    }

    /// The step at which the checkpoint was taken (the observers had recorded it).
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The simulated day of the checkpoint.
    pub fn day(&self) -> f64 {
        steps_to_days(self.step, self.config.run.dt_h)
    }

    /// The resolved config TOML as stored (load it with
    /// [`crate::config::load_str`] and `--set` overrides to resume with changes).
    pub fn config_toml(&self) -> &str {
        &self.config_toml
    }

    /// The seedsoil version that wrote the checkpoint.
    pub fn seedsoil_version(&self) -> &str {
        &self.seedsoil_version
    }

    /// Every structural key ([`STRUCTURAL_KEYS`], organ names) whose value differs
    /// between the checkpoint's config and `config`.
    pub fn structural_changes(&self, config: &Config) -> Vec<StructuralChange> {
        let old = flatten(&self.config.to_table());
        let new = flatten(&config.to_table());
        let structural = |k: &str| {
            STRUCTURAL_KEYS.iter().any(|s| {
                if s.ends_with('.') {
                    k.starts_with(s)
                } else {
                    k == *s
                }
            })
        };
        let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
        keys.sort();
        keys.dedup();
        let show = |v: Option<&toml::Value>| v.map_or("(none)".to_string(), |v| v.to_string());
        let mut changes: Vec<StructuralChange> = keys
            .into_iter()
            .filter(|k| structural(k) && old.get(*k) != new.get(*k))
            .map(|k| StructuralChange {
                key: k.clone(),
                checkpoint: show(old.get(k)),
                new: show(new.get(k)),
            })
            .collect();
        let names = |c: &Config| c.organs.keys().cloned().collect::<Vec<_>>();
        let (a, b) = (names(&self.config), names(config));
        if a != b {
            changes.push(StructuralChange {
                key: "organs".to_string(),
                checkpoint: format!("{a:?}"),
                new: format!("{b:?}"),
            });
        }
        changes
    }

    /// Check that `config` keeps the checkpoint's structural keys.
    pub fn check_config(&self, config: &Config) -> Result<(), CheckpointError> {
        let changes = self.structural_changes(config);
        if changes.is_empty() {
            Ok(())
        } else {
            Err(CheckpointError::Structural(changes))
        }
    }

    /// Rebuild the simulation with `config` (the stored config or a changed one that
    /// keeps the structural keys); error if structural keys differ. Derived parameters
    /// come from `config`, the dynamic state from the checkpoint; the checkpoint's step
    /// counts as observed, so a run goes on without recording it again.
    pub fn restore(&self, config: &Config) -> Result<Simulation, CheckpointError> {
        self.check_config(config)?;
        let mut sim = Simulation::new(config)?;
        let mut r = Reader::new(&self.state);
        sim.load_state(&mut r)?;
        if sim.step_count() != self.step {
            return Err(CodecError::Invalid {
                what: "simulation step (differs from the checkpoint's step)",
                offset: 0,
            }
            .into());
        }
        if r.remaining() != 0 {
            return Err(CodecError::Invalid {
                what: "simulation state (bytes left over)",
                offset: r.position(),
            }
            .into());
        }
        Ok(sim)
    }

    /// The recorder as it was, re-attached to an output dir (cadence and
    /// snapshot days from `sim`'s config). Snapshot files written before the checkpoint
    /// are not part of it.
    pub fn restore_recorder(
        &self,
        sim: &Simulation,
        dir: Option<RunDir>,
    ) -> Result<Recorder, CheckpointError> {
        let mut r = Reader::new(&self.recorder);
        let rec = Recorder::load_state(sim, dir, &mut r)?;
        if r.remaining() != 0 {
            return Err(CodecError::Invalid {
                what: "recorder state (bytes left over)",
                offset: r.position(),
            }
            .into());
        }
        Ok(rec)
    }
}

/// Dotted keys of every leaf of a table (arrays are leaves).
fn flatten(table: &toml::Table) -> std::collections::BTreeMap<String, toml::Value> {
    fn walk(
        prefix: &str,
        table: &toml::Table,
        out: &mut std::collections::BTreeMap<String, toml::Value>,
    ) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                other => {
                    out.insert(key, other.clone());
                }
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk("", table, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Config {
        config::load_str(
            crate::config::DEFAULT_TOML,
            "test",
            &[
                "run.days=4".into(),
                "run.threads=1".into(),
                "space.max_size=300".into(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn save_read_restore_round_trips_and_resaves_identically() {
        let cfg = small();
        let mut sim = Simulation::new(&cfg).unwrap();
        let mut rec = Recorder::new(&sim, None);
        assert_eq!(sim.run_until(&mut rec, 48), None);
        let bytes = save(&sim, &rec);
        let ck = Checkpoint::read(&bytes).unwrap();
        assert_eq!(ck.step(), 48);
        assert_eq!(ck.config, cfg);
        let sim2 = ck.restore(&ck.config).unwrap();
        let rec2 = ck.restore_recorder(&sim2, None).unwrap();
        // Saving the restored state gives the same bytes.
        assert_eq!(save(&sim2, &rec2), bytes);
    }

    #[test]
    fn structural_changes_are_named() {
        let cfg = small();
        let sim = Simulation::new(&cfg).unwrap();
        let rec = Recorder::new(&sim, None);
        let ck = Checkpoint::read(&save(&sim, &rec)).unwrap();
        let mut other = cfg.clone();
        other.space.dims = 3;
        other.cells.p_symmetric = 0.2;
        other.run.days = 10.0;
        let changes = ck.structural_changes(&other);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].key, "space.dims");
        assert_eq!(changes[0].checkpoint, "2");
        assert_eq!(changes[0].new, "3");
        other.organs.remove("lung");
        assert!(
            ck.structural_changes(&other)
                .iter()
                .any(|c| c.key == "organs")
        );
    }

    #[test]
    fn bad_files_are_refused() {
        let cfg = small();
        let sim = Simulation::new(&cfg).unwrap();
        let rec = Recorder::new(&sim, None);
        let bytes = save(&sim, &rec);
        assert!(matches!(
            Checkpoint::read(b"hello"),
            Err(CheckpointError::NotACheckpoint)
        ));
        let mut v7 = bytes.clone();
        v7[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&7u32.to_le_bytes());
        let e = Checkpoint::read(&v7).unwrap_err();
        let expected =
            format!("checkpoint format version 7, this seedsoil reads version {FORMAT_VERSION}");
        assert!(e.to_string().starts_with(&expected), "{e}");
        let e = Checkpoint::read(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(matches!(e, CheckpointError::Checksum { .. }), "{e}");
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(Checkpoint::read(&flipped).is_err());
    }
}
