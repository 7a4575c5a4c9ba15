"""Step planning of the block solver's polynomial propagator (spec E §7; solver_notes.md).

The block-diagonal master equation is linear and autonomous, dρ/dt = L ρ, so one step is
ρ(t + τ) = e^{τL} ρ(t). The spectrum of L lies in the rectangle
Re z ∈ [−2 y_max, −2 y_min], Im z ∈ [−W, W], where per manifold n the numerical range of
H_eff,n = (J_n − iΓ_n)/2 gives x ∈ spec(J_n)/2, y ∈ spec(Γ_n)/2 and W = max_n (x_max − x_min)
(eigenvalues of L_n are −i(λ_i − λ_j*)). :func:`plan_step` picks, for a Chebyshev expansion
on an ellipse around that rectangle (foci on the real or the imaginary axis) or a Taylor
expansion about its centre, the step h that minimises the predicted number of right-hand
sides per unit time from the a-priori bound |a_k(h)|·ρ_e^k (a_k: expansion coefficients of
e^{hz}; ρ_e: ellipse level of the rectangle's corners), subject to a bound on the largest
term (cancellation). The run itself stops each series adaptively (see blocks.py).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

__all__ = ["spectral_rectangle", "plan_step", "coefficients"]

_EPS = np.finfo(float).eps
_GROWTH_MAX = 1e3  # largest series term allowed (cancellation), see plan_step


def _extremes(A: sp.csr_matrix) -> tuple[float, float]:
    """Smallest and largest eigenvalue of the Hermitian sparse matrix ``A`` (slightly widened)."""
    D = A.shape[0]
    if D <= 600:
        e = np.linalg.eigvalsh(A.toarray())
        lo, hi = float(e[0]), float(e[-1])
    else:  # Lanczos with full reorthogonalisation; extreme Ritz values widened by their residuals
        rng = np.random.default_rng(12345)
        m = min(D, 120)
        Q = np.zeros((m + 1, D), dtype=complex)
        q = rng.standard_normal(D) + 1j * rng.standard_normal(D)
        Q[0] = q / np.linalg.norm(q)
        al = np.zeros(m)
        be = np.zeros(m)
        for j in range(m):
            w = A @ Q[j]
            al[j] = np.vdot(Q[j], w).real
            w -= Q[: j + 1].T @ (Q[: j + 1].conj() @ w)
            w -= Q[: j + 1].T @ (Q[: j + 1].conj() @ w)
            be[j] = np.linalg.norm(w)
            if be[j] < 1e-12:
                m = j + 1
                break
            Q[j + 1] = w / be[j]
        th, S = np.linalg.eigh(np.diag(al[:m]) + np.diag(be[: m - 1], 1) + np.diag(be[: m - 1], -1))
        res = np.abs(be[m - 1] * S[-1, :])
        lo, hi = float(th[0] - res[0]), float(th[-1] + res[-1])
    pad = 1e-7 * max(1.0, hi - lo)
    return lo - pad, hi + pad


def spectral_rectangle(tab, J: np.ndarray, gamma: np.ndarray) -> tuple[float, float, float]:
    """Rectangle (re_lo, re_hi, W) holding the numerical range of every block of L (see module doc)."""
    N = tab.N
    W = 0.0
    ylo, yhi = np.inf, -np.inf
    for n in range(N + 1):
        D = int(tab.dims[n])
        hl = n * (N - n)
        rows = np.repeat(np.arange(D), hl)
        cols = tab.hcol[tab.hoff[n]:tab.hoff[n + 1]]
        ab = tab.hab[tab.hoff[n]:tab.hoff[n + 1]]
        occ = tab.diag_sites[tab.soff[n]:tab.soff[n + 1]]
        ext = []
        for M in (J, gamma):
            A = sp.csr_matrix((M.reshape(-1)[ab], (rows, cols)), shape=(D, D))
            A = A + sp.diags(occ @ np.diag(M).real)
            ext.append(_extremes(A.tocsr()))
        W = max(W, 0.5 * (ext[0][1] - ext[0][0]))
        ylo = min(ylo, 0.5 * ext[1][0])
        yhi = max(yhi, 0.5 * ext[1][1])
    return -2.0 * yhi, -2.0 * ylo, W


def coefficients(plan: dict, taus: np.ndarray, kmax: int) -> np.ndarray:
    """Coefficients b[k, j] with e^{τ_j L}ρ = Σ_k b[k, j] v_k for the plan's term sequence v_k."""
    taus = np.asarray(taus, dtype=float)
    k = np.arange(kmax + 1)[:, None]
    c = plan["center"]
    if plan["scheme"] == "taylor":
        with np.errstate(divide="ignore"):
            b = np.exp(taus * c)[None, :] * (taus / plan["h"])[None, :] ** k
        return b
    F = plan["focus"]
    if plan["orientation"] == "imag":  # v_k = i^{-k} T_k(w) ρ, w = (L - c)/(iF)
        b = np.exp(taus * c)[None, :] * (-1.0) ** k * bessel_table(kmax, taus * F, "j")
    else:  # w = (L - c)/F
        b = np.exp(taus * (c + F))[None, :] * bessel_table(kmax, taus * F, "ive")
    b[1:] *= 2.0
    return b


def recurrence(plan: dict, k: int) -> tuple[float, float]:
    """(alpha, beta) of v_k = alpha (L - c) v_{k-1} + beta v_{k-2} for term k >= 1."""
    if plan["scheme"] == "taylor":
        return plan["h"] / k, 0.0
    F = plan["focus"]
    sgn = -1.0 if plan["orientation"] == "imag" else 1.0
    if k == 1:
        return sgn / F, 0.0
    return 2.0 * sgn / F, -sgn


def _rho_e(w: np.ndarray) -> float:
    s = np.sqrt(w * w - 1 + 0j)
    return float(np.max(np.maximum(np.abs(w + s), np.abs(w - s))))


def bessel_table(kmax: int, x: np.ndarray, kind: str) -> np.ndarray:
    """J_k(x) (``kind="j"``) or e^{-x} I_k(x) (``"ive"``) for k = 0..kmax, x >= 0, by Miller's recurrence.

    Backward recurrence from k0 > max(kmax, x) with the normalisation J_0 + 2ΣJ_2k = 1
    (resp. e^{-x}(I_0 + 2ΣI_k) = 1). Against scipy for k <= 600, x <= 500: absolute error
    <= 1e-14, relative error <= 3e-11 (worst next to zeros of J_k), also in the tiny tail
    values that the planner thresholds. Written here because scipy's real-order ``jv``
    (AMOS) took ~0.6 µs per value (4.5 ms for 460 x 16 values), ~0.1 s per plan; checked
    against scipy in tests/test_blocks.py.
    """
    x0 = np.atleast_1d(np.asarray(x, dtype=float))
    zero = x0 <= 0.0
    x = np.where(zero, 1.0, x0)  # J_k(0) = e^0 I_k(0) = δ_k0, set below
    sgn = -1.0 if kind == "j" else 1.0
    start = int(max(kmax, x.max()) + 30 + 3 * np.sqrt(max(kmax, x.max())))
    out = np.zeros((kmax + 1, x.size))
    b_next = np.zeros_like(x)  # b_{k+1}
    b = np.full_like(x, 1e-300)  # b_k, arbitrary scale
    norm = np.zeros_like(x)
    for k in range(start, 0, -1):
        if k <= kmax:
            out[k] = b
        if kind == "j":
            norm += 2 * b if k % 2 == 0 else 0.0
        else:
            norm += 2 * b
        b_prev = (2 * k / x) * b + sgn * b_next
        b_next, b = b, b_prev
        big = np.abs(b) > 1e250
        if big.any():
            f = np.where(big, 1e-250, 1.0)
            b, b_next, norm, out = b * f, b_next * f, norm * f, out * f[None, :]
    out[0] = b
    norm += b
    out /= norm[None, :]
    out[:, zero] = 0.0
    out[0, zero] = 1.0
    return out


def _predicted_terms(orient: str, Fs, rhos, hs: np.ndarray, kmax: int, c: float) -> list:
    """A-priori term bounds |a_k(h)|·ρ_e^k of the Chebyshev series of e^{hz}, one (k, h) table per focus."""
    Fs = np.asarray(Fs, dtype=float)
    kind = "j" if orient == "imag" else "ive"
    B = np.abs(bessel_table(kmax, (Fs[:, None] * hs[None, :]).ravel(), kind))
    kk = np.arange(kmax + 1)[:, None]
    out = []
    for i, (F, rho) in enumerate(zip(Fs, rhos)):
        with np.errstate(over="ignore", invalid="ignore"):
            a = B[:, i * hs.size:(i + 1) * hs.size] * np.exp(hs[None, :] * (c if orient == "imag" else c + F))
            a[1:] *= 2
            out.append(a * np.exp(np.minimum(kk * np.log(rho), 700.0)))
    return out


def _best_column(terms: np.ndarray, hs: np.ndarray, tol: float, growth_max: float,
                 t_span: float, F, rho: float):
    """Cheapest admissible step among ``hs`` for one candidate: (cost, h, K, kmin) or None."""
    best = None
    terms = np.where(np.isfinite(terms), terms, np.inf)
    for j, h in enumerate(hs):
        col = terms[:, j]
        if col.max() > growth_max:
            continue
        # the whole tail must be small: terms rise (up to the peak) before they fall
        big = np.nonzero(col >= 0.1 * tol)[0]
        K = int(big[-1]) + 1 if big.size else 1
        if K + 2 >= col.size:
            continue
        kpeak = int(np.argmax(col))
        kmin = max(h * (F if F is not None else rho), kpeak)
        cost = int(np.ceil(t_span / h - 1e-9)) * (K + 1)
        if best is None or cost < best[0]:
            best = (cost, float(h), K, int(np.floor(kmin)))
    return best


def plan_step(re_lo: float, re_hi: float, W: float, *, tol: float, t_span: float,
              scheme: str = "chebyshev") -> dict:
    """Choose centre, focus, orientation and step h minimising predicted right-hand sides per unit time.

    Chebyshev: a coarse search (10 foci x 24 steps per orientation), then a finer one around
    the best (7 foci x 11 steps), with the Bessel tables of :func:`bessel_table` (15-40 ms
    per plan, measured; scipy's ``jv``/``ive`` on the former 10 x 40 grid took ~0.1 s, as
    much as the whole N = 9 propagation at k0 = 0.3).
    """
    c = 0.5 * (re_lo + re_hi)
    p = 0.5 * (re_hi - re_lo)
    scale = max(p, W, 1e-3)
    corners = np.array([p + 1j * W, p - 1j * W, -p + 1j * W, -p - 1j * W])
    growth_max = float(np.clip(0.05 * tol / _EPS, 2.0, _GROWTH_MAX))
    t_span = max(float(t_span), 1e-12)
    h_hi = max(min(t_span, 200.0 / scale), 0.05)  # h*scale <= 200: enough, and bounds the grid
    h_lo = min(0.05, 0.1 / scale, h_hi)
    best = None

    def consider(orient, F, rho, terms, hs):
        nonlocal best
        r = _best_column(terms, hs, tol, growth_max, t_span, F, rho)
        if r is not None and (best is None or r[0] < best["predicted_rhs"]):
            best = {"scheme": scheme, "orientation": orient, "focus": F, "rho": rho,
                    "h_plan": r[1], "K": r[2], "predicted_rhs": r[0], "center": c, "kmin": r[3]}

    if scheme == "taylor":
        hs = np.geomspace(h_lo, h_hi, 40)
        R = float(np.abs(corners).max())
        kk = np.arange(0, 400)[:, None]
        with np.errstate(divide="ignore"):
            terms = np.exp(kk * np.log(hs[None, :] * R) - gammaln(kk + 1) + hs[None, :] * c)
        consider("taylor", None, R, terms, hs)
    elif scheme == "chebyshev":
        kmax = int(h_hi * 1.7 * scale) + 119

        def scan(orient, Fs, hs):
            rhos = [_rho_e(corners / (1j * F if orient == "imag" else F)) for F in Fs]
            for F, rho, terms in zip(Fs, rhos, _predicted_terms(orient, Fs, rhos, hs, kmax, c)):
                consider(orient, float(F), rho, terms, hs)

        hs = np.geomspace(h_lo, h_hi, 24)
        fracs = np.linspace(0.1, 1.6, 10)
        for orient in ("imag", "real"):
            scan(orient, fracs * scale, hs)
        if best is not None:  # refine around the coarse optimum
            orient, F0, h0 = best["orientation"], best["focus"], best["h_plan"]
            df, rh = (fracs[1] - fracs[0]) * scale, hs[1] / hs[0]
            hs2 = np.geomspace(max(h_lo, h0 / rh), min(h_hi, h0 * rh), 11)
            scan(orient, np.linspace(max(0.05 * scale, F0 - df), F0 + df, 7), hs2)
    else:
        raise ValueError(f"scheme must be 'chebyshev' or 'taylor', got {scheme!r}")
    if best is None:  # pragma: no cover - only for absurd tolerances
        raise RuntimeError("could not plan a propagator step; loosen tol")
    return best
