"""A throw-away single-node SLURM cluster on localhost for the cluster integration test.

Installs Debian's SLURM and MUNGE packages when missing (root only), writes a private
``slurm.conf`` and MUNGE key under a temporary folder, starts ``munged``, ``slurmctld`` and
``slurmd`` in the foreground as child processes and stops them again by PID.

The only change outside the temporary folder is ``/etc/slurm/slurm.conf``: the SLURM job-step
executor strips every ``SLURM_*`` variable (``SLURM_CONF`` included) before it calls ``srun``,
so the configuration must sit at SLURM's compiled-in default path. The harness places a
symlink there, refuses to replace a real file and removes the link again on ``stop()``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SLURM_CONF = Path("/etc/slurm/slurm.conf")
DAEMONS = ("munged", "slurmctld", "slurmd", "slurmstepd")
# Debian's slurm-wlm (slurmctld + slurmd + slurm-client) and MUNGE, without the recommended
# optional plugins (hdf5, influxdb, rrd, ...), which the test does not need
APT_PACKAGES = ("slurm-wlm", "munge")
BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "srun")
NODE = "localhost"
PARTITION = "debug"
MARKER = "# written by tests/cluster/slurm_harness.py"


class Unavailable(RuntimeError):
    """SLURM cannot be provided here (not root, no apt, ...): the test is skipped."""


def _missing_binaries() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None and not Path("/usr/sbin", b).exists()]


def ensure_installed(timeout: float = 600) -> None:
    """Install the Debian packages when a SLURM or MUNGE binary is missing.

    Raises
    ------
    Unavailable
        When something is missing and we are not root or apt-get is not there or fails.
    """
    if not _missing_binaries():
        return
    if os.geteuid() != 0:
        raise Unavailable(f"SLURM binaries missing ({_missing_binaries()}) and not root to apt-get them")
    if shutil.which("apt-get") is None:
        raise Unavailable(f"SLURM binaries missing ({_missing_binaries()}) and no apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise Unavailable(f"{' '.join(cmd)} failed: {proc.stderr[-1500:]}")
    if _missing_binaries():
        raise Unavailable(f"still missing after apt-get: {_missing_binaries()}")


def _binary(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _die_with_parent() -> None:
    """preexec_fn: the daemon gets SIGTERM if the test process dies without cleaning up."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def daemon_pids() -> set[int]:
    """PIDs of every running munged/slurmctld/slurmd/slurmstepd process on this machine."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if (entry / "stat").read_text().split(")")[-1].split()[0] == "Z":
                continue  # a zombie is gone, whatever its name
        except OSError:
            continue
        if comm in DAEMONS:
            pids.add(int(entry.name))
    return pids


class SlurmCluster:
    """One-node SLURM (controller + node daemon + MUNGE) living in ``root``.

    Parameters
    ----------
    root
        Empty private folder (mode 0700) for keys, sockets, state, spool and logs.
    cpus
        CPUs the node advertises (jobs asking for more are refused by sbatch).
    real_memory_mb
        Memory the node advertises; must cover every rule's ``mem_mb``. Memory is not a
        consumable resource here (``CR_Core``), so this only bounds what a job may ask for.
    """

    def __init__(self, root: Path, *, cpus: int, real_memory_mb: int):
        self.root = Path(root)
        self.cpus = cpus
        self.real_memory_mb = real_memory_mb
        self.procs: dict[str, subprocess.Popen] = {}
        self.linked_conf = False
        self.made_conf_dir = False
        self.conf = self.root / "slurm.conf"
        self.logs = self.root / "log"
        self.munge_socket = self.root / "munge" / "munge.socket.2"
        self._preexisting: set[int] = set()

    # ------------------------------------------------------------------ set-up
    def _write_files(self) -> None:
        for sub in ("munge", "state", "spool", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        key = self.root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        ctld_port, slurmd_port = _free_port(), _free_port()
        self.conf.write_text(f"""{MARKER}
ClusterName=nonrecip-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket}
StateSaveLocation={self.root / 'state'}
SlurmdSpoolDir={self.root / 'spool'}
SlurmctldPidFile={self.root / 'slurmctld.pid'}
SlurmdPidFile={self.root / 'slurmd.pid'}
SlurmctldLogFile={self.logs / 'slurmctld.log'}
SlurmdLogFile={self.logs / 'slurmd.log'}
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
Waittime=0
NodeName={NODE} NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.real_memory_mb} State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
""")

    def _link_conf(self) -> None:
        if SLURM_CONF.is_symlink():
            target = Path(os.readlink(SLURM_CONF))
            if target.exists() and MARKER not in target.read_text():
                raise Unavailable(f"{SLURM_CONF} links to a real configuration ({target}); not touching it")
            owner = target.parent / "owner.pid"
            if target.exists() and owner.exists() and Path(f"/proc/{owner.read_text().strip()}").exists():
                raise Unavailable(f"another test session (pid {owner.read_text().strip()}) runs its cluster")
            SLURM_CONF.unlink()  # our own link, left behind by a killed earlier run
        elif SLURM_CONF.exists():
            raise Unavailable(f"{SLURM_CONF} exists (a real SLURM installation?); refusing to overwrite it")
        if not SLURM_CONF.parent.exists():
            SLURM_CONF.parent.mkdir(parents=True)
            self.made_conf_dir = True
        (self.root / "owner.pid").write_text(str(os.getpid()))
        SLURM_CONF.symlink_to(self.conf)
        self.linked_conf = True

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.out", "ab")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            preexec_fn=_die_with_parent,
                                            env={**os.environ, "SLURM_CONF": str(self.conf)})
        log.close()

    def _wait(self, what: str, check, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} while waiting for {what}:\n"
                                       + self.log_tail())
            if check():
                return
            time.sleep(0.2)
        raise RuntimeError(f"timed out after {timeout} s waiting for {what}:\n" + self.log_tail())

    def _run(self, *argv: str, timeout: float = 20) -> subprocess.CompletedProcess:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "SLURM_CONF": str(self.conf)})

    def start(self, timeout: float = 60) -> None:
        """Write the configuration and start munged, slurmctld and slurmd; wait until the node is idle."""
        self._preexisting = daemon_pids()
        self._write_files()
        self._link_conf()
        self._spawn("munged", [_binary("munged"), "--foreground", "--force",
                               f"--socket={self.munge_socket}",
                               f"--key-file={self.root / 'munge' / 'munge.key'}",
                               f"--pid-file={self.root / 'munge' / 'munged.pid'}",
                               f"--seed-file={self.root / 'munge' / 'munged.seed'}",
                               f"--log-file={self.logs / 'munged.log'}"])
        self._wait("munged", self.munge_socket.exists, timeout)
        self._spawn("slurmctld", [_binary("slurmctld"), "-D", "-i", "-f", str(self.conf)])
        self._wait("slurmctld", lambda: self._run("scontrol", "ping").returncode == 0
                   and "UP" in self._run("scontrol", "ping").stdout, timeout)
        argv = [_binary("slurmd"), "-D", "-f", str(self.conf)]
        if socket.gethostname().split(".")[0] != NODE:
            argv += ["-N", NODE]
        self._spawn("slurmd", argv)
        self._wait("an idle node", lambda: self._run("sinfo", "-h", "-n", NODE, "-o", "%t")
                   .stdout.strip() == "idle", timeout)

    # ------------------------------------------------------------------ use
    def log_tail(self, chars: int = 3000) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")) + sorted(self.logs.glob("*.out")):
            text = path.read_text(errors="replace")
            if text:
                out.append(f"--- {path.name}\n{text[-chars:]}")
        return "\n".join(out)

    def controller_log(self) -> str:
        path = self.logs / "slurmctld.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def squeue(self) -> str:
        return self._run("squeue", "-h", "-t", "all", "-o", "%i|%T|%j").stdout

    # ------------------------------------------------------------------ tear-down
    def stop(self, timeout: float = 30) -> list[str]:
        """Cancel every job, stop every daemon we started (by PID), remove the symlink.

        Returns the problems met (empty when all went well); never raises, so that it can run
        in a ``finally``.
        """
        problems = []
        if "slurmctld" in self.procs and self.procs["slurmctld"].poll() is None:
            try:
                self._run("scancel", "--full", f"--partition={PARTITION}")
                deadline = time.monotonic() + timeout
                while self._run("squeue", "-h", "-t", "PD,R,CG").stdout.strip():
                    if time.monotonic() > deadline:
                        problems.append("jobs still queued or running at shutdown")
                        break
                    time.sleep(0.5)
            except Exception as err:  # noqa: BLE001 - keep tearing down
                problems.append(f"scancel: {err}")
        for name in ("slurmd", "slurmctld", "munged"):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                problems.append(f"{name} (pid {proc.pid}) ignored SIGTERM; killed")
                proc.kill()
                proc.wait(timeout=10)
        # job-step daemons of our jobs (started by our slurmd) that outlived it
        deadline = time.monotonic() + 10
        while daemon_pids() - self._preexisting and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in daemon_pids() - self._preexisting:
            problems.append(f"left-over daemon pid {pid}; killed")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.linked_conf and SLURM_CONF.is_symlink() and Path(os.readlink(SLURM_CONF)) == self.conf:
            SLURM_CONF.unlink()
            self.linked_conf = False
            if self.made_conf_dir and not any(SLURM_CONF.parent.iterdir()):
                SLURM_CONF.parent.rmdir()
        return problems

    def started_pids(self) -> list[int]:
        return [proc.pid for proc in self.procs.values()]
