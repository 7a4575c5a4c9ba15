"""The workflow on a real SLURM (one node on localhost) through workflow/profiles/slurm.

Runs the tiny config with the SLURM profile and checks that every non-local rule went through
sbatch and ran inside its allocation, that the results equal a local run, and that a job that
fails on SLURM stops Snakemake with the rule named while a rerun recomputes only what failed.
The cluster comes from the session fixture in conftest.py (skipped without root/apt).
"""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from nonrecip.io import PROVENANCE_KEYS, read_dataset

from .conftest import NODE_CPUS

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
TINY = "config/test/tiny.yaml"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
pytestmark = [pytest.mark.cluster, pytest.mark.workflow, pytest.mark.timeout(900)]

SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.")
SBATCH = re.compile(r"sbatch call: (sbatch .*)")
MEASURED = re.compile(r"cpu|rss|wall|elapsed", re.I)
LOCALRULES = re.compile(r"^localrules:\s*(.+)$", re.M)


def _start(*args, results):
    """Snakemake on the tiny config with its own results folder, in the background."""
    cmd = [SNAKEMAKE, "--nolock", "--configfile", TINY, "--config", f"results_dir={results}", *args]
    return subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _finish(proc, timeout=600):
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        pytest.fail(f"snakemake timed out after {timeout} s:\n{out[-4000:]}")
    return proc.returncode, out


def _slurm(*targets, results, logdir):
    """The SLURM profile as a user runs it, plus what a one-node test cluster needs."""
    return _start("--workflow-profile", "workflow/profiles/slurm",
                  "--cores", str(NODE_CPUS),                         # every job fits the node
                  "--slurm-init-seconds-before-status-checks", "2",  # poll quickly
                  "--slurm-keep-successful-logs", "--slurm-logdir", str(logdir),
                  "--verbose", *targets, results=results)


def _outputs(results):
    """Every output file of the tiny workflow and its rule, from ``snakemake --summary``."""
    proc = subprocess.run([SNAKEMAKE, "--nolock", "--summary", "--configfile", TINY, "--config",
                           f"results_dir={results}"], cwd=REPO, env=ENV, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:] if "\t" in line]
    return {Path(row[0]).relative_to(results): row[2] for row in rows}


def _declared_localrules():
    files = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    return {name.strip() for f in files for line in LOCALRULES.findall(f.read_text())
            for name in line.split("#")[0].split(",") if name.strip()}


def _job_stats(log):
    """The counts of Snakemake's first 'Job stats' table: {rule: jobs}."""
    table = log.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.M)}


def _assert_same_attrs(a, b, where):
    assert set(a) == set(b), where
    for key in a:
        assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), (where, key)


@pytest.fixture(scope="module")
def tiny_on_slurm(slurm_cluster, tmp_path_factory):
    """Every NetCDF product of the tiny config on SLURM and, at the same time, by a local run.

    The figures are left out: they are drawn by local rules on the submitting host from these
    files (tests/test_workflow.py covers them); leaving them out keeps the test's CPU time down.
    """
    base = tmp_path_factory.mktemp("slurm_tiny")
    slurm_out, local_out, logdir = base / "slurm", base / "local", base / "slurm_logs"
    netcdf = {path: rule for path, rule in _outputs(local_out).items() if path.suffix == ".nc"}
    local = _start("--cores", str(NODE_CPUS), *[str(local_out / f) for f in netcdf], results=local_out)
    try:
        rc, log = _finish(_slurm(*[str(slurm_out / f) for f in netcdf], results=slurm_out, logdir=logdir))
    finally:
        local_rc, local_log = _finish(local)
    (base / "slurm_run.log").write_text(log)  # kept by pytest's basetemp for inspection
    assert rc == 0, log[-6000:] + "\n" + slurm_cluster.log_tail()
    assert local_rc == 0, local_log[-4000:]
    return dict(out=slurm_out, local=local_out, log=log, netcdf=netcdf, cluster=slurm_cluster)


def test_every_heavy_rule_went_through_sbatch(tiny_on_slurm):
    log = tiny_on_slurm["log"]
    sbatch = SBATCH.findall(log)
    submitted = SUBMITTED.findall(log)
    assert sbatch and len(sbatch) == len(submitted)
    remote = {rule for call in sbatch for rule in re.search(r"--allowed-rules ((?:\w+ ?)+)", call)[1].split()}
    local = _declared_localrules()
    assert {"all", "emission_aggregate", "emission_fig3_data"} <= local
    assert {"emission_couplings", "emission_dynamics"} <= remote
    assert not remote & local  # cheap rules stayed on the submitting host
    assert set(tiny_on_slurm["netcdf"].values()) - local == remote  # every other rule went to SLURM
    for rel, rule in tiny_on_slurm["netcdf"].items():
        assert (tiny_on_slurm["out"] / rel).stat().st_size > 0, rel
    for call in sbatch:  # the requests come from the rules: runtime, memory, CPUs, our node only
        assert re.search(r" -t \d+ --mem \d+ --ntasks=1 --cpus-per-task=(\d+)", call), call
        assert int(re.search(r"--cpus-per-task=(\d+)", call)[1]) <= NODE_CPUS
    # one job per chunk: couplings and dynamics of a chunk share an allocation
    groups = [call for call in sbatch if "--comment rule_emission_chunk" in call]
    chunks = {p.parent / p.name.split("_")[1] for p, rule in tiny_on_slurm["netcdf"].items()
              if rule == "emission_dynamics"}
    assert len(groups) == len(chunks) > 0


def test_jobs_ran_inside_slurm_allocations(tiny_on_slurm):
    ctld = tiny_on_slurm["cluster"].controller_log()
    out = tiny_on_slurm["out"]
    job_logs = ""
    for _, slurm_id, path in SUBMITTED.findall(tiny_on_slurm["log"]):
        assert re.search(rf"sched: Allocate JobId={slurm_id} NodeList=localhost", ctld), slurm_id
        assert re.search(rf"_job_complete: JobId={slurm_id} WEXITSTATUS 0", ctld), slurm_id
        text = Path(path).read_text()  # the job's own output, written by SLURM on the node
        assert f"'SLURM_JOB_ID': '{slurm_id}'" in text  # the in-job Snakemake saw its allocation
        assert "The call for this job is: srun -n1" in text  # and started the rule as a job step
        job_logs += text
    assert job_logs
    for rel, rule in tiny_on_slurm["netcdf"].items():
        if rule in ("emission_couplings", "emission_dynamics"):
            assert (out / rel).stat().st_size > 0
            assert str(out / rel) in job_logs, f"{rel} was not produced by a SLURM job"


def test_results_equal_a_local_run(tiny_on_slurm):
    out, local = tiny_on_slurm["out"], tiny_on_slurm["local"]
    assert tiny_on_slurm["netcdf"], "no NetCDF outputs in the tiny config"
    for rel in tiny_on_slurm["netcdf"]:
        a, b = read_dataset(out / rel), read_dataset(local / rel)
        assert set(a.data_vars) == set(b.data_vars), rel
        assert set(a.coords) == set(b.coords), rel
        for name in a.variables:
            assert a[name].dims == b[name].dims, (rel, name)
            if MEASURED.search(name + " " + a[name].attrs.get("long_name", "")):
                continue  # solver CPU time and the like: measured, not computed
            if np.issubdtype(a[name].dtype, np.number):
                xr.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-14)
            else:
                xr.testing.assert_equal(a[name], b[name])
            _assert_same_attrs(a[name].attrs, b[name].attrs, (rel, name))
        _assert_same_attrs({k: v for k, v in a.attrs.items() if k not in PROVENANCE_KEYS},
                           {k: v for k, v in b.attrs.items() if k not in PROVENANCE_KEYS}, rel)


def test_failed_slurm_job_names_the_rule_and_rerun_resumes(slurm_cluster, tmp_path):
    out, logdir = tmp_path / "res", tmp_path / "slurm_logs"
    sweep, target = out / "emission" / "fig4bc", str(out / "emission" / "fig4bc.nc")
    couplings = [sweep / f"couplings_{i}.nc" for i in range(2)]
    dynamics = [sweep / f"dynamics_{i}.nc" for i in range(2)]
    # chunk 1's couplings file is spoiled, as by a node that died while writing it: the dynamics
    # job of chunk 1 fails inside its SLURM allocation, chunk 0 (couplings + dynamics) succeeds
    sweep.mkdir(parents=True)
    couplings[1].write_bytes(b"not a NetCDF file")

    rc, log = _finish(_slurm(target, results=out, logdir=logdir))
    (tmp_path / "failing_run.log").write_text(log)
    assert rc != 0
    error = log[log.index("Error in group emission_chunk"):]
    assert "rule emission_dynamics:" in error and str(dynamics[1]) in error
    assert "NetCDF: Unknown file format" in error  # the rule's log, shown by show-failed-logs
    assert "Exiting because a job execution failed" in log
    failed_id = re.search(r"log: \S+/(\d+)\.log \(check log", error)[1]  # the SLURM job's own log
    assert f"_job_complete: JobId={failed_id} WEXITSTATUS 1" in slurm_cluster.controller_log()
    assert couplings[0].exists() and dynamics[0].exists()  # keep-going: the other chunk finished
    assert not dynamics[1].exists() and not Path(target).exists()
    done = [p.stat().st_mtime_ns for p in (couplings[0], dynamics[0])]

    couplings[1].unlink()  # the fix: remove the bad file; the rerun recomputes only chunk 1
    rc, log = _finish(_slurm(target, results=out, logdir=logdir))
    (tmp_path / "resumed_run.log").write_text(log)
    assert rc == 0, log[-4000:]
    assert _job_stats(log) == {"emission_couplings": 1, "emission_dynamics": 1, "emission_aggregate": 1}
    assert len(SUBMITTED.findall(log)) == 1  # one SLURM job: chunk 1's couplings and dynamics
    assert [p.stat().st_mtime_ns for p in (couplings[0], dynamics[0])] == done  # chunk 0 not redone
    ds = read_dataset(target)
    assert ds.sizes["k0"] == 3 and np.isfinite(ds["delta"].values).all()


def test_paper_config_plans_one_slurm_job_per_chunk():
    """config/paper.yaml validates and plans its sweeps at paper resolution (dry run, no SLURM)."""
    proc = subprocess.run([SNAKEMAKE, "--nolock", "-n", "--workflow-profile", "workflow/profiles/slurm",
                           "--configfile", "config/paper.yaml", "--config", "results_dir=results/paper_dry"],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import yaml

    from nonrecip.pipeline.config import validate_config
    from nonrecip.pipeline.grids import chunk_points, grid_points

    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    emission = validate_config({"emission": paper["emission"]},
                               REPO / "workflow" / "schemas" / "config.schema.yaml")["emission"]
    sweeps = {**emission["sweeps"]}
    chunks = sum(len(chunk_points(grid_points(s), emission["chunk_size"])) for s in sweeps.values())
    stats = _job_stats(proc.stdout + proc.stderr)
    assert stats["emission_couplings"] == stats["emission_dynamics"] == chunks
    assert chunks > 500 and emission["solver"]["method"] == "blocks"
    assert max(grid_points(sweeps["paper_grid"]), key=lambda p: p["N"])["N"] == 12
