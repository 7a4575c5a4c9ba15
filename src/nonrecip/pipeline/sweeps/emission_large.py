"""Large arrays of paper E: the error map of the cumulant expansions and the asymmetry vs N.

Two dataset families, each computed in independent cells (one workflow job each) and combined:

* **error map** (docs/theory/large_arrays.md#error-map): for one (N, a_q) cell, every k0 of the
  grid is solved exactly (block solver) and by each approximate method; the cell stores the
  maximal errors of δ_1N(t) and R_tot(t) and of the burst peak, relative to the exact values.
* **scaling** (docs/theory/large_arrays.md#asymmetry-scaling): for one (k0, method) cell, the
  summaries of δ_1N(t) and R_tot(t) for every N that method is asked for — exact (block
  solver), trajectories (with standard errors) or cumulants — at the same physical parameters.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from nonrecip.emission.analysis import emission_summary
from nonrecip.emission.couplings import coupling_matrices
from nonrecip.emission.dynamics import EMISSION_METHODS, SolverFailure, emission_dynamics
from nonrecip.emission.physics import YIG
from nonrecip.log import get_logger
from nonrecip.pipeline.grids import DIM_ATTRS

__all__ = ["BUILDERS", "error_map_cell", "error_map", "scaling_cell", "scaling", "scaling_times", "relative_errors"]

_log = get_logger("emission.large")

_ERRORS = {
    "delta_error": "max_t |delta_1N - delta_1N exact| / max_t |delta_1N exact|",
    "rate_total_error": "max_t |R_tot - R_tot exact| / max_t R_tot exact",
    "peak_error": "(burst peak - exact burst peak) / exact burst peak (NaN: no burst in one of them)",
    "peak_time_error": "burst time - exact burst time (NaN: no burst in one of them)",
}
_SUMMARIES = {
    "max_abs_delta": ("gamma0", "max over t of |delta_1N|"),
    "t_max_abs_delta": ("1/gamma0", "time of max |delta_1N|"),
    "rate_total_peak": ("gamma0", "interior maximum of R_tot (NaN: no super-radiant burst)"),
    "t_rate_total_peak": ("1/gamma0", "time of the interior maximum of R_tot (NaN: none)"),
}


_DIVERGED = {"units": "1/gamma0", "long_name": "time at which the cumulant equations diverged (NaN: they did not)"}


def _couplings(N: int, k0: float, spacing_nm: float, distance_nm: float, coupling: Mapping[str, Any],
               physics: Mapping[str, Any]):
    model = coupling["model"]
    if model == "auto":
        model = "closed_form" if distance_nm == 0 else "integral"
    ds = coupling_matrices(N, k0=k0, spacing_nm=spacing_nm, distance_nm=distance_nm, model=model,
                           film=YIG.with_overrides(**physics), f_J=coupling["f_J"],
                           include_near_field=coupling["include_near_field"])
    return ds["J"].values, ds["gamma"].values


def _solve(J, gamma, times, method: str, solver: Mapping[str, Any]) -> xr.Dataset:
    """One run; an exact (blocks) run whose Chebyshev series fails is redone with the Taylor scheme.

    The Chebyshev plan can fail on one long step (seen at N = 10, a_q = 50 nm, k0 = 2e-4:
    docs/theory/large_arrays.md#chebyshev-failure); Taylor is exact to the same tolerance. The
    dataset's ``method_options`` then say ``"scheme": "taylor"``.
    """
    options = EMISSION_METHODS[method][0](**solver.get(method, {}))
    try:
        return emission_dynamics(J, gamma, times, method=method, options=options)
    except RuntimeError as err:
        if method != "blocks" or options.scheme != "chebyshev":
            raise
        _log.warning("block solver (chebyshev) failed, redone with scheme taylor: %s", err)
        return emission_dynamics(J, gamma, times, method=method, options=replace(options, scheme="taylor"))


def _solve_or_diverge(J, gamma, times, method: str, solver: Mapping[str, Any]) -> tuple[xr.Dataset | None, float]:
    """(run, NaN), or (None, t) where a cumulant expansion diverged at time t.

    A truncated cumulant hierarchy is not guaranteed to stay bounded
    (docs/theory/cumulants.md#third-order-divergence): its divergence is a result, recorded in the
    dataset as ``time_diverged``, not a failure of the run. Every other failure stops the job.
    """
    try:
        return _solve(J, gamma, times, method, solver), np.nan
    except SolverFailure as err:
        if not method.startswith("cumulant"):
            raise
        _log.warning("%s diverged: %s", method, err)
        return None, err.time


def relative_errors(approx: xr.Dataset, exact: xr.Dataset) -> dict[str, float]:
    """Errors of one approximate run against the exact one (keys and meaning: ``_ERRORS``).

    δ_1N errors are relative to max_t |δ_1N exact| (docs/theory/large_arrays.md#error-map), so a
    value of 0.1 means an error of 10 % of the asymmetry's own size.
    """
    d_ex, r_ex = exact["delta"].values, exact["rate_total"].values
    s_ap, s_ex = emission_summary(approx), emission_summary(exact)
    scale = np.abs(d_ex).max()
    out = {
        "delta_error": float(np.abs(approx["delta"].values - d_ex).max() / scale) if scale > 0 else np.nan,
        "rate_total_error": float(np.abs(approx["rate_total"].values - r_ex).max() / np.abs(r_ex).max()),
        "peak_error": (s_ap["rate_total_peak"] - s_ex["rate_total_peak"]) / s_ex["rate_total_peak"],
        "peak_time_error": s_ap["t_rate_total_peak"] - s_ex["t_rate_total_peak"],
    }
    return {k: float(v) for k, v in out.items()}


def _used_options(runs: Mapping[str, Sequence[xr.Dataset]]) -> str:
    """``{method: options actually used}`` (JSON) from the runs' own ``method_options``; a list
    where one method ran with several option sets (e.g. a Taylor redo of a failed Chebyshev solve)."""
    used = {}
    for method, datasets in runs.items():
        if not datasets:  # every run of the method diverged
            continue
        distinct = []
        for run in datasets:
            options = json.loads(run.attrs["method_options"])
            if options not in distinct:
                distinct.append(options)
        used[method] = distinct[0] if len(distinct) == 1 else distinct
    return json.dumps(used, sort_keys=True)


def error_map_cell(*, N: int, spacing_nm: float, distance_nm: float, k0: Sequence[float], t_max: float,
                   n_times: int, methods: Sequence[str], coupling: Mapping[str, Any],
                   physics: Mapping[str, Any], solver: Mapping[str, Any]) -> xr.Dataset:
    """Errors of each approximate ``method`` against the block solver at one (N, a_q), all k0.

    Returns
    -------
    xarray.Dataset
        ``delta_error``, ``rate_total_error``, ``peak_error``, ``peak_time_error`` (numerical_method, k0);
        the exact ``max_abs_delta`` and ``rate_total_peak`` (k0); CPU seconds per method.
    """
    times = np.linspace(0.0, float(t_max), int(n_times))
    k0s = [float(k) for k in k0]
    errors = {key: np.full((len(methods), len(k0s)), np.nan) for key in _ERRORS}
    cpu = np.full((len(methods) + 1, len(k0s)), np.nan)
    diverged = np.full((len(methods), len(k0s)), np.nan)
    exact_summary = {key: np.full(len(k0s), np.nan) for key in ("max_abs_delta", "rate_total_peak")}
    runs: dict[str, list] = {}
    for j, k in enumerate(k0s):
        J, gamma = _couplings(N, k, spacing_nm, distance_nm, coupling, physics)
        exact = _solve(J, gamma, times, "blocks", solver)
        runs.setdefault("blocks", []).append(exact)
        cpu[0, j] = exact.attrs["cpu_seconds"]
        s_ex = emission_summary(exact)
        for key in exact_summary:
            exact_summary[key][j] = s_ex[key]
        for i, method in enumerate(methods):
            approx, diverged[i, j] = _solve_or_diverge(J, gamma, times, method, solver)
            if approx is None:
                continue
            runs.setdefault(method, []).append(approx)
            cpu[i + 1, j] = approx.attrs["cpu_seconds"]
            for key, value in relative_errors(approx, exact).items():
                errors[key][i, j] = value
        _log.info("error map N=%d a_q=%g k0=%g: delta errors %s", N, spacing_nm, k,
                  ", ".join(f"{m} {errors['delta_error'][i, j]:.3g}" for i, m in enumerate(methods)))
    data = {key: (("numerical_method", "k0"), errors[key], {"units": "1" if key != "peak_time_error" else "1/gamma0",
                                                  "long_name": name}) for key, name in _ERRORS.items()}
    data["max_abs_delta_exact"] = (("k0",), exact_summary["max_abs_delta"],
                                   {"units": "gamma0", "long_name": "exact max_t |delta_1N| (block solver)"})
    data["rate_total_peak_exact"] = (("k0",), exact_summary["rate_total_peak"],
                                     {"units": "gamma0", "long_name": "exact burst peak of R_tot (NaN: no burst)"})
    data["cpu_seconds"] = (("solver", "k0"), cpu, {"units": "s", "long_name": "solver CPU time", "role": "timing"})
    data["time_diverged"] = (("numerical_method", "k0"), diverged, _DIVERGED)
    ds = xr.Dataset(data, coords={
        "numerical_method": ("numerical_method", list(methods), {"units": "1", "long_name": "approximate method"}),
        "solver": ("solver", ["blocks", *methods], {"units": "1", "long_name": "method (blocks = exact)"}),
        "k0": ("k0", k0s, DIM_ATTRS["k0"]),
        "N": ((), int(N), DIM_ATTRS["N"]),
        "spacing_nm": ((), float(spacing_nm), DIM_ATTRS["spacing_nm"]),
        "distance_nm": ((), float(distance_nm), DIM_ATTRS["distance_nm"]),
        "time_max": ((), float(t_max), {"units": "1/gamma0", "long_name": "last time of the compared window"}),
    })
    ds.attrs.update(method="error map: blocks vs " + "+".join(methods),
                    method_options=_used_options(runs), n_times=int(n_times))
    return ds


def error_map(*cells: xr.Dataset) -> xr.Dataset:
    """Error-map cells combined into dims (N, spacing_nm, numerical_method, k0)."""
    expanded = [c.expand_dims(["N", "spacing_nm"]) for c in cells]
    out = xr.combine_by_coords(expanded, combine_attrs="override", data_vars="all", coords="different",
                               compat="no_conflicts", join="outer")
    for dim in ("N", "spacing_nm"):
        out[dim].attrs.update(DIM_ATTRS[dim])
    for variable in out.variables.values():
        variable.encoding = {}
    return out


def scaling_times(t_max: float, n_times: int, n_early_times: int) -> np.ndarray:
    """``n_times`` uniform times on [0, t_max] joined with ``n_early_times`` log-spaced ones on
    [1e-4, min(1, t_max)] 1/γ0, which resolve the burst of large arrays (t_peak ~ ln N / N)."""
    uniform = np.linspace(0.0, float(t_max), int(n_times))
    early = np.geomspace(1e-4, min(1.0, float(t_max)), int(n_early_times)) if n_early_times else np.empty(0)
    return np.unique(np.concatenate([uniform, early]))


def scaling_cell(*, k0: float, N: Sequence[int], method: str, spacing_nm: float, distance_nm: float,
                 t_max: float, n_times: int, n_early_times: int, coupling: Mapping[str, Any],
                 physics: Mapping[str, Any], solver: Mapping[str, Any]) -> xr.Dataset:
    """δ_1N(t), R_tot(t) and their summaries vs N at one k0 by one method.

    Returns
    -------
    xarray.Dataset
        ``delta``, ``rate_total`` (N, time), ``delta_stderr`` (N, time; NaN unless the method is
        ``"trajectories"``), the summaries of ``_SUMMARIES`` and ``max_abs_delta_stderr`` (N),
        ``cpu_seconds`` (N).
    """
    times = scaling_times(t_max, n_times, n_early_times)
    ns = [int(n) for n in N]
    delta, rtot, stderr = (np.full((len(ns), times.size), np.nan) for _ in range(3))
    runs: dict[str, list] = {method: []}
    summary = {key: np.full(len(ns), np.nan) for key in (*_SUMMARIES, "max_abs_delta_stderr", "cpu_seconds",
                                                          "time_diverged")}
    for i, n in enumerate(ns):
        J, gamma = _couplings(n, k0, spacing_nm, distance_nm, coupling, physics)
        dyn, summary["time_diverged"][i] = _solve_or_diverge(J, gamma, times, method, solver)
        if dyn is None:
            continue
        runs[method].append(dyn)
        delta[i], rtot[i] = dyn["delta"].values, dyn["rate_total"].values
        s = emission_summary(dyn)
        for key in _SUMMARIES:
            summary[key][i] = s[key]
        if "delta_stderr" in dyn:
            stderr[i] = dyn["delta_stderr"].values
            summary["max_abs_delta_stderr"][i] = stderr[i, int(np.argmax(np.abs(delta[i])))]
        summary["cpu_seconds"][i] = dyn.attrs["cpu_seconds"]
        _log.info("scaling %s k0=%g N=%d: max|delta|=%.4g, %.1f CPU-s", method, k0, n, s["max_abs_delta"],
                  dyn.attrs["cpu_seconds"])
    data = {
        "delta": (("N", "time"), delta, {"units": "gamma0", "long_name": "asymmetry delta_1N = (R_1 - R_N)/gamma0"}),
        "rate_total": (("N", "time"), rtot, {"units": "gamma0", "long_name": "collective rate R_tot / gamma0"}),
        "delta_stderr": (("N", "time"), stderr, {"units": "gamma0", "long_name": "standard error of delta_1N (trajectories)"}),
        "max_abs_delta_stderr": (("N",), summary["max_abs_delta_stderr"],
                                 {"units": "gamma0", "long_name": "standard error of delta_1N at its extremum (trajectories)"}),
        "cpu_seconds": (("N",), summary["cpu_seconds"], {"units": "s", "long_name": "solver CPU time", "role": "timing"}),
        "time_diverged": (("N",), summary["time_diverged"], _DIVERGED),
    }
    for key, (units, name) in _SUMMARIES.items():
        data[key] = (("N",), summary[key], {"units": units, "long_name": name})
    ds = xr.Dataset(data, coords={
        "N": ("N", ns, DIM_ATTRS["N"]),
        "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
        "numerical_method": ((), method, {"units": "1", "long_name": "numerical method"}),
        "k0": ((), float(k0), DIM_ATTRS["k0"]),
        "spacing_nm": ((), float(spacing_nm), DIM_ATTRS["spacing_nm"]),
        "distance_nm": ((), float(distance_nm), DIM_ATTRS["distance_nm"]),
    })
    ds.attrs.update(method=method, method_options=_used_options(runs))
    return ds


def scaling(*cells: xr.Dataset) -> xr.Dataset:
    """Scaling cells combined into dims (numerical_method, k0, N, time); NaN where a method was not run."""
    expanded = [c.expand_dims(["numerical_method", "k0"]) for c in cells]
    out = xr.merge(expanded, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts")
    for variable in out.variables.values():  # the cells' on-disk encodings (e.g. string widths) do not fit the union
        variable.encoding = {}
    out["N"].attrs.update(DIM_ATTRS["N"])
    out["k0"].attrs.update(DIM_ATTRS["k0"])
    used = {}
    for c in cells:
        used.update(json.loads(c.attrs["method_options"]))
    out.attrs.update(method="scaling: " + "+".join(str(m) for m in out["numerical_method"].values),
                     method_options=json.dumps(used, sort_keys=True))
    return out


#: builder name -> function(*input datasets, **params) -> Dataset
BUILDERS = {"error_map_cell": error_map_cell, "error_map": error_map, "scaling_cell": scaling_cell,
            "scaling": scaling}
