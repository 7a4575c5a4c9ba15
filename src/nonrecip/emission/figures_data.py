"""Data of figures that are not grid sweeps: Fig. E3 (two qubits) and the Fig. E4(a) scales."""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from nonrecip.emission.couplings import coupling_matrices
from nonrecip.emission.dynamics import emission_dynamics, pair_emission_rates
from nonrecip.emission.physics import YIG

__all__ = ["fig3_dataset", "burst_threshold_k0", "lambda1_curve"]


def fig3_dataset(*, gamma_s: float = 0.9, J_a_over_gamma_s=(0.0, 0.2, 1.0, 4.0), t_max: float = 6.0,
                 n_times: int = 241) -> xr.Dataset:
    """R_1(t), R_2(t) of paper E Fig. 3: closed Eqs. (22)–(26), (29) and QuTiP as a check.

    J_12 = i J^a, γ_12 = γ^s (J^s = γ^a = 0), γ0 = 1, from |ee⟩.
    """
    times = np.linspace(0.0, t_max, n_times)
    ratios = np.asarray(J_a_over_gamma_s, dtype=float)
    pair, ref = [], []
    for r in ratios:
        ja = r * gamma_s
        pair.append(pair_emission_rates(ja, gamma_s, times).T)
        J = np.array([[0, 1j * ja], [-1j * ja, 0]])
        g = np.array([[1.0, gamma_s], [gamma_s, 1.0]])
        ref.append(emission_dynamics(J, g, times, method="qutip", rtol=1e-10, atol=1e-12)["rate"].values)
    pair, ref = np.array(pair), np.array(ref)
    site = {"units": "1", "long_name": "qubit index alpha (1 = left)"}
    return xr.Dataset(
        {
            "rate": (("J_a_over_gamma_s", "site", "time"), pair,
                     {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (Eqs. 22-26, 29)"}),
            "rate_qutip": (("J_a_over_gamma_s", "site", "time"), ref,
                           {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (QuTiP mesolve)"}),
            "rate_uncorrelated": (("time",), np.exp(-times),
                                  {"units": "gamma0", "long_name": "isolated qubit exp(-gamma0 t)"}),
            "max_deviation": ((), float(np.abs(pair - ref).max()),
                              {"units": "gamma0", "long_name": "max |closed equations - QuTiP|"}),
        },
        coords={
            "J_a_over_gamma_s": ("J_a_over_gamma_s", ratios, {"units": "1", "long_name": "J^a_12 / gamma^s_12"}),
            "site": ("site", [1, 2], site),
            "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
        },
        attrs={"gamma_s": gamma_s},
    )


def burst_threshold_k0(n_sites: int, *, spacing_nm: float = 20.0, k0_bracket=(0.01, 2.0), **physics) -> float:
    """k0,c where the closed-form burst criterion (1/N)Σ_{α≠β}|γ_αβ|² − 1 changes sign (spec E §3.6).

    Returns NaN if the criterion has no sign change in the bracket.
    """
    def crit(k0):
        return coupling_matrices(n_sites, k0=k0, spacing_nm=spacing_nm, **physics).attrs["burst_criterion"]

    lo, hi = k0_bracket
    if crit(lo) * crit(hi) > 0:
        return float("nan")
    return float(brentq(crit, lo, hi, xtol=1e-6))


def lambda1_curve(k0, **physics) -> np.ndarray:
    """λ1(k0) = a/√(k0² + κ²) [nm] (Fig. 4a)."""
    film = YIG.with_overrides(**physics) if physics else YIG
    return np.array([film.scales(float(k)).lambda1_nm for k in np.atleast_1d(k0)])
