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

from nonrecip.pipeline.compare import compare_trees


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
