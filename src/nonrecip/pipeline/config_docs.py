"""Render the configuration schema as Markdown (``config/README.md``)."""

from __future__ import annotations

import json
from pathlib import Path

from nonrecip.pipeline.config import load_schema

__all__ = ["schema_markdown", "undocumented_keys"]


def _resolve(node: dict, registry, base: str) -> tuple[dict, str]:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        target, _, pointer = ref.partition("#")
        target = target or base
        resolved = registry.contents(target)
        for part in filter(None, pointer.split("/")):
            resolved = resolved[part]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node, base = {**resolved, **extra}, target
    return node, base


def _walk(node: dict, registry, base: str, path: str):
    node, base = _resolve(node, registry, base)
    for key, sub in node.get("properties", {}).items():
        full = f"{path}.{key}" if path else key
        sub_r, sub_base = _resolve(sub, registry, base)
        yield full, sub_r
        if sub_r.get("type") == "object" or "properties" in sub_r:
            yield from _walk(sub_r, registry, sub_base, full)
        for branch in sub_r.get("oneOf", []):  # e.g. a list of values or a {log_min, ...} grid
            yield from _walk(branch, registry, sub_base, full)
        ap = sub_r.get("additionalProperties")
        if isinstance(ap, dict):
            ap_r, ap_base = _resolve(ap, registry, sub_base)
            yield f"{full}.<name>", ap_r
            yield from _walk(ap_r, registry, ap_base, f"{full}.<name>")


def _type(node: dict) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "oneOf" in node:
        return " or ".join(_type(n) for n in node["oneOf"])
    t = node.get("type", "")
    if t == "array" and isinstance(node.get("items"), dict):
        return f"list of {_type(node['items'])}"
    bounds = [f"{op} {node[k]}" for k, op in (("minimum", "≥"), ("exclusiveMinimum", ">"),
                                               ("maximum", "≤"), ("exclusiveMaximum", "<")) if k in node]
    return f"{t} ({', '.join(bounds)})" if bounds else str(t)


def schema_markdown(schema_path: str | Path) -> str:
    """One table row per configuration key: type, default and description."""
    root, registry = load_schema(schema_path)
    base = Path(schema_path).name
    lines = [
        "# Configuration keys",
        "",
        "Generated from `workflow/schemas/*.schema.yaml` by `python -m nonrecip.pipeline.config_docs`; "
        "do not edit by hand.",
        "",
        "**How a run's configuration is assembled** (tested in `tests/test_config_malformed.py`):",
        "",
        "1. `config/config.yaml` is always read first (the Snakefile's `configfile:`).",
        "2. Each `--configfile` is merged onto it key by key (snakemake's `update_config`): a mapping",
        "   is merged recursively, so a mapping-valued key such as `sync_finite.observables_N.points`",
        "   is *extended* by another file, never replaced (an entry of `config/config.yaml` can only be",
        "   removed by editing that file); a list or a scalar replaces the value before it.",
        "3. `--config key=value` overrides are merged last, in the same way.",
        "4. Keys still missing take the schema default listed below; every value is then validated",
        "   (types, ranges, finite numbers, non-empty lists, size limits, values the figures select,",
        "   a writable `results_dir`) before any job runs, and a bad value stops the run with a",
        "   message naming its key.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for key, node in _walk(root, registry, base, ""):
        default = node.get("default", "")
        default_txt = f"`{json.dumps(default)}`" if default != "" else ""
        if len(default_txt) > 80:
            default_txt = "(see schema)"
        desc = " ".join(str(node.get("description", "")).split()).replace("|", "\\|")
        lines.append(f"| `{key}` | {_type(node)} | {default_txt} | {desc} |")
    return "\n".join(lines) + "\n"


def undocumented_keys(schema_path: str | Path) -> list[str]:
    """Keys of the schema without a ``description``."""
    root, registry = load_schema(schema_path)
    return [key for key, node in _walk(root, registry, Path(schema_path).name, "") if not node.get("description")]


def main(argv=None) -> None:
    """Command line: write the key table of a schema to a Markdown file."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nonrecip.pipeline.config_docs",
                                     description="Write the table of every configuration key (type, default, "
                                                 "description) generated from the schema.")
    parser.add_argument("schema", nargs="?", default="workflow/schemas/config.schema.yaml",
                        help="root schema (default: %(default)s)")
    parser.add_argument("out", nargs="?", default="config/README.md", help="Markdown file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    Path(args.out).write_text(schema_markdown(args.schema))


if __name__ == "__main__":  # pragma: no cover
    main()
