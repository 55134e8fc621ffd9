//! Whole-run benchmark of the reference rule set R0 (docs/model.md §7.9): grows the
//! tumour from one CSC and prints, for each target size, the step at which it was
//! reached, the wall time and the cell-updates per second (cells present, summed over
//! steps, divided by wall time — the yardstick's definition), and the engine's cost per
//! turn (a turn is one listed cell's update).
//!
//! `cargo bench --bench r0_growth -- [--threads N] [--dims 3] [--seed S] [TARGETS...]`

mod common;

use seedsoil::config::Config;
use seedsoil::sim::{Observer, Simulation};
use std::time::Instant;

struct Milestones {
    t0: Instant,
    targets: Vec<u64>,
    next: usize,
    updates: u64,
}

impl Observer for Milestones {
    fn observe(&mut self, sim: &Simulation, _last: bool) {
        let total = sim.primary.total();
        while self.next < self.targets.len() && total >= self.targets[self.next] {
            let el = self.t0.elapsed().as_secs_f64();
            let turns = sim.primary.events().turns;
            println!(
                "reached {} at step {} in {:.3} s ({:.1} M cell-updates/s, {} turns, {:.1} ns per turn, window {} sites)",
                self.targets[self.next],
                sim.step_count(),
                el,
                self.updates as f64 / el / 1e6,
                turns,
                el * 1e9 / turns as f64,
                sim.primary.lattice.len()
            );
            self.next += 1;
        }
        self.updates += total;
    }
}

fn main() {
    let mut args = common::BenchArgs::from_env();
    let mut take = |name: &str| args.take(name);
    let threads: usize = take("--threads").map_or(1, |v| v.parse().expect("--threads N"));
    let dims: u8 = take("--dims").map_or(2, |v| v.parse().expect("--dims 2|3"));
    let seed: u64 = take("--seed").map_or(1, |v| v.parse().expect("--seed S"));
    let mut targets: Vec<u64> = args.rest().iter().filter_map(|a| a.parse().ok()).collect();
    if targets.is_empty() {
        targets = if dims == 2 {
            vec![100_000, 250_000, 500_000]
        } else {
            vec![1_000_000]
        };
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/configs/reference-r0.toml"
    ))
    .expect("configs/reference-r0.toml");
    let mut config: Config = toml::from_str(&text).expect("reference config parses");
    config.run.threads = threads;
    config.run.seed = Some(seed);
    config.run.stop_at_cells = *targets.iter().max().expect("a target");
    config.run.days = 1e5;
    if dims == 3 {
        config.space.dims = 3;
        config.space.max_size = 400;
        config.space.initial_size = 32;
    }
    println!("R0 {dims}D, seed {seed}, {threads} thread(s)");
    let t0 = Instant::now();
    let mut sim = Simulation::new(&config).expect("simulation");
    let mut m = Milestones {
        t0,
        targets,
        next: 0,
        updates: 0,
    };
    sim.run(&mut m);
}
