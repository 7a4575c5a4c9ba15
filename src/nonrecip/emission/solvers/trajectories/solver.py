"""Quantum-jump (Monte-Carlo wave-function) unravelling of the emission of N qubits.

docs/theory/trajectories.md#trajectory-algorithm. The trajectories are propagated manifold by
manifold: all of them start in manifold N (|e…e⟩) at ``times[0]``; every trajectory that jumps
out of manifold n enters manifold n − 1 at its own jump time, and manifold n − 1 is then
propagated for all its entrants together (columns of one (D_{n−1}, K) array, each column with
its own step to the common grid). Only one manifold's H_eff block is needed at a time.
"""

from __future__ import annotations

import math
import time as _time

import numpy as np

from nonrecip.log import PROGRESS_INTERVAL, ProgressLog, get_logger

from .kernels import correlations, lower
from .manifolds import heff_block, manifolds, norm_bound
from .propagate import jump_times, taylor_order, taylor_terms

_log = get_logger("emission.trajectories")

__all__ = ["jump_trajectories"]

#: largest ρ = ‖A‖·h of one Taylor step
RHO_MAX = 4.0
#: Γ_n below this are set to zero (docs/theory/emission.md#collective-jumps)
GAMMA_CLIP = 1e-12


class _Block:
    """H_eff block, norm bound and lowering table of manifold n."""

    def __init__(self, mf, n, K):
        self.A, self.mu = heff_block(mf, n, K)
        self.bound = norm_bound(self.A)
        self.up, self.site = mf.lowering_table(n)


class _Pool:
    """Trajectories entering a manifold: ids, states (D, k), entry times, thresholds."""

    def __init__(self, dim):
        self.dim = dim
        self.parts = []

    def add(self, ids, psi, tau, r):
        self.parts.append((ids, psi, tau, r))

    def sorted(self):
        if not self.parts:
            z = np.zeros(0)
            return np.zeros(0, dtype=np.int64), np.zeros((self.dim, 0), dtype=np.complex128), z, z
        ids, psi, tau, r = (np.concatenate(x, axis=-1) for x in zip(*self.parts))
        order = np.lexsort((ids, tau))
        return ids[order], psi[:, order], tau[order], r[order]


def _manifold(blk, n, pool, times, ctx, tol):
    """Propagate the entrants of manifold n over ``times``; record; return the pool of n − 1."""
    ids_in, psi_in, tau_in, r_in = pool.sorted()
    out = _Pool(int(ctx["mf"].dims[n - 1]))
    D = psi_in.shape[0]
    act_ids, act_psi = ids_in[:0], np.zeros((D, 0), dtype=np.complex128)
    act_tau, act_r = tau_in[:0], r_in[:0]
    p = 0

    def admit(t_until):
        nonlocal p, act_ids, act_psi, act_tau, act_r
        q = int(np.searchsorted(tau_in, t_until, side="right"))
        if q > p:
            act_ids = np.concatenate([act_ids, ids_in[p:q]])
            act_psi = np.concatenate([act_psi, psi_in[:, p:q]], axis=1)
            act_tau = np.concatenate([act_tau, tau_in[p:q]])
            act_r = np.concatenate([act_r, r_in[p:q]])
            p = q

    for i, t_out in enumerate(times):
        if i > 0:
            span = t_out - times[i - 1]
            n_sub = max(1, math.ceil(span * blk.bound / RHO_MAX))
            h = span / n_sub
            m = taylor_order(blk.bound * h, tol)
            for s in range(n_sub):
                b = t_out if s == n_sub - 1 else times[i - 1] + (s + 1) * h
                admit(b)
                if act_ids.size == 0:
                    continue
                hk = b - act_tau
                new, n2, jumps = _step(blk, act_ids, act_psi, b, hk, act_r, m, out, ctx)
                if jumps.any():
                    keep = ~jumps
                    new, n2, act_ids, act_r = new[:, keep], n2[keep], act_ids[keep], act_r[keep]
                act_psi = new / np.sqrt(n2)
                act_r = act_r / n2
                act_tau = np.full(act_ids.size, b)
        else:
            admit(t_out)
        if act_ids.size:
            C = correlations(act_psi, blk.up, blk.site, ctx["N"])
            ctx["rates"][act_ids, i] = np.einsum("ab,kab->ka", ctx["M"], C).real
            ctx["C_sum"][i] += C.sum(axis=0)
    return out


def _step(blk, ids, psi, b, hk, r, m, out, ctx):
    """One Taylor step of all active columns to the time ``b``, in column blocks whose series terms fit in memory.

    Returns the states at the end of the step, their ‖ψ‖² and the mask of the columns that
    jumped inside the step (those are handed to manifold n − 1 by :func:`_jump`).
    """
    D, k = psi.shape
    kb = int(max(1, min(k, ctx["terms_bytes"] // (16 * (m + 1) * D))))
    new = np.empty_like(psi)
    n2 = np.empty(k)
    jumps = np.zeros(k, dtype=bool)
    for c0 in range(0, k, kb):
        sl = slice(c0, min(k, c0 + kb))
        W = taylor_terms(blk.A, psi[:, sl], hk[sl], m)
        ctx["n_products"] += m * W.shape[2]
        end = W.sum(axis=0)
        end *= np.exp(-1j * blk.mu * hk[sl])
        n2[sl] = np.einsum("dk,dk->k", end.conj(), end).real
        new[:, sl] = end
        jb = n2[sl] <= r[sl]
        if jb.any():
            jumps[sl] = jb
            _jump(blk, ids[sl][jb], W, np.nonzero(jb)[0], b, hk[sl][jb], r[sl][jb], n2[sl][jb], out, ctx)
    return new, n2, jumps


def _jump(blk, ids, W, cols, b, hk, r, end_norm2, out, ctx):
    """Locate the jumps of the columns ``cols`` of the step's terms ``W``, pick the channels, and send the states to manifold n − 1."""
    theta, psi_j, iters = jump_times(W, cols, blk.mu, hk, r, end_norm2)
    ctx["root_iterations"] = max(ctx["root_iterations"], iters)
    norm2 = np.einsum("dk,dk->k", psi_j.conj(), psi_j).real
    C = correlations(psi_j, blk.up, blk.site, ctx["N"]) / norm2[:, None, None]
    U, Gam = ctx["U"], ctx["Gam"]
    weights = Gam * np.einsum("an,kab,bn->kn", U, C, U.conj()).real  # ‖c_n ψ‖²
    weights = np.maximum(weights, 0.0)
    cum = np.cumsum(weights, axis=1)
    u = ctx["rng"].random(ids.size) * cum[:, -1]
    r_new = ctx["rng"].random(ids.size)
    channel = np.minimum((cum < u[:, None]).sum(axis=1), Gam.size - 1)
    low = lower(psi_j, blk.up, blk.site, ctx["jump_weights"][channel])
    low /= np.sqrt(np.einsum("dk,dk->k", low.conj(), low).real)
    ctx["n_jumps"] += ids.size
    out.add(ids, low, b - (1.0 - theta) * hk, r_new)


def _chunk(mf, blocks, K, times, n_traj, ctx, tol):
    """Run ``n_traj`` trajectories; per-trajectory rates (n_traj, T, N) and Σ_k C_k (T, N, N)."""
    N = mf.N
    T = times.size
    ctx["rates"] = np.zeros((n_traj, T, N))
    ctx["C_sum"] = np.zeros((T, N, N), dtype=np.complex128)
    pool = _Pool(1)
    pool.add(np.arange(n_traj), np.ones((1, n_traj), dtype=np.complex128), np.full(n_traj, times[0]),
             ctx["rng"].random(n_traj))
    for n in range(N, 0, -1):
        blk = blocks.get(n) or _Block(mf, n, K)
        if ctx["keep_blocks"]:
            blocks[n] = blk
        ctx["max_bound"] = max(ctx["max_bound"], blk.bound)
        pool = _manifold(blk, n, pool, times, ctx, tol)
        del blk
        progress = ctx["progress"]
        if _time.perf_counter() >= progress.due:   # manifold n costs ~ its dimension C(N, n)
            share = math.fsum(math.comb(N, m) for m in range(n, N + 1)) / 2.0 ** N
            progress.update((ctx["done"] + n_traj * share) / ctx["n_total"])
    return ctx["rates"], ctx["C_sum"]


def _merge(stats, x):
    """Chan's update of (count, mean, M2) with the samples x (k, ...)."""
    k = x.shape[0]
    mean_b = x.mean(axis=0)
    m2_b = ((x - mean_b) ** 2).sum(axis=0)
    if stats is None:
        return [k, mean_b, m2_b]
    n_a, mean_a, m2_a = stats
    n = n_a + k
    d = mean_b - mean_a
    return [n, mean_a + d * (k / n), m2_a + m2_b + d * d * (n_a * k / n)]


def jump_trajectories(J, gamma, times, *, n_trajectories: int, seed: int | None, backend: str = "numpy",
                      tol: float = 1e-10, max_memory_gb: float = 1.0,
                      progress_interval: float = PROGRESS_INTERVAL) -> dict:
    """Emission from |e…e⟩ by the quantum-jump unravelling of paper E Eq. (4) (docs/theory/trajectories.md#trajectory-algorithm).

    Trajectories live in one excitation manifold between jumps
    (docs/theory/trajectories.md#manifold-structure) and jump through the collective channels of
    γ (docs/theory/trajectories.md#jump-channels). Jump times are roots of ‖ψ̃(t)‖² = r located
    inside each step on the step's polynomial dense output (docs/theory/trajectories.md#waiting-time);
    each Taylor step carries the a priori truncation bound ``tol`` and ends on the output grid,
    so no uncontrolled time step enters (docs/theory/trajectories.md#error-control).

    Parameters
    ----------
    J, gamma : array_like (N, N)
        Hermitian couplings in units of γ0 (γ positive semidefinite), assumed checked;
        H_eff = ½Σ(J − iγ)σ⁺σ⁻ (docs/theory/emission.md#master-equation).
    times : array_like (T,)
        Strictly increasing output times in units of 1/γ0; all trajectories start in |e…e⟩ at ``times[0]``.
    n_trajectories : int
        Number of trajectories (≥ 2).
    seed : int or None
        Seed of ``numpy.random.default_rng``; a given seed (with the same ``max_memory_gb``)
        reproduces the output bit for bit. ``None`` draws fresh entropy.
    backend : {"numpy"}
        Array library; only NumPy/SciPy with numba kernels is implemented (anything else raises
        ``ValueError``).
    tol : float
        A priori bound of each Taylor step's truncation error relative to ‖ψ‖.
    max_memory_gb : float
        Memory for the trajectory states and series terms [GB]; trajectories run in chunks that fit
        (docs/theory/trajectories.md#cost).
    progress_interval : float
        Least wall-clock seconds between progress records (logger
        ``nonrecip.emission.trajectories``, INFO); ``inf`` switches them off.

    Returns
    -------
    dict
        ``correlation`` (T, N, N) complex mean of ⟨σ⁺_a σ⁻_b⟩; ``rate`` (T, N) mean R_α/γ0 and
        ``rate_stderr`` (T, N) its standard error; ``delta``/``delta_stderr`` (T,) for
        δ_1N = (R_1 − R_N)/γ0; ``rate_total``/``rate_total_stderr`` (T,); ``info`` with
        ``n_trajectories``, ``n_jumps`` (mean per trajectory), ``seed``, ``tol``, ``chunk``,
        ``n_products`` (sparse matrix–vector products), ``max_norm_bound``, ``root_iterations``,
        ``wall_seconds``, ``backend``, ``solver``. Rates are formed per trajectory from its
        normalised state; standard errors are sample standard deviations / √n
        (docs/theory/trajectories.md#estimators).
    """
    if backend != "numpy":
        raise ValueError(f"jump_trajectories: backend {backend!r} is not implemented (only 'numpy')")
    wall0 = _time.perf_counter()
    J = np.asarray(J, dtype=np.complex128)
    gamma = np.asarray(gamma, dtype=np.complex128)
    times = np.asarray(times, dtype=float)
    n_traj = int(n_trajectories)
    N = J.shape[0]
    Gam, U = np.linalg.eigh(gamma)
    Gam = np.where(Gam < GAMMA_CLIP, 0.0, Gam)
    mf = manifolds(N)
    rng = np.random.default_rng(seed)
    K = J - 1j * gamma
    ctx = {
        "mf": mf, "N": N, "M": gamma + 1j * J, "U": U, "Gam": Gam, "rng": rng,
        "jump_weights": (np.sqrt(Gam)[:, None] * U.conj().T),  # row n: √Γ_n U*_{b n}
        "terms_bytes": 0.25 * max_memory_gb * 1e9, "n_products": 0, "n_jumps": 0, "root_iterations": 0, "max_bound": 0.0,
        "keep_blocks": float(N * (N - 1) * 2 ** max(N - 2, 0)) * 24 < 0.25 * max_memory_gb * 1e9,
    }
    per_traj = 8 * 16 * float(mf.dims.max()) + 16 * times.size * N
    chunk = int(max(1, min(n_traj, max_memory_gb * 1e9 // per_traj)))
    blocks = {}
    rate_stats = delta_stats = total_stats = None
    C_sum = np.zeros((times.size, N, N), dtype=np.complex128)
    done = 0
    ctx["progress"] = ProgressLog(_log, f"trajectories N={N}, {n_traj} trajectories", progress_interval)
    ctx["n_total"] = n_traj
    while done < n_traj:
        ctx["done"] = done
        k = min(chunk, n_traj - done)
        rates, Cs = _chunk(mf, blocks, K, times, k, ctx, tol)
        C_sum += Cs
        rate_stats = _merge(rate_stats, rates)
        delta_stats = _merge(delta_stats, rates[:, :, 0] - rates[:, :, -1])
        total_stats = _merge(total_stats, rates.sum(axis=2))
        done += k
    ctx["progress"].finish()

    def stderr(stats):
        n = stats[0]
        return np.sqrt(stats[2] / (n - 1) / n) if n > 1 else np.full_like(stats[1], np.nan)

    info = {
        "solver": "quantum-jump trajectories (Taylor, a-priori truncation bound)",
        "n_trajectories": n_traj, "n_jumps": ctx["n_jumps"] / n_traj, "seed": seed, "tol": tol,
        "chunk": chunk, "n_products": ctx["n_products"], "max_norm_bound": ctx["max_bound"],
        "root_iterations": ctx["root_iterations"], "backend": backend,
        "wall_seconds": _time.perf_counter() - wall0,
    }
    return {
        "correlation": C_sum / n_traj,
        "rate": rate_stats[1], "rate_stderr": stderr(rate_stats),
        "delta": delta_stats[1], "delta_stderr": stderr(delta_stats),
        "rate_total": total_stats[1], "rate_total_stderr": stderr(total_stats),
        "info": info,
    }
