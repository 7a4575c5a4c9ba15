"""Figures S8–S11 of paper S (monitored trajectories) from the datasets of
:mod:`nonrecip.pipeline.sweeps.sync_trajectories`."""

from __future__ import annotations

import numpy as np

from nonrecip.pipeline.figures.style import plt
from nonrecip.sync.monitored.reversals import chirality_reversals, phase_distributions

__all__ = ["PLOTS", "plot_S8", "plot_S9", "plot_S10", "plot_S11"]




def _phases(s):
    """Unwrapped φ = −arg s along time (s = ⟨σ^-⟩ = r e^{−iφ}, docs/theory/sync.md#conventions)."""
    return -np.unwrap(np.angle(s), axis=-1)


def _title(ds):
    a = ds.attrs
    return rf"$\kappa$={a['kappa']:g}, $J$={a['J_real']:g}, $N$={a['N']}, {a['detection']}, $\eta$={a['efficiency']:g}"


def plot_S8(*datasets):
    """Fig. S8(a–c): φ_A(t), φ_B(t) of one heterodyne trajectory per regime."""
    fig, axes = plt.subplots(len(datasets), 1, figsize=(8, 2.6 * len(datasets)), squeeze=False)
    for ax, ds, letter in zip(axes[:, 0], datasets, "abcdefgh"):
        t = ds.time.values
        for name, color in (("A", "C3"), ("B", "C0")):
            ax.plot(t, _phases(ds[f"s_{name}"].values[0]), color=color, lw=1, label=rf"$\phi_{name}$")
        ax.set_xlabel(r"time $t\Gamma$")
        ax.set_ylabel("phase (rad)")
        ax.set_title(f"({letter}) {ds.attrs.get('regime', '')}: " + _title(ds))
        ax.legend(loc="best")
    fig.tight_layout()
    return fig


def plot_S9(ds):
    """Fig. S9: φ_A(t) of all trajectories (grey, one black); φ_A − φ_B with reversal ticks."""
    rev = chirality_reversals(ds, window=ds.attrs["window"])
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    t = ds.time.values
    phiA = _phases(ds.s_A.values)
    for j in range(1, phiA.shape[0]):
        a1.plot(t, phiA[j], color="0.7", lw=0.5)
    a1.plot(t, phiA[0], color="k", lw=1)
    a1.set_ylabel(r"$\phi_A$ (rad)")
    a1.set_title(_title(ds) + f", {phiA.shape[0]} trajectories")
    a2.plot(t, rev.phase_difference.values[0], ".", color="k", ms=1.5)
    a2.plot(rev.time_avg.values, rev.chirality.values[0] * np.pi / 2, color="C1", lw=1,
            label=rf"windowed chirality ($\tau_w$={rev.attrs['window']:.2f}/$\Gamma$)")
    for tr in rev.reversal_times.values[0]:
        if np.isfinite(tr):
            a2.axvline(tr, color="C0", lw=1)
    a2.set_ylim(-np.pi, np.pi)
    a2.set_yticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi], [r"$-\pi$", r"$-\pi/2$", "0", r"$\pi/2$", r"$\pi$"])
    a2.set_xlabel(r"time $t\Gamma$")
    a2.set_ylabel(r"$\phi_A-\phi_B$ (rad)")
    a2.legend(loc="upper right", title=f"{int(rev.n_reversals[0])} reversals (blue)")
    fig.tight_layout()
    return fig


def plot_S10(ds):
    """Fig. S10: chirality reversals per 1000/Γ vs N (log scale) with the exponential fit."""
    fig, ax = plt.subplots(figsize=(6, 4.2))
    N = ds.N.values
    r = 1000 * ds.rate.values
    lo, hi = 1000 * ds.rate_ci_low.values, 1000 * ds.rate_ci_high.values
    ax.errorbar(N, r, yerr=[r - lo, hi - r], fmt="o", color="k", capsize=3, label="cumulant SME (95% CI)")
    a, b = ds.attrs["fit_intercept"], ds.attrs["fit_slope"]
    if np.isfinite(b):
        x = np.linspace(N.min(), N.max(), 100)
        ax.plot(x, 1000 * np.exp(a + b * x), "C3--",
                label=rf"$\propto e^{{-N/N_0}}$, $N_0$ = {-1 / b:.1f} ± {ds.attrs['fit_slope_stderr'] / b**2:.1f}")
    ax.set_yscale("log")
    ax.set_xlabel("spins per species $N$")
    ax.set_ylabel(r"reversals per $1000/\Gamma$")
    ax.set_title(rf"$\kappa$={ds.attrs['kappa']:g}, $J$={ds.attrs['J_real']:g}, window {ds.attrs['window']:.2f}/$\Gamma$")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_S11(ds):
    """Fig. S11: P(φ_A), P(φ_B) post-selected by chirality, heterodyne vs homodyne."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    styles = {"heterodyne": "-", "homodyne": "--"}
    for det in ds.detection.values:
        P = phase_distributions(ds.sel(detection=det), window=ds.attrs["window"], t_start=ds.attrs["t_start"])
        for ax, ch, letter in zip(axes, (1, -1), "ab"):
            for name, color in (("A", "C3"), ("B", "C0")):
                ax.plot(P.phi.values, P[f"P_phi_{name}"].sel(chirality=ch).values, styles[str(det)],
                        color=color, label=rf"$P(\phi_{name})$, {det}")
            ax.set_title(f"({letter}) chirality {'+' if ch > 0 else '−'} "
                         rf"($\phi_A-\phi_B\approx{'+' if ch > 0 else '-'}\pi/2$)")
    theta = ds.attrs.get("theta", 0.0)
    for ax in axes:
        ax.set_xlabel(r"phase $\phi$ (rad)")
        ax.set_xticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi], [r"$-\pi$", r"$-\pi/2$", "0", r"$\pi/2$", r"$\pi$"])
    axes[0].set_ylabel(r"probability density (1/rad)")
    axes[0].legend(title=rf"$N$={ds.attrs['N']}, homodyne $\theta$={theta:g}")
    fig.tight_layout()
    return fig


#: figure name -> plot function(*datasets) -> Figure
PLOTS = {"S8": plot_S8, "S9": plot_S9, "S10": plot_S10, "S11": plot_S11}
