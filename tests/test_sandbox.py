"""The sandbox: what student code can see and do, and the limits that stop it.

These tests run small notebooks (no TensorFlow) through ``Student``, as the
hidden tests do, and check the grader's side of each failure.
"""

import dataclasses
import os
import subprocess
import sys
import textwrap
import time

import pytest

from autograder import config
from autograder.boundary import sandbox
from autograder.grading.probes import Cell, MissingFunction, SandboxProblem, Student, StudentRaised
from tests.conftest import ROOT

LIMITS = config.load().LIMITS


def make_student(source, **limits):
    """A student of one cell in one sandbox (``tests/test_probes.py`` checks the split by inputs)."""
    cells = [Cell("cell", textwrap.dedent(source))]
    return Student(cells, dataclasses.replace(LIMITS, **limits), split_inputs=False)


def value_of(source, fn="probe", *args, **limits):
    with make_student(source, **limits) as student:
        return student.call(fn, *args)


def test_no_course_files_are_visible():
    seen = value_of(
        """
        import os
        def probe(paths):
            return [os.path.exists(path) for path in paths]
    """,
        "probe",
        [
            str(ROOT),
            str(ROOT / "autograder" / "tests"),
            str(ROOT / "solutions"),
            "/work",
            "/root/.ssh",
            "/etc/shadow",
            "/kit/runner/main.py",
        ],
    )
    assert seen == [False, False, False, False, False, False, True]


def test_the_system_is_read_only_and_tmp_is_private():
    outcome = value_of("""
        def probe():
            results = []
            for path in ("/usr/owned", "/kit/runner/owned", "/owned", "/dev/owned", "/tmp/mine"):
                try:
                    open(path, "w").write("x")
                    results.append("written")
                except OSError as error:
                    results.append(type(error).__name__)
            return results
    """)
    assert outcome[:4] == ["OSError"] * 4 and outcome[4] == "written"
    assert not os.path.exists("/tmp/mine")


def test_there_is_no_network():
    with (
        make_student("""
        import socket
        def probe():
            socket.create_connection(("1.1.1.1", 53), timeout=2)
    """) as student,
        pytest.raises(StudentRaised) as raised,
    ):
        student.call("probe")
    assert raised.value.error["type"] in ("OSError", "ConnectionRefusedError", "TimeoutError")


def test_the_environment_is_cleared(monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    own, every_process = value_of("""
        import glob, os
        def probe():
            environments = []
            for path in glob.glob("/proc/[0-9]*/environ"):
                try:
                    environments.append(open(path).read())
                except OSError:
                    pass
            return dict(os.environ), environments
    """)
    assert set(own) <= set(sandbox.ENVIRONMENT) | {"PWD"}
    assert len(every_process) >= 2 and not any("s3cret" in environment for environment in every_process)


def test_it_cannot_see_or_signal_the_grader():
    outcome = value_of("""
        import os, signal
        def probe():
            pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
            try:
                os.kill(os.getppid(), signal.SIGKILL)
            except OSError:
                pass
            return pids
    """)
    assert max(outcome) < 10  # its own PID namespace: only the sandbox's few processes
    assert os.getpid() > 0  # and the grader is still alive to check


def test_an_endless_loop_is_stopped_and_the_function_not_called_again():
    with make_student(
        """
        def spin():
            while True:
                pass
        def fine():
            return 1
    """,
        call_timeout_s=2,
    ) as student:
        with pytest.raises(SandboxProblem, match="did not finish within 2 s"):
            student.call("spin")
        with pytest.raises(SandboxProblem, match="did not call it again"):
            student.call("spin")
        assert student.call("fine") == 1


def test_a_busy_machine_does_not_use_up_a_calls_time():
    """Beside four busy processes per core, a call of 0.5 CPU seconds stays within a 1.5 s limit; a sleep does not."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)  # as the
        for _ in range(4 * len(os.sched_getaffinity(0)))
    ]  # sandbox has: the scheduler shares a CPU between sessions first
    try:
        with make_student(
            """
            import time
            def work():
                start = time.process_time()
                while time.process_time() - start < 0.5:
                    pass
                return "done"
            def nap():
                time.sleep(10)
        """,
            call_timeout_s=1.5,
        ) as student:
            started = time.monotonic()
            assert student.call("work") == "done"
            assert time.monotonic() - started > 1.5, "the machine was not busy enough to test anything"
            with pytest.raises(SandboxProblem, match="did not finish within 1.5 s"):
                student.call("nap")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.mark.parametrize(
    "source, reason",
    [
        ("import os\ndef probe():\n    os._exit(0)", "exited"),
        (
            "import sys\ndef probe():\n    while True:\n"
            "        sys.stdout.write('x' * 65536)\n        sys.stdout.flush()",
            "printed more than",
        ),
    ],
)
def test_a_dying_sandbox_fails_the_call_clearly(source, reason):
    with make_student(source) as student, pytest.raises(SandboxProblem, match=reason):
        student.call("probe")


def test_memory_is_limited():
    with make_student(
        """
        def probe():
            blocks = []
            while True:
                blocks.append(bytearray(50 * 2**20))
    """,
        memory_bytes=512 * 2**20,
    ) as student:
        with pytest.raises((StudentRaised, SandboxProblem)) as raised:
            student.call("probe")
    assert "memory" in raised.value.explain(public=False)


def test_cpu_time_is_limited():
    with make_student("def probe():\n    while True:\n        pass", cpu_seconds=1, call_timeout_s=30) as student:
        with pytest.raises(SandboxProblem, match="CPU time"):
            student.call("probe")


def test_a_fork_bomb_is_contained():
    with make_student(
        """
        import os, time
        def probe():
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError:
                return children
    """,
        max_processes=32,
    ) as student:
        assert student.call("probe") < 32
        (sandbox,) = student.sandboxes.values()
        cgroup = sandbox.cgroup
    assert all(not directory.exists() for directory in cgroup.directories)  # stopped, every process gone


def test_a_cell_that_hangs_is_skipped_and_the_others_still_run():
    cells = [Cell("slow", "while True:\n    pass"), Cell("fast", "def fine():\n    return 2")]
    with Student(cells, dataclasses.replace(LIMITS, cell_timeout_s=2), split_inputs=False) as student:
        assert student.call("fine") == 2
        assert "slow" in student.skipped_cells


def test_a_missing_function_names_a_close_match_in_its_own_cell_only():
    cells = [
        Cell("discount_rewards", "def discount_reward(r):\n    return r"),
        Cell("cell 9", "def play_one_stepp():\n    pass"),
    ]
    with Student(cells, LIMITS, split_inputs=False) as student:
        with pytest.raises(
            MissingFunction, match="did you rename it\\? your `discount_rewards` cell defines discount_reward"
        ):
            student.call("discount_rewards", [1])
        with pytest.raises(MissingFunction) as missing:
            student.call("play_one_step")
        assert "rename" not in str(missing.value)


def test_without_bubblewrap_grading_refuses_to_start(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        value_of("def probe():\n    return 1")
