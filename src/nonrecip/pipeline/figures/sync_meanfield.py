"""Figures of the mean field of paper S (Figs. S1d–g, S2, S14, S15) from the stored datasets.

Every function takes the dataset written by the corresponding builder and returns the
matplotlib Figure (saved by :func:`~nonrecip.pipeline.figures.style.save_figure`); rates are
shown in units of Γ.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from nonrecip.pipeline.figures.style import plt
import numpy as np
import xarray as xr
from matplotlib.colors import BoundaryNorm, ListedColormap

from nonrecip.pipeline.sweeps.sync_meanfield import CHIRALITY_CLASSES
from nonrecip.sync.meanfield.phases import PHASE_NAMES

__all__ = ["PLOTS", "plot_phase_diagram", "plot_amplitude_maps", "plot_phase_traces", "plot_chirality_diagram",
           "plot_hysteresis", "plot_threshold", "plot_decoherence"]

PHASE_COLORS = ["#d9d9d9", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#000000", "#e377c2"]
CHIRALITY_COLORS = ["#d9d9d9", "#8fbfe0", "#7b3294", "#d7301f", "#000000", "#fdd49e"]




def _categorical(ax, x, y, codes, names, colors, xlabel, ylabel):
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    m = ax.pcolormesh(x, y, codes.T, cmap=cmap, norm=norm, shading="nearest")
    present = sorted(set(np.unique(codes).tolist()))
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[c]) for c in present]
    ax.legend(handles, [names[c].replace("_", " ") for c in present], fontsize=7, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return m


def plot_phase_diagram(ds: xr.Dataset) -> Figure:
    """Fig. S1(d): phase in the (κ/Γ, J/Γ) plane with the unidirectional diagonals κ = ±J."""
    G = ds.attrs.get("Gamma", 1.0)
    d = ds.isel(Delta=0)
    k, J = d.kappa.values / G, np.real(d.J.values) / G
    fig, ax = plt.subplots(figsize=(5.6, 4))
    _categorical(ax, k, J, d.phase.values, PHASE_NAMES, PHASE_COLORS, r"$\kappa/\Gamma$", r"$J/\Gamma$")
    for s in (1, -1):
        ax.plot(k, s * k, "w--", lw=1)
    ax.set_ylim(J.min(), J.max())
    ax.set_title(f"mean-field phases, w/Γ = {ds.attrs.get('w', np.nan) / G:g}", fontsize=9)
    return fig


def plot_amplitude_maps(ds: xr.Dataset) -> Figure:
    """Fig. S15: time-averaged |s_A| (a) and circular |φ_A − φ_B| (b) over the (κ, J) plane."""
    G = ds.attrs.get("Gamma", 1.0)
    d = ds.isel(Delta=0, ic=0)
    k, J = d.kappa.values / G, np.real(d.J.values) / G
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, var, lab, cmap in ((axes[0], d.abs_s_A.values, r"$\langle|s_A|\rangle_t$", "viridis"),
                               (axes[1], np.abs(d.phase_difference.values), r"$|\varphi_A-\varphi_B|$ (rad)", "twilight")):
        m = ax.pcolormesh(k, J, var.T, shading="nearest", cmap=cmap)
        fig.colorbar(m, ax=ax, label=lab)
        ax.set_xlabel(r"$\kappa/\Gamma$")
        ax.set_ylabel(r"$J/\Gamma$")
    axes[0].set_title("(a) amplitude", fontsize=9)
    axes[1].set_title("(b) phase difference", fontsize=9)
    return fig


def plot_phase_traces(ds: xr.Dataset) -> Figure:
    """Fig. S1(e–g): φ_A(t) and φ_B(t) at one point per phase."""
    n = ds.sizes["point"]
    fig, axes = plt.subplots(n, 1, figsize=(5.5, 1.9 * n), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, i in zip(axes, range(n)):
        p = ds.isel(point=i)
        ax.plot(p.time, p.phi_A, ".", ms=1.5, label=r"$\varphi_A$")
        ax.plot(p.time, p.phi_B, ".", ms=1.5, label=r"$\varphi_B$")
        ax.set_ylabel("phase (rad)")
        ax.set_ylim(-np.pi, np.pi)
        ax.set_title(f"{str(p.point.values).replace('_', ' ')}: κ/Γ = {float(p.kappa):g}, J/Γ = {float(p.J):g}", fontsize=8)
    axes[0].legend(fontsize=7, markerscale=6, loc="upper right")
    axes[-1].set_xlabel(r"time $\Gamma t$")
    return fig


def plot_chirality_diagram(ds: xr.Dataset) -> Figure:
    """Fig. S2(a): coexisting chiralities, unique chirality, unsynchronized in the (Δ, J) plane."""
    G = ds.attrs.get("Gamma", 1.0)
    d = ds.isel(kappa=0)
    fig, ax = plt.subplots(figsize=(5.6, 4))
    _categorical(ax, d.Delta.values / G, np.real(d.J.values) / G, d.chirality_class.values.T,
                 CHIRALITY_CLASSES, CHIRALITY_COLORS, r"$J/\Gamma$", r"$\Delta/\Gamma$")
    ax.set_xlabel(r"$\Delta/\Gamma$")
    ax.set_ylabel(r"$J/\Gamma$")
    ax.set_title(f"explicit PT breaking, κ/Γ = {float(d.kappa) / G:g}", fontsize=9)
    return fig


def plot_hysteresis(ds: xr.Dataset) -> Figure:
    """Fig. S2(b, c): frequency ω_A vs the swept parameter, up and down sweeps of both branches."""
    par = ds.attrs["swept"]
    G = ds.attrs.get("Gamma", 1.0)
    x = ds[par].values / G
    fig, ax = plt.subplots(figsize=(5, 3.5))
    styles = {"up": ("-", "o"), "down": ("--", "x")}
    for direction in ("up", "down"):
        for b in range(ds.sizes["branch"]):
            ls, mk = styles[direction]
            ax.plot(x, ds.frequency.sel(direction=direction, branch=b) / G, ls=ls, marker=mk, ms=3,
                    label=f"{direction}, start {'+' if b == 0 else '−'}π/2")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel(r"$\Delta/\Gamma$" if par == "Delta" else r"Im$J/\Gamma$")
    ax.set_ylabel(r"frequency $\omega_A/\Gamma$")
    ax.set_title(f"adiabatic sweep, κ/Γ = {ds.attrs['kappa'] / G:g}, Re J/Γ = {ds.attrs['J_real'] / G:g}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def plot_threshold(ds: xr.Dataset) -> Figure:
    """Fig. S14(a): |s_A| vs κ through the synchronization threshold, Eq. (31) overlaid."""
    G = ds.attrs.get("Gamma", 1.0)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for j in range(ds.sizes["J"]):
        d = ds.isel(J=j)
        line, = ax.plot(d.kappa / G, d.abs_s_A.isel(ic=0), "o-", ms=3, label=f"J/Γ = {float(np.real(d.J)) / G:g}")
        kc = float(d.kappa_threshold)
        if np.isfinite(kc):
            ax.axvline(kc / G, color=line.get_color(), ls="--", lw=1)
    ax.set_xlabel(r"$\kappa/\Gamma$")
    ax.set_ylabel(r"$\langle|s_A|\rangle_t$")
    ax.set_title(f"threshold (dashed: Eq. 31), w/Γ = {ds.attrs['w'] / G:g}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def plot_decoherence(ds: xr.Dataset) -> Figure:
    """Fig. S14(b): TW coherence |s_A| vs damping γ and dephasing γ_φ, thresholds from Eq. (31)."""
    G = ds.attrs.get("Gamma", 1.0)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for ch, lab in (("damping", r"damping $\gamma$"), ("dephasing", r"dephasing $\gamma_\varphi$")):
        d = ds.sel(channel=ch)
        line, = ax.plot(d.rate / G, d.abs_s_A.isel(ic=0), "o-", ms=3, label=lab)
        g = d.growth_rate.values
        cross = np.nonzero(np.diff(np.sign(g)))[0]
        if cross.size:
            i = cross[0]
            r = d.rate.values
            rc = r[i] - g[i] * (r[i + 1] - r[i]) / (g[i + 1] - g[i])
            ax.axvline(rc / G, color=line.get_color(), ls="--", lw=1)
    ax.set_xlabel(r"rate$/\Gamma$")
    ax.set_ylabel(r"$\langle|s_A|\rangle_t$")
    ax.set_title(f"TW coherence, κ/Γ = {ds.attrs['kappa'] / G:g}, J/Γ = {float(np.real(ds.attrs['J'])) / G:g}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


#: figure name -> plot function(dataset) -> Figure
PLOTS = {
    "S1d": plot_phase_diagram, "S15": plot_amplitude_maps, "S1efg": plot_phase_traces,
    "S2a": plot_chirality_diagram, "S2b": plot_hysteresis, "S2c": plot_hysteresis,
    "S14a": plot_threshold, "S14b": plot_decoherence,
}
