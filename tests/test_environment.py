"""The environment `make` builds: locked versions, one source for pip and conda, the default profile."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "envs" / "requirements.lock"


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{line!r} in {LOCK.name} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_the_environment_has_exactly_the_locked_versions():
    """`make env` installs with `pip -c envs/requirements.lock`: every installed package that the
    lock names has the locked version."""
    pins = _locked()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differ = {name: (installed[name], pins[name]) for name in pins if name in installed and installed[name] != pins[name]}
    assert differ == {}
    assert {"numpy", "scipy", "qutip", "xarray", "snakemake"} <= set(pins) & set(installed)


def test_every_declared_dependency_is_locked_within_its_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in ("workflow", "test", "docs"):
        requirements += project["optional-dependencies"][extra]
    pins = _locked()
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in {LOCK.name}"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req.name}=={pins[name]} is outside {req.specifier}"


def test_the_conda_environment_installs_from_the_same_lock():
    env = yaml.safe_load((REPO / "envs" / "environment.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_packages = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "-c requirements.lock" in pip_section
    assert all(re.match(r"(python|pip)\b", d) for d in conda_packages), conda_packages
    assert [line for line in pip_section if not line.startswith(("-c ", "-e "))] == []


def test_plain_snakemake_finds_the_default_profile():
    """snakemake looks for profiles/default beside the Snakefile when no --workflow-profile is given."""
    found = (REPO / "profiles" / "default" / "config.yaml").resolve()
    assert found == (REPO / "workflow" / "profiles" / "default" / "config.yaml").resolve()
    profile = yaml.safe_load(found.read_text())
    assert profile["rerun-incomplete"] is True and profile["keep-going"] is False


def _make_dry(*args):
    import subprocess

    proc = subprocess.run(["make", "-n", *args], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if "snakemake" in line]


def test_make_figures_puts_the_report_beside_the_results_and_passes_snakemake_args():
    run, report = _make_dry("figures", "CONFIG=config/test/tiny.yaml", "SNAKEMAKE_ARGS=--keep-going")
    assert "--configfile config/test/tiny.yaml" in run and "--keep-going" in run
    assert "--report results/tiny/report.html" in report and "--keep-going" in report
    run, report = _make_dry("figures")
    assert "--report results/report.html" in report


def test_make_unlock_and_dry_run_take_the_same_arguments():
    unlock, = _make_dry("unlock", "CONFIG=config/paper.yaml", "SNAKEMAKE_ARGS=--quiet")
    assert "--unlock" in unlock and "--configfile config/paper.yaml" in unlock and "--quiet" in unlock
    dry, = _make_dry("dry-run", "SNAKEMAKE_ARGS=--quiet")
    assert " -n " in dry and "--quiet" in dry
