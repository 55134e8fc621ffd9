//! docs/model.md, the model's ODD description, stays in step with the code: its parameter
//! table (section 9) is exactly what `seedsoil params --format md` prints; every citation
//! `docs/model.md §X` or `docs/architecture.md §N` names a section that exists; and the
//! repository stands on its own, citing no specification kept outside it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Every file of the repository: the tracked files when git can list them, else every
/// file under the root outside `target/`, `.git/` and `runs/`.
fn repository_files() -> Vec<PathBuf> {
    let root = root();
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success() && !o.stdout.is_empty());
    if let Some(out) = listed {
        return String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|name| !name.is_empty() && !name.starts_with("target/"))
            .map(|name| root.join(name))
            .filter(|path| path.is_file())
            .collect();
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if dir != root || !["target", ".git", "runs"].contains(&name.to_str().unwrap_or(""))
                {
                    dirs.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text files of the repository (files that are not UTF-8, such as PNGs, are skipped),
/// with their paths relative to the root.
fn text_files() -> Vec<(String, String)> {
    let root = root();
    repository_files()
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            Some((name, text))
        })
        .collect()
}

#[test]
fn no_file_cites_the_specification_outside_the_repository() {
    // Built from pieces so that this file does not match itself.
    let patterns = [
        concat!("MODEL", ".md"),
        concat!("ARCHITECTURE", ".md"),
        concat!("shared", "/"),
    ];
    let files = text_files();
    assert!(
        files.iter().any(|(name, _)| name == "docs/model.md"),
        "docs/model.md not found among {} files",
        files.len()
    );
    let mut hits = Vec::new();
    for (name, text) in &files {
        for (i, line) in text.lines().enumerate() {
            if patterns.iter().any(|p| line.contains(p)) {
                hits.push(format!("{name}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "cite docs/model.md §X or docs/architecture.md §N instead of the specification \
         outside the repository:\n{}",
        hits.join("\n")
    );
}

/// Section numbers of a Markdown document: `## 3. Title` gives 3, `### 7.3 Title` gives 7.3,
/// and a heading that names several subsections (`### 4.3 Adaptation, 4.4 Objectives`)
/// gives each of them.
fn section_numbers(doc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in doc.lines() {
        let Some(title) = line
            .strip_prefix("## ")
            .or_else(|| line.strip_prefix("### "))
        else {
            continue;
        };
        for word in title.split([' ', ',']) {
            let number = word.trim_end_matches('.');
            if !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                && number.starts_with(|c: char| c.is_ascii_digit())
            {
                out.insert(number.to_string());
            }
        }
    }
    out
}

/// The sections cited as `<doc> §X`, `<doc> §X–Y` (both ends), in `text`.
fn citations(text: &str, doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let needle = format!("{doc} §");
    for (at, _) in text.match_indices(&needle) {
        let rest = &text[at + needle.len()..];
        let number = |s: &str| -> String {
            let n: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            n.trim_end_matches('.').to_string()
        };
        let first = number(rest);
        if first.is_empty() {
            continue; // a placeholder such as `§X`, not a citation
        }
        out.push(first.clone());
        if let Some(tail) = rest[first.len()..].strip_prefix('–') {
            out.push(number(tail));
        }
    }
    out
}

#[test]
fn citations_name_existing_sections() {
    let model = section_numbers(&read(&root().join("docs/model.md")));
    let architecture = section_numbers(&read(&root().join("docs/architecture.md")));
    for number in ["1.2", "3", "7.3", "7.16", "8.4", "9"] {
        assert!(model.contains(number), "docs/model.md lacks §{number}");
    }
    let mut bad = Vec::new();
    let mut cited = 0;
    for (name, text) in text_files() {
        for (doc, sections) in [
            ("docs/model.md", &model),
            ("docs/architecture.md", &architecture),
        ] {
            for section in citations(&text, doc) {
                cited += 1;
                if !sections.contains(&section) {
                    bad.push(format!("{name}: {doc} §{section}"));
                }
            }
        }
    }
    assert!(cited > 100, "only {cited} citations found");
    assert!(
        bad.is_empty(),
        "citations of sections that do not exist:\n{}",
        bad.join("\n")
    );
}

#[test]
fn citation_parsing() {
    let text = "see docs/model.md §7.12–7.14, docs/model.md §3. and docs/architecture.md §6) \
                (docs/model.md §X)";
    assert_eq!(citations(text, "docs/model.md"), ["7.12", "7.14", "3"]);
    assert_eq!(citations(text, "docs/architecture.md"), ["6"]);
    let doc = "# T\n## 3. Process\n### 7.3 CSC division\n### 4.3 Adaptation, 4.4 Objectives\n";
    let found: Vec<String> = section_numbers(doc).into_iter().collect();
    assert_eq!(found, ["3", "4.3", "4.4", "7.3"]);
}
