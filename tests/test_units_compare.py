"""compare_trees finds planted differences and only those (NaN == NaN, equal infinities, timing skipped)."""

import numpy as np
import xarray as xr

from nonrecip.pipeline.compare import compare_trees


def _write(folder, values, timing):
    folder.mkdir(parents=True, exist_ok=True)
    xr.Dataset({"x": ("i", values), "cpu": ((), timing, {"role": "timing"})}).to_netcdf(folder / "a.nc")


def test_identical_trees_differ_nowhere(tmp_path):
    _write(tmp_path / "a", [1.0, np.nan, np.inf], 1.0)
    _write(tmp_path / "b", [1.0, np.nan, np.inf], 2.0)  # only the timing differs
    problems, rows = compare_trees(tmp_path / "a", tmp_path / "b")
    assert problems == [] and max(d for d, _ in rows) == 0.0


def test_a_planted_difference_and_a_missing_file_are_found(tmp_path):
    _write(tmp_path / "a", [1.0, 2.0, 3.0], 1.0)
    _write(tmp_path / "b", [1.0, 2.0 * (1 + 1e-9), 3.0], 1.0)
    (tmp_path / "b" / "extra").mkdir()
    xr.Dataset({"y": ("i", [0.0])}).to_netcdf(tmp_path / "b" / "extra" / "e.nc")
    problems, rows = compare_trees(tmp_path / "a", tmp_path / "b")
    diff = dict((name, d) for d, name in rows)
    assert abs(diff["a.nc:x"] - 1e-9) < 1e-12
    assert any("extra/e.nc" in p for p in problems)
