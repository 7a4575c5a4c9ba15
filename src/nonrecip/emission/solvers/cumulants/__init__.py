"""Second- and third-order cumulant expansions of the emission from |e…e⟩ (docs/theory/cumulants.md).

:func:`cumulant_correlations` returns C_ab(t) = ⟨σ⁺_a σ⁻_b⟩ (populations n_a on the diagonal)
for paper E Eqs. (1)–(3) (docs/theory/emission.md#master-equation); :func:`cumulant_observables`
returns only the site rates and populations, so that memory stays O(N²) (order 2) at N = 1000.
Order 2 keeps one- and two-site moments (O(N³) per right-hand side, O(N² log N) for a uniform
chain), order 3 also three-site moments (O(N⁴)).
"""

from __future__ import annotations

import time as _time

import numpy as np
from scipy.integrate import DOP853, RK23, RK45

from nonrecip.emission.solvers.cumulants.second import SecondOrder
from nonrecip.emission.solvers.cumulants.third import ThirdOrder
from nonrecip.emission.solvers.errors import SolverFailure
from nonrecip.log import PROGRESS_INTERVAL, ProgressLog, get_logger

__all__ = ["cumulant_correlations", "cumulant_observables", "SecondOrder", "ThirdOrder", "ORDERS"]

#: expansion order -> right-hand side
ORDERS = {2: SecondOrder, 3: ThirdOrder}

_EXPLICIT = {"DOP853": DOP853, "RK45": RK45, "RK23": RK23}

_log = get_logger("emission.cumulants")


def _integrate(J, gamma, times, record, *, order, rtol, atol, ode_method, max_step, toeplitz,
               progress_interval=PROGRESS_INTERVAL) -> dict:
    """Step the equations of the given order and call ``record(k, C)`` at every output time.

    Progress (fraction of the time window done, elapsed time, ETA) is logged to
    ``nonrecip.emission.cumulants`` at most every ``progress_interval`` seconds.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {tuple(ORDERS)}, got {order!r}")
    if ode_method not in _EXPLICIT:
        raise ValueError(f"ode_method must be one of {tuple(_EXPLICIT)}, got {ode_method!r}")
    times = np.asarray(times, dtype=float)
    system = ORDERS[order](np.asarray(J, dtype=complex), np.asarray(gamma, dtype=complex), toeplitz=toeplitz)
    y0 = system.initial_state()
    record(0, system.correlations(y0))
    start = _time.perf_counter()
    n_steps = n_rhs = 0
    if len(times) > 1:
        solver = _EXPLICIT[ode_method](system.rhs, float(times[0]), y0, float(times[-1]),
                                       rtol=rtol, atol=atol, max_step=max_step)
        t0, t1 = float(times[0]), float(times[-1])
        progress = ProgressLog(_log, f"cumulant{order} N={system.N}, t in [{t0:g}, {t1:g}]", progress_interval)
        k = 1
        while k < len(times):
            if _time.perf_counter() >= progress.due:
                progress.update((solver.t - t0) / (t1 - t0))
            message = solver.step()
            if solver.status == "failed":
                raise SolverFailure(f"cumulant{order}: {message} at t = {solver.t:.6g}", time=solver.t)
            n_steps += 1
            if times[k] <= solver.t:
                dense = solver.dense_output() if times[k] < solver.t else None
                while k < len(times) and times[k] <= solver.t:
                    record(k, system.correlations(solver.y if times[k] == solver.t else dense(times[k])))
                    k += 1
        n_rhs = int(solver.nfev)
        progress.finish()
    return {"n_rhs": n_rhs, "n_steps": n_steps, "n_variables": int(system.size), "order": order,
            "ode_method": ode_method, "rtol": rtol, "atol": atol,
            "toeplitz_fft": system.toeplitz_symbol is not None,
            "wall_s": _time.perf_counter() - start}


def cumulant_correlations(J, gamma, times, *, order: int, rtol: float = 1e-8, atol: float = 1e-10,
                          ode_method: str = "DOP853", max_step: float = np.inf,
                          toeplitz: bool = True, progress_interval: float = PROGRESS_INTERVAL) -> tuple[np.ndarray, dict]:
    """C_ab(t) = ⟨σ⁺_a σ⁻_b⟩ from |e…e⟩ by the cumulant expansion of the given order (docs/theory/cumulants.md#public-function).

    The equations are those of docs/theory/cumulants.md#second-order (``order=2``) and
    docs/theory/cumulants.md#third-order (``order=3``), integrated as described in
    docs/theory/cumulants.md#time-integration.

    Parameters
    ----------
    J, gamma : ndarray (N, N)
        Hermitian coherent coupling and positive-semidefinite dissipative coupling in units
        of γ0 (checked by the caller); the diagonals may be arbitrary.
    times : ndarray (T,)
        Strictly increasing output times in units of 1/γ0; ``times[0]`` is the start, where
        the state is |e…e⟩.
    order : {2, 3}
        Expansion order: the lowest order of the cumulants set to zero is ``order + 1``.
    rtol, atol : float
        Relative and absolute tolerances of the local error per step (SciPy's weighted RMS
        norm over all variables; C, n, P are O(1)).
    ode_method : str
        Explicit SciPy Runge–Kutta pair (``"DOP853"``, ``"RK45"``, ``"RK23"``), stepped one
        step at a time; the output times are read from its dense output, so memory stays
        at a few copies of the state.
    max_step : float
        Largest step in units of 1/γ0.
    toeplitz : bool
        Use the FFT product of docs/theory/cumulants.md#second-order-matrix-form when
        K = γ + iJ is Toeplitz (detected exactly); ``False`` forces the dense product.
    progress_interval : float
        Least wall-clock seconds between progress records (logger
        ``nonrecip.emission.cumulants``, INFO); ``inf`` switches them off.

    Returns
    -------
    C : ndarray (T, N, N) complex
        The correlations, with the populations n_a = ⟨σ⁺_a σ⁻_a⟩ on the diagonal.
    info : dict
        ``n_rhs`` (right-hand-side evaluations), ``n_steps`` (accepted steps), ``n_variables``
        (real variables), ``order``, ``ode_method``, ``toeplitz_fft``, ``wall_s``.

    Raises
    ------
    ValueError
        If ``order`` is not 2 or 3, or ``ode_method`` is unknown.
    SolverFailure
        If the integrator stops before the last output time.
    """
    N = np.shape(J)[0]
    C = np.empty((len(times), N, N), dtype=complex)

    def record(k, Ck):
        C[k] = Ck

    info = _integrate(J, gamma, times, record, order=order, rtol=rtol, atol=atol, ode_method=ode_method,
                      max_step=max_step, toeplitz=toeplitz, progress_interval=progress_interval)
    return C, info


def cumulant_observables(J, gamma, times, *, order: int, rtol: float = 1e-8, atol: float = 1e-10,
                         ode_method: str = "DOP853", max_step: float = np.inf,
                         toeplitz: bool = True, progress_interval: float = PROGRESS_INTERVAL
                         ) -> tuple[np.ndarray, np.ndarray, dict]:
    """Site emission rates and populations without storing C(t) (docs/theory/cumulants.md#public-function).

    Same equations and arguments as :func:`cumulant_correlations`; at each output time only
    R_α = Re Σ_β (γ + iJ)_αβ C_αβ (docs/theory/emission.md#emission-rate) and n_α are kept, so
    the memory is that of the state (O(N²) at order 2, O(N³) at order 3) plus O(T N).

    Returns
    -------
    rates : ndarray (T, N)
        R_α(t) in units of γ0.
    population : ndarray (T, N)
        ⟨n_α⟩(t).
    info : dict
        As for :func:`cumulant_correlations`.
    """
    J = np.asarray(J, dtype=complex)
    gamma = np.asarray(gamma, dtype=complex)
    K = gamma + 1j * J
    N = J.shape[0]
    rates = np.empty((len(times), N))
    population = np.empty((len(times), N))

    def record(k, Ck):
        rates[k] = np.real(np.sum(K * Ck, axis=1))
        population[k] = np.real(np.diag(Ck))

    info = _integrate(J, gamma, times, record, order=order, rtol=rtol, atol=atol, ode_method=ode_method,
                      max_step=max_step, toeplitz=toeplitz, progress_interval=progress_interval)
    return rates, population, info
