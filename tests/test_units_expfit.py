"""Exponential fit of the reversal rate vs N (Fig. S10): ln r = a + b N, weighted least squares.

References: synthetic rates r(N) = r0 e^{−β N} with known r0, β and known error bars. The fit
must return a = ln r0, b = −β; its slope error is compared with the closed-form weighted
least-squares variance, and its calibration with the scatter of many noisy replicas.
"""

import math

import numpy as np
import pytest

from nonrecip.pipeline.sweeps.sync_trajectories import exponential_fit

R0, BETA = 2.5, 0.35
NS = np.array([4.0, 6.0, 8.0, 10.0, 12.0, 14.0])


def _true(ns=NS):
    return R0 * np.exp(-BETA * ns)


def test_noise_free_exact_recovery_and_closed_form_slope_error():
    """Exact data: a = ln r0, b = −β to round-off. With a constant relative error ε, the weights
    r/σ = 1/ε make var(b) = ε² / Σ(N − N̄)² (textbook weighted straight line)."""
    eps = 0.05
    r = _true()
    a, b, b_err = exponential_fit(NS, r, eps * r)
    assert a == pytest.approx(math.log(R0), abs=1e-12)
    assert b == pytest.approx(-BETA, abs=1e-12)
    assert b_err == pytest.approx(eps / math.sqrt(np.sum((NS - NS.mean()) ** 2)), rel=1e-12)
    # non-uniform errors: var(b) = 1/(S Sxx − Sx²) · S with S = Σw², Sx = Σw²N, Sxx = Σw²N²
    sig = r * np.array([0.02, 0.05, 0.03, 0.1, 0.04, 0.2])
    a, b, b_err = exponential_fit(NS, r, sig)
    w2 = (r / sig) ** 2
    S, Sx, Sxx = w2.sum(), (w2 * NS).sum(), (w2 * NS**2).sum()
    assert a == pytest.approx(math.log(R0), abs=1e-12)
    assert b == pytest.approx(-BETA, abs=1e-12)
    assert b_err == pytest.approx(math.sqrt(S / (S * Sxx - Sx**2)), rel=1e-12)


def test_noisy_fixed_seed_within_three_sigma():
    rng = np.random.default_rng(20240611)
    r = _true()
    sig = 0.08 * r
    noisy = r + sig * rng.standard_normal(r.size)
    a, b, b_err = exponential_fit(NS, noisy, sig)
    assert 0 < b_err < 0.05
    assert abs(b + BETA) < 3 * b_err, (b, b_err)
    # intercept error of the weighted line with constant relative error ε: ε √(ΣN² / (n ΣN² − (ΣN)²))
    a_err = 0.08 * math.sqrt(np.sum(NS**2) / (NS.size * np.sum(NS**2) - NS.sum() ** 2))
    assert abs(a - math.log(R0)) < 3 * a_err, (a, a_err)


def test_reported_slope_error_is_calibrated():
    """Over 4000 noisy replicas (5 % Gaussian errors) the pulls (b + β)/b_err have mean ≈ 0 and
    standard deviation ≈ 1 (sampling error of the std: 1/√(2·4000) ≈ 0.011)."""
    rng = np.random.default_rng(7)
    r = _true()
    sig = 0.05 * r
    pulls = []
    for _ in range(4000):
        a, b, b_err = exponential_fit(NS, r + sig * rng.standard_normal(r.size), sig)
        pulls.append((b + BETA) / b_err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.06
    assert abs(pulls.std(ddof=1) - 1.0) < 0.05


def test_zero_rates_and_bad_errors_are_dropped():
    """Points with rate ≤ 0 (no reversal seen) or a non-finite / zero error are left out."""
    r = _true()
    sig = 0.05 * r
    ns = np.concatenate([NS, [16.0, 18.0, 20.0, 22.0]])
    rates = np.concatenate([r, [0.0, -1e-3, 1.0, 1.0]])
    errs = np.concatenate([sig, [0.01, 0.01, np.nan, 0.0]])
    a, b, b_err = exponential_fit(ns, rates, errs)
    assert a == pytest.approx(math.log(R0), abs=1e-12)
    assert b == pytest.approx(-BETA, abs=1e-12)
    assert b_err == pytest.approx(0.05 / math.sqrt(np.sum((NS - NS.mean()) ** 2)), rel=1e-12)


def test_two_points_fit_exactly_and_fewer_give_nan():
    r = _true(np.array([5.0, 9.0]))
    a, b, b_err = exponential_fit([5, 9], r, 0.1 * r)
    assert a == pytest.approx(math.log(R0), abs=1e-12)
    assert b == pytest.approx(-BETA, abs=1e-12)
    assert b_err == pytest.approx(0.1 * math.sqrt(2) / 4, rel=1e-12)  # var(b) = 2ε²/ΔN²
    for args in (([5], [0.1], [0.01]), ([5, 9], [0.1, 0.0], [0.01, 0.01]), ([], [], [])):
        out = exponential_fit(*args)
        assert len(out) == 3 and all(math.isnan(v) for v in out), args
