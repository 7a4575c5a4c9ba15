"""Independent reference checks of ``nonrecip.sensing`` against full-space QuTiP (paper E).

Everything the module is compared with is computed here from scratch: the couplings come from
``nonrecip.emission.coupling_matrices`` (closed form, d = 0), the state ρ(t) from
``qutip.mesolve`` on the full 2^N space (collective jump operators from the eigendecomposition
of γ, docs/theory/emission.md §2.2), derivatives with respect to k0 from Richardson-extrapolated
central differences of the QuTiP states at k0 ± h, k0 ± 2h, and the Fisher informations from
their textbook definitions. The module's source is deliberately not consulted.

Conventions (docs/theory/emission.md §1.3, §2):
  H = ½ Σ_ab J_ab σ⁺_a σ⁻_b,  dρ/dt = −i[H, ρ] + Σ_ab γ_ab (σ⁻_b ρ σ⁺_a − ½{σ⁺_a σ⁻_b, ρ}),
  σ⁻ = destroy(2), basis(2, 1) = |e⟩, qubit α = tensor factor α − 1, ρ(0) = |e…e⟩⟨e…e|.
Outcome index: bit mask m with bit (α − 1) set ⇔ qubit α read as excited. QuTiP's basis index
has qubit 1 as the MOST significant binary digit, so the mask is its N-bit reversal.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import qutip
import scipy.linalg

from nonrecip.emission import coupling_matrices

# --------------------------------------------------------------------------------------------
# Reference: couplings, Lindbladian, states
# --------------------------------------------------------------------------------------------

SPACING_NM = 20.0
SOLVER_OPTIONS = {"rtol": 1e-11, "atol": 1e-13, "nsteps": 1_000_000}
# Outcomes with p_x ≤ P_MIN are left out of every classical Fisher sum. With ε = 0 that matters
# only at t = 0 (a point mass on |e…e⟩); at the tested times t ≥ 0.5 every outcome has
# p ≥ 2e-4 (N = 4) and ρ(t) is full rank (smallest eigenvalue ≈ 1.4e-5), so neither cut acts.
P_MIN = 1e-12
QFI_EIG_MIN = 1e-12  # pairs with λ_i + λ_j ≤ QFI_EIG_MIN are left out of the QFI sum
GAMMA_EIG_MIN = 1e-12  # collective rates below this are clipped (emission.md §2.2)

# Richardson step in k0 per working point. Im J varies on the scale k0,m ≈ 0.002 near k0 = 0
# (dJ_12/dk0 ≈ 5.2e3 i at k0 = 0, |dJ_13/dk0| ≈ 60 at k0 = 0.03), hence the much smaller step
# there: with h = 1e-5 at k0 = 0 the Richardson value still moved by 1e-4 (relative) when h
# was halved. Measured change of every information when h is halved (times 0.5, 1, 2):
#   k0 = 0.03, h = 1e-4:   N = 3 ≤ 4.3e-9, N = 4 ≤ 1.5e-8 (fisher_M3 at t = 2, value 6.0);
#   k0 = 0.3,  h = 1e-4:   N = 3 ≤ 3.8e-9;
#   k0 = 0.003, h = 5e-6:  N = 3 ≤ 1.7e-8 (round-off limited: 2.9e-8 at 1e-5, 5.7e-8 at 2.5e-6);
#   k0 = 0,    h = 1.25e-6: N = 3 ≤ 5.1e-9, N = 4 ≤ 2.9e-8.
# The change between 2h and h is 16× larger (O(h⁴) truncation, Richardson), so these numbers
# bound the reference's own FD error; the comparison tolerance REL_TOL = 1e-5 is ≥ 300× larger.
FD_STEP = {0.0: 1.25e-6, 0.003: 5e-6, 0.03: 1e-4, 0.3: 1e-4}
REL_TOL = 1e-5


def _step(k0: float) -> float:
    return FD_STEP.get(abs(k0), 1e-4)


def _couplings(N: int, k0: float) -> tuple[np.ndarray, np.ndarray]:
    c = coupling_matrices(N, k0=k0, spacing_nm=SPACING_NM)
    return np.asarray(c.J.values, dtype=complex), np.asarray(c.gamma.values, dtype=complex)


@functools.lru_cache(maxsize=None)
def _lowering(N: int) -> tuple:
    ident = qutip.qeye(2)
    ops = []
    for a in range(N):
        factors = [ident] * N
        factors[a] = qutip.destroy(2)
        ops.append(qutip.tensor(factors))
    return tuple(ops)


def _hamiltonian_and_jumps(N: int, k0: float):
    J, gamma = _couplings(N, k0)
    sm = _lowering(N)
    H = 0 * sm[0].dag() * sm[0]
    for a in range(N):
        for b in range(N):
            if J[a, b] != 0:
                H = H + 0.5 * J[a, b] * sm[a].dag() * sm[b]
    rates, U = np.linalg.eigh(gamma)
    c_ops = []
    for n, rate in enumerate(rates):
        if rate <= GAMMA_EIG_MIN:
            continue
        O = sum(np.conj(U[b, n]) * sm[b] for b in range(N))
        c_ops.append(np.sqrt(rate) * O)
    return H, c_ops


def _initial(N: int) -> qutip.Qobj:
    psi = qutip.tensor([qutip.basis(2, 1)] * N)
    return psi * psi.dag()


@functools.lru_cache(maxsize=None)
def _mask_perm(N: int) -> np.ndarray:
    """perm[m] = QuTiP basis index of the product state with excited set given by mask m."""
    perm = np.empty(2**N, dtype=int)
    for m in range(2**N):
        i = 0
        for a in range(N):  # qubit α = a + 1 ↔ bit a of m ↔ binary digit 2^(N-1-a) of i
            if (m >> a) & 1:
                i |= 1 << (N - 1 - a)
        perm[m] = i
    return perm


@functools.lru_cache(maxsize=None)
def _states(N: int, k0: float, times: tuple[float, ...]) -> np.ndarray:
    """ρ(t) in the mask basis, shape (len(times), 2^N, 2^N)."""
    H, c_ops = _hamiltonian_and_jumps(N, k0)
    tlist = [0.0, *times] if times[0] != 0.0 else list(times)
    res = qutip.mesolve(H, _initial(N), tlist, c_ops=c_ops, options=SOLVER_OPTIONS)
    states = res.states[len(tlist) - len(times):]
    perm = _mask_perm(N)
    out = np.array([s.full() for s in states])
    return out[:, perm][:, :, perm]


def _readout_matrix(N: int, eps: float) -> np.ndarray:
    """M[m_read, m_true] = Π_α (1 − ε if bits agree else ε); symmetric, column-stochastic."""
    M = np.empty((2**N, 2**N))
    for r in range(2**N):
        for t in range(2**N):
            flips = bin(r ^ t).count("1")
            M[r, t] = eps**flips * (1 - eps) ** (N - flips)
    return M


def _probs(N: int, k0: float, times: tuple[float, ...], eps: float) -> np.ndarray:
    rho = _states(N, k0, times)
    p_true = np.real(np.einsum("tii->ti", rho))
    return p_true @ _readout_matrix(N, eps).T


def _richardson(f, k0: float, h: float):
    """(4 D(h) − D(2h)) / 3 with D(h) the central difference; also returns D(h), D(2h)."""
    d1 = (f(k0 + h) - f(k0 - h)) / (2 * h)
    d2 = (f(k0 + 2 * h) - f(k0 - 2 * h)) / (4 * h)
    return (4 * d1 - d2) / 3, d1, d2


def _bits(N: int) -> np.ndarray:
    """bits[m, a] = 1 if qubit a + 1 is read as excited in outcome m."""
    m = np.arange(2**N)
    return ((m[:, None] >> np.arange(N)[None, :]) & 1).astype(float)


def _classical_fisher(p: np.ndarray, dp: np.ndarray) -> float:
    keep = p > P_MIN
    return float(np.sum(dp[keep] ** 2 / p[keep]))


def _fisher_m2(N: int, p: np.ndarray, dp: np.ndarray) -> float:
    b = _bits(N)
    q, dq = p @ b, dp @ b
    second = b.T @ (p[:, None] * b)
    sigma = second - np.outer(q, q)
    return float(dq @ np.linalg.solve(sigma, dq))


def _m3_distribution(N: int, p: np.ndarray) -> np.ndarray:
    """P(x = −1), P(x = 0), P(x = +1) with x = b_1 − b_N."""
    b = _bits(N)
    x = b[:, 0] - b[:, N - 1]
    return np.array([p[..., x == v].sum(axis=-1) for v in (-1.0, 0.0, 1.0)]).T


def _qfi(rho: np.ndarray, drho: np.ndarray) -> float:
    drho = 0.5 * (drho + drho.conj().T)
    lam, V = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    D = V.conj().T @ drho @ V
    s = lam[:, None] + lam[None, :]
    keep = s > QFI_EIG_MIN
    return float(2 * np.sum(np.abs(D[keep]) ** 2 / s[keep]))


@functools.lru_cache(maxsize=None)
def reference_information(N: int, k0: float, times: tuple[float, ...], eps: float,
                          h: float | None = None) -> dict[str, np.ndarray]:
    """Per-shot informations about k0 at each time, from QuTiP states (Richardson FD)."""
    h = _step(k0) if h is None else h
    dp, _, _ = _richardson(lambda k: _probs(N, k, times, eps), k0, h)
    drho, _, _ = _richardson(lambda k: _states(N, k, times), k0, h)
    p = _probs(N, k0, times, eps)
    rho = _states(N, k0, times)
    p3, dp3 = _m3_distribution(N, p), _m3_distribution(N, dp)
    out = {"fisher_M1": [], "fisher_M2": [], "fisher_M3": [], "qfi": []}
    for i in range(len(times)):
        out["fisher_M1"].append(_classical_fisher(p[i], dp[i]))
        out["fisher_M2"].append(_fisher_m2(N, p[i], dp[i]))
        out["fisher_M3"].append(_classical_fisher(p3[i], dp3[i]))
        out["qfi"].append(_qfi(rho[i], drho[i]))
    return {k: np.array(v) for k, v in out.items()}


def _mirror_mask(N: int) -> np.ndarray:
    """mirror[m] = outcome m with qubit α relabelled N + 1 − α (bit reversal)."""
    return np.array([int(format(m, f"0{N}b")[::-1], 2) for m in range(2**N)])


PROB_TIMES = (0.0, 0.5, 1.0, 2.0)
INFO_TIMES = (0.5, 1.0, 2.0)  # t = 0 left out: every information vanishes there
INFO_CASES = [  # (N, k0, ε)
    (3, 0.03, 0.0),
    (3, 0.03, 0.02),
    (3, 0.3, 0.0),
    (3, 0.3, 0.02),
    (4, 0.03, 0.0),
]
KEYS = ("fisher_M1", "fisher_M2", "fisher_M3", "qfi")


def _assert_ordering(info: dict, slack: float = 1e-8) -> None:
    m1, m2, m3, q = (np.asarray(info[k]) for k in KEYS)
    assert np.all(m3 <= m1 * (1 + slack)), (m3, m1)
    assert np.all(m2 <= m1 * (1 + slack)), (m2, m1)
    assert np.all(m1 <= q * (1 + slack)), (m1, q)


# --------------------------------------------------------------------------------------------
# Checks of the reference itself
# --------------------------------------------------------------------------------------------


def test_reference_jump_operators_reproduce_double_sum_dissipator():
    """Σ_n D[c_n] (eigendecomposition of γ) equals the double sum of emission.md §2.1."""
    N, k0 = 3, 0.03
    J, gamma = _couplings(N, k0)
    sm = _lowering(N)
    L = -1j * (qutip.spre(0 * sm[0]) - qutip.spost(0 * sm[0]))
    for a in range(N):
        for b in range(N):
            n_ab = sm[a].dag() * sm[b]
            L = L - 0.5j * J[a, b] * (qutip.spre(n_ab) - qutip.spost(n_ab))
            L = L + gamma[a, b] * (qutip.sprepost(sm[b], sm[a].dag())
                                   - 0.5 * qutip.spre(n_ab) - 0.5 * qutip.spost(n_ab))
    H, c_ops = _hamiltonian_and_jumps(N, k0)
    diff = np.abs(qutip.liouvillian(H, c_ops).full() - L.full()).max()
    assert diff < 1e-12, diff  # measured 0 to round-off (≈ 1e-15)


def test_reference_mesolve_matches_matrix_exponential():
    """mesolve (rtol 1e-11) vs expm of the Liouvillian: measured ≤ 1.2e-11 (N = 3, 4)."""
    for N in (3, 4):
        H, c_ops = _hamiltonian_and_jumps(N, 0.03)
        L = qutip.liouvillian(H, c_ops).full()
        r0 = qutip.operator_to_vector(_initial(N)).full().ravel()
        perm = _mask_perm(N)
        rho = _states(N, 0.03, INFO_TIMES)
        for i, t in enumerate(INFO_TIMES):
            r = (scipy.linalg.expm(L * t) @ r0).reshape(2**N, 2**N, order="F")
            assert np.abs(r[perm][:, perm] - rho[i]).max() < 1e-9


def test_reference_mask_mapping():
    """Single-qubit populations: bit (α − 1) of the mask must be ⟨n_α⟩ from QuTiP directly."""
    N, k0, times = 4, 0.03, (1.0,)
    H, c_ops = _hamiltonian_and_jumps(N, k0)
    sm = _lowering(N)
    res = qutip.mesolve(H, _initial(N), [0.0, 1.0], c_ops=c_ops,
                        e_ops=[s.dag() * s for s in sm], options=SOLVER_OPTIONS)
    n_direct = np.array([e[-1] for e in res.expect])
    q = _probs(N, k0, times, 0.0)[0] @ _bits(N)
    assert np.abs(q - n_direct).max() < 1e-9
    # the chain is not mirror symmetric at k0 ≠ 0, so a reversed mapping would be caught
    assert np.abs(q - q[::-1]).max() > 1e-3


@pytest.mark.parametrize("N,k0", [(3, 0.03), (4, 0.03), (3, 0.3), (3, 0.003), (3, 0.0), (4, 0.0)])
def test_reference_fd_error(N, k0):
    """The Richardson derivative is converged: halving h moves nothing by more than 1e-7."""
    h = _step(k0)
    a = reference_information(N, k0, INFO_TIMES, 0.0, h)
    b = reference_information(N, k0, INFO_TIMES, 0.0, h / 2)
    for key in KEYS:
        rel = np.abs(a[key] / b[key] - 1).max()
        assert rel < 1e-7, (key, rel)  # measured ≤ 2.9e-8 (see FD_STEP)


@pytest.mark.parametrize("N,k0,eps", INFO_CASES + [(3, 0.003, 0.0), (3, 0.0, 0.0), (4, 0.0, 0.02)])
def test_reference_ordering(N, k0, eps):
    _assert_ordering(reference_information(N, k0, INFO_TIMES, eps))


def test_reference_k0_zero_limit():
    """At k0 = 0 the chain is mirror symmetric, yet the information about k0 does NOT vanish.

    couplings(−k0) = P couplings(k0) P (P: α → N + 1 − α; both equal the complex conjugate),
    so ρ(−k0) = P ρ(k0) P and p_m(−k0) = p_mirror(m)(k0). At k0 = 0 therefore
    ∂p_m = −∂p_mirror(m): the derivative of every mirror-even statistic vanishes (P(x = 0),
    ⟨n_mid⟩ for odd N, the excitation number), but the mirror-odd part does not: E[x] = q_1 − q_N
    is odd in k0 with a non-zero slope, because dJ/dk0 = i·(real antisymmetric) ≈ 5.2e3 i (J_12)
    at k0 = 0 — Im J rises on the scale k0,m ≈ 0.002. Hence F_M3(0) = 2 (∂P₊)² / P₊ > 0, and it
    is huge: ≈ 1.6e6 per shot at N = 3, t = 0.5 (vs ≈ 1e2 at k0 = 0.03).
    For N = 3 the odd subspace of the 3 readout bits is one-dimensional, so F_M2 = F_M3 exactly
    (∂q ∝ (1, 0, −1), vᵀΣ⁻¹v = 4 / Var(x), Var(x) = 2P₊).
    """
    N = 3
    h = _step(0.0)
    dp, _, _ = _richardson(lambda k: _probs(N, k, INFO_TIMES, 0.0), 0.0, h)
    p = _probs(N, 0.0, INFO_TIMES, 0.0)
    mirror = _mirror_mask(N)
    scale = np.abs(dp).max()
    assert np.abs(dp + dp[:, mirror]).max() < 1e-9 * scale
    assert np.abs(p - p[:, mirror]).max() < 1e-10
    dp3 = _m3_distribution(N, dp)
    assert np.abs(dp3[:, 1]).max() < 1e-9 * scale  # ∂P(x = 0) = 0
    assert np.abs(dp3[:, 0] + dp3[:, 2]).max() < 1e-9 * scale
    assert np.abs((dp @ _bits(N))[:, 1]).max() < 1e-9 * scale  # ∂⟨n_2⟩ = 0 (middle qubit)
    info = reference_information(N, 0.0, INFO_TIMES, 0.0)
    assert np.all(info["fisher_M3"] > 1e6)  # measured 1.61e6, 2.17e6, 1.37e6
    np.testing.assert_allclose(info["fisher_M2"], info["fisher_M3"], rtol=1e-9)
    p3 = _m3_distribution(N, p)
    np.testing.assert_allclose(info["fisher_M3"], 2 * dp3[:, 2] ** 2 / p3[:, 2], rtol=1e-9)


# --------------------------------------------------------------------------------------------
# The module against the reference
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sensing():
    import nonrecip.sensing as sensing_module  # fails (does not skip) while the module is absent

    return sensing_module


@functools.lru_cache(maxsize=None)
def _module_info(N: int, k0: float, eps: float, times: tuple[float, ...]):
    from nonrecip.sensing import SensorModel, sensing_information

    model = SensorModel(N=N, k0=k0, spacing_nm=SPACING_NM, distance_nm=0.0, readout_error=eps)
    return sensing_information(model, np.array(times), parameter="k0")


@pytest.mark.parametrize("N", [3, 4])
@pytest.mark.parametrize("eps", [0.0, 0.05])
def test_outcome_probabilities(sensing, N, eps):
    k0 = 0.03
    model = sensing.SensorModel(N=N, k0=k0, spacing_nm=SPACING_NM, readout_error=eps)
    got = np.asarray(sensing.outcome_probabilities(model, np.array(PROB_TIMES)))
    ref = _probs(N, k0, PROB_TIMES, eps)
    assert got.shape == (len(PROB_TIMES), 2**N)
    err = np.abs(got - ref).max()
    assert err <= 1e-8, err
    # t = 0: |e…e⟩ read through the channel
    expected0 = _readout_matrix(N, eps)[:, 2**N - 1]
    assert np.abs(got[0] - expected0).max() <= 1e-12


def test_outcome_probabilities_mirror(sensing):
    """p_m(−k0) = p_mirror(m)(k0) (exact symmetry of the couplings), with readout error."""
    N = 4
    a = sensing.outcome_probabilities(sensing.SensorModel(N=N, k0=0.03, readout_error=0.05),
                                      np.array(INFO_TIMES))
    b = sensing.outcome_probabilities(sensing.SensorModel(N=N, k0=-0.03, readout_error=0.05),
                                      np.array(INFO_TIMES))
    a, b = np.asarray(a), np.asarray(b)
    assert np.abs(b - a[:, _mirror_mask(N)]).max() <= 1e-9
    assert np.abs(a - a[:, _mirror_mask(N)]).max() > 1e-3  # the symmetry is not trivial


@pytest.mark.parametrize("N,k0,eps", INFO_CASES + [(3, 0.003, 0.0)])
def test_sensing_information_vs_reference(sensing, N, k0, eps):
    ds = _module_info(N, k0, eps, INFO_TIMES)
    np.testing.assert_allclose(ds["time"].values, INFO_TIMES, rtol=0, atol=1e-14)
    ref = reference_information(N, k0, INFO_TIMES, eps)
    for key in KEYS:
        got = np.asarray(ds[key].values, dtype=float)
        np.testing.assert_allclose(got, ref[key], rtol=REL_TOL, err_msg=key)


@pytest.mark.parametrize("N,k0,eps", INFO_CASES)
def test_sensing_information_ordering(sensing, N, k0, eps):
    ds = _module_info(N, k0, eps, INFO_TIMES)
    _assert_ordering({key: ds[key].values for key in KEYS})


def test_sensing_information_asymmetry_moments(sensing):
    """asymmetry_mean / asymmetry_std of x = b_1 − b_N (readout bits, ε applied)."""
    N, k0, eps = 3, 0.03, 0.02
    ds = _module_info(N, k0, eps, INFO_TIMES)
    p3 = _m3_distribution(N, _probs(N, k0, INFO_TIMES, eps))
    mean = p3[:, 2] - p3[:, 0]
    std = np.sqrt(p3[:, 2] + p3[:, 0] - mean**2)
    np.testing.assert_allclose(ds["asymmetry_mean"].values, mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ds["asymmetry_std"].values, std, rtol=0, atol=1e-8)


@pytest.mark.parametrize("N", [3, 4])
def test_sensing_information_k0_zero(sensing, N):
    """At k0 = 0: informations equal the reference (≈ 1e6 per shot, not 0); N = 3: M2 = M3.

    Im J varies on the scale k0,m ≈ 0.002 here, so a derivative step of a few 1e-4 is too coarse.
    """
    ds = _module_info(N, 0.0, 0.0, INFO_TIMES)
    ref = reference_information(N, 0.0, INFO_TIMES, 0.0)
    for key in KEYS:
        np.testing.assert_allclose(np.asarray(ds[key].values, dtype=float), ref[key],
                                   rtol=REL_TOL, err_msg=key)
    if N == 3:
        np.testing.assert_allclose(ds["fisher_M2"].values, ds["fisher_M3"].values, rtol=1e-8)


def test_sensing_information_even_in_k0(sensing):
    """Mirroring relabels outcomes (x → −x, α → N + 1 − α), so every information is even in k0."""
    a = _module_info(3, 0.03, 0.02, INFO_TIMES)
    b = _module_info(3, -0.03, 0.02, INFO_TIMES)
    for key in KEYS:
        np.testing.assert_allclose(b[key].values, a[key].values, rtol=1e-6, err_msg=key)


def test_sensing_information_vanishes_at_t0(sensing):
    """ρ(0) = |e…e⟩⟨e…e| does not depend on k0: nothing to learn at t = 0 (ε > 0 keeps Σ regular)."""
    ds = _module_info(3, 0.03, 0.02, (0.0, 1.0))
    for key in KEYS:
        assert abs(float(ds[key].values[0])) <= 1e-6, (key, ds[key].values)


@pytest.mark.parametrize("measurement,key", [("joint", "fisher_M1"), ("marginal", "fisher_M2"), ("asymmetry", "fisher_M3")])
def test_public_fisher_information_vs_reference(sensing, measurement, key):
    """The one-call API ``fisher_information(N, times, k0=..., measurement=...)`` against the QuTiP reference."""
    N, k0, eps = 3, 0.03, 0.02
    ds = sensing.fisher_information(N, INFO_TIMES, k0=k0, measurement=measurement, readout_error=eps, spacing_nm=SPACING_NM)
    ref = reference_information(N, k0, INFO_TIMES, eps)
    np.testing.assert_allclose(ds["cfi"].values, ref[key], rtol=REL_TOL)
    np.testing.assert_allclose(ds["qfi"].values, ref["qfi"], rtol=REL_TOL)
    assert ds.attrs["measurement"] == measurement and ds["cfi"].attrs["units"] == "a^2"
