"""Grade every collected submission of an assignment at once, in parallel, on a Dask cluster.

    python -m autograder autograde a1_policy_gradients [--workers N] [--scheduler tcp://host:8786] [--force]

Each submission is graded by a Dask task (a ``LocalCluster`` of ``BATCH.workers``
here, or the workers of ``BATCH.scheduler_address`` on other machines), which runs
the sandboxed grader in a process of its own with a wall-clock limit; the task
gets the submission's files as bytes and returns its ``Report``. This process
is the only writer: it keeps each report (``report_store``) and records it in the
gradebook through nbgrader's autograde, one at a time, while the workers go on.
A submission whose files and grader are unchanged since it was recorded is
skipped; a kept report is recorded without grading again; so a batch killed at any
point and run again loses nothing and grades nothing twice. A course lock turns a
second batch away.
"""

import contextlib
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass

from tqdm import tqdm

from autograder import config
from autograder.course import course_lock
from autograder.course.nbgrader_ext.ensure_report import handed_over
from autograder.course.nbgrader_ext.gradebook import CourseGradebook, RecordingFailed
from autograder.course.report_store import ReportStore
from autograder.course.submission import SubmissionError, grade_files, grader_fingerprint
from autograder.grading.report import Report

IN_FLIGHT_PER_WORKER = 2  # tasks queued per worker: keeps workers busy without reading every submission at once


@dataclass(frozen=True)
class Outcome:
    """What the batch did with one submission."""

    student: str
    action: str
    """``graded`` (graded and recorded), ``recorded`` (a kept report recorded), ``skipped`` (unchanged since it
    was recorded) or ``faulted`` (a fault of the grader or the gradebook, not the student's: its report says so,
    and the next run grades it again)."""
    score: float = None
    error: str = None


def run(assignment_id, workers=0, scheduler="", force=False, progress=True):
    """Grade and record every collected submission of the assignment; one ``Outcome`` per submission."""
    batch = config.load().BATCH
    assignment = config.assignment(assignment_id)
    with course_lock.held(config.ROOT):
        gradebook = CourseGradebook(assignment.id)
        store = ReportStore(assignment.id)
        grader = grader_fingerprint(assignment.id)
        outcomes, to_record, to_grade = [], [], []
        for submission in gradebook.collected():
            fingerprint = submission.fingerprint(grader, batch.submission_bytes)
            report = None if force else store.report(submission.student, fingerprint)
            if report is None:
                to_grade.append((submission, fingerprint))
            elif store.recorded(submission.student) == fingerprint and gradebook.is_graded(submission.student):
                outcomes.append(Outcome(submission.student, "skipped", report.score, report.error))
            else:
                to_record.append((submission, fingerprint, report))
        bar = tqdm(
            total=len(to_record) + len(to_grade),
            desc=f"grading {assignment.id}",
            unit="submission",
            disable=not progress,
            file=sys.stderr,
        )
        recorder = Recorder(gradebook, store, bar, assignment)
        for submission, fingerprint, report in to_record:
            outcomes.append(recorder.record(submission, fingerprint, report, "recorded"))
        if to_grade:
            with _client(workers or batch.workers, scheduler or batch.scheduler_address) as client:
                for submission, fingerprint, report in _graded(client, to_grade, grader, batch, assignment):
                    if isinstance(report, Exception):
                        outcomes.append(recorder.fault(submission, fingerprint, str(report)))
                    else:
                        outcomes.append(recorder.record(submission, fingerprint, report, "graded"))
        bar.close()
    return sorted(outcomes, key=lambda outcome: outcome.student)


class Recorder:
    """Keeps a report, records it in the gradebook, then notes that it is recorded: in that order.

    nbgrader's autograde records it (feedback notebook, late penalty); the gradebook's points are then
    checked against the report's. Where nbgrader cannot read the submission (broken or tampered
    metadata), must not (links), or recorded other points, the report's points are written directly.
    """

    def __init__(self, gradebook, store, bar, assignment):
        self.gradebook, self.store, self.bar, self.assignment = gradebook, store, bar, assignment

    def record(self, submission, fingerprint, report, action):
        student, error = submission.student, report.error
        self.store.save(student, fingerprint, report)
        points = report.function_points(self.assignment.points)
        try:
            if not submission.links():  # nbgrader's autograde would read the submission through them
                with handed_over(submission, fingerprint):
                    self.gradebook.record(student)
        except RecordingFailed as failure:
            error = error or f"nbgrader could not record this notebook, so it has no feedback notebook: {failure}"
        try:
            recorded = self.gradebook.function_points(student)
            if set(recorded) != set(points) or any(
                recorded[function] is None or abs(recorded[function] - earned) > 1e-6
                for function, earned in points.items()
            ):
                self.gradebook.record_points(student, points)
        except Exception as fault:  # noqa: BLE001  (the gradebook's fault, not the student's: run again)
            return self.fault(submission, fingerprint, f"the gradebook could not record it: {fault}")
        self.store.mark_recorded(student, fingerprint)
        self.bar.update()
        return Outcome(student, action, report.score, error)

    def fault(self, submission, fingerprint, reason):
        """Keep a report that says the grader (or the gradebook) faulted on the submission, not the student; the
        store gives it back to no later run, which grades the submission again."""
        self.store.save(
            submission.student,
            fingerprint,
            Report.not_graded(
                self.assignment,
                f"not graded yet: the grader faulted on this submission, not through the "
                f"student's fault ({reason[:1500]}); the next run of the batch grades it again",
            ),
            faulted=True,
        )
        self.bar.update()
        return Outcome(submission.student, "faulted", error=reason)


def _graded(client, to_grade, grader, batch, assignment):
    """(submission, fingerprint, report or exception) as the workers finish, a bounded number in flight."""
    from distributed import as_completed

    pending = iter(to_grade)
    window = IN_FLIGHT_PER_WORKER * max(
        1, sum(worker["nthreads"] for worker in client.scheduler_info()["workers"].values())
    )
    futures = as_completed(loop=client.loop)
    tasks = {}

    def submit_next():
        for submission, fingerprint in pending:
            try:
                files = submission.files(batch.submission_bytes)
            except (SubmissionError, OSError) as error:
                yield submission, fingerprint, Report.not_graded(assignment, str(error))
                continue
            future = client.submit(
                grade_files,
                submission.assignment_id,
                files,
                grader,
                batch.submission_timeout_s,
                key=f"grade-{submission.student}-{fingerprint[:16]}",
                pure=False,
            )
            tasks[future.key] = (submission, fingerprint)
            futures.add(future)
            return

    for _ in range(window):
        yield from submit_next()
    for future in futures:
        submission, fingerprint = tasks.pop(future.key)
        try:
            yield submission, fingerprint, future.result()
        except Exception as error:  # noqa: BLE001  (a worker's fault: this submission stays ungraded)
            yield submission, fingerprint, error
        yield from submit_next()


@contextlib.contextmanager
def _client(workers, scheduler):
    """A Dask client: of the scheduler at ``scheduler``, or of a local cluster of ``workers`` (0: one per core)."""
    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    dask.config.set({"distributed.worker.profile.enabled": False})  # its stack sampling cost a second per grading
    if scheduler:
        with Client(scheduler, set_as_default=False) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or os.cpu_count(), threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def main(arguments):
    """The ``autograde`` command: grade, print a line per submission (or JSON), exit 1 if any failed."""
    try:
        outcomes = run(
            arguments.assignment, arguments.workers, arguments.scheduler, arguments.force, progress=not arguments.json
        )
    except course_lock.CourseBusy as busy:
        print(f"not grading: {busy}", file=sys.stderr)
        return 3
    if arguments.json:
        print(json.dumps([asdict(outcome) for outcome in outcomes], indent=1))
    else:
        for outcome in outcomes:
            score = "" if outcome.score is None else f"{outcome.score:g}"
            print(f"  {outcome.student:<16} {outcome.action:<9} {score:>6}  {outcome.error or ''}".rstrip())
    counts = {
        action: sum(outcome.action == action for outcome in outcomes)
        for action in ("graded", "recorded", "skipped", "faulted")
    }
    print(", ".join(f"{count} {action}" for action, count in counts.items()), file=sys.stderr)
    faulted = [outcome.student for outcome in outcomes if outcome.action == "faulted"]
    if faulted:
        print(
            f"{len(faulted)} submission(s) faulted the grader ({', '.join(faulted)}): each has a report that says "
            "so; fix the cause shown and run the same command again, which grades those again and keeps the "
            "rest",
            file=sys.stderr,
        )
    return 1 if faulted else 0
