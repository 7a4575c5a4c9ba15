"""Paper E: cooperative non-reciprocal emission of N qubits above a chiral magnetic film.

Theory and conventions: docs/theory/emission.md; numerical methods: docs/theory/solvers.md.

Public API
----------
coupling_matrices(N, *, k0, spacing_nm, distance_nm, model, film, f_J, ...) -> Dataset (J, gamma)
emission_dynamics(J, gamma, times, *, initial, method, options) -> Dataset (rate, population, delta, rate_total);
    methods "blocks" (exact, default), "qutip" (reference), "pair", "cumulant2" (large N),
    "trajectories" (quantum jumps, with standard errors)
pair_emission_rates(J_a, gamma_s, times) -> array: closed two-qubit equations
array_emission(bath, positions_nm, times, *, initial, method) -> Dataset: your own array (docs/theory/baths.md)
ensemble_emission(...), ensemble_statistics(...): position disorder, mean and 95 % interval
baths (ChiralMagnet, ChiralWaveguide, MatrixBath), geometry (chain, ring, lattice, positions, jitter),
initial (all_excited, single_excitation, excited_sites, spin_wave, from_blocks): the model objects
FilmParameters, YIG: the film and NV model; BlocksOptions, QutipOptions, PairOptions, CumulantOptions, TrajectoryOptions: method options
"""

from nonrecip.emission import baths, geometry, initial
from nonrecip.emission.analysis import burst_threshold_k0, emission_summary, lambda1_curve
from nonrecip.emission.couplings import (COUPLING_MODELS, UnphysicalCouplingError, closed_form_couplings,
                                         coupling_matrices)
from nonrecip.emission.dynamics import EMISSION_METHODS, SolverFailure, emission_dynamics, pair_emission_rates
from nonrecip.emission.options import BlocksOptions, CumulantOptions, PairOptions, QutipOptions, TrajectoryOptions
from nonrecip.emission.arrays import array_emission, ensemble_emission, ensemble_statistics
from nonrecip.emission.physics import YIG, FilmParameters

__all__ = [
    "array_emission",
    "ensemble_emission",
    "ensemble_statistics",
    "baths",
    "geometry",
    "initial",
    "coupling_matrices",
    "closed_form_couplings",
    "COUPLING_MODELS",
    "emission_dynamics",
    "EMISSION_METHODS",
    "BlocksOptions",
    "QutipOptions",
    "PairOptions",
    "CumulantOptions",
    "TrajectoryOptions",
    "SolverFailure",
    "pair_emission_rates",
    "emission_summary",
    "burst_threshold_k0",
    "lambda1_curve",
    "UnphysicalCouplingError",
    "FilmParameters",
    "YIG",
]
