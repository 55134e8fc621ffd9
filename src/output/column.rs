//! What a table's columns mean: each row struct of a table documents its columns in a
//! [`Documented::COLUMNS`] table next to its fields (name, unit, meaning), the one place
//! these facts live. Unit tests keep each table's names equal to the struct's serde
//! header, so a field added without its documentation fails; the reference of
//! `docs/outputs.md` is generated from these tables (`seedsoil::schema`).

/// One documented column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column's name in the CSV header (a pattern such as `step_reached_<N>` for
    /// columns generated from the run).
    pub name: &'static str,
    /// Its unit: a physical unit (`h`, `d`, `ng/mL`), what is counted (`cells`, `MSCs`),
    /// `fraction`, `0/1`, `true/false` or `text`.
    pub unit: &'static str,
    /// What it holds.
    pub meaning: &'static str,
}

/// A column: `name`, `unit`, `meaning`.
pub const fn col(name: &'static str, unit: &'static str, meaning: &'static str) -> Column {
    Column {
        name,
        unit,
        meaning,
    }
}

/// A row type whose columns are documented, in header order.
pub trait Documented {
    /// The columns, in the order of the serde header.
    const COLUMNS: &'static [Column];
}

/// The names of `columns`.
pub fn names(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// The names of `T`'s documented columns against its serde header: `None` when they are
/// equal, else a message naming both (for the tests of each row type).
pub fn mismatch<T: Documented + serde::Serialize + Default>() -> Option<String> {
    let header = crate::output::table::header_of::<T>();
    let documented = names(T::COLUMNS);
    (header != documented).then(|| {
        format!(
            "{}: serde header {header:?}, documented columns {documented:?}",
            std::any::type_name::<T>()
        )
    })
}
