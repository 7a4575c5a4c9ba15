"""Third-order cumulant equations of the emission (docs/theory/cumulants.md#third-order).

Adds to the second-order variables the three-site moments (sites distinct)
T_abc = ⟨σ⁺_a σ⁻_b n_c⟩ and Z_abc = ⟨n_a n_b n_c⟩. Four-site moments are factorised with the
fourth cumulant set to zero (docs/theory/cumulants.md#closure):
⟨σ⁺_a σ⁻_d n_b n_c⟩ → n_c T_adb + n_b T_adc + C_ad (P_bc − 2 n_b n_c) and
⟨σ⁺_a σ⁺_d σ⁻_b σ⁻_c⟩ → C_ab C_dc + C_ac C_db. One N × N × N² complex product per right-hand side.
"""

from __future__ import annotations

import numpy as np

from nonrecip.emission.solvers.cumulants._kernels import third_order_triples
from nonrecip.emission.solvers.cumulants.second import SecondOrder

__all__ = ["ThirdOrder"]

#: number of sites from which the triple kernel uses threads
THREADED_TRIPLES = 40


class ThirdOrder(SecondOrder):
    """Right-hand side of the third-order equations (docs/theory/cumulants.md#third-order-tensor-form).

    The state is a real vector ``[n, Re C, Im C, P, Re T, Im T, Z]`` of length N + 3N² + 3N³
    (each array zero where two of its site indices coincide). Couplings are in units of γ0,
    times in 1/γ0.

    Parameters
    ----------
    J, gamma : ndarray (N, N)
        Hermitian coherent and positive-semidefinite dissipative couplings.
    fused : bool
        Form the element-wise three-site part with the compiled kernel instead of NumPy
        array expressions; both evaluate the same equations.
    toeplitz : bool
        Form K̃* C by FFT when K is Toeplitz (see :class:`SecondOrder`).
    """

    order = 3

    def __init__(self, J: np.ndarray, gamma: np.ndarray, *, fused: bool = True, toeplitz: bool = True):
        super().__init__(J, gamma, fused=False, toeplitz=toeplitz)
        self.fused3 = fused
        N = self.N
        eye = np.eye(N, dtype=bool)
        self.distinct = ~(eye[:, :, None] | eye[:, None, :] | eye[None, :, :])
        self.size2 = self.size
        self.gT = np.asarray(gamma, dtype=complex).T.copy()
        self.size = self.size2 + 3 * N ** 3

    def initial_state(self) -> np.ndarray:
        """Packed state of |e…e⟩: n = 1, C = 0, P = 1, T = 0, Z = 1 (docs/theory/cumulants.md#variables)."""
        N = self.N
        P = np.ones((N, N))
        np.fill_diagonal(P, 0.0)
        return self.pack(np.ones(N), np.zeros((N, N), complex), P,
                         np.zeros((N, N, N), complex), self.distinct.astype(float))

    def pack(self, n, C, P, T, Z) -> np.ndarray:
        """Real state vector ``[n, Re C, Im C, P, Re T, Im T, Z]`` (docs/theory/cumulants.md#variables)."""
        N3 = self.N ** 3
        y = np.empty(self.size)
        y[:self.size2] = SecondOrder.pack(self, n, C, P)
        y[self.size2:self.size2 + N3] = T.real.ravel()
        y[self.size2 + N3:self.size2 + 2 * N3] = T.imag.ravel()
        y[self.size2 + 2 * N3:] = Z.ravel()
        return y

    def unpack(self, y):
        """(n, C, P, T, Z) from the real state vector (docs/theory/cumulants.md#variables)."""
        N, N3, m = self.N, self.N ** 3, self.size2
        n, C, P = SecondOrder.unpack(self, y[:m])
        T = (y[m:m + N3] + 1j * y[m + N3:m + 2 * N3]).reshape(N, N, N)
        Z = y[m + 2 * N3:].reshape(N, N, N)
        return n, C, P, T, Z

    def correlations(self, y) -> np.ndarray:
        """C_ab with the populations n_a on the diagonal (docs/theory/cumulants.md#public-function)."""
        n, C, _, _, _ = self.unpack(y)
        C = C.copy()
        C[np.diag_indices(self.N)] = n
        return C

    def rhs(self, _t, y) -> np.ndarray:
        """dy/dt of docs/theory/cumulants.md#third-order-tensor-form."""
        return self.pack(*self.derivatives(*self.unpack(y)))

    def derivatives(self, n, C, P, T, Z):
        """(dn, dC, dP, dT, dZ) at the given state (docs/theory/cumulants.md#third-order-tensor-form).

        The compiled path assumes the Hermitian symmetry T_bac = T_abc* of every physical state.
        """
        K, Kd, gd, Kbar = self.K, self.Kd, self.gd, self.Kbar
        KT, KbarT = self.KT, Kbar.T
        G = self.product(C)                                  # Σ_{d≠a} K̄_ad C_db
        Gh = G.conj().T                                      # Σ_{d≠b} K_bd C_ad
        u = np.diag(G).copy()                                # u_c = Σ_{d≠c} K̄_cd C_dc
        v = u.conj()                                         # v_c = Σ_{d≠c} K_cd C_cd
        H1 = np.einsum("ad,dba->ab", self.Kbar_t, T)         # Σ_d K̄_ad T_dba
        H2 = H1.conj().T                                     # Σ_d K_bd T_adb
        Y = np.einsum("ad,adb->ab", self.Kt, T)              # Σ_d K_ad T_adb
        E1 = np.tensordot(self.Kbar_t, T, axes=(1, 0))       # Σ_d K̄_ad T_dbc
        # second-order block, with the three-site moments kept
        dC = (-0.5 * (np.conj(Kd)[:, None] + Kd[None, :]) * C + H1 + H2 - 0.5 * (G + Gh)
              + 0.5 * Kbar * (2.0 * P - n[None, :]) + 0.5 * KT * (2.0 * P - n[:, None]))
        dC[~self.off] = 0.0
        dn = -gd * n - v.real
        dP = -(gd[:, None] + gd[None, :]) * P - (Y + Y.T).real
        dP[~self.off] = 0.0

        if self.fused3:
            dT = np.empty_like(T)
            F = np.empty_like(T)
            third_order_triples[int(self.N >= THREADED_TRIPLES)](
                n, np.ascontiguousarray(C), np.ascontiguousarray(P), T,
                np.ascontiguousarray(T.transpose(0, 2, 1)), np.ascontiguousarray(T.transpose(2, 1, 0)),
                np.ascontiguousarray(Z), G, H1, Y, E1, v, K, self.gT, Kd, gd, dT, F)
            dZ = -(gd[:, None, None] + gd[None, :, None] + gd[None, None, :]) * Z - (
                F + F.transpose(1, 0, 2) + F.transpose(1, 2, 0)).real
            dZ[~self.distinct] = 0.0
            return dn, dC, dP, dT, dZ
        E2 = E1.transpose(1, 0, 2).conj()                    # Σ_d K_bd T_adc

        # T_abc: index layout [a, b, c]
        Tacb = T.transpose(0, 2, 1)
        Tcba = T.transpose(2, 1, 0)
        na, nb, nc = n[:, None, None], n[None, :, None], n[None, None, :]
        Cab, Cac, Ccb = C[:, :, None], C[:, None, :], C.T[None, :, :]
        Cbc, Cca = C[None, :, :], C.T[:, None, :]
        nn = np.outer(n, n)
        Qac = (P - 2.0 * nn)[:, None, :]
        Qbc = (P - 2.0 * nn)[None, :, :]
        dT = (-(0.5 * (np.conj(Kd)[:, None, None] + Kd[None, :, None]) + gd[None, None, :]) * T
              + 2.0 * self.gT[:, :, None] * Z
              - 0.5 * Kbar[:, :, None] * P[None, :, :] - 0.5 * KT[:, :, None] * P[:, None, :]
              - 0.5 * KbarT[None, :, :] * Tacb - 0.5 * KT[:, None, :] * Tcba
              + nc * (H1[:, :, None] - Kbar[:, None, :] * Tcba)
              + (na - 0.5) * E1
              + Qac * (G[:, :, None] - Kbar[:, None, :] * Ccb)
              + nc * (H2[:, :, None] - K[None, :, :] * Tacb)
              + (nb - 0.5) * E2
              + Qbc * (Gh[:, :, None] - K[None, :, :] * Cac))
        dT -= 0.5 * Cab * ((u + v)[None, None, :] - KbarT[:, None, :] * Cac - KbarT[None, :, :] * Cbc
                           - KT[:, None, :] * Cca - KT[None, :, :] * Ccb)
        dT -= 0.5 * Cac * (G.T[None, :, :] - KbarT[:, None, :] * Cab)
        dT -= 0.5 * Ccb * (Gh[:, None, :] - KT[None, :, :] * Cab)
        dT[~self.distinct] = 0.0

        # Z_abc = ⟨n_a n_b n_c⟩
        F = (nc * (Y[:, :, None] - K[:, None, :] * Tacb) + nb * (Y[:, None, :] - K[:, :, None] * T)
             + Qbc * (v[:, None, None] - K[:, :, None] * Cab - K[:, None, :] * Cac))
        dZ = -(gd[:, None, None] + gd[None, :, None] + gd[None, None, :]) * Z - (
            F + F.transpose(1, 0, 2) + F.transpose(1, 2, 0)).real
        dZ[~self.distinct] = 0.0
        return dn, dC, dP, dT, dZ
