//! `init.kind = "file"`: the initial cells read from a CSV file (`init.file`), checked
//! against the config, every problem collected.
//!
//! # Format
//!
//! The columns of a run's lattice snapshot (`snapshots/lattice_dayD.csv`,
//! [`crate::output::snapshot`]), so that a snapshot starts a run as it is:
//!
//! | column | meaning |
//! |---|---|
//! | `x`, `y` | domain coordinates in sites, `1 ≤ x, y ≤ space.max_size − 2` (the outer ring is the border) |
//! | `z` | 3D: the same; 2D: absent, or `0` (a 2D snapshot writes `0`) |
//! | `kind` | `csc`, `progenitor` or `differentiated`, in any case |
//! | `rho` | divisions left: `1 ≤ rho ≤ cells.rho_max` for a progenitor; empty for a CSC; empty or `0` for a differentiated cell |
//!
//! The header names the columns (in any order); each site is listed once. The file is
//! read with a size cap ([`MAX_CELLS_FILE_BYTES`]).

use std::collections::HashMap;
use std::path::Path;

use crate::error::Problem;

/// The largest cells file seedsoil reads: 4 GiB (a fully occupied 2000² domain, the
/// default, is about 80 MB).
pub const MAX_CELLS_FILE_BYTES: u64 = 4 << 30;

/// At most this many problems of one cells file are listed; the rest are counted.
const MAX_FILE_PROBLEMS: usize = 50;

/// The key every problem of a cells file is about.
const KEY: &str = "init.file";

/// A cell's kind in a cells file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitCellKind {
    /// A cancer stem cell.
    Csc,
    /// A non-stem cell with ρ divisions left (ρ = 0: differentiated).
    Progenitor(u8),
}

/// One initial cell: its site in domain coordinates (z = 0 in 2D) and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitCell {
    /// Domain coordinates `[x, y, z]`.
    pub pos: [i64; 3],
    /// What the cell is.
    pub kind: InitCellKind,
}

/// What a cells file is checked against: `space.dims`, `space.max_size`,
/// `cells.rho_max`.
#[derive(Debug, Clone, Copy)]
pub struct CellsFileRules {
    /// Lattice dimension, 2 or 3.
    pub dims: u8,
    /// Side of the domain in sites.
    pub max_size: u32,
    /// Largest ρ of a progenitor.
    pub rho_max: u8,
}

/// Reads and checks the cells file `path`: every cell, or every problem found (each
/// naming the file, line, column, value and what is allowed; at most
/// `MAX_FILE_PROBLEMS` (50) listed, then a count of the rest).
pub fn read_cells_file(path: &Path, rules: CellsFileRules) -> Result<Vec<InitCell>, Vec<Problem>> {
    let shown = path.display().to_string();
    let bytes = match crate::input::read_capped(path, MAX_CELLS_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(crate::input::ReadError::Io(e)) => {
            return Err(vec![Problem::new(
                KEY,
                format!("\"{shown}\""),
                format!("cannot read the cells file: {e}"),
            )]);
        }
        Err(crate::input::ReadError::TooLarge { cap }) => {
            return Err(vec![Problem::new(
                KEY,
                format!("\"{shown}\""),
                format!(
                    "the file is larger than {}, the most seedsoil reads as a cells file",
                    crate::input::human_bytes(cap)
                ),
            )]);
        }
    };
    parse_cells(&bytes, &shown, rules)
}

/// Collects problems, listing the first `MAX_FILE_PROBLEMS`.
struct Problems<'a> {
    file: &'a str,
    listed: Vec<Problem>,
    more: usize,
}

impl Problems<'_> {
    /// A problem at `line` (1-based), column `column` (1-based, 0 = the whole line)
    /// named `name`, with the value as given.
    fn push(&mut self, line: u64, column: usize, name: &str, value: &str, allowed: String) {
        if self.listed.len() >= MAX_FILE_PROBLEMS {
            self.more += 1;
            return;
        }
        let at = if column == 0 {
            format!("{}:{line}", self.file)
        } else {
            format!("{}:{line}:{column}", self.file)
        };
        self.listed.push(Problem::new(
            KEY,
            format!("{at} {name} = \"{value}\""),
            allowed,
        ));
    }

    fn finish(mut self) -> Vec<Problem> {
        if self.more > 0 {
            self.listed.push(Problem::new(
                KEY,
                format!("\"{}\"", self.file),
                format!(
                    "… and {} more problem{} in this file (the first {MAX_FILE_PROBLEMS} are listed)",
                    self.more,
                    if self.more == 1 { "" } else { "s" }
                ),
            ));
        }
        self.listed
    }
}

/// The columns of a cells file, by index in the header.
struct Columns {
    x: usize,
    y: usize,
    z: Option<usize>,
    kind: usize,
    rho: usize,
    count: usize,
}

/// Checks the header; `None` (with problems pushed) if the rows cannot be read by it.
fn columns(
    header: &csv::StringRecord,
    rules: CellsFileRules,
    out: &mut Problems,
) -> Option<Columns> {
    let expected = if rules.dims == 3 {
        "x,y,z,kind,rho (space.dims = 3)"
    } else {
        "x,y,kind,rho or x,y,z,kind,rho with z = 0 (space.dims = 2)"
    };
    let text = header.iter().collect::<Vec<_>>().join(",");
    if header.iter().all(|h| h.trim().is_empty()) {
        out.push(
            1,
            0,
            "header",
            &text,
            format!("the file is empty: expected a header {expected}, then one line per cell"),
        );
        return None;
    }
    let mut found: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let known = ["x", "y", "z", "kind", "rho"];
        match known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            Some(k) if !found.contains_key(k) => {
                found.insert(k, i);
            }
            Some(_) => {
                out.push(
                    1,
                    i + 1,
                    "column",
                    name,
                    format!("each column once: expected {expected}"),
                );
                ok = false;
            }
            None => {
                out.push(
                    1,
                    i + 1,
                    "column",
                    name,
                    format!("unknown column: expected {expected}"),
                );
                ok = false;
            }
        }
    }
    for k in ["x", "y", "kind", "rho"] {
        if !found.contains_key(k) {
            out.push(
                1,
                0,
                "header",
                &text,
                format!("missing column {k}: expected {expected}"),
            );
            ok = false;
        }
    }
    if rules.dims == 3 && !found.contains_key("z") {
        out.push(
            1,
            0,
            "header",
            &text,
            "missing column z: a 3D lattice (space.dims = 3) needs x,y,z,kind,rho".to_string(),
        );
        ok = false;
    }
    ok.then(|| Columns {
        x: found["x"],
        y: found["y"],
        z: found.get("z").copied(),
        kind: found["kind"],
        rho: found["rho"],
        count: header.len(),
    })
}

/// Parses and checks a cells file's bytes (`file` names it in problems).
fn parse_cells(
    bytes: &[u8],
    file: &str,
    rules: CellsFileRules,
) -> Result<Vec<InitCell>, Vec<Problem>> {
    let mut out = Problems {
        file,
        listed: Vec::new(),
        more: 0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.push(1, 0, "header", "", format!("not a CSV header: {e}"));
            return Err(out.finish());
        }
    };
    let Some(cols) = columns(&header, rules, &mut out) else {
        return Err(out.finish());
    };
    let max = i64::from(rules.max_size);
    let axes: Vec<(&str, Option<usize>)> = if rules.dims == 3 {
        vec![("x", Some(cols.x)), ("y", Some(cols.y)), ("z", cols.z)]
    } else {
        vec![("x", Some(cols.x)), ("y", Some(cols.y))]
    };
    let mut cells = Vec::new();
    let mut seen: HashMap<[i64; 3], u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.push(line, 0, "line", "", format!("not CSV: {e}"));
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != cols.count {
            let text = record.iter().collect::<Vec<_>>().join(",");
            out.push(
                line,
                0,
                "line",
                &text,
                format!(
                    "expected {} fields, as the header, got {}",
                    cols.count,
                    record.len()
                ),
            );
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let mut bad = false;
        let mut pos = [0i64; 3];
        for (a, (name, col)) in axes.iter().enumerate() {
            let col = col.expect("3D headers have z (checked)");
            let v = field(col);
            match v.parse::<i64>() {
                Ok(c) if (1..=max - 2).contains(&c) => pos[a] = c,
                Ok(c) => {
                    let why = if c == 0 || c == max - 1 {
                        format!(
                            "on the border ring ({name} = 0 or {}), occupied by the domain's wall",
                            max - 1
                        )
                    } else {
                        format!(
                            "outside the domain 0..={} of space.max_size = {max}",
                            max - 1
                        )
                    };
                    out.push(
                        line,
                        col + 1,
                        name,
                        v,
                        format!("allowed integer 1 ≤ {name} ≤ {} (sites): {why}", max - 2),
                    );
                    bad = true;
                }
                Err(_) => {
                    out.push(
                        line,
                        col + 1,
                        name,
                        v,
                        format!(
                            "allowed integer 1 ≤ {name} ≤ {} (sites, domain coordinates)",
                            max - 2
                        ),
                    );
                    bad = true;
                }
            }
        }
        if rules.dims == 2
            && let Some(col) = cols.z
        {
            let v = field(col);
            if !(v.is_empty() || v.parse::<i64>() == Ok(0)) {
                out.push(
                    line,
                    col + 1,
                    "z",
                    v,
                    "allowed 0 or empty: the lattice is 2D (space.dims = 2)".to_string(),
                );
                bad = true;
            }
        }
        let kind_text = field(cols.kind);
        let rho_text = field(cols.rho);
        let rho_col = cols.rho + 1;
        let progenitor_range = format!(
            "1 ≤ rho ≤ cells.rho_max = {} (divisions left; 0 is a differentiated cell)",
            rules.rho_max
        );
        let kind = match kind_text.to_ascii_lowercase().as_str() {
            "csc" => {
                if rho_text.is_empty() {
                    Some(InitCellKind::Csc)
                } else {
                    out.push(
                        line,
                        rho_col,
                        "rho",
                        rho_text,
                        "allowed empty for a csc (a CSC has no division limit)".to_string(),
                    );
                    None
                }
            }
            "differentiated" => {
                if rho_text.is_empty() || rho_text.parse::<u8>() == Ok(0) {
                    Some(InitCellKind::Progenitor(0))
                } else {
                    out.push(
                        line,
                        rho_col,
                        "rho",
                        rho_text,
                        "allowed 0 or empty for a differentiated cell (no divisions left)"
                            .to_string(),
                    );
                    None
                }
            }
            "progenitor" => match rho_text.parse::<u8>() {
                Ok(r) if (1..=rules.rho_max).contains(&r) => Some(InitCellKind::Progenitor(r)),
                _ => {
                    out.push(
                        line,
                        rho_col,
                        "rho",
                        rho_text,
                        format!("allowed integer {progenitor_range} for a progenitor"),
                    );
                    None
                }
            },
            _ => {
                out.push(
                    line,
                    cols.kind + 1,
                    "kind",
                    kind_text,
                    "allowed csc, progenitor or differentiated (any case)".to_string(),
                );
                None
            }
        };
        if bad {
            continue;
        }
        if let Some(first) = seen.get(&pos) {
            let shown = pos[..usize::from(rules.dims)]
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            out.push(
                line,
                0,
                "site",
                &shown,
                format!("each site once: already listed on line {first}"),
            );
            continue;
        }
        seen.insert(pos, line);
        if let Some(kind) = kind {
            cells.push(InitCell { pos, kind });
        }
    }
    if out.listed.is_empty() && cells.is_empty() {
        out.push(
            1,
            0,
            "header",
            &header.iter().collect::<Vec<_>>().join(","),
            "the file lists no cells: expected one line per cell after the header".to_string(),
        );
    }
    if out.listed.is_empty() {
        Ok(cells)
    } else {
        Err(out.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: CellsFileRules = CellsFileRules {
        dims: 2,
        max_size: 100,
        rho_max: 10,
    };

    fn parse(text: &str, rules: CellsFileRules) -> Result<Vec<InitCell>, Vec<String>> {
        parse_cells(text.as_bytes(), "c.csv", rules)
            .map_err(|p| p.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_2d_snapshot_and_a_2d_file_without_z_read_the_same_cells() {
        let snapshot =
            "x,y,z,kind,rho\n50,50,0,csc,\n51,50,0,progenitor,3\n52,50,0,differentiated,0\n";
        let plain = "x,y,kind,rho\n50,50,CSC,\n51,50,Progenitor,3\n52,50,differentiated,\n";
        let a = parse(snapshot, RULES).unwrap();
        assert_eq!(a, parse(plain, RULES).unwrap());
        assert_eq!(
            a,
            [
                InitCell {
                    pos: [50, 50, 0],
                    kind: InitCellKind::Csc
                },
                InitCell {
                    pos: [51, 50, 0],
                    kind: InitCellKind::Progenitor(3)
                },
                InitCell {
                    pos: [52, 50, 0],
                    kind: InitCellKind::Progenitor(0)
                },
            ]
        );
    }

    #[test]
    fn every_problem_names_line_column_value_and_what_is_allowed() {
        let text = "x,y,z,kind,rho\n0,50,0,csc,\n50,50,0,stem,\n51,50,0,progenitor,11\n\
                    52,50,0,progenitor,\n50,50,0,csc,\n53,50,1,csc,\n500,50,0,csc,\n";
        let p = parse(text, RULES).unwrap_err();
        let expect = [
            "c.csv:2:1 x = \"0\": allowed integer 1 ≤ x ≤ 98 (sites): on the border ring",
            "c.csv:3:4 kind = \"stem\": allowed csc, progenitor or differentiated",
            "c.csv:4:5 rho = \"11\": allowed integer 1 ≤ rho ≤ cells.rho_max = 10",
            "c.csv:5:5 rho = \"\": allowed integer 1 ≤ rho ≤ cells.rho_max = 10",
            "c.csv:6 site = \"50,50\": each site once: already listed on line 3",
            "c.csv:7:3 z = \"1\": allowed 0 or empty: the lattice is 2D",
            "c.csv:8:1 x = \"500\": allowed integer 1 ≤ x ≤ 98 (sites): outside the domain",
        ];
        assert_eq!(p.len(), expect.len(), "{p:#?}");
        for (got, want) in p.iter().zip(expect) {
            assert!(
                got.starts_with(&format!("init.file = {want}")),
                "{got}\nwant {want}"
            );
        }
    }

    #[test]
    fn headers_and_empty_files_are_refused() {
        let three = CellsFileRules { dims: 3, ..RULES };
        let p = parse("x,y,kind,rho\n50,50,csc,\n", three).unwrap_err();
        assert!(p[0].contains("missing column z"), "{p:?}");
        let p = parse("", RULES).unwrap_err();
        assert!(p[0].contains("the file is empty"), "{p:?}");
        let p = parse("x,y,kind,rho\n", RULES).unwrap_err();
        assert!(p[0].contains("lists no cells"), "{p:?}");
        let p = parse("x,y,kind,rho,colour\n50,50,csc,,red\n", RULES).unwrap_err();
        assert!(
            p[0].contains("column = \"colour\": unknown column"),
            "{p:?}"
        );
    }

    #[test]
    fn problems_are_capped_and_counted() {
        let mut text = String::from("x,y,kind,rho\n");
        for i in 0..60 {
            text.push_str(&format!("{},50,blob,\n", i + 1));
        }
        let p = parse(&text, RULES).unwrap_err();
        assert_eq!(p.len(), MAX_FILE_PROBLEMS + 1);
        assert!(
            p[MAX_FILE_PROBLEMS].contains("and 10 more problems"),
            "{p:?}"
        );
    }
}
