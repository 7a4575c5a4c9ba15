"""Benchmark: exact few-excitation dynamics and 2D arrays (docs/theory/baths.md#few-excitations).

Cases (issue goals on 2 cores in brackets), each through the public call
``array_emission(ChiralMagnet(k0=k0), positions, times, initial=...)`` with 200 output times on
t ∈ [0, 10]/γ0, closed-form couplings, a_q = 20 nm:

* ``one:N``  — one excitation on site 1 of an N-chain           [N = 1000: ≤ 10 s]
* ``two:N``  — two excitations on sites 1 and 2 of an N-chain   [N = 100: ≤ 5 min]
* ``lattice`` / ``chain9`` — all nine excited on a 3 × 3 lattice and on a 9-chain (full block
  solver)                                                        [lattice no slower than chain]

Each case runs in its own subprocess (its peak RSS is its own) after one untimed warm-up solve
of the same kind at small N (numba compilation, BLAS start-up). Recorded: wall and CPU seconds,
right-hand sides, peak RSS and the machine's conditions before and after.

Usage::

    .venv/bin/python benchmarks/emission_few_excitations.py [--cases one:1000 two:100 lattice chain9]
        [--k0 0.03 0.003] [--out benchmarks/emission_few_excitations_results.jsonl]
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


def _models(case: str, k0: float):
    from nonrecip.emission.baths import ChiralMagnet
    from nonrecip.emission.geometry import chain, lattice
    from nonrecip.emission.initial import excited_sites, single_excitation

    kind, _, n = case.partition(":")
    if kind == "one":
        N = int(n)
        return ChiralMagnet(k0=k0), chain(N, 20.0), single_excitation(N, 1)
    if kind == "two":
        N = int(n)
        return ChiralMagnet(k0=k0), chain(N, 20.0), excited_sites(N, [1, 2])
    if kind == "lattice":
        return ChiralMagnet(k0=k0), lattice(3, 3, 20.0), None
    return ChiralMagnet(k0=k0), chain(9, 20.0), None


def _one(case: str, k0: float) -> dict:
    from nonrecip.emission import array_emission

    times = np.linspace(0.0, 10.0, 200)
    warm = {"one": "one:20", "two": "two:10"}.get(case.partition(":")[0], case)
    array_emission(*_models(warm, k0)[:2], times, initial=_models(warm, k0)[2])
    bath, pos, initial = _models(case, k0)
    before = machine_conditions()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    ds = array_emission(bath, pos, times, initial=initial)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"benchmark": "emission_few_excitations", "case": case, "N": len(pos), "k0": k0,
            "initial": ds.attrs["initial_state"], "solver": ds.attrs.get("solver", "blocks (all manifolds)"),
            "n_times": len(times), "t_end": 10.0, "wall_s": round(wall, 3),
            "cpu_s": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 3),
            "n_rhs": int(ds.attrs["n_rhs"]), "max_abs_delta_x": float(np.abs(ds.delta_x).max()),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "conditions_before": before, "conditions_after": machine_conditions()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["one:1000", "two:100", "lattice", "chain9"])
    parser.add_argument("--k0", nargs="+", type=float, default=[0.03, 0.003])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "emission_few_excitations_results.jsonl"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child[0], float(args.child[1]))))
        return
    for case in args.cases:
        for k0 in args.k0:
            out = subprocess.run([sys.executable, __file__, "--child", case, str(k0)], capture_output=True, text=True,
                                 check=True)
            record = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{case:9s} k0={k0:<6g} N={record['N']:5d} wall {record['wall_s']:8.2f} s, cpu {record['cpu_s']:8.2f} s, "
                  f"rhs {record['n_rhs']}, RSS {record['peak_rss_mb']} MB, load {record['conditions_before']['loadavg'][0]:.2f}")
            with open(args.out, "a") as fh:
                fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
