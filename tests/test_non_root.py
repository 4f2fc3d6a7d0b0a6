"""The grader run by an ordinary user (an instructor without root, a JupyterHub's grading account) keeps its
guarantees: a user made here grades the catalogue's resource abuses and escapes, each getting its outcome,
with rlimits where no cgroup is writable by it, and says so; the doctor says the same."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from autograder import config
from autograder.course.nbgrader_ext import commands
from tests.adversarial import catalogue
from tests.adversarial.test_catalogue import CALL_TIMEOUT_S, MEMORY_BYTES, expect_outcome, marks_on_this_machine

pytestmark = pytest.mark.slow
A2 = catalogue.ASSIGNMENT
CASES = {
    name: case
    for name, case in catalogue.load().items()
    if not case.functions and case.category in ("resource abuse", "escapes") and case.submitted_as == "notebook"
}


@pytest.fixture(scope="module")
def grader(tmp_path_factory):
    """An ordinary user, and a course of its own (assignment 2 graded quickly, the catalogue's limits)."""
    if os.geteuid() != 0:
        pytest.fail("this test makes a unix user: run it as root (CI does)")
    name = f"kg{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True)
    try:
        entry = pwd.getpwnam(name)
        home = Path(entry.pw_dir)
        root = commands.course_copy(home / "course")
        shutil.copytree(config.path("release"), root / config.load().PATHS.release)
        (root / config.load().PATHS.cache).unlink()  # a cache of its own: the instructor's is not its to write
        commands.grade_quickly(root, A2.id)
        commands.override_settings(root, "LIMITS", call_timeout_s=CALL_TIMEOUT_S, memory_bytes=MEMORY_BYTES)
        subprocess.run(["chown", "-R", f"{name}:{name}", str(home)], check=True)
        yield entry, root
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def as_grader(entry, root, *arguments):
    return subprocess.run(
        [
            "runuser",
            "-u",
            entry.pw_name,
            "--",
            "env",
            f"HOME={entry.pw_dir}",
            f"COURSE_ROOT={root}",
            sys.executable,
            "-m",
            "autograder",
            *arguments,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_doctor_says_an_ordinary_user_grades_safely_with_rlimits(grader):
    entry, root = grader
    result = as_grader(entry, root, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN  cgroups: no writable cgroup" in result.stdout and "rlimits" in result.stdout
    assert f"host uid [{entry.pw_uid}] (the grader's own user), never root" in result.stdout
    assert "OK    limits bind: memory held" in result.stdout and "processes held" in result.stdout


@pytest.mark.parametrize("name", list(CASES))
def test_a_case_graded_by_an_ordinary_user_gets_its_outcome(name, grader):
    entry, root = grader
    path = root / f"{name}.ipynb"
    path.write_text(json.dumps(CASES[name].notebook()))
    os.chown(path, entry.pw_uid, entry.pw_gid)
    settings = catalogue.kernel_settings()
    result = as_grader(entry, root, "grade", A2.id, str(path), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "limits: no writable cgroup here, so the sandbox is limited by rlimits" in result.stderr
    assert catalogue.restore(settings) == [] and marks_on_this_machine() == []
    expect_outcome(CASES[name], json.loads(result.stdout), list(A2.points))
