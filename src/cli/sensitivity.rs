//! `seedsoil sensitivity`: the sensitivity indices of a sweep folder, written to
//! `DIR/sensitivity.csv` and printed as one table per output, parameters ranked by
//! importance.

use anyhow::{Context, Result};
use seedsoil::sensitivity::analysis::{self, IndexRow, Options, Report};
use seedsoil::sweep::spec::Design;

use super::SensitivityArgs;

/// `seedsoil sensitivity DIR`.
pub fn sensitivity_cmd(args: SensitivityArgs) -> Result<()> {
    let options = Options {
        outputs: args.output,
        resamples: args.bootstrap as usize,
        replicates: args.replicates,
    };
    let report = analysis::analyse(&args.dir, &options)?;
    let path = args.dir.join("sensitivity.csv");
    let tmp = args.dir.join(".sensitivity.csv.tmp");
    std::fs::write(&tmp, report.to_csv())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", path.display()))?;
    if !args.quiet {
        print!("{}", console(&report));
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// A number in four significant digits.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        let decimals = if a == 0.0 {
            0
        } else {
            (3 - a.log10().floor() as i32).clamp(0, 6)
        };
        format!("{v:.*}", decimals as usize)
    }
}

/// An estimate with its interval.
fn with_ci(r: Option<&IndexRow>) -> String {
    match r {
        None => "–".into(),
        Some(r) => match (r.ci_low, r.ci_high) {
            (Some(l), Some(h)) => format!("{} [{}, {}]", num(r.estimate), num(l), num(h)),
            _ => num(r.estimate),
        },
    }
}

/// The tables of the report, one per output.
pub fn console(report: &Report) -> String {
    let mut out = String::new();
    let (rank_by, columns): (&str, Vec<(&str, &str)>) = match report.design {
        Design::Morris => (
            "mu_star",
            vec![("mu_star", "μ* [95% CI]"), ("mu", "μ"), ("sigma", "σ")],
        ),
        Design::Sobol => ("ST", vec![("S1", "S1 [95% CI]"), ("ST", "ST [95% CI]")]),
        _ => ("prcc", vec![]),
    };
    let mode = match (report.replicates, report.mode) {
        (1, _) => "1 run per point".to_string(),
        (r, analysis::Replicates::Mean) => format!("{r} replicates per point, averaged"),
        (r, analysis::Replicates::Noise) => format!("{r} replicates per point, pooled as noise"),
    };
    for output in report.outputs() {
        let share = report
            .get(output, "(seed)", "stochastic_share")
            .map(|r| format!("; stochastic share of the variance {}", num(r.estimate)))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n{output}: {} design, {} points, {mode}{share}\n",
            report.design.as_str(),
            report.points
        ));
        let mut params: Vec<&String> = report.parameters.iter().collect();
        let key = |p: &String| {
            report
                .get(output, p, rank_by)
                .map_or(f64::NEG_INFINITY, |r| {
                    if rank_by == "prcc" {
                        r.estimate.abs()
                    } else {
                        r.estimate
                    }
                })
        };
        params.sort_by(|a, b| key(b).total_cmp(&key(a)));
        let mut header = vec!["rank".to_string(), "parameter".to_string()];
        header.extend(columns.iter().map(|(_, h)| h.to_string()));
        header.push("PRCC [95% CI]".into());
        header.push("p".into());
        let mut lines = vec![header];
        for (i, p) in params.iter().enumerate() {
            let mut line = vec![(i + 1).to_string(), p.to_string()];
            for (index, _) in &columns {
                line.push(with_ci(report.get(output, p, index)));
            }
            line.push(with_ci(report.get(output, p, "prcc")));
            line.push(
                report
                    .get(output, p, "prcc_p_value")
                    .map_or("–".into(), |r| num(r.estimate)),
            );
            lines.push(line);
        }
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}", w = *w))
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
    }
    out
}
