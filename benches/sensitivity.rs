//! Benchmark of `seedsoil sensitivity`'s estimators on sweep folders of about 10⁵ runs:
//! a Morris design (7,692 trajectories × 13 runs = 99,996), a Sobol' design (7,143 base
//! samples × 14 runs = 100,002) and a Latin hypercube (100,000 points), each over 12 axes,
//! with 1,000 bootstrap resamples (the command's default).
//!
//! Each folder holds what a finished sweep holds for the analysis: the resolved
//! `sweep.toml` and a `summary.csv` whose output `y` is Sobol's G function of the run's
//! point (`a` from 0 to 99: a few parameters matter, most do not), so no simulation runs.
//! The analysis is the library's `sensitivity::analysis::analyse`, which the command calls:
//! reading the folder, the design's indices (μ*, μ, σ or S1, ST) and PRCC, all with their
//! intervals. Prints the median, min and max wall time over the repetitions.
//!
//! `cargo bench --bench sensitivity -- [--reps 3] [--resamples 1000] [--only morris]`

mod common;

use seedsoil::sensitivity::analysis::{Options, Replicates, analyse};
use seedsoil::sensitivity::test_functions::GFunction;
use seedsoil::sweep::spec::SweepSpec;
use seedsoil::sweep::{Sweep, value_text};
use std::path::Path;
use std::time::Instant;

/// Twelve real-valued keys whose range includes [0.1, 0.9].
const KEYS: [&str; 12] = [
    "cells.p_symmetric",
    "cells.p_symmetric_max",
    "cells.death_at_division",
    "cells.migration_per_day",
    "cells.dedifferentiation_per_day",
    "cells.background_death_per_day",
    "cells.stemness_loss_per_day",
    "dissemination.intravasation_per_day",
    "dissemination.shed_per_cell_per_day",
    "dissemination.extravasation",
    "dissemination.p_colonise",
    "dissemination.p_non_stem_clone",
];

/// The designs: name and the head of the sweep file.
const DESIGNS: [(&str, &str); 3] = [
    ("morris", "design = \"morris\"\ntrajectories = 7692\n"),
    ("sobol", "design = \"sobol\"\nsamples = 7143\n"),
    ("lhs", "design = \"lhs\"\nsamples = 100000\n"),
];

/// Writes the folder of the sweep file `head` (+ the axes) and returns its run count.
fn write_folder(dir: &Path, head: &str) -> u64 {
    let mut text = head.to_string();
    for key in KEYS {
        text.push_str(&format!(
            "[[axis]]\nparam = \"{key}\"\nrange = [0.1, 0.9]\n"
        ));
    }
    let spec = SweepSpec::from_text(&text, Path::new("sweep.toml"), None).expect("sweep file");
    let sweep = Sweep::new(spec, 3);
    std::fs::create_dir_all(dir).expect("folder");
    std::fs::write(dir.join("sweep.toml"), sweep.spec.resolved_toml(3)).expect("write");
    std::fs::write(dir.join("base.toml"), sweep.spec.base_toml()).expect("write");
    let g = GFunction {
        a: vec![
            0.0, 0.5, 1.0, 2.0, 4.5, 9.0, 20.0, 50.0, 99.0, 99.0, 99.0, 99.0,
        ],
    };
    let mut csv = format!(
        "run_id,point,replicate,seed,{},stop_reason,y\n",
        sweep.params().join(",")
    );
    for p in 0..sweep.points.len() {
        let values = sweep.points.get(p);
        let u: Vec<f64> = values
            .iter()
            .map(|v| (v.as_float().expect("a number") - 0.1) / 0.8)
            .collect();
        let shown: Vec<String> = values.iter().map(value_text).collect();
        csv.push_str(&format!(
            "{p},{p},0,1,{},days,{}\n",
            shown.join(","),
            g.value(&u)
        ));
    }
    std::fs::write(dir.join("summary.csv"), csv).expect("write");
    sweep.points.len()
}

fn main() {
    let mut args = common::BenchArgs::from_env();
    let reps: usize = args
        .take("--reps")
        .map_or(3, |v| v.parse().expect("--reps N"));
    let resamples: usize = args
        .take("--resamples")
        .map_or(1000, |v| v.parse().expect("--resamples B"));
    let only = args.take("--only");
    let tmp = tempfile::tempdir().expect("temporary folder");
    println!(
        "sensitivity estimators, 12 axes, {resamples} bootstrap resamples, {} threads, {reps} reps",
        rayon::current_num_threads()
    );
    for (name, head) in DESIGNS {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let dir = tmp.path().join(name);
        let runs = write_folder(&dir, head);
        let options = Options {
            outputs: vec!["y".into()],
            resamples,
            replicates: Replicates::Mean,
        };
        let mut secs: Vec<f64> = (0..reps)
            .map(|_| {
                let t = Instant::now();
                let report = analyse(&dir, &options).expect("analysis");
                assert!(!report.rows.is_empty());
                t.elapsed().as_secs_f64()
            })
            .collect();
        secs.sort_by(f64::total_cmp);
        println!(
            "{name:>7}: {runs} runs, median {:.2} s (min {:.2}, max {:.2})",
            secs[secs.len() / 2],
            secs[0],
            secs[secs.len() - 1]
        );
    }
}
