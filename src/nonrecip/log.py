"""Logging helper: one call wires the package's logger to a rule's log file."""

from __future__ import annotations

import logging
import math
import os
import sys
import time as _time
from pathlib import Path

__all__ = ["get_logger", "setup_logging", "ProgressLog", "PROGRESS_INTERVAL", "duration"]

#: default wall-clock seconds between two progress records of a long solve
PROGRESS_INTERVAL = 10.0

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def get_logger(name: str) -> logging.Logger:
    """Return the package logger ``nonrecip.<name>``."""
    return logging.getLogger(name if name.startswith("nonrecip") else f"nonrecip.{name}")


def setup_logging(logfile: str | os.PathLike | None = None, *, level: int = logging.INFO) -> logging.Logger:
    """Send ``nonrecip`` log records to ``logfile`` (appended) and to stderr.

    Parameters
    ----------
    logfile
        The rule's log file; ``None`` logs to stderr only.
    level
        Logging level of the package logger.
    """
    logger = logging.getLogger("nonrecip")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile is not None:
        Path(logfile).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logfile, mode="a"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    logger.propagate = False
    _log_uncaught_exceptions(logger)
    return logger


def _log_uncaught_exceptions(logger: logging.Logger) -> None:
    """Record an uncaught exception (type and message) in the log file before Python exits."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if not issubclass(exc_type, KeyboardInterrupt):
            logger.error("job failed: %s: %s", exc_type.__name__, exc)
        previous(exc_type, exc, tb)

    sys.excepthook = hook


class ProgressLog:
    """Rate-limited progress records of one long computation: fraction done, elapsed time, ETA.

    The caller reads the clock (``time.perf_counter``) as often as it likes and calls
    :meth:`update` only when :attr:`due` has passed, so the cost is one clock read per unit of
    work. Records go to ``logger`` at INFO as ``"<label>: 12.5% done after 1m02s, ETA 7m14s"``
    with the extra fields ``progress_fraction``, ``elapsed_s`` and ``eta_s``. ``interval = inf``
    switches the records off.

    Parameters
    ----------
    logger : logging.Logger
        Where the records go (a job's log file in the pipeline: :func:`setup_logging`).
    label : str
        What is being computed, e.g. ``"block solve N=12, t in [0, 10]"``.
    interval : float
        Least wall-clock seconds between two records.
    """

    def __init__(self, logger: logging.Logger, label: str, interval: float = PROGRESS_INTERVAL):
        if not interval >= 0:
            raise ValueError(f"progress_interval must be >= 0, got {interval}")
        self.logger, self.label, self.interval = logger, label, float(interval)
        self.start = _time.perf_counter()
        self.due = self.start + self.interval
        self.n_records = 0
        self.last_fraction = 0.0

    def update(self, fraction: float, now: float | None = None) -> float:
        """Record ``fraction`` (0…1) done at ``now``; returns the next due time."""
        now = _time.perf_counter() if now is None else now
        self.due = now + self.interval
        self.n_records += 1
        self.last_fraction = fraction
        elapsed = now - self.start
        eta = elapsed * (1.0 - fraction) / fraction if fraction > 0 else math.inf
        self.logger.info("%s: %.1f%% done after %s, ETA %s", self.label, 100.0 * fraction, duration(elapsed),
                         duration(eta), extra={"progress_fraction": fraction, "elapsed_s": elapsed, "eta_s": eta})
        return self.due

    def finish(self) -> None:
        """Close a computation that has reported progress with its 100 % record."""
        if self.n_records and self.last_fraction < 1.0:
            self.update(1.0)


def duration(seconds: float) -> str:
    """``seconds`` as ``1h02m03s``, ``2m03s`` or ``3.4s``."""
    if not math.isfinite(seconds):
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f}s"
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"
