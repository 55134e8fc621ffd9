//! Invalid configurations are rejected with messages that name the key, the value given and
//! what is allowed; every problem is reported at once (docs/architecture.md §5 and §8).

use std::io::Write;
use std::path::Path;

use seedsoil::config::{Config, InitKind, load};
use seedsoil::error::{ConfigError, Problem};

/// Writes `text` to a temporary `.toml` file; the file lives as long as the handle.
fn config_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("create temp file");
    file.write_all(text.as_bytes()).expect("write temp file");
    file
}

fn sets(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Loads `text` from a file with the given overrides and expects it to be invalid.
fn problems(text: &str, overrides: &[&str]) -> Vec<Problem> {
    let file = config_file(text);
    match load(Some(file.path()), &sets(overrides)) {
        Err(ConfigError::Invalid(problems)) => {
            let err = ConfigError::Invalid(problems.clone());
            // Header plus one line per problem.
            let message = err.to_string();
            assert_eq!(message.lines().count(), problems.len() + 1, "{message}");
            assert!(message.starts_with("invalid configuration ("), "{message}");
            assert_eq!(err.exit_code(), 2);
            problems
        }
        other => panic!("expected ConfigError::Invalid, got {other:?}"),
    }
}

/// Expects exactly one problem and returns its Display text.
fn one_problem(text: &str, overrides: &[&str]) -> String {
    let found = problems(text, overrides);
    assert_eq!(found.len(), 1, "{found:#?}");
    found[0].to_string()
}

#[test]
fn unknown_key_suggests_the_closest_valid_key() {
    let message = one_problem("[cells]\np_symetric = 0.2\n", &[]);
    assert_eq!(
        message,
        "cells.p_symetric = 0.2: unknown key; did you mean cells.p_symmetric?"
    );
}

#[test]
fn key_in_the_wrong_section_suggests_the_right_one() {
    let message = one_problem("[run]\ncycle_time_h = 20\n", &[]);
    assert!(
        message.contains("did you mean cells.cycle_time_h?"),
        "{message}"
    );
}

#[test]
fn unknown_key_without_close_match_lists_the_section() {
    let message = one_problem("[space]\nwrap_around = true\n", &[]);
    assert!(message.starts_with("space.wrap_around = true: unknown key"));
    assert!(message.contains("initial_size"), "{message}");
}

#[test]
fn unknown_section_is_reported_with_suggestion() {
    let message = one_problem("[cell]\np_symmetric = 0.2\n", &[]);
    assert!(message.starts_with("cell = "), "{message}");
    assert!(message.contains("unknown section [cell]"), "{message}");
    assert!(message.contains("did you mean [cells]?"), "{message}");

    let message = one_problem("[metastasis]\nrate = 1\n", &[]);
    assert!(
        message.contains("unknown section [metastasis]"),
        "{message}"
    );
    assert!(message.contains("[signalling]"), "{message}");
}

#[test]
fn wrong_type_names_expected_type_and_range() {
    let message = one_problem("[cells]\np_symmetric = \"high\"\n", &[]);
    assert_eq!(
        message,
        "cells.p_symmetric = \"high\": expected a number, got a string; \
         allowed 0 ≤ value ≤ 1 (per CSC division)"
    );
    let message = one_problem("[cells]\nrho_max = 10.5\n", &[]);
    assert!(message.contains("expected an integer"), "{message}");
    let message = one_problem("[output]\nsnapshot_png = 1\n", &[]);
    assert!(message.contains("expected true or false"), "{message}");
    let message = one_problem("[space]\nmax_size = 1000\ninitial_size = \"64\"\n", &[]);
    assert!(
        message.starts_with("space.initial_size = \"64\""),
        "{message}"
    );
}

#[test]
fn out_of_range_names_key_value_and_range() {
    let message = one_problem("[cells]\np_symmetric = 1.5\np_symmetric_max = 1.0\n", &[]);
    assert_eq!(
        message,
        "cells.p_symmetric = 1.5: allowed 0 ≤ value ≤ 1 (per CSC division)"
    );
    let message = one_problem("[cells]\nrho_max = 21\n", &[]);
    assert_eq!(
        message,
        "cells.rho_max = 21: allowed integer 0 ≤ value ≤ 20 (divisions)"
    );
    let message = one_problem("[run]\ndt_h = 0\n", &[]);
    assert!(message.contains("0 < value ≤ 24 (h)"), "{message}");
    let message = one_problem("[run]\ndays = nan\n", &[]);
    assert!(
        message.starts_with("run.days = nan: allowed finite"),
        "{message}"
    );
}

#[test]
fn bad_enum_value_lists_the_allowed_values() {
    let message = one_problem("[init]\nkind = \"circle\"\n", &[]);
    assert_eq!(
        message,
        "init.kind = \"circle\": allowed one of \"single_csc\", \"single_progenitor\", \"disc\", \"file\", \"checkpoint\""
    );
}

#[test]
fn rate_times_dt_above_one_names_the_largest_allowed_value() {
    let message = one_problem("[run]\ndt_h = 2.0\n[cells]\nmigration_per_day = 15\n", &[]);
    assert!(
        message.starts_with("cells.migration_per_day = 15: allowed at most 12 "),
        "{message}"
    );
    assert!(message.contains("run.dt_h = 2"), "{message}");

    // Dedifferentiation includes the IL6 gain: 24 / (1 × (1 + 6)) = 3.4286.
    let message = one_problem("[cells]\ndedifferentiation_per_day = 4\n", &[]);
    assert!(
        message.starts_with("cells.dedifferentiation_per_day = 4: allowed at most 3.428"),
        "{message}"
    );

    // Division: dt must not exceed the cycle time.
    let message = one_problem(
        "[run]\ndt_h = 12\n[cells]\ncycle_time_h = 6\nmigration_per_day = 1\n[msc]\nmotility_per_day = 1\n\
         [dissemination]\narrest_per_h = 0.05\n",
        &[],
    );
    assert!(
        message.starts_with("cells.cycle_time_h = 6: allowed at least 12"),
        "{message}"
    );
}

#[test]
fn p_symmetric_above_its_cap_is_rejected() {
    let message = one_problem("[cells]\np_symmetric = 0.6\np_symmetric_max = 0.4\n", &[]);
    assert_eq!(
        message,
        "cells.p_symmetric = 0.6: allowed at most cells.p_symmetric_max = 0.4 (per CSC division)"
    );
}

#[test]
fn other_cross_key_rules() {
    let message = one_problem("[space]\ninitial_size = 4096\nmax_size = 1000\n", &[]);
    assert_eq!(
        message,
        "space.initial_size = 4096: allowed at most space.max_size = 1000 (sites)"
    );
    let message = one_problem(
        "[run]\ndays = 30\n[output]\nsnapshot_days = [10, 40]\n",
        &[],
    );
    assert!(
        message.starts_with("output.snapshot_days = [10.0, 40.0]"),
        "{message}"
    );
    assert!(message.contains("run.days = 30"), "{message}");
    let message = one_problem(
        "[space]\nmax_size = 100\n[init]\nkind = \"disc\"\nradius = 60\n",
        &[],
    );
    assert!(
        message.starts_with("init.radius = 60: allowed value < 49"),
        "{message}"
    );
}

#[test]
fn toml_syntax_error_reports_line_and_column() {
    let file = config_file("[run]\ndays = 30\n[cells]\np_symmetric = = 0.2\n");
    let err = load(Some(file.path()), &[]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    match &err {
        ConfigError::Parse {
            path_or_origin,
            message,
        } => {
            assert_eq!(path_or_origin, &file.path().display().to_string());
            assert!(message.contains("line 4"), "{message}");
            assert!(message.contains("column"), "{message}");
        }
        other => panic!("expected ConfigError::Parse, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.starts_with("invalid TOML in "), "{text}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.toml");
    let err = load(Some(&path), &[]).unwrap_err();
    match &err {
        ConfigError::Io { path: p, source } => {
            assert_eq!(p, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected ConfigError::Io, got {other:?}"),
    }
    assert!(err.to_string().contains("nope.toml"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn bad_set_unknown_key() {
    let found = problems("", &["cells.p_symetric=0.2"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, "cells.p_symetric");
    assert!(found[0].value.contains("(from --set)"), "{}", found[0]);
    assert!(
        found[0].allowed.contains("did you mean cells.p_symmetric?"),
        "{}",
        found[0]
    );
}

#[test]
fn bad_set_values() {
    // Out of range.
    let message = one_problem("", &["cells.p_symmetric=2"]);
    assert_eq!(
        message,
        "cells.p_symmetric = 2 (from --set): allowed 0 ≤ value ≤ 1 (per CSC division)"
    );
    // Not a number: an unparsable value is taken as a string.
    let message = one_problem("", &["cells.cycle_time_h=fast"]);
    assert!(
        message.starts_with("cells.cycle_time_h = \"fast\" (from --set): expected a number"),
        "{message}"
    );
    // No '='.
    let message = one_problem("", &["cells.p_symmetric"]);
    assert!(message.starts_with("--set = \"cells.p_symmetric\": expected key=value"));
    // Descending into a value.
    let message = one_problem("[cells]\np_symmetric = 0.2\n", &["cells.p_symmetric.x=1"]);
    assert!(message.contains("not a section"), "{message}");
    assert!(message.contains("(from --set)"), "{message}");
    // ... or turning a value into a section.
    let message = one_problem("", &["cells.p_symmetric.x=1"]);
    assert!(
        message.starts_with("cells.p_symmetric = { x = 1 } (from --set): expected a number"),
        "{message}"
    );
}

#[test]
fn three_separate_problems_are_reported_at_once() {
    let text = "\
[run]
days = -5
[cells]
p_symetric = 0.2
[init]
kind = \"ring\"
";
    let found = problems(text, &[]);
    let keys: Vec<&str> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        ["run.days", "init.kind", "cells.p_symetric"],
        "{found:#?}"
    );
}

#[test]
fn file_and_set_problems_are_reported_together() {
    let found = problems(
        "[cells]\nrho_max = 30\n",
        &["space.dims=4", "output.snapshot_days=[1, -1]"],
    );
    let keys: Vec<&str> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        ["space.dims", "cells.rho_max", "output.snapshot_days"],
        "{found:#?}"
    );
}

#[test]
fn rejected_keys_do_not_cause_follow_up_problems() {
    // p_symmetric_max is rejected (type); the cross-key rule against it is not reported
    // with the default in its place.
    let found = problems("[cells]\np_symmetric = 0.6\np_symmetric_max = \"x\"\n", &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].key, "cells.p_symmetric_max");
}

#[test]
fn set_happy_path_accepts_int_for_float_key() {
    let file = config_file("[cells]\np_symmetric = 0.2\n");
    let config = load(
        Some(file.path()),
        &sets(&[
            "cells.cycle_time_h=30",
            "run.days = 10",
            "init.kind=disc",
            "output.snapshot_days=[1, 5.5]",
            "output.snapshot_png=false",
            "run.seed=99",
        ]),
    )
    .expect("valid overrides");
    assert_eq!(config.cells.cycle_time_h, 30.0);
    assert_eq!(config.cells.p_symmetric, 0.2);
    assert_eq!(config.run.days, 10.0);
    assert_eq!(config.init.kind, InitKind::Disc);
    assert_eq!(config.output.snapshot_days, vec![1.0, 5.5]);
    assert!(!config.output.snapshot_png);
    assert_eq!(config.run.seed, Some(99));

    // Ints are accepted for float keys in files too.
    let file = config_file("[cells]\nmigration_per_day = 12\n");
    let config = load(Some(file.path()), &[]).unwrap();
    assert_eq!(config.cells.migration_per_day, 12.0);
}

#[test]
fn later_set_wins_and_applies_to_the_embedded_default() {
    let config = load(
        None,
        &sets(&["cells.p_symmetric=0.2", "cells.p_symmetric=0.25"]),
    )
    .unwrap();
    assert_eq!(config.cells.p_symmetric, 0.25);
    assert_eq!(config.run.seed, Some(20261122));
}

#[test]
fn resolved_config_reloads_to_the_same_config() {
    let config = load(None, &sets(&["run.dt_h=0.5", "init.kind=disc"])).unwrap();
    let file = config_file(&config.to_toml());
    let again: Config = load(Some(file.path()), &[]).unwrap();
    assert_eq!(again, config);
    assert!(Path::new(file.path()).exists());
}

#[test]
fn bad_organ_name_names_the_key_the_name_and_the_rule() {
    let message = one_problem("[organs.Lung]\narrival_weight = 0.5\n", &[]);
    assert!(message.starts_with("organs.Lung = {…}: "), "{message}");
    assert!(message.contains("name \"Lung\" not allowed"), "{message}");
    assert!(message.contains("[a-z][a-z0-9_]*"), "{message}");
    assert!(message.contains("at most 32 characters"), "{message}");
    assert!(message.contains("did you mean [organs.lung]?"), "{message}");

    let long = "x".repeat(33);
    let message = one_problem(&format!("[organs.{long}]\ntropism = 2\n"), &[]);
    assert!(
        message.starts_with(&format!("organs.{long} = ")),
        "{message}"
    );

    let found = problems("", &["organs.2nd.tropism=1"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].key, "organs.2nd");
    assert!(found[0].value.ends_with("(from --set)"), "{}", found[0]);
}

#[test]
fn unknown_key_in_an_organ_suggests_the_organ_key() {
    let message = one_problem("[organs.lung]\narival_weight = 0.5\n", &[]);
    assert_eq!(
        message,
        "organs.lung.arival_weight = 0.5: unknown key; did you mean organs.lung.arrival_weight?"
    );
    let message = one_problem("[organs.adrenal]\ntropsim = 2\n", &[]);
    assert!(
        message.contains("did you mean organs.adrenal.tropism?"),
        "{message}"
    );
    let message = one_problem("[organs.lung]\nblood_flow = 2\n", &[]);
    assert!(
        message.contains("keys in [organs.lung]: arrival_weight, hpc_homing_weight, tropism"),
        "{message}"
    );
    // A key of [dissemination] written into an organ.
    let message = one_problem("[organs.lung]\np_colonise = 0.1\n", &[]);
    assert!(
        message.contains("did you mean dissemination.p_colonise?"),
        "{message}"
    );
    // An organ key that is not a section.
    let message = one_problem("[organs]\nlung = 0.5\n", &[]);
    assert!(
        message.starts_with("organs.lung = 0.5: expected a section [organs.lung] with keys"),
        "{message}"
    );
}

#[test]
fn organ_values_are_range_checked() {
    let message = one_problem("[organs.bone]\ntropism = -1\n", &[]);
    assert_eq!(message, "organs.bone.tropism = -1: allowed value ≥ 0 (×)");
}

#[test]
fn set_organ_key_of_a_default_organ() {
    let config = load(None, &sets(&["organs.lung.arrival_weight=0.5"])).unwrap();
    assert_eq!(config.organs["lung"].arrival_weight, 0.5);
    assert_eq!(config.organs["lung"].hpc_homing_weight, 0.4);
    assert_eq!(config.organs["liver"].arrival_weight, 0.25);
    assert_eq!(config.organs.len(), 4);
}

#[test]
fn set_organ_key_of_a_new_organ_adds_it_with_defaults() {
    let config = load(None, &sets(&["organs.adrenal.arrival_weight=0.1"])).unwrap();
    assert_eq!(
        config.organs.keys().collect::<Vec<_>>(),
        ["adrenal", "bone", "brain", "liver", "lung"]
    );
    let adrenal = &config.organs["adrenal"];
    assert_eq!(adrenal.arrival_weight, 0.1);
    assert_eq!(adrenal.hpc_homing_weight, 0.0);
    assert_eq!(adrenal.tropism, 1.0);
    // The same from a file, merged into the default organs by name.
    let file = config_file("[organs.adrenal]\ntropism = 2\n[organs.brain]\ntropism = 0.5\n");
    let config = load(Some(file.path()), &[]).unwrap();
    assert_eq!(config.organs.len(), 5);
    assert_eq!(config.organs["adrenal"].tropism, 2.0);
    assert_eq!(config.organs["adrenal"].arrival_weight, 0.0);
    assert_eq!(config.organs["brain"].tropism, 0.5);
    assert_eq!(config.organs["brain"].arrival_weight, 0.1);
    // The resolved config lists the added organ and reloads to the same config.
    let again = load(Some(config_file(&config.to_toml()).path()), &[]).unwrap();
    assert_eq!(again, config);
}

#[test]
fn all_zero_arrival_weights_are_rejected() {
    let text = "\
[organs.lung]
arrival_weight = 0
[organs.liver]
arrival_weight = 0
[organs.bone]
arrival_weight = 0
[organs.brain]
arrival_weight = 0
";
    let message = one_problem(text, &[]);
    assert!(
        message.starts_with(
            "organs = arrival weights { bone = 0.0, brain = 0.0, liver = 0.0, lung = 0.0 }: \
             allowed organs.<name>.arrival_weight > 0"
        ),
        "{message}"
    );
    assert!(
        message.contains("dissemination.enabled = true"),
        "{message}"
    );
    // Fine without dissemination, or with one organ that receives cells.
    let file = config_file(&format!("{text}[dissemination]\nenabled = false\n"));
    assert!(load(Some(file.path()), &[]).is_ok());
    let file = config_file(text);
    assert!(
        load(
            Some(file.path()),
            &sets(&["organs.adrenal.arrival_weight=1"])
        )
        .is_ok()
    );
}

#[test]
fn all_zero_hpc_homing_weights_need_no_mobilisation() {
    let sets_zero = [
        "organs.lung.hpc_homing_weight=0",
        "organs.liver.hpc_homing_weight=0",
        "organs.bone.hpc_homing_weight=0",
        "organs.brain.hpc_homing_weight=0",
    ];
    let found = problems("", &sets_zero);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].key, "organs");
    assert!(
        found[0].allowed.contains("niche.mobilisation = 0"),
        "{}",
        found[0]
    );
    let mut with_none = sets_zero.to_vec();
    with_none.push("niche.mobilisation=0");
    with_none.push("niche.mobilisation_max=0");
    assert!(load(None, &sets(&with_none)).is_ok());
}

#[test]
fn dissemination_cross_key_rules() {
    let message = one_problem("[dissemination]\nmicrometastasis_cells = 20000\n", &[]);
    assert_eq!(
        message,
        "dissemination.micrometastasis_cells = 20000: allowed at most \
         dissemination.detect_cells = 10000 (cells): a detected colony is also a micrometastasis"
    );
    let message = one_problem("[dissemination]\narrest_per_h = 1.5\n", &[]);
    assert!(
        message.starts_with("dissemination.arrest_per_h = 1.5: allowed at most 1 (per CTC per h)"),
        "{message}"
    );
    // 24 / (5 × 1) = 4.8 at dt = 1 h.
    let message = one_problem("[dissemination]\nintravasation_per_day = 5\n", &[]);
    assert!(
        message.starts_with("dissemination.intravasation_per_day = 5: allowed at most 4.8 "),
        "{message}"
    );
    // 24 / (2 × (1 + 10)) = 1.0909 with the lung's tropism 2.
    let message = one_problem(
        "",
        &["dissemination.wake_per_day=2", "organs.lung.tropism=2"],
    );
    assert!(
        message.starts_with("dissemination.wake_per_day = 2 (from --set): allowed at most 1.0909"),
        "{message}"
    );
    assert!(message.contains("organs.lung.tropism = 2"), "{message}");
    let message = one_problem("[dissemination]\ncolony_max_size = 4\n", &[]);
    assert_eq!(
        message,
        "dissemination.colony_max_size = 4: allowed integer 8 ≤ value ≤ 65536 (sites)"
    );
}

#[test]
fn several_dissemination_and_organ_problems_are_reported_at_once() {
    let text = "\
[dissemination]
extravasation = 1.2
detect_cells = 0
[niche]
hill_n = 0
hpc_loss_per_day = 30
[organs.lung]
tropism = -2
arival_weight = 0.3
[organs.Liver]
tropism = 1
";
    let found = problems(text, &["organs.bone.hpc_homing_weight=x"]);
    let keys: Vec<&str> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "dissemination.extravasation",
            "dissemination.detect_cells",
            "niche.hpc_loss_per_day",
            "niche.hill_n",
            "organs.Liver",
            "organs.bone.hpc_homing_weight",
            "organs.lung.tropism",
            "organs.lung.arival_weight",
        ],
        "{found:#?}"
    );
    assert!(found[5].value.ends_with("(from --set)"), "{}", found[5]);
}
