"""Second- and third-order cumulant expansions (docs/theory/cumulants.md) against exact solutions:
the excitation-block solver, an analytic initial slope and an independent Dicke-ladder solution."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from nonrecip.emission.couplings import coupling_matrices
from nonrecip.emission.dynamics import rates_from_correlations
from nonrecip.emission.solvers.blocks.solver import block_correlations
from nonrecip.emission.solvers.cumulants import ORDERS, cumulant_correlations

TIMES = np.linspace(0.0, 10.0, 201)


def _random_couplings(n, seed, diagonal=True):
    """Random Hermitian J and complex PSD γ, with non-uniform diagonals when ``diagonal``."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    gamma = A @ A.conj().T / n
    H = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    J = 0.5 * (H + H.conj().T)
    if not diagonal:
        gamma /= np.real(np.diag(gamma)).mean()
        np.fill_diagonal(J, 0.0)
    return J, gamma


def _film(n, k0, spacing_nm=20.0, distance_nm=10.0):
    c = coupling_matrices(n, k0=k0, spacing_nm=spacing_nm, distance_nm=distance_nm, model="integral")
    return c["J"].values, c["gamma"].values


def _rate_errors(J, gamma, order, times=TIMES):
    """(max |ΔC|, max_t |Δδ_1N| / max_t |δ_1N|, max_t |ΔR_tot| / max_t R_tot) against the block solver."""
    exact, _ = block_correlations(J, gamma, times, tol=1e-10)
    approx, _ = cumulant_correlations(J, gamma, times, order=order, rtol=1e-9, atol=1e-11)
    r_ex, r_ap = rates_from_correlations(exact, J, gamma), rates_from_correlations(approx, J, gamma)
    d_ex, d_ap = r_ex[:, 0] - r_ex[:, -1], r_ap[:, 0] - r_ap[:, -1]
    return (np.abs(approx - exact).max(), np.abs(d_ap - d_ex).max() / np.abs(d_ex).max(),
            np.abs(r_ap.sum(1) - r_ex.sum(1)).max() / r_ex.sum(1).max())


@pytest.mark.parametrize("couplings", [_film(2, 0.03), _film(2, 0.3, 10.0, 5.0), _random_couplings(2, 1)],
                         ids=["film-k0.03", "film-k0.3", "random"])
def test_second_order_is_exact_for_two_qubits(couplings):
    """N = 2 has no three-site moment: order 2 is exact for C, n, P (docs/theory/cumulants.md#exactness)."""
    J, gamma = couplings
    exact, _ = block_correlations(J, gamma, TIMES, tol=1e-10)
    approx, info = cumulant_correlations(J, gamma, TIMES, order=2, rtol=1e-10, atol=1e-12)
    assert np.abs(approx - exact).max() < 1e-8
    assert info["n_rhs"] > 0


@pytest.mark.parametrize("couplings", [_film(3, 0.03), _random_couplings(3, 2)], ids=["film", "random"])
def test_third_order_is_exact_for_three_qubits(couplings):
    """N = 3 has no four-site moment: order 3 is exact (docs/theory/cumulants.md#exactness)."""
    J, gamma = couplings
    exact, _ = block_correlations(J, gamma, TIMES, tol=1e-10)
    approx, _ = cumulant_correlations(J, gamma, TIMES, order=3, rtol=1e-10, atol=1e-12)
    assert np.abs(approx - exact).max() < 1e-8


@pytest.mark.parametrize("order, N", [(2, 2), (3, 3)])
@pytest.mark.parametrize("fused, toeplitz", [(False, False), (True, False), (False, True)])
def test_every_evaluation_path_is_exact_where_the_closure_is_not_used(order, N, fused, toeplitz):
    """Compiled/NumPy element-wise part and FFT/dense product against the block solver."""
    J, gamma = _film(N, 0.3, 10.0, 5.0)
    exact, _ = block_correlations(J, gamma, TIMES, tol=1e-10)
    system = ORDERS[order](J, gamma, fused=fused, toeplitz=toeplitz)
    sol = solve_ivp(system.rhs, (0.0, TIMES[-1]), system.initial_state(), method="DOP853",
                    t_eval=TIMES, rtol=1e-10, atol=1e-12)
    approx = np.array([system.correlations(y) for y in sol.y.T])
    assert np.abs(approx - exact).max() < 1e-8


@pytest.mark.parametrize("fused", [True, False], ids=["compiled", "numpy"])
def test_closure_error_grows_as_t3_at_order_2_and_t5_at_order_3(fused):
    """Short-time closure error ∝ t^(2·order − 1) (docs/theory/cumulants.md#short-time-order).

    A wrong four-site factorisation would make the order-3 error grow as t⁴ instead.
    Measured local exponents: 2.96, 2.92 (order 2); 4.94, 4.87 (order 3).
    """
    J, gamma = _random_couplings(5, 7)
    times = np.array([0.0, 0.005, 0.01, 0.02])
    exact, _ = block_correlations(J, gamma, times, tol=1e-14)
    slopes = {}
    for order in (2, 3):
        system = ORDERS[order](J, gamma, fused=fused)
        sol = solve_ivp(system.rhs, (0.0, times[-1]), system.initial_state(), method="DOP853",
                        t_eval=times, rtol=1e-13, atol=1e-16)
        approx = np.array([system.correlations(y) for y in sol.y.T])
        err = np.abs(approx - exact).max(axis=(1, 2))[1:]
        slopes[order] = np.log2(err[1:] / err[:-1])
    assert np.all(np.abs(slopes[2] - 3.0) < 0.15), slopes
    assert np.all(np.abs(slopes[3] - 5.0) < 0.2), slopes


@pytest.mark.parametrize("N, k0, order, delta_bound, total_bound", [
    (4, 0.03, 2, 0.12, 0.02),
    (4, 0.03, 3, 0.032, 0.0055),
    (6, 0.03, 2, 0.21, 0.045),
    (6, 0.03, 3, 0.10, 0.021),
    (6, 0.3, 2, 0.14, 0.015),
    (6, 0.3, 3, 0.028, 0.002),
])
def test_closure_error_against_the_block_solver(N, k0, order, delta_bound, total_bound):
    """Measured errors of δ_1N and R_tot (docs/theory/cumulants.md#accuracy), bounds ≈ 1.2 × measured.

    Measured (max_t |Δδ_1N| / max_t |δ_1N|, max_t |ΔR_tot| / max_t R_tot): N = 4, k0 = 0.03:
    order 2 0.101, 0.0166; order 3 0.0265, 0.00435. N = 6, k0 = 0.03: 0.178, 0.0368; 0.0812,
    0.0175. N = 6, k0 = 0.3: 0.119, 0.0122; 0.0228, 0.0016.
    """
    _, d_err, r_err = _rate_errors(*_film(N, k0), order)
    assert d_err < delta_bound
    assert r_err < total_bound


def test_third_order_is_not_uniformly_better_near_reciprocity():
    """N = 6, k0 = 0.003: order 3 improves R_tot (0.110 → 0.0646) but not δ_1N (0.58 → 1.75)."""
    J, gamma = _film(6, 0.003)
    _, d2, r2 = _rate_errors(J, gamma, 2)
    _, d3, r3 = _rate_errors(J, gamma, 3)
    assert r3 < 0.08 < 0.1 < r2 < 0.13
    assert d2 < 0.7 and 1.5 < d3 < 2.0


def test_initial_slope_of_the_total_rate_is_exact():
    """dR_tot/dt(0) = Σ_{α≠β}|γ_αβ|² − Σ_α γ_αα² (docs/theory/emission.md#initial-slope) at both orders."""
    for J, gamma in (_film(8, 0.03), _random_couplings(5, 11)):
        expected = (np.abs(gamma) ** 2).sum() - 2.0 * (np.real(np.diag(gamma)) ** 2).sum()
        for order in (2, 3):
            system = ORDERS[order](J, gamma)
            y0 = system.initial_state()
            dy = system.rhs(0.0, y0)
            dC = system.correlations(dy)
            assert np.real(np.sum(gamma * dC)) == pytest.approx(expected, rel=1e-12, abs=1e-12)
            h = 1e-4
            C, _ = cumulant_correlations(J, gamma, np.array([0.0, h, 2 * h]), order=order,
                                         rtol=1e-12, atol=1e-14)
            R = rates_from_correlations(C, J, gamma).sum(axis=1)
            slope = (-3 * R[0] + 4 * R[1] - R[2]) / (2 * h)
            assert slope == pytest.approx(expected, rel=1e-5)


def _dicke_total_rate(N, times):
    """R_tot(t) of the symmetric Dicke ladder, rate m(N − m + 1) γ0 from m excitations to m − 1."""
    m = np.arange(N + 1)
    rate = m * (N - m + 1.0)

    def ladder(_t, P):
        dP = -rate * P
        dP[:-1] += rate[1:] * P[1:]
        return dP

    P0 = np.zeros(N + 1)
    P0[-1] = 1.0
    sol = solve_ivp(ladder, (times[0], times[-1]), P0, method="Radau", t_eval=times, rtol=1e-11, atol=1e-14)
    return rate @ sol.y


@pytest.mark.parametrize("order, peak_error, time_error", [
    (2, (0.21, 0.23), (-0.05, -0.03)),
    pytest.param(3, (-0.23, -0.21), (-0.18, -0.16), marks=pytest.mark.slow),
])
def test_dicke_burst_against_the_ladder(order, peak_error, time_error):
    """γ_ab = 1, J = 0, N = 50 (docs/theory/cumulants.md#dicke-limit).

    Measured: order 2 overestimates the peak of R_tot by 21.9 % and places it 3.9 % early;
    order 3 underestimates it by 22.1 % and places it 17 % early (exact: 499.2 γ0 at 0.082/γ0).
    """
    N = 50
    times = np.linspace(0.0, 0.4, 801)
    exact = _dicke_total_rate(N, times)
    C, _ = cumulant_correlations(np.zeros((N, N)), np.ones((N, N)), times, order=order)
    approx = rates_from_correlations(C, np.zeros((N, N)), np.ones((N, N))).sum(axis=1)
    i, j = exact.argmax(), approx.argmax()
    assert exact[i] == pytest.approx(499.18, rel=1e-4)
    assert peak_error[0] < (approx[j] - exact[i]) / exact[i] < peak_error[1]
    assert time_error[0] < (times[j] - times[i]) / times[i] < time_error[1]


def test_tolerance_controls_the_error():
    """N = 20, k0 = 0.03, order 2 against rtol = 1e-12: max |ΔC| ≤ 2 rtol measured (docs/theory/cumulants.md#tolerance-convergence)."""
    J, gamma = _film(20, 0.03)
    reference, _ = cumulant_correlations(J, gamma, TIMES, order=2, rtol=1e-12, atol=1e-14)
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10):
        C, _ = cumulant_correlations(J, gamma, TIMES, order=2, rtol=rtol, atol=1e-2 * rtol)
        errors.append(np.abs(C - reference).max())
        assert errors[-1] < 4.0 * rtol
    assert np.all(np.diff(np.log10(errors)) < -1.0)
