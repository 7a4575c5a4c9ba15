"""Compiled integrator of the thermodynamic-limit mean-field equations (docs/theory/sync.md#mean-field-limit, Eq. 11).

Why numba: the grids need ~10^5 independent 6-variable trajectories, each of which should stop
as soon as its own state has converged (reduced fixed point = synchronized or traveling wave,
or a limit cycle of the reduced dynamics = modulated traveling wave / unlocked drift). In
NumPy, per-point early stopping and per-point adaptive steps need masked array operations
whose overhead dominates a 6-variable right-hand side; a compiled per-point loop runs each
trajectory at its own step and stops it independently, with ``prange`` over points.
Measured in ``benchmarks/sync_meanfield.py``.

Integrator: Dormand–Prince 5(4) with FSAL and standard step-size control (the step is chosen
by the measured local error, not fixed). State y = (Re s_A, Im s_A, Re s_B, Im s_B, z_A, z_B);
parameter row p = (kappa, Re J, Im J, Delta, w, Gamma, gamma, gamma_phi).

Stopping rules (``early_stop``):

* **reduced fixed point**: the U(1)-invariant rates |d ln|s_A|²/dt|, |d ln|s_B|²/dt|,
  |dz_A/dt|, |dz_B/dt| and |d(φ_A − φ_B)/dt| all stay below ``eps_fp`` for ``t_hold``;
  observables are then the instantaneous (exactly stationary) ones.
* **limit cycle**: Poincaré section at maxima of |s_A|² (located to round-off by secant
  refinement of the step); when the reduced state (|s_A|², |s_B|², z_A, z_B, e^{i(φ_A−φ_B)})
  returns to within ``lc_tol`` of one of the last ``_RING`` section points, averages are taken
  over that exact period.
* **incoherent decay**: the incoherent state is linearly stable (flag computed by the
  caller) and max|s_n| < ``amp_stop``.

Otherwise averages are taken over the window [t_win, t_final].
Time averages use the Hermite-corrected trapezoid rule (4th order, using the known
derivatives at both step ends).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

# output layout of the statistics row
ST_T_STOP, ST_REASON, ST_ABS_A, ST_ABS_B, ST_RSTD_A, ST_RSTD_B = 0, 1, 2, 3, 4, 5
ST_DPHI, ST_CONC, ST_OMEGA_A, ST_OMEGA_B, ST_Z_A, ST_Z_B, ST_PERIOD, ST_NSTEPS = 6, 7, 8, 9, 10, 11, 12, 13
ST_SPAN = 14  # length of the averaging span (window or period; 0 for instantaneous values)
N_STATS = 15
#: stop reasons (values of ST_REASON)
REASON_T_FINAL, REASON_FIXED_POINT, REASON_LIMIT_CYCLE, REASON_INCOHERENT = 0, 1, 2, 3
# option vector layout
OPT_RTOL, OPT_ATOL, OPT_HMAX, OPT_EPS_FP, OPT_T_HOLD, OPT_LC_TOL, OPT_AMP_STOP, OPT_EARLY = range(8)
N_OPTS = 8
_RING = 6  # section points remembered (detects cycles with up to 5 maxima of |s_A|² per period)
_NI = 8  # integrated observables: |sA|, |sB|, |sA|^2, |sB|^2, ux, uy, zA, zB

# Dormand–Prince 5(4) tableau
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.zeros((7, 7))
_A[1, 0] = 1 / 5
_A[2, :2] = [3 / 40, 9 / 40]
_A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
_A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
_A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
_A[6, :6] = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
_E = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])


@nb.njit(cache=True, fastmath=False)
def rhs(y, p, out):
    """Right-hand side of docs/theory/sync.md Eq. (11) with damping γ and dephasing γ_φ (docs/theory/sync.md#mean-field-limit)."""
    sA = complex(y[0], y[1])
    sB = complex(y[2], y[3])
    zA = y[4]
    zB = y[5]
    kap, Jr, Ji, Dl, w, G, g, gp = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    gt = w + g + 2.0 * gp
    cAB = complex(kap - Jr, -Ji)  # kappa - J
    cBA = complex(kap + Jr, -Ji)  # kappa + J*
    fA = G * sA + cAB * sB
    fB = G * sB + cBA * sA
    dA = complex(-0.5 * gt, -0.5 * Dl) * sA + 0.5 * zA * fA
    dB = complex(-0.5 * gt, 0.5 * Dl) * sB + 0.5 * zB * fB
    out[0] = dA.real
    out[1] = dA.imag
    out[2] = dB.real
    out[3] = dB.imag
    out[4] = w * (1.0 - zA) - g * (1.0 + zA) - 2.0 * (sA.conjugate() * fA).real
    out[5] = w * (1.0 - zB) - g * (1.0 + zB) - 2.0 * (sB.conjugate() * fB).real


@nb.njit(cache=True)
def _dp_step(y, k, p, h, ynew, atol, rtol):
    """One Dormand–Prince step from y with k[0] = f(y); fills k[1:], ynew; returns error norm."""
    tmp = np.empty(6)
    for s in range(1, 7):
        for i in range(6):
            acc = y[i]
            for j in range(s):
                acc += h * _A[s, j] * k[j, i]
            tmp[i] = acc
        rhs(tmp, p, k[s])
    err = 0.0
    for i in range(6):
        ynew[i] = tmp[i]  # stage 7 point is the 5th-order solution (FSAL)
        e = 0.0
        for j in range(7):
            e += _E[j] * k[j, i]
        sc = atol + rtol * max(abs(y[i]), abs(tmp[i]))
        r = abs(h * e) / sc
        if r > err:
            err = r
    return err


@nb.njit(cache=True)
def _log_rate_A(y, f):
    """Re(ṡ_A/s_A) = ½ d ln|s_A|²/dt (sign change + → − marks a maximum of |s_A|²)."""
    a = y[0] * y[0] + y[1] * y[1]
    if a == 0.0:
        return 0.0
    return (y[0] * f[0] + y[1] * f[1]) / a


@nb.njit(cache=True)
def _observe(y, f, val, der):
    """Integrated observables and their time derivatives; returns (rate, dphiA/dt, dphiB/dt)."""
    sA = complex(y[0], y[1])
    sB = complex(y[2], y[3])
    dA = complex(f[0], f[1])
    dB = complex(f[2], f[3])
    a = abs(sA)
    b = abs(sB)
    val[0] = a
    val[1] = b
    val[2] = a * a
    val[3] = b * b
    val[6] = y[4]
    val[7] = y[5]
    der[6] = f[4]
    der[7] = f[5]
    ra = 0.0
    rb = 0.0
    wA = 0.0
    wB = 0.0
    if a > 0.0:
        q = dA / sA
        ra = q.real
        wA = -q.imag
    if b > 0.0:
        q = dB / sB
        rb = q.real
        wB = -q.imag
    der[0] = a * ra
    der[1] = b * rb
    der[2] = 2.0 * a * a * ra
    der[3] = 2.0 * b * b * rb
    if a > 0.0 and b > 0.0:
        u = sA.conjugate() * sB / (a * b)
    else:
        u = complex(1.0, 0.0)
    dth = wA - wB  # d(phi_A - phi_B)/dt
    val[4] = u.real
    val[5] = u.imag
    der[4] = -u.imag * dth
    der[5] = u.real * dth
    rate = max(abs(2.0 * ra), abs(2.0 * rb), abs(f[4]), abs(f[5]), abs(dth))
    return rate, wA, wB


@nb.njit(cache=True)
def _fill_stats(st, m, span, dphiA, dphiB):
    """Averages from integrals ``m`` over a span of length ``span`` (window or cycle)."""
    mA = m[0] / span
    mB = m[1] / span
    st[ST_ABS_A] = mA
    st[ST_ABS_B] = mB
    st[ST_RSTD_A] = math.sqrt(max(m[2] / span - mA * mA, 0.0)) / mA if mA > 0 else 0.0
    st[ST_RSTD_B] = math.sqrt(max(m[3] / span - mB * mB, 0.0)) / mB if mB > 0 else 0.0
    ux = m[4] / span
    uy = m[5] / span
    st[ST_DPHI] = math.atan2(uy, ux)
    st[ST_CONC] = math.sqrt(ux * ux + uy * uy)
    st[ST_OMEGA_A] = dphiA / span
    st[ST_OMEGA_B] = dphiB / span
    st[ST_Z_A] = m[6] / span
    st[ST_Z_B] = m[7] / span


@nb.njit(cache=True)
def run_one(y, p, t_final, t_win, opts, incoh_stable, z0, st):
    """Integrate one trajectory in place (y becomes the state at the stop time); fill ``st``."""
    rtol, atol, hmax = opts[OPT_RTOL], opts[OPT_ATOL], opts[OPT_HMAX]
    eps_fp, t_hold, lc_tol = opts[OPT_EPS_FP], opts[OPT_T_HOLD], opts[OPT_LC_TOL]
    amp_stop, early = opts[OPT_AMP_STOP], opts[OPT_EARLY] > 0.5
    k = np.empty((7, 6))
    ynew = np.empty(6)
    ytry = np.empty(6)
    ktry = np.empty((7, 6))
    v0 = np.empty(_NI)
    d0 = np.empty(_NI)
    v1 = np.empty(_NI)
    d1 = np.empty(_NI)
    win = np.zeros(_NI)
    cyc = np.zeros(_NI)
    ring_int = np.zeros((_RING, _NI))  # integrals between consecutive section points
    ring_x = np.zeros((_RING, 6))  # reduced state at section points
    ring_t = np.zeros(_RING)
    ring_pa = np.zeros(_RING)
    ring_pb = np.zeros(_RING)
    n_sec = 0
    rhs(y, p, k[0])
    rate, wA, wB = _observe(y, k[0], v0, d0)
    t = 0.0
    h = min(0.05, hmax)
    phA = -math.atan2(y[1], y[0])
    phB = -math.atan2(y[3], y[2])
    phA_win = 0.0
    phB_win = 0.0
    t_win_start = -1.0
    hold_start = -1.0
    reason = REASON_T_FINAL
    nsteps = 0
    st[ST_PERIOD] = np.nan
    while t < t_final * (1.0 - 1e-14):
        h = min(h, hmax, t_final - t)
        err = _dp_step(y, k, p, h, ynew, atol, rtol)
        nsteps += 1
        if not (err <= 1.0):  # also catches NaN
            h *= max(0.2, 0.9 * err ** -0.2) if err == err else 0.2
            continue
        fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** -0.2))
        hstep = h
        g0 = _log_rate_A(y, k[0])
        g1 = _log_rate_A(ynew, k[6])
        section = False
        if early and g0 > eps_fp and g1 < -eps_fp:
            # refine the step so that it ends exactly on the maximum of |s_A|^2 (secant/Illinois)
            lo, hi, glo, ghi = 0.0, h, g0, g1
            hm = h
            ktry[0, :] = k[0, :]
            for _ in range(30):
                hm = lo - glo * (hi - lo) / (ghi - glo)
                _dp_step(y, ktry, p, hm, ytry, atol, rtol)  # ktry[6] = f(ytry) (FSAL)
                gm = _log_rate_A(ytry, ktry[6])
                if gm > 0:
                    lo, glo = hm, gm
                    ghi *= 0.5
                else:
                    hi, ghi = hm, gm
                    glo *= 0.5
                if abs(gm) < 1e-13 or hi - lo < 1e-13:
                    break
            hstep = hm
            ynew[:] = ytry
            k[6, :] = ktry[6, :]
            section = True
        rate, wA1, wB1 = _observe(ynew, k[6], v1, d1)
        # phase increments (s = r e^{-i phi})
        dpa = -math.atan2(ynew[1] * y[0] - ynew[0] * y[1], ynew[0] * y[0] + ynew[1] * y[1])
        dpb = -math.atan2(ynew[3] * y[2] - ynew[2] * y[3], ynew[2] * y[2] + ynew[3] * y[3])
        phA += dpa
        phB += dpb
        for i in range(_NI):
            inc = 0.5 * hstep * (v0[i] + v1[i]) + hstep * hstep / 12.0 * (d0[i] - d1[i])
            cyc[i] += inc
            if t_win_start >= 0.0:
                win[i] += inc
        t += hstep
        y[:] = ynew
        k[0, :] = k[6, :]
        v0[:] = v1
        d0[:] = d1
        if t_win_start < 0.0 and t >= t_win:
            t_win_start = t
            phA_win = phA
            phB_win = phB
        if not section:
            h = h * fac
        if not early:
            continue
        if section:
            j = n_sec % _RING
            ring_int[j, :] = cyc
            cyc[:] = 0.0
            ring_t[j] = t
            ring_pa[j] = phA
            ring_pb[j] = phB
            ring_x[j, 0] = v1[2]
            ring_x[j, 1] = v1[3]
            ring_x[j, 2] = v1[6]
            ring_x[j, 3] = v1[7]
            ring_x[j, 4] = v1[4]
            ring_x[j, 5] = v1[5]
            n_sec += 1
            found = -1
            for m in range(1, min(n_sec, _RING)):
                jo = (j - m) % _RING
                if n_sec - 1 - m < 1:  # the first section point has no complete interval before it
                    break
                d = 0.0
                for i in range(6):
                    sc = 1.0
                    if i < 2:
                        sc = max(ring_x[j, i], 1e-300)
                    d = max(d, abs(ring_x[j, i] - ring_x[jo, i]) / sc)
                if d < lc_tol:
                    found = m
                    break
            if found > 0:
                tot = np.zeros(_NI)
                for m in range(found):
                    tot += ring_int[(j - m) % _RING]
                jo = (j - found) % _RING
                span = t - ring_t[jo]
                _fill_stats(st, tot, span, phA - ring_pa[jo], phB - ring_pb[jo])
                st[ST_PERIOD] = span
                st[ST_SPAN] = span
                reason = REASON_LIMIT_CYCLE
                break
        if rate < eps_fp:
            if hold_start < 0.0:
                hold_start = t
            elif t - hold_start >= t_hold:
                reason = REASON_FIXED_POINT
                break
        else:
            hold_start = -1.0
        if incoh_stable and max(v1[0], v1[1]) < amp_stop and abs(y[4] - z0) < 1e-3 and abs(y[5] - z0) < 1e-3:
            reason = REASON_INCOHERENT
            break
    st[ST_T_STOP] = t
    st[ST_REASON] = reason
    st[ST_NSTEPS] = nsteps
    if reason == REASON_FIXED_POINT or reason == REASON_INCOHERENT:
        rate, wA, wB = _observe(y, k[0], v1, d1)
        st[ST_ABS_A] = v1[0]
        st[ST_ABS_B] = v1[1]
        st[ST_RSTD_A] = 0.0
        st[ST_RSTD_B] = 0.0
        st[ST_DPHI] = math.atan2(v1[5], v1[4])
        st[ST_CONC] = 1.0
        st[ST_OMEGA_A] = wA
        st[ST_OMEGA_B] = wB
        st[ST_Z_A] = y[4]
        st[ST_Z_B] = y[5]
        st[ST_SPAN] = 0.0
    elif reason == REASON_T_FINAL:
        span = t - t_win_start
        if t_win_start < 0.0 or span <= 0.0:
            rate, wA, wB = _observe(y, k[0], v1, d1)
            win[:] = v1
            _fill_stats(st, win, 1.0, wA, wB)
            st[ST_SPAN] = 0.0
        else:
            _fill_stats(st, win, span, phA - phA_win, phB - phB_win)
            st[ST_SPAN] = span


@nb.njit(cache=True, parallel=True)
def run_many(P, Y, t_final, t_win, opts, incoh_stable, z0, stats):
    """Run ``run_one`` for every row of P (parameters) and Y (initial states, updated in place)."""
    n = P.shape[0]
    for i in nb.prange(n):
        run_one(Y[i], P[i], t_final, t_win, opts, incoh_stable[i], z0[i], stats[i])


@nb.njit(cache=True)
def run_dense(y, p, times, rtol, atol, hmax, out):
    """Integrate one trajectory and store the state at every time of ``times`` (increasing)."""
    k = np.empty((7, 6))
    ynew = np.empty(6)
    rhs(y, p, k[0])
    t = times[0]
    out[0, :] = y
    h = min(0.05, hmax)
    for n in range(1, times.shape[0]):
        while t < times[n]:
            last = False
            if t + h >= times[n]:
                hh = times[n] - t
                last = True
            else:
                hh = h
            err = _dp_step(y, k, p, hh, ynew, atol, rtol)
            if not (err <= 1.0):
                h = hh * (max(0.2, 0.9 * err ** -0.2) if err == err else 0.2)
                continue
            fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** -0.2))
            y[:] = ynew
            k[0, :] = k[6, :]
            if last:  # a step clipped to an output time does not set the next step size
                t = times[n]
                if fac < 1.0:
                    h = min(h, hh * fac)
            else:
                t += hh
                h = min(hh * fac, hmax)
        out[n, :] = y
