"""One grader per course: a second is refused while the first holds the lock, and the lock dies with it."""

import contextlib
import subprocess
import sys

import pytest

from autograder.course import course_lock
from autograder.course.nbgrader_ext import commands
from tests.conftest import ROOT

HOLD = (
    "import sys; sys.path.insert(0, {root!r}); from autograder.course import course_lock; "
    "course_lock.acquire({course!r}); print('held', flush=True); input()"
)


@contextlib.contextmanager
def held_elsewhere(course):
    """Another process holding the lock of ``course``."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(root=str(ROOT), course=str(course))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "held\n"
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_second_grader_is_refused_with_the_holders_pid(tmp_path):
    with held_elsewhere(tmp_path) as holder:
        with pytest.raises(course_lock.CourseBusy, match=f"grader pid {holder.pid} is grading the course"):
            course_lock.acquire(tmp_path)


def test_the_lock_goes_with_a_killed_holder(tmp_path):
    with held_elsewhere(tmp_path) as holder:
        holder.kill()
        holder.wait()
        with course_lock.held(tmp_path):
            assert course_lock.acquire(tmp_path) is False  # taken again in the same process: shared


def test_the_lock_is_released_after_the_block(tmp_path):
    with course_lock.held(tmp_path):
        pass
    assert course_lock.acquire(tmp_path) is True
    course_lock.release(tmp_path)


def test_the_batch_stops_before_touching_a_busy_course(tmp_path):
    course = commands.course_copy(tmp_path / "course")
    with held_elsewhere(course) as holder:
        result = subprocess.run(
            [sys.executable, "-m", "autograder", "autograde", "a1_policy_gradients"],
            cwd=course,
            env=commands.environment(course),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 3 and f"grader pid {holder.pid} is grading the course" in result.stderr
    assert not (course / "gradebook.db").exists() and not (course / "reports").exists()


def test_nbgrader_autograde_stops_before_touching_a_busy_course(tmp_path):
    course = commands.course_copy(tmp_path / "course")
    with held_elsewhere(course) as holder:
        with pytest.raises(commands.CommandFailed, match=f"not grading: grader pid {holder.pid} is grading"):
            commands.nbgrader(course, "autograde", "a1_policy_gradients")
    assert not (course / "gradebook.db").exists() and not (course / "autograded").exists()
