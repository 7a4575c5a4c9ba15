"""Emission dynamics of N qubits from the fully excited state (paper E Eqs. 1–3, 8, 22–29).

:func:`emission_dynamics` takes N×N coupling matrices (units of γ0), checks them, dispatches
to one numerical method through :data:`EMISSION_METHODS` and returns the labelled observables
with the method and the options actually used in ``attrs``. Methods (``method=``), each with
its frozen option object:

* ``"blocks"`` (:class:`BlocksOptions`) — the excitation-manifold block solver
  (:mod:`nonrecip.emission.solvers.blocks`), exact to its tolerance, the default;
* ``"qutip"`` (:class:`QutipOptions`) — QuTiP ``mesolve`` on the full 2^N space, the reference;
* ``"pair"`` (:class:`PairOptions`) — the closed N = 2 equations (22)–(26) with Eq. (29)
  (J^s = γ^a = 0 only);
* ``"cumulant2"``, ``"cumulant3"`` (:class:`CumulantOptions`) — second- and third-order cumulant
  expansions (docs/theory/cumulants.md), approximate, for N up to ~1000 (order 2) and ~85
  (order 3); their error is measured by the error map (docs/theory/large_arrays.md#error-map);
* ``"trajectories"`` (:class:`TrajectoryOptions`) — quantum-jump unravelling with collective
  jumps (docs/theory/large_arrays.md#methods-at-large-n), exact up to a statistical error
  that it reports as ``rate_stderr`` and ``delta_stderr``.

Every method but ``"pair"`` yields the correlations C_αβ(t) = ⟨σ⁺_α σ⁻_β⟩, from which
R_α = Re Σ_β γ_αβ C_αβ − Im Σ_β J_αβ C_αβ (docs/theory/emission.md#emission-rate).
"""

from __future__ import annotations

import json
import time as _time
from dataclasses import asdict, replace

import numpy as np
import xarray as xr

from nonrecip.emission.options import (BlocksOptions, CumulantOptions, PairOptions, QutipOptions,
                                       TrajectoryOptions)
from nonrecip.emission.initial import INITIAL_STATE_METHODS, InitialState
from nonrecip.emission.solvers.errors import SolverFailure
from nonrecip.emission.solvers.pair import pair_emission_rates
from nonrecip.log import get_logger
from nonrecip.methods import resolve_method
from nonrecip.validate import hermitian_psd, integer

__all__ = [
    "emission_dynamics", "rates_from_correlations", "pair_emission_rates", "SolverFailure",
    "BlocksOptions", "QutipOptions", "PairOptions", "CumulantOptions", "TrajectoryOptions", "EMISSION_METHODS",
]

_log = get_logger("emission.dynamics")


def rates_from_correlations(C, J, gamma):
    """Emission rates R_α(t) from C_αβ(t) (docs/theory/emission.md#emission-rate, paper E Eqs. 8–9).

    Parameters
    ----------
    C : array (T, N, N)
        C[t, α, β] = ⟨σ⁺_α σ⁻_β⟩.
    J, gamma : array (N, N)
        Couplings in units of γ0.

    Returns
    -------
    numpy.ndarray (T, N), real
    """
    return np.real(np.einsum("ab,tab->ta", gamma, C)) - np.imag(np.einsum("ab,tab->ta", J, C))


def _check_couplings(J, gamma):
    J = np.asarray(J, dtype=complex)
    gamma = np.asarray(gamma, dtype=complex)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or gamma.shape != J.shape:
        raise ValueError(f"J and gamma must be square N x N arrays of one shape, got {J.shape}, {gamma.shape}")
    if not (np.all(np.isfinite(J)) and np.all(np.isfinite(gamma))):
        raise ValueError("J and gamma must be finite")
    scale = max(1.0, np.abs(J).max(), np.abs(gamma).max())
    for name, M in (("J", J), ("gamma", gamma)):
        if np.abs(M - M.conj().T).max() > 1e-12 * scale:
            raise ValueError(f"{name} must be Hermitian (max |{name} - {name}^H| = {np.abs(M - M.conj().T).max():.2e})")
    hermitian_psd("gamma", 0.5 * (gamma + gamma.conj().T))
    return J, gamma


def _blocks(J, gamma, times, options: BlocksOptions, initial, store):
    if initial is not None and initial.max_excitations <= FEW_EXCITATIONS and initial.max_excitations < J.shape[0]:
        from nonrecip.emission.solvers.blocks.few import few_excitation_observables

        tol = min(options.tol, 1e-10) * 1e-2
        rates, population, C, info = few_excitation_observables(J, gamma, times, initial, rtol=tol, atol=tol,
                                                                keep_correlations=store)
        extra = {} if C is not None else {
            "population": (("site", "time"), population.T,
                           {"units": "1", "long_name": "excited-state population <sigma+_a sigma-_a>"})}
        return C, rates, {"n_rhs": info["n_rhs"], "solver": info["solver"]}, extra
    from nonrecip.emission.solvers.blocks.solver import block_correlations

    C, info = block_correlations(J, gamma, times, tol=options.tol, max_memory_gb=options.max_memory_gb,
                                 backend=options.backend, scheme=options.scheme, initial=initial)
    extra = {key: info[key] for key in ("n_rhs", "memory_bytes_estimate")}
    return C, rates_from_correlations(C, J, gamma), extra, {}


def _qutip(J, gamma, times, options: QutipOptions, initial, store):
    from nonrecip.emission.solvers.qutip_reference import qutip_correlations

    C = qutip_correlations(J, gamma, times, rtol=options.rtol, atol=options.atol,
                           ode_method=options.ode_method, max_steps=options.max_steps, initial=initial)
    return C, rates_from_correlations(C, J, gamma), {}, {}


def _pair(J, gamma, times, options: PairOptions, initial, store):
    if J.shape[0] != 2 or abs(J[0, 1].real) > 1e-12 or abs(gamma[0, 1].imag) > 1e-12:
        raise ValueError("method='pair' needs N = 2 with J_12 = i*J^a (J^s = 0) and real gamma_12")
    rates = pair_emission_rates(J[0, 1].imag, gamma[0, 1].real, times, rtol=options.rtol, atol=options.atol)
    return None, rates, {}, {}


def _cumulant(order):
    def implementation(J, gamma, times, options: CumulantOptions, initial, store):
        from nonrecip.emission.solvers.cumulants import cumulant_observables

        rates, population, info = cumulant_observables(J, gamma, times, order=order, rtol=options.rtol,
                                                       atol=options.atol, ode_method=options.ode_method)
        extra = {"population": (("site", "time"), population.T,
                                {"units": "1", "long_name": "excited-state population <sigma+_a sigma-_a>"})}
        stats = {key: info[key] for key in ("n_rhs", "n_steps", "n_variables")}
        stats["toeplitz_fft"] = int(info["toeplitz_fft"])
        return None, rates, stats, extra

    implementation.__name__ = f"_cumulant{order}"
    return implementation


def _trajectories(J, gamma, times, options: TrajectoryOptions, initial, store):
    from nonrecip.emission.solvers.trajectories import jump_trajectories

    out = jump_trajectories(J, gamma, times, n_trajectories=options.n_trajectories, seed=options.seed,
                            backend=options.backend)
    info = {k: v for k, v in out["info"].items() if isinstance(v, (int, float, str)) and k != "seed"}
    stderr = {
        "rate_stderr": (("site", "time"), np.asarray(out["rate_stderr"]).T,
                        {"units": "gamma0", "long_name": "standard error of R_alpha / gamma0 over trajectories"}),
        "delta_stderr": (("time",), np.asarray(out["delta_stderr"]),
                         {"units": "gamma0", "long_name": "standard error of delta_1N over trajectories"}),
    }
    return np.asarray(out["correlation"]), np.asarray(out["rate"]), info, stderr


#: states with at most this many excitations go to the few-excitation propagator (method "blocks")
FEW_EXCITATIONS = 2

#: method name -> (option class, implementation(J, gamma, times, options, initial, store_correlations) -> (C | None, rates, info, extra variables))
EMISSION_METHODS = {
    "blocks": (BlocksOptions, _blocks),
    "qutip": (QutipOptions, _qutip),
    "pair": (PairOptions, _pair),
    "cumulant2": (CumulantOptions, _cumulant(2)),
    "cumulant3": (CumulantOptions, _cumulant(3)),
    "trajectories": (TrajectoryOptions, _trajectories),
}


def _trajectory_keywords(method, options, n_trajectories, seed):
    """Fold the ``n_trajectories``/``seed`` keywords into the trajectory options."""
    if n_trajectories is None and seed is None:
        return options
    if method != "trajectories":
        raise ValueError(f"n_trajectories and seed belong to method='trajectories', not method={method!r}")
    if options is not None and not isinstance(options, TrajectoryOptions):
        raise TypeError(f"method='trajectories' takes options of type TrajectoryOptions, got {type(options).__name__}")
    options = options if options is not None else TrajectoryOptions()
    changes = {}
    if n_trajectories is not None:
        changes["n_trajectories"] = integer("n_trajectories", n_trajectories, minimum=2)
    if seed is not None:
        changes["seed"] = integer("seed", seed, minimum=0)
    return replace(options, **changes)


def _check_initial(initial, n, method):
    """``None`` stays (|e…e⟩); an InitialState must match N and the method must take it."""
    if initial is None:
        return None
    if not isinstance(initial, InitialState):
        raise TypeError(f"initial must be an InitialState (nonrecip.emission.initial) or None, got {type(initial).__name__}")
    if initial.N != n:
        raise ValueError(f"initial is a state of N = {initial.N} qubits, the couplings have N = {n}")
    if initial.label == "all_excited":
        return None
    if method not in INITIAL_STATE_METHODS:
        raise ValueError(f"method={method!r} starts from the fully excited state only; initial={initial.label!r} "
                         f"needs one of {INITIAL_STATE_METHODS}")
    return initial


def emission_dynamics(
    J,
    gamma,
    times,
    *,
    method: str = "blocks",
    options: BlocksOptions | QutipOptions | PairOptions | CumulantOptions | TrajectoryOptions | None = None,
    initial: InitialState | None = None,
    store_correlations: bool = False,
    n_trajectories: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Emission under paper E Eqs. (1)–(3) from the fully excited state |e…e⟩ or another initial state.

    Parameters
    ----------
    J, gamma : array_like (N, N)
        Hermitian couplings in units of γ0.
    times : array_like
        Increasing output times in units of 1/γ0 (the first is the start time).
    method : {"blocks", "qutip", "pair", "cumulant2", "cumulant3", "trajectories"}
        Numerical method; see the module docstring.
    options : BlocksOptions, QutipOptions, PairOptions, CumulantOptions or TrajectoryOptions, optional
        The method's options; ``None`` takes the defaults of the method's option class.
    initial : InitialState, optional
        Block-diagonal initial state (:mod:`nonrecip.emission.initial`); ``None`` is |e…e⟩.
        Methods ``"blocks"`` and ``"qutip"`` take any; with at most two excitations (and fewer
        than N) ``"blocks"`` propagates only the manifolds n ≤ 2
        (docs/theory/baths.md#few-excitations), exact at N in the thousands.
    store_correlations : bool
        Also return C_αβ(t) as ``correlation`` (methods ``"blocks"``, ``"qutip"``,
        ``"trajectories"``; the cumulant methods keep only the state in memory and do not store it).
    n_trajectories, seed : int, optional
        ``method="trajectories"`` only: override the fields of the same name of the
        :class:`TrajectoryOptions` in ``options`` (or of its defaults).

    Returns
    -------
    xarray.Dataset
        ``rate`` (site, time), ``population`` (site, time), ``delta`` (time) = (R_1 − R_N)/γ0,
        ``rate_total`` (time); attrs ``method``, ``method_options`` (JSON of the options used),
        ``cpu_seconds`` and method statistics (``n_rhs`` for ``"blocks"``);
        ``method="trajectories"`` adds ``rate_stderr`` (site, time) and ``delta_stderr`` (time).

    Raises
    ------
    SolverFailure
        The integrator did not reach an output time.
    """
    J, gamma = _check_couplings(J, gamma)
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 2 or np.any(np.diff(times) <= 0) or not np.all(np.isfinite(times)):
        raise ValueError("times must be a 1-D strictly increasing finite array with >= 2 entries")
    options = _trajectory_keywords(method, options, n_trajectories, seed)
    options, implementation = resolve_method(EMISSION_METHODS, method, options)
    n = J.shape[0]
    initial = _check_initial(initial, n, method)
    cpu0 = _time.process_time()
    C, rates, info, extra = implementation(J, gamma, times, options, initial, store_correlations)
    cpu = _time.process_time() - cpu0
    _log.info("emission_dynamics N=%d method=%s: %.2f CPU-s", n, method, cpu)
    if not np.all(np.isfinite(rates)):
        raise FloatingPointError(f"emission_dynamics ({method}): non-finite rates")

    site = np.arange(1, n + 1)
    data = {
        "rate": (("site", "time"), rates.T, {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (Eq. 8)"}),
        "delta": (("time",), rates[:, 0] - rates[:, -1], {"units": "gamma0", "long_name": "left-right asymmetry delta_1N = (R_1 - R_N)/gamma0"}),
        "rate_total": (("time",), rates.sum(axis=1), {"units": "gamma0", "long_name": "collective emission rate R_tot / gamma0"}),
    }
    coords = {
        "site": ("site", site, {"units": "1", "long_name": "qubit index alpha (1 = leftmost)"}),
        "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
    }
    data.update(extra)
    if C is not None:
        pop = np.real(np.einsum("taa->ta", C))
        data["population"] = (("site", "time"), pop.T, {"units": "1", "long_name": "excited-state population <sigma+_a sigma-_a>"})
        if store_correlations:
            data["correlation"] = (("site", "site2", "time"), np.transpose(C, (1, 2, 0)),
                                   {"units": "1", "long_name": "correlation <sigma+_a sigma-_b>"})
            coords["site2"] = ("site2", site, {"units": "1", "long_name": "qubit index beta"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({"method": method, "method_options": json.dumps(asdict(options), sort_keys=True),
                     "initial_state": "all_excited" if initial is None else initial.label,
                     "cpu_seconds": cpu, **info})
    return ds
