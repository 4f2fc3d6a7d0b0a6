"""``python -m autograder doctor``: on this machine every check passes; elsewhere each failure comes with the
exact fix for the platform (the facts of other machines are given to its rules here)."""

import subprocess
import sys

from autograder import config
from autograder.course import doctor
from tests.conftest import ROOT

LIMITS = config.load().LIMITS
REFUSED_USERNS = "bwrap: setting up uid map: Permission denied"
REFUSED_PROC = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted"


def test_this_machine_can_grade_safely_and_says_how_it_limits_the_sandbox():
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "doctor"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for line in (
        "OK    bubblewrap",
        "OK    user namespaces",
        "OK    /proc in the sandbox",
        "cgroups: ",
        "OK    the sandbox's host identity: host uid",
        "never root",
        "OK    limits bind: memory held",
        "processes held",
        "OK    a sandboxed call, end to end",
        "Grading is safe here.",
    ):
        assert line in result.stdout, result.stdout


def checks_with(refusals):
    """The checks on this machine, with bubblewrap's attempts refused as ``refusals`` says (by the flag they use)."""

    def attempt(arguments):
        return next((said for flag, said in refusals.items() if flag in arguments), None)

    return doctor.run_checks(LIMITS, attempt)


def test_ubuntu_24_04s_apparmor_restriction_gets_the_bwrap_profile():
    text, safe = doctor.report(checks_with({"--unshare-user": REFUSED_USERNS}), doctor.Platform(["ubuntu"]))
    assert not safe and "FAIL  user namespaces: bubblewrap cannot make a user namespace" in text
    assert "fix (ubuntu): AppArmor restricts" in text and "profile bwrap /usr/bin/bwrap flags=(unconfined)" in text
    assert "sudo apparmor_parser -r /etc/apparmor.d/bwrap" in text and "Grading would NOT be safe here" in text


def test_dockers_masked_proc_gets_the_narrowest_options_and_never_privileged():
    text, safe = doctor.report(checks_with({"--proc": REFUSED_PROC}), doctor.Platform(["debian", "docker"]))
    assert not safe and "FAIL  /proc in the sandbox" in text and "Can't mount proc" in text
    assert "fix (docker): docker run --security-opt systempaths=unconfined" in text and "never --privileged" in text


def test_a_kubernetes_pod_gets_its_security_context():
    text, _ = doctor.report(checks_with({"--proc": REFUSED_PROC}), doctor.Platform(["kubernetes"]))
    assert "fix (kubernetes): in the grading pod: spec.hostUsers: false" in text and "procMount: Unmasked" in text


def test_an_unknown_platform_gets_every_fix():
    text, _ = doctor.report(checks_with({"--unshare-user": REFUSED_USERNS}), doctor.Platform([]))
    for platform in ("debian", "ubuntu", "docker", "kubernetes"):
        assert f"fix ({platform}):" in text


def test_no_cgroup_is_a_warning_with_the_systemd_fix_and_rlimits_stand_in():
    check = doctor.Check(
        "cgroups", False, "no writable cgroup: the grader uses rlimits instead", "cgroups", critical=False
    )
    text, safe = doctor.report([check], doctor.Platform(["debian", "systemd"]))
    assert safe and "WARN  cgroups" in text and "Delegate=yes" in text
