"""Faults of the grader, never of a student: one base class, so that every command and stage catches them alike.

A grader fault means the submission was not graded (no safe sandbox on this machine, missing or broken course
files, a reference that fails its own tests, a hidden test calling with undeclared inputs, a worker with other
course files than the batch's). The command says what to fix; the batch keeps a report that says so and grades
the submission again on its next run. What a student's code does wrong is never one of these.
"""


class GraderFault(Exception):
    """The grader could not grade: its message says what to fix; the student is not to blame."""
