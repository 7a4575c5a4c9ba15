"""The workflow end to end on the tiny config, plus dry-run, lint and config rejection."""

import json

import pytest

from nonrecip.io import PROVENANCE_KEYS, read_dataset
from workflow_helpers import run_snakemake

pytestmark = pytest.mark.workflow


def _run(repo, *args, timeout=900):
    return run_snakemake(*args, timeout=timeout)


def test_tiny_config_produces_every_target(tiny_run):
    repo, out = tiny_run
    proc = _run(repo, "-n", "--configfile", "config/test/tiny.yaml", "--config", f"results_dir={out}")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr  # everything is up to date
    for fig in ("E3", "E4a", "E4b", "E4c", "E4d", "E_map_delta_k0_t", "E_map_maxdelta_k0_N", "E_error_map", "E_scaling_N"):
        for ext in ("png", "pdf"):
            assert (out / "figures" / f"{fig}.{ext}").stat().st_size > 1000


def test_every_netcdf_has_provenance_and_labels(tiny_run):
    _, out = tiny_run
    files = sorted(out.rglob("*.nc"))
    assert len(files) >= 10
    for path in files:
        ds = read_dataset(path)
        for key in PROVENANCE_KEYS:
            assert key in ds.attrs, (path, key)
        json.loads(ds.attrs["params"])
        for name in list(ds.variables):
            assert {"units", "long_name"} <= set(ds[name].attrs), (path, name)


def test_aggregated_sweep_has_named_dims(tiny_run):
    _, out = tiny_run
    ds = read_dataset(out / "emission" / "map_k0_N.nc")
    assert {"N", "k0", "spacing_nm", "distance_nm", "time"} <= set(ds["delta"].dims)
    assert list(ds["N"].values) == [2, 3]
    assert list(ds["k0"].values) == [0.001, 0.01, 0.1]
    fig4bc = read_dataset(out / "emission" / "fig4bc.nc")
    k0_zero = fig4bc.sel(k0=0.0, N=3).isel(spacing_nm=0, distance_nm=0)
    assert float(k0_zero["mirror_residual"]) < 1e-7  # mirror symmetry survives the whole pipeline


def test_paper_e_sweep_written_as_a_system_gives_the_same_numbers(tiny_run):
    """emission.sweeps.fig4bc (couplings and dynamics chunks) and the system paper_fig4bc of the tiny
    config (bath, geometry, initial state) describe the same arrays: every emitted quantity agrees."""
    _, out = tiny_run
    paper = read_dataset(out / "emission" / "fig4bc.nc").sel(N=3).isel(spacing_nm=0, distance_nm=0)
    system = read_dataset(out / "emission_systems" / "paper_fig4bc.nc").isel(realization=0)
    assert list(system["k0"].values) == list(paper["k0"].values)
    for name in ("rate", "population", "delta", "rate_total"):
        a = paper[name].transpose("k0", ...).values
        b = system[name].transpose("k0", ...).values
        assert a.shape == b.shape, name
        assert abs(a - b).max() <= 1e-12 * max(abs(a).max(), 1.0), name


def test_dry_run_and_lint_are_clean(repo):
    proc = _run(repo, "-n", "--configfile", "config/config.yaml")
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = _run(repo, "--lint", "--configfile", "config/test/tiny.yaml")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Congratulations" in proc.stdout + proc.stderr


@pytest.mark.parametrize("override, key", [
    ('emission={"chunk_sise": 3}', "emission.chunk_sise"),
    ('emission={"solver": {"qutip": {"rtol": -1}}}', "emission.solver.qutip.rtol"),
    ('emission={"sweeps": {"fig4bc": {"N": [9], "k0": []}, "fig4d": {"N": [3], "k0": [0.1]},'
     ' "map_k0": {"N": [3], "k0": [0.1]}, "map_k0_N": {"N": [3], "k0": [0.1]}}}', "emission.sweeps.fig4bc.k0"),
])
def test_bad_config_stops_before_any_job(repo, tmp_path, override, key):
    proc = _run(repo, "--cores", "1", "--config", override, f"results_dir={tmp_path}")
    assert proc.returncode != 0
    assert key in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not any(tmp_path.iterdir())  # no job ran


def test_claims_table_reports_three_outcomes(tiny_run):
    _, out = tiny_run
    ds = read_dataset(out / "claims.nc")
    outcome = {str(k): str(o) for k, o in zip(ds["key"].values, ds["outcome"].values)}
    assert len(outcome) >= 11
    for key in ("mirror_k0_zero", "fig3c_isolated", "CAB_zero_kappa0", "symmetric_spectrum",
                "quarter_phase_kappa0", "diagonals_static", "c4_negative_TW", "k0_max_asymmetry"):
        assert outcome[key] == "confirmed", key
    # the tiny config has N = 3: the burst criterion changes sign at k0,c = 0.080, not the paper's ~0.2
    assert outcome["k0_burst_loss"] == "differs"
    i = list(ds["key"].values).index("k0_burst_loss")
    assert float(ds["value"].values[i]) == pytest.approx(0.0802, abs=1e-3)
    assert "burst criterion" in str(ds["reason"].values[i]) and str(ds["paper_value"].values[i]) == "~0.2"
    html = (out / "claims.html").read_text()
    assert "DIFFERS" in html and "CONFIRMED" in html


def _dry_run_jobs(out, config_file) -> dict[str, int]:
    """Rule -> number of jobs a dry run would execute (from snakemake's job-stats table)."""
    proc = run_snakemake("-n", "--workflow-profile", "workflow/profiles/default", "--configfile", str(config_file),
                         "--config", f"results_dir={out}", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = proc.stdout + proc.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:")[1].split("\n\n")[0].splitlines()[3:]
    jobs = dict((line.split()[0], int(line.split()[1])) for line in table if line.strip() and not line.startswith("total"))
    jobs.pop("all", None)
    return jobs


@pytest.mark.parametrize("section, key, value, expected", [
    ("emission.figures", "fig4b_k0", [0.0, 0.1], {"emission_figure": 1}),
    ("sync_trajectories.fig_S9", "n_traj", 3, {"sync_trajectories_data": 1, "sync_figure": 1, "run_times": 1}),
    ("sync_finite.comb", "N", [3], {"sync_finite_data": 1, "sync_figure": 1, "run_times": 1}),
    ("emission.solver.qutip", "rtol", 1e-9, {}),  # the tiny run uses the block solver: nothing to redo
])
def test_editing_one_figure_reruns_only_its_jobs(tiny_run, tmp_path, section, key, value, expected):
    """Each rule receives only the parameters it uses, so one edit reruns one figure's jobs."""
    import yaml

    _, out = tiny_run
    config = yaml.safe_load(open("config/test/tiny.yaml"))
    node = config
    for part in section.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    assert _dry_run_jobs(out, edited) == expected


def test_html_report(tiny_run, tmp_path):
    repo, out = tiny_run
    report = tmp_path / "report.html"
    proc = _run(repo, "--configfile", "config/test/tiny.yaml", "--config", f"results_dir={out}",
                "--report", str(report))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = report.read_text(errors="replace")
    assert report.stat().st_size > 100_000
    for name in ("E4b", "S1d", "S10", "Claims"):
        assert name in text


def test_every_figure_draws_from_the_tiny_datasets(tiny_run):
    """Each plot function, called directly on the tiny run's datasets, returns a Figure with data."""
    import importlib

    from matplotlib.figure import Figure

    from nonrecip.pipeline import registry
    from nonrecip.pipeline.config import validate_config

    _, out = tiny_run
    import yaml

    config = validate_config(yaml.safe_load(open("config/test/tiny.yaml")), "workflow/schemas/config.schema.yaml")
    for name, job in registry.figures(config).items():
        plots = importlib.import_module(f"nonrecip.pipeline.figures.{job.family}").PLOTS
        datasets = [read_dataset(out / f"{key}.nc") for key in job.inputs]
        fig = plots[job.plot_function](*datasets, **job.params)
        assert isinstance(fig, Figure), name
        drawn = sum(len(ax.lines) + len(ax.collections) + len(ax.images) + len(ax.patches) for ax in fig.axes)
        assert drawn > 0, name
        import matplotlib.pyplot as plt

        plt.close(fig)


def _copy_run(out, dest):
    import shutil

    shutil.copytree(out, dest, copy_function=shutil.copy2)  # modification times kept
    return dest


@pytest.mark.parametrize("fault", ["random_bytes", "other_valid_chunk"])
def test_a_replaced_intermediate_with_its_time_kept_is_detected(tiny_run, tmp_path, fault):
    """Snakemake compares only times; the checksum written with each file catches the replacement."""
    import os
    import shutil

    import numpy as np

    _, out = tiny_run
    run = _copy_run(out, tmp_path / "run")
    chunk = run / "emission" / "map_k0" / "dynamics_1.nc"
    stat = os.stat(chunk)
    if fault == "random_bytes":
        chunk.write_bytes(np.random.default_rng(1).bytes(stat.st_size))
    else:
        shutil.copyfile(run / "emission" / "fig4d" / "dynamics_0.nc", chunk)
    os.utime(chunk, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    proc = _run(None, "-n", "--configfile", "config/test/tiny.yaml", "--config", f"results_dir={run}")
    assert proc.returncode != 0
    assert str(chunk) in proc.stderr and "no longer match the checksum" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_valid_chunk_of_another_sweep_is_refused_by_the_aggregation(tiny_run, tmp_path):
    """Copied with its own checksum and a new time: the aggregate reruns and its coverage check names the file."""
    import shutil

    _, out = tiny_run
    run = _copy_run(out, tmp_path / "run")
    chunk = run / "emission" / "map_k0" / "dynamics_1.nc"
    other = run / "emission" / "fig4d" / "dynamics_0.nc"
    shutil.copyfile(other, chunk)
    shutil.copyfile(other.with_name(".dynamics_0.nc.sha256"), chunk.with_name(".dynamics_1.nc.sha256"))
    proc = _run(None, "--cores", "1", "--configfile", "config/test/tiny.yaml", "--config",
                f"results_dir={run}", "--", str(run / "emission" / "map_k0.nc"))
    assert proc.returncode != 0
    log = (run / "logs" / "emission" / "map_k0" / "aggregate.log").read_text()
    assert f"{chunk}: holds the grid points" in log


def test_a_deleted_chunk_is_recomputed_and_the_aggregate_stays_correct(tiny_run, tmp_path):
    """Deleting an intermediate never yields a wrong figure: the run recomputes what is needed."""
    _, out = tiny_run
    run = _copy_run(out, tmp_path / "run")
    chunk = run / "emission" / "map_k0" / "dynamics_1.nc"
    chunk.unlink()
    proc = _run(None, "--cores", "2", "--configfile", "config/test/tiny.yaml", "--config", f"results_dir={run}",
                "--", str(run / "emission" / "map_k0.nc"), str(chunk))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert chunk.exists()
    before, after = read_dataset(out / "emission" / "map_k0.nc"), read_dataset(run / "emission" / "map_k0.nc")
    for name in before.data_vars:
        if before[name].attrs.get("role") != "timing":
            assert before[name].equals(after[name]), name
