"""Witness of bath symmetry breaking and experimental design (docs/theory/sensing.md#witness, #design).

H0: k0 = 0, a mirror-symmetric bath, under which the emission pattern is mirror symmetric and
x = b_1 − b_N has mean zero. Two tests, each with the number of shots n needed to reject H0 at
``sigma`` standard deviations (two-sided) with probability ``power`` when k0 is the model's:

* M3, model-agnostic: the z-test of the sample mean of x, which needs no model of the bath
  (reject when |x̄| / √(s²/n) > z_α, s² the sample variance). The normal approximation
  n = [(z_α σ_0 + z_β σ_1) / |μ_1|]² (μ_1, σ_1 the mean and standard deviation of x under k0,
  σ_0 under k0 = 0) misjudges the power when x is skewed (82 % instead of 90 % at n ≈ 80; at
  N = 10, k0 = 0.3 it gives 812 shots where 2341 are needed), so the n whose exact power
  (:func:`z_test_power`, a sum of binomial tails) first reaches ``power`` is found by bisection,
  up to :data:`EXACT_SHOTS_MAX`;
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

__all__ = ["shots_to_detect", "shots_from_distributions", "best_readout_time", "z_test_power", "EXACT_SHOTS_MAX"]

#: a mean asymmetry or log-likelihood gap at or below this is no signal (round-off at k0 = 0)
SIGNAL_FLOOR = 1e-12
#: values m of the shots with x != 0 whose binomial log-probability is below this are left out of
#: the exact power (at most (n + 1)·e^-46 ≈ 2e-15 of probability at n = 2e5)
PMF_LOG_FLOOR = -46.0
#: up to this many shots the M3 shot count comes from the exact power of the z-test
EXACT_SHOTS_MAX = 200_000


def z_test_power(p: np.ndarray, n: int, sigma: float) -> float:
    """Exact probability that the M3 z-test rejects x̄ = 0 after ``n`` shots with P(x = −1, 0, 1) = ``p``.

    With m = n₊ + n₋ the shots with x ≠ 0 and d = n₊ − n₋, the statistic |x̄|/√(s²/n) exceeds σ
    exactly when d² > σ² m / (1 + σ²/n) (a sample of zero variance and non-zero mean rejects).
    m is binomial (n, p₋ + p₊) and n₊ given m binomial (m, p₊/(p₋ + p₊)), so the power is a sum of
    n + 1 binomial tail probabilities.
    """
    minus, _, plus = (float(v) for v in p)
    q = minus + plus
    if q <= 0:
        return 0.0
    m = np.arange(n + 1)
    with np.errstate(divide="ignore"):
        log_pmf = (special.gammaln(n + 1) - special.gammaln(m + 1) - special.gammaln(n - m + 1)
                   + special.xlogy(m, q) + special.xlog1py(n - m, -q))
    keep = log_pmf > PMF_LOG_FLOOR  # the binomial tails only where m has weight (error <= (n + 1) e^floor)
    m, log_pmf = m[keep], log_pmf[keep]
    c = np.sqrt(sigma ** 2 * m / (1.0 + sigma ** 2 / n))
    r = plus / q
    a = np.floor((m + c) / 2)
    upper = np.where(a < m, special.bdtrc(np.minimum(a, m), m, r), 0.0)      # n₊ > (m + c)/2
    b = np.ceil((m - c) / 2) - 1
    lower = np.where(b >= 0, special.bdtr(np.maximum(b, 0), m, r), 0.0)       # n₊ < (m − c)/2
    return float(np.sum(np.exp(log_pmf) * (upper + lower)))


def _z(sigma: float, power: float) -> tuple[float, float]:
    return sigma, float(stats.norm.ppf(power))


def shots_to_detect(model: SensorModel, time: float, *, measurement: str = "M3", sigma: float = 3.0,
                    power: float = 0.9) -> float:
    """Shots needed to reject k0 = 0 at ``sigma`` (two-sided) with ``power``, reading out at ``time``.

    Returns ``inf`` when the measurement carries no signal at this k0 and time.
    """
    one_of("measurement", measurement, ("M1", "M3"))
    p1 = measurement_distribution(model, time, measurement)
    p0 = measurement_distribution(model.with_changes(k0=0.0), time, measurement)
    return shots_from_distributions(p1, p0, measurement=measurement, sigma=sigma, power=power)


def shots_from_distributions(p1: np.ndarray, p0: np.ndarray, *, measurement: str = "M3", sigma: float = 3.0,
                             power: float = 0.9, exact: bool = True) -> float:
    """:func:`shots_to_detect` from the one-shot outcome distributions under k0 (``p1``) and k0 = 0 (``p0``).

    ``exact=False`` skips the exact power of the M3 test (the normal approximation only).
    """
    one_of("measurement", measurement, ("M1", "M3"))
    sigma = real("sigma", sigma, minimum=0.0, exclusive_minimum=True)
    power = real("power", power, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if power >= 1:
        raise ValueError("power must be < 1")
    z_a, z_b = _z(sigma, power)
    if measurement == "M3":
        x = np.array([-1.0, 0.0, 1.0])
        mu1 = float(p1 @ x)
        s1 = float(np.sqrt(max(p1 @ x ** 2 - mu1 ** 2, 0.0)))
        s0 = float(np.sqrt(max(p0 @ x ** 2 - (p0 @ x) ** 2, 0.0)))
        gap = abs(mu1)
        if exact and gap > SIGNAL_FLOOR and ((z_a * s0 + z_b * s1) / gap) ** 2 <= EXACT_SHOTS_MAX / 4:
            n = _smallest_exact_n(p1, sigma, power, start=int(((z_a * s0 + z_b * s1) / gap) ** 2))
            if n <= EXACT_SHOTS_MAX:
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


def _smallest_exact_n(p: np.ndarray, sigma: float, power: float, start: int = 2) -> int:
    """Smallest n with exact z-test power ≥ ``power``, by bisection from a bracket around ``start``
    (the normal approximation; the power of the discrete test rises with n up to a sawtooth of a
    few shots); :data:`EXACT_SHOTS_MAX` + 1 if none below it."""
    lo = max(1, start // 4)
    if z_test_power(p, lo, sigma) >= power:
        lo = 1
    hi = max(lo + 1, start)
    while hi <= EXACT_SHOTS_MAX and z_test_power(p, hi, sigma) < power:
        lo, hi = hi, 2 * hi
    if hi > EXACT_SHOTS_MAX:
        hi = EXACT_SHOTS_MAX + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if z_test_power(p, mid, sigma) >= power:
            hi = mid
        else:
            lo = mid
    return hi


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
