"""Witness of bath symmetry breaking and experimental design (docs/theory/sensing.md#witness, #design).

H0: k0 = 0, a mirror-symmetric bath, under which the emission pattern is mirror symmetric and
x = b_1 − b_N has mean zero. Two tests, each with the number of shots n needed to reject H0 at
``sigma`` standard deviations (two-sided) with probability ``power`` when k0 is the model's:

* M3, model-agnostic: the z-test of the sample mean of x, which needs no model of the bath
  (reject when |x̄| / √(s²/n) > z_α, s² the sample variance). The normal approximation
  n = [(z_α σ_0 + z_β σ_1) / |μ_1|]² (μ_1, σ_1 the mean and standard deviation of x under k0,
  σ_0 under k0 = 0) overstates the power at small n (82 % instead of 90 % at n ≈ 80, measured in
  tests/test_sensing_estimation.py), so up to :data:`EXACT_SHOTS_MAX` shots the smallest n whose
  exact power (a sum over the trinomial counts) reaches ``power`` is returned;
* M1, the likelihood-ratio (Neyman–Pearson) test of k0 = 0 against the model's k0 with the joint
  outcomes; per shot ℓ = log p_1(x)/p_0(x), n = [(z_α s_0 + z_β s_1) / (m_1 − m_0)]² with m, s
  the mean and standard deviation of ℓ under each hypothesis (the normal approximation of the
  sum of n shots).

Design: the readout time t* that maximises the Fisher information per shot, and the one that
maximises it per unit of experiment time, F/(t + t_overhead).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import special, stats

from nonrecip.sensing.estimation import LOG_FLOOR, measurement_distribution
from nonrecip.sensing.model import SensorModel
from nonrecip.validate import one_of, real

__all__ = ["shots_to_detect", "best_readout_time", "z_test_power", "EXACT_SHOTS_MAX"]

#: a mean asymmetry or log-likelihood gap at or below this is no signal (round-off at k0 = 0)
SIGNAL_FLOOR = 1e-12
#: up to this many shots the M3 shot count comes from the exact power of the z-test
EXACT_SHOTS_MAX = 3000


def z_test_power(p: np.ndarray, n: int, sigma: float) -> float:
    """Exact probability that the M3 z-test rejects x̄ = 0 after ``n`` shots with P(x = −1, 0, 1) = ``p``."""
    minus, zero, plus = (float(v) for v in p)
    k_plus = np.arange(n + 1)[:, None]
    k_minus = np.arange(n + 1)[None, :]
    valid = k_plus + k_minus <= n
    k_zero = np.where(valid, n - k_plus - k_minus, 0)
    with np.errstate(divide="ignore"):
        logp = (special.gammaln(n + 1) - special.gammaln(k_plus + 1) - special.gammaln(k_minus + 1)
                - special.gammaln(k_zero + 1) + k_plus * np.log(plus) + k_minus * np.log(minus)
                + k_zero * np.log(zero))
    mean = (k_plus - k_minus) / n
    var = (k_plus + k_minus) / n - mean ** 2
    reject = valid & (var > 0) & (np.abs(mean) > sigma * np.sqrt(np.where(var > 0, var, 1.0) / n))
    return float(np.exp(np.where(reject, logp, -np.inf)).sum())


def _z(sigma: float, power: float) -> tuple[float, float]:
    return sigma, float(stats.norm.ppf(power))


def shots_to_detect(model: SensorModel, time: float, *, measurement: str = "M3", sigma: float = 3.0,
                    power: float = 0.9) -> float:
    """Shots needed to reject k0 = 0 at ``sigma`` (two-sided) with ``power``, reading out at ``time``.

    Returns ``inf`` when the measurement carries no signal at this k0 and time.
    """
    one_of("measurement", measurement, ("M1", "M3"))
    sigma = real("sigma", sigma, minimum=0.0, exclusive_minimum=True)
    power = real("power", power, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if power >= 1:
        raise ValueError("power must be < 1")
    z_a, z_b = _z(sigma, power)
    p1 = measurement_distribution(model, time, measurement)
    p0 = measurement_distribution(model.with_changes(k0=0.0), time, measurement)
    if measurement == "M3":
        x = np.array([-1.0, 0.0, 1.0])
        mu1 = float(p1 @ x)
        s1 = float(np.sqrt(max(p1 @ x ** 2 - mu1 ** 2, 0.0)))
        s0 = float(np.sqrt(max(p0 @ x ** 2 - (p0 @ x) ** 2, 0.0)))
        gap = abs(mu1)
        if gap > SIGNAL_FLOOR and ((z_a * s0 + z_b * s1) / gap) ** 2 <= EXACT_SHOTS_MAX and np.all(p1 > 0):
            for n in range(2, EXACT_SHOTS_MAX + 1):
                if z_test_power(p1, n, sigma) >= power:
                    return float(n)
    else:
        llr = np.log(np.maximum(p1, LOG_FLOOR)) - np.log(np.maximum(p0, LOG_FLOOR))
        m1, m0 = float(p1 @ llr), float(p0 @ llr)
        s1 = float(np.sqrt(max(p1 @ llr ** 2 - m1 ** 2, 0.0)))
        s0 = float(np.sqrt(max(p0 @ llr ** 2 - m0 ** 2, 0.0)))
        gap = m1 - m0
    if gap <= SIGNAL_FLOOR:
        return float("inf")
    return float(((z_a * s0 + z_b * s1) / gap) ** 2)


def best_readout_time(information: xr.DataArray, *, overhead: float = 0.0) -> dict:
    """t* maximising the information per shot and per unit experiment time F/(t + overhead).

    Parameters
    ----------
    information : xarray.DataArray on ``time``
        Fisher information per shot (e.g. ``sensing_information(...)["fisher_M1"]``).
    overhead : float
        Time per shot spent outside the free evolution (initialisation, readout) [1/γ0].

    Returns
    -------
    dict
        ``t_per_shot``, ``F_per_shot``, ``t_per_time``, ``F_per_time`` (the maxima on the grid).
    """
    overhead = real("overhead", overhead, minimum=0.0)
    t = information["time"].values
    F = information.values
    per_time = np.where(t + overhead > 0, F / np.where(t + overhead > 0, t + overhead, 1.0), 0.0)
    i, j = int(np.argmax(F)), int(np.argmax(per_time))
    return {"t_per_shot": float(t[i]), "F_per_shot": float(F[i]), "t_per_time": float(t[j]),
            "F_per_time": float(per_time[j])}
