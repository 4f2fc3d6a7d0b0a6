"""``SetPoints``: give each visible-test cell its function's points from course_config.py."""

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder import config

TEST_PREFIX = "test_"


class SetPoints(NbGraderPreprocessor):
    """Set the points of grade cell ``test_<function>`` to the function's points in course_config.py.

    Source notebooks carry no points of their own: nbgrader's gradebook then holds
    one grade cell per graded function, worth what course_config.py says.
    """

    def preprocess(self, nb, resources):
        assignment = config.assignment(resources["nbgrader"]["assignment"])
        for cell in nb.cells:
            metadata = cell.metadata.get("nbgrader", {})
            if not metadata.get("grade"):
                continue
            function = metadata.get("grade_id", "").removeprefix(TEST_PREFIX)
            if function not in assignment.points:
                raise ValueError(
                    f"grade cell {metadata.get('grade_id')!r} of {assignment.id} has no points in "
                    f"course_config.py: name it test_<function> for one of {sorted(assignment.points)}"
                )
            metadata["points"] = assignment.points[function]
        return nb, resources
