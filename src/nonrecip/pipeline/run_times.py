"""The run time of every heavy job of a run, from Snakemake's ``benchmark:`` records (HTML report item).

Snakemake writes one tab-separated record per job (``s`` wall seconds, ``cpu_time`` seconds,
``max_rss`` MB, ``mean_load`` per cent of one core, ...). This table lists them, slowest first,
so a user sees where the time of a run went and how much memory each job needed.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Sequence

__all__ = ["read_benchmark", "run_times_html"]

_COLUMNS = (("s", "wall s"), ("cpu_time", "CPU s"), ("max_rss", "peak RSS (MB)"), ("mean_load", "mean load (%)"))


def read_benchmark(path: str | Path) -> dict[str, float]:
    """The last record of one Snakemake benchmark file, numbers as floats (NaN where "-")."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if not rows:
        raise ValueError(f"{path}: no benchmark record")

    def number(text):
        try:
            return float(text)
        except (TypeError, ValueError):
            return float("nan")

    return {key: number(value) for key, value in rows[-1].items() if key != "h:m:s"}


def run_times_html(paths: Sequence[str | Path], root: str | Path) -> str:
    """An HTML table of the benchmark records ``paths`` (job names relative to ``root``), slowest first."""
    root = Path(root)
    records = [(Path(p).relative_to(root).with_suffix("").as_posix(), read_benchmark(p)) for p in paths]
    records.sort(key=lambda item: -item[1].get("s", 0.0))
    total = sum(r.get("s", 0.0) for _, r in records)
    cpu = sum(r.get("cpu_time", 0.0) for _, r in records if r.get("cpu_time") == r.get("cpu_time"))
    head = "".join(f"<th>{label}</th>" for _, label in _COLUMNS)
    rows = "\n".join(
        f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td>{r.get(key, float('nan')):.1f}</td>" for key, _ in _COLUMNS)
        + "</tr>" for name, r in records)
    return (f"<h2>Run times of the heavy jobs</h2>\n<p>{len(records)} jobs, {total:.0f} s wall and {cpu:.0f} s CPU "
            "in all (jobs ran in parallel: the run itself took less wall time). Measured by Snakemake's "
            "<code>benchmark:</code> directive.</p>\n"
            f"<table>\n<tr><th>job</th>{head}</tr>\n{rows}\n</table>\n")
