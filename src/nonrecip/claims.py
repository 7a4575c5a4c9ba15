"""Checkable claims of the papers, evaluated on computed data: value, expectation, verdict.

Each claim function takes datasets produced by the workflow and returns :class:`Claim`
records; :func:`claims_dataset` turns them into a labelled table (NetCDF) and
:func:`claims_markdown` into a report section. A failing claim is reported, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["Claim", "claims_dataset", "claims_markdown"]


@dataclass(frozen=True)
class Claim:
    """One statement of a paper checked against computed numbers."""

    paper: str          # "E" or "S"
    key: str            # short identifier
    statement: str      # the paper's claim, in words
    value: float        # the computed number
    expectation: str    # what would confirm the claim
    passed: bool
    note: str = ""      # method, parameters, or why it fails


def claims_dataset(claims: list[Claim]) -> xr.Dataset:
    """Table of claims with dim ``claim`` (strings as variables, verdict as 0/1)."""
    idx = np.arange(len(claims))
    text = {"units": "1"}
    return xr.Dataset(
        {
            "paper": ("claim", [c.paper for c in claims], {**text, "long_name": "paper (E or S)"}),
            "key": ("claim", [c.key for c in claims], {**text, "long_name": "claim identifier"}),
            "statement": ("claim", [c.statement for c in claims], {**text, "long_name": "claim of the paper"}),
            "value": ("claim", np.array([c.value for c in claims], dtype=float), {**text, "long_name": "computed value"}),
            "expectation": ("claim", [c.expectation for c in claims], {**text, "long_name": "condition that confirms the claim"}),
            "passed": ("claim", np.array([int(c.passed) for c in claims], dtype="i1"),
                       {**text, "long_name": "claim confirmed (1) or not (0)"}),
            "note": ("claim", [c.note for c in claims], {**text, "long_name": "method and remarks"}),
        },
        coords={"claim": ("claim", idx, {"units": "1", "long_name": "claim index"})},
    )


def claims_markdown(ds: xr.Dataset) -> str:
    """Markdown table of a claims dataset."""
    rows = ["| paper | claim | value | expectation | verdict | note |", "|---|---|---|---|---|---|"]
    for i in range(ds.sizes["claim"]):
        c = ds.isel(claim=i)
        verdict = "PASS" if int(c["passed"]) else "**FAIL**"
        rows.append(f"| {c['paper'].item()} | {c['statement'].item()} | {float(c['value']):.4g} | "
                    f"{c['expectation'].item()} | {verdict} | {c['note'].item()} |")
    n_pass = int(ds["passed"].sum())
    return f"{n_pass} of {ds.sizes['claim']} claims confirmed.\n\n" + "\n".join(rows) + "\n"
