"""Quantum sensing of bath symmetry breaking with an NV array (paper E's proposal, docs/theory/sensing.md).

Public API
----------
fisher_information(N, times, *, k0, measurement, readout_error, spacing_nm, **bath) -> Dataset:
    per-shot Fisher information of a named readout ("joint", "marginal", "asymmetry",
    "photon_counting") and the QFI of ρ(t), the one-call entry point
simulate_readout(model, time, shots, *, measurement, seed) -> ReadoutData; posterior(data, *,
    k0_grid, prior) -> DataArray: synthetic (or measured) counts and the posterior density of k0
SensorModel(*, N, k0, spacing_nm, distance_nm, readout_error, film): the forward model's object
sensing_information(model, times, *, parameter) -> Dataset: per-shot Fisher informations of the
    measurements M1 (joint readout), M2 (single-NV frequencies), M3 (edge statistic), M4 (counting)
    and the quantum Fisher information of ρ(t)
outcome_probabilities(model, times) -> array: joint readout distribution with readout error
simulate_counts, likelihood_grid, posterior, credible_interval, ml_estimate: estimating k0
shots_to_detect(model, time, *, measurement, sigma, power): the symmetry-breaking witness
best_readout_time(information, *, overhead): experimental design
"""

from nonrecip.sensing.estimation import (credible_interval, estimate_k0, grid_distributions, likelihood_grid,
                                         measurement_distribution, measurement_distributions, ml_estimate, posterior_density,
                                         simulate_counts)
from nonrecip.sensing.experiment import MEASUREMENT_NAMES, ReadoutData, fisher_information, posterior, simulate_readout
from nonrecip.sensing.fisher import outcome_probabilities, quantum_fisher_information, sensing_information
from nonrecip.sensing.model import SensorModel, forward_states, state_derivative
from nonrecip.sensing.witness import best_readout_time, shots_from_distributions, shots_to_detect

__all__ = ["fisher_information", "simulate_readout", "ReadoutData", "posterior", "MEASUREMENT_NAMES", "SensorModel", "sensing_information", "outcome_probabilities", "quantum_fisher_information",
           "forward_states", "state_derivative", "measurement_distribution", "measurement_distributions", "simulate_counts", "grid_distributions",
           "likelihood_grid", "posterior_density", "credible_interval", "ml_estimate", "estimate_k0", "shots_to_detect", "shots_from_distributions",
           "best_readout_time"]
