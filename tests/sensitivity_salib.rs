//! seedsoil's sensitivity designs and estimators against SALib 1.5.1 on the same samples
//! (numbers computed once by `scripts/sensitivity_reference.py`, stored in
//! `tests/data/sensitivity/`): the Saltelli design equals SALib's (SciPy's unscrambled
//! Sobol' sequence, Joe & Kuo's direction numbers) number for number, and the Sobol'
//! indices and Morris measures of the same outputs agree to rounding.

use seedsoil::sensitivity::morris::{Layout, Morris};
use seedsoil::sensitivity::saltelli::Saltelli;
use seedsoil::sensitivity::test_functions::ishigami;

/// The rows of a CSV file of `tests/data/sensitivity/` (header skipped), as text fields.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!(
        "{}/tests/data/sensitivity/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn numbers(row: &[String]) -> Vec<f64> {
    row.iter().map(|v| v.parse().unwrap()).collect()
}

#[test]
fn the_saltelli_design_and_sobol_indices_equal_salibs() {
    let d = Saltelli {
        k: 3,
        n: 128,
        second_order: true,
    };
    let seq = d.sequence();
    let design = rows("salib-ishigami-design.csv");
    assert_eq!(design.len(), d.runs());
    let points: Vec<Vec<f64>> = (0..d.runs()).map(|r| d.point(&seq, r)).collect();
    for (r, row) in design.iter().enumerate() {
        assert_eq!(points[r], numbers(row), "run {r}");
    }
    let y: Vec<f64> = points.iter().map(|x| ishigami(x)).collect();
    let ix = d.indices(&y, 10, 1);
    for row in rows("salib-ishigami-indices.csv") {
        let salib: f64 = row[3].parse().unwrap();
        let i: usize = row[1].parse().unwrap();
        let ours = match row[0].as_str() {
            "S1" => ix.first[i - 1].estimate,
            "ST" => ix.total[i - 1].estimate,
            _ => {
                let l: usize = row[2].parse().unwrap();
                ix.second
                    .iter()
                    .find(|(p, _)| *p == (i - 1, l - 1))
                    .unwrap()
                    .1
                    .estimate
            }
        };
        assert!((ours - salib).abs() < 1e-9, "{row:?}: ours {ours}");
    }
}

#[test]
fn morris_measures_equal_salibs_on_its_design() {
    let data: Vec<Vec<f64>> = rows("salib-morris.csv")
        .iter()
        .map(|r| numbers(r))
        .collect();
    let points: Vec<Vec<f64>> = data.iter().map(|r| r[..4].to_vec()).collect();
    let y: Vec<f64> = data.iter().map(|r| r[4]).collect();
    let d = Morris {
        k: 4,
        r: 10,
        levels: 4,
        layout: Layout::Trajectory,
        seed: 0,
    };
    let s = d.screen(&points, &y, 10, 1);
    for row in rows("salib-morris-indices.csv") {
        let v = numbers(&row);
        let i = v[0] as usize - 1;
        for (ours, salib, what) in [
            (s[i].mu.estimate, v[1], "mu"),
            (s[i].mu_star.estimate, v[2], "mu_star"),
            (s[i].sigma.estimate, v[3], "sigma"),
        ] {
            assert!(
                (ours - salib).abs() < 1e-9,
                "{what} of x{}: ours {ours}, SALib {salib}",
                i + 1
            );
        }
    }
}
