"""Checkable claims of the papers, evaluated on computed data: value, expectation, verdict.

Each claim function takes datasets produced by the workflow and returns :class:`Claim`
records with one of three outcomes (confirmed, differs with a stated reason, fails);
:func:`claims_dataset` turns them into a labelled table (NetCDF) and :func:`claims_markdown` /
:func:`claims_html` into report sections. No claim window is widened to turn a difference
into a confirmation: a difference is reported with the paper's value and our reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["Claim", "OUTCOMES", "checked", "claims_dataset", "claims_markdown", "claims_html"]


#: the three outcomes of a claim
OUTCOMES = ("confirmed", "differs", "fails")


@dataclass(frozen=True)
class Claim:
    """One statement of a paper checked against computed numbers.

    ``outcome`` is ``"confirmed"`` (our value meets the paper's statement), ``"differs"`` (our
    value is not the paper's, for a reason we state: ``paper_value`` and ``reason`` are then
    required) or ``"fails"`` (the statement is not reproduced and we have no explanation).
    """

    paper: str          # "E" or "S"
    key: str            # short identifier
    statement: str      # the paper's claim, in words
    value: float        # the computed number
    expectation: str    # what would confirm the claim
    outcome: str
    note: str = ""      # method and parameters
    paper_value: str = ""
    reason: str = ""

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if self.outcome == "differs" and not (self.paper_value and self.reason):
            raise ValueError(f"claim {self.key!r} differs: paper_value and reason are required")


def checked(paper, key, statement, value, expectation, passed: bool, note="") -> Claim:
    """A claim that is either confirmed or fails (no known reason for a difference)."""
    return Claim(paper, key, statement, value, expectation, "confirmed" if passed else "fails", note)


_TEXT = ("paper", "key", "statement", "expectation", "outcome", "note", "paper_value", "reason")
_LONG = {"paper": "paper (E or S)", "key": "claim identifier", "statement": "claim of the paper",
         "expectation": "condition that confirms the claim", "outcome": "confirmed, differs or fails",
         "note": "method and parameters", "paper_value": "the paper's value (where ours differs)",
         "reason": "why our value differs from the paper's"}


def claims_dataset(claims: list[Claim]) -> xr.Dataset:
    """Table of claims with dim ``claim`` (text fields as string variables, ``value`` as float)."""
    idx = np.arange(len(claims))
    data = {name: ("claim", [getattr(c, name) for c in claims], {"units": "1", "long_name": _LONG[name]})
            for name in _TEXT}
    data["value"] = ("claim", np.array([c.value for c in claims], dtype=float),
                     {"units": "1", "long_name": "computed value"})
    counts = {o: sum(c.outcome == o for c in claims) for o in OUTCOMES}
    return xr.Dataset(data, coords={"claim": ("claim", idx, {"units": "1", "long_name": "claim index"})},
                      attrs={"method": "claims evaluation", "method_options": "{}",
                             **{f"n_{o}": n for o, n in counts.items()}})


def _summary(ds: xr.Dataset) -> str:
    return (f"{ds.attrs['n_confirmed']} of {ds.sizes['claim']} claims confirmed, "
            f"{ds.attrs['n_differs']} differ from the paper for a stated reason, {ds.attrs['n_fails']} fail.")


def _rows(ds: xr.Dataset):
    for i in range(ds.sizes["claim"]):
        c = ds.isel(claim=i)
        outcome = c["outcome"].item()
        remark = c["note"].item()
        if outcome == "differs":
            remark = f"paper: {c['paper_value'].item()}; ours differs because {c['reason'].item()}. {remark}"
        yield outcome, [c["paper"].item(), c["statement"].item(), f"{float(c['value']):.4g}",
                        c["expectation"].item(), outcome.upper(), remark]


def claims_markdown(ds: xr.Dataset) -> str:
    """Markdown table of a claims dataset."""
    def cell(text) -> str:
        return str(text).replace("|", "\\|")

    rows = ["| paper | claim | value | expectation | outcome | note |", "|---|---|---|---|---|---|"]
    for _, cells in _rows(ds):
        rows.append("| " + " | ".join(cell(x) for x in cells) + " |")
    return _summary(ds) + "\n\n" + "\n".join(rows) + "\n"


def claims_html(ds: xr.Dataset) -> str:
    """Self-contained HTML table of a claims dataset (a report item)."""
    import html

    head = "<tr>" + "".join(f"<th>{h}</th>" for h in ("paper", "claim", "value", "expectation", "outcome", "note")) + "</tr>"
    colors = {"confirmed": "#e6f4ea", "differs": "#fef7e0", "fails": "#fce8e6"}
    rows = [f'<tr style="background:{colors[outcome]}">' + "".join(f"<td>{html.escape(str(x))}</td>" for x in cells)
            + "</tr>" for outcome, cells in _rows(ds)]
    return ("<html><head><meta charset='utf-8'><style>table{border-collapse:collapse;font-family:sans-serif;"
            "font-size:13px}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>"
            f"<p>{html.escape(_summary(ds))}</p><table>{head}{''.join(rows)}</table></body></html>")
