"""Emission summaries (``emission_summary``) on synthetic time series with analytic answers.

Every input is an analytic function sampled on a grid whose step ``h`` does not hit the
extrema; the reference is the exact extremum / location / integral of the function, and the
tolerances are the sampling bounds: location ≤ h/2, extremum value ≤ ½ max|f''| (h/2)²
(max|f''| over the half step around the extremum; bounded by 1.1 × |f''(t*)| here),
trapezoid integral ≤ T h² max|f''| / 12 plus h·max|f'| per kink of |δ|.
"""

import math

import numpy as np
import pytest
import xarray as xr

from nonrecip.emission.analysis import SUMMARY_ATTRS, emission_summary

T_MAX = 10.0
TIMES = np.linspace(0.0, T_MAX, 401)  # h = 0.025
H = TIMES[1] - TIMES[0]


def _dataset(rates, population=None, times=TIMES):
    """Dynamics dataset of the shape ``emission_dynamics`` returns (site, time)."""
    rates = np.asarray(rates, dtype=float)
    data = {
        "rate": (("site", "time"), rates),
        "delta": (("time",), rates[0] - rates[-1]),
        "rate_total": (("time",), rates.sum(axis=0)),
    }
    if population is not None:
        data["population"] = (("site", "time"), np.asarray(population, dtype=float))
    return xr.Dataset(data, coords={"site": np.arange(1, rates.shape[0] + 1), "time": times})


def _rates_with(delta, total, middle=None):
    """Three-site rates with R_1 − R_3 = delta and R_1 + R_2 + R_3 = total."""
    middle = np.zeros_like(delta) if middle is None else middle
    r1 = (total - middle + delta) / 2
    r3 = (total - middle - delta) / 2
    return np.stack([r1, middle, r3])


def test_peak_of_t_exp_asymmetry_and_burst():
    """δ = A t e^{−t/τ} (max A τ/e at t = τ, min 0 at t = 0);
    R_tot = R0 + B t e^{−t/τr} (interior burst of height R0 + B τr/e at t = τr)."""
    A, tau = 0.7, 1.2345
    R0, B, tau_r = 3.0, 2.5, 0.8123
    t = TIMES
    delta = A * t * np.exp(-t / tau)
    total = R0 + B * t * np.exp(-t / tau_r)
    s = emission_summary(_dataset(_rates_with(delta, total)))
    # |f''| at the maximum of a t e^{-t/τ}: a/(τ e) (x 1.1 for the half step around it)
    dv = 0.5 * 1.1 * A / (tau * math.e) * (H / 2) ** 2
    assert s["t_max_abs_delta"] == pytest.approx(tau, abs=H / 2)
    assert s["max_abs_delta"] == pytest.approx(A * tau / math.e, abs=dv)
    assert s["t_delta_max"] == pytest.approx(tau, abs=H / 2)
    assert s["delta_max"] == pytest.approx(A * tau / math.e, abs=dv)
    assert s["delta_min"] == pytest.approx(0.0, abs=1e-15) and s["t_delta_min"] == 0.0
    # ∫_0^T t e^{-t/τ} dt = τ² [1 − e^{−T/τ}(1 + T/τ)]; |f''| ≤ 2/τ · A
    integral = A * tau**2 * (1 - math.exp(-T_MAX / tau) * (1 + T_MAX / tau))
    assert s["integral_abs_delta"] == pytest.approx(integral, abs=T_MAX * H**2 * 2 * A / tau / 12)
    assert s["t_rate_total_peak"] == pytest.approx(tau_r, abs=H / 2)
    assert s["rate_total_peak"] == pytest.approx(R0 + B * tau_r / math.e, abs=0.5 * 1.1 * B / (tau_r * math.e) * (H / 2) ** 2)


def test_negative_asymmetry_is_reported_by_its_modulus():
    """δ = −A t e^{−t/τ}: max|δ| = A τ/e at τ, δ_min = −A τ/e, δ_max = 0 at t = 0."""
    A, tau = 0.4, 2.1717
    delta = -A * TIMES * np.exp(-TIMES / tau)
    s = emission_summary(_dataset(_rates_with(delta, np.full_like(TIMES, 3.0))))
    dv = 0.5 * 1.1 * A / (tau * math.e) * (H / 2) ** 2
    assert s["max_abs_delta"] == pytest.approx(A * tau / math.e, abs=dv)
    assert s["t_max_abs_delta"] == pytest.approx(tau, abs=H / 2)
    assert s["delta_min"] == pytest.approx(-A * tau / math.e, abs=dv)
    assert s["t_delta_min"] == pytest.approx(tau, abs=H / 2)
    assert s["delta_max"] == pytest.approx(0.0, abs=1e-15) and s["t_delta_max"] == 0.0


def test_damped_oscillating_asymmetry():
    """δ = A e^{−t/τ} sin ωt: extrema where tan ωt = ωτ, alternating sign, |δ| integral piecewise."""
    A, tau, om = 1.3, 2.0, 1.1
    t = TIMES
    delta = A * np.exp(-t / tau) * np.sin(om * t)
    s = emission_summary(_dataset(_rates_with(delta, 5 * np.exp(-t))))
    t1 = math.atan(om * tau) / om  # first maximum
    t2 = t1 + math.pi / om  # first minimum
    amp = A * om * tau / math.sqrt(1 + (om * tau) ** 2)
    f2 = A * (1 / tau + om) ** 2  # bound on |δ''|
    dv = 0.5 * f2 * (H / 2) ** 2
    assert s["t_delta_max"] == pytest.approx(t1, abs=H / 2)
    assert s["delta_max"] == pytest.approx(amp * math.exp(-t1 / tau), abs=dv)
    assert s["t_delta_min"] == pytest.approx(t2, abs=H / 2)
    assert s["delta_min"] == pytest.approx(-amp * math.exp(-t2 / tau), abs=dv)
    assert s["t_max_abs_delta"] == pytest.approx(t1, abs=H / 2)
    assert s["max_abs_delta"] == pytest.approx(s["delta_max"], abs=1e-15)

    # ∫ e^{−t/τ} sin ωt dt = F(t) = −e^{−t/τ}(sin ωt/τ + ω cos ωt)/(1/τ² + ω²)
    def F(x):
        return -math.exp(-x / tau) * (math.sin(om * x) / tau + om * math.cos(om * x)) / (1 / tau**2 + om**2)

    edges = [0.0] + [k * math.pi / om for k in range(1, int(T_MAX * om / math.pi) + 1)] + [T_MAX]
    exact = A * sum(abs(F(b) - F(a)) for a, b in zip(edges[:-1], edges[1:]))
    n_kinks = len(edges) - 2
    tol = T_MAX * H**2 * f2 / 12 + n_kinks * H**2 * A * (om + 1 / tau)
    assert s["integral_abs_delta"] == pytest.approx(exact, abs=tol)
    # no burst: R_tot = 5 e^{−t} is largest at the first sample
    assert math.isnan(s["rate_total_peak"]) and math.isnan(s["t_rate_total_peak"])


def test_burst_is_interior_only():
    """R_tot increasing over the whole window (maximum at the last sample) is not a burst."""
    rising = 1 + TIMES / T_MAX
    s = emission_summary(_dataset(_rates_with(np.zeros_like(TIMES), rising)))
    assert math.isnan(s["rate_total_peak"]) and math.isnan(s["t_rate_total_peak"])
    # one sample before the end is interior
    bump = np.where(TIMES < TIMES[-2], rising, 1.5)
    bump[-2] = 2.5
    s = emission_summary(_dataset(_rates_with(np.zeros_like(TIMES), bump)))
    assert s["rate_total_peak"] == pytest.approx(2.5, abs=1e-14)
    assert s["t_rate_total_peak"] == pytest.approx(TIMES[-2], abs=1e-14)


def test_mirror_residual_and_remaining_excitation():
    """Four sites: R_1 − R_4 = δ (max 0.3), R_2 − R_3 = 0.8 e^{−(t−t0)²} (max 0.8 at t0 on the grid);
    populations e^{−λ_α t} leave Σ_α e^{−λ_α T} at the end."""
    t = TIMES
    t0 = TIMES[137]
    base = np.exp(-t)
    delta = 0.3 * np.sin(2 * math.pi * t / T_MAX)  # max |δ| = 0.3 at t = T/4 = 2.5 (a grid point)
    inner = 0.8 * np.exp(-((t - t0) ** 2))
    rates = np.stack([base + delta / 2, base + inner / 2, base - inner / 2, base - delta / 2])
    lam = np.array([0.3, 0.7, 1.1, 2.0])
    pop = np.exp(-lam[:, None] * t[None, :])
    s = emission_summary(_dataset(rates, population=pop))
    assert s["mirror_residual"] == pytest.approx(0.8, abs=1e-14)  # the inner pair dominates
    assert s["max_abs_delta"] == pytest.approx(0.3, abs=1e-14)
    assert s["remaining_excitation"] == pytest.approx(np.exp(-lam * T_MAX).sum(), rel=1e-14)
    # mirror-symmetric rates: residual exactly 0; no population variable: NaN
    sym = np.stack([base, 2 * base, 2 * base, base])
    s = emission_summary(_dataset(sym))
    assert s["mirror_residual"] == 0.0
    assert math.isnan(s["remaining_excitation"])


def test_summary_keys_match_their_labels():
    s = emission_summary(_dataset(_rates_with(np.zeros_like(TIMES), np.exp(-TIMES))))
    assert set(s) == set(SUMMARY_ATTRS)
    assert all(isinstance(v, float) for v in s.values())
