"""nonrecip: non-reciprocal open quantum many-body dynamics (papers E and S).

Physics: :mod:`nonrecip.emission` (paper E), :mod:`nonrecip.sync` (paper S). The workflow's
layer (config, registry, sweeps, claims, figures) is :mod:`nonrecip.pipeline`. Theory:
``docs/theory/``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nonrecip")
except PackageNotFoundError:  # a source tree that was not installed
    __version__ = "unknown"
