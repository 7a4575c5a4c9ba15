"""Coherent (J_αβ) and dissipative (γ_αβ) coupling matrices of N qubits above a chiral film.

Two models (``model=``, docs/theory/emission.md#couplings):

* ``"closed_form"`` — the closed form, paper E Eqs. (48)–(49), the d → 0 limit of the integrals;
* ``"integral"`` — the full susceptibility integrals at finite NV–film distance d
  (Eqs. 37–40 with 43, 46 and the sign-corrected Eq. 47), see :mod:`nonrecip.emission.integrals`.

Both are returned normalised by γ0 = γ_αα. The coherent coupling carries the factor f_J of
docs/theory/emission.md#coupling-fj-factor: f_J = 1 (default) is Eqs. (2)+(49); f_J = ½ is the literal Eqs. (37)–(38).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy import special

from nonrecip.emission.physics import YIG, FilmParameters
from nonrecip.validate import integer, real

__all__ = ["coupling_matrices", "closed_form_couplings", "UnphysicalCouplingError", "COUPLING_MODELS"]


class UnphysicalCouplingError(ValueError):
    """The dissipative matrix γ is not positive semidefinite beyond round-off."""


def closed_form_couplings(x, *, k0: float, k1: float, f_J: float = 1.0):
    """Closed-form couplings of paper E Eqs. (48)–(49) at signed separations ``x`` (units of a).

    γ/γ0 = e^{ik0x}[J0(k1|x|) + i c sgn(x) J1(k1|x|)],
    J/γ0 = f_J e^{ik0x}[Y0(k1|x|) + i c sgn(x) Y1(k1|x|)],  J(0) := 0,

    with c = 2k0k1/(k0²+k1²). Y0, Y1 are evaluated at |x| with an explicit sgn(x) on the
    order-1 terms (docs/theory/emission.md#coupling-closed-form; the paper's Y1(x/λ1) is undefined for x < 0).

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


def _closed_form_lags(lags, *, k0, k1, f_J, film, distance_nm, include_near_field):
    """Closed form at the distinct separations; γ0 needs no distance weight (d → 0)."""
    gamma, J = closed_form_couplings(lags, k0=k0, k1=k1, f_J=f_J)
    return gamma, J, 1.0, {}


def _integral_lags(lags, *, k0, k1, f_J, film, distance_nm, include_near_field):
    """Full susceptibility integrals at finite d; γ0 weighted by I_γ(0; d)/I_γ(0; 0)."""
    from nonrecip.emission.integrals import integral_couplings

    gamma, J, info = integral_couplings(
        lags, k0=k0, k1=k1, d=distance_nm / film.lattice_nm, f_J=f_J,
        include_near_field=include_near_field, return_info=True,
    )
    weight = float(info["gamma0_integral"]) / (math.pi * (k0 * k0 + k1 ** 2))
    return gamma, J, weight, info


#: coupling model -> implementation at the distinct separations (units of a)
COUPLING_MODELS = {"closed_form": _closed_form_lags, "integral": _integral_lags}

#: default NV–film distance of each coupling model [nm]
DEFAULT_DISTANCE_NM = {"closed_form": 0.0, "integral": 1.0}


def coupling_matrices(
    N: int,
    *,
    k0: float,
    spacing_nm: float = 20.0,
    distance_nm: float | None = None,
    model: str = "closed_form",
    film: FilmParameters = YIG,
    f_J: float = 1.0,
    include_near_field: bool = True,
    psd_tolerance: float = 1e-10,
) -> xr.Dataset:
    """Coupling matrices J/γ0 and γ/γ0 of ``N`` qubits in a chain (paper E Eqs. 2–3, 48–49).

    Qubit α sits at x_α = (α − 1)·a_q; x_αβ = x_α − x_β (α = 1 is the leftmost qubit).

    Parameters
    ----------
    N : int
        Number of qubits N ≥ 1.
    k0 : float
        Bath non-reciprocity k0 = D/J in units of 1/a (k0 < 0 mirrors the pattern).
    spacing_nm : float
        Qubit spacing a_q [nm].
    distance_nm : float, optional
        NV–film distance d [nm]. ``None`` takes the model's default: 0 for ``"closed_form"``
        (the d → 0 limit; a non-zero value is refused), 1 nm for ``"integral"``.
    model : {"closed_form", "integral"}
        Closed form (Eqs. 48–49) or the full susceptibility integrals at finite d.
    film : FilmParameters
        The magnetic film and NV parameters (default :data:`~nonrecip.emission.physics.YIG`).
    f_J : float
        Factor of the coherent coupling: 1 = Eqs. (2)+(49), ½ = Eqs. (37)–(38).
    include_near_field : bool
        ``"integral"`` only: keep the non-resonant near-field term P_nf.
    psd_tolerance : float
        γ is rejected when its smallest eigenvalue is below ``-psd_tolerance``·N.

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
    N = integer("N", N, minimum=1)
    if model not in COUPLING_MODELS:
        raise ValueError(f"model must be one of {tuple(COUPLING_MODELS)}, got {model!r}")
    if not isinstance(film, FilmParameters):
        raise TypeError(f"film must be a FilmParameters, got {type(film).__name__}")
    k0 = real("k0", k0)
    spacing_nm = real("spacing_nm", spacing_nm, minimum=0.0, exclusive_minimum=True)
    f_J = real("f_J", f_J, minimum=0.0)
    if distance_nm is None:
        distance_nm = DEFAULT_DISTANCE_NM[model]
    distance_nm = real("distance_nm", distance_nm, minimum=0.0)
    if model == "closed_form" and distance_nm != 0:
        raise ValueError(
            f"distance_nm={distance_nm}: the closed form (model='closed_form') is the d -> 0 limit; "
            "use model='integral' for a finite NV-film distance"
        )
    if model == "integral" and not distance_nm > 0:
        raise ValueError(f"distance_nm must be > 0 for model='integral', got {distance_nm}")

    scales = film.scales(k0)
    a = film.lattice_nm
    position = spacing_nm * np.arange(N)
    sep = (np.arange(N)[:, None] - np.arange(N)[None, :]) * (spacing_nm / a)
    lags = np.arange(-(N - 1), N) * (spacing_nm / a)  # distinct separations
    g_lag, j_lag, weight, info = COUPLING_MODELS[model](
        lags, k0=k0, k1=scales.k1, f_J=f_J, film=film, distance_nm=distance_nm,
        include_near_field=include_near_field)
    index = np.rint(sep / (spacing_nm / a)).astype(int) + (N - 1)
    gamma = g_lag[index]
    J = j_lag[index]

    eig = np.linalg.eigvalsh(gamma)
    if eig[0] < -psd_tolerance * N:
        raise UnphysicalCouplingError(
            f"gamma is not positive semidefinite (min eigenvalue {eig[0]:.3e}) for "
            f"N={N}, k0={k0}, spacing_nm={spacing_nm}, distance_nm={distance_nm}, "
            f"model={model!r}, f_J={f_J}"
        )
    offdiag = np.abs(gamma) ** 2
    burst = (offdiag.sum() - np.trace(offdiag)) / N - 1.0

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
            "alpha": ("alpha", np.arange(1, N + 1), site_attrs),
            "beta": ("beta", np.arange(1, N + 1), site_attrs),
            "mode": ("mode", np.arange(1, N + 1), {"units": "1", "long_name": "collective mode index (ascending rate)"}),
        },
        attrs={
            "N": N,
            "k0": k0,
            "k1": scales.k1,
            "kappa_sq": scales.kappa_sq,
            "lambda0_nm": scales.lambda0_nm,
            "lambda1_nm": scales.lambda1_nm,
            "nonreciprocity": scales.nonreciprocity,
            "spacing_nm": spacing_nm,
            "distance_nm": distance_nm,
            "coupling_model": model,
            "f_J": f_J,
            "include_near_field": int(include_near_field),
            "gamma0_hz": gamma0_hz,
            "gamma0_hz_note": "order-of-magnitude estimate (docs/theory/emission.md#physical-parameters, UNVERIFIED); all results are normalised by gamma0",
            "burst_criterion": burst,
            "burst_criterion_note": "(1/N) sum_{a!=b} |gamma_ab|^2 - 1 > 0 <=> R_tot rises at t=0+ (docs/theory/emission.md#initial-slope, #burst-criterion)",
            "min_gamma_eigenvalue": float(eig[0]),
            **{f"quadrature_{k}": v for k, v in info.items()},
        },
    )
    return ds
