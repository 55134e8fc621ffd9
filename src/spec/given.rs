//! [`Given`]: a field of a batch file as the file gives it.
//!
//! A batch file's typed structs hold their fields as `Option<Given<T>>`: `None` when the
//! key is absent, else the value as written ([`Given::raw`], for the problem message) and
//! the value as a `T` if it has `T`'s type ([`Given::typed`]). Deserializing a `Given`
//! never fails, so one serde pass reads the whole file and the validation pass that follows
//! reports every value of the wrong type, not only the first.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};

/// A value as a batch file gives it: the raw TOML value and, if it has the type, the typed
/// value.
#[derive(Debug, Clone)]
pub(crate) struct Given<T> {
    /// The value as written.
    pub raw: toml::Value,
    /// The value as a `T`, or `None` if it is not one. A date-time is never typed: no batch
    /// file key takes one, and toml hands it to serde as a table.
    pub typed: Option<T>,
}

impl<T> Given<T> {
    /// The typed value, if the value has the type.
    pub fn typed(&self) -> Option<&T> {
        self.typed.as_ref()
    }
}

impl<T: DeserializeOwned> Given<T> {
    /// The value `raw`, typed if it has the type.
    ///
    /// `T` is read from the TOML text of `raw` by toml's own value deserializer: a
    /// [`toml::Value`] used as a deserializer would hand date-times over as strings, so the
    /// [`Given::raw`] of a `Given` inside `T` would show `1979-05-27` quoted, and a string
    /// field would accept it.
    pub fn new(raw: toml::Value) -> Self {
        let typed = match raw {
            toml::Value::Datetime(_) => None,
            _ => toml::de::ValueDeserializer::parse(&raw.to_string())
                .and_then(T::deserialize)
                .ok(),
        };
        Given { raw, typed }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        toml::Value::deserialize(deserializer).map(Given::new)
    }
}

/// A finite number (an integer or a finite float), if `given` is one.
pub(crate) fn finite(given: &Given<f64>) -> Option<f64> {
    given.typed().copied().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn given<T: DeserializeOwned>(text: &str) -> Given<T> {
        Given::new(text.parse::<toml::Value>().unwrap())
    }

    #[test]
    fn values_of_the_type_are_typed_and_others_kept() {
        assert_eq!(given::<u32>("3").typed, Some(3));
        assert_eq!(given::<u32>("-3").typed, None);
        assert_eq!(given::<u32>("3.0").typed, None);
        assert_eq!(given::<f64>("3").typed, Some(3.0));
        assert_eq!(given::<u64>("-4").raw, toml::Value::Integer(-4));
        assert_eq!(given::<String>("\"a\"").typed.as_deref(), Some("a"));
        assert_eq!(given::<Vec<u32>>("[1, 2]").typed, Some(vec![1, 2]));
        assert!(given::<toml::Table>("{ a = 1 }").typed.is_some());
        assert!(given::<toml::Table>("1979-05-27").typed.is_none());
        assert!(given::<String>("1979-05-27").typed.is_none());
        let nested = given::<Vec<Given<String>>>("[\"a\", 1979-05-27, \"x\\ny\"]");
        let items = nested.typed.unwrap();
        assert_eq!(items[0].typed.as_deref(), Some("a"));
        assert!(items[1].raw.is_datetime() && items[1].typed.is_none());
        assert_eq!(items[2].typed.as_deref(), Some("x\ny"));
        let table = given::<BTreeMap<String, Given<f64>>>(
            "{ a = 1, \"b.c\" = -0.5, d = 1979-05-27T07:32:00Z }",
        );
        let table = table.typed.unwrap();
        assert_eq!(table["a"].raw, toml::Value::Integer(1));
        assert_eq!(table["b.c"].typed, Some(-0.5));
        assert!(table["d"].raw.is_datetime());
    }

    #[test]
    fn finite_refuses_nan_and_infinity() {
        assert_eq!(finite(&given("2")), Some(2.0));
        assert_eq!(finite(&given("inf")), None);
        assert_eq!(finite(&given("nan")), None);
        assert_eq!(finite(&given("\"2\"")), None);
    }
}
