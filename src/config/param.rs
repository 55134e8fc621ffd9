//! Parameter value types: the type and allowed range of a config key ([`ParamKind`],
//! [`FloatRange`]) and its catalogue entry ([`ParamInfo`]), with the per-key check of a
//! TOML value. A leaf module: the section declarations, the catalogue and the
//! `[[therapy]]` keys build on it.

/// An interval of real numbers; unbounded ends are ±infinity. Values must also be finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatRange {
    /// Lower bound (`f64::NEG_INFINITY` if none).
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_inclusive: bool,
    /// Upper bound (`f64::INFINITY` if none).
    pub max: f64,
    /// Whether `max` itself is allowed.
    pub max_inclusive: bool,
}

impl FloatRange {
    /// `min ≤ value ≤ max`.
    pub const fn closed(min: f64, max: f64) -> Self {
        FloatRange {
            min,
            min_inclusive: true,
            max,
            max_inclusive: true,
        }
    }

    /// `min < value ≤ max`.
    pub const fn open_closed(min: f64, max: f64) -> Self {
        FloatRange {
            min,
            min_inclusive: false,
            max,
            max_inclusive: true,
        }
    }

    /// `value ≥ min` (finite).
    pub const fn at_least(min: f64) -> Self {
        Self::closed(min, f64::INFINITY)
    }

    /// `value > 0` (finite).
    pub const fn positive() -> Self {
        Self::open_closed(0.0, f64::INFINITY)
    }

    /// Whether `x` is finite and inside the interval.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite()
            && (if self.min_inclusive {
                x >= self.min
            } else {
                x > self.min
            })
            && (if self.max_inclusive {
                x <= self.max
            } else {
                x < self.max
            })
    }
}

impl std::fmt::Display for FloatRange {
    /// `0 ≤ value ≤ 1`, `value ≥ 0`, `0 < value ≤ 24`, `value > 0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lo = if self.min_inclusive { "≤" } else { "<" };
        let hi = if self.max_inclusive { "≤" } else { "<" };
        let ge = if self.min_inclusive { "≥" } else { ">" };
        match (self.min.is_finite(), self.max.is_finite()) {
            (true, true) => write!(f, "{} {lo} value {hi} {}", self.min, self.max),
            (true, false) => write!(f, "value {ge} {}", self.min),
            (false, true) => write!(f, "value {hi} {}", self.max),
            (false, false) => write!(f, "any finite number"),
        }
    }
}

/// The type of a parameter, with its allowed range or values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A real number in the given range. Integers are accepted and converted.
    Float(FloatRange),
    /// An integer in `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// A string, one of the listed values.
    Enum(&'static [&'static str]),
    /// A list of real numbers, each in the given range (integers accepted and converted).
    FloatList(FloatRange),
    /// A file path: a non-empty string.
    Path,
}

/// One leaf config key of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    /// Dotted key, e.g. `cells.p_symmetric`.
    pub key: &'static str,
    /// The key's symbol in the model description (docs/model.md), e.g. `p_s`, `ρmax`, `α`;
    /// `–` for technical keys with no symbol.
    pub symbol: &'static str,
    /// Type and allowed range or values.
    pub kind: ParamKind,
    /// Default value as text, as it would be written in TOML or with `--set`
    /// (enum values unquoted).
    pub default: &'static str,
    /// Unit, e.g. `h`, `per day`, `µm`; `–` for dimensionless.
    pub unit: &'static str,
    /// Source tag (docs/model.md): `[V]`, `[M]`, `[A]`, or `–` for technical keys.
    pub source: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Whether the key may be absent with no default value (`run.seed`, `init.file`).
    pub optional: bool,
}

impl ParamInfo {
    /// The allowed range or values as text, e.g. `0 ≤ value ≤ 1`,
    /// `integer 2 ≤ value ≤ 3`, `one of "single_csc", "disc"`, `true or false`.
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Float(range) => range.to_string(),
            ParamKind::Int { min, max } => format!("integer {min} ≤ value ≤ {max}"),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
            ParamKind::FloatList(range) => format!("list of numbers, each {range}"),
            ParamKind::Path => "a file path (text)".to_string(),
        }
    }

    /// The text of a problem's "allowed" part for this key:
    /// `allowed <range> (<unit>)`, the unit left out when dimensionless.
    pub fn allowed_text(&self) -> String {
        format!("allowed {}{}", self.range_text(), self.unit_suffix())
    }

    /// ` (unit)`, or nothing for dimensionless keys.
    fn unit_suffix(&self) -> String {
        if self.unit == "–" || self.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.unit)
        }
    }

    /// Checks a TOML value against this key's type and range.
    ///
    /// Returns the value converted to the catalogue type (integers become floats for
    /// `Float` and `FloatList` keys), or the "allowed" text of a [`crate::error::Problem`].
    pub fn check(&self, value: &toml::Value) -> Result<toml::Value, String> {
        use toml::Value as V;
        let wrong_type = |expected: &str| {
            format!(
                "expected {expected}, got {}; {}",
                type_name(value),
                self.allowed_text()
            )
        };
        match self.kind {
            ParamKind::Float(range) => {
                let x = as_number(value).ok_or_else(|| wrong_type("a number"))?;
                if range.contains(x) {
                    Ok(V::Float(x))
                } else {
                    Err(self.out_of_range(x))
                }
            }
            ParamKind::Int { min, max } => match value {
                V::Integer(i) if (min..=max).contains(i) => Ok(V::Integer(*i)),
                V::Integer(_) => Err(self.allowed_text()),
                _ => Err(wrong_type("an integer")),
            },
            ParamKind::Bool => match value {
                V::Boolean(_) => Ok(value.clone()),
                _ => Err(wrong_type("true or false")),
            },
            ParamKind::Enum(values) => match value {
                V::String(s) if values.contains(&s.as_str()) => Ok(value.clone()),
                V::String(_) => Err(self.allowed_text()),
                _ => Err(wrong_type("a string")),
            },
            ParamKind::FloatList(range) => {
                let V::Array(items) = value else {
                    return Err(wrong_type("a list of numbers"));
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let x = as_number(item).ok_or_else(|| wrong_type("a list of numbers"))?;
                    if !range.contains(x) {
                        return Err(self.out_of_range(x));
                    }
                    out.push(V::Float(x));
                }
                Ok(V::Array(out))
            }
            ParamKind::Path => match value {
                V::String(s) if !s.trim().is_empty() => Ok(value.clone()),
                V::String(_) => Err(self.allowed_text()),
                _ => Err(wrong_type("a string")),
            },
        }
    }

    /// "allowed" text for a number outside the range (mentions finiteness for inf/NaN).
    fn out_of_range(&self, x: f64) -> String {
        if x.is_finite() {
            self.allowed_text()
        } else {
            format!(
                "allowed finite values only, {}{}",
                self.range_text(),
                self.unit_suffix()
            )
        }
    }
}

/// A TOML integer or float as `f64`.
fn as_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Human name of a TOML value's type, for "wrong type" messages.
fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// Probability in `[0, 1]`.
pub(crate) const PROBABILITY: FloatRange = FloatRange::closed(0.0, 1.0);
/// Non-negative rate.
pub(crate) const RATE: FloatRange = FloatRange::at_least(0.0);

/// Shorthand constructor for static tables of entries (the `[[therapy]]` keys').
pub(crate) const fn p(
    key: &'static str,
    symbol: &'static str,
    kind: ParamKind,
    default: &'static str,
    unit: &'static str,
    source: &'static str,
    description: &'static str,
) -> ParamInfo {
    ParamInfo {
        key,
        symbol,
        kind,
        default,
        unit,
        source,
        description,
        optional: false,
    }
}
