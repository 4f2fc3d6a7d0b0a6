"""nbgrader configured from course_config.py, with the kit's own pipeline stages.

``nbgrader_config.py`` at the course root calls ``configure(get_config())``, so
nbgrader's commands (``nbgrader generate_assignment a1_policy_gradients`` ...) use
the course's settings without repeating them. ``nbgrader autograde`` grades with the
sandboxed grader (``EnsureReport`` and ``WriteGrades`` instead of nbgrader's in-kernel ``Execute``).
"""

import sys

from nbgrader.preprocessors import (
    AssignLatePenalties,
    ClearMarkScheme,
    ClearOutput,
    Execute,
    IncludeHeaderFooter,
    LockCells,
)

from autograder import config
from autograder.course import course_lock
from autograder.course.nbgrader_ext import late
from autograder.course.nbgrader_ext.collect import SafeCollect
from autograder.course.nbgrader_ext.ensure_report import EnsureReport
from autograder.course.nbgrader_ext.hidden_checks import ListHiddenChecks
from autograder.course.nbgrader_ext.late import SetDueDate
from autograder.course.nbgrader_ext.setpoints import SetPoints
from autograder.course.nbgrader_ext.write_grades import WriteGrades


def configure(c):
    """Fill nbgrader's config object ``c`` from course_config.py."""
    course = config.load()
    if sys.argv[1:2] == ["autograde"]:
        _one_grader_at_a_time()
    c.CourseDirectory.course_id = course.COURSE_ID
    c.CourseDirectory.root = str(config.ROOT)
    c.CourseDirectory.source_directory = course.PATHS.source
    c.CourseDirectory.release_directory = course.PATHS.release
    c.CourseDirectory.solution_directory = course.PATHS.solutions
    c.CourseDirectory.feedback_directory = course.PATHS.feedback
    if course.CYCLE.db_url:
        c.CourseDirectory.db_url = course.CYCLE.db_url
    c.Exchange.root = str(config.ROOT / course.CYCLE.exchange)
    c.ExchangeFactory.collect = SafeCollect  # nbgrader's own follows students' links as the instructor
    c.Exchange.assignment_dir = str(config.ROOT)
    # Points and due dates come from course_config.py: set them before nbgrader checks or records any cell.
    from nbgrader.converters import Autograde, GenerateAssignment

    c.GenerateAssignment.preprocessors = [
        SetPoints,
        ListHiddenChecks,
        SetDueDate,
        *GenerateAssignment.class_traits()["preprocessors"].default(),
    ]
    # The reference keeps its solutions and is not executed here (CI runs it with papermill).
    c.GenerateSolution.preprocessors = [
        SetPoints,
        ListHiddenChecks,
        IncludeHeaderFooter,
        LockCells,
        ClearOutput,
        ClearMarkScheme,
    ]
    c.Autograde.autograde_preprocessors = autograde_stages(
        Autograde.class_traits()["autograde_preprocessors"].default()
    )
    late.configure(c)


def _one_grader_at_a_time():
    """Take the course's grading lock before nbgrader's autograde touches anything, or stop it. (An exception
    would not do: nbgrader logs errors in its config file and goes on without the file.)"""
    try:
        course_lock.acquire(config.ROOT)
    except course_lock.CourseBusy as busy:
        raise SystemExit(f"not grading: {busy}") from None


SANDBOXED_GRADING = [EnsureReport, WriteGrades]  # in the place of nbgrader's Execute, in this order


def autograde_stages(stages):
    """nbgrader's autograde stages with the sandboxed grader in place of in-kernel execution."""
    replaced = [kit for stage in stages for kit in (SANDBOXED_GRADING if stage is Execute else [stage])]
    if Execute not in stages:
        raise RuntimeError(
            f"nbgrader's autograde stages {stages} have no Execute to replace: check the nbgrader "
            "version against requirements.txt"
        )
    at = replaced.index(AssignLatePenalties)
    return [*replaced[:at], SetDueDate, *replaced[at:]]
