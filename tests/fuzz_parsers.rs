//! Fuzzing of the parsers of user-named files: the sweep file, the compare file and the
//! checkpoint decoder. Whatever the bytes, parsing returns `Ok` or a typed error, never
//! panics; the command line answers unreadable or oversized inputs with exit code 2.
//!
//! Inputs: random byte strings, TOML-ish mutations of the shipped example files (lines
//! dropped, duplicated or swapped, values replaced by odd ones, bytes flipped), and byte
//! flips, overwrites and truncations of real checkpoints with the checksum recomputed, so
//! that decoding beyond the checksum is exercised. Case counts keep the whole file under
//! a minute in the dev profile.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use proptest::prelude::*;
use seedsoil::checkpoint::{self, Checkpoint};
use seedsoil::compare::CompareSpec;
use seedsoil::config;
use seedsoil::output::Recorder;
use seedsoil::sim::Simulation;
use seedsoil::sweep::SweepSpec;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The shipped files of a kind, with their text.
fn files(globs: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for (dir, prefix) in globs {
        let mut names: Vec<PathBuf> = std::fs::read_dir(repo(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "toml")
                    && p.file_name().unwrap().to_string_lossy().starts_with(prefix)
            })
            .collect();
        names.sort();
        for p in names {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p, text));
        }
    }
    assert!(!out.is_empty(), "no example files found for {globs:?}");
    out
}

fn sweep_files() -> &'static [(PathBuf, String)] {
    static F: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    F.get_or_init(|| files(&[("configs/sweeps", "")]))
}

fn compare_files() -> &'static [(PathBuf, String)] {
    static F: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    F.get_or_init(|| files(&[("configs", "compare-"), ("tests/data/compare", "")]))
}

/// Odd values a mutation puts in place of a TOML value.
const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "\"\"",
    "\"../../../../dev/zero\"",
    "\"/dev/zero\"",
    "[]",
    "[[]]",
    "{}",
    "true",
    "1979-05-27",
    "\"x\"",
    "[1, \"a\"]",
    "0.0",
    "1000000000",
];

/// Junk lines a mutation inserts.
const ODD_LINES: &[&str] = &[
    "[[axis]]",
    "[scenario.x]",
    "[scenario.\"Bad Name\"]",
    "param = \"cells.rho_max\"",
    "values = []",
    "from = 0",
    "to = 1e308",
    "include = [\"/dev/null\"]",
    "set = { \"run.days\" = -1 }",
    "base = \"/nonexistent.toml\"",
    "design = \"lhs\"",
    "samples = 0",
    "control = \"nope\"",
    "branch_at_day = 1e308",
    "[",
    "]]",
    "= 1",
    "a.b.c.d = 1",
    "\u{0}",
];

/// One TOML-ish mutation of `text`.
#[derive(Debug, Clone)]
enum Mutation {
    DropLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, usize),
    InsertLine(usize, usize),
    FlipByte(usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::ReplaceValue(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::InsertLine(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::FlipByte(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut bytes_mode: Option<Vec<u8>> = None;
    for m in mutations {
        if let Some(bytes) = bytes_mode.as_mut() {
            match *m {
                Mutation::FlipByte(i, b) if !bytes.is_empty() => {
                    let n = bytes.len();
                    bytes[i % n] ^= b | 1;
                }
                Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
                _ => {}
            }
            continue;
        }
        let n = lines.len().max(1);
        match *m {
            Mutation::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Mutation::ReplaceValue(i, v) if !lines.is_empty() => {
                let l = &mut lines[i % n];
                if let Some((k, _)) = l.split_once('=') {
                    *l = format!("{k}= {}", ODD_VALUES[v % ODD_VALUES.len()]);
                }
            }
            Mutation::InsertLine(i, v) => {
                let at = i % (lines.len() + 1);
                lines.insert(at, ODD_LINES[v % ODD_LINES.len()].to_string());
            }
            Mutation::FlipByte(..) | Mutation::Truncate(..) => {
                let mut bytes = lines.join("\n").into_bytes();
                match *m {
                    Mutation::FlipByte(i, b) if !bytes.is_empty() => {
                        let n = bytes.len();
                        bytes[i % n] ^= b | 1;
                    }
                    Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
                    _ => {}
                }
                bytes_mode = Some(bytes);
            }
            _ => {}
        }
    }
    match bytes_mode {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => lines.join("\n"),
    }
}

fn parse_sweep(text: &str, path: &Path) {
    // Ok or a typed error; its message must render.
    if let Err(e) = SweepSpec::from_text(text, path, None) {
        assert!(!e.to_string().is_empty());
        assert_eq!(e.exit_code(), 2);
    }
}

fn parse_compare(text: &str, path: &Path) {
    if let Err(e) = CompareSpec::from_text(text, path, None) {
        assert!(!e.to_string().is_empty());
        assert_eq!(e.exit_code(), 2);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn sweep_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        parse_sweep(&text, &repo("configs/sweeps/fuzz.toml"));
    }

    #[test]
    fn compare_parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        parse_compare(&text, &repo("tests/data/compare/fuzz.toml"));
    }

    #[test]
    fn sweep_parser_never_panics_on_mutated_examples(
        file in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let files = sweep_files();
        let (path, text) = &files[file % files.len()];
        parse_sweep(&mutate(text, &mutations), path);
    }

    #[test]
    fn compare_parser_never_panics_on_mutated_examples(
        file in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let files = compare_files();
        let (path, text) = &files[file % files.len()];
        parse_compare(&mutate(text, &mutations), path);
    }
}

/// FNV-1a 64, the checkpoint checksum.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// `body` (a checkpoint without its checksum) with the checksum appended.
fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let sum = fnv1a64(&body);
    body.extend_from_slice(&sum.to_le_bytes());
    body
}

/// Real checkpoints, without their checksums, and the offset of their state section.
/// One with cytokine fields and MSCs in the tumour; one with metastatic colonies.
fn checkpoints() -> &'static [(Vec<u8>, usize)] {
    static C: OnceLock<Vec<(Vec<u8>, usize)>> = OnceLock::new();
    C.get_or_init(|| {
        let make = |path: Option<&Path>, sets: &[&str], steps: u64| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            let cfg = config::load(path, &sets).unwrap();
            let mut sim = Simulation::new(&cfg).unwrap();
            let mut rec = Recorder::new(&sim, None);
            sim.run_until(&mut rec, steps);
            let mut bytes = checkpoint::save(&sim, &rec);
            bytes.truncate(bytes.len() - 8);
            // The state starts after magic, version, seedsoil version, config and step.
            let mut at = checkpoint::MAGIC.len() + 4;
            for _ in 0..2 {
                let n = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
                at += 8 + n;
            }
            (bytes, at + 8)
        };
        vec![
            make(
                None,
                &[
                    "run.threads=1",
                    "space.max_size=200",
                    "msc.inject_day=0.5",
                    "therapy=[{kind=\"radiation\",start_day=1.0,cycles=1,interval_days=1.0,dose_gy=2.0}]",
                ],
                60,
            ),
            make(
                Some(&repo("configs/metastasis.toml")),
                &[
                    "run.threads=1",
                    "init.radius=30.0",
                    "space.initial_size=128",
                    "space.max_size=300",
                    "dissemination.colony_max_size=64",
                ],
                24 * 3,
            ),
        ]
    })
}

/// Decodes a checkpoint the way `seedsoil run --from` does, then takes a step: an
/// error is fine, a panic is not.
fn decode_and_step(bytes: &[u8]) {
    let Ok(ck) = Checkpoint::read(bytes) else {
        return;
    };
    let Ok(mut sim) = ck.restore(&ck.config) else {
        return;
    };
    let Ok(mut rec) = ck.restore_recorder(&sim, None) else {
        return;
    };
    // Millions of MSCs in the pool or of dormant cells or HPCs in an organ are a valid
    // (if costly) state: step only small ones.
    let organs = sim.metastasis.as_ref().map_or(0, |m| {
        m.organs
            .iter()
            .map(|o| o.hpcs.max(o.dormant).max(o.dormant_non_stem))
            .max()
            .unwrap_or(0)
    });
    if sim.mscs.pool().iter().sum::<u64>() > 1_000_000 || organs > 1_000_000 {
        return;
    }
    let step = sim.step_count();
    sim.run_until(&mut rec, step.saturating_add(2));
}

/// One edit of a checkpoint's bytes.
#[derive(Debug, Clone)]
enum Edit {
    /// XOR a byte of the state or recorder section.
    Flip(usize, u8),
    /// Overwrite 8 bytes with an odd little-endian u64.
    Word(usize, usize),
    /// Overwrite 4 bytes with an odd little-endian u32.
    Half(usize, usize),
    /// Cut the data.
    Truncate(usize),
}

const ODD_WORDS: &[u64] = &[
    0,
    1,
    2,
    3,
    7,
    31,
    32,
    255,
    256,
    65_535,
    1 << 20,
    1 << 32,
    u32::MAX as u64,
    i64::MAX as u64,
    u64::MAX,
    u64::MAX - 1,
    0x7FF8_0000_0000_0000, // NaN
    0x7FF0_0000_0000_0000, // inf
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(a, b)| Edit::Flip(a, b)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Word(a, b)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Half(a, b)),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Applies `e` to the bytes from `from` on; `tail`: within the last 4 kB (the end of
/// the state and the recorder, past the lattice bytes that fill most of the state).
fn apply(body: &mut Vec<u8>, from: usize, e: &Edit, tail: bool) {
    let from = if tail {
        from.max(body.len().saturating_sub(4096))
    } else {
        from
    };
    let n = body.len() - from;
    match *e {
        Edit::Flip(i, b) => body[from + i % n] ^= b,
        Edit::Word(i, w) => {
            let at = from + i % n.saturating_sub(8).max(1);
            let v = ODD_WORDS[w % ODD_WORDS.len()].to_le_bytes();
            let end = (at + 8).min(body.len());
            body[at..end].copy_from_slice(&v[..end - at]);
        }
        Edit::Half(i, w) => {
            let at = from + i % n.saturating_sub(4).max(1);
            let v = (ODD_WORDS[w % ODD_WORDS.len()] as u32).to_le_bytes();
            let end = (at + 4).min(body.len());
            body[at..end].copy_from_slice(&v[..end - at]);
        }
        Edit::Truncate(i) => body.truncate(from + i % n),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn checkpoint_decoder_never_panics_on_edited_checkpoints(
        which in any::<usize>(),
        edits in proptest::collection::vec((edit(), any::<bool>()), 1..4),
    ) {
        let all = checkpoints();
        let (body, state_at) = &all[which % all.len()];
        let mut body = body.clone();
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("case {which} {edits:?}");
        }
        for (e, tail) in &edits {
            if body.len() > *state_at {
                apply(&mut body, *state_at, e, *tail);
            }
        }
        decode_and_step(&seal(body));
    }

    #[test]
    fn checkpoint_decoder_never_panics_on_random_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        magic in any::<bool>(),
    ) {
        let mut data = Vec::new();
        if magic {
            data.extend_from_slice(checkpoint::MAGIC);
            data.extend_from_slice(&checkpoint::FORMAT_VERSION.to_le_bytes());
        }
        data.extend_from_slice(&bytes);
        decode_and_step(&seal(data.clone()));
        decode_and_step(&data);
    }
}

/// The unedited checkpoints decode and step (so the fuzzing starts from valid data).
#[test]
fn unedited_checkpoints_decode() {
    for (body, _) in checkpoints() {
        let ck = Checkpoint::read(&seal(body.clone())).unwrap();
        let sim = ck.restore(&ck.config).unwrap();
        ck.restore_recorder(&sim, None).unwrap();
    }
}

fn seedsoil() -> Command {
    Command::cargo_bin("seedsoil").expect("binary built")
}

/// Unbounded or unreadable inputs named on the command line: exit code 2 with a message,
/// quickly (a cap, not the end of memory).
#[test]
fn endless_inputs_are_refused_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    for args in [
        vec!["check", "/dev/zero"],
        vec!["run", "--from", "/dev/zero", "-o", out, "-q"],
        vec!["run", "/dev/zero", "-o", out, "-q"],
        vec!["sweep", "/dev/zero", "-o", out],
        vec!["compare", "/dev/zero", "-o", out],
        vec!["check", "/nonexistent/seedsoil.toml"],
    ] {
        let assert = seedsoil()
            .args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .assert();
        let output = assert.get_output();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains("error:"), "{args:?}: {err}");
    }
}

/// The panic the fuzzing found first: a cell written on the window's outermost ring (the
/// lattice is rebuilt from the bytes before anything else, and a neighbour of such a
/// site is outside the window). Refused, naming the lattice byte.
#[test]
fn a_cell_on_the_window_edge_is_refused() {
    let (body, state_at) = &checkpoints()[0];
    // State: step, turns, observed flag (17 bytes); lattice: dims, 3 × (log, origin),
    // domain, tile size, byte count (65 bytes); then the site bytes, site 0 first.
    let site0 = state_at + 17 + 1 + 36 + 8 + 4 + 8;
    let mut body = body.clone();
    assert_eq!(body[site0] & 0x1F, 0, "site 0 of the window is empty");
    body[site0] = 30; // a CSC
    let ck = Checkpoint::read(&seal(body)).unwrap();
    let err = ck.restore(&ck.config).unwrap_err().to_string();
    assert!(err.contains("lattice site byte"), "{err}");
}
