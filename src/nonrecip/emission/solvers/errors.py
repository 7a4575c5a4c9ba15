"""Errors of the emission solvers."""

__all__ = ["SolverFailure"]


class SolverFailure(RuntimeError):
    """The ODE integrator did not reach an output time (step limit, stiffness, non-finite state).

    ``time`` is the time (1/γ0) the integration reached, where known (else NaN).
    """

    def __init__(self, message: str, *, time: float = float("nan")):
        super().__init__(message)
        self.time = float(time)
