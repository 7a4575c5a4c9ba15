"""Fused element-wise part of the second-order right-hand side (docs/theory/cumulants.md#second-order-matrix-form).

The matrix product G = K̃* C is done by BLAS outside; this kernel forms dn, dC, dP from it
in one pass over the N² pairs, reading and writing the packed real state
``[n, Re C, Im C, P]`` directly.
"""

from __future__ import annotations

import numba as nb

__all__ = ["second_order_pairs", "third_order_triples"]


def _second_order_pairs(y, G, Kr, Ki, Kd, gd, out):  # pragma: no cover - compiled
    """Write dy/dt into ``out`` from the state ``y`` and G = [Re G; Im G] (shape (2N, N))."""
    N = gd.shape[0]
    NN = N * N
    oc, oi, op = N, N + NN, N + 2 * NN
    for a in nb.prange(N):
        na = y[a]
        sa = 2.0 * na - 1.0
        out[a] = -gd[a] * na - G[a, a]
        kda = Kd[a]
        for b in range(N):
            ab = a * N + b
            if b == a:
                out[oc + ab] = 0.0
                out[oi + ab] = 0.0
                out[op + ab] = 0.0
                continue
            ba = b * N + a
            nb_ = y[b]
            sb = 2.0 * nb_ - 1.0
            c_ab = y[oc + ab] + 1j * y[oi + ab]
            c_ba = y[oc + ba] + 1j * y[oi + ba]
            p = y[op + ab]
            g_ab = G[a, b] + 1j * G[N + a, b]
            gh_ab = G[b, a] - 1j * G[N + b, a]
            kbar_ab = Kr[a, b] - 1j * Ki[a, b]
            k_ab = Kr[a, b] + 1j * Ki[a, b]
            k_ba = Kr[b, a] + 1j * Ki[b, a]
            dc = (-0.5 * (kda.conjugate() + Kd[b]) * c_ab + 0.5 * sa * g_ab + 0.5 * sb * gh_ab
                  + 0.5 * kbar_ab * (2.0 * p - nb_) + 0.5 * k_ba * (2.0 * p - na))
            out[oc + ab] = dc.real
            out[oi + ab] = dc.imag
            out[op + ab] = (-(gd[a] + gd[b]) * p - nb_ * (G[a, a] - (k_ab * c_ab).real)
                            - na * (G[b, b] - (k_ba * c_ba).real))


@nb.njit(inline="always")
def _phi(a, b, c, n, C, P, T, Tacb, Y, v, K):  # pragma: no cover - compiled
    """Φ_{a;bc} = Σ_{d∉abc} K_ad ⟨σ⁺_a σ⁻_d n_b n_c⟩ after the closure (docs/theory/cumulants.md#third-order)."""
    return (n[c] * (Y[a, b] - K[a, c] * Tacb[a, b, c]) + n[b] * (Y[a, c] - K[a, b] * T[a, b, c])
            + (P[b, c] - 2.0 * n[b] * n[c]) * (v[a] - K[a, b] * C[a, b] - K[a, c] * C[a, c]))


def _third_order_triples(n, C, P, T, Tacb, Tcba, Z, G, H1, Y, E1, v, K, gammaT, Kd, gd, dT, F):  # pragma: no cover
    """Write dT/dt and Φ (docs/theory/cumulants.md#third-order-tensor-form) into ``dT``, ``F``.

    G_ab = Σ_{d≠a} K*_ad C_db, H1_ab = Σ_d K*_ad T_dba, Y_ab = Σ_d K_ad T_adb,
    E1_abc = Σ_d K*_ad T_dbc (diagonal of K excluded), v_a = Σ_{d≠a} K_ad C_ad;
    ``Tacb``, ``Tcba`` are contiguous copies of T with its axes permuted, and
    F_abc = Φ_{a;bc} = Σ_{d∉abc} K_ad ⟨σ⁺_a σ⁻_d n_b n_c⟩ after the closure. The state is
    assumed Hermitian (T_bac = T_abc*): dT is computed for a < b and mirrored, F (symmetric in
    b, c) for b < c and mirrored, so the derivative keeps that symmetry exactly.
    """
    N = n.shape[0]
    for a in nb.prange(N):
        for b in range(N):
            for c in range(N):
                if a == b or a == c or b == c:
                    dT[a, b, c] = 0.0
                    F[a, b, c] = 0.0
                    continue
                if b < c:
                    F[a, b, c] = _phi(a, b, c, n, C, P, T, Tacb, Y, v, K)
                    F[a, c, b] = F[a, b, c]
                if a > b:
                    continue
                na, nb_, nc = n[a], n[b], n[c]
                t_abc, t_acb, t_cba = T[a, b, c], Tacb[a, b, c], Tcba[a, b, c]
                kbar_ab = K[a, b].conjugate()
                kbar_ac = K[a, c].conjugate()
                kbar_ca = K[c, a].conjugate()
                kbar_cb = K[c, b].conjugate()
                q_ac = P[a, c] - 2.0 * na * nc
                q_bc = P[b, c] - 2.0 * nb_ * nc
                g_ab, gh_ab = G[a, b], G[b, a].conjugate()
                u_c = G[c, c]
                d = (
                    -(0.5 * (Kd[a].conjugate() + Kd[b]) + gd[c]) * t_abc + 2.0 * gammaT[a, b] * Z[a, b, c]
                    - 0.5 * kbar_ab * P[b, c] - 0.5 * K[b, a] * P[a, c]
                    - 0.5 * kbar_cb * t_acb - 0.5 * K[c, a] * t_cba
                    + nc * (H1[a, b] - kbar_ac * t_cba) + (na - 0.5) * E1[a, b, c]
                    + q_ac * (g_ab - kbar_ac * C[c, b])
                    + nc * (H1[b, a].conjugate() - K[b, c] * t_acb) + (nb_ - 0.5) * E1[b, a, c].conjugate()
                    + q_bc * (gh_ab - K[b, c] * C[a, c])
                    - 0.5 * C[a, b] * (u_c + u_c.conjugate() - kbar_ca * C[a, c] - kbar_cb * C[b, c]
                                       - K[c, a] * C[c, a] - K[c, b] * C[c, b])
                    - 0.5 * C[a, c] * (G[c, b] - kbar_ca * C[a, b])
                    - 0.5 * C[c, b] * (G[c, a].conjugate() - K[c, b] * C[a, b]))
                dT[a, b, c] = d
                dT[b, a, c] = d.conjugate()


_SERIAL = dict(cache=True, nogil=True, boundscheck=False)
_PARALLEL = dict(_SERIAL, parallel=True)

#: (serial, threaded) compilations; threads pay off only for large N, and an oversubscribed
#: machine makes small threaded loops slower than serial ones
second_order_pairs = (nb.njit(**_SERIAL)(_second_order_pairs), nb.njit(**_PARALLEL)(_second_order_pairs))
third_order_triples = (nb.njit(**_SERIAL)(_third_order_triples), nb.njit(**_PARALLEL)(_third_order_triples))
