"""Configuration: validation against the JSON schema, defaults, readable errors.

The workflow's schema lives in ``workflow/schemas/``: ``config.schema.yaml`` is the root and
may ``$ref`` one file per figure family (``emission.schema.yaml``, ...). Every file of that
folder is registered under its file name, so ``$ref: emission.schema.yaml`` works.

:func:`validate_config` fills in defaults (taken from the schema), validates, runs the
semantic checks of each section, and raises :class:`ConfigError` naming the offending key.
"""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path
from typing import Any, Mapping

import yaml
from jsonschema import Draft202012Validator, validators
from referencing import Registry, Resource

from nonrecip.pipeline.checks import SECTION_CHECKS
from nonrecip.pipeline.errors import ConfigError

__all__ = ["ConfigError", "validate_config", "load_schema", "format_path"]


def _extend_with_default(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for prop, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and prop not in instance:
                    instance[prop] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


_DefaultFillingValidator = _extend_with_default(Draft202012Validator)


def load_schema(schema_path: str | Path) -> tuple[dict, Registry]:
    """Load the root schema and register every ``*.yaml`` file beside it by file name."""
    schema_path = Path(schema_path)
    registry = Registry()
    for file in sorted(schema_path.parent.glob("*.yaml")):
        contents = yaml.safe_load(file.read_text())
        registry = registry.with_resource(
            file.name, Resource.from_contents(contents, default_specification=_spec())
        )
    root = yaml.safe_load(schema_path.read_text())
    return root, registry


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def format_path(path) -> str:
    """Render a jsonschema error path as ``a.b[3].c``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def _message(error) -> str:
    key = format_path(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        where = f"{key}." if error.absolute_path else ""
        return (
            f"unknown key {', '.join(where + e for e in extra)!s} "
            f"(allowed here: {', '.join(allowed)})"
        )
    if error.validator == "required":
        return f"{key}: {error.message}"
    desc = error.schema.get("description")
    msg = f"{key}: {error.message}"
    return msg + (f" — {desc}" if desc else "")


def validate_config(config: Mapping[str, Any], schema_path: str | Path) -> dict:
    """Validate ``config`` against the schema, filling defaults; return the completed copy.

    Parameters
    ----------
    config
        The configuration as loaded from YAML.
    schema_path
        Path to the root schema (``workflow/schemas/config.schema.yaml``).

    Raises
    ------
    ConfigError
        On the first problems found (all schema errors are listed), each naming its key.
    """
    schema, registry = load_schema(schema_path)
    instance = copy.deepcopy(dict(config))
    validator = _DefaultFillingValidator(schema, registry=registry)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [_message(e) for e in errors]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(dict.fromkeys(lines)))
    _check_values(instance)
    _check_results_dir(instance["results_dir"])
    for section, check in SECTION_CHECKS.items():
        if section in instance:
            try:
                check(instance[section])
            except ConfigError:
                raise
            except Exception as err:  # a check that trips over an unforeseen value still names the section
                raise ConfigError(f"{section}: a value cannot be used ({type(err).__name__}: {err})") from None
    return instance


#: list-valued keys that may be empty
EMPTY_LISTS_ALLOWED = frozenset({"include"})


def _walk(obj, path=()):
    yield path, obj
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _walk(value, path + (key,))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _walk(value, path + (i,))


def _check_values(instance: Mapping[str, Any]) -> None:
    """Every number finite, every list non-empty (except :data:`EMPTY_LISTS_ALLOWED`)."""
    for path, value in _walk(instance):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{format_path(path)}: must be a finite number, got {value}")
        if isinstance(value, list) and not value and (not path or path[-1] not in EMPTY_LISTS_ALLOWED):
            raise ConfigError(f"{format_path(path)}: must not be empty")


def _check_results_dir(results_dir: str) -> None:
    """``results_dir`` names a folder that exists or can be created, not a file and not the root."""
    path = Path(results_dir)
    if not results_dir.strip() or path.resolve() == Path(path.resolve().anchor):
        raise ConfigError(f"results_dir: must name a folder below the working directory or elsewhere, got {results_dir!r}")
    if path.exists() and not path.is_dir():
        raise ConfigError(f"results_dir: {results_dir!r} exists and is not a folder")
    parent = next((p for p in (path, *path.resolve().parents) if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK):
        raise ConfigError(f"results_dir: {results_dir!r} cannot be written (no write permission on {parent})")


def results_dir_of(config_files: list[str | Path]) -> str:
    """``results_dir`` of a run reading ``config_files`` in order (the last one that sets it wins).

    This is what ``make figures CONFIG=...`` uses to put the report beside that run's results.
    """
    results_dir = "results"
    for file in config_files:
        loaded = yaml.safe_load(Path(file).read_text()) or {}
        results_dir = str(loaded.get("results_dir", results_dir))
    return results_dir


if __name__ == "__main__":  # pragma: no cover
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nonrecip.pipeline.config",
                                     description="Print the results_dir of a run that reads these config files in order.")
    parser.add_argument("files", nargs="+", help="config files, as given to snakemake (config/config.yaml first)")
    print(results_dir_of(parser.parse_args().files))
