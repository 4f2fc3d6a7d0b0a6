"""Helpers for the kit's own tests: grading notebooks through the CLI, and building variants of them."""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config  # noqa: E402  (the course root must be importable first)
from autograder.course.nbgrader_ext import commands  # noqa: E402


def once_per_run(tmp_path_factory, name, make):
    """``make(directory)``'s JSON result, made once for the whole test run in a directory shared by the xdist
    workers: the first to get here makes it, the others wait for it and reuse it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    directory = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = directory / "made.json"
        if not done.exists():
            shutil.rmtree(directory, ignore_errors=True)  # what a failed attempt left
            directory.mkdir()
            result = make(directory)
            done.write_text(json.dumps(result))
    return directory, json.loads(done.read_text())


def executed_reference(tmp_path_factory, assignment):
    """The assignment's reference notebook as papermill executed it top to bottom with the CI parameters (beside
    its support files), once per run."""

    def execute(folder):
        for name in assignment.support_files:
            shutil.copy(config.path("solutions", assignment.id, name), folder)
        papermill.execute_notebook(
            str(config.path("solutions", assignment.id, assignment.notebook)),
            str(folder / assignment.notebook),
            parameters=assignment.ci_parameters,
            kernel_name="python3",
            cwd=str(folder),
            progress_bar=False,
        )
        return str(folder / assignment.notebook)

    return Path(once_per_run(tmp_path_factory, f"executed-{assignment.id}", execute)[1])


def run_cli(*arguments, env=None, timeout=900):
    """Run ``python -m autograder ARGUMENTS`` from the course root; the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, arguments)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def grade(assignment_id, notebook, functions=(), course=None):
    """The JSON report for one notebook (only ``functions``' tests, if given), asserting the grader made one
    without a fault; graded by the course at ``course`` if given (e.g. a ``quick_course``)."""
    environment = {**os.environ, "COURSE_ROOT": str(course)} if course else None
    result = run_cli(
        "grade", assignment_id, notebook, "--json", *(["--functions", *functions] if functions else []), env=environment
    )
    assert result.returncode == 0, f"the grader failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return json.loads(result.stdout)


def quick_course(directory, assignment_id):
    """A copy of this course, release included, that grades the assignment with its ``quick_grading`` settings."""
    root = commands.course_copy(directory)
    shutil.copytree(config.path("release"), root / config.load().PATHS.release)
    commands.grade_quickly(root, assignment_id)
    return root


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
