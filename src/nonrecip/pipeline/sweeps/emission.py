"""Parameter sweeps of paper E: grids from the config, chunks of grid points, aggregation.

A sweep is a grid over ``GRID_DIMS`` = (N, k0, spacing_nm, distance_nm). The workflow splits
its points into chunks (one job each): :func:`couplings_chunk` writes the coupling matrices,
:func:`dynamics_chunk` the emission time series and summaries, and :func:`aggregate_chunks`
unstacks all chunks into one dataset with one named dimension per swept parameter.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from nonrecip.emission.analysis import SUMMARY_ATTRS, emission_summary
from nonrecip.emission.couplings import coupling_matrices
from nonrecip.emission.dynamics import EMISSION_METHODS, emission_dynamics
from nonrecip.emission.physics import YIG
from nonrecip.log import get_logger
from nonrecip.pipeline.grids import DIM_ATTRS, GRID_DIMS, chunk_points, grid_axes, grid_points, time_grid

__all__ = [
    "GRID_DIMS", "grid_axes", "grid_points", "chunk_points", "couplings_chunk",
    "dynamics_chunk", "aggregate_chunks", "check_chunk_coverage", "time_grid",
]

_log = get_logger("emission.sweep")


def _pad(matrix: np.ndarray, n_max: int) -> np.ndarray:
    out = np.full((n_max,) * matrix.ndim, np.nan + 0j if np.iscomplexobj(matrix) else np.nan,
                  dtype=matrix.dtype)
    out[tuple(slice(0, s) for s in matrix.shape)] = matrix
    return out


def _point_coords(points: Sequence[dict]) -> dict:
    return {dim: ("point", np.array([p[dim] for p in points]), DIM_ATTRS[dim]) for dim in GRID_DIMS}


def couplings_chunk(points: Sequence[dict], *, coupling: Mapping[str, Any], physics: Mapping[str, Any]) -> xr.Dataset:
    """Coupling matrices of a chunk of grid points, padded to the chunk's largest N.

    ``coupling["model"]`` ``"auto"`` takes the closed form at ``distance_nm = 0`` and the full
    integrals at ``> 0``; ``"closed_form"`` or ``"integral"`` force one model.
    """
    film = YIG.with_overrides(**physics)
    n_max = max(p["N"] for p in points)
    Js, gs, eigs, scal = [], [], [], []
    models = []
    for p in points:
        model = coupling["model"]
        if model == "auto":
            model = "closed_form" if p["distance_nm"] == 0 else "integral"
        models.append(model)
        ds = coupling_matrices(
            p["N"], k0=p["k0"], spacing_nm=p["spacing_nm"], distance_nm=p["distance_nm"],
            model=model, film=film, f_J=coupling["f_J"], include_near_field=coupling["include_near_field"],
        )
        Js.append(_pad(ds["J"].values, n_max))
        gs.append(_pad(ds["gamma"].values, n_max))
        eigs.append(np.pad(ds["gamma_eigenvalues"].values, (0, n_max - p["N"]), constant_values=np.nan))
        scal.append({k: ds.attrs[k] for k in ("lambda0_nm", "lambda1_nm", "k1", "nonreciprocity",
                                                 "gamma0_hz", "burst_criterion", "min_gamma_eigenvalue")})
        _log.info("couplings N=%d k0=%g a_q=%g d=%g (%s): min eig %.2e", p["N"], p["k0"],
                  p["spacing_nm"], p["distance_nm"], model, ds.attrs["min_gamma_eigenvalue"])
    site = {"units": "1", "long_name": "qubit index (1 = leftmost)"}
    scalar_attrs = {
        "lambda0_nm": ("nm", "lambda0 = a/k0"), "lambda1_nm": ("nm", "lambda1 = a/k1"),
        "k1": ("1/a", "k1 = sqrt(k0^2 + kappa^2)"), "nonreciprocity": ("1", "c = 2 k0 k1/(k0^2 + k1^2)"),
        "gamma0_hz": ("1/s", "gamma0 estimate (order of magnitude, docs/theory/emission.md#physical-parameters)"),
        "burst_criterion": ("1", "(1/N) sum_{a!=b} |gamma_ab|^2 - 1 (burst iff > 0)"),
        "min_gamma_eigenvalue": ("gamma0", "smallest eigenvalue of gamma (PSD check)"),
    }
    data = {
        "J": (("point", "alpha", "beta"), np.array(Js), {"units": "gamma0", "long_name": "coherent coupling J_ab / gamma0"}),
        "gamma": (("point", "alpha", "beta"), np.array(gs), {"units": "gamma0", "long_name": "dissipative coupling gamma_ab / gamma0"}),
        "gamma_eigenvalues": (("point", "mode"), np.array(eigs), {"units": "gamma0", "long_name": "eigenvalues of gamma (ascending)"}),
    }
    for key, (units, name) in scalar_attrs.items():
        data[key] = (("point",), np.array([s[key] for s in scal], dtype=float), {"units": units, "long_name": name})
    coords = {
        "point": ("point", np.arange(len(points)), {"units": "1", "long_name": "grid point in chunk"}),
        "alpha": ("alpha", np.arange(1, n_max + 1), site),
        "beta": ("beta", np.arange(1, n_max + 1), site),
        "mode": ("mode", np.arange(1, n_max + 1), {"units": "1", "long_name": "collective mode index"}),
        **_point_coords(points),
    }
    used = sorted(set(models))
    return xr.Dataset(data, coords=coords, attrs={
        "method": "couplings/" + "+".join(used), "coupling_model": coupling["model"], "f_J": coupling["f_J"],
        "include_near_field": int(coupling["include_near_field"]),
        "method_options": json.dumps({"f_J": coupling["f_J"], "include_near_field": coupling["include_near_field"],
                                      "physics": dict(physics)}, sort_keys=True)})


def dynamics_chunk(couplings: xr.Dataset, *, times, solver: Mapping[str, Any]) -> xr.Dataset:
    """Emission dynamics and summaries for every point of a couplings chunk.

    ``solver`` is the config's ``emission.solver`` section: ``method`` and one option mapping
    per method (:data:`~nonrecip.emission.dynamics.EMISSION_METHODS`).
    """
    method = solver["method"]
    options = EMISSION_METHODS[method][0](**solver.get(method, {}))
    times = np.asarray(times, dtype=float)
    n_max = couplings.sizes["alpha"]
    fields = {k: [] for k in ("rate", "population", "delta", "rate_total", "cpu_seconds")}
    summaries = []
    for i in range(couplings.sizes["point"]):
        n = int(couplings["N"].values[i])
        J = couplings["J"].values[i, :n, :n]
        gamma = couplings["gamma"].values[i, :n, :n]
        dyn = emission_dynamics(J, gamma, times, method=method, options=options)
        pad = np.full((n_max, times.size), np.nan)
        for key in ("rate", "population"):
            block = pad.copy()
            block[:n] = dyn[key].values
            fields[key].append(block)
        fields["delta"].append(dyn["delta"].values)
        fields["rate_total"].append(dyn["rate_total"].values)
        fields["cpu_seconds"].append(dyn.attrs["cpu_seconds"])
        summaries.append(emission_summary(dyn))
        _log.info("dynamics %d/%d N=%d k0=%g: max|delta|=%.4g, %.1f CPU-s (%s)", i + 1,
                  couplings.sizes["point"], n, float(couplings["k0"].values[i]),
                  summaries[-1]["max_abs_delta"], dyn.attrs["cpu_seconds"], dyn.attrs["method"])
    data = {
        "rate": (("point", "site", "time"), np.array(fields["rate"]), {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0"}),
        "population": (("point", "site", "time"), np.array(fields["population"]), {"units": "1", "long_name": "excited population of qubit alpha"}),
        "delta": (("point", "time"), np.array(fields["delta"]), {"units": "gamma0", "long_name": "asymmetry delta_1N = (R_1 - R_N)/gamma0"}),
        "rate_total": (("point", "time"), np.array(fields["rate_total"]), {"units": "gamma0", "long_name": "collective rate R_tot / gamma0"}),
        "cpu_seconds": (("point",), np.array(fields["cpu_seconds"]),
                        {"units": "s", "long_name": "solver CPU time", "role": "timing"}),
    }
    for key, (units, name) in SUMMARY_ATTRS.items():
        data[key] = (("point",), np.array([s[key] for s in summaries]), {"units": units, "long_name": name})
    keep = ["lambda0_nm", "lambda1_nm", "nonreciprocity", "burst_criterion", "min_gamma_eigenvalue"]
    ds = xr.Dataset(data, coords={
        "point": couplings["point"], "site": ("site", np.arange(1, n_max + 1), {"units": "1", "long_name": "qubit index alpha (1 = leftmost)"}),
        "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
        **{dim: couplings[dim] for dim in GRID_DIMS},
    })
    for key in keep:
        ds[key] = couplings[key]
    ds.attrs.update({k: couplings.attrs[k] for k in ("coupling_model", "f_J", "include_near_field")})
    ds.attrs.update(coupling_method=couplings.attrs["method"], coupling_options=couplings.attrs["method_options"],
                    method=method, method_options=dyn.attrs["method_options"])
    return ds


def check_chunk_coverage(chunks: Sequence[xr.Dataset], sweep: Mapping[str, Any], names: Sequence[str]) -> None:
    """Raise unless the chunks hold every grid point of ``sweep`` exactly once, each chunk in its place.

    Chunk ``i`` must hold exactly the points of chunk ``i`` of the sweep's grid; the message names the file
    (``names[i]``) that holds wrong, missing or repeated points.
    """
    expected = chunk_points(grid_points(sweep), max(c.sizes["point"] for c in chunks))
    if len(expected) != len(chunks):
        expected = None  # chunk size not recoverable from the files: check the union only
    seen = {}
    for i, (c, name) in enumerate(zip(chunks, names)):
        held = [tuple(float(c[d].values[k]) for d in GRID_DIMS) for k in range(c.sizes["point"])]
        if expected is not None:
            want = [tuple(float(p[d]) for d in GRID_DIMS) for p in expected[i]]
            if held != want:
                raise ValueError(f"{name}: holds the grid points {held}, but chunk {i} of this sweep is {want} "
                                 "(a file of another sweep or chunk?)")
        for point in held:
            if point in seen:
                raise ValueError(f"{name}: grid point {dict(zip(GRID_DIMS, point))} is also in {seen[point]}")
            seen[point] = name
    want_all = {tuple(float(p[d]) for d in GRID_DIMS) for p in grid_points(sweep)}
    missing = want_all - set(seen)
    if missing or set(seen) - want_all:
        raise ValueError(f"chunks of this sweep miss {sorted(missing)} and hold {sorted(set(seen) - want_all)} "
                         "beyond its grid")


def aggregate_chunks(chunks: Sequence[xr.Dataset]) -> xr.Dataset:
    """Combine chunk datasets into one with dims (N, k0, spacing_nm, distance_nm, ...)."""
    n_max = max(c.sizes.get("site", c.sizes.get("alpha", 0)) for c in chunks)
    padded = []
    offset = 0
    for c in chunks:
        for dim in ("site", "alpha", "beta", "mode"):
            if dim in c.dims and c.sizes[dim] < n_max:
                c = c.reindex({dim: np.arange(1, n_max + 1)})
        c = c.assign_coords(point=c["point"].values + offset)
        offset += c.sizes["point"]
        padded.append(c)
    combined = xr.concat(padded, dim="point", combine_attrs="override")
    out = combined.set_index(point=list(GRID_DIMS)).unstack("point")
    for dim in GRID_DIMS:
        out[dim].attrs.update(DIM_ATTRS[dim])
    for name in list(out.coords) + list(out.data_vars):
        src = chunks[0][name] if name in chunks[0].variables else None
        if src is not None:
            out[name].attrs.update(src.attrs)
    return out
