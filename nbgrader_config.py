"""nbgrader's configuration for this course: everything comes from course_config.py.

(nbgrader ignores ``--config FILE``; it reads this file from the course root.)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from autograder.course.nbgrader_ext import configure  # noqa: E402  (needs the path above)

configure(get_config())  # noqa: F821  (get_config is provided by nbgrader when it loads this file)
