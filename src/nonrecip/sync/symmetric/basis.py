"""Permutation-symmetric operator basis of two spin species and its Liouvillian (docs/theory/sync.md#symmetric-basis).

For one species of N spins the basis element P(n) with n = (n_ee, n_eg, n_ge, n_gg), Σn = N,
is the sum over all arrangements of single-site operators |a⟩⟨b| with the given type counts;
there are C(N+3, 3) of them. Left/right multiplication by S^±, S^z and the local maps of
Eqs. (6), (28) are sparse "move one site type" maps whose coefficient is the *new* count of the
target type. The two-species Liouvillian of Eq. (1) (+ Eq. 28) is a sum of Kronecker products.

The U(1) charge q = (n_eg − n_ge)_A + (n_eg − n_ge)_B is conserved; the steady state lives in
q = 0 and the collective QRT spectrum in q = −1. A sector is stored as the direct sum over
q_A of (A states with charge q_A) × (B states with charge q − q_A), in Kronecker order, so
that each Kronecker term is assembled block by block without ever forming the full space.

Own implementation (PIQS builds only single-ensemble Dicke-basis Liouvillians; two coupled
ensembles and U(1) sectors are not available there).
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numpy as np
import scipy.sparse as sp

__all__ = ["SpeciesBasis", "Sector", "liouvillian_terms", "sector_operator", "species_functional"]

EE, EG, GE, GG = 0, 1, 2, 3


class SpeciesBasis:
    """Permutation-symmetric operator basis of one species of ``N`` spins (docs/theory/sync.md#symmetric-basis).

    Attributes
    ----------
    N : int
    states : ndarray (dim, 4)
        Counts (n_ee, n_eg, n_ge, n_gg) of each basis element.
    q : ndarray (dim,)
        U(1) charge n_eg − n_ge.
    """

    def __init__(self, N: int):
        self.N = int(N)
        st = [
            (a, b, c, self.N - a - b - c)
            for a in range(self.N + 1)
            for b in range(self.N + 1 - a)
            for c in range(self.N + 1 - a - b)
        ]
        self.states = np.array(st, dtype=np.int64).reshape(-1, 4)
        self.dim = len(self.states)
        self.q = self.states[:, EG] - self.states[:, GE]
        self._index = {tuple(s): i for i, s in enumerate(st)}

    def index(self, n) -> int:
        return self._index[tuple(int(x) for x in n)]

    def move(self, src: int, dst: int) -> sp.csr_matrix:
        """Map P(n) → n'_dst P(n') with n' = n − e_src + e_dst (one site changes type)."""
        ok = self.states[:, src] > 0
        cols = np.nonzero(ok)[0]
        tgt = self.states[ok].copy()
        tgt[:, src] -= 1
        tgt[:, dst] += 1
        rows = np.array([self._index[tuple(t)] for t in tgt], dtype=np.int64)
        vals = tgt[:, dst].astype(float)
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.dim, self.dim))

    def diag(self, coeffs) -> sp.csr_matrix:
        """Diagonal map P(n) → (coeffs · n) P(n)."""
        return sp.diags(self.states @ np.asarray(coeffs, dtype=float)).tocsr()

    @lru_cache(maxsize=None)
    def op(self, name: str) -> sp.csr_matrix:
        """Elementary superoperators of one species.

        ``Lm``/``Lp``/``Lz``: left multiplication by S^-, S^+, S^z; ``Rm``/``Rp``/``Rz``: right
        multiplication (ρ ↦ ρX); ``up``: Σ_i σ^+_i ρ σ^-_i; ``down``: Σ_i σ^-_i ρ σ^+_i;
        ``nLe``/``nRe``/``nLg``/``nRg``: ρ ↦ (Σ_i|e⟩⟨e|_i) ρ etc.; ``ncoh``: n_eg + n_ge.
        """
        m = self.move
        table = {
            "Lm": lambda: m(EE, GE) + m(EG, GG),
            "Lp": lambda: m(GE, EE) + m(GG, EG),
            "Rm": lambda: m(EG, EE) + m(GG, GE),
            "Rp": lambda: m(EE, EG) + m(GE, GG),
            "Lz": lambda: self.diag([0.5, 0.5, -0.5, -0.5]),
            "Rz": lambda: self.diag([0.5, -0.5, 0.5, -0.5]),
            "up": lambda: m(GG, EE),
            "down": lambda: m(EE, GG),
            "nLe": lambda: self.diag([1, 1, 0, 0]),
            "nRe": lambda: self.diag([1, 0, 1, 0]),
            "nLg": lambda: self.diag([0, 0, 1, 1]),
            "nRg": lambda: self.diag([0, 1, 0, 1]),
            "ncoh": lambda: self.diag([0, 1, 1, 0]),
            "I": lambda: sp.identity(self.dim, format="csr"),
            "LmRp": lambda: self.op("Lm") @ self.op("Rp"),  # S^- ρ S^+
            "LpLm": lambda: self.op("Lp") @ self.op("Lm"),  # S^+S^- ρ
            "RmRp": lambda: self.op("Rm") @ self.op("Rp"),  # ρ S^+S^- = R(S^-)R(S^+)ρ
        }
        return table[name]().tocsr()

    def dq(self, name: str) -> int:
        """Change of the U(1) charge caused by ``op(name)``."""
        return {"Lm": -1, "Lp": 1, "Rm": -1, "Rp": 1}.get(name, 0)


@lru_cache(maxsize=8)
def _basis(N: int) -> SpeciesBasis:
    return SpeciesBasis(N)


def species_functional(basis: SpeciesBasis, p: int, m: int, z: int) -> np.ndarray:
    """Tr[P(n) σ^+_1…σ^+_p σ^-_{p+1}…σ^-_{p+m} σ^z…(z sites)] on distinct sites, for every n.

    docs/theory/sync.md#symmetric-basis: [n_ge = p][n_eg = m] Σ_q C(z,q)(−1)^{z−q} C(N−p−m−z, n_ee−q).
    """
    st = basis.states
    N = basis.N
    out = np.zeros(basis.dim)
    if p + m + z > N:
        return out * np.nan
    sel = (st[:, GE] == p) & (st[:, EG] == m)
    for i in np.nonzero(sel)[0]:
        nee = st[i, EE]
        out[i] = sum(
            comb(z, q) * (-1) ** (z - q) * comb(N - p - m - z, nee - q)
            for q in range(0, min(z, nee) + 1)
            if 0 <= nee - q <= N - p - m - z
        )
    return out


class Sector:
    """U(1) sector q of two species (N_A, N_B): index bookkeeping (docs/theory/sync.md#symmetric-basis).

    The sector vector is the concatenation over q_A (ascending) of blocks
    (A states with charge q_A) ⊗ (B states with charge q − q_A) in Kronecker order.
    """

    def __init__(self, NA: int, NB: int, q: int = 0):
        self.A, self.B, self.q = _basis(NA), _basis(NB), int(q)
        self.blocks = []  # (qA, idxA, idxB, offset)
        off = 0
        for qA in range(-NA, NA + 1):
            ia = np.nonzero(self.A.q == qA)[0]
            ib = np.nonzero(self.B.q == self.q - qA)[0]
            if len(ia) and len(ib):
                self.blocks.append((qA, ia, ib, off))
                off += len(ia) * len(ib)
        self.dim = off
        self._by_qA = {b[0]: b for b in self.blocks}

    def product_vector(self, fA: np.ndarray, fB: np.ndarray) -> np.ndarray:
        """Sector vector of the product functional fA(iA) fB(iB)."""
        out = np.zeros(self.dim, dtype=np.result_type(fA, fB))
        for _, ia, ib, off in self.blocks:
            out[off : off + len(ia) * len(ib)] = np.kron(fA[ia], fB[ib])
        return out

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Species-basis indices (iA, iB) of every sector element."""
        ia_all = np.concatenate([np.repeat(ia, len(ib)) for _, ia, ib, _ in self.blocks])
        ib_all = np.concatenate([np.tile(ib, len(ia)) for _, ia, ib, _ in self.blocks])
        return ia_all, ib_all


def sector_operator(terms, src: Sector, dst: Sector) -> sp.csr_matrix:
    """Assemble Σ coeff · kron(op_A, op_B) from sector ``src`` to sector ``dst``.

    ``terms`` is a list of (coeff, nameA, nameB); every term must map src.q to dst.q.
    """
    A, B = src.A, src.B
    rows, cols, vals = [], [], []
    for coeff, na, nb in terms:
        if coeff == 0:
            continue
        dqa, dqb = A.dq(na), B.dq(nb)
        if src.q + dqa + dqb != dst.q:
            raise ValueError(f"term ({na}, {nb}) does not map sector {src.q} to {dst.q}")
        opA, opB = A.op(na), B.op(nb)
        for qA, ia, ib, off in src.blocks:
            tgt = dst._by_qA.get(qA + dqa)
            if tgt is None:
                continue
            _, ja, jb, toff = tgt
            block = sp.kron(opA[ja][:, ia], opB[jb][:, ib], format="coo")
            if block.nnz:
                rows.append(block.row + toff)
                cols.append(block.col + off)
                vals.append(coeff * block.data)
    if not rows:
        return sp.csr_matrix((dst.dim, src.dim))
    vals = np.concatenate(vals)
    if np.all(np.imag(vals) == 0):
        vals = np.real(vals)
    return sp.csr_matrix(
        (vals, (np.concatenate(rows), np.concatenate(cols))), shape=(dst.dim, src.dim)
    )


def liouvillian_terms(*, Gamma, kappa, J, Delta, w, gamma, gamma_phi):
    """Kronecker terms (coeff, opA, opB) of 𝓛, docs/theory/sync.md Eqs. (1)–(6), (28), *microscopic* rates.

    H₀ = (Δ/2)(S_A^z − S_B^z); H_inter = (i/2)(J S_A^+S_B^- − J* S_B^+S_A^-);
    κ(D[S_A^-,S_B^-] + D[S_B^-,S_A^-]); Γ Σ_n D[S_n^-]; w, γ Σ D[σ^±]; (γ_φ/2) Σ D[σ^z].
    """
    J = complex(J)
    Jc = J.conjugate()
    t = []
    # -i[H0, ρ]
    t += [(-0.5j * Delta, "Lz", "I"), (0.5j * Delta, "Rz", "I")]
    t += [(0.5j * Delta, "I", "Lz"), (-0.5j * Delta, "I", "Rz")]
    # -i[H_inter, ρ] = ½(J LpA LmB − J* LmA LpB) − ½(J RpA RmB − J* RmA RpB)
    t += [(0.5 * J, "Lp", "Lm"), (-0.5 * Jc, "Lm", "Lp")]
    t += [(-0.5 * J, "Rp", "Rm"), (0.5 * Jc, "Rm", "Rp")]
    # κ: S_A^-ρS_B^+ + S_B^-ρS_A^+ − ½{S_B^+S_A^- + S_A^+S_B^-, ρ}
    t += [(kappa, "Lm", "Rp"), (kappa, "Rp", "Lm")]
    t += [(-0.5 * kappa, "Lm", "Lp"), (-0.5 * kappa, "Lp", "Lm")]
    t += [(-0.5 * kappa, "Rm", "Rp"), (-0.5 * kappa, "Rp", "Rm")]
    # single-species parts, the same for A and B
    single = [
        (Gamma, ("LmRp",)),
        (-0.5 * Gamma, ("LpLm",)),
        (-0.5 * Gamma, ("RmRp",)),
    ]
    for spec_idx in (0, 1):
        def put(c, name):
            t.append((c, name, "I") if spec_idx == 0 else (c, "I", name))

        for c, (name,) in single:
            put(c, name)
        put(w, "up")
        put(-0.5 * w, "nLg")
        put(-0.5 * w, "nRg")
        put(gamma, "down")
        put(-0.5 * gamma, "nLe")
        put(-0.5 * gamma, "nRe")
        put(-gamma_phi, "ncoh")
    return t
