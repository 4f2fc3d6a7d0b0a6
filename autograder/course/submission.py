"""A collected submission as plain data, its fingerprint, and grading it in a process of its own.

nbgrader's ``collect`` puts each student's files in ``submitted/<student>/<assignment>/``.
The batch reads them here as bytes (regular files only, never following a link),
so a worker on another machine can grade them without sharing a disk. Grading runs
``python -m autograder grade`` in a fresh process with a wall-clock limit: whatever
one submission does to its grader (crash, hang, exhaust memory) ends with that
process, and the submission gets a zero that says why.
"""

import ctypes
import functools
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder import config
from autograder.faults import GraderFault
from autograder.grading.grade import HIDDEN_TESTS
from autograder.grading.report import Report, ReportUnreadable

GRADER_FILES = ("course_config.py",)
PR_SET_PDEATHSIG = 1


class SubmissionError(Exception):
    """A submission that cannot be sent to a grader (too large, unreadable)."""


class GraderMismatch(GraderFault):
    """A worker whose course files differ from the batch's: it would grade with other tests or settings."""


class GraderCrash(GraderFault):
    """The grader reported a fault of its own (not the student's): the submission stays ungraded."""


@dataclass(frozen=True)
class Submission:
    """One student's collected files for one assignment."""

    assignment_id: str
    student: str
    directory: Path

    def links(self):
        """Relative paths of what in the submission is neither a regular file nor a folder (symbolic links
        above all): the grader never follows them, and nothing may read the submission through them."""
        return [
            path.relative_to(self.directory).as_posix()
            for path in sorted(self.directory.rglob("*"))
            if not (stat.S_ISREG(path.lstat().st_mode) or stat.S_ISDIR(path.lstat().st_mode))
        ]

    def files(self, max_bytes):
        """{relative path: bytes} of the submission's regular files; SubmissionError past ``max_bytes`` or if it
        holds links."""
        links = self.links()
        if links:
            raise SubmissionError(
                f"the submission holds symbolic links or special files ({', '.join(links)[:300]}); "
                "the grader never follows them: submit the files themselves"
            )
        files, total = {}, 0
        for path in sorted(self.directory.rglob("*")):
            if not path.is_file():
                continue
            total += path.lstat().st_size
            if total > max_bytes:
                raise SubmissionError(
                    f"the submission's files add up to more than {max_bytes // 2**20} MiB, the "
                    "limit: remove large outputs and data files, then submit again"
                )
            files[path.relative_to(self.directory).as_posix()] = path.read_bytes()
        return files

    def fingerprint(self, grader, max_bytes):
        """A hash of the grader's fingerprint and every file of the submission: equal means nothing changed."""
        digest = hashlib.sha256(grader.encode())
        try:
            files = self.files(max_bytes)
        except (SubmissionError, OSError) as error:
            digest.update(f"unreadable\0{error}".encode())
            return digest.hexdigest()
        for name, data in files.items():
            digest.update(f"\0{name}\0{len(data)}\0".encode())
            digest.update(data)
        return digest.hexdigest()


def grader_fingerprint(assignment_id):
    """A hash of what decides a grade besides the submission: hidden tests, release, reference, settings."""
    assignment = config.assignment(assignment_id)
    paths = [config.ROOT / name for name in GRADER_FILES]
    paths += sorted((HIDDEN_TESTS / assignment.id).rglob("*.py"))
    for kind in ("release", "solutions"):
        paths.append(config.path(kind, assignment.id, assignment.notebook))
    paths += [config.path("release", assignment.id, name) for name in assignment.support_files]
    digest = hashlib.sha256(assignment.id.encode())
    for path in paths:
        digest.update(f"\0{path.name}\0{_file_digest(path)}".encode())
    return digest.hexdigest()


def _file_digest(path):
    """The SHA-256 of a course file ("missing" if none), read again only when its inode, size or time changed."""
    try:
        status = path.stat()
    except OSError:
        return "missing"
    return _digest_of(path, status.st_ino, status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _digest_of(path, inode, size, mtime_ns):
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def grade_files(assignment_id, files, grader, timeout_s):
    """The ``Report`` of a submission given as {path: bytes}; runs on a batch worker.

    ``grader`` is the batch's grader fingerprint: a worker with other course files refuses to grade.
    """
    if grader_fingerprint(assignment_id) != grader:
        raise GraderMismatch(
            f"the worker's course at {config.ROOT} has other hidden tests, notebooks or settings "
            "than the batch's: check out the same commit on every worker machine"
        )
    assignment = config.assignment(assignment_id)
    with tempfile.TemporaryDirectory(prefix="submission-") as scratch:
        for name, data in files.items():
            path = Path(scratch, name).resolve()
            if not path.is_relative_to(Path(scratch).resolve()):
                return Report.not_graded(assignment, f"the submission holds a file outside its folder ({name!r})")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return _grade_in_own_process(assignment, Path(scratch, assignment.notebook), timeout_s)


def _grade_in_own_process(assignment, notebook, timeout_s):
    command = [sys.executable, "-m", "autograder", "grade", assignment.id, str(notebook), "--json"]
    environment = {**os.environ, "COURSE_ROOT": str(config.ROOT)}
    process = subprocess.Popen(
        command,
        cwd=config.ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return Report.not_graded(
            assignment, f"grading took longer than {timeout_s:g} s, the limit for one submission, so it was stopped"
        )
    if process.returncode == 0:
        try:
            return Report.from_json(json.loads(out))
        except (ValueError, ReportUnreadable) as problem:
            raise GraderCrash(f"the grader printed no report: {problem}") from None
    if process.returncode < 0:
        killer = signal.Signals(-process.returncode).name
        return Report.not_graded(
            assignment, f"the grader's process was killed ({killer}) while grading this submission"
        )
    reason = err.decode("utf-8", "replace").strip()[-2000:] or f"exit status {process.returncode}"
    raise GraderCrash(f"the grader failed on this submission: {reason}")


def _die_with_parent():
    """In the grader's child: be killed when the batch that started it dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
