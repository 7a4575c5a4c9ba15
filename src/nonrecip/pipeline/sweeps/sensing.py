"""Datasets of the ``sensing`` family: Fisher maps, shots to detect k0 ≠ 0, a posterior, the coverage check.

Each builder turns its config values into a :class:`~nonrecip.sensing.SensorModel` and calls the
library (docs/theory/sensing.md); the aggregates stack the per-k0 or per-N jobs.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr
from scipy import stats

from nonrecip.emission.physics import YIG
from nonrecip.sensing import (SensorModel, credible_interval, estimate_k0, measurement_distributions,
                              sensing_information, shots_from_distributions, simulate_counts)

__all__ = ["BUILDERS", "COVERAGE_LEVELS"]

#: nominal levels of the credible intervals checked for coverage
COVERAGE_LEVELS = (0.5, 0.68, 0.8, 0.9, 0.95, 0.99)
_METHOD = {"method": "blocks", "method_options": '{"tol": 1e-13}'}


def _model(N, k0, *, spacing_nm, distance_nm, readout_error, physics) -> SensorModel:
    return SensorModel(N=N, k0=k0, spacing_nm=spacing_nm, distance_nm=distance_nm, readout_error=readout_error,
                       film=YIG.with_overrides(**physics))


def _times(spec: Mapping[str, Any]) -> np.ndarray:
    return np.linspace(0.0, spec["t_max"], spec["n_times"] + 1)


def fisher_map_point(*, N, k0, times, detection_efficiency, **common) -> xr.Dataset:
    """Informations per shot at one k0 over the readout times (t = 0 included, where they vanish)."""
    ds = sensing_information(_model(N, k0, **common), _times(times), detection_efficiency=detection_efficiency)
    ds = ds.expand_dims(k0=[k0])
    ds["k0"].attrs = {"units": "1/a", "long_name": "bath non-reciprocity k0 = D/J"}
    ds.attrs["derivative_error_estimate"] = float(ds.attrs["derivative_error_estimate"])
    return ds


def fisher_map(*points: xr.Dataset) -> xr.Dataset:
    """The per-k0 jobs on one ``k0`` dimension."""
    out = xr.concat(points, dim="k0", combine_attrs="drop_conflicts")
    out.attrs["derivative_error_estimate_max"] = max(float(p.attrs["derivative_error_estimate"]) for p in points)
    out.attrs.update(_METHOD)
    return out


def shots_point(*, N, k0, times, sigma, power, **common) -> xr.Dataset:
    """Shots to reject k0 = 0 at every readout time (t > 0), for every k0, at one N."""
    t = _times(times)[1:]
    null = measurement_distributions(_model(N, 0.0, **common), t)
    shots = {m: np.full((len(k0), t.size), np.inf) for m in ("M1", "M3")}
    for i, value in enumerate(k0):
        alternative = measurement_distributions(_model(N, value, **common), t)  # one solve for both readouts
        for m in ("M1", "M3"):
            shots[m][i] = [shots_from_distributions(a, b, measurement=m, sigma=sigma, power=power)
                           for a, b in zip(alternative[m], null[m])]
    data = {}
    for m, label in (("M3", "model-agnostic z-test of x = b_1 - b_N (exact power)"),
                     ("M1", "likelihood-ratio test, joint readout (normal approximation)")):
        data[f"shots_{m}"] = (("N", "k0", "time"), shots[m][None],
                              {"units": "1", "long_name": f"shots to reject k0 = 0, {label}"})
        best = np.argmin(shots[m], axis=1)
        data[f"shots_{m}_best"] = (("N", "k0"), shots[m][np.arange(len(k0)), best][None],
                                   {"units": "1", "long_name": f"fewest shots over the readout time, {label}"})
        data[f"t_best_{m}"] = (("N", "k0"), t[best][None],
                               {"units": "1/gamma0", "long_name": f"readout time of the fewest shots, {m}"})
    coords = {"N": ("N", [N], {"units": "1", "long_name": "number of NVs"}),
              "k0": ("k0", np.asarray(k0, dtype=float), {"units": "1/a", "long_name": "bath non-reciprocity k0 = D/J"}),
              "time": ("time", t, {"units": "1/gamma0", "long_name": "readout time gamma0 t"})}
    return xr.Dataset(data, coords=coords, attrs={"sigma": sigma, "power": power, **common_attrs(common), **_METHOD})


def common_attrs(common: Mapping[str, Any]) -> dict:
    return {k: v for k, v in common.items() if k != "physics"}


def shots(*points: xr.Dataset) -> xr.Dataset:
    """The per-N jobs on one ``N`` dimension."""
    return xr.concat(points, dim="N", combine_attrs="drop_conflicts")


def posterior_example(*, N, k0, time, shots, prior_interval, seed, **common) -> xr.Dataset:
    """One synthetic experiment: the posterior density of k0, its ML estimate and 95 % interval."""
    model = _model(N, k0, **common)
    r = estimate_k0(model, time, simulate_counts(model, time, shots, seed=seed), prior_interval=tuple(prior_interval))
    ds = r["posterior"].to_dataset(name="posterior")
    ds.attrs.update({"true_k0": k0, "ml": r["ml"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "posterior_mean": r["posterior_mean"], "posterior_std": r["posterior_std"],
                     "refined": int(r["refined"]), "N": N, "time": time, "shots": shots, "seed": seed,
                     "prior": f"uniform on {list(prior_interval)}", **common_attrs(common), **_METHOD})
    return ds


def coverage(*, N, k0, time, shots, n_experiments, prior_interval, seed, **common) -> xr.Dataset:
    """Credible intervals of ``n_experiments`` synthetic experiments at :data:`COVERAGE_LEVELS` and their coverage."""
    model = _model(N, k0, **common)
    levels = np.array(COVERAGE_LEVELS)
    low, high = np.zeros((n_experiments, levels.size)), np.zeros((n_experiments, levels.size))
    ml = np.zeros(n_experiments)
    for e in range(n_experiments):
        r = estimate_k0(model, time, simulate_counts(model, time, shots, seed=seed + e),
                        prior_interval=tuple(prior_interval))
        ml[e] = r["ml"]
        for j, level in enumerate(levels):
            low[e, j], high[e, j] = credible_interval(r["posterior"], level)
    covered = (low <= k0) & (k0 <= high)
    rate = covered.mean(axis=0)
    band = np.array([stats.binomtest(int(c), n_experiments).proportion_ci(0.95, method="wilson")
                     for c in covered.sum(axis=0)])
    dims = ("experiment", "level")
    return xr.Dataset(
        {"ci_low": (dims, low, {"units": "1/a", "long_name": "credible interval, lower end"}),
         "ci_high": (dims, high, {"units": "1/a", "long_name": "credible interval, upper end"}),
         "ml": (("experiment",), ml, {"units": "1/a", "long_name": "maximum-likelihood estimate of k0"}),
         "coverage": (("level",), rate, {"units": "1", "long_name": "fraction of intervals holding the true k0"}),
         "coverage_low": (("level",), band[:, 0], {"units": "1", "long_name": "95 % Wilson interval of the coverage, lower"}),
         "coverage_high": (("level",), band[:, 1], {"units": "1", "long_name": "95 % Wilson interval of the coverage, upper"})},
        coords={"experiment": ("experiment", np.arange(n_experiments), {"units": "1", "long_name": "synthetic experiment"}),
                "level": ("level", levels, {"units": "1", "long_name": "nominal credibility"})},
        attrs={"true_k0": k0, "N": N, "time": time, "shots": shots, "seed": seed,
               "prior": f"uniform on {list(prior_interval)}", **common_attrs(common), **_METHOD})


BUILDERS = {"fisher_map_point": fisher_map_point, "fisher_map": fisher_map, "shots_point": shots_point, "shots": shots,
            "posterior": posterior_example, "coverage": coverage}
