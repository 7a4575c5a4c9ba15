"""Paper S: non-reciprocal synchronization of two species of driven spins.

The model and its conventions follow ``shared/specs/sync_model.md`` (referred to as "spec S").
"""

from nonrecip.sync.model import SyncParams, SyncParameterError
from nonrecip.sync.meanfield import meanfield_phase_diagram, meanfield_trajectory
from nonrecip.sync.steady import spectrum, steady_state
from nonrecip.sync.trajectories import trajectories
from nonrecip.sync.reversals import chirality_reversals

__all__ = [
    "SyncParams", "SyncParameterError", "meanfield_phase_diagram", "meanfield_trajectory",
    "steady_state", "spectrum", "trajectories", "chirality_reversals",
]
