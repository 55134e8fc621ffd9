//! The designs of a sweep file ([`Design`]) and the settings of the sensitivity designs:
//! Morris (`trajectories`, `levels`, `layout`, `candidates`) and Sobol'
//! (`second_order`), with their checks. `samples` (Latin hypercube and Sobol') and the
//! axes are checked with the rest of the file in [`super::spec`].

use serde::Deserialize;

use crate::error::Problem;
use crate::spec::given::Given;
use crate::spec::show::{quoted, show};

/// Largest `trajectories × (axes + 1) × axes` of a Morris design, whose unit-cube points
/// are held whole: 8 bytes each, 80 MB at this cap.
pub const MAX_MORRIS_CELLS: u64 = 10_000_000;

/// Largest `candidates` of an optimized Morris design: the choice compares every pair.
pub const MAX_CANDIDATES: u32 = 2000;

/// How the axes combine into points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Cartesian product of the axes, first axis slowest.
    Grid,
    /// Axes of equal length paired element-wise.
    Zip,
    /// A seeded Latin hypercube over the axes' ranges.
    Lhs,
    /// A Morris screening over the axes' ranges.
    Morris,
    /// A Saltelli design for Sobol' indices over the axes' ranges.
    Sobol,
}

impl Design {
    /// The name used in sweep files.
    pub fn as_str(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Zip => "zip",
            Design::Lhs => "lhs",
            Design::Morris => "morris",
            Design::Sobol => "sobol",
        }
    }

    /// Whether its axes are ranges (`range = [lo, hi]`) rather than lists of values.
    pub fn ranged(self) -> bool {
        matches!(self, Design::Lhs | Design::Morris | Design::Sobol)
    }
}

/// The layout of a Morris design, as sweep files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MorrisLayout {
    /// One-at-a-time trajectories (Morris 1991).
    Trajectory,
    /// The most spread of `candidates` trajectories (Campolongo 2007).
    Optimized,
    /// Radial steps from Sobol' points (Campolongo 2011).
    Radial,
}

impl MorrisLayout {
    /// The name used in sweep files.
    pub fn as_str(self) -> &'static str {
        match self {
            MorrisLayout::Trajectory => "trajectory",
            MorrisLayout::Optimized => "optimized",
            MorrisLayout::Radial => "radial",
        }
    }
}

/// The settings of a Morris design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisSettings {
    /// Trajectories `r`.
    pub trajectories: u32,
    /// Grid levels `p`.
    pub levels: u32,
    /// The layout.
    pub layout: MorrisLayout,
    /// Trajectories to choose from (optimized layout).
    pub candidates: Option<u32>,
}

impl MorrisSettings {
    /// The design over `k` axes, its trajectories drawn from sweep seed `seed`.
    pub fn design(&self, k: usize, seed: u64) -> crate::sensitivity::morris::Morris {
        use crate::sensitivity::morris::{Layout, Morris};
        Morris {
            k,
            r: self.trajectories as usize,
            levels: self.levels as usize,
            layout: match self.layout {
                MorrisLayout::Trajectory => Layout::Trajectory,
                MorrisLayout::Optimized => Layout::Optimized {
                    candidates: self.candidates.unwrap_or(0) as usize,
                },
                MorrisLayout::Radial => Layout::Radial,
            },
            seed,
        }
    }
}

/// The Morris keys of a sweep file as given.
pub(super) struct MorrisGiven<'a> {
    /// `trajectories`.
    pub trajectories: &'a Option<Given<u32>>,
    /// `levels`.
    pub levels: &'a Option<Given<u32>>,
    /// `layout`.
    pub layout: &'a Option<Given<MorrisLayout>>,
    /// `candidates`.
    pub candidates: &'a Option<Given<u32>>,
}

/// Whether the design is one of `only`; if it is known and is not, a problem for each of
/// `keys` given.
pub(super) fn only_for(
    design: Option<Design>,
    only: &[Design],
    keys: &[(&str, Option<&toml::Value>)],
    problems: &mut Vec<Problem>,
) -> bool {
    let Some(d) = design else { return false };
    if only.contains(&d) {
        return true;
    }
    let names: Vec<String> = only.iter().map(|o| quoted(o.as_str())).collect();
    for (key, raw) in keys {
        if let Some(raw) = raw {
            problems.push(Problem::new(
                *key,
                show(raw),
                format!(
                    "only for design = {} (this sweep's design is {}); remove it",
                    names.join(" or "),
                    quoted(d.as_str())
                ),
            ));
        }
    }
    false
}

/// `trajectories`, `levels`, `layout` and `candidates`: with, and only with, design =
/// "morris".
pub(super) fn morris_settings(
    given: &MorrisGiven<'_>,
    design: Option<Design>,
    problems: &mut Vec<Problem>,
) -> Option<MorrisSettings> {
    fn raw(g: &Option<Given<u32>>) -> Option<&toml::Value> {
        g.as_ref().map(|g| &g.raw)
    }
    let keys = [
        ("trajectories", raw(given.trajectories)),
        ("levels", raw(given.levels)),
        ("layout", given.layout.as_ref().map(|g| &g.raw)),
        ("candidates", raw(given.candidates)),
    ];
    if !only_for(design, &[Design::Morris], &keys, problems) {
        return None;
    }
    let before = problems.len();
    let trajectories = match &given.trajectories {
        None => {
            problems.push(Problem::new(
                "trajectories",
                "(missing)",
                "required with design = \"morris\": the number r of trajectories, an \
                 integer ≥ 2 (10 to 50 is usual)",
            ));
            None
        }
        Some(g) => match g.typed {
            Some(r) if r >= 2 => Some(r),
            _ => {
                problems.push(Problem::new(
                    "trajectories",
                    show(&g.raw),
                    format!("allowed integer 2 ≤ value ≤ {}", u32::MAX),
                ));
                None
            }
        },
    };
    let levels = match &given.levels {
        None => Some(4),
        Some(g) => match g.typed {
            Some(p) if p >= 2 && p % 2 == 0 && p <= 1000 => Some(p),
            _ => {
                problems.push(Problem::new(
                    "levels",
                    show(&g.raw),
                    "allowed an even integer 2 ≤ value ≤ 1000 (the step Δ = p / (2(p − 1)) \
                     then joins grid levels)",
                ));
                None
            }
        },
    };
    let layout = match &given.layout {
        None => Some(MorrisLayout::Trajectory),
        Some(g) => {
            if g.typed.is_none() {
                problems.push(Problem::new(
                    "layout",
                    show(&g.raw),
                    "allowed one of \"trajectory\", \"optimized\", \"radial\"",
                ));
            }
            g.typed
        }
    };
    let candidates = match (&given.candidates, layout, trajectories) {
        (None, Some(MorrisLayout::Optimized), Some(r)) => {
            let c = (10 * r).min(MAX_CANDIDATES);
            if c <= r {
                problems.push(Problem::new(
                    "trajectories",
                    r.to_string(),
                    format!(
                        "layout = \"optimized\" picks trajectories out of at most \
                         {MAX_CANDIDATES} candidates: use fewer trajectories"
                    ),
                ));
            }
            Some(c)
        }
        (Some(g), Some(MorrisLayout::Optimized), r) => match g.typed {
            Some(c) if c <= MAX_CANDIDATES && r.is_none_or(|r| c > r) => Some(c),
            _ => {
                problems.push(Problem::new(
                    "candidates",
                    show(&g.raw),
                    format!(
                        "allowed integer trajectories < value ≤ {MAX_CANDIDATES} \
                         (default 10 × trajectories)"
                    ),
                ));
                None
            }
        },
        (Some(g), Some(other), _) => {
            problems.push(Problem::new(
                "candidates",
                show(&g.raw),
                format!(
                    "only for layout = \"optimized\" (this design's layout is {}); remove it",
                    quoted(other.as_str())
                ),
            ));
            None
        }
        _ => None,
    };
    if problems.len() > before {
        return None;
    }
    Some(MorrisSettings {
        trajectories: trajectories?,
        levels: levels?,
        layout: layout?,
        candidates,
    })
}

/// `second_order`: only with design = "sobol"; false if absent.
pub(super) fn second_order(
    given: Option<&Given<bool>>,
    design: Option<Design>,
    problems: &mut Vec<Problem>,
) -> bool {
    let keys = [("second_order", given.map(|g| &g.raw))];
    if !only_for(design, &[Design::Sobol], &keys, problems) {
        return false;
    }
    let Some(g) = given else {
        return false;
    };
    if g.typed.is_none() {
        problems.push(Problem::new(
            "second_order",
            show(&g.raw),
            "expected true or false",
        ));
    }
    g.typed.unwrap_or(false)
}
