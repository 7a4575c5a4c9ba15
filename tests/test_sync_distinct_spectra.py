"""Exact distinct-spin, same-spin and cross spectra (docs/theory/sync.md#distinct-spin-spectra).

Reference: the QuTiP full-space Liouvillian of ``_sync_fullspace`` (independent of the package),
restricted to its U(1) charge −1 block, and a dense solve of (iω − 𝓛)x = Yρ_ss per frequency.
Convention as ``exact_spectra``: F_XY(ω) = Tr[X (iω − 𝓛)^{-1}(Yρ_ss)] = ∫_0^∞ e^{-iωτ}⟨X(τ)Y⟩dτ,
S = 2 Re F for autocorrelations, S_AB = F_AB + F_BA^* for the cross spectrum.
"""

import dataclasses

import numpy as np
import pytest
import qutip as qt
import scipy.linalg as la
from numpy.polynomial.legendre import leggauss

from _sync_fullspace import full_model
from nonrecip.sync.model import MicroscopicRates, SyncParams
from nonrecip.sync.spectra import exact_spectra
from nonrecip.sync.symmetric.basis import _basis, liouvillian_terms, sector_operator
from nonrecip.sync.symmetric.distinguished import (
    DistinguishedBasis,
    distinct_spin_spectra,
    distinguished_sector,
    embed_symmetric,
)
from nonrecip.sync.symmetric.exact import exact_steady_state

# general point: Δ ≠ 0, complex J, damping and dephasing (microscopic rates)
MICRO = dict(Gamma=0.45, kappa=0.2, J=0.7 + 0.3j, Delta=0.35, w=0.5, gamma=0.1, gamma_phi=0.07)
OMEGA = np.linspace(-1.2, 1.0, 7)


def _full_reference(NA, NB, micro, omega, pairs):
    """F_XY(ω) for (X, Y) = (σ^+ site, σ^- site or "SA") from the full-space dense resolvent.

    Returns the dict {pair: F(ω)} and {pair: Tr[X Y ρ_ss]}.
    """
    L, site = full_model(NA, NB, **micro)
    rho = qt.steadystate(L)
    n = NA + NB
    dim = 2**n
    ne = np.array([n - bin(k).count("1") for k in range(dim)])  # basis(2, 0) = |e⟩
    charge = (ne[:, None] - ne[None, :]).ravel(order="F")  # column-stacked vec(|i⟩⟨j|)
    idx = np.nonzero(charge == -1)[0]
    rest = np.nonzero(charge != -1)[0]
    Ls = L.data.as_scipy().tocsr()
    assert abs(Ls[rest][:, idx]).max() == 0 and abs(Ls[idx][:, rest]).max() == 0
    Ld = Ls[idx][:, idx].toarray()
    sp_, sm = qt.sigmap(), qt.sigmam()
    SmA = sum(site(sm, k) for k in range(NA))

    def op(kind, k):
        return SmA if k == "SA" else site(sp_ if kind == "+" else sm, k)

    V = np.stack([qt.operator_to_vector(op("-", y) * rho).full().ravel()[idx] for _, y in pairs], axis=1)
    Tm = np.stack([(op("+", x) if x != "SA" else SmA.dag()).full().ravel()[idx] for x, _ in pairs])
    equal_time = {p: complex(((op("+", x) if x != "SA" else SmA.dag()) * op("-", y) * rho).tr()) for p, (x, y) in
                  zip(pairs, pairs)}
    for k, p in enumerate(pairs):  # the vec/functional bookkeeping reproduces Tr[X Y ρ]
        assert abs(Tm[k] @ V[:, k] - equal_time[p]) < 1e-13
    F = {p: np.empty(len(omega), dtype=complex) for p in pairs}
    for i, om in enumerate(omega):
        X = la.solve(1j * om * np.eye(len(idx)) - Ld, V)
        for k, p in enumerate(pairs):
            F[p][i] = Tm[k] @ X[:, k]
    return F, equal_time


@pytest.mark.parametrize("NA, NB, resolvent", [(2, 2, "dense"), (3, 3, "dense"), (3, 3, "krylov"), (3, 2, "direct")])
def test_spectra_match_full_space_resolvent(NA, NB, resolvent):
    a1, a2, b1, b2 = 0, 1, NA, NA + 1
    pairs = [(a1, a2), (a1, a1), (b1, b2), (b1, b1), (a1, b1), (b1, a1), ("SA", "SA")]
    F, _ = _full_reference(NA, NB, MICRO, OMEGA, pairs)
    got = distinct_spin_spectra(NA, NB, OMEGA, MicroscopicRates(**MICRO), resolvent=resolvent)
    want = {
        "S_A_distinct": 2 * F[(a1, a2)].real, "S_A_same": 2 * F[(a1, a1)].real,
        "S_B_distinct": 2 * F[(b1, b2)].real, "S_B_same": 2 * F[(b1, b1)].real,
        "F_AB": F[(a1, b1)], "F_BA": F[(b1, a1)], "F_AB_distinguished": F[(a1, b1)],
        "F_BA_distinguished": F[(b1, a1)], "S_AB_cross": F[(a1, b1)] + F[(b1, a1)].conj(),
        "S_A_collective": 2 * F[("SA", "SA")].real / NA**2,
    }
    for key, ref in want.items():
        np.testing.assert_allclose(got[key], ref, rtol=0, atol=1e-10, err_msg=key)
    assert np.ptp(want["S_A_distinct"]) > 1e-3 and np.ptp(want["S_B_distinct"]) > 1e-3
    assert np.max(np.abs(want["S_AB_cross"].imag)) > 1e-3  # the cross spectrum is genuinely complex here
    assert max(got["identity_residual"].values()) < 1e-12
    assert got["embedded_residual_A"] < 1e-13 and got["embedded_residual_B"] < 1e-13


def test_reduction_at_NA2_against_qutip():
    """N_A = 2: ⟨σ^+_1(τ)σ^-_2⟩ = (⟨S^+(τ)S^-⟩ − 2⟨σ^+_1(τ)σ^-_1⟩)/2, all three from QuTiP."""
    NA, NB = 2, 3
    F, _ = _full_reference(NA, NB, MICRO, OMEGA, [(0, 1), (0, 0), ("SA", "SA")])
    dist_q, same_q, coll_q = (2 * F[p].real for p in [(0, 1), (0, 0), ("SA", "SA")])
    np.testing.assert_allclose(dist_q, (coll_q - NA * same_q) / (NA * (NA - 1)), rtol=0, atol=1e-12)
    got = distinct_spin_spectra(NA, NB, OMEGA, MicroscopicRates(**MICRO), species="A")
    np.testing.assert_allclose(got["S_A_distinct"], (coll_q - NA * same_q) / (NA * (NA - 1)), rtol=0, atol=1e-10)
    # the collective part agrees with the existing, independent symmetric-basis implementation
    ref = exact_spectra(NA, NB, OMEGA, MicroscopicRates(**MICRO))
    np.testing.assert_allclose(got["S_A_collective"], ref["S_A"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["S_B_collective"], ref["S_B"], rtol=0, atol=1e-12)
    assert "S_B_distinct" not in got


def test_symmetric_in_omega_iff_pt_symmetric():
    """Δ = 0, real J: 𝓛, ρ_ss, σ^± are real, so C(τ) is real and S(ω) = 2∫cos(ωτ)C(τ)dτ is even."""
    om = np.linspace(-3, 3, 401)
    pt = distinct_spin_spectra(4, 4, om, SyncParams(kappa=0.5, J=5.0).microscopic(4))
    for key in ("S_A_distinct", "S_B_distinct", "S_A_same", "S_B_same"):
        S = pt[key]
        assert np.max(np.abs(S - S[::-1])) < 1e-12 * np.max(np.abs(S)), key
    brk = distinct_spin_spectra(4, 4, om, SyncParams(kappa=0.5, J=5.0, Delta=0.3).microscopic(4))
    for key in ("S_A_distinct", "S_B_distinct"):
        S = brk[key]
        assert np.max(np.abs(S - S[::-1])) > 1e-2 * np.max(np.abs(S)), key


def test_N2_J5_peak_positions():
    """κ = 0.5, J = 5, Γ = 1, w = 0.5 (collective), N = 2: peaks at ±1.507, not ±1.45."""
    om = np.linspace(1.3, 1.7, 401)
    micro = SyncParams(kappa=0.5, J=5.0).microscopic(2)
    S = distinct_spin_spectra(2, 2, om, micro, species="A")["S_A_distinct"]
    F, _ = _full_reference(2, 2, dataclasses.asdict(micro), om, [(0, 1)])
    reference = 2 * F[(0, 1)].real                                   # QuTiP full space, independent
    assert abs(om[np.argmax(reference)] - 1.507) < 2e-3 and np.argmax(S) == np.argmax(reference)
    assert S[np.argmax(S)] > S[np.argmin(np.abs(om - 1.45))] + 1e-5


def _quadrature(n=600):
    """Nodes ω and weights of ∫ dω/2π over ℝ: ω = tan θ, Gauss–Legendre in θ (S ~ 1/ω² tails)."""
    x, wts = leggauss(n)
    th = 0.5 * np.pi * x
    return np.tan(th), wts * (0.5 * np.pi / np.cos(th) ** 2) / (2 * np.pi)


def test_sum_rule_equal_time_correlators():
    """∫S(ω)dω/2π = C(τ = 0), compared with the symmetric-basis steady state."""
    micro = MicroscopicRates(**MICRO)
    NA, NB = 3, 3
    ss = exact_steady_state(NA, NB, micro)
    om, wts = _quadrature()
    out = distinct_spin_spectra(NA, NB, om, micro)
    integ = lambda S: wts @ S  # noqa: E731
    zA = ss.expect((0, 0, 1)).real
    assert abs(integ(out["S_A_distinct"]) - ss.expect((1, 1, 0)).real) < 1e-10
    assert abs(integ(out["S_B_distinct"]) - ss.expect((0, 0, 0), (1, 1, 0)).real) < 1e-10
    assert abs(integ(out["S_A_same"]) - (1 + zA) / 2) < 1e-10
    assert abs(integ(out["S_AB_cross"]) - ss.expect((1, 0, 0), (0, 1, 0))) < 1e-10
    assert abs(out["C_distinct_0"]["A"] - ss.expect((1, 1, 0))) < 1e-14
    assert abs(ss.expect((1, 1, 0))) > 1e-3


def test_embedded_state_is_the_unique_steady_state_of_the_distinguished_representation():
    micro = MicroscopicRates(**MICRO)
    ss = exact_steady_state(3, 2, micro)
    d = DistinguishedBasis(3)
    d0 = distinguished_sector(d, _basis(2), 0)
    L = sector_operator(liouvillian_terms(**micro.as_dict()), d0, d0).toarray()
    _, s, vh = la.svd(L)
    assert s[-1] < 1e-13 * s[0] and s[-2] > 1e-4 * s[0]
    null = vh[-1].conj()
    emb = embed_symmetric(ss.c, ss.sector, d0)
    k = np.argmax(np.abs(emb))
    np.testing.assert_allclose(null * emb[k] / null[k], emb, rtol=0, atol=1e-12)
    assert d.dim == 4 * 10 and d0.dim == 92  # Σ over (spin-1 type, rest, B) with total charge 0


def test_bad_arguments():
    micro = SyncParams(kappa=0.5, J=1.0).microscopic(2)
    for kw in (dict(species="C"), dict(resolvent="eig"), dict(linear_solver="lapack"), dict(shift=0.0)):
        with pytest.raises(ValueError):
            distinct_spin_spectra(2, 2, [0.0], micro, **kw)
    with pytest.raises(ValueError):
        DistinguishedBasis(0)
