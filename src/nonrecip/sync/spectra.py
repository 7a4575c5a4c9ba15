"""Two-time correlations and spectra of the two species (docs/theory/sync.md#spectra, Eqs. 18–21, App. D).

* ``qrt2``: the 2×2 quantum-regression model of docs/theory/sync.md#spectra (reconstructed Eq. 19) for
  v = (C_AA(τ), C_BA(τ)), dv/dτ = M v, with the effective decoherence rates
  γ_n = w + Γ + γ + 2γ_φ − (N−1)Γ z_n (microscopic Γ), steady-state inputs from the K = 2
  cumulant expansion, eigenvalues λ± and the exceptional point (radicand = 0).
* ``exact``: the collective spectrum 2 Re Tr[S_n^+ (iω − 𝓛_{q=−1})^{-1} (S_n^- ρ_ss)] in the
  permutation-symmetric basis (U(1) sector q = −1), normalised by N_n². It contains the
  same-spin part N⟨σ^+_1(τ)σ^-_1⟩ (docs/theory/sync.md#spectra); dense eigen-decomposition for sectors up to
  3000 states, one sparse LU per frequency beyond.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from nonrecip.sync.model import MicroscopicRates
from nonrecip.sync.cumulants.hierarchy import cumulant_steady_state
from nonrecip.sync.symmetric.exact import exact_steady_state, sector_liouvillian
from nonrecip.sync.symmetric.basis import sector_operator, species_functional

__all__ = ["qrt2_matrix", "qrt2_spectra", "exact_spectra", "DENSE_MAX"]

DENSE_MAX = 3000


def qrt2_matrix(N: int, micro: MicroscopicRates, *, t_max: float = 400.0, tol: float = 1e-12,
                max_newton: int = 30):
    """2×2 QRT matrix M (docs/theory/sync.md#spectra) and the K = 2 steady-state vectors v_A(0), v_B(0).

    Returns ``(M, vA, vB, zA, zB)``; v_A = (⟨σ^+_{A1}σ^-_{A2}⟩, ⟨σ^+_Bσ^-_A⟩),
    v_B = (⟨σ^+_Aσ^-_B⟩, ⟨σ^+_{B1}σ^-_{B2}⟩).
    """
    model, x, _ = cumulant_steady_state(2, N, N, micro, t_max=t_max, tol=tol, max_newton=max_newton)
    g = lambda lab: x[model.index(lab)]  # noqa: E731
    zA, zB = g((0, 0, 1, 0, 0, 0)).real, g((0, 0, 0, 0, 0, 1)).real
    cAA, cBB = g((1, 1, 0, 0, 0, 0)), g((0, 0, 0, 1, 1, 0))
    cAB, cBA = g((1, 0, 0, 0, 1, 0)), g((0, 1, 0, 1, 0, 0))
    G, w, gam, gphi = micro.Gamma, micro.w, micro.gamma, micro.gamma_phi
    k, J, D = micro.kappa, complex(micro.J), micro.Delta
    gA = w + G + gam + 2 * gphi - (N - 1) * G * zA
    gB = w + G + gam + 2 * gphi - (N - 1) * G * zB
    M = np.array(
        [[1j * D / 2 - gA / 2, (k - J.conjugate()) * N * zA / 2],
         [(k + J) * N * zB / 2, -1j * D / 2 - gB / 2]]
    )
    return M, np.array([cAA, cBA]), np.array([cAB, cBB]), zA, zB


def qrt2_spectra(N: int, omega: np.ndarray, micro: MicroscopicRates, *, options=None) -> dict:
    """S_A(ω), S_B(ω), eigenvalues λ± and radicand of the 2×2 QRT model (docs/theory/sync.md#spectra).

    ``options``: the K = 2 steady state's :class:`~nonrecip.sync.steady.CumulantOptions` (or any
    object with ``t_max``, ``tol``, ``max_newton``); ``None`` takes the defaults.
    """
    kw = {} if options is None else dict(t_max=options.t_max, tol=options.tol, max_newton=options.max_newton)
    M, vA, vB, zA, zB = qrt2_matrix(N, micro, **kw)
    omega = np.asarray(omega, dtype=float)
    # (iω − M)^{-1} in closed form, vectorised over ω
    a, b, c, d = 1j * omega - M[0, 0], -M[0, 1], -M[1, 0], 1j * omega - M[1, 1]
    det = a * d - b * c
    SA = 2 * ((d * vA[0] - b * vA[1]) / det).real
    SB = 2 * ((-c * vB[0] + a * vB[1]) / det).real
    tr = (M[0, 0] + M[1, 1]) / 2
    rad = ((M[0, 0] - M[1, 1]) / 2) ** 2 + M[0, 1] * M[1, 0]
    lam = np.array([tr + np.sqrt(rad), tr - np.sqrt(rad)])
    return {"S_A": SA, "S_B": SB, "eigenvalues": lam, "radicand": complex(rad), "z_A": zA, "z_B": zB}


def exact_spectra(NA: int, NB: int, omega: np.ndarray, micro: MicroscopicRates, *, linear_solver: str = "auto") -> dict:
    """Exact collective spectra S_n(ω) = FT⟨S_n^+(τ)S_n^-⟩ / N_n² (docs/theory/sync.md#spectra, sector q = −1)."""
    ss = exact_steady_state(NA, NB, micro, linear_solver=linear_solver)
    s0 = ss.sector
    s1, L1 = sector_liouvillian(NA, NB, micro, q=-1)
    vA = sector_operator([(1.0, "Lm", "I")], s0, s1) @ ss.c
    vB = sector_operator([(1.0, "I", "Lm")], s0, s1) @ ss.c
    one = lambda b: species_functional(b, 0, 0, 0)  # noqa: E731
    tA = s1.product_vector(NA * species_functional(s1.A, 1, 0, 0), one(s1.B)) / NA**2
    tB = s1.product_vector(one(s1.A), NB * species_functional(s1.B, 1, 0, 0)) / NB**2
    omega = np.asarray(omega, dtype=float)
    SA = np.empty(omega.shape)
    SB = np.empty(omega.shape)
    if s1.dim <= DENSE_MAX:
        lam, V = la.eig(L1.toarray())
        lA, lB = tA @ V, tB @ V
        rA, rB = la.solve(V, np.stack([vA, vB], axis=1)).T
        for i, om in enumerate(omega.ravel()):
            d = 1.0 / (1j * om - lam)
            SA.flat[i] = 2 * np.sum(lA * rA * d).real
            SB.flat[i] = 2 * np.sum(lB * rB * d).real
        eig = lam
    else:
        I = sp.identity(s1.dim, format="csc")
        for i, om in enumerate(omega.ravel()):
            lu = spla.splu((1j * om * I - L1).tocsc())
            SA.flat[i] = 2 * (tA @ lu.solve(vA.astype(complex))).real
            SB.flat[i] = 2 * (tB @ lu.solve(vB.astype(complex))).real
        eig = None
    return {"S_A": SA, "S_B": SB, "eigenvalues": eig, "residual": ss.residual, "sector": s1}
