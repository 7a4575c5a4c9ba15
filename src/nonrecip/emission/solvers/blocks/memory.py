"""Memory estimate of the block solver (no compiled code: cheap to import for config checks)."""

from __future__ import annotations

from math import comb

__all__ = ["BACKENDS", "MemoryLimitError", "estimate_memory_bytes"]

BACKENDS = ("cpu", "numpy", "cupy")


class MemoryLimitError(RuntimeError):
    """The block solver's memory estimate exceeds ``max_memory_gb``."""


def estimate_memory_bytes(n_sites: int, *, backend: str = "cpu", n_times: int = 0) -> int:
    """Estimated peak memory [bytes] of :func:`block_correlations` for ``n_sites`` qubits.

    States of C(2N, N) complex numbers (four on the CPU: three for the propagator plus
    H_eff v of the fused kernel, :mod:`blocks_rhs`; three for the array backends, with
    seven block-sized temporaries), the index/coupling tables and the outputs. The Python
    interpreter and imported libraries (~0.2 GB) are not included.
    """
    N = int(n_sites)
    if N < 1:
        raise ValueError(f"n_sites must be >= 1, got {n_sites}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    dims = [comb(N, n) for n in range(N + 1)]
    size = comb(2 * N, N)
    dmax = max(dims)
    n_hop = sum(d * n * (N - n) for n, d in enumerate(dims))
    n_up = sum(d * (N - n) for n, d in enumerate(dims))
    states = (4 if backend == "cpu" else 3) * 16 * size
    n_corr = sum(comb(N, n - 1) * (N - n + 1) * (N - n + 2) // 2 for n in range(1, N + 1))
    tables = 24 * n_hop + 16 * n_up + 2**N * (32 + N) + 12 * n_corr
    out = 16 * n_times * (N * N + 2) * 2
    if backend == "cpu":  # feed row buffers of 256 chunks (64 threads) and the hop work list
        work = 256 * 32 * dmax + 24 * size // 100
    else:
        tables += 16 * N * n_up
        work = 7 * 16 * dmax * dmax + 20 * N * n_up + 20 * n_hop
    return int(states + tables + out + work)
