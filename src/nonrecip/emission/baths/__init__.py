"""Baths: from qubit positions (N × 2, nm) to the coupling matrices (J, γ) of the master equation.

Every bath has ``couplings(positions_nm) -> (J, gamma)``: complex (N, N) NumPy arrays in the
convention of docs/theory/emission.md#master-equation (H = ½ Σ J_ab σ⁺_a σ⁻_b, dissipator
Σ γ_ab D[σ⁻_b, σ⁺_a]), J Hermitian, γ Hermitian positive semidefinite; and ``attrs()``, the
flat provenance attributes a dataset carries. Built in (docs/theory/baths.md):

* :class:`ChiralMagnet` — qubits above a chiral magnetic film (paper E), separations in the plane;
* :class:`ChiralWaveguide` — a chiral 1D waveguide (cascaded master equation);
* :class:`MatrixBath` — the user's own matrices, or a NetCDF/``.npz`` file of them.

A new bath is any object with those two methods (docs/theory/baths.md#own-bath).
"""

from nonrecip.emission.baths.chiral_magnet import ChiralMagnet, closed_form_plane, integral_plane
from nonrecip.emission.baths.matrix import MatrixBath, check_coupling_matrices
from nonrecip.emission.baths.waveguide import ChiralWaveguide

__all__ = ["ChiralMagnet", "ChiralWaveguide", "MatrixBath", "BATHS", "check_coupling_matrices",
           "closed_form_plane", "integral_plane"]

#: bath kind (config ``bath.kind``) -> class
BATHS = {"chiral_magnet": ChiralMagnet, "chiral_waveguide": ChiralWaveguide, "matrix": MatrixBath}
