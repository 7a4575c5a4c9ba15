"""Figure-family drivers of the monitored trajectories of paper S (Figs. S8–S11, spec S §10, §12.2).

Each function takes plain config values (collective rates, times in 1/Γ) and returns a labelled
``xarray.Dataset``. Dataset kinds (workflow wildcard ``str_data``):

* ``S8_<regime>``: a few heterodyne trajectories at one (κ, J, N) point (Fig. S8 a–c);
* ``S9``: many heterodyne trajectories at the traveling-wave point (Fig. S9);
* ``S10_N<n>``: the reversal-rate ensemble at N = n (Fig. S10), reduced by :func:`s10_rates`
  to rates on the dimension N;
* ``S11``: heterodyne and homodyne ensembles at one N, on the dimension ``detection``, from
  random-phase initial states (from the inverted state, homodyne trajectories keep the
  U K symmetry of :func:`~nonrecip.sync.trajectories.trajectories` and never form a chirality).
"""

from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from nonrecip.sync.reversals import chirality_reversals, traveling_wave_period
from nonrecip.sync.trajectories import trajectories

__all__ = ["dataset_kinds", "dataset_from_config", "s10_rates", "exponential_fit"]

log = logging.getLogger(__name__)


def dataset_kinds(section: dict) -> list[str]:
    """Names of every data job of a ``sync_trajectories`` config section."""
    kinds = [f"S8_{p[0]}" for p in section["fig_S8"]["points"]]
    kinds += ["S9"] + [f"S10_N{n}" for n in section["fig_S10"]["N"]] + ["S11"]
    return kinds


def _times(t_final, sample_dt):
    n = int(round(t_final / sample_dt))
    return np.arange(n + 1) * sample_dt


def _run(common, *, N, kappa, J, n_traj, t_final, seed, detection="heterodyne", theta=0.0,
         initial="inverted"):
    log.info("trajectories N=%s kappa=%s J=%s n_traj=%s T=%s %s", N, kappa, J, n_traj, t_final, detection)
    return trajectories(int(N), kappa=kappa, J=J, w=common["w"], Gamma=common["Gamma"],
                        detection=detection, theta=theta, efficiency=common["efficiency"],
                        n_traj=int(n_traj), times=_times(t_final, common["sample_dt"]),
                        dt=common["dt"], seed=int(seed), method="cumulant2", initial=initial)


def dataset_from_config(kind: str, section: dict) -> xr.Dataset:
    """Build the dataset ``kind`` (see module docstring) from a ``sync_trajectories`` section."""
    common = {k: section[k] for k in ("Gamma", "w", "dt", "sample_dt", "efficiency")}
    if kind.startswith("S8_"):
        f = section["fig_S8"]
        pts = {p[0]: p[1:] for p in f["points"]}
        name = kind[3:]
        if name not in pts:
            raise ValueError(f"unknown Fig. S8 regime {name!r}; configured: {list(pts)}")
        kappa, J, N = pts[name]
        ds = _run(common, N=N, kappa=kappa, J=J, n_traj=f["n_traj"], t_final=f["t_final"], seed=f["seed"])
        return ds.assign_attrs(regime=name)
    if kind == "S9":
        f = section["fig_S9"]
        ds = _run(common, N=f["N"], kappa=f["kappa"], J=f["J"], n_traj=f["n_traj"], t_final=f["t_final"],
                  seed=f["seed"])
        return ds.assign_attrs(window=_window(f, common))
    if kind.startswith("S10_N"):
        f = section["fig_S10"]
        N = int(kind[5:])
        ds = _run(common, N=N, kappa=f["kappa"], J=f["J"], n_traj=f["n_traj"], t_final=f["t_final"],
                  seed=f["seed"] + N)
        return ds.assign_attrs(window=_window(f, common), t_start=f["t_start"])
    if kind == "S11":
        f = section["fig_S11"]
        parts = [
            _run(common, N=f["N"], kappa=f["kappa"], J=f["J"], n_traj=f["n_traj"], t_final=f["t_final"],
                 seed=f["seed"] + i, detection=det, theta=f["theta"], initial="random_phase")
            for i, det in enumerate(("heterodyne", "homodyne"))
        ]
        seeds = [p.attrs["seed"] for p in parts]
        for p in parts:
            for key in ("detection", "seed", "scheme"):
                p.attrs.pop(key, None)
        ds = xr.concat(parts, dim="detection", combine_attrs="drop_conflicts")
        ds = ds.assign_coords(detection=("detection", ["heterodyne", "homodyne"],
                                         {"units": "1", "long_name": "detection scheme"}))
        return ds.assign_attrs(window=_window(f, common), t_start=f["t_start"], seeds=seeds,
                               scheme="Euler-Maruyama, cumulant K = 2 SME")
    raise ValueError(f"unknown sync_trajectories dataset kind {kind!r}")


def _window(f, common) -> float:
    if f.get("window") is not None:
        return float(f["window"])
    return traveling_wave_period(kappa=f["kappa"], J=f["J"], w=common["w"], Gamma=common["Gamma"])


def exponential_fit(N, rate, err):
    """Weighted least-squares fit ln rate = a + b N (weights rate/err); returns (a, b, b_err)."""
    N, rate, err = (np.asarray(v, float) for v in (N, rate, err))
    ok = (rate > 0) & np.isfinite(err) & (err > 0)
    if ok.sum() < 2:
        return np.nan, np.nan, np.nan
    wts = rate[ok] / err[ok]
    A = np.vstack([np.ones(ok.sum()), N[ok]]).T * wts[:, None]
    y = np.log(rate[ok]) * wts
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    cov = np.linalg.inv(A.T @ A)
    return float(coef[0]), float(coef[1]), float(np.sqrt(cov[1, 1]))


def s10_rates(datasets: list[xr.Dataset]) -> xr.Dataset:
    """Fig. S10: reversal rate vs N with 95% intervals and the exponential fit (spec S §12.2)."""
    datasets = sorted(datasets, key=lambda d: d.attrs["N"])
    Ns = [int(d.attrs["N"]) for d in datasets]
    rows = {k: [] for k in ("rate", "rate_stderr", "rate_ci_low", "rate_ci_high")}
    n_valid, n_rev = [], []
    for d in datasets:
        r = chirality_reversals(d, window=d.attrs["window"], t_start=d.attrs["t_start"])
        for k in rows:
            rows[k].append(float(r[k]))
        n_valid.append(int(r.attrs["n_valid"]))
        n_rev.append(int(r.n_reversals.where(r.n_reversals >= 0).sum()))
    a, b, b_err = exponential_fit(Ns, rows["rate"], rows["rate_stderr"])
    inv = {"units": "Gamma"}
    data = {
        "rate": ("N", rows["rate"], {**inv, "long_name": "chirality reversals per unit time"}),
        "rate_stderr": ("N", rows["rate_stderr"], {**inv, "long_name": "standard error of the rate"}),
        "rate_ci_low": ("N", rows["rate_ci_low"], {**inv, "long_name": "95% interval, lower end"}),
        "rate_ci_high": ("N", rows["rate_ci_high"], {**inv, "long_name": "95% interval, upper end"}),
        "n_valid": ("N", n_valid, {"units": "1", "long_name": "trajectories kept (not diverged)"}),
        "n_reversals": ("N", n_rev, {"units": "1", "long_name": "total reversals counted"}),
    }
    first = datasets[0].attrs
    return xr.Dataset(
        data,
        coords={"N": ("N", Ns, {"units": "1", "long_name": "spins per species N"})},
        attrs={"fit_intercept": a, "fit_slope": b, "fit_slope_stderr": b_err,
               "fit": "ln rate = fit_intercept + fit_slope N (weighted least squares)",
               "window": float(first["window"]), "t_start": float(first["t_start"]),
               **{k: first[k] for k in ("kappa", "J_real", "J_imag", "w", "Gamma", "dt", "efficiency",
                                        "detection") if k in first}},
    )
