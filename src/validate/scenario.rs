//! Scenarios of the validation suite: a shipped config plus overrides, written out in every
//! output so that a reader sees exactly what was run.
//!
//! A scenario's config is built in layers, each a TOML table merged over the one below
//! (tables deep-merged, `[[therapy]]` entries appended):
//! 1. its base: the baseline (the embedded default, `configs/baseline.toml`, or the user's
//!    config given to `seedsoil validate --config`) or the reference rule set R0
//!    (`configs/reference-r0.toml`, never replaced: it is the published automaton);
//! 2. shipped config files (scenario settings, therapy schedules), embedded in the binary;
//! 3. `key=value` overrides, as `--set` takes them.
//!
//! Every run also records its time series daily (`output.timeseries_every_h = 24`).

use std::fmt;

use crate::config::{self, Config, DEFAULT_TOML};
use crate::error::ConfigError;

/// The bottom layer of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The baseline: the embedded default or the user's `--config`.
    Baseline,
    /// The reference rule set R0 (`configs/reference-r0.toml`).
    ReferenceR0,
}

/// Shipped files a scenario may layer, by their path under `configs/`.
const SHIPPED: &[(&str, &str)] = &[
    (
        "reference-r0.toml",
        include_str!("../../configs/reference-r0.toml"),
    ),
    (
        "kaplan2005-niche.toml",
        include_str!("../../configs/kaplan2005-niche.toml"),
    ),
    (
        "li2008-chemo.toml",
        include_str!("../../configs/li2008-chemo.toml"),
    ),
    (
        "liu2011-msc.toml",
        include_str!("../../configs/liu2011-msc.toml"),
    ),
    (
        "therapy-baseline.toml",
        include_str!("../../configs/therapy-baseline.toml"),
    ),
    (
        "therapies/chemo.toml",
        include_str!("../../configs/therapies/chemo.toml"),
    ),
    (
        "therapies/radiation.toml",
        include_str!("../../configs/therapies/radiation.toml"),
    ),
    (
        "therapies/surgery.toml",
        include_str!("../../configs/therapies/surgery.toml"),
    ),
    (
        "therapies/li2008-chemo-course.toml",
        include_str!("../../configs/therapies/li2008-chemo-course.toml"),
    ),
    (
        "therapies/li2008-cxcr2-inhibitor.toml",
        include_str!("../../configs/therapies/li2008-cxcr2-inhibitor.toml"),
    ),
];

/// The text of a shipped config file (path under `configs/`).
pub fn shipped(path: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// A named scenario: base, shipped files and overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name (unique in the suite; the run folders are `runs/<name>/seed-<S>`).
    pub name: String,
    /// Bottom layer.
    pub base: Base,
    /// Shipped files layered on the base, in order (paths under `configs/`).
    pub files: Vec<&'static str>,
    /// `key=value` overrides, applied last.
    pub sets: Vec<String>,
}

impl Scenario {
    /// A scenario on `base` with shipped `files` and `sets`.
    pub fn new(name: &str, base: Base, files: &[&'static str], sets: &[&str]) -> Self {
        Scenario {
            name: name.to_string(),
            base,
            files: files.to_vec(),
            sets: sets.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The resolved config, on `baseline` (the text of the baseline layer: the embedded
    /// default or the user's config) for [`Base::Baseline`].
    pub fn config(&self, baseline: &str) -> Result<Config, ConfigError> {
        let base_text = match self.base {
            Base::Baseline => baseline,
            Base::ReferenceR0 => shipped("reference-r0.toml").expect("R0 is shipped"),
        };
        let mut table = config::parse_table(base_text, &self.base_name())?;
        for file in &self.files {
            let text = shipped(file).ok_or_else(|| {
                ConfigError::Invalid(vec![crate::error::Problem {
                    key: "scenario".into(),
                    value: (*file).into(),
                    allowed: "a shipped config file".into(),
                }])
            })?;
            let layer = config::parse_table(text, &format!("configs/{file}"))?;
            crate::compare::merge_fragment(&mut table, layer);
        }
        let mut sets = self.sets.clone();
        sets.push("output.timeseries_every_h=24".into());
        sets.push("output.snapshot_days=[]".into());
        let text = toml::to_string(&table).map_err(|e| ConfigError::Parse {
            path_or_origin: self.name.clone(),
            message: e.to_string(),
        })?;
        config::load_str(&text, &format!("scenario {}", self.name), &sets)
    }

    /// The name of the base layer as shown in outputs.
    pub fn base_name(&self) -> String {
        match self.base {
            Base::Baseline => "baseline".into(),
            Base::ReferenceR0 => "configs/reference-r0.toml".into(),
        }
    }
}

impl fmt::Display for Scenario {
    /// `baseline + configs/kaplan2005-niche.toml + niche.vegfr1_blockade=0.95`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base_name())?;
        for file in &self.files {
            write!(f, " + configs/{file}")?;
        }
        for set in &self.sets {
            write!(f, " + {set}")?;
        }
        Ok(())
    }
}

/// The embedded default config text (the baseline layer when no `--config` is given).
pub fn default_baseline() -> &'static str {
    DEFAULT_TOML
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        let s = Scenario::new(
            "li-chemo",
            Base::Baseline,
            &["li2008-chemo.toml", "therapies/li2008-chemo-course.toml"],
            &["run.days=113"],
        );
        let c = s.config(default_baseline()).unwrap();
        assert_eq!(c.run.days, 113.0);
        assert!(!c.fields.enabled);
        assert_eq!(c.therapy.len(), 1);
        assert_eq!(c.output.timeseries_every_h, 24.0);
        assert_eq!(
            s.to_string(),
            "baseline + configs/li2008-chemo.toml + configs/therapies/li2008-chemo-course.toml + run.days=113"
        );
    }

    #[test]
    fn r0_is_its_own_base() {
        let s = Scenario::new("r0", Base::ReferenceR0, &[], &["cells.rho_max=5"]);
        let c = s.config("this is not read").unwrap();
        assert_eq!(c.cells.rho_max, 5);
        assert!(!c.fields.enabled);
    }

    #[test]
    fn a_bad_override_is_a_config_error() {
        let s = Scenario::new("x", Base::Baseline, &[], &["cells.p_symmetric=7"]);
        assert!(s.config(default_baseline()).is_err());
    }
}
