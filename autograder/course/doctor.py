"""``python -m autograder doctor``: can this machine grade safely? Each check, and for each failure the fix.

The checks run in order, each building on the last: Python; bubblewrap; user
namespaces (and AppArmor's restriction of them, Ubuntu 24.04's default); mounting
/proc in the sandbox (seccomp and /proc masking, Docker's and Kubernetes' defaults);
cgroups (v1, v2, delegation) or the rlimits used without them; then one sandbox,
really started: a tiny call end to end, its host identity (never root), and whether
its memory and process limits bind. Chromium, which only the kit's feedback tests
need, comes last. A failure prints the exact fix for this platform (Debian, Ubuntu
24.04, Docker, Kubernetes, systemd), or for every one when the platform is unknown.
Exit status 0 when grading is safe here, 1 when it is not.
"""

import dataclasses
import os
import platform
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder import config
from autograder.boundary.cgroups import Cgroup, CgroupUnavailable
from autograder.boundary.host_identity import IdentityUnavailable, SandboxIdentity, host_uid
from autograder.boundary.sandbox import SandboxUnavailable, require_bwrap

APPARMOR_PROFILE = """abi <abi/4.0>,
include <tunables/global>

profile bwrap /usr/bin/bwrap flags=(unconfined) {
  userns,
  include if exists <local/bwrap>
}"""
FIXES = {
    "bubblewrap": {
        "debian": "sudo apt-get install bubblewrap   (or: make sandbox)",
        "ubuntu": "sudo apt-get install bubblewrap   (or: make sandbox)",
        "docker": "in the image: RUN apt-get update && apt-get install -y bubblewrap",
        "kubernetes": "in the image: RUN apt-get update && apt-get install -y bubblewrap",
    },
    "sandbox user": {
        "any": "sudo make sandbox   (adds the unprivileged user LIMITS.user of course_config.py), or grade as an "
        "ordinary user"
    },
    "user namespaces": {
        "debian": "sudo sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000, and the same "
        "lines in /etc/sysctl.d/90-userns.conf to keep them",
        "ubuntu": "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1): "
        "give bwrap a profile that allows them:\n  sudo tee /etc/apparmor.d/bwrap <<'EOF'\n"
        + APPARMOR_PROFILE
        + "\nEOF\n  sudo apparmor_parser -r /etc/apparmor.d/bwrap",
        "docker": "docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined ... (Docker's "
        "default seccomp profile refuses the namespaces bubblewrap makes)",
        "kubernetes": "in the grading pod's container: securityContext: {seccompProfile: {type: Unconfined}, "
        "appArmorProfile: {type: Unconfined}}",
    },
    "/proc": {
        "docker": "docker run --security-opt systempaths=unconfined --security-opt seccomp=unconfined --security-opt "
        "apparmor=unconfined ... (Docker masks parts of /proc, and then no new /proc can be mounted); "
        "never --privileged",
        "kubernetes": "in the grading pod: spec.hostUsers: false, and in its container: securityContext: {procMount: "
        "Unmasked, seccompProfile: {type: Unconfined}, appArmorProfile: {type: Unconfined}}",
        "any": "the sandbox cannot mount its own /proc: grade on a machine or VM without this restriction",
    },
    "cgroups": {
        "systemd": "grade in a unit with its own cgroup: as root, sudo systemd-run --scope -p Delegate=yes "
        "python -m autograder autograde ...; for a grading user, Delegate=yes in its service "
        "(systemctl edit user@UID.service, [Service] Delegate=yes)",
        "docker": "docker run --cgroupns=private ... (cgroup v2): the container's root may then make cgroups",
        "kubernetes": "run the grader as root in the pod (cgroup v2 with a private cgroup namespace), or accept "
        "rlimits",
        "any": "make the cgroup the grader runs in writable by its user, with the pids and memory controllers",
    },
    "limits": {
        "any": "the sandbox's limits did not hold: check the cgroup and rlimit figures above, and do not grade here"
    },
    "chromium": {
        "debian": "sudo apt-get install chromium   (only the kit's feedback tests need it)",
        "ubuntu": "sudo apt-get install chromium   (only the kit's feedback tests need it)",
        "any": "install Chromium (only the kit's feedback tests need it)",
    },
}
TINY = """
import threading

def answer():
    return 42

def use_memory(size):
    held = bytearray(size)
    return len(held)

def use_threads(count):
    stop = threading.Event()
    for _ in range(count):
        threading.Thread(target=stop.wait, daemon=True).start()
    stop.set()
    return count
"""


@dataclass
class Check:
    """One check's outcome: what was found, and which fixes apply if it failed."""

    name: str
    ok: bool
    found: str
    fix: str = ""
    """A key of FIXES, for a failure."""
    critical: bool = True
    """Whether grading is unsafe (or impossible) while it fails."""


@dataclass
class Platform:
    """What the fixes depend on."""

    names: list = field(default_factory=list)
    """Of debian, ubuntu, docker, kubernetes, systemd: those this machine is."""

    @classmethod
    def here(cls):
        names = []
        os_release = _read("/etc/os-release")
        for name in ("ubuntu", "debian"):
            if f"ID={name}" in os_release:
                names.append(name)
        if Path("/.dockerenv").exists() or "docker" in _read("/proc/1/cgroup"):
            names.append("docker")
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            names.append("kubernetes")
        if Path("/run/systemd/system").is_dir():
            names.append("systemd")
        return cls(names)

    def fixes(self, key):
        """(platform, fix) of the check ``key`` for this platform; every platform's if none matches."""
        options = FIXES[key]
        chosen = [(name, options[name]) for name in self.names if name in options]
        if not chosen and "any" in options:
            chosen = [("any", options["any"])]
        return chosen or [(name, fix) for name, fix in options.items()]


def run_checks(limits, attempt=None):
    """Every check, in order; ``attempt(arguments)`` runs bubblewrap as the sandbox would (injected in tests)."""
    attempt = attempt or _attempt
    checks = [
        Check("Python 3.11", sys.version_info[:2] == (3, 11), f"Python {platform.python_version()}", critical=True)
    ]
    try:
        bwrap = require_bwrap()
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
        checks.append(Check("bubblewrap", True, f"{version or 'bubblewrap'} at {bwrap}"))
    except SandboxUnavailable:
        checks.append(Check("bubblewrap", False, "not installed", "bubblewrap"))
        return checks + _not_tried(limits)
    try:
        identity = SandboxIdentity.for_grader(limits.user)
    except IdentityUnavailable as problem:
        checks.append(Check("the sandbox's user", False, str(problem), "sandbox user"))
        return checks + _not_tried(limits)
    checks.append(_namespaces(attempt, bwrap))
    if not checks[-1].ok:
        return checks + _not_tried(limits)
    checks.append(_proc(attempt, bwrap))
    if not checks[-1].ok:
        return checks + _not_tried(limits)
    checks.append(_cgroups(identity))
    checks += _sandbox(limits, identity)
    return checks + [_chromium()]


def _namespaces(attempt, bwrap):
    restricted = _read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").strip() == "1"
    clone = _read("/proc/sys/kernel/unprivileged_userns_clone").strip()
    failed = attempt([bwrap, "--unshare-user", "--ro-bind", "/", "/", "true"])
    found = "bubblewrap makes user namespaces" if not failed else f"bubblewrap cannot make a user namespace: {failed}"
    if restricted:
        found += "; AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)"
    if clone == "0":
        found += "; kernel.unprivileged_userns_clone=0"
    return Check("user namespaces", not failed, found, "user namespaces")


def _proc(attempt, bwrap):
    seccomp = next(
        (line.split()[-1] for line in _read("/proc/self/status").splitlines() if line.startswith("Seccomp:")), "?"
    )
    failed = attempt([bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "--proc", "/proc", "true"])
    found = "the sandbox mounts its own /proc" if not failed else f"the sandbox cannot mount /proc: {failed}"
    found += f" (seccomp mode {seccomp}: {'a filter' if seccomp == '2' else 'none'})"
    return Check("/proc in the sandbox (seccomp, masking)", not failed, found, "/proc")


def _cgroups(identity):
    try:
        group = Cgroup.create(64 * 2**20, 16)
    except CgroupUnavailable as problem:
        how = "RLIMIT_NPROC of the sandbox's user and RLIMIT_AS per process"
        return Check(
            "cgroups",
            False,
            f"no writable cgroup ({problem}): the grader uses rlimits instead ({how})",
            "cgroups",
            critical=False,
        )
    group.remove()
    kind = "v1 (pids and memory hierarchies)" if group.version == 1 else "v2 (a delegated subtree)"
    return Check("cgroups", True, f"cgroup {kind}: memory and processes limited per sandbox")


def _sandbox(limits, identity):
    """One tiny sandbox, really started: a call, its host identity, and its limits holding."""
    from autograder.grading.probes import CallFailed, Cell, Student

    small = dataclasses.replace(limits, memory_bytes=256 * 2**20, max_processes=16, call_timeout_s=20.0)
    checks = []
    try:
        with Student([Cell("doctor", TINY)], small, split_inputs=False) as student:
            answered = student.call("answer") == 42
            (sandbox,) = student.sandboxes.values()
            uids = {host_uid(pid) for pid in sandbox.processes()}
            memory = _refused(student, CallFailed, "use_memory", 2 * small.memory_bytes)
            threads = _refused(student, CallFailed, "use_threads", 4 * small.max_processes)
    except (SandboxUnavailable, CallFailed) as problem:
        return [Check("a sandboxed call", False, f"the sandbox did not answer: {problem}", "limits")]
    who = identity.name if identity.drops_root else "the grader's own user"
    checks.append(
        Check(
            "the sandbox's host identity",
            0 not in uids and len(uids) == 1,
            f"host uid {sorted(uids)} ({who}), never root",
            "sandbox user",
        )
    )
    checks.append(
        Check(
            "limits bind",
            memory and threads,
            f"memory {'held' if memory else 'NOT held'} at "
            f"{small.memory_bytes // 2**20} MiB, processes {'held' if threads else 'NOT held'} at "
            f"{small.max_processes}",
            "limits",
        )
    )
    checks.append(Check("a sandboxed call, end to end", answered, "answered" if answered else "wrong answer", "limits"))
    return checks


def _refused(student, failure, function, size):
    try:
        student.call(function, size)
    except failure:
        return True
    return False


def _chromium():
    path = shutil.which("chromium")
    return Check("Chromium (the feedback tests)", path is not None, path or "not installed", "chromium", critical=False)


def _not_tried(limits):
    return [Check("a sandboxed call, end to end", False, "not tried: the sandbox cannot start", "limits"), _chromium()]


def _attempt(arguments):
    """Run bubblewrap as the sandbox's user would be: None if it worked, else what it said."""
    identity = SandboxIdentity.for_grader(config.load().LIMITS.user)

    def become():
        if identity.drops_root:
            os.setgroups([])
            os.setgid(identity.gid)
            os.setuid(identity.uid)

    result = subprocess.run(arguments, capture_output=True, text=True, preexec_fn=become, cwd="/", timeout=60)
    return None if result.returncode == 0 else (result.stderr.strip() or f"exit status {result.returncode}")[-300:]


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def report(checks, here):
    """The doctor's text, and whether grading is safe."""
    lines = ["Can this machine grade safely?"]
    for check in checks:
        lines.append(f"  {'OK  ' if check.ok else 'FAIL' if check.critical else 'WARN'}  {check.name}: {check.found}")
        if not check.ok and check.fix:
            for where, fix in here.fixes(check.fix):
                lines.append(textwrap.indent(f"fix ({where}): {fix}", " " * 8))
    safe = all(check.ok or not check.critical for check in checks)
    lines.append("Grading is safe here." if safe else "Grading would NOT be safe here: fix the failures above.")
    return "\n".join(lines), safe


def main():
    text, safe = report(run_checks(config.load().LIMITS), Platform.here())
    print(text)
    return 0 if safe else 1
