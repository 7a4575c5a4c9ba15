"""Exact conditional trajectories of paper S in the permutation-symmetric space (docs/theory/sync.md#monitored-trajectories).

The conditional state of the SME (docs/theory/sync.md Eq. 23 in the adiabatic limit, heterodyne form below
Eq. 23, homodyne Eq. 23 with constant θ) stays permutation symmetric within each species, so it
is stored as coefficients on the two-species symmetric operator basis P(n_A) ⊗ P(n_B) of
:mod:`nonrecip.sync.symmetric.basis` — the *full* space of dimension C(N+3,3)², without the
U(1) restriction (monitoring breaks U(1); docs/theory/sync.md#method-scaling: N = 3: 400, N = 6: 7 056, N = 10: 81 796).

    dρ = 𝓛ρ dt + √η [(c̃ − ⟨c̃⟩)ρ ξ₁ + ρ(c̃† − ⟨c̃†⟩) ξ₂],   c̃ = −i √Γ_m (S_A^- + S_B^-),

with ξ₁, ξ₂ as in :mod:`nonrecip.sync.monitored.cumulant_sme` (heterodyne: dZ*, dZ; homodyne:
e^{∓iθ} dW). Scheme: Euler–Maruyama (weak order 1) on all trajectories at once — one sparse
product of the stacked operator [𝓛; c̃·; ·c̃†] with the (dim × n_traj) coefficient matrix per
step — followed by renormalisation Tr ρ = 1 (exact for the SME, removes the O(dt²) drift).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from nonrecip.sync.model import MicroscopicRates
from nonrecip.sync.symmetric.basis import GG, EE, SpeciesBasis, liouvillian_terms, species_functional

__all__ = ["ExactSME", "exact_sme", "run_exact"]


def _kron_terms(A: SpeciesBasis, B: SpeciesBasis, terms) -> sp.csr_matrix:
    out = None
    for coeff, na, nb in terms:
        if coeff == 0:
            continue
        block = coeff * sp.kron(A.op(na), B.op(nb), format="csr")
        out = block if out is None else out + block
    return out.tocsr()


class ExactSME:
    """Stacked operator and functionals of the exact SME for N spins per species."""

    def __init__(self, N: int, micro: MicroscopicRates):
        self.N = int(N)
        A = B = SpeciesBasis(self.N)
        L = _kron_terms(A, B, liouvillian_terms(**micro.as_dict()))
        self.gamma_m = 0.5 * (micro.Gamma + micro.kappa)
        amp = -1j * np.sqrt(self.gamma_m)
        Kc = _kron_terms(A, B, [(amp, "Lm", "I"), (amp, "I", "Lm")])  # c̃ ρ
        Kd = _kron_terms(A, B, [(np.conj(amp), "Rp", "I"), (np.conj(amp), "I", "Rp")])  # ρ c̃†
        self.dim = A.dim * B.dim
        self.L = L
        # Δ = 0 and real J: 𝓛 is real and c̃·, ·c̃† are imaginary multiples of real maps, so the
        # stacked product runs in real arithmetic on the (dim, 2 n_traj) real view (2× faster)
        self.real = bool(np.all(np.imag(L.data) == 0))
        if self.real:
            Sm = _kron_terms(A, B, [(1.0, "Lm", "I"), (1.0, "I", "Lm")])
            Sp = _kron_terms(A, B, [(1.0, "Rp", "I"), (1.0, "I", "Rp")])
            self.stack = sp.vstack([L.real, Sm, Sp], format="csr")
            self.factors = (1.0, amp, np.conj(amp))
        else:
            self.stack = sp.vstack([L.astype(complex), Kc, Kd], format="csr")
            self.factors = (1.0, 1.0, 1.0)

        def fun(a, b):
            return np.kron(species_functional(A, *a), species_functional(B, *b))

        self.f_tr = fun((0, 0, 0), (0, 0, 0))
        # rows: s_A = ⟨σ^-_A⟩, s_B, z_A = ⟨σ^z_A⟩, z_B, ⟨σ^+_Aσ^-_B⟩
        self.f_obs = np.array([fun((0, 1, 0), (0, 0, 0)), fun((0, 0, 0), (0, 1, 0)),
                               fun((0, 0, 1), (0, 0, 0)), fun((0, 0, 0), (0, 0, 1)),
                               fun((1, 0, 0), (0, 1, 0))])
        # ⟨c̃⟩ = amp N (s_A + s_B)
        self.f_c = amp * self.N * (self.f_obs[0] + self.f_obs[1])
        init = np.zeros(self.dim, complex)
        top = A.index((self.N, 0, 0, 0))
        init[top * B.dim + B.index((self.N, 0, 0, 0))] = 1.0  # |e…e⟩⟨e…e| on both species
        self.init = init
        assert EE == 0 and GG == 3
        self._states = A.states

    def product_states(self, sA, sB, zA, zB) -> np.ndarray:
        """Coefficients (dim, n) of product states ρ₁^{⊗N} ⊗ ρ₂^{⊗N} with ⟨σ^-⟩ = s, ⟨σ^z⟩ = z.

        ρ₁^{⊗N} = Σ_n Π_t (ρ₁)_t^{n_t} P(n) with (ρ₁)_{ee} = (1+z)/2, (ρ₁)_{eg} = ⟨e|ρ₁|g⟩ = s,
        (ρ₁)_{ge} = s*, (ρ₁)_{gg} = (1−z)/2.
        """
        st = self._states

        def species(s, z):
            s, z = np.atleast_1d(np.asarray(s, complex)), np.atleast_1d(np.asarray(z, float))
            el = np.stack([(1 + z) / 2, s, np.conj(s), (1 - z) / 2])  # (4, n)
            return np.prod(el[None, :, :] ** st[:, :, None], axis=1)  # (dimA, n)

        a, b = species(sA, zA), species(sB, zB)
        return (a[:, None, :] * b[None, :, :]).reshape(self.dim, -1)

    def initial(self) -> np.ndarray:
        """Fully inverted product state (coefficient vector, Tr ρ = 1)."""
        return self.init.copy()


@lru_cache(maxsize=4)
def exact_sme(N: int, micro: MicroscopicRates) -> ExactSME:
    """Cached :class:`ExactSME` for N spins per species and *microscopic* rates ``micro``."""
    return ExactSME(int(N), micro)


def run_exact(model: ExactSME, *, n_traj, steps, dt, eta, noise, rng, initial=None, chunk=500):
    """Integrate ``n_traj`` exact conditional trajectories (same interface as ``run_sme``).

    Returns ``(obs, alive)``: obs (5, n_traj, n_samples) complex (s_A, s_B, z_A, z_B,
    ⟨σ^+_Aσ^-_B⟩); a
    trajectory whose trace or observables become non-finite is flagged (never seen in tests).
    """
    dim = model.dim
    if initial is None:
        C = np.repeat(model.initial()[:, None], n_traj, axis=1)
    else:
        C = np.ascontiguousarray(model.product_states(*initial))
    out = np.empty((len(model.f_obs), n_traj, len(steps)), complex)
    alive = np.ones(n_traj, bool)
    sq = np.sqrt(eta)
    for k, n_sub in enumerate(steps):
        left = int(n_sub)
        while left > 0:
            m = min(left, chunk)
            if eta > 0:
                xi1, xi2 = noise(rng, m, n_traj)
            fL, fc, fd = model.factors
            for s in range(m):
                if model.real:
                    Y = (model.stack @ C.view(np.float64)).view(np.complex128)
                else:
                    Y = model.stack @ C
                if eta > 0:
                    mc = model.f_c @ C
                    e1, e2 = sq * xi1[s], sq * xi2[s]
                    C = (C + dt * Y[:dim] + (fc * Y[dim:2 * dim] - C * mc) * e1
                         + (fd * Y[2 * dim:] - C * np.conj(mc)) * e2)
                    C /= model.f_tr @ C
                else:
                    C = C + dt * Y[:dim]
            left -= m
        obs = model.f_obs @ C
        bad = ~np.all(np.isfinite(obs), axis=0)
        alive &= ~bad
        obs[:, ~alive] = np.nan
        out[:, :, k] = obs
    return out, alive
