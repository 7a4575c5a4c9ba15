"""``emission_dynamics(method="cumulant2" | "cumulant3")`` against the exact block solver.

The solvers themselves are tested in tests/test_emission_cumulants.py; here the public methods
are run on the closed-form film couplings of the error map (docs/theory/large_arrays.md#error-map).
"""

import numpy as np
import pytest

from nonrecip.emission import CumulantOptions, coupling_matrices, emission_dynamics

T = np.linspace(0.0, 10.0, 201)


def _film(n, k0, a_q=20.0):
    c = coupling_matrices(n, k0=k0, spacing_nm=a_q)
    return c["J"].values, c["gamma"].values


@pytest.mark.parametrize("N, k0, a_q, method, delta_error, rate_total_error", [
    (4, 0.03, 20.0, "cumulant2", 0.0796, 0.0162),
    (4, 0.03, 20.0, "cumulant3", 0.0249, 0.0034),
    (5, 0.3, 20.0, "cumulant2", 0.0683, 0.00219),
    (5, 0.3, 20.0, "cumulant3", 0.0055, 0.00012),
    (6, 0.03, 20.0, "cumulant2", 0.134, 0.0356),
    (6, 0.03, 20.0, "cumulant3", 0.0735, 0.0160),
    (6, 0.003, 50.0, "cumulant2", 0.125, 0.0462),
    (6, 0.003, 50.0, "cumulant3", 0.0955, 0.0209),
])
def test_closure_error_against_the_block_solver(N, k0, a_q, method, delta_error, rate_total_error):
    """max_t |Δδ_1N| / max_t |δ_1N| and max_t |ΔR_tot| / max_t R_tot as measured for the error map, to 10 %."""
    J, gamma = _film(N, k0, a_q)
    exact = emission_dynamics(J, gamma, T)
    approx = emission_dynamics(J, gamma, T, method=method)
    d_err = float(np.abs(approx.delta - exact.delta).max() / np.abs(exact.delta).max())
    r_err = float(np.abs(approx.rate_total - exact.rate_total).max() / exact.rate_total.max())
    assert d_err == pytest.approx(delta_error, rel=0.1)
    assert r_err == pytest.approx(rate_total_error, rel=0.1)


@pytest.mark.parametrize("method", ["cumulant2", "cumulant3"])
def test_dataset_layout_matches_the_exact_methods(method):
    J, gamma = _film(4, 0.03)
    a = emission_dynamics(J, gamma, T[:21], method=method, options=CumulantOptions(rtol=1e-9, ode_method="RK45"))
    b = emission_dynamics(J, gamma, T[:21])
    assert set(a.data_vars) == set(b.data_vars) and a["rate"].dims == b["rate"].dims
    assert a.attrs["method"] == method and '"rtol": 1e-09' in a.attrs["method_options"]
    assert '"ode_method": "RK45"' in a.attrs["method_options"] and a.attrs["n_rhs"] > 0
    np.testing.assert_allclose(a.population.isel(time=0), 1.0)


def test_a_bad_integrator_name_is_refused_with_its_key():
    with pytest.raises(ValueError, match="ode_method"):
        CumulantOptions(ode_method="BDF")
