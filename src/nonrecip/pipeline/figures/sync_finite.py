"""Figures S4–S7 of paper S (finite N) from the datasets of :mod:`nonrecip.pipeline.sweeps.sync_finite`."""

from __future__ import annotations

from nonrecip.pipeline.figures.style import plt
import numpy as np

__all__ = ["PLOTS", "plot_S4", "plot_S5", "plot_S6", "plot_S7"]

_STYLE = {"exact": dict(marker="o", ls="-"), "cumulant2": dict(marker="", ls="--"),
          "cumulant4": dict(marker="", ls="-")}




def plot_S4(ds):
    """Fig. S4(a–d): ⟨σ^z_A⟩, C_AA, C_AB, c4 vs N (exact, K = 2, K = 4, N → ∞ limit)."""
    panels = [("sz_A", r"$\langle\sigma^z_A\rangle$"), ("corr_AA", r"$\langle\sigma^+_{A1}\sigma^-_{A2}\rangle$"),
              ("corr_AB", r"$\langle\sigma^+_A\sigma^-_B\rangle$"),
              ("c4", r"$\langle\sigma^+_{A1}\sigma^+_{A2}\sigma^-_{B1}\sigma^-_{B2}\rangle$")]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    N = ds.N.values
    for ax, (var, label) in zip(axes.flat, panels):
        for i, p in enumerate(ds.point.values):
            for m in ds.method.values:
                if var == "c4" and m == "cumulant2":
                    continue
                y = np.real(ds[var].sel({"point": p, "method": m}).values)
                ok = np.isfinite(y)
                ax.plot(N[ok], y[ok], color=colors[i % len(colors)], ms=4, **_STYLE[m],
                        label=f"{p}, {m}" if var == "sz_A" else None)
            lim = np.real(ds[var + "_limit"].sel(point=p, limit_method="cumulant4").values)
            ax.axhline(lim, color=colors[i % len(colors)], lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("spins per species N")
        ax.set_ylabel(label)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(r"Fig. S4: finite-N steady state (dotted: $N\to\infty$ limit), $\Gamma=1$, $w=%g$" % ds.attrs["w"])
    fig.tight_layout()
    return fig


def plot_S5(ds):
    """Fig. S5(a, b): C_AB and c4 vs κ at fixed N and J."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, var, label in ((axes[0], "corr_AB", r"$C_{AB}=\langle\sigma^+_A\sigma^-_B\rangle$"),
                           (axes[1], "c4", r"$c_4$")):
        for m in ds.method.values:
            ax.plot(ds.kappa, np.real(ds[var].sel({"method": m})), label=m, **_STYLE[m], ms=3)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel(r"$\kappa/\Gamma$")
        ax.set_ylabel(label)
        ax.legend()
    fig.suptitle(f"Fig. S5: N = {ds.attrs['N']}, J = {ds.attrs['J']}")
    fig.tight_layout()
    return fig


def plot_S6(ds_J, ds_Delta):
    """Fig. S6: S_A(ω) maps vs J (Δ = 0) and vs Δ (PT broken), EPs marked."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, ds, scan in ((axes[0], ds_J, "J"), (axes[1], ds_Delta, "Delta")):
        S = ds.S_A.values
        im = ax.pcolormesh(ds[scan], ds.omega, (S / S.max(axis=1, keepdims=True)).T, shading="auto", cmap="magma")
        for ep in np.atleast_1d(ds.attrs["exceptional_points"]):
            ax.axvline(ep, color="c", ls="--", lw=1, label="EP (2x2 model)")
        ax.set_xlabel(r"$J/\Gamma$" if scan == "J" else r"$\Delta/\Gamma$")
        ax.set_ylabel(r"$\omega/\Gamma$")
        ax.set_title(f"N = {ds.attrs['N']}, kappa = {ds.attrs['kappa']}")
        ax.legend(loc="upper left", fontsize=7)
        fig.colorbar(im, ax=ax, label=r"$S_A(\omega)/\max_\omega S_A$")
    fig.suptitle("Fig. S6: spectra of the 2x2 quantum-regression model")
    fig.tight_layout()
    return fig


def plot_S7(ds):
    """Fig. S7: exact collective spectrum in the modulated traveling wave vs N."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for n in ds.N.values:
        S = ds.S_A.sel(N=n).values
        ax.plot(ds.omega, S / S.max(), label=f"N = {n}")
    ax.set_xlabel(r"$\omega/\Gamma$")
    ax.set_ylabel(r"$S_A(\omega)/\max$ (exact, collective)")
    ax.set_title(f"Fig. S7: kappa = {ds.attrs['kappa']}, J = {ds.attrs['J']}")
    ax.legend()
    fig.tight_layout()
    return fig


#: figure name -> plot function(*datasets) -> Figure
PLOTS = {"S4": plot_S4, "S5": plot_S5, "S6": plot_S6, "S7": plot_S7}
