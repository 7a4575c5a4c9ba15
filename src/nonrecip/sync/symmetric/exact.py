"""Exact steady state of two spin species in the permutation-symmetric basis (docs/theory/sync.md#symmetric-basis).

The Liouvillian of docs/theory/sync.md Eq. (1) (+ Eq. 28) is restricted to the U(1) sector q = 0
(:mod:`nonrecip.sync.symmetric.basis`). Two further exact reductions make the linear system
real and small:

* **Hermiticity**: ρ = ρ† means c(n) = c(nᵀ)* with nᵀ swapping eg ↔ ge on both species. The
  real and imaginary parts of one representative per orbit {n, nᵀ} are the unknowns: a *real*
  system of size dim(q=0) for any Δ and complex J.
* **PT symmetry** (Δ = 0 and real J, docs/theory/sync.md Eq. 17): ρ_ss is real, the imaginary parts drop
  out and the real system has only ≈ dim(q=0)/2 unknowns.

Normalisation pins the ground-state coefficient c(|g…g⟩⟨g…g|) = 1 and drops its (redundant,
trace-preserving) equation instead of adding a dense trace row; the state is then rescaled to
Tr ρ = 1.

Linear solvers (``linear_solver``): ``"pardiso"`` (MKL PARDISO through ``pypardiso``, METIS ordering;
fastest, optional dependency), ``"splu"`` (SciPy SuperLU), ``"dense"`` (LAPACK, small N) and
``"auto"`` (pardiso when importable, else splu). Every solve reports the residual
‖𝓛ρ‖₂/‖ρ‖₂ of the *complex* sector Liouvillian (microscopic rate units).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from nonrecip.sync.model import MicroscopicRates
from nonrecip.sync.symmetric.basis import (
    GE,
    EG,
    Sector,
    liouvillian_terms,
    sector_operator,
    species_functional,
)

__all__ = ["ExactSteadyState", "exact_steady_state", "sector_liouvillian", "SOLVERS"]

SOLVERS = ("auto", "pardiso", "splu", "dense")
log = logging.getLogger(__name__)


def sector_liouvillian(NA: int, NB: int, micro: MicroscopicRates, q: int = 0) -> tuple[Sector, sp.csr_matrix]:
    """Sector ``q`` of 𝓛 for (N_A, N_B) spins with *microscopic* rates ``micro`` (docs/theory/sync.md#symmetric-basis)."""
    sec = Sector(NA, NB, q)
    terms = liouvillian_terms(**micro.as_dict())
    return sec, sector_operator(terms, sec, sec)



@dataclass
class ExactSteadyState:
    """Steady state c (sector q = 0 coefficients, Tr ρ = 1) with its sector and residual."""

    sector: Sector
    c: np.ndarray
    residual: float
    solver: str

    def expect(self, a: tuple[int, int, int], b: tuple[int, int, int] = (0, 0, 0)) -> complex:
        """⟨Π σ⟩ on distinct sites: ``a`` = (p, m, z) counts of σ^+, σ^-, σ^z on A, ``b`` on B."""
        fA = species_functional(self.sector.A, *a)
        fB = species_functional(self.sector.B, *b)
        return complex(self.sector.product_vector(fA, fB) @ self.c)


def _transpose_index(sec: Sector) -> np.ndarray:
    """Sector index of nᵀ (eg ↔ ge on both species) for every sector element."""
    A, B = sec.A, sec.B

    def tmap(basis):
        st = basis.states.copy()
        st[:, [EG, GE]] = st[:, [GE, EG]]
        return np.array([basis.index(s) for s in st])

    tA, tB = tmap(A), tmap(B)
    ia, ib = sec.pairs()
    pos = np.full((A.dim, B.dim), -1, dtype=np.int64)
    pos[ia, ib] = np.arange(sec.dim)
    out = pos[tA[ia], tB[ib]]
    assert np.all(out >= 0)
    return out


def _hermitian_system(L: sp.csr_matrix, T: np.ndarray, real: bool):
    """Real matrix of 𝓛 acting on Hermitian ρ, and the map back to complex coefficients."""
    n = L.shape[0]
    idx = np.arange(n)
    reps = np.nonzero(idx <= T)[0]
    pairs = np.nonzero(idx < T)[0]
    nr, npair = len(reps), len(pairs)
    # Pu: c_i = u_i and c_{T i} = u_i
    Pu = sp.csr_matrix(
        (np.ones(nr + npair), (np.concatenate([reps, T[pairs]]), np.concatenate([np.arange(nr), np.searchsorted(reps, pairs)]))),
        shape=(n, nr),
    )
    if real:
        A = (L @ Pu).tocsr()[reps]
        return A.real.tocsr(), Pu, reps
    Pv = sp.csr_matrix(
        (np.concatenate([1j * np.ones(npair), -1j * np.ones(npair)]), (np.concatenate([pairs, T[pairs]]), np.tile(np.arange(npair), 2))),
        shape=(n, npair),
    )
    LPu, LPv = (L @ Pu).tocsr(), (L @ Pv).tocsr()
    A = sp.bmat(
        [[LPu[reps].real, LPv[reps].real], [LPu[pairs].imag, LPv[pairs].imag]], format="csr"
    )
    return A, sp.hstack([Pu, Pv]).tocsr(), reps


def _solve(A: sp.csr_matrix, b: np.ndarray, linear_solver: str) -> np.ndarray:
    method = linear_solver
    if method == "auto":
        try:
            import pypardiso  # noqa: F401

            method = "pardiso"
        except ImportError:
            method = "splu"
    if method == "dense":
        return la.solve(A.toarray(), b)
    if method == "splu":
        lu = spla.splu(A.tocsc(), permc_spec="COLAMD")
        return lu.solve(b)
    if method == "pardiso":
        import pypardiso

        # row equilibration: PARDISO's pivoting is static, unscaled rows lose digits
        s = 1.0 / np.maximum(abs(A).max(axis=1).toarray().ravel(), 1e-300)
        As = sp.diags(s) @ A
        solver = pypardiso.PyPardisoSolver()
        x = solver.solve(As.tocsr(), s * b)
        solver.free_memory(everything=True)
        return x
    raise ValueError(f"linear_solver must be one of {SOLVERS}, got {linear_solver!r}")


def exact_steady_state(NA: int, NB: int, micro: MicroscopicRates, *, linear_solver: str = "auto",
                       real: bool | None = None) -> ExactSteadyState:
    """Exact steady state of docs/theory/sync.md Eq. (1) in the q = 0 sector (docs/theory/sync.md#symmetric-basis).

    Parameters
    ----------
    NA, NB : int
        Spins per species.
    micro : dict
        *Microscopic* rates (``SyncParams.microscopic(N)``): Gamma, kappa, J, Delta, w, gamma,
        gamma_phi.
    linear_solver : {"auto", "pardiso", "splu", "dense"}
        Sparse/dense linear solver of the reduced real system (module docstring).
    real : bool, optional
        Use the PT-symmetric real reduction (ρ real). Default: when Δ = 0 and J is real.
        ``False`` forces the general Hermitian (real and imaginary parts) system.
    """
    if linear_solver not in SOLVERS:
        raise ValueError(f"linear_solver must be one of {SOLVERS}, got {linear_solver!r}")
    sec, L = sector_liouvillian(NA, NB, micro, 0)
    pt = micro.Delta == 0 and complex(micro.J).imag == 0
    if real and not pt:
        raise ValueError("real=True needs Delta = 0 and real J (PT symmetry, docs/theory/sync.md Eq. 17)")
    real = pt if real is None else bool(real)
    T = _transpose_index(sec)
    A, P, reps = _hermitian_system(L, T, real)
    # pin the ground-state coefficient (n_gg = N on both species): unknown and equation g
    g_sec = int(np.nonzero((sec.A.states[sec.pairs()[0], 3] == NA) & (sec.B.states[sec.pairs()[1], 3] == NB))[0][0])
    g = int(np.searchsorted(reps, g_sec))
    keep = np.setdiff1d(np.arange(A.shape[0]), [g])
    A = A.tocsc()
    b = -A[:, g].toarray().ravel()[keep]
    Ar = A[keep][:, keep].tocsr()
    x = np.zeros(A.shape[0])
    x[g] = 1.0
    x[keep] = _solve(Ar, b, linear_solver)
    c = P @ x
    trace = sec.product_vector(species_functional(sec.A, 0, 0, 0), species_functional(sec.B, 0, 0, 0)) @ c
    c = c / trace
    res = float(np.linalg.norm(L @ c) / np.linalg.norm(c))
    used = linear_solver if linear_solver != "auto" else ("pardiso" if _has_pardiso() else "splu")
    return ExactSteadyState(sec, c, res, used)


def _has_pardiso() -> bool:
    try:
        import pypardiso  # noqa: F401

        return True
    except ImportError:
        return False
