//! docs/model.md, the model's ODD description, stays in step with the code: its parameter
//! table (section 9) is exactly what `seedsoil params --format md` prints.

use std::path::{Path, PathBuf};

use seedsoil::config::{ParamsFormat, params_table};

const BEGIN: &str = "<!-- params:begin -->";
const END: &str = "<!-- params:end -->";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between the line `BEGIN` and the line `END` (each must occur once).
fn params_block(doc: &str) -> Result<&str, String> {
    let lines_at = |marker: &str| -> Vec<usize> {
        let mut at = Vec::new();
        let mut offset = 0;
        for line in doc.split_inclusive('\n') {
            if line.trim_end_matches(['\n', '\r']) == marker {
                at.push(offset);
            }
            offset += line.len();
        }
        at
    };
    let (begin, end) = (lines_at(BEGIN), lines_at(END));
    match (begin.as_slice(), end.as_slice()) {
        ([b], [e]) if b < e => {
            let start = b + doc[*b..].find('\n').map_or(doc.len() - b, |i| i + 1);
            Ok(&doc[start..*e])
        }
        _ => Err(format!(
            "docs/model.md must hold the lines `{BEGIN}` and `{END}` once each, in that \
             order (found {} and {})",
            begin.len(),
            end.len()
        )),
    }
}

#[test]
fn parameter_table_matches_the_catalogue() {
    let doc = read(&root().join("docs/model.md"));
    let block = params_block(&doc).unwrap_or_else(|e| panic!("{e}"));
    let expected = params_table(ParamsFormat::Md);
    if block != expected {
        let first = block
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || {
                    format!(
                        "the tables have {} and {} lines",
                        block.lines().count(),
                        expected.lines().count()
                    )
                },
                |i| {
                    format!(
                        "first difference at table line {}:\n  docs/model.md: {}\n  seedsoil params: {}",
                        i + 1,
                        block.lines().nth(i).unwrap_or(""),
                        expected.lines().nth(i).unwrap_or("")
                    )
                },
            );
        panic!(
            "the parameter table of docs/model.md (section 9) differs from `seedsoil params \
             --format md`; regenerate it with scripts/gen_params_table.sh\n{first}"
        );
    }
}

#[test]
fn params_block_is_found_only_between_its_markers() {
    let doc = format!("intro\n{BEGIN}\n| a |\n| b |\n{END}\nafter\n");
    assert_eq!(params_block(&doc), Ok("| a |\n| b |\n"));
    assert_eq!(params_block(&format!("{BEGIN}\n{END}\n")), Ok(""));
    assert!(params_block("no markers\n").is_err());
    assert!(params_block(&format!("{END}\n{BEGIN}\n")).is_err());
    assert!(params_block(&format!("{BEGIN}\n{BEGIN}\n{END}\n")).is_err());
}
