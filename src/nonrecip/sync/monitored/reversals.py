"""Chirality reversals and phase statistics of conditional trajectories (docs/theory/sync.md#monitored-trajectories, Figs. S9–S11).

Reversal counting (docs/theory/sync.md#monitored-trajectories, implementation [chosen] there):

1. z(t) = ⟨σ^+_A⟩⟨σ^+_B⟩*/|…| = e^{i(φ_A − φ_B)} per trajectory (s_n = ⟨σ^-_n⟩ = r_n e^{−iφ_n},
   so z = s_A* s_B / |s_A s_B|);
2. boxcar circular moving average z̄ over a window τ_w (default: one mean-field traveling-wave
   period 2π/|ω_MF| at the dataset's rates, docs/theory/sync.md#mean-field-limit);
3. chirality = sign of sin(arg z̄) = sign(Im z̄) (φ_A − φ_B closer to +π/2 or to −π/2);
   an exact zero keeps the previous sign;
4. a reversal is a sign change; its time is the midpoint of the two averaged samples.

The rate is the total count divided by the total observed time of the non-diverged
trajectories; its standard error is the trajectory-to-trajectory spread of the per-trajectory
rates over √n (Poisson √count when only one trajectory), and the 95% confidence interval is
rate ± 1.96 SE (clipped at 0).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from nonrecip.sync.model import SyncParams
from nonrecip.validate import real

__all__ = ["chirality_reversals", "phase_distributions", "traveling_wave_period", "windowed_chirality"]


def traveling_wave_period(*, kappa, J, Delta=0.0, w=0.5, Gamma=1.0, t_final=1500.0) -> float:
    """Period 2π/|ω| of the mean-field traveling wave (docs/theory/sync.md Eq. 11; e.g. 17.8 at κ = Γ, J = 2Γ).

    Raises ``ValueError`` when the mean-field state does not move (|ω| < 1e-3 Γ).
    """
    from nonrecip.sync.meanfield.solver import meanfield_trajectory

    times = np.linspace(0.0, t_final, int(t_final * 4) + 1)
    mf = meanfield_trajectory(SyncParams(kappa=kappa, J=J, Delta=Delta, w=w, Gamma=Gamma), times=times,
                              initial=(0.3, 0.3j, 0.5, 0.5))
    late = times >= 2 * t_final / 3
    phi = mf.phi_A.values[late]
    omega = (phi[-1] - phi[0]) / (times[late][-1] - times[late][0])
    if abs(omega) < 1e-3 * Gamma:
        raise ValueError(f"window must be given: the mean-field state at kappa={kappa}, J={J} is static "
                         f"(omega = {omega:.2e}), so it has no traveling-wave period")
    return float(2 * np.pi / abs(omega))


def _window_samples(ds: xr.Dataset, window, t_start):
    t = ds["time"].values
    if window is None:
        a = ds.attrs
        window = traveling_wave_period(kappa=a["kappa"], J=complex(a["J_real"], a.get("J_imag", 0.0)),
                                       Delta=a.get("Delta", 0.0), w=a["w"], Gamma=a["Gamma"])
    window = real("window", window, minimum=0.0, exclusive_minimum=True)
    if t_start is not None:
        t_start = real("t_start", t_start)
    sel = t >= (t[0] if t_start is None else t_start)
    ts = t[sel]
    if ts.size < 2:
        raise ValueError("t_start leaves fewer than 2 samples")
    h = np.diff(ts)
    if np.any(np.abs(h - h[0]) > 1e-6 * h[0]):
        raise ValueError("the time coordinate must be uniformly spaced")
    m = int(round(window / h[0]))
    if not (np.isfinite(window) and window > 0) or m < 1:
        raise ValueError(f"window must be > 0 and at least one sample ({h[0]:g}), got {window}")
    if m > ts.size:
        raise ValueError(f"window {window:g} is longer than the analysed time span")
    return window, m, sel, ts


def windowed_chirality(ds: xr.Dataset, m: int, sel) -> tuple[np.ndarray, np.ndarray]:
    """Windowed (m samples) circular average z̄ of e^{i(φ_A−φ_B)} and the chirality ±1."""
    sA = ds["s_A"].values[:, sel]
    sB = ds["s_B"].values[:, sel]
    prod = np.conj(sA) * sB
    mag = np.abs(prod)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(mag > 0, prod / np.where(mag > 0, mag, 1.0), prod)  # |s| = 0: z = 0; NaN stays NaN
    c = np.cumsum(np.pad(z, ((0, 0), (1, 0))), axis=1)
    zbar = (c[:, m:] - c[:, :-m]) / m
    sign = np.sign(np.nan_to_num(zbar.imag)).astype(np.int8)
    for j in range(sign.shape[0]):  # zeros keep the previous sign
        row = sign[j]
        for i in range(1, row.size):
            if row[i] == 0:
                row[i] = row[i - 1]
    return zbar, sign


def chirality_reversals(ds: xr.Dataset, *, window=None, t_start=None) -> xr.Dataset:
    """Chirality reversals per trajectory and their rate (docs/theory/sync.md#monitored-trajectories; Figs. S9, S10).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`nonrecip.sync.monitored.trajectories` (complex ``s_A``, ``s_B`` on
        ("trajectory", "time"), uniform time spacing; rates in the attributes when ``window``
        is None). Trajectories containing NaN (diverged) are excluded.
    window : float, optional
        Boxcar window τ_w (units of 1/Γ). Default: one mean-field traveling-wave period.
    t_start : float, optional
        Discard samples before this time (transient). Default: keep all.

    Returns
    -------
    xarray.Dataset
        ``reversal_times`` (trajectory, reversal; NaN-padded), ``n_reversals`` (trajectory),
        ``chirality`` (trajectory, time_avg) ±1, ``rate`` with ``rate_stderr``,
        ``rate_ci_low``/``rate_ci_high`` (95%), ``phase_difference`` φ_A − φ_B (trajectory,
        time) wrapped to (−π, π]; attrs window, t_start, n_valid.
    """
    if not isinstance(ds, xr.Dataset) or "s_A" not in ds or "s_B" not in ds:
        raise ValueError("ds must be a trajectories dataset with s_A and s_B")
    window, m, sel, ts = _window_samples(ds, window, t_start)
    zbar, sign = windowed_chirality(ds, m, sel)
    tavg = 0.5 * (ts[m - 1:] + ts[: ts.size - m + 1])
    valid = np.all(np.isfinite(zbar), axis=1)
    flips = sign[:, 1:] != sign[:, :-1]
    flips[~valid] = False
    counts = flips.sum(axis=1)
    n_rev = max(int(counts.max(initial=0)), 1)
    rt = np.full((sign.shape[0], n_rev), np.nan)
    tmid = 0.5 * (tavg[1:] + tavg[:-1])
    for j in np.nonzero(counts)[0]:
        rt[j, : counts[j]] = tmid[flips[j]]
    duration = float(tavg[-1] - tavg[0])
    nv = int(valid.sum())
    if nv == 0 or duration <= 0:
        rate = se = np.nan
    else:
        per = counts[valid] / duration
        rate = float(per.mean())
        se = float(per.std(ddof=1) / np.sqrt(nv)) if nv > 1 else float(np.sqrt(counts[valid].sum()) / duration)
    one = {"units": "1"}
    inv = {"units": "Gamma"}
    chir = np.where(valid[:, None], sign, 0).astype(np.int8)
    with np.errstate(invalid="ignore"):
        dphi = np.angle(np.conj(ds["s_A"].values) * ds["s_B"].values)
    out = xr.Dataset(
        {
            "reversal_times": (("trajectory", "reversal"), rt,
                               {"units": "1/Gamma", "long_name": "times of chirality reversals (NaN padded)"}),
            "n_reversals": ("trajectory", np.where(valid, counts, -1),
                            {**one, "long_name": "number of chirality reversals (-1: trajectory dropped)"}),
            "chirality": (("trajectory", "time_avg"), chir,
                          {**one, "long_name": "sign of sin of the windowed phase difference (0: dropped)"}),
            "phase_difference": (("trajectory", "time"), dphi,
                                 {"units": "rad", "long_name": "phase difference phi_A - phi_B"}),
            "rate": ((), rate, {**inv, "long_name": "chirality reversals per unit time"}),
            "rate_stderr": ((), se, {**inv, "long_name": "standard error of the reversal rate"}),
            "rate_ci_low": ((), max(rate - 1.96 * se, 0.0) if np.isfinite(rate) else np.nan,
                            {**inv, "long_name": "95% confidence interval of the rate, lower end"}),
            "rate_ci_high": ((), rate + 1.96 * se, {**inv, "long_name": "95% confidence interval of the rate, upper end"}),
        },
        coords={
            "trajectory": ds["trajectory"],
            "time": ds["time"],
            "time_avg": ("time_avg", tavg, {"units": "1/Gamma", "long_name": "centre of the averaging window"}),
            "reversal": ("reversal", np.arange(n_rev), {**one, "long_name": "reversal index"}),
        },
        attrs={"window": window, "window_samples": m, "t_start": float(ts[0]), "n_valid": nv,
               "observed_time": duration},
    )
    return out


def phase_distributions(ds: xr.Dataset, *, window=None, t_start=None, bins=72) -> xr.Dataset:
    """Time- and trajectory-averaged P(φ_A), P(φ_B) post-selected by chirality (Fig. S11).

    Samples at the centres of the averaging windows are assigned the windowed chirality
    (:func:`chirality_reversals`); φ_n = −arg s_n is histogrammed on (−π, π] with ``bins``
    bins, normalised to unit integral per chirality.
    """
    if int(bins) < 2:
        raise ValueError(f"bins must be >= 2, got {bins}")
    window, m, sel, ts = _window_samples(ds, window, t_start)
    zbar, sign = windowed_chirality(ds, m, sel)
    centre = np.arange(sign.shape[1]) + (m - 1) // 2
    edges = np.linspace(-np.pi, np.pi, int(bins) + 1)
    data = {}
    for name in ("A", "B"):
        phi = -np.angle(ds[f"s_{name}"].values[:, sel][:, centre])
        P = np.zeros((2, int(bins)))
        for k, ch in enumerate((1, -1)):
            pick = (sign == ch) & np.isfinite(phi) & np.isfinite(zbar)
            h, _ = np.histogram(phi[pick], bins=edges, density=True)
            P[k] = h if pick.any() else np.nan
        data[f"P_phi_{name}"] = (("chirality", "phi"), P,
                                 {"units": "1/rad", "long_name": f"phase distribution P(phi_{name})"})
    return xr.Dataset(
        data,
        coords={
            "chirality": ("chirality", [1, -1], {"units": "1", "long_name": "chirality (sign of sin(phi_A - phi_B))"}),
            "phi": ("phi", 0.5 * (edges[1:] + edges[:-1]), {"units": "rad", "long_name": "phase phi"}),
        },
        attrs={"window": window, "t_start": float(ts[0])},
    )
