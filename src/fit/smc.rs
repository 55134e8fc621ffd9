//! ABC-SMC, the sequential Monte Carlo sampler of approximate Bayesian computation (Toni,
//! Welch, Strelkowa, Ipsen & Stumpf 2009, J. R. Soc. Interface 6:187; importance weights
//! and kernel of Beaumont, Cornuet, Marin & Robert 2009; tolerance from a quantile of the
//! previous distances, Del Moral, Doucet & Jasra 2012 and Drovandi & Pettitt 2011; as in
//! pyABC, Klinger, Rickert & Hasenauer 2018).
//!
//! | symbol | meaning |
//! |---|---|
//! | `P` | particles per generation ([`Settings::population`]) |
//! | `t = 0, 1, …` | generation |
//! | `θ`, `π(θ)` | parameter vector and its prior ([`super::Priors`]) |
//! | `s(θ)` | summary statistics of a simulation, `s_obs` the observed ones |
//! | `d_t(s, s_obs)` | the distance with the scales of generation `t` ([`super::Distance`]) |
//! | `ε_t` | tolerance of generation `t` |
//! | `α` | the tolerance quantile ([`Settings::quantile_alpha`]) |
//! | `K_t(θ ∣ θ')` | perturbation kernel built from population `t − 1` ([`super::Kernel`]) |
//! | `w_i^t` | normalised weight of particle `i` of generation `t` |
//!
//! **Generation 0** simulates draws from the prior and accepts every successful run
//! (`ε_0 = +∞`, Toni 2009 with an infinite first tolerance; pyABC calibrates its first
//! tolerance the same way): the first `P` successes in candidate order, weights `1/P`. Its
//! distances use the scales estimated from its own summaries.
//!
//! **Generation t ≥ 1**:
//! 1. scales: those estimated from every summary generation `t − 1` simulated
//!    ([`Population::next_scales`]);
//! 2. `ε_t` = the weighted `α`-quantile of population `t − 1`'s distances recomputed
//!    with these scales (so the tolerance and the distance agree);
//! 3. candidate `i` draws from stream `(seed, purpose::FIT, t, i)`: a particle `j` of
//!    population `t − 1` with probability `w_j^{t−1}`, perturbed by `K_t`; a proposal
//!    outside the prior's support is redrawn (the same stream continues) without
//!    simulating, and counted ([`Population::out_of_prior`]);
//! 4. the candidates are simulated in batches of [`Settings::batch`] by the evaluator;
//!    candidate `i` is accepted if its run succeeded and `d_t(s, s_obs) ≤ ε_t`;
//!    candidates are examined in index order and the generation ends with the `P`-th
//!    acceptance: candidates after it are ignored (not counted as runs) even if their
//!    batch simulated them, so the result never depends on the batch size or on how the
//!    evaluator parallelises;
//! 5. weights `w_i^t ∝ π(θ_i) / Σ_j w_j^{t−1} K_t(θ_i ∣ θ_j)`, normalised (computed in
//!    logarithms); `ESS = 1 / Σ_i (w_i^t)²`.
//!
//! A run fails when the evaluator returns `None` or a summary with a non-finite value; it
//! counts as a run and is rejected. The acceptance rate is `P / runs`. Candidate `i` of
//! generation `t` simulates with seed [`candidate_seed`]`(seed, t, i)`.
//!
//! **Stopping**, checked after each completed generation in this order:
//! - [`StopReason::FinalEpsilon`]: `ε_t ≤` [`Settings::final_epsilon`];
//! - [`StopReason::MaxGenerations`]: [`Settings::max_generations`] generations are done;
//! - [`StopReason::Budget`]: fewer than `P` runs are left of [`Settings::budget`] (a
//!   generation needs at least `P`);
//!
//! and while a generation runs: it may use at most the runs left of the budget, and at
//! most `⌊P / m⌋` runs with `m` = [`Settings::min_acceptance`] (beyond them its acceptance
//! rate `P / runs` would be below `m`). A generation that reaches either limit before its
//! `P`-th acceptance is abandoned and the fit stops, with [`StopReason::Budget`] when the
//! budget was the tighter limit, else [`StopReason::MinAcceptance`]; the result is the
//! last complete generation, so every generation of a fit has an acceptance rate of at
//! least `m`. The abandoned generation's runs count in [`Fit::runs`]. [`Settings::check`]
//! requires a budget or `m > 0`, so that every fit ends.
//!
//! [`Fit::runs`] and [`Population::runs`] count the runs examined, up to the `P`-th
//! acceptance, and so does the budget. The evaluator may have simulated up to
//! `batch − 1` more candidates in each completed generation (the rest of its last batch);
//! they are not counted, so that the result does not depend on the batch size. A
//! generation never asks for more runs than its limits allow, so an abandoned generation
//! simulates exactly up to its limit.
//!
//! **Resuming.** [`AbcSmc::resume`] continues from completed generations. Everything a
//! generation needs is in its predecessor (particles, weights, summaries, next scales), and
//! every draw is keyed by `(seed, t, i)`, so a fit resumed from its first generations gives
//! the same result as one run without interruption (the budget counts the runs of the given
//! generations).

use rayon::prelude::*;
use thiserror::Error;

use super::distance::Distance;
use super::kernel::Kernel;
use super::population::{Population, cumulative_weights, pick, weighted_quantile};
use super::prior::Priors;
use crate::rng::{purpose, splitmix64, stream, uniform};

/// Most proposals a candidate may draw before one falls inside the prior's support.
pub const MAX_PROPOSALS: u64 = 100_000;

/// The settings of an ABC-SMC fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Particles per generation `P` (≥ 2).
    pub population: usize,
    /// Most generations, generation 0 included (≥ 1).
    pub max_generations: usize,
    /// A generation whose acceptance rate would fall below this (in `[0, 1)`; 0 =
    /// none) is abandoned and the fit stops: it may use at most `⌊P / min_acceptance⌋`
    /// runs.
    pub min_acceptance: f64,
    /// The fit stops after a generation whose tolerance is at most this.
    pub final_epsilon: Option<f64>,
    /// Most simulation runs in all (≥ `P`).
    pub budget: Option<u64>,
    /// The quantile `α` of the previous distances that sets the next tolerance (in
    /// `(0, 1]`).
    pub quantile_alpha: f64,
    /// Candidates per call of the evaluator (≥ 1).
    pub batch: usize,
}

impl Default for Settings {
    /// 1000 particles, at most 10 generations, a minimum acceptance rate of 1 %, no final
    /// tolerance, no budget, the median as tolerance quantile, batches of 1000.
    fn default() -> Self {
        Settings {
            population: 1000,
            max_generations: 10,
            min_acceptance: 0.01,
            final_epsilon: None,
            budget: None,
            quantile_alpha: 0.5,
            batch: 1000,
        }
    }
}

impl Settings {
    /// Checks the ranges of each setting, and that the fit must end (a budget or a
    /// positive minimum acceptance rate).
    pub fn check(&self) -> Result<(), String> {
        if self.population < 2 {
            return Err(format!(
                "population must be at least 2, not {}",
                self.population
            ));
        }
        if self.max_generations < 1 {
            return Err("max_generations must be at least 1".into());
        }
        if !(0.0..1.0).contains(&self.min_acceptance) {
            return Err(format!(
                "min_acceptance must be in [0, 1), not {}",
                self.min_acceptance
            ));
        }
        if let Some(e) = self.final_epsilon
            && (e.is_nan() || e < 0.0)
        {
            return Err(format!("final_epsilon must be non-negative, not {e}"));
        }
        if let Some(b) = self.budget
            && b < self.population as u64
        {
            return Err(format!(
                "a budget of {b} runs cannot complete one generation of {} particles",
                self.population
            ));
        }
        if !(self.quantile_alpha > 0.0 && self.quantile_alpha <= 1.0) {
            return Err(format!(
                "quantile_alpha must be in (0, 1], not {}",
                self.quantile_alpha
            ));
        }
        if self.batch < 1 {
            return Err("batch must be at least 1".into());
        }
        if self.budget.is_none() && self.min_acceptance == 0.0 {
            return Err(
                "with no budget, min_acceptance must be positive so that the fit ends".into(),
            );
        }
        Ok(())
    }

    /// Most runs one generation may use: `⌊P / min_acceptance⌋` (none if the minimum is
    /// 0).
    pub fn generation_cap(&self) -> Option<u64> {
        (self.min_acceptance > 0.0)
            .then(|| (self.population as f64 / self.min_acceptance).floor() as u64)
    }
}

/// A parameter vector to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The generation `t` it belongs to.
    pub generation: usize,
    /// Its index `i` within the generation.
    pub index: usize,
    /// The parameter vector, in the order of [`super::Priors::params`].
    pub theta: Vec<f64>,
    /// The seed of its simulation, [`candidate_seed`]`(seed, t, i)`.
    pub seed: u64,
}

/// Why a fit stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// [`Settings::max_generations`] generations were completed.
    MaxGenerations,
    /// A generation could not accept [`Settings::population`] particles at an acceptance
    /// rate of at least [`Settings::min_acceptance`] (it was abandoned).
    MinAcceptance,
    /// A generation's tolerance reached [`Settings::final_epsilon`].
    FinalEpsilon,
    /// The [`Settings::budget`] of runs could not complete another generation.
    Budget,
}

/// A completed ABC-SMC fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The completed generations; the last is the posterior sample.
    pub populations: Vec<Population>,
    /// Why the fit stopped.
    pub stop: StopReason,
    /// Simulation runs used in all, those of an abandoned generation included.
    pub runs: u64,
}

impl Fit {
    /// The last completed generation, the posterior sample (none if generation 0 was
    /// abandoned).
    pub fn posterior(&self) -> Option<&Population> {
        self.populations.last()
    }
}

/// Why a fit could not run.
#[derive(Debug, Error, PartialEq)]
pub enum FitError {
    /// The priors, distance, settings or given generations are inconsistent.
    #[error("invalid fit: {0}")]
    Invalid(String),
    /// The evaluator returned the wrong number of results, or a summary of the wrong
    /// length.
    #[error("evaluator: {0}")]
    Evaluator(String),
    /// The evaluator stopped the fit ([`AbcSmc::try_resume`]).
    #[error("{0}")]
    Stopped(String),
    /// A candidate drew [`MAX_PROPOSALS`] proposals, all outside the prior's support.
    #[error(
        "candidate {index} of generation {generation}: no proposal inside the prior's support in {MAX_PROPOSALS} draws"
    )]
    Proposal {
        /// The generation.
        generation: usize,
        /// The candidate.
        index: usize,
    },
}

/// The simulation seed of candidate `index` of `generation` of a fit with seed `seed`:
/// SplitMix64 mixing of the three, below 2⁶³ so that it fits a TOML integer.
pub fn candidate_seed(seed: u64, generation: usize, index: usize) -> u64 {
    let mut h = seed ^ 0xF17F_0000_ABC5_3C00;
    let first = splitmix64(&mut h);
    h ^= first
        ^ (generation as u64)
            .wrapping_add(1)
            .wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let second = splitmix64(&mut h);
    h ^= second
        ^ (index as u64)
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    splitmix64(&mut h) >> 1
}

/// An ABC-SMC fit: what is fitted, to what, how, and from which seed.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcSmc {
    /// The priors of the parameters.
    pub priors: Priors,
    /// The distance to the observed statistics.
    pub distance: Distance,
    /// The settings.
    pub settings: Settings,
    /// The seed of every proposal stream and simulation seed.
    pub seed: u64,
}

/// How one generation ended.
enum Outcome {
    Complete(Box<Population>),
    Abandoned { runs: u64, reason: StopReason },
}

/// What a generation `t ≥ 1` proposes from.
struct Proposer<'a> {
    previous: &'a Population,
    kernel: Kernel,
    /// Cumulative normalised weights of the previous population.
    cumulative: Vec<f64>,
}

impl AbcSmc {
    /// Checks the priors, distance and settings.
    pub fn check(&self) -> Result<(), FitError> {
        self.priors.check().map_err(FitError::Invalid)?;
        self.distance.check().map_err(FitError::Invalid)?;
        self.settings.check().map_err(FitError::Invalid)
    }

    /// Runs the fit from generation 0, simulating with `evaluate` (one result per
    /// candidate, in order; `None` for a failed run).
    pub fn run<E>(&self, evaluate: E) -> Result<Fit, FitError>
    where
        E: FnMut(&[Candidate]) -> Vec<Option<Vec<f64>>>,
    {
        self.resume(Vec::new(), evaluate)
    }

    /// Continues a fit from its completed generations `populations` (0, 1, … in order),
    /// as if it had not been interrupted.
    pub fn resume<E>(&self, populations: Vec<Population>, mut evaluate: E) -> Result<Fit, FitError>
    where
        E: FnMut(&[Candidate]) -> Vec<Option<Vec<f64>>>,
    {
        self.try_resume(populations, |batch| Ok(evaluate(batch)))
    }

    /// [`AbcSmc::resume`] with an evaluator that may stop the fit: its error
    /// ([`FitError::Stopped`]) is returned as is. A driver stops this way when a batch
    /// is left for a job array to simulate, or when it cannot record a run.
    pub fn try_resume<E>(
        &self,
        mut populations: Vec<Population>,
        mut evaluate: E,
    ) -> Result<Fit, FitError>
    where
        E: FnMut(&[Candidate]) -> Result<Vec<Option<Vec<f64>>>, FitError>,
    {
        self.check()?;
        self.check_populations(&populations)?;
        let mut runs: u64 = populations.iter().map(|p| p.runs).sum();
        loop {
            if let Some(stop) = self.stop_after(&populations, runs) {
                return Ok(Fit {
                    populations,
                    stop,
                    runs,
                });
            }
            let left = self.settings.budget.map(|b| b.saturating_sub(runs));
            match self.generation(populations.last(), left, &mut evaluate)? {
                Outcome::Complete(p) => {
                    runs += p.runs;
                    populations.push(*p);
                }
                Outcome::Abandoned {
                    runs: used,
                    reason: stop,
                } => {
                    return Ok(Fit {
                        populations,
                        stop,
                        runs: runs + used,
                    });
                }
            }
        }
    }

    /// Checks that given generations are numbered 0, 1, … and have the shapes of this fit.
    fn check_populations(&self, populations: &[Population]) -> Result<(), FitError> {
        let (d, m) = (self.priors.dim(), self.distance.stats());
        for (t, p) in populations.iter().enumerate() {
            let bad = |what: &str| Err(FitError::Invalid(format!("generation {t}: {what}")));
            if p.generation != t {
                return bad(&format!("numbered {}", p.generation));
            }
            let n = p.particles.len();
            if n == 0 {
                return bad("no particles");
            }
            if [
                p.weights.len(),
                p.distances.len(),
                p.summaries.len(),
                p.seeds.len(),
            ]
            .iter()
            .any(|&l| l != n)
            {
                return bad("particles, weights, distances, summaries and seeds differ in number");
            }
            if p.particles.iter().any(|x| x.len() != d) {
                return bad(&format!("a particle has not {d} parameters"));
            }
            if p.summaries.iter().any(|s| s.len() != m)
                || p.scales.len() != m
                || p.next_scales.len() != m
            {
                return bad(&format!("summaries or scales have not {m} statistics"));
            }
        }
        Ok(())
    }

    /// The reason to stop after these completed generations, if any (module docs).
    fn stop_after(&self, populations: &[Population], runs: u64) -> Option<StopReason> {
        let s = &self.settings;
        if let Some(last) = populations.last() {
            if s.final_epsilon.is_some_and(|e| last.epsilon <= e) {
                return Some(StopReason::FinalEpsilon);
            }
            if populations.len() >= s.max_generations {
                return Some(StopReason::MaxGenerations);
            }
        }
        if s.budget
            .is_some_and(|b| b.saturating_sub(runs) < s.population as u64)
        {
            return Some(StopReason::Budget);
        }
        None
    }

    /// Candidate `index` of generation `t`: its proposal and the proposals it redrew.
    fn propose(
        &self,
        t: usize,
        index: usize,
        proposer: Option<&Proposer>,
    ) -> Result<(Candidate, u64), FitError> {
        let mut rng = stream(self.seed, purpose::FIT, t as u64, index as u64);
        let candidate = |theta| Candidate {
            generation: t,
            index,
            theta,
            seed: candidate_seed(self.seed, t, index),
        };
        let Some(proposer) = proposer else {
            return Ok((candidate(self.priors.sample(&mut rng)), 0));
        };
        for redrawn in 0..MAX_PROPOSALS {
            let u = uniform(&mut rng);
            let j = pick(&proposer.cumulative, u);
            let theta = proposer
                .kernel
                .perturb(&proposer.previous.particles[j], &mut rng);
            if self.priors.ln_pdf(&theta) > f64::NEG_INFINITY {
                return Ok((candidate(theta), redrawn));
            }
        }
        Err(FitError::Proposal {
            generation: t,
            index,
        })
    }

    /// Runs the generation after `previous` (generation 0 if none) with at most `left`
    /// runs of the budget.
    fn generation<E>(
        &self,
        previous: Option<&Population>,
        left: Option<u64>,
        evaluate: &mut E,
    ) -> Result<Outcome, FitError>
    where
        E: FnMut(&[Candidate]) -> Result<Vec<Option<Vec<f64>>>, FitError>,
    {
        let s = &self.settings;
        let p_target = s.population;
        let t = previous.map_or(0, |p| p.generation + 1);

        // The distance and tolerance of this generation.
        let (scales, epsilon, proposer) = match previous {
            None => (None, f64::INFINITY, None),
            Some(prev) => {
                let scales = prev.next_scales.clone();
                let d: Vec<f64> = prev
                    .summaries
                    .iter()
                    .map(|x| self.distance.distance(x, &scales))
                    .collect();
                let epsilon = weighted_quantile(&d, &prev.weights, s.quantile_alpha);
                let proposer = Proposer {
                    previous: prev,
                    kernel: Kernel::from_population(&prev.particles, &prev.weights),
                    cumulative: cumulative_weights(&prev.weights),
                };
                (Some(scales), epsilon, Some(proposer))
            }
        };

        // The run limit of this generation and what stops it.
        let (limit, limit_reason) = match (left, s.generation_cap()) {
            (Some(b), Some(c)) if c < b => (Some(c), StopReason::MinAcceptance),
            (Some(b), _) => (Some(b), StopReason::Budget),
            (None, c) => (c, StopReason::MinAcceptance),
        };

        let m = self.distance.stats();
        let mut particles = Vec::with_capacity(p_target);
        let mut summaries: Vec<Vec<f64>> = Vec::with_capacity(p_target);
        let mut seeds = Vec::with_capacity(p_target);
        let mut distances = Vec::with_capacity(p_target);
        let mut simulated: Vec<Vec<f64>> = Vec::new();
        let (mut runs, mut failed, mut out_of_prior) = (0u64, 0u64, 0u64);
        let mut next = 0usize;
        while particles.len() < p_target {
            let size = match limit {
                Some(l) if next as u64 >= l => {
                    return Ok(Outcome::Abandoned {
                        runs,
                        reason: limit_reason,
                    });
                }
                Some(l) => s.batch.min((l - next as u64) as usize),
                None => s.batch,
            };
            let proposed: Vec<(Candidate, u64)> = (next..next + size)
                .into_par_iter()
                .map(|i| self.propose(t, i, proposer.as_ref()))
                .collect::<Result<_, _>>()?;
            let (candidates, redrawn): (Vec<Candidate>, Vec<u64>) = proposed.into_iter().unzip();
            let results = evaluate(&candidates)?;
            if results.len() != candidates.len() {
                return Err(FitError::Evaluator(format!(
                    "{} results for {} candidates",
                    results.len(),
                    candidates.len()
                )));
            }
            for ((candidate, redrawn), result) in candidates.into_iter().zip(redrawn).zip(results) {
                runs += 1;
                out_of_prior += redrawn;
                match result {
                    Some(summary) if summary.len() != m => {
                        return Err(FitError::Evaluator(format!(
                            "candidate {} of generation {t}: {} summary statistics, not {m}",
                            candidate.index,
                            summary.len()
                        )));
                    }
                    Some(summary) if summary.iter().all(|v| v.is_finite()) => {
                        let d = scales
                            .as_ref()
                            .map_or(f64::NAN, |sc| self.distance.distance(&summary, sc));
                        let accept = scales.is_none() || d <= epsilon;
                        simulated.push(summary.clone());
                        if accept {
                            particles.push(candidate.theta);
                            seeds.push(candidate.seed);
                            distances.push(d);
                            summaries.push(summary);
                            if particles.len() == p_target {
                                break;
                            }
                        }
                    }
                    _ => failed += 1,
                }
            }
            next += size;
        }

        let next_scales = self.distance.scales(&simulated);
        let scales = match scales {
            Some(sc) => sc,
            None => {
                // Generation 0 measures its distances with its own scales.
                for (d, x) in distances.iter_mut().zip(&summaries) {
                    *d = self.distance.distance(x, &next_scales);
                }
                next_scales.clone()
            }
        };
        let weights = match &proposer {
            None => vec![1.0 / p_target as f64; p_target],
            Some(pr) => self.importance_weights(&particles, pr),
        };
        let ess = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        Ok(Outcome::Complete(Box::new(Population {
            generation: t,
            epsilon,
            particles,
            weights,
            distances,
            summaries,
            seeds,
            scales,
            next_scales,
            acceptance_rate: p_target as f64 / runs as f64,
            ess,
            runs,
            failed,
            out_of_prior,
        })))
    }

    /// `w_i ∝ π(θ_i) / Σ_j w_j K(θ_i ∣ θ_j)`, normalised; in logarithms, each sum by
    /// log-sum-exp.
    fn importance_weights(&self, particles: &[Vec<f64>], proposer: &Proposer) -> Vec<f64> {
        let prev = proposer.previous;
        let total: f64 = prev.weights.iter().sum();
        let ln_w: Vec<f64> = prev.weights.iter().map(|w| (w / total).ln()).collect();
        let ln_weights: Vec<f64> = particles
            .par_iter()
            .map(|theta| {
                let terms: Vec<f64> = prev
                    .particles
                    .iter()
                    .zip(&ln_w)
                    .map(|(from, lw)| lw + proposer.kernel.ln_density(from, theta))
                    .collect();
                self.priors.ln_pdf(theta) - log_sum_exp(&terms)
            })
            .collect();
        let max = ln_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let raw: Vec<f64> = ln_weights.iter().map(|l| (l - max).exp()).collect();
        let sum: f64 = raw.iter().sum();
        raw.iter().map(|r| r / sum).collect()
    }
}

/// `ln Σ exp(x_k)`, shifted by the largest term.
fn log_sum_exp(x: &[f64]) -> f64 {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + x.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::prior::Prior;
    use rand_distr::{Distribution, StandardNormal};

    /// Observations per data set of the conjugate model.
    const N_OBS: usize = 20;
    /// Prior sd of θ.
    const PRIOR_SD: f64 = 2.0;

    /// The conjugate normal model: the mean of `N_OBS` draws from N(θ, 1), from `seed`.
    fn sample_mean(theta: f64, seed: u64) -> f64 {
        let mut rng = stream(seed, 0, 0, 0);
        let sum: f64 = (0..N_OBS)
            .map(|_| {
                theta + <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
            })
            .sum();
        sum / N_OBS as f64
    }

    fn simulate(c: &Candidate) -> Option<Vec<f64>> {
        Some(vec![sample_mean(c.theta[0], c.seed)])
    }

    /// Sequential evaluator.
    fn serial(batch: &[Candidate]) -> Vec<Option<Vec<f64>>> {
        batch.iter().map(simulate).collect()
    }

    /// Parallel evaluator (rayon, as a pool of workers would).
    fn parallel(batch: &[Candidate]) -> Vec<Option<Vec<f64>>> {
        batch.par_iter().map(simulate).collect()
    }

    /// The fit of θ ~ N(0, PRIOR_SD²) to an observed mean `ybar`.
    fn conjugate(ybar: f64, settings: Settings, seed: u64) -> AbcSmc {
        AbcSmc {
            priors: Priors::new(vec![(
                "theta".into(),
                Prior::Normal {
                    mean: 0.0,
                    sd: PRIOR_SD,
                },
            )]),
            distance: Distance::new(vec![ybar]),
            settings,
            seed,
        }
    }

    /// The exact posterior (mean, sd) given the observed mean `ybar`:
    /// σ_n² = 1 / (1/PRIOR_SD² + N_OBS), μ_n = σ_n² N_OBS ȳ.
    fn exact_posterior(ybar: f64) -> (f64, f64) {
        let var = 1.0 / (1.0 / (PRIOR_SD * PRIOR_SD) + N_OBS as f64);
        (var * N_OBS as f64 * ybar, var.sqrt())
    }

    /// Settings for the fast fits of the property tests: 300 particles, 5 generations.
    fn small() -> Settings {
        Settings {
            population: 300,
            max_generations: 5,
            min_acceptance: 0.01,
            batch: 64,
            ..Settings::default()
        }
    }

    #[test]
    fn the_conjugate_normal_posterior_is_recovered() {
        // θ ~ N(0, 2²), ȳ the mean of 20 draws from N(θ, 1) (sufficient): the posterior
        // is N(μ_n, σ_n²), σ_n² = 1/(1/4 + 20), μ_n = 20 σ_n² ȳ.
        //
        // ABC tolerance bias: accepting |ȳ_sim − ȳ| ≤ h replaces the likelihood's variance
        // 1/20 by about 1/20 + h²/3; the fit stops at a scaled tolerance of 0.05 and we
        // check that h = ε × scale < 0.15 σ_n (0.033), so the ABC posterior's sd exceeds
        // σ_n by less than 0.4 % and its mean moves by less than 0.1 % of σ_n: negligible
        // against the Monte Carlo tolerances.
        //
        // Monte Carlo: with ESS ≈ 1900 (P = 2000) an independent weighted sample would
        // give standard errors σ_n/√ESS = 0.023 σ_n for the mean and 1/√(2 ESS) = 1.6 %
        // for the sd; the particles of SMC are correlated through resampling, which
        // inflated both by a factor of about 1.6 over 20 seeds (P = 1000). The tolerances
        // are about 4 inflated standard errors: 0.15 σ_n for the mean, 10 % for the sd.
        let ybar = sample_mean(1.3, 424_242);
        let (mu, sd) = exact_posterior(ybar);
        let settings = Settings {
            population: 2000,
            max_generations: 20,
            min_acceptance: 0.002,
            final_epsilon: Some(0.05),
            batch: 4000,
            ..Settings::default()
        };
        let fit = conjugate(ybar, settings, 11).run(parallel).unwrap();
        assert_eq!(fit.stop, StopReason::FinalEpsilon);
        let post = fit.posterior().unwrap();
        let h = post.epsilon * post.scales[0];
        assert!(h < 0.15 * sd, "final tolerance {h} on ȳ");
        assert!(post.ess > 1500.0, "ESS {}", post.ess);
        let (m, s) = (post.mean()[0], post.sd()[0]);
        assert!((m - mu).abs() < 0.15 * sd, "mean {m} vs {mu} (sd {sd})");
        assert!((s / sd - 1.0).abs() < 0.10, "sd {s} vs {sd}");
        // Every generation's weights are normalised and its particles met its tolerance.
        for p in &fit.populations {
            assert!((p.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(p.distances.iter().all(|&d| d <= p.epsilon));
            assert_eq!(p.size(), 2000);
        }
    }

    #[test]
    fn credible_intervals_cover_at_their_level() {
        // 100 data sets, θ drawn from the prior, each fitted with 200 particles down to a
        // scaled tolerance of 0.1 (about 0.2 σ_n on ȳ: the ABC posterior is wider than
        // the exact one by about 1 %). If the 90 % intervals cover with probability 0.9,
        // the number covering is Binomial(100, 0.9), and lies in [81, 97] with probability
        // 0.996 (P(X ≤ 80) = 0.0020, P(X ≥ 98) = 0.0019). Intervals from the prior (no
        // update) or from a posterior too narrow by a third would fall outside.
        let settings = Settings {
            population: 200,
            max_generations: 12,
            min_acceptance: 0.01,
            final_epsilon: Some(0.1),
            batch: 400,
            ..Settings::default()
        };
        let prior = Prior::Normal {
            mean: 0.0,
            sd: PRIOR_SD,
        };
        let fits = 100u64;
        let covered = (0..fits)
            .into_par_iter()
            .filter(|&k| {
                let theta = prior.sample(&mut stream(k, 0, 1, 0));
                let ybar = sample_mean(theta, k + 1_000_000);
                let fit = conjugate(ybar, settings, k).run(serial).unwrap();
                let (lo, hi) = fit.posterior().unwrap().credible_interval(0, 0.9);
                lo <= theta && theta <= hi
            })
            .count();
        assert!((81..=97).contains(&covered), "{covered} of {fits} covered");
    }

    #[test]
    fn results_do_not_depend_on_threads_or_batches() {
        let ybar = sample_mean(-0.7, 5);
        let base = conjugate(ybar, small(), 21).run(serial).unwrap();
        assert_eq!(base.populations.len(), 5);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        for batch in [1, 7, 300, 5000] {
            let fit = conjugate(ybar, Settings { batch, ..small() }, 21);
            assert_eq!(fit.run(parallel).unwrap(), base, "batch {batch}");
            assert_eq!(
                one.install(|| fit.run(serial)).unwrap(),
                base,
                "batch {batch}, one thread"
            );
        }
        // Another seed gives another fit.
        assert_ne!(conjugate(ybar, small(), 22).run(serial).unwrap(), base);
    }

    #[test]
    fn a_resumed_fit_equals_an_uninterrupted_one() {
        let ybar = sample_mean(0.4, 6);
        let full = conjugate(ybar, small(), 31).run(parallel).unwrap();
        assert_eq!(full.stop, StopReason::MaxGenerations);
        for done in 1..5 {
            let first = Settings {
                max_generations: done,
                ..small()
            };
            let part = conjugate(ybar, first, 31).run(parallel).unwrap();
            assert_eq!(part.populations[..], full.populations[..done]);
            // Resume with other batches: the result is the same.
            let rest = Settings {
                batch: 5,
                ..small()
            };
            let resumed = conjugate(ybar, rest, 31)
                .resume(part.populations, serial)
                .unwrap();
            assert_eq!(resumed, full, "resumed after {done} generations");
        }
        // Resuming a finished fit simulates nothing.
        let again = conjugate(ybar, small(), 31)
            .resume(full.populations.clone(), |_: &[Candidate]| {
                panic!("nothing to simulate")
            })
            .unwrap();
        assert_eq!(again, full);
        // Generations out of order are refused.
        let mut shuffled = full.populations.clone();
        shuffled.swap(0, 1);
        assert!(matches!(
            conjugate(ybar, small(), 31).resume(shuffled, serial),
            Err(FitError::Invalid(_))
        ));
    }

    #[test]
    fn the_budget_stops_at_the_last_complete_generation() {
        let ybar = sample_mean(0.4, 7);
        let full = conjugate(ybar, small(), 41).run(serial).unwrap();
        let runs: Vec<u64> = full.populations.iter().map(|p| p.runs).collect();
        assert_eq!(full.runs, runs.iter().sum::<u64>());
        let counting = |budget: u64| {
            let mut asked = 0u64;
            let fit = conjugate(
                ybar,
                Settings {
                    budget: Some(budget),
                    ..small()
                },
                41,
            )
            .run(|batch: &[Candidate]| {
                asked += batch.len() as u64;
                serial(batch)
            })
            .unwrap();
            (fit, asked)
        };
        // Generation 3 runs out of budget halfway: abandoned, generations 0–2 kept.
        let budget = runs[0] + runs[1] + runs[2] + runs[3] / 2;
        let (fit, asked) = counting(budget);
        assert_eq!(fit.stop, StopReason::Budget);
        assert_eq!(fit.populations[..], full.populations[..3]);
        assert_eq!(fit.runs, budget);
        // Each completed generation may have simulated up to batch − 1 = 63 candidates
        // past its last acceptance; the abandoned one stops at the budget.
        assert!(
            asked <= budget + 3 * 63,
            "{asked} simulated, budget {budget}"
        );
        // Fewer than P runs left after generation 1: generation 2 is not started.
        let budget = runs[0] + runs[1] + 299;
        let (fit, asked) = counting(budget);
        assert_eq!(fit.stop, StopReason::Budget);
        assert_eq!(fit.populations[..], full.populations[..2]);
        assert_eq!(fit.runs, runs[0] + runs[1]);
        assert!(asked <= runs[0] + runs[1] + 2 * 63);
        // A budget that exactly suffices does not stop the fit.
        let (fit, _) = counting(full.runs);
        assert_eq!(
            fit,
            Fit {
                runs: full.runs,
                ..full.clone()
            }
        );
        assert_eq!(fit.stop, StopReason::MaxGenerations);
    }

    #[test]
    fn low_acceptance_abandons_the_generation() {
        let ybar = sample_mean(0.4, 8);
        let long = Settings {
            max_generations: 10,
            min_acceptance: 0.001,
            ..small()
        };
        let full = conjugate(ybar, long, 51).run(serial).unwrap();
        // The first generation whose rate falls below 0.1.
        let t = full
            .populations
            .iter()
            .position(|p| p.acceptance_rate < 0.1)
            .expect("the rate falls below 0.1 within 10 generations");
        let fit = conjugate(
            ybar,
            Settings {
                min_acceptance: 0.1,
                ..long
            },
            51,
        )
        .run(serial)
        .unwrap();
        assert_eq!(fit.stop, StopReason::MinAcceptance);
        assert_eq!(fit.populations[..], full.populations[..t]);
        assert!(fit.populations.iter().all(|p| p.acceptance_rate >= 0.1));
        // The abandoned generation used ⌊300 / 0.1⌋ = 3000 runs.
        let kept: u64 = fit.populations.iter().map(|p| p.runs).sum();
        assert_eq!(fit.runs - kept, 3000);
    }

    #[test]
    fn failed_runs_count_as_rejected() {
        let ybar = sample_mean(0.4, 9);
        // Every third candidate fails; from generation 1 on, every run fails (the
        // evaluator reports a non-finite summary).
        let flaky = |batch: &[Candidate]| -> Vec<Option<Vec<f64>>> {
            batch
                .iter()
                .map(|c| match (c.generation, c.index % 3) {
                    (0, 0) => None,
                    (0, _) => simulate(c),
                    _ => Some(vec![f64::NAN]),
                })
                .collect()
        };
        let settings = Settings {
            min_acceptance: 0.05,
            ..small()
        };
        let fit = conjugate(ybar, settings, 61).run(flaky).unwrap();
        assert_eq!(fit.stop, StopReason::MinAcceptance);
        let p0 = &fit.populations[..];
        assert_eq!(p0.len(), 1);
        // 300 accepted of 450 runs: indices 0, 3, …, 447 fail (150), the 300th success
        // is index 449. Generation 1 is abandoned after ⌊300 / 0.05⌋ = 6000 runs.
        assert_eq!((p0[0].runs, p0[0].failed), (450, 150));
        assert!((p0[0].acceptance_rate - 300.0 / 450.0).abs() < 1e-15);
        assert_eq!(fit.runs, 450 + 6000);
    }

    #[test]
    fn proposals_outside_the_prior_are_redrawn() {
        // A flat prior on [0, 10] and data at its edge: the posterior is N(ȳ, 1/20)
        // truncated to [0, 10], whose mean and sd have closed forms. Many perturbations
        // fall below 0; they are redrawn, and redrawing the particle as well as the
        // perturbation keeps the proposal density proportional to Σ_j w_j K(θ ∣ θ_j) on
        // the support, so the weights need no correction.
        //
        // Tolerances: over 10 seeds (P = 1000, ESS ≈ 900) the error of the mean had an rms
        // of 0.037 σ and that of the sd 6.2 % (the sd of a posterior piled against a bound
        // is the noisier estimate); the checks allow 0.2 σ and 25 %, about 5 and 4 rms.
        let ybar = 0.05;
        let s = (1.0 / N_OBS as f64).sqrt();
        let exact = Prior::TruncatedNormal {
            mean: ybar,
            sd: s,
            lo: 0.0,
            hi: 10.0,
        };
        let fit = AbcSmc {
            priors: Priors::new(vec![("theta".into(), Prior::Uniform { lo: 0.0, hi: 10.0 })]),
            distance: Distance::new(vec![ybar]),
            settings: Settings {
                population: 1000,
                max_generations: 20,
                min_acceptance: 0.002,
                final_epsilon: Some(0.05),
                batch: 2000,
                ..Settings::default()
            },
            seed: 71,
        }
        .run(parallel)
        .unwrap();
        let post = fit.posterior().unwrap();
        assert!(fit.populations.iter().map(|p| p.out_of_prior).sum::<u64>() > 1000);
        assert!(post.particles.iter().all(|p| (0.0..=10.0).contains(&p[0])));
        let (want_mean, want_sd) = (exact.mean(), exact.variance().sqrt());
        let (m, sd) = (post.mean()[0], post.sd()[0]);
        assert!(
            (m - want_mean).abs() < 0.2 * want_sd,
            "mean {m} vs {want_mean}"
        );
        assert!((sd / want_sd - 1.0).abs() < 0.25, "sd {sd} vs {want_sd}");
    }

    #[test]
    fn candidates_carry_their_keys() {
        let ybar = 0.0;
        let mut seen: Vec<(usize, usize, u64)> = Vec::new();
        let fit = conjugate(
            ybar,
            Settings {
                max_generations: 2,
                ..small()
            },
            81,
        )
        .run(|batch: &[Candidate]| {
            seen.extend(batch.iter().map(|c| (c.generation, c.index, c.seed)));
            serial(batch)
        })
        .unwrap();
        for &(t, i, seed) in &seen {
            assert_eq!(seed, candidate_seed(81, t, i));
            assert!(seed < 1 << 63);
        }
        // Indices run 0, 1, 2, … within each generation.
        for t in 0..2 {
            let idx: Vec<usize> = seen.iter().filter(|c| c.0 == t).map(|c| c.1).collect();
            assert_eq!(idx, (0..idx.len()).collect::<Vec<_>>());
        }
        // The accepted particles' seeds are those of their candidates.
        assert_eq!(fit.populations[0].seeds[0], candidate_seed(81, 0, 0));
        assert_ne!(candidate_seed(81, 0, 1), candidate_seed(81, 1, 0));
    }

    #[test]
    fn inconsistent_inputs_are_refused() {
        let fit = conjugate(0.0, small(), 1);
        let short = |batch: &[Candidate]| vec![Some(vec![0.0]); batch.len() - 1];
        assert!(matches!(fit.run(short), Err(FitError::Evaluator(_))));
        let wide = |batch: &[Candidate]| vec![Some(vec![0.0, 1.0]); batch.len()];
        assert!(matches!(fit.run(wide), Err(FitError::Evaluator(_))));
        let bad = [
            Settings {
                population: 1,
                ..small()
            },
            Settings {
                max_generations: 0,
                ..small()
            },
            Settings {
                min_acceptance: 0.0,
                budget: None,
                ..small()
            },
            Settings {
                budget: Some(299),
                ..small()
            },
            Settings {
                quantile_alpha: 0.0,
                ..small()
            },
            Settings {
                batch: 0,
                ..small()
            },
        ];
        for settings in bad {
            assert!(settings.check().is_err(), "{settings:?}");
            assert!(matches!(
                conjugate(0.0, settings, 1).run(serial),
                Err(FitError::Invalid(_))
            ));
        }
        assert!(
            Settings {
                min_acceptance: 0.0,
                budget: Some(1000),
                ..small()
            }
            .check()
            .is_ok()
        );
    }
}
