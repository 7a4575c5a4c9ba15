"""Cumulant expansions of order K = 2 and 4 for the finite-N steady state (docs/theory/sync.md#heisenberg-equations, §8.3).

The exact moment hierarchy is generated programmatically, never typed by hand. A moment
label (p_A, m_A, z_A, p_B, m_B, z_B) stands for ⟨Π σ^+ Π σ^- Π σ^z⟩ on *distinct* sites of a
permutation-symmetric state. For each label, 𝓛†O (docs/theory/sync.md Eqs. 1–7, 28) is evaluated numerically
on the label's sites plus one representative "outside" site per species (a ≤ 64-dimensional
Hilbert space), and decomposed on the product basis {1, σ^+, σ^-, σ^z}. Collective sums Σ_k over
spins outside the support are the outside-site term times (N_n − k_n); terms with two outside
sites vanish identically (checked). The structure is independent of N and of the rates and is
cached per K; the coefficients are assembled per call.

Closure (docs/theory/sync.md Eq. 32 generalised): a moment of order K+1 is replaced by the value it has
when its joint cumulant vanishes, ⟨X₁…X_n⟩ ≈ −Σ_{π, |π|≥2} (−1)^{|π|−1}(|π|−1)! Π_C ⟨X_C⟩;
U(1)-charged factors vanish in the steady state. Variables: all charge-0 labels of order 1…K
(9 at K = 2, 47 at K = 4). Solution: LSODA time integration from the fully inverted product
state, then Newton polish of the stationary equations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.integrate import solve_ivp

from nonrecip.sync.model import MicroscopicRates

__all__ = ["hierarchy", "CumulantModel", "cumulant_steady_state", "PIECES"]

_SP = np.array([[0, 1], [0, 0]], dtype=complex)  # σ^+ = |e⟩⟨g| with e = index 0
_SM = _SP.T.copy()
_SZ = np.diag([1.0, -1.0]).astype(complex)
_ID = np.eye(2, dtype=complex)
_OPS = {0: _ID, 1: _SP, 2: _SM, 3: _SZ}
# dual basis: coefficient of b in X is Tr(dual_b X)
_DUAL = np.array([_ID / 2, _SM, _SP, _SZ / 2])

#: generator pieces; each multiplies one (microscopic) rate
PIECES = ("Delta", "Jr", "Ji", "kappa", "Gamma", "w", "gamma", "gamma_phi")


def _embed(op, site, n):
    mats = [_ID] * n
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


def _charge(label):
    pA, mA, _, pB, mB, _ = label
    return pA - mA + pB - mB


def _order(label):
    return sum(label)


@lru_cache(maxsize=None)
def _label_rhs(label):
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
        O = np.kron(O, _OPS[o])
    sp = [_embed(_SP, s, n) for s in range(n)]
    sm = [_embed(_SM, s, n) for s in range(n)]
    sz = [_embed(_SZ, s, n) for s in range(n)]

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


def _labels(order_max, charge=0):
    out = []
    for lab in itertools.product(range(order_max + 1), repeat=6):
        if 1 <= sum(lab) <= order_max and _charge(lab) == charge:
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
        if charge_zero_only and any(_charge(f) != 0 for f in factors):
            continue
        k = len(part)
        coef = -((-1) ** (k - 1)) * math.factorial(k - 1)
        key = tuple(sorted(factors))
        terms[key] = terms.get(key, 0) + coef
    return [(c, list(k)) for k, c in terms.items() if c != 0]


@dataclass
class CumulantModel:
    """Closed moment equations dx/dt = A x + b + C·closure(x) for fixed N and rates."""

    K: int
    labels: list
    A: np.ndarray
    b: np.ndarray
    C: np.ndarray  # (n_var, n_closed)
    closed: list
    _idx: np.ndarray  # (n_terms, max_factors) indices into [x, 1]
    _coef: np.ndarray
    _target: np.ndarray

    def closure(self, x):
        xe = np.concatenate([x, [1.0]])
        vals = self._coef * np.prod(xe[self._idx], axis=1)
        out = np.zeros(len(self.closed), dtype=complex)
        np.add.at(out, self._target, vals)
        return out

    def rhs(self, x):
        return self.A @ x + self.b + (self.C @ self.closure(x) if len(self.closed) else 0)

    def jacobian(self, x, h=1e-7):
        f0 = self.rhs(x)
        Jm = np.empty((len(x), len(x)), dtype=complex)
        for j in range(len(x)):
            xp = x.copy()
            xp[j] += h
            Jm[:, j] = (self.rhs(xp) - f0) / h
        return Jm

    def index(self, label):
        return self.labels.index(tuple(label))


def hierarchy(K: int, NA: int, NB: int, micro: MicroscopicRates) -> CumulantModel:
    """Assemble the order-K closed hierarchy for (N_A, N_B) with *microscopic* rates (docs/theory/sync.md#cumulant-expansion)."""
    if K < 1:
        raise ValueError(f"K must be >= 1, got {K}")
    J = complex(micro.J)
    rate = {
        "Delta": micro.Delta, "Jr": J.real, "Ji": J.imag, "kappa": micro.kappa,
        "Gamma": micro.Gamma, "w": micro.w, "gamma": micro.gamma,
        "gamma_phi": micro.gamma_phi,
    }
    labels = [l for l in _labels(K) if sum(l[:3]) <= NA and sum(l[3:]) <= NB]
    pos = {l: i for i, l in enumerate(labels)}
    n = len(labels)
    A = np.zeros((n, n), dtype=complex)
    b = np.zeros(n, dtype=complex)
    closed: dict = {}
    ccols: list = []
    for i, lab in enumerate(labels):
        kA, kB = sum(lab[:3]), sum(lab[3:])
        weight = {"in": 1.0, "A": NA - kA, "B": NB - kB}
        for piece, cats in _label_rhs(lab).items():
            r = rate[piece]
            if r == 0:
                continue
            for c, coeffs in cats.items():
                f = r * weight[c]
                if f == 0:
                    continue
                for l2, v in coeffs.items():
                    if sum(l2) == 0:
                        b[i] += f * v
                    elif l2 in pos:
                        A[i, pos[l2]] += f * v
                    elif _charge(l2) != 0:
                        raise AssertionError(f"U(1) violated: {lab} -> {l2}")
                    elif sum(l2[:3]) > NA or sum(l2[3:]) > NB:
                        raise AssertionError(f"moment {l2} does not exist for N = {(NA, NB)}")
                    else:
                        if sum(l2) != K + 1:
                            raise AssertionError(f"unexpected order of {l2}")
                        j = closed.setdefault(l2, len(closed))
                        ccols.append((i, j, f * v))
    closed_list = list(closed)
    C = np.zeros((n, len(closed_list)), dtype=complex)
    for i, j, v in ccols:
        C[i, j] += v
    idx, coef, target = [], [], []
    for j, lab in enumerate(closed_list):
        for c, factors in closure_terms(lab):
            row = [pos[f] for f in factors] + [n] * (K + 1 - len(factors))
            idx.append(row)
            coef.append(c)
            target.append(j)
    idx = np.array(idx, dtype=np.int64).reshape(-1, K + 1)
    return CumulantModel(K, labels, A, b, C, closed_list, idx, np.array(coef, dtype=float),
                         np.array(target, dtype=np.int64))


def _initial(model: CumulantModel) -> np.ndarray:
    """Fully inverted product state: ⟨σ^z⟩ = 1, every charge-0 moment with σ^± vanishes."""
    x = np.zeros(len(model.labels), dtype=complex)
    for i, l in enumerate(model.labels):
        if l[0] == l[1] == l[3] == l[4] == 0:
            x[i] = 1.0
    return x


def cumulant_steady_state(K: int, NA: int, NB: int, micro: MicroscopicRates, *, t_max: float = 400.0,
                          tol: float = 1e-12, max_newton: int = 30):
    """Steady state of the order-K cumulant expansion (docs/theory/sync.md#cumulant-expansion): LSODA, then Newton.

    Returns ``(model, x, residual)`` with ``residual`` = max |dx/dt| at the solution.
    ``t_max`` is in units of the inverse *collective* rates (microscopic × N).
    """
    model = hierarchy(K, NA, NB, micro)
    n = len(model.labels)
    x0 = _initial(model)

    def f(t, y):
        dx = model.rhs(y[:n] + 1j * y[n:])
        return np.concatenate([dx.real, dx.imag])

    sol = solve_ivp(f, (0.0, t_max), np.concatenate([x0.real, x0.imag]), method="LSODA",
                    rtol=1e-8, atol=1e-10)
    x = sol.y[:n, -1] + 1j * sol.y[n:, -1]
    for _ in range(max_newton):
        F = model.rhs(x)
        if np.max(np.abs(F)) < tol:
            break
        x = x - np.linalg.solve(model.jacobian(x), F)
    res = float(np.max(np.abs(model.rhs(x))))
    return model, x, res
