"""Config validation: defaults from the schema, errors naming the key."""

import copy

import pytest
import yaml

from nonrecip.pipeline.config import ConfigError, validate_config


@pytest.fixture
def default_config(repo):
    return yaml.safe_load((repo / "config" / "config.yaml").read_text())


def test_default_and_tiny_configs_validate(repo, schema_path, default_config):
    full = validate_config(default_config, schema_path)
    assert full["emission"]["solver"]["qutip"]["ode_method"] == "adams"
    tiny = validate_config(yaml.safe_load((repo / "config/test/tiny.yaml").read_text()), schema_path)
    assert tiny["emission"]["sweeps"]["fig4d"]["spacing_nm"] == [20.0]  # default filled in


def test_empty_config_gets_every_default(schema_path):
    full = validate_config({}, schema_path)
    assert full["emission"]["fig3"]["gamma_s"] == 0.9
    assert full["emission"]["sweeps"]["fig4d"]["N"] == [5, 7, 9]


def _set(cfg, path, value):
    node = cfg
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return cfg


BAD = [
    (("emisson",), {}, "emisson"),
    (("emission", "solvr"), {}, "emission.solvr"),
    (("emission", "chunk_size"), 0, "emission.chunk_size"),
    (("emission", "chunk_size"), "four", "emission.chunk_size"),
    (("emission", "solver", "method"), "magic", "emission.solver.method"),
    (("emission", "solver", "rtol"), -1e-8, "emission.solver.rtol"),
    (("emission", "fig3", "gamma_s"), 1.5, "emission.fig3.gamma_s"),
    (("emission", "sweeps", "fig4d", "N"), [1], "emission.sweeps.fig4d.N"),
    (("emission", "sweeps", "fig4d", "N"), [], "emission.sweeps.fig4d.N"),
    (("emission", "sweeps", "fig4d", "k0"), [-0.1], "emission.sweeps.fig4d.k0"),
    (("emission", "sweeps", "fig4d", "spacing_nm"), [0.0], "emission.sweeps.fig4d.spacing_nm"),
    (("emission", "coupling", "model"), "integral", "distance_nm"),  # integral needs d > 0
    (("emission", "sweeps", "fig4d", "N"), [16], "emission.sweeps.fig4d.N"),  # 32 GB > max_memory_gb
    (("emission", "physics", "field_gauss"), 450.0, "emission.physics"),
    (("emission", "physics", "colour"), 1, "emission.physics.colour"),
    (("emission", "coupling", "f_J"), -1, "emission.coupling.f_J"),
    (("sensing", "coverage", "k0"), [0.03, 0.5], "sensing.coverage.k0"),  # outside the prior interval
    (("sensing", "posterior", "prior_interval"), [0.1, -0.1], "sensing.posterior.prior_interval"),
    (("sensing", "design", "N"), [1], "sensing.design.N"),
]


@pytest.mark.parametrize("path, value, key", BAD, ids=[b[2] + "=" + repr(b[1]) for b in BAD])
def test_bad_values_are_rejected_naming_the_key(default_config, schema_path, path, value, key):
    cfg = _set(copy.deepcopy(default_config), path, value)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, schema_path)
    assert key in str(err.value)


def test_every_key_is_documented_and_docs_are_current(repo, schema_path):
    from jsonschema import Draft202012Validator

    from nonrecip.pipeline.config_docs import schema_markdown, undocumented_keys

    for file in schema_path.parent.glob("*.yaml"):
        Draft202012Validator.check_schema(yaml.safe_load(file.read_text()))
    assert undocumented_keys(schema_path) == []
    assert (repo / "config" / "README.md").read_text() == schema_markdown(schema_path), (
        "config/README.md is stale: run `python -m nonrecip.pipeline.config_docs`")


def test_config_yaml_agrees_with_the_schema_defaults(repo, schema_path):
    """A value written in config/config.yaml equals the schema default of its key, so that the two
    documented defaults (config/README.md and config/config.yaml) cannot disagree."""
    from nonrecip.pipeline.config import load_schema
    from nonrecip.pipeline.config_docs import _walk

    root, registry = load_schema(schema_path)
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    differ = []
    for key, node in _walk(root, registry, schema_path.name, ""):
        value = config
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if "default" in node and value is not None and not isinstance(value, dict) and value != node["default"]:
            differ.append(f"{key}: schema {node['default']!r}, config.yaml {value!r}")
    assert differ == []


def test_log_grid_keys_are_documented(repo):
    table = (repo / "config" / "README.md").read_text()
    for key in ("log_min", "log_max", "points_per_decade", "include_zero"):
        assert f"k0.{key}`" in table


def test_config_docs_help_prints_usage(tmp_path, capsys, monkeypatch):
    from nonrecip.pipeline.config_docs import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0 and "usage:" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_schemas_have_no_stray_keys():
    """An unquoted comma in a YAML flow mapping splits a description into a stray key: none left."""
    import glob

    import yaml

    vocabulary = {"type", "default", "description", "minimum", "maximum", "exclusiveMinimum", "items", "minItems",
                  "maxItems", "enum", "$ref", "properties", "additionalProperties", "required", "oneOf",
                  "prefixItems", "propertyNames", "pattern", "title", "$defs", "$schema", "minLength", "uniqueItems"}
    stray = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and set(sub) - vocabulary:
                    stray.append(f"{path}.{key}: {sorted(set(sub) - vocabulary)}")
            for key, sub in node.items():
                walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for sub in node:
                walk(sub, path)

    for file in glob.glob("workflow/schemas/*.yaml"):
        walk(yaml.safe_load(open(file)), file)
    assert not stray, stray
