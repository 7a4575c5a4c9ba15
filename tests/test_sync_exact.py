"""Exact permutation-symmetric steady state (docs/theory/sync.md#symmetric-basis) vs QuTiP full Hilbert space."""

from dataclasses import replace

import numpy as np
import pytest
import qutip as qt
import xarray as xr

from _sync_fullspace import full_model, moment
from nonrecip.sync import steady_state
from nonrecip.sync.symmetric.exact import exact_steady_state
from nonrecip.sync.model import MicroscopicRates, SyncParams

LABELS = [  # (A, B) moments compared: populations, C_AA, C_BB, C_AB, c4, a mixed 4th-order one
    ((0, 0, 1), (0, 0, 0)), ((0, 0, 0), (0, 0, 1)), ((1, 1, 0), (0, 0, 0)),
    ((0, 0, 0), (1, 1, 0)), ((1, 0, 0), (0, 1, 0)), ((2, 0, 0), (0, 2, 0)),
    ((1, 0, 1), (0, 1, 1)), ((0, 0, 2), (0, 0, 1)),
]
MICRO = dict(Gamma=0.3, kappa=0.17, J=0.4 + 0.25j, Delta=0.37, w=0.5, gamma=0.05, gamma_phi=0.03)


@pytest.mark.parametrize("NA,NB", [(2, 2), (3, 2), (3, 3)])
def test_exact_matches_qutip_full_space(NA, NB):
    L, site = full_model(NA, NB, **MICRO)
    rho = qt.steadystate(L)
    ss = exact_steady_state(NA, NB, MicroscopicRates(**MICRO), linear_solver="splu")
    assert ss.residual < 1e-12
    for a, b in LABELS:
        if sum(a) > NA or sum(b) > NB:
            continue
        ref = moment(rho, site, NA, a, b)
        assert abs(ss.expect(a, b) - ref) < 1e-10, (a, b)
    # the observables are not trivially zero here (Δ ≠ 0, complex J)
    assert abs(ss.expect((1, 0, 0), (0, 1, 0)).imag) > 1e-4


def test_solvers_agree():
    micro = SyncParams(kappa=0.5, J=1.1 + 0.2j, Delta=0.2).microscopic(5)
    ref = exact_steady_state(5, 5, micro, linear_solver="dense")
    for m in ("splu", "pardiso"):
        if m == "pardiso":
            pytest.importorskip("pypardiso")
        ss = exact_steady_state(5, 5, micro, linear_solver=m)
        assert np.max(np.abs(ss.c - ref.c)) < 1e-10 * np.max(np.abs(ref.c))


def test_pt_symmetric_steady_state_is_real():
    """Eq. (17): Δ = 0, real J ⇒ ρ_ss real; the general Hermitian solve must find it too."""
    L, site = full_model(3, 3, **dict(MICRO, J=0.4, Delta=0.0))
    rho = qt.steadystate(L).full()
    assert np.max(np.abs(rho.imag)) < 1e-12 and np.max(np.abs(rho.real)) > 1e-3
    micro = SyncParams(kappa=0.5, J=1.5).microscopic(6)
    gen = exact_steady_state(6, 6, micro, linear_solver="splu", real=False)
    assert np.max(np.abs(gen.c.imag)) < 1e-12 * np.max(np.abs(gen.c))
    pt = exact_steady_state(6, 6, micro, linear_solver="splu")
    np.testing.assert_allclose(pt.c, gen.c.real, atol=1e-12 * np.max(np.abs(gen.c)))
    # PT broken (Δ ≠ 0): the state is complex and C_AB acquires an imaginary part
    broken = exact_steady_state(6, 6, replace(micro, Delta=0.37), linear_solver="splu")
    assert abs(broken.expect((1, 0, 0), (0, 1, 0)).imag) > 1e-4
    with pytest.raises(ValueError, match="real=True"):
        exact_steady_state(2, 2, replace(micro, Delta=0.37), real=True)


@pytest.mark.parametrize("N", [2, 3, 4, 6, 8])
def test_interspecies_correlation_vanishes_at_kappa_zero(N):
    """docs/theory/sync.md#symmetries: U_B(π)∘P∘K symmetry ⇒ ⟨σ^+_Aσ^-_B⟩ = 0 at κ = 0 (every N), not at κ ≠ 0."""
    ds = steady_state(N, SyncParams(kappa=0.0, J=0.7), method="exact")
    assert abs(complex(ds.corr_AB)) < 1e-12
    ds = steady_state(N, SyncParams(kappa=0.3, J=0.7), method="exact")
    assert abs(complex(ds.corr_AB)) > 1e-4 or N == 2


def test_public_api_dataset_and_spec_values():
    ds = steady_state(10, SyncParams(kappa=0.5, J=0.2), method="exact")
    assert isinstance(ds, xr.Dataset) and ds.attrs["method"] == "exact"
    for v in ds.data_vars.values():
        assert "units" in v.attrs and "long_name" in v.attrs
    # docs/theory/sync.md#finite-n-results table, sync point N = 10: 0.3544 / 0.08501 / 0.05723 / 2.85e-3
    assert float(ds.sz_A) == pytest.approx(0.3544, abs=1e-4)
    assert float(ds.corr_AA) == pytest.approx(0.08501, abs=1e-5)
    assert complex(ds.corr_AB).real == pytest.approx(0.05723, abs=1e-5)
    assert complex(ds.c4).real == pytest.approx(2.85e-3, abs=1e-5)
    assert ds.attrs["residual"] < 1e-10
    # unequal species sizes and complex J through the public API
    ds = steady_state((3, 2), SyncParams(kappa=0.2, J=0.5 + 0.3j, Delta=0.4))
    assert np.isfinite(complex(ds.c4)) and abs(complex(ds.corr_AB).imag) > 1e-5
    assert ds.attrs["N_A"] == 3 and ds.attrs["N_B"] == 2


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(N=4, kappa=2.0, J=0.1), "Gamma"),
        (dict(N=4, kappa=0.1, J=0.1, method="nope"), "method"),
        (dict(N=(3, 2), kappa=0.1, J=0.1, method="cumulant2"), "N"),
        (dict(N=0, kappa=0.1, J=0.1), "N"),
        (dict(N=3, kappa=0.1, J=0.1, linear_solver="x"), "linear_solver"),
    ],
)
def test_public_api_rejects_bad_input(kwargs, match):
    from nonrecip.sync import ExactOptions

    with pytest.raises(ValueError, match=match):
        N, method = kwargs.pop("N"), kwargs.pop("method", "exact")
        options = ExactOptions(linear_solver=kwargs.pop("linear_solver")) if "linear_solver" in kwargs else None
        steady_state(N, SyncParams(**kwargs), method=method, options=options)
