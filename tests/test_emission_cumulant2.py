"""Second-order cumulant expansion of the emission (docs/theory/large_arrays.md#cumulant2-equations)
against the exact block solver, the exact initial slope and an independent Dicke-ladder solution."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from nonrecip.emission import coupling_matrices, emission_dynamics
from nonrecip.emission.dynamics import rates_from_correlations
from nonrecip.emission.solvers.blocks.solver import block_correlations
from nonrecip.emission.solvers.cumulant_expansion import cumulant2_correlations

T = np.linspace(0.0, 10.0, 201)


def _random_couplings(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    gamma = A @ A.conj().T / n
    gamma /= np.real(np.diag(gamma)).max()
    H = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return 0.5 * (H + H.conj().T), gamma


def _film(n, k0, a_q=20.0):
    c = coupling_matrices(n, k0=k0, spacing_nm=a_q)
    return c["J"].values, c["gamma"].values


def _errors(J, gamma):
    exact, _ = block_correlations(J, gamma, T, tol=1e-10)
    approx, _ = cumulant2_correlations(J, gamma, T)
    r_ex, r_ap = rates_from_correlations(exact, J, gamma), rates_from_correlations(approx, J, gamma)
    d_ex, d_ap = r_ex[:, 0] - r_ex[:, -1], r_ap[:, 0] - r_ap[:, -1]
    return (np.abs(approx - exact).max(), np.abs(d_ap - d_ex).max() / np.abs(d_ex).max(),
            np.abs(r_ap.sum(1) - r_ex.sum(1)).max() / r_ex.sum(1).max())


@pytest.mark.parametrize("couplings", [_film(2, 0.03), _film(2, 0.3, 10.0), _random_couplings(2, 1)])
def test_two_qubits_are_exact(couplings):
    """No three-site moment exists at N = 2: the equations are the exact ones."""
    c_err, _, r_err = _errors(*couplings)
    assert c_err < 1e-7 and r_err < 1e-7


@pytest.mark.parametrize("N, k0, a_q, delta_error, rate_total_error", [
    (4, 0.03, 20.0, 0.0796, 0.0162),
    (5, 0.3, 20.0, 0.0683, 0.00219),
    (6, 0.03, 20.0, 0.134, 0.0356),
    (6, 0.003, 50.0, 0.125, 0.0462),
])
def test_closure_error_against_the_block_solver(N, k0, a_q, delta_error, rate_total_error):
    """The closure error measured for the error map (docs/theory/large_arrays.md#error-map), to 10 %."""
    _, d_err, r_err = _errors(*_film(N, k0, a_q))
    assert d_err == pytest.approx(delta_error, rel=0.1)
    assert r_err == pytest.approx(rate_total_error, rel=0.1)


def test_initial_slope_of_the_total_rate_is_exact():
    """dR_tot/dt(0) = Σ_{α≠β}|γ_αβ|² − Σ_α γ_αα² (docs/theory/emission.md#initial-slope, N γ0² for equal γ_αα):
    no closure term acts at t = 0."""
    J, gamma = _random_couplings(7, 3)
    h = 1e-4
    C, _ = cumulant2_correlations(J, gamma, np.array([0.0, h, 2 * h]), rtol=1e-12, atol=1e-14)
    r = rates_from_correlations(C, J, gamma).sum(axis=1)
    slope = (-3 * r[0] + 4 * r[1] - r[2]) / (2 * h)
    g2 = np.abs(gamma) ** 2
    expected = np.sum(g2) - 2 * np.sum(np.real(np.diag(gamma)) ** 2)  # Σ_{α≠β}|γ_αβ|² − Σ_α γ_αα²
    assert slope == pytest.approx(expected, rel=1e-6)


def _dicke_ladder_rate(N, times):
    """R_tot(t) of N atoms with γ_ab = 1, J = 0 on the symmetric Dicke ladder |N/2, M⟩ (independent of the code)."""
    j = N / 2
    M = j - np.arange(N + 1)
    down = (j + M) * (j - M + 1)

    def f(_t, p):
        d = -down * p
        d[1:] += down[:-1] * p[:-1]
        return d

    p0 = np.zeros(N + 1)
    p0[0] = 1.0
    sol = solve_ivp(f, (0.0, times[-1]), p0, t_eval=times, method="DOP853", rtol=1e-12, atol=1e-14)
    return (down[:, None] * sol.y).sum(axis=0)


def test_dicke_burst_at_fifty_atoms():
    """Permutation-symmetric limit γ_ab = 1, J = 0, N = 50: the closure overestimates the burst peak by 21.9 %."""
    N, t = 50, np.linspace(0.0, 0.5, 2001)
    exact = _dicke_ladder_rate(N, t)
    gamma = np.ones((N, N), dtype=complex)
    approx = emission_dynamics(np.zeros((N, N)), gamma, t, method="cumulant2")["rate_total"].values
    assert exact.max() == pytest.approx(499.18, rel=1e-4)
    assert approx.max() / exact.max() - 1 == pytest.approx(0.219, abs=0.01)
    assert t[approx.argmax()] - t[exact.argmax()] == pytest.approx(-0.0033, abs=0.0005)
    assert approx[0] == pytest.approx(N) and exact[0] == pytest.approx(N)


def test_dataset_layout_matches_the_exact_methods():
    J, gamma = _film(4, 0.03)
    a = emission_dynamics(J, gamma, T[:21], method="cumulant2")
    b = emission_dynamics(J, gamma, T[:21])
    assert set(a.data_vars) == set(b.data_vars) and a["rate"].dims == b["rate"].dims
    assert a.attrs["method"] == "cumulant2" and '"rtol": 1e-08' in a.attrs["method_options"]
