"""Checkable claims of the papers, evaluated on computed data: value, expectation, verdict.

Each claim function takes datasets produced by the workflow and returns :class:`Claim`
records; :func:`claims_dataset` turns them into a labelled table (NetCDF) and
:func:`claims_markdown` into a report section. A failing claim is reported, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["Claim", "claims_dataset", "claims_markdown", "claims_html", "evaluate_claims"]


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
    def cell(text) -> str:
        return str(text).replace("|", "\\|")

    rows = ["| paper | claim | value | expectation | verdict | note |", "|---|---|---|---|---|---|"]
    for i in range(ds.sizes["claim"]):
        c = ds.isel(claim=i)
        verdict = "PASS" if int(c["passed"]) else "**FAIL**"
        rows.append(f"| {c['paper'].item()} | {cell(c['statement'].item())} | {float(c['value']):.4g} | "
                    f"{cell(c['expectation'].item())} | {verdict} | {cell(c['note'].item())} |")
    n_pass = int(ds["passed"].sum())
    return f"{n_pass} of {ds.sizes['claim']} claims confirmed.\n\n" + "\n".join(rows) + "\n"


def claims_html(ds: xr.Dataset) -> str:
    """Self-contained HTML table of a claims dataset (a report item)."""
    import html

    head = "<tr>" + "".join(f"<th>{h}</th>" for h in ("paper", "claim", "value", "expectation", "verdict", "note")) + "</tr>"
    rows = []
    for i in range(ds.sizes["claim"]):
        c = ds.isel(claim=i)
        ok = bool(int(c["passed"]))
        cells = [c["paper"].item(), c["statement"].item(), f"{float(c['value']):.4g}", c["expectation"].item(),
                 "PASS" if ok else "FAIL", c["note"].item()]
        color = "#e6f4ea" if ok else "#fce8e6"
        rows.append(f'<tr style="background:{color}">' + "".join(f"<td>{html.escape(str(x))}</td>" for x in cells) + "</tr>")
    n_pass = int(ds["passed"].sum())
    return ("<html><head><meta charset='utf-8'><style>table{border-collapse:collapse;font-family:sans-serif;"
            "font-size:13px}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>"
            f"<p>{n_pass} of {ds.sizes['claim']} claims confirmed.</p><table>{head}{''.join(rows)}</table>"
            "</body></html>")


def evaluate_claims(inputs, *, n_sites: int = 9, physics=None) -> xr.Dataset:
    """Evaluate every claim of papers E and S from the workflow's datasets.

    Parameters
    ----------
    inputs : mapping
        Paths of the datasets, keyed ``fig3, map_k0, fig4d, fig4bc`` (paper E) and
        ``phase_diagram, observables_kappa, observables_N, spectra_J, reversal_rates`` (paper S).
    """
    from nonrecip.emission.claims import emission_claims
    from nonrecip.io import read_dataset
    from nonrecip.sync.claims import sync_claims

    data = {key: read_dataset(path) for key, path in dict(inputs).items()}
    e_keys, s_keys = ("fig3", "map_k0", "fig4d", "fig4bc"), (
        "phase_diagram", "observables_kappa", "observables_N", "spectra_J", "reversal_rates")
    claims = emission_claims(**{k: data[k] for k in e_keys}, n_sites=n_sites, physics=physics)
    claims += sync_claims(**{k: data[k] for k in s_keys})
    return claims_dataset(claims)
