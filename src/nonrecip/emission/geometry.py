"""Qubit positions in the plane of the film: chains, rings, lattices, explicit lists and jitter.

Every function returns an (N, 2) float array of (x, y) in nm, qubit α = row α − 1 (sites are
numbered 1…N in the datasets). The baths (:mod:`nonrecip.emission.baths`) turn such an array
into the couplings (J, γ); conventions in docs/theory/baths.md#geometries.
"""

from __future__ import annotations

import numpy as np

from nonrecip.validate import integer, real

__all__ = ["chain", "ring", "lattice", "positions", "jitter", "GEOMETRIES"]


def chain(N: int, spacing_nm: float) -> np.ndarray:
    """A straight chain along x: qubit α at ((α − 1)·spacing_nm, 0) [nm]."""
    N = integer("N", N, minimum=1)
    spacing_nm = real("spacing_nm", spacing_nm, minimum=0.0, exclusive_minimum=True)
    return np.column_stack([spacing_nm * np.arange(N), np.zeros(N)])


def ring(N: int, radius_nm: float | None = None, *, spacing_nm: float | None = None) -> np.ndarray:
    """N qubits on a circle about the origin, qubit 1 at angle 0, counter-clockwise.

    Give exactly one of ``radius_nm`` or ``spacing_nm`` (the chord between neighbours,
    radius = spacing / (2 sin(π/N))).
    """
    N = integer("N", N, minimum=2)
    if (radius_nm is None) == (spacing_nm is None):
        raise ValueError("ring: give exactly one of radius_nm or spacing_nm")
    if radius_nm is None:
        spacing_nm = real("spacing_nm", spacing_nm, minimum=0.0, exclusive_minimum=True)
        radius_nm = spacing_nm / (2.0 * np.sin(np.pi / N))
    radius_nm = real("radius_nm", radius_nm, minimum=0.0, exclusive_minimum=True)
    angle = 2.0 * np.pi * np.arange(N) / N
    return radius_nm * np.column_stack([np.cos(angle), np.sin(angle)])


def lattice(nx: int, ny: int, spacing_nm: float, spacing_y_nm: float | None = None) -> np.ndarray:
    """A rectangular nx × ny lattice, row by row: qubit α = 1 + i + nx·j at (i·a_x, j·a_y) [nm].

    ``spacing_y_nm`` defaults to ``spacing_nm`` (square lattice).
    """
    nx = integer("nx", nx, minimum=1)
    ny = integer("ny", ny, minimum=1)
    ax = real("spacing_nm", spacing_nm, minimum=0.0, exclusive_minimum=True)
    ay = ax if spacing_y_nm is None else real("spacing_y_nm", spacing_y_nm, minimum=0.0, exclusive_minimum=True)
    j, i = np.divmod(np.arange(nx * ny), nx)
    return np.column_stack([ax * i, ay * j]).astype(float)


def positions(coordinates, *, name: str = "positions") -> np.ndarray:
    """An explicit list of coordinates [nm], (N, 2) or (N,) (then on the x axis), checked.

    Errors start with ``name`` (the caller's argument) and number the sites from 1.
    """
    try:
        pos = np.array(coordinates, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers (nm): {exc}") from None
    if pos.ndim == 1:
        pos = np.column_stack([pos, np.zeros(pos.size)])
    if pos.ndim != 2 or pos.shape[1] != 2 or pos.shape[0] < 1:
        raise ValueError(f"{name} must have shape (N, 2) or (N,) with N >= 1, got {np.shape(coordinates)}")
    bad = np.nonzero(~np.isfinite(pos).all(axis=1))[0]
    if bad.size:
        raise ValueError(f"{name} must be finite: site {bad[0] + 1} is at {pos[bad[0]].tolist()}")
    diff = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
    same = np.argwhere(np.triu(diff == 0, k=1))
    if same.size:
        a, b = same[0] + 1
        raise ValueError(f"{name}: sites {a} and {b} are at the same point {pos[a - 1].tolist()} nm")
    return pos


def jitter(positions_nm, sigma_nm: float, seed: int) -> np.ndarray:
    """Positions displaced by independent Gaussian jitter of standard deviation σ in x and y [nm].

    σ = 0 returns the positions unchanged (bit for bit). Realisations are reproducible from
    ``seed`` (NumPy ``default_rng``).
    """
    pos = positions(positions_nm)
    sigma_nm = real("sigma_nm", sigma_nm, minimum=0.0)
    seed = integer("seed", seed, minimum=0)
    if sigma_nm == 0:
        return pos
    return pos + np.random.default_rng(seed).normal(0.0, sigma_nm, size=pos.shape)


#: geometry kind -> builder (config ``geometry.kind``)
GEOMETRIES = {"chain": chain, "ring": ring, "lattice": lattice, "positions": positions}
