"""Public finite-N API of paper S: steady-state observables and spectra (docs/theory/sync.md#finite-n, docs/theory/sync.md#spectra).

Rates are the *collective* ones of docs/theory/sync.md#conventions (Γ, κ, J fixed; microscopic = collective / N).
For unequal species sizes (N_A, N_B) the microscopic rates are collective / N̄ with
N̄ = (N_A + N_B)/2 [chosen; the spec only fixes N_A = N_B].
"""

from __future__ import annotations

import numpy as np
import xarray as xr

import json
from dataclasses import asdict, dataclass

from nonrecip.methods import resolve_method
from nonrecip.validate import integer, real
from nonrecip.sync.cumulants.hierarchy import cumulant_steady_state
from nonrecip.sync.cumulants.labels import closure_terms
from nonrecip.sync.model import SyncParams, require_model
from nonrecip.sync.spectra import exact_spectra, qrt2_spectra
from nonrecip.sync.symmetric.exact import SOLVERS, exact_steady_state

__all__ = ["steady_state", "spectrum", "ExactOptions", "CumulantOptions", "STEADY_METHODS", "SPECTRUM_METHODS"]


@dataclass(frozen=True)
class ExactOptions:
    """Options of the exact symmetric-basis method: the sparse/dense linear solver.

    ``linear_solver`` is one of ``"auto"`` (PARDISO where installed, else SuperLU; dense for
    small systems), ``"pardiso"``, ``"splu"``, ``"dense"``.
    """

    linear_solver: str = "auto"

    def __post_init__(self):
        if self.linear_solver not in SOLVERS:
            raise ValueError(f"linear_solver must be one of {SOLVERS}, got {self.linear_solver!r}")


@dataclass(frozen=True)
class CumulantOptions:
    """Options of the cumulant steady state: LSODA horizon (1/collective rate), then Newton."""

    t_max: float = 400.0
    tol: float = 1e-12
    max_newton: int = 30

    def __post_init__(self):
        real("t_max", self.t_max, minimum=0.0, exclusive_minimum=True)
        real("tol", self.tol, minimum=0.0, exclusive_minimum=True)
        integer("max_newton", self.max_newton, minimum=0)

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
        NA, NB = (integer("N", n, minimum=1) for n in N)
    else:
        NA = NB = integer("N", N, minimum=1)
    return NA, NB


#: largest N per species of the exact method: beyond it the sparse factorisation needs more than
#: the 24 GB of the development machine (benchmarks/README.md, exact steady state vs N)
EXACT_N_MAX = 22


def _exact(NA, NB, micro, options: ExactOptions):
    if max(NA, NB) > EXACT_N_MAX:
        raise ValueError(f"N = {max(NA, NB)} per species is beyond the exact method (N <= {EXACT_N_MAX}: "
                         "larger sectors exceed ~24 GB); use method='cumulant2' or 'cumulant4'")
    ss = exact_steady_state(NA, NB, micro, linear_solver=options.linear_solver)
    values = {}
    for name, (a, b, _) in _OBS.items():
        ok = sum(a) <= NA and sum(b) <= NB
        values[name] = ss.expect(a, b) if ok else np.nan
    return values, ss.residual, {"linear_solver_used": ss.solver}


def _cumulant(K):
    def run(NA, NB, micro, options: CumulantOptions):
        model, x, residual = cumulant_steady_state(K, NA, NB, micro, t_max=options.t_max, tol=options.tol,
                                                   max_newton=options.max_newton)
        values = {}
        for name, (a, b, _) in _OBS.items():
            lab = tuple(a) + tuple(b)
            if sum(a) > NA or sum(b) > NB:
                values[name] = np.nan
            elif lab in model.labels:
                values[name] = x[model.index(lab)]
            else:  # order K+1 or more: closure with cumulants above K set to zero
                values[name] = sum(c * np.prod([x[model.index(f)] for f in fs])
                                   for c, fs in closure_terms(lab))
        return values, residual, {}
    return run


#: method -> (option class, implementation(NA, NB, micro, options) -> (values, residual, info))
STEADY_METHODS = {
    "exact": (ExactOptions, _exact),
    "cumulant2": (CumulantOptions, _cumulant(2)),
    "cumulant4": (CumulantOptions, _cumulant(4)),
}


def steady_state(N, model: SyncParams, *, method: str = "exact",
                 options: ExactOptions | CumulantOptions | None = None) -> xr.Dataset:
    """Finite-N steady-state observables (docs/theory/sync.md, docs/theory/sync.md#steady-state-observables; Figs. S4, S5).

    Parameters
    ----------
    N : int or (int, int)
        Spins per species; a pair (N_A, N_B) only for ``method="exact"``.
    model : SyncParams
        Collective rates of Eqs. (1)–(7), (28).
    method : {"exact", "cumulant2", "cumulant4"}
        Exact permutation-symmetric solve or cumulant expansion of order 2 or 4.
    options : ExactOptions or CumulantOptions, optional
        The method's options (defaults of its option class when ``None``).

    Returns
    -------
    xarray.Dataset
        Scalars sz_A, sz_B, corr_AA, corr_BB (real), corr_AB, c4 (complex); attrs
        ``residual`` (exact: ‖𝓛ρ‖₂/‖ρ‖₂; cumulants: max|dx/dt|), ``method``, ``method_options``,
        N_A, N_B and the model's rates. Moments needing more sites than a species has are NaN.
        ``cumulant2`` gives c4 from the closure (2⟨σ^+_Aσ^-_B⟩²).
    """
    model = require_model(model)
    options, implementation = resolve_method(STEADY_METHODS, method, options)
    NA, NB = _sizes(N, allow_pair=method == "exact")
    micro = model.microscopic((NA + NB) / 2)
    values, residual, info = implementation(NA, NB, micro, options)
    data = {}
    for name, (_, _, long_name) in _OBS.items():
        v = complex(values[name])
        val = v if name in _COMPLEX else v.real
        data[name] = xr.DataArray(val, attrs={"units": "1", "long_name": long_name})
    attrs = {"residual": float(residual), "method": method, "method_options": json.dumps(asdict(options)),
             "N_A": NA, "N_B": NB, **info}
    attrs.update(model.as_attrs())
    return xr.Dataset(data, attrs=attrs)


def _qrt2(NA, NB, omega, micro, options: CumulantOptions):
    out = qrt2_spectra(NA, omega, micro, options=options)
    extra = {
        "eigenvalue": xr.DataArray(out["eigenvalues"], dims="branch",
                                   attrs={"units": "Gamma", "long_name": "2x2 QRT eigenvalues lambda_pm"}),
        "radicand": xr.DataArray(out["radicand"],
                                 attrs={"units": "Gamma^2", "long_name": "EP radicand of lambda_pm"}),
    }
    return out, extra, {"residual": 0.0, "normalisation": "distinct-spin correlator"}


def _exact_spectrum(NA, NB, omega, micro, options: ExactOptions):
    out = exact_spectra(NA, NB, omega, micro, linear_solver=options.linear_solver)
    return out, {}, {"residual": out["residual"], "normalisation": "collective, divided by N^2"}


#: method -> (option class, implementation(NA, NB, omega, micro, options) -> (spectra, variables, attrs))
SPECTRUM_METHODS = {"qrt2": (CumulantOptions, _qrt2), "exact": (ExactOptions, _exact_spectrum)}


def spectrum(N, omega, model: SyncParams, *, method: str = "qrt2",
             options: ExactOptions | CumulantOptions | None = None) -> xr.Dataset:
    """Spectra S_A(ω), S_B(ω) (docs/theory/sync.md, docs/theory/sync.md Eq. 18; Figs. S6, S7).

    ``method="qrt2"``: 2×2 quantum-regression model (distinct-spin correlators, K = 2 inputs;
    :class:`CumulantOptions`), with eigenvalues and the EP radicand in the variables
    ``eigenvalue`` and ``radicand``. ``method="exact"``: collective spectrum
    FT⟨S_n^+(τ)S_n^-⟩/N_n² in the symmetric basis (sector q = −1; :class:`ExactOptions`);
    N may be a pair. ω in units of the collective Γ.
    """
    model = require_model(model)
    options, implementation = resolve_method(SPECTRUM_METHODS, method, options)
    NA, NB = _sizes(N, allow_pair=method == "exact")
    omega = np.atleast_1d(np.asarray(omega, dtype=float))
    if omega.ndim != 1 or not np.all(np.isfinite(omega)):
        raise ValueError("omega must be a finite 1-d array")
    micro = model.microscopic((NA + NB) / 2)
    out, extra, attrs = implementation(NA, NB, omega, micro, options)
    ds = xr.Dataset(
        {
            "S_A": ("omega", out["S_A"], {"units": "1/Gamma", "long_name": "spectrum S_A(omega)"}),
            "S_B": ("omega", out["S_B"], {"units": "1/Gamma", "long_name": "spectrum S_B(omega)"}),
            **extra,
        },
        coords={"omega": ("omega", omega, {"units": "Gamma", "long_name": "frequency omega"})},
    )
    if "branch" in ds.dims:
        ds = ds.assign_coords(branch=("branch", [1, -1], {"units": "1", "long_name": "sign of the root"}))
    ds.attrs.update(attrs, method=method, method_options=json.dumps(asdict(options)), N_A=NA, N_B=NB,
                    **model.as_attrs())
    return ds
