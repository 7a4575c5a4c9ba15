"""Paper-E sweep helpers: grid axes and points, chunking, time grid, chunk -> aggregate bookkeeping.

References are independent of the helpers under test: axis values are written out by hand
(``np.logspace`` of the spec formula only for the log-grid nodes), grid points are enumerated
with explicit nested loops, and the aggregated values at every grid point are compared with a
direct call of the physics (:func:`nonrecip.emission.coupling_matrices` +
:func:`nonrecip.emission.emission_dynamics`) at that point.
"""

import math
import random

import numpy as np
import pytest

from nonrecip.emission import coupling_matrices, emission_dynamics
from nonrecip.emission.dynamics import QutipOptions
from nonrecip.pipeline.grids import chunk_points, grid_axes, grid_points, time_grid
from nonrecip.pipeline.sweeps.emission import aggregate_chunks, couplings_chunk, dynamics_chunk

DIMS = ("N", "k0", "spacing_nm", "distance_nm")

LOG_SWEEP = {
    "N": [5, 3, 3, 2],  # unsorted with a duplicate: the axis is sorted and de-duplicated
    # 10^-3 ... 10^-1 at 2 per decade (5 nodes) + 0 + two extra values (one of them already a node)
    "k0": {"log_min": -3, "log_max": -1, "points_per_decade": 2, "include_zero": True,
           "include": [0.003, 0.01]},
    "spacing_nm": [20.0, 10.0],
    "distance_nm": [0.0],
    "t_max": 2.5,
    "n_times": 11,
}
LOG_K0 = [0.0, 1e-3, 0.003, 10 ** -2.5, 1e-2, 10 ** -1.5, 1e-1]


def test_grid_axes_lists_and_log_grids():
    axes = grid_axes(LOG_SWEEP)
    assert list(axes) == list(DIMS)
    assert axes["N"] == [2, 3, 5] and all(isinstance(n, int) for n in axes["N"])
    assert axes["spacing_nm"] == [10.0, 20.0]
    assert axes["distance_nm"] == [0.0]
    np.testing.assert_allclose(axes["k0"], LOG_K0, rtol=1e-14, atol=0)
    # 12 points per decade over [-4, -2]: 25 nodes, ratio 10^(1/12) between neighbours
    k0 = grid_axes({**LOG_SWEEP, "k0": {"log_min": -4, "log_max": -2, "points_per_decade": 12}})["k0"]
    assert len(k0) == 25
    np.testing.assert_allclose(np.diff(np.log10(k0)), 1 / 12, rtol=1e-12)
    assert k0[0] == pytest.approx(1e-4, rel=1e-14) and k0[-1] == pytest.approx(1e-2, rel=1e-14)


def test_grid_points_enumerate_the_product_in_C_order():
    axes = {"N": [2, 3, 5], "k0": LOG_K0, "spacing_nm": [10.0, 20.0], "distance_nm": [0.0]}
    expected = [(n, k, a, d) for n in axes["N"] for k in axes["k0"]
                for a in axes["spacing_nm"] for d in axes["distance_nm"]]
    points = grid_points(LOG_SWEEP)
    assert len(points) == 3 * 7 * 2 * 1
    for p, e in zip(points, expected):
        assert tuple(p) == DIMS
        assert p["N"] == e[0]
        np.testing.assert_allclose([p["k0"], p["spacing_nm"], p["distance_nm"]], e[1:], rtol=1e-14, atol=0)


@pytest.mark.parametrize("size", [1, 2, 7, 1000])
@pytest.mark.parametrize("sweep", [
    LOG_SWEEP,
    {"N": [2, 3], "k0": [0.0, 0.01, 0.1], "spacing_nm": [20.0], "distance_nm": [0.0, 1.0]},
], ids=["log-grid", "list-grid"])
def test_chunks_cover_every_point_exactly_once(sweep, size):
    points = grid_points(sweep)
    chunks = chunk_points(points, size)
    assert len(chunks) == math.ceil(len(points) / size)
    assert all(1 <= len(c) <= size for c in chunks)
    assert all(len(c) == size for c in chunks[:-1])  # only the last chunk may be short
    flat = [tuple(p[d] for d in DIMS) for c in chunks for p in c]
    assert flat == [tuple(p[d] for d in DIMS) for p in points]  # order kept
    assert len(set(flat)) == len(points)  # no point twice (the grid has no duplicates)
    n_axes = [len(v) for v in grid_axes(sweep).values()]
    assert len(flat) == int(np.prod(n_axes))


def test_time_grid():
    t = time_grid({"t_max": 2.5, "n_times": 11})
    assert t.shape == (11,)
    np.testing.assert_allclose(t, 0.25 * np.arange(11), rtol=0, atol=1e-15)


# ---------------------------------------------------------------- chunk -> aggregate bookkeeping

COUPLING = {"model": "auto", "f_J": 1.0, "include_near_field": True}
QUTIP = {"rtol": 1e-10, "atol": 1e-12, "ode_method": "adams"}
SOLVER = {"method": "qutip", "qutip": QUTIP}
SMALL = {"N": [3, 2], "k0": [0.1, 0.003], "spacing_nm": [20.0, 30.0], "distance_nm": [0.0],
         "t_max": 3.0, "n_times": 16}


@pytest.fixture(scope="module")
def small_chunks():
    points = grid_points(SMALL)
    chunks = chunk_points(points, 3)
    # 8 points, N outermost: [2,2,2] [2,3,3] [3,3] -> N_max 2, 3, 3; the middle chunk pads its N = 2 point
    assert [[p["N"] for p in c] for c in chunks] == [[2, 2, 2], [2, 3, 3], [3, 3]]
    times = time_grid(SMALL)
    dyn = [dynamics_chunk(couplings_chunk(c, coupling=COUPLING, physics={}), times=times, solver=SOLVER)
           for c in chunks]
    assert [d.sizes["site"] for d in dyn] == [2, 3, 3]
    return points, dyn, times


@pytest.fixture(scope="module")
def direct(small_chunks):
    """Independent reference: the physics called directly at every grid point."""
    points, _, times = small_chunks
    out = {}
    for p in points:
        c = coupling_matrices(p["N"], k0=p["k0"], spacing_nm=p["spacing_nm"], distance_nm=0.0, model="closed_form")
        out[(p["N"], p["k0"], p["spacing_nm"])] = emission_dynamics(
            c["J"].values, c["gamma"].values, times, method="qutip", options=QutipOptions(**QUTIP))
    return out


def test_aggregate_dims_coords_and_labels(small_chunks):
    points, dyn, times = small_chunks
    agg = aggregate_chunks(dyn)
    assert set(agg.dims) == set(DIMS) | {"site", "time"}
    assert set(agg["rate"].dims) == set(DIMS) | {"site", "time"}
    assert set(agg["delta"].dims) == set(DIMS) | {"time"}
    assert set(agg["max_abs_delta"].dims) == set(DIMS)
    assert agg["N"].values.tolist() == [2, 3]
    np.testing.assert_array_equal(agg["k0"].values, [0.003, 0.1])
    np.testing.assert_array_equal(agg["spacing_nm"].values, [20.0, 30.0])
    np.testing.assert_array_equal(agg["distance_nm"].values, [0.0])
    np.testing.assert_array_equal(agg["site"].values, [1, 2, 3])
    np.testing.assert_allclose(agg["time"].values, times, rtol=0, atol=1e-15)
    for name in list(agg.data_vars) + list(agg.coords):
        assert agg[name].attrs.get("units") is not None and agg[name].attrs.get("long_name"), name
    # the padded third site of every N = 2 point is NaN, every N = 3 site is finite
    for var in ("rate", "population"):
        assert np.all(np.isnan(agg[var].sel(N=2, site=3).values)), var
        assert np.all(np.isfinite(agg[var].sel(N=2, site=[1, 2]).values)), var
        assert np.all(np.isfinite(agg[var].sel(N=3).values)), var


def test_aggregate_values_equal_direct_physics(small_chunks, direct):
    _, dyn, _ = small_chunks
    agg = aggregate_chunks(dyn)
    worst = 0.0
    for (n, k0, a), ref in direct.items():
        at = agg.sel(N=n, k0=k0, spacing_nm=a, distance_nm=0.0)
        got_rate = at["rate"].transpose("site", "time").values[:n]
        got_pop = at["population"].transpose("site", "time").values[:n]
        for got, want in ((got_rate, ref["rate"].values), (got_pop, ref["population"].values),
                          (at["delta"].values, ref["delta"].values),
                          (at["rate_total"].values, ref["rate_total"].values)):
            worst = max(worst, float(np.abs(got - want).max()))
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
        d = ref["delta"].values
        assert float(at["max_abs_delta"]) == pytest.approx(np.abs(d).max(), abs=1e-10)
        assert float(at["delta_max"]) == pytest.approx(d.max(), abs=1e-10)
        assert float(at["remaining_excitation"]) == pytest.approx(ref["population"].values[:, -1].sum(), abs=1e-10)
    # the comparison can fail: the grid points differ from one another by far more than 1e-10
    deltas = np.array([r["delta"].values for r in direct.values()])
    assert np.min([np.abs(deltas[i] - deltas[j]).max() for i in range(len(deltas))
                   for j in range(i + 1, len(deltas))]) > 1e-4
    assert worst < 1e-10


def test_aggregate_is_independent_of_chunk_order(small_chunks):
    _, dyn, _ = small_chunks
    ref = aggregate_chunks(dyn)
    orders = [[2, 1, 0], [1, 2, 0]]
    perm = list(range(len(dyn)))
    random.Random(3).shuffle(perm)
    orders.append(perm)
    for order in orders:
        shuffled = aggregate_chunks([dyn[i] for i in order])
        assert shuffled["N"].values.tolist() == ref["N"].values.tolist()
        np.testing.assert_array_equal(shuffled["k0"].values, ref["k0"].values)
        np.testing.assert_array_equal(shuffled["spacing_nm"].values, ref["spacing_nm"].values)
        for var in ("rate", "population", "delta", "rate_total", "max_abs_delta", "nonreciprocity"):
            a = shuffled[var].transpose(*ref[var].dims).values
            np.testing.assert_allclose(a, ref[var].values, rtol=0, atol=1e-15, equal_nan=True)
