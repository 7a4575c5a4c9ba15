"""Paper S: non-reciprocal synchronization of two species of driven spins.

The model and its conventions follow ``shared/specs/sync_model.md`` (referred to as "spec S").
"""

from nonrecip.sync.model import SyncParams, SyncParameterError

__all__ = ["SyncParams", "SyncParameterError"]
