"""Benchmark: second- and third-order cumulant solvers of paper E's emission (docs/theory/cumulants.md#performance).

Setup: couplings from ``coupling_matrices(N, k0=k0, spacing_nm=20, distance_nm=10,
model="integral")``, |e…e⟩, 200 output times on t ∈ [0, 10]/γ0, default tolerances
(rtol = 1e-8, atol = 1e-10), solved by the public call ``emission_dynamics(J, gamma, times,
method="cumulant<order>")`` (C(t) is not stored). Cases ``order:N[:k0]`` (k0 default 0.03):
(2, 100), (2, 1000), (3, 100) by default; each runs in its own subprocess, so that its peak
resident memory (``ru_maxrss``) is its own. Recorded per case:
wall and CPU seconds of the solve (the coupling construction is timed separately), right-hand
sides, steps, peak RSS, and the machine conditions (nproc, load average, versions, date) before
and after. The machine is shared: the load average is part of every record.

Usage::

    .venv/bin/python benchmarks/emission_cumulants.py [--cases 2:100 2:1000:0.3 3:100] [--dense]
        [--out benchmarks/emission_cumulants_results.jsonl]

``--dense`` also times the dense-product (BLAS) path for order 2, i.e. with the Toeplitz/FFT
product switched off, as for couplings without translation invariance.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from conditions import machine_conditions


def _one(order: int, N: int, k0: float, toeplitz: bool) -> dict:
    from nonrecip.emission import CumulantOptions, coupling_matrices, emission_dynamics
    from nonrecip.emission.solvers.cumulants import cumulant_observables, second

    t0 = time.perf_counter()
    ds = coupling_matrices(N, k0=k0, spacing_nm=20, distance_nm=10, model="integral")
    J, g = ds["J"].values, ds["gamma"].values
    couplings_s = time.perf_counter() - t0
    times = np.linspace(0.0, 10.0, 200)
    before = machine_conditions()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if toeplitz:
        out = emission_dynamics(J, g, times, method=f"cumulant{order}", options=CumulantOptions())
        stats = dict(out.attrs)
        R_tot, delta = out.rate_total.values, out.delta.values
    else:  # the dense product, as for couplings without translation invariance
        R, _, stats = cumulant_observables(J, g, times, order=order, toeplitz=False)
        stats["method_options"] = "dense product"
        R_tot, delta = R.sum(axis=1), R[:, 0] - R[:, -1]
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "benchmark": "emission_cumulants", "order": order, "N": N, "n_times": len(times), "t_end": 10.0,
        "k0": k0, "spacing_nm": 20.0, "distance_nm": 10.0, "model": "integral",
        "toeplitz_fft": bool(stats["toeplitz_fft"]), "threaded_from_N": second.THREADED_PAIRS,
        "couplings_s": couplings_s, "lambda_max_gamma": float(ds["gamma_eigenvalues"].values[-1]),
        "wall_s": wall, "cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
        "n_rhs": int(stats["n_rhs"]), "n_steps": int(stats["n_steps"]),
        "n_variables": int(stats["n_variables"]), "method_options": stats["method_options"],
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "R_tot_max": float(R_tot.max()), "delta_1N_max_abs": float(np.abs(delta).max()),
        "conditions_before": before, "conditions_after": machine_conditions(),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["2:100", "2:1000", "3:100"])
    parser.add_argument("--dense", action="store_true")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "emission_cumulants_results.jsonl"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        order, N, k0, toeplitz = args.child.split(":")
        print(json.dumps(_one(int(order), int(N), float(k0), toeplitz == "1")))
        return
    runs = [(c, "1") for c in args.cases]
    if args.dense:
        runs += [(c, "0") for c in args.cases if c.startswith("2:")]
    for case, toeplitz in runs:
        order, N, k0 = (case.split(":") + ["0.03"])[:3]
        proc = subprocess.run([sys.executable, __file__, "--child", f"{order}:{N}:{k0}:{toeplitz}"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            record = {"benchmark": "emission_cumulants", "order": int(order), "N": int(N), "k0": float(k0),
                      "toeplitz_fft": toeplitz == "1",
                      "error": proc.stderr[-600:], "conditions_after": machine_conditions()}
        else:
            record = json.loads(proc.stdout.strip().splitlines()[-1])
        with open(args.out, "a") as fh:
            fh.write(json.dumps(record) + "\n")
        print(json.dumps({k: record.get(k) for k in ("order", "N", "k0", "toeplitz_fft", "wall_s", "cpu_s", "n_rhs",
                                                     "peak_rss_gb", "error")}), flush=True)


if __name__ == "__main__":
    main()
