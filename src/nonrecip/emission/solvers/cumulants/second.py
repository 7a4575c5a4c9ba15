"""Second-order cumulant equations of the emission (docs/theory/cumulants.md#second-order).

Variables (all sites distinct where more than one index appears): the populations
n_a = ⟨σ⁺_a σ⁻_a⟩, the coherences C_ab = ⟨σ⁺_a σ⁻_b⟩ and the population products
P_ab = ⟨n_a n_b⟩. Three-site moments are factorised by the Gaussian closure
⟨σ⁺_a σ⁻_b n_c⟩ → n_c C_ab (docs/theory/cumulants.md#closure). One N × N complex matrix
product per right-hand side (an FFT convolution when K = γ + iJ is Toeplitz).
"""

from __future__ import annotations

import os

import numpy as np
from scipy import fft as sp_fft

from nonrecip.emission.solvers.cumulants._kernels import second_order_pairs

__all__ = ["SecondOrder"]

#: number of sites from which the pair kernel and the FFTs use threads
THREADED_PAIRS = 256

_WORKERS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class SecondOrder:
    """Right-hand side of the second-order equations (docs/theory/cumulants.md#second-order-matrix-form).

    The state is a real vector ``[n, Re C, Im C, P]`` of length N + 3N² (C and P with zero
    diagonals). Couplings are in units of γ0, times in 1/γ0.

    Parameters
    ----------
    J, gamma : ndarray (N, N)
        Hermitian coherent and positive-semidefinite dissipative couplings.
    fused : bool
        Form the element-wise part with the compiled kernel (one pass over the pairs) instead
        of NumPy array expressions; both evaluate the same equations.
    toeplitz : bool
        When K = γ + iJ is Toeplitz (every uniform chain), form K̃* C by circulant embedding
        and FFT, O(N² log N), instead of a dense product, O(N³).
    """

    order = 2

    def __init__(self, J: np.ndarray, gamma: np.ndarray, *, fused: bool = True, toeplitz: bool = True):
        J = np.asarray(J, dtype=complex)
        gamma = np.asarray(gamma, dtype=complex)
        self.N = N = J.shape[0]
        K = gamma + 1j * J                                   # K = γ + iJ
        self.K = K
        self.Kd = np.diag(K).copy()
        self.gd = np.real(np.diag(gamma)).copy()
        Kt = K.copy()
        np.fill_diagonal(Kt, 0.0)
        self.Kt = Kt                                         # K̃: K without its diagonal
        self.Kbar_t = np.ascontiguousarray(Kt.conj())        # conj(K̃)
        self.Kbar = K.conj()
        self.KT = K.T.copy()                                 # K_ba at [a, b]
        self.off = ~np.eye(N, dtype=bool)
        self.size = N + 3 * N * N
        # real form of C -> K̃* C acting on [Re C; Im C] (docs/theory/cumulants.md#second-order-matrix-form)
        self.Kr, self.Ki = np.ascontiguousarray(K.real), np.ascontiguousarray(K.imag)
        self.M = np.block([[Kt.real, Kt.imag], [-Kt.imag, Kt.real]])
        self.fused = fused
        self.threaded = int(N >= THREADED_PAIRS)
        self.workers = _WORKERS if N >= THREADED_PAIRS else 1
        # translation-invariant chain: K̃* is Toeplitz, K̃* C by circulant embedding and FFT
        self.toeplitz_symbol = None
        if toeplitz and N > 1 and np.array_equal(Kt[1:, 1:], Kt[:-1, :-1]):
            c = np.zeros(2 * N, dtype=complex)
            c[:N] = self.Kbar_t[:, 0]
            c[N + 1:] = self.Kbar_t[0, 1:][::-1]
            self.toeplitz_symbol = sp_fft.fft(c)[:, None]

    # -- state packing ---------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        """Packed state of |e…e⟩: n = 1, C = 0, P = 1 off the diagonal (docs/theory/cumulants.md#variables)."""
        N = self.N
        P = np.ones((N, N))
        np.fill_diagonal(P, 0.0)
        return self.pack(np.ones(N), np.zeros((N, N), complex), P)

    def pack(self, n, C, P) -> np.ndarray:
        """Real state vector ``[n, Re C, Im C, P]`` (docs/theory/cumulants.md#variables)."""
        N = self.N
        y = np.empty(N + 3 * N * N)
        y[:N] = n
        y[N:N + N * N] = C.real.ravel()
        y[N + N * N:N + 2 * N * N] = C.imag.ravel()
        y[N + 2 * N * N:] = P.ravel()
        return y

    def unpack(self, y):
        """(n, C, P) from the real state vector; P is a view (docs/theory/cumulants.md#variables)."""
        N, NN = self.N, self.N * self.N
        n = y[:N]
        C = (y[N:N + NN] + 1j * y[N + NN:N + 2 * NN]).reshape(N, N)
        P = y[N + 2 * NN:N + 3 * NN].reshape(N, N)
        return n, C, P

    def correlations(self, y) -> np.ndarray:
        """C_ab with the populations n_a on the diagonal (docs/theory/cumulants.md#public-function)."""
        n, C, _ = self.unpack(y)
        C = C.copy()
        C[np.diag_indices(self.N)] = n
        return C

    # -- equations ---------------------------------------------------------------------
    def rhs(self, _t, y) -> np.ndarray:
        """dy/dt of docs/theory/cumulants.md#second-order-matrix-form."""
        if self.fused:
            N = self.N
            if self.toeplitz_symbol is None:
                G = self.M @ y[N:N + 2 * N * N].reshape(2 * N, N)
            else:
                C = y[N:N + N * N].reshape(N, N) + 1j * y[N + N * N:N + 2 * N * N].reshape(N, N)
                Gc = self.product(C)
                G = np.concatenate([Gc.real, Gc.imag])
            out = np.empty_like(y)
            second_order_pairs[self.threaded](y, G, self.Kr, self.Ki, self.Kd, self.gd, out)
            return out
        n, C, P = self.unpack(y)
        dn, dC, dP = self.derivatives(n, C, P)
        return self.pack(dn, dC, dP)

    def product(self, C: np.ndarray) -> np.ndarray:
        """G = K̃* C, G_ab = Σ_{β≠a} K*_aβ C_βb (docs/theory/cumulants.md#second-order-matrix-form)."""
        if self.toeplitz_symbol is None:
            return self.Kbar_t @ C
        N = self.N
        spectrum = sp_fft.fft(C, n=2 * N, axis=0, workers=self.workers)
        spectrum *= self.toeplitz_symbol
        return sp_fft.ifft(spectrum, axis=0, workers=self.workers, overwrite_x=True)[:N]

    def derivatives(self, n, C, P):
        """(dn, dC, dP) at (n, C, P) with zero diagonals (docs/theory/cumulants.md#second-order-matrix-form)."""
        K, Kd, gd = self.K, self.Kd, self.gd
        G = self.product(C)                                  # G_ab = Σ_β K̄_aβ C_βb (β ≠ a, b)
        Gh = G.conj().T                                      # Σ_β K_bβ C_aβ = (G†)_ab
        v = np.conj(np.diag(G))                              # v_a = Σ_{β≠a} K_aβ C_aβ
        s = 2.0 * n - 1.0
        KTC = self.KT * C.conj()                             # K_ba C_ba at [a, b]
        dC = (-0.5 * (np.conj(Kd)[:, None] + Kd[None, :]) * C
              + 0.5 * s[:, None] * G + 0.5 * s[None, :] * Gh
              + 0.5 * self.Kbar * (2.0 * P - n[None, :])
              + 0.5 * self.KT * (2.0 * P - n[:, None]))
        dC[~self.off] = 0.0
        dn = -gd * n - v.real
        KC = K * C                                           # K_ab C_ab
        dP = -(gd[:, None] + gd[None, :]) * P - (n[None, :] * (v[:, None] - KC).real
                                                 + n[:, None] * (v[None, :] - KTC).real)
        dP[~self.off] = 0.0
        return dn, dC, dP
