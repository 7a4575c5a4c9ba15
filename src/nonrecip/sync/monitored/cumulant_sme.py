"""Second-order cumulant stochastic master equation of paper S (docs/theory/sync.md#monitored-trajectories, Eqs. 32, 36–37).

Variables: all 27 permutation-symmetric moments of order 1 and 2 on distinct sites, of *every*
U(1) charge (labels (p_A, m_A, z_A, p_B, m_B, z_B); conjugate pairs kept separately), because
the measurement noise breaks U(1) [paper]. For every moment O (docs/theory/sync.md Eqs. 36–37)

    d⟨O⟩ = ⟨𝓛†O⟩ dt + √η [(⟨O c̃⟩ − ⟨O⟩⟨c̃⟩) ξ₁ + (⟨c̃†O⟩ − ⟨O⟩⟨c̃†⟩) ξ₂],

with the monitored operator c̃ = −i √Γ_m (S_A^- + S_B^-) (adiabatic limit of docs/theory/sync.md#monitored-trajectories) and
Γ_m = (Γ + κ)/2 the microscopic rate of the D[S_A^- + S_B^-] channel of docs/theory/sync.md Eq. (5)
(Γ_m = Γ when Γ = κ, the case of spec Eq. 22). Heterodyne: ξ₁ = dZ*, ξ₂ = dZ with
dZ = (dW₁ + i dW₂)/√2; homodyne with local-oscillator phase θ: ξ₁ = e^{−iθ} dW, ξ₂ = e^{iθ} dW.

* The drift ⟨𝓛†O⟩ reuses the programmatically generated exact hierarchy of
  :mod:`nonrecip.sync.cumulants.hierarchy` (its per-label generator is valid for every charge).
* The noise terms ⟨O S^-⟩ and ⟨S^+ O⟩ are generated the same way: the product is formed on the
  label's sites plus one outside site per species and decomposed on {1, σ^+, σ^-, σ^z}; the
  outside-site term carries the weight N_n − k_n.
* Third-order moments are closed by docs/theory/sync.md Eq. (32) with *all* factors kept (no U(1) filter).

Integrator: Euler–Maruyama (weak order 1) in a numba kernel that advances the whole ensemble
(one column per trajectory); the time step ``dt`` is a user parameter (docs/theory/sync.md#trajectory-results used
dt = 0.01 for N ≤ 20, 0.0025 for N ≥ 40). A trajectory whose moments leave the physical range
(|⟨σ^z⟩| or |⟨σ^-⟩| > ``BLOWUP``, or non-finite) is frozen and flagged as diverged: the closure
itself can become unstable at intermediate N (docs/theory/sync.md#trajectory-results, docs/theory/sync.md#method-scaling).
"""

from __future__ import annotations

from functools import lru_cache

import numba as nb
import numpy as np

from nonrecip.sync.model import MicroscopicRates
from nonrecip.sync.cumulants.labels import (OPERATORS, SIGMA_MINUS, SIGMA_PLUS, closure_terms, embed,
                                           label_coefficients, label_rhs)
from nonrecip.sync.cumulants.labels import labels as labels_up_to

__all__ = ["SMEModel", "sme_labels", "sme_model", "run_sme", "BLOWUP", "OBS_LABELS"]

#: a trajectory with |⟨σ^z⟩| or |⟨σ^-⟩| above this is declared diverged (physical bound: 1)
BLOWUP = 1.5
#: labels of the recorded observables s_A = ⟨σ^-_A⟩, s_B, z_A = ⟨σ^z_A⟩, z_B, ⟨σ^+_Aσ^-_B⟩
OBS_LABELS = ((0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0), (0, 0, 1, 0, 0, 0), (0, 0, 0, 0, 0, 1),
              (1, 0, 0, 0, 1, 0))


@lru_cache(maxsize=None)
def sme_labels(order: int = 2) -> tuple:
    """All labels of order 1..``order`` (every U(1) charge); 27 for order 2 (docs/theory/sync.md#monitored-trajectories)."""
    return tuple(labels_up_to(order, charge_value=None))


@lru_cache(maxsize=None)
def _noise_rhs(label, side):
    """Exact ⟨O S_n^-⟩ (side "right") or ⟨S_n^+ O⟩ (side "left") of one label.

    Returns {category: {label': coeff}}, category ∈ {in, A, B}; "A"/"B" carry one outside site
    of that species (weight N_n − k_n). S_A^- + S_B^- summed over both species.
    """
    pA, mA, zA, pB, mB, zB = label
    kA = pA + mA + zA
    ops = [1] * pA + [2] * mA + [3] * zA + [0] + [1] * pB + [2] * mB + [3] * zB + [0]
    n = len(ops)
    outA, outB = kA, n - 1
    siteA = list(range(kA + 1))
    siteB = list(range(kA + 1, n))
    O = np.ones((1, 1), dtype=complex)
    for o in ops:
        O = np.kron(O, OPERATORS[o])
    acc = {"in": 0, "A": 0, "B": 0}
    for k in range(n):
        X = O @ embed(SIGMA_MINUS, k, n) if side == "right" else embed(SIGMA_PLUS, k, n) @ O
        cat = "A" if k == outA else "B" if k == outB else "in"
        acc[cat] = acc[cat] + X
    return {cat: label_coefficients(X, n, siteA, siteB) for cat, X in acc.items()}


class SMEModel:
    """Assembled cumulant SME for fixed N and rates (CSR tables for the numba kernel).

    Extended vector y = [1, x (27 moments), t (closed third-order moments)].
    Drift dx/dt = D y; noise vectors a = Mc y (= ⟨O c̃⟩), b = Md y (= ⟨c̃†O⟩);
    ⟨c̃⟩ = y[c_idx] · c_val.
    """

    def __init__(self, N: int, micro: MicroscopicRates):
        self.N = int(N)
        labels = [l for l in sme_labels(2) if sum(l[:3]) <= N and sum(l[3:]) <= N]
        self.labels = labels
        pos = {l: i + 1 for i, l in enumerate(labels)}
        closed: dict = {}
        J = complex(micro.J)
        rate = {
            "Delta": micro.Delta, "Jr": J.real, "Ji": J.imag, "kappa": micro.kappa,
            "Gamma": micro.Gamma, "w": micro.w, "gamma": micro.gamma,
            "gamma_phi": micro.gamma_phi,
        }
        self.gamma_m = 0.5 * (micro.Gamma + micro.kappa)
        amp = -1j * np.sqrt(self.gamma_m)  # c̃ = amp (S_A^- + S_B^-)

        def col(l2):
            if sum(l2) == 0:
                return 0
            if l2 in pos:
                return pos[l2]
            if sum(l2[:3]) > N or sum(l2[3:]) > N:
                raise AssertionError(f"moment {l2} does not exist for N = {N}")
            if sum(l2) != 3:
                raise AssertionError(f"unexpected order of {l2}")
            return -1 - closed.setdefault(l2, len(closed))

        def rows_from(per_label):
            out = []
            for lab in labels:
                kA, kB = sum(lab[:3]), sum(lab[3:])
                weight = {"in": 1.0, "A": N - kA, "B": N - kB}
                row: dict = {}
                for f, cats in per_label(lab):
                    for c, coeffs in cats.items():
                        g = f * weight[c]
                        if g == 0:
                            continue
                        for l2, v in coeffs.items():
                            j = col(l2)
                            row[j] = row.get(j, 0) + g * v
                out.append(row)
            return out

        drift = rows_from(lambda lab: [(rate[p], c) for p, c in label_rhs(lab).items() if rate[p] != 0])
        right = rows_from(lambda lab: [(amp, _noise_rhs(lab, "right"))])
        left = rows_from(lambda lab: [(np.conj(amp), _noise_rhs(lab, "left"))])
        n, nc = len(labels), len(closed)
        self.closed = list(closed)

        def csr(rows):
            ptr, idx, val = [0], [], []
            for row in rows:
                for j, v in row.items():
                    idx.append(j if j >= 0 else n + 1 + (-1 - j))
                    val.append(v)
                ptr.append(len(idx))
            return (np.array(ptr, np.int64), np.array(idx, np.int64), np.array(val, complex))

        self.D, self.Mc, self.Md = csr(drift), csr(right), csr(left)
        # closure table of the third-order moments: coefficient and up to 3 factor indices
        tidx, tcoef, ttgt = [], [], []
        for j, lab in enumerate(self.closed):
            for c, factors in closure_terms(lab, charge_zero_only=False):
                tidx.append([pos[f] for f in factors] + [0] * (3 - len(factors)))
                tcoef.append(c)
                ttgt.append(n + 1 + j)
        self.t_idx = np.array(tidx, np.int64).reshape(-1, 3)
        self.t_coef = np.array(tcoef, float)
        self.t_tgt = np.array(ttgt, np.int64)
        # ⟨c̃⟩ = amp N (⟨σ^-_A⟩ + ⟨σ^-_B⟩)
        self.c_idx = np.array([pos[OBS_LABELS[0]], pos[OBS_LABELS[1]]], np.int64)
        self.c_val = np.array([amp * N, amp * N], complex)
        self.obs_idx = np.array([pos[l] for l in OBS_LABELS], np.int64)
        self.n_ext = n + 1 + nc
        #: index of the conjugate label O† (p ↔ m on both species)
        self.conj = np.array([labels.index((l[1], l[0], l[2], l[4], l[3], l[5])) for l in labels], np.int64)

    def initial(self) -> np.ndarray:
        """Fully inverted product state (⟨σ^z⟩ = 1, every moment with σ^± zero), length n_ext."""
        y = np.zeros(self.n_ext, complex)
        y[0] = 1.0
        for i, l in enumerate(self.labels):
            if l[0] == l[1] == l[3] == l[4] == 0:
                y[i + 1] = 1.0
        return y

    def product_moments(self, sA, sB, zA, zB) -> np.ndarray:
        """Extended vectors (n_ext, n) of product states with ⟨σ^-_n⟩ = s_n, ⟨σ^z_n⟩ = z_n."""
        sA, sB, zA, zB = (np.atleast_1d(np.asarray(v, complex)) for v in (sA, sB, zA, zB))
        Y = np.zeros((self.n_ext, sA.size), complex)
        Y[0] = 1.0
        for i, (pA, mA, zzA, pB, mB, zzB) in enumerate(self.labels):
            Y[i + 1] = (np.conj(sA) ** pA * sA ** mA * zA ** zzA * np.conj(sB) ** pB * sB ** mB * zB ** zzB)
        return Y

    def drift(self, x: np.ndarray) -> np.ndarray:
        """Deterministic drift ⟨𝓛†O⟩ of the closed equations at moments ``x`` (for tests)."""
        y = self._extend(x)
        ptr, idx, val = self.D
        return np.array([np.dot(val[ptr[i]:ptr[i + 1]], y[idx[ptr[i]:ptr[i + 1]]])
                         for i in range(len(self.labels))])

    def _extend(self, x):
        y = np.zeros(self.n_ext, complex)
        y[0] = 1.0
        y[1:len(self.labels) + 1] = x
        _close(y, self.t_idx, self.t_coef, self.t_tgt)
        return y


@nb.njit(cache=True)
def _close(y, t_idx, t_coef, t_tgt):
    for k in range(t_tgt.size):
        y[t_tgt[k]] = 0.0
    for k in range(t_tgt.size):
        y[t_tgt[k]] += t_coef[k] * y[t_idx[k, 0]] * y[t_idx[k, 1]] * y[t_idx[k, 2]]


@nb.njit(cache=True)
def _matvec(ptr, idx, val, y, out):
    for i in range(out.size):
        acc = 0j
        for k in range(ptr[i], ptr[i + 1]):
            acc += val[k] * y[idx[k]]
        out[i] = acc


@nb.njit(cache=True)
def _run(Y, xi1, xi2, sq_eta, dt, n_sub, obs_idx, out, alive, D_ptr, D_idx, D_val,
         C_ptr, C_idx, C_val, M_ptr, M_idx, M_val, t_idx, t_coef, t_tgt, c_idx, c_val,
         conj, blow, out_col):
    """Advance every trajectory (columns of Y) by n_sub Euler–Maruyama steps; record obs."""
    n_ext, n_traj = Y.shape
    n = D_ptr.size - 1
    y = np.empty(n_ext, np.complex128)
    f = np.empty(n, np.complex128)
    a = np.empty(n, np.complex128)
    b = np.empty(n, np.complex128)
    for j in range(n_traj):
        if not alive[j]:
            for q in range(obs_idx.size):
                out[q, j, out_col] = np.nan
            continue
        for i in range(n_ext):
            y[i] = Y[i, j]
        for s in range(n_sub):
            _close(y, t_idx, t_coef, t_tgt)
            _matvec(D_ptr, D_idx, D_val, y, f)
            e1 = xi1[s, j] * sq_eta
            e2 = xi2[s, j] * sq_eta
            if e1 != 0 or e2 != 0:
                _matvec(C_ptr, C_idx, C_val, y, a)
                _matvec(M_ptr, M_idx, M_val, y, b)
                mc = c_val[0] * y[c_idx[0]] + c_val[1] * y[c_idx[1]]
                mcd = np.conj(mc)
                for i in range(n):
                    y[i + 1] += f[i] * dt + (a[i] - y[i + 1] * mc) * e1 + (b[i] - y[i + 1] * mcd) * e2
            else:
                for i in range(n):
                    y[i + 1] += f[i] * dt
            # project onto ⟨O†⟩ = ⟨O⟩* (roundoff would otherwise grow in the unphysical subspace)
            for i in range(n):
                f[i] = 0.5 * (y[i + 1] + np.conj(y[conj[i] + 1]))
            for i in range(n):
                y[i + 1] = f[i]
        ok = True
        for q in range(obs_idx.size):
            v = y[obs_idx[q]]
            if not (np.isfinite(v.real) and np.isfinite(v.imag)) or abs(v) > blow:
                ok = False
        if not ok:
            alive[j] = False
            for q in range(obs_idx.size):
                out[q, j, out_col] = np.nan
            continue
        for i in range(n_ext):
            Y[i, j] = y[i]
        for q in range(obs_idx.size):
            out[q, j, out_col] = y[obs_idx[q]]


@lru_cache(maxsize=32)
def sme_model(N: int, micro: MicroscopicRates) -> SMEModel:
    """Cached :class:`SMEModel` for N spins per species and *microscopic* rates ``micro``."""
    return SMEModel(int(N), micro)


def run_sme(model: SMEModel, *, n_traj, steps, dt, eta, noise, rng, initial=None, chunk=2000):
    """Integrate ``n_traj`` trajectories; record after each block of steps.

    Parameters
    ----------
    steps : sequence of int
        Number of Euler–Maruyama steps before each recorded sample (first may be 0).
    noise : callable(rng, n_steps, n_traj) -> (xi1, xi2)
        Complex noise increments per step (already scaled by √dt).
    initial : (s_A, s_B, z_A, z_B) arrays of length n_traj, optional
        Product initial state of each trajectory; default the fully inverted state.

    Returns
    -------
    obs : ndarray (5, n_traj, n_samples) complex (s_A, s_B, z_A, z_B, ⟨σ^+_Aσ^-_B⟩);
    alive : bool (n_traj,)
    """
    if initial is None:
        Y = np.repeat(model.initial()[:, None], n_traj, axis=1)
    else:
        Y = model.product_moments(*initial)
    out = np.empty((len(OBS_LABELS), n_traj, len(steps)), complex)
    alive = np.ones(n_traj, bool)
    zero = np.zeros((0, n_traj), complex)
    args = (model.obs_idx,)
    tables = (*model.D, *model.Mc, *model.Md, model.t_idx, model.t_coef, model.t_tgt,
              model.c_idx, model.c_val, model.conj, BLOWUP)
    for k, n_sub in enumerate(steps):
        left = int(n_sub)
        if left == 0:
            _run(Y, zero, zero, 0.0, dt, 0, *args, out, alive, *tables, k)
        while left > 0:
            m = min(left, chunk)
            if eta > 0:
                xi1, xi2 = noise(rng, m, n_traj)
            else:
                xi1 = xi2 = np.zeros((m, n_traj), complex)
            _run(Y, xi1, xi2, np.sqrt(eta), dt, m, *args, out, alive, *tables, k)
            left -= m
    return out, alive
