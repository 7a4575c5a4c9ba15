"""Numerical methods of the emission dynamics (see docs/theory/solvers.md)."""
