"""``ListHiddenChecks``: under each visible-test cell, what the hidden tests of that function check.

The visible tests check a few cases; the hidden ones check more, on inputs students do
not see. So that passing the visible tests promises no more than it checks, the build
appends to each ``test_<function>`` cell the descriptions of that function's hidden
tests (their docstrings' first lines, as the feedback shows them), never their inputs
or code.
"""

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder import config
from autograder.course.nbgrader_ext.setpoints import TEST_PREFIX
from autograder.grading.grade import hidden_test_descriptions

HEADER = "# The visible tests above check a few cases. The grader's hidden tests check, on inputs of their own:"


class ListHiddenChecks(NbGraderPreprocessor):
    """Append to each visible-test cell the list of its function's hidden tests."""

    def preprocess(self, nb, resources):
        assignment = config.assignment(resources["nbgrader"]["assignment"])
        described = hidden_test_descriptions(assignment)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            function = grade_id.removeprefix(TEST_PREFIX)
            if cell.cell_type == "code" and grade_id == TEST_PREFIX + function and function in described:
                lines = [HEADER] + [f"#   - {description}" for description in described[function]]
                cell.source = cell.source.rstrip("\n") + "\n\n" + "\n".join(lines)
        return nb, resources
