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
    read_capped_if(path, cap, 0, |_| true).map(Option::unwrap_or_default)
}

/// As [`read_capped`], but the first `n` bytes (fewer if the file is shorter) are read
/// first and passed to `accept`: if it refuses them, the rest is never read and the
/// answer is `None` (so `/dev/zero` given as a checkpoint is refused at once). The file
/// is opened once, so a named pipe or `/dev/stdin` works too.
pub fn read_capped_if(
    path: &Path,
    cap: u64,
    n: usize,
    accept: impl FnOnce(&[u8]) -> bool,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > cap
    {
        return Err(ReadError::TooLarge { cap });
    }
    let mut bytes = Vec::with_capacity(n);
    (&mut file)
        .take(n as u64)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if !accept(&bytes) {
        return Ok(None);
    }
    let rest = cap.saturating_add(1).saturating_sub(bytes.len() as u64);
    file.take(rest)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(Some(bytes))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole_with_its_head_and_a_refused_head_stops_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"HEADrest of it").unwrap();
        let got = read_capped_if(&path, 100, 4, |h| h == b"HEAD").unwrap();
        assert_eq!(got.as_deref(), Some(&b"HEADrest of it"[..]));
        assert!(
            read_capped_if(&path, 100, 4, |h| h == b"NOPE")
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            read_capped_if(&path, 5, 4, |_| true),
            Err(ReadError::TooLarge { cap: 5 })
        ));
        // An endless device: refused on its head, without reading on.
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            assert!(
                read_capped_if(zero, 1 << 40, 4, |h| h == b"HEAD")
                    .unwrap()
                    .is_none()
            );
            assert!(matches!(
                read_capped(zero, 1000),
                Err(ReadError::TooLarge { cap: 1000 })
            ));
        }
    }

    /// A named pipe can be read once only: the head checked must stay part of the bytes.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_keeps_its_head() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, b"HEADbody").unwrap())
        };
        let got = read_capped_if(&fifo, 100, 4, |h| h == b"HEAD").unwrap();
        writer.join().unwrap();
        assert_eq!(got.as_deref(), Some(&b"HEADbody"[..]));
    }
}
