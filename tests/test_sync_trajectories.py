"""Conditional trajectories of paper S (docs/theory/sync.md#monitored-trajectories): cumulant and exact SME vs independent references."""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
import qutip as qt
from scipy.integrate import solve_ivp

sys.path.insert(0, str(Path(__file__).parent))
from _sync_fullspace import full_model, label_operator, moment  # noqa: E402

from nonrecip.sync import trajectories  # noqa: E402
from nonrecip.sync.model import SyncParams  # noqa: E402
from nonrecip.sync.monitored.cumulant_sme import sme_model  # noqa: E402

SYNC = dict(kappa=0.5, J=0.2)  # synchronized point of docs/theory/sync.md#finite-n-results (collective Γ = 1, w = 0.5)


def _site_factory(n):
    def site(op, k):
        ops = [qt.qeye(2)] * n
        ops[k] = op
        return qt.tensor(ops)
    return site


def test_sme_terms_exact_vs_qutip():
    """Drift ⟨𝓛†O⟩, ⟨O c̃⟩ and ⟨c̃†O⟩ of all 27 labels (all charges) on a random symmetric 3+3 state."""
    N, n = 3, 6
    micro = SyncParams(kappa=0.5, J=0.7 + 0.2j, Delta=0.3, w=0.4).microscopic(N)
    site = _site_factory(n)
    rho = qt.rand_dm(2**n, seed=7)
    rho.dims = [[2] * n, [2] * n]
    rho = sum(rho.permute(list(a) + [3 + i for i in b])
              for a in itertools.permutations(range(3)) for b in itertools.permutations(range(3))) / 36
    m = sme_model(N, micro)
    y = np.zeros(m.n_ext, complex)
    y[0] = 1.0
    for i, lab in enumerate(m.labels + m.closed):  # exact moments, third order included
        y[i + 1] = moment(rho, site, N, lab[:3], lab[3:])
    c = -1j * np.sqrt(m.gamma_m) * sum(site(qt.sigmam(), k) for k in range(n))
    L, _ = full_model(N, N, **{k: getattr(micro, k) for k in ("Gamma", "kappa", "J", "Delta", "w")})
    drho = qt.vector_to_operator(L * qt.operator_to_vector(rho))
    for (ptr, idx, val), ref in ((m.D, lambda O: (O * drho).tr()),
                                 (m.Mc, lambda O: (O * c * rho).tr()),
                                 (m.Md, lambda O: (c.dag() * O * rho).tr())):
        for i, lab in enumerate(m.labels):
            got = np.dot(val[ptr[i]:ptr[i + 1]], y[idx[ptr[i]:ptr[i + 1]]])
            assert abs(got - ref(label_operator(site, N, lab))) < 1e-13, lab
    assert abs(np.dot(m.c_val, y[m.c_idx]) - (c * rho).tr()) < 1e-14
    assert len(m.labels) == 27


def _k2_cumulant_rhs(y, N, *, kappa, J, Delta=0.0, w=0.5, Gamma=1.0, gamma=0.0, gamma_phi=0.0):
    """K = 2 cumulant equations of docs/theory/sync.md Eq. (1) + Eq. (28), derived by hand for this test.

    Independent of :mod:`nonrecip.sync.cumulants.hierarchy` (which generates the hierarchy
    numerically). Collective rates in; microscopic g = Γ/N, k = κ/N, j = J/N; a, a' ∈ A and b, b' ∈ B are
    distinct spins; γ_t = w + γ + 2γ_φ. With A_ab = (k − j)/2, A_ba = (k + j*)/2 the exact
    Heisenberg equation of one spin reads
        L†σ^-_q = −(g/2 + γ_t/2 + iδ_q) σ^-_q + Σ_{s≠q} A_qs σ^z_q σ^-_s  (A_aa' = A_bb' = g/2,
    δ_A = Δ/2 = −δ_B); products on distinct spins follow from
    L†(XY) = L†(X)Y + X L†(Y) + Σ_st G_st [σ^+_t, X][Y, σ^-_s] (G: g within, k across species).
    Third-order moments are closed with vanishing third cumulant; every U(1)-charged factor
    (⟨σ^±⟩) is zero here. Real variables: z_A, z_B, c_AA, c_BB, Re/Im c_AB, zz_AA, zz_BB, zz_AB
    with c_AB = ⟨σ^+_a σ^-_b⟩, c_nn = ⟨σ^+_n σ^-_n'⟩, zz = ⟨σ^z σ^z'⟩.
    """
    zA, zB, cAA, cBB, re, im, zzAA, zzBB, zzAB = y
    cAB = re + 1j * im
    g, k, j = Gamma / N, kappa / N, complex(J) / N
    gam, D = gamma, Delta
    gt = w + gam + 2 * gamma_phi
    Aab, Aba = (k - j) / 2, (k + np.conj(j)) / 2
    rA, rB = (Aab * cAB).real, (Aba * np.conj(cAB)).real
    dcAB = (-(g + gt - 1j * D) * cAB + np.conj(Aab) * (zA + zzAB) / 2 + Aba * (zB + zzAB) / 2
            + (N - 1) * (g / 2 * cAB * (zA + zB) + np.conj(Aab) * cBB * zA + Aba * cAA * zB))
    return [
        w * (1 - zA) - (gam + g) * (1 + zA) - 2 * (N - 1) * g * cAA - 4 * N * rA,
        w * (1 - zB) - (gam + g) * (1 + zB) - 2 * (N - 1) * g * cBB - 4 * N * rB,
        -(g + gt) * cAA + g / 2 * (zA + zzAA) + (N - 2) * g * zA * cAA + 2 * N * zA * rA,
        -(g + gt) * cBB + g / 2 * (zB + zzBB) + (N - 2) * g * zB * cBB + 2 * N * zB * rB,
        dcAB.real,
        dcAB.imag,
        2 * (w * (zA - zzAA) - (gam + g) * (zA + zzAA)) + 4 * g * cAA - 4 * (N - 2) * g * zA * cAA - 8 * N * zA * rA,
        2 * (w * (zB - zzBB) - (gam + g) * (zB + zzBB)) + 4 * g * cBB - 4 * (N - 2) * g * zB * cBB - 8 * N * zB * rB,
        (w * (zA + zB - 2 * zzAB) - (gam + g) * (zA + zB + 2 * zzAB) + 4 * k * cAB.real
         - 2 * (N - 1) * (g * cAA * zB + g * cBB * zA + 2 * rA * zB + 2 * rB * zA)),
    ]


@pytest.mark.parametrize("detection, point", [
    ("heterodyne", SYNC), ("homodyne", SYNC),
    ("heterodyne", dict(kappa=0.3, J=0.7 + 0.4j, Delta=0.3, w=0.4)),
])
def test_eta0_every_trajectory_is_the_deterministic_cumulant_solution(detection, point):
    """η = 0: every trajectory of the cumulant SME (package: Euler steps of the drift generated by
    :mod:`nonrecip.sync.cumulants.hierarchy` in the numba kernel) equals the deterministic K = 2
    cumulant solution, here the hand-derived equations of ``_k2_cumulant_rhs`` integrated by
    SciPy DOP853 (rtol 1e-12). The Euler error is O(dt): it must halve when dt halves, and the
    Richardson combination 2x(dt/2) − x(dt) must agree with the reference to O(dt²)."""
    N = 20
    times = np.arange(0.0, 6.0 + 1e-9, 0.5)
    ref = solve_ivp(lambda t, y: _k2_cumulant_rhs(y, N, **point), (0.0, times[-1]),
                    [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], t_eval=times,
                    method="DOP853", rtol=1e-12, atol=1e-13).y
    want = {"z_A": ref[0], "z_B": ref[1], "corr_AB": ref[4] + 1j * ref[5]}
    runs = {dt: trajectories(N, SyncParams(**point), efficiency=0.0, n_traj=3, times=times, dt=dt, seed=1,
                             detection=detection) for dt in (0.002, 0.001)}
    for ds in runs.values():
        assert not ds.diverged.any()
        assert np.max(np.abs(ds.s_A.values)) == 0.0 and np.max(np.abs(ds.s_B.values)) == 0.0  # U(1)
        for name in want:
            v = ds[name].values
            assert np.max(np.abs(v - v[0])) == 0.0  # no noise at η = 0: all trajectories equal
    for name, r in want.items():
        coarse, fine = runs[0.002][name].values[0], runs[0.001][name].values[0]
        e_coarse, e_fine = np.max(np.abs(coarse - r)), np.max(np.abs(fine - r))
        assert e_coarse < 1e-3, (name, e_coarse)  # Euler, O(dt): measured 2.3e-4 (z_A, SYNC)
        assert 1.9 < e_coarse / e_fine < 2.1, (name, e_coarse, e_fine)  # first order
        assert np.max(np.abs(2 * fine - coarse - r)) < 1e-6, name  # O(dt²): measured 1.2e-7
    assert abs(want["z_A"][-1] - want["z_A"][0]) > 0.3  # it did evolve
    assert np.max(np.abs(want["corr_AB"])) > 0.05  # and built up inter-species correlations


def _mesolve_reference(N, times, kappa, J, Delta=0.0, w=0.5):
    micro = SyncParams(kappa=kappa, J=J, Delta=Delta, w=w).microscopic(N)
    L, site = full_model(N, N, **{k: getattr(micro, k) for k in ("Gamma", "kappa", "J", "Delta", "w")})
    rho0 = qt.ket2dm(qt.tensor([qt.basis(2, 0)] * (2 * N)))
    res = qt.mesolve(L, rho0, times, options={"store_states": True, "atol": 1e-10, "rtol": 1e-8})
    zA = np.array([moment(r, site, N, (0, 0, 1), (0, 0, 0)).real for r in res.states])
    cAB = np.array([moment(r, site, N, (1, 0, 0), (0, 1, 0)) for r in res.states])
    return zA, cAB


@pytest.mark.parametrize("detection, Delta", [("heterodyne", 0.0), ("homodyne", 0.0), ("heterodyne", 0.4)])
def test_trajectory_average_matches_master_equation(detection, Delta):
    """E[⟨σ^z_A⟩_c] and E[⟨σ^+_Aσ^-_B⟩_c] equal the QuTiP mesolve result within 3 SE (N = 2).

    Δ ≠ 0 exercises the complex-arithmetic path of the exact integrator."""
    N, n_traj = 2, 400
    times = np.array([0.0, 0.5, 1.0, 2.0, 4.0])
    pt = dict(kappa=0.5, J=1.5, Delta=Delta)
    ds = trajectories(N, SyncParams(**pt), n_traj=n_traj, times=times, dt=0.005, seed=11, method="exact",
                      detection=detection, theta=0.3)
    zA, cAB = _mesolve_reference(N, times, **pt)
    for name, ref in (("z_A", zA), ("corr_AB", cAB)):
        v = ds[name].values
        mean = v.mean(axis=0)
        for part in (np.real, np.imag):
            se = part(v).std(axis=0, ddof=1) / np.sqrt(n_traj)
            assert np.all(np.abs(part(mean) - part(ref)) <= 3 * se + 2e-3), (name, mean, ref, se)
    # the conditional states are genuinely stochastic (measurement back-action)
    assert ds.z_A.values[:, 2].std() > 0.05
    # and the charged moments average to zero (U(1) of the unconditional state)
    sA = ds.s_A.values[:, 2:]
    for part in (np.real, np.imag):
        assert np.all(np.abs(part(sA).mean(0)) <= 3 * part(sA).std(0) / np.sqrt(n_traj))


def _qutip_sme(N, times, kappa, J, heterodyne, ntraj, seed, w=0.5):
    """Independent QuTiP smesolve of the same monitored model (full space, Eq. 5 channels)."""
    n = 2 * N
    site = _site_factory(n)
    G, k, Jm = 1.0 / N, kappa / N, J / N
    SmA = sum(site(qt.sigmam(), i) for i in range(N))
    SmB = sum(site(qt.sigmam(), i) for i in range(N, n))
    H = 0.5j * (Jm * SmA.dag() * SmB - Jm * SmB.dag() * SmA)
    c_ops = [np.sqrt((G - k) / 2) * (SmA - SmB)] + [np.sqrt(w) * site(qt.sigmap(), i) for i in range(n)]
    sc_ops = [-1j * np.sqrt((G + k) / 2) * (SmA + SmB)]
    rho0 = qt.ket2dm(qt.tensor([qt.basis(2, 0)] * n))
    res = qt.smesolve(H, rho0, times, c_ops=c_ops, sc_ops=sc_ops, heterodyne=heterodyne,
                      e_ops=[site(qt.sigmam(), 0)], ntraj=ntraj, seeds=seed,
                      options={"dt": 0.005, "method": "euler", "keep_runs_results": True,
                               "progress_bar": False})
    return np.array(res.runs_expect[0])


@pytest.mark.parametrize("detection", ["heterodyne", "homodyne"])
def test_exact_conditional_statistics_vs_qutip_smesolve(detection):
    """Measurement-sensitive statistics E[(Re s_A)²], E[(Im s_A)²] vs QuTiP smesolve (N = 2).

    The unconditional average cannot see the noise term; these second moments of the
    conditional state can (strength √η, heterodyne vs homodyne, quadrature θ = 0).
    """
    N, times = 2, np.array([0.0, 0.5, 1.0])
    pt = dict(kappa=0.5, J=0.2)
    ref = _qutip_sme(N, times, **pt, heterodyne=detection == "heterodyne", ntraj=200, seed=5)
    ds = trajectories(N, SyncParams(**pt), n_traj=400, times=times, dt=0.005, seed=4, method="exact",
                      detection=detection, theta=0.0)
    got = ds.s_A.values
    signal = []
    for part in (np.real, np.imag):
        a, b = part(got[:, 1:]) ** 2, part(ref[:, 1:]) ** 2
        se = np.sqrt(a.var(0, ddof=1) / a.shape[0] + b.var(0, ddof=1) / b.shape[0])
        assert np.all(np.abs(a.mean(0) - b.mean(0)) <= 3.5 * se + 1e-12), (a.mean(0), b.mean(0), se)
        signal.append(b.mean(0)[0])
    assert max(signal) > 0.02  # non-trivial signal
    if detection == "homodyne":  # θ = 0 measures i(S^+ − S^-) ∝ Im s: Re s_A stays 0 (Δ = 0, real J)
        assert signal[0] < 1e-20 and np.max(np.abs(got.real)) < 1e-12


def _stationary_stats(ds, t0):
    d = ds.sel(time=slice(t0, None))
    sA, sB = d.s_A.values, d.s_B.values
    q = {"z_A": d.z_A.values, "abs2_A": np.abs(sA) ** 2, "abs2_B": np.abs(sB) ** 2,
         "Re_sA*sB": (np.conj(sA) * sB).real, "cos_dphi": np.cos(np.angle(sA) - np.angle(sB))}
    # one time average per trajectory -> independent samples
    return {k: (v.mean(1).mean(), v.mean(1).std(ddof=1) / np.sqrt(v.shape[0])) for k, v in q.items()}


def _exact_vs_cumulant(N, n_exact, T, t0, dt_exact):
    times = np.arange(0.0, T + 1e-9, 0.2)
    ex = trajectories(N, SyncParams(**SYNC), n_traj=n_exact, times=times, dt=dt_exact, seed=1, method="exact")
    cu = trajectories(N, SyncParams(**SYNC), n_traj=64, times=times, dt=0.01, seed=2, method="cumulant2")
    weak = trajectories(N, SyncParams(**SYNC), n_traj=64, times=times, dt=0.01, seed=3, efficiency=0.1)
    se, sc, sh = _stationary_stats(ex, t0), _stationary_stats(cu, t0), _stationary_stats(weak, t0)
    for k in se:
        (a, ea), (b, eb) = se[k], sc[k]
        # 3 SE plus the K = 2 closure error (z_A: 7% at N = 10, docs/theory/sync.md#finite-n-results)
        assert abs(a - b) <= 3 * np.hypot(ea, eb) + 0.08 * abs(a), (k, se[k], sc[k])
    # the comparison can fail: a wrong measurement strength changes |s|² by far more
    (a, ea), (c, ec) = se["abs2_A"], sh["abs2_A"]
    assert abs(a - c) > 3 * np.hypot(ea, ec) + 0.08 * abs(a)


def test_exact_vs_cumulant_trajectories_N6_sync():
    """Exact symmetric-space vs cumulant trajectories agree statistically (N = 6, sync)."""
    _exact_vs_cumulant(6, n_exact=10, T=25.0, t0=8.0, dt_exact=0.02)


@pytest.mark.slow
def test_exact_vs_cumulant_trajectories_N10_sync():
    """Same at N = 10 (exact state dimension 81 796)."""
    _exact_vs_cumulant(10, n_exact=6, T=30.0, t0=10.0, dt_exact=0.02)


def test_seed_reproducibility_and_dataset():
    times = np.arange(0.0, 2.0 + 1e-9, 0.5)
    a = trajectories(8, SyncParams(kappa=1.0, J=2.0), n_traj=4, times=times, dt=0.01, seed=3)
    b = trajectories(8, SyncParams(kappa=1.0, J=2.0), n_traj=4, times=times, dt=0.01, seed=3)
    c = trajectories(8, SyncParams(kappa=1.0, J=2.0), n_traj=4, times=times, dt=0.01, seed=4)
    np.testing.assert_array_equal(a.s_A.values, b.s_A.values)
    assert np.max(np.abs(a.s_A.values - c.s_A.values)) > 1e-3
    assert a.s_A.dims == ("trajectory", "time") and np.iscomplexobj(a.s_A.values)
    assert not np.iscomplexobj(a.z_A.values)
    for v in list(a.data_vars) + list(a.coords):
        assert "units" in a[v].attrs and "long_name" in a[v].attrs, v
    assert a.attrs["seed"] == 3 and a.attrs["dt"] == 0.01


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(method="rk4"), "method"),
        (dict(detection="photon"), "detection"),
        (dict(efficiency=1.5), "efficiency"),
        (dict(dt=0.03), "times"),
        (dict(n_traj=0), "n_traj"),
        (dict(kappa=2.0), "Gamma"),
        (dict(N=40, method="exact"), "N"),
    ],
)
def test_invalid_arguments(kwargs, word):
    args = dict(N=4, kappa=0.5, J=0.2, n_traj=2, times=[0.0, 0.1], dt=0.01, seed=0)
    args.update(kwargs)
    N = args.pop("N")
    with pytest.raises(ValueError, match=word):
        model = SyncParams(kappa=args.pop("kappa"), J=args.pop("J"))
        trajectories(N, model, **args)


def test_random_phase_initial_state_exact_vs_cumulant():
    """Product initial states: both methods start from the same moments and, at η = 0 and N = 3,
    stay close (a product state evolves almost as mean field over short times)."""
    t = np.arange(0.0, 1.0 + 1e-9, 0.25)
    kw = dict(n_traj=3, times=t, dt=0.005, seed=9, initial="random_phase", efficiency=0.0)
    a = trajectories(3, SyncParams(kappa=0.5, J=0.2), method="exact", **kw)
    b = trajectories(3, SyncParams(kappa=0.5, J=0.2), method="cumulant2", **kw)
    np.testing.assert_allclose(np.abs(a.s_A.values[:, 0]), 0.5, atol=1e-12)
    np.testing.assert_allclose(a.corr_AB.values[:, 0], np.conj(a.s_A.values[:, 0]) * a.s_B.values[:, 0], atol=1e-12)
    for v in ("s_A", "s_B", "z_A", "corr_AB"):
        np.testing.assert_allclose(a[v].values[:, 0], b[v].values[:, 0], atol=1e-12)
        np.testing.assert_allclose(a[v].values, b[v].values, atol=5e-3)
    assert np.std(np.angle(a.s_A.values[:, 0])) > 0.1  # phases differ between trajectories


def test_homodyne_symmetry_pins_phases_from_inverted_state():
    """From the inverted state, homodyne (θ = 0, Δ = 0, real J) keeps s_n purely imaginary
    (antiunitary U K symmetry, see ``trajectories``), so φ_A − φ_B ∈ {0, π}; random phases break it."""
    t = np.arange(0.0, 20.0 + 1e-9, 0.5)
    kw = dict(n_traj=4, times=t, dt=0.01, seed=2, detection="homodyne")
    pinned = trajectories(20, SyncParams(kappa=1.0, J=4.0), **kw)
    assert np.max(np.abs(pinned.s_A.values.real)) < 1e-12 and np.max(np.abs(pinned.s_A.values[:, -1])) > 0.05
    free = trajectories(20, SyncParams(kappa=1.0, J=4.0), initial="random_phase", **kw)
    assert np.max(np.abs(free.s_A.values.real)) > 0.05
