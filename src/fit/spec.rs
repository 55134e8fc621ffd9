//! The fit file: what to calibrate, against which data, and how long to search.
//!
//! ```toml
//! base = "../baseline.toml"   # the config every simulation starts from (relative to this
//!                             #   file; the embedded default if omitted)
//! seed = 11                   # the fit's seed (default: the base's run.seed)
//! observed = "growth.csv"     # the data (super::observed), relative to this file
//! population = 500            # particles per generation P (default 1000)
//! max_generations = 8         # default 10
//! min_acceptance = 0.02       # stop when a generation would accept fewer (default 0.01)
//! final_epsilon = 0.5         # optional: stop once the tolerance is this small
//! budget = 20000              # optional: most simulations in all
//! quantile = 0.5              # the tolerance is this quantile of the last distances
//! batch = 200                 # candidates simulated together (default 2 × population)
//! predictive = 20             # posterior predictive runs after the fit (default 20)
//! set = { "init.kind" = "disc" }  # optional: config constants every candidate takes
//! weights = { total = 1.0, csc_fraction = 2.0 }  # optional, per observed output (default 1)
//!
//! [[param]]
//! key = "cells.p_symmetric"   # a real-valued config key (`seedsoil params`)
//! prior = "uniform"           # uniform | log-uniform | normal | truncated-normal
//! range = [0.05, 0.5]         # uniform, log-uniform, truncated-normal
//! # mean = 0.3, sd = 0.1     # normal, truncated-normal
//! ```
//!
//! Every simulation runs to the last observed day (`run.days` is set to it). The checks
//! report every problem at once, each with its key, value and what is allowed: unknown
//! keys; the base and seed; the observed file; the settings ([`Settings::check`]); each
//! parameter's key (known, real-valued, given once), its prior and that the prior's
//! support lies inside the key's allowed range; and the weights (known outputs of the
//! data, non-negative).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::distance::Distance;
use super::observed::{self, Observed};
use super::prior::{Prior, Priors};
use super::smc::Settings;
use crate::config::{FloatRange, ParamKind, lookup};
use crate::error::{ConfigError, Problem};
use crate::spec::given::{Given, finite};
use crate::spec::head::{HeadFile, folder, parse_file, unknown_keys};
use crate::spec::show::{quoted, show};

/// Top-level keys of a fit file.
pub const TOP_KEYS: [&str; 14] = [
    "base",
    "seed",
    "observed",
    "population",
    "max_generations",
    "min_acceptance",
    "final_epsilon",
    "budget",
    "quantile",
    "batch",
    "predictive",
    "set",
    "weights",
    "param",
];

/// Posterior predictive runs of a fit file without `predictive`.
pub const DEFAULT_PREDICTIVE: usize = 20;

/// Keys of a `[[param]]` table.
pub const PARAM_KEYS: [&str; 5] = ["key", "prior", "range", "mean", "sd"];

/// A checked fit file.
#[derive(Debug, Clone)]
pub struct FitSpec {
    /// The fit file.
    pub file: PathBuf,
    /// The base config's path (`None`: the embedded default).
    pub base: Option<PathBuf>,
    /// The base config's table, with `run.days` set to the last observed day.
    pub base_table: toml::Table,
    /// The fit's seed.
    pub seed: Option<u64>,
    /// The observed data.
    pub observed: Observed,
    /// The priors, named by their config keys, in file order.
    pub priors: Priors,
    /// The algorithm's settings.
    pub settings: Settings,
    /// The weight of each statistic (its output's weight), in statistic order.
    pub weights: Vec<f64>,
    /// Posterior predictive runs after the fit (0: none).
    pub predictive: usize,
}

impl FitSpec {
    /// Reads and checks the fit file at `path`.
    pub fn load(path: &Path) -> Result<FitSpec, ConfigError> {
        let text = crate::input::read_toml_text(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_text(&text, path)
    }

    /// Checks the text of a fit file that lives at `path` (relative paths start there).
    pub fn from_text(text: &str, path: &Path) -> Result<FitSpec, ConfigError> {
        let file: FitFile = parse_file(text, path)?;
        file.check(path).map_err(ConfigError::Invalid)
    }

    /// The distance of the fit: the observed statistics, their weights and sds.
    pub fn distance(&self) -> Distance {
        Distance {
            observed: self.observed.values(),
            weights: self.weights.clone(),
            measurement_sd: Some(self.observed.sds()),
        }
    }
}

/// A fit file as given.
#[derive(Debug, Deserialize)]
struct FitFile {
    /// `base`, `seed` (and `replicates`, which a fit refuses).
    #[serde(flatten)]
    head: HeadFile,
    observed: Option<Given<String>>,
    population: Option<Given<u32>>,
    max_generations: Option<Given<u32>>,
    min_acceptance: Option<Given<f64>>,
    final_epsilon: Option<Given<f64>>,
    budget: Option<Given<u64>>,
    quantile: Option<Given<f64>>,
    batch: Option<Given<u32>>,
    predictive: Option<Given<u32>>,
    set: Option<Given<toml::Table>>,
    weights: Option<Given<toml::Table>>,
    param: Option<Given<Vec<Given<ParamFile>>>>,
    /// Keys a fit file does not have.
    #[serde(flatten)]
    unknown: toml::Table,
}

/// A `[[param]]` table as given.
#[derive(Debug, Deserialize)]
struct ParamFile {
    key: Option<Given<String>>,
    prior: Option<Given<String>>,
    range: Option<Given<Vec<f64>>>,
    mean: Option<Given<f64>>,
    sd: Option<Given<f64>>,
    #[serde(flatten)]
    unknown: toml::Table,
}

/// The prior families, as fit files name them.
const FAMILIES: [&str; 4] = ["uniform", "log-uniform", "normal", "truncated-normal"];

impl FitFile {
    fn check(self, path: &Path) -> Result<FitSpec, Vec<Problem>> {
        let mut problems = Vec::new();
        unknown_keys(&self.unknown, "", "a fit file", &TOP_KEYS, &mut problems);
        if let Some(r) = &self.head.replicates {
            problems.push(Problem::new(
                "replicates",
                show(&r.raw),
                "a fit runs one simulation per candidate; remove it",
            ));
        }
        let base = self.head.base(&folder(path), "fit", &mut problems);
        let seed = self.head.seed(base.table.as_ref(), &mut problems);
        let observed = match &self.observed {
            None => {
                problems.push(Problem::new(
                    "observed",
                    "(missing)",
                    "required: the CSV of measurements (day, outputs), relative to the fit file",
                ));
                None
            }
            Some(Given {
                typed: Some(name), ..
            }) => observed::read(&folder(path).join(name), "observed", &mut problems),
            Some(other) => {
                problems.push(Problem::new(
                    "observed",
                    show(&other.raw),
                    "expected a path to a CSV file (a string)",
                ));
                None
            }
        };
        let settings = self.settings(&mut problems);
        let predictive = match &self.predictive {
            None => DEFAULT_PREDICTIVE,
            Some(Given { typed: Some(n), .. }) if *n <= 10_000 => *n as usize,
            Some(g) => {
                problems.push(Problem::new(
                    "predictive",
                    show(&g.raw),
                    "allowed integer 0 ≤ value ≤ 10000 (posterior predictive runs)",
                ));
                0
            }
        };
        let priors = self.priors(&mut problems);
        let set = crate::spec::set::read(self.set.as_ref(), "set", &mut problems);
        let mut base_table = base.table;
        let fitted = priors.as_ref().map(Priors::names).unwrap_or_default();
        crate::spec::set::apply(
            &set,
            &fitted,
            "a [[param]] fits this key: remove it from set",
            base_table.as_mut(),
            &mut problems,
        );
        let weights = observed
            .as_ref()
            .map(|o| self.weights(o, &mut problems))
            .unwrap_or_default();
        if !problems.is_empty() {
            return Err(problems);
        }
        let observed = observed.expect("no problems: the data were read");
        let mut base_table = base_table.expect("no problems: the base was read");
        crate::config::set_value(
            &mut base_table,
            "run.days",
            toml::Value::Float(observed.last_day().max(f64::MIN_POSITIVE)),
        )
        .map_err(|p| vec![p])?;
        Ok(FitSpec {
            file: path.to_path_buf(),
            base: base.path,
            base_table,
            seed,
            observed,
            priors: priors.expect("no problems: the priors are valid"),
            settings: settings.expect("no problems: the settings are valid"),
            weights,
            predictive,
        })
    }

    /// The algorithm's settings: each key's type and range, then [`Settings::check`].
    fn settings(&self, problems: &mut Vec<Problem>) -> Option<Settings> {
        let before = problems.len();
        let mut s = Settings::default();
        let mut int = |key: &str, g: &Option<Given<u32>>, least: u32| -> Option<usize> {
            let g = g.as_ref()?;
            match g.typed {
                Some(v) if v >= least => Some(v as usize),
                _ => {
                    problems.push(Problem::new(
                        key,
                        show(&g.raw),
                        format!("allowed integer {least} ≤ value ≤ {}", u32::MAX),
                    ));
                    None
                }
            }
        };
        if let Some(p) = int("population", &self.population, 2) {
            s.population = p;
        }
        s.batch = 2 * s.population;
        if let Some(g) = int("max_generations", &self.max_generations, 1) {
            s.max_generations = g;
        }
        if let Some(b) = int("batch", &self.batch, 1) {
            s.batch = b;
        }
        let mut real = |key: &str, g: &Option<Given<f64>>, ok: fn(f64) -> bool, allowed: &str| {
            let g = g.as_ref()?;
            match finite(g).filter(|v| ok(*v)) {
                Some(v) => Some(v),
                None => {
                    problems.push(Problem::new(key, show(&g.raw), allowed));
                    None
                }
            }
        };
        if let Some(m) = real(
            "min_acceptance",
            &self.min_acceptance,
            |v| (0.0..1.0).contains(&v),
            "allowed 0 ≤ value < 1",
        ) {
            s.min_acceptance = m;
        }
        s.final_epsilon = real(
            "final_epsilon",
            &self.final_epsilon,
            |v| v >= 0.0,
            "allowed value ≥ 0",
        );
        if let Some(q) = real(
            "quantile",
            &self.quantile,
            |v| v > 0.0 && v <= 1.0,
            "allowed 0 < value ≤ 1",
        ) {
            s.quantile_alpha = q;
        }
        if let Some(g) = &self.budget {
            match g.typed {
                Some(b) => s.budget = Some(b),
                None => problems.push(Problem::new(
                    "budget",
                    show(&g.raw),
                    "allowed integer 1 ≤ value (simulations in all)",
                )),
            }
        }
        if problems.len() > before {
            return None;
        }
        if let Err(why) = s.check() {
            let (key, value) = if why.starts_with("a budget") {
                (
                    "budget",
                    s.budget.map_or("(none)".into(), |b| b.to_string()),
                )
            } else {
                ("min_acceptance", s.min_acceptance.to_string())
            };
            problems.push(Problem::new(key, value, why));
            return None;
        }
        Some(s)
    }

    /// The `[[param]]` tables: a known real-valued key given once, its prior valid and
    /// inside the key's range.
    fn priors(&self, problems: &mut Vec<Problem>) -> Option<Priors> {
        let before = problems.len();
        let tables = match &self.param {
            Some(Given { typed: Some(t), .. }) if !t.is_empty() => t,
            Some(Given { typed: Some(_), .. }) | None => {
                problems.push(Problem::new(
                    "param",
                    "(missing)",
                    "a fit file needs at least one [[param]] with key and prior",
                ));
                return None;
            }
            Some(other) => {
                problems.push(Problem::new(
                    "param",
                    show(&other.raw),
                    "expected [[param]] tables",
                ));
                return None;
            }
        };
        let mut params: Vec<(String, Prior)> = Vec::new();
        for (i, given) in tables.iter().enumerate() {
            let prefix = format!("param[{i}]");
            let Some(p) = given.typed() else {
                problems.push(Problem::new(
                    prefix,
                    show(&given.raw),
                    "expected a table with key, prior and its settings",
                ));
                continue;
            };
            unknown_keys(&p.unknown, &prefix, "a [[param]]", &PARAM_KEYS, problems);
            let key = p.key(&prefix, problems);
            let prior = p.prior(&prefix, problems);
            if let (Some((key, range)), Some(prior)) = (key, prior) {
                if params.iter().any(|(k, _)| *k == key) {
                    problems.push(Problem::new(
                        format!("{prefix}.key"),
                        quoted(&key),
                        "already fitted by an earlier [[param]]; give each key once",
                    ));
                    continue;
                }
                let (lo, hi) = support(&prior);
                // An infinite end of the support is inside only a range open on that side.
                let inside = |v: f64| {
                    range.contains(v)
                        || (v == f64::NEG_INFINITY && range.min == v)
                        || (v == f64::INFINITY && range.max == v)
                };
                if !(inside(lo) && inside(hi)) {
                    problems.push(Problem::new(
                        format!("{prefix}.prior"),
                        format!("support [{lo}, {hi}]"),
                        format!(
                            "must lie inside the allowed range of {key} ({}); narrow the range or use truncated-normal",
                            range
                        ),
                    ));
                }
                params.push((key, prior));
            }
        }
        (problems.len() == before).then(|| Priors::new(params))
    }

    /// `weights`: one non-negative number per observed output; 1 for those not named.
    fn weights(&self, observed: &Observed, problems: &mut Vec<Problem>) -> Vec<f64> {
        let mut named: Vec<(String, f64)> = Vec::new();
        match &self.weights {
            None => {}
            Some(Given { typed: Some(t), .. }) => {
                for (k, v) in t {
                    let w = v.as_float().or(v.as_integer().map(|i| i as f64));
                    let known = observed.statistics.iter().any(|s| s.output == *k);
                    match w {
                        Some(w) if w >= 0.0 && w.is_finite() && known => named.push((k.clone(), w)),
                        Some(_) if !known => problems.push(Problem::new(
                            format!("weights.{k}"),
                            show(v),
                            "not an output of the observed data; weights name its columns",
                        )),
                        _ => problems.push(Problem::new(
                            format!("weights.{k}"),
                            show(v),
                            "allowed a number ≥ 0",
                        )),
                    }
                }
            }
            Some(other) => problems.push(Problem::new(
                "weights",
                show(&other.raw),
                "expected a table of outputs, e.g. weights = { total = 1.0 }",
            )),
        }
        let weights: Vec<f64> = observed
            .statistics
            .iter()
            .map(|s| {
                named
                    .iter()
                    .find(|(k, _)| *k == s.output)
                    .map_or(1.0, |(_, w)| *w)
            })
            .collect();
        if !weights.is_empty() && weights.iter().all(|w| *w == 0.0) {
            problems.push(Problem::new(
                "weights",
                "(all 0)",
                "at least one observed output needs a positive weight",
            ));
        }
        weights
    }
}

/// The smallest interval holding a prior's support.
fn support(prior: &Prior) -> (f64, f64) {
    match *prior {
        Prior::Uniform { lo, hi }
        | Prior::LogUniform { lo, hi }
        | Prior::TruncatedNormal { lo, hi, .. } => (lo, hi),
        Prior::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

impl ParamFile {
    /// `key`: a known, real-valued config key, with its allowed range.
    fn key(&self, prefix: &str, problems: &mut Vec<Problem>) -> Option<(String, FloatRange)> {
        let name = format!("{prefix}.key");
        let Some(given) = &self.key else {
            problems.push(Problem::new(
                name,
                "(missing)",
                "required: the config key to fit, e.g. key = \"cells.p_symmetric\"",
            ));
            return None;
        };
        let Some(key) = given.typed() else {
            problems.push(Problem::new(
                name,
                show(&given.raw),
                "expected a config key (a string)",
            ));
            return None;
        };
        match lookup(key).map(|info| &info.kind) {
            None => {
                problems.push(Problem::new(
                    name,
                    quoted(key),
                    "unknown config key; `seedsoil params` lists every key",
                ));
                None
            }
            Some(ParamKind::Float(range)) => Some((key.clone(), *range)),
            Some(_) => {
                problems.push(Problem::new(
                    name,
                    quoted(key),
                    "a fit varies real-valued keys only (this one is an integer, a switch or a name)",
                ));
                None
            }
        }
    }

    /// `prior` with the settings its family needs (and no others), checked.
    fn prior(&self, prefix: &str, problems: &mut Vec<Problem>) -> Option<Prior> {
        let before = problems.len();
        let family = match &self.prior {
            None => {
                problems.push(Problem::new(
                    format!("{prefix}.prior"),
                    "(missing)",
                    format!("required: one of {}", FAMILIES.map(quoted).join(", ")),
                ));
                return None;
            }
            Some(g) => match g.typed().filter(|f| FAMILIES.contains(&f.as_str())) {
                Some(f) => f.as_str(),
                None => {
                    problems.push(Problem::new(
                        format!("{prefix}.prior"),
                        show(&g.raw),
                        format!("allowed one of {}", FAMILIES.map(quoted).join(", ")),
                    ));
                    return None;
                }
            },
        };
        let needs_range = family != "normal";
        let needs_moments = family.ends_with("normal");
        let mut want = |key: &str, given: Option<&toml::Value>, needed: bool| match (given, needed)
        {
            (None, true) => problems.push(Problem::new(
                format!("{prefix}.{key}"),
                "(missing)",
                format!("required with prior = {}", quoted(family)),
            )),
            (Some(raw), false) => problems.push(Problem::new(
                format!("{prefix}.{key}"),
                show(raw),
                format!("not used by prior = {}; remove it", quoted(family)),
            )),
            _ => {}
        };
        want("range", self.range.as_ref().map(|g| &g.raw), needs_range);
        want("mean", self.mean.as_ref().map(|g| &g.raw), needs_moments);
        want("sd", self.sd.as_ref().map(|g| &g.raw), needs_moments);
        let range = match &self.range {
            Some(g) if needs_range => match g.typed().filter(|r| r.len() == 2) {
                Some(r) => Some((r[0], r[1])),
                None => {
                    problems.push(Problem::new(
                        format!("{prefix}.range"),
                        show(&g.raw),
                        "expected [lo, hi], two numbers",
                    ));
                    None
                }
            },
            _ => None,
        };
        let number = |g: &Option<Given<f64>>, key: &str, problems: &mut Vec<Problem>| {
            let g = g.as_ref()?;
            let v = finite(g);
            if v.is_none() {
                problems.push(Problem::new(
                    format!("{prefix}.{key}"),
                    show(&g.raw),
                    "expected a finite number",
                ));
            }
            v
        };
        let mean = number(&self.mean, "mean", problems);
        let sd = number(&self.sd, "sd", problems);
        if problems.len() > before {
            return None;
        }
        let prior = match family {
            "uniform" => {
                let (lo, hi) = range?;
                Prior::Uniform { lo, hi }
            }
            "log-uniform" => {
                let (lo, hi) = range?;
                Prior::LogUniform { lo, hi }
            }
            "normal" => Prior::Normal {
                mean: mean?,
                sd: sd?,
            },
            _ => {
                let (lo, hi) = range?;
                Prior::TruncatedNormal {
                    mean: mean?,
                    sd: sd?,
                    lo,
                    hi,
                }
            }
        };
        if let Err(why) = prior.check() {
            problems.push(Problem::new(format!("{prefix}.prior"), quoted(family), why));
            return None;
        }
        Some(prior)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fit file in a temporary folder with `data` as its observed CSV.
    fn spec(text: &str, data: &str) -> Result<FitSpec, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.csv"), data).unwrap();
        let path = dir.path().join("fit.toml");
        match FitSpec::from_text(text, &path) {
            Ok(s) => Ok(s),
            Err(ConfigError::Invalid(p)) => Err(p.iter().map(ToString::to_string).collect()),
            Err(e) => panic!("{e}"),
        }
    }

    const DATA: &str = "day,total,csc_fraction\n10,800,\n20,4000,0.04\n20,4400,0.05\n";

    #[test]
    fn a_fit_file_gives_priors_settings_data_and_a_distance() {
        let s = spec(
            "seed = 3\nobserved = \"data.csv\"\npopulation = 100\nbudget = 5000\n\
             weights = { csc_fraction = 2.0 }\n\
             [[param]]\nkey = \"cells.p_symmetric\"\nprior = \"uniform\"\nrange = [0.05, 0.5]\n\
             [[param]]\nkey = \"cells.cycle_time_h\"\nprior = \"truncated-normal\"\n\
             mean = 24\nsd = 4\nrange = [12, 48]\n\
             [[param]]\nkey = \"cells.migration_per_day\"\nprior = \"log-uniform\"\nrange = [1, 30]\n",
            DATA,
        )
        .unwrap();
        assert_eq!(s.seed, Some(3));
        assert_eq!(
            s.priors.names(),
            [
                "cells.p_symmetric",
                "cells.cycle_time_h",
                "cells.migration_per_day"
            ]
        );
        assert_eq!(
            s.priors.params[1].1,
            Prior::TruncatedNormal {
                mean: 24.0,
                sd: 4.0,
                lo: 12.0,
                hi: 48.0
            }
        );
        assert_eq!((s.settings.population, s.settings.batch), (100, 200));
        assert_eq!(s.settings.budget, Some(5000));
        // Statistics: total on days 10 and 20, csc_fraction on day 20 (weight 2).
        assert_eq!(s.weights, [1.0, 1.0, 2.0]);
        let d = s.distance();
        assert_eq!(d.observed, [800.0, 4200.0, 0.045]);
        assert!(d.check().is_ok());
        // Every simulation runs to the last observed day.
        assert_eq!(s.base_table["run"]["days"].as_float(), Some(20.0));
    }

    #[test]
    fn every_problem_of_a_fit_file_is_reported_at_once() {
        let p = spec(
            "replicates = 2\nobserved = \"data.csv\"\npopulation = 1\nquantile = 1.5\nfoo = 1\n\
             weights = { total = -1, csc = 1 }\n\
             [[param]]\nkey = \"cells.p_symetric\"\nprior = \"uniform\"\nrange = [0.1, 0.2]\n\
             [[param]]\nkey = \"cells.rho_max\"\nprior = \"normal\"\nmean = 10\nsd = 2\n\
             [[param]]\nkey = \"cells.p_symmetric\"\nprior = \"normal\"\nmean = 0.3\nsd = 0.1\nrange = [0, 1]\n\
             [[param]]\nkey = \"cells.death_at_division\"\nprior = \"uniform\"\nrange = [0.1, 2]\n\
             [[param]]\nkey = \"cells.cycle_time_h\"\nprior = \"gamma\"\n",
            DATA,
        )
        .unwrap_err();
        let all = p.join("\n");
        for needle in [
            "foo",
            "replicates",
            "population",
            "quantile",
            "weights.total",
            "weights.csc",
            "param[0].key",
            "param[1].key",
            "real-valued keys only",
            "param[2].range",
            "not used by prior = \"normal\"",
            "param[3].prior",
            "must lie inside the allowed range",
            "param[4].prior",
        ] {
            assert!(all.contains(needle), "{needle} missing from:\n{all}");
        }
        let p = spec("observed = \"nope.csv\"\n", DATA)
            .unwrap_err()
            .join("\n");
        assert!(
            p.contains("cannot read the observed data") && p.contains("[[param]]"),
            "{p}"
        );
        let p = spec(
            "observed = \"data.csv\"\nmin_acceptance = 0\n\
             [[param]]\nkey = \"cells.p_symmetric\"\nprior = \"uniform\"\nrange = [0.1, 0.2]\n",
            DATA,
        )
        .unwrap_err()
        .join("\n");
        assert!(p.contains("min_acceptance") && p.contains("ends"), "{p}");
    }
}
