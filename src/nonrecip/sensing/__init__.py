"""Quantum sensing of bath symmetry breaking with an NV array (paper E's proposal, docs/theory/sensing.md).

Public API
----------
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
                                         measurement_distribution, measurement_distributions, ml_estimate, posterior, simulate_counts)
from nonrecip.sensing.fisher import outcome_probabilities, quantum_fisher_information, sensing_information
from nonrecip.sensing.model import SensorModel, forward_states, state_derivative
from nonrecip.sensing.witness import best_readout_time, shots_from_distributions, shots_to_detect

__all__ = ["SensorModel", "sensing_information", "outcome_probabilities", "quantum_fisher_information",
           "forward_states", "state_derivative", "measurement_distribution", "measurement_distributions", "simulate_counts", "grid_distributions",
           "likelihood_grid", "posterior", "credible_interval", "ml_estimate", "estimate_k0", "shots_to_detect", "shots_from_distributions",
           "best_readout_time"]
