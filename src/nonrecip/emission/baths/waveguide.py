"""Emitters coupled to a chiral one-dimensional waveguide (cascaded master equation).

Right- and left-moving modes with decay rates γ_R, γ_L into them, propagation phase
k·(x_a − x_b) and a non-guided loss γ' (Gardiner 1993, Carmichael 1993; Pichler, Ramos,
Daley & Zoller, PRA 91, 042116 (2015); Lodahl et al., Nature 541, 473 (2017)). In the
project's convention (docs/theory/emission.md#master-equation, H = ½ Σ J_ab σ⁺_a σ⁻_b and the
dissipator Σ γ_ab D[σ⁻_b, σ⁺_a]) the couplings are (docs/theory/baths.md#waveguide-couplings)

    γ_ab = γ_R e^{ik x_ab} + γ_L e^{−ik x_ab} + γ' δ_ab,
    J_ab = −i sgn(x_ab) (γ_R e^{ik x_ab} − γ_L e^{−ik x_ab}),      x_ab = x_a − x_b,

so that H_eff = ½ Σ (J − iγ)_ab σ⁺_a σ⁻_b couples every emitter only to those downstream of it
in each direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nonrecip.emission.geometry import positions as _positions
from nonrecip.validate import real

__all__ = ["ChiralWaveguide"]


@dataclass(frozen=True)
class ChiralWaveguide:
    """A chiral waveguide along x (docs/theory/baths.md#waveguide).

    Parameters
    ----------
    gamma_right, gamma_left : float
        Decay rates into the right-moving (+x) and left-moving modes, ≥ 0, in the rate unit
        the user chooses (the couplings come back in the same unit).
    k_per_nm : float
        Guided wave number k [1/nm]; the phase between emitters is k·(x_a − x_b).
    gamma_loss : float
        Decay rate into non-guided modes γ' ≥ 0.
    """

    gamma_right: float
    gamma_left: float
    k_per_nm: float
    gamma_loss: float = 0.0

    def __init__(self, *, gamma_right: float, gamma_left: float, k_per_nm: float, gamma_loss: float = 0.0):
        object.__setattr__(self, "gamma_right", real("gamma_right", gamma_right, minimum=0.0))
        object.__setattr__(self, "gamma_left", real("gamma_left", gamma_left, minimum=0.0))
        object.__setattr__(self, "k_per_nm", real("k_per_nm", k_per_nm))
        object.__setattr__(self, "gamma_loss", real("gamma_loss", gamma_loss, minimum=0.0))
        if self.gamma_right + self.gamma_left + self.gamma_loss == 0:
            raise ValueError("gamma_right + gamma_left + gamma_loss must be > 0 (otherwise nothing decays)")

    def couplings(self, positions_nm):
        """(J, γ) complex (N, N) arrays for emitters at ``positions_nm`` (only x enters).

        Parameters
        ----------
        positions_nm : array_like (N, 2) or (N,)
            Emitter positions [nm]; emitters may share an x coordinate only if their y differ
            (then they couple with x_ab = 0: J_ab = 0, γ_ab = γ_R + γ_L).
        """
        x = _positions(positions_nm)[:, 0]
        sep = x[:, None] - x[None, :]
        right = self.gamma_right * np.exp(1j * self.k_per_nm * sep)
        left = self.gamma_left * np.exp(-1j * self.k_per_nm * sep)
        gamma = right + left + self.gamma_loss * np.eye(x.size)
        J = -1j * np.sign(sep) * (right - left)
        return J, 0.5 * (gamma + gamma.conj().T)

    def attrs(self) -> dict:
        """Flat provenance attributes of the bath."""
        return {"bath": "chiral_waveguide", "gamma_right": self.gamma_right, "gamma_left": self.gamma_left,
                "k_per_nm": self.k_per_nm, "gamma_loss": self.gamma_loss}
