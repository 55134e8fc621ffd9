#!/usr/bin/env python3
"""Plot the lattice and cytokine-field snapshots of one seedsoil run.

Reads RUN_DIR/snapshots/lattice_day<D>.csv (x,y[,z],kind,...), fields_day<D>.csv
(x,y[,z],il6_ng_ml,cxcl7_ng_ml) and, if present, mscs_day<D>.csv, and writes, into
--out (default RUN_DIR/plots), one figure per snapshot day:
  snapshot_day<D>.png  the cells coloured by kind (CSC, progenitor, differentiated; MSCs
                       as open circles) next to the IL6 and CXCL7 fields (ng/mL)
3D snapshots are shown as the central z slice. Snapshots are written when the run's
config has output.snapshot_days, e.g.
  seedsoil run --days 20 --set output.snapshot_days=[10.0,20.0] -o runs/r

Example:
  python3 scripts/plot_snapshot.py runs/r
"""

import re
import sys

import numpy as np
import pandas as pd

import plotlib
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from plotlib import KIND_COLOURS, plt

KIND_ORDER = [("differentiated", "differentiated"), ("progenitor", "progenitor"), ("csc", "CSC")]
FIELDS = [("il6_ng_ml", "IL6"), ("cxcl7_ng_ml", "CXCL7")]


def central_slice(df):
    if "z" in df.columns and df["z"].nunique() > 1:
        zs = np.sort(df["z"].unique())
        z0 = zs[len(zs) // 2]
        return df[df["z"] == z0], z0
    return df, None


def kind_key(k):
    k = str(k).strip().lower()
    return "csc" if k in ("csc", "stem", "0") else k


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "run folder containing snapshots/")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    args = p.parse_args()
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf)

    snap = args.input / "snapshots"
    if not snap.is_dir():
        sys.exit(f"error: {snap} not found (run with output.snapshot_days set)")
    days = {}
    for f in snap.glob("lattice_day*.csv"):
        m = re.fullmatch(r"lattice_day(.+)\.csv", f.name)
        if m:
            days[m.group(1)] = f
    if not days:
        sys.exit(f"error: no lattice_day<D>.csv in {snap}")

    def order(d):
        try:
            return float(d)
        except ValueError:
            return float("inf")

    for d in sorted(days, key=order):
        lat, z0 = central_slice(pd.read_csv(days[d]))
        fpath = snap / f"fields_day{d}.csv"
        fields = central_slice(pd.read_csv(fpath))[0] if fpath.is_file() else None
        fcols = [(c, n) for c, n in FIELDS if fields is not None and c in fields.columns]
        n = 1 + len(fcols)
        fig, axes = plt.subplots(1, n, figsize=(5.2 * n + 0.6, 5.8), squeeze=False)
        ax = axes[0][0]
        lat = lat.assign(k=lat["kind"].map(kind_key))
        # raster of the lattice: 0 empty, then one code per kind
        x0, x1 = int(lat["x"].min()) - 2, int(lat["x"].max()) + 2
        y0, y1 = int(lat["y"].min()) - 2, int(lat["y"].max()) + 2
        img = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.int8)
        handles = []
        for code, (key, label) in enumerate(KIND_ORDER, start=1):
            c = lat[lat["k"] == key]
            img[c["y"].to_numpy(int) - y0, c["x"].to_numpy(int) - x0] = code
            handles.append(Patch(color=KIND_COLOURS[key], label=f"{label} ({len(c)})"))
        cmap = ListedColormap(["#FFFFFF"] + [KIND_COLOURS[k] for k, _ in KIND_ORDER])
        ax.imshow(img, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(KIND_ORDER) + 0.5,
                  interpolation="nearest", extent=(x0 - 0.5, x1 + 0.5, y0 - 0.5, y1 + 0.5))
        ax.grid(False)
        mpath = snap / f"mscs_day{d}.csv"
        if mpath.is_file():
            ms = central_slice(pd.read_csv(mpath))[0]
            if len(ms):
                h = ax.scatter(ms["x"], ms["y"], s=12, facecolors="none", edgecolors="#000000",
                               lw=0.6, label=f"MSC ({len(ms)})")
                handles.append(h)
        ax.set_aspect("equal")
        ax.set_xlabel("x (lattice sites)")
        ax.set_ylabel("y (lattice sites)")
        title = f"cells, day {d}" + (f" (z = {z0})" if z0 is not None else "")
        ax.set_title(title)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                  fontsize=10, frameon=False)
        for ax, (col, name) in zip(axes[0][1:], fcols):
            grid = fields.pivot_table(index="y", columns="x", values=col, aggfunc="mean")
            xs, ys = grid.columns.to_numpy(), grid.index.to_numpy()
            dx = (xs[1] - xs[0]) if len(xs) > 1 else 1
            dy = (ys[1] - ys[0]) if len(ys) > 1 else 1
            im = ax.imshow(grid.to_numpy(), origin="lower", cmap="cividis", aspect="equal",
                           extent=(xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2))
            ax.grid(False)
            cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
            cb.set_label(f"{name} (ng/mL)")
            ax.set_xlabel("x (lattice sites)")
            ax.set_ylabel("y (lattice sites)")
            ax.set_title(f"{name}, day {d}")
        saver.save(fig, f"snapshot_day{d}")

    saver.report()


if __name__ == "__main__":
    main()
