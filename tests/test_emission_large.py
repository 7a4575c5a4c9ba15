"""Large-array pipeline of paper E: error metrics, error-map and scaling datasets, the N-trend claim, config checks."""

import numpy as np
import pytest
import xarray as xr
import yaml

from nonrecip.emission import emission_dynamics, coupling_matrices
from nonrecip.pipeline.claims.emission import asymmetry_trend, large_array_claims
from nonrecip.pipeline.config import ConfigError, validate_config
from nonrecip.pipeline.sweeps.emission_large import error_map, error_map_cell, relative_errors, scaling, scaling_cell

SCHEMA = "workflow/schemas/config.schema.yaml"
COUPLING = {"model": "auto", "f_J": 1.0, "include_near_field": True}


def _run(t, delta, rate_total):
    """A minimal emission dataset with the given δ_1N(t) and R_tot(t) (two sites)."""
    r1, r2 = 0.5 * (rate_total + delta), 0.5 * (rate_total - delta)
    rate = np.array([r1, r2])
    return xr.Dataset({"rate": (("site", "time"), rate), "population": (("site", "time"), np.ones_like(rate)),
                       "delta": ("time", delta), "rate_total": ("time", rate_total)},
                      coords={"time": t, "site": [1, 2]})


def test_relative_errors_are_the_defined_ratios():
    t = np.linspace(0, 4, 401)
    burst = 2 * np.exp(-(t - 1) ** 2)
    exact = _run(t, np.sin(t), burst)
    approx = _run(t, 1.1 * np.sin(t), burst + 0.05)
    err = relative_errors(approx, exact)
    assert err["delta_error"] == pytest.approx(0.1, rel=1e-12)
    assert err["rate_total_error"] == pytest.approx(0.05 / 2.0, rel=1e-12)
    assert err["peak_error"] == pytest.approx(0.05 / 2.0, rel=1e-12)
    assert err["peak_time_error"] == 0.0


@pytest.mark.parametrize("values, trend", [
    ([1.0, 2.0, 3.0, 4.0, 5.0], "grows"),
    ([1.0, 2.0, 3.0, 3.05, 3.1], "saturates"),
    ([1.0, 3.0, 2.0, 1.5, 1.0], "turns over"),
])
def test_asymmetry_trend(values, trend):
    assert asymmetry_trend(np.array([10, 20, 40, 80, 160]), np.array(values)) == trend


def test_error_map_of_two_exact_methods_is_at_their_tolerance():
    """The block solver against QuTiP mesolve (both exact): the map's errors are integration errors only."""
    solver = {"blocks": {"tol": 1e-10}, "qutip": {"rtol": 1e-9, "atol": 1e-11}}
    cells = [error_map_cell(N=n, spacing_nm=20.0, distance_nm=0.0, k0=[0.003, 0.3], t_max=4.0, n_times=41,
                            methods=["qutip"], coupling=COUPLING, physics={}, solver=solver) for n in (2, 3)]
    emap = error_map(*cells)
    assert emap["delta_error"].dims == ("N", "spacing_nm", "numerical_method", "k0")
    assert list(emap["N"].values) == [2, 3]
    assert float(emap["delta_error"].max()) < 1e-6
    assert float(emap["rate_total_error"].max()) < 1e-6
    # the exact asymmetry the errors are relative to is the block solver's own
    J, gamma = (coupling_matrices(3, k0=0.3, spacing_nm=20.0)[v].values for v in ("J", "gamma"))
    ref = emission_dynamics(J, gamma, np.linspace(0, 4, 41))
    assert float(emap["max_abs_delta_exact"].sel(N=3, k0=0.3).item()) == pytest.approx(float(np.abs(ref["delta"]).max()), rel=1e-9)


def test_scaling_cells_combine_with_nan_where_a_method_did_not_run():
    kw = dict(spacing_nm=20.0, distance_nm=0.0, t_max=3.0, n_times=31, n_early_times=5, coupling=COUPLING, physics={})
    cells = [scaling_cell(k0=0.03, N=[2, 3], method="blocks", solver={}, **kw),
             scaling_cell(k0=0.03, N=[2], method="qutip", solver={}, **kw)]
    ds = scaling(*cells)
    assert ds["max_abs_delta"].dims == ("numerical_method", "k0", "N")
    assert np.isnan(float(ds["max_abs_delta"].sel(numerical_method="qutip", N=3).item()))
    both = ds["max_abs_delta"].sel(N=2, k0=0.03).values
    assert abs(both[0] - both[1]) < 1e-6 * both[0]
    assert set(ds.attrs["method_options"]) and "blocks" in ds.attrs["method_options"]


def _synthetic_scaling(curve):
    ns = np.array([2, 5, 10, 100, 1000])
    data = np.full((2, 1, ns.size), np.nan)
    data[0, 0, :3] = curve[:3]         # exact where it reaches
    data[1, 0, :] = curve              # cumulant everywhere
    return xr.Dataset({"max_abs_delta": (("numerical_method", "k0", "N"), data)},
                      coords={"numerical_method": ["blocks", "cumulant2"], "k0": [0.03], "N": ns})


def test_large_n_claim_reports_a_turnover_as_a_difference():
    claim, = large_array_claims(scaling=_synthetic_scaling(np.array([0.1, 0.3, 0.5, 0.2, 0.1])))
    assert claim.outcome == "differs" and "turns over" in claim.reason and "N = 10" in claim.note
    claim, = large_array_claims(scaling=_synthetic_scaling(np.array([0.1, 0.3, 0.5, 0.8, 1.2])))
    assert claim.outcome == "confirmed" and claim.value == 1.0


@pytest.mark.parametrize("override, key", [
    ({"error_map": {"N": [3, 15]}}, "emission_large.error_map.N"),
    ({"scaling": {"N": {"trajectories": [22]}}}, "emission_large.scaling.N.trajectories"),
    ({"scaling": {"N": {"cumulant2": [5000]}}}, "emission_large.scaling.N.cumulant2"),
    ({"error_map": {"methods": ["cumulant4"]}}, "emission_large.error_map.methods"),
    ({"scaling": {"N": {"cumulant3": [100]}}}, "emission_large.scaling.N.cumulant3"),
    ({"solver": {"cumulant2": {"rtol": 0.5}}}, "emission_large.solver.cumulant2.rtol"),
])
def test_bad_large_array_config_names_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate_config({"emission_large": override}, SCHEMA)


def test_default_config_runs_each_method_within_its_reach():
    config = validate_config(yaml.safe_load(open("config/config.yaml")), SCHEMA)
    n = config["emission_large"]["scaling"]["N"]
    assert max(n["blocks"]) <= 14 and max(n["trajectories"]) <= 20 and max(n["cumulant2"]) == 300


def test_combined_scaling_keeps_method_names_through_netcdf(tmp_path):
    """Cells read back from files carry string widths in their encoding; the union must not inherit them."""
    from nonrecip.io import read_dataset, write_dataset

    kw = dict(k0=0.03, spacing_nm=20.0, distance_nm=0.0, t_max=1.0, n_times=11, n_early_times=0,
              coupling=COUPLING, physics={})
    paths = []
    for i, (method, ns) in enumerate((("blocks", [2]), ("cumulant2", [2, 3]))):
        paths.append(write_dataset(scaling_cell(N=ns, method=method, solver={}, **kw), tmp_path / f"c{i}.nc"))
    out = write_dataset(scaling(*[read_dataset(p) for p in paths]), tmp_path / "s.nc")
    assert list(read_dataset(out)["numerical_method"].values) == ["blocks", "cumulant2"]


@pytest.mark.slow
def test_a_failing_chebyshev_solve_is_redone_with_taylor_and_recorded():
    """N = 10, a_q = 50 nm, k0 = 2e-4: the Chebyshev plan fails (docs/theory/large_arrays.md#chebyshev-failure)."""
    import json

    from nonrecip.emission.solvers.blocks.solver import block_correlations
    from nonrecip.pipeline.sweeps.emission_large import _solve

    J, gamma = (coupling_matrices(10, k0=2e-4, spacing_nm=50.0)[v].values for v in ("J", "gamma"))
    times = np.linspace(0.0, 10.0, 201)
    with pytest.raises(RuntimeError, match="did not converge"):
        block_correlations(J, gamma, times, tol=1e-10)
    run = _solve(J, gamma, times, "blocks", {"blocks": {"tol": 1e-10}})
    assert json.loads(run.attrs["method_options"])["scheme"] == "taylor"
    half = emission_dynamics(J, gamma, times[:101])
    assert np.abs(run["rate"].values[:, :101] - half["rate"].values).max() < 1e-8


def test_a_diverging_cumulant_run_is_recorded_not_fatal(monkeypatch):
    """The third-order equations can diverge (docs/theory/cumulants.md#third-order-divergence): the
    scaling cell records the time and leaves NaN; a failure of another method still stops the job."""
    from nonrecip.emission.solvers.errors import SolverFailure
    from nonrecip.pipeline.sweeps import emission_large as large

    solve = large._solve

    def diverging(J, gamma, times, method, solver):
        if J.shape[0] == 3:
            raise SolverFailure(f"{method}: step size underflow", time=1.25)
        return solve(J, gamma, times, method, solver)

    monkeypatch.setattr(large, "_solve", diverging)
    kw = dict(spacing_nm=20.0, distance_nm=0.0, t_max=2.0, n_times=21, n_early_times=0, coupling=COUPLING,
              physics={}, solver={})
    cell = scaling_cell(k0=0.03, N=[2, 3], method="cumulant3", **kw)
    assert np.isnan(cell.time_diverged.values[0]) and cell.time_diverged.values[1] == 1.25
    assert np.isfinite(cell.max_abs_delta.values[0]) and np.isnan(cell.max_abs_delta.values[1])
    with pytest.raises(SolverFailure):
        scaling_cell(k0=0.03, N=[3], method="blocks", **kw)
