"""Chiral-magnet bath for qubits anywhere in the plane (docs/theory/baths.md#chiral-magnet-plane).

The film's DMI axis x̂ need not be the array's x axis: a separation r = (x, y) of the array
enters the couplings through its components along (dx) and across (dy) the DMI axis.

* :func:`closed_form_plane` — the d → 0 closed form, docs/theory/baths.md#chiral-magnet-closed-plane;
* :func:`integral_plane` — the finite-distance susceptibility integrals, trapezoid over the full
  circle of polar angles (docs/theory/baths.md#chiral-magnet-integral-plane);
* :class:`ChiralMagnet` — positions [nm] → normalised (J/γ0, γ/γ0) matrices.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

from nonrecip.emission.couplings import UnphysicalCouplingError
from nonrecip.emission.geometry import positions
from nonrecip.emission.integrals import MAX_INTERVALS, _scaled_e1, _scaled_ei, near_field_integral
from nonrecip.emission.physics import YIG, FilmParameters
from nonrecip.validate import one_of, real

__all__ = ["ChiralMagnet", "closed_form_plane", "integral_plane", "METHODS"]

#: coupling methods of :class:`ChiralMagnet`
METHODS = ("closed", "integral")
_BLOCK = 2**18  # (separation, θ) elements evaluated per chunk (memory bound)
_PSD_RTOL = 1e-10  # γ refused when its smallest eigenvalue is below −_PSD_RTOL·N


def _separations(dx, dy):
    """dx, dy as finite float arrays of one broadcast shape."""
    try:
        dx = np.asarray(dx, dtype=float)
        dy = np.asarray(dy, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"dx and dy must be arrays of real separations (units of a): {exc}") from None
    for name, v in (("dx", dx), ("dy", dy)):
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be finite (separations in units of the lattice constant a)")
    try:
        return np.broadcast_arrays(dx, dy)
    except ValueError:
        raise ValueError(f"dx and dy must broadcast together, got shapes {dx.shape} and {dy.shape}") from None


def closed_form_plane(dx, dy, *, k0, k1, f_J=1.0):
    """Closed-form (d → 0) couplings at in-plane separations (docs/theory/baths.md#chiral-magnet-closed-plane).

    γ/γ0 = e^{ik0 dx}[J0(k1 r) + i c (dx/r) J1(k1 r)],
    J/γ0 = f_J e^{ik0 dx}[Y0(k1 r) + i c (dx/r) Y1(k1 r)],  J(0) := 0,

    r = √(dx² + dy²), c = 2k0k1/(k0² + k1²). On the DMI axis (dy = 0) this is
    :func:`nonrecip.emission.couplings.closed_form_couplings` (dx/r = sgn dx).

    Parameters
    ----------
    dx, dy : array_like
        Separation components along and across the film's DMI axis, units of a (broadcast).
    k0, k1 : float
        DM wave number and resonance radius, units of 1/a (k1 > 0).
    f_J : float
        Factor of the coherent part (docs/theory/emission.md#coupling-fj-factor).

    Returns
    -------
    gamma, J : numpy.ndarray
        Complex arrays of the broadcast shape; f(−r) = f(r)*.
    """
    dx, dy = _separations(dx, dy)
    k0, k1 = real("k0", k0), real("k1", k1, minimum=0.0, exclusive_minimum=True)
    f_J = real("f_J", f_J)
    c = 2 * k0 * k1 / (k0 * k0 + k1 * k1)
    r = np.hypot(dx, dy)
    z = k1 * r
    on_site = z == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(r > 0, dx / r, 0.0)  # cosine of the angle to the DMI axis (sgn dx on the axis)
        phase = np.exp(1j * k0 * dx)
        gamma = phase * (special.j0(z) + 1j * c * u * special.j1(z))
        J = f_J * phase * (special.y0(z) + 1j * c * u * special.y1(z))
    J = np.where(on_site, 0.0, J)
    return gamma, J


def _canonical(dx, dy):
    """Distinct (|dx|, |dy|) with (0, 0) first, index map from the raveled input, conjugation mask.

    f(−r) = f(r)* and the mirror f(dx, −dy) = f(dx, dy) (docs/theory/baths.md#chiral-magnet-symmetries) map every
    separation onto the quadrant dx, dy ≥ 0; values with dx < 0 are conjugated.
    """
    pts = np.concatenate(([[0.0, 0.0]], np.column_stack((np.abs(dx.ravel()), np.abs(dy.ravel())))))
    pts = pts + 0.0  # −0.0 → 0.0 so that unique() sees one zero
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return uniq[:, 0], uniq[:, 1], inverse[1:], (dx < 0).ravel()


def _ray_sums(px, py, theta, k0, k1, d):
    """Σ_θ of the I_γ and P2 integrands (per-ray radial integrals of integrals.py, p = dx cos θ + dy sin θ)."""
    c, sn = np.cos(theta), np.sin(theta)
    kap2 = (k1 - k0) * (k1 + k0)
    root = np.sqrt(k0 * k0 * c * c + kap2)
    k0c = k0 * c
    kp = np.where(k0c >= 0, k0c + root, kap2 / (root - k0c))
    km = -kap2 / kp
    g = np.zeros(px.size, dtype=complex)
    p = np.zeros(px.size, dtype=complex)
    step = max(1, _BLOCK // max(1, theta.size))
    for i in range(0, px.size, step):
        s = 2.0 * d - 1j * (np.multiply.outer(px[i:i + step], c) + np.multiply.outer(py[i:i + step], sn))
        zp = s * kp
        g[i:i + step] = ((kp**3 / (2.0 * root)) * np.exp(-zp)).sum(axis=1)
        r2 = 2.0 * k0c / s + (kp**3 * -_scaled_ei(zp) - km**3 * _scaled_e1(-s * km)) / (2.0 * root)
        p[i:i + step] = r2.sum(axis=1)
    return g, p


def _plane_integrals(px, py, k0, k1, d, tol, f_J, p_fixed):
    """Full-circle nested trapezoid for I_γ and P2 at canonical separations ((0, 0) first).

    Same stopping rule as ``integrals._adaptive``: nodes doubled until γ/γ0 changes by ≤ tol and
    J/γ0 by ≤ tol·max(1, max|J/γ0|). On the DMI axis the node sequence is that of the half-circle
    rule of integral_couplings (2n full-circle nodes = n intervals on [0, π]).
    """
    rmax = float(np.hypot(px, py).max())
    n = 64  # intervals on a half circle
    while n < (abs(k0) + k1) * rmax + 32:
        n *= 2
    m = 2 * n  # full-circle nodes
    sum_g, sum_p = _ray_sums(px, py, 2.0 * math.pi * np.arange(m) / m, k0, k1, d)
    ig, p2 = (2.0 * math.pi / m) * sum_g, (2.0 * math.pi / m) * sum_p
    while True:
        if m > MAX_INTERVALS:
            raise RuntimeError(
                f"plane integral couplings not converged to tol={tol:g} with {2 * m} angular nodes "
                f"(k0={k0}, k1={k1}, d={d}, max r={rmax}); d/r or kappa/|k0| is too small")
        g_new, p_new = _ray_sums(px, py, 2.0 * math.pi * (np.arange(m) + 0.5) / m, k0, k1, d)
        sum_g, sum_p = sum_g + g_new, sum_p + p_new
        m *= 2
        ig_new, p2_new = (2.0 * math.pi / m) * sum_g, (2.0 * math.pi / m) * sum_p
        i0 = ig_new[0].real
        delta_g = float(np.max(np.abs(ig_new - ig)) / i0)
        jn = (f_J * (p2_new + p_fixed) / (math.pi * i0))[1:]
        jo = (f_J * (p2 + p_fixed) / (math.pi * ig[0].real))[1:]
        delta_j = float(np.max(np.abs(jn - jo), initial=0.0))
        ig, p2 = ig_new, p2_new
        if delta_g <= tol and delta_j <= tol * max(1.0, float(np.max(np.abs(jn), initial=0.0))):
            break
    info = {"angular_nodes": m, "convergence_delta_gamma": delta_g, "convergence_delta_J": delta_j,
            "tol": tol, "gamma0_integral": float(i0)}
    return ig, p2, info


def integral_plane(dx, dy, *, k0, k1, d, f_J=1.0, include_near_field=True, tol=1e-10, return_info=False):
    """Finite-distance couplings at in-plane separations (docs/theory/baths.md#chiral-magnet-integral-plane).

    γ/γ0 = I_γ(r)/I_γ(0), J/γ0 = −f_J P(r)/(π I_γ(0)) with I_γ, P the integrals of
    docs/theory/emission.md#coupling-integrals at r = (dx, dy); P = P_nf + P2, P_nf = 4πd/(r² + 4d²)^{3/2}.

    Parameters
    ----------
    dx, dy : array_like
        Separation components along and across the DMI axis, units of a (broadcast).
    k0, k1, d : float
        Units of 1/a (k1 > |k0|) and NV–film distance in units of a (> 0).
    f_J, include_near_field, tol
        As :func:`~nonrecip.emission.integrals.integral_couplings` (docs/theory/emission.md#near-field).
    return_info : bool
        Also return the quadrature metadata (angular_nodes, convergence deltas, gamma0_integral = I_γ(0)).

    Returns
    -------
    gamma, J : numpy.ndarray
        Complex arrays of the broadcast shape; γ(0) = 1, J(0) := 0, f(−r) = f(r)*.
    """
    dx, dy = _separations(dx, dy)
    k0, k1 = real("k0", k0), real("k1", k1, minimum=0.0, exclusive_minimum=True)
    d = real("d", d, minimum=0.0, exclusive_minimum=True)
    if k1 <= abs(k0):
        raise ValueError(f"k1 must exceed |k0| (kappa^2 = k1^2 - k0^2 > 0), got k1={k1}, k0={k0}")
    f_J = real("f_J", f_J)
    tol = real("tol", tol, minimum=0.0, exclusive_minimum=True)
    if not isinstance(include_near_field, (bool, np.bool_)):
        raise ValueError(f"include_near_field must be a bool, got {include_near_field!r}")
    px, py, idx, neg = _canonical(dx, dy)
    r = np.hypot(px, py)
    p_nf = near_field_integral(r, d=d) if include_near_field else np.zeros(r.size)
    ig, p2, info = _plane_integrals(px, py, k0, k1, d, tol, f_J if f_J != 0 else 1.0, p_nf)
    i0 = info["gamma0_integral"]
    gamma = ig / i0
    gamma[0] = 1.0
    J = -f_J * (p2 + p_nf) / (math.pi * i0)
    J[0] = 0.0
    gamma, J = gamma[idx], J[idx]
    gamma = np.where(neg, np.conj(gamma), gamma).reshape(dx.shape)
    J = np.where(neg, np.conj(J), J).reshape(dx.shape)
    return (gamma, J, info) if return_info else (gamma, J)


@dataclass(frozen=True, init=False)
class ChiralMagnet:
    """Chiral magnetic film as the bath of qubits in the plane (docs/theory/baths.md#chiral-magnet-plane).

    Parameters
    ----------
    k0 : float
        Non-reciprocity k0 = D/J in units of 1/a.
    method : {"closed", "integral"}
        Closed form (d → 0, docs/theory/baths.md#chiral-magnet-closed-plane) or the finite-d integrals
        (docs/theory/baths.md#chiral-magnet-integral-plane).
    distance_nm : float
        NV–film distance d [nm]: must be 0 for ``"closed"`` and > 0 for ``"integral"``.
    dmi_angle : float
        Angle [rad] of the film's DMI axis from the array's x axis, counter-clockwise
        (docs/theory/baths.md#chiral-magnet-dmi-angle).
    f_J : float
        Factor of the coherent part, ≥ 0 (docs/theory/emission.md#coupling-fj-factor).
    include_near_field : bool
        ``"integral"`` only: keep the near-field term P_nf.
    film : FilmParameters
        Film and NV parameters (default YIG).
    **film_overrides
        FilmParameters fields replaced via ``film.with_overrides``.
    """

    k0: float
    method: str
    distance_nm: float
    dmi_angle: float
    f_J: float
    include_near_field: bool
    film: FilmParameters

    def __init__(self, *, k0, method="closed", distance_nm=0.0, dmi_angle=0.0, f_J=1.0,
                 include_near_field=True, film=YIG, **film_overrides):
        one_of("method", method, METHODS)
        k0 = real("k0", k0)
        distance_nm = real("distance_nm", distance_nm, minimum=0.0)
        dmi_angle = real("dmi_angle", dmi_angle)
        f_J = real("f_J", f_J, minimum=0.0)
        if not isinstance(include_near_field, (bool, np.bool_)):
            raise ValueError(f"include_near_field must be a bool, got {include_near_field!r}")
        if not isinstance(film, FilmParameters):
            raise TypeError(f"film must be a FilmParameters, got {type(film).__name__}")
        if film_overrides:
            unknown = sorted(set(film_overrides) - set(asdict(film)))
            if unknown:
                raise TypeError(f"unknown physical parameter(s): {', '.join(unknown)}")
            film = film.with_overrides(**{k: real(k, v) for k, v in film_overrides.items()})
        if method == "closed" and distance_nm != 0:
            raise ValueError(
                f"distance_nm={distance_nm}: the closed form (method='closed') is the d -> 0 limit; "
                "use method='integral' for a finite NV-film distance")
        if method == "integral" and not distance_nm > 0:
            raise ValueError(f"distance_nm must be > 0 for method='integral', got {distance_nm}")
        for name, value in (("k0", k0), ("method", method), ("distance_nm", distance_nm),
                            ("dmi_angle", dmi_angle), ("f_J", f_J),
                            ("include_near_field", bool(include_near_field)), ("film", film)):
            object.__setattr__(self, name, value)

    def _pair_couplings(self, dx, dy):
        """(γ/γ0, J/γ0, I_γ(0)/(π(k0²+k1²))) at film-frame separations in units of a."""
        k1 = self.film.scales(self.k0).k1
        if self.method == "closed":
            px, py, idx, neg = _canonical(dx, dy)
            g, j = closed_form_plane(px, py, k0=self.k0, k1=k1, f_J=self.f_J)
            g, j = g[idx], j[idx]
            g = np.where(neg, np.conj(g), g).reshape(dx.shape)
            j = np.where(neg, np.conj(j), j).reshape(dx.shape)
            return g, j, 1.0
        g, j, info = integral_plane(dx, dy, k0=self.k0, k1=k1, d=self.distance_nm / self.film.lattice_nm,
                                    f_J=self.f_J, include_near_field=self.include_near_field, return_info=True)
        return g, j, info["gamma0_integral"] / (math.pi * (self.k0**2 + k1**2))

    def couplings(self, positions_nm):
        """Normalised coupling matrices of qubits at ``positions_nm`` (docs/theory/baths.md#chiral-magnet-plane).

        Parameters
        ----------
        positions_nm : array_like
            (N, 2) in-plane positions [nm] in the array frame, or (N,) positions on its x axis.

        Returns
        -------
        J, gamma : numpy.ndarray
            Complex (N, N) matrices J_ab/γ0 and γ_ab/γ0 (γ0 = γ_aa), separations r_ab = r_a − r_b.

        Raises
        ------
        ValueError
            Bad shape, non-finite entries or two qubits at the same point (sites named 1…N).
        UnphysicalCouplingError
            γ not positive semidefinite beyond −1e-10·N (docs/theory/emission.md#gamma-psd).
        """
        pos = positions(positions_nm, name="positions_nm")
        N = pos.shape[0]
        rx = pos[:, 0][:, None] - pos[:, 0][None, :]
        ry = pos[:, 1][:, None] - pos[:, 1][None, :]
        cos_d, sin_d = math.cos(self.dmi_angle), math.sin(self.dmi_angle)
        a_nm = self.film.lattice_nm
        dx = (rx * cos_d + ry * sin_d) / a_nm  # along the DMI axis
        dy = (ry * cos_d - rx * sin_d) / a_nm  # across it
        gamma, J, _ = self._pair_couplings(dx, dy)
        asym = max(float(np.max(np.abs(gamma - gamma.conj().T))), float(np.max(np.abs(J - J.conj().T))))
        if asym > 1e-12 * max(1.0, float(np.max(np.abs(J)))):
            raise UnphysicalCouplingError(f"couplings are not Hermitian (max deviation {asym:.3e}) for {self!r}")
        eig = np.linalg.eigvalsh(gamma)
        if eig[0] < -_PSD_RTOL * N:
            raise UnphysicalCouplingError(
                f"gamma is not positive semidefinite (min eigenvalue {eig[0]:.3e}) for N={N}, k0={self.k0}, "
                f"method={self.method!r}, distance_nm={self.distance_nm}, dmi_angle={self.dmi_angle}")
        return J, gamma

    def attrs(self) -> dict:
        """Flat dict of scalars describing the bath (dataset provenance)."""
        s = self.film.scales(self.k0)
        weight = 1.0
        if self.method == "integral":
            weight = self._pair_couplings(np.zeros(1), np.zeros(1))[2]
        out = {
            "bath": "chiral_magnet",
            "k0": self.k0,
            "method": self.method,
            "distance_nm": self.distance_nm,
            "dmi_angle": self.dmi_angle,
            "f_J": self.f_J,
            "include_near_field": int(self.include_near_field),
            "k1": s.k1,
            "kappa_sq": s.kappa_sq,
            "lambda0_nm": s.lambda0_nm,
            "lambda1_nm": s.lambda1_nm,
            "nonreciprocity": s.nonreciprocity,
            "gamma0_hz": self.film.gamma0_reference_hz * (self.k0**2 + s.k1**2) / s.kappa_sq * weight,
        }
        out.update({f"film_{k}": v for k, v in asdict(self.film).items()})
        return out
