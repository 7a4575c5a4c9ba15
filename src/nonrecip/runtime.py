"""Run-time settings shared by workflow scripts: thread pinning."""

from __future__ import annotations

import os

__all__ = ["limit_threads"]


def limit_threads(n_threads: int) -> None:
    """Pin BLAS/OpenMP and numba thread pools to ``n_threads`` (a rule's ``threads``).

    Oversubscribed BLAS threads make small dense problems much slower
    (docs/theory/solvers.md#solver-design-facts).
    """
    n_threads = max(1, int(n_threads))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(n_threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n_threads)
    import numba

    numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
