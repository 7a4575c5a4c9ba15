"""ChiralWaveguide + block solver against references built here, independently of the bath's code.

The references are

* a cascaded master equation on the full 2^N space in QuTiP, written from the chiral-quantum-optics
  literature (Gardiner, PRL 70, 2269 (1993); Carmichael, PRL 70, 2273 (1993); Pichler, Ramos,
  Daley, Zoller, PRA 91, 042116 (2015), Markovian master equation of emitters at x_j coupled to
  right- and left-moving modes);
* closed forms of the cascaded two-emitter problem derived by hand below;
* the mirror symmetry of a reciprocal waveguide.

Cascaded master equation (the reference; sign conventions fixed here)
---------------------------------------------------------------------
A right-moving mode ~ e^{i(kx - ωt)} (k > 0) carries the field emitted at x_l to x_j > x_l with the
phase e^{+ik(x_j - x_l)}; a left-moving one carries it from x_l to x_j < x_l with e^{+ik(x_l - x_j)}.
The output fields are b_R,out ∝ Σ_j e^{-ik x_j} σ_j (seen at x → +∞, common e^{ikX} dropped) and
b_L,out ∝ Σ_j e^{+ik x_j} σ_j (seen at x → -∞), hence

    L_R = Σ_j e^{-ik x_j} σ_j,      L_L = Σ_j e^{+ik x_j} σ_j,

    H_casc = -i γ_R/2 Σ_{x_j > x_l} ( e^{ik(x_j - x_l)} σ⁺_j σ⁻_l - h.c. )
             -i γ_L/2 Σ_{x_j < x_l} ( e^{ik(x_l - x_j)} σ⁺_j σ⁻_l - h.c. ),

    dρ/dt = -i[H_casc, ρ] + γ_R D[L_R]ρ + γ_L D[L_L]ρ + γ' Σ_j D[σ_j]ρ,   D[c]ρ = cρc† - ½{c†c, ρ}.

Check of the cascade (one excitation, ψ = Σ c_j |j⟩): H_eff = H_casc - i/2 (γ_R L_R†L_R + γ_L L_L†L_L
+ γ' Σ n_j) gives dc_j/dt = -(γ_R+γ_L+γ')/2 c_j - γ_R Σ_{x_l<x_j} e^{ik|x_j-x_l|} c_l
- γ_L Σ_{x_l>x_j} e^{ik|x_j-x_l|} c_l: an emitter is driven only by emitters upstream of it for
each direction (the back-action terms of H_casc and of the anticommutator cancel), and for
γ_R = γ_L = Γ/2 this is the familiar bidirectional result -Γ/2 Σ_l e^{ik|x_j-x_l|} c_l.

QuTiP: basis(2, 1) is |e⟩, basis(2, 0) is |g⟩, so σ⁻ = destroy(2) = |g⟩⟨e|; site j (1…N) is tensor
factor j - 1. The total emitted flux -d/dt Σ_α ⟨n_α⟩ is Σ_m ⟨c_m† c_m⟩ over the collapse operators
c_m = √γ_R L_R, √γ_L L_L, √γ' σ_j (H_casc conserves the excitation number), which is compared with
Σ_α R_α of the library. C_αβ = ⟨σ⁺_α σ⁻_β⟩ of the two states is compared directly.
"""

from __future__ import annotations

import operator
from functools import reduce

import numpy as np
import pytest
import qutip as qt

from nonrecip.emission import emission_dynamics
from nonrecip.emission.baths.waveguide import ChiralWaveguide
from nonrecip.emission.initial import all_excited, excited_sites, single_excitation, spin_wave

QUTIP_OPTIONS = {"rtol": 1e-10, "atol": 1e-12, "nsteps": 100_000}
TOL_QUTIP = 1e-7  # library vs full-space QuTiP cascaded model
TOL_EXACT = 1e-9  # library vs closed forms
TOL_SYM = 1e-10  # mirror symmetry


# ----------------------------------------------------------------------------- reference model
def _sigma_minus(N: int, j: int):
    """σ⁻ of site j (1…N) on the full space; site j is tensor factor j - 1, basis(2, 1) = |e⟩."""
    ops = [qt.qeye(2)] * N
    ops[j - 1] = qt.destroy(2)
    return qt.tensor(ops)


def _cascaded_model(x, gamma_right, gamma_left, gamma_loss, k):
    """(H_casc, collapse operators, σ⁻ list) of the cascaded master equation of the module docstring."""
    x = np.asarray(x, dtype=float)
    N = x.size
    sm = [_sigma_minus(N, j) for j in range(1, N + 1)]
    H = 0 * sm[0].dag() * sm[0]
    for j in range(N):
        for l in range(N):
            if j == l:
                continue
            hop = sm[j].dag() * sm[l]  # σ⁺_j σ⁻_l
            if x[j] > x[l]:  # right-moving light from l reaches j
                term = np.exp(1j * k * (x[j] - x[l])) * hop
                H += -0.5j * gamma_right * (term - term.dag())
            elif x[j] < x[l]:  # left-moving light from l reaches j
                term = np.exp(1j * k * (x[l] - x[j])) * hop
                H += -0.5j * gamma_left * (term - term.dag())
    L_R = reduce(operator.add, [np.exp(-1j * k * x[j]) * sm[j] for j in range(N)])
    L_L = reduce(operator.add, [np.exp(+1j * k * x[j]) * sm[j] for j in range(N)])
    c_ops = []
    if gamma_right > 0:
        c_ops.append(np.sqrt(gamma_right) * L_R)
    if gamma_left > 0:
        c_ops.append(np.sqrt(gamma_left) * L_L)
    if gamma_loss > 0:
        c_ops += [np.sqrt(gamma_loss) * s for s in sm]
    return H, c_ops, sm


def _product_state(N: int, excited) -> "qt.Qobj":
    return qt.tensor([qt.basis(2, 1) if j in excited else qt.basis(2, 0) for j in range(1, N + 1)])


def _spin_wave_ket(N: int, q: float) -> "qt.Qobj":
    """Σ_α e^{iq(α-1)} |α⟩ / √N (the library's spin_wave, written here from its docstring)."""
    ket = reduce(operator.add, [np.exp(1j * q * (a - 1)) * _product_state(N, {a}) for a in range(1, N + 1)])
    return ket / np.sqrt(N)


def _reference(x, gamma_right, gamma_left, gamma_loss, k, psi0, times):
    """Populations (N, T), total flux Σ_m ⟨c_m†c_m⟩ (T,), C_αβ = ⟨σ⁺_α σ⁻_β⟩ (N, N, T) of the QuTiP model."""
    H, c_ops, sm = _cascaded_model(x, gamma_right, gamma_left, gamma_loss, k)
    rho0 = qt.ket2dm(psi0)
    res = qt.mesolve(H, rho0, times, c_ops, e_ops=[], options=QUTIP_OPTIONS)
    N = len(sm)
    sm_f = [s.full() for s in sm]
    flux_ops = [(c.dag() * c).full() for c in c_ops]
    C = np.empty((N, N, len(times)), dtype=complex)
    flux = np.empty(len(times))
    for t, rho in enumerate(res.states):
        r = rho.full()
        for a in range(N):
            for b in range(N):
                C[a, b, t] = np.trace(r @ sm_f[a].conj().T @ sm_f[b])
        flux[t] = sum(np.trace(r @ F).real for F in flux_ops)
    pop = np.real(np.einsum("aat->at", C))
    return pop, flux, C


def _library(x, gamma_right, gamma_left, gamma_loss, k, initial, times):
    wg = ChiralWaveguide(gamma_right=gamma_right, gamma_left=gamma_left, k_per_nm=k, gamma_loss=gamma_loss)
    J, gamma = wg.couplings(np.asarray(x, dtype=float))
    return emission_dynamics(J, gamma, times, initial=initial, method="blocks", store_correlations=True)


# ----------------------------------------------------------------------------- 1. full-space QuTiP
# unequal spacings in nm; k_per_nm = 0.07 gives k·spacing ≈ 0.7 rad on average
K_NM = 0.07
X3 = [0.0, 9.0, 23.5]
X4 = [0.0, 10.0, 23.0, 31.5]
X4_UNSORTED = [23.0, 0.0, 31.5, 10.0]  # site order ≠ spatial order: site 2 is the leftmost


def _initial(kind: str, N: int):
    """(library initial state, QuTiP ket) of the same state."""
    if kind == "all":
        return all_excited(N), _product_state(N, set(range(1, N + 1)))
    if kind == "single":
        return single_excitation(N, 2), _product_state(N, {2})
    if kind == "double":
        return excited_sites(N, [1, 3]), _product_state(N, {1, 3})
    if kind == "spin_wave":
        return spin_wave(N, 0.9), _spin_wave_ket(N, 0.9)
    raise AssertionError(kind)


@pytest.mark.parametrize("x", [X3, X4, X4_UNSORTED], ids=["N3", "N4", "N4-unsorted"])
@pytest.mark.parametrize("kind", ["all", "single", "double", "spin_wave"])
def test_matches_full_space_cascaded_master_equation(x, kind):
    gR, gL, gl = 1.0, 0.35, 0.12
    N = len(x)
    times = np.linspace(0.0, 4.0, 21)
    init, psi0 = _initial(kind, N)
    ds = _library(x, gR, gL, gl, K_NM, init, times)
    pop, flux, C = _reference(x, gR, gL, gl, K_NM, psi0, times)

    err_pop = np.abs(ds.population.values - pop).max()
    err_total = np.abs(ds.rate.sum("site").values - flux).max()
    err_rate_total = np.abs(ds.rate_total.values - flux).max()
    err_C = np.abs(ds.correlation.transpose("site", "site2", "time").values - C).max()
    msg = (f"N={N} {kind}: max|Δpopulation|={err_pop:.2e}, max|ΣR - flux|={err_total:.2e}, "
           f"max|rate_total - flux|={err_rate_total:.2e}, max|ΔC|={err_C:.2e}")
    assert err_pop <= TOL_QUTIP, msg
    assert err_total <= TOL_QUTIP, msg
    assert err_rate_total <= TOL_QUTIP, msg
    assert err_C <= TOL_QUTIP, msg
    # the comparison is not vacuous: populations move and the flux is of order one
    assert np.abs(pop[:, -1] - pop[:, 0]).max() > 0.1
    assert flux.max() > 0.1


def test_reference_flux_is_minus_derivative_of_excitation_number():
    """Self-check of the reference: Σ_m ⟨c_m†c_m⟩ = -d/dt Σ_α ⟨n_α⟩ (finite differences)."""
    times = np.linspace(0.0, 2.0, 2001)
    pop, flux, _ = _reference(X3, 1.0, 0.35, 0.12, K_NM, _product_state(3, {1, 2, 3}), times)
    n_tot = pop.sum(axis=0)
    deriv = -np.gradient(n_tot, times, edge_order=2)
    assert np.abs(deriv[1:-1] - flux[1:-1]).max() < 1e-5


# ----------------------------------------------------------------------------- 2. unidirectional
X5 = [0.0, 11.0, 19.5, 33.0, 41.0]
X5_UNSORTED = [19.5, 33.0, 0.0, 41.0, 11.0]  # upstream emitter is site 3


@pytest.mark.parametrize("x", [X5, X5_UNSORTED], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("kind", ["all", "single"])
def test_unidirectional_upstream_emitter_decays_freely(x, kind):
    gR = 1.3
    N = len(x)
    first = int(np.argmin(x)) + 1
    init = all_excited(N) if kind == "all" else single_excitation(N, first)
    times = np.linspace(0.0, 5.0, 26)
    ds = _library(x, gR, 0.0, 0.0, K_NM, init, times)
    n_first = ds.population.sel(site=first).values
    err = np.abs(n_first - np.exp(-gR * times)).max()
    assert err <= TOL_EXACT, f"max|n_upstream - exp(-γ_R t)| = {err:.2e}"
    if kind == "single":  # the downstream emitters do get excited (the cascade is not empty)
        assert ds.population.drop_sel(site=first).max() > 0.05


# ----------------------------------------------------------------------------- 3. two emitters, closed forms
# Two emitters, γ_L = γ' = 0, γ ≡ γ_R, φ = k d (emitter 1 upstream at x1, emitter 2 at x2 = x1 + d).
#
# One excitation on 1: dc1/dt = -γ/2 c1, dc2/dt = -γ/2 c2 - γ e^{iφ} c1, so
#     c1 = e^{-γt/2},  c2 = -γ e^{iφ} t e^{-γt/2},  n2 = γ² t² e^{-γt},  C_12 = c1* c2 = -γ e^{iφ} t e^{-γt}.
#
# Both excited: H_eff = -iγ/2 (n1 + n2) - iγ e^{iφ} σ⁺_2 σ⁻_1 annihilates nothing from |ee⟩ but decays it,
# p_ee = e^{-2γt}; the jump L ∝ σ_1 + e^{-iφ} σ_2 feeds ψ = e^{-iφ}|a⟩ + |b⟩ (|a⟩ = |eg⟩, |b⟩ = |ge⟩).
# In the one-excitation block, ρ1 = e^{-γt} s(t) with ds/dt = B s + s B† + γ e^{-γt} ψψ†,
# B = -γ e^{iφ} |b⟩⟨a|:
#     s_aa = 1 - e^{-γt},
#     s_ba' = -γ e^{iφ} s_aa + γ e^{iφ} e^{-γt}       =>  s_ba = e^{iφ} [2(1 - e^{-γt}) - γt],
#     s_bb' = -2γ Re(e^{-iφ} s_ba) + γ e^{-γt}          =>  s_bb = 5(1 - e^{-γt}) - 4γt + γ²t².
# Hence n1 = e^{-γt} and
#     n2(t) = e^{-2γt} + e^{-γt} s_bb = e^{-γt} (5 - 4γt + γ²t²) - 4 e^{-2γt},
#     C_12(t) = ⟨σ⁺_1 σ⁻_2⟩ = ρ_ba = e^{iφ} e^{-γt} [2(1 - e^{-γt}) - γt].

def _closed_single(gamma, phi, t):
    n1 = np.exp(-gamma * t)
    n2 = gamma**2 * t**2 * np.exp(-gamma * t)
    C12 = -gamma * np.exp(1j * phi) * t * np.exp(-gamma * t)
    return n1, n2, C12


def _closed_both(gamma, phi, t):
    e1, e2 = np.exp(-gamma * t), np.exp(-2 * gamma * t)
    n1 = e1
    n2 = e1 * (5 - 4 * gamma * t + (gamma * t) ** 2) - 4 * e2
    C12 = np.exp(1j * phi) * e1 * (2 * (1 - e1) - gamma * t)
    return n1, n2, C12


TWO = dict(gamma=0.8, x=[3.0, 13.0], k=0.07)  # d = 10 nm, φ = 0.7 rad


@pytest.mark.parametrize("kind", ["single", "both"])
def test_closed_forms_agree_with_reference_model(kind):
    """Self-check of the hand derivation against the QuTiP cascaded model."""
    g, x, k = TWO["gamma"], TWO["x"], TWO["k"]
    times = np.linspace(0.0, 6.0, 31)
    psi0 = _product_state(2, {1} if kind == "single" else {1, 2})
    pop, _, C = _reference(x, g, 0.0, 0.0, k, psi0, times)
    n1, n2, C12 = (_closed_single if kind == "single" else _closed_both)(g, k * (x[1] - x[0]), times)
    assert np.abs(pop[0] - n1).max() < 1e-8
    assert np.abs(pop[1] - n2).max() < 1e-8
    assert np.abs(C[0, 1] - C12).max() < 1e-8


@pytest.mark.parametrize("kind", ["single", "both"])
def test_two_emitters_cascaded_closed_form(kind):
    g, x, k = TWO["gamma"], TWO["x"], TWO["k"]
    times = np.linspace(0.0, 6.0, 31)
    init = single_excitation(2, 1) if kind == "single" else all_excited(2)
    ds = _library(x, g, 0.0, 0.0, k, init, times)
    n1, n2, C12 = (_closed_single if kind == "single" else _closed_both)(g, k * (x[1] - x[0]), times)
    err1 = np.abs(ds.population.sel(site=1).values - n1).max()
    err2 = np.abs(ds.population.sel(site=2).values - n2).max()
    errC = np.abs(ds.correlation.sel(site=1, site2=2).values - C12).max()
    msg = f"{kind}: max|Δn1|={err1:.2e}, max|Δn2|={err2:.2e}, max|ΔC12|={errC:.2e}"
    assert err1 <= TOL_EXACT, msg
    assert err2 <= TOL_EXACT, msg
    assert errC <= TOL_EXACT, msg


# ----------------------------------------------------------------------------- 4. mirror symmetry
X5_EQUAL = [0.0, 10.0, 20.0, 30.0, 40.0]
X5_MIRROR = [0.0, 7.0, 19.0, 31.0, 38.0]  # unequal but mirror-symmetric spacings


def _rates(x, gR, gL, gl, k, times):
    ds = _library(x, gR, gL, gl, k, all_excited(len(x)), times)
    return ds.rate.values, ds.delta.values


@pytest.mark.parametrize("x", [X5_EQUAL, X5_MIRROR], ids=["equal", "mirror-spaced"])
@pytest.mark.parametrize("k", [0.03, 0.07, 0.157])
def test_reciprocal_waveguide_emits_mirror_symmetrically(x, k):
    times = np.linspace(0.0, 3.0, 16)
    R, delta = _rates(x, 0.6, 0.6, 0.1, k, times)
    err_mirror = np.abs(R - R[::-1]).max()
    err_delta = np.abs(delta).max()
    assert err_mirror <= TOL_SYM, f"max|R_α - R_(N+1-α)| = {err_mirror:.2e}"
    assert err_delta <= TOL_SYM, f"max|δ_1N| = {err_delta:.2e}"


@pytest.mark.parametrize("x", [X5_EQUAL, X5_MIRROR], ids=["equal", "mirror-spaced"])
@pytest.mark.parametrize("k", [0.03, 0.07])
def test_chiral_asymmetry_flips_under_direction_swap(x, k):
    times = np.linspace(0.0, 3.0, 16)
    R_a, d_a = _rates(x, 1.0, 0.25, 0.1, k, times)
    R_b, d_b = _rates(x, 0.25, 1.0, 0.1, k, times)
    assert np.abs(d_a).max() > 1e-2  # non-zero asymmetry
    err_flip = np.abs(R_a - R_b[::-1]).max()
    err_delta = np.abs(d_a + d_b).max()
    assert err_flip <= TOL_SYM, f"max|R_α(γR,γL) - R_(N+1-α)(γL,γR)| = {err_flip:.2e}"
    assert err_delta <= TOL_SYM, f"max|δ(γR,γL) + δ(γL,γR)| = {err_delta:.2e}"


# ----------------------------------------------------------------------------- 5. argument validation
@pytest.mark.parametrize("name", ["gamma_right", "gamma_left", "gamma_loss"])
def test_negative_rate_is_refused_naming_it(name):
    kwargs = dict(gamma_right=1.0, gamma_left=0.5, k_per_nm=0.1, gamma_loss=0.1)
    kwargs[name] = -0.2
    with pytest.raises(ValueError, match=name):
        ChiralWaveguide(**kwargs)


def test_all_rates_zero_is_refused():
    with pytest.raises(ValueError):
        ChiralWaveguide(gamma_right=0.0, gamma_left=0.0, k_per_nm=0.1, gamma_loss=0.0)
