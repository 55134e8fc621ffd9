//! Text helpers for messages: how a TOML value is shown in a problem. A leaf module.

/// Longest value text shown in a problem before it is shortened.
const MAX_VALUE_CHARS: usize = 80;

/// A value in TOML syntax for messages, shortened if long.
pub(crate) fn show_value(value: &toml::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > MAX_VALUE_CHARS {
        let short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{short}…")
    } else {
        text
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
