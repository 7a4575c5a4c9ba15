"""Estimating k0, the symmetry witness and the design functions, against independent references.

References: the Cramér–Rao bound from the Fisher information computed from the outcome
distribution by our own finite difference here; the frequentist coverage of the credible
intervals over repeated synthetic experiments; a Monte-Carlo test of the witness's shot count;
a Gaussian toy posterior with a known interval.
"""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from nonrecip.sensing import (SensorModel, best_readout_time, credible_interval, estimate_k0, measurement_distribution,
                              posterior_density, sensing_information, shots_to_detect, simulate_counts)

MODEL = SensorModel(N=3, k0=0.03, readout_error=0.02)
TIME = 1.0


def _fisher_by_hand(model, time, measurement, h=1e-5):
    p = measurement_distribution(model, time, measurement)
    dp = (measurement_distribution(model.with_changes(k0=model.k0 + h), time, measurement)
          - measurement_distribution(model.with_changes(k0=model.k0 - h), time, measurement)) / (2 * h)
    return float(np.sum(dp ** 2 / p))


def test_fisher_information_of_M1_and_M3_equals_the_outcome_distributions():
    info = sensing_information(MODEL, [0.5, TIME])
    for m in ("M1", "M3"):
        assert abs(float(info[f"fisher_{m}"].sel(time=TIME)) / _fisher_by_hand(MODEL, TIME, m) - 1) < 1e-6


def test_credible_intervals_cover_the_true_k0_and_their_width_meets_the_cramer_rao_bound():
    """40 synthetic experiments of 20 000 shots: coverage of the 95 % intervals within the binomial
    3-sigma band, and posterior widths within 30 % of 1/sqrt(n F1) (asymptotic normality)."""
    shots, trials = 20000, 40
    crb = 1.0 / np.sqrt(shots * _fisher_by_hand(MODEL, TIME, "M1"))
    covered, widths = 0, []
    for seed in range(trials):
        r = estimate_k0(MODEL, TIME, simulate_counts(MODEL, TIME, shots, seed=seed), prior_interval=(-0.1, 0.1))
        assert r["refined"]
        covered += r["ci_low"] <= MODEL.k0 <= r["ci_high"]
        widths.append(r["posterior_std"])
    rate = covered / trials
    assert abs(rate - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / trials) + 1e-12
    assert abs(np.median(widths) / crb - 1) < 0.3


def test_the_sign_of_k0_is_estimated():
    mirrored = MODEL.with_changes(k0=-0.03)
    r = estimate_k0(mirrored, TIME, simulate_counts(mirrored, TIME, 20000, seed=3), prior_interval=(-0.1, 0.1))
    assert r["ci_high"] < 0 and abs(r["ml"] + 0.03) < 4 * r["posterior_std"]


def test_credible_interval_of_a_gaussian_posterior():
    k0 = np.linspace(-1, 1, 4001)
    density = xr.DataArray(stats.norm.pdf(k0, 0.1, 0.2), dims="k0", coords={"k0": k0})
    lo, hi = credible_interval(density, 0.95)
    assert abs(lo - (0.1 - 1.959964 * 0.2)) < 1e-4 and abs(hi - (0.1 + 1.959964 * 0.2)) < 1e-4
    flat = posterior_density(xr.DataArray(np.zeros(k0.size), dims="k0", coords={"k0": k0}))
    assert abs(float(flat.max()) - 0.5) < 1e-12


def test_witness_shot_count_gives_the_stated_power_in_simulated_experiments():
    """Simulate the M3 z-test with the predicted number of shots: power ≈ 90 %, false alarms rare."""
    n = int(np.ceil(shots_to_detect(MODEL, TIME, measurement="M3", sigma=3.0, power=0.9)))
    rng = np.random.default_rng(0)
    x = np.array([-1.0, 0.0, 1.0])

    def rejections(model, trials=2000):
        counts = rng.multinomial(n, measurement_distribution(model, TIME, "M3"), size=trials)
        mean = counts @ x / n
        var = counts @ x ** 2 / n - mean ** 2
        return np.mean(np.abs(mean) / np.sqrt(var / n) > 3.0)

    power = rejections(MODEL)
    assert 0.9 - 3 * np.sqrt(0.09 / 2000) <= power <= 0.95  # smallest n with exact power >= 90 %
    assert rejections(MODEL.with_changes(k0=0.0)) < 0.01
    assert shots_to_detect(MODEL.with_changes(k0=0.0), TIME) == np.inf
    assert shots_to_detect(MODEL, TIME, measurement="M1") < shots_to_detect(MODEL, TIME, measurement="M3") * 1.5


def test_best_readout_time_per_shot_and_per_unit_time():
    t = np.linspace(0.0, 10.0, 101)
    F = xr.DataArray(t * np.exp(-t / 2), dims="time", coords={"time": t})
    best = best_readout_time(F, overhead=0.0)
    assert abs(best["t_per_shot"] - 2.0) < 0.051  # maximum of t e^{-t/2}
    best = best_readout_time(F, overhead=5.0)
    expected = t[np.argmax(F.values / (t + 5.0))]
    assert best["t_per_time"] == expected and best["t_per_time"] < best["t_per_shot"]


def test_bad_arguments_are_refused_naming_them():
    with pytest.raises(ValueError, match="readout_error"):
        SensorModel(N=3, k0=0.01, readout_error=0.5)
    with pytest.raises(ValueError, match="N"):
        SensorModel(N=20, k0=0.01)
    with pytest.raises(ValueError, match="measurement"):
        measurement_distribution(MODEL, 1.0, "M9")
    with pytest.raises(ValueError, match="prior_interval"):
        estimate_k0(MODEL, 1.0, np.zeros(8), prior_interval=(0.1, -0.1))
    with pytest.raises(ValueError, match="parameter"):
        sensing_information(MODEL, [1.0], parameter="field")


def _z_power_by_enumeration(p, n, sigma):
    """Sum of the trinomial probabilities of every (n₊, n₋) whose z statistic exceeds sigma."""
    from scipy import special

    minus, zero, plus = p
    kp, km = np.arange(n + 1)[:, None], np.arange(n + 1)[None, :]
    valid = kp + km <= n
    k0 = np.where(valid, n - kp - km, 0)
    logp = (special.gammaln(n + 1) - special.gammaln(kp + 1) - special.gammaln(km + 1) - special.gammaln(k0 + 1)
            + kp * np.log(plus) + km * np.log(minus) + k0 * np.log(zero))
    mean, var = (kp - km) / n, (kp + km) / n - ((kp - km) / n) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(mean) / np.sqrt(var / n)
    reject = valid & ((z > sigma) | ((var == 0) & (mean != 0)))
    return float(np.exp(np.where(reject, logp, -np.inf)).sum())


@pytest.mark.parametrize("p", [(0.0643, 0.6362, 0.2995), (0.01, 0.97, 0.02), (0.3, 0.4, 0.3), (0.2, 0.1, 0.7)])
def test_exact_power_of_the_witness_equals_enumeration(p):
    from nonrecip.sensing.witness import z_test_power

    for n in (1, 5, 50, 103, 300):
        assert abs(z_test_power(np.array(p), n, 3.0) - _z_power_by_enumeration(p, n, 3.0)) < 1e-12


def test_a_distant_second_mode_does_not_capture_the_estimate():
    """N = 4, t = 1, readout error 0.02: the joint distribution at k0 = 0.01 nearly repeats at k0 ≈ 0.111
    (10^4 · KL = 477, measured), where the posterior is ~20x wider. A 61-point grid over [−0.2, 0.2]
    straddles the narrow true mode and often ranks the far one higher; the estimate must instead
    agree with an independent bounded (Brent) maximisation of ℓ near the truth, which the data favour."""
    from scipy.optimize import minimize_scalar

    model = SensorModel(N=4, k0=0.01, readout_error=0.02)
    far_on_old_grid = 0
    for seed in (2, 3, 4):  # 3 and 4: the far mode is highest on the 61-point grid (measured)
        counts = simulate_counts(model, 1.0, 10000, seed=seed)

        def ll(k):
            return float(counts @ np.log(measurement_distribution(model.with_changes(k0=float(k)), 1.0, "M1")))

        near = minimize_scalar(lambda k: -ll(k), bounds=(0.008, 0.012), method="bounded", options={"xatol": 1e-7})
        far = minimize_scalar(lambda k: -ll(k), bounds=(0.1, 0.12), method="bounded", options={"xatol": 1e-6})
        assert -near.fun > -far.fun + 100
        old_grid = np.linspace(-0.2, 0.2, 61)
        far_on_old_grid += old_grid[np.argmax([ll(k) for k in old_grid])] > 0.05
        r = estimate_k0(model, 1.0, counts, prior_interval=(-0.2, 0.2))
        assert abs(r["ml"] - near.x) < 0.02 * r["posterior_std"]
        assert r["ci_high"] < 0.05
    assert far_on_old_grid >= 1  # the case this guards against occurs in these data
