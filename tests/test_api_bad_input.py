"""Bad calls of the public Python API raise an error that names the offending argument.

No silent truncation or coercion (N = 3.7, "3" or True), no bare KeyError or MemoryError.
"""

import numpy as np
import pytest

from nonrecip.emission import (BlocksOptions, QutipOptions, YIG, coupling_matrices, emission_dynamics)
from nonrecip.emission import PairOptions, TrajectoryOptions
from nonrecip.emission import CumulantOptions as EmissionCumulantOptions
from nonrecip.sync import (CumulantOptions, ExactOptions, SyncParams, chirality_reversals, meanfield_phase_diagram,
                           spectrum, steady_state, trajectories)

T = np.linspace(0.0, 1.0, 5)
J2, G2 = np.zeros((2, 2)), np.eye(2)
MODEL = SyncParams(kappa=0.5, J=0.2)


def _traj(**kw):
    args = dict(N=4, model=MODEL, n_traj=2, times=[0.0, 0.1], dt=0.01, seed=0)
    args.update(kw)
    return trajectories(args.pop("N"), args.pop("model"), **args)


CALLS = [
    # coupling_matrices
    (lambda: coupling_matrices(3.7, k0=0.1), "N"),
    (lambda: coupling_matrices("3", k0=0.1), "N"),
    (lambda: coupling_matrices(True, k0=0.1), "N"),
    (lambda: coupling_matrices(0, k0=0.1), "N"),
    (lambda: coupling_matrices(3, k0=float("nan")), "k0"),
    (lambda: coupling_matrices(3, k0="0.1"), "k0"),
    (lambda: coupling_matrices(3, k0=0.1, spacing_nm=0.0), "spacing_nm"),
    (lambda: coupling_matrices(3, k0=0.1, spacing_nm=float("inf")), "spacing_nm"),
    (lambda: coupling_matrices(3, k0=0.1, f_J=-1.0), "f_J"),
    (lambda: coupling_matrices(3, k0=0.1, model="bessel"), "model"),
    (lambda: coupling_matrices(3, k0=0.1, distance_nm=2.0), "distance_nm"),
    (lambda: coupling_matrices(3, k0=0.1, model="integral", distance_nm=-1.0), "distance_nm"),
    (lambda: coupling_matrices(3, k0=0.1, film={"field_gauss": 400}), "film"),
    (lambda: YIG.with_overrides(field_gauss=500.0), "field_gauss"),
    # emission_dynamics
    (lambda: emission_dynamics(J2, -G2, T), "gamma"),
    (lambda: emission_dynamics(J2, np.diag([1.0, -1.0]), T), "gamma"),
    (lambda: emission_dynamics(J2, np.diag([1.0, -1.0]), T, method="qutip"), "gamma"),
    (lambda: emission_dynamics(np.array([[0, 1], [2, 0]]), G2, T), "J"),
    (lambda: emission_dynamics(J2, np.array([[1, 0.5j], [0.5j, 1]]), T), "gamma"),
    (lambda: emission_dynamics(J2, G2, T[::-1]), "times"),
    (lambda: emission_dynamics(J2, G2, [0.0]), "times"),
    (lambda: emission_dynamics(J2, G2, T, method="rk45"), "method"),
    (lambda: emission_dynamics(J2, G2, T, method="qutip", options=BlocksOptions()), "options"),
    (lambda: emission_dynamics(J2, G2, T, method="blocks", seed=3), "seed"),
    (lambda: emission_dynamics(J2, G2, T, method="cumulant2", n_trajectories=100), "n_trajectories"),
    (lambda: emission_dynamics(J2, G2, T, method="trajectories", n_trajectories=1.5), "n_trajectories"),
    (lambda: emission_dynamics(J2, G2, T, method="trajectories", seed=-1), "seed"),
    (lambda: emission_dynamics(J2, G2, T, method="trajectories", options=EmissionCumulantOptions(), seed=1), "options"),
    (lambda: emission_dynamics(J2, G2, T, method="cumulant2", options=TrajectoryOptions()), "options"),
    (lambda: EmissionCumulantOptions(rtol=0.0), "rtol"),
    (lambda: TrajectoryOptions(n_trajectories=1), "n_trajectories"),
    (lambda: TrajectoryOptions(backend="jax"), "backend"),
    (lambda: emission_dynamics(np.full((2, 2), np.nan), G2, T), "J and gamma"),
    (lambda: emission_dynamics(np.zeros((2, 3)), G2, T), "J and gamma"),
    # steady_state / spectrum
    (lambda: steady_state(3.5, MODEL), "N"),
    (lambda: steady_state(True, MODEL), "N"),
    (lambda: steady_state("4", MODEL), "N"),
    (lambda: steady_state(0, MODEL), "N"),
    (lambda: steady_state(40, MODEL, method="exact"), "N"),
    (lambda: steady_state(4, MODEL, method="cumulant3"), "method"),
    (lambda: steady_state(4, MODEL, method="exact", options=CumulantOptions()), "options"),
    (lambda: steady_state(4, {"kappa": 0.5, "J": 0.2}), "model"),
    (lambda: ExactOptions(linear_solver="lu"), "linear_solver"),
    (lambda: spectrum(4, [0.0, np.nan], MODEL), "omega"),
    (lambda: spectrum(4, [0.0], MODEL, method="fft"), "method"),
    (lambda: spectrum(4.5, [0.0], MODEL), "N"),
    # SyncParams
    (lambda: SyncParams(kappa=2.0, J=0.1), "Gamma"),
    (lambda: SyncParams(kappa=0.1, J=complex(np.nan, 0)), "J"),
    (lambda: SyncParams(kappa=0.1, J=0.1, w=-1.0), "w"),
    (lambda: SyncParams(kappa=0.1j, J=0.1), "kappa"),
    # trajectories
    (lambda: _traj(N=3.5), "N"),
    (lambda: _traj(n_traj=2.5), "n_traj"),
    (lambda: _traj(n_traj=0), "n_traj"),
    (lambda: _traj(seed=-1), "seed"),
    (lambda: _traj(seed=1.5), "seed"),
    (lambda: _traj(dt=float("nan")), "dt"),
    (lambda: _traj(dt=0.0), "dt"),
    (lambda: _traj(efficiency=1.5), "efficiency"),
    (lambda: _traj(theta=float("inf")), "theta"),
    (lambda: _traj(detection="photon"), "detection"),
    (lambda: _traj(method="rk4"), "method"),
    (lambda: _traj(model={"kappa": 0.5}), "model"),
    # option objects
    (lambda: QutipOptions(ode_method="rk45"), "ode_method"),
    (lambda: QutipOptions(rtol=0.0), "rtol"),
    (lambda: QutipOptions(max_steps=2.5), "max_steps"),
    (lambda: BlocksOptions(tol=0.0), "tol"),
    (lambda: BlocksOptions(backend="gpu"), "backend"),
    (lambda: BlocksOptions(scheme="rk4"), "scheme"),
    (lambda: BlocksOptions(max_memory_gb=float("nan")), "max_memory_gb"),
    (lambda: PairOptions(atol=-1.0), "atol"),
    (lambda: CumulantOptions(t_max=-1.0), "t_max"),
    # mean field and reversals
    (lambda: meanfield_phase_diagram(np.linspace(-1, 1, 20000), np.linspace(-2, 2, 20000)), "kappa, J, Delta"),
    (lambda: meanfield_phase_diagram([0.5], [0.2], seed=-1), "seed"),
    (lambda: meanfield_phase_diagram([0.5], [0.2], seed=1.5), "seed"),
    (lambda: chirality_reversals(_traj(), window=float("nan")), "window"),
    (lambda: chirality_reversals(_traj(), window=1.0, t_start="late"), "t_start"),
]


@pytest.mark.parametrize("call, name", CALLS, ids=[f"{i}-{n}" for i, (_, n) in enumerate(CALLS)])
def test_bad_call_names_the_argument(call, name):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert name in str(err.value), str(err.value)


def test_enough_bad_calls():
    assert len(CALLS) >= 40


def test_psd_tolerance_is_relative_to_the_matrix_scale():
    """Round-off below 1e-10 of the largest eigenvalue passes; a real negative eigenvalue does not."""
    big = 1e6 * np.array([[1.0, 1.0], [1.0, 1.0]])  # eigenvalues 0 and 2e6
    ok = big + np.diag([-1e-6, 0.0])  # smallest eigenvalue ~ -5e-7, i.e. -2.5e-13 of the scale
    ds = emission_dynamics(np.zeros((2, 2)), ok / 1e6, T, method="qutip", options=QutipOptions())
    assert np.all(np.isfinite(ds["rate"].values))
    with pytest.raises(ValueError, match="smallest eigenvalue"):
        emission_dynamics(np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, -1e-6]]), T)
