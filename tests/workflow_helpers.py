"""Helpers of the workflow tests: run snakemake, compare result trees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nonrecip.pipeline.compare import compare_trees

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
    """Variables that differ between the NetCDF trees (NaN == NaN), and files or variables in one only.

    Variables with the attribute ``role: timing`` (measured run times) are not compared.
    """
    problems, rows = compare_trees(dir_a, dir_b)
    return problems + [name for diff, name in rows if diff != 0]


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
