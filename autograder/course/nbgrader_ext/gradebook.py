"""The course's nbgrader gradebook, driven in-process: what was collected, recording a report, reading grades.

The batch records every report through nbgrader's own ``autograde`` (its API, the
one the formgrader uses), so the kit's ``WriteGrades`` stage writes the points
and nbgrader's stages store them, apply late penalties and write the autograded
notebook that ``generate_feedback`` renders. Where nbgrader cannot or must not read a
submission, ``record_points`` writes the grader's points and nbgrader's late penalty
directly. Only the batch's main process writes here, one submission at a time.
"""

import glob
from pathlib import Path

from nbformat.v4 import new_notebook
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config.loader import PyFileConfigLoader

from autograder import config
from autograder.course.nbgrader_ext.late import SetDueDate
from autograder.course.nbgrader_ext.setpoints import TEST_PREFIX
from autograder.course.submission import Submission


class RecordingFailed(Exception):
    """nbgrader could not record a report (the message has its log)."""


class CourseGradebook:
    """nbgrader's view of one assignment of the course at the course root."""

    def __init__(self, assignment_id):
        self.assignment_id = assignment_id
        nbgrader_config = PyFileConfigLoader("nbgrader_config.py", path=str(config.ROOT)).load_config()
        self.coursedir = CourseDirectory(config=nbgrader_config)
        self.api = NbGraderAPI(self.coursedir, config=nbgrader_config)
        with self._open() as gradebook:
            try:
                gradebook.find_assignment(assignment_id)
            except MissingEntry:
                raise RecordingFailed(
                    f"the gradebook has no assignment {assignment_id!r}: run `nbgrader "
                    f"generate_assignment {assignment_id}` (and release it) first"
                ) from None

    def _open(self):
        return Gradebook(self.coursedir.db_url, self.coursedir.course_id)

    def collected(self):
        """The submissions ``nbgrader collect`` has put in the submitted directory, by student."""
        pattern = self.coursedir.format_path(self.coursedir.submitted_directory, "*", self.assignment_id)
        return [
            Submission(self.assignment_id, Path(path).parent.name, Path(path))
            for path in sorted(glob.glob(pattern))
            if Path(path).is_dir()
        ]

    def is_graded(self, student):
        """Whether the gradebook holds an automatic score for every grade cell of the student's submission."""
        with self._open() as gradebook:
            try:
                submission = gradebook.find_submission(self.assignment_id, student)
            except MissingEntry:
                return False
            grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
            return bool(grades) and all(grade.auto_score is not None for grade in grades)

    def record(self, student):
        """Run nbgrader's autograde for one student (the stage takes the stored report); RecordingFailed."""
        result = self.api.autograde(self.assignment_id, student, force=True, create=True)
        if not result["success"]:
            raise RecordingFailed(
                f"nbgrader autograde {self.assignment_id} --student={student} failed:\n"
                f"{result.get('log', '')[-3000:]}{result.get('error', '')[-3000:]}"
            )

    def function_points(self, student):
        """{function: automatic points} of the student's submission as the gradebook holds them ({} if none)."""
        with self._open() as gradebook:
            try:
                submission = gradebook.find_submission(self.assignment_id, student)
            except MissingEntry:
                return {}
            return {
                grade.name.removeprefix(TEST_PREFIX): grade.auto_score
                for notebook in submission.notebooks
                for grade in notebook.grades
            }

    def record_points(self, student, points):
        """Write the grader's points per function straight into the student's grade cells, then nbgrader's late
        penalty: for a submission nbgrader's autograde cannot, or must not, read (links, broken metadata)."""
        submitted = self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment_id)
        timestamp = self.coursedir.get_existing_timestamp(submitted)
        with self._open() as gradebook:
            gradebook.update_or_create_student(student)
            submission = gradebook.update_or_create_submission(
                self.assignment_id, student, **({"timestamp": timestamp} if timestamp else {})
            )
            notebooks = [notebook.name for notebook in submission.notebooks]
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = min(points.get(grade.name.removeprefix(TEST_PREFIX), 0.0), grade.max_score)
                    grade.needs_manual_grade = False
            gradebook.db.commit()
        for stage in (SetDueDate(config=self.api.config), AssignLatePenalties(config=self.api.config)):
            for notebook in notebooks:
                stage.preprocess(
                    new_notebook(),
                    {
                        "nbgrader": {
                            "notebook": notebook,
                            "assignment": self.assignment_id,
                            "student": student,
                            "db_url": self.coursedir.db_url,
                        }
                    },
                )

    def scores(self):
        """{student: {"score" (after the late penalty), "max_score", "late_penalty", "functions": {grade cell id:
        score}}}."""
        with self._open() as gradebook:
            assignment = gradebook.find_assignment(self.assignment_id)
            return {
                submission.student.id: {
                    "score": submission.score - (submission.late_submission_penalty or 0.0),
                    "max_score": submission.max_score,
                    "late_penalty": submission.late_submission_penalty,
                    "functions": {
                        grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                    },
                }
                for submission in assignment.submissions
            }
