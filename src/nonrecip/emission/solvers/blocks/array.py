"""Array-operation backend of the block solver: NumPy/SciPy or CuPy (docs/theory/emission.md#master-equation, docs/theory/solvers.md#block-solver).

Same propagator as the numba backend (:mod:`.solver`), with an independent formulation of the
right-hand side: the feed uses the collective jump operators of γ = U diag(Γ) U† (docs/theory/emission.md#master-equation),
F_n = Σ_k Γ_k O_k ρ_{n+1} O_k†, O_k = Σ_β U*_βk S_β (S_β lowers site β), as sparse × dense
products; H_eff is a sparse matrix per manifold. Every block is made exactly Hermitian:
out = T + T† + (F + F†)/2 with T = −i H_eff ρ_n. ``"numpy"`` is a slow reference used by the
tests; ``"cupy"`` runs the same code on a GPU (imported lazily; not yet run on a GPU).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["ArrayOps"]


class ArrayOps:
    """State operations with array modules (flat state in the layout of :class:`BlockTables`)."""

    def __init__(self, tab, J: np.ndarray, gamma: np.ndarray, backend: str):
        if backend == "cupy":
            import cupy as xp  # lazy: optional dependency
            import cupyx.scipy.sparse as xsp
        elif backend == "numpy":
            xp, xsp = np, sp
        else:
            raise ValueError(f"unknown array backend {backend!r}")
        self.xp, self.xsp, self.tab, self.N = xp, xsp, tab, tab.N
        N = self.N
        K = J - 1j * gamma
        hval, hdiag = tab.hopping_values(K, -1j)  # -i H_eff
        Gam, U = np.linalg.eigh(gamma)
        keep = np.abs(Gam) > 1e-15 * max(1e-300, np.abs(Gam).max())
        self.H, self.O, self.Gam = [], [], [float(g) for g in Gam[keep]]
        for n in range(N + 1):
            D = int(tab.dims[n])
            hl = n * (N - n)
            rows = np.repeat(np.arange(D), hl)
            Hn = sp.csr_matrix((hval[tab.hoff[n]:tab.hoff[n + 1]],
                                (rows, tab.hcol[tab.hoff[n]:tab.hoff[n + 1]])), shape=(D, D))
            Hn = (Hn + sp.diags(hdiag[tab.soff[n]:tab.soff[n + 1]])).tocsr()
            self.H.append(xsp.csr_matrix(Hn))
            ops = []
            if n < N:
                ul = N - n
                r = np.repeat(np.arange(D), ul)
                c = tab.upcol[tab.uoff[n]:tab.uoff[n + 1]]
                b = tab.upsite[tab.uoff[n]:tab.uoff[n + 1]]
                Dn = int(tab.dims[n + 1])
                for k in np.nonzero(keep)[0]:
                    Ok = sp.csr_matrix((np.conj(U[b, k]), (r, c)), shape=(D, Dn))
                    ops.append(xsp.csr_matrix(Ok))
            self.O.append(ops)
        # C_ab = sum over (t, a, b) of rho_n(t+b, t+a): one sparse row per (a, b)
        ri, ci = [], []
        for n in range(1, N + 1):
            m = N - n + 1
            us = tab.upsite[tab.uoff[n - 1]:tab.uoff[n]].reshape(-1, m)
            uc = tab.upcol[tab.uoff[n - 1]:tab.uoff[n]].reshape(-1, m).astype(np.int64)
            Dn = int(tab.dims[n])
            a, b = us[:, :, None], us[:, None, :]
            ri.append((a * N + b).ravel())
            ci.append((tab.boff[n] + uc[:, None, :] * Dn + uc[:, :, None]).ravel())
        ri = np.concatenate(ri) if ri else np.zeros(0, int)
        ci = np.concatenate(ci) if ci else np.zeros(0, int)
        M = sp.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(N * N, tab.size))
        self.M = xsp.csr_matrix(M.astype(complex))
        self.diag_idx = xp.asarray(np.concatenate(
            [tab.boff[n] + np.arange(int(tab.dims[n])) * (int(tab.dims[n]) + 1) for n in range(N + 1)]))

    def _blk(self, v, n):
        D = int(self.tab.dims[n])
        return v[int(self.tab.boff[n]):int(self.tab.boff[n + 1])].reshape(D, D)

    def new(self):
        return self.xp.zeros(self.tab.size, dtype=complex)

    def initial(self, v, blocks=None) -> None:
        v[:] = 0.0
        if blocks is None:
            v[int(self.tab.boff[self.N])] = 1.0
            return
        for n, rho in blocks.items():
            v[int(self.tab.boff[n]):int(self.tab.boff[n + 1])] = self.xp.asarray(np.asarray(rho, dtype=complex).ravel())

    def scaled_copy(self, dst, src, a) -> None:
        dst[:] = a * src

    def apply(self, vin, vout, acc, alpha, beta, cshift, acoef) -> float:
        xp = self.xp
        vmax = 0.0
        for n in range(self.N + 1):
            v = self._blk(vin, n)
            T = self.H[n] @ v
            X = T + T.conj().T
            if n < self.N:
                vn = self._blk(vin, n + 1)
                F = xp.zeros_like(X)
                for g, Ok in zip(self.Gam, self.O[n]):
                    F += g * (Ok @ (Ok @ vn).conj().T)
                X += 0.5 * (F + F.conj().T)
            X -= cshift * v
            o = self._blk(vout, n)
            y = alpha * X if beta == 0.0 else alpha * X + beta * o
            o[...] = y
            self._blk(acc, n)[...] += acoef * y
            vmax = max(vmax, float(xp.abs(y).max()))
        return vmax

    def corr(self, v) -> np.ndarray:
        C = (self.M @ v).reshape(self.N, self.N)
        return C.get() if self.xp is not np else np.asarray(C)

    def trace(self, v) -> float:
        return float(self.xp.real(v[self.diag_idx].sum()))
