"""Scalar summaries of emission time series (spec E §8, "store per grid point")."""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["emission_summary", "SUMMARY_ATTRS"]

#: units and long names of the summary variables
SUMMARY_ATTRS = {
    "max_abs_delta": ("gamma0", "max over t of |delta_1N|"),
    "t_max_abs_delta": ("1/gamma0", "time of max |delta_1N|"),
    "delta_min": ("gamma0", "min over t of delta_1N"),
    "t_delta_min": ("1/gamma0", "time of min delta_1N"),
    "delta_max": ("gamma0", "max over t of delta_1N"),
    "t_delta_max": ("1/gamma0", "time of max delta_1N"),
    "integral_abs_delta": ("1", "integral of |delta_1N| dt (trapezoid)"),
    "rate_total_peak": ("gamma0", "interior maximum of R_tot (NaN: no super-radiant burst)"),
    "t_rate_total_peak": ("1/gamma0", "time of the interior maximum of R_tot (NaN: none)"),
    "mirror_residual": ("gamma0", "max over alpha, t of |R_alpha - R_(N+1-alpha)|"),
    "remaining_excitation": ("1", "sum of populations at the last time"),
}


def emission_summary(dyn: xr.Dataset) -> dict[str, float]:
    """Scalars of one emission run (output of :func:`~nonrecip.emission.emission_dynamics`).

    The R_tot burst is "interior" when the maximum over t is not at the first sample.
    """
    t = dyn["time"].values
    delta = dyn["delta"].values
    rtot = dyn["rate_total"].values
    rate = dyn["rate"].values
    k_abs, k_min, k_max, k_tot = (int(np.argmax(np.abs(delta))), int(np.argmin(delta)),
                                  int(np.argmax(delta)), int(np.argmax(rtot)))
    interior = 0 < k_tot < len(t) - 1
    out = {
        "max_abs_delta": float(np.abs(delta[k_abs])),
        "t_max_abs_delta": float(t[k_abs]),
        "delta_min": float(delta[k_min]),
        "t_delta_min": float(t[k_min]),
        "delta_max": float(delta[k_max]),
        "t_delta_max": float(t[k_max]),
        "integral_abs_delta": float(np.trapezoid(np.abs(delta), t)),
        "rate_total_peak": float(rtot[k_tot]) if interior else np.nan,
        "t_rate_total_peak": float(t[k_tot]) if interior else np.nan,
        "mirror_residual": float(np.abs(rate - rate[::-1]).max()),
        "remaining_excitation": float(dyn["population"].values[:, -1].sum()) if "population" in dyn else np.nan,
    }
    return out
