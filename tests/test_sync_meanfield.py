"""Mean field of paper S in the thermodynamic limit (docs/theory/sync.md#mean-field-limit, docs/theory/sync.md#phase-diagram, Eqs. 11, 13–14, 29–31)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from nonrecip.io import check_labelled
from nonrecip.sync import SyncParameterError, SyncParams
from nonrecip.sync.meanfield import kernel as K
from nonrecip.sync.meanfield.solver import (
    eq31_unstable,
    incoherent_growth_rate,
    integrate_points,
    meanfield_phase_diagram,
    meanfield_trajectory,
    param_rows,
)
from nonrecip.sync.meanfield.phases import PHASE_CODES


def _rhs_reference(t, x, kappa, J, Delta, w, Gamma, gamma, gamma_phi):
    """Independent transcription of docs/theory/sync.md Eq. (11) with damping and dephasing (complex form)."""
    sA, sB, zA, zB = x[0] + 1j * x[1], x[2] + 1j * x[3], x[4], x[5]
    gt = w + gamma + 2 * gamma_phi
    dsA = -(1j * Delta / 2 + gt / 2) * sA + zA / 2 * (Gamma * sA + (kappa - J) * sB)
    dsB = -(-1j * Delta / 2 + gt / 2) * sB + zB / 2 * (Gamma * sB + (kappa + np.conj(J)) * sA)
    dzA = w * (1 - zA) - gamma * (1 + zA) - 2 * np.real(np.conj(sA) * (Gamma * sA + (kappa - J) * sB))
    dzB = w * (1 - zB) - gamma * (1 + zB) - 2 * np.real(np.conj(sB) * (Gamma * sB + (kappa + np.conj(J)) * sA))
    return [dsA.real, dsA.imag, dsB.real, dsB.imag, dzA, dzB]


# (kappa, J, Delta, w, Gamma, gamma, gamma_phi): sync, TW, modulated TW, detuned, complex J, damped
POINTS = [
    (0.5, 0.2, 0.0, 0.5, 1.0, 0.0, 0.0),
    (1.0, 2.0, 0.0, 0.5, 1.0, 0.0, 0.0),
    (1.0, 1.55, 0.0, 0.5, 1.0, 0.0, 0.0),
    (0.5, 1.0, 0.4, 0.5, 1.0, 0.0, 0.0),
    (-0.3, 0.8 + 0.3j, 0.1, 0.6, 1.2, 0.0, 0.0),
    (0.2, 1.0, 0.0, 0.7, 1.0, 0.1, 0.05),
]


def _initial(n, seed=3):
    rng = np.random.default_rng(seed)
    s = 0.1 * np.exp(1j * rng.uniform(-np.pi, np.pi, (n, 2)))
    return np.column_stack([s[:, 0].real, s[:, 0].imag, s[:, 1].real, s[:, 1].imag, np.full(n, 0.9), np.full(n, 0.8)])


def test_grid_integrator_matches_solve_ivp():
    P = np.vstack([param_rows(*p) for p in POINTS])
    Y0 = _initial(len(POINTS))
    from nonrecip.sync.meanfield.solver import IntegratorOptions

    stats, Y = integrate_points(P, Y0, t_final=60.0, early_stop=False,
                                options=IntegratorOptions(rtol=1e-12, atol=1e-14))
    np.testing.assert_allclose(stats[:, K.ST_T_STOP], 60.0, rtol=1e-14)
    for p, y0, y in zip(POINTS, Y0, Y):
        ref = solve_ivp(_rhs_reference, (0, 60.0), y0, method="DOP853", rtol=1e-13, atol=1e-15, args=p)
        np.testing.assert_allclose(y, ref.y[:, -1], rtol=1e-9, atol=1e-11)


def test_trajectory_matches_solve_ivp():
    times = np.linspace(0, 40, 81)
    for p in POINTS[2:5]:
        kappa, J, Delta, w, Gamma, gamma, gamma_phi = p
        init = (0.1 + 0.05j, -0.02 + 0.1j, 0.9, 0.7)
        ds = meanfield_trajectory(SyncParams(kappa=kappa, J=J, Delta=Delta, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi), times=times, initial=init)
        y0 = [0.1, 0.05, -0.02, 0.1, 0.9, 0.7]
        ref = solve_ivp(_rhs_reference, (0, 40), y0, method="DOP853", t_eval=times, rtol=1e-13, atol=1e-15, args=p)
        np.testing.assert_allclose(ds.s_A.values, ref.y[0] + 1j * ref.y[1], rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(ds.z_B.values, ref.y[5], rtol=1e-9, atol=1e-11)
        check_labelled(ds)


@pytest.mark.parametrize("Gamma,J,w", [(1.0, 0.5, 0.5), (2.0, 1.3, 0.7), (1.0, -1.1, 0.3)])
def test_kappa_zero_traveling_wave_exact(Gamma, J, w):
    """docs/theory/sync.md#mean-field-exact-results: z = w/Γ, |s|² = w(1 − w/Γ)/(2Γ), φ_A − φ_B = ±π/2, ω = ±Jw/(2Γ)."""
    ds = meanfield_phase_diagram(0.0, J, w=w, Gamma=Gamma, t_final=1500.0).isel(kappa=0, J=0, Delta=0)
    assert int(ds.phase) == PHASE_CODES["traveling_wave"]
    s2 = w * (1 - w / Gamma) / (2 * Gamma)
    np.testing.assert_allclose(ds.z_A, w / Gamma, atol=1e-4)
    np.testing.assert_allclose(ds.z_B, w / Gamma, atol=1e-4)
    np.testing.assert_allclose(ds.abs_s_A ** 2, s2, atol=1e-4)
    np.testing.assert_allclose(ds.abs_s_B ** 2, s2, atol=1e-4)
    np.testing.assert_allclose(np.abs(ds.phase_difference), np.pi / 2, atol=1e-4)
    sign = np.sign(ds.phase_difference.values)
    # ω_A > 0 ⇔ φ_A − φ_B ≈ +π/2 for J > 0 (docs/theory/sync.md#mean-field-exact-results); J → −J mirrors it (docs/theory/sync.md#symmetries)
    np.testing.assert_allclose(ds.frequency, sign * np.sign(J) * abs(J) * w / (2 * Gamma), atol=1e-4)
    np.testing.assert_allclose(ds.frequency_B, ds.frequency, atol=1e-4)
    # the two initial conditions end in opposite chiralities (complex-conjugate TWs, Eq. 14)
    assert sorted(ds.chirality.values.tolist()) == [-1, 1]


def test_mirror_symmetries_of_phase_diagram():
    """docs/theory/sync.md#symmetries: κ → −κ swaps sync and π-sync (with A ↔ B); J → −J swaps A ↔ B."""
    kappa = np.array([-0.8, -0.4, 0.4, 0.8])
    J = np.array([-2.0, -0.6, -0.2, 0.2, 0.6, 2.0])
    ds = meanfield_phase_diagram(kappa, J, t_final=800.0).isel(Delta=0)
    ph = ds.phase.values
    swap = np.arange(7)
    swap[PHASE_CODES["synchronized"]], swap[PHASE_CODES["pi_synchronized"]] = 2, 1
    np.testing.assert_array_equal(ph[::-1, :], swap[ph])
    np.testing.assert_array_equal(ph[:, ::-1], ph)
    assert {1, 2, 3} <= set(ph.ravel().tolist())
    converged = (ds.stop_reason == 1).all("ic").values
    aA, aB = ds.abs_s_A.isel(ic=0).values, ds.abs_s_B.isel(ic=0).values
    zA, zB = ds.z_A.isel(ic=0).values, ds.z_B.isel(ic=0).values
    for a, b, c, d in [(aA[::-1, :], aB, zA[::-1, :], zB), (aA[:, ::-1], aB, zA[:, ::-1], zB)]:
        np.testing.assert_allclose(a[converged], b[converged], atol=1e-4)
        np.testing.assert_allclose(c[converged], d[converged], atol=1e-4)


def test_mirror_symmetry_exact_on_trajectories():
    """U_B(π)∘P: (κ, J) → (−κ, J) with s_A → −s_B, s_B → s_A... checked on trajectories."""
    t = np.linspace(0, 30, 31)
    sA, sB, zA, zB = 0.1 + 0.05j, -0.03 + 0.08j, 0.9, 0.6
    a = meanfield_trajectory(SyncParams(kappa=0.4, J=0.9), times=t, initial=(sA, sB, zA, zB))
    b = meanfield_trajectory(SyncParams(kappa=-0.4, J=0.9), times=t, initial=(-sB, sA, zB, zA))
    np.testing.assert_allclose(b.s_A.values, -a.s_B.values, atol=1e-10)
    np.testing.assert_allclose(b.s_B.values, a.s_A.values, atol=1e-10)
    np.testing.assert_allclose(b.z_A.values, a.z_B.values, atol=1e-10)
    c = meanfield_trajectory(SyncParams(kappa=0.4, J=-0.9), times=t, initial=(sB, sA, zB, zA))
    np.testing.assert_allclose(c.s_A.values, a.s_B.values, atol=1e-10)


def _kappa_at_rate(lam, J, w, Gamma, gamma, gamma_phi):
    z0 = (w - gamma) / (w + gamma)
    root = (2 * lam - Gamma * z0 + w + gamma + 2 * gamma_phi) / z0
    assert root > 0
    return np.sqrt(root ** 2 + J ** 2)


@pytest.mark.parametrize("J,w,Gamma,gamma,gamma_phi", [(0.3, 1.2, 1.0, 0.0, 0.0), (0.2, 0.5, 1.0, 0.1, 0.05)])
def test_incoherent_threshold_eq31_static(J, w, Gamma, gamma, gamma_phi):
    """Growth rate −0.01 / +0.01 either side of Eq. (31): incoherent below, synchronized above."""
    for lam, expect in ((-0.01, "incoherent"), (0.01, "synchronized")):
        kappa = _kappa_at_rate(lam, J, w, Gamma, gamma, gamma_phi)
        np.testing.assert_allclose(incoherent_growth_rate(kappa, J, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi), lam, atol=1e-12)
        assert bool(eq31_unstable(kappa, J, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi)) == (lam > 0)
        ds = meanfield_phase_diagram(kappa, J, w=w, Gamma=Gamma, gamma=gamma, gamma_phi=gamma_phi, t_final=2000.0).squeeze()
        assert int(ds.phase) == PHASE_CODES[expect], (lam, ds.abs_s_A.values)
        if lam < 0:
            assert float(ds.abs_s_A.max()) < 1e-6
        else:
            assert float(ds.abs_s_A.min()) > 1e-2


def test_incoherent_threshold_eq31_oscillatory():
    """|J| > |κ|: the instability is oscillatory; threshold Γz₀ = γ_tot independent of κ."""
    for gamma_phi, expect in ((0.26, "incoherent"), (0.24, "traveling_wave")):
        lam = incoherent_growth_rate(0.2, 1.0, w=0.5, gamma_phi=gamma_phi)
        np.testing.assert_allclose(lam, 0.01 if expect == "traveling_wave" else -0.01, atol=1e-12)
        # critical slowing down: the TW transient near threshold needs t ≈ 5000 to settle
        ds = meanfield_phase_diagram(0.2, 1.0, w=0.5, gamma_phi=gamma_phi, t_final=6000.0).squeeze()
        assert int(ds.phase) == PHASE_CODES[expect]
        assert (float(ds.abs_s_A.max()) < 1e-6) if lam < 0 else (float(ds.abs_s_A.min()) > 1e-2)


def test_growth_rate_matches_eq31_closed_form():
    rng = np.random.default_rng(1)
    k, J = rng.uniform(-1, 1, 200), rng.uniform(-2, 2, 200)
    w, g, gp = rng.uniform(0.2, 1.5, 200), rng.uniform(0, 0.2, 200), rng.uniform(0, 0.2, 200)
    lam = incoherent_growth_rate(k, J, w=w, gamma=g, gamma_phi=gp)
    z0 = (w - g) / (w + g)
    closed = 0.5 * (z0 - (w + g + 2 * gp) + z0 * np.sqrt((k ** 2 - J ** 2).astype(complex)).real)
    np.testing.assert_allclose(lam, closed, atol=1e-12)
    np.testing.assert_array_equal(lam > 0, eq31_unstable(k, J, w=w, gamma=g, gamma_phi=gp))


def test_pt_real_initial_data_stay_real():
    """Eq. (13): F(x*) = F(x)* for Δ = 0 and real J, so real data stay real; broken otherwise."""
    t = np.linspace(0, 200, 11)
    init = (0.1, -0.05, 0.9, 0.8)
    ds = meanfield_trajectory(SyncParams(kappa=0.3, J=1.2), times=t, initial=init)
    assert np.abs(ds.s_A.imag).max() == 0.0 and np.abs(ds.s_B.imag).max() == 0.0
    assert np.abs(ds.s_A).max() > 0.05
    for kw in ({"Delta": 0.2}, {"J": 1.2 + 0.2j}):
        broken = meanfield_trajectory(SyncParams(**{"kappa": 0.3, "J": 1.2, **kw}), times=t, initial=init)
        assert np.abs(broken.s_A.imag).max() > 1e-3


def test_modulated_tw_cycle_averages_match_brute_force():
    """Limit-cycle averages (exact period) agree with a long solve_ivp window average."""
    p = (1.0, 1.55, 0.0, 0.5, 1.0, 0.0, 0.0)
    ds = meanfield_phase_diagram(1.0, 1.55, t_final=2000.0).isel(kappa=0, J=0, Delta=0, ic=0)
    assert int(ds.phase_ic) == PHASE_CODES["modulated_traveling_wave"]
    assert int(ds.stop_reason) == K.REASON_LIMIT_CYCLE
    y0 = _initial(1)[0]
    ref = solve_ivp(_rhs_reference, (0, 1500), y0, method="DOP853", rtol=1e-10, atol=1e-12, args=p,
                    t_eval=np.arange(500, 1500, 0.02))
    sA = ref.y[0] + 1j * ref.y[1]
    np.testing.assert_allclose(float(ds.abs_s_A), np.abs(sA).mean(), rtol=2e-3)
    omega = -np.polyfit(ref.t, np.unwrap(np.angle(sA)), 1)[0]  # least-squares phase slope
    np.testing.assert_allclose(abs(float(ds.frequency)), abs(omega), rtol=2e-4)
    assert float(ds.relstd_s_A) > 0.05


def test_unsynchronized_and_chirality_with_detuning():
    """docs/theory/sync.md#explicit-pt-breaking (κ = 0.5, J = 1): coexisting chiralities at Δ = 0, unique at 0.3, unlocked at 1.0."""
    ds = meanfield_phase_diagram(0.5, 1.0, Delta=[0.0, 0.3, 1.0], t_final=1500.0).isel(kappa=0, J=0)
    assert sorted(ds.chirality.sel(Delta=0.0).values.tolist()) == [-1, 1]
    ch = ds.chirality.sel(Delta=0.3).values
    assert ch[0] == ch[1] != 0
    assert int(ds.phase.sel(Delta=1.0)) == PHASE_CODES["unsynchronized"]


def test_dataset_labels_and_flags():
    ds = meanfield_phase_diagram([0.5, -0.5], [0.2, 2.0], t_final=300.0, seed=4)
    check_labelled(ds)
    assert ds.phase.attrs["flag_meanings"] == (
        "incoherent synchronized pi_synchronized traveling_wave modulated_traveling_wave unsynchronized ic_disagree")
    np.testing.assert_array_equal(ds.phase.attrs["flag_values"], np.arange(7))
    assert ds.phase.dims == ("kappa", "J", "Delta") and ds.attrs["seed"] == 4
    again = meanfield_phase_diagram([0.5, -0.5], [0.2, 2.0], t_final=300.0, seed=4)
    np.testing.assert_array_equal(ds.initial_phase_A.values, again.initial_phase_A.values)


def test_parameter_errors_name_the_parameter():
    with pytest.raises(SyncParameterError, match="Gamma"):
        meanfield_phase_diagram([0.5, 1.5], 0.3)
    with pytest.raises(SyncParameterError, match="gamma_phi"):
        meanfield_trajectory(SyncParams(kappa=0.1, J=0.3, gamma_phi=-1.0), times=[0, 1])
    with pytest.raises(ValueError, match="times"):
        meanfield_trajectory(SyncParams(kappa=0.1, J=0.3), times=[1, 0])
    with pytest.raises(ValueError, match="kappa"):
        meanfield_phase_diagram(np.zeros((2, 2)), 0.3)
