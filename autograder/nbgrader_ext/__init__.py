"""nbgrader configured from course_config.py, with the kit's own pipeline stages.

``nbgrader_config.py`` at the course root calls ``configure(get_config())``, so
nbgrader's commands (``nbgrader generate_assignment a1_policy_gradients`` ...) use
the course's settings without repeating them.
"""

from nbgrader.preprocessors import ClearMarkScheme, ClearOutput, IncludeHeaderFooter, LockCells

from autograder import config
from autograder.nbgrader_ext.setpoints import SetPoints


def configure(c):
    """Fill nbgrader's config object ``c`` from course_config.py."""
    course = config.load()
    c.CourseDirectory.course_id = course.COURSE_ID
    c.CourseDirectory.root = str(config.ROOT)
    c.CourseDirectory.source_directory = course.PATHS.source
    c.CourseDirectory.release_directory = course.PATHS.release
    c.CourseDirectory.solution_directory = course.PATHS.solutions
    c.Exchange.assignment_dir = str(config.ROOT)
    # Points come from course_config.py: set them before nbgrader checks or records any cell.
    from nbgrader.converters import GenerateAssignment
    c.GenerateAssignment.preprocessors = [SetPoints, *GenerateAssignment.class_traits()["preprocessors"].default()]
    # The reference keeps its solutions and is not executed here (CI runs it with papermill).
    c.GenerateSolution.preprocessors = [SetPoints, IncludeHeaderFooter, LockCells, ClearOutput, ClearMarkScheme]
