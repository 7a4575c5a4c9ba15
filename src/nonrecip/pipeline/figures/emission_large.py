"""Figures of paper E at large N: the error map of the approximate methods and the asymmetry vs N."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.colors import LogNorm
from matplotlib.ticker import ScalarFormatter

from nonrecip.pipeline.figures.style import plt

__all__ = ["PLOTS", "plot_error_map", "plot_scaling"]

_MARKERS = {"blocks": ("o", "exact (blocks)"), "trajectories": ("s", "trajectories (±3 SE)"),
            "cumulant2": ("v", "cumulant 2nd order"), "cumulant3": ("^", "cumulant 3rd order")}
_TRUSTED = 0.1  # the error level the maps mark (10 % of max_t |delta_1N|)


def plot_error_map(error_map: xr.Dataset):
    """Relative δ_1N error over (k0, N), one panel per approximate method and qubit spacing.

    The contour marks an error of 10 % of max_t |δ_1N| (docs/theory/large_arrays.md#error-map).
    """
    methods, spacings = list(error_map["numerical_method"].values), list(error_map["spacing_nm"].values)
    fig, axes = plt.subplots(len(methods), len(spacings), figsize=(3.6 * len(spacings), 2.9 * len(methods)),
                             squeeze=False, sharex=True, sharey=True)
    err = error_map["delta_error"]
    finite = err.values[np.isfinite(err.values) & (err.values > 0)]
    norm = LogNorm(vmin=max(finite.min(), 1e-6), vmax=max(finite.max(), 1.0)) if finite.size else None
    k0, ns = error_map["k0"].values, error_map["N"].values
    image = None
    for i, method in enumerate(methods):
        for j, a_q in enumerate(spacings):
            ax = axes[i, j]
            z = err.sel(numerical_method=method, spacing_nm=a_q).transpose("N", "k0").values
            image = ax.pcolormesh(k0, ns, np.where(z > 0, z, np.nan), norm=norm, cmap="viridis", shading="nearest")
            if np.nanmin(z) < _TRUSTED < np.nanmax(z) and len(k0) > 1 and len(ns) > 1:
                ax.contour(k0, ns, z, levels=[_TRUSTED], colors="w", linewidths=1.5)
            ax.set_xscale("log")
            ax.set_title(f"{method}, $a_q$ = {a_q:g} nm", fontsize=9)
            if i == len(methods) - 1:
                ax.set_xlabel(r"$k_0$ (units of $1/a$)")
            if j == 0:
                ax.set_ylabel("N")
            ax.grid(False)
    if image is not None:
        fig.colorbar(image, ax=axes, label=r"max$_t|\delta_{1N}-\delta_{1N}^{\rm exact}|$ / max$_t|\delta_{1N}^{\rm exact}|$")
    fig.suptitle("Error of the approximate methods (white line: 10 %)")
    return fig


def _band(error_map: xr.Dataset | None, method: str, k0: float, a_q: float) -> float:
    """Relative δ_1N error of ``method`` at the largest N of the error map (nearest k0; NaN if absent)."""
    if error_map is None or method not in error_map["numerical_method"].values or a_q not in error_map["spacing_nm"].values:
        return np.nan
    err = error_map["delta_error"].sel(numerical_method=method, spacing_nm=a_q).dropna("N", how="all")
    if err.sizes["N"] == 0:
        return np.nan
    return float(err.isel(N=-1).sel(k0=k0, method="nearest"))


def plot_scaling(scaling: xr.Dataset, error_map: xr.Dataset | None = None):
    """max_t |δ_1N|, burst peak and burst time vs N, each point by the method that computed it.

    Cumulant points carry a band of ± the relative error the error map measured at its largest
    N for that method and k0; trajectory points carry ± 3 standard errors
    (docs/theory/large_arrays.md#asymmetry-scaling).
    """
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.8))
    a_q = float(scaling["spacing_nm"].values)
    for c, k0 in enumerate(scaling["k0"].values):
        color = f"C{c}"
        for method in scaling["numerical_method"].values:
            d = scaling.sel(numerical_method=method, k0=k0)
            have = np.isfinite(d["max_abs_delta"].values)
            if not have.any():
                continue
            n = d["N"].values[have]
            marker, _ = _MARKERS.get(str(method), ("x", str(method)))
            y = d["max_abs_delta"].values[have]
            axes[0].plot(n, y, marker=marker, ls="-", color=color, ms=4, lw=0.8, mfc="none" if method != "blocks" else color)
            if method == "trajectories":
                axes[0].errorbar(n, y, yerr=3 * d["max_abs_delta_stderr"].values[have], fmt="none", ecolor=color)
            rel = _band(error_map, str(method), float(k0), a_q)
            if np.isfinite(rel):
                axes[0].fill_between(n, y * (1 - rel), y * (1 + rel), color=color, alpha=0.15, lw=0)
            axes[1].plot(n, d["rate_total_peak"].values[have] / n, marker=marker, ls="-", color=color, ms=4, lw=0.8)
            axes[2].plot(n, d["t_rate_total_peak"].values[have], marker=marker, ls="-", color=color, ms=4, lw=0.8)
        axes[0].plot([], [], color=color, label=f"$k_0$ = {k0:g}")
    for method, (marker, label) in _MARKERS.items():
        if method in scaling["numerical_method"].values:
            axes[0].plot([], [], marker=marker, ls="none", color="k", mfc="none", label=label)
    for ax, ylabel in zip(axes, (r"max$_t|\delta_{1N}|/\gamma_0$", r"burst peak $\mathcal{R}_{\rm tot}/(N\gamma_0)$",
                                 r"burst time $\gamma_0 t_{\rm peak}$")):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.set_xlabel("N")
        ax.set_ylabel(ylabel)
    axes[0].set_yscale("log")
    axes[1].set_yscale("log")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Asymmetry and burst vs N ($a_q$ = {a_q:g} nm; no marker: no burst)")
    fig.tight_layout()
    return fig


#: figure name -> plot function(*datasets, **params) -> Figure
PLOTS = {"E_error_map": plot_error_map, "E_scaling_N": plot_scaling}
