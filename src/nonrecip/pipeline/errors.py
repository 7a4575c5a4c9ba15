"""Errors of the pipeline layer."""

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A configuration value is missing, unknown or out of range. The message names the key."""
