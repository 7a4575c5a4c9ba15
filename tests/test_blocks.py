"""Tests of the excitation-manifold block solver (docs/theory/solvers.md#block-solver; docs/theory/emission.md#verification)."""

from __future__ import annotations

import numpy as np
import pytest

from nonrecip.emission import coupling_matrices
from nonrecip.emission.solvers.blocks.solver import (
    MemoryLimitError,
    block_correlations,
    estimate_memory_bytes,
)
from nonrecip.emission.solvers.blocks.kernels import CpuOps, block_tables, correlations
from nonrecip.emission.dynamics import BlocksOptions, QutipOptions, emission_dynamics, rates_from_correlations


def _couplings(n, k0):
    ds = coupling_matrices(n, k0=k0)
    return ds["J"].values, ds["gamma"].values


def _dense_lowering(n):
    """sigma^-_a on the 2^n space, basis index = bit mask (bit a set = site a excited)."""
    d = 2**n
    ops = []
    for a in range(n):
        M = np.zeros((d, d))
        for s in range(d):
            if s >> a & 1:
                M[s ^ (1 << a), s] = 1.0
        ops.append(M)
    return ops


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_rhs_and_correlations_match_dense_master_equation(n):
    """One affine RHS application equals the dense Lindbladian of docs/theory/emission.md#master-equation on a random block state."""
    rng = np.random.default_rng(n)
    J, g = _couplings(n, 0.01)
    J = J + np.diag(rng.normal(size=n))  # non-uniform on-site terms enter H_eff's diagonal
    tab = block_tables(n)
    v = np.zeros(tab.size, complex)
    rho = np.zeros((2**n, 2**n), complex)
    for m in range(n + 1):
        D = int(tab.dims[m])
        X = rng.normal(size=(D, D)) + 1j * rng.normal(size=(D, D))
        tab.block(v, m)[:] = X + X.conj().T
        st = tab.states[tab.soff[m]:tab.soff[m + 1]]
        rho[np.ix_(st, st)] = tab.block(v, m)
    S = _dense_lowering(n)
    Sp = [s.T for s in S]
    H = 0.5 * sum(J[a, b] * Sp[a] @ S[b] for a in range(n) for b in range(n))
    drho = -1j * (H @ rho - rho @ H)
    for a in range(n):
        for b in range(n):
            drho += g[a, b] * (S[b] @ rho @ Sp[a] - 0.5 * (Sp[a] @ S[b] @ rho + rho @ Sp[a] @ S[b]))
    out = rng.normal(size=tab.size) + 0j  # beta * out must be used
    out_old = out.copy()
    acc = np.zeros(tab.size, complex)
    alpha, beta, c, acoef = 0.7, -1.0, 0.3, 0.25
    # beta*out needs a Hermitian previous term: make out_old Hermitian per block
    for m in range(n + 1):
        B = tab.block(out_old, m)
        B[:] = B + B.conj().T
    out[:] = out_old
    vmax = CpuOps(tab, J, g).apply(v, out, acc, alpha, beta, c, acoef)
    for m in range(n + 1):
        st = tab.states[tab.soff[m]:tab.soff[m + 1]]
        ref = alpha * (drho - c * rho)[np.ix_(st, st)] + beta * tab.block(out_old, m)
        assert np.abs(tab.block(out, m) - ref).max() < 1e-12
        assert np.array_equal(tab.block(out, m), tab.block(out, m).conj().T)  # exactly Hermitian
    assert np.abs(acc - acoef * out).max() < 1e-15
    assert vmax == pytest.approx(np.abs(out).max(), rel=1e-14)
    Cref = np.array([[np.trace(Sp[a] @ S[b] @ rho) for b in range(n)] for a in range(n)])
    assert np.abs(correlations(tab, v) - Cref).max() < 1e-12


@pytest.mark.parametrize("n", [10, 11])
def test_fused_rhs_equals_collective_jump_formulation(n):
    """The fused numba RHS (column chunks, row blocks, site lists, complex gamma) == the array backend's.

    N = 10, 11 are the first sizes whose rows span several column chunks (blocks_rhs.CH) and
    whose row count is not a multiple of the row block; gamma gets a complex Hermitian part
    and J non-uniform diagonals so that every coefficient path is used.
    """
    from nonrecip.emission.solvers.blocks.array import ArrayOps

    rng = np.random.default_rng(n)
    J, g = _couplings(n, 0.01)
    J = J + np.diag(rng.normal(size=n))
    X = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    g = g + 0.1 * (X + X.conj().T)
    tab = block_tables(n)
    v = np.zeros(tab.size, complex)
    out0 = np.zeros(tab.size, complex)
    for m in range(n + 1):
        D = int(tab.dims[m])
        for arr in (v, out0):
            Y = rng.normal(size=(D, D)) + 1j * rng.normal(size=(D, D))
            tab.block(arr, m)[:] = Y + Y.conj().T
    args = (0.3, -1.0, 0.7, 0.25)
    res = []
    for ops in (CpuOps(tab, J, g), ArrayOps(tab, J, g, "numpy")):
        out, acc = out0.copy(), np.ones(tab.size, complex)
        vmax = ops.apply(v, out, acc, *args)
        res.append((out, acc, vmax))
    scale = np.abs(res[1][0]).max()
    assert np.abs(res[0][0] - res[1][0]).max() < 1e-12 * scale
    assert np.abs(res[0][1] - res[1][1]).max() < 1e-12 * scale
    assert res[0][2] == pytest.approx(res[1][2], rel=1e-12)
    for m in range(n + 1):
        B = tab.block(res[0][0], m)
        assert np.array_equal(B, B.conj().T)  # exactly Hermitian


def test_bessel_table_matches_scipy():
    """Miller-recurrence tables of the planner == scipy jv / ive, including x = 0 and the tail."""
    from scipy.special import ive, jv

    from nonrecip.emission.solvers.blocks.plan import bessel_table

    x = np.array([0.0, 1e-3, 0.1, 1.0, 5.0, 57.0, 200.0, 500.0])
    k = np.arange(601)[:, None]
    for kind, ref in (("j", jv), ("ive", ive)):
        B, R = bessel_table(600, x, kind), ref(k, x[None, :])
        assert np.abs(B - R).max() < 1e-14
        tail = np.abs(R) > 1e-250
        assert (np.abs(B - R)[tail] / np.abs(R[tail])).max() < 1e-9


@pytest.mark.parametrize("k0", [0.003, 0.3])
def test_polygon_supports_equal_superoperator_numerical_range(k0):
    """Support lines of numerical_range_polygon == λ_max of Herm(e^{-iθ} L_n) from the dense superoperator.

    H_eff = ½Σ(J − iγ)_ab σ⁺_a σ⁻_b is built on the 2^N states and restricted to manifold n;
    L_n = -i(I⊗H - conj(H)⊗I) on vec(X) (column-major). The polygon's formula (two
    block-sized eigenproblems per angle, tables of blocks_kernels) is independent of this.
    """
    from nonrecip.emission.solvers.blocks.plan import numerical_range_polygon

    N, K = 4, 12
    ds = coupling_matrices(N, k0=k0)
    J, g = ds["J"].values, ds["gamma"].values
    Kc = J - 1j * g
    Hfull = np.zeros((2**N, 2**N), dtype=complex)  # bit a of the index set = qubit a excited
    for x in range(2**N):
        for a in range(N):
            for b in range(N):
                if (x >> b) & 1 and not ((x ^ (1 << b)) >> a) & 1:
                    Hfull[x ^ (1 << b) | (1 << a), x] += 0.5 * Kc[a, b]
    tab = block_tables(N)
    V = numerical_range_polygon(tab, J, g, n_angles=K)
    th = np.concatenate([np.pi * np.arange(K + 1) / K, -np.pi * np.arange(1, K) / K])
    ref = np.full(th.size, -np.inf)
    for n in range(N + 1):
        st = [x for x in range(2**N) if bin(x).count("1") == n]
        H = Hfull[np.ix_(st, st)]
        eye = np.eye(H.shape[0])
        L = -1j * (np.kron(eye, H) - np.kron(H.conj(), eye))
        for i, t in enumerate(th):
            M = np.exp(-1j * t) * L
            ref[i] = max(ref[i], np.linalg.eigvalsh(0.5 * (M + M.conj().T))[-1])
    support = (np.exp(-1j * th)[:, None] * V[None, :]).real.max(axis=1)
    assert np.abs(support - ref).max() < 1e-5 * np.abs(ref).max()
    # the angles between 0 and pi/2 cut the rectangle's corners (n_angles = 2)
    R = numerical_range_polygon(tab, J, g, n_angles=2)
    assert np.abs(R.imag).max() == pytest.approx(np.abs(V.imag).max(), rel=1e-6)
    assert np.abs(V).max() < 0.99 * np.abs(R).max()


def _qutip_rates(J, g, times):
    ds = emission_dynamics(J, g, times, method="qutip",
                           options=QutipOptions(ode_method="dop853", rtol=1e-11, atol=1e-12))
    return ds["rate"].values, ds["population"].values


def _block_rates(J, g, times, **kw):
    C, info = block_correlations(J, g, times, **kw)
    return rates_from_correlations(C, J, g).T, C, info


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("k0", [0.0, 0.003, 0.05, 0.3])
def test_blocks_equal_qutip(n, k0):
    """All rates R_a(t) agree with QuTiP mesolve (dop853, rtol 1e-11) to 1e-7."""
    times = np.linspace(0.0, 4.0, 41)
    J, g = _couplings(n, k0)
    Rq, Pq = _qutip_rates(J, g, times)
    Rb, C, info = _block_rates(J, g, times)
    assert np.abs(Rb - Rq).max() < 1e-7
    assert np.abs(np.real(np.einsum("taa->at", C)) - Pq).max() < 1e-7
    assert abs(Rq).max() > 0.1  # the comparison is not vacuous
    # via the public entry point as well
    ds = emission_dynamics(J, g, times, method="blocks", options=BlocksOptions(tol=1e-12))
    assert np.abs(ds["rate"].values - Rq).max() < 1e-7


@pytest.mark.parametrize("n,k0", [(7, 0.003), (8, 0.05)])
def test_blocks_equal_qutip_large(n, k0):
    """N = 7, 8 against QuTiP on a shorter window (~10 s each; dop853 costs ~20 s / 120 s on [0, 10])."""
    times = np.linspace(0.0, 1.5, 16)
    J, g = _couplings(n, k0)
    Rq, _ = _qutip_rates(J, g, times)
    Rb, _, _ = _block_rates(J, g, times)
    assert np.abs(Rb - Rq).max() < 1e-7


@pytest.mark.parametrize("ja", [0.9, 0.5])
def test_unidirectional_pair(ja):
    """N = 2 with J12 = i Ja, gamma12 = Ja (gamma^L = 0): R_1 = e^{-t} exactly (docs/theory/emission.md#figure-3)."""
    J = np.array([[0, 1j * ja], [-1j * ja, 0]])
    g = np.array([[1, ja], [ja, 1]], dtype=complex)
    times = np.linspace(0.0, 6.0, 61)
    Rb, _, _ = _block_rates(J, g, times)
    assert np.abs(Rb[0] - np.exp(-times)).max() < 1e-10
    Rq, _ = _qutip_rates(J, g, times)
    assert np.abs(Rb - Rq).max() < 1e-7
    assert np.abs(Rb[1] - np.exp(-times)).max() > 0.05  # the right qubit is not trivial


@pytest.mark.parametrize("n,k0", [(7, 0.003), (9, 0.3)])
def test_trace_populations_hermiticity(n, k0):
    """Sum of block traces stays 1; populations in [0, 1]; C Hermitian (docs/theory/solvers.md#block-structure)."""
    times = np.linspace(0.0, 10.0, 101)
    J, g = _couplings(n, k0)
    C, info = block_correlations(J, g, times)
    assert np.abs(info["trace"] - 1.0).max() < 1e-10
    pop = np.einsum("taa->ta", C)
    assert np.abs(pop.imag).max() < 1e-13
    assert pop.real.min() > -1e-12 and pop.real.max() < 1 + 1e-12
    assert np.abs(C - np.conj(np.transpose(C, (0, 2, 1)))).max() < 1e-13
    assert pop.real[-1].sum() < pop.real[0].sum() - 1  # it did decay
    assert info["n_rhs"] > 0 and info["backend"] == "cpu"
    assert set(info) >= {"solver", "tolerances", "n_rhs", "memory_bytes_estimate", "backend"}


def test_mirror_symmetry_and_initial_slope():
    """k0 = 0: R_a = R_{N+1-a} (docs/theory/emission.md#emission-symmetries); dR_tot/dt(0) = sum_{a!=b}|gamma|^2 - N (docs/theory/emission.md#initial-slope)."""
    n = 8
    J, g = _couplings(n, 0.0)
    times = np.linspace(0.0, 3.0, 31)
    R, _, _ = _block_rates(J, g, times)
    assert np.abs(R - R[::-1]).max() < 1e-10
    J, g = _couplings(n, 0.05)
    h = 1e-4
    Rs, _, _ = _block_rates(J, g, np.array([0.0, h, 2 * h]))
    slope = (-3 * Rs.sum(0)[0] + 4 * Rs.sum(0)[1] - Rs.sum(0)[2]) / (2 * h)
    expect = (np.abs(g) ** 2).sum() - np.trace(np.abs(g) ** 2) - n
    assert slope == pytest.approx(expect, abs=1e-5 * max(1.0, abs(expect)))


@pytest.mark.parametrize("n", [4, 6])
def test_backends_and_schemes_agree(n):
    """numba site-basis feed == array backend with collective jumps; Chebyshev == Taylor."""
    J, g = _couplings(n, 0.003)
    times = np.linspace(0.0, 3.0, 13)
    C1, _ = block_correlations(J, g, times)
    C2, info2 = block_correlations(J, g, times, backend="numpy")
    C3, _ = block_correlations(J, g, times, scheme="taylor")
    assert np.abs(C1 - C2).max() < 1e-11
    assert np.abs(C1 - C3).max() < 1e-10
    assert info2["backend"] == "numpy"


def test_start_time_and_tight_tolerance():
    """Evolution starts at times[0]; a shifted grid gives the same C; tol 1e-14 vs 1e-10."""
    J, g = _couplings(5, 0.05)
    t = np.linspace(0.0, 2.0, 9)
    C0, _ = block_correlations(J, g, t)
    C1, _ = block_correlations(J, g, t + 1.5)
    assert np.abs(C0 - C1).max() < 1e-11
    assert np.allclose(C0[0], np.eye(5))
    Cl, il = block_correlations(J, g, t, tol=1e-10)
    Ct, it = block_correlations(J, g, t, tol=1e-14)
    assert np.abs(Cl - Ct).max() < 1e-9
    assert it["n_rhs"] > il["n_rhs"]


def test_memory_refusal():
    """Runs above max_memory_gb raise MemoryLimitError naming the estimate, before allocating."""
    J, g = _couplings(3, 0.0)
    est = estimate_memory_bytes(3, n_times=5)
    with pytest.raises(MemoryLimitError, match=str(est)):
        block_correlations(J, g, np.linspace(0, 1, 5), max_memory_gb=est / 2e9)
    est16 = estimate_memory_bytes(16)
    assert 4 * 16 * 601080390 < est16 < 50e9  # four states on the CPU (blocks_rhs)
    eye = np.eye(16, dtype=complex)
    with pytest.raises(MemoryLimitError, match=f"{est16 / 1e9:.3g} GB"):
        block_correlations(0 * eye, eye, [0.0, 1.0])
    assert estimate_memory_bytes(12) > 4 * 16 * 2704156
    assert estimate_memory_bytes(12, backend="cupy") > 3 * 16 * 2704156 + 7 * 16 * 924**2


def test_input_checks():
    J, g = _couplings(3, 0.003)
    bad = J.copy()
    bad[0, 1] += 0.1
    with pytest.raises(ValueError, match="J must be Hermitian"):
        block_correlations(bad, g, [0, 1])
    with pytest.raises(ValueError, match="gamma"):
        block_correlations(J, g[:2, :2], [0, 1])
    with pytest.raises(ValueError, match="times"):
        block_correlations(J, g, [1.0, 0.5])
    with pytest.raises(ValueError, match="backend"):
        block_correlations(J, g, [0, 1], backend="gpu")
    with pytest.raises(ValueError, match="tol"):
        block_correlations(J, g, [0, 1], tol=0)


@pytest.mark.parametrize("n,k0,tol", [(7, 0.3, 1e-10), (8, 0.3, 1e-12), (6, 0.0, 1e-9)])
def test_loose_tolerances_converge(n, k0, tol):
    """Regression: a plan whose series terms still rise at small k must not stop early."""
    J, g = _couplings(n, k0)
    times = np.linspace(0.0, 10.0, 101)
    C, info = block_correlations(J, g, times, tol=tol)
    Ct, _ = block_correlations(J, g, times, tol=1e-14)
    assert np.abs(C - Ct).max() < 100 * tol
    assert info["plan"]["kmin"] <= info["plan"]["K"]
