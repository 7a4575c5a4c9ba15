"""Benchmark: quantum-jump trajectories of paper E's emission at N = 12 and 16.

Setup: couplings from ``coupling_matrices(N, k0=0.03, spacing_nm=20, distance_nm=10,
model="integral")``, |e…e⟩, t ∈ [0, 10]/γ0 with 101 outputs (docs/theory/trajectories.md#cost).
For each N, in its own subprocess (clean peak RSS):

1. a pilot run measures the wall time per trajectory and the per-trajectory standard deviation
   σ_δ = SE·√n of δ_1N at the extremum of |δ_1N(t)|;
2. the number of trajectories for SE ≤ 0.02 γ0 there is n* = (σ_δ / 0.02)²;
3. if n* trajectories fit in ``--budget`` seconds (extrapolated), they are run and the
   achieved SE (and σ_δ re-measured from them) is recorded.

A short probe (t ∈ [0, 1], 4 trajectories) at ``--probe`` sizes records time and peak memory
at larger N.

Usage::

    .venv/bin/python benchmarks/emission_trajectories.py [--sizes 12 16] [--pilot 400 100]
        [--budget 240] [--probe 18] [--out benchmarks/emission_trajectories_results.jsonl]

The machine is shared: the load average before and after each case is recorded.
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

TARGET_SE = 0.02


def _one(N: int, pilot: int, budget: float, seed: int) -> dict:
    from nonrecip.emission.couplings import coupling_matrices
    from nonrecip.emission.solvers.trajectories import jump_trajectories

    ds = coupling_matrices(N, k0=0.03, spacing_nm=20, distance_nm=10, model="integral")
    J, g = ds["J"].values, ds["gamma"].values
    times = np.linspace(0.0, 10.0, 101)
    jump_trajectories(J[:3, :3], g[:3, :3], times[:5], n_trajectories=2, seed=0)  # numba kernels loaded
    before = machine_conditions()
    t0 = time.perf_counter()
    out = jump_trajectories(J, g, times, n_trajectories=pilot, seed=seed)
    wall = time.perf_counter() - t0
    i_ext = int(np.argmax(np.abs(out["delta"])))
    sigma = float(out["delta_stderr"][i_ext] * np.sqrt(pilot))
    need = int(np.ceil((sigma / TARGET_SE) ** 2))
    rec = {
        "N": N, "n_times": times.size, "pilot_trajectories": pilot, "pilot_wall_s": wall,
        "wall_s_per_trajectory": wall / pilot, "n_jumps_mean": out["info"]["n_jumps"],
        "max_norm_bound": out["info"]["max_norm_bound"], "chunk": out["info"]["chunk"],
        "delta_extremum_time": float(times[i_ext]), "delta_extremum": float(out["delta"][i_ext]),
        "delta_sigma_per_trajectory": sigma, "trajectories_for_se_0.02": need,
        "predicted_wall_s_for_se_0.02": need * wall / pilot, "conditions_before": before,
    }
    if need > pilot and need * wall / pilot <= budget:
        t0 = time.perf_counter()
        full = jump_trajectories(J, g, times, n_trajectories=need, seed=seed + 1)
        rec["full_wall_s"] = time.perf_counter() - t0
        rec["full_trajectories"] = need
        rec["full_delta_stderr_at_extremum"] = float(full["delta_stderr"][i_ext])
        sigma_full = float(full["delta_stderr"][i_ext] * np.sqrt(need))
        rec["full_delta_sigma_per_trajectory"] = sigma_full
        rec["trajectories_for_se_0.02_from_full"] = int(np.ceil((sigma_full / TARGET_SE) ** 2))
        j_ext = int(np.argmax(np.abs(full["delta"])))
        rec["full_delta_extremum"] = [float(times[j_ext]), float(full["delta"][j_ext]),
                                      float(full["delta_stderr"][j_ext])]
    rec["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    rec["conditions_after"] = machine_conditions()
    return rec


def _probe(N: int, t_end: float, n_traj: int) -> dict:
    """Memory and time of a short run at large N (peak RSS of this process)."""
    from nonrecip.emission.couplings import coupling_matrices
    from nonrecip.emission.solvers.trajectories import jump_trajectories

    ds = coupling_matrices(N, k0=0.03, spacing_nm=20, distance_nm=10, model="integral")
    times = np.linspace(0.0, t_end, 11)
    before = machine_conditions()
    t0 = time.perf_counter()
    out = jump_trajectories(ds["J"].values, ds["gamma"].values, times, n_trajectories=n_traj, seed=1)
    return {"probe": True, "N": N, "t_end": t_end, "n_times": times.size, "n_trajectories": n_traj,
            "wall_s": time.perf_counter() - t0, "n_jumps_mean": out["info"]["n_jumps"],
            "chunk": out["info"]["chunk"], "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "conditions_before": before, "conditions_after": machine_conditions()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 16])
    ap.add_argument("--pilot", type=int, nargs="+", default=[400, 100])
    ap.add_argument("--budget", type=float, default=240.0, help="seconds allowed for the SE ≤ 0.02 run")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "emission_trajectories_results.jsonl"))
    ap.add_argument("--probe", type=int, nargs="*", default=[18],
                    help="also a short memory probe (t ≤ 1, 4 trajectories) at these N")
    ap.add_argument("--one", type=int, nargs=2, metavar=("N", "PILOT"), help=argparse.SUPPRESS)
    ap.add_argument("--one-probe", type=int, metavar="N", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one[0], args.one[1], args.budget, args.seed)))
        return
    if args.one_probe:
        print(json.dumps(_probe(args.one_probe, 1.0, 4)))
        return
    cases = [["--one", str(N), str(p)] for N, p in zip(args.sizes, args.pilot)]
    cases += [["--one-probe", str(N)] for N in args.probe]
    for case in cases:
        N = int(case[1])
        res = subprocess.run([sys.executable, __file__, *case, "--budget", str(args.budget),
                              "--seed", str(args.seed)], capture_output=True, text=True)
        if res.returncode != 0:
            rec = {"N": N, "error": res.stderr[-2000:]}
        else:
            rec = json.loads(res.stdout.strip().splitlines()[-1])
        rec["benchmark"] = "emission_trajectories"
        print(json.dumps(rec))
        with open(args.out, "a") as fh:
            fh.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
