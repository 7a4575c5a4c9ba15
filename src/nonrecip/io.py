"""NetCDF input/output with provenance: the only way datasets move between pipeline steps.

Every dataset is written by :func:`write_dataset`, which

* checks that every coordinate and data variable carries ``units`` and ``long_name``;
* stamps provenance attributes (parameters as JSON, package version, git commit and dirty
  flag, library versions, creation time) beside the ``method`` and ``method_options`` that the
  computation itself recorded in the dataset's attributes;
* writes to a temporary file in the target directory and renames it into place, so that a
  killed job never leaves a truncated file under the final name, and stores the file's SHA-256
  beside it (:mod:`nonrecip.checksums`).
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
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4", auto_complex=True)
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
    """Read a dataset written by :func:`write_dataset` into memory (complex data restored)."""
    try:
        with xr.open_dataset(path, engine="netcdf4", auto_complex=True) as ds:
            return ds.load()
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as err:
        raise OSError(f"{path}: not a readable NetCDF dataset ({err}); delete it to have it recomputed") from None
