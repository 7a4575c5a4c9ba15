"""Matplotlib helpers shared by every figure: headless backend, style, multi-format save."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plt", "save_figure", "STYLE"]

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.labelsize": 11,
    "axes.titlesize": 11,
    "legend.fontsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
plt.rcParams.update(STYLE)


def save_figure(fig, outdir: str | os.PathLike, name: str, formats: Iterable[str] = ("png", "pdf")) -> list[Path]:
    """Save ``fig`` as ``outdir/name.<ext>`` for each format (atomic: temp file + rename)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in formats:
        path = outdir / f"{name}.{ext}"
        tmp = outdir / f".{name}.tmp.{ext}"
        fig.savefig(tmp, bbox_inches="tight")
        os.replace(tmp, path)
        paths.append(path)
    plt.close(fig)
    return paths
