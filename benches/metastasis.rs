//! Benchmarks of the metastatic compartments (docs/model.md §7.12–7.15):
//!
//! 1. `configs/metastasis.toml` (hundreds of colonies) run in-process with 1 and 2
//!    threads: wall time, colonies, and the speed-up from stepping colonies in parallel;
//! 2. the cost per step of dormant cells and empty organs: dissemination, niche and colony
//!    steps (items 6–8) with no cells outside the primary, and with 10⁶ dormant CSCs in
//!    each organ (waking at 10⁻¹² per day: the binomial draw is made every step, but almost
//!    no cell wakes, so only the dormant pool is stepped);
//! 3. R0 to 2 × 10⁵ cells with dissemination off, and on but below the angiogenic switch
//!    (organs empty, niches still built): the whole-run cost of empty organs.
//!
//! `cargo bench --bench metastasis -- [--reps N]`

mod common;

use std::time::Instant;

use seedsoil::config::{Config, load};
use seedsoil::sim::Simulation;

fn config(path: &str, sets: &[String]) -> Config {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    load(Some(&path), sets).expect("the config loads")
}

/// Wall time of a whole run (construction included), in seconds.
fn timed_run(c: &Config) -> (f64, Simulation) {
    let t0 = Instant::now();
    let mut sim = Simulation::new(c).expect("simulation");
    sim.run(&mut ());
    (t0.elapsed().as_secs_f64(), sim)
}

fn median(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    x[x.len() / 2]
}

fn main() {
    let mut args = common::BenchArgs::from_env();
    let reps: usize = args
        .take("--reps")
        .map_or(3, |v| v.parse().expect("--reps N"));

    println!("1. configs/metastasis.toml (60 days), median of {reps}:");
    let mut times = [0.0; 2];
    for (i, threads) in [1usize, 2].into_iter().enumerate() {
        let c = config(
            "configs/metastasis.toml",
            &[format!("run.threads={threads}")],
        );
        let mut t = Vec::new();
        let mut last = None;
        for _ in 0..reps {
            let (s, sim) = timed_run(&c);
            t.push(s);
            last = Some(sim);
        }
        times[i] = median(t);
        let sim = last.unwrap();
        let m = sim.metastasis.as_ref().unwrap();
        let cas = m.cascade();
        println!(
            "  {threads} thread(s): {:.2} s; primary {} cells, {} living colonies holding {} cells ({} founded), {} dormant",
            times[i],
            sim.primary.total(),
            m.colonies().len(),
            m.organs.iter().map(|o| o.metastatic_cells()).sum::<u64>(),
            cas.csc_colonies + cas.non_stem_colonies,
            m.organs.iter().map(|o| o.dormant).sum::<u64>()
        );
    }
    println!("  speed-up with 2 threads: {:.2}x", times[0] / times[1]);

    println!("2. dissemination + niche steps, ns per step (median of {reps} x 100,000 steps):");
    for dormant in [0u64, 1_000_000] {
        let mut c = Config::default();
        c.run.seed = Some(1);
        c.run.threads = 1;
        c.fields.enabled = false;
        c.msc.pool = 0;
        c.dissemination.wake_per_day = 1e-12;
        let mut sim = Simulation::new(&c).unwrap();
        let met = sim.metastasis.as_mut().unwrap();
        for o in &mut met.organs {
            o.dormant = dormant;
        }
        let steps = 100_000u64;
        let mut t = Vec::new();
        for r in 0..reps as u64 {
            let t0 = Instant::now();
            for step in r * steps..(r + 1) * steps {
                met.disseminate(&mut sim.primary, step);
                met.update_niches(sim.primary.total(), step);
                met.step_colonies(step, false);
            }
            t.push(t0.elapsed().as_secs_f64() * 1e9 / steps as f64);
        }
        println!(
            "  {dormant} dormant CSCs per organ: {:.1} ns per step",
            median(t)
        );
    }

    println!("3. R0 to 200,000 cells, whole run in-process (median of {reps}):");
    for (label, sets) in [
        (
            "dissemination off",
            vec!["dissemination.enabled=false".to_string()],
        ),
        (
            "on, below the switch",
            vec![
                "dissemination.enabled=true".to_string(),
                "dissemination.min_primary_cells=100000000".to_string(),
            ],
        ),
    ] {
        let mut sets = sets;
        sets.extend([
            "run.stop_at_cells=200000".to_string(),
            "run.threads=1".to_string(),
        ]);
        let c = config("configs/reference-r0.toml", &sets);
        let t: Vec<f64> = (0..reps).map(|_| timed_run(&c).0).collect();
        println!("  {label}: {:.3} s", median(t));
    }
}
