//! Bayesian calibration to data by approximate Bayesian computation (ABC-SMC).
//!
//! A simulator maps parameters `θ` to summary statistics `s(θ)` (tumour sizes, CSC
//! fractions, colony counts, …) but has no likelihood we can write down. ABC replaces the
//! likelihood by the event that a simulation lands close to the data, `d(s(θ), s_obs) ≤
//! ε`: particles drawn from the prior and kept on that event are a sample of the posterior
//! given the event, which tends to the posterior given `s_obs` as `ε → 0` (Pritchard et
//! al. 1999; Beaumont, Zhang & Balding 2002). ABC-SMC (Toni et al. 2009; Beaumont et al.
//! 2009) gets there in generations: each proposes by perturbing the previous generation's
//! weighted particles, accepts under a smaller tolerance, and corrects for proposing from
//! the kernel rather than the prior with importance weights
//!
//! `w_i ∝ π(θ_i) / Σ_j w_j^{t−1} K(θ_i ∣ θ_j)`.
//!
//! The tolerance of each generation is a quantile of the previous generation's distances
//! (Del Moral, Doucet & Jasra 2012), and the distance scales each statistic by the spread
//! of the latest simulations (Prangle 2017), as pyABC does (Klinger, Rickert & Hasenauer
//! 2018).
//!
//! | module | what it holds |
//! |---|---|
//! | [`prior`] | prior families ([`Prior`]) and the joint prior of the parameters ([`Priors`]) |
//! | [`kernel`] | the multivariate normal perturbation kernel with twice the weighted covariance ([`Kernel`]) |
//! | [`distance`] | the adaptive-scale weighted Euclidean distance ([`Distance`]) |
//! | [`driver`] | running a fit on a folder: here, or a batch at a time through a job array |
//! | [`folder`] | the fit folder: setup files, one record per simulated candidate, the plan |
//! | [`evaluate`] | a candidate's config, its simulation and its statistics read from `timeseries.csv` |
//! | [`observed`] | the observed data: a tidy CSV of measurements over days turned into summary statistics ([`observed::Observed`]) |
//! | [`population`] | one generation's weighted particles, their weighted mean, sd, quantiles and credible intervals ([`Population`]) |
//! | [`spec`] | the fit file: base config, priors over config keys, observed data, weights and settings, checked ([`spec::FitSpec`]) |
//! | [`predictive`] | posterior predictive runs (`predictive.csv`) |
//! | [`tables`] | `posterior.csv` and `generations.csv` |
//! | [`smc`] | the algorithm ([`AbcSmc`]), its [`Settings`], the [`Candidate`]s it asks to simulate and the [`Fit`] it returns |
//!
//! The simulator is not called here: [`AbcSmc::run`] hands batches of [`Candidate`]s
//! (generation, index, `θ`, simulation seed) to an evaluator and reads back one summary
//! vector per candidate, or `None` for a failed run. Batches can therefore be run as sweep
//! records or SLURM array tasks. A fit is reproducible by construction: candidate `i` of
//! generation `t` draws its proposal from its own stream `(seed, purpose::FIT, t, i)` and
//! simulates with a seed derived from `(seed, t, i)`, and acceptances are taken in
//! candidate order, so the result does not depend on the batch size, on how the evaluator
//! parallelises, or on the thread count; and a fit resumed from its completed generations
//! gives the same result as one run without interruption.
//!
//! ```
//! use seedsoil::fit::{AbcSmc, Distance, Prior, Priors, Settings};
//!
//! // Fit a location θ to an observed summary of 0.3. The stand-in simulator returns θ plus
//! // a noise on [−0.5, 0.5) taken from the candidate's seed; a real evaluator would run
//! // the simulation of each candidate with its seed and summarise its tables.
//! let fit = AbcSmc {
//!     priors: Priors::new(vec![("mu".into(), Prior::Uniform { lo: -5.0, hi: 5.0 })]),
//!     distance: Distance::new(vec![0.3]),
//!     settings: Settings { population: 200, max_generations: 4, ..Settings::default() },
//!     seed: 7,
//! };
//! let result = fit.run(|batch| {
//!     batch
//!         .iter()
//!         .map(|c| {
//!             let noise = (c.seed % 1000) as f64 / 1000.0 - 0.5; // stands in for a simulation
//!             Some(vec![c.theta[0] + noise])
//!         })
//!         .collect()
//! })?;
//! let posterior = result.posterior().unwrap();
//! let (lo, hi) = posterior.credible_interval(0, 0.9);
//! assert!(lo < 0.3 && 0.3 < hi);
//! # Ok::<(), seedsoil::fit::FitError>(())
//! ```

pub mod distance;
pub mod driver;
pub mod evaluate;
pub mod folder;
pub mod kernel;
pub mod observed;
pub mod population;
pub mod predictive;
pub mod prior;
pub mod smc;
pub mod spec;
pub mod tables;

pub use distance::Distance;
pub use kernel::Kernel;
pub use population::{Population, weighted_quantile};
pub use prior::{Prior, Priors};
pub use smc::{AbcSmc, Candidate, Fit, FitError, Settings, StopReason};
