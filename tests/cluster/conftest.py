"""Session fixture: a private one-node SLURM cluster on localhost, always torn down."""

import os
import sys
from pathlib import Path

import pytest

from .slurm_harness import SlurmCluster, Unavailable, daemon_pids, ensure_installed

NODE_CPUS = max(1, min(os.cpu_count() or 1, 4))
# memory is not consumable (CR_Core); RealMemory only has to cover the largest mem_mb asked for
NODE_MEMORY_MB = 64000


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """Start munged + slurmctld + slurmd; stop them by PID afterwards, even when tests fail."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the SLURM test needs Linux")
    try:
        ensure_installed()
    except Unavailable as why:
        pytest.skip(f"no SLURM here: {why}")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"), cpus=NODE_CPUS, real_memory_mb=NODE_MEMORY_MB)
    try:
        try:
            cluster.start()
        except Unavailable as why:
            pytest.skip(f"no SLURM here: {why}")
        yield cluster
    finally:
        problems = cluster.stop()
        alive = [pid for pid in cluster.started_pids() if Path(f"/proc/{pid}").exists()
                 and pid in daemon_pids()]
        assert not alive, f"daemons still running after stop: {alive}"
        assert not problems, f"SLURM tear-down: {problems}"
