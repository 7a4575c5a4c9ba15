"""Fused right-hand side of the excitation-manifold block solver (docs/theory/solvers.md#block-structure; docs/theory/solvers.md#solver-design-facts).

One call applies L to every block of a flat state (layout: :class:`~nonrecip.emission.solvers.blocks.kernels.BlockTables`):

    vout <- alpha*(L - cshift) vin + beta*vout,   acc += acoef*vout,
    L(rho)_n = -i(H_eff rho_n - rho_n H_eff^dag) + sum_ab gamma_ab rho_{n+1}(i+b, j+a).

Design (measurements behind each choice: ``benchmarks/README.md``, "Block solver design
measurements"):

* H_eff products: complex products as real FMAs, h*z = Re(h) z + i Im(h) z with two real
  accumulators over the float64 view of the rows, four rows per pass; row slices instead of
  index arithmetic avoid numba's wraparound checks, so LLVM vectorises the loops.
* Two parallel calls per RHS (H_eff products of all blocks; feed + Hermitian combination of
  all blocks) instead of two calls per block.
* Feed of row i: for each site a, T(j) = sum_{b not in i} gamma_ab rho'(i+b, j+a) over the
  states j >= i without a (site lists ``site_j``/``site_c2`` of the tables), then
  F(i, j) += T(j): only the (n+1)(N-n) products per element that enter F.
* Rows are processed in blocks of RB = 8, paired (first with last) for load balance; only
  i <= j is computed and mirrored, so every block is exactly Hermitian.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["RhsWork", "apply_affine"]

_PAR = dict(cache=True, parallel=True, fastmath=True, nogil=True, boundscheck=False)
CH = 256  # column chunk in float64 slots (128 complex numbers)
RB = 8  # rows per work item of the feed stage
_SER = dict(cache=True, fastmath=True, nogil=True, boundscheck=False)


@nb.njit(**_SER)
def _acc(A, B, x, y, v):  # pragma: no cover
    """A += x*v, B += y*v on float64 slices (h*z = Re(h) z + i Im(h) z, see :func:`_join`)."""
    for f in range(A.size):
        A[f] += x * v[f]
        B[f] += y * v[f]


@nb.njit(**_SER)
def _acc2(A, B, x, y, v, x1, y1, v1):  # pragma: no cover
    """Two fused :func:`_acc` updates (one load/store of the accumulators for both)."""
    for f in range(A.size):
        A[f] += x * v[f] + x1 * v1[f]
        B[f] += y * v[f] + y1 * v1[f]


@nb.njit(**_SER)
def _acc4(A, B, x, y, v, x1, y1, v1, x2, y2, v2, x3, y3, v3):  # pragma: no cover
    """Four fused :func:`_acc` updates (one load/store of the accumulators for all)."""
    for f in range(A.size):
        A[f] += (x * v[f] + x1 * v1[f]) + (x2 * v2[f] + x3 * v3[f])
        B[f] += (y * v[f] + y1 * v1[f]) + (y2 * v2[f] + y3 * v3[f])


@nb.njit(**_SER)
def _join(out, A, B):  # pragma: no cover
    """out = A + i*B for interleaved complex data in float64 slices."""
    for k in range(0, A.size, 2):
        out[k] = A[k] - B[k + 1]
        out[k + 1] = A[k + 1] + B[k]


@nb.njit(**_PAR)
def _hop(N, dims, boff, hoff, soff, hcol, hre, him, dre, dim_, vinf, tmpf, hitems, nch):  # pragma: no cover
    """tmp = -i H_eff v for every block, one (block, row, column chunk) item at a time."""
    nh = hitems.shape[0]
    for ich in nb.prange(nch):
        Ab = np.empty(CH)
        Bb = np.empty(CH)
        for it in range(ich, nh, nch):
            n, i, f0 = hitems[it, 0], hitems[it, 1], hitems[it, 2]
            W2 = 2 * dims[n]
            f1 = min(W2, f0 + CH)
            A, B = Ab[: f1 - f0], Bb[: f1 - f0]
            hl = n * (N - n)
            vf = vinf[2 * boff[n]: 2 * boff[n + 1]]
            h0 = hoff[n] + i * hl
            A[:] = 0.0
            B[:] = 0.0
            _acc(A, B, dre[soff[n] + i], dim_[soff[n] + i], vf[i * W2 + f0: i * W2 + f1])
            p = 0
            while p + 3 < hl:
                q = h0 + p
                k, k1, k2, k3 = hcol[q], hcol[q + 1], hcol[q + 2], hcol[q + 3]
                _acc4(A, B, hre[q], him[q], vf[k * W2 + f0: k * W2 + f1],
                      hre[q + 1], him[q + 1], vf[k1 * W2 + f0: k1 * W2 + f1],
                      hre[q + 2], him[q + 2], vf[k2 * W2 + f0: k2 * W2 + f1],
                      hre[q + 3], him[q + 3], vf[k3 * W2 + f0: k3 * W2 + f1])
                p += 4
            while p + 1 < hl:
                k, k1 = hcol[h0 + p], hcol[h0 + p + 1]
                _acc2(A, B, hre[h0 + p], him[h0 + p], vf[k * W2 + f0: k * W2 + f1],
                      hre[h0 + p + 1], him[h0 + p + 1], vf[k1 * W2 + f0: k1 * W2 + f1])
                p += 2
            if p < hl:
                k = hcol[h0 + p]
                _acc(A, B, hre[h0 + p], him[h0 + p], vf[k * W2 + f0: k * W2 + f1])
            _join(tmpf[2 * boff[n] + i * W2 + f0: 2 * boff[n] + i * W2 + f1], A, B)


@nb.njit(**_PAR)
def _feed_combine(N, dims, boff, soff, uoff, upcol, upsite, site_off, site_j, site_c2, gre,
                  gim, vin, vinf, tmp, vout, acc, citems, alpha, beta, cshift, acoef, rowmax,
                  nch):  # pragma: no cover
    """Feed F(rho_{n+1}) and vout/acc update on i <= j, mirrored; rowmax[i] = max_j |vout(i, j)|^2."""
    nc = citems.shape[0]
    Dmax = 0
    for n in range(N + 1):
        Dmax = max(Dmax, dims[n])
    for ich in nb.prange(nch):
        fre = np.empty(Dmax)
        fim = np.empty(Dmax)
        tre = np.empty(Dmax)
        tim = np.empty(Dmax)
        cre = np.empty(N)
        cim = np.empty(N)
        rows = np.empty(N, dtype=np.int64)
        for it in range(ich, nc, nch):
            n, ib = citems[it, 0], citems[it, 1]
            D = dims[n]
            nbk = (D + RB - 1) // RB
            ul = N - n
            m = min(n + 1, N)
            W2 = 2 * dims[m]
            base = boff[n]
            vnf = vinf[2 * boff[m]: 2 * boff[m + 1]]
            for side in range(2):
                jb = ib if side == 0 else nbk - 1 - ib
                if side == 1 and jb == ib:
                    break
                for i in range(jb * RB, min(D, jb * RB + RB)):
                    u0 = uoff[n] + i * ul
                    L2 = D - i
                    fre[:L2] = 0.0
                    fim[:L2] = 0.0
                    for p in range(ul):
                        rows[p] = upcol[u0 + p] * W2
                    # F(i, j) += sum_{b not in i} gamma_ab rho'(i+b, j+a), site by site
                    for a in range(N if ul > 0 else 0):
                        for p in range(ul):
                            cre[p] = gre[a, upsite[u0 + p]]
                            cim[p] = gim[a, upsite[u0 + p]]
                        lo, hi = site_off[n * N + a], site_off[n * N + a + 1]
                        s1 = hi
                        while lo < hi:  # first j >= i in the ascending site list
                            mid = (lo + hi) // 2
                            if site_j[mid] < i:
                                lo = mid + 1
                            else:
                                hi = mid
                        nn = s1 - lo
                        Tr, Ti, c2s = tre[:nn], tim[:nn], site_c2[lo:s1]
                        Tr[:] = 0.0
                        Ti[:] = 0.0
                        for p in range(ul):
                            x, y = cre[p], cim[p]
                            row = vnf[rows[p]: rows[p] + W2]
                            for q in range(nn):
                                vr, vi = row[c2s[q]], row[c2s[q] + 1]
                                Tr[q] += x * vr - y * vi
                                Ti[q] += x * vi + y * vr
                        js = site_j[lo:s1]
                        for q in range(nn):
                            fre[js[q] - i] += Tr[q]
                            fim[js[q] - i] += Ti[q]
                    r0 = base + i * D + i
                    trow, tcol = tmp[r0: base + (i + 1) * D], tmp[r0: base + D * D: D]
                    vrow = vin[r0: base + (i + 1) * D]
                    orow, ocol = vout[r0: base + (i + 1) * D], vout[r0: base + D * D: D]
                    arow, acol = acc[r0: base + (i + 1) * D], acc[r0: base + D * D: D]
                    rmax = 0.0
                    for q in range(L2):
                        y = alpha * (trow[q] + np.conj(tcol[q]) + complex(fre[q], fim[q])
                                     - cshift * vrow[q]) + beta * orow[q]
                        orow[q] = y
                        arow[q] += acoef * y
                        rmax = max(rmax, y.real * y.real + y.imag * y.imag)
                    orow[0] = orow[0].real + 0.0j
                    arow[0] = arow[0].real + 0.0j
                    for q in range(1, L2):
                        ocol[q] = np.conj(orow[q])
                        acol[q] = np.conj(arow[q])
                    rowmax[soff[n] + i] = rmax


class RhsWork:
    """Work lists, coefficient tables and buffers of :func:`apply_affine` for one (J, gamma)."""

    def __init__(self, tab, J: np.ndarray, gamma: np.ndarray, max_manifold: int | None = None):
        """``max_manifold`` k: work on the blocks n ≤ k only (a state with at most k excitations
        stays there; the blocks above are never written)."""
        top = tab.N if max_manifold is None else min(int(max_manifold), tab.N)
        hval, hdiag = tab.hopping_values(J - 1j * gamma, -1j)  # -i H_eff
        self.hre, self.him = np.ascontiguousarray(hval.real), np.ascontiguousarray(hval.imag)
        self.dre, self.dim = np.ascontiguousarray(hdiag.real), np.ascontiguousarray(hdiag.imag)
        self.gre = np.ascontiguousarray(gamma.real, dtype=float)
        self.gim = np.ascontiguousarray(gamma.imag, dtype=float)
        h, c = [], []
        for n in range(top + 1):
            D = int(tab.dims[n])
            for f0 in range(0, 2 * D, CH):
                h.extend((n, i, f0) for i in range(D))
            nbk = (D + RB - 1) // RB
            c.extend((n, ib) for ib in range((nbk + 1) // 2))
        self.hitems = np.array(h, dtype=np.int64).reshape(-1, 3)
        self.citems = np.array(c, dtype=np.int64).reshape(-1, 2)
        self.tmp = np.zeros(tab.size, dtype=np.complex128)  # -i H_eff vin, all blocks
        self.rowmax = np.zeros(2**tab.N)


def apply_affine(tab, work: RhsWork, vin, vout, acc, alpha, beta, cshift, acoef) -> float:
    """vout <- alpha*(L - cshift) vin + beta*vout and acc += acoef*vout; returns max|vout|.

    Block n of the result needs blocks n, n+1 of ``vin`` and block n of ``vout`` only, so
    ``vout`` may hold the previous Chebyshev term (``beta`` != 0). Only i <= j is computed:
    every block of ``vin``, ``vout`` and ``acc`` must be Hermitian on entry (the propagator
    keeps them so); the lower triangles of ``vout`` and ``acc`` are overwritten by mirroring.
    """
    nch = 4 * nb.get_num_threads()
    vinf = vin.view(np.float64)
    _hop(tab.N, tab.dims, tab.boff, tab.hoff, tab.soff, tab.hcol, work.hre, work.him, work.dre,
         work.dim, vinf, work.tmp.view(np.float64), work.hitems, nch)
    _feed_combine(tab.N, tab.dims, tab.boff, tab.soff, tab.uoff, tab.upcol, tab.upsite,
                  tab.site_off, tab.site_j, tab.site_c2, work.gre, work.gim, vin, vinf, work.tmp,
                  vout, acc, work.citems, float(alpha), float(beta), float(cshift), float(acoef),
                  work.rowmax, nch)
    return float(np.sqrt(work.rowmax.max()))
