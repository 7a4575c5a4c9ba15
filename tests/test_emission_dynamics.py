"""Emission dynamics: QuTiP reference vs analytic results, closed N = 2 equations, symmetries."""

import numpy as np
import pytest

from nonrecip.emission import QutipOptions, coupling_matrices, emission_dynamics, pair_emission_rates

T = np.linspace(0.0, 6.0, 121)


def _pair(ja, gs=0.9):
    return np.array([[0, 1j * ja], [-1j * ja, 0]]), np.array([[1.0, gs], [gs, 1.0]])


def test_single_qubit_decays_exponentially():
    ds = emission_dynamics(np.zeros((1, 1)), np.ones((1, 1)), T, method="qutip")
    assert np.abs(ds["rate"].values[0] - np.exp(-T)).max() < 1e-6
    assert np.abs(ds["population"].values[0] - np.exp(-T)).max() < 1e-6


@pytest.mark.parametrize("ratio", [0.0, 0.2, 1.0, 4.0])
def test_pair_equations_match_mesolve(ratio):
    gs = 0.9
    J, g = _pair(ratio * gs, gs)
    ref = emission_dynamics(J, g, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))
    pair = emission_dynamics(J, g, T, method="pair")
    assert np.abs(ref["rate"].values - pair["rate"].values).max() < 1e-6


def test_unidirectional_pair_left_qubit_decays_like_isolated():
    # J^a = gamma^s: gamma^L = 0, R_1 = exp(-t) exactly (docs/theory/emission.md#figure-3-panel-c); right qubit peaks at 1.030
    J, g = _pair(0.9, 0.9)
    rates = pair_emission_rates(0.9, 0.9, np.linspace(0, 6, 601))
    assert np.abs(rates[:, 0] - np.exp(-np.linspace(0, 6, 601))).max() < 1e-8
    assert rates[:, 1].max() == pytest.approx(1.030, abs=1e-3)
    ds = emission_dynamics(J, g, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))
    assert np.abs(ds["rate"].sel(site=1).values - np.exp(-T)).max() < 1e-7


def test_rate_equals_population_derivative():
    # R_alpha = -d<n_alpha>/dt (docs/theory/emission.md#emission-rate), checked by central differences on a fine grid
    c = coupling_matrices(4, k0=0.003)
    t = np.linspace(0, 2, 2001)
    ds = emission_dynamics(c["J"].values, c["gamma"].values, t, method="qutip", options=QutipOptions(rtol=1e-11, atol=1e-13))
    pop = ds["population"].values
    h = t[1] - t[0]
    fd = -(-pop[:, 4:] + 8 * pop[:, 3:-1] - 8 * pop[:, 1:-3] + pop[:, :-4]) / (12 * h)  # O(h^4)
    assert np.abs(fd - ds["rate"].values[:, 2:-2]).max() < 1e-6


def test_mirror_symmetry_at_k0_zero():
    for n in (4, 5):
        c = coupling_matrices(n, k0=0.0)
        ds = emission_dynamics(c["J"].values, c["gamma"].values, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))
        r = ds["rate"].values
        assert np.abs(r - r[::-1]).max() < 1e-8
        assert np.abs(ds["delta"].values).max() < 1e-8


def test_J_sign_flip_mirrors_the_pattern():
    # docs/theory/emission.md#emission-symmetries: R_alpha(-J, gamma) = R_{N+1-alpha}(J, gamma)
    c = coupling_matrices(4, k0=0.01)
    J, g = c["J"].values, c["gamma"].values
    a = emission_dynamics(J, g, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))["rate"].values
    b = emission_dynamics(-J, g, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))["rate"].values
    assert np.abs(a - b[::-1]).max() < 1e-7
    assert np.abs(a - a[::-1]).max() > 1e-2  # the pattern is asymmetric to begin with


def test_no_coherent_coupling_no_asymmetry():
    c = coupling_matrices(4, k0=0.05)
    g = c["gamma"].values
    assert np.abs(g.imag).max() > 0.3
    ds = emission_dynamics(np.zeros_like(g), g, T, method="qutip", options=QutipOptions(rtol=1e-10, atol=1e-12))
    assert np.abs(ds["delta"].values).max() < 1e-8


def test_initial_slope_of_total_rate():
    # docs/theory/emission.md#initial-slope: dR_tot/dt(0) = sum_{a != b} |gamma_ab|^2 - N
    c = coupling_matrices(5, k0=0.003)
    g = c["gamma"].values
    expected = (np.abs(g) ** 2).sum() - 5 - 5
    t = np.linspace(0, 1e-3, 3)
    ds = emission_dynamics(c["J"].values, g, t, method="qutip", options=QutipOptions(rtol=1e-12, atol=1e-14))
    r = ds["rate_total"].values
    slope = (-3 * r[0] + 4 * r[1] - r[2]) / (t[2] - t[0])
    assert slope == pytest.approx(expected, rel=1e-3)
    assert expected == pytest.approx(14.80, abs=0.01)


def test_dataset_is_labelled():
    c = coupling_matrices(3, k0=0.01)
    ds = emission_dynamics(c["J"].values, c["gamma"].values, T, method="qutip", store_correlations=True)
    for name in list(ds.variables):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs, name
    assert ds["rate"].dims == ("site", "time")


@pytest.mark.parametrize("kwargs, match", [
    (dict(J=np.zeros((2, 3)), gamma=np.eye(2), times=T), "square"),
    (dict(J=np.array([[0, 1], [2, 0]]), gamma=np.eye(2), times=T), "Hermitian"),
    (dict(J=np.zeros((2, 2)), gamma=np.eye(2), times=T[::-1]), "increasing"),
    (dict(J=np.zeros((2, 2)), gamma=np.eye(2), times=T, method="magic"), "method"),
    (dict(J=np.zeros((3, 3)), gamma=np.eye(3), times=T, method="pair"), "pair"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        emission_dynamics(**kwargs)
