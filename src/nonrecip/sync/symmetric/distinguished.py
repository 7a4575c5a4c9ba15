"""Exact distinct-spin and cross spectra with one distinguished spin (docs/theory/sync.md#distinct-spin-spectra).

The regression state σ^-_{n,1} ρ_ss is symmetric under permutations of the *other* N − 1 spins of
species n and of all spins of the other species, so it lives in (spin 1, 4 operators |a⟩⟨b|) ⊗
(symmetric basis of N − 1 spins) ⊗ (symmetric basis of the other species), within a U(1) sector
(docs/theory/sync.md#symmetric-basis). :class:`DistinguishedBasis` ("spin 1 + rest") has the
``op``/``dq``/``q`` interface of ``SpeciesBasis``: each collective superoperator is the sum of its
spin-1 part (the N = 1 symmetric basis) and its rest part, products are products of these sums, so
``liouvillian_terms`` and ``sector_operator`` are reused unchanged. One solve gives the same-spin
(σ^+ on spin 1), the distinct-spin (σ^+ on a rest spin: ⟨σ^+_{n,2}(τ)σ^-_{n,1}⟩ = ⟨σ^+_{n,1}(τ)σ^-_{n,2}⟩ by
permutation symmetry, directly, no subtraction) and the cross correlator (σ^+ on the other species).

Resolvents (iω − 𝓛)^{-1}: dense eigen-decomposition up to ``DENSE_MAX`` states; beyond, one
sparse LU of σ − 𝓛 at a real shift σ and a shift-invert Arnoldi space built from the regression
vector, whose projected resolvent is evaluated on the whole ω grid and iterated until it stops
changing (about 70 vectors at N = 8–10; one sparse LU per ω is ~30 s at N = 10 and is kept as
``resolvent="direct"`` for checks).

Convention (as ``exact_spectra``, docs/theory/sync.md#spectrum-definition): F_XY(ω) = ∫_0^∞ e^{-iωτ}
⟨X(τ)Y(0)⟩ dτ = Tr[X (iω − 𝓛)^{-1}(Yρ_ss)], and the spectrum is the two-sided transform
S_XY(ω) = ∫ e^{-iωτ}⟨X(τ)Y⟩dτ = F_XY(ω) + F_{Y†X†}(ω)^*, which is 2 Re F for the autocorrelations.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from nonrecip.sync.model import MicroscopicRates
from nonrecip.sync.symmetric.basis import (
    Sector,
    SpeciesBasis,
    _basis,
    liouvillian_terms,
    sector_operator,
    species_functional,
)
from nonrecip.sync.symmetric.exact import SOLVERS, _has_pardiso, exact_steady_state, sector_liouvillian

__all__ = ["DistinguishedBasis", "distinguished_sector", "embed_symmetric", "distinct_spin_spectra",
           "DENSE_MAX", "RESOLVENTS"]

DENSE_MAX = 3000
_SUMS = ("Lm", "Lp", "Rm", "Rp", "Lz", "Rz", "up", "down", "nLe", "nRe", "nLg", "nRg", "ncoh")
_PRODUCTS = {"LmRp": ("Lm", "Rp"), "LpLm": ("Lp", "Lm"), "RmRp": ("Rm", "Rp")}


def _codes(states: np.ndarray, N: int) -> np.ndarray:
    """Integer code of type counts (n_ee, n_eg, n_ge) in base N + 1 (n_gg is implied)."""
    s = states.astype(np.int64)
    return (s[:, 0] * (N + 1) + s[:, 1]) * (N + 1) + s[:, 2]


class DistinguishedBasis:
    """Spin 1 (4 operators |a⟩⟨b|) ⊗ permutation-symmetric basis of the other N − 1 spins of a species.

    docs/theory/sync.md#distinct-spin-spectra. Element k = i1 · dim_rest + i_rest (Kronecker order)
    is |a⟩⟨b|_1 ⊗ P_{N−1}(n'), with i1 indexing ``one.states`` (the N = 1 symmetric basis).

    Attributes
    ----------
    N : int
        Spins of the species, including the distinguished one (N ≥ 1).
    one, rest : SpeciesBasis
        Bases of spin 1 (dim 4) and of the other N − 1 spins.
    dim : int
        4 · C(N + 2, 3).
    q : ndarray (dim,)
        U(1) charge of spin 1 plus that of the rest.
    """

    def __init__(self, N: int):
        if N < 1:
            raise ValueError(f"a distinguished spin needs N >= 1, got {N}")
        self.N = int(N)
        self.one, self.rest = SpeciesBasis(1), _basis(self.N - 1)
        self.dim = 4 * self.rest.dim
        self.i1 = np.repeat(np.arange(4), self.rest.dim)
        self.ir = np.tile(np.arange(self.rest.dim), 4)
        self.q = self.one.q[self.i1] + self.rest.q[self.ir]

    def dq(self, name: str) -> int:
        """Change of the U(1) charge caused by ``op(name)`` (as ``SpeciesBasis.dq``)."""
        return self.one.dq(name.removesuffix("1"))

    @lru_cache(maxsize=None)
    def op(self, name: str) -> sp.csr_matrix:
        """Superoperator ``name`` of :meth:`SpeciesBasis.op` for the whole species (spin 1 + rest).

        A trailing ``"1"`` (``"Lm1"``, ``"Rp1"``, ...) restricts it to the distinguished spin.
        """
        if name == "I":
            return sp.identity(self.dim, format="csr")
        if name.endswith("1") and name[:-1] in _SUMS:
            return sp.kron(self.one.op(name[:-1]), sp.identity(self.rest.dim), format="csr")
        if name in _SUMS:
            return (sp.kron(self.one.op(name), sp.identity(self.rest.dim))
                    + sp.kron(sp.identity(4), self.rest.op(name))).tocsr()
        if name in _PRODUCTS:
            a, b = _PRODUCTS[name]
            return (self.op(a) @ self.op(b)).tocsr()
        raise KeyError(name)

    def functional(self, one: tuple[int, int, int], rest: tuple[int, int, int]) -> np.ndarray:
        """Tr[X_1 ⊗ Y_rest · element] for every element; ``one``/``rest`` = (p, m, z) on distinct sites."""
        return np.kron(species_functional(self.one, *one), species_functional(self.rest, *rest))

    def embedding(self) -> np.ndarray:
        """Index j of the N-spin symmetric element P_N(n) with n = type(spin 1) + n' for every element k.

        P_N(n) = Σ_t |t⟩_1 ⊗ P_{N−1}(n − e_t), so a symmetric operator Σ c(n) P_N(n) has the
        coefficients c[embedding()] here.
        """
        full = _basis(self.N)
        n = self.one.states[self.i1] + self.rest.states[self.ir]
        codes_full = _codes(full.states, self.N)
        order = np.argsort(codes_full)
        j = order[np.searchsorted(codes_full[order], _codes(n, self.N))]
        assert np.array_equal(full.states[j], n)
        return j


def distinguished_sector(A, B, q: int) -> Sector:
    """:class:`Sector` ``q`` for arbitrary species bases ``A``, ``B`` (each a ``SpeciesBasis`` or
    a :class:`DistinguishedBasis`), same block layout as ``Sector(NA, NB, q)``."""
    sec = Sector.__new__(Sector)
    sec.A, sec.B, sec.q = A, B, int(q)
    sec.blocks, off = [], 0
    for qA in np.unique(A.q):
        ia = np.nonzero(A.q == qA)[0]
        ib = np.nonzero(B.q == sec.q - qA)[0]
        if len(ia) and len(ib):
            sec.blocks.append((int(qA), ia, ib, off))
            off += len(ia) * len(ib)
    sec.dim = off
    sec._by_qA = {b[0]: b for b in sec.blocks}
    return sec


def embed_symmetric(c: np.ndarray, src: Sector, dst: Sector) -> np.ndarray:
    """Coefficients in ``dst`` (one species distinguished) of the symmetric operator ``c`` in ``src``."""
    ja, jb = dst.pairs()
    if isinstance(dst.A, DistinguishedBasis):
        ja = dst.A.embedding()[ja]
    if isinstance(dst.B, DistinguishedBasis):
        jb = dst.B.embedding()[jb]
    ia, ib = src.pairs()
    pos = np.full((src.A.dim, src.B.dim), -1, dtype=np.int64)
    pos[ia, ib] = np.arange(src.dim)
    k = pos[ja, jb]
    assert np.all(k >= 0), "charge mismatch between sectors"
    return c[k]


class _ComplexPardiso:
    """MKL PARDISO, complex unsymmetric (mtype 13, default iparm: matching and scaling), called through
    the ``mkl_rt`` library that ``pypardiso`` loads (pypardiso itself wraps real matrices only)."""

    def __init__(self, M: sp.spmatrix):
        import ctypes

        import pypardiso

        self._ct, P, i32 = ctypes, ctypes.POINTER, ctypes.c_int32
        self._f = pypardiso.PyPardisoSolver().libmkl.pardiso  # own CDLL instance: own argtypes
        self._f.argtypes = ([P(ctypes.c_int64)] + [P(i32)] * 5 + [ctypes.c_void_p] + [P(i32)] * 6
                            + [ctypes.c_void_p] * 2 + [P(i32)])
        self._f.restype = None
        M = M.tocsr().astype(complex)
        M.sort_indices()
        self.n, self.data = M.shape[0], M.data
        self.ia, self.ja = (M.indptr + 1).astype(np.int32), (M.indices + 1).astype(np.int32)
        self.pt, self.iparm, self.perm = np.zeros(64, np.int64), np.zeros(64, np.int32), np.zeros(self.n, np.int32)
        self._call(12, np.zeros((self.n, 1), complex))  # analysis + numerical factorisation

    def _call(self, phase: int, b: np.ndarray) -> np.ndarray:
        ct, i32 = self._ct, self._ct.c_int32
        P = ct.POINTER
        b = np.asfortranarray(b, dtype=complex)
        x, err = np.zeros_like(b), i32(0)
        self._f(self.pt.ctypes.data_as(P(ct.c_int64)), ct.byref(i32(1)), ct.byref(i32(1)), ct.byref(i32(13)),
                ct.byref(i32(phase)), ct.byref(i32(self.n)), self.data.ctypes.data, self.ia.ctypes.data_as(P(i32)),
                self.ja.ctypes.data_as(P(i32)), self.perm.ctypes.data_as(P(i32)), ct.byref(i32(b.shape[1])),
                self.iparm.ctypes.data_as(P(i32)), ct.byref(i32(0)), b.ctypes.data, x.ctypes.data, ct.byref(err))
        if err.value:
            raise RuntimeError(f"PARDISO error {err.value} in phase {phase}")
        return x

    def solve(self, b: np.ndarray) -> np.ndarray:
        return self._call(33, b.reshape(self.n, -1)).reshape(b.shape)

    def free(self) -> None:
        self._call(-1, np.zeros((self.n, 1), complex))


def _shift_solver(M: sp.spmatrix, linear_solver: str):
    """``solve(b) = M^{-1} b`` from one sparse LU of M: PARDISO when available and allowed (real M through
    ``pypardiso`` with row equilibration as in ``exact._solve``, complex M through :class:`_ComplexPardiso`),
    else SuperLU. Returns (solve, free)."""
    real = not np.iscomplexobj(M.data) or not np.any(M.data.imag)
    M = M.real.tocsr() if real else M.tocsr()
    use_pardiso = linear_solver in ("auto", "pardiso") and _has_pardiso()
    if linear_solver == "pardiso" and not use_pardiso:
        raise ImportError("linear_solver='pardiso' needs pypardiso")
    if not use_pardiso:
        lu = spla.splu(M.tocsc(), permc_spec="COLAMD")
        if real:
            return (lambda b: lu.solve(b.real) + 1j * lu.solve(b.imag) if np.iscomplexobj(b) else lu.solve(b)), None
        return (lambda b: lu.solve(b.astype(complex))), None
    if not real:
        cp = _ComplexPardiso(M)
        return cp.solve, cp.free
    import pypardiso

    s = 1.0 / np.maximum(abs(M).max(axis=1).toarray().ravel(), 1e-300)
    A = (sp.diags(s) @ M).tocsr()
    solver = pypardiso.PyPardisoSolver()
    solver.factorize(A)

    def solve(b):
        if not np.iscomplexobj(b):
            return solver.solve(A, s * b)
        x = solver.solve(A, s[:, None] * np.stack([b.real, b.imag], axis=1))
        return x[:, 0] + 1j * x[:, 1]

    return solve, lambda: solver.free_memory(everything=True)


def _krylov(L, T, v, omega, solve, shift, tol, max_dim, check=10):
    """Shift-invert Arnoldi for F(ω) = T (iω − L)^{-1} v (docs/theory/sync.md#distinct-spin-spectra).

    With A = (σ − L)^{-1} and A Q_m ≈ Q_m H_m: (iω − L)^{-1} = (1 − (σ − iω)A)^{-1} A, so
    F(ω) ≈ (T Q_m)(1 − (σ − iω)H_m)^{-1} H_m e_1 β, evaluated through the Schur form of H_m.
    Stops when two successive checks (every ``check`` steps) change F by < tol · max|F| per row.
    """
    n = L.shape[0]
    beta = np.linalg.norm(v)
    if beta == 0:
        return np.zeros((len(omega), T.shape[0]), dtype=complex), 0
    dtype = np.result_type(L.dtype, v.dtype, float)
    max_dim = min(max_dim, n)
    Q = np.empty((max_dim + 1, n), dtype=dtype)
    H = np.zeros((max_dim + 1, max_dim), dtype=dtype)
    Q[0] = v / beta
    prev, calm = None, 0
    for j in range(max_dim):
        w = solve(Q[j]).astype(dtype, copy=False)
        for _ in range(2):  # classical Gram–Schmidt, twice
            h = Q[: j + 1].conj() @ w
            w = w - h @ Q[: j + 1]
            H[: j + 1, j] += h
        H[j + 1, j] = np.linalg.norm(w)
        m = j + 1
        breakdown = abs(H[j + 1, j]) <= 1e-14 * np.linalg.norm(H[: j + 2, j])
        if not breakdown:
            Q[j + 1] = w / H[j + 1, j]
        if breakdown or m % check == 0 or m == max_dim:
            R, Z = la.schur(H[:m, :m].astype(complex), output="complex")
            TQ = (T @ Q[:m].T) @ Z
            rhs = Z.conj().T @ H[:m, 0] * beta
            eye = np.eye(m)
            F = np.array([TQ @ la.solve_triangular(eye - (shift - 1j * om) * R, rhs) for om in omega])
            if breakdown or m == n:  # invariant subspace: exact
                return F, m
            if prev is not None:
                scale = np.maximum(np.abs(F).max(axis=0), 1e-300)
                calm = calm + 1 if np.all(np.abs(F - prev).max(axis=0) <= tol * scale) else 0
                if calm >= 2:
                    return F, m
            prev = F
    raise RuntimeError(f"shift-invert Arnoldi did not converge to tol={tol} within {max_dim} vectors")


def _resolvent(L, T, V, omega, method, linear_solver, shift, tol, max_dim):
    """F[w, a, b] = T[a] · (iω_w − L)^{-1} V[:, b] and the Krylov dimensions used (0 if none)."""
    n = L.shape[0]
    if method == "dense":
        lam, R = la.eig(L.toarray())
        lT, rV = T @ R, la.solve(R, V)
        d = 1.0 / (1j * omega[:, None] - lam[None, :])
        return np.einsum("ai,wi,ib->wab", lT, d, rV, optimize=True), [0] * V.shape[1]
    I = sp.identity(n, format="csr")
    if method == "direct":
        F = np.empty((len(omega), T.shape[0], V.shape[1]), dtype=complex)
        for i, om in enumerate(omega):
            solve, free = _shift_solver(1j * om * I - L, "splu" if linear_solver == "auto" else linear_solver)
            F[i] = T @ np.stack([solve(V[:, b].astype(complex)) for b in range(V.shape[1])], axis=1)
            if free:
                free()
        return F, [0] * V.shape[1]
    solve, free = _shift_solver(shift * I - L, linear_solver)
    try:
        cols = [_krylov(L, T, V[:, b], omega, solve, shift, tol, max_dim) for b in range(V.shape[1])]
    finally:
        if free:
            free()
    return np.stack([c[0] for c in cols], axis=2), [c[1] for c in cols]


RESOLVENTS = ("auto", "dense", "direct", "krylov")


def distinct_spin_spectra(NA: int, NB: int, omega, micro: MicroscopicRates, *, linear_solver: str = "auto",
                          resolvent: str = "auto", species: str = "AB", shift: float = 1.0,
                          tol: float = 1e-11, max_krylov: int = 3000) -> dict:
    """Exact distinct-spin, same-spin, collective and cross spectra (docs/theory/sync.md#distinct-spin-spectra).

    Parameters
    ----------
    NA, NB : int
        Spins per species; the distinct-spin spectrum of species n needs N_n ≥ 2.
    omega : array_like
        Frequencies, in the units of ``micro`` (ω is not rescaled: with
        ``micro = SyncParams.microscopic(N̄)`` it is in units of the collective Γ).
    micro : MicroscopicRates
        Microscopic rates (docs/theory/sync.md#collective-rates).
    linear_solver : {"auto", "pardiso", "splu", "dense"}
        Steady-state solver (``exact_steady_state``) and sparse LU of the resolvent ("auto":
        PARDISO when ``pypardiso`` is importable, else SuperLU).
    resolvent : {"auto", "dense", "direct", "krylov"}
        ``"dense"``: one eigen-decomposition per sector; ``"direct"``: one sparse LU of iω − 𝓛 per
        ω; ``"krylov"``: one LU of σ − 𝓛 (σ = ``shift``) and shift-invert Arnoldi, converged on the
        whole ω grid to ``tol`` (relative); ``"auto"``: dense up to ``DENSE_MAX`` states, else krylov.
    species : {"AB", "A", "B"}
        Species that get a distinguished spin (the collective and cross spectra are always computed).
    shift, tol, max_krylov : float, float, int
        Krylov shift σ (real, > 0), relative convergence tolerance and largest Krylov dimension.

    Returns
    -------
    dict
        ``S_A_distinct``, ``S_B_distinct`` (real): 2 Re ∫_0^∞ e^{-iωτ}⟨σ^+_{n,1}(τ)σ^-_{n,2}⟩dτ;
        ``S_A_same``, ``S_B_same`` (real): the same for ⟨σ^+_{n,1}(τ)σ^-_{n,1}⟩;
        ``S_A_collective``, ``S_B_collective`` (real): FT⟨S_n^+(τ)S_n^-⟩/N_n², as ``exact_spectra``;
        ``S_AB_cross`` (complex): ∫_{−∞}^{∞} e^{-iωτ}⟨σ^+_A(τ)σ^-_B(0)⟩dτ = F_AB + F_BA^*, the
        cross-spectral density (S_BA = S_AB^*); ``F_AB``, ``F_BA`` (complex): one-sided
        ∫_0^∞ e^{-iωτ}⟨σ^+_A(τ)σ^-_B⟩dτ and ⟨σ^+_B(τ)σ^-_A⟩, from the symmetric sector q = −1;
        ``F_BA_distinguished`` / ``F_AB_distinguished``: the same from the distinguished-spin solve;
        ``identity_residual``: {n: max|collective − (N·same + N(N−1)·distinct)/N²|};
        ``C_distinct_0``: {n: ⟨σ^+_{n,1}σ^-_{n,2}⟩ of ρ_ss} (= ∫S_n^{dist}dω/2π);
        ``dims``: sector dimensions; ``krylov_dims``: Arnoldi dimensions used (0: not Krylov);
        ``steady_residual``, ``embedded_residual_n``: ‖𝓛c‖/‖c‖ of ρ_ss in the symmetric sector
        q = 0 and in the distinguished one.
    """
    if linear_solver not in SOLVERS:
        raise ValueError(f"linear_solver must be one of {SOLVERS}, got {linear_solver!r}")
    if resolvent not in RESOLVENTS:
        raise ValueError(f"resolvent must be one of {RESOLVENTS}, got {resolvent!r}")
    if species not in ("AB", "A", "B"):
        raise ValueError(f"species must be 'AB', 'A' or 'B', got {species!r}")
    if not shift > 0:
        raise ValueError(f"shift must be > 0, got {shift}")
    omega = np.atleast_1d(np.asarray(omega, dtype=float))

    def res(L, T, V):
        method = resolvent if resolvent != "auto" else ("dense" if L.shape[0] <= DENSE_MAX else "krylov")
        return _resolvent(L, T, V, omega, method, linear_solver, shift, tol, max_krylov)

    ss = exact_steady_state(NA, NB, micro, linear_solver=linear_solver)
    s0, c = ss.sector, ss.c
    one = lambda b: species_functional(b, 0, 0, 0)  # noqa: E731
    plus = lambda b: species_functional(b, 1, 0, 0)  # noqa: E731
    out = {"steady_residual": ss.residual, "dims": {}, "krylov_dims": {},
           "identity_residual": {}, "C_distinct_0": {}}

    # symmetric sector q = −1: collective and cross correlators
    s1, L1 = sector_liouvillian(NA, NB, micro, q=-1)
    out["dims"]["symmetric_q-1"] = s1.dim
    V = np.stack([sector_operator([(1.0, "Lm", "I")], s0, s1) @ c,
                  sector_operator([(1.0, "I", "Lm")], s0, s1) @ c], axis=1)
    T = np.stack([s1.product_vector(NA * plus(s1.A), one(s1.B)), s1.product_vector(one(s1.A), NB * plus(s1.B))])
    F, out["krylov_dims"]["symmetric"] = res(L1, T, V)
    out["S_A_collective"] = 2 * F[:, 0, 0].real / NA**2
    out["S_B_collective"] = 2 * F[:, 1, 1].real / NB**2
    out["F_AB"] = F[:, 0, 1] / (NA * NB)
    out["F_BA"] = F[:, 1, 0] / (NA * NB)
    out["S_AB_cross"] = out["F_AB"] + out["F_BA"].conj()

    terms = liouvillian_terms(**micro.as_dict())
    for name, N in (("A", NA), ("B", NB)):
        if name not in species or N < 2:
            continue
        d = DistinguishedBasis(N)
        bases = (d, s0.B) if name == "A" else (s0.A, d)
        other = bases[1] if name == "A" else bases[0]
        d0, d1 = distinguished_sector(*bases, 0), distinguished_sector(*bases, -1)
        cd = embed_symmetric(c, s0, d0)
        out["embedded_residual_" + name] = float(np.linalg.norm(sector_operator(terms, d0, d0) @ cd)
                                                 / np.linalg.norm(cd))
        Ld1 = sector_operator(terms, d1, d1)
        out["dims"]["distinguished_" + name + "_q-1"] = d1.dim
        lm1 = [(1.0, "Lm1", "I")] if name == "A" else [(1.0, "I", "Lm1")]
        v = sector_operator(lm1, d0, d1) @ cd  # σ^-_{n,1} ρ_ss

        def vec(fd, fo):
            return d1.product_vector(fd, fo) if name == "A" else d1.product_vector(fo, fd)

        T = np.stack([vec(d.functional((1, 0, 0), (0, 0, 0)), one(other)),   # σ^+ on spin 1
                      vec(d.functional((0, 0, 0), (1, 0, 0)), one(other)),   # σ^+ on one other spin of n
                      vec(d.functional((0, 0, 0), (0, 0, 0)), plus(other))])  # σ^+ on the other species
        Fd, out["krylov_dims"]["distinguished_" + name] = res(Ld1, T, v[:, None])
        same, dist = 2 * Fd[:, 0, 0].real, 2 * Fd[:, 1, 0].real
        out["S_" + name + "_same"], out["S_" + name + "_distinct"] = same, dist
        out["F_BA_distinguished" if name == "A" else "F_AB_distinguished"] = Fd[:, 2, 0]
        coll = out["S_" + name + "_collective"]
        out["identity_residual"][name] = float(np.max(np.abs(coll - (N * same + N * (N - 1) * dist) / N**2)))
        out["C_distinct_0"][name] = complex(T[1] @ v)  # Tr[σ^+_{n,2} σ^-_{n,1} ρ_ss]
    return out
