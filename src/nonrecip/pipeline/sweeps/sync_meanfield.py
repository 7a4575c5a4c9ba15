"""Figure-family drivers of the mean field of paper S (Figs. S1e–g, S2, S14; docs/theory/sync.md#mean-field-limit, docs/theory/sync.md#phase-diagram, docs/theory/sync.md#explicit-pt-breaking).

* :func:`phase_traces` — φ_A(t), φ_B(t) at one point per phase (Fig. S1e–g).
* :func:`chirality_classes` — Fig. S2(a) classes from a (Δ, J) phase diagram.
* :func:`hysteresis_sweep` — adiabatic up/down sweeps of Δ or Im J (Fig. S2b, c).
* :func:`threshold_scan` — |s_A| vs κ through the threshold of Eq. (31) (Fig. S14a).
* :func:`decoherence_scan` — traveling-wave coherence vs damping γ and dephasing γ_φ (Fig. S14b).
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import xarray as xr

from nonrecip.sync.meanfield import kernel as K
from nonrecip.sync.meanfield.solver import (IntegratorOptions, chiral_initial, incoherent_growth_rate,
                                            incoherent_inversion, integrate_points, meanfield_phase_diagram,
                                            meanfield_trajectory, param_rows, random_initial)
from nonrecip.sync.model import SyncParams
from nonrecip.sync.meanfield.phases import PhaseThresholds, classify_points
from nonrecip.io import combined_method_attrs, method_attrs
from nonrecip.pipeline.grids import grid_values

__all__ = ["phase_traces", "chirality_classes", "CHIRALITY_CLASSES", "hysteresis_sweep",
           "threshold_scan", "kappa_threshold", "decoherence_scan", "chirality_diagram",
           "BUILDERS"]

CHIRALITY_CLASSES = ("incoherent", "static", "coexisting_chiralities", "unique_chirality",
                     "unsynchronized", "mixed")
_RATE = "Gamma"


def phase_traces(points, *, w=0.5, Gamma=1.0, t_start=1400.0, t_end=1500.0, dt=0.1, seed=0) -> xr.Dataset:
    """Phases φ_A(t), φ_B(t) (wrapped to (−π, π]) at a few (name, κ, J) points (Fig. S1e–g).

    Parameters
    ----------
    points : sequence of (name, kappa, J)
        E.g. ``[("synchronized", 0.5, 0.2), ("traveling_wave", 1, 2), ...]`` (docs/theory/sync.md#figures).
    t_start, t_end, dt : float
        Shown time window (after the transient) and sampling step.
    """
    if not (0 <= t_start < t_end) or dt <= 0:
        raise ValueError("need 0 <= t_start < t_end and dt > 0")
    n_keep = int(round((t_end - t_start) / dt)) + 1
    times = np.concatenate([[0.0], np.linspace(t_start, t_end, n_keep)]) if t_start > 0 else np.linspace(0, t_end, n_keep)
    phiA, phiB, absA, runs = [], [], [], []
    for _, kappa, J in points:
        tr = meanfield_trajectory(SyncParams(kappa=kappa, J=J, w=w, Gamma=Gamma), times=times, seed=seed)
        runs.append(tr)
        tr = tr.isel(time=slice(-n_keep, None))
        phiA.append(-np.angle(tr.s_A.values))
        phiB.append(-np.angle(tr.s_B.values))
        absA.append(np.abs(tr.s_A.values))
    t = times[-n_keep:]
    names = [p[0] for p in points]
    return xr.Dataset(
        {
            "phi_A": (("point", "time"), np.array(phiA), {"units": "rad", "long_name": "phase phi_A (wrapped)"}),
            "phi_B": (("point", "time"), np.array(phiB), {"units": "rad", "long_name": "phase phi_B (wrapped)"}),
            "abs_s_A": (("point", "time"), np.array(absA), {"units": "1", "long_name": "|s_A|"}),
            "kappa": (("point",), np.array([float(p[1]) for p in points]), {"units": _RATE, "long_name": "dissipative coupling kappa"}),
            "J": (("point",), np.array([float(np.real(p[2])) for p in points]), {"units": _RATE, "long_name": "coupling J"}),
        },
        coords={
            "point": ("point", np.array(names, dtype=object), {"units": "1", "long_name": "example point (expected phase)"}),
            "time": ("time", t, {"units": "1/Gamma", "long_name": "time t"}),
        },
        attrs={"w": w, "Gamma": Gamma, "seed": seed, **combined_method_attrs(runs)},
    )


def chirality_classes(ds: xr.Dataset) -> xr.DataArray:
    """Fig. S2(a) class of every grid point from the two runs' chiralities and phases (docs/theory/sync.md#explicit-pt-breaking).

    unsynchronized: both runs unlocked; coexisting_chiralities: two locked moving runs of opposite
    chirality; unique_chirality: same nonzero chirality; static: both non-moving coherent;
    incoherent: both incoherent; mixed: anything else.
    """
    ph = ds.phase_ic
    ch = ds.chirality
    code = xr.full_like(ds.phase, CHIRALITY_CLASSES.index("mixed"), dtype=np.int8)
    both = lambda cond: cond.all("ic")  # noqa: E731
    code = code.where(~both(ph == 0), 0)
    code = code.where(~both((ph == 1) | (ph == 2)), 1)
    code = code.where(~((ch.prod("ic") < 0)), 2)
    code = code.where(~(both(ch != 0) & (ch.prod("ic") > 0)), 3)
    code = code.where(~both(ph == 5), 4)
    code.attrs = {"units": "1", "long_name": "chirality class (Fig. S2a)",
                  "flag_values": np.arange(len(CHIRALITY_CLASSES), dtype=np.int8),
                  "flag_meanings": " ".join(CHIRALITY_CLASSES)}
    return code.astype(np.int8).rename("chirality_class")


def hysteresis_sweep(parameter, values, *, kappa=0.5, J=1.0, Delta=0.0, w=0.5, Gamma=1.0, gamma=0.0,
                     gamma_phi=0.0, t_step=500.0, thresholds: PhaseThresholds | None = None,
                     options: IntegratorOptions | None = None) -> xr.Dataset:
    """Adiabatic up and down sweeps of Δ or Im J, state carried between steps (Fig. S2b, c).

    Two branches start at the first value from the two chiral states φ_A − φ_B = ±π/2; the up
    sweep visits ``values`` in increasing order, each step integrating ``t_step`` from the
    previous step's final state; the down sweep continues from the top back down.

    Parameters
    ----------
    parameter : {"Delta", "J_imag"}
        Swept parameter (the other parameters are fixed; for "J_imag", J = Re J + i·value).
    values : 1-D array
        Increasing parameter values.
    """
    if parameter not in ("Delta", "J_imag"):
        raise ValueError(f"parameter must be 'Delta' or 'J_imag', got {parameter!r}")
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2 or np.any(np.diff(values) <= 0):
        raise ValueError("values must be a strictly increasing 1-D array of length >= 2")
    if t_step <= 0:
        raise ValueError(f"t_step must be > 0, got {t_step}")
    for v in values[[0, -1]]:
        SyncParams(kappa=kappa, J=complex(np.real(J), v) if parameter == "J_imag" else J,
                   Delta=v if parameter == "Delta" else Delta, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi)
    th = thresholds or PhaseThresholds()
    Y = chiral_initial(1)[0][0]  # docs/theory/sync.md#explicit-pt-breaking: φ_A − φ_B = ±π/2
    out = np.zeros((2, len(values), 2, K.N_STATS))  # direction, value, branch
    for direction, order in enumerate((range(len(values)), range(len(values) - 1, -1, -1))):
        for i in order:
            v = values[i]
            Jv = complex(np.real(J), v) if parameter == "J_imag" else J
            P = param_rows(kappa, Jv, v if parameter == "Delta" else Delta, w, Gamma, gamma, gamma_phi)
            stats, Y = integrate_points(np.repeat(P, 2, axis=0), Y, t_final=t_step, options=options)
            out[direction, i] = stats
    cls = classify_points(out.reshape(-1, 2, K.N_STATS), th)
    keep = ["phase_ic", "abs_s_A", "abs_s_B", "phase_difference", "frequency", "frequency_B", "chirality"]
    data = {n: (("direction", parameter, "branch"), cls[n].values.reshape(2, len(values), 2), cls[n].attrs) for n in keep}
    long = "detuning Delta" if parameter == "Delta" else "imaginary part of J"
    return xr.Dataset(data, coords={
        "direction": ("direction", np.array(["up", "down"], dtype=object), {"units": "1", "long_name": "sweep direction"}),
        parameter: (parameter, values, {"units": _RATE, "long_name": long}),
        "branch": ("branch", np.arange(2), {"units": "1", "long_name": "start chirality (0: phi_A - phi_B = +pi/2, 1: -pi/2)"}),
    }, attrs={"kappa": kappa, "J_real": float(np.real(J)), "J_imag": float(np.imag(J)), "Delta": Delta,
              "w": w, "Gamma": Gamma, "gamma": gamma, "gamma_phi": gamma_phi, "t_step": t_step,
              "swept": parameter,
              **method_attrs("meanfield", {"integrator": asdict(options or IntegratorOptions())})})


def kappa_threshold(J, *, w=0.5, Gamma=1.0, gamma=0.0, gamma_phi=0.0):
    """κ_c ≥ 0 at which Eq. (31) holds with equality for |κ| > |J| (NaN: no crossing).

    z₀[Γ + √(κ² − J²)] = γ_tot ⇒ κ_c = √(x² + J²), x = γ_tot/z₀ − Γ ≥ 0 (x < 0: incoherent state
    unstable for every κ). Only κ_c ≤ Γ is physical.
    """
    z0 = incoherent_inversion(w, gamma)
    x = (w + gamma + 2 * gamma_phi) / z0 - Gamma
    J = np.asarray(J, dtype=float)
    kc = np.sqrt(x ** 2 + J ** 2)
    return np.where((x >= 0) & (kc <= Gamma), kc, np.nan)


def threshold_scan(kappa, J, *, w=1.2, Gamma=1.0, gamma=0.0, gamma_phi=0.0, t_final=2000.0, seed=0,
                   options: IntegratorOptions | None = None) -> xr.Dataset:
    """Time-averaged |s_A| vs κ for a few J through the synchronization threshold (Fig. S14a).

    Adds the analytic growth rate of the incoherent state (Eqs. 29–31) and κ_c of
    :func:`kappa_threshold` for comparison. Defaults put the threshold inside 0 ≤ κ ≤ Γ (w > Γ).
    """
    ds = meanfield_phase_diagram(kappa, J, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi,
                                 t_final=t_final, seed=seed, options=options).isel(Delta=0, drop=True)
    K2, J2 = np.meshgrid(ds.kappa.values, ds.J.values, indexing="ij")
    ds["growth_rate"] = (("kappa", "J"), incoherent_growth_rate(K2, J2, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi),
                         {"units": _RATE, "long_name": "growth rate of the incoherent state (Eqs. 29-31)"})
    ds["kappa_threshold"] = (("J",), kappa_threshold(ds.J.values, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi),
                             {"units": _RATE, "long_name": "analytic threshold kappa_c of Eq. (31)"})
    return ds


def decoherence_scan(rates, *, kappa=0.0, J=1.0, w=0.5, Gamma=1.0, t_final=2000.0, seed=0,
                     options: IntegratorOptions | None = None) -> xr.Dataset:
    """Traveling-wave coherence vs damping γ (γ_φ = 0) and vs dephasing γ_φ (γ = 0) (Fig. S14b).

    Returns dims (channel ∈ {damping, dephasing}, rate, ic) with the classifier's variables and
    the analytic growth rate of the incoherent state (its zero is where the TW disappears).
    """
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or rates.size < 1 or np.any(rates < 0):
        raise ValueError("rates must be a non-empty 1-D array of values >= 0")
    SyncParams(kappa=kappa, J=J, w=w, Gamma=Gamma, gamma=float(rates.max()), gamma_phi=float(rates.max()))
    zero = np.zeros_like(rates)
    P = np.vstack([param_rows(kappa, J, 0.0, w, Gamma, rates, zero),
                   param_rows(kappa, J, 0.0, w, Gamma, zero, rates)])
    n = P.shape[0]
    Y, _, _ = random_initial(n, seed)
    stats, _ = integrate_points(np.repeat(P, 2, axis=0), Y.reshape(2 * n, 6), t_final=t_final, options=options)
    cls = classify_points(stats.reshape(n, 2, K.N_STATS))
    out = {}
    for name, var in cls.data_vars.items():
        dims = ("channel", "rate") + tuple(d for d in var.dims if d != "point")
        out[name] = (dims, var.values.reshape((2, rates.size) + var.shape[1:]), var.attrs)
    ds = xr.Dataset(out, coords={
        "channel": ("channel", np.array(["damping", "dephasing"], dtype=object), {"units": "1", "long_name": "decoherence channel (gamma or gamma_phi)"}),
        "rate": ("rate", rates, {"units": _RATE, "long_name": "damping gamma or dephasing gamma_phi"}),
        "ic": ("ic", np.arange(2), {"units": "1", "long_name": "initial condition index"}),
    }, attrs={"kappa": kappa, "J": J, "w": w, "Gamma": Gamma, "t_final": t_final, "seed": seed,
              **method_attrs("meanfield", {"integrator": asdict(options or IntegratorOptions())})})
    g = np.stack([incoherent_growth_rate(kappa, J, w=w, Gamma=Gamma, gamma=rates),
                  incoherent_growth_rate(kappa, J, w=w, Gamma=Gamma, gamma_phi=rates)])
    ds["growth_rate"] = (("channel", "rate"), g, {"units": _RATE, "long_name": "growth rate of the incoherent state (Eqs. 29-31)"})
    return ds


def chirality_diagram(kappa, J, Delta, *, w=0.5, Gamma=1.0, gamma=0.0, gamma_phi=0.0, t_final=1500.0,
                      seed=0, options: IntegratorOptions | None = None) -> xr.Dataset:
    """Fig. S2(a): the (Δ, J) phase diagram at fixed κ with :func:`chirality_classes` added.

    Uses the deterministic ±π/2 starts of docs/theory/sync.md#explicit-pt-breaking (``initial="chiral"``) so that both
    chiralities are probed wherever they coexist.
    """
    ds = meanfield_phase_diagram(kappa, J, Delta=Delta, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi,
                                 t_final=t_final, seed=seed, initial="chiral", options=options)
    ds["chirality_class"] = chirality_classes(ds)
    return ds


def _phase_diagram(*, kappa, J, Gamma, w, t_final, seed):
    return meanfield_phase_diagram(grid_values(kappa), grid_values(J), w=w, Gamma=Gamma, t_final=t_final, seed=seed)


def _traces(*, points, t_start, t_end, dt, Gamma, w, seed):
    return phase_traces([tuple(p) for p in points], w=w, Gamma=Gamma, t_start=t_start, t_end=t_end, dt=dt,
                        seed=seed)


def _chirality(*, kappa, J, Delta, t_final, Gamma, w, seed):
    return chirality_diagram(kappa, grid_values(J), grid_values(Delta), w=w, Gamma=Gamma, t_final=t_final, seed=seed)


def _hysteresis_Delta(*, kappa, J, values, t_step, Gamma, w):
    return hysteresis_sweep("Delta", grid_values(values), kappa=kappa, J=J, w=w, Gamma=Gamma, t_step=t_step)


def _hysteresis_J_imag(*, kappa, J_real, Delta, values, t_step, Gamma, w):
    return hysteresis_sweep("J_imag", grid_values(values), kappa=kappa, J=J_real, Delta=Delta, w=w, Gamma=Gamma,
                            t_step=t_step)


def _threshold(*, kappa, J, w, gamma, gamma_phi, Gamma, t_final, seed):
    return threshold_scan(grid_values(kappa), J, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi,
                          t_final=t_final, seed=seed)


def _decoherence(*, rates, kappa, J, Gamma, w, t_final, seed):
    return decoherence_scan(grid_values(rates), kappa=kappa, J=J, w=w, Gamma=Gamma, t_final=t_final, seed=seed)


#: dataset builders of :func:`nonrecip.pipeline.registry.datasets`, called with the job's params
BUILDERS = {
    "phase_diagram": _phase_diagram,
    "traces": _traces,
    "chirality": _chirality,
    "hysteresis_Delta": _hysteresis_Delta,
    "hysteresis_J_imag": _hysteresis_J_imag,
    "threshold": _threshold,
    "decoherence": _decoherence,
}
