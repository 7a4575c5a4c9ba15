"""Second-order cumulant expansion of the emission dynamics (docs/theory/large_arrays.md#cumulant2-equations).

Variables: the correlations C_ab = ⟨σ⁺_a σ⁻_b⟩ (diagonal: populations n_a) and the population
products P_ab = ⟨n_a n_b⟩ (a ≠ b). Their equations are exact except for three-site moments,
factorised by the Gaussian closure with ⟨σ^±⟩ = 0 (U(1) symmetry of the fully excited state):
⟨σᶻ_a σ⁺_c σ⁻_b⟩ → ⟨σᶻ_a⟩ C_cb and ⟨σ⁺_a σ⁻_c n_b⟩ → C_ac n_b. Each right-hand side costs two
N × N matrix products.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import DOP853, RK45

from nonrecip.emission.solvers.errors import SolverFailure

__all__ = ["cumulant2_correlations", "cumulant2_observables"]

_INTEGRATORS = {"DOP853": DOP853, "RK45": RK45}


def _rhs_factory(J: np.ndarray, gamma: np.ndarray):
    n_sites = J.shape[0]
    K = gamma + 1j * J                      # K = γ + iJ = 2i M, M = (J − iγ)/2
    Kbar = K.conj()
    Kd, Kbar_d = np.diag(K).copy(), np.diag(Kbar).copy()
    gamma_d = np.real(np.diag(gamma))
    gamma_T = gamma.T.copy()
    off = ~np.eye(n_sites, dtype=bool)
    size = n_sites * n_sites

    def rhs(_t, y):
        C = y[:size].reshape(n_sites, n_sites)
        P = y[size:].reshape(n_sites, n_sites).real
        n = np.real(np.diag(C))
        s = 2.0 * n - 1.0
        KC = K * C
        r = KC.sum(axis=1)                  # r_a = Σ_β K_aβ C_aβ
        KbarC = Kbar @ C                    # C K^T = (K̄ C)^† because C is Hermitian
        dC = 0.5 * (s[:, None] * KbarC + s[None, :] * KbarC.conj().T
                    - ((1.0 + s) * Kbar_d)[:, None] * C - ((1.0 + s) * Kd)[None, :] * C)
        Q = P - np.outer(n, n)
        dC += 2.0 * gamma_T * Q
        np.fill_diagonal(dC, -np.real(r))
        # Σ_{β≠a,b} K_aβ C_aβ = r_a − K_aa n_a − K_ab C_ab
        rest = np.real(r[:, None] - (Kd * n)[:, None] - KC)
        dP = -(gamma_d[:, None] + gamma_d[None, :]) * P - n[None, :] * rest - n[:, None] * rest.T
        dP[~off] = 0.0
        out = np.empty(2 * size, dtype=complex)
        out[:size] = dC.ravel()
        out[size:] = dP.ravel()
        return out

    return rhs


def _integrate(J, gamma, times, *, rtol, atol, ode_method, keep_correlations):
    """Step the moment equations, evaluating rates and populations at each output time."""
    J, gamma = np.asarray(J, complex), np.asarray(gamma, complex)
    n_sites = J.shape[0]
    size = n_sites * n_sites
    C0 = np.eye(n_sites, dtype=complex)
    P0 = np.ones((n_sites, n_sites), dtype=complex)
    np.fill_diagonal(P0, 0.0)
    y0 = np.concatenate([C0.ravel(), P0.ravel()])
    fun = _rhs_factory(J, gamma)
    solver = _INTEGRATORS[ode_method](fun, float(times[0]), y0, float(times[-1]), rtol=rtol, atol=atol)
    K = gamma + 1j * J
    rates = np.empty((len(times), n_sites))
    population = np.empty((len(times), n_sites))
    correlations = np.empty((len(times), n_sites, n_sites), dtype=complex) if keep_correlations else None

    def record(k, y):
        C = y[:size].reshape(n_sites, n_sites)
        rates[k] = np.real(np.sum(K * C, axis=1))   # R_a = Re Σ_β (γ + iJ)_aβ C_aβ
        population[k] = np.real(np.diag(C))
        if correlations is not None:
            correlations[k] = C

    record(0, y0)
    k = 1
    while k < len(times):
        if solver.status != "running":
            raise SolverFailure(f"cumulant2: the integrator stopped at t = {solver.t:.6g} ({solver.status})")
        message = solver.step()
        if solver.status == "failed":
            raise SolverFailure(f"cumulant2: {message} at t = {solver.t:.6g}")
        if k < len(times) and times[k] <= solver.t:
            dense = solver.dense_output()
            while k < len(times) and times[k] <= solver.t:
                record(k, solver.y if times[k] == solver.t else dense(times[k]))
                k += 1
    return rates, population, correlations, {"n_rhs": int(solver.nfev)}


def cumulant2_observables(J, gamma, times, *, rtol: float = 1e-8, atol: float = 1e-10,
                          ode_method: str = "DOP853") -> tuple[np.ndarray, np.ndarray, dict]:
    """Emission rates and populations at second order, without storing C(t) (docs/theory/large_arrays.md#cumulant2-equations).

    Memory is O(N²) for the state plus O(T N) for the outputs, so N = 1000 fits in ~0.3 GB.

    Returns
    -------
    (ndarray (T, N), ndarray (T, N), dict)
        R_α(t)/γ0, ⟨n_α⟩(t) and ``{"n_rhs": ...}``.
    """
    rates, population, _, info = _integrate(J, gamma, times, rtol=rtol, atol=atol, ode_method=ode_method,
                                            keep_correlations=False)
    return rates, population, info


def cumulant2_correlations(J, gamma, times, *, rtol: float = 1e-8, atol: float = 1e-10,
                           ode_method: str = "DOP853") -> tuple[np.ndarray, dict]:
    """C_ab(t) = ⟨σ⁺_a σ⁻_b⟩ from |e…e⟩ at second order (docs/theory/large_arrays.md#cumulant2-equations).

    Parameters
    ----------
    J, gamma : ndarray (N, N)
        Hermitian couplings in units of γ0 (checked by the caller).
    times : ndarray
        Increasing output times (1/γ0); the first is the start.
    rtol, atol : float
        Tolerances of SciPy's ``solve_ivp``.
    ode_method : str
        Explicit Runge–Kutta integrator of SciPy, ``"DOP853"`` or ``"RK45"``.

    Returns
    -------
    (ndarray (T, N, N) complex, dict)
        The correlations and ``{"n_rhs": ...}``.
    """
    _, _, C, info = _integrate(J, gamma, times, rtol=rtol, atol=atol, ode_method=ode_method,
                               keep_correlations=True)
    return C, info
