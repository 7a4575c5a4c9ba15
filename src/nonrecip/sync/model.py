"""Parameters of the two-species non-reciprocal spin model (docs/theory/sync.md#conventions, docs/theory/sync.md#master-equation, Eqs. 1–7, 28).

One place holds and checks the parameters used by every sync capability (mean field,
exact steady states, cumulants, spectra, trajectories).

Rates are the *collective* ones of docs/theory/sync.md#conventions (Γ, κ, J fixed as N → ∞); the microscopic
rates of an N-spin species are collective / N.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["SyncParams", "MicroscopicRates", "SyncParameterError", "require_model"]


class SyncParameterError(ValueError):
    """A model parameter is out of its physical range; the message names the parameter."""


@dataclass(frozen=True)
class SyncParams:
    """Parameters of docs/theory/sync.md Eq. (1) with damping and dephasing (Eq. 28).

    Parameters
    ----------
    kappa : float
        Reciprocal dissipative inter-species coupling κ (may be negative), Eq. (3).
    J : complex
        Non-reciprocal (Hamiltonian) coupling J, Eq. (2); complex J = |J| e^{iϑ}.
    Delta : float
        Detuning Δ between the species, H₀ = (Δ/2)(S_A^z − S_B^z).
    w : float
        Local incoherent gain rate w ≥ 0, Eq. (6).
    Gamma : float
        Collective intra-species decay Γ ≥ |κ|, Eq. (4)–(5).
    gamma : float
        Local damping γ ≥ 0, Eq. (28).
    gamma_phi : float
        Local dephasing γ_φ ≥ 0, Eq. (28).
    """

    kappa: float
    J: complex
    Delta: float = 0.0
    w: float = 0.5
    Gamma: float = 1.0
    gamma: float = 0.0
    gamma_phi: float = 0.0

    def __post_init__(self) -> None:
        for name in ("kappa", "Delta", "w", "Gamma", "gamma", "gamma_phi"):
            value = getattr(self, name)
            if isinstance(value, complex) or not math.isfinite(float(value)):
                raise SyncParameterError(f"{name} must be a finite real number, got {value!r}")
            object.__setattr__(self, name, float(value))
        J = complex(self.J)
        if not (math.isfinite(J.real) and math.isfinite(J.imag)):
            raise SyncParameterError(f"J must be finite, got {self.J!r}")
        object.__setattr__(self, "J", J)
        for name in ("w", "Gamma", "gamma", "gamma_phi"):
            if getattr(self, name) < 0:
                raise SyncParameterError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.Gamma < abs(self.kappa) * (1 - 1e-12):
            raise SyncParameterError(
                f"Gamma must satisfy Gamma >= |kappa| (Eq. 5, complete positivity); "
                f"got Gamma={self.Gamma}, kappa={self.kappa}"
            )

    @property
    def gamma_total(self) -> float:
        """γ_tot = w + γ + 2γ_φ: a single-spin coherence decays at γ_tot/2 (docs/theory/sync.md#master-equation)."""
        return self.w + self.gamma + 2.0 * self.gamma_phi

    @property
    def pt_symmetric(self) -> bool:
        """True when Δ = 0 and J is real (docs/theory/sync.md#symmetries: steady state real, Eq. 17)."""
        return self.Delta == 0.0 and self.J.imag == 0.0

    def microscopic(self, n_spins: float) -> "MicroscopicRates":
        """Microscopic rates of an ``n_spins``-spin species: Γ/N, κ/N, J/N (w, Δ, γ, γ_φ unchanged)."""
        if not n_spins >= 1:
            raise SyncParameterError(f"N must be >= 1, got {n_spins}")
        d = asdict(self)
        for name in ("kappa", "J", "Gamma"):
            d[name] = d[name] / n_spins
        return MicroscopicRates(**d)

    def as_attrs(self) -> dict[str, float]:
        """NetCDF-storable attributes (J split into real and imaginary parts)."""
        d = asdict(self)
        J = d.pop("J")
        d["J_real"], d["J_imag"] = J.real, J.imag
        return d


@dataclass(frozen=True)
class MicroscopicRates:
    """Rates of one spin of an N-spin species (Γ/N, κ/N, J/N; w, Δ, γ, γ_φ unchanged).

    Frozen and hashable, so models built from it can be cached; made by
    :meth:`SyncParams.microscopic`.
    """

    kappa: float
    J: complex
    Delta: float
    w: float
    Gamma: float
    gamma: float
    gamma_phi: float

    def as_dict(self) -> dict[str, float | complex]:
        """The rates as keyword arguments (e.g. of ``liouvillian_terms``)."""
        return asdict(self)


def require_model(model) -> SyncParams:
    """``model`` itself when it is a :class:`SyncParams`; otherwise a TypeError naming the argument."""
    if not isinstance(model, SyncParams):
        raise TypeError(f"model must be a SyncParams, got {type(model).__name__}")
    return model
