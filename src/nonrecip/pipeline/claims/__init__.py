"""The papers' checkable claims, evaluated on the computed datasets (three outcomes: see :mod:`.core`)."""

from __future__ import annotations

import xarray as xr

from nonrecip.io import read_dataset
from nonrecip.pipeline.claims.core import OUTCOMES, Claim, claims_dataset, claims_html, claims_markdown
from nonrecip.pipeline.claims.emission import emission_claims, large_array_claims
from nonrecip.pipeline.claims.sensing import sensing_claims
from nonrecip.pipeline.claims.sync import sync_claims
from nonrecip.pipeline.registry import CLAIM_INPUTS

__all__ = ["Claim", "OUTCOMES", "CLAIM_INPUTS", "claims_dataset", "claims_markdown", "claims_html", "evaluate_claims"]

_EMISSION = ("fig3", "map_k0", "fig4d", "fig4bc")
_SYNC = ("phase_diagram", "observables_kappa", "observables_N", "spectra_J", "reversal_rates")


def evaluate_claims(inputs, *, N: int = 9, physics=None) -> xr.Dataset:
    """Evaluate every claim of papers E and S from the workflow's datasets.

    Parameters
    ----------
    inputs : mapping
        Paths of the datasets, keyed as :data:`CLAIM_INPUTS`.
    N : int
        Number of qubits of the paper-E claims (``emission.figures.fig4_N``).
    physics : mapping, optional
        Film overrides of the config (``emission.physics``).
    """
    data = {key: read_dataset(path) for key, path in dict(inputs).items()}
    claims = emission_claims(**{k: data[k] for k in _EMISSION}, N=N, physics=physics)
    claims += large_array_claims(scaling=data["scaling"])
    claims += sensing_claims(sensing_shots=data["sensing_shots"], sensing_coverage=data["sensing_coverage"],
                             sensing_design=data["sensing_design"])
    claims += sync_claims(**{k: data[k] for k in _SYNC})
    return claims_dataset(claims)
