"""Paper E: cooperative non-reciprocal emission of N qubits above a chiral magnetic film.

Conventions and verified numbers: ``shared/specs/emission_model.md`` ("spec E").
"""

from nonrecip.emission.couplings import UnphysicalCouplingError, closed_form_couplings, coupling_matrices
from nonrecip.emission.dynamics import emission_dynamics, pair_emission_rates
from nonrecip.emission.physics import YIG, FilmParameters

__all__ = [
    "coupling_matrices",
    "closed_form_couplings",
    "emission_dynamics",
    "pair_emission_rates",
    "UnphysicalCouplingError",
    "FilmParameters",
    "YIG",
]
