//! MODEL.md section 9, outcome 5 (Kaplan 2005): VEGFR1+ HPCs make pre-metastatic niches
//! before tumour cells arrive; anti-VEGFR1 prevents them and lowers metastasis.
//!
//! `configs/kaplan2005-niche.toml`, 8 seeds per arm. The two arms with the same seed share
//! the primary tumour and its shedding draw for draw, so the arm difference is paired.

use std::path::PathBuf;

use seedsoil::config::load;
use seedsoil::sim::Simulation;

/// Per run: (first niche step per organ, first arrival step per organ, CSC colonies).
struct Outcome {
    niche: Vec<Option<u64>>,
    arrival: Vec<Option<u64>>,
    names: Vec<String>,
    csc_colonies: u64,
    micrometastases: u64,
}

fn run(seed: u64, blockade: f64) -> Outcome {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/kaplan2005-niche.toml");
    let sets = [
        format!("run.seed={seed}"),
        "run.threads=1".to_string(),
        format!("niche.vegfr1_blockade={blockade}"),
    ];
    let c = load(Some(&path), &sets).expect("the Kaplan config loads");
    let mut sim = Simulation::new(&c).unwrap();
    sim.run(&mut ());
    let m = sim.metastasis.as_ref().expect("dissemination is on");
    Outcome {
        niche: m.organs.iter().map(|o| o.niche_formed_step).collect(),
        arrival: m.organs.iter().map(|o| o.first_arrival_step).collect(),
        names: m.organs.iter().map(|o| o.name.clone()).collect(),
        csc_colonies: m.cascade().csc_colonies,
        micrometastases: m.cascade().micrometastases,
    }
}

fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn niches_form_before_tumour_cells_arrive_and_anti_vegfr1_lowers_metastases() {
    let seeds: Vec<u64> = (1..=8).collect();
    // Arms run two at a time (each simulation on one thread).
    let results: Vec<(Outcome, Outcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .iter()
            .map(|&seed| s.spawn(move || (run(seed, 0.0), run(seed, 0.95))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut lung_niche_days = Vec::new();
    let mut diffs = Vec::new();
    for (seed, (control, treated)) in seeds.iter().zip(&results) {
        let day = |s: Option<u64>| s.map_or(f64::NAN, |s| s as f64 / 24.0);
        for i in 0..control.names.len() {
            eprintln!(
                "seed {seed} {}: control niche day {:.1}, first arrival day {:.1}; anti-VEGFR1 niche day {:.1}",
                control.names[i],
                day(control.niche[i]),
                day(control.arrival[i]),
                day(treated.niche[i])
            );
            // Kaplan's order of events: in every organ that tumour cells reach, the niche
            // has formed before the first of them arrives.
            if let Some(arrival) = control.arrival[i] {
                let niche = control.niche[i].expect("a niche forms where cells arrive");
                assert!(
                    niche < arrival,
                    "seed {seed} {}: niche at step {niche}, first arrival at step {arrival}",
                    control.names[i]
                );
            }
            // Anti-VEGFR1 delays every niche (or prevents it within the run).
            if let (Some(t), Some(c)) = (treated.niche[i], control.niche[i]) {
                assert!(t > c, "seed {seed} {}", control.names[i]);
            }
        }
        let lung = control.names.iter().position(|n| n == "lung").unwrap();
        lung_niche_days.push(control.niche[lung].unwrap() as f64 / 24.0);
        eprintln!(
            "seed {seed}: CSC colonies {} control vs {} anti-VEGFR1; micrometastases {} vs {}",
            control.csc_colonies,
            treated.csc_colonies,
            control.micrometastases,
            treated.micrometastases
        );
        diffs.push(control.csc_colonies as f64 - treated.csc_colonies as f64);
    }
    // The lung niche forms about 10 days after implantation (MODEL.md section 6: 5–14).
    let (lung_mean, _) = mean_se(&lung_niche_days);
    eprintln!("lung niche on day {lung_mean:.1} on average ({lung_niche_days:?})");
    assert!(lung_niche_days.iter().all(|d| (5.0..=14.0).contains(d)));
    // Fewer lasting (CSC-founded) colonies under anti-VEGFR1: the paired difference is
    // positive by more than 3.5 standard errors.
    let (d, se) = mean_se(&diffs);
    eprintln!("paired difference in CSC colonies: {d:.2} ± {se:.2}");
    assert!(d > 3.5 * se, "difference {d} ± {se}");
}
