"""The catalogue of hostile submissions: ``cases/<name>.ipynb``, each with the outcome it must get.

Most cases attack assignment 2 (``ASSIGNMENT``), whose grading needs no TensorFlow: what
they test is the grader's defences, which are the same for every assignment, and they
are graded in one batch. A case that attacks what only another assignment has (the
evidence of its training loops, its statistical checks' inputs) names that assignment
and the ``functions`` to grade, and is graded on its own, on those functions' tests. A
case notebook holds only the hostile cells, by nbgrader ``grade_id``; its metadata
``adversarial`` says what it attacks and what it must get. The submitted notebook is
a correct one (the reference solution, which the classmate alice submits as it is) with
the case's cells in place of those cells, so every function the case leaves alone must
keep all its points.

``expect`` holds:

* ``zero``: the functions that earn nothing (``"all"`` for every function);
* ``failed``: instead, the tests that fail, as ``function::test`` (every other test passes);
* ``feedback``: text the feedback of a failed test shows (every failed test says what went wrong);
* ``feedback_exact``: the whole problem line every failed test shows, for cases that
  try to carry hidden inputs out: any input-dependent text would change it;
* ``error``: text of the report's error (for a submission that is not graded at all).

``submitted_as`` says how the batch submits it: as a ``notebook``, as a ``link to a
classmate's notebook``, or as a ``notebook with a link to the course root`` beside it.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder import config

ASSIGNMENT = config.assignment("a2_q_learning")
"""The assignment every case attacks."""
CASES = Path(__file__).resolve().parent / "cases"
MARK = "ADVERSARY-WAS-HERE"
"""The prefix of every file a case writes outside the sandbox if it can."""
KERNEL_SETTINGS = ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sys/kernel/hostname")
"""Host settings the cases try to change, read before and after they are graded."""
LEAK = "LEAK"
"""What every case that carries hidden inputs out puts before them."""
CLASSMATE = "alice"
"""The classmate who submits the correct notebook each case starts from."""


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    attack: str
    assignment: str
    submitted_as: str
    expect: dict
    cells: tuple
    functions: tuple = ()
    """The functions graded, for a case graded on its own; () for the batch's cases (every function)."""

    @property
    def student(self):
        return self.name

    def notebook(self):
        """The submitted notebook: the classmate's, with the case's cells in place of theirs (same grade_id);
        case cells of grade_ids the notebook lacks are added at the end."""
        notebook = json.loads(base_notebook(self.assignment).read_text())
        replacements = {grade_id(cell): cell for cell in self.cells}
        cells = [replacements.pop(grade_id(cell), cell) for cell in notebook["cells"]]
        notebook["cells"] = cells + list(replacements.values())
        return notebook

    def submit(self, root, place):
        """Put the case where ``nbgrader collect`` puts submissions, with ``place(root, student, bytes)``."""
        assignment = config.assignment(self.assignment)
        folder = place(root, self.student, json.dumps(self.notebook()).encode())
        if self.submitted_as == "link to a classmate's notebook":
            (folder / assignment.notebook).unlink()
            os.symlink(Path("..", "..", CLASSMATE, assignment.id, assignment.notebook), folder / assignment.notebook)
        elif self.submitted_as == "notebook with a link to the course root":
            os.symlink(Path(root).resolve(), folder / "course")
        elif self.submitted_as != "notebook":
            raise ValueError(f"{self.name}: unknown submitted_as {self.submitted_as!r}")
        return folder


def kernel_settings():
    """The host's values of ``KERNEL_SETTINGS``."""
    return {path: Path(path).read_text() for path in KERNEL_SETTINGS if Path(path).exists()}


def restore(settings):
    """Put back any of the host's settings a case changed (as root); the paths it changed."""
    changed = [path for path, value in settings.items() if Path(path).read_text() != value]
    for path in changed:
        if os.geteuid() == 0:
            Path(path).write_text(settings[path])
    return changed


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def base_notebook(assignment_id):
    """The classmate's correct notebook: the assignment's reference solution."""
    assignment = config.assignment(assignment_id)
    return config.path("solutions", assignment.id, assignment.notebook)


def load():
    """Every case of the catalogue, by name."""
    cases = {}
    for path in sorted(CASES.glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        described = notebook["metadata"]["adversarial"]
        cases[path.stem] = Case(
            path.stem,
            described["category"],
            described["attack"],
            described["assignment"],
            described["submitted_as"],
            described["expect"],
            tuple(cell for cell in notebook["cells"] if cell["cell_type"] == "code"),
            tuple(described.get("functions", ())),
        )
    return cases
