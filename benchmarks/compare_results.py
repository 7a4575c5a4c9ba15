"""Compare every NetCDF file of two result trees (e.g. ``make figures`` before and after a change).

    python benchmarks/compare_results.py OLD_RESULTS NEW_RESULTS [--rtol 1e-12]

For each data variable (and coordinate) present in both trees the largest relative difference
|a − b| / max(|a|, |b|, tiny) is reported; NaN equals NaN. Variables whose attribute ``role`` is
``timing`` (measured run times) are skipped. Exit status 1 when a file is missing from one tree,
a variable is missing, a shape differs, or a difference exceeds ``--rtol``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import xarray as xr


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
        with xr.open_dataset(old / files_old[rel]) as a, xr.open_dataset(new / rel) as b:
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--rtol", type=float, default=1e-12)
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                        help="a file renamed between the trees (paths relative to the tree)")
    args = parser.parse_args(argv)
    problems, rows = compare_trees(args.old, args.new, dict(r.split("=", 1) for r in args.rename))
    rows.sort(reverse=True)
    worst = rows[0] if rows else (0.0, "-")
    over = [r for r in rows if not r[0] <= args.rtol]
    print(f"{len(rows)} variables compared in {len({r[1].split(':')[0] for r in rows})} files; "
          f"largest relative difference {worst[0]:.3e} ({worst[1]})")
    for diff, name in over:
        print(f"  DIFFERS {diff:.3e} {name}")
    for p in problems:
        print(f"  PROBLEM {p}")
    return 1 if problems or over else 0


if __name__ == "__main__":
    sys.exit(main())
