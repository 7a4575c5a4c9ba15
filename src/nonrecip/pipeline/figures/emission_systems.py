"""Figures of the ``emission.systems`` entries: population maps, edge asymmetry, total rate, sweep summary.

One figure per system (docs/theory/baths.md#systems-config): top row, the site-resolved
population ⟨σ⁺_α σ⁻_α⟩(t) at up to four sweep points (ensemble mean); bottom row, δ_x(t) and
R_tot(t) at every sweep point (95 % band over disorder realisations) and, when something is
swept, max_t |δ_x| and max_t |δ_y| against the first swept key with their 95 % intervals.
"""

from __future__ import annotations

import itertools

import numpy as np
import xarray as xr

from nonrecip.pipeline.figures.style import plt

__all__ = ["PLOTS", "plot_system"]

_RESERVED = ("realization", "site", "time")


def _sweep_dims(ds: xr.Dataset) -> list[str]:
    return [d for d in ds["delta_x"].dims if d not in _RESERVED]


def _points(ds: xr.Dataset, dims: list[str]) -> list[dict]:
    return [dict(zip(dims, combo)) for combo in itertools.product(*(ds[d].values.tolist() for d in dims))]


def _label(point: dict) -> str:
    return ", ".join(f"{k} = {v:g}" for k, v in point.items()) or "single point"


def _band(ax, t, values: xr.DataArray, label: str, color):
    """Ensemble mean and its 95 % Student-t band (one realisation: the curve alone)."""
    from nonrecip.emission.arrays import ensemble_statistics

    if values.sizes.get("realization", 1) > 1:
        stats = ensemble_statistics(values)
        ax.plot(t, stats["mean"], color=color, label=label, lw=1.2)
        ax.fill_between(t, stats["ci_low"], stats["ci_high"], color=color, alpha=0.25, lw=0)
    else:
        ax.plot(t, values.squeeze("realization", drop=True) if "realization" in values.dims else values,
                color=color, label=label, lw=1.2)


def plot_system(ds: xr.Dataset, *, name: str, title: str = ""):
    """The figure of one system (module docstring)."""
    dims = _sweep_dims(ds)
    points = _points(ds, dims)
    shown = points if len(points) <= 4 else [points[0], points[len(points) // 2], points[-1]]
    ncol = max(len(shown), 3 if dims else 2)
    fig, axes = plt.subplots(2, ncol, figsize=(3.3 * ncol, 6.2), squeeze=False)
    t = ds["time"].values
    sites = ds["site"].values
    vmax = float(ds["population"].mean("realization").max())
    image = None
    for j, point in enumerate(shown):
        ax = axes[0, j]
        pop = ds["population"].sel(point).mean("realization").transpose("site", "time").values
        image = ax.pcolormesh(t, sites, pop, shading="nearest", cmap="magma", vmin=0.0, vmax=vmax)
        ax.set_title(_label(point), fontsize=9)
        ax.set_xlabel(r"$\gamma_0 t$")
        ax.set_ylabel("site α")
    for ax in axes[0, len(shown):]:
        ax.axis("off")
    if image is not None:
        fig.colorbar(image, ax=axes[0, :len(shown)].tolist(), label=r"$\langle\sigma^+_\alpha\sigma^-_\alpha\rangle$",
                     shrink=0.9)
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, max(len(points), 1)))
    for color, point in zip(colors, points):
        _band(axes[1, 0], t, ds["delta_x"].sel(point), _label(point), color)
        _band(axes[1, 1], t, ds["rate_total"].sel(point), _label(point), color)
    axes[1, 0].set_ylabel(r"$\delta_x/\gamma_0$ (x-min − x-max edge)")
    axes[1, 1].set_ylabel(r"$R_{\rm tot}/\gamma_0$")
    for ax in axes[1, :2]:
        ax.set_xlabel(r"$\gamma_0 t$")
        ax.axhline(0.0, color="0.6", lw=0.5)
    if len(points) <= 6:
        axes[1, 0].legend(fontsize=7)
    if dims:
        ax = axes[1, 2]
        first, rest = dims[0], dims[1:]
        x = ds[first].values
        for k, other in enumerate(_points(ds, rest)):
            for axis, style in (("x", "-o"), ("y", "--s")):
                sel = ds.sel(other) if other else ds
                mean = sel[f"max_abs_delta_{axis}_mean"].values
                lo, hi = sel[f"max_abs_delta_{axis}_ci_low"].values, sel[f"max_abs_delta_{axis}_ci_high"].values
                label = f"|δ_{axis}|" + (f", {_label(other)}" if other else "")
                line, = ax.plot(x, mean, style, ms=3, label=label)
                if np.all(np.isfinite(lo)):
                    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.25, lw=0)
        ax.set_xlabel(f"{first} [{ds[first].attrs.get('units', '1')}]")
        ax.set_ylabel(r"$\max_t |\delta|$ / $\gamma_0$ (mean, 95 % CI)")
        ax.legend(fontsize=7)
    for ax in axes[1, 3 if dims else 2:]:
        ax.axis("off")
    n_real = ds.sizes.get("realization", 1)
    fig.suptitle(f"{title or name} ({ds.attrs.get('bath_bath', 'bath')}, N = {len(sites)}"
                 + (f", {n_real} disorder realisations" if n_real > 1 else "") + ")", fontsize=10)
    return fig


PLOTS = {"system": plot_system}
