//! Snapshots every N days (`output.snapshot_every_days`) and the VTK snapshots for ParaView
//! (`output.snapshot_vtk`): the `.vti` images are read back with a small XML parse and
//! checked against the CSV snapshots of the same day, the `.pvd` collection against the
//! files written. A run that ends before its last snapshot day writes the state it ends in
//! with `output.snapshot_at_end`.

use assert_cmd::cargo::cargo_bin;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Runs `seedsoil run -q ARGS -o DIR`.
fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(cargo_bin("seedsoil"))
        .args(["run", "-q"])
        .args(args)
        .arg("-o")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of attribute `name` in the first element of `xml` that has it.
fn attr<'a>(xml: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = xml.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    let len = xml[start..].find('"').unwrap();
    &xml[start..start + len]
}

fn numbers(text: &str) -> Vec<f64> {
    text.split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect()
}

/// A `.vti` read back: extent, origin, spacing and the cell-data arrays by name.
struct Image {
    extent: Vec<f64>,
    origin: Vec<f64>,
    spacing: Vec<f64>,
    arrays: HashMap<String, (String, Vec<String>)>,
}

impl Image {
    fn read(path: &Path) -> Image {
        let xml = std::fs::read_to_string(path).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\""));
        let extent = numbers(attr(&xml, "WholeExtent"));
        assert_eq!(attr(&xml, "Extent"), attr(&xml, "WholeExtent"));
        let mut arrays = HashMap::new();
        let mut rest = xml.as_str();
        while let Some(at) = rest.find("<DataArray ") {
            let tag_end = at + rest[at..].find('>').unwrap();
            let tag = &rest[at..tag_end];
            assert_eq!(attr(tag, "format"), "ascii");
            let end = tag_end + rest[tag_end..].find("</DataArray>").unwrap();
            let values = rest[tag_end + 1..end]
                .split_whitespace()
                .map(str::to_string)
                .collect();
            arrays.insert(
                attr(tag, "Name").to_string(),
                (attr(tag, "type").to_string(), values),
            );
            rest = &rest[end..];
        }
        let image = Image {
            extent,
            origin: numbers(attr(&xml, "Origin")),
            spacing: numbers(attr(&xml, "Spacing")),
            arrays,
        };
        // One value per image cell (a flat image has one layer of cells).
        let cells = image.cells();
        for (name, (_, values)) in &image.arrays {
            assert_eq!(values.len(), cells[0] * cells[1] * cells[2], "{name}");
        }
        image
    }

    /// Image cells per axis.
    fn cells(&self) -> [usize; 3] {
        std::array::from_fn(|a| ((self.extent[2 * a + 1] - self.extent[2 * a]) as usize).max(1))
    }

    fn array(&self, name: &str, vtk_type: &str) -> &[String] {
        let (t, values) = &self.arrays[name];
        assert_eq!(t, vtk_type, "{name}");
        values
    }
}

/// The rows of a CSV snapshot (header dropped), split at commas.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Checks `snapshot_day<D>.vti` and `fields_day<D>.vti` against the CSV snapshots of the
/// same day; `domain` is `space.max_size`, `spacing` `space.spacing_um`.
fn check_day(snap: &Path, day: &str, spacing: f64, three_d: bool) {
    let img = Image::read(&snap.join(format!("snapshot_day{day}.vti")));
    assert_eq!(img.spacing, [spacing; 3]);
    let cells = img.cells();
    if three_d {
        assert!(img.extent[5] > 1.0, "3D: every z layer");
    } else {
        assert_eq!(&img.extent[4..], [0.0, 0.0], "2D: one z layer");
        assert_eq!(img.origin[2], 0.0);
    }
    let lo: Vec<i64> = img.origin.iter().map(|o| (o / spacing) as i64).collect();
    let kind = img.array("kind", "UInt8");
    let rho = img.array("rho", "UInt8");
    let rows = csv_rows(&snap.join(format!("lattice_day{day}.csv")));
    assert!(!rows.is_empty());
    let mut csv_counts = [0usize; 4];
    for row in &rows {
        let x: i64 = row[0].parse().unwrap();
        let y: i64 = row[1].parse().unwrap();
        let z: i64 = row[2].parse().unwrap();
        let (ix, iy, iz) = (
            (x - lo[0]) as usize,
            (y - lo[1]) as usize,
            (z - lo[2]) as usize,
        );
        assert!(ix < cells[0] && iy < cells[1] && iz < cells[2], "{row:?}");
        let i = ix + cells[0] * (iy + cells[1] * iz);
        let (want_kind, want_rho) = match row[3].as_str() {
            "csc" => ("1", "0"),
            "progenitor" => ("2", row[4].as_str()),
            "differentiated" => ("3", "0"),
            other => panic!("kind {other}"),
        };
        assert_eq!(
            (kind[i].as_str(), rho[i].as_str()),
            (want_kind, want_rho),
            "{row:?}"
        );
        csv_counts[want_kind.parse::<usize>().unwrap()] += 1;
    }
    // As many cells of each kind as the CSV lists: none besides them.
    let mut vti_counts = [0usize; 6];
    for k in kind {
        vti_counts[k.parse::<usize>().unwrap()] += 1;
    }
    assert_eq!(vti_counts[1..4], csv_counts[1..4], "day {day}");
    // The border ring (code 5) is in the image where the window reaches the domain's edge:
    // the 3D window is the whole domain, the 2D one lies inside it.
    assert_eq!(vti_counts[5] > 0, three_d, "day {day}");

    // Fields: one image cell per field cell, values as the CSV writes them.
    let f = Image::read(&snap.join(format!("fields_day{day}.vti")));
    let rows = csv_rows(&snap.join(format!("fields_day{day}.csv")));
    let fc = f.cells();
    assert_eq!(rows.len(), fc[0] * fc[1] * fc[2]);
    let first: Vec<f64> = rows[0][..3].iter().map(|v| v.parse().unwrap()).collect();
    let second_x: f64 = rows[1][0].parse().unwrap();
    let coarsen = second_x - first[0];
    assert!(coarsen >= 1.0);
    assert_eq!(f.spacing[0], coarsen * spacing);
    assert_eq!(f.spacing[1], coarsen * spacing);
    assert_eq!(f.origin[0], first[0] * spacing);
    assert_eq!(f.origin[1], first[1] * spacing);
    let il6 = f.array("il6_ng_ml", "Float32");
    let cxcl7 = f.array("cxcl7_ng_ml", "Float32");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!((&il6[i], &cxcl7[i]), (&row[3], &row[4]), "field cell {i}");
    }
}

/// The `(timestep, part, file)` entries of `snapshots.pvd`.
fn pvd(snap: &Path) -> Vec<(String, String, String)> {
    let xml = std::fs::read_to_string(snap.join("snapshots.pvd")).unwrap();
    assert!(xml.contains("<VTKFile type=\"Collection\""));
    xml.lines()
        .filter(|l| l.contains("<DataSet "))
        .map(|l| {
            (
                attr(l, "timestep").to_string(),
                attr(l, "part").to_string(),
                attr(l, "file").to_string(),
            )
        })
        .collect()
}

/// The `snapshot` events of a run: the stems written.
fn snapshot_events(dir: &Path) -> Vec<String> {
    csv_rows(&dir.join("events.csv"))
        .into_iter()
        .filter(|r| r[2] == "snapshot")
        .map(|r| r[6].clone())
        .collect()
}

#[test]
fn a_3d_run_writes_vti_images_every_n_days_and_on_listed_days() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r3");
    run(
        &dir,
        &[
            "--days",
            "10",
            "--seed",
            "4",
            "--set",
            "space.dims=3",
            "--set",
            "space.max_size=64",
            "--set",
            "space.spacing_um=10",
            "--set",
            "output.snapshot_every_days=4",
            "--set",
            "output.snapshot_days=[8.0,10.0]",
            "--set",
            "output.snapshot_vtk=true",
        ],
    );
    // Days 4 and 8 (every 4 days up to day 10) and the listed 8 and 10: each once.
    assert_eq!(
        snapshot_events(&dir),
        [
            "snapshots/lattice_day4",
            "snapshots/lattice_day8",
            "snapshots/lattice_day10"
        ]
    );
    let snap = dir.join("snapshots");
    for day in ["4", "8", "10"] {
        check_day(&snap, day, 10.0, true);
    }
    let mut want = Vec::new();
    for day in ["4", "8", "10"] {
        want.push((day.into(), "0".into(), format!("snapshot_day{day}.vti")));
        want.push((day.into(), "1".into(), format!("fields_day{day}.vti")));
    }
    assert_eq!(pvd(&snap), want);
    // Every .vti in the folder is listed.
    let vti = std::fs::read_dir(&snap)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "vti")
        .count();
    assert_eq!(vti, want.len());
}

#[test]
fn a_2d_run_writes_one_layer_and_nothing_without_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let common = ["--days", "6", "--seed", "8", "--set", "space.spacing_um=10"];
    let with = tmp.path().join("with");
    let mut args = common.to_vec();
    args.extend([
        "--set",
        "output.snapshot_every_days=3",
        "--set",
        "output.snapshot_vtk=true",
    ]);
    run(&with, &args);
    let snap = with.join("snapshots");
    for day in ["3", "6"] {
        check_day(&snap, day, 10.0, false);
    }
    assert_eq!(
        pvd(&snap),
        [
            ("3".into(), "0".into(), "snapshot_day3.vti".into()),
            ("3".into(), "1".into(), "fields_day3.vti".into()),
            ("6".into(), "0".into(), "snapshot_day6.vti".into()),
            ("6".into(), "1".into(), "fields_day6.vti".into()),
        ]
    );
    // The window lies inside a larger domain: the image starts at its first site.
    let img = Image::read(&snap.join("snapshot_day3.vti"));
    assert!(
        img.origin[0] > 0.0 && img.origin[1] > 0.0,
        "{:?}",
        img.origin
    );

    // Off by default: the same snapshots, no VTK files.
    let without = tmp.path().join("without");
    let mut args = common.to_vec();
    args.extend(["--set", "output.snapshot_days=[3.0,6.0]"]);
    run(&without, &args);
    for name in ["lattice_day3.csv", "fields_day6.csv", "lattice_day6.png"] {
        assert_eq!(
            std::fs::read(snap.join(name)).unwrap(),
            std::fs::read(without.join("snapshots").join(name)).unwrap(),
            "{name}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(without.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".vti") && !n.ends_with(".pvd")),
        "{names:?}"
    );
}

#[test]
fn a_snapshot_period_shorter_than_a_step_is_refused() {
    let out = Command::new(cargo_bin("seedsoil"))
        .args([
            "check",
            "--set",
            "run.dt_h=12",
            "--set",
            "output.snapshot_every_days=0.25",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("output.snapshot_every_days"), "{err}");
    assert!(err.contains("0.5"), "{err}");
}

/// The steps and total cells of a run folder's summary row.
fn summary_steps_and_total(dir: &Path) -> (u64, usize) {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| row[head.iter().position(|h| *h == name).unwrap()];
    (col("steps").parse().unwrap(), col("total").parse().unwrap())
}

#[test]
fn a_run_stopped_by_its_size_snapshots_the_state_it_ends_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("end");
    run(
        &dir,
        &[
            "configs/reference-r0.toml",
            "--seed",
            "3",
            "--stop-at-cells",
            "750",
            "--set",
            "output.snapshot_at_end=true",
            "--set",
            "output.snapshot_csv=true",
            "--set",
            "output.snapshot_vtk=true",
        ],
    );
    // R0 steps one hour: the run ends within a day, at the step its size reached 750.
    let (steps, total) = summary_steps_and_total(&dir);
    assert!(
        total >= 750 && steps % 24 != 0,
        "steps {steps}, total {total}"
    );
    let day = ((steps as f64 / 24.0) * 1000.0).round() / 1000.0;
    let stem = format!("snapshots/lattice_day{day}");
    assert_eq!(snapshot_events(&dir), std::slice::from_ref(&stem));
    // The snapshot holds the final tumour, cell for cell, and the stop comes after it.
    let cells = csv_rows(&dir.join(format!("{stem}.csv")))
        .iter()
        .filter(|r| ["csc", "progenitor", "differentiated"].contains(&r[3].as_str()))
        .count();
    assert_eq!(cells, total);
    let events: Vec<String> = csv_rows(&dir.join("events.csv"))
        .into_iter()
        .map(|r| r[2].clone())
        .collect();
    assert_eq!(events[events.len() - 2..], ["snapshot", "stop"]);
    let snap = dir.join("snapshots");
    assert!(snap.join(format!("snapshot_day{day}.vti")).is_file());
    assert_eq!(
        pvd(&snap),
        [(
            day.to_string(),
            "0".into(),
            format!("snapshot_day{day}.vti")
        )]
    );
    // A snapshot due at the last step anyway is written once.
    let once = tmp.path().join("once");
    run(
        &once,
        &[
            "--days",
            "4",
            "--seed",
            "3",
            "--set",
            "output.snapshot_days=[2.0,4.0]",
            "--set",
            "output.snapshot_at_end=true",
        ],
    );
    assert_eq!(
        snapshot_events(&once),
        ["snapshots/lattice_day2", "snapshots/lattice_day4"]
    );
}
