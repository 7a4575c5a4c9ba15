"""Chirality-reversal detection (docs/theory/sync.md#monitored-trajectories) on planted signals and on cumulant trajectories."""

import numpy as np
import pytest
import xarray as xr

from nonrecip.sync import SyncParams, chirality_reversals, trajectories
from nonrecip.sync.monitored.reversals import phase_distributions, traveling_wave_period


def _synthetic(dphi, *, omega=0.5, noise=0.0, seed=0, dt=0.1):
    """Dataset with s_A = r e^{-iφ_A}, s_B = r e^{-iφ_B}, φ_A − φ_B = dphi (trajectory, time)."""
    rng = np.random.default_rng(seed)
    n_traj, n_t = dphi.shape
    t = np.arange(n_t) * dt
    phiA = omega * t[None, :] + rng.normal(0, noise, dphi.shape)
    phiB = phiA - dphi
    r = 0.3
    return xr.Dataset(
        {"s_A": (("trajectory", "time"), r * np.exp(-1j * phiA)),
         "s_B": (("trajectory", "time"), r * np.exp(-1j * phiB))},
        coords={"trajectory": np.arange(n_traj), "time": t},
        attrs={"kappa": 1.0, "J_real": 2.0, "J_imag": 0.0, "Delta": 0.0, "w": 0.5, "Gamma": 1.0},
    )


def test_detector_finds_exactly_the_planted_reversals():
    dt, n_t, window = 0.1, 6000, 5.0
    t = np.arange(n_t) * dt
    planted = [np.array([50.0, 130.0, 137.0, 400.0]), np.array([]), np.array([210.0, 590.0])]
    dphi = np.empty((len(planted), n_t))
    rng = np.random.default_rng(3)
    for j, times in enumerate(planted):
        sign = np.ones(n_t) * (1 if j != 1 else -1)
        for tr in times:
            sign[t >= tr] *= -1
        # ±π/2 with strong noise (|noise| up to ~1 rad, no single sample crosses by itself often)
        dphi[j] = sign * (np.pi / 2 + 0.8 * np.sin(0.7 * t)) + rng.normal(0, 0.6, n_t)
    ds = _synthetic(dphi, noise=0.05, dt=dt)
    out = chirality_reversals(ds, window=window)
    for j, times in enumerate(planted):
        assert int(out.n_reversals[j]) == len(times), (j, out.reversal_times.values[j])
        found = out.reversal_times.values[j][: len(times)]
        np.testing.assert_allclose(found, times, atol=window / 2)
    total_time = float(out.attrs["observed_time"])
    assert float(out.rate) == pytest.approx(6 / (3 * total_time))
    assert float(out.rate_ci_low) <= float(out.rate) <= float(out.rate_ci_high)
    # without averaging the noise makes spurious sign changes: the window matters
    raw = chirality_reversals(ds, window=dt)
    assert int(raw.n_reversals.sum()) > 20


def test_default_window_is_one_meanfield_period_and_nan_trajectories_dropped():
    dphi = np.full((2, 3000), np.pi / 2)
    ds = _synthetic(dphi)
    ds["s_A"][1, 100] = np.nan  # a diverged trajectory
    out = chirality_reversals(ds)
    assert out.attrs["window"] == pytest.approx(17.8, abs=0.05)  # docs/theory/sync.md#monitored-trajectories: κ = Γ, J = 2Γ
    assert out.attrs["n_valid"] == 1 and int(out.n_reversals[1]) == -1
    assert traveling_wave_period(kappa=1.0, J=4.0) == pytest.approx(6.72, abs=0.01)
    with pytest.raises(ValueError, match="window"):
        chirality_reversals(ds.assign_attrs(J_real=0.2, kappa=0.5))  # static sync: no period
    with pytest.raises(ValueError, match="window"):
        chirality_reversals(ds, window=-1.0)


def test_phase_distributions_postselected():
    n_t = 4000
    sign = np.where(np.arange(n_t) < 2000, 1.0, -1.0)
    ds = _synthetic(np.array([sign * np.pi / 2]), omega=0.0, noise=0.1)
    P = phase_distributions(ds, window=2.0, bins=36)
    dphi = P.phi.values[1] - P.phi.values[0]
    for ch in (1, -1):
        pA = P.P_phi_A.sel(chirality=ch).values
        assert np.sum(pA) * dphi == pytest.approx(1.0)
        assert abs(P.phi.values[np.argmax(pA)]) < 0.2  # φ_A ≈ 0
        pB = P.P_phi_B.sel(chirality=ch).values
        assert P.phi.values[np.argmax(pB)] == pytest.approx(-ch * np.pi / 2, abs=0.2)


#: default N values of config sync_trajectories.fig_S10 (workflow/schemas/sync_trajectories.schema.yaml)
DEFAULT_N = [10, 20, 40, 60, 80]


def test_reversal_rate_falls_with_N():
    """docs/theory/sync.md#trajectory-results / Fig. S10: heterodyne, κ = Γ = 1, J = 4, window = MF period 6.72."""
    times = np.arange(0.0, 400.0 + 1e-9, 0.2)
    rates, errs = [], []
    for N in DEFAULT_N:
        ds = trajectories(N, SyncParams(kappa=1.0, J=4.0), n_traj=16, times=times, dt=0.01, seed=100 + N)
        assert int(ds.diverged.sum()) <= 1  # rare closure blow-ups at dt = 0.01 (N = 80)
        r = chirality_reversals(ds, window=6.72, t_start=50.0)
        rates.append(float(r.rate))
        errs.append(float(r.rate_stderr))
    assert np.all(np.diff(rates) < 0), (rates, errs)
    assert rates[0] > 4 * rates[-1]  # roughly exponential: 86 vs 12 per 1000/Γ in docs/theory/sync.md#trajectory-results
