"""The registry of datasets and figures: complete, consistent with the builders and plot tables."""

import importlib

import pytest
import yaml

from nonrecip.pipeline import registry
from nonrecip.pipeline.config import validate_config

SCHEMA = "workflow/schemas/config.schema.yaml"


@pytest.fixture(scope="module", params=["config/config.yaml", "config/test/tiny.yaml", "config/paper.yaml"])
def config(request):
    return validate_config(yaml.safe_load(open(request.param)), SCHEMA)


def test_every_dataset_has_a_builder_and_every_figure_a_plot(config):
    for job in registry.datasets(config).values():
        builders = importlib.import_module(f"nonrecip.pipeline.sweeps.{job.family if job.family != 'emission' else 'emission_fig3'}").BUILDERS
        assert job.builder in builders, job.key
        for key in job.inputs:
            assert key in registry.datasets(config), (job.key, key)
    for name, job in registry.figures(config).items():
        plots = importlib.import_module(f"nonrecip.pipeline.figures.{job.family}").PLOTS
        assert job.plot_function in plots, name
    for family in ("emission", "emission_large", "emission_systems", "sensing", "sync_meanfield", "sync_finite", "sync_trajectories"):
        plots = importlib.import_module(f"nonrecip.pipeline.figures.{family}").PLOTS
        assert set(plots) == {j.plot_function for j in registry.figures(config).values() if j.family == family}


def test_no_parameter_travels_in_a_file_name(config):
    """Dataset names are labels: every parameter a job uses is in its params, never parsed from the name."""
    jobs = registry.datasets(config)
    s10 = [job for job in jobs.values() if job.builder == "reversal_ensemble"]
    assert [job.params["N"] for job in s10] == config["sync_trajectories"]["fig_S10"]["N"]
    assert [job.name for job in s10] == [f"S10_ensemble_{i}" for i in range(len(s10))]  # an index, not N
    assert jobs["sync_finite/spectra_J"].params["scan"] == "J"
    assert jobs["sync_finite/spectra_Delta"].params["scan"] == "Delta"


def test_params_do_not_depend_on_key_order(config):
    """Reordering the keys of a config section changes no job's params (no spurious reruns)."""
    reordered = {k: (dict(reversed(list(v.items()))) if isinstance(v, dict) else v) for k, v in config.items()}
    assert registry.datasets(reordered) == registry.datasets(config)
    assert registry.figures(reordered) == registry.figures(config)


def test_each_job_receives_only_its_own_section(config):
    jobs = registry.datasets(config)
    s9 = jobs["sync_trajectories/S9"].params
    assert "fig_S10" not in s9 and "fig_S8" not in s9 and s9["n_traj"] == config["sync_trajectories"]["fig_S9"]["n_traj"]
    e4b = registry.figures(config)["E4b"].params
    assert e4b["k0"] == config["emission"]["figures"]["fig4b_k0"] and "fig4c_k0" not in e4b
