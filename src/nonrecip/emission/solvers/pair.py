"""Closed equations of two qubits (paper E Eqs. 22–26 with Eq. 29), valid for J^s = γ^a = 0."""

from __future__ import annotations

import numpy as np

__all__ = ["pair_emission_rates"]


def pair_emission_rates(J_a: float, gamma_s: float, times, *, rtol: float = 1e-10, atol: float = 1e-12):
    """Emission rates of two qubits from the closed equations (22)–(26) and Eq. (29) of paper E.

    Valid for J^s_12 = γ^a_12 = 0, i.e. J_12 = i J^a, γ_12 = γ^s real; γ0 = 1. States: |E⟩,
    singlet |1⟩ (rate Γ1 = 1 − γ^s), triplet |2⟩ (Γ2 = 1 + γ^s), |G⟩; ⟨σᶻ_{1,2}⟩ = ρEE − ρGG ∓ 2Re ρ21.

    Returns
    -------
    numpy.ndarray (T, 2)
        R_1(t), R_2(t) in units of γ0.
    """
    from scipy.integrate import solve_ivp

    g1, g2 = 1.0 - gamma_s, 1.0 + gamma_s

    def rhs(_t, y):
        ee, r11, r22, gg, re21 = y
        return [
            -(g1 + g2) * ee,                                   # (22)
            -g1 * r11 + g1 * ee - J_a * re21,                   # (23)
            -g2 * r22 + g2 * ee + J_a * re21,                   # (24)
            g2 * r22 + g1 * r11,                                # (25)
            0.5 * (-J_a * (r22 - r11) - (g1 + g2) * re21),      # (26)
        ]

    times = np.asarray(times, dtype=float)
    sol = solve_ivp(rhs, (times[0], times[-1]), [1.0, 0, 0, 0, 0], t_eval=times,
                    method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"pair equations failed: {sol.message}")
    d = np.array([rhs(0.0, y) for y in sol.y.T])
    # Eq. (29): R_{1,2} = ½[±2 Re ρ̇21 − (ρ̇EE − ρ̇GG)]
    r1 = 0.5 * (2 * d[:, 4] - d[:, 0] + d[:, 3])
    r2 = 0.5 * (-2 * d[:, 4] - d[:, 0] + d[:, 3])
    return np.stack([r1, r2], axis=1)
