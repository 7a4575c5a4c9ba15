"""Benchmark of the second-order cumulant emission solver (method="cumulant2").

Times δ_1N(t) on 200 output intervals, t ≤ 10/γ0, closed-form couplings at a_q = 20 nm, for the
given N and k0 (wall and CPU seconds, right-hand-side evaluations, peak resident memory), and
appends one JSON line per run to ``benchmarks/emission_cumulant2_results.jsonl`` with the
machine's conditions (cores, load average, library versions).

    .venv/bin/python benchmarks/emission_cumulant2.py --N 100 300 --k0 0.3 0.03 0.003
"""

import argparse
import datetime
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import scipy

from nonrecip.emission import coupling_matrices, emission_dynamics

OUT = Path(__file__).with_name("emission_cumulant2_results.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--k0", type=float, nargs="+", default=[0.3, 0.03, 0.003])
    args = parser.parse_args()
    times = np.linspace(0.0, 10.0, 201)
    for n in args.N:
        for k0 in args.k0:
            c = coupling_matrices(n, k0=k0, spacing_nm=20.0)
            load_before = os.getloadavg()[0]
            wall, cpu = time.perf_counter(), time.process_time()
            ds = emission_dynamics(c["J"].values, c["gamma"].values, times, method="cumulant2")
            record = {
                "benchmark": "cumulant2", "N": n, "k0": k0, "spacing_nm": 20.0, "n_times": times.size,
                "t_max": 10.0, "wall_s": round(time.perf_counter() - wall, 2),
                "cpu_s": round(time.process_time() - cpu, 2), "n_rhs": int(ds.attrs["n_rhs"]),
                "max_abs_delta": float(np.abs(ds["delta"]).max()),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "cores": os.cpu_count(), "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2), "numpy": np.__version__, "scipy": scipy.__version__,
                "python": platform.python_version(), "date": datetime.date.today().isoformat(),
            }
            print(json.dumps(record), flush=True)
            with OUT.open("a") as f:
                f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
