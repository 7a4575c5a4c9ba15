"""Numba kernels of the jump unravelling: correlations and collective lowering per trajectory.

Both work on the lowering tables of :meth:`Manifolds.lowering_table` (manifold n → n−1):
(σ⁻_b ψ)(t) = ψ[up[t, j]] for the empty qubits b = site[t, j] of t, so each sum runs only
over the non-zero entries (docs/theory/trajectories.md#cost).
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["correlations", "lower", "spmm_scaled", "norm_slope", "horner"]

_OPTS = dict(cache=True, parallel=True, nogil=True)


@nb.njit(**_OPTS)
def _correlations(psiT, up, site, n_sites):
    K = psiT.shape[0]
    T, width = up.shape
    out = np.zeros((K, n_sites, n_sites), dtype=np.complex128)
    for k in nb.prange(K):
        row = np.empty(width, dtype=np.complex128)
        for t in range(T):
            for j in range(width):
                row[j] = psiT[k, up[t, j]]
            for i in range(width):
                ci = np.conj(row[i])
                a = site[t, i]
                for j in range(width):
                    out[k, a, site[t, j]] += ci * row[j]
    return out


@nb.njit(**_OPTS)
def _lower(psiT, up, site, weights):
    K = psiT.shape[0]
    T, width = up.shape
    out = np.empty((K, T), dtype=np.complex128)
    for k in nb.prange(K):
        for t in range(T):
            acc = 0j
            for j in range(width):
                acc += weights[k, site[t, j]] * psiT[k, up[t, j]]
            out[k, t] = acc
    return out


def correlations(psi: np.ndarray, up: np.ndarray, site: np.ndarray, n_sites: int) -> np.ndarray:
    """C_k[a, b] = ⟨ψ_k|σ⁺_a σ⁻_b|ψ_k⟩ of each column ψ_k of ``psi`` (D_n, K) in manifold n ≥ 1.

    Returns
    -------
    numpy.ndarray complex (K, N, N)
        Not divided by ‖ψ_k‖².
    """
    return _correlations(np.ascontiguousarray(psi.T), up, site, n_sites)


def lower(psi: np.ndarray, up: np.ndarray, site: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_b w_k[b] σ⁻_b ψ_k for each column ψ_k of ``psi`` (D_n, K); ``weights`` is (K, N).

    Returns
    -------
    numpy.ndarray complex (D_{n−1}, K)
    """
    return np.ascontiguousarray(_lower(np.ascontiguousarray(psi.T), up, site,
                                       np.ascontiguousarray(weights, dtype=np.complex128)).T)


@nb.njit(**_OPTS)
def _spmm_scaled(indptr, indices, data, X, scale, out):
    D, K = X.shape
    for i in nb.prange(D):
        for k in range(K):
            out[i, k] = 0j
        for p in range(indptr[i], indptr[i + 1]):
            v = data[p]
            c = indices[p]
            for k in range(K):
                out[i, k] += v * X[c, k]
        for k in range(K):
            out[i, k] *= scale[k]


def spmm_scaled(A, X: np.ndarray, scale: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[:, k] = scale[k]·(A X)[:, k] for a CSR matrix A and a C-contiguous X (D, K); rows in parallel."""
    _spmm_scaled(A.indptr, A.indices, A.data, X, np.ascontiguousarray(scale, dtype=np.complex128), out)
    return out


@nb.njit(**_OPTS)
def _norm_slope(W, cols, theta, n_blocks):
    M, D = W.shape[0], W.shape[1]
    q = cols.size
    part = np.zeros((n_blocks, 2, q))
    size = (D + n_blocks - 1) // n_blocks
    for blk in nb.prange(n_blocks):
        P = np.empty(q, dtype=np.complex128)
        dP = np.empty(q, dtype=np.complex128)
        for d in range(blk * size, min(D, (blk + 1) * size)):
            for k in range(q):
                P[k] = W[M - 1, d, cols[k]]
                dP[k] = 0j
            for j in range(M - 2, -1, -1):
                for k in range(q):
                    dP[k] = dP[k] * theta[k] + P[k]
                    P[k] = P[k] * theta[k] + W[j, d, cols[k]]
            for k in range(q):
                part[blk, 0, k] += P[k].real * P[k].real + P[k].imag * P[k].imag
                part[blk, 1, k] += 2.0 * (P[k].real * dP[k].real + P[k].imag * dP[k].imag)
    return part.sum(axis=0)


@nb.njit(**_OPTS)
def _horner(W, cols, theta):
    M, D = W.shape[0], W.shape[1]
    q = cols.size
    out = np.empty((D, q), dtype=np.complex128)
    for d in nb.prange(D):
        for k in range(q):
            out[d, k] = W[M - 1, d, cols[k]]
        for j in range(M - 2, -1, -1):
            for k in range(q):
                out[d, k] = out[d, k] * theta[k] + W[j, d, cols[k]]
    return out


def norm_slope(W: np.ndarray, cols: np.ndarray, theta: np.ndarray):
    """‖P_k(θ_k)‖² and d‖P_k‖²/dθ of P_k(θ) = Σ_j θ^j W[j, :, cols[k]] (W of shape (m+1, D, K)).

    The sums over the D components run in a fixed number of blocks, so the result does not
    depend on the thread count.
    """
    out = _norm_slope(W, cols, np.ascontiguousarray(theta, dtype=np.float64), 16)
    return out[0], out[1]


def horner(W: np.ndarray, cols: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """P_k(θ_k) = Σ_j θ_k^j W[j, :, cols[k]] for each k; returns (D, len(cols))."""
    return _horner(W, cols, np.ascontiguousarray(theta, dtype=np.float64))
