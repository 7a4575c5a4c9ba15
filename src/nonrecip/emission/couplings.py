"""Coherent (J_αβ) and dissipative (γ_αβ) coupling matrices of N qubits above a chiral film.

Two models (spec E §5):

* ``"bessel"`` — the closed form, paper E Eqs. (48)–(49), the d → 0 limit of the integrals;
* ``"integral"`` — the full susceptibility integrals at finite NV–film distance d
  (Eqs. 37–40 with 43, 46 and the sign-corrected Eq. 47), see :mod:`nonrecip.emission.integrals`.

Both are returned normalised by γ0 = γ_αα. The coherent coupling carries the factor f_J of
spec E §0.5: f_J = 1 (default) is Eqs. (2)+(49); f_J = ½ is the literal Eqs. (37)–(38).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy import special

from nonrecip.emission.physics import YIG, FilmParameters

__all__ = ["coupling_matrices", "closed_form_couplings", "UnphysicalCouplingError", "COUPLING_METHODS"]

COUPLING_METHODS = ("bessel", "integral")

#: default NV–film distance of each coupling model [nm] (spec E §2)
DEFAULT_DISTANCE_NM = {"bessel": 0.0, "integral": 1.0}


class UnphysicalCouplingError(ValueError):
    """The dissipative matrix γ is not positive semidefinite beyond round-off."""


def closed_form_couplings(x, *, k0: float, k1: float, f_J: float = 1.0):
    """Closed-form couplings of paper E Eqs. (48)–(49) at signed separations ``x`` (units of a).

    γ/γ0 = e^{ik0x}[J0(k1|x|) + i c sgn(x) J1(k1|x|)],
    J/γ0 = f_J e^{ik0x}[Y0(k1|x|) + i c sgn(x) Y1(k1|x|)],  J(0) := 0,

    with c = 2k0k1/(k0²+k1²). Y0, Y1 are evaluated at |x| with an explicit sgn(x) on the
    order-1 terms (spec E §5.2; the paper's Y1(x/λ1) is undefined for x < 0).

    Returns
    -------
    gamma, J : numpy.ndarray
        Complex arrays of the shape of ``x``.
    """
    x = np.asarray(x, dtype=float)
    c = 2 * k0 * k1 / (k0 * k0 + k1 * k1)
    z = k1 * np.abs(x)
    sgn = np.sign(x)
    phase = np.exp(1j * k0 * x)
    gamma = phase * (special.j0(z) + 1j * c * sgn * special.j1(z))
    on_site = z == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        J = f_J * phase * (special.y0(z) + 1j * c * sgn * special.y1(z))
    J = np.where(on_site, 0.0, J)
    return gamma, J


def coupling_matrices(
    n_sites: int,
    *,
    k0: float,
    spacing_nm: float = 20.0,
    distance_nm: float | None = None,
    method: str = "bessel",
    f_J: float = 1.0,
    include_near_field: bool = True,
    psd_tolerance: float = 1e-10,
    **physical_overrides,
) -> xr.Dataset:
    """Coupling matrices J/γ0 and γ/γ0 of ``n_sites`` qubits in a chain (paper E Eqs. 2–3, 48–49).

    Qubit α sits at x_α = (α − 1)·a_q; x_αβ = x_α − x_β (α = 1 is the leftmost qubit).

    Parameters
    ----------
    n_sites : int
        Number of qubits N ≥ 1.
    k0 : float
        Bath non-reciprocity k0 = D/J in units of 1/a (k0 < 0 mirrors the pattern).
    spacing_nm : float
        Qubit spacing a_q [nm].
    distance_nm : float, optional
        NV–film distance d [nm]. ``None`` takes the model's default: 0 for ``"bessel"`` (the
        closed form is the d → 0 limit; a non-zero value is refused), 1 nm for ``"integral"``.
    method : {"bessel", "integral"}
        Closed form (Eqs. 48–49) or full susceptibility integrals (spec E §5.3).
    f_J : float
        Factor of the coherent coupling (spec E §0.5): 1 = Eqs. (2)+(49), ½ = Eqs. (37)–(38).
    include_near_field : bool
        ``"integral"`` only: keep the non-resonant near-field term P_nf (spec E §5.4).
    psd_tolerance : float
        γ is rejected when its smallest eigenvalue is below ``-psd_tolerance``·N.
    **physical_overrides
        Fields of :class:`~nonrecip.emission.physics.FilmParameters` (e.g. ``field_gauss``).

    Returns
    -------
    xarray.Dataset
        Complex ``J`` and ``gamma`` on ``("alpha", "beta")``, ``gamma_eigenvalues`` on ``mode``,
        ``position`` on ``alpha``; attrs ``lambda0_nm``, ``lambda1_nm``, ``gamma0_hz``, ``k1``,
        ``kappa_sq``, ``nonreciprocity``, the model switches and ``burst_criterion``.

    Raises
    ------
    UnphysicalCouplingError
        If γ is not positive semidefinite beyond round-off; the message names the parameters.
    """
    n_sites = int(n_sites)
    if n_sites < 1:
        raise ValueError(f"n_sites must be >= 1, got {n_sites}")
    if method not in COUPLING_METHODS:
        raise ValueError(f"method must be one of {COUPLING_METHODS}, got {method!r}")
    if not (math.isfinite(spacing_nm) and spacing_nm > 0):
        raise ValueError(f"spacing_nm must be > 0, got {spacing_nm}")
    if f_J < 0 or not math.isfinite(f_J):
        raise ValueError(f"f_J must be finite and >= 0, got {f_J}")
    if distance_nm is None:
        distance_nm = DEFAULT_DISTANCE_NM[method]
    if method == "bessel" and distance_nm != 0:
        raise ValueError(
            f"distance_nm={distance_nm}: the closed form (method='bessel') is the d -> 0 limit; "
            "use method='integral' for a finite NV-film distance"
        )
    if method == "integral" and not distance_nm > 0:
        raise ValueError(f"distance_nm must be > 0 for method='integral', got {distance_nm}")

    film = YIG.with_overrides(**physical_overrides) if physical_overrides else YIG
    scales = film.scales(k0)
    a = film.lattice_nm
    position = spacing_nm * np.arange(n_sites)
    sep = (np.arange(n_sites)[:, None] - np.arange(n_sites)[None, :]) * (spacing_nm / a)
    lags = np.arange(-(n_sites - 1), n_sites) * (spacing_nm / a)  # distinct separations

    info = {}
    if method == "bessel":
        g_lag, j_lag = closed_form_couplings(lags, k0=k0, k1=scales.k1, f_J=f_J)
        weight = 1.0
    else:
        from nonrecip.emission.integrals import integral_couplings

        g_lag, j_lag, info = integral_couplings(
            lags, k0=k0, k1=scales.k1, d=distance_nm / a, f_J=f_J,
            include_near_field=include_near_field, return_info=True,
        )
        # d-weight of gamma0: I_gamma(0; d) / I_gamma(0; 0) (spec E §4)
        weight = float(info["gamma0_integral"]) / (math.pi * (k0 * k0 + scales.k1 ** 2))
    index = np.rint(sep / (spacing_nm / a)).astype(int) + (n_sites - 1)
    gamma = g_lag[index]
    J = j_lag[index]

    eig = np.linalg.eigvalsh(gamma)
    if eig[0] < -psd_tolerance * n_sites:
        raise UnphysicalCouplingError(
            f"gamma is not positive semidefinite (min eigenvalue {eig[0]:.3e}) for "
            f"N={n_sites}, k0={k0}, spacing_nm={spacing_nm}, distance_nm={distance_nm}, "
            f"method={method!r}, f_J={f_J}"
        )
    offdiag = np.abs(gamma) ** 2
    burst = (offdiag.sum() - np.trace(offdiag)) / n_sites - 1.0

    gamma0_hz = film.gamma0_reference_hz * (k0 * k0 + scales.k1 ** 2) / film.kappa_sq * weight
    site_attrs = {"units": "1", "long_name": "qubit index (1 = leftmost)"}
    ds = xr.Dataset(
        {
            "J": (("alpha", "beta"), J, {"units": "gamma0", "long_name": "coherent coupling J_ab / gamma0"}),
            "gamma": (("alpha", "beta"), gamma, {"units": "gamma0", "long_name": "dissipative coupling gamma_ab / gamma0"}),
            "gamma_eigenvalues": (("mode",), eig, {"units": "gamma0", "long_name": "collective decay rates Gamma_n / gamma0 (eigenvalues of gamma)"}),
            "position": (("alpha",), position, {"units": "nm", "long_name": "qubit position x_alpha"}),
        },
        coords={
            "alpha": ("alpha", np.arange(1, n_sites + 1), site_attrs),
            "beta": ("beta", np.arange(1, n_sites + 1), site_attrs),
            "mode": ("mode", np.arange(1, n_sites + 1), {"units": "1", "long_name": "collective mode index (ascending rate)"}),
        },
        attrs={
            "n_sites": n_sites,
            "k0": k0,
            "k1": scales.k1,
            "kappa_sq": scales.kappa_sq,
            "lambda0_nm": scales.lambda0_nm,
            "lambda1_nm": scales.lambda1_nm,
            "nonreciprocity": scales.nonreciprocity,
            "spacing_nm": spacing_nm,
            "distance_nm": distance_nm,
            "coupling_method": method,
            "f_J": f_J,
            "include_near_field": int(include_near_field),
            "gamma0_hz": gamma0_hz,
            "gamma0_hz_note": "order-of-magnitude estimate (spec E §4, UNVERIFIED); all results are normalised by gamma0",
            "burst_criterion": burst,
            "burst_criterion_note": "(1/N) sum_{a!=b} |gamma_ab|^2 - 1 > 0 <=> R_tot rises at t=0+ (spec E §3.5-3.6)",
            "min_gamma_eigenvalue": float(eig[0]),
            **{f"quadrature_{k}": v for k, v in info.items()},
        },
    )
    return ds
