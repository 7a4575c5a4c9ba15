"""Errors of the emission solvers."""

__all__ = ["SolverFailure"]


class SolverFailure(RuntimeError):
    """The ODE integrator did not reach an output time (step limit, stiffness, non-finite state)."""
