"""Shared helpers for the seedsoil plotting scripts (style, palette, saving)."""

import argparse
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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
KIND_COLOURS = {
    "csc": "#D55E00",
    "progenitor": "#0072B2",
    "differentiated": "#009E73",
}
THERAPY_COLOURS = {
    "chemo_on": "#E69F00",
    "radiation_on": "#56B4E9",
    "surgery_on": "#000000",
    "anti_il6_on": "#CC79A7",
    "cxcr2_inhibitor_on": "#009E73",
    "anti_vegfr1_on": "#0072B2",
    "differentiation_on": "#F0E442",
}


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


class Saver:
    """Saves figures as PNG (and PDF with --pdf) and remembers what was written."""

    def __init__(self, out, pdf):
        self.out = out
        self.pdf = pdf
        self.written = []

    def save(self, fig, name):
        fig.tight_layout()
        png = self.out / f"{name}.png"
        fig.savefig(png)
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
