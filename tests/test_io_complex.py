"""Complex variables on disk: real/imaginary pairs any reader opens, bit-exact round trip, old files."""

import json

import numpy as np
import pytest
import xarray as xr

from nonrecip.io import join_complex, read_dataset, split_complex, write_dataset

SPECIAL = np.array([1 + 2j, complex(np.nan, 1.0), complex(2.0, np.nan), complex(np.inf, -np.inf),
                    complex(-0.0, 0.0), complex(5e-324, -1.7976931348623157e308)])
SPECIAL32 = np.array([1 + 2j, complex(np.nan, 1.0), complex(2.0, np.nan), complex(np.inf, -np.inf),
                      complex(-0.0, 0.0), complex(1e-45, -3e38)], dtype=np.complex64)


def _labels(long_name, units="1"):
    return {"units": units, "long_name": long_name}


def _ds():
    rng = np.random.default_rng(3)
    grid = rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))
    grid[0, 0] = complex(np.nan, np.nan)
    return xr.Dataset(
        {
            "scalar": ((), np.complex128(complex(-1.5, np.inf)), _labels("0-d complex")),
            "z": (("x",), SPECIAL, _labels("special values", "Gamma")),
            "grid": (("y", "x2"), grid, _labels("2-d complex")),
            "small": (("x",), SPECIAL32, _labels("single precision")),
            "r": (("x",), np.arange(6.0), _labels("real")),
            "flag": (("x",), np.array([True, False] * 3), _labels("bool")),
        },
        coords={
            "x": ("x", np.arange(6) * 0.5, _labels("position", "nm")),
            "y": ("y", [1, 2, 3], _labels("row")),
            "x2": ("x2", list("abcd"), _labels("column")),
            "zc": ("y", np.array([1j, -1 + 0.5j, np.nan]), _labels("complex coordinate")),
        },
        attrs={"method": "test", "method_options": json.dumps({"rtol": 1e-8})},
    )


def _bits(a):
    a = np.asarray(a)
    return np.ascontiguousarray(a).reshape(-1).view(np.uint8) if a.dtype.kind in "fc" else a


def _assert_bit_exact(a: xr.Dataset, b: xr.Dataset):
    assert list(a.variables) == list(b.variables)
    assert list(a.data_vars) == list(b.data_vars) and set(a.coords) == set(b.coords)
    for name, var in a.variables.items():
        other = b.variables[name]
        assert other.dtype == var.dtype, name
        assert other.dims == var.dims, name
        assert np.array_equal(_bits(other.values), _bits(var.values)), name
        assert other.attrs == var.attrs, name


def test_read_dataset_gives_back_the_original_bit_for_bit(tmp_path):
    ds = _ds()
    path = write_dataset(ds, tmp_path / "a.nc", params={"k": 1})
    back = read_dataset(path)
    expected = ds.assign(flag=ds.flag.astype("i1"))  # netCDF has no bool
    for key in ("method", "method_options"):
        assert back.attrs[key] == ds.attrs[key]
    _assert_bit_exact(expected, back)
    assert back.indexes["x"].equals(ds.indexes["x"])


def test_split_then_join_is_the_identity_in_memory():
    ds = _ds()
    split = split_complex(ds)
    assert not any(v.dtype.kind == "c" for v in split.variables.values())
    _assert_bit_exact(ds, join_complex(split))
    assert split_complex(split) is split  # nothing complex left: unchanged


def test_name_collision_is_refused(tmp_path):
    ds = _ds().assign(z_real=(("x",), np.zeros(6), _labels("clash")))
    with pytest.raises(ValueError, match="z_real"):
        write_dataset(ds, tmp_path / "c.nc")
    assert not list(tmp_path.glob("*.nc"))


def _check_plain(opened: xr.Dataset, ds: xr.Dataset):
    for name in ("scalar", "z", "grid", "small", "zc"):
        assert name not in opened.variables
        re, im = opened[f"{name}_real"], opened[f"{name}_imag"]
        assert re.dtype.kind == "f" and im.dtype.kind == "f"
        assert re.dtype == ds[name].real.dtype
        assert re.attrs["complex_variable"] == name and re.attrs["complex_part"] == "real"
        assert im.attrs["complex_part"] == "imag"
        assert re.attrs["long_name"] == ds[name].attrs["long_name"] + " (real part)"
        assert im.attrs["long_name"] == ds[name].attrs["long_name"] + " (imaginary part)"
        assert re.attrs["units"] == ds[name].attrs["units"]
        z = re.values.astype(np.result_type(re.dtype, np.complex64))  # re + 1j * im turns inf parts into NaN
        z.imag = im.values
        assert np.array_equal(z, ds[name].values, equal_nan=True), name
        assert np.array_equal(_bits(re.values), _bits(ds[name].values.real))
        assert np.array_equal(_bits(im.values), _bits(ds[name].values.imag))
    mag = np.abs(opened.z_real + 1j * opened.z_imag)  # the operation that failed on compound data
    assert mag.dtype == float


def test_plain_xarray_netcdf4_opens_real_parts(tmp_path):
    ds = _ds()
    path = write_dataset(ds, tmp_path / "p.nc")
    with xr.open_dataset(path) as opened:
        _check_plain(opened, ds)
    with xr.open_dataset(path, engine="netcdf4") as opened:
        _check_plain(opened, ds)


def test_plain_xarray_h5netcdf_opens_real_parts(tmp_path):
    ds = _ds()
    path = write_dataset(ds, tmp_path / "h.nc")
    with xr.open_dataset(path, engine="h5netcdf") as opened:
        _check_plain(opened, ds)


def test_netcdf4_library_sees_plain_doubles(tmp_path):
    netCDF4 = pytest.importorskip("netCDF4")
    ds = _ds()
    path = write_dataset(ds, tmp_path / "n.nc")
    with netCDF4.Dataset(path) as nc:
        assert not nc.cmptypes
        var = nc["z_real"]
        assert var.dtype == np.float64 and var.complex_variable == "z"
        assert np.array_equal(var[:].data, ds.z.values.real, equal_nan=True)


def test_old_compound_files_still_read(tmp_path):
    ds = _ds().drop_vars("small")  # xarray misreads compound complex64; the pipeline wrote complex128 only
    path = tmp_path / "old.nc"
    old = ds.assign(flag=ds.flag.astype("i1"))
    old.to_netcdf(path, engine="netcdf4", auto_complex=True)  # the storage of earlier versions
    with xr.open_dataset(path) as plain:
        assert plain.z.dtype.names == ("r", "i")  # what a plain reader got
    back = read_dataset(path)
    for name in ("scalar", "z", "grid"):
        assert back[name].dtype == np.complex128
        assert np.array_equal(back[name].values, ds[name].values, equal_nan=True), name
    assert back.z.attrs == ds.z.attrs
    again = read_dataset(write_dataset(back, tmp_path / "new.nc"))  # rewritten in the new storage
    with xr.open_dataset(tmp_path / "new.nc") as plain:
        assert "z" not in plain.variables and plain.z_real.dtype == np.float64
    for name in ("scalar", "z", "grid"):
        assert np.array_equal(_bits(again[name].values), _bits(back[name].values)), name


def test_compression_of_a_complex_variable_carries_over(tmp_path):
    netCDF4 = pytest.importorskip("netCDF4")
    ds = _ds()
    ds.grid.encoding.update(zlib=True, complevel=4)
    path = write_dataset(ds, tmp_path / "z.nc")
    with netCDF4.Dataset(path) as nc:
        assert nc["grid_real"].filters()["zlib"] and nc["grid_imag"].filters()["complevel"] == 4
    back = read_dataset(path)
    path = write_dataset(back, tmp_path / "z2.nc")  # a dataset read back keeps its compression
    with netCDF4.Dataset(path) as nc:
        assert nc["grid_imag"].filters()["zlib"]


# Observables that are real by physics are stored real (docs/theory/sync.md#finite-n).

REAL_OBS = ("sz_A", "sz_B", "corr_AA", "corr_BB")


def _tiny_steady_cases():
    """The (N, kappa, J, method) solves of the tiny config's observables_N and observables_kappa."""
    from nonrecip.pipeline.sweeps.sync_finite import LARGE_N

    cases = []
    for kappa, J in ((0.5, 0.2), (-0.5, 0.2), (0.0, 0.5)):
        for N in (2, 4, 100, LARGE_N):
            cases += [(N, kappa, J, m) for m in ("exact", "cumulant2", "cumulant4") if m != "exact" or N <= 4]
    cases += [(3, kappa, 0.5, m) for kappa in (-1.0, 0.0, 1.0) for m in ("exact", "cumulant4")]
    return cases


def test_dropped_imaginary_parts_are_round_off():
    """The real observables come out of every method with an imaginary part at round-off (here: 0)."""
    from nonrecip.methods import resolve_method
    from nonrecip.sync.model import SyncParams
    from nonrecip.sync.steady import STEADY_METHODS

    worst = 0.0
    for N, kappa, J, method in _tiny_steady_cases():
        options, run = resolve_method(STEADY_METHODS, method, None)
        values, _, _ = run(N, N, SyncParams(kappa=kappa, J=J, Gamma=1.0, w=0.5).microscopic(N), options)
        for name in REAL_OBS:
            v = complex(values[name])
            assert np.isfinite(v), (N, kappa, J, method, name)
            worst = max(worst, abs(v.imag) / max(abs(v), np.finfo(float).tiny))
    assert worst < 1e-10


def test_finite_N_observables_are_stored_real(tmp_path):
    from nonrecip.pipeline.sweeps.sync_finite import COMPLEX_OBS, OBS, observables_vs_kappa

    ds = observables_vs_kappa(3, 0.5, [-1.0, 0.0, 1.0])
    for name in OBS:
        assert (ds[name].dtype.kind == "c") == (name in COMPLEX_OBS), name
    assert set(REAL_OBS) == set(OBS) - set(COMPLEX_OBS)
    path = write_dataset(ds, tmp_path / "obs.nc")
    with xr.open_dataset(path) as plain:
        for name in REAL_OBS:
            assert plain[name].dtype == np.float64
            assert np.array_equal(plain[name].values, ds[name].values, equal_nan=True)
        assert {"corr_AB_real", "corr_AB_imag", "c4_real", "c4_imag"} <= set(plain.data_vars)
    _assert_bit_exact(ds, read_dataset(path))
