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
    t.organs()
        .iter()
        .map(|o| t.at_day(o, "total", day))
        .sum()
}
