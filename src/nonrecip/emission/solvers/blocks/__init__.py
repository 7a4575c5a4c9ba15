"""Excitation-manifold block solver of the emission master equation (docs/theory/solvers.md).

Modules: :mod:`.solver` (driver, :func:`~.solver.block_correlations`), :mod:`.plan`
(numerical range and polynomial step plans), :mod:`.kernels` and :mod:`.rhs` (numba backend
``"cpu"``), :mod:`.array` (NumPy/CuPy backends), :mod:`.memory` (memory estimate). Every
backend implements the operations ``new, initial, scaled_copy, apply, corr, trace`` used by
the propagator in :mod:`.solver`. Importing this package compiles nothing.
"""
