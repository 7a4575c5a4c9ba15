"""Parameter grids of the config: axes, points, chunks and time grids (NumPy only, cheap to import)."""

from __future__ import annotations

import itertools
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["GRID_DIMS", "DIM_ATTRS", "grid_axes", "grid_points", "chunk_points", "time_grid", "grid_values"]

GRID_DIMS = ("N", "k0", "spacing_nm", "distance_nm")
DIM_ATTRS = {
    "N": {"units": "1", "long_name": "number of qubits N"},
    "k0": {"units": "1/a", "long_name": "bath non-reciprocity k0 = D/J (a = film lattice constant)"},
    "spacing_nm": {"units": "nm", "long_name": "qubit spacing a_q"},
    "distance_nm": {"units": "nm", "long_name": "NV-film distance d (0: closed form, d -> 0)"},
}
def _axis(spec) -> list[float]:
    """A grid axis from a list or from ``{log_min, log_max, points_per_decade, include_zero}``."""
    if isinstance(spec, Mapping):
        n = int(round((spec["log_max"] - spec["log_min"]) * spec["points_per_decade"])) + 1
        values = list(np.logspace(spec["log_min"], spec["log_max"], n))
        extra = [float(v) for v in spec.get("include", [])]
        values = sorted(set(values) | set(extra))
        if spec.get("include_zero", False):
            values = [0.0] + values
        return [float(v) for v in values]
    return list(spec)


def grid_axes(sweep: Mapping[str, Any]) -> dict[str, list]:
    """The sorted, de-duplicated axis values of a sweep config, one entry per ``GRID_DIMS``."""
    axes = {}
    for dim in GRID_DIMS:
        values = _axis(sweep[dim])
        axes[dim] = sorted(dict.fromkeys(int(v) if dim == "N" else float(v) for v in values))
    return axes


def grid_points(sweep: Mapping[str, Any]) -> list[dict]:
    """All points of the grid as dicts ``{N, k0, spacing_nm, distance_nm}`` (C order)."""
    axes = grid_axes(sweep)
    return [dict(zip(GRID_DIMS, combo)) for combo in itertools.product(*axes.values())]


def chunk_points(points: Sequence[dict], size: int) -> list[list[dict]]:
    """Split points into chunks of at most ``size`` (one workflow job each)."""
    return [list(points[i:i + size]) for i in range(0, len(points), size)]


def time_grid(sweep: Mapping[str, Any]) -> np.ndarray:
    """Output times γ0 t ∈ [0, t_max] with ``n_times`` points."""
    return np.linspace(0.0, float(sweep["t_max"]), int(sweep["n_times"]))


def grid_values(spec) -> np.ndarray:
    """A 1-D grid from a list of values or from ``{start, stop, num}`` (inclusive)."""
    if isinstance(spec, Mapping):
        return np.linspace(spec["start"], spec["stop"], int(spec["num"]))
    return np.atleast_1d(np.asarray(spec, dtype=float))
