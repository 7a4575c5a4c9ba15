"""Numba kernels of the excitation-manifold block solver (docs/theory/solvers.md#block-solver, docs/theory/solvers.md#solver-design-facts).

The density matrix started from |e...e> is block diagonal in the excitation number n
(docs/theory/solvers.md#block-structure); block n (size D_n = C(N, n)) is stored row-major in one flat complex array
at offset ``boff[n]``. Basis states of manifold n are the N-bit masks with n set bits in
ascending order (bit a set = site a excited); ``rank[mask]`` is the index inside the manifold.

Per manifold n the solver needs two index tables, both with a fixed row length:

* hopping table (``hoff``): row s' of H_eff,n has n(N-n) off-diagonal entries
  H(s', s) = K_ab / 2 with s = s' - a + b (a in s', b not in s'), K = J - i gamma;
  ``hcol`` holds s, ``hab`` holds a*N + b.
* raising table (``uoff``): for row t and each site b not in t, ``upcol`` holds the index of
  t + b in manifold n+1 and ``upsite`` holds b.

The right-hand side L(rho) = -i(H_eff rho - rho H_eff^dag) + F(rho_{n+1}) with the
site-basis feed F(i, j) = sum_{a not in j, b not in i} gamma_ab rho_{n+1}(i+b, j+a)
(docs/theory/solvers.md#solver-design-facts; docs/theory/solvers.md#block-structure) is evaluated on the upper triangle i <= j only and mirrored,
so every block stays exactly Hermitian (without that round-off grows exponentially,
docs/theory/solvers.md#solver-design-facts). The fused right-hand-side kernel itself is in :mod:`blocks_rhs`.
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numba as nb
import numpy as np

__all__ = ["BlockTables", "block_tables", "correlations", "CpuOps"]

_PAR = dict(cache=True, parallel=True, fastmath=True, nogil=True)


class BlockTables:
    """Index tables of the excitation manifolds of ``n_sites`` two-level systems."""

    def __init__(self, n_sites: int):
        N = int(n_sites)
        self.N = N
        self.dims = np.array([comb(N, n) for n in range(N + 1)], dtype=np.int64)
        self.boff = np.zeros(N + 2, dtype=np.int64)
        self.boff[1:] = np.cumsum(self.dims**2)
        self.size = int(self.boff[-1])  # = C(2N, N)
        masks = np.arange(2**N, dtype=np.int64)
        pop = np.zeros(2**N, dtype=np.int64)
        for b in range(N):
            pop += (masks >> b) & 1
        order = np.argsort(pop, kind="stable")
        self.soff = np.zeros(N + 2, dtype=np.int64)
        self.soff[1:] = np.cumsum(self.dims)
        self.states = masks[order]  # manifold n: states[soff[n]:soff[n+1]], ascending
        rank = np.empty(2**N, dtype=np.int64)
        rank[self.states] = np.arange(2**N) - self.soff[pop[self.states]]
        self.rank = rank
        hlen = np.array([n * (N - n) for n in range(N + 1)], dtype=np.int64)
        ulen = np.array([N - n for n in range(N + 1)], dtype=np.int64)
        self.hoff = np.zeros(N + 2, dtype=np.int64)
        self.hoff[1:] = np.cumsum(self.dims * hlen)
        self.uoff = np.zeros(N + 2, dtype=np.int64)
        self.uoff[1:] = np.cumsum(self.dims * ulen)
        self.hcol = np.empty(int(self.hoff[-1]), dtype=np.int32)
        self.hab = np.empty(int(self.hoff[-1]), dtype=np.int32)
        self.upcol = np.empty(int(self.uoff[-1]), dtype=np.int32)
        self.upsite = np.empty(int(self.uoff[-1]), dtype=np.int32)
        self.diag_sites = np.zeros((2**N, N), dtype=np.bool_)  # occupation of each state
        for b in range(N):
            self.diag_sites[:, b] = ((self.states >> b) & 1).astype(bool)
        _fill_tables(N, self.states, self.soff, self.rank, self.hoff, self.hcol, self.hab,
                     self.uoff, self.upcol, self.upsite)
        # site lists of the feed (blocks_rhs): for manifold n and site a, the states j of
        # manifold n without a (ascending) in site_j and 2*rank(j + a) in manifold n+1 in site_c2
        self.site_off = np.zeros(N * (N + 1) + 1, dtype=np.int64)
        sj, sc = [], []
        for n in range(N):
            D, ul = int(self.dims[n]), N - n
            up = self.upcol[self.uoff[n]:self.uoff[n + 1]].reshape(D, ul)
            us = self.upsite[self.uoff[n]:self.uoff[n + 1]].reshape(D, ul)
            for a in range(N):
                js, qs = np.nonzero(us == a)
                sj.append(js)
                sc.append(2 * up[js, qs])
                self.site_off[n * N + a + 1] = self.site_off[n * N + a] + js.size
        self.site_off[N * N + 1:] = self.site_off[N * N]
        self.site_j = np.concatenate(sj).astype(np.int32)
        self.site_c2 = np.concatenate(sc).astype(np.int32)
        self.corr_idx = self.corr_ab = None  # gather list of correlations(), built on first use

    def block(self, v: np.ndarray, n: int) -> np.ndarray:
        """View of block n of a flat state ``v`` as a (D_n, D_n) matrix."""
        D = int(self.dims[n])
        return v[self.boff[n]:self.boff[n + 1]].reshape(D, D)

    def hopping_values(self, K: np.ndarray, factor: complex) -> tuple[np.ndarray, np.ndarray]:
        """Off-diagonal values ``factor*K[a, b]/2`` (hopping layout) and diagonals ``factor*sum K_bb/2``."""
        vals = (0.5 * factor) * K.reshape(-1)[self.hab]
        diag = (0.5 * factor) * (self.diag_sites @ np.diag(K).astype(complex))
        return np.ascontiguousarray(vals), np.ascontiguousarray(diag)


@lru_cache(maxsize=4)
def block_tables(n_sites: int) -> BlockTables:
    """Cached :class:`BlockTables` for ``n_sites`` sites (depend on N only)."""
    return BlockTables(n_sites)


@nb.njit(cache=True)
def _fill_tables(N, states, soff, rank, hoff, hcol, hab, uoff, upcol, upsite):  # pragma: no cover
    for n in range(N + 1):
        D = soff[n + 1] - soff[n]
        hl = n * (N - n)
        ul = N - n
        for i in range(D):
            s = states[soff[n] + i]
            p = 0
            q = 0
            for a in range(N):
                if (s >> a) & 1:
                    for b in range(N):
                        if not (s >> b) & 1:
                            hcol[hoff[n] + i * hl + p] = rank[s ^ (1 << a) ^ (1 << b)]
                            hab[hoff[n] + i * hl + p] = a * N + b
                            p += 1
                else:
                    upcol[uoff[n] + i * ul + q] = rank[s | (1 << a)]
                    upsite[uoff[n] + i * ul + q] = a
                    q += 1


@nb.njit(cache=True)
def _corr_index(N, dims, boff, uoff, upcol, upsite, idx, ab):  # pragma: no cover
    """Flat state index and a*N + b (a <= b) of every element of ρ_n summed into C_ab."""
    e = 0
    for n in range(1, N + 1):
        Dn = dims[n]
        m = N - n + 1
        u0 = uoff[n - 1]
        for t in range(dims[n - 1]):
            for p in range(m):
                for q in range(p, m):
                    a, b = upsite[u0 + t * m + p], upsite[u0 + t * m + q]
                    ca, cb = upcol[u0 + t * m + p], upcol[u0 + t * m + q]
                    if a <= b:  # C_ab = sum_t rho_n(t+b, t+a)
                        idx[e], ab[e] = boff[n] + cb * Dn + ca, a * N + b
                    else:
                        idx[e], ab[e] = boff[n] + ca * Dn + cb, b * N + a
                    e += 1


@nb.njit(cache=True)
def _corr(N, v, idx, ab, C):  # pragma: no cover
    Cf = C.reshape(N * N)
    for e in range(idx.size):
        Cf[ab[e]] += v[idx[e]]
    for a in range(N):
        for b in range(a + 1, N):
            C[b, a] = np.conj(C[a, b])


def correlations(tab: BlockTables, v: np.ndarray) -> np.ndarray:
    """C[a, b] = <sigma+_a sigma-_b> = Tr(sigma+_a sigma-_b rho) of a flat block state (docs/theory/solvers.md#block-rhs).

    Sums the upper triangle a <= b (block states are Hermitian) through a gather list built
    once per N (~3x faster at N = 9 than index arithmetic in every call).
    """
    if tab.corr_idx is None:
        n_el = sum(int(tab.dims[n - 1]) * (tab.N - n + 1) * (tab.N - n + 2) // 2
                   for n in range(1, tab.N + 1))
        idx, ab = np.empty(n_el, dtype=np.int64), np.empty(n_el, dtype=np.int32)
        _corr_index(tab.N, tab.dims, tab.boff, tab.uoff, tab.upcol, tab.upsite, idx, ab)
        tab.corr_idx, tab.corr_ab = idx, ab
    C = np.zeros((tab.N, tab.N), dtype=np.complex128)
    _corr(tab.N, v, tab.corr_idx, tab.corr_ab, C)
    return C


@nb.njit(cache=True)
def _trace(N, v, dims, boff):  # pragma: no cover
    s = 0.0
    for n in range(N + 1):
        D = dims[n]
        for i in range(D):
            s += v[boff[n] + i * D + i].real
    return s


@nb.njit(**_PAR)
def _scaled_copy(dst, src, a):  # pragma: no cover
    for i in nb.prange(dst.size):
        dst[i] = a * src[i]


class CpuOps:
    """State operations of the numba backend (flat state arrays, see :class:`BlockTables`)."""

    def __init__(self, tab: BlockTables, J: np.ndarray, gamma: np.ndarray, max_manifold: int | None = None):
        from nonrecip.emission.solvers.blocks.rhs import RhsWork

        self.tab = tab
        self.N = tab.N
        self.work = RhsWork(tab, J, gamma, max_manifold)

    def new(self) -> np.ndarray:
        return np.zeros(self.tab.size, dtype=np.complex128)

    def initial(self, v: np.ndarray, blocks=None) -> None:
        v[:] = 0.0
        if blocks is None:
            v[self.tab.boff[self.N]] = 1.0  # block N is |e...e><e...e|
            return
        for n, rho in blocks.items():
            v[self.tab.boff[n]:self.tab.boff[n + 1]] = np.asarray(rho, dtype=complex).ravel()

    def scaled_copy(self, dst, src, a) -> None:
        _scaled_copy(dst, src, complex(a))

    def apply(self, vin, vout, acc, alpha, beta, cshift, acoef) -> float:
        from nonrecip.emission.solvers.blocks.rhs import apply_affine

        return apply_affine(self.tab, self.work, vin, vout, acc, alpha, beta, cshift, acoef)

    def corr(self, v) -> np.ndarray:
        return correlations(self.tab, v)

    def trace(self, v) -> float:
        return float(_trace(self.N, v, self.tab.dims, self.tab.boff))
