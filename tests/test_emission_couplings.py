"""Coupling matrices of paper E: closed form vs the tables of docs/theory/emission.md#closed-vs-full, hermiticity, PSD, scales."""

import numpy as np
import pytest

from nonrecip.emission import UnphysicalCouplingError, coupling_matrices
from nonrecip.emission import burst_threshold_k0
from nonrecip.emission.physics import YIG

# docs/theory/emission.md#closed-vs-full, closed-form rows: element (beta + n, beta), i.e. x = +n a_q (gamma ; J)
TABLE = {
    0.0: {1: (0.999, -1.82), 2: (0.996, -1.37), 4: (0.983, -0.91), 8: (0.935, -0.42)},
    0.003: {1: (0.995 + 0.086j, -1.31 - 7.10j), 2: (0.981 + 0.171j, -0.85 - 3.69j),
            4: (0.926 + 0.334j, -0.36 - 2.01j), 8: (0.718 + 0.603j, 0.18 - 1.06j)},
    0.05: {1: (0.277 + 0.874j, 0.659 - 0.670j), 2: (-0.613 + 0.357j, 0.259 + 0.471j),
           4: (0.386 - 0.132j, -0.172 - 0.435j), 8: (0.300 + 0.014j, -0.002 - 0.317j)},
    0.3: {1: (-0.365 + 0.077j, 0.054 + 0.338j), 2: (0.230 + 0.098j, 0.089 - 0.239j),
          4: (0.007 + 0.180j, 0.177 - 0.010j), 8: (-0.099 - 0.079j, -0.080 + 0.097j)},
}


@pytest.mark.parametrize("k0", sorted(TABLE))
def test_closed_form_matches_spec_table(k0):
    ds = coupling_matrices(9, k0=k0)
    for n, (g_ref, j_ref) in TABLE[k0].items():
        g = complex(ds["gamma"].values[n, 0])
        J = complex(ds["J"].values[n, 0])
        # the table prints 3 significant digits (2 decimals for |J| > 1)
        assert abs(g - g_ref) < 1.5e-3, (k0, n, g, g_ref)
        assert abs(J - j_ref) < 6e-3, (k0, n, J, j_ref)


def test_scales_match_spec():
    assert YIG.kappa_sq == pytest.approx(1.496e-5, rel=1e-3)
    for k0, lam1, c in ((0.0, 310.2, 0.0), (0.003, 245.1, 0.891), (0.05, 23.93, 0.99999), (0.3, 4.000, 1.0)):
        s = YIG.scales(k0)
        assert s.lambda1_nm == pytest.approx(lam1, abs=0.06)
        assert s.nonreciprocity == pytest.approx(c, abs=1e-3)


@pytest.mark.parametrize("n_sites", range(2, 13))
def test_hermitian_and_psd_across_default_grid(n_sites):
    k0_grid = [0.0, 1e-4, 5e-4, 1e-3, 3e-3, 1e-2, 0.05, 0.1, 0.2, 0.3, 0.5]
    for spacing in (5.0, 20.0, 50.0):
        for k0 in k0_grid:
            ds = coupling_matrices(n_sites, k0=k0, spacing_nm=spacing)
            J, g = ds["J"].values, ds["gamma"].values
            assert np.abs(J - J.conj().T).max() < 1e-13
            assert np.abs(g - g.conj().T).max() < 1e-13
            assert np.allclose(np.diag(g), 1.0)
            assert np.linalg.eigvalsh(g).min() > -1e-12


def test_k0_zero_is_real_and_mirror_symmetric():
    ds = coupling_matrices(6, k0=0.0)
    assert np.abs(ds["gamma"].imag).max() == 0 and np.abs(ds["J"].imag).max() == 0
    J = ds["J"].values
    assert np.allclose(J, J[::-1, ::-1])


def test_negative_k0_conjugates():
    a = coupling_matrices(5, k0=0.01)
    b = coupling_matrices(5, k0=-0.01)
    assert np.allclose(b["gamma"].values, a["gamma"].values.conj(), atol=1e-14)
    assert np.allclose(b["J"].values, a["J"].values.conj(), atol=1e-14)


def test_f_J_scales_coherent_part_only():
    a = coupling_matrices(4, k0=0.003)
    b = coupling_matrices(4, k0=0.003, f_J=0.5)
    assert np.allclose(b["J"].values, 0.5 * a["J"].values)
    assert np.allclose(b["gamma"].values, a["gamma"].values)


def test_burst_threshold_matches_spec():
    # docs/theory/emission.md#k0-scales: closed form, N = 9, a_q = 20 nm: k0,c = 0.144; 0.288 at a_q = 10 nm
    assert burst_threshold_k0(9) == pytest.approx(0.144, abs=1e-3)
    assert burst_threshold_k0(9, spacing_nm=10.0) == pytest.approx(0.288, abs=2e-3)


def test_initial_slope_criterion_value():
    # docs/theory/emission.md#initial-slope: dR_tot/dt(0) = 14.80 at N = 5, k0 = 0.003
    ds = coupling_matrices(5, k0=0.003)
    assert 5 * (ds.attrs["burst_criterion"] + 1) - 5 == pytest.approx(14.80, abs=0.01)


def test_unphysical_gamma_is_rejected_with_parameters():
    # gamma at k0 = 0 is nearly rank deficient (lambda1 >> N a_q); a demanding tolerance flags it
    with pytest.raises(UnphysicalCouplingError, match=r"N=9, k0=0.0, spacing_nm=20.0"):
        coupling_matrices(9, k0=0.0, psd_tolerance=-1e-3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(N=0, k0=0.1), "N"),
    (dict(N=3, k0=0.1, spacing_nm=-1), "spacing_nm"),
    (dict(N=3, k0=0.1, model="nope"), "model"),
    (dict(N=3, k0=0.1, distance_nm=5.0), "distance_nm"),
    (dict(N=3, k0=0.1, film={"field_gauss": 400.0}), "film"),
    (dict(N=3, k0=float("nan")), "k0"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        coupling_matrices(**kwargs)


@pytest.mark.parametrize("overrides, match", [({"field_gauss": 500.0}, "field_gauss"),
                                              ({"flux_capacitor": 1.0}, "flux_capacitor")])
def test_bad_film_parameters_name_the_field(overrides, match):
    with pytest.raises((ValueError, TypeError), match=match):
        YIG.with_overrides(**overrides)


def test_integral_model_tends_to_closed_form_for_gamma():
    # docs/theory/emission.md#coupling-integral-evaluation, docs/theory/emission.md#closed-vs-full: gamma is insensitive to d for k0 <~ 0.05 and exact at k0 = 0
    for k0 in (0.0, 0.003, 0.05):
        closed = coupling_matrices(6, k0=k0)["gamma"].values
        full = coupling_matrices(6, k0=k0, model="integral", distance_nm=0.01)["gamma"].values
        assert np.abs(full - closed).max() < 2e-3, k0
    full = coupling_matrices(6, k0=0.0, model="integral", distance_nm=5.0)
    assert np.abs(full["gamma"].values - coupling_matrices(6, k0=0.0)["gamma"].values).max() < 1e-12


def test_integral_model_near_field_and_table_value():
    # docs/theory/emission.md#closed-vs-full (corrected rounding, helper-verified): k0 = 0, d = 1 nm, n = 1: J = -16.955
    ds = coupling_matrices(3, k0=0.0, model="integral", distance_nm=1.0)
    assert complex(ds["J"].values[1, 0]).real == pytest.approx(-16.955, abs=2e-3)
    no_nf = coupling_matrices(3, k0=0.0, model="integral", distance_nm=1.0, include_near_field=False)
    # the near-field term alone is about -15.2 gamma0 here (docs/theory/emission.md#near-field)
    assert (ds["J"].values[1, 0] - no_nf["J"].values[1, 0]).real == pytest.approx(-15.19, abs=0.01)
    assert ds.attrs["quadrature_angular_nodes"] > 0
