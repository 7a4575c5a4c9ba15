"""Moment labels of the two-species cumulant expansions (docs/theory/sync.md#cumulant-expansion).

A label (p_A, m_A, z_A, p_B, m_B, z_B) stands for ⟨Π σ^+ Π σ^- Π σ^z⟩ on *distinct* sites of a
permutation-symmetric state. This module holds what the unconditional hierarchy
(:mod:`.hierarchy`) and the monitored one (:mod:`nonrecip.sync.monitored.cumulant_sme`) share:
the single-site operators, the decomposition of an operator into labels, the exact generator
𝓛†O of one label (:func:`label_rhs`), the U(1) charge, label enumeration and the Eq. (32)
closure (:func:`closure_terms`).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np

__all__ = ["SIGMA_PLUS", "SIGMA_MINUS", "SIGMA_Z", "IDENTITY", "OPERATORS", "PIECES", "embed", "charge",
           "label_coefficients", "label_rhs", "labels", "closure_terms"]

SIGMA_PLUS = np.array([[0, 1], [0, 0]], dtype=complex)  # σ^+ = |e⟩⟨g| with e = index 0
SIGMA_MINUS = SIGMA_PLUS.T.copy()
SIGMA_Z = np.diag([1.0, -1.0]).astype(complex)
IDENTITY = np.eye(2, dtype=complex)
OPERATORS = {0: IDENTITY, 1: SIGMA_PLUS, 2: SIGMA_MINUS, 3: SIGMA_Z}
# dual basis: coefficient of b in X is Tr(dual_b X)
_DUAL = np.array([IDENTITY / 2, SIGMA_MINUS, SIGMA_PLUS, SIGMA_Z / 2])

#: generator pieces; each multiplies one (microscopic) rate
PIECES = ("Delta", "Jr", "Ji", "kappa", "Gamma", "w", "gamma", "gamma_phi")


def embed(op, site, n):
    """``op`` on ``site`` of an ``n``-site product space (identity elsewhere)."""
    mats = [IDENTITY] * n
    mats[site] = op
    out = mats[0]
    for m in mats[1:]:
        out = np.kron(out, m)
    return out


def _decompose(X, n):
    """Coefficients of X on the product basis, as {(b_1..b_n): value} (b: 0=1, 1=+, 2=-, 3=z)."""
    T = X.reshape((2,) * (2 * n))
    # contract site s: axes (i_s, j_s) with dual[b, j, i]
    for s in range(n):
        # current tensor axes: already-contracted b's first (s of them), then i_s..i_{n-1}, j_s..j_{n-1}
        rest = n - s
        T = np.moveaxis(T, [s, s + rest], [-2, -1])
        T = np.tensordot(T, _DUAL, axes=([-2, -1], [2, 1]))  # sum over i (axis -2) and j (axis -1)
        T = np.moveaxis(T, -1, s)
    out = {}
    for idx in zip(*np.nonzero(np.abs(T) > 1e-13)):
        out[tuple(int(i) for i in idx)] = T[idx]
    return out


def charge(label) -> int:
    """U(1) charge of a label: (number of σ^+) − (number of σ^-) over both species."""
    pA, mA, _, pB, mB, _ = label
    return pA - mA + pB - mB


@lru_cache(maxsize=None)
def label_rhs(label):
    """Exact 𝓛†O of one label: {piece: {category: {label': coeff}}}, category ∈ {in, A, B}.

    Category "A"/"B" terms carry one outside site of that species and get the factor
    (N_n − k_n). Unit rates; all pieces of docs/theory/sync.md Eq. (1) + Eq. (28) with microscopic rates.
    """
    pA, mA, zA, pB, mB, zB = label
    kA, kB = pA + mA + zA, pB + mB + zB
    ops = [1] * pA + [2] * mA + [3] * zA + [0] + [1] * pB + [2] * mB + [3] * zB + [0]
    n = len(ops)
    outA, outB = kA, kA + 1 + kB
    siteA = list(range(kA + 1))
    siteB = list(range(kA + 1, n))
    O = np.ones((1, 1), dtype=complex)
    for o in ops:
        O = np.kron(O, OPERATORS[o])
    sp = [embed(SIGMA_PLUS, s, n) for s in range(n)]
    sm = [embed(SIGMA_MINUS, s, n) for s in range(n)]
    sz = [embed(SIGMA_Z, s, n) for s in range(n)]

    def comm(H):
        return 1j * (H @ O - O @ H)

    def dadj(X, Y):  # D†[X,Y]O = Y† O X − ½{Y†X, O}
        Yd = Y.conj().T
        return Yd @ O @ X - 0.5 * (Yd @ X @ O + O @ Yd @ X)

    def cat(*sites):
        out_sites = [s for s in sites if s in (outA, outB)]
        if not out_sites:
            return "in"
        if len(set(out_sites)) == 1 and len(out_sites) <= 2:
            return "A" if out_sites[0] == outA else "B"
        return "both"

    acc = {p: {"in": [], "A": [], "B": [], "both": []} for p in PIECES}
    for k in range(n):
        sgn = 0.25 if k in siteA else -0.25
        acc["Delta"][cat(k)].append(comm(sgn * sz[k]))
        acc["w"][cat(k)].append(dadj(sp[k], sp[k]))
        acc["gamma"][cat(k)].append(dadj(sm[k], sm[k]))
        acc["gamma_phi"][cat(k)].append(0.5 * dadj(sz[k], sz[k]))
    for k in siteA:
        for l in siteB:
            c = cat(k, l)
            acc["Jr"][c].append(comm(0.5j * (sp[k] @ sm[l] - sp[l] @ sm[k])))
            acc["Ji"][c].append(comm(-0.5 * (sp[k] @ sm[l] + sp[l] @ sm[k])))
            acc["kappa"][c].append(dadj(sm[k], sm[l]) + dadj(sm[l], sm[k]))
    for group in (siteA, siteB):
        for k in group:
            for l in group:
                acc["Gamma"][cat(k, l)].append(dadj(sm[k], sm[l]))
    result = {}
    for piece, cats in acc.items():
        result[piece] = {}
        for c, mats in cats.items():
            if not mats:
                continue
            X = sum(mats)
            if c == "both":
                assert np.abs(X).max() < 1e-12, "terms with two outside sites must vanish"
                continue
            result[piece][c] = label_coefficients(X, n, siteA, siteB)
    return result


def label_coefficients(X, n, siteA, siteB):
    """Decompose an n-site operator into moment labels (p, m, z of A; p, m, z of B) -> coefficient."""
    coeffs = {}
    for idx, val in _decompose(X, n).items():
        lab = tuple(sum(1 for s in sites if idx[s] == t) for sites in (siteA, siteB) for t in (1, 2, 3))
        coeffs[lab] = coeffs.get(lab, 0) + val
    return {k: v for k, v in coeffs.items() if abs(v) > 1e-13}


def labels(order_max: int, charge_value: int | None = 0) -> list[tuple]:
    """Labels of order 1..``order_max`` with U(1) charge ``charge_value`` (``None``: every charge),
    sorted by order, then by the reversed label."""
    out = []
    for lab in itertools.product(range(order_max + 1), repeat=6):
        if 1 <= sum(lab) <= order_max and (charge_value is None or charge(lab) == charge_value):
            out.append(lab)
    return sorted(out, key=lambda l: (sum(l), l[::-1]))


def _set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1 :]
        yield [[first]] + part


def closure_terms(label, *, charge_zero_only=True):
    """Eq. (32) closure of ``label``: list of (coefficient, [factor labels]).

    With ``charge_zero_only`` (the unconditional dynamics, U(1)-symmetric) partitions with a
    charged factor are dropped; monitored trajectories keep every factor (``False``).
    """
    ops = []
    for sp_idx, (p, m, z) in enumerate((label[:3], label[3:])):
        ops += [(sp_idx, 1)] * p + [(sp_idx, 2)] * m + [(sp_idx, 3)] * z
    terms = {}
    for part in _set_partitions(list(range(len(ops)))):
        if len(part) < 2:
            continue
        factors = []
        for block in part:
            lab = [0] * 6
            for i in block:
                s, t = ops[i]
                lab[3 * s + t - 1] += 1
            factors.append(tuple(lab))
        if charge_zero_only and any(charge(f) != 0 for f in factors):
            continue
        k = len(part)
        coef = -((-1) ** (k - 1)) * math.factorial(k - 1)
        key = tuple(sorted(factors))
        terms[key] = terms.get(key, 0) + coef
    return [(c, list(k)) for k, c in terms.items() if c != 0]
