"""An experimenter's entry points: Fisher information of a named readout, readout data, the posterior of k0.

Readouts are named as an experiment names them (docs/theory/sensing.md#measurements):
``"joint"`` (M1, all N NVs read out together), ``"marginal"`` (M2, the single-NV frequencies
only), ``"asymmetry"`` (M3, the edge statistic x = b_1 − b_N of each shot) and
``"photon_counting"`` (M4, time-resolved counting of each NV's emission). Raw outcome counts are
simulated and fitted for ``"joint"`` and ``"asymmetry"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray as xr

from nonrecip.emission.physics import YIG
from nonrecip.sensing.estimation import grid_distributions, likelihood_grid, ml_estimate, posterior_density, simulate_counts
from nonrecip.sensing.fisher import sensing_information
from nonrecip.sensing.model import SensorModel
from nonrecip.validate import one_of, real

__all__ = ["MEASUREMENT_NAMES", "fisher_information", "ReadoutData", "simulate_readout", "posterior"]

#: readout name -> the measurement's label in docs/theory/sensing.md (M1…M4)
MEASUREMENT_NAMES = {"joint": "M1", "marginal": "M2", "asymmetry": "M3", "photon_counting": "M4"}
#: readouts whose raw outcomes :func:`simulate_readout` draws and :func:`posterior` fits
COUNTED_MEASUREMENTS = ("joint", "asymmetry")


def fisher_information(N: int, times, *, k0: float, measurement: str = "joint", readout_error: float = 0.0,
                       spacing_nm: float = 20.0, distance_nm: float = 0.0, detection_efficiency: float = 0.01,
                       **bath) -> xr.Dataset:
    """Per-shot classical Fisher information of one readout about k0, and the QFI of ρ(t), at each time.

    All N NVs are excited at t = 0 (docs/theory/sensing.md#measurements).

    Parameters
    ----------
    N : int
        Number of NVs in the chain (2…14).
    times : array_like
        Increasing readout times [1/γ0], ≥ 0 (``photon_counting`` counts from the first one).
    k0 : float
        Bath non-reciprocity k0 = D/J [1/a] at which the information is evaluated.
    measurement : {"joint", "marginal", "asymmetry", "photon_counting"}
        The readout (module docstring).
    readout_error : float
        Per-NV flip probability ε of the readout, 0 ≤ ε < ½.
    spacing_nm, distance_nm : float
        NV spacing a_q and NV–film distance d [nm]; d = 0 uses the closed-form couplings
        (docs/theory/emission.md#couplings), d > 0 the full integrals.
    detection_efficiency : float
        η of ``photon_counting`` (ignored by the other readouts).
    **bath
        Film and NV parameters replacing the paper's defaults (fields of
        :class:`~nonrecip.emission.physics.FilmParameters`, e.g. ``field_gauss=380``).

    Returns
    -------
    xarray.Dataset on ``time``: ``cfi`` and ``qfi`` [a²], ``asymmetry_mean``; attrs: the model,
    ``measurement``, the derivative's method, step and error estimate.
    """
    one_of("measurement", measurement, tuple(MEASUREMENT_NAMES))
    label = MEASUREMENT_NAMES[measurement]
    try:
        film = YIG.with_overrides(**bath)
    except TypeError as err:
        raise ValueError(f"bath: {err}") from None
    model = SensorModel(N=N, k0=k0, spacing_nm=spacing_nm, distance_nm=distance_nm, readout_error=readout_error,
                        film=film)
    info = sensing_information(model, times, detection_efficiency=detection_efficiency)
    ds = xr.Dataset({"cfi": info[f"fisher_{label}"].assign_attrs(
                         long_name=f"classical Fisher information per shot about k0, {measurement} readout ({label})"),
                     "qfi": info["qfi"], "asymmetry_mean": info["asymmetry_mean"]}, attrs=dict(info.attrs))
    ds.attrs.update(measurement=measurement, film_overrides=repr(dict(sorted(bath.items()))))
    if measurement != "photon_counting":
        ds.attrs.pop("detection_efficiency", None)
    return ds


@dataclass(frozen=True)
class ReadoutData:
    """Outcome counts of ``shots`` readouts at one time, with the forward model they are to be fitted with.

    Parameters
    ----------
    model : SensorModel
        Every field but ``k0`` is taken as known; ``k0`` is the value the data were drawn at (for
        synthetic data) and is ignored by :func:`posterior`.
    time : float
        Readout time [1/γ0], > 0.
    counts : numpy.ndarray
        ``"joint"``: 2^N counts indexed by the bit mask of the NVs read excited (bit α−1 for NV α);
        ``"asymmetry"``: counts of x = −1, 0, +1.
    measurement : {"joint", "asymmetry"}
    """

    model: SensorModel
    time: float
    counts: np.ndarray
    measurement: str = "joint"

    def __post_init__(self):
        if not isinstance(self.model, SensorModel):
            raise TypeError(f"model must be a SensorModel, got {type(self.model).__name__}")
        object.__setattr__(self, "time", real("time", self.time, minimum=0.0, exclusive_minimum=True))
        one_of("measurement", self.measurement, COUNTED_MEASUREMENTS)
        counts = np.asarray(self.counts)
        size = 2 ** self.model.N if self.measurement == "joint" else 3
        if counts.shape != (size,) or not np.issubdtype(counts.dtype, np.integer) or np.any(counts < 0):
            raise ValueError(f"counts must be {size} non-negative integers for the {self.measurement} readout "
                             f"of N = {self.model.N}, got shape {counts.shape}, dtype {counts.dtype}")
        counts = counts.copy()
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    @property
    def shots(self) -> int:
        """Number of readouts."""
        return int(self.counts.sum())

    def to_dataset(self) -> xr.Dataset:
        """The counts as a labelled dataset (dim ``outcome``), model and readout in the attributes."""
        outcome = np.arange(self.counts.size) if self.measurement == "joint" else np.array([-1, 0, 1])
        name = "bit mask of the NVs read excited" if self.measurement == "joint" else "x = b_1 - b_N"
        return xr.Dataset({"counts": ("outcome", self.counts, {"units": "1", "long_name": "shots with this outcome"})},
                          coords={"outcome": ("outcome", outcome, {"units": "1", "long_name": name})},
                          attrs={**self.model.attrs(), "time": self.time, "measurement": self.measurement,
                                 "shots": self.shots})


def simulate_readout(model: SensorModel, time: float, shots: int, *, measurement: str = "joint",
                     seed: int = 0) -> ReadoutData:
    """Synthetic data: ``shots`` readouts of ``model`` (at its k0) at ``time``, multinomial with ``default_rng(seed)``."""
    one_of("measurement", measurement, COUNTED_MEASUREMENTS)
    counts = simulate_counts(model, time, shots, measurement=MEASUREMENT_NAMES[measurement], seed=seed)
    return ReadoutData(model, time, counts, measurement)


def posterior(data: ReadoutData, *, k0_grid, prior: Callable | np.ndarray | xr.DataArray | None = None) -> xr.DataArray:
    """Posterior density of k0 on ``k0_grid`` given readout data (docs/theory/sensing.md#estimation).

    Parameters
    ----------
    data : ReadoutData
        Counts and the forward model (its k0 ignored).
    k0_grid : array_like
        Strictly increasing grid of k0 [1/a], ≥ 3 points; both signs may be included.
    prior : callable, array_like or DataArray, optional
        Prior density on the grid: a function of k0, or values on the grid. Default: uniform on
        the grid's interval.

    Returns
    -------
    xarray.DataArray on ``k0``, normalised by the trapezoid rule [a]; attrs: ``ml_k0`` (the
    log-likelihood's maximum), the readout and the prior.
    """
    if not isinstance(data, ReadoutData):
        raise TypeError(f"data must be a ReadoutData (from simulate_readout or built from counts), got {type(data).__name__}")
    grid = np.asarray(k0_grid, dtype=float)
    if grid.ndim != 1 or grid.size < 3 or not np.all(np.isfinite(grid)) or np.any(np.diff(grid) <= 0):
        raise ValueError("k0_grid must be a strictly increasing 1-D grid of >= 3 finite values")
    label = MEASUREMENT_NAMES[data.measurement]
    dist = grid_distributions(data.model, data.time, grid, measurement=label)
    loglik = likelihood_grid(data.model, data.time, data.counts, grid, measurement=label, distributions=dist)
    prior_values, prior_label = _prior_on(grid, prior)
    density = posterior_density(loglik, None if prior_values is None else loglik.copy(data=prior_values))
    density.attrs.update(ml_k0=ml_estimate(loglik), measurement=data.measurement, time=data.time, shots=data.shots,
                         prior=prior_label)
    return density


def _prior_on(grid: np.ndarray, prior) -> tuple[np.ndarray | None, str]:
    if prior is None:
        return None, f"uniform on [{grid[0]:g}, {grid[-1]:g}]"
    if callable(prior):
        values, label = np.asarray([prior(float(k)) for k in grid], dtype=float), f"function {getattr(prior, '__name__', 'prior')}"
    else:
        values, label = np.asarray(getattr(prior, "values", prior), dtype=float), "values on the grid"
    if values.shape != grid.shape:
        raise ValueError(f"prior must give one value per k0_grid point ({grid.size}), got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0) or not np.any(values > 0):
        raise ValueError("prior must be finite, non-negative and positive somewhere on k0_grid")
    return values, label
