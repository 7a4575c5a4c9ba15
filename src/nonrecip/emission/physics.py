"""Physical parameters of the NV-over-chiral-magnet setup of paper E (docs/theory/emission.md#physical-parameters).

All lengths inside the coupling formulas are in units of the film lattice constant
``a`` (x̃ = x/a, d̃ = d/a) and wave numbers in units of 1/a.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

__all__ = ["FilmParameters", "DerivedScales", "YIG"]


@dataclass(frozen=True)
class FilmParameters:
    """YIG-like film and NV parameters (paper E below Eq. 47; docs/theory/emission.md#physical-parameters).

    Attributes
    ----------
    lattice_nm : float
        Film lattice constant a [nm].
    spin_stiffness_hz_m2 : float
        ρ_s [Hz·m²] (cyclic); exchange J = ρ_s/a².
    field_gauss : float
        Bias field B0 [G].
    nv_zero_field_splitting_hz : float
        NV zero-field splitting Δ0 [Hz]; ω_q = Δ0 − γ̃B0.
    nv_gyromagnetic_hz_per_gauss : float
        γ̃ [Hz/G].
    film_gap_zero_field_hz : float
        Δ(B0 = 0) [Hz] of the film.
    film_gyromagnetic_hz_per_gauss : float
        γ_F [Hz/G] in Δ(B0) = Δ(0) + γ_F B0 (docs/theory/emission.md#chosen-values, chosen).
    gamma0_reference_hz : float
        Order-of-magnitude γ0 at k0 = 0 and d → 0 [1/s] (docs/theory/emission.md#physical-parameters, UNVERIFIED estimate);
        normalised results never depend on it.
    """

    lattice_nm: float = 1.2
    spin_stiffness_hz_m2: float = 7.7e-6
    field_gauss: float = 400.0
    nv_zero_field_splitting_hz: float = 2.87e9
    nv_gyromagnetic_hz_per_gauss: float = 2.8e6
    film_gap_zero_field_hz: float = 0.55e9
    film_gyromagnetic_hz_per_gauss: float = 2.8e6
    gamma0_reference_hz: float = 34.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be finite and >= 0, got {value}")
        for name in ("lattice_nm", "spin_stiffness_hz_m2"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.detuning_hz <= 0:
            raise ValueError(
                f"omega_q - Delta = {self.detuning_hz:.4g} Hz <= 0 at field_gauss={self.field_gauss}: "
                "the qubits are below the magnon gap, no resonance, gamma = 0 (docs/theory/emission.md#physical-parameters: "
                "resonant only for B0 < 414.3 G with the default film)"
            )

    def with_overrides(self, **overrides) -> "FilmParameters":
        """Return a copy with fields replaced; unknown names raise ``TypeError`` naming them."""
        unknown = set(overrides) - set(asdict(self))
        if unknown:
            raise TypeError(f"unknown physical parameter(s): {', '.join(sorted(unknown))}")
        return replace(self, **overrides)

    @property
    def exchange_hz(self) -> float:
        """J = ρ_s/a² [Hz]."""
        return self.spin_stiffness_hz_m2 / (self.lattice_nm * 1e-9) ** 2

    @property
    def qubit_frequency_hz(self) -> float:
        """ω_q = Δ0 − γ̃ B0 [Hz]."""
        return self.nv_zero_field_splitting_hz - self.nv_gyromagnetic_hz_per_gauss * self.field_gauss

    @property
    def film_gap_hz(self) -> float:
        """Δ(B0) = Δ(0) + γ_F B0 [Hz]."""
        return self.film_gap_zero_field_hz + self.film_gyromagnetic_hz_per_gauss * self.field_gauss

    @property
    def detuning_hz(self) -> float:
        """ω_q − Δ(B0) [Hz]; must be > 0 for a resonance."""
        return self.qubit_frequency_hz - self.film_gap_hz

    @property
    def kappa_sq(self) -> float:
        """κ² = (ω_q − Δ)/J (dimensionless, in 1/a²)."""
        return self.detuning_hz / self.exchange_hz

    def scales(self, k0: float) -> "DerivedScales":
        """Derived wave numbers and lengths for non-reciprocity ``k0 = D/J`` (in 1/a)."""
        if not math.isfinite(k0):
            raise ValueError(f"k0 must be finite, got {k0}")
        k1 = math.sqrt(k0 * k0 + self.kappa_sq)
        a = self.lattice_nm
        return DerivedScales(
            k0=k0,
            k1=k1,
            kappa_sq=self.kappa_sq,
            lambda0_nm=a / abs(k0) if k0 != 0 else math.inf,
            lambda1_nm=a / k1,
            nonreciprocity=2 * k0 * k1 / (k0 * k0 + k1 * k1),
        )


@dataclass(frozen=True)
class DerivedScales:
    """k1 = √(k0² + κ²), λ0 = a/k0, λ1 = a/k1, c = 2k0k1/(k0²+k1²) (paper E Eqs. 47–49)."""

    k0: float
    k1: float
    kappa_sq: float
    lambda0_nm: float
    lambda1_nm: float
    nonreciprocity: float


#: the paper's YIG-like parameters at B0 = 400 G
YIG = FilmParameters()
