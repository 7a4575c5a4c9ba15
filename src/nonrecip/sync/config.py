"""Semantic checks of the sync config sections (beyond the JSON schema).

Each sync capability registers its own check here with
``@register_check("<section>")``; keep this module additive.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nonrecip.config import ConfigError, register_check


def grid_values(spec) -> np.ndarray:
    """A 1-D grid from a list of values or from ``{start, stop, num}`` (inclusive)."""
    if isinstance(spec, Mapping):
        return np.linspace(spec["start"], spec["stop"], int(spec["num"]))
    return np.atleast_1d(np.asarray(spec, dtype=float))


def _requirement(section_key: str):
    """``need(cond, where, msg)`` raising :class:`ConfigError` for ``<section_key>.<where>``."""

    def need(cond, where, msg):
        if not cond:
            raise ConfigError(f"{section_key}.{where}: {msg}")

    return need


@register_check("sync_meanfield")
def _check_sync_meanfield(section: Mapping[str, Any]) -> None:
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


@register_check("sync_finite")
def _check_sync_finite(section: Mapping[str, Any]) -> None:
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


@register_check("sync_trajectories")
def _check_sync_trajectories(section: Mapping[str, Any]) -> None:
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
