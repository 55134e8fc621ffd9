//! Whole-run benchmark of the reference rule set R0 (MODEL.md section 2): grows the
//! tumour from one CSC and prints, for each target size, the step at which it was
//! reached, the wall time and the cell-updates per second (cells present, summed over
//! steps, divided by wall time — the yardstick's definition).
//!
//! `cargo bench --bench r0_growth -- [--threads N] [--dims 3] [--seed S] [TARGETS...]`

use seedsoil::config::Config;
use seedsoil::sim::Simulation;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut threads = 1usize;
    let mut dims = 2u8;
    let mut seed = 1u64;
    let mut take = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        let v = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
        v
    };
    if let Some(v) = take("--threads") {
        threads = v.parse().expect("--threads N");
    }
    if let Some(v) = take("--dims") {
        dims = v.parse().expect("--dims 2|3");
    }
    if let Some(v) = take("--seed") {
        seed = v.parse().expect("--seed S");
    }
    let mut targets: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
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
    config.run.stop_at_cells = 0;
    config.run.days = 1e5;
    if dims == 3 {
        config.space.dims = 3;
        config.space.max_size = 400;
        config.space.initial_size = 32;
    }
    let t0 = Instant::now();
    let mut sim = Simulation::new(&config).expect("simulation");
    let mut updates = 0u64;
    let mut next = 0usize;
    println!("R0 {dims}D, seed {seed}, {threads} thread(s)");
    while next < targets.len() && sim.primary.total() > 0 {
        updates += sim.primary.total();
        sim.step();
        while next < targets.len() && sim.primary.total() >= targets[next] {
            let el = t0.elapsed().as_secs_f64();
            println!(
                "reached {} at step {} in {:.3} s ({:.1} M cell-updates/s, {} turns, {:.1} ns per turn, window {} sites)",
                targets[next],
                sim.step_count(),
                el,
                updates as f64 / el / 1e6,
                sim.primary.events().turns,
                el * 1e9 / sim.primary.events().turns as f64,
                sim.primary.lattice.len()
            );
            next += 1;
        }
    }
}
