"""NetCDF writing: atomicity, provenance, labels, checksums, complex round trip."""

import hashlib
import json
import os

import numpy as np
import pytest
import xarray as xr

from nonrecip.checksums import mismatches, sidecar
from nonrecip.io import PROVENANCE_KEYS, MissingLabelError, read_dataset, write_dataset


def _ds():
    return xr.Dataset(
        {"z": (("x",), np.array([1 + 2j, 3 - 1j]), {"units": "1", "long_name": "complex"})},
        coords={"x": ("x", [0.5, 1.5], {"units": "nm", "long_name": "position"})},
        attrs={"method": "test", "method_options": "{}"},
    )


def test_roundtrip_complex_and_provenance(tmp_path):
    ds = _ds().assign_attrs(method_options=json.dumps({"rtol": 1e-8}))
    path = write_dataset(ds, tmp_path / "a.nc", params={"k0": 0.3, "N": [5, 7]})
    ds = read_dataset(path)
    assert np.array_equal(ds["z"].values, _ds()["z"].values)
    for key in PROVENANCE_KEYS:
        assert key in ds.attrs, key
    assert json.loads(ds.attrs["params"]) == {"N": [5, 7], "k0": 0.3}
    assert json.loads(ds.attrs["method_options"]) == {"rtol": 1e-8}
    assert ds.attrs["method"] == "test"
    assert "qutip" in json.loads(ds.attrs["library_versions"])
    assert len(ds.attrs["git_commit"]) in (7, 40) or ds.attrs["git_commit"] == "unknown"


def test_missing_labels_are_refused(tmp_path):
    ds = _ds()
    del ds["x"].attrs["units"]
    with pytest.raises(MissingLabelError, match="x \\(units\\)"):
        write_dataset(ds, tmp_path / "b.nc")
    assert not list(tmp_path.iterdir())


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "c.nc"
    write_dataset(_ds(), target)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
    with pytest.raises(OSError):
        write_dataset(_ds(), target)
    assert target.read_bytes() == before  # old file intact
    assert sorted(os.listdir(tmp_path)) == [".c.nc.sha256", "c.nc"]  # no temp file left behind
    assert mismatches(tmp_path) == []  # the checksum still describes the old, intact file


def test_checksum_detects_a_changed_file(tmp_path):
    path = write_dataset(_ds(), tmp_path / "e.nc")
    assert sidecar(path).read_text().strip() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert mismatches(tmp_path) == []
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert mismatches(tmp_path) == [str(path)]


def test_dataset_without_method_is_refused(tmp_path):
    """Provenance comes from the computation: a dataset that does not name its method is not written."""
    ds = _ds()
    del ds.attrs["method"]
    with pytest.raises(MissingLabelError, match="method"):
        write_dataset(ds, tmp_path / "d.nc")
