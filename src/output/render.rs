//! `seedsoil render`: pictures of a run folder's snapshots, without Python.
//!
//! ```text
//! seedsoil render RUN_DIR [-o OUT] [--frames] [--scale N]
//! ```
//!
//! Reads `RUN_DIR/snapshots/lattice_day<D>.csv` (and `fields_day<D>.csv`,
//! `mscs_day<D>.csv` when present) and writes to OUT (default `RUN_DIR/render`):
//!
//! - `lattice_day<D>.png`: the lattice as the run's own snapshot PNG draws it (same
//!   region, colours and scale: byte-identical). Both frame the snapshot's cells (their
//!   bounding box plus two sites on each side), whatever the run's lattice window.
//! - `il6_day<D>.png`, `cxcl7_day<D>.png`: heat maps of the fields CSV (when it exists),
//!   drawn as the run's own field PNGs (same region and layout) but on ONE log colour
//!   scale for the whole run, topped at the field's maximum over every snapshot, so the
//!   days can be compared colour for colour (the run's own PNGs are topped at their own
//!   day's maximum; with a single snapshot both are byte-identical).
//! - `frames/frame_0001.png`, …: one frame per snapshot day in day order, the lattice on
//!   one common canvas (the bounding box of every snapshot's cells and MSCs, plus a
//!   2-site margin) so the tumour grows in place; `--scale N` pixels per site (default 1).
//!   Frames carry the same legend, day stamp, scale bar and slice label as the pictures.
//! - `growth.gif`: the frames as an animated GIF (looping, 0.5 s per frame).
//!
//! `--frames` writes only the frames and the GIF. 3D runs: the CSVs hold every occupied
//! site; pictures show the central z slice (`z = space.max_size / 2`), as the run's PNGs.
//! Files in OUT are derived data and are overwritten without asking.

use crate::config::Config;
use crate::engine::primary::Primary;
use crate::error::RunError;
use crate::model::kind::{EMPTY, STEM, progenitor};
use crate::model::msc::Msc;
use crate::output::colour_scale::LogScale;
use crate::output::snapshot::{self, FieldRow, LatticeRow, MscRow, PictureInfo, Region, SiteView};
use crate::space::Lattice;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Options of [`render`].
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Write only the animation (frames and GIF), not the per-day pictures.
    pub frames_only: bool,
    /// Pixels per site in the frames and the GIF (at least 1).
    pub scale: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            frames_only: false,
            scale: 1,
        }
    }
}

/// One snapshot day's cells: domain coordinates and kind code.
struct Day {
    label: String,
    value: f64,
    cells: Vec<([i64; 3], u8)>,
    mscs: Vec<Msc>,
}

fn other(msg: impl Into<String>) -> RunError {
    RunError::Other(msg.into())
}

fn read(path: &Path) -> Result<String, RunError> {
    std::fs::read_to_string(path).map_err(|e| other(format!("cannot read {}: {e}", path.display())))
}

/// The rows of a snapshot CSV (header line first, then rows of at least five columns
/// `expected`, deserialised by position after trimming spaces), with their line numbers.
/// Blank lines are skipped.
fn read_rows<T: DeserializeOwned>(path: &Path, expected: &str) -> Result<Vec<(u64, T)>, RunError> {
    let text = read(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| other(format!("{}: {e}", path.display())))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() < 5 {
            return Err(other(format!(
                "{}:{line}: expected {expected}",
                path.display()
            )));
        }
        let mut trimmed = record.clone();
        trimmed.trim();
        let row = trimmed.deserialize::<T>(None).map_err(|e| {
            let field = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err.field(),
                _ => None,
            };
            let cell = field.and_then(|i| record.get(i as usize)).unwrap_or("");
            other(format!("{}:{line}: cannot parse {cell:?}", path.display()))
        })?;
        out.push((line, row));
    }
    Ok(out)
}

fn read_cells(path: &Path) -> Result<Vec<([i64; 3], u8)>, RunError> {
    let mut out = Vec::new();
    for (line, row) in read_rows::<LatticeRow>(path, "x,y,z,kind,rho")? {
        let code = match (row.kind.as_str(), row.rho) {
            ("csc", _) => STEM,
            ("differentiated", _) => progenitor(0),
            ("progenitor", Some(rho)) => progenitor(rho),
            ("progenitor", None) => {
                return Err(other(format!(
                    "{}:{line}: cannot parse \"\"",
                    path.display()
                )));
            }
            (k, _) => {
                return Err(other(format!(
                    "{}:{line}: unknown kind {k:?}",
                    path.display()
                )));
            }
        };
        out.push(([row.x, row.y, row.z], code));
    }
    Ok(out)
}

fn read_mscs(path: &Path) -> Result<Vec<Msc>, RunError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(read_rows::<MscRow>(path, "x,y,z,aldh,divisions_left")?
        .into_iter()
        .map(|(_, m)| Msc {
            pos: [m.x, m.y, m.z],
            aldh: m.aldh_pos != 0,
            divisions_left: m.divisions_left,
        })
        .collect())
}

/// A fields CSV read back: the grid of field cells (`coarsen` sites per side from
/// `origin`), IL6 and CXCL7 per cell, x fastest.
struct FieldLayer {
    origin: [i64; 3],
    coarsen: i64,
    n: [usize; 3],
    values: Vec<[f32; 2]>,
}

impl FieldLayer {
    /// Reads `path`, a full grid of field cells `coarsen` sites per side (`fields.coarsen`
    /// of the run's config).
    fn read(path: &Path, coarsen: u32) -> Result<Self, RunError> {
        let rows = read_rows::<FieldRow>(path, "x,y,z,il6_ng_ml,cxcl7_ng_ml")?;
        let c = i64::from(coarsen.max(1));
        let bad = |line: u64, why: &str| {
            other(format!(
                "{}:{line}: {why} (fields.coarsen = {c} in config.toml)",
                path.display()
            ))
        };
        let Some(first) = rows.first() else {
            return Err(other(format!("{}: no field cells", path.display())));
        };
        let mut lo = [first.1.x, first.1.y, first.1.z];
        let mut hi = lo;
        for (_, f) in &rows {
            for (a, v) in [f.x, f.y, f.z].into_iter().enumerate() {
                lo[a] = lo[a].min(v);
                hi[a] = hi[a].max(v);
            }
        }
        let mut n = [1usize; 3];
        for a in 0..3 {
            let span = hi[a].checked_sub(lo[a]).map(|d| d / c + 1);
            n[a] = span
                .and_then(|k| usize::try_from(k).ok())
                .filter(|&k| k <= rows.len())
                .ok_or_else(|| bad(first.0, "field cells do not form a grid"))?;
        }
        if n[0].checked_mul(n[1]).and_then(|k| k.checked_mul(n[2])) != Some(rows.len()) {
            return Err(bad(first.0, "field cells do not form a full grid"));
        }
        let mut values = vec![[0.0f32; 2]; rows.len()];
        for (line, f) in &rows {
            let d = [f.x - lo[0], f.y - lo[1], f.z - lo[2]];
            if d.iter().any(|&k| k % c != 0) {
                return Err(bad(*line, "a field cell off the grid"));
            }
            let i = |a: usize| (d[a] / c) as usize;
            values[i(0) + n[0] * (i(1) + n[1] * i(2))] = [f.il6_ng_ml, f.cxcl7_ng_ml];
        }
        Ok(FieldLayer {
            origin: lo,
            coarsen: c,
            n,
            values,
        })
    }

    /// The maximum of IL6 (`which = 0`) or CXCL7 (`1`) over the grid.
    fn max(&self, which: usize) -> f32 {
        self.values
            .iter()
            .map(|v| v[which])
            .fold(f32::MIN, f32::max)
    }

    /// The value of the field cell holding site `d` (0 outside the grid; in 2D z is
    /// ignored).
    fn at(&self, which: usize, d: [i64; 3]) -> f64 {
        let mut i = [0usize; 3];
        for a in 0..3 {
            if self.n[a] == 1 && a == 2 {
                continue;
            }
            let k = (d[a] - self.origin[a]).div_euclid(self.coarsen);
            match usize::try_from(k) {
                Ok(k) if k < self.n[a] => i[a] = k,
                _ => return 0.0,
            }
        }
        f64::from(self.values[i[0] + self.n[0] * (i[1] + self.n[1] * i[2])][which])
    }
}

/// Render the snapshots of `run_dir` into `out` (see the module docs); returns the files
/// written. A folder without `snapshots/lattice_day<D>.csv` is [`RunError::NoSnapshots`]; a
/// path that is not a folder is [`RunError::BadInput`].
pub fn render(run_dir: &Path, out: &Path, opts: RenderOptions) -> Result<Vec<PathBuf>, RunError> {
    if !run_dir.is_dir() {
        let what = if run_dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        return Err(RunError::BadInput(format!(
            "run folder {} {what}: name the folder of a run (e.g. runs/<config>-seed<seed>)",
            run_dir.display()
        )));
    }
    let snaps = run_dir.join("snapshots");
    let mut days = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&snaps) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(label) = name
                .strip_prefix("lattice_day")
                .and_then(|s| s.strip_suffix(".csv"))
            else {
                continue;
            };
            let Ok(value) = label.parse::<f64>() else {
                continue;
            };
            days.push(Day {
                label: label.to_string(),
                value,
                cells: read_cells(&e.path())?,
                mscs: read_mscs(&snaps.join(format!("mscs_day{label}.csv")))?,
            });
        }
    }
    if days.is_empty() {
        return Err(RunError::NoSnapshots(run_dir.to_path_buf()));
    }
    days.sort_by(|a, b| a.value.total_cmp(&b.value));

    let cfg_path = run_dir.join("config.toml");
    let cfg: Config = crate::config::load(Some(&cfg_path), &[])
        .map_err(|e| other(format!("cannot load {}: {e}", cfg_path.display())))?;
    let rho_max = cfg.cells.rho_max;
    let dims = cfg.space.dims as usize;
    let slice_z = if dims == 3 {
        cfg.space.max_size as i64 / 2
    } else {
        0
    };
    let domain = cfg.space.max_size as i64;
    for day in &days {
        let outside = day
            .cells
            .iter()
            .map(|c| c.0)
            .chain(day.mscs.iter().map(|m| m.pos));
        if let Some(d) = outside
            .into_iter()
            .find(|d| (0..3).any(|a| d[a] < 0 || d[a] >= if a < dims { domain } else { 1 }))
        {
            return Err(RunError::BadInput(format!(
                "snapshot day {}: a row at ({}, {}, {}) lies outside the {dims}D domain of {domain} sites per axis (space.max_size in config.toml)",
                day.label, d[0], d[1], d[2]
            )));
        }
    }
    let write = |path: PathBuf, bytes: &[u8], written: &mut Vec<PathBuf>| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| RunError::Output {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        crate::output::write_atomic(&path, bytes)?;
        written.push(path);
        Ok::<(), RunError>(())
    };
    let mut written = Vec::new();

    if !opts.frames_only {
        // One colour scale per field for the whole run: the maximum over every snapshot.
        let mut layers = Vec::with_capacity(days.len());
        let mut max = [f32::MIN; 2];
        for day in &days {
            let fields = snaps.join(format!("fields_day{}.csv", day.label));
            let layer = if fields.exists() {
                let layer = FieldLayer::read(&fields, cfg.fields.coarsen)?;
                for (which, m) in max.iter_mut().enumerate() {
                    *m = m.max(layer.max(which));
                }
                Some(layer)
            } else {
                None
            };
            layers.push(layer);
        }
        let scales = max.map(|m| LogScale::new(f64::from(m)));
        for (day, layer) in days.iter().zip(&layers) {
            // A window that holds every cell (Primary::new grows it off its open faces);
            // the pictures frame the cells, whatever the window.
            let mut lat = Lattice::new(dims, cfg.space.initial_size, cfg.space.max_size);
            while day.cells.iter().any(|&(d, _)| lat.site_at(d).is_none()) && lat.grow() {}
            for &(d, code) in &day.cells {
                if let Some(s) = lat.site_at(d) {
                    lat.set(s, code);
                }
            }
            let primary = Primary::new(lat);
            let info = PictureInfo {
                day: &day.label,
                spacing_um: cfg.space.spacing_um,
            };
            let png = snapshot::lattice_png(&primary, rho_max, &day.mscs, &info);
            write(
                out.join(format!("lattice_day{}.png", day.label)),
                &png,
                &mut written,
            )?;
            if let Some(layer) = layer {
                let region = Region::of(&primary.lattice);
                for (which, name) in [(0, "il6"), (1, "cxcl7")] {
                    let png = snapshot::field_picture(
                        &region,
                        which,
                        |d| layer.at(which, d),
                        &scales[which],
                        true,
                        &info,
                    )
                    .png();
                    write(
                        out.join(format!("{name}_day{}.png", day.label)),
                        &png,
                        &mut written,
                    )?;
                }
            }
        }
    }

    // Frames on one canvas: the bounding box of every snapshot in the z slice.
    let in_slice = |d: &[i64; 3]| d[2] == slice_z;
    let pts = days.iter().flat_map(|d| {
        d.cells
            .iter()
            .map(|c| c.0)
            .chain(d.mscs.iter().map(|m| m.pos))
    });
    let (mut x0, mut x1, mut y0, mut y1) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for p in pts.filter(in_slice) {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if x0 > x1 {
        let c = cfg.space.max_size as i64 / 2;
        (x0, x1, y0, y1) = (c, c, c, c);
    }
    let margin = 2;
    let region = Region {
        x0: x0 - margin,
        x1: x1 + margin + 1,
        y0: y0 - margin,
        y1: y1 + margin + 1,
        z: (dims == 3).then_some(slice_z),
        px_per_site: opts.scale.max(1) as usize,
    };
    let (w, h) = (region.sites_x(), region.sites_y());
    let mut frames = Vec::new();
    let mut size = (0, 0);
    for (k, day) in days.iter().enumerate() {
        let mut codes = vec![EMPTY; w * h];
        for &(d, code) in day.cells.iter().filter(|c| in_slice(&c.0)) {
            codes[(d[1] - region.y0) as usize * w + (d[0] - region.x0) as usize] = code;
        }
        let info = PictureInfo {
            day: &day.label,
            spacing_um: cfg.space.spacing_um,
        };
        let picture = snapshot::cells_picture(
            &region,
            |d| {
                let (x, y) = (d[0] - region.x0, d[1] - region.y0);
                match codes[y as usize * w + x as usize] {
                    EMPTY => SiteView::Empty,
                    c => SiteView::Cell(c),
                }
            },
            &day.mscs,
            rho_max,
            &info,
        );
        write(
            out.join("frames").join(format!("frame_{:04}.png", k + 1)),
            &picture.png(),
            &mut written,
        )?;
        size = (picture.width(), picture.height());
        frames.push(picture.rgb().to_vec());
    }
    let (pw, ph) = size;
    let gif = encode_gif(pw, ph, &frames)?;
    write(out.join("growth.gif"), &gif, &mut written)?;
    Ok(written)
}

/// An animated GIF of RGB frames (looping, 0.5 s per frame).
fn encode_gif(w: usize, h: usize, frames: &[Vec<u8>]) -> Result<Vec<u8>, RunError> {
    let (gw, gh) = (
        u16::try_from(w).map_err(|_| other("animation wider than 65535 pixels"))?,
        u16::try_from(h).map_err(|_| other("animation taller than 65535 pixels"))?,
    );
    // The pictures use few colours: one global palette, exact colours.
    let mut palette: Vec<[u8; 3]> = Vec::new();
    for f in frames {
        for c in f.chunks_exact(3) {
            let c = [c[0], c[1], c[2]];
            if !palette.contains(&c) {
                palette.push(c);
            }
        }
    }
    let err = |e: gif::EncodingError| other(format!("GIF encoding: {e}"));
    let mut out = Vec::new();
    {
        let exact = palette.len() <= 256;
        let flat: Vec<u8> = palette.iter().flatten().copied().collect();
        let mut enc =
            gif::Encoder::new(&mut out, gw, gh, if exact { &flat } else { &[] }).map_err(err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(err)?;
        for f in frames {
            let mut frame = if exact {
                let idx: Vec<u8> = f
                    .chunks_exact(3)
                    .map(|c| palette.iter().position(|p| p == c).unwrap_or(0) as u8)
                    .collect();
                gif::Frame::from_indexed_pixels(gw, gh, idx, None)
            } else {
                gif::Frame::from_rgb_speed(gw, gh, f, 10)
            };
            frame.delay = 50;
            enc.write_frame(&frame).map_err(err)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn snapshot_rows_read_by_position_trimmed_with_blank_lines_skipped() {
        let (_d, path) = file(
            "lattice_day1.csv",
            "x,y,z,kind,rho\n1,2,0,csc,\n\n 3 ,4,0,progenitor, 5 ,extra\n5,6,0,differentiated,0\n",
        );
        let cells = read_cells(&path).unwrap();
        assert_eq!(
            cells,
            [
                ([1, 2, 0], STEM),
                ([3, 4, 0], progenitor(5)),
                ([5, 6, 0], progenitor(0))
            ]
        );
    }

    #[test]
    fn snapshot_errors_name_the_line_and_cell() {
        let cases = [
            ("x,y,z,kind,rho\n1,2,0,csc\n", "2: expected x,y,z,kind,rho"),
            (
                "x,y,z,kind,rho\n1,2,0,csc,\n1,b,0,csc,\n",
                "3: cannot parse \"b\"",
            ),
            (
                "x,y,z,kind,rho\n1,2,0,progenitor,\n",
                "2: cannot parse \"\"",
            ),
            (
                "x,y,z,kind,rho\n1,2,0,progenitor,300\n",
                "2: cannot parse \"300\"",
            ),
            ("x,y,z,kind,rho\n1,2,0,stem,\n", "2: unknown kind \"stem\""),
        ];
        for (text, want) in cases {
            let (_d, path) = file("lattice_day1.csv", text);
            let err = read_cells(&path).unwrap_err().to_string();
            assert!(
                err.ends_with(&format!("lattice_day1.csv:{want}")),
                "{err} / {want}"
            );
        }
    }

    #[test]
    fn msc_and_field_rows_read_back_what_the_run_wrote() {
        let (_d, path) = file(
            "mscs_day1.csv",
            "x,y,z,aldh_pos,divisions_left\n1,2,0,1,0\n3,4,0,0,7\n",
        );
        let mscs = read_mscs(&path).unwrap();
        assert_eq!(mscs.len(), 2);
        assert!(mscs[0].aldh && !mscs[1].aldh);
        assert_eq!((mscs[1].pos, mscs[1].divisions_left), ([3, 4, 0], 7));
        let (_d, path) = file(
            "fields_day1.csv",
            "x,y,z,il6_ng_ml,cxcl7_ng_ml\n0,0,0,0.5,2\n",
        );
        let rows = read_rows::<FieldRow>(&path, "x,y,z,il6_ng_ml,cxcl7_ng_ml").unwrap();
        let want = FieldRow {
            x: 0,
            y: 0,
            z: 0,
            il6_ng_ml: 0.5,
            cxcl7_ng_ml: 2.0,
        };
        assert_eq!(rows, [(2, want)]);
    }

    #[test]
    fn a_fields_csv_reads_back_as_its_grid_and_a_broken_one_is_refused() {
        let (_d, path) = file(
            "fields_day1.csv",
            "x,y,z,il6_ng_ml,cxcl7_ng_ml\n-4,0,0,1,2\n0,0,0,3,4\n-4,4,0,5,6\n0,4,0,7,8\n",
        );
        let layer = FieldLayer::read(&path, 4).unwrap();
        assert_eq!((layer.origin, layer.n), ([-4, 0, 0], [2, 2, 1]));
        assert_eq!(layer.at(0, [-1, 3, 0]), 1.0);
        assert_eq!(layer.at(1, [3, 7, 0]), 8.0);
        assert_eq!(layer.at(0, [4, 0, 0]), 0.0, "outside the grid");
        assert_eq!((layer.max(0), layer.max(1)), (7.0, 8.0));
        for text in [
            "x,y,z,il6_ng_ml,cxcl7_ng_ml\n0,0,0,1,2\n8,0,0,1,2\n",
            "x,y,z,il6_ng_ml,cxcl7_ng_ml\n0,0,0,1,2\n2,0,0,1,2\n",
            "x,y,z,il6_ng_ml,cxcl7_ng_ml\n-9223372036854775808,0,0,1,2\n9223372036854775807,0,0,1,2\n",
        ] {
            let (_d, path) = file("fields_day1.csv", text);
            let err = FieldLayer::read(&path, 4).err().unwrap().to_string();
            assert!(err.contains("fields.coarsen = 4"), "{err}");
        }
    }
}
