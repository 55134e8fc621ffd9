//! `seedsoil render`: pictures from a run folder's snapshots.

use assert_cmd::Command;
use std::path::Path;

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn colours(rgb: &[u8]) -> usize {
    let mut set = std::collections::HashSet::new();
    for c in rgb.chunks_exact(3) {
        set.insert([c[0], c[1], c[2]]);
    }
    set.len()
}

#[test]
fn render_reproduces_snapshots_and_animates() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["run", "--days", "12", "-q", "--force", "-o"])
        .arg(&run)
        .args(["--set", "output.snapshot_days=[4.0,8.0,12.0]"])
        .assert()
        .success();
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["render", "-q", "--scale", "2"])
        .arg(&run)
        .assert()
        .success();
    let out = run.join("render");
    let mut frame_size = None;
    for (k, day) in ["4", "8", "12"].iter().enumerate() {
        for name in ["lattice", "il6", "cxcl7"] {
            let file = format!("{name}_day{day}.png");
            let ours = out.join(&file);
            let (w, h, rgb) = decode(&ours);
            // CXCL7 comes from MSCs, which home after day 8.
            let may_be_blank = name == "cxcl7" && *day != "12";
            assert!(
                w > 0 && h > 0 && (may_be_blank || colours(&rgb) > 1),
                "{file} blank"
            );
            let theirs = run.join("snapshots").join(&file);
            if name == "lattice" {
                // Same bytes as the run's own snapshot PNG.
                assert_eq!(
                    std::fs::read(&ours).unwrap(),
                    std::fs::read(&theirs).unwrap()
                );
            } else {
                // Same region and layout; the colour scale is the run's, not the day's.
                let (tw, th, _) = decode(&theirs);
                assert_eq!((w, h), (tw, th), "{file}: same size as the run's");
            }
        }
        let frame = out.join(format!("frames/frame_{:04}.png", k + 1));
        let (w, h, rgb) = decode(&frame);
        assert!(colours(&rgb) > 1);
        assert_eq!(w % 2, 0, "scale 2");
        assert_eq!(
            *frame_size.get_or_insert((w, h)),
            (w, h),
            "frames share one size"
        );
    }
    assert!(!out.join("frames/frame_0004.png").exists());
    let gif = std::fs::File::open(out.join("growth.gif")).unwrap();
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts.read_info(gif).unwrap();
    let (w, h) = frame_size.unwrap();
    assert_eq!((dec.width() as u32, dec.height() as u32), (w, h));
    let mut n = 0;
    while dec.read_next_frame().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 3);

    // --frames: only the animation.
    let only = tmp.path().join("only");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["render", "-q", "--frames"])
        .arg(&run)
        .arg("-o")
        .arg(&only)
        .assert()
        .success();
    assert!(only.join("frames/frame_0003.png").exists() && only.join("growth.gif").exists());
    assert!(!only.join("lattice_day4.png").exists());
}

#[test]
fn folder_without_snapshots_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("seedsoil")
        .unwrap()
        .arg("render")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no lattice snapshots"))
        .stderr(predicates::str::contains("snapshot_days"));
}

/// A killed run has snapshots but no `events.csv` (it is written at the end): the window
/// is then grown until it holds every cell, instead of panicking on cells outside it.
#[test]
fn render_draws_a_killed_run_without_events_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["run", "--days", "20", "-q", "-o"])
        .arg(&run)
        .args(["--set", "output.snapshot_days=[5.0,20.0]"])
        .assert()
        .success();
    std::fs::remove_file(run.join("events.csv")).unwrap();
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["render", "-q"])
        .arg(&run)
        .assert()
        .success();
    for day in ["5", "20"] {
        let png = run.join(format!("render/lattice_day{day}.png"));
        let (w, h, rgb) = decode(&png);
        assert!(w >= 64 && h >= 64, "{}: {w} x {h}", png.display());
        assert!(colours(&rgb) >= 3, "{}: the cells are drawn", png.display());
    }
}

/// A snapshot row outside the domain (a hand-edited or corrupt file) is refused with the
/// row's coordinates before anything is allocated for it.
#[test]
fn render_refuses_a_snapshot_row_outside_the_domain() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["run", "--days", "5", "-q", "-o"])
        .arg(&run)
        .args(["--set", "output.snapshot_days=[5.0]"])
        .assert()
        .success();
    let csv = run.join("snapshots/lattice_day5.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("60000,60000,0,csc,\n");
    std::fs::write(&csv, text).unwrap();
    let out = Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["render", "-q"])
        .arg(&run)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(60000, 60000, 0) lies outside the 2D domain of 2000 sites"),
        "{err}"
    );
}

/// `render` draws every day's field on one colour scale (the maximum over all snapshots):
/// the same value has the same colour on every day, although the days' maxima differ.
#[test]
fn render_field_colour_scale_is_shared_across_days() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["run", "--days", "6", "-q", "-o"])
        .arg(&run)
        .args(["--set", "output.snapshot_days=[3.0,6.0]"])
        .assert()
        .success();
    // Every field cell at 1 ng/mL but the first: 100 ng/mL on day 3, 10 on day 6.
    for (day, peak) in [("3", "100"), ("6", "10")] {
        let path = run.join(format!("snapshots/fields_day{day}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for (k, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split(',').collect();
            let v = if k == 1 { peak } else { "1" };
            if k == 0 {
                out.push_str(line);
            } else {
                out.push_str(&format!("{},{},{},{v},{v}", f[0], f[1], f[2]));
            }
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
    }
    Command::cargo_bin("seedsoil")
        .unwrap()
        .args(["render", "-q"])
        .arg(&run)
        .assert()
        .success();
    // 1 ng/mL on the run's scale, topped at 100 with a floor of 100/10^4: log10 position
    // (0 − (−2)) / 4 = 0.5.
    let c = colorous::VIRIDIS.eval_continuous(0.5);
    let want = [c.r, c.g, c.b];
    for day in ["3", "6"] {
        for name in ["il6", "cxcl7"] {
            let (_, _, rgb) = decode(&run.join(format!("render/{name}_day{day}.png")));
            let mut counts = std::collections::HashMap::new();
            for p in rgb.chunks_exact(3) {
                *counts.entry([p[0], p[1], p[2]]).or_insert(0usize) += 1;
            }
            let map_colour = counts
                .iter()
                .filter(|(c, _)| **c != [255, 255, 255])
                .max_by_key(|(_, n)| **n)
                .map(|(c, _)| *c)
                .unwrap();
            assert_eq!(map_colour, want, "{name} day {day}: 1 ng/mL");
        }
    }
}
