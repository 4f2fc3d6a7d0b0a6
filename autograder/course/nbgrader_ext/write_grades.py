"""``WriteGrades``: the second of the two stages that replace nbgrader's ``Execute`` in ``nbgrader autograde``.

It reads the stored report of the submission ``EnsureReport`` names and writes into
each grade cell ``test_<function>`` two outputs: the function's feedback as text,
and its points as the cell's result. nbgrader's ``SaveAutoGrades`` reads that
result as partial credit (``utils.determine_grade``), so the gradebook gets each
function's points, and ``generate_feedback`` shows the student what the grader
wrote: test descriptions, problems and hints, never hidden inputs or test code.
"""

import base64
import html

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder import config
from autograder.course.nbgrader_ext.ensure_report import FINGERPRINT
from autograder.course.nbgrader_ext.setpoints import TEST_PREFIX
from autograder.course.report_store import ReportStore
from autograder.faults import GraderFault


class WriteGrades(NbGraderPreprocessor):
    """Write each function's points and feedback, from the submission's stored report, into its grade cell."""

    def preprocess(self, nb, resources):
        if FINGERPRINT not in resources:  # not the assignment's graded notebook
            return nb, resources
        info = resources["nbgrader"]
        assignment = config.assignment(info["assignment"])
        report = ReportStore(assignment.id).report(info["student"], resources[FINGERPRINT])
        if report is None:
            raise GraderFault(
                f"the report store has no report of {info['student']}'s submitted files: run "
                f"`python -m autograder autograde {assignment.id}`, which grades and records them"
            )
        write_results(nb, report, assignment)
        return nb, resources


def write_results(nb, report, assignment):
    """Give each ``test_<function>`` grade cell the function's feedback and points (from course_config.py, never
    from the submitted notebook's metadata) as its outputs; any other cell claiming to be a grade cell stops
    being one (nbgrader would give a grade cell without outputs full marks)."""
    general = [f"Error: {report.error}"] if report.error else []
    general += [f"Note: {note}" for note in report.notes]
    earned = report.function_points(assignment.points)
    for cell in nb.cells:
        metadata = cell.metadata.get("nbgrader", {}) if cell.cell_type == "code" else {}
        if not metadata.get("grade"):
            continue
        function = str(metadata.get("grade_id", "")).removeprefix(TEST_PREFIX)
        if metadata.get("grade_id") != TEST_PREFIX + function or function not in assignment.points:
            metadata["grade"] = False
            cell.outputs = []
            continue
        lines = general + report.function_feedback(function, earned[function], assignment.points[function])
        general = []
        cell.outputs = [
            new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
            *(replay_output(measure) for measure in report.measures if measure.function == function and measure.replay),
            new_output("execute_result", data={"text/plain": repr(earned[function])}, execution_count=None),
        ]
        cell.execution_count = None


def replay_output(measure):
    """A display output that shows the replay of the grader's own episode, inline, with its caption."""
    source = "data:image/gif;base64," + base64.b64encode(measure.replay).decode("ascii")
    caption = html.escape(measure.replay_caption)
    return new_output(
        "display_data",
        data={
            "text/html": f'<figure class="kit-replay"><img src="{source}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>",
            "text/plain": measure.replay_caption,
        },
    )
