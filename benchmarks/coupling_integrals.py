"""Cost and accuracy of the full-integral couplings (``nonrecip.emission.integrals``, docs/theory/emission.md#coupling-integral-evaluation).

Usage::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/coupling_integrals.py [--quick]

Prints markdown tables (results are recorded in ``benchmarks/README.md``, section
"Coupling integrals"):

1. CPU time of one call of ``integral_couplings`` for all signed separations of an N-chain
   (what ``coupling_matrices(model="integral")`` requests per grid point), with the node count
   chosen by measured convergence and the change at the last doubling;
2. accuracy against an independent nested-QUADPACK reference (QAWC at the pole, trapezoid in the
   angle about the circle centre, no near-field split), on the validation set of docs/theory/emission.md#coupling-integral-evaluation.
"""

from __future__ import annotations

import argparse
import math
import pathlib
import resource
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from test_integrals import qawc_principal_value  # noqa: E402  (the independent reference)

from nonrecip.emission.integrals import integral_couplings, principal_value_integral  # noqa: E402

A_NM = 1.2
KAPPA_SQ = 1.496e-5


def k1_of(k0):
    return math.sqrt(k0 * k0 + KAPPA_SQ)


def cpu_per_call(x, k0, d, repeats):
    k1 = k1_of(k0)
    best = math.inf
    for _ in range(repeats):
        t = time.process_time()
        _, _, info = integral_couplings(x, k0=k0, k1=k1, d=d, return_info=True)
        best = min(best, time.process_time() - t)
    return best, info


def timing_table(n_sites, spacing_nm, k0s, d_nms, repeats):
    lags = np.arange(-(n_sites - 1), n_sites) * (spacing_nm / A_NM)
    print(f"\n### N = {n_sites}, a_q = {spacing_nm} nm ({lags.size} signed separations)\n")
    print("| k0 | d [nm] | CPU ms / call | angular nodes | Δγ last doubling | ΔJ last doubling |")
    print("|---|---|---|---|---|---|")
    for k0 in k0s:
        for d_nm in d_nms:
            cpu, info = cpu_per_call(lags, k0, d_nm / A_NM, repeats)
            print(f"| {k0:g} | {d_nm:g} | {1e3 * cpu:.1f} | {info['angular_nodes']} | "
                  f"{info['convergence_delta_gamma']:.1e} | {info['convergence_delta_J']:.1e} |")


def accuracy_table():
    print("\n### Accuracy of P(x) against the nested-QUADPACK reference (docs/theory/emission.md#coupling-integral-evaluation validation set)\n")
    print("| k0 | d [nm] | x/a_q | P (this module) | relative difference | reference CPU s |")
    print("|---|---|---|---|---|---|")
    for k0 in (0.003, 0.05, 0.3):
        for d_nm in (1.0, 5.0):
            for n in (1, 3):
                k1, d, x = k1_of(k0), d_nm / A_NM, n * 20.0 / A_NM
                t = time.process_time()
                ref = qawc_principal_value(x, k0, k1, d)
                t_ref = time.process_time() - t
                got = principal_value_integral(np.array([x]), k0=k0, k1=k1, d=d)[0]
                print(f"| {k0:g} | {d_nm:g} | {n} | {got.real:.6e}{got.imag:+.6e}i | "
                      f"{abs(got - ref) / abs(ref):.1e} | {t_ref:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid, no accuracy table")
    args = parser.parse_args()
    t0 = time.process_time()
    if args.quick:
        timing_table(9, 20.0, (0.0, 0.003, 0.3), (1.0, 5.0), 1)
    else:
        timing_table(9, 20.0, (0.0, 1e-4, 0.003, 0.01, 0.05, 0.1, 0.3, 0.5), (0.1, 1.0, 2.0, 5.0, 10.0), 3)
        timing_table(12, 50.0, (0.0, 0.003, 0.05, 0.3), (1.0, 5.0), 3)
        print("\n### Small distances (cost grows like 1/d), N = 9, a_q = 20 nm\n")
        print("| k0 | d [nm] | CPU ms / call | angular nodes |")
        print("|---|---|---|---|")
        lags = np.arange(-8, 9) * (20.0 / A_NM)
        for k0 in (0.0, 0.003, 0.3):
            for d_nm in (0.03, 0.01):
                cpu, info = cpu_per_call(lags, k0, d_nm / A_NM, 1)
                print(f"| {k0:g} | {d_nm:g} | {1e3 * cpu:.1f} | {info['angular_nodes']} |")
        accuracy_table()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"\ntotal CPU {time.process_time() - t0:.1f} s, peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
