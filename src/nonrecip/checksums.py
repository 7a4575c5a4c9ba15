"""Content checksums of the written datasets, so that a replaced or corrupted file is noticed.

:func:`nonrecip.io.write_dataset` stores the SHA-256 of each NetCDF file beside it
(``.<name>.sha256``); :func:`mismatches` lists the files whose content no longer matches. The
workflow checks this before it runs any job (``onstart`` in the Snakefile): snakemake itself
only compares modification times, so a file swapped or overwritten with its time kept would
otherwise go unnoticed. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["sidecar", "digest", "write_sidecar", "mismatches"]


def sidecar(path: str | os.PathLike) -> Path:
    """The checksum file of ``path``: ``.<name>.sha256`` in the same folder."""
    path = Path(path)
    return path.with_name(f".{path.name}.sha256")


def digest(path: str | os.PathLike) -> str:
    """SHA-256 of the file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_sidecar(path: str | os.PathLike, value: str) -> None:
    """Store ``value`` as the checksum of ``path`` (atomically: temp file and rename)."""
    side = sidecar(path)
    tmp = side.with_name(side.name + ".tmp")
    tmp.write_text(value + "\n")
    os.replace(tmp, side)


def mismatches(folder: str | os.PathLike) -> list[str]:
    """Files under ``folder`` whose content differs from their stored checksum (files without one are skipped)."""
    out = []
    for path in sorted(Path(folder).rglob("*.nc")) if Path(folder).is_dir() else []:
        side = sidecar(path)
        if side.exists() and side.read_text().strip() != digest(path):
            out.append(str(path))
    return out
