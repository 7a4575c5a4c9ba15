"""Public finite-N API of paper S: steady-state observables and spectra (spec S §8, §9).

Rates are the *collective* ones of spec S §1 (Γ, κ, J fixed; microscopic = collective / N).
For unequal species sizes (N_A, N_B) the microscopic rates are collective / N̄ with
N̄ = (N_A + N_B)/2 [chosen; the spec only fixes N_A = N_B].
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from nonrecip.sync.cumulants import closure_terms, cumulant_steady_state
from nonrecip.sync.exact import SOLVERS, exact_steady_state
from nonrecip.sync.model import SyncParams
from nonrecip.sync.spectra import exact_spectra, qrt2_spectra

__all__ = ["steady_state", "spectrum", "STEADY_METHODS", "SPECTRUM_METHODS"]

STEADY_METHODS = ("exact", "cumulant2", "cumulant4")
SPECTRUM_METHODS = ("qrt2", "exact")

_OBS = {  # name: (label A (p, m, z), label B, long_name)
    "sz_A": ((0, 0, 1), (0, 0, 0), "population <sigma^z_A>"),
    "sz_B": ((0, 0, 0), (0, 0, 1), "population <sigma^z_B>"),
    "corr_AA": ((1, 1, 0), (0, 0, 0), "intraspecies correlation <sigma^+_A1 sigma^-_A2>"),
    "corr_BB": ((0, 0, 0), (1, 1, 0), "intraspecies correlation <sigma^+_B1 sigma^-_B2>"),
    "corr_AB": ((1, 0, 0), (0, 1, 0), "interspecies correlation <sigma^+_A sigma^-_B>"),
    "c4": ((2, 0, 0), (0, 2, 0), "four-spin correlation <s+_A1 s+_A2 s-_B1 s-_B2>"),
}
_COMPLEX = ("corr_AB", "c4")


def _sizes(N, *, allow_pair: bool):
    if isinstance(N, (tuple, list, np.ndarray)):
        if not allow_pair:
            raise ValueError(f"N must be an int for this method, got {N!r}")
        if len(N) != 2:
            raise ValueError(f"N must be an int or a pair (N_A, N_B), got {N!r}")
        NA, NB = (int(n) for n in N)
    else:
        NA = NB = int(N)
    if NA < 1 or NB < 1:
        raise ValueError(f"N must be >= 1, got {N!r}")
    return NA, NB


def steady_state(N, *, kappa, J, Delta=0.0, w=0.5, Gamma=1.0, gamma=0.0, gamma_phi=0.0,
                 method="exact", solver="auto") -> xr.Dataset:
    """Finite-N steady-state observables of spec S §8.1 (Figs. S4, S5).

    Parameters
    ----------
    N : int or (int, int)
        Spins per species; a pair (N_A, N_B) only for ``method="exact"``.
    kappa, J, Delta, w, Gamma, gamma, gamma_phi
        Collective rates of spec S Eqs. (1)–(7), (28) (checked by ``SyncParams``).
    method : {"exact", "cumulant2", "cumulant4"}
        Exact permutation-symmetric solve (§8.2) or cumulant expansion of order 2 or 4 (§8.3).
    solver : {"auto", "pardiso", "splu", "dense"}
        Linear solver of the exact method.

    Returns
    -------
    xarray.Dataset
        Scalars sz_A, sz_B, corr_AA, corr_BB (real), corr_AB, c4 (complex); attrs
        ``residual`` (exact: ‖𝓛ρ‖₂/‖ρ‖₂; cumulants: max|dx/dt|), ``method``, N_A, N_B.
        Moments needing more sites than a species has are NaN. ``cumulant2`` gives c4 from
        the closure (2⟨σ^+_Aσ^-_B⟩², spec S §8.3 caveat).
    """
    if method not in STEADY_METHODS:
        raise ValueError(f"method must be one of {STEADY_METHODS}, got {method!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    NA, NB = _sizes(N, allow_pair=method == "exact")
    params = SyncParams(kappa=kappa, J=J, Delta=Delta, w=w, Gamma=Gamma, gamma=gamma,
                        gamma_phi=gamma_phi)
    micro = params.microscopic((NA + NB) / 2)
    values = {}
    if method == "exact":
        ss = exact_steady_state(NA, NB, micro, method=solver)
        residual, used = ss.residual, ss.solver
        for name, (a, b, _) in _OBS.items():
            ok = sum(a) <= NA and sum(b) <= NB
            values[name] = ss.expect(a, b) if ok else np.nan
    else:
        K = 2 if method == "cumulant2" else 4
        model, x, residual = cumulant_steady_state(K, NA, NB, micro)
        used = "lsoda+newton"
        for name, (a, b, _) in _OBS.items():
            lab = tuple(a) + tuple(b)
            if sum(a) > NA or sum(b) > NB:
                values[name] = np.nan
            elif lab in model.labels:
                values[name] = x[model.index(lab)]
            else:  # order K+1 or more: closure with cumulants above K set to zero
                values[name] = sum(c * np.prod([x[model.index(f)] for f in fs])
                                   for c, fs in closure_terms(lab))
    data = {}
    for name, (_, _, long_name) in _OBS.items():
        v = complex(values[name])
        val = v if name in _COMPLEX else v.real
        data[name] = xr.DataArray(val, attrs={"units": "1", "long_name": long_name})
    attrs = {"residual": float(residual), "method": method, "solver": used, "N_A": NA, "N_B": NB}
    attrs.update(params.as_attrs())
    return xr.Dataset(data, attrs=attrs)


def spectrum(N, omega, *, kappa, J, Delta=0.0, w=0.5, Gamma=1.0, method="qrt2",
             solver="auto") -> xr.Dataset:
    """Spectra S_A(ω), S_B(ω) of spec S Eq. (18) (Figs. S6, S7).

    ``method="qrt2"``: 2×2 quantum-regression model (spec S §9; distinct-spin correlators,
    K = 2 inputs), with eigenvalues and the EP radicand in the variables ``eigenvalue`` and
    ``radicand``. ``method="exact"``: collective spectrum FT⟨S_n^+(τ)S_n^-⟩/N_n² in the
    symmetric basis (sector q = −1); N may be a pair. ω in units of the collective Γ.
    """
    if method not in SPECTRUM_METHODS:
        raise ValueError(f"method must be one of {SPECTRUM_METHODS}, got {method!r}")
    NA, NB = _sizes(N, allow_pair=method == "exact")
    omega = np.atleast_1d(np.asarray(omega, dtype=float))
    if omega.ndim != 1 or not np.all(np.isfinite(omega)):
        raise ValueError("omega must be a finite 1-d array")
    params = SyncParams(kappa=kappa, J=J, Delta=Delta, w=w, Gamma=Gamma)
    micro = params.microscopic((NA + NB) / 2)
    coords = {"omega": ("omega", omega, {"units": "Gamma", "long_name": "frequency omega"})}
    if method == "qrt2":
        out = qrt2_spectra(NA, omega, micro)
        extra = {
            "eigenvalue": xr.DataArray(out["eigenvalues"], dims="branch",
                                       attrs={"units": "Gamma", "long_name": "2x2 QRT eigenvalues lambda_pm"}),
            "radicand": xr.DataArray(out["radicand"],
                                     attrs={"units": "Gamma^2", "long_name": "EP radicand of lambda_pm"}),
        }
        attrs = {"residual": 0.0, "normalisation": "distinct-spin correlator"}
    else:
        out = exact_spectra(NA, NB, omega, micro, solver=solver)
        extra = {}
        attrs = {"residual": out["residual"], "normalisation": "collective, divided by N^2"}
    ds = xr.Dataset(
        {
            "S_A": ("omega", out["S_A"], {"units": "1/Gamma", "long_name": "spectrum S_A(omega)"}),
            "S_B": ("omega", out["S_B"], {"units": "1/Gamma", "long_name": "spectrum S_B(omega)"}),
            **extra,
        },
        coords=coords,
    )
    if "branch" in ds.dims:
        ds = ds.assign_coords(branch=("branch", [1, -1], {"units": "1", "long_name": "sign of the root"}))
    ds.attrs.update(attrs, method=method, N_A=NA, N_B=NB, **params.as_attrs())
    return ds
