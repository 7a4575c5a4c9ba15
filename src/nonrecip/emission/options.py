"""Frozen option objects of the emission-dynamics methods (one class per ``method=``).

Each class checks its fields when built, so a bad option fails with a message naming it.
The methods themselves are described in docs/theory/solvers.md#solvers-overview,
docs/theory/large_arrays.md#methods-at-large-n.
"""

from __future__ import annotations

from dataclasses import dataclass

from nonrecip.validate import integer, one_of, real

__all__ = ["BlocksOptions", "QutipOptions", "PairOptions", "CumulantOptions", "TrajectoryOptions"]


@dataclass(frozen=True)
class BlocksOptions:
    """Options of the block solver (:func:`~nonrecip.emission.solvers.blocks.solver.block_correlations`).

    Parameters
    ----------
    tol : float
        Absolute max-norm tolerance of each propagator step's series.
    max_memory_gb : float
        Runs whose memory estimate exceeds this are refused before allocating.
    backend : {"cpu", "numpy", "cupy"}
        numba kernels, or array operations with NumPy/SciPy or CuPy.
    scheme : {"chebyshev", "taylor"}
        Polynomial propagator.
    """

    tol: float = 1e-10
    max_memory_gb: float = 8.0
    backend: str = "cpu"
    scheme: str = "chebyshev"

    def __post_init__(self):
        real("tol", self.tol, minimum=0.0, maximum=0.01, exclusive_minimum=True)
        real("max_memory_gb", self.max_memory_gb, minimum=0.0, exclusive_minimum=True)
        one_of("backend", self.backend, ("cpu", "numpy", "cupy"))
        one_of("scheme", self.scheme, ("chebyshev", "taylor"))


@dataclass(frozen=True)
class QutipOptions:
    """Options of the QuTiP reference: ODE tolerances, integrator and step limit per output."""

    rtol: float = 1e-8
    atol: float = 1e-10
    ode_method: str = "adams"
    max_steps: int = 10**7

    def __post_init__(self):
        real("rtol", self.rtol, minimum=0.0, exclusive_minimum=True)
        real("atol", self.atol, minimum=0.0, exclusive_minimum=True)
        one_of("ode_method", self.ode_method, ("adams", "bdf", "dop853", "vern7", "vern9", "lsoda"))
        integer("max_steps", self.max_steps, minimum=1)


@dataclass(frozen=True)
class PairOptions:
    """Options of the closed two-qubit equations (SciPy DOP853 tolerances)."""

    rtol: float = 1e-10
    atol: float = 1e-12

    def __post_init__(self):
        real("rtol", self.rtol, minimum=0.0, exclusive_minimum=True)
        real("atol", self.atol, minimum=0.0, exclusive_minimum=True)


@dataclass(frozen=True)
class CumulantOptions:
    """Options of the cumulant expansions (``method="cumulant2"``, ``"cumulant3"``).

    Parameters
    ----------
    rtol, atol : float
        Relative and absolute tolerances of the time integration of the moment equations
        (docs/theory/cumulants.md#time-integration); they bound the integration error, not
        the closure's error, which the error map measures.
    ode_method : {"DOP853", "RK45", "RK23"}
        Explicit Runge–Kutta pair of SciPy.
    """

    rtol: float = 1e-8
    atol: float = 1e-10
    ode_method: str = "DOP853"

    def __post_init__(self):
        real("rtol", self.rtol, minimum=0.0, maximum=0.01, exclusive_minimum=True)
        real("atol", self.atol, minimum=0.0, maximum=0.01, exclusive_minimum=True)
        one_of("ode_method", self.ode_method, ("DOP853", "RK45", "RK23"))


@dataclass(frozen=True)
class TrajectoryOptions:
    """Options of the quantum-jump unravelling (``method="trajectories"``).

    Parameters
    ----------
    n_trajectories : int
        Number of Monte-Carlo wave functions; standard errors fall as 1/√n_trajectories.
    seed : int or None
        Seed of ``numpy.random.default_rng``; a given seed reproduces a run bit for bit.
        ``None`` draws fresh entropy (the run is then not reproducible).
    backend : {"numpy"}
        Array library of the propagation (only NumPy/SciPy with numba kernels so far).
    """

    n_trajectories: int = 2000
    seed: int | None = 0
    backend: str = "numpy"

    def __post_init__(self):
        integer("n_trajectories", self.n_trajectories, minimum=2)
        if self.seed is not None:
            integer("seed", self.seed, minimum=0)
        one_of("backend", self.backend, ("numpy",))
