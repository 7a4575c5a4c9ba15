"""Mean-field (N → ∞) dynamics of paper S: equations, compiled integrator, phase classification."""

from nonrecip.sync.meanfield.solver import meanfield_phase_diagram, meanfield_trajectory

__all__ = ["meanfield_phase_diagram", "meanfield_trajectory"]
