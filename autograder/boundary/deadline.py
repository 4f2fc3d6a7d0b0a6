"""How long the grader waits for a sandbox: its time limits count the sandbox's own time, not the machine's.

A limit counts wall-clock seconds, less the time that is not the student's: the time
the grader spent answering the sandbox's requests (its environments and helpers:
``grant``), and the time the sandbox, or the grader it was waiting for, was ready to
run but waited for a CPU taken by a classmate's submission or anything else on the
machine (the kernel's run-queue delay, ``/proc/<pid>/task/<tid>/schedstat``). So a
call uses the same share of its limit on a busy machine as on an idle one, while
code that sleeps or blocks is charged in full, and so is a sandbox that keeps a CPU
busy itself (a fork bomb's processes wait for each other, not for the machine).
``max_stretch`` times the limit in wall-clock time ends every wait all the same.

The kernel's statistics are first read ``SETTLE_S`` into a wait, so the many short
calls of a grading read none, and that first moment is charged in full.
"""

import os
import threading
import time

NANOSECONDS = 1e9
SETTLE_S = 0.25


class Deadline:
    """The end of one wait (a call, a cell, the start) of ``limit_s`` seconds of the sandbox's own time.

    ``processes`` gives the pids of the sandbox's processes now; without it the limit is
    plain wall-clock time.
    """

    def __init__(self, limit_s, processes=None, max_stretch=1.0, start=None):
        self.start = time.monotonic() if start is None else start
        self.end = self.start + limit_s
        self.hard_end = self.start + max(max_stretch, 1.0) * limit_s
        self.processes = processes
        self.grader_thread = threading.get_native_id()
        self.settled = self.start + SETTLE_S
        self.checked = self.sandbox = self.grader = None

    def grant(self, seconds):
        """Do not charge the sandbox for ``seconds`` the grader spent on its behalf."""
        self.end += seconds

    def remaining(self):
        """Seconds left; at or below zero the wait is over."""
        now = time.monotonic()  # once: the grader too may wait for a CPU between two lines
        if self.processes is not None and self.checked is None:
            if now < self.settled:  # come back then, to start counting
                return min(self.settled, self.end, self.hard_end) - now
            self._read_statistics(now)
        elif self.processes is not None and now >= self.end:
            self._forgive_waiting_for_a_cpu()
        return min(self.end, self.hard_end) - now

    def _read_statistics(self, now):
        """The sandbox's threads' and the grader's statistics now, to count from."""
        self.checked = now
        self.sandbox = thread_statistics(self.processes())
        self.grader = _statistics(self.grader_thread)

    def _forgive_waiting_for_a_cpu(self):
        """Move the end by the time the sandbox could not run for want of a CPU since the last check.

        That is the longest run-queue delay of any one of its threads (threads that wait
        side by side wait once), plus the grader's own delay (while the grader waits for a
        CPU, the sandbox waits for the grader), but no more than the time its threads did
        not run at all: a sandbox that keeps a CPU busy is charged for it, however long the
        grader waits meanwhile.
        """
        checked, sandbox, grader = self.checked, self.sandbox, self.grader
        self._read_statistics(time.monotonic())
        before = {thread: sandbox.get(thread, (0, 0)) for thread in self.sandbox}
        delay = max((self.sandbox[thread][1] - before[thread][1] for thread in before), default=0) / NANOSECONDS
        if grader is not None and self.grader is not None:
            delay += max(self.grader[1] - grader[1], 0) / NANOSECONDS
        ran = sum(self.sandbox[thread][0] - before[thread][0] for thread in before) / NANOSECONDS
        self.end += max(min(delay, self.checked - checked - ran), 0.0)


def thread_statistics(pids):
    """(nanoseconds on a CPU, nanoseconds waiting on a run queue) of each thread of these processes, by
    thread id; threads whose statistics cannot be read (gone, or a kernel without schedstat) are left out."""
    found = {}
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            statistics = _statistics(thread, pid)
            if statistics is not None:
                found[int(thread)] = statistics
    return found


def _statistics(thread, pid="self"):
    """One thread's (nanoseconds on a CPU, nanoseconds waiting on a run queue), or None when unreadable."""
    try:
        with open(f"/proc/{pid}/task/{thread}/schedstat") as schedstat:
            on_cpu, waiting = schedstat.read().split()[:2]
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return None
