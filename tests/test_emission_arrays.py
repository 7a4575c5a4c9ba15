"""Geometries, the matrix bath, arrays in the plane and disorder ensembles (docs/theory/baths.md)."""

import numpy as np
import pytest
import xarray as xr

from nonrecip.emission import array_emission, emission_dynamics, ensemble_emission, ensemble_statistics
from nonrecip.emission.baths import ChiralMagnet, ChiralWaveguide, MatrixBath
from nonrecip.emission.geometry import chain, jitter, lattice, positions, ring
from nonrecip.emission.initial import single_excitation
from nonrecip.io import write_dataset

TIMES = np.linspace(0.0, 5.0, 26)


def test_geometries_place_the_sites_as_documented():
    assert np.allclose(chain(3, 20.0), [[0, 0], [20, 0], [40, 0]])
    assert np.allclose(lattice(3, 2, 10.0, 5.0), [[0, 0], [10, 0], [20, 0], [0, 5], [10, 5], [20, 5]])
    r = ring(6, spacing_nm=10.0)
    assert np.allclose(np.linalg.norm(r[1] - r[0]), 10.0) and np.allclose(np.linalg.norm(r, axis=1), 10.0)
    assert np.allclose(ring(4, 5.0)[1], [0.0, 5.0])
    with pytest.raises(ValueError, match="sites 1 and 3"):
        positions([[0, 0], [1, 0], [0, 0]])
    with pytest.raises(ValueError, match="exactly one"):
        ring(4, 5.0, spacing_nm=3.0)
    base = lattice(2, 2, 20.0)
    assert np.array_equal(jitter(base, 0.0, 7), base)
    assert np.array_equal(jitter(base, 1.5, 7), jitter(base, 1.5, 7))
    assert not np.array_equal(jitter(base, 1.5, 7), jitter(base, 1.5, 8))


def test_a_180_degree_rotation_is_the_reversed_dmi_axis():
    """Rotating the array by 180° about z is rotating the film by 180°: the DMI axis reverses, k0 → −k0
    (docs/theory/baths.md#chiral-magnet-symmetries). Checked on an L-shaped array, which the
    rotation does not map onto itself, through the whole dynamics; and on a chain, where the
    reversed axis mirrors the emission pattern: δ_x(−k0) = −δ_x(k0)."""
    shape = np.array([[0.0, 0.0], [20.0, 0.0], [40.0, 0.0], [0.0, 20.0], [0.0, 40.0]])
    for k0 in (0.003, 0.3):
        rotated = array_emission(ChiralMagnet(k0=k0), -shape, TIMES)
        reversed_axis = array_emission(ChiralMagnet(k0=-k0), shape, TIMES)
        turned_film = array_emission(ChiralMagnet(k0=k0, dmi_angle=np.pi), shape, TIMES)
        assert np.abs(rotated.rate - reversed_axis.rate).max() < 1e-10
        assert np.abs(turned_film.rate - reversed_axis.rate).max() < 1e-10
        original = array_emission(ChiralMagnet(k0=k0), shape, TIMES)
        assert np.abs(original.rate - rotated.rate).max() > 1e-2  # a different array: the test can fail
    a = array_emission(ChiralMagnet(k0=0.03), chain(5, 20.0), TIMES)
    b = array_emission(ChiralMagnet(k0=-0.03), chain(5, 20.0), TIMES)
    assert np.abs(a.delta_x + b.delta_x).max() < 1e-10 and np.abs(a.delta_x).max() > 0.1
    assert np.abs(a.rate.values - b.rate.values[::-1]).max() < 1e-10


def test_chain_along_x_gives_delta_x_equal_to_delta_1N_and_no_delta_y():
    ds = array_emission(ChiralMagnet(k0=0.003), chain(5, 20.0), TIMES)
    assert np.array_equal(ds.delta_x.values, ds.delta.values)
    assert np.all(ds.delta_y.values == 0)


def test_disorder_sigma_zero_reproduces_the_clean_array_exactly():
    bath, pos = ChiralMagnet(k0=0.003), chain(4, 20.0)
    clean = array_emission(bath, pos, TIMES)
    ens = ensemble_emission(bath, pos, TIMES, sigma_nm=0.0, n_realizations=3, seed=5)
    for r in range(3):
        assert np.array_equal(ens.rate.isel(realization=r).values, clean.rate.values)


def test_disorder_realisations_are_reproducible_and_independent_of_their_number():
    bath, pos = ChiralMagnet(k0=0.03), chain(4, 20.0)
    a = ensemble_emission(bath, pos, TIMES, sigma_nm=2.0, n_realizations=2, seed=11)
    b = ensemble_emission(bath, pos, TIMES, sigma_nm=2.0, n_realizations=3, seed=11)
    assert np.array_equal(a.x.values, b.x.isel(realization=slice(0, 2)).values)
    assert not np.array_equal(a.x.isel(realization=0).values, a.x.isel(realization=1).values)
    # edges from the clean chain: delta_x is still R_1 - R_4
    assert np.allclose(a.delta_x.values, (a.rate.sel(site=1) - a.rate.sel(site=4)).values, atol=1e-14)


def test_ensemble_interval_covers_a_planted_mean_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    trials, n, mean = 4000, 8, 3.0
    samples = xr.DataArray(rng.normal(mean, 2.0, size=(trials, n)), dims=("trial", "realization"))
    stats = ensemble_statistics(samples)
    covered = float(((stats.ci_low <= mean) & (mean <= stats.ci_high)).mean())
    assert abs(covered - 0.95) < 3 * np.sqrt(0.95 * 0.05 / trials)  # binomial 3-sigma
    one = ensemble_statistics(samples.isel(realization=slice(0, 1)))
    assert np.all(np.isnan(one.ci_low))


def test_matrix_bath_round_trips_netcdf_and_npz(tmp_path):
    wg = ChiralWaveguide(gamma_right=1.0, gamma_left=0.3, k_per_nm=0.05, gamma_loss=0.1)
    J, gamma = wg.couplings(chain(4, 15.0))
    ds = xr.Dataset({"J": (("site", "site_"), J, {"units": "1", "long_name": "J"}),
                     "gamma": (("site", "site_"), gamma, {"units": "1", "long_name": "gamma"})},
                    coords={"site": ("site", np.arange(1, 5), {"units": "1", "long_name": "site"}),
                            "site_": ("site_", np.arange(1, 5), {"units": "1", "long_name": "site"})},
                    attrs={"method": "user", "method_options": "{}"})
    write_dataset(ds, tmp_path / "bath.nc")
    np.savez(tmp_path / "bath.npz", J=J, gamma=gamma)
    for path in (tmp_path / "bath.nc", tmp_path / "bath.npz"):
        bath = MatrixBath.from_file(path)
        J2, g2 = bath.couplings(chain(4, 15.0))
        assert np.abs(J2 - J).max() < 1e-15 and np.abs(g2 - gamma).max() < 1e-15
        a = array_emission(bath, chain(4, 15.0), TIMES, initial=single_excitation(4, 2))
        b = array_emission(wg, chain(4, 15.0), TIMES, initial=single_excitation(4, 2))
        assert np.array_equal(a.rate.values, b.rate.values)


def test_matrix_bath_rejects_bad_matrices_naming_file_and_entry(tmp_path):
    good = np.eye(3, dtype=complex)
    bad = np.diag([1.0, -0.5, 1.0]).astype(complex)
    np.savez(tmp_path / "neg.npz", J=np.zeros((3, 3)), gamma=bad)
    with pytest.raises(ValueError, match=r"neg\.npz: gamma is not positive semidefinite.*site 2"):
        MatrixBath.from_file(tmp_path / "neg.npz")
    J = np.zeros((3, 3), dtype=complex)
    J[0, 2] = 1.0
    with pytest.raises(ValueError, match=r"J is not Hermitian: J\[1, 3\]"):
        MatrixBath(J, good)
    with pytest.raises(ValueError, match=r"gamma\[2, 2\] is not finite"):
        MatrixBath(np.zeros((3, 3)), np.diag([1.0, np.nan, 1.0]))
    np.savez(tmp_path / "missing.npz", J=np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"missing\.npz.*gamma"):
        MatrixBath.from_file(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="nowhere.nc"):
        MatrixBath.from_file(tmp_path / "nowhere.nc")


def test_array_emission_is_emission_dynamics_plus_positions():
    bath, pos = ChiralMagnet(k0=0.03), lattice(2, 2, 20.0)
    J, gamma = bath.couplings(pos)
    a = array_emission(bath, pos, TIMES)
    b = emission_dynamics(J, gamma, TIMES)
    assert np.array_equal(a.rate.values, b.rate.values)
    assert np.array_equal(a.x.values, pos[:, 0]) and a.attrs["bath_bath"] == "chiral_magnet"
    with pytest.raises(TypeError, match="couplings"):
        array_emission(object(), pos, TIMES)
