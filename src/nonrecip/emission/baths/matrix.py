"""The user's own couplings: J and γ given as matrices or read from a NetCDF or ``.npz`` file.

File formats (docs/theory/baths.md#matrix-bath):

* NetCDF: variables ``J`` and ``gamma`` on dims ``("site", "site_")``, complex (as written by
  :func:`nonrecip.io.write_dataset`: ``J_real``/``J_imag`` pairs) or real;
* ``.npz``: arrays ``J`` and ``gamma``.

Both matrices are checked: square, same shape, finite, Hermitian, and γ positive
semidefinite; every error names the file (if any), the variable and the offending entry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nonrecip.validate import PSD_RTOL

__all__ = ["MatrixBath", "check_coupling_matrices"]

#: relative tolerance of the Hermiticity check (round-off of a file written in single precision passes)
HERMITIAN_RTOL = 1e-10


def check_coupling_matrices(J, gamma, *, source: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Check (J, γ) as coupling matrices and return them as complex arrays with exact Hermitian parts.

    Parameters
    ----------
    J, gamma : array_like (N, N)
    source : str
        Where the matrices came from (a file name), put in front of every message.
    """
    where = f"{source}: " if source else ""
    out = []
    for name, M in (("J", J), ("gamma", gamma)):
        try:
            M = np.asarray(M, dtype=complex)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}{name} must be a numeric matrix: {exc}") from None
        if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
            raise ValueError(f"{where}{name} must be a square N x N matrix, got shape {M.shape}")
        bad = np.argwhere(~np.isfinite(M))
        if bad.size:
            a, b = bad[0] + 1
            raise ValueError(f"{where}{name}[{a}, {b}] is not finite ({M[a - 1, b - 1]}); sites are numbered from 1")
        dev = np.abs(M - M.conj().T)
        scale = max(1.0, float(np.abs(M).max()))
        if dev.max() > HERMITIAN_RTOL * scale:
            a, b = np.unravel_index(int(np.argmax(dev)), dev.shape)
            raise ValueError(f"{where}{name} is not Hermitian: {name}[{a + 1}, {b + 1}] = {M[a, b]:.6g} but "
                             f"conj({name}[{b + 1}, {a + 1}]) = {np.conj(M[b, a]):.6g}")
        out.append(0.5 * (M + M.conj().T))
    J, gamma = out
    if J.shape != gamma.shape:
        raise ValueError(f"{where}J and gamma must have one shape, got {J.shape} and {gamma.shape}")
    eig, vec = np.linalg.eigh(gamma)
    scale = float(np.abs(eig).max())
    if eig[0] < -PSD_RTOL * scale:
        site = int(np.argmax(np.abs(vec[:, 0]))) + 1
        raise ValueError(f"{where}gamma is not positive semidefinite: smallest eigenvalue {eig[0]:.6g} "
                         f"(tolerance -{PSD_RTOL:g} x {scale:.6g}); its eigenvector is largest on site {site}")
    return J, gamma


def _read_netcdf(path: Path):
    import xarray as xr

    from nonrecip.io import join_complex

    try:
        with xr.open_dataset(path, engine="netcdf4", auto_complex=True) as ds:
            ds = join_complex(ds.load())
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable NetCDF file ({err})") from None
    arrays = {}
    for name in ("J", "gamma"):
        if name not in ds:
            raise ValueError(f"{path}: variable {name!r} missing (found {sorted(ds.data_vars)})")
        if ds[name].dims != ("site", "site_"):
            raise ValueError(f"{path}: variable {name!r} must have dims ('site', 'site_'), got {ds[name].dims}")
        arrays[name] = ds[name].values
    return arrays["J"], arrays["gamma"]


def _read_npz(path: Path):
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("J", "gamma") if k not in data.files]
            if missing:
                raise ValueError(f"{path}: array(s) {missing} missing (found {data.files})")
            return data["J"], data["gamma"]
    except (OSError, ValueError) as err:
        if str(path) in str(err):
            raise
        raise ValueError(f"{path}: not a readable .npz file ({err})") from None


class MatrixBath:
    """A bath given by its coupling matrices (J, γ) directly (docs/theory/baths.md#matrix-bath).

    Parameters
    ----------
    J, gamma : array_like (N, N)
        Hermitian coherent couplings and Hermitian positive-semidefinite dissipative couplings,
        in the convention of docs/theory/emission.md#master-equation, in any rate unit.
    """

    def __init__(self, J, gamma, *, source: str = ""):
        self.J, self.gamma = check_coupling_matrices(J, gamma, source=source)
        self.source = source
        self.J.setflags(write=False)
        self.gamma.setflags(write=False)

    @classmethod
    def from_file(cls, path) -> "MatrixBath":
        """Read ``J`` and ``gamma`` from a NetCDF (``.nc``) or NumPy (``.npz``) file."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"matrix bath file {path} does not exist")
        reader = _read_npz if path.suffix == ".npz" else _read_netcdf
        J, gamma = reader(path)
        return cls(J, gamma, source=str(path))

    @property
    def N(self) -> int:
        """Number of sites."""
        return self.J.shape[0]

    def couplings(self, positions_nm=None):
        """(J, γ) copies; ``positions_nm`` (if given) must hold one row per site and is otherwise unused."""
        if positions_nm is not None and len(np.asarray(positions_nm)) != self.N:
            raise ValueError(f"the matrix bath has {self.N} sites, the geometry {len(np.asarray(positions_nm))}")
        return self.J.copy(), self.gamma.copy()

    def attrs(self) -> dict:
        """Flat provenance attributes of the bath."""
        return {"bath": "matrix", "source": self.source or "arrays", "N": self.N}
