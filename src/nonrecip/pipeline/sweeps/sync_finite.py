"""Sweeps of the finite-N methods of paper S into labelled datasets (Figs. S4–S7, docs/theory/sync.md#finite-n, docs/theory/sync.md#spectra).

Each function takes plain config values (collective rates) and returns an ``xarray.Dataset``
whose coordinates and variables all carry ``units`` and ``long_name``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from nonrecip.io import combined_method_attrs
from nonrecip.sync.model import SyncParams
from nonrecip.sync.steady import spectrum, steady_state

__all__ = ["observables_vs_N", "observables_vs_kappa", "spectra_map", "comb_vs_N", "BUILDERS"]

OBS = ("sz_A", "sz_B", "corr_AA", "corr_BB", "corr_AB", "c4")
#: observables that are complex; the others are real (Hermitian operators or, by the exchange
#: symmetry within a species, <σ^+_1σ^-_2> = <σ^+_2σ^-_1>*), as :func:`steady_state` returns them
COMPLEX_OBS = ("corr_AB", "c4")
LARGE_N = 10**6  # stand-in for the mean-field limit: cumulants are exact for N → ∞ (docs/theory/sync.md#cumulant-expansion)


def _coord(dim, values, units, long_name, dtype=float):
    return (dim, np.asarray(values, dtype=dtype), {"units": units, "long_name": long_name})


def _empty(shape, name):
    """NaN-filled store of one observable, complex only where the observable is."""
    return np.full(shape, np.nan + 0j if name in COMPLEX_OBS else np.nan)


def _obs_vars(store, dims, template):
    out = {}
    for name in OBS:
        attrs = dict(template[name].attrs)
        out[name] = (dims, store[name], attrs)
    return out


def observables_vs_N(points: dict, N: list, N_exact_max: int, *, Gamma=1.0, w=0.5) -> xr.Dataset:
    """Fig. S4: observables vs N for each (κ, J) point and method, plus the N → ∞ limit."""
    methods = ["exact", "cumulant2", "cumulant4"]
    names = list(points)
    store = {o: _empty((len(names), len(methods), len(N)), o) for o in OBS}
    limit = {o: _empty((len(names), 2), o) for o in OBS}
    template = None
    runs = []
    for i, name in enumerate(names):
        kappa, J = points[name]
        for j, m in enumerate(methods):
            for k, n in enumerate(N):
                if m == "exact" and n > N_exact_max:
                    continue
                ds = steady_state(int(n), SyncParams(kappa=kappa, J=J, Gamma=Gamma, w=w), method=m)
                template = ds
                runs.append(ds)
                for o in OBS:
                    store[o][i, j, k] = ds[o].values
        for j, m in enumerate(["cumulant2", "cumulant4"]):
            ds = steady_state(LARGE_N, SyncParams(kappa=kappa, J=J, Gamma=Gamma, w=w), method=m)
            runs.append(ds)
            for o in OBS:
                limit[o][i, j] = ds[o].values
    data = _obs_vars(store, ("point", "method", "N"), template)
    for o in OBS:
        data[o + "_limit"] = (("point", "limit_method"), limit[o],
                              {"units": "1", "long_name": f"{o} at N = 1e6 (mean-field limit)"})
    coords = {
        "point": _coord("point", names, "1", "parameter point", dtype=str),
        "method": _coord("method", methods, "1", "solution method", dtype=str),
        "N": _coord("N", N, "1", "spins per species N", dtype=int),
        "limit_method": _coord("limit_method", ["cumulant2", "cumulant4"], "1", "method of the N -> inf limit", dtype=str),
        "kappa": ("point", np.array([points[n][0] for n in names]), {"units": "Gamma", "long_name": "kappa"}),
        "J": ("point", np.array([points[n][1] for n in names]), {"units": "Gamma", "long_name": "J"}),
    }
    return xr.Dataset(data, coords=coords, attrs={"Gamma": Gamma, "w": w, "N_exact_max": N_exact_max,
                                                   **combined_method_attrs(runs)})


def observables_vs_kappa(N: int, J: float, kappa: list, *, Gamma=1.0, w=0.5) -> xr.Dataset:
    """Fig. S5: C_AB and c4 (all observables) vs κ at fixed N and J, exact and K = 4."""
    methods = ["exact", "cumulant4"]
    store = {o: _empty((len(methods), len(kappa)), o) for o in OBS}
    runs = []
    for j, m in enumerate(methods):
        for k, kap in enumerate(kappa):
            ds = steady_state(int(N), SyncParams(kappa=float(kap), J=J, Gamma=Gamma, w=w), method=m)
            runs.append(ds)
            for o in OBS:
                store[o][j, k] = ds[o].values
    data = _obs_vars(store, ("method", "kappa"), ds)
    coords = {"method": _coord("method", methods, "1", "solution method", dtype=str),
              "kappa": _coord("kappa", kappa, "Gamma", "dissipative coupling kappa")}
    return xr.Dataset(data, coords=coords, attrs={"N": int(N), "J": J, "Gamma": Gamma, "w": w,
                                                   **combined_method_attrs(runs)})


def spectra_map(N: int, omega: dict, *, scan: str, values: list, kappa: float, J: float = 0.0,
                Delta: float = 0.0, Gamma=1.0, w=0.5) -> xr.Dataset:
    """Fig. S6: 2×2 QRT spectra S_A(ω) vs J (Δ fixed) or vs Δ (J fixed), with EP radicand."""
    om = np.linspace(omega["start"], omega["stop"], int(omega["num"]))
    SA, SB, rad, lam, runs = [], [], [], [], []
    for v in values:
        kw = dict(kappa=kappa, J=J, Delta=Delta, Gamma=Gamma, w=w)
        kw[scan] = float(v)
        ds = spectrum(int(N), om, SyncParams(**kw), method="qrt2")
        runs.append(ds)
        SA.append(ds.S_A.values)
        SB.append(ds.S_B.values)
        rad.append(complex(ds.radicand))
        lam.append(ds.eigenvalue.values)
    rad = np.array(rad)
    if scan == "J":  # real radicand: EP at its sign change
        i = np.nonzero(np.diff(np.sign(rad.real)))[0]
        ep = [float(values[k] - rad.real[k] * (values[k + 1] - values[k]) / (rad.real[k + 1] - rad.real[k])) for k in i]
    else:  # complex radicand: EP at min |radicand|
        ep = [float(values[int(np.argmin(np.abs(rad)))])]
    dims = (scan, "omega")
    sv = _coord(scan, values, "Gamma", "non-reciprocal coupling J" if scan == "J" else "detuning Delta")
    return xr.Dataset(
        {
            "S_A": (dims, np.array(SA), {"units": "1/Gamma", "long_name": "spectrum S_A(omega), 2x2 QRT"}),
            "S_B": (dims, np.array(SB), {"units": "1/Gamma", "long_name": "spectrum S_B(omega), 2x2 QRT"}),
            "radicand": (scan, rad, {"units": "Gamma^2", "long_name": "EP radicand"}),
            "eigenvalue": ((scan, "branch"), np.array(lam), {"units": "Gamma", "long_name": "2x2 QRT eigenvalues"}),
        },
        coords={scan: sv, "omega": _coord("omega", om, "Gamma", "frequency omega"),
                "branch": _coord("branch", [1, -1], "1", "sign of the root", dtype=int)},
        attrs={"N": int(N), "kappa": kappa, "J": J, "Delta": Delta, "Gamma": Gamma, "w": w,
               "scan": scan, "exceptional_points": ep, **combined_method_attrs(runs)},
    )


def comb_vs_N(N: list, omega: dict, *, kappa: float, J: float, Gamma=1.0, w=0.5) -> xr.Dataset:
    """Fig. S7: exact collective spectrum in the modulated-TW regime at increasing N (docs/theory/sync.md#spectra)."""
    om = np.linspace(omega["start"], omega["stop"], int(omega["num"]))
    runs = [spectrum(int(n), om, SyncParams(kappa=kappa, J=J, Gamma=Gamma, w=w), method="exact") for n in N]
    SA = [ds.S_A.values for ds in runs]
    return xr.Dataset(
        {"S_A": (("N", "omega"), np.array(SA), {"units": "1/Gamma", "long_name": "exact collective spectrum S_A / N^2"})},
        coords={"N": _coord("N", N, "1", "spins per species N", dtype=int), "omega": _coord("omega", om, "Gamma", "frequency omega")},
        attrs={"kappa": kappa, "J": J, "Gamma": Gamma, "w": w, **combined_method_attrs(runs)},
    )


def _observables_N(*, points, N, N_exact_max, Gamma, w):
    """``points``: ``[[name, kappa, J], ...]`` in the order of the dataset's ``point`` dimension."""
    return observables_vs_N({name: (kappa, J) for name, kappa, J in points}, N, N_exact_max, Gamma=Gamma, w=w)


def _observables_kappa(*, N, J, kappa, Gamma, w):
    return observables_vs_kappa(N, J, list(np.linspace(**kappa)), Gamma=Gamma, w=w)


def _spectra_map(*, scan, N, omega, values, kappa, Gamma, w, J=0.0, Delta=0.0):
    return spectra_map(N, omega, scan=scan, values=list(np.linspace(**values)), kappa=kappa, J=J, Delta=Delta,
                       Gamma=Gamma, w=w)


def _comb(*, N, omega, kappa, J, Gamma, w):
    return comb_vs_N(N, omega, kappa=kappa, J=J, Gamma=Gamma, w=w)


#: dataset builders of :func:`nonrecip.pipeline.registry.datasets`, called with the job's params
BUILDERS = {
    "observables_N": _observables_N,
    "observables_kappa": _observables_kappa,
    "spectra_map": _spectra_map,
    "comb": _comb,
}
