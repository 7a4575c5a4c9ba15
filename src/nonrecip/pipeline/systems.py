"""Sweep points of the ``emission.systems`` config entries (standard library only: the registry imports it).

A system's ``sweep`` maps dotted keys (``bath.k0``, ``initial.site``, ``disorder.sigma_nm``) to
lists of values; its points are the Cartesian product in the order the keys are written, and
each dataset dimension is named after the key's last part, or ``<section>_<part>`` where the
last part is a dimension every dataset has (``site``, ``time``, ``realization``)
(docs/theory/baths.md#systems-config).
"""

from __future__ import annotations

import copy
import itertools
from typing import Any, Mapping

__all__ = ["sweep_dims", "sweep_points", "resolve_point", "RESERVED_DIMS"]

#: dimensions of every system dataset, which a swept key must not shadow
RESERVED_DIMS = ("site", "time", "realization")


def sweep_dims(system: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dimension name, dotted key) of each swept key, in the order written."""
    out = []
    for key in system.get("sweep", {}):
        section, leaf = key.split(".", 1)
        out.append((f"{section}_{leaf}" if leaf in RESERVED_DIMS else leaf, key))
    return out


def resolve_point(system: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """The system with each dotted key of ``values`` set (a deep copy; ``sweep`` removed)."""
    out = copy.deepcopy({k: v for k, v in system.items() if k != "sweep"})
    for key, value in values.items():
        section, leaf = key.split(".", 1)
        out.setdefault(section, {})[leaf] = value
    return out


def sweep_points(system: Mapping[str, Any]) -> list[tuple[dict, dict]]:
    """[(coordinates {dim: value}, resolved system)] over the Cartesian product of the sweep."""
    dims = sweep_dims(system)
    grids = [system["sweep"][key] for _, key in dims]
    points = []
    for combo in itertools.product(*grids):
        coords = {dim: value for (dim, _), value in zip(dims, combo)}
        points.append((coords, resolve_point(system, {key: value for (_, key), value in zip(dims, combo)})))
    return points
