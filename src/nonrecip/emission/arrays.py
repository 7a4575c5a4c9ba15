"""Emission of the user's own emitter array: a bath, a geometry and an initial state to one dataset.

:func:`array_emission` is the one call from model objects to the labelled result; it adds the
positions and the edge asymmetries of a 2D array to what :func:`~nonrecip.emission.emission_dynamics`
returns. :func:`ensemble_emission` repeats it over Gaussian position disorder (one more
dimension, ``realization``), and :func:`ensemble_statistics` reduces such an ensemble to its mean
and a 95 % confidence interval (docs/theory/baths.md#disorder-ensembles).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import stats

from nonrecip.emission.dynamics import emission_dynamics
from nonrecip.emission.geometry import jitter, positions as _positions
from nonrecip.validate import integer, real

__all__ = ["array_emission", "ensemble_emission", "ensemble_statistics", "edge_sites", "EDGE_TOLERANCE_NM"]

#: sites within this distance of the extreme projection belong to an edge [nm]
EDGE_TOLERANCE_NM = 1e-6


def edge_sites(positions_nm, angle: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Sites (1…N) of the two edges of an array along the direction u = (cos angle, sin angle).

    The "first" edge holds the sites of smallest projection r·u, the "last" edge those of the
    largest (within :data:`EDGE_TOLERANCE_NM`); for a chain along x these are sites 1 and N.
    """
    pos = _positions(positions_nm)
    p = pos @ np.array([np.cos(angle), np.sin(angle)])
    first = np.nonzero(p <= p.min() + EDGE_TOLERANCE_NM)[0] + 1
    last = np.nonzero(p >= p.max() - EDGE_TOLERANCE_NM)[0] + 1
    return first, last


def _edge_asymmetry(rate: xr.DataArray, first, last) -> xr.DataArray:
    if np.array_equal(first, last):
        return xr.zeros_like(rate.isel(site=0, drop=True))
    return rate.sel(site=first).sum("site") - rate.sel(site=last).sum("site")


def array_emission(bath, positions_nm, times, *, initial=None, method: str = "blocks", options=None,
                   edges_from=None) -> xr.Dataset:
    """Emission dynamics of emitters at ``positions_nm`` coupled through ``bath``.

    Parameters
    ----------
    bath : object with ``couplings(positions_nm) -> (J, gamma)`` and ``attrs() -> dict``
        E.g. :class:`~nonrecip.emission.baths.ChiralMagnet` (docs/theory/baths.md).
    positions_nm : array_like (N, 2) or (N,)
        Emitter positions [nm] (:mod:`nonrecip.emission.geometry`).
    times : array_like
        Increasing output times in the bath's time unit (1/γ0 for the chiral magnet).
    initial : InitialState, optional
        :mod:`nonrecip.emission.initial`; ``None`` is every emitter excited.
    method, options
        As for :func:`~nonrecip.emission.emission_dynamics`.
    edges_from : array_like, optional
        Positions whose edges define the edge asymmetries (default ``positions_nm``); a disorder
        ensemble passes the clean array here.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`~nonrecip.emission.emission_dynamics` plus ``x``/``y`` (site)
        positions [nm] and ``delta_x`` (time) = Σ R over the x-min edge − Σ R over the x-max
        edge, ``delta_y`` likewise along y (docs/theory/baths.md#edge-asymmetry); attrs of the
        bath (``bath_*``) and the initial state.
    """
    pos = _positions(positions_nm)
    if not (hasattr(bath, "couplings") and hasattr(bath, "attrs")):
        raise TypeError(f"bath must have couplings(positions_nm) and attrs() (docs/theory/baths.md#own-bath), "
                        f"got {type(bath).__name__}")
    J, gamma = bath.couplings(pos)
    ds = emission_dynamics(J, gamma, times, initial=initial, method=method, options=options)
    ref = pos if edges_from is None else _positions(edges_from)
    if ref.shape != pos.shape:
        raise ValueError(f"edges_from must have the shape of positions_nm {pos.shape}, got {ref.shape}")
    site_pos = {"units": "nm", "long_name": "emitter position {} coordinate"}
    ds["x"] = ("site", pos[:, 0], {**site_pos, "long_name": site_pos["long_name"].format("x")})
    ds["y"] = ("site", pos[:, 1], {**site_pos, "long_name": site_pos["long_name"].format("y")})
    for axis, angle in (("x", 0.0), ("y", np.pi / 2)):
        first, last = edge_sites(ref, angle)
        ds[f"delta_{axis}"] = _edge_asymmetry(ds["rate"], first, last)
        ds[f"delta_{axis}"].attrs = {"units": ds["rate"].attrs["units"],
                                     "long_name": f"edge asymmetry along {axis}: sum R (sites {first.tolist()}) "
                                                  f"- sum R (sites {last.tolist()})"}
    ds.attrs.update({f"bath_{k}": v for k, v in bath.attrs().items()})
    return ds


def ensemble_emission(bath, positions_nm, times, *, sigma_nm: float, n_realizations: int, seed: int,
                      initial=None, method: str = "blocks", options=None) -> xr.Dataset:
    """:func:`array_emission` over Gaussian position disorder: dimension ``realization`` (0…n−1).

    Realisation r jitters every coordinate by an independent normal of standard deviation
    ``sigma_nm`` drawn from the stream ``numpy.random.SeedSequence(seed).spawn(n)[r]``;
    σ = 0 solves once and repeats the clean result exactly. Edges come from the clean array.
    The solver CPU time of each realisation is the variable ``cpu_seconds`` (attribute ``role =
    "timing"``), not an attribute, since it differs between otherwise identical runs.
    """
    pos = _positions(positions_nm)
    sigma_nm = real("sigma_nm", sigma_nm, minimum=0.0)
    n_realizations = integer("n_realizations", n_realizations, minimum=1)
    seed = integer("seed", seed, minimum=0)
    streams = np.random.SeedSequence(seed).spawn(n_realizations)
    runs, cpu = [], []
    for r in range(n_realizations):
        if sigma_nm == 0 and runs:
            runs.append(runs[0])
            cpu.append(0.0)
            continue
        jittered = jitter(pos, sigma_nm, int(streams[r].generate_state(1)[0]))
        runs.append(array_emission(bath, jittered, times, initial=initial, method=method, options=options,
                                   edges_from=pos))
        cpu.append(runs[-1].attrs["cpu_seconds"])
    ds = xr.concat(runs, dim="realization", data_vars="all", coords="minimal", compat="override",
                   combine_attrs="override")
    ds = ds.assign_coords(realization=("realization", np.arange(n_realizations),
                                       {"units": "1", "long_name": "disorder realisation"}))
    ds.attrs.pop("cpu_seconds", None)
    ds["cpu_seconds"] = ("realization", np.array(cpu), {"units": "s", "role": "timing",
                                                       "long_name": "solver CPU time (0: repeated clean result)"})
    ds.attrs.update({"sigma_nm": sigma_nm, "n_realizations": n_realizations, "disorder_seed": seed})
    return ds


def ensemble_statistics(values: xr.DataArray, dim: str = "realization", level: float = 0.95) -> xr.Dataset:
    """Mean and two-sided Student-t confidence interval of ``values`` over ``dim``.

    Returns ``mean``, ``ci_low``, ``ci_high`` (units of ``values``) and ``stderr``;
    with one sample the interval is NaN.
    """
    level = real("level", level, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if level >= 1:
        raise ValueError(f"level must be < 1, got {level}")
    n = values.sizes[dim]
    mean = values.mean(dim)
    stderr = values.std(dim, ddof=1) / np.sqrt(n) if n > 1 else xr.full_like(mean, np.nan)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * stderr if n > 1 else stderr
    units = values.attrs.get("units", "1")
    name = values.attrs.get("long_name", values.name or "value")
    out = xr.Dataset({
        "mean": (mean.dims, mean.values, {"units": units, "long_name": f"ensemble mean of {name}"}),
        "stderr": (mean.dims, np.asarray(stderr), {"units": units, "long_name": f"standard error of the mean of {name}"}),
        "ci_low": (mean.dims, np.asarray(mean - half), {"units": units, "long_name": f"{level:.0%} confidence interval, lower end"}),
        "ci_high": (mean.dims, np.asarray(mean + half), {"units": units, "long_name": f"{level:.0%} confidence interval, upper end"}),
    }, coords=mean.coords)
    out.attrs.update({"confidence_level": level, "n_samples": n, "interval": "Student t, two-sided"})
    return out
