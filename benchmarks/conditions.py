"""The machine's conditions recorded beside every benchmark result (shared by the scripts here)."""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import subprocess

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")


def machine_conditions(libraries=("numpy", "scipy", "numba", "qutip")) -> dict:
    """Date, cores, load average, uptime line, versions of Python and ``libraries``, thread settings."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    record = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "nproc": os.cpu_count(),
              "loadavg": list(os.getloadavg()), "uptime": uptime, "python": platform.python_version(),
              "machine": platform.machine(),
              "threads_env": {name: os.environ.get(name) for name in THREAD_VARIABLES}}
    for name in libraries:
        record[name] = importlib.import_module(name).__version__
    return record
