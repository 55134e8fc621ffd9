//! `seedsoil params`: the catalogue of every key (the config sections' and the
//! `[[therapy]]` keys') as a Markdown or CSV table or a JSON array, or the embedded
//! default configuration.

use std::fmt::Write as _;

use super::baseline::baseline_toml;
use super::catalogue::catalogue;
use super::therapy::therapy_catalogue;

/// Output format of [`params_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParamsFormat {
    /// A Markdown table.
    Md,
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects, one per key, with the CSV columns as fields
    /// ([`ParamRow`]).
    Json,
    /// Not a table: the embedded default configuration, `configs/baseline.toml`, as the
    /// declarations generate it ([`baseline_toml`]).
    Toml,
}

/// One key of the catalogue as `seedsoil params` lists it: the columns of the Markdown
/// and CSV tables, the fields of the JSON objects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParamRow {
    /// Dotted key, e.g. `cells.p_symmetric`.
    pub key: String,
    /// Symbol in docs/model.md, `–` if none.
    pub symbol: String,
    /// Default value as text.
    pub default: String,
    /// Unit, `–` when dimensionless.
    pub unit: String,
    /// Allowed range, e.g. `0 ≤ value ≤ 1`.
    pub range: String,
    /// Source tag.
    pub source: String,
    /// What the key means.
    pub description: String,
}

/// The catalogue as a table with columns key, symbol, default, unit, range, source,
/// description (`seedsoil params --format md|csv|json`). The Markdown table is also the
/// parameter table of docs/model.md (section 9), checked by `tests/docs_model.rs`.
/// [`ParamsFormat::Toml`] gives the embedded default configuration instead
/// (`seedsoil params --format toml > configs/baseline.toml` regenerates the file).
pub fn params_table(format: ParamsFormat) -> String {
    const HEADER: [&str; 7] = [
        "key",
        "symbol",
        "default",
        "unit",
        "range",
        "source",
        "description",
    ];
    let rows = catalogue().iter().chain(therapy_catalogue()).map(|info| {
        [
            info.key.to_string(),
            info.symbol.to_string(),
            info.default.to_string(),
            info.unit.to_string(),
            info.range_text(),
            info.source.to_string(),
            info.description.to_string(),
        ]
    });
    match format {
        ParamsFormat::Md => {
            let mut out = String::new();
            let cell = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(out, "| {} |", HEADER.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(HEADER.len()));
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, s)| if i == 0 { format!("`{s}`") } else { cell(s) })
                    .collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out
        }
        ParamsFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            // Writing to a Vec cannot fail, and all fields are valid UTF-8.
            writer.write_record(HEADER).expect("write to memory");
            for row in rows {
                writer.write_record(&row).expect("write to memory");
            }
            let bytes = writer.into_inner().expect("flush to memory");
            String::from_utf8(bytes).expect("catalogue text is UTF-8")
        }
        ParamsFormat::Json => {
            let rows: Vec<ParamRow> = rows
                .map(
                    |[key, symbol, default, unit, range, source, description]| ParamRow {
                        key,
                        symbol,
                        default,
                        unit,
                        range,
                        source,
                        description,
                    },
                )
                .collect();
            // Plain strings only: serialising cannot fail.
            let mut text = serde_json::to_string_pretty(&rows).expect("strings serialise");
            text.push('\n');
            text
        }
        ParamsFormat::Toml => baseline_toml(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render() {
        let md = params_table(ParamsFormat::Md);
        assert!(md.starts_with("| key | symbol | default | unit | range | source | description |"));
        let therapy_keys = therapy_catalogue().len();
        assert_eq!(md.lines().count(), catalogue().len() + therapy_keys + 2);
        assert!(md.contains("`cells.p_symmetric`"));

        let csv_text = params_table(ParamsFormat::Csv);
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                "key",
                "symbol",
                "default",
                "unit",
                "range",
                "source",
                "description"
            ]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), catalogue().len() + therapy_keys);
        let seed = records.iter().find(|r| &r[0] == "run.seed").unwrap();
        assert_eq!(&seed[2], "random (drawn and recorded)");
        let ps = records
            .iter()
            .find(|r| &r[0] == "cells.p_symmetric")
            .unwrap();
        assert_eq!(&ps[1], "p_s");
    }

    #[test]
    fn toml_format_is_the_embedded_default() {
        assert_eq!(params_table(ParamsFormat::Toml), baseline_toml());
        assert_eq!(
            params_table(ParamsFormat::Toml),
            crate::config::baseline::DEFAULT_TOML
        );
    }
}
