"""Declarative registry of the workflow's datasets and figures, built from the validated config.

The rule files take their targets and their ``params`` from here: every dataset and every
figure is one entry holding exactly the parameters its job uses, so that editing one figure's
settings reruns only that figure's jobs, and no parameter travels in a file name.

* :func:`datasets` — ``{"<family>/<name>": DatasetJob}``: a dataset written to
  ``<results>/<family>/<name>.nc`` by the builder ``BUILDERS[job.builder]`` of
  ``nonrecip.pipeline.sweeps.<family>``, called as ``builder(*inputs, **job.params)``.
* :func:`figures` — ``{name: FigureJob}``: a figure drawn by ``PLOTS[job.plot_function]`` of
  ``nonrecip.pipeline.figures.<family>`` from its input datasets, called as
  ``plot(*datasets, **job.params)``.

The chunked grid sweeps of paper E (couplings → dynamics → aggregate) have their own rules;
their aggregated datasets ``emission/<sweep>.nc`` are inputs here. This module imports only
the standard library, :mod:`nonrecip.pipeline.grids` and :mod:`nonrecip.pipeline.systems`, so parsing the Snakefile stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from nonrecip.pipeline.systems import sweep_dims, sweep_points

__all__ = ["DatasetJob", "FigureJob", "CLAIM_INPUTS", "REPORT_CAPTIONS", "canonical", "datasets", "figures"]

#: figure family -> its caption template in workflow/report/ (HTML report and docs gallery)
REPORT_CAPTIONS = {"emission": "emission.rst", "emission_large": "emission_large.rst",
                   "emission_systems": "emission_systems.rst", "sensing": "sensing.rst", "sync_meanfield": "sync.rst",
                   "sync_finite": "sync.rst", "sync_trajectories": "sync.rst"}

#: datasets the claims of both papers read (keyword of :func:`nonrecip.pipeline.claims.evaluate_claims`
#: -> registry dataset)
CLAIM_INPUTS = {
    "fig3": "emission/fig3", "map_k0": "emission/map_k0", "fig4d": "emission/fig4d", "fig4bc": "emission/fig4bc",
    "phase_diagram": "sync_meanfield/phase_diagram", "observables_kappa": "sync_finite/observables_kappa",
    "observables_N": "sync_finite/observables_N", "spectra_J": "sync_finite/spectra_J",
    "reversal_rates": "sync_trajectories/S10_rates", "scaling": "emission_large/scaling",
    "sensing_shots": "sensing/shots", "sensing_coverage": "sensing/coverage",
    "sensing_design": "sensing/design",
}


@dataclass(frozen=True)
class DatasetJob:
    """One dataset job: builder name, its keyword arguments and the datasets it reads."""

    family: str
    name: str
    builder: str
    params: Mapping[str, Any]
    inputs: tuple[str, ...] = ()
    threads: int = 1

    @property
    def key(self) -> str:
        return f"{self.family}/{self.name}"


@dataclass(frozen=True)
class FigureJob:
    """One figure: the datasets it is drawn from and the plot function's keyword arguments."""

    name: str
    family: str
    inputs: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = ("png", "pdf")
    plot: str = ""

    @property
    def plot_function(self) -> str:
        """Key of the plot function in its family's ``PLOTS`` (default: the figure's name)."""
        return self.plot or self.name


def canonical(obj: Any) -> Any:
    """``obj`` with every mapping's keys sorted, recursively: params that do not depend on the
    order of keys in a config file (snakemake reruns a job when its params' text changes)."""
    if isinstance(obj, Mapping):
        return {k: canonical(obj[k]) for k in sorted(obj)}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    return obj


def _sub(section: Mapping[str, Any], *keys: str) -> dict:
    return {k: section[k] for k in keys}


def _sync_meanfield(s: Mapping[str, Any]) -> list[DatasetJob]:
    common = _sub(s, "Gamma", "w", "t_final", "seed")
    no_tf = _sub(s, "Gamma", "w", "seed")
    jobs = {
        "phase_diagram": {**common, **_sub(s["phase_diagram"], "kappa", "J")},
        "traces": {**_sub(s, "Gamma", "w", "seed"), **s["traces"]},
        "chirality": {**no_tf, **s["chirality"]},
        "hysteresis_Delta": {**_sub(s, "Gamma", "w"), **s["hysteresis_Delta"]},
        "hysteresis_J_imag": {**_sub(s, "Gamma", "w"), **s["hysteresis_J_imag"]},
        "threshold": {**_sub(s, "Gamma", "t_final", "seed"), **s["threshold"]},
        "decoherence": {**common, **s["decoherence"]},
    }
    return [DatasetJob("sync_meanfield", name, name, params, threads=2) for name, params in jobs.items()]


def _sync_finite(s: Mapping[str, Any]) -> list[DatasetJob]:
    common = _sub(s, "Gamma", "w")
    out = [
        DatasetJob("sync_finite", "observables_N", "observables_N",
                   {**common, **s["observables_N"],  # the points' order is the dataset's: keep it in a list
                    "points": [[name, *point] for name, point in s["observables_N"]["points"].items()]}),
        DatasetJob("sync_finite", "observables_kappa", "observables_kappa", {**common, **s["observables_kappa"]}),
        DatasetJob("sync_finite", "spectra_J", "spectra_map", {**common, **s["spectra_J"], "scan": "J"}),
        DatasetJob("sync_finite", "spectra_Delta", "spectra_map", {**common, **s["spectra_Delta"], "scan": "Delta"}),
        DatasetJob("sync_finite", "comb", "comb", {**common, **s["comb"]}),
    ]
    return out


def _sync_trajectories(s: Mapping[str, Any]) -> list[DatasetJob]:
    common = _sub(s, "Gamma", "w", "dt", "sample_dt", "efficiency")
    f8, f9, f10, f11 = s["fig_S8"], s["fig_S9"], s["fig_S10"], s["fig_S11"]
    out = []
    for regime, kappa, J, N in f8["points"]:
        params = {**common, "regime": regime, "kappa": kappa, "J": J, "N": N,
                  **_sub(f8, "n_traj", "t_final", "seed")}
        out.append(DatasetJob("sync_trajectories", f"S8_{regime}", "regime_trajectories", params))
    # the schema's "window" default sits behind a $ref and is not filled in: None = one TW period
    f9, f10, f11 = ({"window": None, **f} for f in (f9, f10, f11))
    out.append(DatasetJob("sync_trajectories", "S9", "window_trajectories", {**common, **f9}))
    ensembles = []
    for i, N in enumerate(f10["N"]):
        params = {**common, **{k: v for k, v in f10.items() if k != "N"}, "N": N, "seed": f10["seed"] + N}
        job = DatasetJob("sync_trajectories", f"S10_ensemble_{i}", "reversal_ensemble", params)
        ensembles.append(job.key)
        out.append(job)
    out.append(DatasetJob("sync_trajectories", "S10_rates", "reversal_rates", {}, inputs=tuple(ensembles)))
    out.append(DatasetJob("sync_trajectories", "S11", "detection_ensembles", {**common, **f11}))
    return out


def _emission_large(config: Mapping[str, Any]) -> list[DatasetJob]:
    s, e = config["emission_large"], config["emission"]
    common = {**_sub(s, "distance_nm", "t_max", "n_times"), "coupling": dict(e["coupling"]),
              "physics": dict(e["physics"])}
    options = {"blocks": dict(e["solver"]["blocks"]), **s["solver"]}

    def solver(*methods):
        return {m: dict(options[m]) for m in methods}

    emap, out, cells = s["error_map"], [], []
    for N in emap["N"]:
        for a_q in emap["spacing_nm"]:
            params = {**common, "N": N, "spacing_nm": a_q, "k0": list(emap["k0"]), "methods": list(emap["methods"]),
                      "solver": solver("blocks", *emap["methods"])}
            out.append(DatasetJob("emission_large", f"error_map_{len(cells)}", "error_map_cell", params))
            cells.append(out[-1].key)
    out.append(DatasetJob("emission_large", "error_map", "error_map", {}, inputs=tuple(cells)))
    cells = []
    for method, ns in s["scaling"]["N"].items():
        for j, k0 in enumerate(s["scaling"]["k0"]):
            if ns:
                params = {**common, "k0": k0, "N": list(ns), "method": method,
                          **_sub(s["scaling"], "spacing_nm", "n_early_times"),
                          "solver": solver(method)}
                out.append(DatasetJob("emission_large", f"scaling_{method}_{j}", "scaling_cell", params,
                                      threads=2 if method.startswith("cumulant") else 1))
                cells.append(out[-1].key)
    out.append(DatasetJob("emission_large", "scaling", "scaling", {}, inputs=tuple(cells)))
    return out


def _emission_systems(config: Mapping[str, Any]) -> list[DatasetJob]:
    """One job per sweep point of each ``emission.systems`` entry, then one dataset per system."""
    e, large = config["emission"], config.get("emission_large", {})
    options = {"blocks": dict(e["solver"]["blocks"]), "qutip": dict(e["solver"]["qutip"]),
               **{k: dict(v) for k, v in large.get("solver", {}).items()}}
    out = []
    for name, system in e.get("systems", {}).items():
        dims = sweep_dims(system)
        points = []
        for i, (coords, resolved) in enumerate(sweep_points(system)):
            resolved = {k: v for k, v in resolved.items() if k not in ("title", "format")}  # figure-only keys
            params = {"system": resolved, "physics": dict(e["physics"]),
                      "solver": {resolved["method"]: options.get(resolved["method"], {})},
                      "coords": [[dim, key, coords[dim]] for dim, key in dims]}
            out.append(DatasetJob("emission_systems", f"{name}_{i}", "system_point", params))
            points.append(out[-1].key)
        out.append(DatasetJob("emission_systems", name, "system", {"dims": [d for d, _ in dims]}, inputs=tuple(points)))
    return out


def _sensing(config: Mapping[str, Any]) -> list[DatasetJob]:
    """Fisher maps (one job per k0), shots (one job per N), the posterior example and the coverage check (one job per k0)."""
    s = config["sensing"]
    common = {**_sub(s, "spacing_nm", "distance_nm", "readout_error"), "physics": dict(config["emission"]["physics"])}
    out, points = [], []
    f = s["fisher_map"]
    for i, k0 in enumerate(f["k0"]):
        out.append(DatasetJob("sensing", f"fisher_map_{i}", "fisher_map_point",
                              {**common, **_sub(f, "N", "times", "detection_efficiency"), "k0": k0}))
        points.append(out[-1].key)
    out.append(DatasetJob("sensing", "fisher_map", "fisher_map", {}, inputs=tuple(points)))
    points = []
    for i, N in enumerate(s["shots"]["N"]):
        params = {**common, **_sub(s["shots"], "k0", "times", "sigma", "power"), "N": N}
        out.append(DatasetJob("sensing", f"shots_{i}", "shots_point", params))
        points.append(out[-1].key)
    out.append(DatasetJob("sensing", "shots", "shots", {}, inputs=tuple(points)))
    points = []
    for i, N in enumerate(s["design"]["N"]):
        params = {**common, **_sub(s["design"], "k0", "times", "overhead"), "N": N}
        out.append(DatasetJob("sensing", f"design_{i}", "design_point", params))
        points.append(out[-1].key)
    out.append(DatasetJob("sensing", "design", "design", {}, inputs=tuple(points)))
    out.append(DatasetJob("sensing", "posterior", "posterior", {**common, **s["posterior"]}))
    points = []
    cov = s["coverage"]
    for i, k0 in enumerate(cov["k0"]):  # experiments of every job draw from their own seeds
        params = {**common, **cov, "k0": k0, "seed": cov["seed"] + i * cov["n_experiments"]}
        out.append(DatasetJob("sensing", f"coverage_{i}", "coverage_point", params))
        points.append(out[-1].key)
    out.append(DatasetJob("sensing", "coverage", "coverage", {}, inputs=tuple(points)))
    return out


def datasets(config: Mapping[str, Any]) -> dict[str, DatasetJob]:
    """Every non-chunked dataset of the config, keyed ``"<family>/<name>"``."""
    jobs = [DatasetJob("emission", "fig3", "fig3", dict(config["emission"]["fig3"]))]
    jobs += _emission_large(config)
    jobs += _emission_systems(config)
    jobs += _sensing(config)
    jobs += _sync_meanfield(config["sync_meanfield"])
    jobs += _sync_finite(config["sync_finite"])
    jobs += _sync_trajectories(config["sync_trajectories"])
    return {job.key: replace(job, params=canonical(job.params)) for job in jobs}


def _emission_figures(e: Mapping[str, Any]) -> list[FigureJob]:
    f = e["figures"]
    fmt = tuple(f["format"])
    n = f["fig4_N"]
    show = {"N": n, "t_display": f["t_display"]}
    return [
        FigureJob("E3", "emission", ("emission/fig3",), {}, fmt),
        FigureJob("E4a", "emission", ("emission/map_k0",), {"N": n, "physics": dict(e["physics"])}, fmt),
        FigureJob("E4b", "emission", ("emission/fig4bc",), {**show, "k0": list(f["fig4b_k0"])}, fmt),
        FigureJob("E4c", "emission", ("emission/fig4bc",), {**show, "k0": list(f["fig4c_k0"])}, fmt),
        FigureJob("E4d", "emission", ("emission/fig4d",), {"t_display": f["t_display"]}, fmt),
        FigureJob("E_map_delta_k0_t", "emission", ("emission/map_k0",), {"N": n}, fmt),
        FigureJob("E_map_maxdelta_k0_N", "emission", ("emission/map_k0_N",), {}, fmt),
    ]


def _emission_large_figures(s: Mapping[str, Any]) -> list[FigureJob]:
    fmt = tuple(s["format"])
    return [FigureJob("E_error_map", "emission_large", ("emission_large/error_map",), {}, fmt),
            FigureJob("E_scaling_N", "emission_large", ("emission_large/scaling", "emission_large/error_map"), {}, fmt)]


def _sync_figures(config: Mapping[str, Any]) -> list[FigureJob]:
    mf, fn, tr = config["sync_meanfield"], config["sync_finite"], config["sync_trajectories"]
    out = [FigureJob(name, "sync_meanfield", (f"sync_meanfield/{data}",), {}, tuple(mf["format"]))
           for name, data in (("S1d", "phase_diagram"), ("S15", "phase_diagram"), ("S1efg", "traces"),
                              ("S2a", "chirality"), ("S2b", "hysteresis_Delta"), ("S2c", "hysteresis_J_imag"),
                              ("S14a", "threshold"), ("S14b", "decoherence"))]
    fmt = tuple(fn["format"])
    out += [FigureJob("S4", "sync_finite", ("sync_finite/observables_N",), {}, fmt),
            FigureJob("S5", "sync_finite", ("sync_finite/observables_kappa",), {}, fmt),
            FigureJob("S6", "sync_finite", ("sync_finite/spectra_J", "sync_finite/spectra_Delta"), {}, fmt),
            FigureJob("S7", "sync_finite", ("sync_finite/comb",), {}, fmt)]
    fmt = tuple(tr["format"])
    regimes = tuple(f"sync_trajectories/S8_{p[0]}" for p in tr["fig_S8"]["points"])
    out += [FigureJob("S8", "sync_trajectories", regimes, {}, fmt),
            FigureJob("S9", "sync_trajectories", ("sync_trajectories/S9",), {}, fmt),
            FigureJob("S10", "sync_trajectories", ("sync_trajectories/S10_rates",), {}, fmt),
            FigureJob("S11", "sync_trajectories", ("sync_trajectories/S11",), {}, fmt)]
    return out


def _emission_system_figures(e: Mapping[str, Any]) -> list[FigureJob]:
    return [FigureJob(f"E_system_{name}", "emission_systems", (f"emission_systems/{name}",),
                      {"name": name, "title": system.get("title", "")}, tuple(system["format"]), plot="system")
            for name, system in e.get("systems", {}).items()]


def _sensing_figures(s: Mapping[str, Any]) -> list[FigureJob]:
    fmt = tuple(s["format"])
    return [FigureJob("E_sensing_fisher", "sensing", ("sensing/fisher_map",), {}, fmt),
            FigureJob("E_sensing_shots", "sensing", ("sensing/shots",), {}, fmt),
            FigureJob("E_sensing_design", "sensing", ("sensing/design",), {}, fmt),
            FigureJob("E_sensing_posterior", "sensing", ("sensing/posterior",), {}, fmt),
            FigureJob("E_sensing_coverage", "sensing", ("sensing/coverage",), {}, fmt)]


def figures(config: Mapping[str, Any]) -> dict[str, FigureJob]:
    """Every figure of the config, keyed by figure name (``figures/<name>.<ext>``)."""
    jobs = (_emission_figures(config["emission"]) + _emission_large_figures(config["emission_large"])
            + _emission_system_figures(config["emission"]) + _sensing_figures(config["sensing"]) + _sync_figures(config))
    return {job.name: replace(job, params=canonical(job.params)) for job in jobs}
