"""Per-shot Fisher information of the NV readouts and the quantum Fisher information of ρ(t).

Measurements (docs/theory/sensing.md#measurements):

* M1 — joint projective readout of all N NVs: outcome m (bit α−1 set ⇔ NV α read excited) with
  probability p_m = ⟨m|ρ|m⟩ passed through the readout channel (each bit flipped with
  probability ε); F1 = Σ_m (∂p_m)² / p_m;
* M2 — the N single-NV frequencies only: F2 = (∂q)ᵀ Σ⁻¹ (∂q), q_α the probability that NV α reads
  excited and Σ the covariance of the per-shot readout bits (the information of the efficient
  estimator built on the N averages; F2 ≤ F1);
* M3 — the edge statistic x = b_1 − b_N ∈ {−1, 0, 1} of each shot: F3 = Σ_x (∂P_x)² / P_x;
* M4 — time-resolved counting of each NV's emission: independent Poisson counts of mean
  η ∫ R_α dt in the bins between the output times, summed from the first time up to each time.
  The Poisson model holds for a small detection efficiency η (a run emits at most N quanta; its
  counts are nearly independent Poisson only once thinned, docs/theory/sensing.md#counting);
  F4 ∝ η. Bins of non-positive mean are left out. M4 is not a measurement on ρ(t), so the
  bound by the QFI of ρ(t) does not apply to it.

QFI (docs/theory/sensing.md#qfi): ρ and ∂ρ are block diagonal in the excitation number, so
F_Q = Σ_n 2 Σ_{ij} |⟨i|∂ρ_n|j⟩|² / (λ_i + λ_j) over the eigenpairs of each block with
λ_i + λ_j > :data:`EIGEN_FLOOR`. Outcome probabilities below :data:`PROBABILITY_FLOOR` are left
out of the classical sums (round-off makes their ratios meaningless).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from nonrecip.sensing.model import BlockStates, SensorModel, state_derivative
from nonrecip.validate import real

__all__ = ["outcome_probabilities", "sensing_information", "quantum_fisher_information", "classical_fisher_information",
           "PROBABILITY_FLOOR", "EIGEN_FLOOR"]

#: outcome probabilities at or below this are excluded from the classical Fisher sums
PROBABILITY_FLOOR = 1e-12
#: eigenvalue pairs with λ_i + λ_j at or below this are excluded from the QFI
EIGEN_FLOOR = 1e-12


def _mask_distribution(states: BlockStates, i: int) -> np.ndarray:
    """⟨m|ρ|m⟩ (or of ∂ρ) at output ``i``, indexed by bit mask m."""
    tab = states.tables
    diag = np.concatenate([np.real(np.diag(states.block(i, n))) for n in range(tab.N + 1)])
    out = np.zeros(2 ** tab.N)
    out[tab.states] = diag
    return out


def _readout(p: np.ndarray, N: int, eps: float) -> np.ndarray:
    """Apply the symmetric bit-flip channel of probability ε to every NV (linear, so also to ∂p)."""
    if eps == 0:
        return p
    flip = np.array([[1 - eps, eps], [eps, 1 - eps]])
    t = p.reshape((2,) * N)
    for axis in range(N):
        t = np.moveaxis(np.tensordot(flip, t, axes=([1], [axis])), 0, axis)
    return t.reshape(-1)


def _bits(N: int) -> np.ndarray:
    """(2^N, N) 0/1 matrix: bit (α−1) of mask m in column α−1."""
    masks = np.arange(2 ** N)
    return ((masks[:, None] >> np.arange(N)[None, :]) & 1).astype(float)


def outcome_probabilities(model: SensorModel, times) -> np.ndarray:
    """Joint readout distribution (len(times), 2^N) indexed by bit mask, readout error applied."""
    from nonrecip.sensing.model import forward_states

    states = forward_states(model, times)
    return np.array([_readout(_mask_distribution(states, i), model.N, model.readout_error)
                     for i in range(len(states.times))])


def classical_fisher_information(p: np.ndarray, dp: np.ndarray) -> float:
    """Σ_x (∂p_x)² / p_x over p_x > :data:`PROBABILITY_FLOOR`."""
    keep = p > PROBABILITY_FLOOR
    return float(np.sum(dp[keep] ** 2 / p[keep]))


def _marginal_information(p, dp, bits) -> float:
    q, dq = bits.T @ p, bits.T @ dp
    second = bits.T @ (p[:, None] * bits)
    cov = second - np.outer(q, q)
    keep = (q > PROBABILITY_FLOOR) & (q < 1 - PROBABILITY_FLOOR)
    if not keep.any():
        return 0.0
    cov, dq = cov[np.ix_(keep, keep)], dq[keep]
    return float(dq @ np.linalg.lstsq(cov, dq, rcond=1e-12)[0])


def _edge_distribution(p, bits):
    """P(x = −1, 0, +1) of x = b_1 − b_N (linear in p)."""
    b1, bN = bits[:, 0], bits[:, -1]
    plus, minus = p @ (b1 * (1 - bN)), p @ ((1 - b1) * bN)
    return np.array([minus, p.sum() - plus - minus, plus])


def quantum_fisher_information(states: BlockStates, derivative: BlockStates, i: int) -> float:
    """QFI of ρ(t_i), blockwise (module docstring)."""
    total = 0.0
    for n in range(states.tables.N + 1):
        lam, vec = np.linalg.eigh(states.block(i, n))
        d = vec.conj().T @ derivative.block(i, n) @ vec
        pair = lam[:, None] + lam[None, :]
        keep = pair > EIGEN_FLOOR
        total += 2.0 * float(np.sum(np.abs(d[keep]) ** 2 / pair[keep]))
    return total


def _counting_information(times, mu_rate, dmu_rate) -> np.ndarray:
    """M4: Σ over NVs and bins [t_k, t_k+1] ⊂ [0, t] of (∂μ)²/μ, μ = ∫ η R dt (trapezoid), cumulative in t."""
    width = np.diff(times)[:, None]
    mu = 0.5 * (mu_rate[1:] + mu_rate[:-1]) * width
    dmu = 0.5 * (dmu_rate[1:] + dmu_rate[:-1]) * width
    keep = mu > PROBABILITY_FLOOR
    per_bin = np.where(keep, dmu ** 2 / np.where(keep, mu, 1.0), 0.0).sum(axis=1)
    return np.concatenate([[0.0], np.cumsum(per_bin)])


def sensing_information(model: SensorModel, times, *, parameter: str = "k0", detection_efficiency: float = 0.01,
                        step: float | None = None) -> xr.Dataset:
    """Per-shot Fisher informations F_M1…F_M4 and the QFI about ``parameter`` at each readout time.

    Parameters
    ----------
    model : SensorModel
    times : array_like
        Increasing readout times [1/γ0] (M4 counts from the first of them; give 0 first to count
        from the start).
    parameter : {"k0", "spacing_nm", "distance_nm"}
        θ.
    detection_efficiency : float
        η of M4 (quanta counted per quantum emitted; the Poisson model needs η ≪ 1).
    step : float, optional
        Derivative step (default: :func:`~nonrecip.sensing.model.default_step`).

    Returns
    -------
    xarray.Dataset on ``time``: ``fisher_M1``…``fisher_M4``, ``qfi`` [1/θ²], ``asymmetry_mean``
    and ``asymmetry_std`` (of x = b_1 − b_N), attrs: the model, the derivative's step, method and
    error estimate.
    """
    eta = real("detection_efficiency", detection_efficiency, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    states, deriv, info = state_derivative(model, times, parameter=parameter, step=step)
    N, eps = model.N, model.readout_error
    bits = _bits(N)
    out = {k: np.zeros(len(states.times)) for k in ("M1", "M2", "M3", "qfi", "mean", "std")}
    for i in range(len(states.times)):
        p = _readout(_mask_distribution(states, i), N, eps)
        dp = _readout(_mask_distribution(deriv, i), N, eps)
        out["M1"][i] = classical_fisher_information(p, dp)
        out["M2"][i] = _marginal_information(p, dp, bits)
        e, de = _edge_distribution(p, bits), _edge_distribution(dp, bits)
        out["M3"][i] = classical_fisher_information(e, de)
        out["qfi"][i] = quantum_fisher_information(states, deriv, i)
        out["mean"][i] = e[2] - e[0]
        out["std"][i] = np.sqrt(max(e[2] + e[0] - (e[2] - e[0]) ** 2, 0.0))
    out["M4"] = _counting_information(states.times, eta * states.rates, eta * deriv.rates)
    unit = {"k0": "a^2", "spacing_nm": "1/nm^2", "distance_nm": "1/nm^2"}[parameter]
    ds = xr.Dataset(
        {f"fisher_{m}": (("time",), out[m], {"units": unit, "long_name": f"Fisher information per shot about {parameter}, {m}"})
         for m in ("M1", "M2", "M3", "M4")},
        coords={"time": ("time", states.times, {"units": "1/gamma0", "long_name": "readout time gamma0 t"})})
    ds["qfi"] = ("time", out["qfi"], {"units": unit, "long_name": f"quantum Fisher information of rho(t) about {parameter}"})
    ds["asymmetry_mean"] = ("time", out["mean"], {"units": "1", "long_name": "mean of x = b_1 - b_N per shot"})
    ds["asymmetry_std"] = ("time", out["std"], {"units": "1", "long_name": "standard deviation of x = b_1 - b_N per shot"})
    ds.attrs.update({**model.attrs(), "parameter": parameter, "detection_efficiency": eta,
                     "derivative_method": info["method"], "derivative_step": info["step"],
                     "derivative_error_estimate": info["error_estimate"],
                     "method": "blocks", "method_options": '{"tol": 1e-13}'})
    return ds
