"""Exact dynamics of states with at most two excitations, for N in the thousands (docs/theory/baths.md#few-excitations).

A state with at most k excitations never leaves the manifolds n ≤ k
(docs/theory/solvers.md#block-structure), and the top manifold k is never fed: it evolves under
H_eff = ½ (J − iγ) alone, ρ_k(t) = e^{−iH_eff t} ρ_k(0) e^{iH_eff† t}. Writing ρ_k = Σ_i |ψ_i⟩⟨ψ_i|
(the columns of the initial factor F_k), only the vectors ψ_i are propagated. With K = J − iγ:

* k = 1: ψ_i ∈ C^N, dψ/dt = −(i/2) K ψ; C_ab = Σ_i ψ_i,b ψ_i,a*;
* k = 2: ψ_i as a symmetric N × N matrix Ψ with zero diagonal (Ψ_ab = amplitude of {a, b}),
  dΨ/dt = −(i/2) offdiag(KΨ + ΨKᵀ); the one-excitation block is dense,
  dρ_1/dt = −(i/2)(Kρ_1 − ρ_1K†) + Σ_i Ψ_i γᵀ Ψ_i†;
  C_ab = ρ_1,ba + Σ_i (Ψ_i†Ψ_i)_ab.

Every right-hand side is a few N × N matrix products (BLAS), so one excitation costs O(N²) and
two O(N³) per evaluation, against C(2N, N) numbers for the full block solver. The ODE is
integrated by SciPy's DOP853 (explicit, complex-valued) with the tolerances recorded in the
returned ``info``; the populations of the lower manifolds follow from Tr ρ = 1.
"""

from __future__ import annotations

import time as _time

import numpy as np
from scipy.integrate import solve_ivp

from nonrecip.emission.initial import InitialState, manifold_basis
from nonrecip.emission.solvers.errors import SolverFailure
from nonrecip.log import PROGRESS_INTERVAL, ProgressLog, get_logger

__all__ = ["few_excitation_observables", "MAX_EXCITATIONS"]

#: largest number of excitations this solver propagates
MAX_EXCITATIONS = 2

_log = get_logger("emission.blocks")


def _pair_matrices(N: int, F: np.ndarray) -> np.ndarray:
    """Columns of the two-excitation factor F as symmetric N × N matrices (r, N, N)."""
    pairs = manifold_basis(N, 2) - 1
    out = np.zeros((F.shape[1], N, N), dtype=complex)
    out[:, pairs[:, 0], pairs[:, 1]] = F.T
    out[:, pairs[:, 1], pairs[:, 0]] = F.T
    return out


def few_excitation_observables(J, gamma, times, initial: InitialState, *, rtol: float = 1e-12,
                               atol: float = 1e-12, keep_correlations: bool = False,
                               progress_interval: float = PROGRESS_INTERVAL):
    """Emission rates, populations (and C_ab(t) if asked) for an initial state with at most two excitations.

    Parameters
    ----------
    J, gamma : numpy.ndarray (N, N)
        Hermitian couplings (checked by the caller), units of γ0.
    times : numpy.ndarray
        Increasing output times; the evolution starts at ``times[0]``.
    initial : InitialState
        With ``initial.max_excitations <= 2``.
    rtol, atol : float
        DOP853 tolerances (relative, absolute per component of ψ and ρ_1).
    keep_correlations : bool
        Also return C[t, a, b] = ⟨σ⁺_a σ⁻_b⟩(t) (len(times)·N² complex numbers).
    progress_interval : float
        Least seconds between progress records (logger ``nonrecip.emission.blocks``).

    Returns
    -------
    rates, population : numpy.ndarray (len(times), N)
        R_α(t)/γ0 (docs/theory/emission.md#emission-rate) and ⟨σ⁺_α σ⁻_α⟩(t).
    C : numpy.ndarray complex (len(times), N, N) or None
    info : dict
        ``solver``, ``tolerances``, ``n_rhs``, ``n_variables``, ``excitations``, ``rank``.
    """
    N = J.shape[0]
    k = initial.max_excitations
    if k > MAX_EXCITATIONS:
        raise ValueError(f"the few-excitation solver takes at most {MAX_EXCITATIONS} excitations, got {k}")
    K = J - 1j * gamma
    half = -0.5j * K
    nt = len(times)
    C = np.zeros((nt, N, N), dtype=complex) if keep_correlations else None
    if k == 0:
        return np.zeros((nt, N)), np.zeros((nt, N)), C, {"solver": "blocks/few-excitation", "n_rhs": 0,
                                                        "n_variables": 0, "excitations": 0, "rank": 0}
    F = initial.factors[k]
    r = F.shape[1]
    if k == 1:
        shapes = [(N, r)]
        y0 = F.ravel()
    else:
        shapes = [(r, N, N), (N, N)]
        y0 = np.concatenate([_pair_matrices(N, F).ravel(), initial.block(1).ravel()])
    sizes = [int(np.prod(s)) for s in shapes]
    gT = gamma.T.copy()
    diag = np.arange(N)
    progress = ProgressLog(_log, f"few-excitation solve N={N}, k={k}, t in [{times[0]:g}, {times[-1]:g}]",
                           progress_interval)
    span = float(times[-1] - times[0])
    count = [0]

    def rhs(t, y):
        count[0] += 1
        if progress.due <= (now := _time.perf_counter()):
            progress.update((t - times[0]) / span if span > 0 else 1.0, now)
        if k == 1:
            return (half @ y.reshape(N, r)).ravel()
        Psi = y[:sizes[0]].reshape(shapes[0])
        rho1 = y[sizes[0]:].reshape(N, N)
        dPsi = half @ Psi + Psi @ half.T
        dPsi[:, diag, diag] = 0.0
        drho = half @ rho1 + rho1 @ half.conj().T
        drho += (Psi @ gT @ Psi.conj().transpose(0, 2, 1)).sum(axis=0)
        return np.concatenate([dPsi.ravel(), drho.ravel()])

    sol = solve_ivp(rhs, (times[0], times[-1]), y0, method="DOP853", t_eval=times, rtol=rtol, atol=atol)
    progress.finish()
    if not sol.success or sol.y.shape[1] != nt:
        raise SolverFailure(f"few-excitation solver (DOP853, rtol={rtol}, atol={atol}) failed: {sol.message}")
    rates, population = np.zeros((nt, N)), np.zeros((nt, N))
    for i in range(nt):
        y = sol.y[:, i]
        if k == 1:
            Ct = y.reshape(N, r).conj() @ y.reshape(N, r).T
        else:
            Psi = y[:sizes[0]].reshape(shapes[0])
            Ct = y[sizes[0]:].reshape(N, N).T + (Psi.conj().transpose(0, 2, 1) @ Psi).sum(axis=0)
        rates[i] = np.real(np.sum(gamma * Ct, axis=1)) - np.imag(np.sum(J * Ct, axis=1))
        population[i] = np.real(np.diag(Ct))
        if C is not None:
            C[i] = Ct
    info = {"solver": "blocks/few-excitation-dop853", "tolerances": {"rtol": rtol, "atol": atol},
            "n_rhs": int(sol.nfev), "n_variables": int(sum(sizes)), "excitations": int(k), "rank": int(r)}
    return rates, population, C, info
