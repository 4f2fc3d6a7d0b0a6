"""``GradeInSandbox``: the stage that replaces nbgrader's ``Execute`` in ``nbgrader autograde``.

nbgrader's own autograde runs the submission in a Jupyter kernel and believes what
its test cells print, so student code can forge its verdict. This stage never runs
the notebook: it grades the collected submission with the kit's sandboxed grader
(or takes the report the batch already made of these exact files), then writes into
each grade cell ``test_<function>`` two outputs: the per-test feedback as text, and
the points earned as the cell's result. nbgrader's ``SaveAutoGrades`` reads that
result as partial credit (``utils.determine_grade``), so the gradebook gets each
function's points, and ``generate_feedback`` shows the student what the grader
wrote: test descriptions, problems and hints, never hidden inputs or test code.
"""

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder import config, course_lock
from autograder.nbgrader_ext.setpoints import TEST_PREFIX
from autograder.report_store import ReportStore
from autograder.submission import Submission, SubmissionError, error_report, grade_files, grader_fingerprint


def collected(coursedir, assignment_id, student):
    """The submission nbgrader's ``collect`` put in the course's submitted directory."""
    directory = coursedir.format_path(coursedir.submitted_directory, student, assignment_id)
    return Submission(assignment_id, student, Path(directory))


def report_for(submission):
    """The report of this submission: the stored one if its files are unchanged, else a fresh grading."""
    batch = config.load().BATCH
    grader = grader_fingerprint(submission.assignment_id)
    fingerprint = submission.fingerprint(grader, batch.submission_bytes)
    store = ReportStore(submission.assignment_id)
    report = store.report(submission.student, fingerprint)
    if report is None:
        try:
            files = submission.files(batch.submission_bytes)
        except (SubmissionError, OSError) as error:
            report = error_report(submission.assignment_id, str(error))
        else:
            report = grade_files(submission.assignment_id, files, grader, batch.submission_timeout_s)
        store.save(submission.student, fingerprint, report)
    return report, fingerprint


class GradeInSandbox(NbGraderPreprocessor):
    """Grade the submission in the sandbox and write each function's points and feedback into its grade cell."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment = config.assignment(info["assignment"])
        if info["notebook"] != assignment.notebook.removesuffix(".ipynb"):
            return nb, resources
        course_lock.acquire(config.ROOT)  # held until this nbgrader process ends
        submission = collected(CourseDirectory(config=self.config), assignment.id, info["student"])
        if submission.links():  # nbgrader read the notebook through them: this one must not be recorded
            raise SubmissionError(f"not graded: {info['student']}'s submission holds symbolic links "
                                  f"({', '.join(submission.links())[:300]}); the kit's batch (python -m autograder "
                                  f"autograde {assignment.id}) records it as 0 without following them")
        report, _ = report_for(submission)
        write_results(nb, report, assignment)
        return nb, resources


def write_results(nb, report, assignment):
    """Give each ``test_<function>`` grade cell the function's feedback and points (from course_config.py, never
    from the submitted notebook's metadata) as its outputs; any other cell claiming to be a grade cell stops
    being one (nbgrader would give a grade cell without outputs full marks)."""
    general = [f"Error: {report['error']}"] if report.get("error") else []
    general += [f"Note: {note}" for note in report.get("notes", [])]
    earned = function_points(report, assignment)
    for cell in nb.cells:
        metadata = cell.metadata.get("nbgrader", {}) if cell.cell_type == "code" else {}
        if not metadata.get("grade"):
            continue
        function = str(metadata.get("grade_id", "")).removeprefix(TEST_PREFIX)
        if metadata.get("grade_id") != TEST_PREFIX + function or function not in assignment.points:
            metadata["grade"] = False
            cell.outputs = []
            continue
        tests = [test for test in report["tests"] if test["function"] == function]
        lines = general + function_feedback(function, tests, earned[function], assignment.points[function])
        general = []
        cell.outputs = [new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
                        new_output("execute_result", data={"text/plain": repr(earned[function])},
                                   execution_count=None)]
        cell.execution_count = None


def function_points(report, assignment):
    """{function: points earned} of a report, each between 0 and the function's points in course_config.py."""
    return {function: min(float(points), max(0.0, round(sum(test["points"] for test in report["tests"]
                                                            if test["function"] == function), 4)))
            for function, points in assignment.points.items()}


def function_feedback(function, tests, earned, points):
    """Lines a student reads under a function's test cell: every test's outcome, and why a failed one failed."""
    if not tests:
        return [f"{function}: {earned:g} / {points:g} points (the grader could not run its tests)"]
    passed = sum(test["passed"] for test in tests)
    lines = [f"{function}: {earned:g} / {points:g} points ({passed} of {len(tests)} tests passed)"]
    for test in tests:
        lines.append(f"  {'PASS' if test['passed'] else 'FAIL'}  {test['description']}")
        lines += [f"        {line}" for line in test["feedback"].splitlines()]
    return lines
