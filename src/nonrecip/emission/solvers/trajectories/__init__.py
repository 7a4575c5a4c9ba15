"""Quantum-jump (Monte-Carlo wave-function) solver of the emission from |e…e⟩ (docs/theory/trajectories.md#trajectory-algorithm)."""

from .solver import jump_trajectories

__all__ = ["jump_trajectories"]
