"""Datasets of the ``emission.systems`` entries: one job per sweep point, then one dataset per system.

The config's plain dictionaries become model objects in :mod:`nonrecip.pipeline.system_models`; the
physics is one call, :func:`nonrecip.emission.arrays.ensemble_emission`. The aggregate adds the
ensemble statistics of max_t |δ_x| and max_t |δ_y| (mean and 95 % interval over realisations).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr

from nonrecip.emission.arrays import ensemble_emission, ensemble_statistics
from nonrecip.emission.dynamics import EMISSION_METHODS
from nonrecip.io import combined_method_attrs
from nonrecip.pipeline.system_models import system_models

__all__ = ["BUILDERS"]

def system_point(*, system: Mapping[str, Any], coords: list, physics: Mapping[str, Any],
                 solver: Mapping[str, Any]) -> xr.Dataset:
    """One sweep point: every disorder realisation of one resolved system.

    ``coords`` lists [dimension, dotted config key, value] of each swept key.
    """
    bath, pos, initial = system_models(system, physics)
    method = system["method"]
    options = EMISSION_METHODS[method][0](**solver.get(method, {}))
    times = np.linspace(0.0, system["times"]["t_max"], system["times"]["n_times"])
    d = system["disorder"]
    ds = ensemble_emission(bath, pos, times, sigma_nm=d["sigma_nm"], n_realizations=d["n_realizations"],
                           seed=d["seed"], initial=None if initial.label == "all_excited" else initial,
                           method=method, options=options)
    for dim, key, value in reversed(coords):
        ds = ds.expand_dims({dim: [value]})
        ds[dim].attrs = {"units": _UNITS.get(key.split(".", 1)[1], "1"), "long_name": f"swept config key {key}"}
    return ds


#: units of the keys a sweep may name (last part of the dotted key -> units)
_UNITS = {"k0": "1/a", "distance_nm": "nm", "dmi_angle_deg": "degree", "f_J": "1", "gamma_right": "rate",
          "gamma_left": "rate", "k_per_nm": "1/nm", "gamma_loss": "rate", "N": "1", "spacing_nm": "nm",
          "radius_nm": "nm", "nx": "1", "ny": "1", "spacing_y_nm": "nm", "site": "1", "q": "rad/site",
          "sigma_nm": "nm", "n_realizations": "1", "seed": "1"}


def system(*points: xr.Dataset, dims: list[str]) -> xr.Dataset:
    """All sweep points of one system on the swept dimensions, with ensemble statistics."""
    ds = xr.combine_by_coords(list(points), combine_attrs="drop_conflicts") if dims else points[0]
    ds.attrs.update(combined_method_attrs(points))
    for axis in ("x", "y"):
        peak = np.abs(ds[f"delta_{axis}"]).max("time")
        peak.attrs = {"units": ds[f"delta_{axis}"].attrs["units"], "long_name": f"max over t of |delta_{axis}|"}
        ds[f"max_abs_delta_{axis}"] = peak
        stats = ensemble_statistics(peak)
        for name, var in stats.data_vars.items():
            ds[f"max_abs_delta_{axis}_{name}"] = var
    return ds


BUILDERS = {"system_point": system_point, "system": system}
