"""Reliability of the workflow: bad input, interrupted runs, determinism, numerical failure."""

import json
import os
import signal
import subprocess
import time

import pytest

from nonrecip.io import read_dataset
from workflow_helpers import REPO, SNAKEMAKE, data_differences, incomplete_outputs, run_snakemake, tiny_args

pytestmark = pytest.mark.workflow

_SWEEPS_OK = {"fig4bc": {"N": [3], "k0": [0.1]}, "fig4d": {"N": [3], "k0": [0.3]},
              "map_k0": {"N": [3], "k0": [0.1]}, "map_k0_N": {"N": [3], "k0": [0.1]}}


def _sweeps(**changes):
    out = json.loads(json.dumps(_SWEEPS_OK))
    for name, sweep in changes.items():
        out[name] = sweep
    return out


# (config overrides as key=JSON strings, the key the message must name)
BAD_CONFIGS = [
    ({"emisson": {}}, "emisson"),
    ({"results_dir": 3}, "results_dir"),
    ({"emission": {"chunk_size": "four"}}, "emission.chunk_size"),
    ({"emission": {"chunk_size": 0}}, "emission.chunk_size"),
    ({"emission": {"solver": {"method": "magic"}}}, "emission.solver.method"),
    ({"emission": {"solver": {"rtol": -1e-8}}}, "emission.solver.rtol"),
    ({"emission": {"solver": {"max_steps": 0}}}, "emission.solver.max_steps"),
    ({"emission": {"coupling": {"f_J": -0.5}}}, "emission.coupling.f_J"),
    ({"emission": {"physics": {"field_gauss": 500.0}}}, "emission.physics"),
    ({"emission": {"physics": {"lattice_nm": -1.2}}}, "emission.physics.lattice_nm"),
    ({"emission": {"fig3": {"gamma_s": 2.0}}}, "emission.fig3.gamma_s"),
    ({"emission": {"sweeps": _sweeps(fig4bc={"N": [], "k0": [0.1]})}}, "emission.sweeps.fig4bc.N"),
    ({"emission": {"sweeps": _sweeps(fig4bc={"N": [3], "k0": []})}}, "emission.sweeps.fig4bc.k0"),
    ({"emission": {"sweeps": _sweeps(fig4d={"N": [3.5], "k0": [0.3]})}}, "emission.sweeps.fig4d.N"),
    ({"emission": {"sweeps": _sweeps(fig4d={"N": [3], "k0": [-0.3]})}}, "emission.sweeps.fig4d.k0"),
    ({"emission": {"sweeps": _sweeps(fig4d={"N": [16], "k0": [0.3]})}}, "emission.sweeps.fig4d.N"),
    ({"emission": {"sweeps": _sweeps(map_k0={"N": [3], "k0": [0.1], "n_times": 1})}}, "emission.sweeps.map_k0.n_times"),
    ({"emission": {"sweeps": {"my-sweep": {"N": [3], "k0": [0.1]}}}}, "emission.sweeps"),
    ({"sync_meanfield": {"Gamma": -1.0}}, "sync_meanfield.Gamma"),
    ({"sync_meanfield": {"Gamma": 0.5, "phase_diagram": {"kappa": {"start": -1.0, "stop": 1.0, "num": 3}}}},
     "sync_meanfield.phase_diagram.kappa"),
    ({"sync_meanfield": {"w": "half"}}, "sync_meanfield.w"),
    ({"sync_meanfield": {"phase_diagram": {"kappa": {"start": -1.0, "stop": 1.0, "num": 0}}}},
     "sync_meanfield.phase_diagram.kappa"),
    ({"sync_finite": {"observables_N": {"N_exact_max": 40}}}, "sync_finite.observables_N.N_exact_max"),
    ({"sync_finite": {"Gamma": 0.2}}, "sync_finite"),
    ({"sync_finite": {"spectra": {}}}, "sync_finite.spectra"),
]


@pytest.mark.parametrize("override, key", BAD_CONFIGS, ids=[k for _, k in BAD_CONFIGS])
def test_bad_config_rejected_before_any_job(tmp_path, override, key):
    results = tmp_path / "results"
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({"results_dir": str(results), **override}))  # JSON is YAML
    proc = run_snakemake("--cores", "1", "--configfile", "config/config.yaml", str(bad), timeout=120)
    assert proc.returncode != 0
    assert key in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not results.exists()  # nothing ran


def test_numerical_failure_fails_the_job_and_nothing_is_plotted(tmp_path):
    override = tmp_path / "override.yaml"
    override.write_text(json.dumps({"results_dir": str(tmp_path),
                                    "emission": {"solver": {"method": "qutip", "qutip": {"max_steps": 2}}}}))
    proc = run_snakemake("--workflow-profile", "workflow/profiles/default", "--cores", "2",
                         "--configfile", "config/test/tiny.yaml", str(override), "--", str(tmp_path / "figures" / "E4b.png"),
                         timeout=600)
    assert proc.returncode != 0
    log = "".join(p.read_text() for p in (tmp_path / "logs").rglob("dynamics_*.log"))
    assert "SolverFailure" in log and "max_steps=2" in log
    assert "emission_dynamics" in proc.stderr  # snakemake names the failed rule
    assert not (tmp_path / "figures").exists()
    assert not list((tmp_path / "emission").rglob("dynamics_*.nc"))


def test_interrupted_run_resumes_to_identical_data(tiny_run, tmp_path):
    _, reference = tiny_run
    cmd = [SNAKEMAKE, "--nolock", *tiny_args(tmp_path)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    try:  # kill once a few datasets exist, well before the end
        while time.time() < deadline and len(list(tmp_path.rglob("*.nc"))) < 4 and proc.poll() is None:
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    present = list(tmp_path.rglob("*.nc"))
    for path in present:  # no truncated NetCDF under a final name
        read_dataset(path)
    # jobs whose completion snakemake recorded; a job killed between its rename and that record
    # is "incomplete" and is rightly rerun
    unfinished = incomplete_outputs()
    finished = {p: p.stat().st_mtime_ns for p in present if p not in unfinished}
    assert 0 < len(finished)
    resumed = run_snakemake(*tiny_args(tmp_path))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for path, mtime in finished.items():  # finished jobs were not rerun
        assert path.stat().st_mtime_ns == mtime, path
    assert not list(tmp_path.rglob(".*.tmp"))
    # every data variable equals the uninterrupted run's (also: determinism across processes)
    assert data_differences(reference, tmp_path) == []
