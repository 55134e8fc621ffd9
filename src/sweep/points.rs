//! A sweep's design points, computed one at a time from their index ([`Points`]), so
//! that a sweep of millions of runs never holds its whole design in memory.
//!
//! - `grid`: point `i` is `i` in mixed radix, the last axis the fastest digit (so the
//!   first axis varies slowest).
//! - `zip`: point `i` takes every axis's `i`-th value.
//! - `lhs`: each axis keeps its strata permutation (one `u32` per point, see
//!   [`super::spec::MAX_LHS_CELLS`]) and a copy of its draw stream every [`CHECKPOINT`]
//!   draws; point `i`'s draw is reached from the nearest copy. The values are those of
//!   the shuffle-then-draw construction described in [`super::spec`], bit for bit.
//! - `morris`: the unit-cube points of the Morris design
//!   ([`crate::sensitivity::morris::Morris::points`]), held whole (at most
//!   [`super::spec::MAX_MORRIS_CELLS`] numbers), mapped onto the ranges.
//! - `sobol`: run `i` of the Saltelli design
//!   ([`crate::sensitivity::saltelli::Saltelli::point`]), from its Sobol' point by index,
//!   mapped onto the ranges.
//!
//! A unit coordinate `u` maps onto `range = [lo, hi]` as `lo + (hi − lo) u`, or
//! `exp(ln lo + (ln hi − ln lo) u)` on a log scale, and is rounded for integer keys.

use crate::rng::{Stream, purpose, shuffle, stream, uniform};

use super::spec::{Axis, AxisValues, Design, SweepSpec, axis_value};
use crate::sensitivity::saltelli::Saltelli;
use crate::sensitivity::sobol_sequence::SobolSequence;

/// Draws between two saved states of a Latin hypercube axis's draw stream: reaching a
/// draw costs at most this many steps, and the saved states 32 bytes per this many points.
pub const CHECKPOINT: usize = 256;

/// One Latin hypercube axis: its range, permuted strata and saved draw streams.
#[derive(Debug, Clone)]
struct LhsAxis {
    /// Lower end of the range.
    lo: f64,
    /// Upper end of the range.
    hi: f64,
    /// Sampled in the logarithm.
    log: bool,
    /// Values rounded (integer key).
    integer: bool,
    /// The stratum of each point.
    strata: Vec<u32>,
    /// The draw stream before draws `0, CHECKPOINT, 2 × CHECKPOINT, …`.
    saved: Vec<Stream>,
}

impl LhsAxis {
    /// The axis `axis` (index `a`) of a hypercube of `n` points with sweep seed `seed`.
    fn new(axis: &Axis, a: usize, n: usize, seed: u64) -> Option<LhsAxis> {
        let AxisValues::Range { lo, hi, log } = axis.values else {
            return None;
        };
        let mut strata: Vec<u32> = (0..n as u32).collect();
        shuffle(&mut stream(seed, purpose::SWEEP, a as u64, 0), &mut strata);
        let mut draws = stream(seed, purpose::SWEEP, a as u64, 1);
        let mut saved = Vec::with_capacity(n.div_ceil(CHECKPOINT));
        for i in 0..n {
            if i % CHECKPOINT == 0 {
                saved.push(draws.clone());
            }
            uniform(&mut draws);
        }
        Some(LhsAxis {
            lo,
            hi,
            log,
            integer: axis.integer,
            strata,
            saved,
        })
    }

    /// The value of point `i`.
    fn value(&self, i: usize) -> toml::Value {
        let n = self.strata.len();
        let mut draws = self.saved[i / CHECKPOINT].clone();
        for _ in 0..i % CHECKPOINT {
            uniform(&mut draws);
        }
        let u = (self.strata[i] as f64 + uniform(&mut draws)) / n as f64;
        let (l, h) = if self.log {
            (self.lo.ln(), self.hi.ln())
        } else {
            (self.lo, self.hi)
        };
        let t = l + (h - l) * u;
        let x = if self.log { t.exp() } else { t };
        axis_value(x.clamp(self.lo, self.hi), self.integer)
    }
}

/// The points of a sweep's design, in design order, each the values of the axes in axis
/// order; computed on demand ([`Points::get`]).
#[derive(Debug, Clone)]
pub struct Points {
    /// How the axes combine.
    design: Design,
    /// The values of each list axis (grid, zip).
    lists: Vec<Vec<toml::Value>>,
    /// The Latin hypercube axes (lhs).
    lhs: Vec<LhsAxis>,
    /// The unit-cube design of a sensitivity analysis (morris, sobol).
    unit: Unit,
    /// The ranges of the axes (`lo`, `hi`, log scale, integer key), for `unit`.
    ranges: Vec<(f64, f64, bool, bool)>,
    /// Number of points.
    count: u64,
}

/// The unit-cube points of a sensitivity design.
#[derive(Debug, Clone)]
enum Unit {
    /// Not a sensitivity design.
    None,
    /// A Morris design's points, in run order.
    Morris(Vec<Vec<f64>>),
    /// A Saltelli design and its sequence.
    Sobol(Saltelli, SobolSequence),
}

impl Points {
    /// The points of `spec` with sweep seed `seed` (only the Latin hypercube depends on
    /// it). Memory: the axes' values, plus for `lhs` about 4 bytes per point and axis.
    pub fn new(spec: &SweepSpec, seed: u64) -> Points {
        let count = spec.point_count();
        let lists = spec
            .axes
            .iter()
            .filter_map(|a| match &a.values {
                AxisValues::List(v) => Some(v.clone()),
                AxisValues::Range { .. } => None,
            })
            .collect();
        let lhs = if spec.design == Design::Lhs {
            spec.axes
                .iter()
                .enumerate()
                .filter_map(|(a, axis)| LhsAxis::new(axis, a, count as usize, seed))
                .collect()
        } else {
            Vec::new()
        };
        let unit = match spec.design {
            Design::Morris => Unit::Morris(
                spec.morris
                    .expect("a checked morris sweep has its settings")
                    .design(spec.axes.len(), seed)
                    .points(),
            ),
            Design::Sobol => {
                let d = spec.saltelli().expect("a sobol sweep");
                Unit::Sobol(d, d.sequence())
            }
            _ => Unit::None,
        };
        let ranges = spec
            .axes
            .iter()
            .filter_map(|a| match a.values {
                AxisValues::Range { lo, hi, log } => Some((lo, hi, log, a.integer)),
                AxisValues::List(_) => None,
            })
            .collect();
        Points {
            design: spec.design,
            lists,
            lhs,
            unit,
            ranges,
            count,
        }
    }

    /// The unit-cube coordinates of point `i` of a `morris` or `sobol` design (`None` for
    /// the other designs).
    pub fn unit(&self, i: u64) -> Option<Vec<f64>> {
        match &self.unit {
            Unit::None => None,
            Unit::Morris(points) => Some(points[i as usize].clone()),
            Unit::Sobol(d, seq) => Some(d.point(seq, i as usize)),
        }
    }

    /// Unit coordinates mapped onto the axes' ranges.
    fn on_ranges(&self, u: &[f64]) -> Vec<toml::Value> {
        u.iter()
            .zip(&self.ranges)
            .map(|(&u, &(lo, hi, log, integer))| {
                let x = if log {
                    (lo.ln() + (hi.ln() - lo.ln()) * u).exp()
                } else {
                    lo + (hi - lo) * u
                };
                axis_value(x.clamp(lo, hi), integer)
            })
            .collect()
    }

    /// Number of points.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether there are no points (never for a checked sweep).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Point `i` (< [`Points::len`]): the values of the axes, in axis order.
    pub fn get(&self, i: u64) -> Vec<toml::Value> {
        assert!(i < self.count, "point {i} of {}", self.count);
        match self.design {
            Design::Grid => {
                let mut rest = i;
                let mut values: Vec<toml::Value> = self
                    .lists
                    .iter()
                    .rev()
                    .map(|list| {
                        let n = list.len() as u64;
                        let v = list[(rest % n) as usize].clone();
                        rest /= n;
                        v
                    })
                    .collect();
                values.reverse();
                values
            }
            Design::Zip => self.lists.iter().map(|l| l[i as usize].clone()).collect(),
            Design::Lhs => self.lhs.iter().map(|a| a.value(i as usize)).collect(),
            Design::Morris | Design::Sobol => {
                let u = self.unit(i).expect("a sensitivity design");
                self.on_ranges(&u)
            }
        }
    }

    /// Points that between them give axis `axis` every value it takes, each value once:
    /// for `grid` and `zip` the first point with each distinct value, in list order (for
    /// `grid` the others axes are then at their first value); for `lhs` the points with
    /// the axis's smallest and largest value (strata 0 and n − 1); for `morris` and
    /// `sobol` the first points with the smallest and largest unit coordinate of the axis
    /// (for `sobol`, among the runs of `A` and `B`, which hold every value the axis takes).
    pub fn covering(&self, axis: usize) -> Vec<u64> {
        match self.design {
            Design::Grid | Design::Zip => {
                let stride: u64 = match self.design {
                    Design::Grid => self.lists[axis + 1..]
                        .iter()
                        .map(|l| l.len() as u64)
                        .product(),
                    _ => 1,
                };
                let mut seen = std::collections::HashSet::new();
                self.lists[axis]
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| seen.insert(v.to_string()))
                    .map(|(k, _)| k as u64 * stride)
                    .collect()
            }
            Design::Lhs => {
                let strata = &self.lhs[axis].strata;
                let at = |s: u32| strata.iter().position(|&x| x == s).unwrap_or(0) as u64;
                let (first, last) = (at(0), at(strata.len() as u32 - 1));
                if first == last {
                    vec![first]
                } else {
                    vec![first, last]
                }
            }
            Design::Morris | Design::Sobol => {
                let candidates: Box<dyn Iterator<Item = (u64, f64)>> = match &self.unit {
                    Unit::Morris(points) => {
                        Box::new(points.iter().enumerate().map(|(i, p)| (i as u64, p[axis])))
                    }
                    Unit::Sobol(d, seq) => {
                        let step = d.runs_per_sample() as u64;
                        Box::new((0..d.n as u64).flat_map(move |j| {
                            let p = seq.point(j);
                            [(j * step, p[axis]), (j * step + step - 1, p[d.k + axis])]
                        }))
                    }
                    Unit::None => Box::new(std::iter::empty()),
                };
                let (mut lo, mut hi) = ((0u64, f64::INFINITY), (0u64, f64::NEG_INFINITY));
                for (i, u) in candidates {
                    if u < lo.1 {
                        lo = (i, u);
                    }
                    if u > hi.1 {
                        hi = (i, u);
                    }
                }
                if lo.0 == hi.0 {
                    vec![lo.0]
                } else {
                    vec![lo.0, hi.0]
                }
            }
        }
    }

    /// Every point, in design order.
    pub fn iter(&self) -> impl Iterator<Item = Vec<toml::Value>> + '_ {
        (0..self.count).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn spec(text: &str) -> SweepSpec {
        SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap()
    }

    /// The Latin hypercube as first built, all points at once (shuffle the strata, then
    /// one draw per point in order): the lazy points must equal it bit for bit.
    fn materialised(axes: &[Axis], n: usize, seed: u64) -> Vec<Vec<toml::Value>> {
        let mut points = vec![Vec::new(); n];
        for (a, axis) in axes.iter().enumerate() {
            let AxisValues::Range { lo, hi, log } = axis.values else {
                continue;
            };
            let mut perm: Vec<usize> = (0..n).collect();
            shuffle(&mut stream(seed, purpose::SWEEP, a as u64, 0), &mut perm);
            let mut draws = stream(seed, purpose::SWEEP, a as u64, 1);
            let (l, h) = if log { (lo.ln(), hi.ln()) } else { (lo, hi) };
            for (i, point) in points.iter_mut().enumerate() {
                let u = (perm[i] as f64 + uniform(&mut draws)) / n as f64;
                let t = l + (h - l) * u;
                let x = if log { t.exp() } else { t };
                point.push(axis_value(x.clamp(lo, hi), axis.integer));
            }
        }
        points
    }

    #[test]
    fn lazy_latin_hypercube_equals_the_materialised_one() {
        for n in [1, 2, 255, 256, 257, 1000] {
            let s = spec(&format!(
                "design = \"lhs\"\nsamples = {n}\n\
                 [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n\
                 [[axis]]\nparam = \"cells.migration_per_day\"\nrange = [1, 100]\nlog = true\n\
                 [[axis]]\nparam = \"cells.rho_max\"\nrange = [1, 40]\n"
            ));
            let lazy: Vec<_> = Points::new(&s, 17).iter().collect();
            assert_eq!(lazy, materialised(&s.axes, n, 17), "n = {n}");
            // Random access agrees with the sequence.
            let points = Points::new(&s, 17);
            for i in (0..n as u64).rev().step_by(7) {
                assert_eq!(points.get(i), lazy[i as usize]);
            }
        }
    }

    #[test]
    fn grid_points_decode_mixed_radix_first_axis_slowest() {
        let s = spec(
            "[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2]\n\
             [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 4, 5]\n\
             [[axis]]\nparam = \"run.days\"\nvalues = [1.0, 2.0]\n",
        );
        let points = Points::new(&s, 0);
        assert_eq!(points.len(), 12);
        let all: Vec<String> = points
            .iter()
            .map(|p| {
                p.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(all[0], "0.1 3 1.0");
        assert_eq!(all[1], "0.1 3 2.0");
        assert_eq!(all[2], "0.1 4 1.0");
        assert_eq!(all[6], "0.2 3 1.0");
        assert_eq!(all[11], "0.2 5 2.0");
    }

    #[test]
    fn covering_points_take_every_value_of_an_axis_once() {
        let s = spec(
            "[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.2, 0.1]\n\
             [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 4, 5]\n",
        );
        let points = Points::new(&s, 0);
        assert_eq!(points.covering(0), [0, 3]);
        assert_eq!(points.covering(1), [0, 1, 2]);
        for (a, want) in [(0, ["0.1", "0.2"].as_slice()), (1, &["3", "4", "5"])] {
            let got: Vec<String> = points
                .covering(a)
                .into_iter()
                .map(|p| points.get(p)[a].to_string())
                .collect();
            assert_eq!(got, want);
        }
        let s = spec(
            "design = \"lhs\"\nsamples = 50\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n",
        );
        let points = Points::new(&s, 5);
        let values: Vec<f64> = points.iter().map(|p| p[0].as_float().unwrap()).collect();
        let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let covering: Vec<f64> = points
            .covering(0)
            .iter()
            .map(|&p| values[p as usize])
            .collect();
        assert_eq!(covering, [lo, hi]);
    }

    #[test]
    fn sobol_points_are_the_saltelli_runs_mapped_onto_the_ranges() {
        let s = spec(
            "design = \"sobol\"\nsamples = 16\nsecond_order = true\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.05, 0.3]\n\
             [[axis]]\nparam = \"cells.migration_per_day\"\nrange = [1, 100]\nscale = \"log\"\n\
             [[axis]]\nparam = \"cells.rho_max\"\nrange = [1, 40]\n",
        );
        let points = Points::new(&s, 3);
        assert_eq!(points.len(), 16 * 8);
        let d = s.saltelli().unwrap();
        let seq = d.sequence();
        for i in 0..points.len() {
            let u = points.unit(i).unwrap();
            assert_eq!(u, d.point(&seq, i as usize));
            let v = points.get(i);
            let p_s = 0.05 + 0.25 * u[0];
            assert!((v[0].as_float().unwrap() - p_s).abs() < 1e-15, "{i}");
            let mig = (100f64.ln() * u[1]).exp();
            assert!((v[1].as_float().unwrap() - mig).abs() < 1e-12 * mig, "{i}");
            assert_eq!(
                v[2].as_integer().unwrap(),
                (1.0 + 39.0 * u[2]).round() as i64
            );
        }
        // Covering: the smallest and largest value of each axis among all runs.
        for a in 0..3 {
            let all: Vec<f64> = (0..points.len())
                .map(|i| points.unit(i).unwrap()[a])
                .collect();
            let lo = all.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = all.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let got: Vec<f64> = points
                .covering(a)
                .iter()
                .map(|&i| all[i as usize])
                .collect();
            assert_eq!(got, [lo, hi], "axis {a}");
        }
    }

    #[test]
    fn morris_points_walk_the_grid_of_the_ranges() {
        let s = spec(
            "design = \"morris\"\ntrajectories = 6\nlevels = 4\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.1, 0.4]\n\
             [[axis]]\nparam = \"cells.migration_per_day\"\nrange = [1, 1000]\nlog = true\n",
        );
        let points = Points::new(&s, 8);
        assert_eq!(points.len(), 6 * 3);
        let grid_p: Vec<f64> = (0..4).map(|l| 0.1 + 0.1 * l as f64).collect();
        let grid_m: Vec<f64> = (0..4).map(|l| 10f64.powi(l)).collect();
        for p in points.iter() {
            let (a, b) = (p[0].as_float().unwrap(), p[1].as_float().unwrap());
            assert!(grid_p.iter().any(|g| (g - a).abs() < 1e-12), "{a}");
            assert!(grid_m.iter().any(|g| (g - b).abs() < 1e-9 * g), "{b}");
        }
        // The same design for the same seed; another for another.
        let again: Vec<_> = Points::new(&s, 8).iter().collect();
        assert_eq!(again, points.iter().collect::<Vec<_>>());
        assert_ne!(Points::new(&s, 9).iter().collect::<Vec<_>>(), again);
    }
}
