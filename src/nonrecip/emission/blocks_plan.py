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
from scipy.special import gammaln, ive, jv

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
        b = np.exp(taus * c)[None, :] * (-1.0) ** k * jv(k, taus[None, :] * F)
    else:  # w = (L - c)/F
        b = np.exp(taus * (c + F))[None, :] * ive(k, taus[None, :] * F)
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


def plan_step(re_lo: float, re_hi: float, W: float, *, tol: float, t_span: float,
              scheme: str = "chebyshev") -> dict:
    """Choose centre, focus, orientation and step h minimising predicted right-hand sides per unit time."""
    c = 0.5 * (re_lo + re_hi)
    p = 0.5 * (re_hi - re_lo)
    scale = max(p, W, 1e-3)
    corners = np.array([p + 1j * W, p - 1j * W, -p + 1j * W, -p - 1j * W])
    growth_max = float(np.clip(0.05 * tol / _EPS, 2.0, _GROWTH_MAX))
    t_span = max(float(t_span), 1e-12)
    h_hi = max(min(t_span, 200.0 / scale), 0.05)  # h*scale <= 200: enough, and bounds the grid
    hs = np.geomspace(min(0.05, 0.1 / scale, h_hi), h_hi, 40)
    best = None
    if scheme == "taylor":
        R = float(np.abs(corners).max())
        kk = np.arange(0, 400)[:, None]
        x = hs[None, :] * R
        with np.errstate(divide="ignore"):
            terms = np.exp(kk * np.log(x) - gammaln(kk + 1) + hs[None, :] * c)
        cands = [("taylor", None, R, terms)]
    elif scheme == "chebyshev":
        cands = []
        kk = np.arange(0, int(hs[-1] * 1.7 * scale) + 120)[:, None]
        for orient in ("imag", "real"):
            for frac in np.linspace(0.1, 1.6, 10):
                F = frac * scale
                rho = _rho_e(corners / (1j * F if orient == "imag" else F))
                with np.errstate(over="ignore", invalid="ignore"):
                    if orient == "imag":
                        a = np.abs(jv(kk, hs[None, :] * F)) * np.exp(hs[None, :] * c)
                    else:
                        a = ive(kk, hs[None, :] * F) * np.exp(hs[None, :] * (c + F))
                    a[1:] *= 2
                    terms = a * np.exp(np.minimum(kk * np.log(rho), 700.0))
                cands.append((orient, F, rho, terms))
    else:
        raise ValueError(f"scheme must be 'chebyshev' or 'taylor', got {scheme!r}")
    for orient, F, rho, terms in cands:
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
            n_steps = int(np.ceil(t_span / h - 1e-9))
            cost = n_steps * (K + 1)
            if best is None or cost < best["predicted_rhs"]:
                best = {"scheme": scheme, "orientation": orient, "focus": F, "rho": rho,
                        "h_plan": float(h), "K": K, "predicted_rhs": cost, "center": c,
                        "kmin": int(np.floor(kmin))}
    if best is None:  # pragma: no cover - only for absurd tolerances
        raise RuntimeError("could not plan a propagator step; loosen tol")
    return best
