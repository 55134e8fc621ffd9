//! One declaration per parameter: the [`section!`] macro turns a section's declaration into
//! the serde struct (each field with its doc comment and serde attributes), its `Default`
//! impl, and the section's catalogue entries with the comments that
//! `configs/baseline.toml` writes above its keys ([`Section`], [`Param`]).
//!
//! A section is declared once, each field with its parameter:
//!
//! ```text
//! section! {
//!     /// `[run]` section.
//!     pub struct RunConfig in "run" {
//!         /// Simulated duration in days (`run.days`).
//!         pub days: f64 = 90.0 => {
//!             symbol: "–",
//!             kind: ParamKind::Float(FloatRange::open_closed(0.0, 100_000.0)),
//!             unit: "days",
//!             source: "–",
//!             description: "Simulated duration.",
//!             comment: ["Simulated duration, in days (technical, –)."],
//!         },
//!     }
//! }
//! ```
//!
//! The catalogue's default text is the declared default as written with a trailing `.0`
//! dropped (`90.0` → `90`, `1e-4` stays `1e-4`); a `default: "..."` line gives it instead
//! (enums, lists, the organ weights). `optional: true` marks a key that may be absent with
//! no default (`run.seed`). The struct's sub-tables follow in a `tables { ... }` block. A
//! struct shared by several sections (`[fields.il6]` and `[fields.cxcl7]`) is written by
//! hand, and `section! { impl Struct { ... } }` declares each section's constructor and
//! parameters.
//!
//! A leaf module apart from the value types of [`super::param`].

use super::param::ParamInfo;

/// One parameter as declared: its catalogue entry and how `configs/baseline.toml` shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    /// The catalogue entry.
    pub(crate) info: ParamInfo,
    /// The declared default as written (`90.0`, `1e-4`, `InitKind::Disc`): the baseline
    /// writes a value that is a TOML literal as declared, any other in TOML syntax.
    pub(crate) literal: &'static str,
    /// The comment lines above the key in `configs/baseline.toml`, without `# `.
    pub(crate) comment: &'static [&'static str],
}

/// One section of leaf keys as declared, in field order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section {
    /// Dotted section key, `*` for a named section (`organs.*`).
    pub(crate) key: &'static str,
    /// The comment lines above the section's (first) header in `configs/baseline.toml`,
    /// without `# `; none for most sections.
    pub(crate) comment: &'static [&'static str],
    /// The section's leaf keys.
    pub(crate) params: &'static [Param],
}

/// The catalogue's default text of a declared default: the literal with a trailing `.0`
/// dropped (`90.0` → `90`, `0.0` → `0`, `1e-4` and `2000` unchanged).
pub(crate) const fn literal_text(literal: &'static str) -> &'static str {
    let bytes = literal.as_bytes();
    let n = bytes.len();
    if n > 2 && bytes[n - 2] == b'.' && bytes[n - 1] == b'0' {
        let (head, _) = bytes.split_at(n - 2);
        match std::str::from_utf8(head) {
            Ok(text) => text,
            Err(_) => panic!("a literal ending in .0 is ASCII before it"),
        }
    } else {
        literal
    }
}

/// Declares a config section: see the [module documentation](self).
macro_rules! section {
    // A section struct whose fields each declare their parameter.
    (
        $(#[$attr:meta])*
        pub struct $name:ident in $key:literal $([$($comment:literal),* $(,)?])? {
            $(
                $(#[$fattr:meta])*
                pub $field:ident: $ty:ty = $default:expr => { $($param:tt)* }
            ),* $(,)?
        }
        $(
            tables {
                $(
                    $(#[$tattr:meta])*
                    pub $table:ident: $tty:ty = $tdefault:expr
                ),* $(,)?
            }
        )?
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $(
                $(#[$fattr])*
                pub $field: $ty,
            )*
            $($(
                $(#[$tattr])*
                pub $table: $tty,
            )*)?
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $default,)*
                    $($($table: $tdefault,)*)?
                }
            }
        }

        impl $name {
            #[doc = concat!("The declared parameters of `[", $key, "]`, in field order.")]
            pub(crate) const SECTION: $crate::config::declare::Section =
                $crate::config::declare::Section {
                    key: $key,
                    comment: &[$($($comment),*)?],
                    params: &[$(
                        $crate::config::declare::section!(
                            @param concat!($key, ".", stringify!($field)), $default, { $($param)* }
                        )
                    ),*],
                };
        }
    };
    // Constructors and parameters of sections that share a struct declared by hand.
    (
        impl $name:ident {
            $(
                $(#[$iattr:meta])*
                pub fn $ctor:ident() -> Self, const $konst:ident in $key:literal {
                    $($field:ident = $default:expr => { $($param:tt)* }),* $(,)?
                }
            )*
        }
    ) => {
        impl $name {
            $(
                $(#[$iattr])*
                pub fn $ctor() -> Self {
                    $name {
                        $($field: $default,)*
                    }
                }

                #[doc = concat!("The declared parameters of `[", $key, "]`, in field order.")]
                pub(crate) const $konst: $crate::config::declare::Section =
                    $crate::config::declare::Section {
                        key: $key,
                        comment: &[],
                        params: &[$(
                            $crate::config::declare::section!(
                                @param concat!($key, ".", stringify!($field)), $default, { $($param)* }
                            )
                        ),*],
                    };
            )*
        }
    };
    // One parameter.
    (@param $key:expr, $default:expr, {
        symbol: $symbol:literal,
        kind: $kind:expr,
        $(default: $text:literal,)?
        unit: $unit:literal,
        source: $source:literal,
        $(optional: $optional:literal,)?
        description: $description:literal,
        comment: [$($line:literal),* $(,)?] $(,)?
    }) => {
        $crate::config::declare::Param {
            info: $crate::config::param::ParamInfo {
                key: $key,
                symbol: $symbol,
                kind: $kind,
                default: $crate::config::declare::section!(
                    @or $($text)? ; $crate::config::declare::literal_text(stringify!($default))
                ),
                unit: $unit,
                source: $source,
                description: $description,
                optional: $crate::config::declare::section!(@or $($optional)? ; false),
            },
            literal: stringify!($default),
            comment: &[$($line),*],
        }
    };
    (@or $given:literal ; $otherwise:expr) => {
        $given
    };
    (@or ; $otherwise:expr) => {
        $otherwise
    };
}
pub(crate) use section;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_text_drops_a_trailing_point_zero() {
        assert_eq!(literal_text("90.0"), "90");
        assert_eq!(literal_text("0.0"), "0");
        assert_eq!(literal_text("0.05"), "0.05");
        assert_eq!(literal_text("1e-4"), "1e-4");
        assert_eq!(literal_text("2000"), "2000");
        assert_eq!(literal_text("true"), "true");
    }
}
