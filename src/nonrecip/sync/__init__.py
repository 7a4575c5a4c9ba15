"""Paper S: non-reciprocal synchronization of two species of driven spins.

Theory and conventions: docs/theory/sync.md; numerical methods: docs/theory/solvers.md.

Public API (rates are the collective ones, in units of Γ)
----------
steady_state(N, model, *, method, options) -> Dataset: finite-N observables
spectrum(N, omega, model, *, method, options) -> Dataset: S_A(ω), S_B(ω)
trajectories(N, model, *, detection, n_traj, times, dt, seed, method, ...) -> Dataset
meanfield_trajectory(model, *, times, ...) / meanfield_phase_diagram(kappa, J, ...) -> Dataset
chirality_reversals(trajectories_dataset, ...) -> Dataset
SyncParams: the model; ExactOptions, CumulantOptions: method options
"""

from nonrecip.sync.model import MicroscopicRates, SyncParams, SyncParameterError
from nonrecip.sync.meanfield import meanfield_phase_diagram, meanfield_trajectory
from nonrecip.sync.steady import CumulantOptions, ExactOptions, spectrum, steady_state
from nonrecip.sync.monitored.trajectories import trajectories
from nonrecip.sync.monitored.reversals import chirality_reversals

__all__ = [
    "SyncParams", "MicroscopicRates", "SyncParameterError", "meanfield_phase_diagram", "meanfield_trajectory",
    "steady_state", "spectrum", "ExactOptions", "CumulantOptions", "trajectories", "chirality_reversals",
]
