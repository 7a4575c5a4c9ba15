"""NetCDF input/output with provenance: the only way datasets move between pipeline steps.

Every dataset is written by :func:`write_dataset`, which

* checks that every coordinate and data variable carries ``units`` and ``long_name``;
* stamps provenance attributes (parameters as JSON, package version, git commit and dirty
  flag, library versions, creation time) beside the ``method`` and ``method_options`` that the
  computation itself recorded in the dataset's attributes;
* writes to a temporary file in the target directory and renames it into place, so that a
  killed job never leaves a truncated file under the final name, and stores the file's SHA-256
  beside it (:mod:`nonrecip.checksums`).

Complex variables are stored as two real variables, ``x_real`` and ``x_imag`` (same dimensions,
units and dtype of the parts; ``long_name`` ending in "(real part)" / "(imaginary part)"; the
attributes ``complex_variable = "x"`` and ``complex_part = "real"`` / ``"imag"``). They are plain
floating-point variables that every reader understands: ``xarray.open_dataset`` with either
engine, ``ncdump``, netCDF4-python, h5py, Matlab, ncview. The alternatives were rejected: the
netCDF4 compound type ``{r, i}`` (xarray's ``auto_complex``) gives a plain ``xr.open_dataset``,
ncdump and netCDF4-python a structured ``{r, i}`` array on which arithmetic fails; a trailing
``complex`` dimension of length 2 keeps one name but changes the variable's shape, so every
plain reader must index it before any arithmetic, and 0-d variables stop being scalars.
:func:`read_dataset` reassembles the pairs (name, dtype, attributes and position as written) and
still reads files written with the compound type.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr

from nonrecip.checksums import digest, sidecar, write_sidecar

__all__ = [
    "write_dataset",
    "read_dataset",
    "provenance_attrs",
    "check_labelled",
    "git_state",
    "MissingLabelError",
    "method_attrs",
    "combined_method_attrs",
    "split_complex",
    "join_complex",
]

#: attributes every written dataset must carry
PROVENANCE_KEYS = (
    "nonrecip_version",
    "git_commit",
    "git_dirty",
    "params",
    "method",
    "method_options",
    "library_versions",
    "created",
)


class MissingLabelError(ValueError):
    """A coordinate or variable lacks ``units`` or ``long_name``, or the dataset lacks ``method``."""


@lru_cache(maxsize=1)
def git_state() -> tuple[str, bool]:
    """Return ``(commit, dirty)`` of the source tree that holds this package.

    Falls back to ``("unknown", False)`` outside a git checkout (an installed wheel).
    The environment variable ``NONRECIP_GIT_COMMIT`` overrides the lookup.
    """
    if "NONRECIP_GIT_COMMIT" in os.environ:
        return os.environ["NONRECIP_GIT_COMMIT"], os.environ.get("NONRECIP_GIT_DIRTY") == "1"
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return "unknown", False
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here, capture_output=True, text=True, timeout=10,
        )
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


@lru_cache(maxsize=1)
def _library_versions() -> str:
    import importlib.metadata as md

    out = {}
    for name in ("numpy", "scipy", "qutip", "xarray", "netCDF4", "numba"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "absent"
    return json.dumps(out, sort_keys=True)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, complex):
        return [obj.real, obj.imag]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def provenance_attrs(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Provenance attributes stamped on every dataset besides its own ``method``/``method_options``.

    Parameters
    ----------
    params
        The parameters that produced the data (a rule's ``params``), stored as JSON.
    """
    from nonrecip import __version__

    commit, dirty = git_state()
    return {
        "nonrecip_version": __version__,
        "git_commit": commit,
        "git_dirty": int(dirty),
        "params": json.dumps(_jsonable(params or {}), sort_keys=True),
        "library_versions": _library_versions(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def method_attrs(method: str, options: Mapping[str, Any]) -> dict[str, str]:
    """The ``method`` and ``method_options`` (JSON) attributes a computation records on its result."""
    return {"method": method, "method_options": json.dumps(_jsonable(options), sort_keys=True)}


def combined_method_attrs(results) -> dict[str, str]:
    """``method``/``method_options`` of a dataset assembled from several computed results.

    ``method`` joins the distinct methods with ``+`` (first-use order); ``method_options`` maps
    each method to the list of distinct option sets it ran with.
    """
    options: dict[str, list] = {}
    for res in results:
        opts = json.loads(res.attrs["method_options"])
        seen = options.setdefault(res.attrs["method"], [])
        if opts not in seen:
            seen.append(opts)
    return method_attrs("+".join(options), options)


def check_labelled(ds: xr.Dataset) -> None:
    """Raise :class:`MissingLabelError` unless every variable has ``units`` and ``long_name``."""
    missing = [
        f"{name} ({key})"
        for name, var in list(ds.coords.items()) + list(ds.data_vars.items())
        for key in ("units", "long_name")
        if key not in var.attrs
    ]
    missing += [f"the dataset's attribute {key!r}" for key in ("method", "method_options") if key not in ds.attrs]
    if missing:
        raise MissingLabelError("dataset variables lack attributes: " + ", ".join(missing))


#: attribute naming the complex variable a stored part belongs to, and the one naming the part
COMPLEX_VARIABLE, COMPLEX_PART = "complex_variable", "complex_part"
_PARTS = {"real": "real part", "imag": "imaginary part"}
#: encoding keys of a complex variable that do not apply to its real parts (storage keys such as
#: compression and chunking are kept)
_TYPE_ENCODING = ("dtype", "_FillValue", "missing_value", "scale_factor", "add_offset", "units", "calendar")


def split_complex(ds: xr.Dataset) -> xr.Dataset:
    """Replace every complex variable ``x`` of ``ds`` by real variables ``x_real`` and ``x_imag``.

    The parts keep the variable's dimensions, attributes (``long_name`` gains "(real part)" or
    "(imaginary part)") and place among the variables; complex coordinates become pairs of
    non-index coordinates. Parts are written without a fill value, so NaN and infinite parts
    come back bit for bit.

    Raises
    ------
    ValueError
        If a name ``x_real`` or ``x_imag`` is already taken.
    """
    if not any(v.dtype.kind == "c" for v in ds.variables.values()):
        return ds
    taken = set(ds.variables)
    coords, data = {}, {}
    for name, var in ds.variables.items():
        target = coords if name in ds.coords else data
        if var.dtype.kind != "c":
            target[name] = var
            continue
        if name in ds.dims and name in ds.indexes:
            var = var.to_base_variable()
        for part, label in _PARTS.items():
            key = f"{name}_{part}"
            if key in taken:
                raise ValueError(f"cannot store complex variable {name!r}: {key!r} already exists")
            attrs = dict(var.attrs)
            attrs["long_name"] = f"{attrs.get('long_name', name)} ({label})"
            attrs.update({COMPLEX_VARIABLE: name, COMPLEX_PART: part})
            encoding = {k: v for k, v in var.encoding.items() if k not in _TYPE_ENCODING}
            target[key] = xr.Variable(var.dims, np.array(getattr(var.values, part), order="C"), attrs,
                                      encoding={**encoding, "_FillValue": None})
    out = xr.Dataset(data, coords=coords, attrs=dict(ds.attrs))
    out.encoding = dict(ds.encoding)
    return out


def join_complex(ds: xr.Dataset) -> xr.Dataset:
    """Undo :func:`split_complex`: reassemble each ``x_real``/``x_imag`` pair into complex ``x``.

    A part whose partner is missing or does not match (dimensions, dtype) is left as it is.
    """
    parts: dict[str, dict[str, str]] = {}
    for key, var in ds.variables.items():
        owner, part = var.attrs.get(COMPLEX_VARIABLE), var.attrs.get(COMPLEX_PART)
        if owner is not None and part in _PARTS and key == f"{owner}_{part}":
            parts.setdefault(owner, {})[part] = key
    pairs = {}
    for owner, keys in parts.items():
        if set(keys) != set(_PARTS) or owner in ds.variables:
            continue
        re, im = ds.variables[keys["real"]], ds.variables[keys["imag"]]
        if re.dims != im.dims or re.dtype != im.dtype or re.dtype.kind != "f":
            continue
        pairs[owner] = (re, im)
    if not pairs:
        return ds
    first = {keys["real"]: owner for owner, keys in parts.items() if owner in pairs}
    drop = {k for owner in pairs for k in parts[owner].values()}
    coords, data = {}, {}
    for key, var in ds.variables.items():
        target = coords if key in ds.coords else data
        if key in first:
            owner = first[key]
            re, im = pairs[owner]
            values = np.empty(re.shape, dtype=np.result_type(re.dtype, np.complex64))
            values.real, values.imag = re.values, im.values
            attrs = {k: v for k, v in re.attrs.items() if k not in (COMPLEX_VARIABLE, COMPLEX_PART)}
            suffix = f" ({_PARTS['real']})"
            if str(attrs.get("long_name", "")).endswith(suffix):
                attrs["long_name"] = attrs["long_name"][: -len(suffix)]
            encoding = {k: v for k, v in re.encoding.items() if k not in _TYPE_ENCODING}
            target[owner] = xr.Variable(re.dims, values, attrs, encoding=encoding)
        elif key not in drop:
            target[key] = var
    out = xr.Dataset(data, coords=coords, attrs=dict(ds.attrs))
    out.encoding = dict(ds.encoding)
    return out


def write_dataset(
    ds: xr.Dataset,
    path: str | os.PathLike,
    *,
    params: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``ds`` to NetCDF atomically, with provenance attributes.

    Parameters
    ----------
    ds
        Dataset whose coordinates and variables all carry ``units`` and ``long_name`` and whose
        attributes hold the ``method`` and ``method_options`` (JSON) of the computation.
    path
        Final file name. The data are first written to a temporary file in the same
        directory, flushed, and renamed over ``path``.
    params
        The parameters that produced ``ds``; ``None`` keeps its existing ``params`` attribute.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    check_labelled(ds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = ds.copy()
    attrs = provenance_attrs(params if params is not None else json.loads(ds.attrs.get("params", "{}")))
    ds.attrs.update(attrs)
    for name, var in ds.variables.items():  # netCDF cannot store bools
        if var.dtype == bool:
            ds[name] = var.astype("i1")
    ds = split_complex(ds)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        value = digest(tmp)
        sidecar(path).unlink(missing_ok=True)  # killed before the new one is written: unverified, not wrong
        os.replace(tmp, path)
        write_sidecar(path, value)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Read a dataset written by :func:`write_dataset` into memory, complex variables reassembled.

    Files of either storage of complex data are read: the pairs ``x_real``/``x_imag`` (see the
    module docstring) and the netCDF4 compound type ``{r, i}`` of earlier versions.
    """
    try:
        with xr.open_dataset(path, engine="netcdf4", auto_complex=True) as ds:
            return join_complex(ds.load())
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as err:
        raise OSError(f"{path}: not a readable NetCDF dataset ({err}); delete it to have it recomputed") from None
