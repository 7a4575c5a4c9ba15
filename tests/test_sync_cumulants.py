"""Cumulant expansions K = 2, 4 (docs/theory/sync.md#cumulant-expansion): exact hierarchy vs QuTiP, closure, limits."""

import itertools

import numpy as np
import pytest
import qutip as qt
from scipy.optimize import fsolve

from _sync_fullspace import full_model, moment
from nonrecip.sync import MicroscopicRates, SyncParams, steady_state
from nonrecip.sync.cumulants.hierarchy import hierarchy
from nonrecip.sync.cumulants.labels import closure_terms

MICRO = dict(Gamma=0.3, kappa=0.17, J=0.4 + 0.25j, Delta=0.37, w=0.5, gamma=0.05, gamma_phi=0.03)


def _symmetric_random_state(NA, NB, seed=1):
    rng = np.random.default_rng(seed)
    d = 2 ** (NA + NB)
    X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = qt.Qobj(X @ X.conj().T, dims=[[2] * (NA + NB)] * 2)
    acc = 0
    perms = list(itertools.product(itertools.permutations(range(NA)),
                                   itertools.permutations(range(NA, NA + NB))))
    for pa, pb in perms:
        acc = acc + rho.permute(list(pa) + list(pb))
    acc = acc / len(perms)
    return acc / acc.tr()


@pytest.mark.parametrize("K", [2, 4])
def test_hierarchy_is_exact_before_closure(K):
    """d⟨O⟩/dt from the generated hierarchy = Tr[O 𝓛ρ] (QuTiP) for a random symmetric ρ."""
    NA, NB = 3, 3
    L, site = full_model(NA, NB, **MICRO)
    rho = _symmetric_random_state(NA, NB)
    drho = qt.vector_to_operator(L * qt.operator_to_vector(rho))
    model = hierarchy(K, NA, NB, MicroscopicRates(**MICRO))
    val = lambda lab: moment(rho, site, NA, lab[:3], lab[3:])  # noqa: E731
    x = np.array([val(l) for l in model.labels])
    xc = np.array([val(l) for l in model.closed])
    lhs = model.A @ x + model.b + model.C @ xc
    rhs = np.array([moment(drho, site, NA, l[:3], l[3:]) for l in model.labels])
    assert len(model.labels) == (9 if K == 2 else 47 - 6)  # N = 3: no 4-site label of one species
    assert np.max(np.abs(lhs - rhs)) < 1e-13
    assert np.max(np.abs(rhs)) > 1e-2


def test_closure_is_exact_for_product_states():
    """Eq. (32): for a product state (vanishing cumulants) the closure reproduces each moment."""
    rng = np.random.default_rng(3)
    zA, zB = rng.uniform(-1, 1, 2)
    # U(1)-invariant product moments: σ^± averages vanish, so only pure-z labels survive
    for lab in [(0, 0, 3, 0, 0, 2), (0, 0, 5, 0, 0, 0), (1, 1, 1, 0, 0, 2), (2, 0, 0, 0, 2, 1)]:
        val = lambda l: (zA ** l[2] * zB ** l[5]) if l[0] == l[1] == l[3] == l[4] == 0 else 0.0  # noqa: E731
        approx = sum(c * np.prod([val(f) for f in fs]) for c, fs in closure_terms(lab))
        assert approx == pytest.approx(val(lab), abs=1e-14)
    # and the third-order formula of docs/theory/sync.md#cumulant-expansion literally
    terms = {tuple(fs): c for c, fs in closure_terms((1, 1, 1, 0, 0, 0))}
    assert terms == {((0, 0, 1, 0, 0, 0), (1, 1, 0, 0, 0, 0)): 1}


def test_k4_closer_to_exact_than_k2_at_N10():
    ex = steady_state(10, SyncParams(kappa=0.5, J=0.2), method="exact")
    k2 = steady_state(10, SyncParams(kappa=0.5, J=0.2), method="cumulant2")
    k4 = steady_state(10, SyncParams(kappa=0.5, J=0.2), method="cumulant4")
    for name in ("sz_A", "sz_B", "corr_AA", "corr_BB", "corr_AB"):
        e2 = abs(complex(k2[name]) - complex(ex[name]))
        e4 = abs(complex(k4[name]) - complex(ex[name]))
        assert e4 < 0.6 * e2, name
    assert abs(complex(k4.c4) - complex(ex.c4)) < 0.5 * abs(complex(k2.c4) - complex(ex.c4))
    assert k2.attrs["residual"] < 1e-12 and k4.attrs["residual"] < 1e-12


def _meanfield_sync(kappa, J, w=0.5, Gamma=1.0):
    """Static MF state of docs/theory/sync.md Eq. (11) (Δ = 0, real s_A, s_B; independent solve)."""
    def f(v):
        sA, sB, zA, zB = v
        return [-w / 2 * sA + zA / 2 * (Gamma * sA + (kappa - J) * sB),
                -w / 2 * sB + zB / 2 * (Gamma * sB + (kappa + J) * sA),
                w * (1 - zA) - 2 * sA * (Gamma * sA + (kappa - J) * sB),
                w * (1 - zB) - 2 * sB * (Gamma * sB + (kappa + J) * sA)]
    sA, sB, zA, zB = fsolve(f, [0.3, 0.3, 0.4, 0.3], xtol=1e-14)
    assert max(abs(np.array(f([sA, sB, zA, zB])))) < 1e-12
    return dict(sz_A=zA, sz_B=zB, corr_AA=sA**2, corr_BB=sB**2, corr_AB=sA * sB, c4=(sA * sB) ** 2)


@pytest.mark.parametrize("method", ["cumulant2", "cumulant4"])
def test_cumulants_tend_to_mean_field_at_N1000(method):
    # traveling wave at κ = 0 (docs/theory/sync.md#mean-field-exact-results): z = w/Γ, |s|² = w(1 − w/Γ)/2Γ, Δφ = ±π/2 ⇒ c4 = −|s|⁴
    tw = steady_state(1000, SyncParams(kappa=0.0, J=0.5), method=method)
    assert float(tw.sz_A) == pytest.approx(0.5, abs=5e-3)
    assert float(tw.corr_AA) == pytest.approx(0.125, rel=1e-2)
    assert abs(complex(tw.corr_AB)) < 1e-12
    sync = steady_state(1000, SyncParams(kappa=0.5, J=0.2), method=method)
    mf = _meanfield_sync(0.5, 0.2)
    for name in ("sz_A", "sz_B", "corr_AA", "corr_BB", "corr_AB"):
        assert complex(sync[name]).real == pytest.approx(mf[name], rel=1e-2), name
    if method == "cumulant4":  # c4 needs K = 4 (docs/theory/sync.md#cumulant-expansion caveat)
        assert complex(tw.c4).real == pytest.approx(-0.125**2, rel=0.1)
        assert complex(sync.c4).real == pytest.approx(mf["c4"], rel=3e-2)
    else:
        assert complex(tw.c4).real == pytest.approx(0.0, abs=1e-12)  # 2 C_AB² at κ = 0


def test_cumulants_small_N_agree_with_exact():
    """At small N both closures are close to exact (docs/theory/sync.md#finite-n-results: N = 4)."""
    ex = steady_state(4, SyncParams(kappa=0.0, J=0.5), method="exact")
    k4 = steady_state(4, SyncParams(kappa=0.0, J=0.5), method="cumulant4")
    assert float(k4.sz_A) == pytest.approx(float(ex.sz_A), abs=1e-3)
    assert complex(k4.c4).real == pytest.approx(complex(ex.c4).real, abs=5e-5)
    assert complex(ex.c4).real < 0
