"""Start, talk to and stop one sandboxed runner.

The runner runs under bubblewrap with every namespace unshared (no network, its
own PIDs, no further user namespaces), a read-only view of the system, Python
and the virtual environment, and nothing of the course: not the grader, the
hidden tests, the reference solutions, the gradebook or any other submission.
Its only writable place is a private, size-capped /tmp. A cgroup caps its memory
and processes; rlimits cap CPU time, file sizes and open files. It talks to the
grader over two pipes, in plain-value messages (``wire``); whatever it prints is
counted and discarded past the output limit.
"""

import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from autograder.boundary import wire
from autograder.boundary.cgroups import Cgroup, CgroupUnavailable, signal_each
from autograder.boundary.deadline import Deadline
from autograder.boundary.host_identity import IdentityUnavailable, SandboxIdentity
from autograder.faults import GraderFault

RUNNER = Path(__file__).resolve().parents[1] / "runner"  # the code that runs inside, beside the student's
WIRE = Path(__file__).resolve().with_name("wire.py")
KIT = "/kit"
VENV_IN_SANDBOX = f"{KIT}/venv"
SUPPORT_IN_SANDBOX = f"{KIT}/assignment"  # the assignment's released support files, importable
ENVIRONMENT = {
    "PATH": f"{VENV_IN_SANDBOX}/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "CUDA_VISIBLE_DEVICES": "",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
SIGNAL_REASONS = {
    signal.SIGXCPU: "used up its CPU time",
    signal.SIGKILL: "was killed",
    signal.SIGSEGV: "crashed (segmentation fault)",
}
PROC_READ_ONLY = ("sys", "sysrq-trigger", "pressure")
"""Kernel interfaces under /proc that bubblewrap's own /proc leaves writable where a namespace of the sandbox's
owns them (IPC limits, pid_max, PSI triggers): bound read-only over it."""
TAIL_BYTES = 4096
EXIT_GRACE_S = 2.0
PAUSE_ROUNDS = 10


def _process_tree(root):
    """``root`` and its descendants, from /proc (for a sandbox without a cgroup)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


class SandboxUnavailable(GraderFault):
    """The sandbox cannot be used on this machine: a grader fault, never a student's."""


class SandboxFailure(Exception):
    """The sandbox died, hung, flooded its output or broke the protocol."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class SandboxTimeout(SandboxFailure):
    """The sandbox did not answer in time, so it was stopped."""

    def __init__(self):
        super().__init__("ran past its time limit")


_said = set()


def _say_once(line):
    """Tell the instructor something about this machine once per process (on stderr)."""
    if line not in _said:
        _said.add(line)
        print(line, file=sys.stderr)


def require_bwrap():
    """The path of bubblewrap, or SandboxUnavailable saying how to install it."""
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, and the grader never runs student code "
            "without it. Install it with `sudo apt-get install bubblewrap` (or `make sandbox`)."
        )
    return path


class Sandbox:
    """One runner process in bubblewrap, and the pipes to it."""

    def __init__(self, limits, support_files=(), preload=()):
        self.limits = limits
        self.support_files = [Path(path) for path in support_files]
        self.preload = list(preload)
        self.process = None
        self.cgroup = None
        self.output_bytes = 0
        self.output_tail = b""
        self.flooded = False
        self.killed_for = None
        self.paused = False

    # -- life cycle ---------------------------------------------------------
    def launch(self):
        """Start the runner; it imports the ``preload`` modules, then says it is ready (``wait_ready``)."""
        bwrap = require_bwrap()
        try:
            self.identity = SandboxIdentity.for_grader(self.limits.user)
        except IdentityUnavailable as problem:
            raise SandboxUnavailable(str(problem)) from None
        self.staged = self.identity.staged([source for source, _ in self._binds()])
        runner_in, grader_out = os.pipe()
        grader_in, runner_out = os.pipe()
        try:
            self.cgroup = Cgroup.create(self.limits.memory_bytes, self.limits.max_processes)
        except CgroupUnavailable:
            _say_once(
                "limits: no writable cgroup here, so the sandbox is limited by rlimits (processes per user, "
                "memory per process); `python -m autograder doctor` says how to get a cgroup"
            )
        command = [
            bwrap,
            *self._bwrap_arguments(),
            *self._python(),
            str(runner_in),
            str(runner_out),
            str(self.limits.message_bytes),
            *self.preload,
        ]
        try:
            self.process = subprocess.Popen(  # bwrap runs as the sandbox's PID 1: none of the grader's variables
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env={},
                pass_fds=(runner_in, runner_out),
                preexec_fn=self._in_child,
                start_new_session=True,
                cwd="/",
            )
        finally:
            os.close(runner_in)
            os.close(runner_out)
        self.to_runner, self.from_runner = grader_out, grader_in
        os.set_blocking(self.to_runner, False)
        threading.Thread(target=self._drain_output, daemon=True).start()
        self.launched_at = time.monotonic()

    def wait_ready(self):
        """Wait for the launched runner; the preloaded imports get a cell's time beside the start's."""
        limit = self.limits.start_timeout_s + (self.limits.cell_timeout_s if self.preload else 0.0)
        try:
            ready = self.receive(self.deadline(limit, start=self.launched_at))
        except SandboxFailure as failure:
            tail = self.output_tail.decode("utf-8", "replace").strip()
            raise SandboxUnavailable(f"the sandbox did not start ({failure.reason}): {tail[-1500:]}") from None
        if ready != {"kind": wire.Kind.READY}:
            self.stop()
            raise SandboxUnavailable(f"the sandbox started badly: {ready!r:.200}")

    def _bwrap_arguments(self):
        arguments = [
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--hostname",
            "sandbox",
            "--ro-bind",
            "/usr",
            "/usr",
        ]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
            if os.path.islink(top):
                arguments += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                arguments += ["--ro-bind", top, top]
        for source, destination in self._binds():
            arguments += ["--ro-bind", self.staged[source], destination]
        arguments += ["--proc", "/proc"]
        for name in PROC_READ_ONLY:  # the sandbox's own namespaces' settings too: it changes none
            if os.path.exists(f"/proc/{name}"):
                arguments += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
        arguments += [
            "--dev",
            "/dev",
            "--size",
            str(self.limits.tmp_bytes),
            "--tmpfs",
            "/tmp",
            "--size",
            str(self.limits.tmp_bytes),
            "--tmpfs",
            "/dev/shm",
            "--remount-ro",
            "/dev",
            "--remount-ro",
            "/",  # bwrap's own folders: only /tmp and /dev/shm are written
            "--chdir",
            "/tmp",
            "--clearenv",
        ]
        for name, value in ENVIRONMENT.items():
            arguments += ["--setenv", name, value]
        return arguments

    def _binds(self):
        """(host path, path in the sandbox) of what is bound read-only beside the system's folders: Python, the
        virtual environment, the runner and the assignment's support files."""
        binds = []
        base = os.path.realpath(sys.base_prefix)
        if not base.startswith("/usr/"):
            binds.append((base, base))
        if sys.prefix != sys.base_prefix:
            binds.append((sys.prefix, VENV_IN_SANDBOX))
        binds += [(str(RUNNER), f"{KIT}/runner"), (str(WIRE), f"{KIT}/wire.py")]
        binds += [(str(path), f"{SUPPORT_IN_SANDBOX}/{path.name}") for path in self.support_files]
        return binds

    @staticmethod
    def _python():
        if sys.prefix != sys.base_prefix:
            python = f"{VENV_IN_SANDBOX}/bin/python"
        else:
            python = sys.executable
        return [python, "-I", "-B", f"{KIT}/runner/main.py"]

    def _in_child(self):
        """Runs in the forked child before bwrap starts: limits, the cgroup, then the sandbox's host identity."""
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))  # SIGXCPU first
        for which, value in (
            (resource.RLIMIT_FSIZE, limits.file_bytes),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_AS, limits.memory_bytes),
        ):
            resource.setrlimit(which, (value, value))
        if self.cgroup is not None:
            self.cgroup.join()
        else:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
        self.identity.enter(self.staged)

    def _drain_output(self):
        stream = self.process.stdout
        while True:
            chunk = stream.read1(65536)
            if not chunk:
                return
            self.output_bytes += len(chunk)
            self.output_tail = (self.output_tail + chunk)[-TAIL_BYTES:]
            if self.output_bytes > self.limits.output_bytes and not self.flooded:
                self.flooded = True
                self.kill()

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None and self.killed_for is None

    def kill(self, reason=None):
        """Stop every process of the sandbox at once."""
        if self.killed_for is None:
            self.killed_for = reason
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def pause(self):
        """Stop every process of the sandbox until ``resume`` (SIGSTOP cannot be caught or ignored); again
        until no new process appears, so none forked in the meantime runs on."""
        if self.paused:
            return
        self.paused, stopped = True, set()
        for _ in range(PAUSE_ROUNDS):
            signalled = self._signal_all(signal.SIGSTOP)
            if signalled <= stopped:
                return
            stopped |= signalled

    def resume(self):
        if self.paused:
            self.paused = False
            self._signal_all(signal.SIGCONT)

    def _signal_all(self, signal_number):
        """Signal every process of the sandbox; the pids signalled."""
        if self.process is None or self.killed_for is not None:
            return set()
        return signal_each(self.processes(), signal_number)

    def processes(self):
        """The pids of the sandbox's processes now."""
        if self.process is None:
            return []
        return self.cgroup.pids() if self.cgroup is not None else _process_tree(self.process.pid)

    def deadline(self, limit_s, start=None):
        """The end of a wait of ``limit_s`` seconds of this sandbox's own time (``Deadline``)."""
        return Deadline(limit_s, self.processes, self.limits.max_stretch, start)

    def stop(self):
        """Kill the sandbox and release its pipes and cgroup."""
        if self.process is None:
            return
        self.kill()
        self.process.wait()
        for fd in (self.to_runner, self.from_runner):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.cgroup is not None:
            self.cgroup.remove()
        self.process.stdout.close()

    # -- messages -------------------------------------------------------------
    def send(self, message, deadline):
        data = memoryview(wire.frame(wire.encode(message)))
        while data:
            self._wait(self.to_runner, select.POLLOUT, deadline)
            try:
                written = os.write(self.to_runner, data)
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError):
                raise self._died() from None
            data = data[written:]

    def receive(self, deadline):
        header = self._read(wire.HEADER_BYTES, deadline)
        try:
            length = wire.parse_header(header, self.limits.message_bytes)
            return wire.decode(self._read(length, deadline), self.limits.message_bytes)
        except wire.WireError as error:
            self.kill("protocol")
            raise SandboxFailure(f"sent back something that is not a plain value ({error})") from None

    def _read(self, n, deadline):
        chunks, remaining = [], n
        while remaining:
            self._wait(self.from_runner, select.POLLIN, deadline)
            chunk = os.read(self.from_runner, min(remaining, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _wait(self, fd, event, deadline):
        poller = select.poll()
        poller.register(fd, event | select.POLLHUP | select.POLLERR)
        while True:
            remaining = deadline.remaining()
            if remaining <= 0:
                self.kill("timeout")
                raise SandboxTimeout()
            if poller.poll(min(remaining, 1.0) * 1000):
                return
            if self.killed_for is not None or self.flooded:
                raise self._died()

    def _died(self):
        """The failure to report once the runner is gone, from what the kernel and the grader saw."""
        try:
            code = self.process.wait(timeout=EXIT_GRACE_S)
        except subprocess.TimeoutExpired:  # the runner closed its pipe but lives on
            self.kill("died")
            code = self.process.wait()
        self.kill(self.killed_for or "died")
        if self.flooded:
            return SandboxFailure(f"printed more than {self.limits.output_bytes // 1024} KiB, so it was stopped")
        if self.cgroup is not None and self.cgroup.oom_killed():
            return SandboxFailure(f"ran out of memory (the limit is {self.limits.memory_bytes // 2**20} MiB)")
        signal_number = code - 128 if code > 128 else -code if code < 0 else 0
        if signal_number in SIGNAL_REASONS:
            return SandboxFailure(SIGNAL_REASONS[signal_number])
        return SandboxFailure("exited (does the code call exit() or os._exit()?)")
