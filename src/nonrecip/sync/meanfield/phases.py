"""Phase classifier of the mean-field states (docs/theory/sync.md#phase-diagram, docs/theory/sync.md#explicit-pt-breaking).

Codes (CF ``flag_values`` / ``flag_meanings`` of the ``phase`` variable):

0 incoherent, 1 synchronized, 2 pi_synchronized, 3 traveling_wave,
4 modulated_traveling_wave, 5 unsynchronized, 6 ic_disagree.

Decision list for one run (thresholds are the fields of :class:`PhaseThresholds`):

1. incoherent: min_n ⟨|s_n|⟩_t < ``amp_incoherent``;
2. unsynchronized: φ_A − φ_B winds by more than ``min_winding`` over the averaging span
   (window, or the exact period of a detected limit cycle) — no common frequency;
3. static if |ω̄| ≤ ``freq_moving`` with ω̄ = (ω_A + ω_B)/2: synchronized when
   cos⟨φ_A − φ_B⟩_circ ≥ 0, else pi_synchronized;
4. moving: traveling_wave when the relative std of both |s_n| ≤ ``relstd_tw`` and the circular
   concentration of φ_A − φ_B ≥ ``conc_tw``; otherwise modulated_traveling_wave.

A grid point takes the common phase of its two runs, else ic_disagree. The chirality of a
run is sign(ω̄) for locked moving states (ω_A > 0 ⇔ φ_A − φ_B ≈ +π/2 at κ = 0, docs/theory/sync.md#mean-field-exact-results) and 0
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from nonrecip.sync.meanfield import kernel as K

__all__ = ["PhaseThresholds", "PHASE_NAMES", "PHASE_CODES", "classify_points", "phase_attrs",
           "STOP_REASONS"]

PHASE_NAMES = ("incoherent", "synchronized", "pi_synchronized", "traveling_wave",
               "modulated_traveling_wave", "unsynchronized", "ic_disagree")
PHASE_CODES = {name: code for code, name in enumerate(PHASE_NAMES)}
STOP_REASONS = ("ran_to_t_final", "fixed_point", "limit_cycle", "incoherent_decay")


@dataclass(frozen=True)
class PhaseThresholds:
    """Named thresholds of the classifier (defaults: docs/theory/sync.md#phase-diagram).

    Attributes
    ----------
    amp_incoherent : float
        Time-averaged |s_n| below which a run is incoherent.
    freq_moving : float
        |ω̄| above which a locked state is moving (rate units).
    min_winding : float
        Net winding of φ_A − φ_B over the averaging span (rad) above which the species are
        unlocked. A detected unlocked limit cycle winds by exactly 2π n per period; locked
        states wind by less than the amplitude of their phase-difference oscillation.
    relstd_tw : float
        Largest relative standard deviation of |s_n| of a (pure) traveling wave.
    conc_tw : float
        Smallest circular concentration |⟨e^{i(φ_A−φ_B)}⟩| of a traveling wave.
    """

    amp_incoherent: float = 1e-3
    freq_moving: float = 1e-3
    min_winding: float = 1.5 * np.pi
    relstd_tw: float = 1e-2
    conc_tw: float = 0.99


def phase_attrs(long_name="mean-field phase (docs/theory/sync.md#phase-diagram)") -> dict:
    """CF flag attributes of a phase-code variable."""
    return {
        "units": "1",
        "long_name": long_name,
        "flag_values": np.arange(len(PHASE_NAMES), dtype=np.int8),
        "flag_meanings": " ".join(PHASE_NAMES),
    }


def _classify_runs(st: np.ndarray, th: PhaseThresholds) -> tuple[np.ndarray, np.ndarray]:
    """Phase code and chirality of each run from kernel statistics rows (..., N_STATS)."""
    aA, aB = st[..., K.ST_ABS_A], st[..., K.ST_ABS_B]
    wA, wB = st[..., K.ST_OMEGA_A], st[..., K.ST_OMEGA_B]
    wbar = 0.5 * (wA + wB)
    winding = (wA - wB) * st[..., K.ST_SPAN]
    code = np.full(st.shape[:-1], PHASE_CODES["modulated_traveling_wave"], dtype=np.int8)
    tw = (np.maximum(st[..., K.ST_RSTD_A], st[..., K.ST_RSTD_B]) <= th.relstd_tw) & (st[..., K.ST_CONC] >= th.conc_tw)
    code[tw] = PHASE_CODES["traveling_wave"]
    static = np.abs(wbar) <= th.freq_moving
    code[static & (np.cos(st[..., K.ST_DPHI]) >= 0)] = PHASE_CODES["synchronized"]
    code[static & (np.cos(st[..., K.ST_DPHI]) < 0)] = PHASE_CODES["pi_synchronized"]
    unlocked = np.abs(winding) > th.min_winding
    code[unlocked] = PHASE_CODES["unsynchronized"]
    incoh = np.minimum(aA, aB) < th.amp_incoherent
    code[incoh] = PHASE_CODES["incoherent"]
    chir = np.where(~static & ~unlocked & ~incoh, np.sign(wbar), 0).astype(np.int8)
    return code, chir


def classify_points(stats: np.ndarray, thresholds: PhaseThresholds | None = None) -> xr.Dataset:
    """Classify runs (stats of shape (point, ic, N_STATS)) into a labelled (point, ic) dataset."""
    th = thresholds or PhaseThresholds()
    stats = np.asarray(stats)
    code, chir = _classify_runs(stats, th)
    point = np.where(np.all(code == code[:, :1], axis=1), code[:, 0], PHASE_CODES["ic_disagree"]).astype(np.int8)
    pi = ("point", "ic")
    reason_attrs = {"units": "1", "long_name": "why the integration stopped",
                    "flag_values": np.arange(4, dtype=np.int8), "flag_meanings": " ".join(STOP_REASONS)}
    col = lambda c: stats[..., c]  # noqa: E731
    return xr.Dataset({
        "phase": (("point",), point, phase_attrs()),
        "phase_ic": (pi, code, phase_attrs("mean-field phase of each initial condition")),
        "abs_s_A": (pi, col(K.ST_ABS_A), {"units": "1", "long_name": "time-averaged |s_A|"}),
        "abs_s_B": (pi, col(K.ST_ABS_B), {"units": "1", "long_name": "time-averaged |s_B|"}),
        "relstd_s_A": (pi, col(K.ST_RSTD_A), {"units": "1", "long_name": "relative std of |s_A| in time"}),
        "relstd_s_B": (pi, col(K.ST_RSTD_B), {"units": "1", "long_name": "relative std of |s_B| in time"}),
        "phase_difference": (pi, col(K.ST_DPHI), {"units": "rad", "long_name": "circular mean of phi_A - phi_B"}),
        "phase_concentration": (pi, col(K.ST_CONC), {"units": "1", "long_name": "circular concentration |<exp i(phi_A - phi_B)>|"}),
        "frequency": (pi, col(K.ST_OMEGA_A), {"units": "Gamma", "long_name": "oscillation frequency omega_A = <d phi_A/dt>"}),
        "frequency_B": (pi, col(K.ST_OMEGA_B), {"units": "Gamma", "long_name": "oscillation frequency omega_B = <d phi_B/dt>"}),
        "z_A": (pi, col(K.ST_Z_A), {"units": "1", "long_name": "time-averaged z_A"}),
        "z_B": (pi, col(K.ST_Z_B), {"units": "1", "long_name": "time-averaged z_B"}),
        "chirality": (pi, chir, {"units": "1", "long_name": "chirality sign(omega) of a locked moving state (0: none)"}),
        "period": (pi, col(K.ST_PERIOD), {"units": "1/Gamma", "long_name": "period of the detected limit cycle of the reduced dynamics (NaN: none)"}),
        "stop_time": (pi, col(K.ST_T_STOP), {"units": "1/Gamma", "long_name": "time at which the integration stopped"}),
        "stop_reason": (pi, col(K.ST_REASON).astype(np.int8), reason_attrs),
        "n_steps": (pi, col(K.ST_NSTEPS).astype(np.int32), {"units": "1", "long_name": "integrator steps tried"}),
    })
