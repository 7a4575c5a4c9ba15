"""Spectra (docs/theory/sync.md#spectra): exact symmetric-basis QRT vs dense full space, symmetry, 2×2 model."""

import numpy as np
import pytest
import qutip as qt
import scipy.linalg as la
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar, root

from _sync_fullspace import full_model
from nonrecip.sync import spectrum
from nonrecip.sync.model import MicroscopicRates, SyncParams
from nonrecip.sync.spectra import exact_spectra, qrt2_matrix

OMEGA = np.linspace(-1.3, 1.1, 13)


def test_exact_spectrum_matches_dense_full_space_N2():
    micro = dict(Gamma=0.4, kappa=0.3, J=0.6, Delta=0.3, w=0.5, gamma=0.0, gamma_phi=0.0)
    L, site = full_model(2, 2, **micro)
    rho = qt.steadystate(L)
    SmA = site(qt.sigmam(), 0) + site(qt.sigmam(), 1)
    Ld = L.full()
    v = qt.operator_to_vector(SmA * rho).full().ravel()
    ref = []
    for om in OMEGA:
        x = la.solve(1j * om * np.eye(len(v)) - Ld, v)
        X = qt.vector_to_operator(qt.Qobj(x.reshape(-1, 1), dims=[L.dims[0], [1]]))
        ref.append(2 * (SmA.dag() * X).tr().real / 4)
    got = exact_spectra(2, 2, OMEGA, MicroscopicRates(**micro), linear_solver="splu")["S_A"]
    np.testing.assert_allclose(got, ref, atol=1e-11)
    assert np.ptp(ref) > 1e-2


def test_spectrum_symmetric_iff_pt_symmetric():
    om = np.array([0.15, 0.3, 0.6])
    for method, N in (("exact", 3), ("qrt2", 10)):
        sym = spectrum(N, np.concatenate([om, -om]), SyncParams(kappa=0.5, J=1.2), method=method)
        S = sym.S_A.values
        assert np.max(np.abs(S[:3] - S[3:])) < 1e-12 * np.max(np.abs(S))
        brk = spectrum(N, np.concatenate([om, -om]), SyncParams(kappa=0.5, J=1.2, Delta=0.5), method=method)
        S = brk.S_A.values
        assert np.max(np.abs(S[:3] - S[3:])) > 1e-2 * np.max(np.abs(S))


def _hand_qrt2(N, *, kappa, J, w=0.5, Gamma=1.0):
    """The 2×2 QRT model derived by hand in this test, independent of ``qrt2_matrix`` and of the
    generated cumulant hierarchy.

    Steady state: the K = 2 cumulant equations of docs/theory/sync.md Eq. (1) (Δ = 0, real J, γ = γ_φ = 0),
    written out for z_n = ⟨σ^z_n⟩, c_nn = ⟨σ^+_nσ^-_n'⟩, c = ⟨σ^+_Aσ^-_B⟩ (real here) and
    zz_nm = ⟨σ^z σ^z'⟩, microscopic g = Γ/N, k = κ/N, j = J/N, γ_t = w; integrated by LSODA
    and polished by a root solve. QRT: the exact Heisenberg equation
    L†σ^+_a = −(g + w)/2 σ^+_a + Σ_{s≠a} A*_as σ^+_s σ^z_a (A_aa' = g/2, A_ab = (k − j)/2,
    A_ba = (k + j)/2) with σ^z → ⟨σ^z⟩ gives d/dτ (C_AA, C_BA) = M (C_AA, C_BA) for
    C_nA(τ) = ⟨σ^+_n(τ) σ^-_A⟩, initial values (c_AA, c) and S_A(ω) = 2 Re[(iω − M)^{-1} C(0)]_A.
    """
    g, k, j = Gamma / N, kappa / N, J / N

    def rhs(y):
        zA, zB, cAA, cBB, c, zzAA, zzBB, zzAB = y
        rA, rB = (k - j) / 2 * c, (k + j) / 2 * c
        return np.array([
            w * (1 - zA) - g * (1 + zA) - 2 * (N - 1) * g * cAA - 4 * N * rA,
            w * (1 - zB) - g * (1 + zB) - 2 * (N - 1) * g * cBB - 4 * N * rB,
            -(g + w) * cAA + g / 2 * (zA + zzAA) + (N - 2) * g * zA * cAA + 2 * N * zA * rA,
            -(g + w) * cBB + g / 2 * (zB + zzBB) + (N - 2) * g * zB * cBB + 2 * N * zB * rB,
            (-(g + w) * c + (k - j) / 2 * (zA + zzAB) / 2 + (k + j) / 2 * (zB + zzAB) / 2
             + (N - 1) * (g / 2 * c * (zA + zB) + (k - j) / 2 * cBB * zA + (k + j) / 2 * cAA * zB)),
            2 * (w * (zA - zzAA) - g * (zA + zzAA)) + 4 * g * cAA - 4 * (N - 2) * g * zA * cAA - 8 * N * zA * rA,
            2 * (w * (zB - zzBB) - g * (zB + zzBB)) + 4 * g * cBB - 4 * (N - 2) * g * zB * cBB - 8 * N * zB * rB,
            (w * (zA + zB - 2 * zzAB) - g * (zA + zB + 2 * zzAB) + 4 * k * c
             - 2 * (N - 1) * (g * cAA * zB + g * cBB * zA + 2 * rA * zB + 2 * rB * zA)),
        ])

    sol = solve_ivp(lambda t, y: rhs(y), (0.0, 400.0), [1, 1, 0, 0, 0, 1, 1, 1], method="LSODA",
                    rtol=1e-9, atol=1e-11)
    r = root(rhs, sol.y[:, -1], tol=1e-14)
    y = r.x
    assert np.max(np.abs(rhs(y))) < 1e-12
    zA, zB, cAA, c = y[0], y[1], y[2], y[4]
    M = np.array([[-(g + w) / 2 + (N - 1) * g * zA / 2, N * zA * (k - j) / 2],
                  [N * zB * (k + j) / 2, -(g + w) / 2 + (N - 1) * g * zB / 2]])
    return M, np.array([cAA, c])


def _hand_radicand(N, J, kappa=0.5):
    M, _ = _hand_qrt2(N, kappa=kappa, J=J)
    return ((M[0, 0] - M[1, 1]) / 2) ** 2 + M[0, 1] * M[1, 0]


def test_qrt2_eigenvalues_and_exceptional_point():
    """The package's 2×2 QRT (``spectrum(method="qrt2")``: closed-form λ±, radicand, S_A) vs the
    same approximation derived by hand in ``_hand_qrt2`` (own K = 2 steady state, own M).

    Checks: λ± = eigenvalues of the hand M (1e-9); the EP J_EP(N) = root of the hand radicand
    (brentq) is where the package's radicand changes sign (±1e-4), for N = 4…40, and equals the
    docs/theory/sync.md#spectra-results value 0.547 at N = 10; beyond the EP S_A(ω) equals the hand resolvent (1e-9)
    and peaks at ±ω_p with ω_p from a continuous maximisation (docs/theory/sync.md#spectra-results: 0.338 at J = 2).
    This validates the implementation of the 2×2 model, not the 2×2 model against exact
    dynamics (no cheap exact reference for the EP exists)."""
    N = 10
    for J in (0.3, 2.0):
        M, v = _hand_qrt2(N, kappa=0.5, J=J)
        ds = spectrum(N, [0.0], SyncParams(kappa=0.5, J=J))
        np.testing.assert_allclose(np.sort_complex(ds.eigenvalue.values),
                                   np.sort_complex(np.linalg.eigvals(M)), atol=1e-9)
        assert complex(ds.radicand) == pytest.approx(_hand_radicand(N, J), abs=1e-9)
    j_ep = {n: brentq(lambda J: _hand_radicand(n, J), 0.3, 1.0, xtol=1e-10) for n in (4, 10, 40)}
    assert j_ep[10] == pytest.approx(0.547, abs=5e-4)  # docs/theory/sync.md#spectra-results; measured 0.54663
    assert j_ep[4] < j_ep[10] < j_ep[40]  # the EP moves with N (0.511, 0.547, 0.652)
    for n, J in j_ep.items():
        below, above = (complex(spectrum(n, [0.0], SyncParams(kappa=0.5, J=J + s)).radicand).real for s in (-1e-4, 1e-4))
        assert below > 0 > above, (n, J, below, above)
    # beyond the EP: a complex pair -> two peaks at ±ω_p
    M, v = _hand_qrt2(N, kappa=0.5, J=2.0)

    def S(om):
        return 2 * np.linalg.solve(1j * om * np.eye(2) - M, v)[0].real

    om = np.linspace(-1, 1, 201)
    tw = spectrum(N, om, SyncParams(kappa=0.5, J=2.0))
    np.testing.assert_allclose(tw.S_A.values, [S(o) for o in om], rtol=0, atol=1e-9)
    w_p = minimize_scalar(lambda o: -S(o), bounds=(0.05, 1.0), method="bounded", options={"xatol": 1e-8}).x
    assert w_p == pytest.approx(0.338, abs=1e-3)  # measured 0.33766
    peak = abs(tw.omega.values[np.argmax(tw.S_A.values)])
    assert abs(peak - w_p) <= 0.005 + 1e-12  # grid step 0.01
    assert S(w_p) > 1.5 * S(0.0)  # a genuine splitting, not a flat top


def test_qrt2_spectrum_sum_rule():
    """∫S_A dω/2π = C_AA(τ = 0) = ⟨σ^+_{A1}σ^-_{A2}⟩ (independent quadrature of the resolvent)."""
    micro = SyncParams(kappa=0.5, J=0.3, Delta=0.2).microscopic(10)
    M, vA, *_ = qrt2_matrix(10, micro)
    om = np.linspace(-400, 400, 400001)
    ds = spectrum(10, om, SyncParams(kappa=0.5, J=0.3, Delta=0.2))
    integral = np.trapezoid(ds.S_A.values, om) / (2 * np.pi)
    assert integral == pytest.approx(vA[0].real, rel=2e-3)
