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
