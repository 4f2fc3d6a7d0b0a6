"""Helpers for the kit's own tests: grading notebooks through the CLI, and building variants of them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config  # noqa: E402  (the course root must be importable first)


def run_cli(*arguments, env=None, timeout=900):
    """Run ``python -m autograder ARGUMENTS`` from the course root; the completed process."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, arguments)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def grade(assignment_id, notebook, functions=()):
    """The JSON report for one notebook (only ``functions``' tests, if given), asserting the grader made one
    without a fault."""
    result = run_cli("grade", assignment_id, notebook, "--json", *(["--functions", *functions] if functions else []))
    assert result.returncode == 0, f"the grader failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return json.loads(result.stdout)


def by_function(report):
    """{function: (points, max_points)} of a report."""
    totals = {}
    for test in report["tests"]:
        got, most = totals.get(test["function"], (0.0, 0.0))
        totals[test["function"]] = (got + test["points"], most + test["max_points"])
    return {function: (round(got, 6), round(most, 6)) for function, (got, most) in totals.items()}


def write_variant(directory, assignment_id, cells, base="solutions", name="variant"):
    """A copy of the reference (or release) notebook with some cells' sources replaced, by grade_id."""
    assignment = config.assignment(assignment_id)
    notebook = json.loads(config.path(base, assignment.id, assignment.notebook).read_text())
    unknown = set(cells) - {cell["metadata"].get("nbgrader", {}).get("grade_id") for cell in notebook["cells"]}
    if unknown:
        raise ValueError(f"no cells {sorted(unknown)} in {assignment_id}")
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell["source"] = cells[grade_id]
    path = Path(directory) / f"{name}.ipynb"
    path.write_text(json.dumps(notebook))
    return path


def reference_cell(assignment_id, grade_id):
    """The source of a cell of the reference solution."""
    assignment = config.assignment(assignment_id)
    notebook = json.loads(config.path("solutions", assignment.id, assignment.notebook).read_text())
    (cell,) = [cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
    return "".join(cell["source"])


@pytest.fixture
def variant(tmp_path):
    """``variant(assignment_id, {grade_id: source}, base=...)`` writes a notebook and returns its path."""
    def make(assignment_id, cells, base="solutions"):
        return write_variant(tmp_path, assignment_id, cells, base)
    return make
