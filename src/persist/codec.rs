//! A small explicit binary codec for checkpoints: little-endian fixed-width integers and
//! floats (floats by their bit patterns, so every value round-trips exactly), booleans as
//! one byte, and length-prefixed (u64) byte strings and vectors.
//!
//! [`Writer`] appends to a `Vec<u8>`; [`Reader`] reads from a slice and returns
//! [`CodecError`] instead of panicking when the data ends early or holds an impossible
//! value, so a corrupt checkpoint is an error, never a crash.

/// Why decoding failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The data ended before the value being read.
    #[error("data ends early: needed {needed} bytes at offset {offset}, {available} left")]
    Truncated {
        /// Offset of the value being read.
        offset: usize,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left.
        available: usize,
    },
    /// A value that no writer produces (e.g. a boolean byte other than 0 or 1).
    #[error("invalid {what} at offset {offset}")]
    Invalid {
        /// What was being read.
        what: &'static str,
        /// Offset of the value.
        offset: usize,
    },
}

/// The largest count or step a checkpoint may hold (2⁵³, the integers an f64 holds
/// exactly): far above anything a run reaches, low enough that sums of counts never
/// overflow.
pub const MAX_COUNT: u64 = 1 << 53;

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Raw bytes, without a length.
    pub fn put_raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// One byte.
    pub fn put_u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A u16, little-endian.
    pub fn put_u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A u32, little-endian.
    pub fn put_u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A u64, little-endian.
    pub fn put_u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// An i64, little-endian.
    pub fn put_i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A usize, as u64.
    pub fn put_usize(&mut self, v: usize) {
        self.put_u64(v as u64);
    }

    /// An f32 by its bit pattern.
    pub fn put_f32(&mut self, v: f32) {
        self.put_u32(v.to_bits());
    }

    /// An f64 by its bit pattern.
    pub fn put_f64(&mut self, v: f64) {
        self.put_u64(v.to_bits());
    }

    /// A boolean as one byte (0 or 1).
    pub fn put_bool(&mut self, v: bool) {
        self.put_u8(v as u8);
    }

    /// A byte string: its length (u64), then the bytes.
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.put_usize(bytes.len());
        self.put_raw(bytes);
    }

    /// A UTF-8 string, as [`Writer::put_bytes`].
    pub fn put_str(&mut self, s: &str) {
        self.put_bytes(s.as_bytes());
    }

    /// A vector: its length (u64), then each item written by `f`.
    pub fn put_vec<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Writer, &T)) {
        self.put_usize(items.len());
        for item in items {
            f(self, item);
        }
    }

    /// An option: a presence byte, then the value written by `f`.
    pub fn put_option<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Writer, &T)) {
        match v {
            None => self.put_u8(0),
            Some(x) => {
                self.put_u8(1);
                f(self, x);
            }
        }
    }

    /// An optional u64.
    pub fn put_opt_u64(&mut self, v: Option<u64>) {
        self.put_option(v.as_ref(), |w, &x| w.put_u64(x));
    }
}

/// Reads values from a byte slice, in the order a [`Writer`] wrote them.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// Offset of the next value.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The next `n` raw bytes.
    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.remaining() < n {
            return Err(CodecError::Truncated {
                offset: self.pos,
                needed: n,
                available: self.remaining(),
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        Ok(self.raw(N)?.try_into().expect("raw returns N bytes"))
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }

    /// A u16.
    pub fn u16(&mut self) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// A u32.
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A u64.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count or step: a u64 of at most [`MAX_COUNT`].
    pub fn count(&mut self) -> Result<u64, CodecError> {
        self.check(
            "count or step (too large)",
            |r| r.u64(),
            |&v| v <= MAX_COUNT,
        )
    }

    /// An optional count or step (each at most [`MAX_COUNT`]).
    pub fn opt_count(&mut self) -> Result<Option<u64>, CodecError> {
        self.option(|r| r.count())
    }

    /// An f64 level (an output, a factor) between 0 and 10³⁰: far above any level a
    /// run reaches, low enough that powers of it in Hill terms stay finite.
    pub fn f64_non_negative(&mut self, what: &'static str) -> Result<f64, CodecError> {
        self.check(what, |r| r.f64(), |v| (0.0..=1e30).contains(v))
    }

    /// An i64.
    pub fn i64(&mut self) -> Result<i64, CodecError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A usize (written as u64); refused if it does not fit.
    pub fn usize(&mut self) -> Result<usize, CodecError> {
        let at = self.pos;
        usize::try_from(self.u64()?).map_err(|_| CodecError::Invalid {
            what: "length or index",
            offset: at,
        })
    }

    /// A length of items of at least `min_item_bytes` bytes each: refused if the data left
    /// cannot hold that many (so a corrupt length never triggers a huge allocation).
    pub fn len(&mut self, min_item_bytes: usize) -> Result<usize, CodecError> {
        let at = self.pos;
        let n = self.usize()?;
        if n.saturating_mul(min_item_bytes.max(1)) > self.remaining() {
            return Err(CodecError::Truncated {
                offset: at,
                needed: n.saturating_mul(min_item_bytes.max(1)),
                available: self.remaining(),
            });
        }
        Ok(n)
    }

    /// An f32.
    pub fn f32(&mut self) -> Result<f32, CodecError> {
        Ok(f32::from_bits(self.u32()?))
    }

    /// An f64.
    pub fn f64(&mut self) -> Result<f64, CodecError> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// A boolean (one byte, 0 or 1).
    pub fn bool(&mut self) -> Result<bool, CodecError> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(CodecError::Invalid {
                what: "boolean",
                offset: at,
            }),
        }
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.len(1)?;
        self.raw(n)
    }

    /// A length-prefixed UTF-8 string.
    pub fn string(&mut self) -> Result<String, CodecError> {
        let at = self.pos;
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| CodecError::Invalid {
            what: "UTF-8 string",
            offset: at,
        })
    }

    /// A vector written by [`Writer::put_vec`]; `min_item_bytes` bounds the length by the
    /// data left.
    pub fn vec<T>(
        &mut self,
        min_item_bytes: usize,
        mut f: impl FnMut(&mut Reader<'a>) -> Result<T, CodecError>,
    ) -> Result<Vec<T>, CodecError> {
        let n = self.len(min_item_bytes)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(f(self)?);
        }
        Ok(out)
    }

    /// An option written by [`Writer::put_option`].
    pub fn option<T>(
        &mut self,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, CodecError>,
    ) -> Result<Option<T>, CodecError> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(f(self)?)),
            _ => Err(CodecError::Invalid {
                what: "option tag",
                offset: at,
            }),
        }
    }

    /// An optional u64.
    pub fn opt_u64(&mut self) -> Result<Option<u64>, CodecError> {
        self.option(|r| r.u64())
    }

    /// A value that must satisfy `ok`, else [`CodecError::Invalid`] naming `what`.
    pub fn check<T>(
        &mut self,
        what: &'static str,
        read: impl FnOnce(&mut Reader<'a>) -> Result<T, CodecError>,
        ok: impl FnOnce(&T) -> bool,
    ) -> Result<T, CodecError> {
        let at = self.pos;
        let v = read(self)?;
        if ok(&v) {
            Ok(v)
        } else {
            Err(CodecError::Invalid { what, offset: at })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let mut w = Writer::new();
        w.put_u8(7);
        w.put_u16(65_000);
        w.put_u32(0xDEAD_BEEF);
        w.put_u64(u64::MAX - 3);
        w.put_i64(-42);
        w.put_f32(-0.0);
        w.put_f64(f64::NAN);
        w.put_bool(true);
        w.put_str("lung");
        w.put_vec(&[1u32, 2, 3], |w, &x| w.put_u32(x));
        w.put_opt_u64(None);
        w.put_opt_u64(Some(9));
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.u16().unwrap(), 65_000);
        assert_eq!(r.u32().unwrap(), 0xDEAD_BEEF);
        assert_eq!(r.u64().unwrap(), u64::MAX - 3);
        assert_eq!(r.i64().unwrap(), -42);
        assert_eq!(r.f32().unwrap().to_bits(), (-0.0f32).to_bits());
        assert!(r.f64().unwrap().is_nan());
        assert!(r.bool().unwrap());
        assert_eq!(r.string().unwrap(), "lung");
        assert_eq!(r.vec(4, |r| r.u32()).unwrap(), vec![1, 2, 3]);
        assert_eq!(r.opt_u64().unwrap(), None);
        assert_eq!(r.opt_u64().unwrap(), Some(9));
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn truncation_and_bad_values_are_errors() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert!(matches!(r.u32(), Err(CodecError::Truncated { .. })));
        let mut r = Reader::new(&[2]);
        assert!(matches!(r.bool(), Err(CodecError::Invalid { .. })));
        // A huge length does not allocate: it is refused against the bytes left.
        let mut w = Writer::new();
        w.put_u64(u64::MAX / 2);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert!(r.vec(1, |r| r.u8()).is_err());
        // Counts beyond MAX_COUNT and non-finite levels are refused.
        let mut w = Writer::new();
        w.put_u64(MAX_COUNT + 1);
        w.put_u64(MAX_COUNT);
        w.put_f64(f64::INFINITY);
        w.put_f64(-1.0);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert!(r.count().is_err());
        assert_eq!(r.count().unwrap(), MAX_COUNT);
        assert!(r.f64_non_negative("level").is_err());
        assert!(r.f64_non_negative("level").is_err());
    }
}
