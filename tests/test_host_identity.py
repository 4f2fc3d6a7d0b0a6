"""The sandbox's identity on the host: never root, no capability, and no kernel setting it can change.

CI runs these as root, the case that matters: a root grader must start the sandbox
as its unprivileged user, or a notebook cell could set ``kernel.core_pattern`` and have
the host run its command as root.
"""

import os
import pwd
import textwrap
import uuid
from pathlib import Path

import pytest

from autograder import config
from autograder.boundary.host_identity import IdentityUnavailable, SandboxIdentity, host_uid
from autograder.grading.probes import Cell, Student

LIMITS = config.load().LIMITS
CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")

ATTACK = """
import os

WRITES = {}
for path, value in {"/proc/sys/kernel/core_pattern": PATTERN, "/proc/sys/kernel/sysrq": "1",
                    "/proc/sys/vm/drop_caches": "3", "/proc/sys/kernel/hostname": "owned",
                    "/proc/sys/kernel/modprobe": "/tmp/x", "/proc/sysrq-trigger": "h"}.items():
    try:
        with open(path, "w") as tunable:
            tunable.write(value)
        WRITES[path] = "written"
    except OSError as error:
        WRITES[path] = type(error).__name__

OPENED = []  # every file under /proc/sys that opens for writing (nothing is written)
for folder, _, names in os.walk("/proc/sys"):
    for name in names:
        try:
            os.close(os.open(os.path.join(folder, name), os.O_WRONLY))
            OPENED.append(os.path.join(folder, name))
        except OSError:
            pass

child = os.fork()  # a crash that dumps core: with a pipe in core_pattern, the host would run it
if child == 0:
    os.abort()
_, CRASH = os.waitpid(child, 0)

def probe():
    return WRITES, OPENED, CRASH, os.path.exists("/sys/kernel"), os.getuid()

def spawn():
    import subprocess
    global SLEEPER
    SLEEPER = subprocess.Popen(["/bin/sleep", "30"])
    return SLEEPER.pid
"""


@pytest.fixture
def core_pattern_restored():
    """The host's core_pattern, put back even if the sandbox changed it (which the test then reports)."""
    before = CORE_PATTERN.read_text()
    yield before
    if CORE_PATTERN.read_text() != before and os.geteuid() == 0:
        CORE_PATTERN.write_text(before)


def attack(marker):
    pattern = f"|/bin/sh -c 'touch {marker}'"
    source = textwrap.dedent(ATTACK).replace("PATTERN", repr(pattern))
    return Student([Cell("attack", source)], LIMITS, split_inputs=False)


def test_a_notebook_cell_changes_no_kernel_setting_and_a_crash_runs_nothing_on_the_host(
    tmp_path, core_pattern_restored
):
    marker = tmp_path / f"ran-as-host-{uuid.uuid4().hex}"
    with attack(marker) as student:
        writes, opened, crash, sys_visible, uid = student.call("probe")
    assert CORE_PATTERN.read_text() == core_pattern_restored, "the sandbox changed the host's core_pattern"
    assert "written" not in writes.values(), writes
    assert set(writes.values()) <= {"PermissionError", "FileNotFoundError", "OSError"}, writes
    assert opened == [], f"writable kernel tunables: {opened[:10]}"
    assert os.WIFSIGNALED(crash), "the child did not crash"
    assert not marker.exists(), "a core dump of student code ran a command on the host"
    assert not sys_visible, "/sys is visible in the sandbox"
    assert uid != 0


def test_every_sandboxed_process_has_the_sandbox_users_host_identity_and_no_capability(tmp_path):
    with attack(tmp_path / "unused") as student:
        student.call("spawn")
        (sandbox,) = student.sandboxes.values()
        pids = sandbox.processes()
        identities = {pid: host_uid(pid) for pid in pids}
        capabilities = {pid: _capabilities(pid) for pid in pids}
    assert len(pids) >= 3  # bubblewrap, the runner and the runner's child
    expected = pwd.getpwnam(LIMITS.user).pw_uid if os.geteuid() == 0 else os.geteuid()
    assert set(identities.values()) == {expected} and expected != 0, identities
    assert all(value == 0 for sets in capabilities.values() for value in sets.values()), capabilities


def _capabilities(pid):
    """The permitted, effective and ambient capability sets of a process, from /proc/PID/status."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name], 16) for name in ("CapPrm", "CapEff", "CapAmb")}


def test_a_grader_that_is_not_root_runs_the_sandbox_as_itself(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    identity = SandboxIdentity.for_grader("no-such-user-anywhere")
    assert not identity.drops_root
    assert identity.staged(["/a", "/b"]) == {"/a": "/a", "/b": "/b"}


def test_a_root_grader_names_the_missing_user_and_how_to_add_it(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(IdentityUnavailable, match="no such user: create it with `make sandbox`"):
        SandboxIdentity.for_grader("no-such-user-anywhere")


def test_a_root_grader_refuses_root_as_the_sandbox_user(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(IdentityUnavailable, match="expected an unprivileged user"):
        SandboxIdentity.for_grader("root")


def test_a_root_grader_stages_each_bound_path_once():
    identity = SandboxIdentity(1000, 1000, "sandbox")
    assert identity.staged(["/opt/python", "/srv/venv", "/opt/python"]) == {
        "/opt/python": "/tmp/0",
        "/srv/venv": "/tmp/1",
    }
