"""The ``emission.systems`` config entries: every mistake stops the run with the key named."""

import copy

import pytest
import yaml

from nonrecip.pipeline.config import ConfigError, validate_config
from nonrecip.pipeline.systems import sweep_dims, sweep_points


@pytest.fixture
def base(repo):
    return yaml.safe_load((repo / "config" / "config.yaml").read_text())


def _with_system(base, system):
    cfg = copy.deepcopy(base)
    cfg["emission"]["systems"] = {"mine": system}
    return cfg


GOOD = {"bath": {"kind": "chiral_magnet", "k0": 0.003}, "geometry": {"kind": "chain", "N": 4, "spacing_nm": 20.0}}


@pytest.mark.parametrize("change, key", [
    ({"bath": {"kind": "chiral_magnet", "k0": 0.003, "gamma_right": 1.0}}, "emission.systems.mine.bath.gamma_right"),
    ({"bath": {"kind": "chiral_waveguide", "gamma_right": 1.0, "k_per_nm": 0.1}}, "emission.systems.mine.bath.gamma_left"),
    ({"bath": {"kind": "chiral_magnet", "k0": 0.003, "distance_nm": 2.0}}, "emission.systems.mine"),
    ({"bath": {"kind": "matrix", "path": "no/such/file.nc"}}, "emission.systems.mine"),
    ({"bath": {"kind": "phonons"}}, "emission.systems.mine.bath.kind"),
    ({"geometry": {"kind": "lattice", "nx": 3, "spacing_nm": 20.0}}, "emission.systems.mine.geometry.ny"),
    ({"geometry": {"kind": "chain", "N": 20, "spacing_nm": 20.0}}, "emission.systems.mine.geometry"),
    ({"initial": {"kind": "single_excitation", "site": 9}}, "emission.systems.mine"),
    ({"initial": {"kind": "single_excitation", "site": 1}, "method": "cumulant2"}, "emission.systems.mine.method"),
    ({"sweep": {"bath.k_per_nm": [0.1]}}, "emission.systems.mine.sweep.bath.k_per_nm"),
    ({"sweep": {"cosmos.k0": [0.1]}}, "emission.systems.mine.sweep"),
    ({"sweep": {"bath.k0": []}}, "emission.systems.mine.sweep.bath.k0"),
    ({"disorder": {"sigma_nm": -1.0}}, "emission.systems.mine.disorder.sigma_nm"),
    ({"colour": "red"}, "emission.systems.mine.colour"),
])
def test_bad_system_entries_are_refused_naming_the_key(base, schema_path, change, key):
    with pytest.raises(ConfigError) as err:
        validate_config(_with_system(base, {**GOOD, **change}), schema_path)
    assert key in str(err.value)


def test_a_good_system_validates_with_defaults(base, schema_path):
    cfg = validate_config(_with_system(base, GOOD), schema_path)
    system = cfg["emission"]["systems"]["mine"]
    assert system["initial"] == {"kind": "all_excited"} and system["method"] == "blocks"
    assert system["disorder"] == {"sigma_nm": 0.0, "n_realizations": 1, "seed": 0}


def test_sweep_points_are_the_product_in_written_order():
    system = {**GOOD, "sweep": {"bath.k0": [0.1, 0.2], "initial.site": [1, 4, 2]}}
    assert sweep_dims(system) == [("k0", "bath.k0"), ("initial_site", "initial.site")]
    points = sweep_points(system)
    assert [c for c, _ in points][:4] == [{"k0": 0.1, "initial_site": 1}, {"k0": 0.1, "initial_site": 4},
                                          {"k0": 0.1, "initial_site": 2}, {"k0": 0.2, "initial_site": 1}]
    assert points[4][1]["bath"] == {"kind": "chiral_magnet", "k0": 0.2} and points[4][1]["initial"] == {"site": 4}
    assert "sweep" not in points[0][1]
