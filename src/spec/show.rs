//! Values and names as the problems of a batch file show them. A leaf module.

/// Longest value text shown in a problem before it is shortened.
const MAX_VALUE_CHARS: usize = 80;

/// A value as shown in a batch file's problems: TOML syntax, tables as `{…}`, at most 80
/// characters.
pub(crate) fn show(value: &toml::Value) -> String {
    let text = match value {
        toml::Value::Table(_) => "{…}".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        let short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{short}…")
    } else {
        text
    }
}

/// A string as TOML writes it (quoted).
pub(crate) fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_elided_and_long_values_shortened() {
        let table = toml::Value::Table(toml::Table::new());
        assert_eq!(show(&table), "{…}");
        let long = toml::Value::String("x".repeat(500));
        assert_eq!(show(&long).chars().count(), MAX_VALUE_CHARS);
        assert_eq!(show(&toml::Value::Integer(3)), "3");
        assert_eq!(quoted("ab"), "\"ab\"");
    }
}
