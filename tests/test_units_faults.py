"""Faulty intermediates are detected: a swapped, duplicated or missing chunk, a corrupted file."""

import os

import numpy as np
import pytest
import xarray as xr

from nonrecip.io import read_dataset, write_dataset
from nonrecip.pipeline.grids import GRID_DIMS, chunk_points, grid_points
from nonrecip.pipeline.sweeps.emission import check_chunk_coverage

SWEEP = {"N": [2, 3], "k0": [0.0, 0.1, 0.3], "spacing_nm": [20.0], "distance_nm": [0.0]}
OTHER = {"N": [2, 3], "k0": [0.003, 0.1, 0.3], "spacing_nm": [20.0], "distance_nm": [0.0]}


def _chunks(sweep, size=4):
    """Minimal chunk datasets: the grid coordinates of their points, as the dynamics chunks hold them."""
    out = []
    for pts in chunk_points(grid_points(sweep), size):
        out.append(xr.Dataset(coords={"point": np.arange(len(pts)),
                                      **{d: ("point", [p[d] for p in pts]) for d in GRID_DIMS}}))
    return out


def test_the_right_chunks_pass():
    check_chunk_coverage(_chunks(SWEEP), SWEEP, ["c0.nc", "c1.nc"])


def test_a_chunk_of_another_sweep_is_refused_naming_the_file():
    chunks = _chunks(SWEEP)
    chunks[0] = _chunks(OTHER)[0]  # a valid chunk, but of another grid
    with pytest.raises(ValueError, match=r"c0\.nc: holds the grid points"):
        check_chunk_coverage(chunks, SWEEP, ["c0.nc", "c1.nc"])


def test_swapped_chunks_are_refused():
    chunks = _chunks(SWEEP, size=3)
    with pytest.raises(ValueError, match=r"c0\.nc"):
        check_chunk_coverage(chunks[::-1], SWEEP, ["c0.nc", "c1.nc"])


def test_a_repeated_or_missing_point_is_refused():
    chunks = _chunks(SWEEP, size=3)
    with pytest.raises(ValueError, match="c1.nc"):
        check_chunk_coverage([chunks[0], chunks[0]], SWEEP, ["c0.nc", "c1.nc"])
    with pytest.raises(ValueError, match="miss"):
        check_chunk_coverage([chunks[0]], SWEEP, ["c0.nc"])


def test_a_corrupted_file_is_reported_by_name(tmp_path):
    path = tmp_path / "dynamics_0.nc"
    ds = xr.Dataset({"x": ("t", [1.0, 2.0], {"units": "1", "long_name": "x"})},
                    coords={"t": ("t", [0.0, 1.0], {"units": "1", "long_name": "t"})},
                    attrs={"method": "test", "method_options": "{}"})
    write_dataset(ds, path)
    stat = os.stat(path)
    path.write_bytes(np.random.default_rng(0).bytes(stat.st_size))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime kept
    with pytest.raises(OSError, match="dynamics_0.nc: not a readable NetCDF dataset"):
        read_dataset(path)
