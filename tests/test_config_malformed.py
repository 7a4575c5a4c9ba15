"""Malformed configurations are refused before any job, with a ConfigError naming the key.

Each row is (category, override merged onto config/config.yaml, text the message must contain).
The Snakefile turns a ConfigError into one line on stderr and exit 1 (tests/test_workflow.py runs
a few through snakemake itself); here every case runs through ``validate_config`` in-process.
"""

import copy
import math

import pytest
import yaml
from snakemake.utils import update_config

from nonrecip.pipeline.config import ConfigError, validate_config

SCHEMA = "workflow/schemas/config.schema.yaml"
NAN, INF = math.nan, math.inf
BASE = yaml.safe_load(open("config/config.yaml"))


def _sweeps(**fig4bc):
    """The four required emission sweeps with ``fig4bc`` replaced."""
    small = {"N": [3], "k0": [0.1]}
    return {"emission": {"sweeps": {"fig4bc": {"N": [9], **fig4bc}, "fig4d": small, "map_k0": small,
                                    "map_k0_N": small}}}


CASES = [
    # non-finite numbers
    ("nan", {"sync_trajectories": {"dt": NAN}}, "sync_trajectories.dt"),
    ("nan", {"sync_trajectories": {"sample_dt": NAN}}, "sync_trajectories.sample_dt"),
    ("nan", {"sync_meanfield": {"t_final": NAN}}, "sync_meanfield.t_final"),
    ("nan", {"sync_meanfield": {"w": NAN}}, "sync_meanfield.w"),
    ("nan", {"sync_finite": {"Gamma": NAN}}, "sync_finite.Gamma"),
    ("nan", {"sync_finite": {"comb": {"kappa": NAN}}}, "sync_finite.comb.kappa"),
    ("nan", {"emission": {"coupling": {"f_J": NAN}}}, "emission.coupling.f_J"),
    ("nan", {"emission": {"physics": {"field_gauss": NAN}}}, "emission.physics.field_gauss"),
    ("nan", {"emission": {"solver": {"blocks": {"tol": NAN}}}}, "emission.solver.blocks.tol"),
    ("nan", {"emission": {"fig3": {"gamma_s": NAN}}}, "emission.fig3.gamma_s"),
    ("nan", {"emission": {"figures": {"fig4b_k0": [0.0, NAN]}}}, "emission.figures.fig4b_k0[1]"),
    ("nan", _sweeps(k0=[0.1, NAN]), "emission.sweeps.fig4bc.k0[1]"),
    ("nan", _sweeps(k0={"log_min": NAN, "log_max": -1, "points_per_decade": 3}), "emission.sweeps.fig4bc.k0.log_min"),
    ("nan", {"sync_meanfield": {"phase_diagram": {"kappa": {"start": NAN, "stop": 1.0, "num": 3}}}},
     "sync_meanfield.phase_diagram.kappa.start"),
    ("nan", {"sync_trajectories": {"fig_S9": {"window": NAN}}}, "sync_trajectories.fig_S9.window"),
    # infinities
    ("inf", {"sync_trajectories": {"dt": INF}}, "sync_trajectories.dt"),
    ("inf", {"sync_meanfield": {"t_final": INF}}, "sync_meanfield.t_final"),
    ("inf", {"emission": {"physics": {"spin_stiffness_hz_m2": INF}}}, "emission.physics.spin_stiffness_hz_m2"),
    ("inf", {"emission": {"figures": {"t_display": INF}}}, "emission.figures.t_display"),
    ("inf", {"sync_finite": {"spectra_J": {"kappa": -INF}}}, "sync_finite.spectra_J.kappa"),
    ("inf", _sweeps(spacing_nm=[INF]), "emission.sweeps.fig4bc.spacing_nm[0]"),
    ("inf", {"sync_trajectories": {"fig_S10": {"t_final": INF}}}, "sync_trajectories.fig_S10.t_final"),
    # empty lists
    ("empty", {"emission": {"figures": {"fig4b_k0": []}}}, "emission.figures.fig4b_k0"),
    ("empty", {"emission": {"figures": {"format": []}}}, "emission.figures.format"),
    ("empty", {"emission": {"fig3": {"J_a_over_gamma_s": []}}}, "emission.fig3.J_a_over_gamma_s"),
    ("empty", {"sync_finite": {"comb": {"N": []}}}, "sync_finite.comb.N"),
    ("empty", {"sync_finite": {"observables_N": {"N": []}}}, "sync_finite.observables_N.N"),
    ("empty", {"sync_trajectories": {"fig_S10": {"N": []}}}, "sync_trajectories.fig_S10.N"),
    ("empty", {"sync_trajectories": {"fig_S8": {"points": []}}}, "sync_trajectories.fig_S8.points"),
    ("empty", {"sync_meanfield": {"threshold": {"J": []}}}, "sync_meanfield.threshold.J"),
    ("empty", {"sync_meanfield": {"traces": {"points": []}}}, "sync_meanfield.traces.points"),
    ("empty", _sweeps(k0=[]), "emission.sweeps.fig4bc.k0"),
    ("empty", {"sync_finite": {"format": []}}, "sync_finite.format"),
    # absurd sizes
    ("size", _sweeps(k0={"log_min": -8, "log_max": 0, "points_per_decade": 1e7}), "emission.sweeps.fig4bc.k0"),
    ("size", {"emission": {"sweeps": {"big": {"N": [3], "k0": list(range(400)), "spacing_nm": list(range(1, 300))}}}},
     "emission.sweeps.big"),
    ("size", {"emission": {"sweeps": {"fig4d": {"N": [16], "k0": [0.3]}}}}, "emission.sweeps.fig4d.N"),
    ("size", {"sync_trajectories": {"fig_S9": {"n_traj": 10**9}}}, "sync_trajectories.fig_S9.n_traj"),
    ("size", {"sync_trajectories": {"fig_S10": {"N": [10, 10**8]}}}, "sync_trajectories.fig_S10.N[1]"),
    ("size", {"sync_trajectories": {"fig_S11": {"N": 10**8}}}, "sync_trajectories.fig_S11.N"),
    ("size", {"sync_trajectories": {"fig_S8": {"points": [["x", 1.0, 1.0, 10**8]]}}}, "sync_trajectories.fig_S8.points[0][3]"),
    ("size", {"sync_meanfield": {"phase_diagram": {"kappa": {"start": -1, "stop": 1, "num": 20000}}}},
     "sync_meanfield.phase_diagram.kappa"),
    ("size", {"sync_finite": {"spectra_J": {"omega": {"start": -1, "stop": 1, "num": 10**8}}}},
     "sync_finite.spectra_J.omega"),
    ("size", {"sync_finite": {"observables_N": {"N_exact_max": 40}}}, "sync_finite.observables_N.N_exact_max"),
    ("size", {"emission": {"sweeps": {"fig4d": {"N": [5], "k0": [0.3], "n_times": 10**8}}}}, "emission.sweeps.fig4d.n_times"),
    # values the figures select must exist
    ("figure", {"emission": {"figures": {"fig4b_k0": [0.5]}}}, "emission.figures.fig4b_k0"),
    ("figure", {"emission": {"figures": {"fig4c_k0": [0.003, 0.7]}}}, "emission.figures.fig4c_k0"),
    ("figure", {"emission": {"figures": {"fig4_N": 7}}}, "emission.figures.fig4_N"),
    ("figure", {"emission": {"figures": {"fig4_N": 11}}}, "emission.figures.fig4_N"),
    # results_dir
    ("results_dir", {"results_dir": ""}, "results_dir"),
    ("results_dir", {"results_dir": "   "}, "results_dir"),
    ("results_dir", {"results_dir": "/"}, "results_dir"),
    ("results_dir", {"results_dir": "README.md"}, "results_dir"),
    ("results_dir", {"results_dir": 3}, "results_dir"),
    # inputs that used to crash the validator itself
    ("crash", _sweeps(k0={"log_min": 0, "log_max": -3, "points_per_decade": 5}), "emission.sweeps.fig4bc.k0"),
    ("crash", {"sync_meanfield": {"traces": {"points": [["sync", "half", 0.2]]}}}, "sync_meanfield.traces.points[0][1]"),
    ("crash", {"sync_trajectories": {"fig_S8": {"points": [["sync", "one", 1.0, 10]]}}}, "sync_trajectories.fig_S8.points[0][1]"),
    ("crash", {"sync_finite": {"spectra_J": {"values": []}}}, "sync_finite.spectra_J.values"),
    ("crash", {"sync_trajectories": {"dt": NAN, "sample_dt": 0.2}}, "sync_trajectories.dt"),
    ("crash", {"sync_finite": {"observables_N": {"points": {"sync": ["a", 0.2]}}}}, "sync_finite.observables_N.points.sync[0]"),
    # wrong types, unknown keys, out-of-range values (refused by the schema)
    ("schema", {"emission": {"chunk_sise": 3}}, "emission.chunk_sise"),
    ("schema", {"emission": {"solver": {"method": "rk4"}}}, "emission.solver.method"),
    ("schema", {"emission": {"solver": {"qutip": {"rtol": -1}}}}, "emission.solver.qutip.rtol"),
    ("schema", {"emission": {"coupling": {"model": "bessel"}}}, "emission.coupling.model"),
    ("schema", {"sync_trajectories": {"efficiency": 1.5}}, "sync_trajectories.efficiency"),
    ("schema", {"sync_meanfield": {"phase_diagram": {"kappa": [-1.5, 0.5]}}}, "sync_meanfield.phase_diagram.kappa"),
    ("schema", {"sync_trajectories": {"fig_S9": {"n_traj": "many"}}}, "sync_trajectories.fig_S9.n_traj"),
]


def _config(override):
    config = copy.deepcopy(BASE)
    update_config(config, copy.deepcopy(override))  # what snakemake does with --configfile
    return config


@pytest.mark.parametrize("category, override, key", CASES, ids=[f"{c}-{k}" for c, _, k in CASES])
def test_malformed_config_is_refused_naming_the_key(category, override, key):
    with pytest.raises(ConfigError) as err:  # a ConfigError, never another exception
        validate_config(_config(override), SCHEMA)
    assert key in str(err.value), str(err.value)


def test_the_table_covers_every_category_with_enough_cases():
    counts = {c: sum(1 for row in CASES if row[0] == c) for c, _, _ in CASES}
    assert len(CASES) >= 60 and set(counts) >= {"nan", "inf", "empty", "size", "figure", "results_dir", "crash"}


def test_merge_semantics_mappings_extend_lists_replace():
    """As config/README.md states: a --configfile extends mappings and replaces lists and scalars."""
    merged = validate_config(_config({"sync_finite": {"observables_N": {"points": {"extra": [0.1, 0.3]},
                                                                        "N": [2, 3]}}}), SCHEMA)
    points = merged["sync_finite"]["observables_N"]["points"]
    assert list(points) == list(BASE["sync_finite"]["observables_N"]["points"]) + ["extra"]
    assert merged["sync_finite"]["observables_N"]["N"] == [2, 3]
    assert merged["emission"]["chunk_size"] == BASE["emission"]["chunk_size"]  # untouched keys keep config.yaml's value
