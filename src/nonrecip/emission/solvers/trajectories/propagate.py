"""Taylor propagation of many no-jump states at once, and the jump-time root search.

Within manifold n the no-jump state obeys i dψ/dt = H_n ψ. With the shift μ = Tr H_n / D_n,
exp(−iH_n h) = e^{−iμh} exp(−iA h), A = H_n − μ; the series of exp(−iA h) is truncated at the
order m fixed a priori by ρ = ‖A‖·h (docs/theory/trajectories.md#error-control):
‖remainder‖ ≤ ρ^{m+1}/(m+1)!·e^ρ ≤ tol·‖ψ‖. Each column (trajectory) may have its own step
h_k ≤ h, which only lowers its remainder.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import horner, norm_slope, spmm_scaled

__all__ = ["taylor_order", "taylor_terms", "jump_times"]


def taylor_order(rho: float, tol: float) -> int:
    """Smallest m with ρ^{m+1}/(m+1)!·e^ρ ≤ tol (a priori bound of the Taylor remainder)."""
    if rho <= 0.0:
        return 0
    m, term = 0, rho * math.exp(rho)  # term = ρ^{m+1}/(m+1)!·e^ρ
    while term > tol:
        m += 1
        term *= rho / (m + 1)
    return m


def taylor_terms(A, psi: np.ndarray, h: np.ndarray, m: int) -> np.ndarray:
    """Terms W_j = (−iA h_k)^j ψ_k / j!, j = 0…m, of exp(−iA h_k) ψ_k for each column ψ_k of ``psi``.

    Parameters
    ----------
    A : scipy.sparse.csr_matrix
        H_n − μ (units of γ0).
    psi : numpy.ndarray complex (D, K)
        States at the start of the step.
    h : numpy.ndarray float (K,)
        Steps h_k ≥ 0 in units of 1/γ0.
    m : int
        Truncation order (see :func:`taylor_order`).

    Returns
    -------
    numpy.ndarray complex (m+1, D, K)
        exp(−iH h_k) ψ_k = e^{−iμh_k} Σ_j W_j[:, k] up to the remainder bound; Σ_j θ^j W_j is
        the same series at the step θh_k (0 ≤ θ ≤ 1), the dense output used by :func:`jump_times`.
    """
    W = np.empty((m + 1,) + psi.shape, dtype=np.complex128)
    W[0] = psi
    for j in range(1, m + 1):
        spmm_scaled(A, W[j - 1], (-1j / j) * h, W[j])
    return W


def jump_times(W: np.ndarray, cols: np.ndarray, mu: complex, h: np.ndarray, r: np.ndarray, end_norm2: np.ndarray,
               xtol: float = 1e-12, max_iter: int = 100):
    """Fractions θ_k ∈ [0, 1] of the steps h_k at which ‖ψ_k(θ h_k)‖² = r_k, and the states there.

    Column k is column ``cols[k]`` of the Taylor terms ``W`` (m+1, D, K) of :func:`taylor_terms`;
    ``h``, ``r`` and ``end_norm2`` (the ‖ψ‖² at θ = 1) are given for the selected columns only.

    ‖ψ(t)‖² decreases monotonically (d‖ψ‖²/dt = −⟨ψ|Σγ_ab σ⁺_a σ⁻_b|ψ⟩ ≤ 0), so the root is
    unique in the bracket [0, 1] (‖ψ_k‖ = 1 at θ = 0, ``end_norm2`` ≤ r_k at θ = 1).
    Safeguarded Newton iteration on the degree-m polynomial dense output of the Taylor step
    (docs/theory/trajectories.md#waiting-time), started from the exponential-decay guess
    θ = ln r / ln ‖ψ(h)‖², until the bracket or the Newton step is below ``xtol``.

    Returns
    -------
    theta : numpy.ndarray (K,)
    psi_jump : numpy.ndarray complex (D, K)
        The (unnormalised) states at θ_k h_k.
    iterations : int
    """
    decay = 2.0 * mu.imag * h  # |e^{−iμθh}|² = e^{decay·θ}
    with np.errstate(divide="ignore", invalid="ignore"):
        theta0 = np.log(r) / np.log(end_norm2)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    theta = np.where(np.isfinite(theta0) & (theta0 > 0) & (theta0 < 1), theta0, 0.5)
    lo, hi = np.zeros_like(h), np.ones_like(h)
    active = np.ones(h.size, dtype=bool)
    it = 0
    while active.any() and it < max_iter:
        it += 1
        a = np.nonzero(active)[0]
        th = theta[a]
        n2, d2 = norm_slope(W, cols[a], th)
        g = np.exp(decay[a] * th)
        f = g * n2 - r[a]
        df = g * (decay[a] * n2 + d2)
        lo[a] = np.where(f > 0, th, lo[a])
        hi[a] = np.where(f <= 0, th, hi[a])
        with np.errstate(divide="ignore", invalid="ignore"):
            new = th - f / df
        new = np.where(np.isfinite(new) & (new > lo[a]) & (new < hi[a]), new, 0.5 * (lo[a] + hi[a]))
        done = (np.abs(new - th) <= xtol) | (hi[a] - lo[a] <= xtol) | (f == 0)
        theta[a] = np.where(f != 0, new, th)
        active[a[done]] = False
    psi_jump = horner(W, cols, theta)
    psi_jump *= np.exp(-1j * mu * theta * h)
    return theta, psi_jump, it
