"""Benchmark: exact steady state of paper S vs N (docs/theory/sync.md#symmetric-basis; docs/theory/solvers.md#solver-design-facts, paper S).

Each case runs in a fresh subprocess (single thread) so that CPU time (time.process_time) and
peak RSS belong to that case alone. Usage:

    .venv/bin/python benchmarks/sync_steady_state.py [--solver pardiso|splu] [--complex] N ...
    .venv/bin/python benchmarks/sync_steady_state.py --qutip 2 3      # full-space baseline

Parameters: sync point κ = 0.5, J = 0.2 (collective, Γ = 1, w = 0.5); ``--complex`` uses
J = 0.2 + 0.1i, Δ = 0.1 (general Hermitian real system of twice the size).
"""

import argparse
import json
import os
import subprocess
import sys

CASE = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
N = args["N"]
from nonrecip.sync.model import SyncParams
p = SyncParams(kappa=0.5, J=complex(*args["J"]), Delta=args["Delta"])
micro = p.microscopic(N)
t0, w0 = time.process_time(), time.time()
if args["qutip"]:
    import qutip as qt
    sys.path.insert(0, "tests")
    from _sync_fullspace import full_model
    L, site = full_model(N, N, **micro)
    rho = qt.steadystate(L)
    val, res, dim = qt.expect(site(qt.sigmaz(), 0), rho), float("nan"), L.shape[0]
else:
    from nonrecip.sync.symmetric.exact import exact_steady_state
    ss = exact_steady_state(N, N, micro, linear_solver=args["solver"])
    val, res, dim = ss.expect((0, 0, 1)).real, ss.residual, ss.sector.dim
print(json.dumps(dict(N=N, dim=dim, cpu_s=time.process_time() - t0, wall_s=time.time() - w0,
                      rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
                      residual=res, sz_A=val)))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("N", type=int, nargs="+")
    ap.add_argument("--solver", default="pardiso")
    ap.add_argument("--complex", action="store_true")
    ap.add_argument("--qutip", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for N in a.N:
        spec = dict(N=N, solver=a.solver, qutip=a.qutip,
                    J=[0.2, 0.1 if a.complex else 0.0], Delta=0.1 if a.complex else 0.0)
        try:
            out = subprocess.run([sys.executable, "-c", CASE, json.dumps(spec)], env=env,
                                 capture_output=True, text=True, timeout=a.timeout)
            line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-300:]
        except subprocess.TimeoutExpired:
            line = f"N={N}: timeout after {a.timeout} s"
        label = "qutip" if a.qutip else a.solver + ("/complex" if a.complex else "/real")
        print(label, line, flush=True)


if __name__ == "__main__":
    main()
