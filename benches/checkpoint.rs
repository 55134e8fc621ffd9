//! Cost of checkpoints: file size, and time to save, read (checksum and config) and
//! restore (simulation and recorder), for the default config grown to day 60 and for
//! `configs/metastasis.toml` at day 30 (hundreds of colonies, each with its own lattice).
//!
//! `cargo bench --bench checkpoint -- [--reps N]`

mod common;

use std::time::Instant;

use seedsoil::checkpoint::{self, Checkpoint};
use seedsoil::config::load;
use seedsoil::output::Recorder;
use seedsoil::sim::Simulation;
use seedsoil::units::step_of_day;

fn median(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    x[x.len() / 2]
}

fn main() {
    let mut args = common::BenchArgs::from_env();
    let reps: usize = args
        .take("--reps")
        .map_or(5, |v| v.parse().expect("--reps N"));
    for (name, path, day) in [
        ("default config", None, 60u64),
        (
            "configs/metastasis.toml",
            Some("configs/metastasis.toml"),
            30,
        ),
    ] {
        let path = path.map(|p| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p));
        let cfg = load(path.as_deref(), &[]).expect("the config loads");
        let step = step_of_day(day as f64, cfg.run.dt_h);
        let t0 = Instant::now();
        let mut sim = Simulation::new(&cfg).expect("simulation");
        let mut rec = Recorder::new(&sim, None);
        sim.run_until(&mut rec, step);
        let grow = t0.elapsed().as_secs_f64();
        let (mut save, mut read, mut restore) = (Vec::new(), Vec::new(), Vec::new());
        let mut bytes = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            bytes = checkpoint::save(&sim, &rec);
            save.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let ck = Checkpoint::read(&bytes).expect("reads");
            read.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let s = ck.restore(&ck.config).expect("restores");
            let r = ck.restore_recorder(&s, None).expect("recorder");
            restore.push(t.elapsed().as_secs_f64());
            std::hint::black_box((s, r));
        }
        let colonies = sim.metastasis.as_ref().map_or(0, |m| m.colonies().len());
        println!(
            "{name}, day {day}: {} cells in the primary, lattice {} sites, {colonies} colonies (grown in {grow:.2} s)",
            sim.primary.total(),
            sim.primary.lattice.len(),
        );
        println!(
            "  checkpoint {:.2} MB; median of {reps}: save {:.1} ms, read {:.1} ms, restore {:.1} ms",
            bytes.len() as f64 / 1e6,
            median(save) * 1e3,
            median(read) * 1e3,
            median(restore) * 1e3,
        );
    }
}
