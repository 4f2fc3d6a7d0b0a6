"""``Deadline``: a limit on the sandbox's own time, whatever else the machine is doing.

Each test pins its processes to one CPU, so the share a process gets is set by the
test and not by how many cores the machine has.
"""

import contextlib
import os
import subprocess
import sys
import time

import pytest

from autograder.boundary.deadline import Deadline, thread_statistics

BUSY = [sys.executable, "-c", "while True: pass"]
ONE_CPU = {min(os.sched_getaffinity(0))}
ANOTHER_CPU = {max(os.sched_getaffinity(0))}
LIMIT_S = 2.0
"""The limit of the tests that measure a share of CPU time: long enough that the first ``SETTLE_S`` (charged in
full) and a wait for a CPU still under way at the end (not yet counted by the kernel) are a small part of it,
on a loaded machine too."""
needs_schedstat = pytest.mark.skipif(
    not os.path.exists("/proc/self/schedstat"),
    reason="this kernel keeps no run-queue statistics: a deadline is wall-clock time",
)


@contextlib.contextmanager
def processes(*commands, cpu=ONE_CPU):
    """Start the commands, pinned to the CPU ``cpu``; stop them on leaving."""
    started = [subprocess.Popen(command) for command in commands]
    try:
        for process in started:
            os.sched_setaffinity(process.pid, cpu)
        yield started
    finally:
        for process in started:
            process.kill()
            process.wait()


@contextlib.contextmanager
def grader_on_one_cpu():
    """Pin this process (the grader's thread) to ``ONE_CPU`` for the block."""
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, ONE_CPU)
    try:
        yield
    finally:
        os.sched_setaffinity(0, affinity)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_the_end(deadline):
    """Wait as the grader waits for a message: until the end, or a second at most, then check again."""
    while (remaining := deadline.remaining()) > 0:
        time.sleep(min(remaining, 1.0))


def test_without_processes_it_is_wall_clock_time():
    deadline = Deadline(0.3)
    assert 0 < deadline.remaining() <= 0.3
    time.sleep(0.35)
    assert deadline.remaining() <= 0


def test_the_graders_time_is_granted():
    deadline = Deadline(0.2, max_stretch=10)
    deadline.grant(1.0)
    time.sleep(0.3)
    assert deadline.remaining() > 0


@needs_schedstat
def test_time_spent_waiting_for_a_cpu_is_not_charged():
    """A busy process sharing its CPU reaches the end after about its limit of CPU time, not of wall-clock time.

    It may get a little more (the grader's own waits for a CPU are forgiven too), or
    a little less (a wait still under way is not yet counted by the kernel).
    """
    with processes(BUSY, BUSY) as (sandbox, other):
        cpu_before, started = cpu_seconds(sandbox.pid), time.monotonic()
        deadline = Deadline(LIMIT_S, lambda: [sandbox.pid], max_stretch=60)
        wait_for_the_end(deadline)
        used, waited = cpu_seconds(sandbox.pid) - cpu_before, time.monotonic() - started
    assert used >= 0.7 * LIMIT_S, f"the process was stopped after {used:.2f} CPU seconds, for a limit of {LIMIT_S:g}"
    assert waited >= 1.4 * LIMIT_S, f"the process had half a CPU at most, yet the wait ended after {waited:.2f} s"


@needs_schedstat
def test_time_the_grader_waits_for_a_cpu_is_not_charged():
    """While the grader waits for a CPU the sandbox waits for the grader: that time is not the student's."""
    with processes(["sleep", "60"], BUSY, BUSY, BUSY) as (sandbox, *others), grader_on_one_cpu():
        deadline, started = Deadline(1.0, lambda: [sandbox.pid], max_stretch=100), time.thread_time()
        while deadline.remaining() > 0:
            pass
        used = time.thread_time() - started
    assert 0.6 <= used <= 1.05, f"charged with the grader's {used:.2f} CPU seconds for a limit of 1"


@needs_schedstat
@pytest.mark.skipif(ANOTHER_CPU == ONE_CPU, reason="needs two CPUs")
def test_the_graders_waits_are_not_forgiven_while_the_sandbox_runs():
    """The grader's waits for a CPU are forgiven only as time in which the sandbox did not run: a sandbox busy
    on a CPU of its own is stopped after about its limit, however long the grader waits on another."""
    with processes(BUSY, cpu=ANOTHER_CPU) as (sandbox,), processes(BUSY, BUSY, BUSY), grader_on_one_cpu():
        cpu_before, deadline = cpu_seconds(sandbox.pid), Deadline(LIMIT_S, lambda: [sandbox.pid], max_stretch=60)
        while deadline.remaining() > 0:
            pass
        used = cpu_seconds(sandbox.pid) - cpu_before
    assert 0.7 * LIMIT_S <= used <= 2 * LIMIT_S, f"charged with {used:.2f} CPU seconds for a limit of {LIMIT_S:g}"


def test_a_sleeping_process_is_charged_in_full():
    with processes(["sleep", "60"]) as (sandbox,):
        started = time.monotonic()
        wait_for_the_end(Deadline(1.0, lambda: [sandbox.pid], max_stretch=100))
        waited = time.monotonic() - started
    assert waited < 2.0, f"a process that slept was given {waited:.2f} s for a limit of 1"


def test_no_wait_outlasts_its_stretch():
    with processes(BUSY, BUSY, BUSY, BUSY) as (sandbox, *others):
        deadline = Deadline(0.3, lambda: [sandbox.pid], max_stretch=2)
        deadline.grant(10.0)
        time.sleep(0.65)
        assert deadline.remaining() <= 0


@needs_schedstat
def test_a_sandbox_that_keeps_its_cpu_busy_itself_is_charged():
    """Four busy processes of one sandbox wait for each other, not for the machine: together they get about
    the limit, not each of them."""
    with processes(BUSY, BUSY, BUSY, BUSY) as sandbox:
        pids = [process.pid for process in sandbox]
        cpu_before = sum(map(cpu_seconds, pids))
        wait_for_the_end(Deadline(LIMIT_S, lambda: pids, max_stretch=60))
        used = sum(map(cpu_seconds, pids)) - cpu_before
    assert 0.7 * LIMIT_S <= used <= 2 * LIMIT_S, f"charged with {used:.2f} CPU seconds for a limit of {LIMIT_S:g}"


@needs_schedstat
def test_thread_statistics_are_read_per_thread_and_skip_missing_processes():
    statistics = thread_statistics([os.getpid(), 2**22 + 1])  # the second pid is above any pid_max
    assert os.getpid() in statistics
    assert all(on_cpu >= 0 and waiting >= 0 for on_cpu, waiting in statistics.values())
