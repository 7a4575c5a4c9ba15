"""Scalar summaries of emission time series (docs/theory/emission.md#sweeps-and-outputs, "store per grid point")."""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from nonrecip.emission.couplings import coupling_matrices
from nonrecip.emission.physics import YIG, FilmParameters

__all__ = ["emission_summary", "SUMMARY_ATTRS", "burst_threshold_k0", "lambda1_curve"]

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


def burst_threshold_k0(N: int, *, spacing_nm: float = 20.0, k0_bracket=(0.01, 2.0), film: FilmParameters = YIG) -> float:
    """k0,c where the closed-form burst criterion (1/N)Σ_{α≠β}|γ_αβ|² − 1 changes sign (docs/theory/emission.md#burst-criterion).

    Returns NaN if the criterion has no sign change in the bracket.
    """
    def crit(k0):
        return coupling_matrices(N, k0=k0, spacing_nm=spacing_nm, film=film).attrs["burst_criterion"]

    lo, hi = k0_bracket
    if crit(lo) * crit(hi) > 0:
        return float("nan")
    return float(brentq(crit, lo, hi, xtol=1e-6))


def lambda1_curve(k0, *, film: FilmParameters = YIG) -> np.ndarray:
    """λ1(k0) = a/√(k0² + κ²) [nm] (Fig. 4a)."""
    return np.array([film.scales(float(k)).lambda1_nm for k in np.atleast_1d(k0)])
