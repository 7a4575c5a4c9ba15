"""Benchmark: mean-field (κ, J) phase diagram of paper S (docs/theory/sync.md#phase-diagram).

Times the default 200×200 grid with two initial conditions to t = 2000/Γ with the compiled
per-point integrator (1 and 2 numba threads), against (a) a per-point ``solve_ivp`` loop and
(b) a plain vectorised fixed-step NumPy RK4 (dt = 0.025, the spec's scratch method), both
extrapolated from samples; and measures how the tolerance changes the results.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/sync_meanfield.py [--quick]
"""

import argparse
import resource
import time

import numpy as np
from scipy.integrate import solve_ivp

from nonrecip.sync.meanfield.solver import IntegratorOptions, meanfield_phase_diagram, random_initial


def timed(fn):
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - w


def rhs(t, x, kappa, J, w=0.5, G=1.0):
    sA, sB, zA, zB = x[0] + 1j * x[1], x[2] + 1j * x[3], x[4], x[5]
    fA, fB = G * sA + (kappa - J) * sB, G * sB + (kappa + J) * sA
    dA, dB = -w / 2 * sA + zA / 2 * fA, -w / 2 * sB + zB / 2 * fB
    return [dA.real, dA.imag, dB.real, dB.imag, w * (1 - zA) - 2 * (np.conj(sA) * fA).real,
            w * (1 - zB) - 2 * (np.conj(sB) * fB).real]


def numpy_rk4_rate(kappa, J, n_steps=200, dt=0.025):
    """Seconds per RK4 step of the whole grid (complex arrays, docs/theory/sync.md#phase-diagram scratch method)."""
    K, JJ = [a.ravel().repeat(2) for a in np.meshgrid(kappa, J, indexing="ij")]
    Y = random_initial(K.size // 2, 0)[0].reshape(-1, 6)
    sA, sB, z = Y[:, 0] + 1j * Y[:, 1], Y[:, 2] + 1j * Y[:, 3], Y[:, 4:].T.copy()
    x = np.stack([sA, sB, z[0] + 0j, z[1] + 0j])

    def f(x):
        fA, fB = x[0] + (K - JJ) * x[1], x[1] + (K + JJ) * x[0]
        return np.stack([-0.25 * x[0] + 0.5 * x[2].real * fA, -0.25 * x[1] + 0.5 * x[3].real * fB,
                         0.5 * (1 - x[2]) - 2 * (np.conj(x[0]) * fA).real, 0.5 * (1 - x[3]) - 2 * (np.conj(x[1]) * fB).real])

    c = time.process_time()
    for _ in range(n_steps):
        k1 = f(x); k2 = f(x + 0.5 * dt * k1); k3 = f(x + 0.5 * dt * k2); k4 = f(x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return (time.process_time() - c) / n_steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="50×50 grid instead of 200×200")
    args = ap.parse_args()
    import numba

    n = 50 if args.quick else 200
    kappa, J = np.linspace(-1, 1, n), np.linspace(-2, 2, n)
    meanfield_phase_diagram([0.3], [0.5], t_final=10.0)  # compile / load cache
    print(f"grid {n}x{n} x 2 ICs, t_final = 2000")
    for threads in (1, 2):
        numba.set_num_threads(threads)
        ds, cpu, wall = timed(lambda: meanfield_phase_diagram(kappa, J))
        print(f"  numba threads={threads}: CPU {cpu:.1f} s, wall {wall:.1f} s; "
              f"phases {np.bincount(ds.phase.values.ravel(), minlength=7).tolist()}; "
              f"stop reasons {np.bincount(ds.stop_reason.values.ravel(), minlength=4).tolist()}; "
              f"steps {int(ds.n_steps.sum())}, median stop time {float(ds.stop_time.median()):.0f}")
    numba.set_num_threads(1)
    rng = np.random.default_rng(0)
    sample = [(rng.uniform(-1, 1), rng.uniform(-2, 2)) for _ in range(8)]
    Y = random_initial(len(sample), 0)[0][:, 0]
    _, cpu, _ = timed(lambda: [solve_ivp(rhs, (0, 2000), y, args=p, rtol=1e-7, atol=1e-10) for p, y in zip(sample, Y)])
    print(f"  per-point solve_ivp RK45 (rtol 1e-7) loop: {cpu / len(sample) * 1e3:.0f} ms per run "
          f"-> {cpu / len(sample) * 2 * n * n:.0f} s CPU extrapolated to the grid")
    per_step = numpy_rk4_rate(kappa, J)
    print(f"  NumPy vectorised RK4 dt=0.025: {per_step * 1e3:.1f} ms per grid step -> "
          f"{per_step * 80000:.0f} s CPU extrapolated to t = 2000")
    # accuracy of the step control: tolerances vs a tight reference on the spec grid (81 x 101)
    k2, J2 = np.linspace(-1, 1, 41), np.linspace(-2, 2, 51)
    ref = meanfield_phase_diagram(k2, J2, options=IntegratorOptions(rtol=1e-10, atol=1e-13, eps_fp=1e-8))
    for rtol in (1e-5, 1e-6, 1e-7, 1e-8):
        ds, cpu, _ = timed(lambda: meanfield_phase_diagram(k2, J2, options=IntegratorOptions(rtol=rtol)))
        changed = int((ds.phase != ref.phase).sum())
        err_s = float(np.abs(ds.abs_s_A - ref.abs_s_A).max())
        err_w = float(np.abs(ds.frequency - ref.frequency).max())
        print(f"  rtol {rtol:g}: CPU {cpu:.2f} s (41x51), phases changed {changed}/{ref.phase.size}, "
              f"max |d<|s_A|>| {err_s:.1e}, max |d omega| {err_w:.1e}")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
