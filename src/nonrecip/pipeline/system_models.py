"""Model objects (bath, positions, initial state) from one ``emission.systems`` config entry.

Kept apart from the dataset builders so that the config checks can build every sweep point's
models without importing a solver.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from nonrecip.emission.baths import ChiralMagnet, ChiralWaveguide, MatrixBath
from nonrecip.emission.geometry import chain, lattice, positions, ring
from nonrecip.emission.initial import all_excited, excited_sites, single_excitation, spin_wave
from nonrecip.emission.physics import YIG

__all__ = ["KIND_KEYS", "system_models", "build_bath", "build_geometry", "build_initial"]


#: config keys each kind takes (beyond ``kind``); the first tuple is required, the second optional
KIND_KEYS = {
    "bath": {"chiral_magnet": (("k0",), ("method", "distance_nm", "dmi_angle_deg", "f_J")),
             "chiral_waveguide": (("gamma_right", "gamma_left", "k_per_nm"), ("gamma_loss",)),
             "matrix": (("path",), ())},
    "geometry": {"chain": (("N", "spacing_nm"), ()), "ring": (("N",), ("radius_nm", "spacing_nm")),
                 "lattice": (("nx", "ny", "spacing_nm"), ("spacing_y_nm",)), "positions": (("coordinates",), ())},
    "initial": {"all_excited": ((), ()), "single_excitation": (("site",), ()), "excited_sites": (("sites",), ()),
                "spin_wave": (("q",), ())},
}


def build_bath(spec: Mapping[str, Any], physics: Mapping[str, Any]):
    """The bath object of a ``bath`` config entry (film overrides from ``emission.physics``)."""
    kind = spec["kind"]
    if kind == "chiral_magnet":
        return ChiralMagnet(k0=spec["k0"], method=spec.get("method", "closed"), distance_nm=spec.get("distance_nm", 0.0),
                            dmi_angle=math.radians(spec.get("dmi_angle_deg", 0.0)), f_J=spec.get("f_J", 1.0),
                            film=YIG.with_overrides(**physics))
    if kind == "chiral_waveguide":
        return ChiralWaveguide(gamma_right=spec["gamma_right"], gamma_left=spec["gamma_left"],
                               k_per_nm=spec["k_per_nm"], gamma_loss=spec.get("gamma_loss", 0.0))
    return MatrixBath.from_file(spec["path"])


def build_geometry(spec: Mapping[str, Any]) -> np.ndarray:
    """Positions (N, 2) [nm] of a ``geometry`` config entry."""
    kind = spec["kind"]
    if kind == "chain":
        return chain(spec["N"], spec["spacing_nm"])
    if kind == "ring":
        return ring(spec["N"], spec.get("radius_nm"), spacing_nm=spec.get("spacing_nm"))
    if kind == "lattice":
        return lattice(spec["nx"], spec["ny"], spec["spacing_nm"], spec.get("spacing_y_nm"))
    return positions(spec["coordinates"])


def build_initial(spec: Mapping[str, Any], N: int):
    """The initial state of an ``initial`` config entry for N emitters."""
    kind = spec["kind"]
    if kind == "all_excited":
        return all_excited(N)
    if kind == "single_excitation":
        return single_excitation(N, spec["site"])
    if kind == "excited_sites":
        return excited_sites(N, spec["sites"])
    return spin_wave(N, spec["q"])


def system_models(system: Mapping[str, Any], physics: Mapping[str, Any]):
    """(bath, positions [nm], initial state) of one resolved system entry (no sweep left)."""
    pos = build_geometry(system["geometry"])
    return build_bath(system["bath"], physics), pos, build_initial(system.get("initial", {"kind": "all_excited"}), len(pos))


