"""Paper E's checkable claims, evaluated on the workflow's datasets (docs/theory/emission.md#figure-4, docs/theory/emission.md#k0-scales)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from nonrecip.pipeline.claims.core import Claim, checked
from nonrecip.emission.analysis import burst_threshold_k0
from nonrecip.emission.physics import YIG

__all__ = ["emission_claims"]


def _at(ds: xr.Dataset, **sel) -> xr.Dataset:
    ds = ds.sel(**sel)
    for dim in ("spacing_nm", "distance_nm"):
        if dim in ds.dims:
            ds = ds.isel({dim: 0})
    return ds


def _one_digit(x: float) -> float:
    """x rounded to one significant digit (how the paper states k0,m ≈ 0.003 and k0,c ≈ 0.2)."""
    return float(f"{x:.0e}") if np.isfinite(x) and x != 0 else x


def emission_claims(*, fig3: xr.Dataset, map_k0: xr.Dataset, fig4d: xr.Dataset, fig4bc: xr.Dataset,
                    N: int = 9, physics=None) -> list[Claim]:
    """Evaluate paper E's claims.

    * k0 of maximal asymmetry ≈ 0.003 (N = 9, a_q = 20 nm);
    * the super-radiant burst is lost near k0 ≈ 0.2 (burst criterion, docs/theory/emission.md#burst-criterion);
    * the asymmetry grows with N at k0 = 0.3 (Fig. 4d);
    * mirror symmetry R_α = R_{N+1−α} at k0 = 0;
    * Fig. 3(c): the left qubit decays like an isolated qubit when J^a = γ^s.
    """
    physics = physics or {}
    n_sites = N
    out = []
    m = _at(map_k0, N=n_sites)
    a_q = float(np.atleast_1d(map_k0["spacing_nm"].values)[0])
    k0_m = float(m["k0"].values[int(np.nanargmax(m["max_abs_delta"].values))])
    out.append(checked("E", "k0_max_asymmetry", f"max edge asymmetry at k0,m ~ 0.003 (N = {n_sites}, a_q = {a_q:g} nm)",
                       k0_m, "k0,m rounds to 0.003 (one significant digit, as the paper states it)",
                       _one_digit(k0_m) == 0.003, "argmax over the map_k0 grid of max_t |delta_1N|"))
    k0_c = burst_threshold_k0(n_sites, spacing_nm=a_q, film=YIG.with_overrides(**physics))
    statement, expect = "super-radiant burst of R_tot vanishes near k0,c ~ 0.2", "k0,c rounds to 0.2"
    note = "brentq on (1/N) sum_{a!=b} |gamma_ab|^2 = 1, closed-form couplings"
    if not np.isfinite(k0_c):
        out.append(checked("E", "k0_burst_loss", statement, k0_c, expect, False, note + ": no sign change"))
    elif _one_digit(k0_c) == 0.2:
        out.append(checked("E", "k0_burst_loss", statement, k0_c, expect, True, note))
    else:
        out.append(Claim("E", "k0_burst_loss", statement, k0_c, expect, "differs", note, paper_value="~0.2",
                         reason=(f"the paper states ~0.2 without a criterion; the burst criterion used here (R_tot rises "
                                 f"at t = 0+, which coincides with the loss of an interior maximum of R_tot(t) in the "
                                 f"dynamics) changes sign at k0,c = {k0_c:.3g} for N = {n_sites} (docs/theory/emission.md#burst-criterion)")))
    d = _at(fig4d, k0=float(fig4d["k0"].values[0]))
    ns = d["N"].values
    peaks = np.array([float(d["max_abs_delta"].sel(N=n)) for n in ns])
    grows = bool(np.all(np.diff(peaks) > 0))
    out.append(checked("E", "asymmetry_grows_with_N", f"asymmetry grows with N at k0 = {float(fig4d['k0'].values[0]):g}",
                     float(peaks[-1] / peaks[0]), "max|delta_1N| strictly increasing in N",
                     grows, "max_t|delta| for N = " + ", ".join(f"{n}: {p:.3g}" for n, p in zip(ns, peaks))))
    if 0.0 in fig4bc["k0"].values:
        res = float(_at(fig4bc, k0=0.0)["mirror_residual"].max())
        out.append(checked("E", "mirror_k0_zero", "mirror-symmetric emission at k0 = 0", res,
                         "max |R_a - R_(N+1-a)| < 1e-6", res < 1e-6, "all N of the fig4bc sweep"))
    if 1.0 in fig3["J_a_over_gamma_s"].values:
        r1 = fig3["rate"].sel(J_a_over_gamma_s=1.0, site=1).values
        dev = float(np.abs(r1 - fig3["rate_uncorrelated"].values).max())
        out.append(checked("E", "fig3c_isolated", "Fig. 3(c): at J^a = gamma^s the left qubit decays like an isolated one",
                         dev, "max_t |R_1 - exp(-gamma0 t)| < 1e-6", dev < 1e-6, "closed equations (22)-(26)"))
    return out


#: preference among methods where several computed one N (most accurate first; third order is
#: closer than second for k0 >= 0.03, docs/theory/cumulants.md#accuracy)
_PREFERENCE = ("blocks", "trajectories", "cumulant3", "cumulant2")


def _best_curve(scaling: xr.Dataset, k0: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """max_t |δ_1N| vs N at one k0, each N from the most accurate method that computed it."""
    d = scaling.sel(k0=k0)
    ns, values, used = [], [], []
    for n in d["N"].values:
        for method in _PREFERENCE:
            if method in d["numerical_method"].values:
                v = float(d["max_abs_delta"].sel(numerical_method=method, N=n))
                if np.isfinite(v):
                    ns.append(int(n))
                    values.append(v)
                    used.append(method)
                    break
    return np.array(ns), np.array(values), used


def asymmetry_trend(ns: np.ndarray, values: np.ndarray) -> str:
    """"grows", "saturates" or "turns over": the trend of max_t |δ_1N| over the last factor 2 of N.

    * turns over — the value at the largest N is below 90 % of the maximum over N;
    * grows — otherwise, if it rose by more than 10 % from N_max/2 to N_max;
    * saturates — otherwise.
    """
    last = values[-1]
    if last < 0.9 * values.max():
        return "turns over"
    half = values[ns <= ns[-1] / 2]
    return "grows" if half.size and last > 1.1 * half[-1] else "saturates"


def large_array_claims(*, scaling: xr.Dataset) -> list[Claim]:
    """Paper E's "the asymmetry is cooperative and grows with N", followed to the largest N computed."""
    trends, notes = [], []
    for k0 in scaling["k0"].values:
        ns, values, used = _best_curve(scaling, float(k0))
        trend = asymmetry_trend(ns, values)
        trends.append(trend)
        n_peak = int(ns[int(np.argmax(values))])
        notes.append(f"k0 = {k0:g}: {trend} (max {values.max():.3g} at N = {n_peak}; N = {ns[-1]}: {values[-1]:.3g}, "
                     f"{used[-1]})")
    n_top = int(scaling["N"].values.max())
    statement = f"the edge asymmetry grows with N (followed here to N = {n_top})"
    note = "; ".join(notes) + " — each N by the most accurate method that reached it (blocks > trajectories > cumulant3 > cumulant2)"
    ratio = float(np.mean([t == "grows" for t in trends]))
    if all(t == "grows" for t in trends):
        return [checked("E", "asymmetry_large_N", statement, ratio, "max_t|delta_1N| still rising at the largest N for every k0",
                        True, note)]
    return [Claim("E", "asymmetry_large_N", statement, ratio, "max_t|delta_1N| still rising at the largest N for every k0",
                  "differs", note, paper_value="grows with N (shown for N = 5, 7, 9)",
                  reason="beyond the paper's N the trend is " + ", ".join(sorted(set(trends))) +
                  " for some k0 (the value is the fraction of k0 curves still growing)")]
