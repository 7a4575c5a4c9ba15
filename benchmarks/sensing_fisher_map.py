"""Benchmark: the Fisher-information map F(k0, t) of the sensing proposal (docs/theory/sensing.md).

Case (issue goal on 2 cores): the joint-readout (M1) information and the QFI of ρ(t) over 40 k0
× 200 readout times at N = 9, all NVs excited, a_q = 20 nm, readout error 0.02, closed-form
couplings [≤ 60 s]. One ``sensing_information`` call per k0 (it returns M1…M4 and the QFI from
one forward solve and four shifted ones, Richardson derivative); the k0 values are split over
``--workers`` processes (spawned, one BLAS thread each; their start-up is inside the wall time). Recorded: wall and CPU seconds (all processes), the derivative's error
estimate, and the machine's conditions before and after.

Usage::

    .venv/bin/python benchmarks/sensing_fisher_map.py [--N 9] [--n-k0 40] [--n-times 200] [--workers 2]
        [--out benchmarks/sensing_fisher_map_results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from conditions import machine_conditions


def _one_thread():
    from nonrecip.runtime import limit_threads

    limit_threads(1)  # one BLAS thread per worker: the workers fill the cores


def _row(args):
    N, k0, times = args
    from nonrecip.sensing import SensorModel, sensing_information

    ds = sensing_information(SensorModel(N=N, k0=k0, readout_error=0.02), times)
    return ds["fisher_M1"].values, ds["qfi"].values, float(ds.attrs["derivative_error_estimate"])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=9)
    parser.add_argument("--n-k0", type=int, default=40)
    parser.add_argument("--n-times", type=int, default=200)
    parser.add_argument("--t-max", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "sensing_fisher_map_results.jsonl"))
    args = parser.parse_args(argv)
    k0s = np.concatenate([[0.0], np.geomspace(1e-4, 0.5, args.n_k0 - 1)])
    times = np.linspace(0.0, args.t_max, args.n_times)
    _row((3, 0.03, times[:5]))  # warm-up: numba compilation
    before = machine_conditions()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_one_thread) as pool:
        rows = list(pool.map(_row, [(args.N, float(k), times) for k in k0s]))
    wall = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    F1 = np.array([r[0] for r in rows])
    qfi = np.array([r[1] for r in rows])
    record = {"benchmark": "sensing_fisher_map", "N": args.N, "n_k0": len(k0s), "n_times": len(times),
              "t_max": args.t_max, "workers": args.workers, "wall_s": round(wall, 2),
              "cpu_s_children": round(children.ru_utime + children.ru_stime, 2),
              "max_derivative_error_estimate": max(r[2] for r in rows),
              "cfi_le_qfi": bool(np.all(F1[:, 1:] <= qfi[:, 1:] * (1 + 1e-9))),
              "max_F_M1": float(F1.max()), "conditions_before": before, "conditions_after": machine_conditions()}
    print(json.dumps(record))
    with open(args.out, "a") as fh:
        fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
