"""Initial states other than |e…e⟩ and the few-excitation propagator, against independent references.

References: QuTiP ``mesolve`` on the full 2^N space started from the state built independently
here; the dense matrix exponential of H_eff on the one-excitation manifold; the full block
solver (all manifolds) for the few-excitation propagator; independent qubits analytically.
"""

import itertools

import numpy as np
import pytest
import scipy.linalg as sla

from nonrecip.emission import QutipOptions, coupling_matrices, emission_dynamics
from nonrecip.emission.initial import (all_excited, excited_sites, from_blocks, manifold_basis, single_excitation,
                                       spin_wave)
from nonrecip.emission.solvers.blocks.few import few_excitation_observables
from nonrecip.emission.solvers.blocks.kernels import block_tables
from nonrecip.emission.solvers.blocks.solver import block_correlations

TIGHT_QUTIP = QutipOptions(rtol=1e-11, atol=1e-13)


def _random_couplings(N, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(N, N)) + 1j * rng.normal(size=(N, N))
    B = rng.normal(size=(N, 2)) + 1j * rng.normal(size=(N, 2))  # rank-2 PSD part: dark states exist
    gamma = 0.3 * (B @ B.conj().T) + 0.2 * np.eye(N)
    return 0.5 * (A + A.conj().T), gamma


def _chain(N, k0=0.03):
    ds = coupling_matrices(N, k0=k0, spacing_nm=20.0)
    return ds.J.values, ds.gamma.values


def test_manifold_basis_is_the_block_solver_order():
    for N in (4, 6):
        tab = block_tables(N)
        for n in range(1, N + 1):
            masks = tab.states[tab.soff[n]:tab.soff[n + 1]]
            expected = [[a + 1 for a in range(N) if (m >> a) & 1] for m in masks]
            assert np.array_equal(manifold_basis(N, n).reshape(len(masks), n), np.array(expected).reshape(len(masks), n))


def test_site_populations_of_each_kind():
    assert np.allclose(single_excitation(5, 3).site_populations(), [0, 0, 1, 0, 0])
    assert np.allclose(excited_sites(5, [1, 4, 5]).site_populations(), [1, 0, 0, 1, 1])
    assert np.allclose(spin_wave(4, 1.1).site_populations(), 0.25)
    assert np.allclose(all_excited(3).site_populations(), 1)


STATES = {
    "single_excitation": lambda N: single_excitation(N, N),
    "spin_wave": lambda N: spin_wave(N, 0.9),
    "two_sites": lambda N: excited_sites(N, [1, N - 1]),
    "three_sites": lambda N: excited_sites(N, [1, 2, 4]),
    "all_excited": lambda N: all_excited(N),
}


def _mixed_state(N, seed=3):
    """ρ = 0.5 |W-like⟩⟨| (random one-excitation vector) + 0.3 ρ_2 (random rank 2) + 0.2 |g⟩⟨g|."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=N) + 1j * rng.normal(size=N)
    d2 = N * (N - 1) // 2
    W = rng.normal(size=(d2, 2)) + 1j * rng.normal(size=(d2, 2))
    rho2 = W @ W.conj().T
    return from_blocks(N, {0: [[0.2]], 1: 0.5 * np.outer(v, v.conj()) / np.vdot(v, v).real,
                           2: 0.3 * rho2 / np.trace(rho2).real}, label="mixed")


@pytest.mark.parametrize("kind", [*STATES, "mixed"])
def test_blocks_equal_qutip_for_every_initial_state(kind):
    N = 5
    J, gamma = _random_couplings(N, seed=1)
    state = _mixed_state(N) if kind == "mixed" else STATES[kind](N)
    times = np.linspace(0.0, 4.0, 17)
    blocks = emission_dynamics(J, gamma, times, initial=state, method="blocks")
    qutip = emission_dynamics(J, gamma, times, initial=state, method="qutip", options=TIGHT_QUTIP)
    assert np.abs(blocks.rate - qutip.rate).max() < 1e-8
    assert np.abs(blocks.population - qutip.population).max() < 1e-8
    assert np.allclose(blocks.population.isel(time=0), state.site_populations(), atol=1e-14)


@pytest.mark.parametrize("kind", ["single_excitation", "spin_wave", "two_sites", "mixed"])
def test_few_excitation_propagator_equals_full_block_solver(kind):
    N = 6
    J, gamma = _chain(N, k0=0.003)  # the most oscillatory couplings of paper E
    state = _mixed_state(N) if kind == "mixed" else STATES[kind](N)
    times = np.linspace(0.0, 6.0, 25)
    C_full, _ = block_correlations(J, gamma, times, tol=1e-13, initial=state)
    rates, population, C, info = few_excitation_observables(J, gamma, times, state, keep_correlations=True)
    assert info["excitations"] == state.max_excitations
    assert np.abs(C - C_full).max() < 1e-9
    rates_full = np.real(np.einsum("ab,tab->ta", gamma, C_full)) - np.imag(np.einsum("ab,tab->ta", J, C_full))
    assert np.abs(rates - rates_full).max() < 1e-9


def test_one_excitation_equals_dense_exponential_at_N30():
    N = 30
    J, gamma = _chain(N, k0=0.003)
    times = np.linspace(0.0, 10.0, 11)
    psi0 = np.zeros(N, dtype=complex)
    psi0[0] = 1.0
    H = 0.5 * (J - 1j * gamma)
    ds = emission_dynamics(J, gamma, times, initial=single_excitation(N, 1), store_correlations=True)
    for i, t in enumerate(times):
        psi = sla.expm(-1j * H * t) @ psi0
        assert np.abs(ds.population.isel(time=i).values - np.abs(psi) ** 2).max() < 1e-9
        # R_tot = -d/dt Σ|ψ|² = ψ† γ ψ for one excitation
        assert abs(float(ds.rate_total.isel(time=i)) - np.vdot(psi, gamma @ psi).real) < 1e-9


def test_independent_qubits_decay_exponentially_from_any_state():
    N = 4
    times = np.linspace(0.0, 3.0, 7)
    ds = emission_dynamics(np.zeros((N, N)), np.diag([1.0, 2.0, 0.5, 1.5]), times,
                           initial=excited_sites(N, [2, 3]))
    expected = np.outer([0, 1, 1, 0], np.ones(times.size)) * np.exp(-np.outer([1.0, 2.0, 0.5, 1.5], times))
    assert np.abs(ds.population.values - expected).max() < 1e-10


def test_two_excitations_at_N10_equal_the_full_block_solver():
    """N = 10: the few-excitation propagator (2 of 10 manifolds) against all C(20, 10) numbers."""
    N = 10
    J, gamma = _chain(N, k0=0.03)
    times = np.linspace(0.0, 5.0, 11)
    state = excited_sites(N, [1, 6])
    ds = emission_dynamics(J, gamma, times, initial=state)
    assert ds.attrs["solver"].startswith("blocks/few-excitation")
    C_full, _ = block_correlations(J, gamma, times, tol=1e-13, initial=state)
    assert np.abs(ds.population.values - np.real(np.einsum("taa->at", C_full))).max() < 1e-9


def test_bad_initial_states_are_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="site"):
        single_excitation(4, 5)
    with pytest.raises(ValueError, match="sites"):
        excited_sites(4, [1, 1])
    with pytest.raises(ValueError, match="trace 1"):
        from_blocks(3, {1: np.eye(3)})
    with pytest.raises(ValueError, match="positive semidefinite"):
        from_blocks(3, {0: [[1.5]], 1: np.diag([-0.5, 0, 0])})
    with pytest.raises(ValueError, match=r"blocks\[2\] must have shape"):
        from_blocks(3, {2: np.eye(2)})
    J, gamma = _chain(4)
    times = np.linspace(0, 1, 3)
    with pytest.raises(ValueError, match="N = 5"):
        emission_dynamics(J, gamma, times, initial=single_excitation(5, 1))
    with pytest.raises(ValueError, match="fully excited state only"):
        emission_dynamics(J, gamma, times, initial=single_excitation(4, 1), method="cumulant2")
    with pytest.raises(TypeError, match="InitialState"):
        emission_dynamics(J, gamma, times, initial="single")


def test_all_excited_given_explicitly_is_todays_default():
    J, gamma = _chain(5)
    times = np.linspace(0.0, 5.0, 11)
    a = emission_dynamics(J, gamma, times)
    b = emission_dynamics(J, gamma, times, initial=all_excited(5))
    assert np.array_equal(a.rate.values, b.rate.values)
    assert [list(c) for c in itertools.islice(manifold_basis(3, 2), 3)] == [[1, 2], [1, 3], [2, 3]]


def test_three_excitations_evolve_only_the_lowest_four_manifolds_and_equal_qutip():
    """k = 3 of N = 6 (beyond the few-excitation propagator): the block solver evolves blocks n ≤ 3
    only and plans its steps on their numerical ranges; QuTiP on the full space agrees."""
    N = 6
    J, gamma = _chain(N, k0=0.003)
    state = excited_sites(N, [1, 3, 6])
    times = np.linspace(0.0, 4.0, 9)
    C, info = block_correlations(J, gamma, times, tol=1e-13, initial=state, store_states=True)
    assert info["max_manifold"] == 3
    tab = info["tables"]
    assert np.abs(info["states"][:, tab.boff[4]:]).max() == 0.0  # the blocks above were never written
    qutip = emission_dynamics(J, gamma, times, initial=state, method="qutip", options=TIGHT_QUTIP)
    assert np.abs(np.real(np.einsum("taa->at", C)) - qutip.population.values).max() < 1e-8
