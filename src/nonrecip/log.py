"""Logging helper: one call wires the package's logger to a rule's log file."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

__all__ = ["get_logger", "setup_logging"]

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
