//! MODEL.md section 9, outcome 7 (Luzzi 1998, metastatic inefficiency): of the cells that
//! arrest in an organ about 80 % extravasate, 2.5 % start micrometastases and 0.02 % grow
//! to macrometastases. With the default config (the embedded baseline: one CSC grown for
//! 90 days with the whole model), the pooled fractions over 3 seeds must land within an
//! order of magnitude of each (MODEL.md section 5), and extravasation must match its
//! configured probability within 3.5 standard errors.

use seedsoil::config::load;
use seedsoil::metastasis::Cascade;
use seedsoil::sim::Simulation;

fn run(seed: u64) -> Cascade {
    let sets = [format!("run.seed={seed}"), "run.threads=1".to_string()];
    let c = load(None, &sets).expect("the default config loads");
    let mut sim = Simulation::new(&c).unwrap();
    sim.run(&mut ());
    sim.metastasis.as_ref().unwrap().cascade()
}

#[test]
fn most_arrested_cells_never_make_metastases() {
    let seeds = [1u64, 2, 3];
    let cascades: Vec<Cascade> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .iter()
            .map(|&seed| s.spawn(move || run(seed)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let sum = |f: fn(&Cascade) -> u64| cascades.iter().map(f).sum::<u64>() as f64;
    let arrested = sum(|c| c.arrested);
    let extravasated = sum(|c| c.extravasated);
    let micro = sum(|c| c.micrometastases);
    let macro_ = sum(|c| c.detected);
    for (seed, c) in seeds.iter().zip(&cascades) {
        eprintln!("seed {seed}: {c:?}");
    }
    let (fe, fm, fd) = (extravasated / arrested, micro / arrested, macro_ / arrested);
    eprintln!(
        "of {arrested} arrested cells: {:.1} % extravasated, {:.2} % micrometastases, {:.3} % detected",
        100.0 * fe,
        100.0 * fm,
        100.0 * fd
    );
    assert!(
        arrested > 5000.0,
        "too few arrested cells for the comparison"
    );
    // Extravasation is the configured Bernoulli(0.8).
    let z = (extravasated - 0.8 * arrested) / (arrested * 0.8 * 0.2).sqrt();
    assert!(z.abs() < 3.5, "extravasation z = {z}");
    // Within an order of magnitude of Luzzi 1998 (a factor of 10 either way).
    for (name, got, target) in [
        ("extravasated", fe, 0.8),
        ("micrometastases", fm, 0.025),
        ("detected", fd, 0.0002),
    ] {
        assert!(
            got >= target / 10.0 && got <= target * 10.0,
            "{name}: {got} not within 10× of {target}"
        );
    }
    // Most disseminated cells never make a lasting colony.
    assert!(sum(|c| c.csc_colonies) < 0.1 * extravasated);
}
