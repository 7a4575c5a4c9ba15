"""Compare the NetCDF files of two result trees variable by variable (before/after a change, resumed runs).

NaN equals NaN and equal infinities are equal; variables whose attribute ``role`` is ``timing``
(measured run times) are skipped. Used by ``benchmarks/compare_results.py`` and the tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nonrecip.io import read_dataset

__all__ = ["relative_difference", "compare_trees"]


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a − b| / max(|a|, |b|) over the entries (0 where both are 0; NaN == NaN)."""
    if a.dtype.kind not in "fciub" or b.dtype.kind not in "fciub":
        return 0.0 if np.array_equal(a, b) else float("inf")
    a, b = np.asarray(a, dtype=complex), np.asarray(b, dtype=complex)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if np.any(nan_a != nan_b):
        return float("inf")
    same = (a == b) | nan_a  # equal entries, infinities included
    keep = ~same
    diff = np.abs(a[keep] - b[keep])
    scale = np.maximum(np.maximum(np.abs(a[keep]), np.abs(b[keep])), np.finfo(float).tiny)
    return float(np.max(diff / scale, initial=0.0))


def compare_trees(old: Path, new: Path, renames=None) -> tuple[list[str], list[tuple[float, str]]]:
    """Structural problems and (relative difference, 'file:variable') of every compared variable.

    ``renames`` maps a file of ``old`` (relative path) to its name in ``new``.
    """
    renames = dict(renames or {})
    problems, rows = [], []
    files_old = {Path(renames.get(str(p.relative_to(old)), p.relative_to(old))): p.relative_to(old)
                 for p in old.rglob("*.nc")}
    files_new = {p.relative_to(new) for p in new.rglob("*.nc")}
    problems += [f"only in {old}: {files_old[p]}" for p in sorted(set(files_old) - files_new)]
    problems += [f"only in {new}: {p}" for p in sorted(files_new - set(files_old))]
    for rel in sorted(set(files_old) & files_new):
        a, b = read_dataset(old / files_old[rel]), read_dataset(new / rel)
        for name in sorted(set(a.variables) | set(b.variables)):
            if name not in a.variables or name not in b.variables:
                problems.append(f"{rel}:{name} only in one tree")
                continue
            if a[name].attrs.get("role") == "timing":
                continue
            va, vb = _plain(a[name].values), _plain(b[name].values)
            if va.shape != vb.shape:
                problems.append(f"{rel}:{name} shape {va.shape} vs {vb.shape}")
                continue
            rows.append((relative_difference(va, vb), f"{rel}:{name}"))
    return problems, rows


def _plain(values: np.ndarray) -> np.ndarray:
    """Complex numbers stored as a compound {r, i} type -> complex array."""
    if values.dtype.names and set(values.dtype.names) == {"r", "i"}:
        return values["r"] + 1j * values["i"]
    return values
