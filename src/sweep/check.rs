//! The points checked before a sweep runs ([`check_points`]): an axis value out of range,
//! or a combination of values that breaks a cross-key rule, is refused with every problem
//! at once (exit 2) instead of being found run by run.
//!
//! Which points are checked (a sweep may hold 10⁷ runs, and checking a point costs a
//! config validation):
//!
//! 1. for every axis, the points that between them give it each of its values
//!    ([`super::Points::covering`]): for `grid` the axis's value with the other axes at
//!    their first value, for `zip` the point of each value, for `lhs` the points with the
//!    axis's smallest and largest value;
//! 2. then every point if there are at most [`FULL_CHECK_POINTS`] of them, else that many
//!    points evenly spaced over the design (the first and the last included).
//!
//! A point left out in step 2 that is invalid only through a combination of values is
//! still found when it runs: its runs are recorded as failed.
//!
//! Each problem is reported once, at the first point it appears at, naming the axis and
//! its value when the problem is on an axis's key or was found while checking that axis's
//! values, else the point's values.

use std::collections::HashSet;

use super::{Sweep, value_text};
use crate::error::{ConfigError, Problem};

/// Up to this many points every point of a sweep is checked; above it, this many points
/// evenly spaced over the design.
pub const FULL_CHECK_POINTS: u64 = 10_000;

/// Checks the points of `sweep` (see the module documentation): `Ok` if every checked
/// point's config is valid, else every problem found, each once.
pub fn check_points(sweep: &Sweep) -> Result<(), ConfigError> {
    let mut checker = Checker {
        sweep,
        checked: HashSet::new(),
        seen: HashSet::new(),
        problems: Vec::new(),
    };
    for axis in 0..sweep.spec.axes.len() {
        for point in sweep.points.covering(axis) {
            checker.check(point, Some(axis));
        }
    }
    let n = sweep.points.len();
    if n <= FULL_CHECK_POINTS {
        for point in 0..n {
            checker.check(point, None);
        }
    } else {
        for k in 0..FULL_CHECK_POINTS {
            let point =
                (u128::from(k) * u128::from(n - 1) / u128::from(FULL_CHECK_POINTS - 1)) as u64;
            checker.check(point, None);
        }
    }
    if checker.problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::Invalid(checker.problems))
    }
}

/// The state of a check: the points done, the problems found (and their texts, to report
/// each once).
struct Checker<'a> {
    /// The sweep.
    sweep: &'a Sweep,
    /// Points already checked.
    checked: HashSet<u64>,
    /// The text of every problem found so far.
    seen: HashSet<String>,
    /// The problems, as reported.
    problems: Vec<Problem>,
}

impl Checker<'_> {
    /// Checks point `point`, found while checking the values of axis `probe` (if any).
    fn check(&mut self, point: u64, probe: Option<usize>) {
        if !self.checked.insert(point) {
            return;
        }
        let Err(e) = self.sweep.point_config(point) else {
            return;
        };
        let found = match e {
            ConfigError::Invalid(problems) => problems,
            other => vec![Problem::new(
                "config",
                "(the point's)",
                crate::batch::one_line(&other.to_string()),
            )],
        };
        let values = self.sweep.points.get(point);
        for problem in found {
            if !self.seen.insert(problem.to_string()) {
                continue;
            }
            let axes = &self.sweep.spec.axes;
            let on_axis = axes.iter().position(|a| a.param == problem.key);
            let reported = match on_axis.or(probe) {
                Some(a) => {
                    let value = value_text(&values[a]);
                    let shown = values[a].to_string();
                    let allowed = if on_axis.is_some() && problem.value == shown {
                        problem.allowed
                    } else {
                        problem.to_string()
                    };
                    Problem::new(
                        format!("axis[{a}] {}", axes[a].param),
                        format!("{value} (point {point})"),
                        allowed,
                    )
                }
                None => {
                    let all: Vec<String> = axes
                        .iter()
                        .zip(&values)
                        .map(|(a, v)| format!("{} = {v}", a.param))
                        .collect();
                    Problem::new(
                        format!("point {point}"),
                        format!("({})", all.join(", ")),
                        problem.to_string(),
                    )
                }
            };
            self.problems.push(reported);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::SweepSpec;
    use std::path::Path;

    fn sweep(text: &str) -> Sweep {
        Sweep::new(
            SweepSpec::from_text(text, Path::new("sweep.toml"), None).unwrap(),
            1,
        )
    }

    fn problems(text: &str) -> Vec<String> {
        match check_points(&sweep(text)) {
            Ok(()) => Vec::new(),
            Err(e) => e.problems().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn values_out_of_range_are_named_with_axis_value_and_point() {
        let found = problems(
            "[[axis]]\nparam = \"run.days\"\nvalues = [1.0, 2.0]\n\
             [[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 2.0, 3.0]\n\
             [[axis]]\nparam = \"cells.rho_max\"\nvalues = [3, 99]\n",
        );
        assert_eq!(
            found,
            [
                "axis[1] cells.p_symmetric = 2.0 (point 2): allowed 0 ≤ value ≤ 1 (per CSC division)",
                "axis[1] cells.p_symmetric = 3.0 (point 4): allowed 0 ≤ value ≤ 1 (per CSC division)",
                "axis[2] cells.rho_max = 99 (point 1): allowed integer 0 ≤ value ≤ 20 (divisions)",
            ]
        );
    }

    #[test]
    fn combinations_breaking_a_cross_key_rule_are_found() {
        // Each value is valid with the other axis at its first value; only
        // p_symmetric = 0.4 with p_symmetric_max = 0.3 (point 3) breaks the rule.
        let found = problems(
            "[[axis]]\nparam = \"cells.p_symmetric\"\nvalues = [0.1, 0.4]\n\
             [[axis]]\nparam = \"cells.p_symmetric_max\"\nvalues = [0.9, 0.3]\n",
        );
        assert_eq!(
            found,
            [
                "axis[0] cells.p_symmetric = 0.4 (point 3): allowed at most \
              cells.p_symmetric_max = 0.3 (per CSC division)"
            ]
        );
    }

    #[test]
    fn a_problem_off_the_axes_names_the_point_values() {
        let found = problems("[[axis]]\nparam = \"cells.p_symmetric_max\"\nvalues = [0.9, 0.05]\n");
        assert_eq!(
            found,
            [
                "axis[0] cells.p_symmetric_max = 0.05 (point 1): cells.p_symmetric = 0.3: \
              allowed at most cells.p_symmetric_max = 0.05 (per CSC division)"
            ]
        );
    }

    #[test]
    fn valid_sweeps_pass() {
        assert!(
            problems(
                "design = \"lhs\"\nsamples = 20\n\
                 [[axis]]\nparam = \"cells.p_symmetric\"\nrange = [0.0, 0.5]\n"
            )
            .is_empty()
        );
    }
}
