"""Semantic checks of the config sections, beyond what the JSON schema can express.

Each check takes its section (defaults filled in) and raises
:class:`~nonrecip.pipeline.errors.ConfigError` whose message starts with the offending key.
:data:`SECTION_CHECKS` lists them; :func:`nonrecip.pipeline.config.validate_config` runs them.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from nonrecip.emission.physics import YIG
from nonrecip.emission.solvers.blocks.memory import estimate_memory_bytes
from nonrecip.pipeline.errors import ConfigError
from nonrecip.pipeline.grids import GRID_DIMS, grid_axes, grid_values

__all__ = ["SECTION_CHECKS", "check_emission", "check_emission_large", "check_sync_meanfield", "check_sync_finite",
           "check_sync_trajectories", "check_sensing"]


def _requirement(section_key: str):
    """``need(cond, where, msg)`` raising :class:`ConfigError` for ``<section_key>.<where>``."""

    def need(cond, where, msg):
        if not cond:
            raise ConfigError(f"{section_key}.{where}: {msg}")

    return need


def check_sync_meanfield(section: Mapping[str, Any]) -> None:
    """Γ ≥ |κ| on every grid (Eq. 5), increasing sweep values, valid example points."""
    need = _requirement("sync_meanfield")
    G = section["Gamma"]

    def kappa_ok(values, where):
        k = np.max(np.abs(grid_values(values)))
        need(k <= G * (1 + 1e-12), where, f"|kappa| = {k:g} exceeds Gamma = {G:g} (Eq. 5 needs Gamma >= |kappa|)")

    pd = section["phase_diagram"]
    kappa_ok(pd["kappa"], "phase_diagram.kappa")
    for i, (name, kap, _J) in enumerate(section["traces"]["points"]):
        need(abs(kap) <= G, f"traces.points[{i}]", f"|kappa| = {kap:g} exceeds Gamma = {G:g}")
    tr = section["traces"]
    need(tr["t_start"] < tr["t_end"], "traces.t_start", "must be < t_end")
    kappa_ok([section["chirality"]["kappa"]], "chirality.kappa")
    for name in ("hysteresis_Delta", "hysteresis_J_imag"):
        kappa_ok([section[name]["kappa"]], f"{name}.kappa")
        v = grid_values(section[name]["values"])
        need(v.size >= 2 and np.all(np.diff(v) > 0), f"{name}.values", "must increase and hold >= 2 values")
    thr = section["threshold"]
    need(np.max(np.abs(grid_values(thr["kappa"]))) <= thr.get("Gamma", G), "threshold.kappa",
         "|kappa| exceeds Gamma")
    kappa_ok([section["decoherence"]["kappa"]], "decoherence.kappa")
    need(np.min(grid_values(section["decoherence"]["rates"])) >= 0, "decoherence.rates", "must be >= 0")


def check_sync_finite(section: Mapping[str, Any]) -> None:
    """Γ ≥ |κ| at every finite-N point (Eq. 5); exact N and dense spectra within reach."""
    need = _requirement("sync_finite")
    G = section["Gamma"]

    for name, (kap, _J) in section["observables_N"]["points"].items():
        need(abs(kap) <= G, f"observables_N.points.{name}", f"|kappa| = {kap:g} exceeds Gamma = {G:g} (Eq. 5)")
    need(section["observables_N"]["N_exact_max"] <= 22, "observables_N.N_exact_max",
         "N > 22 exceeds the memory of a 24 GB machine (benchmarks/README.md)")
    k = section["observables_kappa"]["kappa"]
    need(max(abs(k["start"]), abs(k["stop"])) <= G, "observables_kappa.kappa", f"|kappa| exceeds Gamma = {G:g}")
    for name in ("spectra_J", "spectra_Delta", "comb"):
        need(abs(section[name]["kappa"]) <= G, f"{name}.kappa", f"|kappa| exceeds Gamma = {G:g}")
    need(max(section["comb"]["N"]) <= 10, "comb.N", "exact spectra beyond N = 10 are too slow here")


def check_sync_trajectories(section: Mapping[str, Any]) -> None:
    """Γ ≥ |κ| at every point (Eq. 5), sampling on the dt grid, transients shorter than runs."""
    need = _requirement("sync_trajectories")
    G = section["Gamma"]

    ratio = section["sample_dt"] / section["dt"]
    need(abs(ratio - round(ratio)) < 1e-9 and round(ratio) >= 1, "sample_dt", "must be a multiple of dt")
    names = []
    for i, point in enumerate(section["fig_S8"]["points"]):
        need(isinstance(point[0], str) and point[0].isidentifier(), f"fig_S8.points[{i}]",
             "the regime name must be an identifier (used in file names)")
        need(abs(point[1]) <= G, f"fig_S8.points[{i}]", f"|kappa| = {point[1]:g} exceeds Gamma = {G:g} (Eq. 5)")
        need(int(point[3]) == point[3] and point[3] >= 2, f"fig_S8.points[{i}]", "N must be an integer >= 2")
        names.append(point[0])
    need(len(set(names)) == len(names), "fig_S8.points", "regime names must be unique")
    for fig in ("fig_S9", "fig_S10", "fig_S11"):
        need(abs(section[fig]["kappa"]) <= G, f"{fig}.kappa", f"|kappa| exceeds Gamma = {G:g} (Eq. 5)")
    for fig in ("fig_S10", "fig_S11"):
        need(section[fig]["t_start"] < section[fig]["t_final"], f"{fig}.t_start", "must be < t_final")
    need(len(set(section["fig_S10"]["N"])) == len(section["fig_S10"]["N"]), "fig_S10.N", "values must be unique")


def check_emission(section: Mapping[str, Any]) -> None:
    """Semantic checks of the ``emission`` config section (beyond the schema)."""
    try:
        YIG.with_overrides(**section.get("physics", {}))
    except (ValueError, TypeError) as err:
        raise ConfigError(f"emission.physics: {err}") from None
    solver = section["solver"]
    for name, sweep in section["sweeps"].items():
        key = f"emission.sweeps.{name}"
        for dim in GRID_DIMS:
            spec = sweep[dim]
            if isinstance(spec, Mapping):
                if not spec["log_min"] < spec["log_max"]:
                    raise ConfigError(f"{key}.{dim}: log_min ({spec['log_min']}) must be below log_max ({spec['log_max']})")
                n = (spec["log_max"] - spec["log_min"]) * spec["points_per_decade"]
                if n > MAX_AXIS_POINTS:
                    raise ConfigError(f"{key}.{dim}: the log grid would hold ~{n:.3g} values (at most {MAX_AXIS_POINTS})")
        axes = grid_axes(sweep)
        n_points = math.prod(len(v) for v in axes.values())
        if n_points > MAX_GRID_POINTS:
            raise ConfigError(f"{key}: {n_points} grid points (at most {MAX_GRID_POINTS}; each costs a solver run)")
        for dim in GRID_DIMS:
            if not axes[dim]:
                raise ConfigError(f"{key}.{dim}: empty grid")
        n_big = max(axes["N"])
        if solver["method"] == "qutip" and n_big > 10:
            raise ConfigError(f"{key}.N: N={n_big} is beyond the QuTiP solver (<= 10, > 10 GB); "
                              "use emission.solver.method: blocks")
        if solver["method"] == "blocks":
            state_gb = estimate_memory_bytes(n_big) / 1e9
            if state_gb > solver["blocks"]["max_memory_gb"]:
                raise ConfigError(f"{key}.N: N={n_big} needs ~{state_gb:.1f} GB, above "
                                  f"emission.solver.blocks.max_memory_gb={solver['blocks']['max_memory_gb']}")
        if section["coupling"]["model"] == "closed_form" and any(d != 0 for d in axes["distance_nm"]):
            raise ConfigError(f"{key}.distance_nm: the closed form (coupling.model: closed_form) needs d = 0; "
                              "use coupling.model: auto or integral")
        if section["coupling"]["model"] == "integral" and any(d <= 0 for d in axes["distance_nm"]):
            raise ConfigError(f"{key}.distance_nm: the integral model needs d > 0")
    _check_figure_values(section)
    for name, system in section.get("systems", {}).items():
        check_system(f"emission.systems.{name}", system, section.get("physics", {}))


def check_system(key: str, system: Mapping[str, Any], physics: Mapping[str, Any]) -> None:
    """One ``emission.systems`` entry: the keys each kind takes, and every sweep point buildable.

    Each sweep point's bath, geometry and initial state are built (cheap: no dynamics), so a
    value that the physics refuses stops the run with the key and the library's message.
    """
    from nonrecip.emission.initial import INITIAL_STATE_METHODS
    from nonrecip.pipeline.system_models import KIND_KEYS, build_bath, build_geometry, build_initial
    from nonrecip.pipeline.systems import sweep_dims, sweep_points

    need = _requirement(key)
    for part, kinds in KIND_KEYS.items():
        spec = system.get(part, {"kind": "all_excited"})
        required, optional = kinds[spec["kind"]]
        for k in required:
            need(k in spec or f"{part}.{k}" in system.get("sweep", {}), f"{part}.{k}",
                 f"required by {part}.kind = {spec['kind']}")
        extra = sorted(set(spec) - {"kind", *required, *optional})
        need(not extra, f"{part}.{extra[0] if extra else ''}",
             f"not a key of {part}.kind = {spec['kind']} (it takes {', '.join((*required, *optional)) or 'nothing'})")
    for dim, dotted in sweep_dims(system):
        part, leaf = dotted.split(".", 1)
        if part == "disorder":
            need(leaf in ("sigma_nm", "n_realizations", "seed"), f"sweep.{dotted}", "not a disorder key")
        else:
            spec = system.get(part, {"kind": "all_excited"})
            required, optional = KIND_KEYS[part][spec["kind"]]
            need(leaf in (*required, *optional), f"sweep.{dotted}",
                 f"not a key of {part}.kind = {spec['kind']} (it takes {', '.join((*required, *optional)) or 'nothing'})")
    dims = [d for d, _ in sweep_dims(system)]
    need(len(dims) == len(set(dims)), "sweep", f"two swept keys give the same dimension name: {dims}")
    points = sweep_points(system)
    need(len(points) <= MAX_SYSTEM_POINTS, "sweep", f"{len(points)} sweep points (at most {MAX_SYSTEM_POINTS})")
    initial_kind = system.get("initial", {}).get("kind", "all_excited")
    need(system["method"] in INITIAL_STATE_METHODS or initial_kind == "all_excited", "method",
         f"method {system['method']} starts from all_excited only; initial.kind = {initial_kind} needs one of "
         f"{INITIAL_STATE_METHODS}")
    for coords, resolved in points:
        where = "" if not coords else f" (sweep point {coords})"
        part = "geometry"
        try:
            pos = build_geometry(resolved["geometry"])
            part = "initial"
            initial = build_initial(resolved["initial"], len(pos))
            part = "bath"
            build_bath(resolved["bath"], physics).couplings(pos)
        except (ValueError, TypeError, FileNotFoundError) as err:
            raise ConfigError(f"{key}.{part}{where}: {err}") from None
        N = len(pos)
        n_top = initial.max_excitations
        if system["method"] == "blocks" and not (n_top <= 2 and n_top < N):
            need(N <= METHOD_N_MAX["blocks"], "geometry",
                 f"N = {N} with {n_top} excitations is beyond the exact block solver (N <= {METHOD_N_MAX['blocks']}; "
                 "at most 2 excitations reach N in the thousands)")
        elif system["method"] != "blocks":
            need(N <= METHOD_N_MAX[system["method"]], "geometry",
                 f"N = {N} is beyond method {system['method']} (at most {METHOD_N_MAX[system['method']]})")


#: most sweep points of one system (each is a job)
MAX_SYSTEM_POINTS = 2000


#: largest N each emission method is allowed in the config (memory or time on a workstation)
METHOD_N_MAX = {"blocks": 14, "trajectories": 20, "cumulant2": 2000, "cumulant3": 85, "qutip": 10}


def check_emission_large(section: Mapping[str, Any]) -> None:
    """Every N within the reach of the method that is to compute it (:data:`METHOD_N_MAX`)."""
    need = _requirement("emission_large")
    emap = section["error_map"]
    for method in ("blocks", *emap["methods"]):
        need(max(emap["N"], default=0) <= METHOD_N_MAX[method], "error_map.N",
             f"N = {max(emap['N'])} is beyond method {method} (at most {METHOD_N_MAX[method]})")
    need(len(emap["N"]) > 0, "error_map.N", "must hold at least one N")
    for method, ns in section["scaling"]["N"].items():
        need(max(ns, default=0) <= METHOD_N_MAX[method], f"scaling.N.{method}",
             f"N = {max(ns, default=0)} is beyond method {method} (at most {METHOD_N_MAX[method]})")
    need(any(section["scaling"]["N"].values()), "scaling.N", "at least one method needs N values")


def check_sensing(section: Mapping[str, Any]) -> None:
    """Prior intervals increasing and holding the true k0 of the synthetic data they are fitted to."""
    need = _requirement("sensing")
    for key in ("posterior", "coverage"):
        lo, hi = section[key]["prior_interval"]
        need(lo < hi, f"{key}.prior_interval", f"must be increasing, got {[lo, hi]}")
        truths = section[key]["k0"] if isinstance(section[key]["k0"], list) else [section[key]["k0"]]
        outside = [k for k in truths if not lo < k < hi]
        need(not outside, f"{key}.k0", f"true k0 {outside} outside the prior interval {[lo, hi]}")


#: config section -> its semantic check
SECTION_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "emission": check_emission,
    "emission_large": check_emission_large,
    "sensing": check_sensing,
    "sync_meanfield": check_sync_meanfield,
    "sync_finite": check_sync_finite,
    "sync_trajectories": check_sync_trajectories,
}


#: size guards of the emission sweeps
MAX_AXIS_POINTS = 10_000
MAX_GRID_POINTS = 100_000


def _check_figure_values(section: Mapping[str, Any]) -> None:
    """The values the paper-E figures select exist in the sweeps they are drawn from."""
    figures, sweeps = section["figures"], section["sweeps"]
    fig4bc, map_k0 = grid_axes(sweeps["fig4bc"]), grid_axes(sweeps["map_k0"])
    for key in ("fig4b_k0", "fig4c_k0"):
        missing = [v for v in figures[key] if float(v) not in fig4bc["k0"]]
        if missing:
            raise ConfigError(f"emission.figures.{key}: {missing} not in emission.sweeps.fig4bc.k0 "
                              f"(available: {fig4bc['k0']})")
    n = figures["fig4_N"]
    for sweep, axes in (("fig4bc", fig4bc), ("map_k0", map_k0)):
        if n not in axes["N"]:
            raise ConfigError(f"emission.figures.fig4_N: N = {n} is not in emission.sweeps.{sweep}.N "
                              f"(available: {axes['N']})")
