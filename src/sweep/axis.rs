//! One `[[axis]]` of a sweep file: what it is once checked ([`Axis`], its
//! [`AxisValues`]), how generated values are spaced ([`spaced`], [`axis_value`]), and the
//! checks of an axis table as given (`check_axis`): its key (known, varied by one axis
//! only), its values (a list, `start/stop/steps`, or a `range` for the designs that
//! sample), and `log`/`scale`.

use serde::Deserialize;

use super::spec::Design;
use crate::config::{ParamInfo, ParamKind, lookup};
use crate::error::Problem;
use crate::spec::given::{Given, finite};
use crate::spec::head::unknown_keys;
use crate::spec::show::{quoted, show};

/// Keys of an `[[axis]]` table.
pub const AXIS_KEYS: [&str; 8] = [
    "param", "values", "start", "stop", "steps", "range", "log", "scale",
];

/// How a range is sampled, as sweep files name it (`scale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Scale {
    /// Uniformly.
    Uniform,
    /// Uniformly in the logarithm (as `log = true`).
    Log,
}

/// The values an axis takes.
#[derive(Debug, Clone, PartialEq)]
pub enum AxisValues {
    /// Explicit values (from `values`, or expanded from `start/stop/steps`).
    List(Vec<toml::Value>),
    /// A range sampled by the Latin hypercube (`range = [lo, hi]`, optionally `log`).
    Range {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Sample uniformly in the logarithm.
        log: bool,
    },
}

/// One `[[axis]]` of a sweep file.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The config key it varies, e.g. `cells.p_symmetric`.
    pub param: String,
    /// Whether the key is integer-valued (generated values are rounded).
    pub integer: bool,
    /// Its values.
    pub values: AxisValues,
}

impl Axis {
    /// Number of values of a list axis (`None` for a range).
    pub fn len(&self) -> Option<usize> {
        match &self.values {
            AxisValues::List(v) => Some(v.len()),
            AxisValues::Range { .. } => None,
        }
    }

    /// Whether a list axis has no values (never true for a checked sweep).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// A generated value of an axis: rounded for integer keys.
pub fn axis_value(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        toml::Value::Float(x)
    }
}

/// `steps` values from `start` to `stop` inclusive, evenly spaced (in the logarithm when
/// `log`).
pub fn spaced(start: f64, stop: f64, steps: usize, log: bool) -> Vec<f64> {
    if steps == 1 {
        return vec![start];
    }
    let (a, b) = if log {
        (start.ln(), stop.ln())
    } else {
        (start, stop)
    };
    (0..steps)
        .map(|i| {
            if i == steps - 1 {
                return stop;
            }
            let t = a + (b - a) * i as f64 / (steps - 1) as f64;
            if log { t.exp() } else { t }
        })
        .collect()
}

/// An `[[axis]]` table as given.
#[derive(Debug, Deserialize)]
pub(super) struct AxisFile {
    /// The config key it varies.
    param: Option<Given<String>>,
    /// Explicit values.
    values: Option<Given<Vec<toml::Value>>>,
    /// First generated value.
    start: Option<Given<f64>>,
    /// Last generated value.
    stop: Option<Given<f64>>,
    /// Number of generated values.
    steps: Option<Given<u32>>,
    /// `[lo, hi]` of a Latin hypercube axis (any length, as given).
    range: Option<Given<Vec<f64>>>,
    /// Spacing or sampling in the logarithm.
    log: Option<Given<bool>>,
    /// `uniform` or `log` (the latter as `log = true`).
    scale: Option<Given<Scale>>,
    /// Keys an axis does not have.
    #[serde(flatten)]
    unknown: toml::Table,
}

/// Largest `steps` of an axis.
pub(super) const MAX_STEPS: u32 = 1_000_000;

/// What a missing start, stop or steps is told.
const TOGETHER: &str =
    "start, stop and steps go together, e.g. start = 0.05, stop = 0.3, steps = 6";

/// What an axis's value checks need to know besides its own keys.
struct AxisContext {
    /// `axis[i]`.
    prefix: String,
    /// The varied key (empty if it is missing or unknown).
    param: String,
    /// Whether the key is numeric (or unknown: not reported twice).
    numeric: bool,
    /// Whether the key is integer-valued.
    integer: bool,
    /// The design, if it is one whose axes are ranges.
    ranged: Option<Design>,
    /// `log`.
    log: bool,
}

impl AxisContext {
    /// What an axis of this design needs.
    fn expected(&self) -> String {
        match self.ranged {
            Some(d) => format!(
                "with design = {} every axis needs range = [lo, hi] (optionally scale = \"log\")",
                quoted(d.as_str())
            ),
            None => "an axis needs values = [...] or start, stop and steps (optionally log = true)"
                .into(),
        }
    }

    /// A problem if `form` (start/stop/steps, range) is given for a non-numeric key.
    fn need_numeric(&self, form: &str, problems: &mut Vec<Problem>) {
        if !self.numeric {
            problems.push(Problem::new(
                format!("{}.param", self.prefix),
                quoted(&self.param),
                format!("{form} needs a numeric key; give this key's values as values = [...]"),
            ));
        }
    }

    /// The key `key` of this axis, for problems.
    fn key(&self, key: &str) -> String {
        format!("{}.{key}", self.prefix)
    }
}

/// Checks one `[[axis]]` table.
pub(super) fn check_axis(
    i: usize,
    item: &Given<AxisFile>,
    design: Option<Design>,
    problems: &mut Vec<Problem>,
) -> Option<Axis> {
    let prefix = format!("axis[{i}]");
    let before = problems.len();
    let Some(file) = item.typed() else {
        problems.push(Problem::new(
            &prefix,
            show(&item.raw),
            format!("expected a table with the keys {}", AXIS_KEYS.join(", ")),
        ));
        return None;
    };
    unknown_keys(&file.unknown, &prefix, "an axis", &AXIS_KEYS, problems);
    let info = file.param(&prefix, problems);
    let kind = info.as_ref().map(|(_, info)| &info.kind);
    let ctx = AxisContext {
        param: info.as_ref().map(|(k, _)| k.clone()).unwrap_or_default(),
        numeric: kind.is_none_or(|k| matches!(k, ParamKind::Float(_) | ParamKind::Int { .. })),
        integer: kind.is_some_and(|k| matches!(k, ParamKind::Int { .. })),
        ranged: design.filter(|d| d.ranged()),
        log: file.log(&prefix, problems),
        prefix,
    };
    let values = file.values(&ctx, problems);
    if problems.len() > before {
        return None;
    }
    Some(Axis {
        param: ctx.param,
        integer: ctx.integer,
        values: values?,
    })
}

impl AxisFile {
    /// `param`, a key of the catalogue.
    fn param(
        &self,
        prefix: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<(String, &'static ParamInfo)> {
        let key = format!("{prefix}.param");
        let Some(given) = &self.param else {
            problems.push(Problem::new(
                key,
                "(missing)",
                "required: the config key this axis varies, e.g. param = \"cells.p_symmetric\"",
            ));
            return None;
        };
        let Some(name) = given.typed() else {
            problems.push(Problem::new(
                key,
                show(&given.raw),
                "expected a config key (a string), e.g. \"cells.p_symmetric\"",
            ));
            return None;
        };
        let info = lookup(name);
        if info.is_none() {
            problems.push(Problem::new(
                key,
                quoted(name),
                "unknown config key; `seedsoil params` lists every key",
            ));
        }
        Some((name.clone(), info?))
    }

    /// `log` or its synonym `scale` (false, uniform, if both are absent).
    fn log(&self, prefix: &str, problems: &mut Vec<Problem>) -> bool {
        let log = self.log.as_ref().map(|given| {
            if given.typed.is_none() {
                problems.push(Problem::new(
                    format!("{prefix}.log"),
                    show(&given.raw),
                    "expected true or false",
                ));
            }
            given.typed.unwrap_or(false)
        });
        let scale = self.scale.as_ref().map(|given| {
            if given.typed.is_none() {
                problems.push(Problem::new(
                    format!("{prefix}.scale"),
                    show(&given.raw),
                    "allowed one of \"uniform\", \"log\"",
                ));
            }
            given.typed == Some(Scale::Log)
        });
        if let (Some(l), Some(sc), Some(given)) = (log, scale, &self.scale)
            && l != sc
        {
            problems.push(Problem::new(
                format!("{prefix}.scale"),
                show(&given.raw),
                format!("contradicts log = {l}; give one of log and scale"),
            ));
        }
        log.or(scale).unwrap_or(false)
    }

    /// The axis's values, from exactly one of its forms.
    fn values(&self, ctx: &AxisContext, problems: &mut Vec<Problem>) -> Option<AxisValues> {
        let forms = [
            self.values.is_some(),
            self.start.is_some() || self.stop.is_some() || self.steps.is_some(),
            self.range.is_some(),
        ];
        let (message, detail) = match forms {
            [true, false, false] => return self.listed(ctx, problems),
            [false, true, false] => return self.spaced(ctx, problems),
            [false, false, true] => return self.range(ctx, problems),
            [false, false, false] => ("no values: ", ctx.expected()),
            _ => (
                "",
                "give exactly one of values, start/stop/steps, range".into(),
            ),
        };
        problems.push(Problem::new(
            &ctx.prefix,
            format!("param = {}", quoted(&ctx.param)),
            format!("{message}{detail}"),
        ));
        None
    }

    /// `values = [...]`.
    fn listed(&self, ctx: &AxisContext, problems: &mut Vec<Problem>) -> Option<AxisValues> {
        let given = self.values.as_ref()?;
        if ctx.ranged.is_some() {
            problems.push(Problem::new(
                ctx.key("values"),
                show(&given.raw),
                ctx.expected(),
            ));
        }
        if let Some(log) = &self.log {
            problems.push(Problem::new(
                ctx.key("log"),
                show(&log.raw),
                "only with start/stop/steps or range",
            ));
        }
        if let Some(scale) = &self.scale {
            problems.push(Problem::new(
                ctx.key("scale"),
                show(&scale.raw),
                "only with start/stop/steps or range",
            ));
        }
        match given.typed() {
            Some(values) if !values.is_empty() => Some(AxisValues::List(values.clone())),
            _ => {
                problems.push(Problem::new(
                    ctx.key("values"),
                    show(&given.raw),
                    "expected a non-empty array of values, e.g. values = [0.05, 0.1, 0.2]",
                ));
                None
            }
        }
    }

    /// `start`, `stop`, `steps` (spaced in the logarithm with `log`).
    fn spaced(&self, ctx: &AxisContext, problems: &mut Vec<Problem>) -> Option<AxisValues> {
        if ctx.ranged.is_some() {
            problems.push(Problem::new(
                &ctx.prefix,
                "start/stop/steps",
                ctx.expected(),
            ));
        }
        ctx.need_numeric("start/stop/steps", problems);
        let start = end_value(ctx, "start", self.start.as_ref(), problems);
        let stop = end_value(ctx, "stop", self.stop.as_ref(), problems);
        let steps = self.steps(ctx, problems);
        let (a, b, n) = (start?, stop?, steps?);
        if ctx.log && (a <= 0.0 || b <= 0.0) {
            problems.push(Problem::new(
                &ctx.prefix,
                format!("start = {a}, stop = {b}"),
                "log = true needs start > 0 and stop > 0",
            ));
            return None;
        }
        let values = spaced(a, b, n, ctx.log)
            .into_iter()
            .map(|x| axis_value(x, ctx.integer))
            .collect();
        Some(AxisValues::List(values))
    }

    /// `steps`, an integer 1 ≤ value ≤ [`MAX_STEPS`].
    fn steps(&self, ctx: &AxisContext, problems: &mut Vec<Problem>) -> Option<usize> {
        let Some(given) = &self.steps else {
            problems.push(Problem::new(ctx.key("steps"), "(missing)", TOGETHER));
            return None;
        };
        match given.typed {
            Some(n) if (1..=MAX_STEPS).contains(&n) => Some(n as usize),
            _ => {
                problems.push(Problem::new(
                    ctx.key("steps"),
                    show(&given.raw),
                    format!("allowed integer 1 ≤ value ≤ {MAX_STEPS}"),
                ));
                None
            }
        }
    }

    /// `range = [lo, hi]` (design = "lhs", "morris" or "sobol").
    fn range(&self, ctx: &AxisContext, problems: &mut Vec<Problem>) -> Option<AxisValues> {
        let given = self.range.as_ref()?;
        if ctx.ranged.is_none() {
            problems.push(Problem::new(
                ctx.key("range"),
                show(&given.raw),
                format!(
                    "range is for design = \"lhs\", \"morris\" or \"sobol\" only; {}",
                    ctx.expected()
                ),
            ));
        }
        ctx.need_numeric("range", problems);
        let (lo, hi) = match given.typed.as_deref() {
            Some(&[lo, hi]) if lo.is_finite() && hi.is_finite() && lo <= hi => (lo, hi),
            _ => {
                problems.push(Problem::new(
                    ctx.key("range"),
                    show(&given.raw),
                    "expected [lo, hi], two numbers with lo ≤ hi",
                ));
                return None;
            }
        };
        if ctx.log && lo <= 0.0 {
            problems.push(Problem::new(
                ctx.key("range"),
                show(&given.raw),
                "log = true (scale = \"log\") needs lo > 0",
            ));
            return None;
        }
        Some(AxisValues::Range {
            lo,
            hi,
            log: ctx.log,
        })
    }
}

/// `start` or `stop` (`key`) of an axis: a finite number, which start/stop/steps need.
fn end_value(
    ctx: &AxisContext,
    key: &str,
    given: Option<&Given<f64>>,
    problems: &mut Vec<Problem>,
) -> Option<f64> {
    let Some(given) = given else {
        problems.push(Problem::new(ctx.key(key), "(missing)", TOGETHER));
        return None;
    };
    let x = finite(given);
    if x.is_none() {
        problems.push(Problem::new(
            ctx.key(key),
            show(&given.raw),
            "expected a number",
        ));
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys the messages list are the keys the typed struct reads.
    #[test]
    fn listed_axis_keys_are_the_typed_keys() {
        let table: toml::Table = AXIS_KEYS
            .iter()
            .map(|k| (k.to_string(), toml::Value::Integer(1)))
            .collect();
        let axis = Given::<AxisFile>::new(toml::Value::Table(table));
        assert!(axis.typed.unwrap().unknown.is_empty());
    }

    #[test]
    fn spacing_is_linear_or_geometric_and_ends_exactly() {
        assert_eq!(spaced(0.0, 1.0, 5, false), [0.0, 0.25, 0.5, 0.75, 1.0]);
        let g = spaced(1.0, 100.0, 3, true);
        assert_eq!(g[0], 1.0);
        assert!((g[1] - 10.0).abs() < 1e-12);
        assert_eq!(g[2], 100.0);
        assert_eq!(spaced(3.0, 9.0, 1, false), [3.0]);
    }
}
