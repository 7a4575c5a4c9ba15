"""Shared test fixtures: repository paths and single-threaded BLAS."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def schema_path() -> Path:
    return SCHEMA


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """One uninterrupted run of the tiny config, shared by the workflow tests."""
    from workflow_helpers import run_snakemake, tiny_args

    out = tmp_path_factory.mktemp("tiny")
    proc = run_snakemake(*tiny_args(out))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return REPO, out
