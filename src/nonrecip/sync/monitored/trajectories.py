"""Conditional quantum trajectories of paper S under continuous monitoring (docs/theory/sync.md#monitored-trajectories, Figs. S8–S11).

Public function :func:`trajectories`: heterodyne or homodyne detection (efficiency η,
local-oscillator phase θ) of the collective output c̃ = −i√Γ_m (S_A^- + S_B^-) in the adiabatic
limit of docs/theory/sync.md Eqs. (22)–(23), with Γ_m = (Γ + κ)/2 the microscopic rate of the monitored
channel D[S_A^- + S_B^-] of docs/theory/sync.md Eq. (5) [chosen generalisation; Γ_m = Γ for Γ = κ].

Methods: ``"cumulant2"`` — second-order cumulant SME, 27 moments of all U(1) charges
(docs/theory/sync.md Eqs. 32, 36–37; :mod:`nonrecip.sync.monitored.cumulant_sme`), any N; ``"exact"`` — exact
conditional state in the permutation-symmetric space (:mod:`nonrecip.sync.monitored.exact_sme`), N ≲ 10.
Both use Euler–Maruyama (weak order 1) with the given time step from the fully inverted
product state at t = 0; all trajectories of an ensemble are integrated together.

Noise: a NumPy ``PCG64`` generator seeded with ``seed`` draws, per step, dZ = (dW₁ + i dW₂)/√2
(heterodyne) or dW (homodyne) for every trajectory in step-major order; the seed and the
generator are stored in the dataset attributes, so an ensemble is reproducible.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import xarray as xr

from nonrecip.sync.model import SyncParams, require_model
from nonrecip.validate import integer, real
from nonrecip.sync.monitored.cumulant_sme import run_sme, sme_model
from nonrecip.sync.monitored.exact_sme import exact_sme, run_exact

log = logging.getLogger(__name__)

__all__ = ["trajectories", "dt_max", "DETECTIONS", "TRAJECTORY_METHODS", "INITIAL_STATES", "N_EXACT_MAX"]

DETECTIONS = ("heterodyne", "homodyne")
TRAJECTORY_METHODS = ("cumulant2", "exact")
INITIAL_STATES = ("inverted", "random_phase")
#: largest N of the exact method (state dimension C(N+3,3)² = 81 796 at N = 10, 207 025 at 12)
N_EXACT_MAX = 12


def dt_max(N: int) -> float:
    """Largest recommended Euler–Maruyama step of the cumulant SME, min(0.01, 0.035/√N) (1/Γ)."""
    return min(0.01, 0.035 / np.sqrt(N))


def _steps(times: np.ndarray, dt: float) -> np.ndarray:
    """Number of steps before each output time; times must lie on the dt grid."""
    grid = np.concatenate([[0.0], times])
    n = np.rint(np.diff(grid) / dt)
    if np.any(np.abs(np.diff(grid) - n * dt) > 1e-6 * dt):
        raise ValueError("times must be multiples of dt (the output times lie on the step grid)")
    return n.astype(np.int64)


def _noise_fn(detection: str, theta: float, dt: float):
    sdt = np.sqrt(dt)
    if detection == "heterodyne":
        def noise(rng, m, k):
            dZ = (rng.standard_normal((m, k)) + 1j * rng.standard_normal((m, k))) * (sdt / np.sqrt(2))
            return np.conj(dZ), dZ
    else:
        ph = np.exp(-1j * theta)

        def noise(rng, m, k):
            dW = rng.standard_normal((m, k)) * sdt
            return ph * dW, np.conj(ph) * dW
    return noise


def trajectories(N, model: SyncParams, *, detection="heterodyne", theta=0.0, efficiency=1.0, n_traj, times,
                 dt, seed, method="cumulant2", initial="inverted") -> xr.Dataset:
    """Ensemble of conditional trajectories under continuous monitoring (docs/theory/sync.md#monitored-trajectories, Figs. S8–S11).

    Parameters
    ----------
    N : int
        Spins per species (N ≥ 2; ``method="exact"``: N ≤ ``N_EXACT_MAX``).
    model : SyncParams
        Collective rates of Eqs. (1)–(7), (28) (J real or complex).
    detection : {"heterodyne", "homodyne"}
        docs/theory/sync.md Eq. (23): heterodyne (rotating LO, complex Wiener increment) or homodyne.
    theta : float
        Homodyne local-oscillator phase θ (measured operator c̃e^{−iθ} + h.c.); ignored for
        heterodyne.
    efficiency : float
        Detection efficiency η ∈ [0, 1]; η = 0 gives the unconditional (deterministic) evolution.
    n_traj : int
        Number of trajectories.
    times : 1-D array
        Increasing output times ≥ 0 (units of 1/Γ), on the grid of ``dt``.
    dt : float
        Euler–Maruyama time step (units of 1/Γ). Cumulant method: the superradiant transient
        from the inverted state needs dt ≲ ``dt_max(N)`` = min(0.01, 0.035/√N) (measured: at
        κ = Γ, J = 4Γ no trajectory of 32 dropped at N = 300 with dt = 0.002 and at N = 1000
        with 0.001, while 18/32 and 32/32 blew up at 0.005 and 0.002); a larger step is
        allowed but logged as a warning. Exact method: dt = 0.02 is stable to N = 10 (weak
        error of ⟨σ^z⟩ ≈ 1e-3 at N = 10).
    seed : int
        Seed of the noise generator (recorded in the attributes).
    method : {"cumulant2", "exact"}
    initial : {"inverted", "random_phase"}
        Initial product state: fully inverted (⟨σ^z⟩ = 1, default), or pure equatorial spins
        (⟨σ^z⟩ = 0, |⟨σ^-⟩| = 1/2) with independent uniformly random phases φ_A, φ_B per
        trajectory (drawn first from the seeded generator). The inverted state is invariant
        under the antiunitary U K (U = e^{iπ(S_A^z+S_B^z)}, K complex conjugation), which for
        Δ = 0, real J and homodyne detection is a symmetry of every conditional trajectory:
        the phases then stay pinned to the measured quadrature (φ_n = θ ± π/2) and no
        chirality can form; ``"random_phase"`` breaks it.

    Returns
    -------
    xarray.Dataset
        Complex ``s_A`` = ⟨σ^-_A⟩, ``s_B``, ``corr_AB`` = ⟨σ^+_Aσ^-_B⟩ (distinct spins); real
        ``z_A`` = ⟨σ^z_A⟩, ``z_B`` on ("trajectory", "time") (NaN after a trajectory diverged); boolean ``diverged`` on
        "trajectory". Attributes: the rates, N, method, detection, theta, efficiency, dt, seed,
        scheme, rng.
    """
    # convert
    N = integer("N", N, minimum=2)
    n_traj = integer("n_traj", n_traj, minimum=1)
    seed = integer("seed", seed, minimum=0)
    dt = real("dt", dt, minimum=0.0, exclusive_minimum=True)
    theta = real("theta", theta)
    efficiency = real("efficiency", efficiency, minimum=0.0, maximum=1.0)
    times = np.atleast_1d(np.asarray(times, dtype=float))
    # check
    if method not in TRAJECTORY_METHODS:
        raise ValueError(f"method must be one of {TRAJECTORY_METHODS}, got {method!r}")
    if detection not in DETECTIONS:
        raise ValueError(f"detection must be one of {DETECTIONS}, got {detection!r}")
    if N < 2:
        raise ValueError(f"N must be >= 2, got {N}")
    if method == "exact" and N > N_EXACT_MAX:
        raise ValueError(f"N must be <= {N_EXACT_MAX} for method='exact', got {N}")
    if n_traj < 1:
        raise ValueError(f"n_traj must be >= 1, got {n_traj}")
    if not (0.0 <= efficiency <= 1.0):
        raise ValueError(f"efficiency must lie in [0, 1], got {efficiency}")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be > 0, got {dt}")
    if not np.isfinite(theta):
        raise ValueError(f"theta must be finite, got {theta}")
    if times.ndim != 1 or not np.all(np.isfinite(times)) or times[0] < 0 or np.any(np.diff(times) <= 0):
        raise ValueError("times must be a finite, strictly increasing 1-D array starting at >= 0")
    if initial not in INITIAL_STATES:
        raise ValueError(f"initial must be one of {INITIAL_STATES}, got {initial!r}")
    steps = _steps(times, dt)
    if method == "cumulant2" and dt > dt_max(N) * (1 + 1e-9):
        log.warning("dt = %g exceeds dt_max(N=%d) = %.3g: expect diverged trajectories", dt, N, dt_max(N))
    model = require_model(model)
    params = model
    micro = params.microscopic(N)
    # dispatch (times are in units of the collective 1/Γ; microscopic rates are collective/N)
    rng = np.random.Generator(np.random.PCG64(seed))
    noise = _noise_fn(detection, theta, dt)
    init = None
    if initial == "random_phase":
        ph = rng.uniform(0.0, 2 * np.pi, size=(2, n_traj))
        init = (0.5 * np.exp(-1j * ph[0]), 0.5 * np.exp(-1j * ph[1]), np.zeros(n_traj), np.zeros(n_traj))
    if method == "cumulant2":
        sme = sme_model(N, micro)
        obs, alive = run_sme(sme, n_traj=n_traj, steps=steps, dt=dt, eta=efficiency, noise=noise, rng=rng,
                             initial=init)
        scheme = "Euler-Maruyama, 27 moments (all U(1) charges), Eq. (32) closure, <O^+> = <O>* enforced"
    else:
        sme = exact_sme(N, micro)
        obs, alive = run_exact(sme, n_traj=n_traj, steps=steps, dt=dt, eta=efficiency, noise=noise, rng=rng,
                               initial=init)
        scheme = f"Euler-Maruyama in the symmetric space (dim {sme.dim}), trace renormalised"
    dims = ("trajectory", "time")
    one = {"units": "1"}
    ds = xr.Dataset(
        {
            "s_A": (dims, obs[0], {**one, "long_name": "conditional coherence s_A = <sigma^-_A>"}),
            "s_B": (dims, obs[1], {**one, "long_name": "conditional coherence s_B = <sigma^-_B>"}),
            "z_A": (dims, obs[2].real, {**one, "long_name": "conditional population <sigma^z_A>"}),
            "z_B": (dims, obs[3].real, {**one, "long_name": "conditional population <sigma^z_B>"}),
            "corr_AB": (dims, obs[4], {**one, "long_name": "conditional correlation <sigma^+_A sigma^-_B>"}),
            "diverged": ("trajectory", ~alive, {**one, "long_name": "trajectory left the physical range (dropped)"}),
        },
        coords={
            "trajectory": ("trajectory", np.arange(n_traj), {**one, "long_name": "trajectory index"}),
            "time": ("time", times, {"units": "1/Gamma", "long_name": "time t"}),
        },
        attrs={
            **params.as_attrs(), "N": N, "method": method, "detection": detection,
            "theta": theta, "efficiency": efficiency, "dt": dt, "seed": seed,
            "rng": "numpy PCG64, step-major draws", "scheme": scheme,
            "method_options": json.dumps({"dt": dt, "scheme": scheme, "initial": initial}),
            "monitored_rate": 0.5 * (params.Gamma + params.kappa),
            "initial_state": initial,
        },
    )
    return ds
