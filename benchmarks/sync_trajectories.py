"""Benchmark: monitored trajectories of paper S (docs/theory/sync.md#monitored-trajectories, #trajectory-results, #method-scaling).

Trajectories per second vs N for the cumulant (K = 2) SME (numba kernel, 27 moments, all
trajectories in one call) and the exact symmetric-space SME (sparse stacked product), at the
spec's trajectory point κ = Γ = 1, J = 4, w = 0.5, heterodyne, η = 1, from the inverted
state. Throughput is trajectories × (simulated 1/Γ) per CPU second; the cumulant step size
follows ``dt_max(N)`` (larger steps drop trajectories at large N).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/sync_trajectories.py [--quick]
"""

import argparse
import resource
import time

import numpy as np

from nonrecip.sync import SyncParams, trajectories
from nonrecip.sync.monitored.trajectories import dt_max


def timed(fn):
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    pt = SyncParams(kappa=1.0, J=4.0)
    trajectories(10, pt, n_traj=2, times=[0.0, 0.1], dt=0.01, seed=0)  # numba compile
    print("cumulant K=2 SME (dt <= dt_max(N), 64 trajectories, T = 100/Gamma)")
    print(f"{'N':>6} {'dt':>7} {'cpu s':>8} {'wall s':>8} {'traj*(1/Gamma) per cpu s':>26} {'us per traj-step':>18} {'dropped':>8}")
    T = 20.0 if args.quick else 100.0
    for N, dt in [(10, 0.005), (40, 0.005), (100, 0.0025), (300, 0.002), (1000, 0.001)]:
        assert dt <= dt_max(N)
        ds, cpu, wall = timed(lambda: trajectories(N, pt, n_traj=64, times=np.arange(0, T + 1e-9, 1.0),
                                                   dt=dt, seed=N))
        steps = 64 * T / dt
        print(f"{N:>6} {dt:>7.4f} {cpu:>8.2f} {wall:>8.2f} {64 * T / cpu:>26.0f} {1e6 * cpu / steps:>18.2f} "
              f"{int(ds.diverged.sum()):>8}")
    print("exact symmetric-space SME (dt = 0.02, 8 trajectories)")
    print(f"{'N':>6} {'dim':>8} {'T':>6} {'cpu s':>8} {'wall s':>8} {'traj*(1/Gamma) per cpu s':>26} {'ms per traj-step':>18}")
    for N, TT in [(3, 20.0), (6, 10.0), (8, 4.0), (10, 2.0)]:
        TT = TT / 4 if args.quick else TT
        trajectories(N, pt, n_traj=1, times=[0.0, 0.02], dt=0.02, seed=0, method="exact")  # build
        ds, cpu, wall = timed(lambda: trajectories(N, pt, n_traj=8, times=np.arange(0, TT + 1e-9, 0.5),
                                                   dt=0.02, seed=N, method="exact"))
        dim = int(ds.attrs["scheme"].split("dim ")[1].split(")")[0])
        steps = 8 * TT / 0.02
        print(f"{N:>6} {dim:>8} {TT:>6.1f} {cpu:>8.2f} {wall:>8.2f} {8 * TT / cpu:>26.1f} {1e3 * cpu / steps:>18.3f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
