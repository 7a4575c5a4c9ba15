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
from nonrecip.sensing import (SensorModel, best_readout_time, credible_interval, estimate_k0, measurement_distributions,
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


#: informations compared in the design dataset: variable -> label
DESIGN_INFORMATION = {"fisher_M1": "joint readout (M1)", "fisher_M3": "edge statistic (M3)", "qfi": "QFI of rho(t)"}


def design_point(*, N, k0, times, overhead, **common) -> xr.Dataset:
    """Best information per shot and per unit experiment time over the readout time, at one N, per k0."""
    names = [f"{v}_{q}" for v in DESIGN_INFORMATION for q in ("per_shot", "t_per_shot", "per_time", "t_per_time")]
    out = {name: np.zeros((1, len(k0))) for name in names}
    for i, value in enumerate(k0):
        info = sensing_information(_model(N, value, **common), _times(times))
        for v in DESIGN_INFORMATION:
            best = best_readout_time(info[v], overhead=overhead)
            out[f"{v}_per_shot"][0, i], out[f"{v}_t_per_shot"][0, i] = best["F_per_shot"], best["t_per_shot"]
            out[f"{v}_per_time"][0, i], out[f"{v}_t_per_time"][0, i] = best["F_per_time"], best["t_per_time"]
    data = {}
    for v, label in DESIGN_INFORMATION.items():
        data[f"{v}_per_shot"] = (("N", "k0"), out[f"{v}_per_shot"], {"units": "a^2", "long_name": f"largest information per shot over t, {label}"})
        data[f"{v}_t_per_shot"] = (("N", "k0"), out[f"{v}_t_per_shot"], {"units": "1/gamma0", "long_name": f"readout time of the largest information per shot, {label}"})
        data[f"{v}_per_time"] = (("N", "k0"), out[f"{v}_per_time"],
                                 {"units": "a^2 gamma0", "long_name": f"largest information per unit experiment time F/(t + overhead), {label}"})
        data[f"{v}_t_per_time"] = (("N", "k0"), out[f"{v}_t_per_time"], {"units": "1/gamma0", "long_name": f"readout time of the largest information per unit time, {label}"})
    data["sensitivity_M1"] = (("N", "k0"), 1 / np.sqrt(out["fisher_M1_per_shot"]),
                              {"units": "1/a", "long_name": "best single-shot sensitivity 1/sqrt(F_M1) (std of k0 per shot)"})
    coords = {"N": ("N", [N], {"units": "1", "long_name": "number of NVs"}),
              "k0": ("k0", np.asarray(k0, dtype=float), {"units": "1/a", "long_name": "bath non-reciprocity k0 = D/J"})}
    return xr.Dataset(data, coords=coords, attrs={"overhead": overhead, **common_attrs(common), **_METHOD})


def common_attrs(common: Mapping[str, Any]) -> dict:
    return {k: v for k, v in common.items() if k != "physics"}


def shots(*points: xr.Dataset) -> xr.Dataset:
    """The per-N jobs on one ``N`` dimension (shots or design)."""
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


def coverage_point(*, N, k0, time, shots, n_experiments, prior_interval, seed, **common) -> xr.Dataset:
    """Credible intervals of ``n_experiments`` synthetic experiments at one true k0 (:data:`COVERAGE_LEVELS`),
    their ML estimates and the per-shot Fisher information of the joint readout at the truth."""
    model = _model(N, k0, **common)
    levels = np.array(COVERAGE_LEVELS)
    low, high = np.zeros((1, n_experiments, levels.size)), np.zeros((1, n_experiments, levels.size))
    ml = np.zeros((1, n_experiments))
    for e in range(n_experiments):
        r = estimate_k0(model, time, simulate_counts(model, time, shots, seed=seed + e),
                        prior_interval=tuple(prior_interval))
        ml[0, e] = r["ml"]
        for j, level in enumerate(levels):
            low[0, e, j], high[0, e, j] = credible_interval(r["posterior"], level)
    fisher = float(sensing_information(model, [0.0, time])["fisher_M1"][-1])
    dims = ("k0", "experiment", "level")
    return xr.Dataset(
        {"ci_low": (dims, low, {"units": "1/a", "long_name": "credible interval, lower end"}),
         "ci_high": (dims, high, {"units": "1/a", "long_name": "credible interval, upper end"}),
         "ml": (("k0", "experiment"), ml, {"units": "1/a", "long_name": "maximum-likelihood estimate of k0"}),
         "fisher_M1": (("k0",), [fisher], {"units": "a^2", "long_name": "Fisher information per shot of the joint readout at the true k0"})},
        coords={"k0": ("k0", [float(k0)], {"units": "1/a", "long_name": "true k0 of the synthetic data"}),
                "experiment": ("experiment", np.arange(n_experiments), {"units": "1", "long_name": "synthetic experiment"}),
                "level": ("level", levels, {"units": "1", "long_name": "nominal credibility"})},
        attrs={"N": N, "time": time, "shots": shots, "seed": seed,
               "prior": f"uniform on {list(prior_interval)}", **common_attrs(common), **_METHOD})


def _wilson(successes: np.ndarray, trials: int) -> np.ndarray:
    return np.array([stats.binomtest(int(c), trials).proportion_ci(0.95, method="wilson") for c in np.ravel(successes)]
                    ).reshape(np.shape(successes) + (2,))


def coverage(*points: xr.Dataset) -> xr.Dataset:
    """The per-k0 coverage jobs on one ``k0`` dimension: coverage per k0 and pooled, and the ML estimate's efficiency.

    ``mle_efficiency`` = Var(k̂_ML) · shots · F_M1(k0): 1 for an efficient estimator, the
    Cramér–Rao bound below it (docs/theory/sensing.md#estimation).
    """
    ds = xr.concat(points, dim="k0", combine_attrs="drop_conflicts")
    covered = (ds["ci_low"] <= ds["k0"]) & (ds["k0"] <= ds["ci_high"])
    n, per_k0 = ds.sizes["experiment"], covered.sum("experiment")
    pooled = covered.sum(("k0", "experiment"))
    band, pooled_band = _wilson(per_k0.values, n), _wilson(pooled.values, n * ds.sizes["k0"])
    one = {"units": "1"}
    ds["coverage"] = (("k0", "level"), per_k0.values / n, {**one, "long_name": "fraction of intervals holding the true k0"})
    ds["coverage_low"] = (("k0", "level"), band[..., 0], {**one, "long_name": "95 % Wilson interval of the coverage, lower"})
    ds["coverage_high"] = (("k0", "level"), band[..., 1], {**one, "long_name": "95 % Wilson interval of the coverage, upper"})
    ds["coverage_pooled"] = (("level",), pooled.values / (n * ds.sizes["k0"]),
                             {**one, "long_name": "fraction of intervals holding the truth, all k0 together"})
    ds["coverage_pooled_low"] = (("level",), pooled_band[:, 0], {**one, "long_name": "95 % Wilson interval, pooled, lower"})
    ds["coverage_pooled_high"] = (("level",), pooled_band[:, 1], {**one, "long_name": "95 % Wilson interval, pooled, upper"})
    ds["mle_efficiency"] = (("k0",), (ds["ml"].var("experiment", ddof=1) * ds.attrs["shots"] * ds["fisher_M1"]).values,
                            {**one, "long_name": "Var(ML estimate) x shots x Fisher information (1 = efficient)"})
    return ds


BUILDERS = {"fisher_map_point": fisher_map_point, "fisher_map": fisher_map, "shots_point": shots_point, "shots": shots,
            "design_point": design_point, "design": shots,
            "posterior": posterior_example, "coverage_point": coverage_point,
            "coverage": coverage}
