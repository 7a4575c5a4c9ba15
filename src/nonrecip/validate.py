"""Argument checks shared by the public functions: every error names the argument.

No silent coercion: ``N=3.7``, ``N="3"`` and ``N=True`` are refused, not truncated to 3, "3" or 1.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["integer", "real", "one_of", "hermitian_psd"]


def integer(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int; refuses bools, non-integral numbers, strings and values out of range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and float(value).is_integer():
            value = int(value)  # 3.0 is the integer 3; 3.7 is not
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def real(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
         exclusive_minimum: bool = False) -> float:
    """``value`` as a finite float in range; refuses bools, strings, complex numbers, NaN and infinities."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        raise ValueError(f"{name} must be {'>' if exclusive_minimum else '>='} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def one_of(name: str, value, choices) -> None:
    """Refuse ``value`` unless it is one of ``choices``; the message lists them."""
    if value not in tuple(choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


#: relative tolerance of the positive-semidefiniteness check (times the largest |eigenvalue|)
PSD_RTOL = 1e-10


def hermitian_psd(name: str, matrix: np.ndarray, *, rtol: float = PSD_RTOL) -> None:
    """Refuse a Hermitian matrix with an eigenvalue below −rtol·max|eigenvalue| (round-off allowed)."""
    eig = np.linalg.eigvalsh(matrix)
    scale = float(np.max(np.abs(eig))) if eig.size else 0.0
    if eig.size and eig[0] < -rtol * scale:
        raise ValueError(f"{name} must be positive semidefinite: smallest eigenvalue {eig[0]:.6g} "
                         f"(tolerance -{rtol:g} x {scale:.6g}, the largest |eigenvalue|)")
