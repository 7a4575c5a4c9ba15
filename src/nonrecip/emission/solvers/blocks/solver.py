"""Excitation-manifold block solver for the emission dynamics of paper E (docs/theory/emission.md#master-equation, docs/theory/solvers.md#block-solver).

From |e…e⟩ the density matrix stays block diagonal in the excitation number n (blocks of
size C(N,n)², C(2N,N) numbers in all), and block n obeys (docs/theory/solvers.md#block-structure)

    dρ_n/dt = −i(H_eff ρ_n − ρ_n H_eff†) + Σ_αβ γ_αβ σ⁻_β ρ_{n+1} σ⁺_α,   H_eff = ½Σ(J − iγ)_αβ σ⁺_α σ⁻_β.

Right-hand side (numba, :mod:`.rhs`, fused over all blocks): one sparse H_eff product
per block (ρ H_eff† = (H_eff ρ)†) and the feed in the site basis (docs/theory/solvers.md#solver-design-facts: diagonalising γ
costs more, benchmarks/README.md), evaluated on the upper triangle and mirrored so that every block is
exactly Hermitian.

Propagator: the problem is linear and autonomous, so each step applies a polynomial in L
to the state, ρ(t+τ) = Σ_k b_k(τ) v_k, with a three-term Chebyshev recurrence on an
ellipse around a polygon holding the numerical range of every block of L (support lines at
13 angles, :func:`~nonrecip.emission.solvers.blocks.plan.numerical_range_polygon`), or a Taylor
series. Each series is stopped adaptively in the max norm (absolute, so the error does not
grow with the state size): after the first k past the oscillatory range for which
max_τ |b_k(τ)| · max(max|v_k|, max|C[v_k]|) < tol holds twice in a row. Observables are
linear in ρ, so C(t) at every output time inside a step costs N² numbers per term (dense
output without storing states). Memory: four states on the CPU (4·16·C(2N,N) bytes).

Chebyshev needs fewer right-hand sides than Taylor from N = 7 on; the polygon instead of the
bounding rectangle of the numerical range cuts their number further. Measurements:
``benchmarks/README.md`` ("Emission solver", "Block solver design measurements"). QuTiP
``mesolve`` is the reference (``emission_dynamics(..., method="qutip")``).

Backends: ``"cpu"`` (numba, default); ``"numpy"`` and ``"cupy"`` run the same propagator
with array operations and the collective jump operators of γ = U diag(Γ) U† (docs/theory/emission.md#master-equation),
an independent formulation of the feed (:mod:`.array`); ``"cupy"`` is imported lazily and has
not yet been run on a GPU.

Progress: long solves log the fraction done, the elapsed wall time and an ETA to the logger
``nonrecip.emission.blocks`` (INFO), at most once per ``progress_interval`` seconds. The unit of
work is the series term, not the step or the output time: a solve over the usual windows
(t ≤ 10/γ0) is a single step, one series that completes every output time at once. The clock is
read once per term (one right-hand side, milliseconds to seconds from N ≈ 8 on).
"""

from __future__ import annotations

import math
import time as _time
from typing import Any, Protocol

import numpy as np

from nonrecip.emission.solvers.blocks.memory import BACKENDS, MemoryLimitError, estimate_memory_bytes
from nonrecip.emission.solvers.blocks.plan import coefficients, numerical_range_polygon, plan_step, recurrence
from nonrecip.log import PROGRESS_INTERVAL, ProgressLog, get_logger

__all__ = ["block_correlations", "estimate_memory_bytes", "MemoryLimitError", "BACKENDS", "BlockBackend",
           "PROGRESS_INTERVAL"]

_log = get_logger("emission.blocks")


class BlockBackend(Protocol):
    """What the propagator needs from a backend (:class:`~.kernels.CpuOps`, :class:`~.array.ArrayOps`).

    A state is a flat array holding every excitation block (layout of
    :class:`~.kernels.BlockTables`); ``N`` is the number of qubits.
    """

    N: int

    def new(self) -> Any:
        """A zero state."""

    def initial(self, v, blocks=None) -> None:
        """Set ``v`` to |e…e⟩⟨e…e| (block N), or to the blocks {n: ρ_n} given."""

    def scaled_copy(self, dst, src, a) -> None:
        """dst ← a·src."""

    def apply(self, vin, vout, acc, alpha, beta, cshift, acoef) -> float:
        """vout ← alpha·(L − cshift)·vin + beta·vout, acc += acoef·vout; returns max |vout|."""

    def corr(self, v) -> np.ndarray:
        """C_ab = Tr(σ⁺_a σ⁻_b v), an N × N complex array."""

    def trace(self, v) -> float:
        """Σ_n Tr v_n."""


def _check(J, gamma, times, tol, max_memory_gb, backend, scheme, progress_interval):
    J = np.asarray(J, dtype=complex)
    gamma = np.asarray(gamma, dtype=complex)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] < 1:
        raise ValueError(f"J must be a square N x N array, got shape {J.shape}")
    if gamma.shape != J.shape:
        raise ValueError(f"gamma must have the shape of J {J.shape}, got {gamma.shape}")
    for name, M in (("J", J), ("gamma", gamma)):
        if not np.all(np.isfinite(M)):
            raise ValueError(f"{name} must be finite")
        dev = np.abs(M - M.conj().T).max()
        if dev > 1e-12 * max(1.0, np.abs(M).max()):
            raise ValueError(f"{name} must be Hermitian (max |{name} - {name}^H| = {dev:.2e})")
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 1 or not np.all(np.isfinite(times)):
        raise ValueError("times must be a non-empty 1-D array of finite numbers")
    if np.any(np.diff(times) < 0):
        raise ValueError("times must be non-decreasing")
    if not (np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    if not max_memory_gb > 0:
        raise ValueError(f"max_memory_gb must be > 0, got {max_memory_gb}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if scheme not in ("chebyshev", "taylor"):
        raise ValueError(f"scheme must be 'chebyshev' or 'taylor', got {scheme!r}")
    if not progress_interval >= 0:
        raise ValueError(f"progress_interval must be >= 0, got {progress_interval}")
    # exact Hermitian parts: round-off asymmetry would break the block Hermiticity
    return 0.5 * (J + J.conj().T), 0.5 * (gamma + gamma.conj().T), times


def block_correlations(J, gamma, times, *, tol: float = 1e-12, max_memory_gb: float = 8.0,
                       backend: str = "cpu", scheme: str = "chebyshev",
                       progress_interval: float = PROGRESS_INTERVAL, initial=None, store_states: bool = False):
    """Correlations C[t, a, b] = ⟨σ⁺_a σ⁻_b⟩(t) from |e…e⟩ (or ``initial``) at ``times[0]`` (docs/theory/emission.md#master-equation, docs/theory/solvers.md#block-solver).

    Parameters
    ----------
    J, gamma : array_like (N, N)
        Hermitian coherent and dissipative couplings in units of γ0 (docs/theory/emission.md#master-equation; the ½ of
        H = ½ΣJ σ⁺σ⁻ is applied here).
    times : array_like
        Non-decreasing output times in units of 1/γ0; the evolution starts at ``times[0]``
        (so C[0] holds the initial values C_ab = δ_ab).
    tol : float
        Absolute max-norm tolerance of each step's series (per density-matrix element and
        per correlation); the total error is a few times ``tol`` per step.
    max_memory_gb : float
        Refuse (``MemoryLimitError``, before allocating) runs whose estimate exceeds this.
    backend : {"cpu", "numpy", "cupy"}
        numba kernels (default), or array operations with NumPy/SciPy or CuPy (lazy import).
    scheme : {"chebyshev", "taylor"}
        Polynomial propagator (module docstring); Chebyshev is the measured faster one.
    progress_interval : float
        Least wall-clock seconds between progress records (logger ``nonrecip.emission.blocks``,
        INFO); ``math.inf`` silences them.
    initial : InitialState, optional
        Block-diagonal initial state (:mod:`nonrecip.emission.initial`); ``None`` is |e…e⟩. Only
        the blocks n ≤ its largest excitation number k are evolved (decay never raises n), and
        the step plan uses their numerical ranges only (docs/theory/baths.md#few-excitations).
    store_states : bool
        Also return the whole state at every output time as ``info["states"]``, a complex
        (len(times), C(2N, N)) array in the layout of :class:`~.kernels.BlockTables` (block n
        row-major at ``boff[n]``), with the tables as ``info["tables"]``; backends ``"cpu"`` and
        ``"numpy"``.

    Returns
    -------
    C : numpy.ndarray complex (len(times), N, N)
    info : dict
        ``solver``, ``tolerances``, ``n_rhs``, ``memory_bytes_estimate``, ``backend``, and
        ``trace`` (Σ_n Tr ρ_n at each output time), ``n_steps``, ``plan``, ``max_term``
        (largest term of any series: the cancellation factor), ``cpu_seconds``.
    """
    J, gamma, times = _check(J, gamma, times, tol, max_memory_gb, backend, scheme, progress_interval)
    N = J.shape[0]
    est = estimate_memory_bytes(N, backend=backend, n_times=len(times))
    if est > max_memory_gb * 1e9:
        raise MemoryLimitError(
            f"block solver for N = {N} ({backend}) needs an estimated {est / 1e9:.3g} GB "
            f"({est} bytes), above max_memory_gb = {max_memory_gb:g} GB")
    cpu0 = _time.process_time()
    from nonrecip.emission.solvers.blocks.kernels import block_tables

    tab = block_tables(N)
    top = N if initial is None else initial.max_excitations  # blocks above stay empty: not evolved
    if backend == "cpu":
        from nonrecip.emission.solvers.blocks.kernels import CpuOps

        ops = CpuOps(tab, J, gamma, top)
    else:
        from nonrecip.emission.solvers.blocks.array import ArrayOps

        ops = ArrayOps(tab, J, gamma, backend)
    t_span = float(times[-1] - times[0])
    poly = numerical_range_polygon(tab, J, gamma, max_manifold=top)
    plan = plan_step(poly, tol=tol, t_span=t_span, scheme=scheme)
    blocks = None if initial is None else {n: initial.block(n) for n in initial.factors}
    if store_states and backend == "cupy":
        raise ValueError("store_states needs backend 'cpu' or 'numpy'")
    states = np.zeros((len(times), tab.size), dtype=complex) if store_states else None
    C, trace, stats = _propagate(ops, plan, times, tol, _Progress(N, times, progress_interval), blocks, states)
    plan = {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in plan.items()}
    info = {
        "solver": f"blocks/{scheme}-{backend}",
        "tolerances": {"tol": tol, "norm": "max-abs per series term (state elements and C)"},
        "n_rhs": stats["n_rhs"],
        "memory_bytes_estimate": est,
        "backend": backend,
        "max_manifold": int(top),
        "trace": trace,
        "n_steps": stats["n_steps"],
        "max_term": stats["max_term"],
        "plan": plan,
        "numerical_range_polygon": poly,
        "cpu_seconds": _time.process_time() - cpu0,
    }
    if store_states:
        info["states"], info["tables"] = states, tab
    return C, info


#: memory of the term vectors buffered for the stored states (:class:`_StateSum`)
STATE_SUM_BYTES = 256 * 2 ** 20


class _Progress(ProgressLog):
    """Progress of one block solve, measured in series terms.

    The work of a solve is its series terms (one right-hand side each, all of equal cost):
    after term k of step s of n, the fraction done is (s + k / max(K, k + 1)) / n, with K the
    planned number of terms per step. It rises strictly within a step and jumps to the next
    step's start when a series stops early.
    """

    def __init__(self, N: int, times: np.ndarray, interval: float):
        super().__init__(_log, f"block solve N={N}, t in [{float(times[0]):g}, {float(times[-1]):g}]", interval)
        self.n_steps, self.terms = 1, 1

    def plan(self, n_steps: int, terms: int) -> None:
        """Set the number of steps and the planned series terms per step."""
        self.n_steps, self.terms = max(n_steps, 1), max(int(terms), 1)

    def report(self, step: int, k: int, now: float) -> float:
        """Log the progress after term ``k`` of step ``step``; returns the next due time."""
        return self.update((step + k / max(self.terms, k + 1)) / self.n_steps, now)


class _StateSum:
    """states[sel] += Σ_k b_k v_k over the series terms of one step, a block of terms at a time.

    The output times of a step are consecutive, so states[sel] is a slice; each block of terms
    is added by one in-place BLAS product (zgemm with β = 1) instead of one gather–scatter
    update of every output state per term (benchmarks/README.md#sensing). A block holds
    :data:`STATE_SUM_BYTES` of term vectors (between 8 and 128 terms).
    """

    def __init__(self, states, sel):
        self.active = states is not None and sel.size > 0
        if self.active:
            from scipy.linalg.blas import zgemm

            self.zgemm = zgemm
            self.target = states[sel[0]:sel[-1] + 1].T  # (size, n_sel), Fortran-ordered view
            block = int(min(128, max(8, STATE_SUM_BYTES // (16 * states.shape[1]))))
            self.coef = np.zeros((block, sel.size), dtype=complex, order="F")
            self.vecs = np.zeros((states.shape[1], block), dtype=complex, order="F")
            self.n = 0

    def add(self, coef, v) -> None:
        if not self.active:
            return
        self.coef[self.n] = coef
        self.vecs[:, self.n] = v
        self.n += 1
        if self.n == self.coef.shape[0]:
            self.flush()

    def flush(self) -> None:
        if self.active and self.n:
            self.zgemm(1.0, self.vecs[:, :self.n], self.coef[:self.n], beta=1.0, c=self.target, overwrite_c=True)
            self.n = 0


def _propagate(ops: BlockBackend, plan, times, tol, progress: _Progress | None = None, blocks=None, states=None):
    """Step the state over [times[0], times[-1]] and return C, trace at ``times`` and statistics.

    ``states`` (len(times), size), if given, receives the state at every output time.
    """
    nt = len(times)
    N = ops.N
    C = np.zeros((nt, N, N), dtype=complex)
    trace = np.zeros(nt)
    t0, t_end = float(times[0]), float(times[-1])
    state, va, acc = ops.new(), ops.new(), ops.new()
    ops.initial(state, blocks)
    c_init, tr_init = ops.corr(state), ops.trace(state)
    first = times <= t0
    C[first] = c_init
    trace[first] = tr_init
    if states is not None:
        states[first] = state
    n_steps = 0 if t_end <= t0 else max(1, int(np.ceil((t_end - t0) / plan["h_plan"] - 1e-9)))
    h = (t_end - t0) / n_steps if n_steps else 0.0
    plan["h"] = h
    step_of = np.clip(np.ceil((times - t0) / h - 1e-12).astype(int) - 1, 0, n_steps - 1) if n_steps else None
    kcap = 3 * plan["K"] + 40
    n_rhs = 0
    clock = _time.perf_counter
    if progress is None:
        due = math.inf
    else:
        progress.plan(n_steps, plan["K"])
        due = progress.due
    max_term = 0.0
    for s in range(n_steps):
        ts = t0 + s * h
        sel = np.nonzero((step_of == s) & ~first)[0]
        taus = np.append(times[sel] - ts, h)
        b = coefficients(plan, taus, min(kcap, int(1.2 * plan["K"]) + 20))
        babs = np.abs(b).max(axis=1)
        vm = [state, va]  # v_{k-1}, v_k roles alternate
        ops.scaled_copy(acc, state, b[0, -1])
        ck = ops.corr(state)
        C[sel] += b[0, :-1, None, None] * ck
        trace[sel] += b[0, :-1] * ops.trace(state)
        stored = _StateSum(states, sel)
        stored.add(b[0, :-1], state)
        small_prev = False
        for k in range(1, kcap + 1):
            if k >= b.shape[0]:  # extend the coefficient table on demand
                b = coefficients(plan, taus, min(kcap, 2 * b.shape[0]))
                babs = np.abs(b).max(axis=1)
            alpha, beta = recurrence(plan, k)
            vin, vout = vm[(k - 1) % 2], vm[k % 2]
            if k == 1 or plan["scheme"] == "taylor":
                beta = 0.0
            vmax = ops.apply(vin, vout, acc, alpha, beta, plan["center"], b[k, -1])
            n_rhs += 1
            if (now := clock()) >= due:
                due = progress.report(s, k, now)
            ck = ops.corr(vout)
            C[sel] += b[k, :-1, None, None] * ck
            trace[sel] += b[k, :-1] * ops.trace(vout)
            stored.add(b[k, :-1], vout)
            term = babs[k] * max(vmax, float(np.abs(ck).max()))
            max_term = max(max_term, term)
            small = term < tol
            if small and small_prev and k > plan["kmin"]:
                break
            small_prev = small
        else:
            raise RuntimeError(f"block solver: series did not converge in {kcap} terms at step {s} "
                               f"(t = {ts:.4g}); plan {plan}")
        stored.flush()
        state, acc = acc, state  # new state; the old one becomes the next accumulator
    if progress is not None:
        progress.finish()
    C[first] = c_init
    return C, trace, {"n_rhs": n_rhs, "n_steps": n_steps, "max_term": max_term}
