"""Cumulant expansions of order K = 2 and 4 for the finite-N steady state (docs/theory/sync.md#heisenberg-equations, docs/theory/sync.md#cumulant-expansion).

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

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from nonrecip.sync.model import MicroscopicRates

from nonrecip.sync.cumulants.labels import charge, closure_terms, label_rhs
from nonrecip.sync.cumulants.labels import labels as labels_up_to

__all__ = ["hierarchy", "CumulantModel", "cumulant_steady_state"]

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
    labels = [l for l in labels_up_to(K) if sum(l[:3]) <= NA and sum(l[3:]) <= NB]
    pos = {l: i for i, l in enumerate(labels)}
    n = len(labels)
    A = np.zeros((n, n), dtype=complex)
    b = np.zeros(n, dtype=complex)
    closed: dict = {}
    ccols: list = []
    for i, lab in enumerate(labels):
        kA, kB = sum(lab[:3]), sum(lab[3:])
        weight = {"in": 1.0, "A": NA - kA, "B": NB - kB}
        for piece, cats in label_rhs(lab).items():
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
                    elif charge(l2) != 0:
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
