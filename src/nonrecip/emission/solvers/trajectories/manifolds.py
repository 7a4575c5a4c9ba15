"""Excitation manifolds of N two-level systems: bases, H_eff blocks and lowering tables.

Manifold n holds the N-bit masks with n set bits (bit a set = qubit a excited) in ascending
order; its dimension is D_n = C(N, n) (docs/theory/trajectories.md#manifold-structure).
Everything here is sparse: no array of size D_n² is ever formed.
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

__all__ = ["Manifolds", "manifolds", "heff_block", "norm_bound"]


class Manifolds:
    """Bases and index tables of the excitation manifolds of ``n_sites`` qubits.

    Attributes
    ----------
    N : int
        Number of qubits.
    dims : numpy.ndarray of int
        D_n = C(N, n) for n = 0…N.
    states : list of numpy.ndarray
        ``states[n]`` — the masks of manifold n, ascending.
    rank : numpy.ndarray
        ``rank[mask]`` — index of ``mask`` inside its manifold.
    """

    def __init__(self, n_sites: int):
        N = int(n_sites)
        self.N = N
        self.dims = np.array([comb(N, n) for n in range(N + 1)], dtype=np.int64)
        masks = np.arange(2**N, dtype=np.int64)
        pop = np.zeros(2**N, dtype=np.int64)
        for b in range(N):
            pop += (masks >> b) & 1
        order = np.argsort(pop, kind="stable")
        offsets = np.concatenate([[0], np.cumsum(self.dims)])
        self.states = [masks[order[offsets[n]:offsets[n + 1]]] for n in range(N + 1)]
        rank = np.empty(2**N, dtype=np.int64)
        for n in range(N + 1):
            rank[self.states[n]] = np.arange(self.dims[n])
        self.rank = rank

    def occupation(self, n: int) -> np.ndarray:
        """Boolean (D_n, N) table: qubit a excited in basis state s of manifold n."""
        return ((self.states[n][:, None] >> np.arange(self.N)) & 1).astype(bool)

    def lowering_table(self, n: int):
        """Tables of σ⁻_b from manifold n (≥ 1) to manifold n−1.

        Returns
        -------
        up : numpy.ndarray int32 (D_{n−1}, N−n+1)
            ``up[t, j]`` — index in manifold n of t + qubit ``site[t, j]``.
        site : numpy.ndarray int32 (D_{n−1}, N−n+1)
            The qubits empty in t, ascending. So (σ⁻_b ψ)(t) = ψ[up[t, j]] for b = site[t, j],
            and zero for b excited in t.
        """
        N = self.N
        lower = self.states[n - 1]
        empty = ~self.occupation(n - 1)
        rows, site = np.nonzero(empty)
        width = N - n + 1
        site = site.reshape(lower.size, width)
        up = self.rank[lower[:, None] | (np.int64(1) << site)]
        return up.astype(np.int32), site.astype(np.int32)

    def hopping_structure(self, n: int):
        """Coordinates of the off-diagonal entries of H_eff in manifold n.

        Returns
        -------
        row, col : numpy.ndarray int32
            H(row, col) = ½K_ab with row = col − b + a (b excited, a empty in col).
        pair : numpy.ndarray int32
            a·N + b of each entry.
        """
        N = self.N
        S = self.states[n]
        occ = self.occupation(n)
        rows, cols, pairs = [], [], []
        for b in range(N):
            has_b = occ[:, b]
            for a in range(N):
                if a == b:
                    continue
                sel = np.nonzero(has_b & ~occ[:, a])[0]
                if sel.size == 0:
                    continue
                target = (S[sel] ^ (np.int64(1) << b)) | (np.int64(1) << a)
                rows.append(self.rank[target].astype(np.int32))
                cols.append(sel.astype(np.int32))
                pairs.append(np.full(sel.size, a * N + b, dtype=np.int32))
        if not rows:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, empty
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(pairs)


@lru_cache(maxsize=4)
def manifolds(n_sites: int) -> Manifolds:
    """Cached :class:`Manifolds` of ``n_sites`` qubits."""
    return Manifolds(n_sites)


def heff_block(mf: Manifolds, n: int, K: np.ndarray, shift: bool = True):
    """Sparse block of H_eff = ½Σ K_ab σ⁺_a σ⁻_b, K = J − iγ, in manifold n (docs/theory/trajectories.md#manifold-structure).

    Parameters
    ----------
    mf : Manifolds
        Bases of the N qubits.
    n : int
        Excitation number.
    K : numpy.ndarray complex (N, N)
        J − iγ in units of γ0.
    shift : bool
        Subtract μ = Tr H_n / D_n from the diagonal.

    Returns
    -------
    A : scipy.sparse.csr_matrix complex (D_n, D_n)
        H_n − μ·1 (units of γ0).
    mu : complex
        The shift μ (``0`` when ``shift`` is false).
    """
    N = mf.N
    D = int(mf.dims[n])
    diag = 0.5 * (mf.occupation(n).astype(float) @ np.diag(K))
    mu = complex(diag.mean()) if shift else 0j
    row, col, pair = mf.hopping_structure(n)
    values = 0.5 * K.reshape(N * N)[pair]
    idx = np.arange(D, dtype=np.int32)
    A = sp.csr_matrix(
        (np.concatenate([values, diag - mu]), (np.concatenate([row, idx]), np.concatenate([col, idx]))),
        shape=(D, D),
    )
    A.sum_duplicates()
    return A, mu


def norm_bound(A, margin: float = 1.05, dense_below: int = 400) -> float:
    """Bound of the spectral norm ‖A‖₂ used for the Taylor truncation (docs/theory/trajectories.md#error-control).

    ‖A‖₂ itself (dense SVD for dimension < ``dense_below``, else ARPACK ``svds`` from a fixed
    start vector) times ``margin``, capped by the rigorous √(‖A‖₁‖A‖∞).
    """
    if A.nnz == 0:
        return 0.0
    absA = abs(A)
    rigorous = float(np.sqrt(float(absA.sum(axis=0).max()) * float(absA.sum(axis=1).max())))
    D = A.shape[0]
    if D < dense_below:
        s = float(np.linalg.norm(A.toarray(), 2))
    else:
        s = float(svds(A, k=1, v0=np.ones(D, dtype=A.dtype) / np.sqrt(D), return_singular_vectors=False)[0])
    return min(rigorous, margin * s)
