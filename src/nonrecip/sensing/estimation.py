"""Estimating k0 from synthetic NV data: maximum likelihood and a Bayesian grid posterior.

Data are the outcome counts of n shots read out at one time t (M1: 2^N joint outcomes; M3: the
three values of x = b_1 − b_N), drawn from the forward model (docs/theory/sensing.md#estimation).
The log-likelihood on a k0 grid, ℓ(k0) = Σ_x n_x log p_x(k0), gives the maximum-likelihood
estimate (grid maximum refined by a parabola through its neighbours) and, with a prior on the
grid (default uniform on the grid's interval, so the sign of k0 is estimated too), the posterior
and its equal-tailed credible interval.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr

from nonrecip.sensing.fisher import _bits, _edge_distribution, outcome_probabilities
from nonrecip.sensing.model import SensorModel
from nonrecip.validate import integer, one_of, real

__all__ = ["measurement_distribution", "measurement_distributions", "simulate_counts", "likelihood_grid", "posterior_density",
           "credible_interval", "estimate_k0", "ml_estimate", "MEASUREMENTS"]

#: measurements whose raw outcomes are simulated and fitted
MEASUREMENTS = ("M1", "M3")
#: probabilities are floored here inside the logarithm (a count on an outcome of probability 0)
LOG_FLOOR = 1e-300


def measurement_distribution(model: SensorModel, time: float, measurement: str = "M1") -> np.ndarray:
    """Outcome probabilities of one shot read out at ``time``: M1 (2^N, by bit mask) or M3 (x = −1, 0, 1).

    Results are cached per (model, time, measurement) (the model is frozen), so that repeated
    fits on one grid solve each grid point once.
    """
    one_of("measurement", measurement, MEASUREMENTS)
    time = real("time", time, minimum=0.0, exclusive_minimum=True)
    return _cached_distribution(model, time, measurement)


def measurement_distributions(model: SensorModel, times) -> dict[str, np.ndarray]:
    """Every measurement's outcome distributions at ``times`` (> 0) from one solve: {"M1": (T, 2^N), "M3": (T, 3)}."""
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 1 or times[0] <= 0:
        raise ValueError("times must be a 1-D array of readout times > 0")
    p = np.clip(outcome_probabilities(model, np.concatenate([[0.0], times]))[1:], 0.0, None)
    bits = _bits(model.N)
    edge = np.clip(np.array([_edge_distribution(row, bits) for row in p]), 0.0, None)
    return {m: q / q.sum(axis=1, keepdims=True) for m, q in (("M1", p), ("M3", edge))}


@lru_cache(maxsize=8192)
def _cached_distribution(model: SensorModel, time: float, measurement: str) -> np.ndarray:
    p = measurement_distributions(model, [time])[measurement][0]
    p.setflags(write=False)
    return p


def simulate_counts(model: SensorModel, time: float, shots: int, *, measurement: str = "M1", seed: int = 0) -> np.ndarray:
    """Multinomial counts of ``shots`` readouts at ``time`` (NumPy ``default_rng(seed)``)."""
    shots = integer("shots", shots, minimum=1)
    seed = integer("seed", seed, minimum=0)
    p = measurement_distribution(model, time, measurement)
    return np.random.default_rng(seed).multinomial(shots, p)


def likelihood_grid(model: SensorModel, time: float, counts, k0_grid, *, measurement: str = "M1",
                    distributions: np.ndarray | None = None) -> xr.DataArray:
    """ℓ(k0) = Σ_x n_x log p_x(k0) on ``k0_grid`` (the other model fields as in ``model``).

    ``distributions`` (len(k0_grid), outcomes) may be given to reuse forward-model runs across
    data sets (:func:`grid_distributions`).
    """
    grid = np.asarray(k0_grid, dtype=float)
    if grid.ndim != 1 or grid.size < 3 or np.any(np.diff(grid) <= 0):
        raise ValueError("k0_grid must be a strictly increasing 1-D grid of >= 3 values")
    if distributions is None:
        distributions = grid_distributions(model, time, grid, measurement=measurement)
    counts = np.asarray(counts)
    if counts.shape != distributions.shape[1:]:
        raise ValueError(f"counts must have {distributions.shape[1]} entries (one per outcome), got {counts.shape}")
    loglik = np.log(np.maximum(distributions, LOG_FLOOR)) @ counts
    return xr.DataArray(loglik, dims=("k0",), coords={"k0": ("k0", grid, {"units": "1/a", "long_name": "k0 = D/J"})},
                        attrs={"units": "1", "long_name": f"log-likelihood of the {measurement} counts"})


def grid_distributions(model: SensorModel, time: float, k0_grid, *, measurement: str = "M1") -> np.ndarray:
    """Outcome distributions (len(k0_grid), outcomes) of ``model`` with k0 on the grid."""
    return np.array([measurement_distribution(model.with_changes(k0=float(k)), time, measurement) for k in k0_grid])


def posterior_density(loglik: xr.DataArray, prior: xr.DataArray | None = None) -> xr.DataArray:
    """Posterior density on the k0 grid of a log-likelihood (trapezoid-normalised); ``prior`` default uniform."""
    log_post = loglik - float(loglik.max())
    if prior is not None:
        if np.any(prior.values < 0):
            raise ValueError("prior must be non-negative")
        log_post = log_post + np.log(np.maximum(prior.values, LOG_FLOOR))
    density = np.exp(log_post - float(log_post.max()))
    density = density / np.trapezoid(density.values, density["k0"].values)
    density.attrs = {"units": "a", "long_name": "posterior density of k0"}
    return density


def credible_interval(density: xr.DataArray, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed credible interval of a posterior density on a grid (linear interpolation of its CDF)."""
    level = real("level", level, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    x, f = density["k0"].values, density.values
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(x))])
    cdf /= cdf[-1]
    tail = (1.0 - level) / 2
    return float(np.interp(tail, cdf, x)), float(np.interp(1.0 - tail, cdf, x))


def ml_estimate(loglik: xr.DataArray) -> float:
    """Maximum of ℓ on the grid, refined by the parabola through the maximum and its neighbours."""
    x, y = loglik["k0"].values, loglik.values
    i = int(np.argmax(y))
    if i == 0 or i == len(x) - 1:
        return float(x[i])
    (x0, x1, x2), (y0, y1, y2) = x[i - 1:i + 2], y[i - 1:i + 2]
    denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
    a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom
    b = (x2 ** 2 * (y0 - y1) + x1 ** 2 * (y2 - y0) + x0 ** 2 * (y1 - y2)) / denom
    return float(-b / (2 * a)) if a < 0 else float(x1)


def estimate_k0(model: SensorModel, time: float, counts, *, prior_interval: tuple[float, float],
                measurement: str = "M1", level: float = 0.95, n_coarse: int = 161, n_fine: int = 81) -> dict:
    """k0 from counts: ML estimate and posterior credible interval under a uniform prior on ``prior_interval``.

    The posterior of many shots is far narrower than any grid over the prior interval, and the
    readout distribution can repeat at distant k0 (a second, weaker mode), so
    (docs/theory/sensing.md#estimation):

    1. a coarse grid of ``n_coarse`` points over the interval locates every local maximum of ℓ;
    2. each is climbed on dyadic sub-lattices of the coarse grid (step halved until it is below a
       quarter of the local posterior width from ℓ's curvature);
    3. modes whose Laplace mass is within e^-20 of the largest get a fine grid over ± 8 widths
       (spacing the coarse one halved until the window holds about ``n_fine`` points), and the
       posterior is normalised on the union of these grids.

    Every point lies on a lattice shared by all data sets, so cached forward runs are reused.

    Returns
    -------
    dict
        ``ml``, ``ci_low``, ``ci_high``, ``posterior_mean``, ``posterior_std``, ``refined`` (the fine
        spacing is below the coarse one), ``modes`` (k0 of the kept modes), ``posterior``.
    """
    lo, hi = (real("prior_interval[0]", prior_interval[0]), real("prior_interval[1]", prior_interval[1]))
    if not lo < hi:
        raise ValueError(f"prior_interval must be increasing, got {prior_interval}")
    n_coarse = integer("n_coarse", n_coarse, minimum=5)
    n_fine = integer("n_fine", n_fine, minimum=5)
    coarse = (hi - lo) / (n_coarse - 1)
    counts = np.asarray(counts)
    cache: dict[float, float] = {}

    def ll_at(k_index: float, step: float) -> float:
        x = lo + step * k_index
        if x not in cache:
            p = measurement_distribution(model.with_changes(k0=float(x)), time, measurement)
            cache[x] = float(np.log(np.maximum(p, LOG_FLOOR)) @ counts)
        return cache[x]

    ll = np.array([ll_at(i, coarse) for i in range(n_coarse)])
    peaks = [i for i in range(n_coarse) if (i == 0 or ll[i] >= ll[i - 1]) and (i == n_coarse - 1 or ll[i] >= ll[i + 1])]
    modes = [(lo + offset, value, width) for offset, value, width in (_climb(ll_at, i, coarse, n_coarse - 1) for i in peaks)]
    best = max(m[1] + np.log(m[2]) for m in modes)
    kept = [m for m in modes if m[1] + np.log(m[2]) >= best - 20.0]
    points = set()
    fine = coarse
    for x, _, width in kept:
        a, b = max(lo, x - 8 * width), min(hi, x + 8 * width)
        step = coarse / 2 ** max(0, int(np.ceil(np.log2(coarse * n_fine / max(b - a, 1e-300)))))
        fine = min(fine, step)
        points.update(lo + step * np.arange(np.ceil((a - lo) / step - 1e-9), np.floor((b - lo) / step + 1e-9) + 1))
    grid = np.array(sorted(points))
    loglik = likelihood_grid(model, time, counts, grid, measurement=measurement)
    post = posterior_density(loglik)
    x, f = grid, post.values
    mean = float(np.trapezoid(x * f, x))
    std = float(np.sqrt(max(np.trapezoid((x - mean) ** 2 * f, x), 0.0)))
    ci = credible_interval(post, level)
    return {"ml": ml_estimate(loglik), "ci_low": ci[0], "ci_high": ci[1], "posterior_mean": mean, "posterior_std": std,
            "refined": fine < coarse, "modes": sorted(float(m[0]) for m in kept), "posterior": post}


def _climb(ll_at, start: int, coarse: float, last: int, max_halvings: int = 40) -> tuple[float, float, float]:
    """Pattern search of a local maximum of ℓ from coarse index ``start`` on halved lattices.

    ``ll_at(index, step)`` is ℓ at the lattice point ``lo + step * index``. Returns the maximum's
    offset ``step * index`` from the interval start, ℓ there, and the local posterior width
    1/sqrt(−ℓ'') (the step where ℓ is not concave or the maximum sits on the interval's end).
    """
    step, idx = coarse, float(start)
    top = last * 1.0
    width = coarse
    for _ in range(max_halvings):
        while idx + 1 <= top and ll_at(idx + 1, step) > ll_at(idx, step):
            idx += 1
        while idx - 1 >= 0 and ll_at(idx - 1, step) > ll_at(idx, step):
            idx -= 1
        if 0 < idx < top:
            curv = (ll_at(idx + 1, step) - 2 * ll_at(idx, step) + ll_at(idx - 1, step)) / step ** 2
            width = 1 / np.sqrt(-curv) if curv < 0 else step
        else:  # the maximum sits on the interval's end: halving cannot move it inward
            width = step
            break
        if step <= width / 4:
            break
        step, idx, top = step / 2, idx * 2, top * 2
    return idx * step, ll_at(idx, step), width
