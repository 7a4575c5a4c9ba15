"""Progress records of long block solves (logger ``nonrecip.emission.blocks``)."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

from nonrecip.emission import coupling_matrices
from nonrecip.emission.solvers.blocks import solver
from nonrecip.emission.solvers.blocks.solver import block_correlations

LOGGER = "nonrecip.emission.blocks"


def _couplings(n, k0=0.3):
    ds = coupling_matrices(n, k0=k0)
    return ds["J"].values, ds["gamma"].values


@pytest.fixture
def records(caplog):
    """Progress records of the blocks logger, captured even when ``nonrecip`` does not propagate.

    ``setup_logging`` stops propagation at ``nonrecip``, so the capture handler is attached to the
    solver's logger itself; a record that also reaches it through pytest's own wiring is kept once.
    """
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger=LOGGER)

    def progress():
        unique = {id(r): r for r in caplog.records if r.name == LOGGER and hasattr(r, "progress_fraction")}
        return list(unique.values())

    yield progress
    logger.removeHandler(caplog.handler)


@pytest.fixture
def steps_of(monkeypatch):
    """Cap the planned step (small N plans one step for the whole window) to force many steps."""
    plan_step = solver.plan_step
    cap = {"h": math.inf}

    def capped(*args, **kwargs):
        plan = plan_step(*args, **kwargs)
        plan["h_plan"] = min(plan["h_plan"], cap["h"])
        return plan

    monkeypatch.setattr(solver, "plan_step", capped)

    def set_cap(h):
        cap["h"] = h
    return set_cap


def test_fractions_increase_to_one(records):
    """A single-step solve (as N = 13 over t <= 10 is) reports inside its one series."""
    J, g = _couplings(4)
    times = np.linspace(0.0, 3.0, 13)
    C, info = block_correlations(J, g, times, progress_interval=0)
    assert info["n_steps"] == 1
    got = records()
    fractions = [r.progress_fraction for r in got]
    assert len(got) == info["n_rhs"] + 1  # interval 0: after every term, then the closing record
    assert fractions[0] > 0 and np.all(np.diff(fractions) > 0)
    assert fractions[-1] == 1.0 and max(fractions[:-1]) < 1.0
    assert all(r.levelno == logging.INFO and r.elapsed_s >= 0 for r in got)
    assert got[-1].eta_s == 0.0
    message = got[-1].getMessage()
    assert "N=4, t in [0, 3]: 100.0% done after" in message and "ETA 0.0s" in message
    ref, _ = block_correlations(J, g, times, progress_interval=math.inf)
    assert np.array_equal(C, ref)  # reporting does not touch the numbers


def test_fractions_follow_the_steps(records, steps_of):
    J, g = _couplings(3)
    steps_of(0.25)
    _, info = block_correlations(J, g, np.linspace(0.0, 2.0, 5), progress_interval=0)
    n = info["n_steps"]
    assert n == 8
    fractions = np.array([r.progress_fraction for r in records()])
    assert np.all(np.diff(fractions) > 0) and fractions[-1] == 1.0
    assert len(np.unique(np.floor(fractions[:-1] * n))) == n  # records inside every step


def test_default_interval_is_silent_for_short_solves(records):
    J, g = _couplings(3)
    block_correlations(J, g, np.linspace(0.0, 1.0, 5))
    assert records() == []


def test_bad_interval_is_refused():
    J, g = _couplings(2)
    with pytest.raises(ValueError, match="progress_interval"):
        block_correlations(J, g, [0.0, 1.0], progress_interval=float("nan"))


def test_duration_format():
    from nonrecip.log import duration

    assert duration(3.44) == "3.4s"
    assert duration(123) == "2m03s"
    assert duration(3723) == "1h02m03s"
    assert duration(math.inf) == "unknown"


def test_cumulant_integration_reports_its_progress(caplog):
    """The cumulant integrator logs the fraction of the time window done, ending at 100 %."""
    from nonrecip.emission.solvers.cumulants import cumulant_observables

    logger = logging.getLogger("nonrecip.emission.cumulants")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="nonrecip.emission.cumulants")

    def records():
        return list({id(r): r for r in caplog.records if hasattr(r, "progress_fraction")}.values())

    try:
        J, g = _couplings(6, k0=0.03)
        cumulant_observables(J, g, np.linspace(0, 10, 11), order=2, progress_interval=0.0)
        got = records()
        cumulant_observables(J, g, np.linspace(0, 10, 11), order=2, progress_interval=math.inf)
        assert len(records()) == len(got)                          # switched off: no record
    finally:
        logger.removeHandler(caplog.handler)
    fractions = [r.progress_fraction for r in got]
    assert len(fractions) > 5 and fractions[-1] == 1.0
    assert all(0 <= a <= b <= 1 for a, b in zip(fractions, fractions[1:]))
    assert "cumulant2 N=6, t in [0, 10]: 100.0% done" in got[-1].getMessage()


def test_trajectories_report_their_progress(caplog):
    from nonrecip.emission.solvers.trajectories import jump_trajectories

    logger = logging.getLogger("nonrecip.emission.trajectories")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="nonrecip.emission.trajectories")
    try:
        J, g = _couplings(5, k0=0.03)
        jump_trajectories(J, g, np.linspace(0, 5, 11), n_trajectories=50, seed=1, progress_interval=0.0,
                          max_memory_gb=1e-4)
    finally:
        logger.removeHandler(caplog.handler)
    got = list({id(r): r for r in caplog.records if hasattr(r, "progress_fraction")}.values())
    fractions = [r.progress_fraction for r in got]
    assert len(fractions) >= 5 and fractions[-1] == 1.0
    assert all(0 < a <= b <= 1 for a, b in zip(fractions, fractions[1:]))
    assert "trajectories N=5, 50 trajectories: 100.0% done" in got[-1].getMessage()
