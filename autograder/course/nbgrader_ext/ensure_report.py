"""``EnsureReport``: the first of the two stages that replace nbgrader's ``Execute`` in ``nbgrader autograde``.

nbgrader's own autograde runs the submission in a Jupyter kernel and believes what
its test cells print, so student code could forge its verdict. The kit never runs
the notebook there: this stage makes sure the report store holds the sandboxed
grader's report of the collected submission's exact files, grading them if it does
not, and gives ``WriteGrades`` the submission's fingerprint. The batch (``python -m
autograder autograde``) has stored every report before it asks nbgrader to record
one, and hands over the fingerprint it computed (``handed_over``), so nothing is
graded or fingerprinted twice; ``nbgrader autograde`` and the formgrader, run
alone, fingerprint and grade here.
"""

import contextlib
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder import config
from autograder.course import course_lock
from autograder.course.report_store import ReportStore
from autograder.course.submission import Submission, SubmissionError, grade_files, grader_fingerprint
from autograder.grading.report import Report

FINGERPRINT = "kit_fingerprint"
"""The key in nbgrader's resources under which this stage gives ``WriteGrades`` the submission's fingerprint."""
_handed_over = {}


@contextlib.contextmanager
def handed_over(submission, fingerprint):
    """While nbgrader records ``submission`` in this process, the stage takes ``fingerprint`` (whose report the
    caller has stored) as the submission's."""
    key = (submission.assignment_id, submission.student)
    _handed_over[key] = fingerprint
    try:
        yield
    finally:
        _handed_over.pop(key, None)


def collected(coursedir, assignment_id, student):
    """The submission nbgrader's ``collect`` put in the course's submitted directory."""
    directory = coursedir.format_path(coursedir.submitted_directory, student, assignment_id)
    return Submission(assignment_id, student, Path(directory))


def ensure_report(submission):
    """The submission's fingerprint, once the report store holds its report (graded here if it did not)."""
    handed = _handed_over.get((submission.assignment_id, submission.student))
    if handed is not None:
        return handed
    batch = config.load().BATCH
    grader = grader_fingerprint(submission.assignment_id)
    fingerprint = submission.fingerprint(grader, batch.submission_bytes)
    store = ReportStore(submission.assignment_id)
    if store.report(submission.student, fingerprint) is None:
        try:
            files = submission.files(batch.submission_bytes)
        except (SubmissionError, OSError) as error:
            report = Report.not_graded(config.assignment(submission.assignment_id), str(error))
        else:
            report = grade_files(submission.assignment_id, files, grader, batch.submission_timeout_s)
        store.save(submission.student, fingerprint, report)
    return fingerprint


class EnsureReport(NbGraderPreprocessor):
    """Make sure the sandboxed grader's report of the submission is stored; give ``WriteGrades`` its fingerprint."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment = config.assignment(info["assignment"])
        if info["notebook"] != assignment.notebook.removesuffix(".ipynb"):
            return nb, resources
        course_lock.acquire(config.ROOT)  # held until this nbgrader process ends
        submission = collected(CourseDirectory(config=self.config), assignment.id, info["student"])
        if submission.links():  # nbgrader read the notebook through them: this one must not be recorded
            raise SubmissionError(
                f"not graded: {info['student']}'s submission holds symbolic links "
                f"({', '.join(submission.links())[:300]}); the kit's batch (python -m autograder "
                f"autograde {assignment.id}) records it as 0 without following them"
            )
        resources[FINGERPRINT] = ensure_report(submission)
        return nb, resources
