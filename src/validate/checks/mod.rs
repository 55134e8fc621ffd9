//! The checks of the suite, one file per source, and the readings they share.
//!
//! | file | checks |
//! |---|---|
//! | [`enderling2009`] | `enderling2009.dormancy`, `.migration`, `.alpha_paradox` |
//! | [`morton2011`] | `morton2011.rho_max` |
//! | [`liu2011`] | `liu2011.msc_gain`, `.msc_growth`, `.il6_block`, `.cxcr2_block` |
//! | [`gupta2011`] | `gupta2011.regain`, `gupta2011.equilibrium`, `iliopoulos2011.il6` |
//! | [`kaplan2005`] | `kaplan2005.niche_first`, `.hpc_plateau`, `.brain_spared`, `.anti_vegfr1` |
//! | [`li2008`] | `li2008.enrichment`, `.persists`, `.cxcr2_offset` |
//! | [`baseline`] | `baseline.csc_fraction`, `.csc_fraction_no_msc`, `.csc_driven`, `.msc_share`, `.metastatic_burden`, `luzzi1998.cascade` |
//! | [`therapy`] | `therapy.perforation`, `.regrowth`, `.surgery` |

pub mod baseline;
pub mod enderling2009;
pub mod gupta2011;
pub mod kaplan2005;
pub mod li2008;
pub mod liu2011;
pub mod morton2011;
pub mod therapy;

use super::check::Check;
use super::tables::RunTables;

/// Every check, in the order of the report.
pub fn suite() -> Vec<Check> {
    let mut all = Vec::new();
    all.extend(enderling2009::checks());
    all.extend(morton2011::checks());
    all.extend(liu2011::checks());
    all.extend(gupta2011::checks());
    all.extend(kaplan2005::checks());
    all.extend(li2008::checks());
    all.extend(baseline::checks());
    all.extend(therapy::checks());
    all
}

/// Primary cells on `day`.
pub fn primary_cells(t: &RunTables, day: f64) -> Result<f64, String> {
    t.at_day("primary", "total", day)
}

/// Primary CSCs on `day`.
pub fn primary_cscs(t: &RunTables, day: f64) -> Result<f64, String> {
    t.at_day("primary", "csc", day)
}

/// The primary's CSC fraction on `day` (NaN for an extinct tumour).
pub fn csc_fraction(t: &RunTables, day: f64) -> Result<f64, String> {
    let total = primary_cells(t, day)?;
    Ok(if total > 0.0 {
        primary_cscs(t, day)? / total
    } else {
        f64::NAN
    })
}

/// Cells in all metastatic colonies on `day` (the organs' `total`).
pub fn metastatic_cells(t: &RunTables, day: f64) -> Result<f64, String> {
    t.organs().iter().map(|o| t.at_day(o, "total", day)).sum()
}

#[cfg(test)]
mod tests {
    //! The checks' statistics on synthetic run tables with known answers: an arm with
    //! the effect passes, an arm without it fails.
    use super::*;
    use crate::config::Config;
    use crate::validate::check::Runs;

    /// A run whose primary holds `total` cells with CSC fraction `fraction` every day up to
    /// `days`, and the given summary columns.
    fn run(fraction: f64, total: f64, days: usize, summary: &[(&str, f64)]) -> RunTables {
        let mut ts = String::from("step,time_h,compartment,csc,total\n");
        for d in 0..=days {
            ts.push_str(&format!(
                "{},{},primary,{},{}\n",
                d * 24,
                d * 24,
                (fraction * total).round(),
                total
            ));
        }
        let head: Vec<&str> = summary.iter().map(|(k, _)| *k).collect();
        let row: Vec<String> = summary.iter().map(|(_, v)| v.to_string()).collect();
        let su = format!("{}\n{}\n", head.join(","), row.join(","));
        let ev = "step,time_h,event,compartment,cell_kind,colony_id,value\n".to_string();
        RunTables::parse(Config::default(), &[ts, ev, su]).unwrap()
    }

    fn arms<'a>(arms: &[(&str, &'a [RunTables])]) -> Runs<'a> {
        Runs::new(
            arms.iter()
                .map(|(l, t)| (l.to_string(), t.iter().collect()))
                .collect(),
        )
    }

    fn verdict(check: &str, runs: &Runs) -> bool {
        let c = suite().into_iter().find(|c| c.name == check).unwrap();
        (c.evaluate)(runs).unwrap().iter().all(|k| k.passes())
    }

    /// Six seeds of an arm with CSC fractions around `f` (±2 %).
    fn seeds(f: f64, days: usize) -> Vec<RunTables> {
        (0..6)
            .map(|i| run(f * (0.98 + 0.008 * i as f64), 1e5, days, &[]))
            .collect()
    }

    #[test]
    fn li2008_enrichment_passes_at_3x_and_fails_without_effect() {
        let control = seeds(0.05, 113);
        let chemo = seeds(0.15, 113);
        assert!(verdict(
            "li2008.enrichment",
            &arms(&[("control", &control), ("chemo", &chemo)])
        ));
        assert!(!verdict(
            "li2008.enrichment",
            &arms(&[("control", &control), ("chemo", &control)])
        ));
        // 3x at the end and 3x a week later: persists; 1.2x a week later does not.
        assert!(verdict(
            "li2008.persists",
            &arms(&[("control", &control), ("chemo", &chemo)])
        ));
        let faded = seeds(0.06, 113);
        assert!(!verdict(
            "li2008.persists",
            &arms(&[("control", &control), ("chemo", &faded)])
        ));
    }

    #[test]
    fn liu2011_blockade_must_remove_half_the_gain() {
        let none = seeds(0.10, 30);
        let msc = seeds(0.20, 30);
        let removed = seeds(0.12, 30);
        let kept = seeds(0.18, 30);
        let check = |blocked: &[RunTables]| {
            verdict(
                "liu2011.il6_block",
                &arms(&[("no_msc", &none), ("msc", &msc), ("msc_anti_il6", blocked)]),
            )
        };
        assert!(check(&removed));
        assert!(!check(&kept));
        // The 2x gain is inside the 2-4x band; 1.5x is not.
        assert!(verdict(
            "liu2011.msc_gain",
            &arms(&[("no_msc", &none), ("msc", &msc)])
        ));
        let small = seeds(0.15, 30);
        assert!(!verdict(
            "liu2011.msc_gain",
            &arms(&[("no_msc", &none), ("msc", &small)])
        ));
    }

    #[test]
    fn the_cascade_fractions_are_pooled_over_seeds() {
        // 80 % extravasate, 2 % micrometastases, 0.05 % detected, 1 of 100 colonies
        // detected: every band is met.
        let s = |k: f64| {
            run(
                0.05,
                1e5,
                120,
                &[
                    ("arrested", 10_000.0 * k),
                    ("extravasated", 8_000.0 * k),
                    ("micrometastases", 200.0 * k),
                    ("detected_metastases", 5.0 * k),
                    ("csc_colonies", 100.0 * k),
                    ("non_stem_colonies", 400.0 * k),
                ],
            )
        };
        let good: Vec<RunTables> = [1.0, 1.5, 2.0, 0.7].iter().map(|&k| s(k)).collect();
        let c = suite()
            .into_iter()
            .find(|c| c.name == "luzzi1998.cascade")
            .unwrap();
        let runs = arms(&[("default", &good)]);
        let criteria = (c.evaluate)(&runs).unwrap();
        let values: Vec<f64> = criteria.iter().map(|k| k.estimate.value).collect();
        let expect = [0.8, 0.02, 0.0005, 495.0 / 500.0];
        for (v, e) in values.iter().zip(expect) {
            assert!((v - e).abs() < 1e-12, "{values:?}");
        }
        assert!(criteria.iter().all(|k| k.passes()));
        // Proportional seeds: the pooled ratios have no spread between seeds.
        assert!(criteria[0].estimate.se < 1e-12);
    }
}
