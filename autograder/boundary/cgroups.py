"""A cgroup per sandbox, for limits that rlimits cannot give: the total memory of all its
processes, and the number of its processes and threads (RLIMIT_NPROC does not bind root).

Works with cgroup v1 (separate ``pids`` and ``memory`` hierarchies, as on this kit's
CI machines) and with a delegated cgroup v2 subtree.
"""

import itertools
import os
import secrets
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PREFIX = "autograder-"
_counter = itertools.count()


class CgroupUnavailable(Exception):
    """No writable cgroup with the pids and memory controllers."""


class Cgroup:
    """One sandbox's cgroup: its directories (one per v1 hierarchy, or one for v2)."""

    def __init__(self, directories, version):
        self.directories, self.version = directories, version

    @classmethod
    def create(cls, memory_bytes, max_processes):
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}-{secrets.token_hex(4)}"
        parents, version = _parents()
        for parent in parents:
            _remove_stale(parent)
        directories = []
        try:
            for parent in parents:
                directory = parent / name
                directory.mkdir()
                directories.append(directory)
            group = cls(directories, version)
            group._write_limits(memory_bytes, max_processes)
        except OSError as error:
            for directory in directories:
                _rmdir(directory)
            raise CgroupUnavailable(f"cannot set up a cgroup: {error}") from None
        return group

    def _write_limits(self, memory_bytes, max_processes):
        if self.version == 2:
            (directory,) = self.directories
            (directory / "memory.max").write_text(str(memory_bytes))
            (directory / "memory.swap.max").write_text("0")
            (directory / "pids.max").write_text(str(max_processes))
            return
        pids, memory = self.directories
        (pids / "pids.max").write_text(str(max_processes))
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))

    def join(self):
        """Move the calling process into the cgroup (called in the child before exec)."""
        pid = str(os.getpid()).encode()
        for directory in self.directories:
            fd = os.open(directory / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def oom_killed(self):
        """Whether the kernel killed a process of this cgroup for memory."""
        memory = self.directories[-1]
        events = memory / ("memory.events" if self.version == 2 else "memory.oom_control")
        try:
            for line in events.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        except (OSError, ValueError):
            pass
        return False

    def pids_exhausted(self):
        """Whether a fork was refused because the process limit was reached."""
        if self.version == 2:
            return False
        try:
            return int((self.directories[0] / "pids.events").read_text().split()[-1]) > 0
        except (OSError, ValueError, IndexError):
            return False

    def kill_all(self):
        signal_each(self.pids(), signal.SIGKILL)

    def pids(self):
        """The processes in the cgroup now."""
        pids = set()
        for directory in self.directories:
            try:
                pids.update(int(pid) for pid in (directory / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(pids)

    def remove(self):
        self.kill_all()
        for directory in self.directories:
            _rmdir(directory)


def signal_each(pids, signal_number):
    """Send a signal to each of these processes; the pids signalled (those still there)."""
    signalled = set()
    for pid in pids:
        try:
            os.kill(pid, signal_number)
            signalled.add(pid)
        except ProcessLookupError:
            pass
    return signalled


def _remove_stale(parent):
    """Remove the cgroups of graders that died without cleaning up (their process is gone)."""
    try:
        children = [child for child in parent.iterdir() if child.name.startswith(PREFIX)]
    except OSError:
        return
    for child in children:
        pid = child.name[len(PREFIX) :].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            Cgroup([child], 0).kill_all()
            _rmdir(child, patience_s=0.5)


def _rmdir(directory, patience_s=5.0):
    deadline = time.monotonic() + patience_s
    while True:
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # killed processes still exiting
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)


def _own_paths():
    """This process's cgroup path per hierarchy, from /proc/self/cgroup."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path.lstrip("/")
    return paths


def _parents():
    own = _own_paths()
    if "pids" in own and "memory" in own and (ROOT / "pids").is_dir() and (ROOT / "memory").is_dir():
        parents = [ROOT / "pids" / own["pids"], ROOT / "memory" / own["memory"]]
        if all(os.access(parent, os.W_OK) for parent in parents):
            return parents, 1
    if "" in own and (ROOT / "cgroup.controllers").is_file():
        parent = ROOT / own[""]
        try:
            delegated = set((parent / "cgroup.subtree_control").read_text().split())
        except OSError:
            delegated = set()
        if {"pids", "memory"} <= delegated and os.access(parent, os.W_OK):
            return [parent], 2
    raise CgroupUnavailable("no writable cgroup with the pids and memory controllers")
