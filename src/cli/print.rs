//! The one-screen summaries the commands print on stdout.

use std::path::Path;

use seedsoil::checkpoint::Checkpoint;
use seedsoil::compare::{CompareSpec, RunRecord};
use seedsoil::config::Config;
use seedsoil::output::RunDir;
use seedsoil::run::Outcome;
use seedsoil::sweep::{self, MergeReport, Sweep};
use seedsoil::units::{hours_to_days, steps_to_days};

/// The summary of a run of `cfg` with `seed` (resumed from `resume`), its outputs in
/// `dir`.
pub fn run(
    cfg: &Config,
    seed: u64,
    outcome: &Outcome,
    resume: Option<(&Path, &Checkpoint)>,
    wall: f64,
    dir: &RunDir,
) {
    let sim = &outcome.sim;
    let reason = outcome.reason;
    let [csc, prog, diff] = sim.primary.counts();
    let total = csc + prog + diff;
    let frac = if total > 0 {
        100.0 * csc as f64 / total as f64
    } else {
        0.0
    };
    println!(
        "seedsoil {}: run finished ({})",
        env!("CARGO_PKG_VERSION"),
        reason.as_str()
    );
    println!(
        "  simulated {:.1} days ({} steps of {} h), seed {}",
        hours_to_days(sim.time_h()),
        sim.step_count(),
        cfg.run.dt_h,
        seed
    );
    println!("  primary tumour: {total} cells");
    println!("    cancer stem cells      {csc:>12}  ({frac:.2} %)");
    println!("    progenitors (rho > 0)  {prog:>12}");
    println!("    differentiated         {diff:>12}");
    let kappa = cfg.run.cells_per_agent;
    if kappa != 1.0 {
        println!(
            "  scale: one primary agent stands for {kappa} cells (run.cells_per_agent): the primary above is {:.3e} cells;\n    tumour-derived factor, IL6 seen by the bone marrow and cells shed x {kappa}; CTCs, DTCs, colonies, HPCs and MSCs count single cells",
            total as f64 * kappa
        );
    }
    let e = sim.primary.events();
    println!(
        "  events: {} births, {} deaths, {} migrations, {} dedifferentiations",
        e.births, e.deaths, e.migrations, e.dedifferentiations
    );
    if let Some(cy) = &sim.cytokines {
        let (il6, cx) = (cy.stats(0), cy.stats(1));
        println!(
            "  cytokines (ng/mL, mean over the tumour / max): IL6 {:.3} / {:.3}, CXCL7 {:.3} / {:.3}",
            il6.tumour_mean, il6.max, cx.tumour_mean, cx.max
        );
    }
    if sim.config().msc.any() {
        let [pos, neg] = sim.mscs.counts();
        let pool: u64 = sim.mscs.pool().iter().sum();
        let m = sim.mscs.events();
        println!(
            "  MSCs: {} in the tumour ({pos} ALDH+, {neg} ALDH-), {pool} in the bone marrow; {} homed, {} injected",
            pos + neg,
            m.homed,
            m.injected
        );
    }
    match &sim.metastasis {
        None => println!("  metastases: not simulated (dissemination.enabled = false)"),
        Some(m) => metastases(m, cfg.run.dt_h),
    }
    if let Some((path, ck)) = resume {
        println!(
            "  resumed from {} (day {}, step {})",
            path.display(),
            ck.day(),
            ck.step()
        );
    }
    println!("  wall time {wall:.2} s");
    println!("  outputs in {}:", dir.path.display());
    println!("    config.toml timeseries.csv events.csv summary.csv organs.csv manifest.json");
    if !outcome.snapshot_files.is_empty() {
        println!("    snapshots/ ({} files)", outcome.snapshot_files.len());
    }
    if !outcome.checkpoint_files.is_empty() {
        println!("    {}", outcome.checkpoint_files.join(" "));
    }
}

/// The metastasis lines of the run summary.
fn metastases(m: &seedsoil::metastasis::Metastasis, dt_h: f64) {
    let c = m.cascade();
    let shed: u64 = c.intravasated.iter().sum();
    println!(
        "  dissemination: {shed} cells shed, {} arrested, {} extravasated; {} colonies founded ({} by CSCs), {} micrometastases, {} detected",
        c.arrested,
        c.extravasated,
        c.csc_colonies + c.non_stem_colonies,
        c.csc_colonies,
        c.micrometastases,
        c.detected
    );
    match m.first_detection_step() {
        Some(s) => println!(
            "  first detected metastasis on day {:.1}",
            steps_to_days(s, dt_h)
        ),
        None => println!("  no metastasis detected"),
    }
    println!("    organ      cells  colonies  detected  dormant   HPCs  niche formed");
    for (i, o) in m.organs.iter().enumerate() {
        let niche = o
            .niche_formed_step
            .map(|s| format!("day {:.1}", steps_to_days(s, dt_h)))
            .unwrap_or_else(|| "no".to_string());
        println!(
            "    {:<8} {:>7} {:>9} {:>9} {:>8} {:>6}  {niche} (level {:.2})",
            o.name,
            o.metastatic_cells(),
            o.living_colonies,
            o.detected,
            o.dormant,
            o.hpcs,
            m.niche_level(i)
        );
    }
}

/// The one-screen summary of a comparison.
pub fn comparison(spec: &CompareSpec, records: &[RunRecord], seed: u64, wall: f64, dir: &RunDir) {
    let rows = seedsoil::compare::comparison(spec, records);
    let get = |scenario: &str, endpoint: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.endpoint == endpoint)
    };
    let fmt = |x: Option<f64>, digits: usize| {
        x.map(|x| format!("{x:.digits$}"))
            .unwrap_or_else(|| "-".to_string())
    };
    println!(
        "seedsoil {}: compared {} scenarios x {} replicates (seed {seed}), control {}",
        env!("CARGO_PKG_VERSION"),
        spec.scenarios.len(),
        spec.replicates,
        spec.control().name
    );
    println!(
        "  {:<20} {:>9} {:>14} {:>12} {:>14}",
        "scenario", "completed", "median cells", "median CSC", "P(metastasis)"
    );
    for (i, s) in spec.scenarios.iter().enumerate() {
        let done = records
            .iter()
            .filter(|r| r.scenario == i && r.completed())
            .count();
        let cells = get(&s.name, "total").and_then(|r| r.median);
        let csc = get(&s.name, "csc_fraction").and_then(|r| r.median);
        let met = get(&s.name, "any_metastasis_detected").and_then(|r| r.mean);
        println!(
            "  {:<20} {:>9} {:>14} {:>12} {:>14}",
            s.name,
            format!("{done}/{}", spec.replicates),
            fmt(cells, 0),
            fmt(csc.map(|x| 100.0 * x), 2).to_string() + if csc.is_some() { " %" } else { "" },
            fmt(met, 2)
        );
    }
    println!("  wall time {wall:.2} s");
    println!("  outputs in {}:", dir.path.display());
    println!(
        "    comparison.csv runs.csv timeseries.csv events.csv summary.csv organs.csv time_to_event.csv kaplan_meier.csv configs/ compare.toml runs/ manifest.json"
    );
}

/// The line telling that `n` stale temporary record folders were removed (none if 0).
pub fn stale(n: usize) {
    if n > 0 {
        println!("  removed {n} stale temporary record folders (left by a killed process)");
    }
}

/// The summary of a sweep of `total` runs with `seed`, `ran` of them now and `recorded`
/// before, merged into `report`.
pub fn sweep(
    sweep: &Sweep,
    report: &MergeReport,
    (total, seed): (u64, u64),
    (ran, recorded): (usize, usize),
    wall: f64,
    dir: &Path,
) {
    println!(
        "seedsoil {}: sweep of {} points x {} replicates = {total} runs (seed {seed}, design {})",
        env!("CARGO_PKG_VERSION"),
        sweep.points.len(),
        sweep.spec.replicates,
        sweep.spec.design.as_str()
    );
    println!(
        "  {} completed, {} failed{}; {ran} run now, {recorded} already recorded",
        report.completed,
        report.failed.len(),
        if report.invalid.is_empty() {
            String::new()
        } else {
            format!(", {} invalid", report.invalid.len())
        },
    );
    println!("  wall time {wall:.2} s");
    println!("  outputs in {}:", dir.display());
    println!(
        "    runs.csv summary.csv organs.csv{} runs/ sweep.toml base.toml manifest.json",
        if sweep.spec.outputs >= sweep::Outputs::Timeseries {
            " timeseries.csv"
        } else {
            ""
        }
    );
}

/// The line of an array task: how many of its selected runs (`what`: "runs",
/// "simulations") it ran, and how many were already recorded in `dir`.
pub fn task(what: &str, ran: usize, selected: usize, dir: &Path) {
    println!(
        "seedsoil {}: ran {ran} of {selected} selected {what} ({} already recorded) into {}",
        env!("CARGO_PKG_VERSION"),
        selected - ran,
        dir.display()
    );
}
