"""One grader at a time per course: an exclusive lock on ``.grading.lock`` at the course root.

The batch (``python -m autograder autograde``) and the kit's stage in ``nbgrader
autograde`` both take it before they write a report or a grade. A second grader
started on the same course is refused with a clear message instead of racing the
first for the gradebook. The lock is the kernel's (``flock``): it goes with the
process that held it, also when that process is killed, so a restarted grader
never finds a stale lock.
"""

import contextlib
import fcntl
import os
from pathlib import Path

NAME = ".grading.lock"
_held = {}  # course root -> the open lock file, for as long as this process holds it


class CourseBusy(Exception):
    """Another process is grading this course."""


def acquire(root):
    """Hold the lock of the course at ``root`` until ``release`` (or exit); CourseBusy if someone else has it.

    Taking it again in the process that holds it is a no-op, so the batch and the nbgrader stage it runs
    in-process share it.
    """
    root = Path(root).resolve()
    if root in _held:
        return False
    handle = open(root / NAME, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise CourseBusy(
            f"{holder} is grading the course in {root}; wait for it to finish (or stop it), "
            "then run again: nothing it has recorded is lost"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"grader pid {os.getpid()}")
    handle.flush()
    _held[root] = handle
    return True


def release(root):
    handle = _held.pop(Path(root).resolve(), None)
    if handle is not None:
        handle.close()  # closing the only descriptor drops the flock


@contextlib.contextmanager
def held(root):
    """The lock for the duration of a ``with`` block (kept if the caller already held it)."""
    taken = acquire(root)
    try:
        yield
    finally:
        if taken:
            release(root)
