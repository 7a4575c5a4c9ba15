"""Initial states block-diagonal in the excitation number (docs/theory/baths.md#initial-states).

A state is stored as one factor per excitation manifold, ρ_n = F_n F_n† (F_n of shape
(C(N, n), r_n)), in the basis the block solver uses: the sets of n excited sites ordered by
ascending bit mask Σ_{α excited} 2^(α−1) (:func:`manifold_basis`). Sites are numbered 1…N as in
the datasets. The dynamics preserves block diagonality (docs/theory/solvers.md#block-structure),
and a state with at most k excitations never leaves the manifolds n ≤ k, which the solvers use
(docs/theory/baths.md#few-excitations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb

import numpy as np

from nonrecip.validate import PSD_RTOL, integer, real

__all__ = ["InitialState", "all_excited", "single_excitation", "excited_sites", "spin_wave", "from_blocks",
           "manifold_basis", "INITIAL_STATES", "INITIAL_STATE_METHODS"]

#: emission methods that start from any block-diagonal initial state; the others from |e…e⟩ only
INITIAL_STATE_METHODS = ("blocks", "qutip")

#: largest manifold dimension a state may be built in explicitly
MAX_MANIFOLD_DIM = 5_000_000


def manifold_basis(N: int, n: int) -> np.ndarray:
    """The basis of manifold n: (C(N, n), n) array of excited sites (1…N), in ascending bit-mask order."""
    N = integer("N", N, minimum=1)
    n = integer("n", n, minimum=0, maximum=N)
    if comb(N, n) > MAX_MANIFOLD_DIM:
        raise ValueError(f"manifold n={n} of N={N} has C(N, n) = {comb(N, n)} states, above {MAX_MANIFOLD_DIM}")
    sets = np.array(list(combinations(range(1, N + 1), n)), dtype=np.int64).reshape(-1, n)
    order = np.lexsort(sets.T) if n else np.arange(1)  # last site most significant = ascending mask
    return sets[order]


def _index_of(N: int, sites: tuple[int, ...]) -> int:
    """Position of the set ``sites`` (sorted, 1…N) in :func:`manifold_basis` (combinatorial number system)."""
    return sum(comb(s - 1, i + 1) for i, s in enumerate(sites))


@dataclass(frozen=True)
class InitialState:
    """A density matrix block-diagonal in the excitation number, ρ = ⊕_n F_n F_n†.

    Build it with the constructors of this module rather than directly.

    Attributes
    ----------
    N : int
        Number of qubits.
    factors : dict
        n → complex array (C(N, n), r_n); ρ_n = F_n F_n†. Manifolds absent hold nothing.
    label : str
        What the state is (stored in dataset attributes).
    """

    N: int
    factors: dict = field(repr=False)
    label: str

    @property
    def max_excitations(self) -> int:
        """The largest n with ρ_n ≠ 0."""
        return max(self.factors)

    def block(self, n: int) -> np.ndarray:
        """ρ_n as a dense (C(N, n), C(N, n)) matrix (zero if the manifold is empty)."""
        F = self.factors.get(n)
        if F is None:
            d = comb(self.N, n)
            return np.zeros((d, d), dtype=complex)
        return F @ F.conj().T

    def site_populations(self) -> np.ndarray:
        """⟨σ⁺_α σ⁻_α⟩ at t = 0, α = 1…N."""
        pop = np.zeros(self.N)
        for n, F in self.factors.items():
            if n == 0:
                continue
            weight = np.sum(np.abs(F) ** 2, axis=1)
            np.add.at(pop, manifold_basis(self.N, n).ravel() - 1, np.repeat(weight, n))
        return pop


def _pure(N: int, n: int, amplitudes: np.ndarray, label: str) -> InitialState:
    return InitialState(N, {n: np.asarray(amplitudes, dtype=complex).reshape(-1, 1)}, label)


def all_excited(N: int) -> InitialState:
    """|e…e⟩, every qubit excited (paper E's initial state)."""
    N = integer("N", N, minimum=1)
    return _pure(N, N, np.ones(1), "all_excited")


def _site(N: int, name: str, site) -> int:
    return integer(name, site, minimum=1, maximum=N)


def excited_sites(N: int, sites) -> InitialState:
    """The product state with the qubits ``sites`` (numbered 1…N) excited and the others in |g⟩."""
    N = integer("N", N, minimum=1)
    try:
        chosen = sorted({_site(N, "sites", s) for s in sites})
    except TypeError:
        raise ValueError(f"sites must be a list of site numbers 1..{N}, got {sites!r}") from None
    if len(chosen) != len(list(sites)):
        raise ValueError(f"sites must not repeat a site, got {list(sites)}")
    n = len(chosen)
    amplitudes = np.zeros(comb(N, n), dtype=complex)
    amplitudes[_index_of(N, tuple(chosen))] = 1.0
    label = "all_excited" if n == N else f"excited_sites {','.join(map(str, chosen))}"
    return _pure(N, n, amplitudes, label)


def single_excitation(N: int, site: int) -> InitialState:
    """One excitation on qubit ``site`` (1…N), every other qubit in |g⟩."""
    N = integer("N", N, minimum=1)
    state = excited_sites(N, [_site(N, "site", site)])
    return InitialState(N, state.factors, f"single_excitation site={site}")


def spin_wave(N: int, q: float) -> InitialState:
    """The W-like spin wave Σ_α e^{iq(α−1)} |α⟩ / √N (one excitation, wavevector q in rad per site)."""
    N = integer("N", N, minimum=1)
    q = real("q", q)
    return _pure(N, 1, np.exp(1j * q * np.arange(N)) / np.sqrt(N), f"spin_wave q={q:g}")


def from_blocks(N: int, blocks: dict, *, label: str = "user") -> InitialState:
    """A user density matrix given per manifold: ``blocks[n]`` is ρ_n, (C(N, n), C(N, n)).

    The blocks are in the basis of :func:`manifold_basis`; each must be Hermitian and positive
    semidefinite, and Σ_n Tr ρ_n = 1 (to 1e-10).
    """
    N = integer("N", N, minimum=1)
    if not isinstance(blocks, dict) or not blocks:
        raise ValueError("blocks must be a non-empty dict {excitation number n: density-matrix block rho_n}")
    factors, trace = {}, 0.0
    for n, rho in sorted(blocks.items()):
        n = integer("blocks key n", n, minimum=0, maximum=N)
        d = comb(N, n)
        rho = np.asarray(rho, dtype=complex)
        if rho.shape != (d, d):
            raise ValueError(f"blocks[{n}] must have shape (C(N, n), C(N, n)) = ({d}, {d}), got {rho.shape}")
        if not np.all(np.isfinite(rho)):
            raise ValueError(f"blocks[{n}] must be finite")
        if np.abs(rho - rho.conj().T).max() > 1e-10 * max(1.0, np.abs(rho).max()):
            raise ValueError(f"blocks[{n}] must be Hermitian")
        lam, vec = np.linalg.eigh(0.5 * (rho + rho.conj().T))
        if lam.size and lam[0] < -PSD_RTOL * max(1.0, np.abs(lam).max()):
            raise ValueError(f"blocks[{n}] must be positive semidefinite: smallest eigenvalue {lam[0]:.6g}")
        keep = lam > 1e-14 * max(1.0, lam.max())
        if keep.any():
            factors[n] = vec[:, keep] * np.sqrt(lam[keep])
        trace += float(np.sum(lam[keep]))
    if not factors or abs(trace - 1.0) > 1e-10:
        raise ValueError(f"the blocks must have total trace 1, got {trace:.12g}")
    return InitialState(N, factors, label)


#: initial-state kind (config ``initial.kind``) -> constructor
INITIAL_STATES = {"all_excited": all_excited, "single_excitation": single_excitation,
                  "excited_sites": excited_sites, "spin_wave": spin_wave}
