//! CSV tables written through `csv::Writer`: a row is a `#[derive(Serialize)]` struct
//! whose field names are the table's header, floats formatted by
//! [`format`](super::format); quoting is the writer's (a cell is quoted only when it holds
//! a comma, a quote or a line break).
//!
//! The header is written from the row type even when there are no rows (an empty table
//! still names its columns). Tables whose columns depend on the run (one column per organ
//! or per sweep axis) write a header record built from their declared column list with
//! [`writer`], then rows serialised after it.

use serde::Serialize;
use std::io::Write;

/// A CSV writer that writes no header of its own: the caller writes the header record.
pub fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().has_headers(false).from_writer(w)
}

/// The column names of `row`'s type, in order (nested tuples of structs: all their
/// fields in order).
pub fn columns<T: Serialize>(row: &T) -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(row)
        .expect("a row type of flat fields has a header");
    let bytes = w.into_inner().expect("writing to memory");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut record = csv::StringRecord::new();
    reader
        .read_record(&mut record)
        .expect("the header just written reads back");
    record.iter().map(str::to_string).collect()
}

/// The cells of `row` as its line writes them (nested tuples of structs: all their
/// fields in order), to be joined with other rows' cells into one record.
pub fn cells<T: Serialize>(row: &T) -> Vec<String> {
    let mut line = String::new();
    push_row(&mut line, row);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    reader
        .read_record(&mut record)
        .expect("the line just written reads back");
    record.iter().map(str::to_string).collect()
}

/// The column names of row type `T`.
pub fn header_of<T: Serialize + Default>() -> Vec<String> {
    columns(&T::default())
}

/// The header line of row type `T` (with its line break).
pub fn header_line<T: Serialize + Default>() -> String {
    let mut out = String::new();
    push_row(&mut out, &header_of::<T>());
    out
}

/// Appends `row` to `table` as one line.
pub fn push_row<T: Serialize>(table: &mut String, row: &T) {
    let mut w = writer(Vec::new());
    w.serialize(row).expect("a row of flat fields serialises");
    let bytes = w.into_inner().expect("writing to memory");
    table.push_str(std::str::from_utf8(&bytes).expect("rows of UTF-8 text"));
}

/// Writes a table of rows of type `T`: the header of `T`, then one line per row.
pub fn write<T: Serialize + Default>(
    rows: impl IntoIterator<Item = T>,
    w: impl Write,
) -> Result<(), csv::Error> {
    let mut w = writer(w);
    w.write_record(header_of::<T>())?;
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// [`write()`] into text.
pub fn text<T: Serialize + Default>(rows: impl IntoIterator<Item = T>) -> String {
    let mut bytes = Vec::new();
    write(rows, &mut bytes).expect("rows of flat fields serialise to memory");
    String::from_utf8(bytes).expect("rows of UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row<'a> {
        name: &'a str,
        n: u64,
        #[serde(serialize_with = "super::super::format::shortest_or_empty")]
        x: Option<f64>,
        flag: bool,
    }

    #[test]
    fn header_comes_from_the_fields_and_is_written_without_rows() {
        assert_eq!(header_of::<Row>(), ["name", "n", "x", "flag"]);
        assert_eq!(header_line::<Row>(), "name,n,x,flag\n");
        assert_eq!(text(Vec::<Row>::new()), "name,n,x,flag\n");
    }

    #[test]
    fn rows_are_written_as_the_hand_written_lines_were() {
        let rows = [
            Row {
                name: "primary",
                n: 3,
                x: Some(2.0),
                flag: true,
            },
            Row {
                name: "",
                n: 0,
                x: None,
                flag: false,
            },
        ];
        assert_eq!(text(rows), "name,n,x,flag\nprimary,3,2,true\n,0,,false\n");
    }

    /// The cells that can occur (names, numbers, paths, error messages) are quoted
    /// exactly when they hold a comma, a quote or a line break, quotes doubled.
    #[test]
    fn cells_are_quoted_only_when_needed() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a, b", "\"a, b\""),
            ("say \"x\"", "\"say \"\"x\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rhere", "\"cr\rhere\""),
            ("snapshots/lattice_day30", "snapshots/lattice_day30"),
            ("cells.p_symmetric", "cells.p_symmetric"),
            ("[1, 2]", "\"[1, 2]\""),
            (" spaced ", " spaced "),
            ("#hash", "#hash"),
            ("semi;colon", "semi;colon"),
            ("tab\there", "tab\there"),
        ];
        for (cell, want) in cases {
            let mut line = String::new();
            push_row(&mut line, &("lead", cell));
            assert_eq!(line, format!("lead,{want}\n"), "{cell:?}");
        }
    }

    #[test]
    fn a_dynamic_header_is_a_record() {
        let mut bytes = Vec::new();
        {
            let mut w = writer(&mut bytes);
            let mut names = header_of::<Row>();
            names.push("extra_lung".to_string());
            w.write_record(&names).unwrap();
            w.serialize((
                Row {
                    name: "a",
                    n: 1,
                    x: Some(0.5),
                    flag: false,
                },
                [7u64],
            ))
            .unwrap();
        }
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "name,n,x,flag,extra_lung\na,1,0.5,false,7\n"
        );
    }
}
