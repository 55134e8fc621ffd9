//! Text helpers for messages: how a TOML value is shown in a problem. A leaf module.

/// Longest value text shown in a problem before it is shortened.
const MAX_VALUE_CHARS: usize = 80;

/// A value in TOML syntax for messages, shortened if long.
pub(crate) fn show_value(value: &toml::Value) -> String {
    let text = short(value);
    if text.chars().count() > MAX_VALUE_CHARS {
        let short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{short}…")
    } else {
        text
    }
}

/// A value in TOML syntax, huge or tiny floats in scientific notation (`1e308`, not
/// 309 digits).
fn short(value: &toml::Value) -> String {
    match value {
        toml::Value::Float(f) if is_extreme(*f) => format!("{f:e}"),
        toml::Value::Array(items) if items.iter().any(has_extreme) => {
            let items: Vec<String> = items.iter().map(short).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// A finite float that its plain decimal form writes with many digits.
fn is_extreme(f: f64) -> bool {
    f.is_finite() && f != 0.0 && !(1e-5..1e16).contains(&f.abs())
}

fn has_extreme(value: &toml::Value) -> bool {
    match value {
        toml::Value::Float(f) => is_extreme(*f),
        toml::Value::Array(items) => items.iter().any(has_extreme),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened() {
        let long = toml::Value::String("x".repeat(500));
        assert_eq!(show_value(&long).chars().count(), MAX_VALUE_CHARS);
    }
}
