"""Figures of the sensing family: Fisher maps, shots to detect k0 ≠ 0, a posterior, coverage (docs/theory/sensing.md)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.colors import LogNorm

from nonrecip.pipeline.figures.style import plt

__all__ = ["PLOTS", "plot_fisher", "plot_shots", "plot_design", "plot_posterior", "plot_coverage"]

_PANELS = (("fisher_M1", "M1: joint readout"), ("fisher_M2", "M2: single-NV frequencies"),
           ("fisher_M3", "M3: edge statistic $b_1 - b_N$"), ("qfi", "QFI of ρ(t)"))


def _k0_axis(k0: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Equally spaced positions for the k0 values (they span decades and include 0) and their labels."""
    return np.arange(k0.size), [f"{k:g}" for k in k0]


def plot_fisher(fisher: xr.Dataset):
    """F(k0, t) per shot for M1, M2, M3 and the QFI (log colour scale, shared)."""
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.8), sharey=True, constrained_layout=True)
    t = fisher["time"].values
    pos, labels = _k0_axis(fisher["k0"].values)
    values = np.concatenate([fisher[name].values[:, 1:].ravel() for name, _ in _PANELS])
    positive = values[values > 0]
    norm = LogNorm(vmin=max(positive.min(), positive.max() * 1e-8), vmax=positive.max()) if positive.size else None
    image = None
    for ax, (name, title) in zip(axes, _PANELS):
        z = fisher[name].transpose("k0", "time").values
        image = ax.pcolormesh(t, pos, np.where(z > 0, z, np.nan), norm=norm, cmap="viridis", shading="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(r"readout time $\gamma_0 t$")
    axes[0].set_yticks(pos, labels, fontsize=7)
    axes[0].set_ylabel(r"$k_0$ [1/a]")
    fig.colorbar(image, ax=axes.tolist(), label=r"Fisher information per shot [$a^2$]")
    fig.suptitle(f"Information about k0 per shot, N = {fisher.attrs['N']}, readout error "
                 f"{fisher.attrs['readout_error']:g}, $a_q$ = {fisher.attrs['spacing_nm']:g} nm", fontsize=10)
    return fig


def plot_shots(shots: xr.Dataset):
    """Fewest shots to reject k0 = 0 vs N, model-agnostic witness (solid) and likelihood ratio (dashed)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    ns = shots["N"].values
    colors = plt.cm.plasma(np.linspace(0.0, 0.85, shots.sizes["k0"]))
    for color, k0 in zip(colors, shots["k0"].values):
        sel = shots.sel(k0=k0)
        axes[0].plot(ns, sel["shots_M3_best"], "-o", color=color, ms=4, label=f"k0 = {k0:g}, witness (M3)")
        axes[0].plot(ns, sel["shots_M1_best"], "--s", color=color, ms=3, label=f"k0 = {k0:g}, likelihood ratio (M1)")
        axes[1].plot(ns, sel["t_best_M3"], "-o", color=color, ms=4, label=f"k0 = {k0:g}")
    axes[0].set_yscale("log")
    axes[0].set_ylabel(f"shots to reject k0 = 0 ({shots.attrs['sigma']:g}σ, {shots.attrs['power']:.0%} power)")
    axes[1].set_ylabel(r"best readout time $\gamma_0 t^*$ (witness)")
    for ax in axes:
        ax.set_xlabel("number of NVs N")
    axes[0].legend(fontsize=6, ncol=2)
    axes[1].legend(fontsize=7)
    fig.suptitle(f"Detecting bath symmetry breaking: readout error {shots.attrs['readout_error']:g}, "
                 f"$a_q$ = {shots.attrs['spacing_nm']:g} nm", fontsize=10)
    return fig


def plot_design(design: xr.Dataset):
    """Best information per shot and per unit time vs N (M1, M3, QFI), and the readout times that reach them."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), constrained_layout=True)
    ns = design["N"].values
    colors = plt.cm.plasma(np.linspace(0.0, 0.85, design.sizes["k0"]))
    styles = {"fisher_M1": ("-o", "M1 joint"), "fisher_M3": ("--s", "M3 edge"), "qfi": (":^", "QFI")}
    for color, k0 in zip(colors, design["k0"].values):
        sel = design.sel(k0=k0)
        for var, (style, label) in styles.items():
            axes[0].plot(ns, sel[f"{var}_per_shot"], style, color=color, ms=3, label=f"k0 = {k0:g}, {label}")
            axes[1].plot(ns, sel[f"{var}_per_time"], style, color=color, ms=3)
        axes[2].plot(ns, sel["fisher_M1_t_per_shot"], "-o", color=color, ms=3, label=f"k0 = {k0:g}, per shot")
        axes[2].plot(ns, sel["fisher_M1_t_per_time"], "--o", color=color, ms=3, mfc="none", label=f"k0 = {k0:g}, per unit time")
    axes[0].set_ylabel(r"best information per shot $\max_t F$ [$a^2$]")
    axes[1].set_ylabel(r"best information per unit time $\max_t F/(t + t_{oh})$ [$a^2\gamma_0$]")
    axes[2].set_ylabel(r"optimal readout time $\gamma_0 t^*$ (M1)")
    for ax in axes[:2]:
        ax.set_yscale("log")
    for ax in axes:
        ax.set_xlabel("number of NVs N")
    axes[0].legend(fontsize=6, ncol=1)
    axes[2].legend(fontsize=6)
    fig.suptitle(f"Design: readout error {design.attrs['readout_error']:g}, overhead {design.attrs['overhead']:g}/$\\gamma_0$ "
                 f"per shot, $a_q$ = {design.attrs['spacing_nm']:g} nm", fontsize=10)
    return fig


def plot_posterior(post: xr.Dataset):
    """Posterior density of k0 from one synthetic experiment, with the truth, the ML estimate and the 95 % interval."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8), constrained_layout=True)
    a = post.attrs
    ax.plot(post["k0"], post["posterior"], color="k", lw=1.2, label="posterior")
    ax.axvspan(a["ci_low"], a["ci_high"], color="C0", alpha=0.2, label="95 % credible interval")
    ax.axvline(a["true_k0"], color="C3", lw=1.2, label=f"true k0 = {a['true_k0']:g}")
    ax.axvline(a["ml"], color="C2", ls="--", lw=1.0, label=f"ML estimate {a['ml']:.4g}")
    ax.set_xlabel(r"$k_0$ [1/a]")
    ax.set_ylabel("posterior density")
    ax.legend(fontsize=7)
    ax.set_title(f"N = {a['N']}, {a['shots']} shots at $\\gamma_0 t$ = {a['time']:g}, prior {a['prior']}", fontsize=9)
    return fig


def plot_coverage(cov: xr.Dataset):
    """Observed coverage of the credible intervals against their nominal level (per k0 and pooled, 95 % Wilson
    bands), and the ML estimates' spread against the Cramér–Rao bound."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.0, 4.2), constrained_layout=True)
    level = cov["level"].values
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, label="ideal")
    n_k0 = cov.sizes["k0"]
    for i, k in enumerate(cov["k0"].values):
        c = cov.sel(k0=k)
        err = np.vstack([c["coverage"] - c["coverage_low"], c["coverage_high"] - c["coverage"]])
        ax.errorbar(level + 0.006 * (i - (n_k0 - 1) / 2), c["coverage"], yerr=err, fmt="o", ms=3, capsize=2,
                    color=f"C{i}", label=f"k0 = {float(k):g}")
    err = np.vstack([cov["coverage_pooled"] - cov["coverage_pooled_low"], cov["coverage_pooled_high"] - cov["coverage_pooled"]])
    ax.errorbar(level, cov["coverage_pooled"], yerr=err, fmt="s", mfc="none", color="k", ms=6, capsize=3, label="pooled")
    ax.set_xlim(0.4, 1.02)
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("nominal credibility")
    ax.set_ylabel("fraction of intervals holding the true k0")
    ax.legend(fontsize=7)
    a = cov.attrs
    ax.set_title(f"N = {a['N']}, {a['shots']} shots, {cov.sizes['experiment']} experiments per k0", fontsize=9)
    for i, k in enumerate(cov["k0"].values):
        c = cov.sel(k0=k)
        z = (c["ml"] - k) * np.sqrt(a["shots"] * float(c["fisher_M1"]))
        bx.hist(z, bins=30, range=(-4, 4), density=True, histtype="step", color=f"C{i}",
                label=f"k0 = {float(k):g}: Var x nF = {float(c['mle_efficiency']):.2f}")
    x = np.linspace(-4, 4, 201)
    bx.plot(x, np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi), color="k", lw=1.0, label="N(0, 1): Cramer-Rao bound")
    bx.set_xlabel(r"$(\hat k_0^{ML} - k_0)\,\sqrt{n F_{M1}}$")
    bx.set_ylabel("density")
    bx.legend(fontsize=7)
    bx.set_title("ML estimates against the Cramer-Rao bound", fontsize=9)
    return fig


PLOTS = {"E_sensing_fisher": plot_fisher, "E_sensing_shots": plot_shots, "E_sensing_design": plot_design, "E_sensing_posterior": plot_posterior,
         "E_sensing_coverage": plot_coverage}
