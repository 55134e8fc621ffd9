//! `docs/outputs.md`'s file and column reference is the text generated from the row
//! structs that write the tables (`seedsoil::schema::markdown`): a column added, renamed
//! or redocumented in the code changes the generated text, and this test fails until
//! the docs are regenerated with
//!
//! ```text
//! SEEDSOIL_BLESS=1 cargo test --test docs_outputs
//! ```
//!
//! which rewrites the section between the markers and leaves the prose around it.

use seedsoil::schema;

#[test]
fn the_outputs_reference_in_the_docs_is_the_generated_one() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let generated = schema::markdown();
    if std::env::var_os("SEEDSOIL_BLESS").is_some() {
        let new = schema::replace_section(&text, &generated)
            .expect("docs/outputs.md holds the markers of the generated section");
        std::fs::write(&path, new).unwrap();
        return;
    }
    let section = schema::section(&text).unwrap_or_else(|| {
        panic!(
            "docs/outputs.md has no generated section: add the lines\n{}\n{}\nand run \
             SEEDSOIL_BLESS=1 cargo test --test docs_outputs",
            schema::BEGIN,
            schema::END
        )
    });
    if section != generated {
        let line = section
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(section.lines().count().min(generated.lines().count()));
        panic!(
            "docs/outputs.md's output reference differs from the generated text (first at \
             line {} of the section):\n  docs:      {:?}\n  generated: {:?}\nregenerate \
             it with: SEEDSOIL_BLESS=1 cargo test --test docs_outputs",
            line + 1,
            section.lines().nth(line).unwrap_or(""),
            generated.lines().nth(line).unwrap_or(""),
        );
    }
}
