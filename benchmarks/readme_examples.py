"""Benchmark: the calls of the README's Python examples, timed exactly as written there.

Each case runs in its own subprocess (own peak RSS, cold caches of numba compiled once before
timing: the first call of a compiled kernel is timed separately as ``first_call_s``). Records
one JSON line per case in ``benchmarks/readme_examples_results.jsonl`` with the machine's
conditions (cores, load average before and after, library versions, thread settings).

Cases (README section "Use it from Python"):

* ``blocks9``: ``emission_dynamics(J, gamma, t)`` at N = 9, k0 = 0.003, a_q = 20 nm, 401 times on [0, 10];
* ``qutip9``: the same with ``method="qutip", options=QutipOptions(rtol=1e-8, atol=1e-8)``;
* ``cumulant2_300``: ``method="cumulant2"`` at N = 300, k0 = 0.03;
* ``trajectories12``: ``method="trajectories", n_trajectories=2000, seed=1`` at N = 12, k0 = 0.03.

Usage::

    .venv/bin/python benchmarks/readme_examples.py [--cases blocks9 qutip9 cumulant2_300 trajectories12]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from conditions import machine_conditions

OUT = Path(__file__).with_name("readme_examples_results.jsonl")

#: case -> (N, k0, emission_dynamics keywords as written in the README)
CASES = {
    "blocks9": (9, 0.003, {}),
    "qutip9": (9, 0.003, {"method": "qutip", "options": ("QutipOptions", {"rtol": 1e-8, "atol": 1e-8})}),
    "cumulant2_300": (300, 0.03, {"method": "cumulant2"}),
    "trajectories12": (12, 0.03, {"method": "trajectories", "n_trajectories": 2000, "seed": 1}),
}


def _one(case: str) -> dict:
    import numpy as np

    import nonrecip.emission as emission

    n, k0, keywords = CASES[case]
    keywords = dict(keywords)
    if "options" in keywords:
        cls, fields = keywords["options"]
        keywords["options"] = getattr(emission, cls)(**fields)
    c = emission.coupling_matrices(n, k0=k0, spacing_nm=20.0)
    t = np.linspace(0, 10, 401)
    J, g = c.J.values, c.gamma.values
    t0 = time.perf_counter()
    emission.emission_dynamics(J[:2, :2], g[:2, :2], t[:3], **keywords)  # compiles numba kernels
    first_call = time.perf_counter() - t0
    before = machine_conditions()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    ds = emission.emission_dynamics(J, g, t, **keywords)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"benchmark": "readme_examples", "case": case, "N": n, "k0": k0, "n_times": len(t),
            "method": ds.attrs["method"], "method_options": ds.attrs["method_options"],
            "first_call_s": first_call, "wall_s": wall,
            "cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "max_abs_delta": float(np.abs(ds.delta).max()),
            "conditions_before": before, "conditions_after": machine_conditions()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child)))
        return
    for case in args.cases:
        proc = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True)
        record = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else
                  {"benchmark": "readme_examples", "case": case, "error": proc.stderr[-600:]})
        with open(args.out, "a") as fh:
            fh.write(json.dumps(record) + "\n")
        print(json.dumps({k: record.get(k) for k in ("case", "wall_s", "cpu_s", "peak_rss_gb", "error")}), flush=True)


if __name__ == "__main__":
    main()
