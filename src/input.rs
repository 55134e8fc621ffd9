//! Reading the files a user names (configs, sweep and compare files, checkpoints) with a
//! size cap, so that an endless or huge input (`/dev/zero`, a wrong path) is refused
//! with a message instead of being read until memory runs out.
//!
//! A leaf module: it knows files and bytes, nothing of what they hold.

use std::io::{self, Read};
use std::path::Path;

/// The largest TOML file seedsoil reads (configs, sweep and compare files, their base
/// and include files): 64 MiB. The shipped ones are a few kB.
pub const MAX_TOML_BYTES: u64 = 64 << 20;

/// Why a capped read failed.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(io::Error),
    /// The file holds more than `cap` bytes.
    TooLarge {
        /// The cap, in bytes.
        cap: u64,
    },
}

/// The whole file `path` if it holds at most `cap` bytes. A regular file larger than
/// the cap is refused before it is read; anything else (a device, a pipe) is read up to
/// one byte past the cap.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > cap
    {
        return Err(ReadError::TooLarge { cap });
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

/// At most the first `n` bytes of the file `path` (fewer if it is shorter).
pub fn read_head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(n);
    std::fs::File::open(path)?
        .take(n as u64)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of a TOML file of at most [`MAX_TOML_BYTES`]. A larger file, or one that
/// is not UTF-8, is an [`io::ErrorKind::InvalidData`] error whose message says why (the
/// callers name the file).
pub fn read_toml_text(path: &Path) -> io::Result<String> {
    let bytes = match read_capped(path, MAX_TOML_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) => return Err(e),
        Err(ReadError::TooLarge { cap }) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the file is larger than {}, the most seedsoil reads from a TOML file \
                     (config, sweep or compare file)",
                    human_bytes(cap)
                ),
            ));
        }
    };
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// A byte count in binary units: `64 MiB`, `64 GiB`, `512 bytes`.
pub fn human_bytes(n: u64) -> String {
    for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}
