"""Numba kernels of the excitation-manifold block solver (spec E §7, solver_notes.md).

The density matrix started from |e...e> is block diagonal in the excitation number n
(spec E §7.1); block n (size D_n = C(N, n)) is stored row-major in one flat complex array
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
(solver_notes.md; spec E §7.1) is evaluated on the upper triangle i <= j only and mirrored,
so every block stays exactly Hermitian (without that round-off grows exponentially,
solver_notes.md).
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numba as nb
import numpy as np

__all__ = ["BlockTables", "block_tables", "apply_affine", "correlations", "CpuOps"]

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
        # dsite[n][c, m]: m-th occupied site (ascending) of state c of manifold n
        self.dsite = []
        for n in range(N + 1):
            st = self.states[self.soff[n]:self.soff[n + 1]]
            occ = ((st[:, None] >> np.arange(N)[None, :]) & 1).astype(bool)
            self.dsite.append(np.nonzero(occ)[1].reshape(len(st), n).astype(np.int32))
        # upflat: flat index m*D_{n+1}+c of (t + b) in the feed buffer; csuf: first c with mask > t
        self.upflat = np.empty_like(self.upcol)
        self.csuf = np.zeros(2**N, dtype=np.int64)
        for n in range(N):
            sl = slice(self.uoff[n], self.uoff[n + 1])
            uc = self.upcol[sl].astype(np.int64)
            ub = self.upsite[sl].astype(np.int64)
            cmask = self.states[self.soff[n + 1] + uc]
            m = np.zeros_like(uc)
            for a in range(N):
                m += ((cmask >> a) & 1) * (a < ub)
            self.upflat[sl] = (m * self.dims[n + 1] + uc).astype(np.int32)
            st = self.states[self.soff[n]:self.soff[n + 1]]
            nxt = self.states[self.soff[n + 1]:self.soff[n + 2]]
            self.csuf[self.soff[n]:self.soff[n + 1]] = np.searchsorted(nxt, st, side="right")

    def block(self, v: np.ndarray, n: int) -> np.ndarray:
        """View of block n of a flat state ``v`` as a (D_n, D_n) matrix."""
        D = int(self.dims[n])
        return v[self.boff[n]:self.boff[n + 1]].reshape(D, D)

    def hopping_values(self, K: np.ndarray, factor: complex) -> tuple[np.ndarray, np.ndarray]:
        """Off-diagonal values ``factor*K[a, b]/2`` (hopping layout) and diagonals ``factor*sum K_bb/2``."""
        vals = (0.5 * factor) * K.reshape(-1)[self.hab]
        diag = (0.5 * factor) * (self.diag_sites @ np.diag(K).astype(complex))
        return np.ascontiguousarray(vals), np.ascontiguousarray(diag)

    def feed_tables(self, gamma: np.ndarray) -> list[np.ndarray]:
        """Per manifold n: G[b, m*D_{n+1}+c] = gamma[site_m(c), b], c in manifold n+1 (feed stage 1)."""
        out = []
        for n in range(self.N + 1):
            if n == self.N:
                out.append(np.zeros((self.N, 1), dtype=np.complex128))
                continue
            ds = self.dsite[n + 1]  # (D_{n+1}, n+1) -> layout [b, m*D_{n+1} + c]
            out.append(np.ascontiguousarray(gamma[ds.T.reshape(-1), :].T.astype(np.complex128)))
        return out


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


@nb.njit(**_PAR)
def _hop_block(v, tmp, D, hl, hcol, hval, hdiag):  # pragma: no cover
    """tmp = Hm @ v for one block (Hm: diagonal ``hdiag`` + hopping ``hcol``/``hval``)."""
    TW = 32  # column tile; measured at N = 12: 16, 32, 64, 128 -> 0.69, 1.0, 0.83, 0.86 GMAC/s
    ntile = (D + TW - 1) // TW
    for it in nb.prange(ntile):
        j0 = it * TW
        j1 = min(D, j0 + TW)
        for i in range(D):
            d = hdiag[i]
            for j in range(j0, j1):
                tmp[i, j] = d * v[i, j]
            for p in range(hl):
                k = hcol[i * hl + p]
                h = hval[i * hl + p]
                for j in range(j0, j1):
                    tmp[i, j] += h * v[k, j]


@nb.njit(**_PAR)
def _combine_block(v, vn, tmp, out, acc, D, Dn, np1, ul, upcol_n, upsite_n, upflat_n, csuf, gdown,
                   alpha, beta, cshift, acoef, rowmax):  # pragma: no cover
    """out <- alpha*(tmp + tmp^dag + F(vn) - cshift*v) + beta*out on i <= j, mirrored.

    ``acc += acoef*out`` is fused in; ``rowmax[i]`` receives max |out(i, j)| over row i.
    """
    npair = (D + 1) // 2
    for ip in nb.prange(npair):
        fbuf = np.empty(D, dtype=np.complex128)
        ybuf = np.empty(Dn * np1, dtype=np.complex128)
        i0 = np.int64(ip)
        for side in range(2):
            i = i0 if side == 0 else np.int64(D - 1) - i0
            if side == 1 and i == i0:
                break
            # stage 1: Y(c, m) = sum_{b not in i} gamma(site_m(c), b) rho'(i+b, c) for the columns
            # c of block n+1 reachable from j >= i (a suffix, masks ascending); stage 2 gathers.
            c0 = csuf[i]
            for m in range(np1):
                for c in range(c0, Dn):
                    ybuf[m * Dn + c] = 0.0
            for p in range(ul):
                vr = vn[upcol_n[i * ul + p]]
                gr = gdown[upsite_n[i * ul + p]]
                for m in range(np1):
                    for c in range(c0, Dn):
                        ybuf[m * Dn + c] += gr[m * Dn + c] * vr[c]
            for j in range(i, D):
                s = 0.0j
                for q in range(ul):
                    s += ybuf[upflat_n[j * ul + q]]
                fbuf[j] = s
            rmax = 0.0
            for j in range(i, D):
                x = tmp[i, j] + np.conj(tmp[j, i]) + fbuf[j] - cshift * v[i, j]
                y = alpha * x + beta * out[i, j]
                if j == i:
                    y = y.real + 0.0j
                out[i, j] = y
                acc[i, j] += acoef * y
                if j != i:
                    out[j, i] = np.conj(y)
                    acc[j, i] += acoef * np.conj(y)
                a = abs(y)
                if a > rmax:
                    rmax = a
            rowmax[i] = rmax


def apply_affine(tab: BlockTables, vin, vout, acc, tmp, hval, hdiag, gtab, alpha, beta, cshift,
                 acoef) -> float:
    """vout <- alpha*(L - cshift) vin + beta*vout and acc += acoef*vout, block by block.

    ``hval``/``hdiag`` must hold -i*H_eff (see :meth:`BlockTables.hopping_values`). Blocks are
    processed in ascending n; block n of the result needs blocks n, n+1 of ``vin`` and block n
    of ``vout`` only, so ``vout`` may hold the previous Chebyshev term. Returns max|vout|.
    """
    N = tab.N
    vmax = 0.0
    for n in range(N + 1):
        D = int(tab.dims[n])
        v = tab.block(vin, n)
        o = tab.block(vout, n)
        a = tab.block(acc, n)
        T = tmp[: D * D].reshape(D, D)
        hl = n * (N - n)
        _hop_block(v, T, D, hl, tab.hcol[tab.hoff[n]:tab.hoff[n + 1]],
                   hval[tab.hoff[n]:tab.hoff[n + 1]], hdiag[tab.soff[n]:tab.soff[n + 1]])
        ul = N - n
        vn = tab.block(vin, n + 1) if n < N else v
        rowmax = np.empty(D)
        _combine_block(v, vn, T, o, a, D, int(tab.dims[min(n + 1, N)]), n + 1, ul,
                       tab.upcol[tab.uoff[n]:tab.uoff[n + 1]],
                       tab.upsite[tab.uoff[n]:tab.uoff[n + 1]],
                       tab.upflat[tab.uoff[n]:tab.uoff[n + 1]],
                       tab.csuf[tab.soff[n]:tab.soff[n + 1]], gtab[n], alpha, beta,
                       cshift, acoef, rowmax)
        vmax = max(vmax, float(rowmax.max()))
    return vmax


@nb.njit(cache=True)
def _corr(N, v, dims, boff, uoff, upcol, upsite, C):  # pragma: no cover
    for n in range(1, N + 1):
        Dm = dims[n - 1]
        Dn = dims[n]
        m = N - n + 1
        base = boff[n]
        u0 = uoff[n - 1]
        for t in range(Dm):
            for p in range(m):
                a = upsite[u0 + t * m + p]
                ca = upcol[u0 + t * m + p]
                for q in range(m):
                    b = upsite[u0 + t * m + q]
                    cb = upcol[u0 + t * m + q]
                    C[a, b] += v[base + cb * Dn + ca]


def correlations(tab: BlockTables, v: np.ndarray) -> np.ndarray:
    """C[a, b] = <sigma+_a sigma-_b> = Tr(sigma+_a sigma-_b rho) of a flat block state (spec E §7.2)."""
    C = np.zeros((tab.N, tab.N), dtype=np.complex128)
    _corr(tab.N, v, tab.dims, tab.boff, tab.uoff, tab.upcol, tab.upsite, C)
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

    def __init__(self, tab: BlockTables, J: np.ndarray, gamma: np.ndarray):
        self.tab = tab
        self.N = tab.N
        self.hval, self.hdiag = tab.hopping_values(J - 1j * gamma, -1j)
        self.gtab = tab.feed_tables(gamma)
        self.tmp = np.zeros(int(tab.dims.max()) ** 2, dtype=np.complex128)

    def new(self) -> np.ndarray:
        return np.zeros(self.tab.size, dtype=np.complex128)

    def initial(self, v: np.ndarray) -> None:
        v[:] = 0.0
        v[self.tab.boff[self.N]] = 1.0  # block N is |e...e><e...e|

    def scaled_copy(self, dst, src, a) -> None:
        _scaled_copy(dst, src, complex(a))

    def apply(self, vin, vout, acc, alpha, beta, cshift, acoef) -> float:
        return apply_affine(self.tab, vin, vout, acc, self.tmp, self.hval, self.hdiag, self.gtab,
                            float(alpha), float(beta), float(cshift), float(acoef))

    def corr(self, v) -> np.ndarray:
        return correlations(self.tab, v)

    def trace(self, v) -> float:
        return float(_trace(self.N, v, self.tab.dims, self.tab.boff))
