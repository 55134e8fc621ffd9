"""Shared helpers for the seedsoil plotting scripts (style, palette, provenance, saving).

Every figure carries, besides its pixels:
- a provenance footer (small grey text): seedsoil version, seed, the command that made
  the folder, and the folder's name;
- the data it plots, as a PNG text chunk `seedsoil-data` (JSON): for each axes, the data
  of its lines, collections and images (for a line also its colour and marker), and for
  each series registered with `track()` the CSV file and column it came from and how it
  was derived. `scripts/check_png.py --source` reads the chunk back and re-derives every
  tracked series from its CSV.
"""

import argparse
import json
import math
import os
import sys
import textwrap
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = [
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
]
# The colours of the Rust pictures (`seedsoil run` snapshots, `seedsoil render`).
KIND_COLOURS = {
    "csc": "#D55E00",
    "progenitor": "#0072B2",
    "differentiated": "#999999",
}
PROGENITOR_LIGHT = "#56B4E9"  # progenitor with ρ = 1 (PROGENITOR_DARK at ρ = ρmax)
PROGENITOR_DARK = "#0072B2"
MSC_COLOURS = {"aldh_neg": "#F0E442", "aldh_pos": "#009E73"}
THERAPY_COLOURS = {
    "chemo_on": "#E69F00",
    "radiation_on": "#56B4E9",
    "surgery_on": "#000000",
    "anti_il6_on": "#CC79A7",
    "cxcr2_inhibitor_on": "#009E73",
    "anti_vegfr1_on": "#0072B2",
    "differentiation_on": "#F0E442",
}

#: PNG text-chunk key of the embedded data.
DATA_KEY = "seedsoil-data"
#: Series with more points than this are embedded as a digest, not point by point.
FULL_MAX = 5000


def setup_style():
    plt.rcParams.update(
        {
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "axes.prop_cycle": matplotlib.cycler(color=[OKABE_ITO[k] for k in (0, 1, 2, 4, 5, 6, 7, 3)]),
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )


# Line order: yellow last, as it is faint on white.
LINE_COLOURS = [OKABE_ITO[k] for k in (0, 1, 2, 4, 5, 6, 7, 3)]


def colour(i):
    return LINE_COLOURS[i % len(LINE_COLOURS)]


def parser(description, input_help):
    p = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", type=Path, help=input_help)
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="output folder for the figures (default: <input>/plots)",
    )
    p.add_argument("--pdf", action="store_true", help="also write a PDF of every figure")
    return p


def out_dir(args):
    out = args.out if args.out is not None else args.input / "plots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def require(path):
    if not path.is_file():
        sys.exit(f"error: {path} not found")
    return path


def read_config(folder):
    """RUN_DIR/config.toml as a dict ({} if missing or unreadable)."""
    p = Path(folder) / "config.toml"
    try:
        with open(p, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def provenance(folder):
    """One line naming what made the figures of `folder`: seedsoil version, seed, command
    (from manifest.json, else config.toml) and the folder's name."""
    folder = Path(folder)
    man = {}
    try:
        man = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        pass
    cfg = read_config(folder)
    version = man.get("seedsoil_version") or "?"
    seed = man.get("seed")
    if seed is None:
        seed = cfg.get("run", {}).get("seed", "?")
    cmd = man.get("command_line")
    if isinstance(cmd, list) and cmd:
        cmd = " ".join([os.path.basename(str(cmd[0]))] + [str(c) for c in cmd[1:]])
    else:
        cmd = "config.toml" if cfg else "?"
    if len(cmd) > 110:
        cmd = cmd[:107] + "..."
    return f"seedsoil {version} · seed {seed} · {cmd} · folder {folder.resolve().name}"


def track(fig, artist, **sources):
    """Register `artist` as a data series of `fig` and name its source.

    Each keyword is a plotted coordinate (`x`, `y` or, for images, `array`) and its value
    the spec from which `scripts/check_png.py --source` re-derives it:
      file       the CSV (path; stored absolute)
      column     the CSV column
      where      {column: value or [values]}: keep only those rows
      dropna     drop rows where the column is empty
      agg        {"by": [columns], "how": "sum"|"mean"|"median"|"min"|"max"} (groups sorted)
      divide_by  a second column, aggregated like the first, dividing it
      scale, offset  value × scale + offset
      clip_min   values below it are raised to it
      mask       "nonpositive": values ≤ 0 become NaN
      codes      {value: number}: a categorical column mapped to numbers
      add_column, add_when  (with pivot) plus that column where the rows match add_when
      pivot      {"x": column, "y": column, "fill": number}: an image, rows y ascending,
                 columns x ascending (row-major)
      mode       "equal" (default: same count, same values) or "subset" (every plotted
                 value is one of the derived values or of `extra`)
    """
    gid = f"s{len(_registry(fig))}"
    artist.set_gid(gid)
    spec = {}
    for coord, s in sources.items():
        s = dict(s)
        if "file" in s:
            s["file"] = os.fspath(Path(s["file"]).resolve())
        spec[coord] = s
    _registry(fig)[gid] = spec
    return artist


def _registry(fig):
    if not hasattr(fig, "_seedsoil_sources"):
        fig._seedsoil_sources = {}
    return fig._seedsoil_sources


def _num(a):
    a = np.ma.filled(np.ma.asarray(a, dtype=float), np.nan).ravel()
    return a


def _json_float(v):
    v = float(v)
    return v if math.isfinite(v) else None


def digest(values):
    """Count, finite count, first/last value, sum/min/max of the finite values, and every
    value when there are at most FULL_MAX (NaN as null)."""
    a = _num(values)
    fin = a[np.isfinite(a)]
    d = {
        "n": int(a.size),
        "finite": int(fin.size),
        "first": _json_float(a[0]) if a.size else None,
        "last": _json_float(a[-1]) if a.size else None,
        "sum": _json_float(fin.sum()) if fin.size else None,
        "min": _json_float(fin.min()) if fin.size else None,
        "max": _json_float(fin.max()) if fin.size else None,
    }
    if a.size <= FULL_MAX:
        d["values"] = [_json_float(v) for v in a]
    return d


def figure_data(fig, source_folder=None, footer=None):
    """The data of every axes of `fig` (see the module docs) as a JSON-ready dict."""
    reg = _registry(fig)
    axes = []
    for i, ax in enumerate(fig.axes):
        series = []
        for art in list(ax.lines) + list(ax.collections) + list(ax.images):
            gid = art.get_gid()
            entry = {"type": type(art).__name__, "label": str(art.get_label())}
            if isinstance(art, Line2D):
                xy = np.asarray(art.get_xydata(), dtype=float).reshape(-1, 2)
                data = {"x": xy[:, 0], "y": xy[:, 1]}
                entry["style"] = {"color": to_hex(art.get_color(), keep_alpha=False),
                                  "marker": str(art.get_marker()),
                                  "markerfacecolor": to_hex(art.get_markerfacecolor(), keep_alpha=False)}
            elif isinstance(art, PathCollection):
                xy = np.asarray(art.get_offsets(), dtype=float).reshape(-1, 2)
                data = {"x": xy[:, 0], "y": xy[:, 1]}
            elif isinstance(art, AxesImage):
                data = {"array": art.get_array()}
                entry["shape"] = list(np.shape(art.get_array()))
                entry["cmap"] = art.get_cmap().name
                entry["norm"] = type(art.norm).__name__
            elif isinstance(art, PolyCollection):
                paths = art.get_paths()
                v = np.concatenate([p.vertices for p in paths]) if paths else np.zeros((0, 2))
                data = {"x": v[:, 0], "y": v[:, 1]}
            else:
                continue
            if gid in reg:
                entry["id"] = gid
                entry["data"] = {k: digest(v) for k, v in data.items()}
                entry["source"] = reg[gid]
            else:
                entry["data"] = {k: {"n": int(np.size(v))} for k, v in data.items()}
            series.append(entry)
        axes.append({"index": i, "title": ax.get_title(), "xlabel": ax.get_xlabel(),
                     "ylabel": ax.get_ylabel(), "xlim": [float(v) for v in ax.get_xlim()],
                     "ylim": [float(v) for v in ax.get_ylim()], "xscale": ax.get_xscale(),
                     "yscale": ax.get_yscale(), "series": series})
    return {"format": 1, "folder": os.fspath(Path(source_folder).resolve()) if source_folder else None,
            "provenance": footer, "axes": axes}


def therapy_intervals(primary):
    """{column: [(start_day, end_day), ...]} for each *_on column that is ever on."""
    out = {}
    days = primary["day"].to_numpy()
    for col in [c for c in primary.columns if c.endswith("_on")]:
        on = pd.to_numeric(primary[col], errors="coerce").fillna(0).to_numpy() > 0
        if not on.any():
            continue
        spans = []
        i = 0
        while i < len(on):
            if on[i]:
                j = i
                while j + 1 < len(on) and on[j + 1]:
                    j += 1
                # the exposure lasts until the next sample
                end = days[j + 1] if j + 1 < len(days) else days[j]
                spans.append((days[i], end))
                i = j + 1
            else:
                i += 1
        out[col] = spans
    return out


def therapy_windows(cfg, until=None):
    """{"<kind>_on": [(start_day, end_day), ...]} from the [[therapy]] tables of a config
    (cycles every interval_days, each lasting duration_days; 0 for instant kinds); only
    windows that start by day `until` (default: run.days), cut there."""
    if until is None:
        until = float(cfg.get("run", {}).get("days", float("inf")))
    out = {}
    for t in cfg.get("therapy", []) or []:
        kind = str(t.get("kind", "?"))
        start = float(t.get("start_day", 0.0))
        dur = float(t.get("duration_days", 0.0))
        step = float(t.get("interval_days", 0.0))
        for c in range(int(t.get("cycles", 1))):
            a = start + c * step
            if a <= until:
                out.setdefault(f"{kind}_on", []).append((a, min(a + dur, until)))
    return out


def shade(ax, intervals, label=True):
    """Shade each exposure window; an instant one (surgery, a radiation fraction) is a
    dash-dotted vertical line."""
    for col, spans in intervals.items():
        name = col[: -len("_on")].replace("_", " ")
        c = THERAPY_COLOURS.get(col, "#999999")
        for k, (a, b) in enumerate(spans):
            lab = f"{name}" + (" on" if b > a else "") if (label and k == 0) else None
            if b > a:
                ax.axvspan(a, b, color=c, alpha=0.18, lw=0, label=lab)
            else:
                ax.axvline(a, color=c, lw=1.3, ls="-.", alpha=0.8, label=lab)


def _plain(o):
    """JSON for numpy scalars and arrays, and paths."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def param_labels(keys):
    """{key: "symbol (unit) — key"} from `seedsoil params --format json` (the binary in
    $SEEDSOIL, else `seedsoil` on PATH); the bare key when unavailable."""
    import shutil
    import subprocess

    out = {k: k for k in keys}
    exe = os.environ.get("SEEDSOIL") or shutil.which("seedsoil")
    if not exe:
        return out
    try:
        r = subprocess.run([exe, "params", "--format", "json"], capture_output=True, text=True,
                           timeout=30, check=True)
        rows = {row["key"]: row for row in json.loads(r.stdout)}
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return out
    for k in keys:
        row = rows.get(k)
        if not row:
            continue
        sym = row.get("symbol") or "–"
        unit = row.get("unit") or "–"
        head = k if sym == "–" else sym
        unit_part = "" if unit == "–" else f" ({unit})"
        out[k] = f"{head}{unit_part} — {k}" if sym != "–" else f"{k}{unit_part}"
    return out


class Saver:
    """Saves figures as PNG (and PDF with --pdf) with the provenance footer and the
    embedded data, and remembers what was written."""

    def __init__(self, out, pdf, folder=None):
        self.out = out
        self.pdf = pdf
        self.folder = folder
        self.footer = provenance(folder) if folder is not None else None
        self.written = []

    def footer_lines(self, fig):
        """The footer wrapped to the figure's width ([] without one)."""
        return textwrap.wrap(self.footer, max(40, int(fig.get_figwidth() * 19))) if self.footer else []

    def footer_height(self, fig):
        """The share of the figure's height that save() keeps clear for the footer."""
        lines = self.footer_lines(fig)
        return (len(lines) * 6.5 * 1.25 + 3) / (fig.get_figheight() * 72) if lines else 0.0

    def layout(self, fig):
        """Lay `fig` out as save() will (tight layout above the footer), e.g. to place
        text by its extent on screen before saving."""
        fig.tight_layout(rect=(0, self.footer_height(fig), 1, 1))

    def save(self, fig, name):
        bottom = 0.0
        if self.footer:
            # wrapped to the figure's width; the layout keeps clear of it
            lines = self.footer_lines(fig)
            fig.text(0.005, 0.004, "\n".join(lines), fontsize=6.5, color="#777777",
                     ha="left", va="bottom")
            bottom = self.footer_height(fig)
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.set(rect=(0, bottom, 1, 1 - bottom))
        else:
            fig.tight_layout(rect=(0, bottom, 1, 1))
        png = self.out / f"{name}.png"
        data = json.dumps(figure_data(fig, self.folder, self.footer), separators=(",", ":"), allow_nan=False,
                          default=_plain)
        fig.savefig(png, metadata={DATA_KEY: data})
        self.written.append(png)
        if self.pdf:
            pdf = self.out / f"{name}.pdf"
            fig.savefig(pdf)
            self.written.append(pdf)
        plt.close(fig)

    def skip(self, name, why):
        print(f"skipped {name}.png: {why}", file=sys.stderr)

    def report(self):
        for f in self.written:
            print(os.fspath(f))
