"""Figures of paper E: Fig. 3, Fig. 4(a)–(d) and the asymmetry maps."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm

from nonrecip.emission.analysis import burst_threshold_k0, lambda1_curve
from nonrecip.emission.physics import YIG
from nonrecip.pipeline.figures.style import plt

__all__ = ["PLOTS", "plot_fig3", "plot_fig4a", "plot_fig4b", "plot_fig4c", "plot_fig4d", "plot_delta_curves",
           "plot_delta_map", "plot_max_delta_map"]
_ORANGE = "#ff7f0e"


def _first(ds: xr.Dataset, **sel) -> xr.Dataset:
    """Select ``sel`` (e.g. N) and the first spacing and distance of the grid."""
    ds = ds.sel(**sel)
    for dim in ("spacing_nm", "distance_nm"):
        if dim in ds.dims and dim not in sel:
            ds = ds.isel({dim: 0})
    return ds


def _describe(ds: xr.Dataset) -> str:
    a_q = float(np.atleast_1d(ds["spacing_nm"].values)[0])
    d = float(np.atleast_1d(ds["distance_nm"].values)[0])
    model = "closed form" if d == 0 else f"full integral, d = {d:g} nm"
    return f"$a_q$ = {a_q:g} nm, {model}, $f_J$ = {ds.attrs.get('f_J', 1)}"


def plot_fig3(ds: xr.Dataset):
    """Fig. E3: R_1, R_2 for J^a/γ^s = 0, 0.2, 1, 4 with the uncorrelated reference."""
    ratios = ds["J_a_over_gamma_s"].values
    ncol = min(2, len(ratios))
    nrow = int(np.ceil(len(ratios) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.0 * nrow), squeeze=False, sharex=True)
    t = ds["time"].values
    for k, (ax, r) in enumerate(zip(axes.flat, ratios)):
        ax.plot(t, ds["rate"].sel(J_a_over_gamma_s=r, site=1), label=r"$\mathcal{R}_1$ (left)", color="C0")
        ax.plot(t, ds["rate"].sel(J_a_over_gamma_s=r, site=2), label=r"$\mathcal{R}_2$ (right)", color="C3")
        ax.plot(t, ds["rate_uncorrelated"], "--", color=_ORANGE, label=r"uncorrelated $e^{-\gamma_0 t}$")
        ax.set_title(f"({'abcdefgh'[k]}) $J^a_{{12}}$ = {r:g} $\\gamma^s_{{12}}$")
        ax.set_ylabel(r"$\mathcal{R}_\alpha/\gamma_0$")
        ax.axhline(0, color="k", lw=0.5)
    for ax in axes[-1]:
        ax.set_xlabel(r"$\gamma_0 t$")
    axes.flat[0].legend(loc="upper right")
    fig.suptitle(f"Fig. E3: two qubits, $\\gamma^s_{{12}}$ = {ds.attrs['gamma_s']:g} $\\gamma_0$, $J^s_{{12}}$ = 0")
    fig.tight_layout()
    return fig


def plot_fig4a(map_k0: xr.Dataset, *, N: int, physics: Mapping[str, Any]):
    """Fig. E4(a): λ1(k0) with regions I–III bounded by k0,m (max asymmetry) and k0,c (burst)."""
    n_sites = N
    film = YIG.with_overrides(**physics)
    ds = _first(map_k0, N=n_sites)
    k0 = ds["k0"].values
    pos = k0 > 0
    k0_m = float(ds["k0"].values[int(np.nanargmax(ds["max_abs_delta"].values))])
    k0_c = burst_threshold_k0(n_sites, spacing_nm=float(np.atleast_1d(ds["spacing_nm"].values)[0]), film=film)
    k_hi = max(k0[pos].max(), 2 * k0_c if np.isfinite(k0_c) else 0.0)
    kk = np.logspace(np.log10(k0[pos].min()), np.log10(k_hi), 300)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.loglog(kk, lambda1_curve(kk, film=film), color="k")
    ax.set_xlabel(r"$k_0 = D/J$ ($1/a$)")
    ax.set_ylabel(r"$\lambda_1$ (nm)")
    bounds = [kk[0], k0_m, k0_c if np.isfinite(k0_c) else kk[-1], kk[-1]]
    for (lo, hi), name, color in zip(zip(bounds[:-1], bounds[1:]), ("I", "II", "III"), ("C0", "C2", "C1")):
        if hi > lo:
            ax.axvspan(lo, hi, color=color, alpha=0.12)
            ax.text(np.sqrt(lo * hi), ax.get_ylim()[0] * 1.3, name, ha="center", fontsize=12)
    ax.axvline(k0_m, color="C3", ls="--", label=f"$k_{{0,m}}$ = {k0_m:.2g} (max $|\\delta_{{1,{n_sites}}}|$)")
    if np.isfinite(k0_c):
        ax.axvline(k0_c, color="C4", ls=":", label=f"$k_{{0,c}}$ = {k0_c:.3g} (burst vanishes)")
    ax.legend(loc="upper right")
    ax.set_title(f"Fig. E4(a): N = {n_sites}, " + _describe(ds), fontsize=9)
    fig.tight_layout()
    return fig


def plot_delta_curves(ds: xr.Dataset, *, curves: str, values, fixed: Mapping[str, Any], t_display: float, title: str):
    """δ_1N(t) for several k0 (``curves="k0"``) or N (``curves="N"``), with an R_tot inset."""
    fig, ax = plt.subplots(figsize=(5.8, 4.0))
    inset = ax.inset_axes([0.6, 0.08, 0.37, 0.36])
    t = ds["time"].values
    show = t <= t_display
    n_ref = None
    for k, v in enumerate(values):
        if v not in ds[curves].values:  # select exactly: never draw a neighbouring value under this label
            raise ValueError(f"{curves} = {v} is not in the dataset (available: {ds[curves].values.tolist()})")
        sub = _first(ds, **{curves: v}, **fixed)
        label = f"$k_0$ = {float(sub['k0']):g}" if curves == "k0" else f"N = {int(sub['N'])}"
        ax.plot(t[show], sub["delta"].values[show], color=f"C{k}", label=label)
        inset.plot(t[show], sub["rate_total"].values[show], color=f"C{k}", lw=1)
        n_ref = int(sub["N"])
    ax.axhline(0, color=_ORANGE, ls="--", label="isolated NVs ($\\delta$ = 0)")
    inset.plot(t[show], n_ref * np.exp(-t[show]), "--", color=_ORANGE, lw=1)
    inset.set_xlabel(r"$\gamma_0 t$", fontsize=7)
    inset.set_ylabel(r"$\mathcal{R}_{tot}/\gamma_0$", fontsize=7)
    inset.tick_params(labelsize=6)
    ax.set_xlabel(r"$\gamma_0 t$")
    ax.set_ylabel(r"$\delta_{1,N} = (\mathcal{R}_1 - \mathcal{R}_N)/\gamma_0$")
    ax.legend(loc="upper left", ncol=2)
    ax.set_title(title + "\n" + _describe(ds), fontsize=9)
    fig.tight_layout()
    return fig


def plot_fig4b(fig4bc: xr.Dataset, *, N: int, k0, t_display: float):
    """Fig. E4(b): δ_1N(t) for the k0 values of region I."""
    return plot_delta_curves(fig4bc, curves="k0", values=k0, fixed={"N": N}, t_display=t_display,
                             title=f"Fig. E4(b) region I, N = {N}")


def plot_fig4c(fig4bc: xr.Dataset, *, N: int, k0, t_display: float):
    """Fig. E4(c): δ_1N(t) for the k0 values of region II."""
    return plot_delta_curves(fig4bc, curves="k0", values=k0, fixed={"N": N}, t_display=t_display,
                             title=f"Fig. E4(c) region II, N = {N}")


def plot_fig4d(fig4d: xr.Dataset, *, t_display: float):
    """Fig. E4(d): δ_1N(t) for every N of the sweep at its (single) k0."""
    k0 = float(fig4d["k0"].values[0])
    return plot_delta_curves(fig4d, curves="N", values=fig4d["N"].values, fixed={"k0": k0},
                             t_display=t_display, title=f"Fig. E4(d): $k_0$ = {k0:g}")


def plot_delta_map(map_k0: xr.Dataset, *, N: int):
    """Asymmetry map δ_1N(k0, t) at fixed N."""
    n_sites = N
    ds = _first(map_k0, N=n_sites)
    ds = ds.sel(k0=ds["k0"] > 0)
    fig1, ax = plt.subplots(figsize=(6.2, 4.0))
    delta = ds["delta"].transpose("k0", "time").values
    vmax = float(np.nanmax(np.abs(delta))) or 1.0
    mesh = ax.pcolormesh(ds["time"], ds["k0"], delta, cmap="RdBu_r", shading="nearest",
                         norm=TwoSlopeNorm(0.0, -vmax, vmax))
    ax.set_yscale("log")
    ax.set_xlabel(r"$\gamma_0 t$")
    ax.set_ylabel(r"$k_0$ ($1/a$)")
    fig1.colorbar(mesh, ax=ax, label=rf"$\delta_{{1,{n_sites}}}$ ($\gamma_0$)")
    ax.set_title(f"Asymmetry map, N = {n_sites}, " + _describe(ds), fontsize=9)
    fig1.tight_layout()
    return fig1


def plot_max_delta_map(map_k0_N: xr.Dataset):
    """Largest edge asymmetry max_t |δ_1N| over (k0, N)."""
    m = _first(map_k0_N)
    m = m.sel(k0=m["k0"] > 0)
    fig2, ax2 = plt.subplots(figsize=(6.2, 4.0))
    val = m["max_abs_delta"].transpose("N", "k0").values
    mesh2 = ax2.pcolormesh(m["k0"], m["N"], val, cmap="viridis", shading="nearest")
    ax2.set_xscale("log")
    ax2.set_xlabel(r"$k_0$ ($1/a$)")
    ax2.set_ylabel("N")
    ax2.set_yticks(m["N"].values)
    fig2.colorbar(mesh2, ax=ax2, label=r"$\max_t |\delta_{1,N}|$ ($\gamma_0$)")
    ax2.set_title("Maximal edge asymmetry, " + _describe(m), fontsize=9)
    fig2.tight_layout()
    return fig2


#: figure name -> plot function(*datasets, **params) -> Figure
PLOTS = {
    "E3": plot_fig3, "E4a": plot_fig4a, "E4b": plot_fig4b, "E4c": plot_fig4c, "E4d": plot_fig4d,
    "E_map_delta_k0_t": plot_delta_map, "E_map_maxdelta_k0_N": plot_max_delta_map,
}
