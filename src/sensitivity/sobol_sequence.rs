//! The Sobol' low-discrepancy sequence, point by point from its index.
//!
//! Dimension 1 is the van der Corput sequence in base 2; dimension `d ≥ 2` uses the
//! primitive polynomial and initial direction numbers `m` of line `d` of Joe & Kuo's
//! `new-joe-kuo-6.21201` table (Joe & Kuo 2008, "Constructing Sobol sequences with better
//! two-dimensional projections"), as shipped by the `sobol` crate. Point `j` is the XOR of
//! the direction numbers `v_b` of the set bits `b` of the Gray code `j ^ (j >> 1)` (the
//! Antonov–Saleev order, the one of the recursive generators and of SciPy's unscrambled
//! `qmc.Sobol`), so any point of a design of millions of runs is found in `O(bits)`
//! without generating the ones before it.

use sobol::Sobol;
use sobol::params::JoeKuoD6;

/// Bits of each coordinate (points `0 … 2^BITS − 1` are distinct).
pub const BITS: usize = 53;

/// The direction numbers of the first `dims` dimensions of the sequence.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// `directions[d][b]`: direction number `b` of dimension `d`, in the top bits of a u64.
    directions: Vec<Vec<u64>>,
}

impl SobolSequence {
    /// The sequence in `dims` dimensions (at most 21,201).
    pub fn new(dims: usize) -> SobolSequence {
        // The table's first 1,000 lines load faster than all of it.
        let params = if dims <= 1000 {
            JoeKuoD6::standard()
        } else {
            JoeKuoD6::extended()
        };
        assert!(
            dims <= params.max_dims,
            "the Sobol' sequence has direction numbers for {} dimensions, not {dims}",
            params.max_dims
        );
        SobolSequence {
            directions: Sobol::<f64>::init_direction_vals::<u32>(dims, BITS, &params),
        }
    }

    /// Dimensions.
    pub fn dims(&self) -> usize {
        self.directions.len()
    }

    /// Point `j` (from 0: the origin), each coordinate in `[0, 1)`.
    pub fn point(&self, j: u64) -> Vec<f64> {
        assert!(j < 1 << BITS, "Sobol' point {j} beyond 2^{BITS}");
        let gray = j ^ (j >> 1);
        self.directions
            .iter()
            .map(|dirs| {
                let mut x = 0u64;
                let mut g = gray;
                while g != 0 {
                    x ^= dirs[g.trailing_zeros() as usize];
                    g &= g - 1;
                }
                x as f64 / 18_446_744_073_709_551_616.0
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_by_index_are_those_of_the_recursive_generator() {
        let seq = SobolSequence::new(12);
        let params = JoeKuoD6::standard();
        let generator = Sobol::<f64>::new(12, &params);
        for (j, point) in generator.take(4096).enumerate() {
            assert_eq!(seq.point(j as u64), point, "point {j}");
        }
    }

    #[test]
    fn every_dimension_puts_one_point_in_each_dyadic_interval() {
        // The first 2^m points of any one coordinate fill the 2^m intervals
        // [i/2^m, (i+1)/2^m) once each (a (0, m, 1)-net in every dimension).
        let seq = SobolSequence::new(40);
        for m in [1u32, 4, 8, 10] {
            let n = 1u64 << m;
            for d in 0..40 {
                let mut seen = vec![false; n as usize];
                for j in 0..n {
                    let cell = (seq.point(j)[d] * n as f64) as usize;
                    assert!(!seen[cell], "dimension {d}, m {m}, interval {cell} twice");
                    seen[cell] = true;
                }
            }
        }
    }
}
