//! Liu 2011 (MODEL.md section 9, outcome 3): MSCs homing to the tumour raise the CSC
//! fraction and speed growth; blocking IL6 or CXCL7/CXCR2 removes the gain.
//!
//! The shipped scenario `configs/liu2011-msc.toml` (a disc of ~2,800 cells, 1,000 MSCs
//! injected into the bone marrow on day 0, 30 days) in its four arms, 8 seeds each (1–8,
//! the same in every arm). Tolerances, with SE the standard error of a difference of arm
//! means:
//! - with MSCs the CSC fraction and the tumour size on day 30 exceed the no-MSC arm by more
//!   than 3.5 SE, and the CSC fraction by a factor 2–4 (the calibration target of MODEL.md
//!   section 3);
//! - each blockade (90 %) leaves less than half of the MSC arm's gain in CSC fraction, by
//!   more than 3.5 SE;
//! - the MSCs are there: present in the MSC arms, absent without, ALDH+ ones among them,
//!   and a minority of the tumour's cells (under 10 %).

use rayon::prelude::*;
use seedsoil::config::{self, Config};
use seedsoil::sim::Simulation;

const SEEDS: u64 = 8;

#[derive(Debug, Clone, Copy)]
struct Outcome {
    csc_fraction: f64,
    total: f64,
    mscs: u64,
    aldh_pos: u64,
}

fn arm(set: &[&str]) -> Vec<Outcome> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/liu2011-msc.toml");
    let sets: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let base: Config = config::load(Some(std::path::Path::new(path)), &sets).expect("valid config");
    (1..=SEEDS)
        .into_par_iter()
        .map(|seed| {
            let mut c = base.clone();
            c.run.seed = Some(seed);
            c.run.threads = 1;
            let mut sim = Simulation::new(&c).expect("simulation");
            sim.run(&mut ());
            let [csc, prog, diff] = sim.primary.counts();
            let total = (csc + prog + diff) as f64;
            let [pos, neg] = sim.mscs.counts();
            Outcome {
                csc_fraction: csc as f64 / total,
                total,
                mscs: pos + neg,
                aldh_pos: pos,
            }
        })
        .collect()
}

fn mean_se(x: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = x.collect();
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

fn fraction(o: &[Outcome]) -> (f64, f64) {
    mean_se(o.iter().map(|o| o.csc_fraction))
}

fn size(o: &[Outcome]) -> (f64, f64) {
    mean_se(o.iter().map(|o| o.total))
}

#[test]
fn mscs_raise_the_csc_fraction_and_blocking_il6_or_cxcr2_removes_the_gain() {
    let none = arm(&["msc.inject_count=0"]);
    let msc = arm(&[]);
    let anti_il6 = arm(&["signalling.il6_blockade=0.9"]);
    let cxcr2i = arm(&["signalling.cxcr2_blockade=0.9"]);

    let (f0, e0) = fraction(&none);
    let (f1, e1) = fraction(&msc);
    let (fi, ei) = fraction(&anti_il6);
    let (fc, ec) = fraction(&cxcr2i);
    let (n0, s0) = size(&none);
    let (n1, s1) = size(&msc);
    println!(
        "CSC fraction day 30: no MSC {f0:.4} ± {e0:.4}, MSC {f1:.4} ± {e1:.4}, MSC + anti-IL6 {fi:.4} ± {ei:.4}, MSC + CXCR2i {fc:.4} ± {ec:.4}"
    );
    println!("tumour cells day 30: no MSC {n0:.0} ± {s0:.0}, MSC {n1:.0} ± {s1:.0}");

    let se = |a: f64, b: f64| (a * a + b * b).sqrt();
    assert!(f1 - f0 > 3.5 * se(e0, e1), "MSCs raise the CSC fraction");
    let ratio = f1 / f0;
    assert!(
        (2.0..=4.0).contains(&ratio),
        "calibration target 2-4x: {ratio:.2}"
    );
    assert!(
        n1 - n0 > 3.5 * se(s0, s1),
        "MSCs speed growth: {n0} vs {n1}"
    );

    let gain = f1 - f0;
    for (name, f, e) in [("anti-IL6", fi, ei), ("CXCR2 inhibitor", fc, ec)] {
        let left = f - f0;
        assert!(
            0.5 * gain - left > 3.5 * se(e, se(e0, e1)),
            "{name} leaves {left:.4} of the gain {gain:.4}"
        );
    }

    assert!(
        none.iter().all(|o| o.mscs == 0),
        "no MSCs without injection"
    );
    for o in &msc {
        assert!(o.mscs > 0 && o.aldh_pos > 0, "{o:?}");
        assert!((o.mscs as f64) < 0.1 * o.total, "MSCs a minority: {o:?}");
    }
}
