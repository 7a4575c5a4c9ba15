"""The forward model of the sensing proposal: an NV chain over the chiral magnet, ρ(t; θ) and ∂ρ/∂θ.

ρ(t) comes from the exact block solver with its whole state stored
(docs/theory/sensing.md#forward-model); its derivative with respect to one model parameter θ
(``k0``, ``spacing_nm`` or ``distance_nm``) is a Richardson-extrapolated central difference,
D = [4 D(h/2) − D(h)] / 3 with D(h) = [ρ(θ + h) − ρ(θ − h)] / 2h, whose truncation error is
O(h⁴). The default step and its measured error curve are in docs/theory/sensing.md#derivatives;
the returned ``error_estimate`` is max |D − D(h/2)| / max |D| of the run itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nonrecip.emission.baths import ChiralMagnet
from nonrecip.emission.geometry import chain
from nonrecip.emission.physics import YIG, FilmParameters
from nonrecip.validate import integer, one_of, real

__all__ = ["SensorModel", "BlockStates", "forward_states", "state_derivative", "PARAMETERS"]

#: parameters θ the derivative can be taken with respect to
PARAMETERS = ("k0", "spacing_nm", "distance_nm")
#: block-solver tolerance of the forward model (the derivative divides its error by h)
STATE_TOL = 1e-13


@dataclass(frozen=True)
class SensorModel:
    """N NV centres in a chain above the chiral magnet, all excited at t = 0, read out at time t.

    Parameters
    ----------
    N : int
        Number of NV centres (2…14; the exact block solver's reach).
    k0 : float
        Bath non-reciprocity k0 = D/J [1/a]; k0 = 0 is a mirror-symmetric bath.
    spacing_nm : float
        NV spacing a_q [nm].
    distance_nm : float
        NV–film distance d [nm]; 0 uses the closed-form couplings, d > 0 the full integrals.
    readout_error : float
        Probability ε that one NV's readout is flipped (independent, symmetric), 0 ≤ ε < ½.
    film : FilmParameters
        Film and NV parameters (default: the paper's YIG-like film).
    """

    N: int
    k0: float
    spacing_nm: float = 20.0
    distance_nm: float = 0.0
    readout_error: float = 0.0
    film: FilmParameters = YIG

    def __init__(self, *, N: int, k0: float, spacing_nm: float = 20.0, distance_nm: float = 0.0,
                 readout_error: float = 0.0, film: FilmParameters = YIG):
        object.__setattr__(self, "N", integer("N", N, minimum=2, maximum=14))
        object.__setattr__(self, "k0", real("k0", k0))
        object.__setattr__(self, "spacing_nm", real("spacing_nm", spacing_nm, minimum=0.0, exclusive_minimum=True))
        object.__setattr__(self, "distance_nm", real("distance_nm", distance_nm, minimum=0.0))
        eps = real("readout_error", readout_error, minimum=0.0)
        if eps >= 0.5:
            raise ValueError(f"readout_error must be < 0.5 (0.5 erases the signal), got {eps}")
        object.__setattr__(self, "readout_error", eps)
        if not isinstance(film, FilmParameters):
            raise TypeError(f"film must be a FilmParameters, got {type(film).__name__}")
        object.__setattr__(self, "film", film)

    def with_changes(self, **changes) -> "SensorModel":
        """A copy with fields replaced (checked again)."""
        fields = {k: getattr(self, k) for k in ("N", "k0", "spacing_nm", "distance_nm", "readout_error", "film")}
        return SensorModel(**{**fields, **changes})

    def couplings(self) -> tuple[np.ndarray, np.ndarray]:
        """(J, γ) in units of γ0 (docs/theory/emission.md#couplings)."""
        method = "closed" if self.distance_nm == 0 else "integral"
        bath = ChiralMagnet(k0=self.k0, method=method, distance_nm=self.distance_nm, film=self.film)
        return bath.couplings(chain(self.N, self.spacing_nm))

    def attrs(self) -> dict:
        """Flat provenance attributes."""
        return {"N": self.N, "k0": self.k0, "spacing_nm": self.spacing_nm, "distance_nm": self.distance_nm,
                "readout_error": self.readout_error}


@dataclass(frozen=True)
class BlockStates:
    """ρ(t) at output times in the block solver's layout: ``values`` (len(times), C(2N, N)), ``tables``,
    and the emission rates R_α(t)/γ0 (len(times), N) of the same run (or their derivatives)."""

    times: np.ndarray
    values: np.ndarray
    tables: object
    rates: np.ndarray

    def block(self, i: int, n: int) -> np.ndarray:
        """ρ_n at output time ``i`` as a (C(N, n), C(N, n)) matrix."""
        return self.tables.block(self.values[i], n)


def forward_states(model: SensorModel, times) -> BlockStates:
    """ρ(t) of ``model`` at ``times`` (first time 0 or later; the evolution starts at t = 0)."""
    from nonrecip.emission.solvers.blocks.solver import block_correlations

    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 1 or np.any(np.diff(times) <= 0) or times[0] < 0:
        raise ValueError("times must be a strictly increasing 1-D array of times >= 0 (units of 1/gamma0)")
    grid = times if times[0] == 0 else np.concatenate([[0.0], times])
    J, gamma = model.couplings()
    C, info = block_correlations(J, gamma, grid, tol=STATE_TOL, store_states=True)
    skip = grid.size - times.size
    rates = np.real(np.einsum("ab,tab->ta", gamma, C)) - np.imag(np.einsum("ab,tab->ta", J, C))
    return BlockStates(times, info["states"][skip:], info["tables"], rates[skip:])


def default_step(model: SensorModel, parameter: str) -> float:
    """The derivative step h (docs/theory/sensing.md#derivatives).

    k0: 0.002·min(1/x_max, max(|k0|, 10⁻³)), x_max the longest separation in units of a (the
    couplings oscillate as e^{ik0 x}, and at small k0 the state changes on the scale of k0
    itself); lengths: 1e-3 of their value.
    """
    if parameter == "k0":
        x_max = (model.N - 1) * model.spacing_nm / model.film.lattice_nm
        return 0.002 * min(1.0 / x_max, max(abs(model.k0), 1e-3))
    return 1e-3 * getattr(model, parameter)


def state_derivative(model: SensorModel, times, *, parameter: str = "k0", step: float | None = None):
    """ρ(t) and ∂ρ/∂θ at ``times`` by Richardson-extrapolated central differences.

    Returns
    -------
    states, derivative : BlockStates
    info : dict
        ``parameter``, ``step``, ``method`` and ``error_estimate`` (max |D − D(h/2)| / max |D|).
    """
    one_of("parameter", parameter, PARAMETERS)
    h = default_step(model, parameter) if step is None else real("step", step, minimum=0.0, exclusive_minimum=True)
    value = getattr(model, parameter)
    if parameter == "distance_nm" and value - h <= 0:
        raise ValueError("the distance derivative needs distance_nm > step (the closed form has no d)")

    def at(delta):
        shifted = forward_states(model.with_changes(**{parameter: value + delta}), times)
        return shifted.values, shifted.rates

    centre = forward_states(model, times)
    (sp, rp), (sm, rm), (sp2, rp2), (sm2, rm2) = at(h), at(-h), at(h / 2), at(-h / 2)
    d_h2, deriv = (sp2 - sm2) / h, (4 * (sp2 - sm2) / h - (sp - sm) / (2 * h)) / 3
    rates = (4 * (rp2 - rm2) / h - (rp - rm) / (2 * h)) / 3
    scale = float(np.abs(deriv).max()) or 1.0
    info = {"parameter": parameter, "step": h, "method": "Richardson-extrapolated central difference (h, h/2)",
            "error_estimate": float(np.abs(deriv - d_h2).max()) / scale}
    return centre, BlockStates(centre.times, deriv, centre.tables, rates), info
