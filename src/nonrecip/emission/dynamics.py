"""Emission dynamics of N qubits from the fully excited state (paper E Eqs. 1–3, 8, 22–29).

Public entry point :func:`emission_dynamics` takes plain N×N coupling matrices (units of γ0)
and returns the labelled observables. Solvers (``method``):

* ``"qutip"`` — QuTiP ``mesolve`` on the full 2^N-dimensional space, the reference;
* ``"blocks"`` — the excitation-manifold block solver (:mod:`nonrecip.emission.blocks`);
* ``"pair"`` — the closed N = 2 equations (22)–(26) with Eq. (29) (J^s = γ^a = 0 only).

Every solver yields the correlation matrices C_αβ(t) = ⟨σ⁺_α σ⁻_β⟩; rates follow from
spec E §3.3: R_α = Re Σ_β γ_αβ C_αβ − Im Σ_β J_αβ C_αβ.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from nonrecip.log import get_logger

__all__ = ["emission_dynamics", "SolverFailure", "pair_emission_rates", "rates_from_correlations", "EMISSION_METHODS"]

EMISSION_METHODS = ("qutip", "blocks", "pair")
_log = get_logger("emission.dynamics")


def rates_from_correlations(C, J, gamma):
    """Emission rates R_α(t) from C_αβ(t) (spec E §3.3, paper E Eqs. 8–9).

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
    return J, gamma


class SolverFailure(RuntimeError):
    """The ODE integrator did not reach an output time (step limit, stiffness, non-finite state)."""


def _qutip_correlations(J, gamma, times, *, rtol, atol, ode_method, max_steps):
    """C_αβ(t) from QuTiP mesolve with CSR operators (spec E §6.1: 'Dia' is 10-100x slower)."""
    import qutip as qt
    import scipy.sparse as sp

    n = J.shape[0]
    sm = qt.destroy(2).to("CSR")  # basis(2, 1) = |e>, destroy = sigma^-
    eye = qt.qeye(2).to("CSR")
    lower = [qt.tensor([sm if k == a else eye for k in range(n)]).to("CSR") for a in range(n)]
    H = 0.5 * sum(J[a, b] * lower[a].dag() * lower[b] for a in range(n) for b in range(n) if J[a, b] != 0)
    if not isinstance(H, qt.Qobj):
        H = 0 * lower[0].dag() * lower[0]
    rates, U = np.linalg.eigh(gamma)
    rates = np.where(rates < 1e-12, 0.0, rates)  # spec E §3.1: clip round-off negatives
    c_ops = [
        math.sqrt(r) * sum(np.conj(U[b, m]) * lower[b] for b in range(n))
        for m, r in enumerate(rates) if r > 0
    ]
    L = qt.liouvillian(H, c_ops).to("CSR")
    rho0 = qt.ket2dm(qt.tensor([qt.basis(2, 1)] * n)).to("CSR")
    # C = M @ vec(rho): one sparse row per (α, β) with Tr(σ⁺_α σ⁻_β ρ) = Σ_ij X_ij ρ_ji
    dim = 2 ** n
    rows = []
    for a in range(n):
        for b in range(n):
            X = (lower[a].dag() * lower[b]).data.as_scipy().tocoo()
            # column-stacked vec(rho)[j + i*dim]... qutip stacks columns: vec index = i + j*dim for rho_ij
            rows.append(sp.csr_matrix((X.data, (np.zeros_like(X.row), X.col + X.row * dim)), shape=(1, dim * dim)))
    M = sp.vstack(rows).tocsr()
    solver = qt.MESolver(L, options={"method": ode_method, "rtol": rtol, "atol": atol, "nsteps": max_steps,
                                     "progress_bar": False, "store_states": False})
    out = np.empty((len(times), n, n), dtype=complex)
    solver.start(rho0, times[0])
    for k, t in enumerate(times):
        try:
            state = rho0 if (k == 0 and t == times[0]) else solver.step(t)
        except Exception as err:  # qutip raises IntegratorException (a plain Exception)
            raise SolverFailure(
                f"qutip mesolve ({ode_method}, rtol={rtol}, atol={atol}, max_steps={max_steps}) failed "
                f"before t = {t:g}: {err}"
            ) from None
        vec = state.full().ravel(order="F")
        out[k] = (M @ vec).reshape(n, n)
    return out


def pair_emission_rates(J_a: float, gamma_s: float, times, *, rtol: float = 1e-10, atol: float = 1e-12):
    """Emission rates of two qubits from the closed equations (22)–(26) and Eq. (29) of paper E.

    Valid for J^s_12 = γ^a_12 = 0, i.e. J_12 = i J^a, γ_12 = γ^s real; γ0 = 1. States: |E⟩,
    singlet |1⟩ (rate Γ1 = 1 − γ^s), triplet |2⟩ (Γ2 = 1 + γ^s), |G⟩; ⟨σᶻ_{1,2}⟩ = ρEE − ρGG ∓ 2Re ρ21.

    Returns
    -------
    numpy.ndarray (T, 2)
        R_1(t), R_2(t) in units of γ0.
    """
    from scipy.integrate import solve_ivp

    g1, g2 = 1.0 - gamma_s, 1.0 + gamma_s

    def rhs(_t, y):
        ee, r11, r22, gg, re21 = y
        return [
            -(g1 + g2) * ee,                                   # (22)
            -g1 * r11 + g1 * ee - J_a * re21,                   # (23)
            -g2 * r22 + g2 * ee + J_a * re21,                   # (24)
            g2 * r22 + g1 * r11,                                # (25)
            0.5 * (-J_a * (r22 - r11) - (g1 + g2) * re21),      # (26)
        ]

    times = np.asarray(times, dtype=float)
    sol = solve_ivp(rhs, (times[0], times[-1]), [1.0, 0, 0, 0, 0], t_eval=times,
                    method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"pair equations failed: {sol.message}")
    d = np.array([rhs(0.0, y) for y in sol.y.T])
    # Eq. (29): R_{1,2} = ½[±2 Re ρ̇21 − (ρ̇EE − ρ̇GG)]
    r1 = 0.5 * (2 * d[:, 4] - d[:, 0] + d[:, 3])
    r2 = 0.5 * (-2 * d[:, 4] - d[:, 0] + d[:, 3])
    return np.stack([r1, r2], axis=1)


def emission_dynamics(
    J,
    gamma,
    times,
    *,
    method: str = "qutip",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    ode_method: str = "adams",
    max_memory_gb: float = 8.0,
    max_steps: int = 10**7,
    store_correlations: bool = False,
) -> xr.Dataset:
    """Emission from the fully excited state |e…e⟩ under paper E Eqs. (1)–(3).

    Parameters
    ----------
    J, gamma : array_like (N, N)
        Hermitian couplings in units of γ0.
    times : array_like
        Increasing output times in units of 1/γ0 (the first is the start time).
    method : {"qutip", "blocks", "pair"}
        Solver; see the module docstring.
    rtol, atol : float
        Tolerances of the QuTiP / pair ODE solvers (``"blocks"`` uses ``atol`` as its
        absolute per-step tolerance).
    ode_method : str
        QuTiP integrator (``"adams"``, ``"bdf"``, ``"dop853"``...).
    max_memory_gb : float
        ``"blocks"`` refuses runs whose state estimate exceeds this.
    max_steps : int
        Step limit of the QuTiP integrator between two output times; exceeding it raises
        :class:`SolverFailure`.
    store_correlations : bool
        Also return C_αβ(t) as ``correlation``.

    Returns
    -------
    xarray.Dataset
        ``rate`` (site, time), ``population`` (site, time), ``delta`` (time) = (R_1 − R_N)/γ0,
        ``rate_total`` (time); attrs ``solver``, ``rtol``, ``atol``, ``cpu_seconds``.
    """
    import time as _time

    J, gamma = _check_couplings(J, gamma)
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 2 or np.any(np.diff(times) <= 0) or not np.all(np.isfinite(times)):
        raise ValueError("times must be a 1-D strictly increasing finite array with >= 2 entries")
    if method not in EMISSION_METHODS:
        raise ValueError(f"method must be one of {EMISSION_METHODS}, got {method!r}")
    n = J.shape[0]
    cpu0 = _time.process_time()
    info = {"solver": method}
    if method == "pair":
        if n != 2 or abs(J[0, 1].real) > 1e-12 or abs(gamma[0, 1].imag) > 1e-12:
            raise ValueError("method='pair' needs N = 2 with J_12 = i*J^a (J^s = 0) and real gamma_12")
        rates = pair_emission_rates(J[0, 1].imag, gamma[0, 1].real, times, rtol=rtol, atol=atol)
        C = None
        info["solver"] = "pair-equations/DOP853"
    else:
        if method == "qutip":
            C = _qutip_correlations(J, gamma, times, rtol=rtol, atol=atol, ode_method=ode_method,
                                    max_steps=max_steps)
            info["solver"] = f"qutip.mesolve/{ode_method}"
        else:
            from nonrecip.emission.blocks import block_correlations

            C, binfo = block_correlations(J, gamma, times, tol=atol, max_memory_gb=max_memory_gb)
            info.update(binfo)
        rates = rates_from_correlations(C, J, gamma)
    cpu = _time.process_time() - cpu0
    _log.info("emission_dynamics N=%d method=%s: %.2f CPU-s", n, info["solver"], cpu)
    if not np.all(np.isfinite(rates)):
        raise FloatingPointError(f"emission_dynamics ({info['solver']}): non-finite rates")

    site = np.arange(1, n + 1)
    data = {
        "rate": (("site", "time"), rates.T, {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (Eq. 8)"}),
        "delta": (("time",), rates[:, 0] - rates[:, -1], {"units": "gamma0", "long_name": "left-right asymmetry delta_1N = (R_1 - R_N)/gamma0"}),
        "rate_total": (("time",), rates.sum(axis=1), {"units": "gamma0", "long_name": "collective emission rate R_tot / gamma0"}),
    }
    if C is not None:
        pop = np.real(np.einsum("taa->ta", C))
        data["population"] = (("site", "time"), pop.T, {"units": "1", "long_name": "excited-state population <sigma+_a sigma-_a>"})
        if store_correlations:
            data["correlation"] = (("site", "site2", "time"), np.transpose(C, (1, 2, 0)),
                                   {"units": "1", "long_name": "correlation <sigma+_a sigma-_b>"})
    coords = {
        "site": ("site", site, {"units": "1", "long_name": "qubit index alpha (1 = leftmost)"}),
        "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
    }
    if store_correlations and C is not None:
        coords["site2"] = ("site2", site, {"units": "1", "long_name": "qubit index beta"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({"solver": info["solver"], "rtol": rtol, "atol": atol, "cpu_seconds": cpu})
    for key in ("n_rhs", "backend", "memory_bytes_estimate"):
        if key in info:
            ds.attrs[key] = info[key]
    return ds
