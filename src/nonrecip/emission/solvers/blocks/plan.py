"""Step planning of the block solver's polynomial propagator (docs/theory/solvers.md#block-solver; docs/theory/solvers.md#solver-design-facts).

The block-diagonal master equation is linear and autonomous, dρ/dt = L ρ, so one step is
ρ(t + τ) = e^{τL} ρ(t). With H_eff,n = A_n − iB_n (A_n = J_n/2, B_n = Γ_n/2 on manifold n),
the numerical range of the diagonal block L_n X = −i(H X − X H†) is the set of
z = −i⟨H⟩_P + i⟨H⟩_Q* (P = XX†, Q = X†X normalised), whose support function is

    h_n(θ) = max Re(e^{−iθ} z) = λ_max(−sinθ A_n − cosθ B_n) + λ_max(sinθ A_n − cosθ B_n).

:func:`numerical_range_polygon` intersects the half-planes Re(e^{−iθ}z) ≤ max_n h_n(θ) at
``n_angles`` + 1 angles θ ∈ [0, π] (and their mirror images: the range is symmetric about
the real axis). θ = 0, π/2, π alone give the bounding rectangle Re z ∈ [−2 y_max, −2 y_min],
|Im z| ≤ W = max_n (x_max − x_min); the other angles cut its corners, where the range of L
is narrow (at k0 = 0.003, N = 9: |Im z| ≤ 38 for Re z > −1 against W = 46). By Crouzeix's
theorem a polynomial small on this set is small on every L_n. :func:`plan_step` picks, for a
Chebyshev expansion on an ellipse around the polygon (foci on the real or the imaginary
axis, centre on the real axis) or a Taylor expansion about its centre, the step h that
minimises the predicted number of right-hand sides per unit time from the a-priori bound
|a_k(h)|·ρ_e^k (a_k: expansion coefficients of e^{hz}; ρ_e: ellipse level of the polygon's
vertices), subject to a bound on the largest term (cancellation). The run itself stops each
series adaptively (see blocks.py).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

__all__ = ["numerical_range_polygon", "plan_step", "coefficients", "bessel_table"]

_EPS = np.finfo(float).eps
_GROWTH_MAX = 1e3  # largest series term allowed (cancellation), see plan_step


def _extremes(A) -> tuple[float, float]:
    """Smallest and largest eigenvalue of the Hermitian (dense or sparse) matrix ``A``, slightly widened."""
    D = A.shape[0]
    if isinstance(A, np.ndarray) or D <= 600:
        e = np.linalg.eigvalsh(A if isinstance(A, np.ndarray) else A.toarray())
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


def _block_parts(tab, J: np.ndarray, gamma: np.ndarray, n: int):
    """A_n = J_n/2 and B_n = Γ_n/2 on manifold n (sparse, or dense below 600 states)."""
    N, D = tab.N, int(tab.dims[n])
    hl = n * (N - n)
    rows = np.repeat(np.arange(D), hl)
    cols = tab.hcol[tab.hoff[n]:tab.hoff[n + 1]]
    ab = tab.hab[tab.hoff[n]:tab.hoff[n + 1]]
    occ = tab.diag_sites[tab.soff[n]:tab.soff[n + 1]]
    out = []
    for M in (J, gamma):
        A = sp.csr_matrix((0.5 * M.reshape(-1)[ab], (rows, cols)), shape=(D, D))
        A = (A + sp.diags(0.5 * (occ @ np.diag(M).real))).tocsr()
        if D <= 600:
            A = A.toarray()
            if not np.iscomplexobj(A) or np.abs(A.imag).max() == 0:
                A = np.ascontiguousarray(A.real)
        out.append(A)
    return out


def numerical_range_polygon(tab, J: np.ndarray, gamma: np.ndarray, *,
                            n_angles: int = 12, max_manifold: int | None = None) -> np.ndarray:
    """Vertices (complex, counter-clockwise) of a convex polygon holding the numerical range of every L_n
    (n ≤ ``max_manifold`` when given: the manifolds a state with at most that many excitations visits).

    Support lines at θ_k = kπ/``n_angles`` (k = 0..n_angles, ``n_angles`` even) and their
    mirror images -θ_k (module docstring). Costs n_angles Hermitian eigenvalue problems
    per manifold (dense up to 600 states, Lanczos above). The default of 12 angles is chosen
    from measured right-hand-side counts (``benchmarks/README.md``).
    """
    if n_angles < 2 or n_angles % 2:
        raise ValueError(f"n_angles must be even and >= 2, got {n_angles}")
    K = int(n_angles)
    th = np.pi * np.arange(K + 1) / K
    h = np.full(K + 1, -np.inf)
    for n in range((tab.N if max_manifold is None else min(int(max_manifold), tab.N)) + 1):
        A, B = _block_parts(tab, J, gamma, n)
        for k in range(K // 2 + 1):  # θ = θ_k and π - θ_k from P = sA + cB, Q = sA - cB
            s, c = (1.0, 0.0) if 2 * k == K else (np.sin(th[k]), np.cos(th[k]))
            p_lo, p_hi = _extremes(s * A + c * B)
            if k == 0:  # P = B, Q = -B
                q_lo, q_hi = -p_hi, -p_lo
            elif 2 * k == K:  # θ = π/2: P = Q = A
                q_lo, q_hi = p_lo, p_hi
            else:
                q_lo, q_hi = _extremes(s * A - c * B)
            h[k] = max(h[k], q_hi - p_lo)
            h[K - k] = max(h[K - k], p_hi - q_lo)
    ang = np.concatenate([th, 2 * np.pi - th[-2:0:-1]])  # ascending in [0, 2π)
    hh = np.concatenate([h, h[-2:0:-1]])
    nxt = np.roll(np.arange(ang.size), -1)
    c1, s1, c2, s2 = np.cos(ang), np.sin(ang), np.cos(ang[nxt]), np.sin(ang[nxt])
    det = c1 * s2 - s1 * c2
    x = (hh * s2 - hh[nxt] * s1) / det
    y = (c1 * hh[nxt] - c2 * hh) / det
    return x + 1j * y


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
    values that the planner thresholds. Written here (numba, :func:`_miller`) because
    scipy's real-order ``jv`` (AMOS) took ~0.6 µs per value (4.5 ms for 460 x 16 values),
    ~0.1 s per plan; checked against scipy in tests/test_blocks.py.
    """
    if kind not in ("j", "ive"):
        raise ValueError(f"kind must be 'j' or 'ive', got {kind!r}")
    x0 = np.ascontiguousarray(np.atleast_1d(np.asarray(x, dtype=float)).ravel())
    out = np.zeros((int(kmax) + 1, x0.size))
    _miller(int(kmax), x0, kind == "j", out)
    return out


@nb.njit(cache=True)
def _miller(kmax, xs, is_j, out):  # pragma: no cover
    for m in range(xs.size):
        x = xs[m]
        if x <= 0.0:  # J_k(0) = e^0 I_k(0) = δ_k0
            out[0, m] = 1.0
            continue
        big = max(kmax, x)
        start = int(big + 30 + 3 * np.sqrt(big))
        sgn = -1.0 if is_j else 1.0
        b_next = 0.0
        b = 1e-300
        norm = 0.0
        for k in range(start, 0, -1):
            if k <= kmax:
                out[k, m] = b
            if not is_j or k % 2 == 0:
                norm += 2 * b
            b_prev = (2 * k / x) * b + sgn * b_next
            b_next, b = b, b_prev
            if abs(b) > 1e250:
                b *= 1e-250
                b_next *= 1e-250
                norm *= 1e-250
                for kk in range(k, min(kmax, start) + 1):
                    out[kk, m] *= 1e-250
        out[0, m] = b
        norm += b
        for k in range(kmax + 1):
            out[k, m] /= norm


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
    terms = np.where(np.isfinite(terms), terms, np.inf)
    nk = terms.shape[0]
    big = terms >= 0.1 * tol  # the whole tail must be small: terms rise to a peak, then fall
    K = np.where(big.any(axis=0), nk - np.argmax(big[::-1], axis=0), 1)
    ok = (terms.max(axis=0) <= growth_max) & (K + 2 < nk)
    if F is not None:  # Chebyshev terms v_k grow like rho^k: keep them far from overflow
        ok &= K * np.log(rho) < 400.0
    if not ok.any():
        return None
    cost = np.ceil(t_span / hs - 1e-9).astype(np.int64) * (K + 1)
    j = int(np.argmin(np.where(ok, cost, np.iinfo(np.int64).max)))
    kmin = max(hs[j] * (F if F is not None else rho), int(np.argmax(terms[:, j])))
    return int(cost[j]), float(hs[j]), int(K[j]), int(np.floor(kmin))


def plan_step(points, *, tol: float, t_span: float, scheme: str = "chebyshev") -> dict:
    """Choose centre, focus, orientation and step h minimising predicted right-hand sides per unit time.

    ``points``: vertices of a convex set holding the numerical range of L
    (:func:`numerical_range_polygon`). Chebyshev: a coarse search (4 centres x 10 foci x 24
    steps per orientation), then a finer one around the best (7 foci x 11 steps), with the
    Bessel tables of :func:`bessel_table` (written here because scipy's ``jv``/``ive`` on the
    search grid cost as much as a small propagation; ``benchmarks/README.md``). The centres lie
    right of the middle because the range is narrow there.
    """
    points = np.asarray(points, dtype=complex).ravel()
    re_lo, re_hi = float(points.real.min()), float(points.real.max())
    p = 0.5 * (re_hi - re_lo)
    W = float(np.abs(points.imag).max())
    scale = max(p, W, 1e-3)
    growth_max = float(np.clip(0.05 * tol / _EPS, 2.0, _GROWTH_MAX))
    t_span = max(float(t_span), 1e-12)
    h_hi = max(min(t_span, 200.0 / scale), 0.05)  # h*scale <= 200: enough, and bounds the grid
    h_lo = min(0.05, 0.1 / scale, h_hi)
    best = None

    def consider(orient, F, rho, terms, hs, c):
        nonlocal best
        r = _best_column(terms, hs, tol, growth_max, t_span, F, rho)
        if r is not None and (best is None or r[0] < best["predicted_rhs"]):
            best = {"scheme": scheme, "orientation": orient, "focus": F, "rho": rho,
                    "h_plan": r[1], "K": r[2], "predicted_rhs": r[0], "center": c, "kmin": r[3]}

    if scheme == "taylor":
        c = 0.5 * (re_lo + re_hi)
        hs = np.geomspace(h_lo, h_hi, 40)
        R = float(np.abs(points - c).max())
        kk = np.arange(0, 400)[:, None]
        with np.errstate(divide="ignore"):
            terms = np.exp(kk * np.log(hs[None, :] * R) - gammaln(kk + 1) + hs[None, :] * c)
        consider("taylor", None, R, terms, hs, c)
    elif scheme == "chebyshev":
        kmax = int(h_hi * 1.7 * scale) + 119

        def scan(orient, Fs, hs, c):
            rhos = [_rho_e((points - c) / (1j * F if orient == "imag" else F)) for F in Fs]
            for F, rho, terms in zip(Fs, rhos, _predicted_terms(orient, Fs, rhos, hs, kmax, c)):
                consider(orient, float(F), rho, terms, hs, c)

        hs = np.geomspace(h_lo, h_hi, 24)
        fracs = np.linspace(0.1, 1.6, 10)
        for c in re_lo + p * np.array([0.9, 1.0, 1.1, 1.2]):
            for orient in ("imag", "real"):
                scan(orient, fracs * scale, hs, float(c))
        if best is not None:  # refine around the coarse optimum
            orient, F0, h0, c = best["orientation"], best["focus"], best["h_plan"], best["center"]
            df, rh = (fracs[1] - fracs[0]) * scale, hs[1] / hs[0]
            hs2 = np.geomspace(max(h_lo, h0 / rh), min(h_hi, h0 * rh), 11)
            scan(orient, np.linspace(max(0.05 * scale, F0 - df), F0 + df, 7), hs2, c)
    else:
        raise ValueError(f"scheme must be 'chebyshev' or 'taylor', got {scheme!r}")
    if best is None:  # pragma: no cover - only for absurd tolerances
        raise RuntimeError("could not plan a propagator step; loosen tol")
    return best
