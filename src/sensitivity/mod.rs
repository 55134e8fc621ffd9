//! Global sensitivity analysis: the designs of `morris` and `sobol` sweeps in the unit
//! cube and the estimators of their outputs.
//!
//! | measure | design | what it says | module |
//! |---|---|---|---|
//! | Morris `μ*`, `μ`, `σ` | `r (k + 1)` runs: trajectories, optimized or radial | screening: which parameters matter (`μ*`), in which direction (`μ`), non-linearly or with interactions (`σ`) | [`morris`] |
//! | Sobol' `S_i`, `S_Ti` (`S_ij`) | `N (k + 2)` runs (`N (2k + 2)`) from the Sobol' sequence | the share of the output's variance due to a parameter alone, and with all its interactions | [`saltelli`], [`sobol_sequence`] |
//! | PRCC and p-value | any design | monotone association of a parameter with the output, the others held fixed | [`prcc`] |
//!
//! [`test_functions`] gives the Ishigami and G functions with their exact indices.
//!
//! Every interval is a percentile bootstrap ([`bootstrap`]) from its own streams, so the
//! results do not depend on the thread count.

pub mod analysis;
pub mod bootstrap;
pub mod morris;
pub mod prcc;
pub mod saltelli;
pub mod sobol_sequence;
pub mod test_functions;
