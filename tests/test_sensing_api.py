"""The experimenter's entry points of nonrecip.sensing: readout data, the posterior of k0, argument checks.

References: a Gaussian posterior written here from the Fisher information (asymptotic normality,
Bernstein–von Mises) and Bayes' rule applied by hand to a likelihood computed from the outcome
distribution; the photon-counting information against its Poisson formula evaluated here.
"""

import numpy as np
import pytest

from nonrecip.sensing import (ReadoutData, SensorModel, fisher_information, measurement_distribution, posterior,
                              simulate_readout)

MODEL = SensorModel(N=3, k0=0.03, readout_error=0.02)
TIME = 1.0


def test_posterior_of_many_shots_is_the_gaussian_of_the_fisher_information():
    """At 10^5 shots the posterior is close to N(k̂, 1/(n F)): over 20 data sets its standard
    deviation averages 1/sqrt(n F) within 5 % (single data sets scatter by ~5 %: the observed
    information fluctuates, measured 0.95…1.07) and its mean is within 4 sd of the truth."""
    shots = 100_000
    F = float(fisher_information(3, [0.0, TIME], k0=MODEL.k0, readout_error=0.02)["cfi"][-1])
    sd = 1 / np.sqrt(shots * F)
    grid = MODEL.k0 + sd * np.linspace(-8, 8, 161)
    ratios = []
    for seed in range(20):
        post = posterior(simulate_readout(MODEL, TIME, shots, seed=seed), k0_grid=grid)
        x, f = grid, post.values
        mean = np.trapezoid(x * f, x)
        ratios.append(np.sqrt(np.trapezoid((x - mean) ** 2 * f, x)) / sd)
        assert abs(mean - MODEL.k0) < 4 * sd
        assert abs(post.attrs["ml_k0"] - mean) < 0.1 * sd
    assert abs(np.mean(ratios) - 1) < 0.05


def test_posterior_applies_the_prior_by_bayes_rule():
    data = simulate_readout(MODEL, TIME, 500, measurement="asymmetry", seed=1)
    grid = np.linspace(-0.1, 0.1, 41)
    loglik = np.array([data.counts @ np.log(measurement_distribution(MODEL.with_changes(k0=k), TIME, "M3")) for k in grid])
    prior = np.exp(-grid ** 2 / (2 * 0.02 ** 2))
    by_hand = np.exp(loglik - loglik.max()) * prior
    by_hand /= np.trapezoid(by_hand, grid)
    for given in (prior, lambda k: np.exp(-k ** 2 / (2 * 0.02 ** 2))):
        np.testing.assert_allclose(posterior(data, k0_grid=grid, prior=given).values, by_hand, rtol=1e-10)


def test_readout_data_round_trip_and_checks():
    data = simulate_readout(MODEL, TIME, 1000, seed=0)
    ds = data.to_dataset()
    assert int(ds["counts"].sum()) == 1000 == data.shots and ds.sizes["outcome"] == 8
    again = ReadoutData(MODEL, float(ds.attrs["time"]), ds["counts"].values, ds.attrs["measurement"])
    np.testing.assert_array_equal(again.counts, data.counts)
    with pytest.raises(ValueError, match="counts must be 8 non-negative integers"):
        ReadoutData(MODEL, TIME, np.ones(3, dtype=int))
    with pytest.raises(ValueError, match="measurement must be one of"):
        simulate_readout(MODEL, TIME, 10, measurement="marginal")


def test_photon_counting_information_is_the_poisson_formula():
    """F4(t) = Σ_bins Σ_α (∂μ)²/μ with μ = η ∫ R_α dt, evaluated here from QuTiP rates at k0 ± h.

    A site's rate can turn negative (interference in γ_ab); such bins are no Poisson counts and
    are left out, as documented."""
    times = np.linspace(0.0, 2.0, 41)
    eta, h = 0.01, 1e-5
    from nonrecip.emission.dynamics import emission_dynamics

    def mu(k0):
        J, g = MODEL.with_changes(k0=k0).couplings()
        rate = emission_dynamics(J, g, times, method="qutip")["rate"].values.T  # (time, site)
        return eta * 0.5 * (rate[1:] + rate[:-1]) * np.diff(times)[:, None]

    m, dm = mu(MODEL.k0), (mu(MODEL.k0 + h) - mu(MODEL.k0 - h)) / (2 * h)
    terms = np.where(m > 1e-12, dm ** 2 / np.where(m > 1e-12, m, 1.0), 0.0)
    assert (m < 0).any()  # the rule matters here
    expected = np.concatenate([[0.0], np.cumsum(terms.sum(axis=1))])
    got = fisher_information(3, times, k0=MODEL.k0, measurement="photon_counting", detection_efficiency=eta)["cfi"].values
    np.testing.assert_allclose(got[1:], expected[1:], rtol=1e-4)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="measurement must be one of"):
        fisher_information(3, [0.0, 1.0], k0=0.03, measurement="camera")
    with pytest.raises(ValueError, match="bath: unknown physical parameter"):
        fisher_information(3, [0.0, 1.0], k0=0.03, field_gaus=380.0)
    with pytest.raises(ValueError, match="N must be"):
        fisher_information(1, [0.0, 1.0], k0=0.03)
    data = simulate_readout(MODEL, TIME, 10)
    with pytest.raises(ValueError, match="k0_grid must be"):
        posterior(data, k0_grid=[0.1, 0.0, 0.2])
    with pytest.raises(ValueError, match="prior must"):
        posterior(data, k0_grid=[0.0, 0.1, 0.2], prior=[1.0, -1.0, 1.0])
    with pytest.raises(TypeError, match="data must be a ReadoutData"):
        posterior(data.counts, k0_grid=[0.0, 0.1, 0.2])
