//! Surgery of the mass (therapy keys `residual_fraction`, `margin_sites`): every primary
//! cell is removed except the cells within `margin_sites` Moore steps of the tumour's
//! exterior (the empty region joined to the window's edge; holes inside do not count),
//! each kept independently with probability `residual_fraction`. The margin is checked
//! against a brute-force computation written here (a flood fill of the empty sites from the
//! window's edge, then a scan of the box of half-side `margin_sites` around each cell); the
//! residual's size against the binomial law (3.5 standard errors, with a power check).

use seedsoil::config::{self, Config, InitKind, Surgery, TherapyConfig, TherapyKind};
use seedsoil::engine::Primary;
use seedsoil::model::kind::{EMPTY, STEM, progenitor};
use seedsoil::sim::Simulation;
use seedsoil::space::Lattice;
use seedsoil::therapy;
use std::collections::BTreeSet;

/// Window coordinates of the Moore neighbours of `c` inside a window of `side` per axis.
fn neighbours(c: [usize; 3], side: [usize; 3], dims: usize) -> Vec<[usize; 3]> {
    let mut out = Vec::new();
    let zr: Vec<i64> = if dims == 3 { vec![-1, 0, 1] } else { vec![0] };
    for &dz in &zr {
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                if (dx, dy, dz) == (0, 0, 0) {
                    continue;
                }
                let n = [c[0] as i64 + dx, c[1] as i64 + dy, c[2] as i64 + dz];
                if (0..3).all(|a| n[a] >= 0 && (n[a] as usize) < side[a]) {
                    out.push([n[0] as usize, n[1] as usize, n[2] as usize]);
                }
            }
        }
    }
    out
}

/// The cells within `m` Moore steps of the exterior, by brute force (see [`near_exterior`]).
fn brute_force_margin(lat: &Lattice, m: usize) -> BTreeSet<usize> {
    let near = near_exterior(lat, m);
    (0..lat.len())
        .filter(|&s| near[s] && lat.code(s) != EMPTY && lat.code(s) != 31)
        .collect()
}

/// For every site, whether it lies within `m` Moore steps of the exterior, by brute force:
/// the exterior is every empty site joined by empty sites to the window's edge (the
/// tumours here stay far from the domain's border); a site is within `m` steps iff an
/// exterior site lies in the box of half-side `m` around it (the Chebyshev distance is the
/// Moore step count).
fn near_exterior(lat: &Lattice, m: usize) -> Vec<bool> {
    let dims = lat.dims;
    let side = [lat.side(0), lat.side(1), lat.side(2)];
    let mut ext = vec![false; lat.len()];
    let mut stack = Vec::new();
    for (s, e) in ext.iter_mut().enumerate() {
        let c = lat.coords(s);
        let edge = (0..dims).any(|a| c[a] == 0 || c[a] + 1 == side[a]);
        if edge && lat.code(s) == EMPTY {
            *e = true;
            stack.push(c);
        }
    }
    while let Some(c) = stack.pop() {
        for n in neighbours(c, side, dims) {
            let t = lat.index(n);
            if !ext[t] && lat.code(t) == EMPTY {
                ext[t] = true;
                stack.push(n);
            }
        }
    }
    let mut near = vec![false; lat.len()];
    let m = m as i64;
    for (s, near) in near.iter_mut().enumerate() {
        let c = lat.coords(s);
        let zr = if dims == 3 { -m..=m } else { 0..=0 };
        'search: for dz in zr {
            for dy in -m..=m {
                for dx in -m..=m {
                    let n = [c[0] as i64 + dx, c[1] as i64 + dy, c[2] as i64 + dz];
                    if (0..3).any(|a| n[a] < 0 || n[a] as usize >= side[a]) {
                        continue;
                    }
                    if ext[lat.index([n[0] as usize, n[1] as usize, n[2] as usize])] {
                        *near = true;
                        break 'search;
                    }
                }
            }
        }
    }
    near
}

/// A grown, irregular tumour perforated by radiation (holes inside): a disc (2D) or ball
/// (3D) that grew and migrated for two days (less in 3D), then one fraction of 0.5 Gy in 2D, 0.1 Gy in
/// 3D (about 16 % and 3 % of the cells killed: scattered holes, mostly closed, below the
/// site percolation thresholds of the Moore neighbourhoods, about 0.41 and 0.10).
fn perforated_tumour(dims: u8, seed: u64) -> Simulation {
    let mut c = Config::default();
    c.run.seed = Some(seed);
    c.run.threads = 1;
    c.space.dims = dims;
    c.space.initial_size = if dims == 2 { 128 } else { 64 };
    c.space.max_size = if dims == 2 { 1000 } else { 200 };
    c.init.kind = InitKind::Disc;
    c.init.radius = if dims == 2 { 30.0 } else { 9.0 };
    c.init.csc_fraction = 0.2;
    c.fields.enabled = false;
    c.msc.pool = 0;
    c.dissemination.enabled = false;
    // Migration roughens the edge; in 3D it would make the ball porous to its core.
    c.cells.migration_per_day = if dims == 2 { 10.0 } else { 1.0 };
    c.validate().unwrap();
    let mut sim = Simulation::new(&c).unwrap();
    for _ in 0..48 {
        sim.step();
    }
    let mut th = TherapyConfig::new(TherapyKind::Radiation, 0.0);
    th.dose_gy = Some(if dims == 2 { 0.5 } else { 0.1 });
    let step = sim.step_count();
    therapy::irradiate(&mut sim.primary, &th, seed, 9, step);
    sim
}

/// The occupied cell sites and their codes.
fn cells(p: &Primary) -> Vec<(usize, u8)> {
    p.cell_sites()
        .into_iter()
        .map(|s| (s, p.lattice.code(s)))
        .collect()
}

#[test]
fn surgery_keeps_only_the_margin_cells() {
    // residual_fraction = 1: exactly the cells within margin_sites of the exterior stay,
    // unchanged, and the removed cells are counted by class.
    for dims in [2u8, 3] {
        for m in [0u32, 1, 2, 3] {
            let mut sim = perforated_tumour(dims, 21);
            let before = cells(&sim.primary);
            let counts = sim.primary.counts();
            let expected = brute_force_margin(&sim.primary.lattice, m as usize);
            let removed = therapy::resect_mass(&mut sim.primary, m, 1.0, 21, 0, 100);
            sim.primary.check_invariants();
            let kept: BTreeSet<usize> = sim.primary.cell_sites().into_iter().collect();
            eprintln!(
                "{dims}D margin {m}: {} of {} cells kept",
                kept.len(),
                before.len()
            );
            assert_eq!(kept, expected, "{dims}D margin {m}");
            for &(s, code) in &before {
                if kept.contains(&s) {
                    assert_eq!(sim.primary.lattice.code(s), code);
                }
            }
            let after = sim.primary.counts();
            for k in 0..3 {
                assert_eq!(
                    counts[k] - after[k],
                    removed[k],
                    "{dims}D margin {m} class {k}"
                );
            }
            if m == 0 {
                assert!(kept.is_empty());
            } else {
                assert!(kept.len() > 50 && kept.len() < before.len());
            }
        }
    }
}

#[test]
fn surgery_with_no_residual_removes_every_primary_cell() {
    for dims in [2u8, 3] {
        let mut sim = perforated_tumour(dims, 22);
        let counts = sim.primary.counts();
        let removed = therapy::resect_mass(&mut sim.primary, 3, 0.0, 22, 0, 100);
        assert_eq!(removed, counts);
        assert_eq!(sim.primary.total(), 0);
        sim.primary.check_invariants();
    }
}

/// A disc of radius 25 of progenitors (every tenth site a CSC) with a square hole of
/// half-side `hole` at its centre (none if 0), on its own lattice.
fn holed_disc(hole: i64) -> Primary {
    let mut lat = Lattice::new(2, 128, 1000);
    let c = 500i64;
    for y in c - 25..=c + 25 {
        for x in c - 25..=c + 25 {
            let (dx, dy) = (x - c, y - c);
            if dx * dx + dy * dy > 25 * 25 || (hole > 0 && dx.abs() < hole && dy.abs() < hole) {
                continue;
            }
            let s = lat.site_at([x, y, 0]).unwrap();
            lat.set(
                s,
                if (x + y) % 10 == 0 {
                    STEM
                } else {
                    progenitor(5)
                },
            );
        }
    }
    Primary::new(lat)
}

#[test]
fn surgery_keeps_each_margin_cell_with_the_residual_fraction() {
    // The number kept is binomial(n_margin, r): its mean over 200 seeds within 3.5
    // standard errors; power: a residual drawn from a margin one site thinner is rejected.
    let (m, r, seeds) = (2u32, 0.3, 200u64);
    let margin = brute_force_margin(&holed_disc(4).lattice, m as usize);
    let thinner = brute_force_margin(&holed_disc(4).lattice, m as usize - 1).len() as f64;
    let n = margin.len() as f64;
    let mut sum = 0.0;
    for seed in 0..seeds {
        let mut p = holed_disc(4);
        therapy::resect_mass(&mut p, m, r, seed, 0, 0);
        let kept: BTreeSet<usize> = p.cell_sites().into_iter().collect();
        assert!(
            kept.is_subset(&margin),
            "seed {seed}: a cell outside the margin stayed"
        );
        sum += kept.len() as f64;
    }
    let mean = sum / seeds as f64;
    let se = (n * r * (1.0 - r) / seeds as f64).sqrt();
    let z = (mean - n * r) / se;
    eprintln!(
        "{n} margin cells: mean kept {mean:.2}, expected {:.2} (z = {z:.2})",
        n * r
    );
    assert!(z.abs() < 3.5);
    assert!(((mean - thinner * r) / se).abs() > 3.5);
    // The same seed gives the same residual.
    let (mut a, mut b) = (holed_disc(4), holed_disc(4));
    therapy::resect_mass(&mut a, m, r, 5, 0, 0);
    therapy::resect_mass(&mut b, m, r, 5, 0, 0);
    assert_eq!(a.lattice.bytes(), b.lattice.bytes());
}

#[test]
fn cells_next_to_a_hole_inside_the_tumour_are_not_margin() {
    // A hole of 7 × 7 sites at the centre of a disc of radius 25: the cells around it are
    // 18 or more sites from the exterior and go with the mass.
    let mut p = holed_disc(4);
    let site = |p: &Primary, x: i64, y: i64| p.lattice.site_at([x, y, 0]).unwrap();
    let around_hole = site(&p, 504, 500);
    assert!(p.lattice.code(around_hole) != EMPTY);
    assert_eq!(p.lattice.code(site(&p, 503, 500)), EMPTY);
    let expected = brute_force_margin(&p.lattice, 2);
    therapy::resect_mass(&mut p, 2, 1.0, 1, 0, 0);
    let kept: BTreeSet<usize> = p.cell_sites().into_iter().collect();
    assert_eq!(kept, expected);
    assert!(
        !kept.contains(&around_hole),
        "a cell next to the inner hole stayed"
    );
    assert!(kept.contains(&site(&p, 525, 500)) && !kept.contains(&site(&p, 522, 500)));
    // Power: a channel from the hole to the outside makes the hole exterior, and the cells
    // around it margin.
    let mut p = holed_disc(4);
    for x in 504..=525 {
        let s = site(&p, x, 500);
        p.kill_cell(s);
    }
    therapy::resect_mass(&mut p, 2, 1.0, 1, 0, 0);
    assert!(
        p.lattice.code(site(&p, 500, 504)) != EMPTY,
        "the hole's edge is margin now"
    );
}

#[test]
fn surgery_of_the_mass_takes_the_debris_beyond_the_margin() {
    // With debris on (cells.clearance_h), radiation kills leave debris; a resection removes
    // the debris deeper than the margin with the mass and leaves the margin's debris.
    let mut sim = perforated_tumour(2, 23);
    sim.primary.set_clearance_steps(48);
    let mut th = TherapyConfig::new(TherapyKind::Radiation, 0.0);
    th.dose_gy = Some(0.5);
    let killed: u64 = therapy::irradiate(&mut sim.primary, &th, 23, 9, 101)
        .iter()
        .sum();
    assert_eq!(sim.primary.debris() as u64, killed);
    let lat = &sim.primary.lattice;
    let debris: Vec<usize> = (0..lat.len()).filter(|&s| lat.is_debris(s)).collect();
    // Debris is not empty: it is neither exterior nor a path to it.
    let near = near_exterior(lat, 2);
    let expected: Vec<usize> = debris.iter().copied().filter(|&s| near[s]).collect();
    let removed = therapy::resect_mass(&mut sim.primary, 2, 1.0, 23, 0, 102);
    sim.primary.check_invariants();
    let lat = &sim.primary.lattice;
    let left: Vec<usize> = debris
        .iter()
        .copied()
        .filter(|&s| lat.is_debris(s))
        .collect();
    eprintln!(
        "{} debris sites, {} left after surgery ({} cells removed)",
        debris.len(),
        left.len(),
        removed.iter().sum::<u64>()
    );
    assert_eq!(left, expected);
    assert!(!left.is_empty() && left.len() < debris.len() / 2);
    assert_eq!(sim.primary.debris(), left.len());
}

#[test]
fn surgery_modes_are_exclusive_and_resolve_to_reloadable_configs() {
    let entry = |keys: &str| format!("[[therapy]]\nkind = \"surgery\"\nstart_day = 5\n{keys}");
    let err = config::load_str(
        &entry("fraction = 0.9\nresidual_fraction = 0.1\n"),
        "t",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "therapy[0].fraction = 0.9: not allowed together with therapy[0].residual_fraction"
        ),
        "{err}"
    );
    let err = config::load_str(&entry("margin_sites = 2\n"), "t", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("therapy[0].margin_sites = 2: used only with therapy[0].residual_fraction"),
        "{err}"
    );
    let err = config::load_str(
        &entry("residual_fraction = 0.1\nmargin_sites = 1.5\n"),
        "t",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("therapy[0].margin_sites = 1.5"), "{err}");
    // Mass mode: margin_sites defaults to 1, spelled out; the resolved config reloads.
    let c = config::load_str(&entry("residual_fraction = 0.05\n"), "t", &[]).unwrap();
    assert_eq!(
        c.therapy[0].surgery(),
        Surgery::Mass {
            margin_sites: 1,
            residual_fraction: 0.05
        }
    );
    let text = c.to_toml();
    assert!(
        text.contains("margin_sites = 1") && !text.contains("fraction = 0.999"),
        "{text}"
    );
    assert_eq!(config::load_str(&text, "again", &[]).unwrap(), c);
    // The random mode is unchanged: its resolved entry names no margin keys.
    let c = config::load_str(&entry(""), "t", &[]).unwrap();
    assert_eq!(c.therapy[0].surgery(), Surgery::Random { fraction: 0.999 });
    let text = c.to_toml();
    assert!(!text.contains("margin_sites") && !text.contains("residual_fraction"));
}
