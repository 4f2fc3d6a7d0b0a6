"""Due dates and late penalties from course_config.py, through nbgrader's own late-penalty machinery.

``SetDueDate`` writes the assignment's due date (``CYCLE.due_dates``) into the
gradebook, both when the assignment is generated and before nbgrader's
``AssignLatePenalties`` computes how late each submission is. ``PenaltyPerDay`` is
a plugin for ``AssignLatePenalties``: a fraction of the score per started day late.
"""

import math

from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float

from autograder import config

DAY_S = 24 * 3600


def due_date(assignment_id):
    """The assignment's due date from course_config.py, or None."""
    return dict(config.load().CYCLE.due_dates).get(assignment_id)


class SetDueDate(NbGraderPreprocessor):
    """Make the gradebook's due date of the assignment the one course_config.py gives."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        due = due_date(info["assignment"])
        if due is not None and info.get("db_url"):
            with Gradebook(info["db_url"]) as gradebook:
                gradebook.update_or_create_assignment(info["assignment"], duedate=due)
        return nb, resources


class PenaltyPerDay(LateSubmissionPlugin):
    """Take ``fraction_per_day`` of the notebook's score for every started day past the due date."""

    fraction_per_day = Float(0.1, help="Fraction of the score lost per started day late.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / DAY_S)
        return min(score, score * self.fraction_per_day * days)


def configure(c):
    """Point nbgrader's ``AssignLatePenalties`` at the method course_config.py names."""
    cycle = config.load().CYCLE
    if cycle.late_penalty == "per_day":
        c.AssignLatePenalties.plugin_class = PenaltyPerDay
        c.PenaltyPerDay.fraction_per_day = cycle.late_fraction_per_day
    elif cycle.late_penalty in ("none", "zero"):
        c.AssignLatePenalties.plugin_class = LateSubmissionPlugin
        c.LateSubmissionPlugin.penalty_method = cycle.late_penalty
    else:
        raise ValueError(
            f"course_config.CYCLE.late_penalty is {cycle.late_penalty!r}; expected 'none', 'zero' or 'per_day'"
        )
