"""Full susceptibility-integral couplings at a finite NV–film distance d (docs/theory/emission.md#coupling-integrals, docs/theory/emission.md#coupling-integral-evaluation, docs/theory/emission.md#near-field).

Paper E Eqs. (37)–(40) with (43), (46) and the sign-corrected Eq. (47),
Ω(k) = (k − k0x̂)² − k1², reduce to two functions of the separation x (units of a):

    I_γ(x) = ∫d²k k² e^{−2kd} δ(Ω) e^{ik_x x}                       (dissipative part)
    P(x)   = P.V.∫d²k k² e^{−2kd} e^{ik_x x} / Ω  =  P_nf(x) + P2(x)   (coherent part)
    P_nf(x) = ∫d²k e^{−2kd} e^{ik·r} = 4πd / (x² + 4d²)^{3/2}           (near field, exact)

and γ/γ0 = I_γ(x)/I_γ(0), J/γ0 = −f_J P(x)/(π I_γ(0)) (docs/theory/emission.md#coupling-integrals).

Algorithm (faster and more accurate than the q-quadrature + Bessel series of docs/theory/emission.md#coupling-integral-evaluation)
-----------------------------------------------------------------------------------------
Polar coordinates k = k(cos θ, sin θ) about k = 0 (not about the circle centre k0x̂). With
c = cos θ, s = 2d − i x c and κ² = k1² − k0² > 0, the resonance denominator along each ray,
Ω = k² − 2k0ck − κ² = (k − k₊)(k − k₋), has exactly one positive root
k₊ = k0c + √(k0²c² + κ²) and one negative root k₋ = −κ²/k₊. The radial integrals are then
elementary (exponential integrals, exact for every θ):

    ∫₀^∞ k dk k² e^{−sk} δ(Ω)          = k₊³ e^{−sk₊} / (k₊ − k₋)
    P.V.∫₀^∞ k dk k² e^{−sk} / Ω        = 1/s² + 2k0c/s + [k₊³ F₊ − k₋³ F₋] / (k₊ − k₋)
    F₊ = P.V.∫₀^∞ e^{−sk}/(k − k₊) dk   = −e^{−sk₊} Ei(sk₊)       (Re s k₊ > 0: no branch cut)
    F₋ = ∫₀^∞ e^{−sk}/(k − k₋) dk       = e^{−sk₋} E1(−sk₋)       (Re(−sk₋) > 0)

The 1/s² term integrates over θ to P_nf exactly, so only P2 is integrated numerically. The
θ-integrands are analytic and 2π-periodic, so the trapezoid rule converges geometrically; the
nearest complex singularities sit at Im θ ≈ asinh(2d/x) (s = 0, weak log/pole) and
Im θ ≈ asinh(κ/|k0|) (k₊ = k₋). Parametrising the resonance circle by θ also resolves the arc
of the circle that passes within k1 − |k0| ≈ κ²/(2|k0|) of the cone point k = 0 of e^{−2kd},
where the trapezoid on the shifted circle (docs/theory/emission.md#coupling-integral-evaluation M rule) converges only algebraically.

Nodes are chosen by measured convergence: nested trapezoid rules on θ ∈ [0, π] (the integrands
depend on cos θ only) are doubled until the normalised couplings change by less than ``tol``.
The separations are evaluated together as one (x, θ) array; negative separations are the
complex conjugates of positive ones (f(−x) = f(x)*, docs/theory/emission.md#hermiticity), exactly by construction.
Written here rather than taken from a library because no library evaluates these integrals;
measured cost and accuracy: ``benchmarks/coupling_integrals.py`` and ``benchmarks/README.md``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["resonance_integral", "near_field_integral", "principal_value_integral", "integral_couplings"]

#: default convergence tolerance on γ/γ0 and J/γ0 (absolute, γ0 units; J relative to max(1, |J|))
DEFAULT_TOL = 1e-10
#: maximum number of trapezoid intervals on θ ∈ [0, π] (full circle: twice this)
MAX_INTERVALS = 2**21
_BLOCK = 2**18  # (x, θ) elements evaluated per chunk (memory bound)
_ASYMPTOTIC_RE = 600.0  # beyond this Re(z), Ei/E1 overflow: use the asymptotic series


def _check(x, k0, k1, d):
    """Convert and validate the common inputs; return (x ndarray, k0, k1, d) as floats."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"x must be an array of real separations (units of a): {exc}") from None
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (separations in units of the lattice constant a)")
    values = {}
    for name, value in (("k0", k0), ("k1", k1), ("d", d)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number, got {value!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        values[name] = value
    k0, k1, d = values["k0"], values["k1"], values["d"]
    if k1 <= 0:
        raise ValueError(f"k1 must be > 0 (radius of the resonance circle, units of 1/a), got {k1}")
    if k1 <= abs(k0):
        raise ValueError(
            f"k1 must exceed |k0| (kappa^2 = k1^2 - k0^2 > 0, qubits above the band bottom at k=0), "
            f"got k1={k1}, k0={k0}; the resonance circle must enclose k = 0 for this algorithm"
        )
    if d <= 0:
        raise ValueError(
            f"d must be > 0 (NV-film distance in units of a), got {d}; for d -> 0 use the closed "
            "form, paper E Eqs. (48)-(49) (nonrecip.emission.couplings.closed_form_couplings)"
        )
    return x, k0, k1, d


def _check_tol(tol):
    tol = float(tol)
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, got {tol}")
    return tol


def _scaled_ei(z):
    """e^{−z} Ei(z) for Re z > 0 (asymptotic series where Ei would overflow)."""
    big = z.real > _ASYMPTOTIC_RE
    if not big.any():
        return np.exp(-z) * special.expi(z)
    out = np.empty_like(z)
    small = ~big
    zs = z[small]
    out[small] = np.exp(-zs) * special.expi(zs)
    zb = z[big]
    term = 1.0 / zb
    total = term.copy()
    for n in range(1, 60):  # |z| > 600: n!/z^n decreases for n < 600
        term = term * (n / zb)
        total += term
    out[big] = total  # + iπ sgn(Im z) e^{−z}, below e^{−600}
    return out


def _scaled_e1(w):
    """e^{w} E1(w) for Re w > 0 (asymptotic series where e^{w} would overflow)."""
    big = w.real > _ASYMPTOTIC_RE
    if not big.any():
        return np.exp(w) * special.exp1(w)
    out = np.empty_like(w)
    small = ~big
    ws = w[small]
    out[small] = np.exp(ws) * special.exp1(ws)
    wb = w[big]
    term = 1.0 / wb
    total = term.copy()
    for n in range(1, 60):
        term = term * (-n / wb)
        total += term
    out[big] = total
    return out


def _ray_integrands(xabs, theta, k0, k1, d, with_pv):
    """θ-integrands of I_γ and P2 at separations ``xabs`` (≥ 0) and angles ``theta``.

    Returns arrays of shape (len(xabs), len(theta)); the second is None if not ``with_pv``.
    """
    c = np.cos(theta)
    kap2 = (k1 - k0) * (k1 + k0)
    root = np.sqrt(k0 * k0 * c * c + kap2)  # (k₊ − k₋)/2 > 0
    k0c = k0 * c
    kp = np.where(k0c >= 0, k0c + root, kap2 / (root - k0c))  # no cancellation for k0c < 0
    km = -kap2 / kp
    s = 2.0 * d - 1j * np.multiply.outer(xabs, c)
    zp = s * kp
    ep = np.exp(-zp)
    gam = (kp**3 / (2.0 * root)) * ep
    if not with_pv:
        return gam, None
    fp = -_scaled_ei(zp)
    fm = _scaled_e1(-s * km)
    r2 = 2.0 * k0 * c / s + (kp**3 * fp - km**3 * fm) / (2.0 * root)
    return gam, r2


def _trapezoid_sums(xabs, theta, k0, k1, d, with_pv):
    """Σ_θ of the integrands over the given θ nodes, chunked over x to bound memory."""
    nx = xabs.size
    g = np.zeros(nx, dtype=complex)
    p = np.zeros(nx, dtype=complex) if with_pv else None
    step = max(1, _BLOCK // max(1, theta.size))
    for i in range(0, nx, step):
        gi, pi_ = _ray_integrands(xabs[i:i + step], theta, k0, k1, d, with_pv)
        g[i:i + step] = gi.sum(axis=1)
        if with_pv:
            p[i:i + step] = pi_.sum(axis=1)
    return g, p


def _adaptive(xabs, k0, k1, d, with_pv, tol, f_J=1.0, p_fixed=0.0):
    """Nested trapezoid on θ ∈ [0, π], doubled until converged; returns (I_γ, P2, info).

    Convergence is measured on the normalised couplings γ/γ0 = I/I(0) and J/γ0 = −f_J P/(π I(0)),
    P = P2 + ``p_fixed`` (the exactly known P_nf, or 0), whose size sets the scale of the J test
    (``xabs[0]`` must be 0 so that I(0) is available).
    """
    xmax = float(xabs.max()) if xabs.size else 0.0
    kmax = abs(k0) + k1
    # start where the oscillation e^{i k x cos θ} is resolved (≥ ~1 node per radian of phase)
    n = 64
    while n < kmax * xmax + 32:
        n *= 2
    theta = np.linspace(0.0, math.pi, n + 1)
    g_ends, p_ends = _trapezoid_sums(xabs, theta[[0, -1]], k0, k1, d, with_pv)
    g_int, p_int = _trapezoid_sums(xabs, theta[1:-1], k0, k1, d, with_pv)
    sum_g = 0.5 * g_ends + g_int
    sum_p = 0.5 * p_ends + p_int if with_pv else None

    def estimate(sg, sp_, m):
        h = 2.0 * math.pi / m  # full-circle weight (integrands are even in θ)
        ig = h * sg
        return ig, (h * sp_ if with_pv else None)

    ig, p2 = estimate(sum_g, sum_p, n)
    delta_g = delta_j = math.inf
    while True:
        if 2 * n > MAX_INTERVALS:
            raise RuntimeError(
                f"integral couplings not converged to tol={tol:g} with {2 * n} angular intervals "
                f"(k0={k0}, k1={k1}, d={d}, max|x|={xmax}); d/|x| or kappa/|k0| is too small"
            )
        new = (np.arange(n) + 0.5) * (math.pi / n)
        g_new, p_new = _trapezoid_sums(xabs, new, k0, k1, d, with_pv)
        sum_g = sum_g + g_new
        if with_pv:
            sum_p = sum_p + p_new
        n *= 2
        ig_new, p2_new = estimate(sum_g, sum_p, n)
        i0 = ig_new[0].real
        delta_g = float(np.max(np.abs(ig_new - ig)) / i0)
        ok = delta_g <= tol
        if with_pv:
            # J(0) := 0 is not tested (x = 0 is xabs[0])
            jn = (f_J * (p2_new + p_fixed) / (math.pi * i0))[1:]
            jo = (f_J * (p2 + p_fixed) / (math.pi * ig[0].real))[1:]
            delta_j = float(np.max(np.abs(jn - jo), initial=0.0))
            ok = ok and delta_j <= tol * max(1.0, float(np.max(np.abs(jn), initial=0.0)))
        ig, p2 = ig_new, p2_new
        if ok:
            break
    info = {
        "method": "trapezoid in the polar angle about k=0, radial integrals exact (exponential integrals)",
        "angular_nodes": 2 * n,
        "radial_nodes": 0,
        "convergence_delta_gamma": delta_g,
        "tol": tol,
    }
    if with_pv:
        info["convergence_delta_J"] = delta_j
    return ig, p2, info


def _unique_abs(x):
    """Unique |x| values with 0 first; index map from x.ravel() into them."""
    xa = np.abs(x.ravel())
    uniq, inverse = np.unique(np.concatenate(([0.0], xa)), return_inverse=True)
    return uniq, inverse[1:]


def resonance_integral(x, *, k0, k1, d, tol=DEFAULT_TOL, return_info=False):
    """I_γ(x) of docs/theory/emission.md#coupling-integrals: the δ(Ω) part of Eq. (43)+(46), dissipative couplings ∝ I_γ.

    I_γ(x) = ∫d²k k² e^{−2kd} δ(Ω(k)) e^{ik_x x}, Ω = (k − k0x̂)² − k1² (Eq. 47, sign corrected).
    Trapezoid on the resonance circle, parametrised by the polar angle about k = 0 (geometric
    convergence, nodes doubled until the relative change of I_γ/I_γ(0) is below ``tol``).

    Parameters
    ----------
    x : array_like
        Signed separations x_αβ in units of the film lattice constant a.
    k0, k1 : float
        DM wave number D/J and resonance radius, units of 1/a; k1 > |k0| (κ² = k1² − k0² > 0).
    d : float
        NV–film distance in units of a, > 0.
    tol : float
        Convergence tolerance on I_γ(x)/I_γ(0).
    return_info : bool
        Also return the quadrature metadata dict.

    Returns
    -------
    numpy.ndarray (complex, shape of x) [and dict]
        I_γ(x) in units of 1/a² (k² δ(Ω) d²k); I_γ(−x) = I_γ(x)*.
    """
    x, k0, k1, d = _check(x, k0, k1, d)
    tol = _check_tol(tol)
    uniq, idx = _unique_abs(x)
    ig, _, info = _adaptive(uniq, k0, k1, d, False, tol)
    out = ig[idx].reshape(x.shape)
    out = np.where(x < 0, np.conj(out), out)
    return (out, info) if return_info else out


def near_field_integral(x, *, d):
    """P_nf(x) = ∫d²k e^{−2kd} e^{ik·r} = 4πd/(x² + 4d²)^{3/2} (docs/theory/emission.md#coupling-integral-evaluation–5.4, exact).

    The non-resonant (static) part of the principal-value integral, x and d in units of a.
    """
    x, _, _, d = _check(x, 0.0, 1.0, d)
    return 4.0 * math.pi * d / (x * x + 4.0 * d * d) ** 1.5


def principal_value_integral(x, *, k0, k1, d, include_near_field=True, tol=DEFAULT_TOL,
                             return_info=False):
    """P(x) = P.V.∫d²k k² e^{−2kd} e^{ik_x x}/Ω(k) of docs/theory/emission.md#coupling-integrals (coherent couplings ∝ P).

    Returns P_nf + P2 (or P2 alone if ``include_near_field`` is False), complex, shape of x,
    P(−x) = P(x)*. Arguments as :func:`resonance_integral`.
    """
    x, k0, k1, d = _check(x, k0, k1, d)
    tol = _check_tol(tol)
    uniq, idx = _unique_abs(x)
    p_nf = near_field_integral(uniq, d=d) if include_near_field else np.zeros(uniq.size)
    _, p2, info = _adaptive(uniq, k0, k1, d, True, tol, p_fixed=p_nf)
    p = p2 + p_nf
    out = p[idx].reshape(x.shape)
    out = np.where(x < 0, np.conj(out), out)
    return (out, info) if return_info else out


def integral_couplings(x, *, k0, k1, d, f_J=1.0, include_near_field=True, tol=DEFAULT_TOL,
                       return_info=False):
    """Normalised full-integral couplings γ/γ0 and J/γ0 at signed separations x (docs/theory/emission.md#coupling-integrals–5.4).

    γ/γ0 = I_γ(x)/I_γ(0) and J/γ0 = −f_J P(x)/(π I_γ(0)) with P = P_nf + P2 (paper E Eqs. 37–40,
    43, 46, sign-corrected 47; f_J = 1 is Eqs. (2)+(49), f_J = ½ the literal Eqs. (37)–(38),
    docs/theory/emission.md#coupling-fj-factor). At x = 0: γ = 1 and J := 0 (a uniform on-site term has no effect, docs/theory/emission.md#emission-symmetries).

    Parameters
    ----------
    x : array_like
        Signed separations x_αβ = x_α − x_β in units of the film lattice constant a.
    k0, k1 : float
        k0 = D/J and k1 = √(k0² + κ²) in units of 1/a (k1 > |k0| required).
    d : float
        NV–film distance in units of a (> 0; d → 0 is the closed form, Eqs. 48–49).
    f_J : float
        Prefactor of the coherent part (docs/theory/emission.md#coupling-fj-factor).
    include_near_field : bool
        False drops P_nf (the "full minus P_nf" variant, docs/theory/emission.md#near-field, docs/theory/emission.md#sweeps-and-outputs).
    tol : float
        Convergence tolerance: the last doubling of the angular nodes changed γ/γ0 by at most
        ``tol`` and J/γ0 by at most ``tol·max(1, max|J/γ0|)``.
    return_info : bool
        Also return a dict of quadrature metadata (angular_nodes, radial_nodes = 0 (exact),
        convergence_delta_gamma, convergence_delta_J (changes at the last doubling), tol, method).

    Returns
    -------
    gamma_over_gamma0, J_over_gamma0 : numpy.ndarray
        Complex arrays of the shape of x with f(−x) = f(x)*.
    info : dict, only if ``return_info``
    """
    x, k0, k1, d = _check(x, k0, k1, d)
    tol = _check_tol(tol)
    f_J = float(f_J)
    if not math.isfinite(f_J):
        raise ValueError(f"f_J must be finite, got {f_J}")
    uniq, idx = _unique_abs(x)
    p_nf = near_field_integral(uniq, d=d) if include_near_field else np.zeros(uniq.size)
    ig, p2, info = _adaptive(uniq, k0, k1, d, True, tol, f_J=f_J if f_J != 0 else 1.0, p_fixed=p_nf)
    i0 = float(ig[0].real)
    p = p2 + p_nf
    gamma = ig / i0
    gamma[0] = 1.0
    J = -f_J * p / (math.pi * i0)
    J[0] = 0.0
    gamma = gamma[idx].reshape(x.shape)
    J = J[idx].reshape(x.shape)
    neg = x < 0
    gamma = np.where(neg, np.conj(gamma), gamma)
    J = np.where(neg, np.conj(J), J)
    if return_info:
        info = dict(info, include_near_field=int(include_near_field), f_J=f_J, gamma0_integral=i0)
        return gamma, J, info
    return gamma, J
