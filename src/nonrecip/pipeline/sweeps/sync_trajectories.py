"""Figure-family drivers of the monitored trajectories of paper S (Figs. S8–S11, docs/theory/sync.md#monitored-trajectories, docs/theory/sync.md#trajectory-results).

Each builder of :data:`BUILDERS` takes plain config values (collective rates, times in 1/Γ) as
keywords and returns a labelled ``xarray.Dataset``:

* ``regime_trajectories``: a few heterodyne trajectories at one (κ, J, N) point (Fig. S8 a–c);
* ``window_trajectories``: many heterodyne trajectories at the traveling-wave point (Fig. S9);
* ``reversal_ensemble``: the reversal-rate ensemble at one N (Fig. S10), reduced by
  ``reversal_rates`` (:func:`s10_rates`) to rates on the dimension N;
* ``detection_ensembles``: heterodyne and homodyne ensembles at one N, on the dimension ``detection``, from
  random-phase initial states (from the inverted state, homodyne trajectories keep the
  U K symmetry of :func:`~nonrecip.sync.monitored.trajectories.trajectories` and never form a chirality).
"""

from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from nonrecip.sync.monitored.reversals import chirality_reversals, traveling_wave_period
from nonrecip.io import combined_method_attrs, method_attrs
from nonrecip.sync.model import SyncParams
from nonrecip.sync.monitored.trajectories import trajectories

__all__ = ["BUILDERS", "s10_rates", "exponential_fit"]

log = logging.getLogger(__name__)


def _times(t_final, sample_dt):
    n = int(round(t_final / sample_dt))
    return np.arange(n + 1) * sample_dt


def _run(*, N, kappa, J, n_traj, t_final, seed, Gamma, w, dt, sample_dt, efficiency, detection="heterodyne",
         theta=0.0, initial="inverted"):
    log.info("trajectories N=%s kappa=%s J=%s n_traj=%s T=%s %s", N, kappa, J, n_traj, t_final, detection)
    return trajectories(int(N), SyncParams(kappa=kappa, J=J, w=w, Gamma=Gamma),
                        detection=detection, theta=theta, efficiency=efficiency,
                        n_traj=int(n_traj), times=_times(t_final, sample_dt),
                        dt=dt, seed=int(seed), method="cumulant2", initial=initial)


def _regime_trajectories(*, regime, N, kappa, J, n_traj, t_final, seed, **common):
    """Fig. S8: a few heterodyne trajectories at one (κ, J, N) point, labelled by its regime."""
    ds = _run(N=N, kappa=kappa, J=J, n_traj=n_traj, t_final=t_final, seed=seed, **common)
    return ds.assign_attrs(regime=regime)


def _window_trajectories(*, N, kappa, J, n_traj, t_final, seed, window, **common):
    """Fig. S9: many heterodyne trajectories at the traveling-wave point with the averaging window."""
    ds = _run(N=N, kappa=kappa, J=J, n_traj=n_traj, t_final=t_final, seed=seed, **common)
    return ds.assign_attrs(window=_window(window, kappa, J, common))


def _reversal_ensemble(*, N, kappa, J, n_traj, t_final, t_start, seed, window, **common):
    """Fig. S10: the reversal-rate ensemble at one N."""
    ds = _run(N=N, kappa=kappa, J=J, n_traj=n_traj, t_final=t_final, seed=seed, **common)
    return ds.assign_attrs(window=_window(window, kappa, J, common), t_start=t_start)


def _detection_ensembles(*, N, kappa, J, theta, n_traj, t_final, t_start, seed, window, **common):
    """Fig. S11: heterodyne and homodyne ensembles from random-phase initial states."""
    parts = [
        _run(N=N, kappa=kappa, J=J, n_traj=n_traj, t_final=t_final, seed=seed + i, detection=det,
             theta=theta, initial="random_phase", **common)
        for i, det in enumerate(("heterodyne", "homodyne"))
    ]
    seeds = [p.attrs["seed"] for p in parts]
    for p in parts:
        for key in ("detection", "seed", "scheme"):
            p.attrs.pop(key, None)
    ds = xr.concat(parts, dim="detection", combine_attrs="drop_conflicts")
    ds = ds.assign_coords(detection=("detection", ["heterodyne", "homodyne"],
                                     {"units": "1", "long_name": "detection scheme"}))
    return ds.assign_attrs(window=_window(window, kappa, J, common), t_start=t_start, seeds=seeds,
                           scheme="Euler-Maruyama, cumulant K = 2 SME")


def _window(window, kappa, J, common) -> float:
    """The reversal-averaging window: the configured one, or one mean-field traveling-wave period."""
    if window is not None:
        return float(window)
    return traveling_wave_period(kappa=kappa, J=J, w=common["w"], Gamma=common["Gamma"])


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
    """Fig. S10: reversal rate vs N with 95% intervals and the exponential fit (docs/theory/sync.md#trajectory-results)."""
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
               **method_attrs("chirality_reversals + weighted exponential fit",
                              {"trajectories": combined_method_attrs(datasets),
                               "window": float(first["window"]), "t_start": float(first["t_start"])}),
               "fit": "ln rate = fit_intercept + fit_slope N (weighted least squares)",
               "window": float(first["window"]), "t_start": float(first["t_start"]),
               **{k: first[k] for k in ("kappa", "J_real", "J_imag", "w", "Gamma", "dt", "efficiency",
                                        "detection") if k in first}},
    )


def _reversal_rates(*ensembles):
    return s10_rates(list(ensembles))


#: dataset builders of :func:`nonrecip.pipeline.registry.datasets`, called with the job's params
BUILDERS = {
    "regime_trajectories": _regime_trajectories,
    "window_trajectories": _window_trajectories,
    "reversal_ensemble": _reversal_ensemble,
    "detection_ensembles": _detection_ensembles,
    "reversal_rates": _reversal_rates,
}
