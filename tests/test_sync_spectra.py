"""Spectra (spec S §9): exact symmetric-basis QRT vs dense full space, symmetry, 2×2 model."""

import numpy as np
import pytest
import qutip as qt
import scipy.linalg as la

from _sync_fullspace import full_model
from nonrecip.sync import spectrum
from nonrecip.sync.model import SyncParams
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
    got = exact_spectra(2, 2, OMEGA, micro, solver="splu")["S_A"]
    np.testing.assert_allclose(got, ref, atol=1e-11)
    assert np.ptp(ref) > 1e-2


def test_spectrum_symmetric_iff_pt_symmetric():
    om = np.array([0.15, 0.3, 0.6])
    for method, N in (("exact", 3), ("qrt2", 10)):
        sym = spectrum(N, np.concatenate([om, -om]), kappa=0.5, J=1.2, method=method)
        S = sym.S_A.values
        assert np.max(np.abs(S[:3] - S[3:])) < 1e-12 * np.max(np.abs(S))
        brk = spectrum(N, np.concatenate([om, -om]), kappa=0.5, J=1.2, Delta=0.5, method=method)
        S = brk.S_A.values
        assert np.max(np.abs(S[:3] - S[3:])) > 1e-2 * np.max(np.abs(S))


def test_qrt2_eigenvalues_and_exceptional_point():
    """λ± of spec S §9 are M's eigenvalues; the EP moves with N (spec S §12.1: 0.547 at N = 10)."""
    ds = spectrum(10, [0.0], kappa=0.5, J=0.3)
    M, *_ = qrt2_matrix(10, SyncParams(kappa=0.5, J=0.3).microscopic(10))
    np.testing.assert_allclose(np.sort_complex(ds.eigenvalue.values),
                               np.sort_complex(np.linalg.eigvals(M)), atol=1e-14)
    Js = np.linspace(0.5, 0.6, 21)
    rad = np.array([complex(spectrum(10, [0.0], kappa=0.5, J=J).radicand).real for J in Js])
    i = np.nonzero(np.diff(np.sign(rad)))[0]
    assert len(i) == 1 and 0.54 <= Js[i[0]] <= 0.555
    # beyond the EP the eigenvalues are a complex pair → two peaks at ±ω
    tw = spectrum(10, np.linspace(-1, 1, 201), kappa=0.5, J=2.0)
    peak = abs(tw.omega.values[np.argmax(tw.S_A.values)])
    assert 0.3 < peak < 0.38  # spec S §12.1: 0.338


def test_qrt2_spectrum_sum_rule():
    """∫S_A dω/2π = C_AA(τ = 0) = ⟨σ^+_{A1}σ^-_{A2}⟩ (independent quadrature of the resolvent)."""
    micro = SyncParams(kappa=0.5, J=0.3, Delta=0.2).microscopic(10)
    M, vA, *_ = qrt2_matrix(10, micro)
    om = np.linspace(-400, 400, 400001)
    ds = spectrum(10, om, kappa=0.5, J=0.3, Delta=0.2)
    integral = np.trapezoid(ds.S_A.values, om) / (2 * np.pi)
    assert integral == pytest.approx(vA[0].real, rel=2e-3)
