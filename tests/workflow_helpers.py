"""Helpers of the workflow tests: run snakemake, compare result trees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from nonrecip.io import read_dataset

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def run_snakemake(*args, timeout=1200, **kwargs):
    """Run snakemake in the repository (no lock: tests may run beside other snakemake calls)."""
    return subprocess.run([SNAKEMAKE, "--nolock", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def tiny_args(results_dir) -> list[str]:
    return ["--workflow-profile", "workflow/profiles/default", "--cores", "2",
            "--configfile", "config/test/tiny.yaml", "--config", f"results_dir={results_dir}"]


def data_differences(dir_a: Path, dir_b: Path) -> list[str]:
    """Data variables that differ between the NetCDF trees (NaN == NaN); missing files too.

    Variables with the attribute ``role: timing`` (measured run times) are not compared.
    """
    diffs = []
    files_a = {p.relative_to(dir_a) for p in dir_a.rglob("*.nc")}
    files_b = {p.relative_to(dir_b) for p in dir_b.rglob("*.nc")}
    diffs += [f"only in one run: {p}" for p in sorted(files_a ^ files_b)]
    for rel in sorted(files_a & files_b):
        a, b = read_dataset(dir_a / rel), read_dataset(dir_b / rel)
        for name in a.data_vars:
            if a[name].attrs.get("role") == "timing":
                continue
            va, vb = a[name].values, b[name].values
            same = va.shape == vb.shape and (
                np.array_equal(va, vb, equal_nan=True) if va.dtype.kind in "fc" else np.array_equal(va, vb))
            if not same:
                diffs.append(f"{rel}:{name}")
    return diffs


def incomplete_outputs() -> set[Path]:
    """Outputs snakemake has marked incomplete (job started, completion not recorded)."""
    import base64

    folder = REPO / ".snakemake" / "incomplete"
    out = set()
    for marker in folder.glob("*") if folder.exists() else []:
        try:
            out.add(Path(base64.b64decode(marker.name.encode()).decode()))
        except (ValueError, UnicodeDecodeError):
            continue
    return out
