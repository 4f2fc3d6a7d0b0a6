"""release/ and solutions/ are what nbgrader makes of source/ with course_config.py: checked for drift."""

import ast
import json
import os
import shutil

import pytest

from autograder import config
from tests.conftest import ROOT, run_cli


def test_release_and_solutions_match_source():
    result = run_cli("build", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_drift_is_detected(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "release", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, course / name)
    os.symlink(ROOT / "autograder", course / "autograder")
    source = course / "source" / "a1_policy_gradients" / "a1_policy_gradients.ipynb"
    notebook = json.loads(source.read_text())
    notebook["cells"][0]["source"] = "# An edited introduction\n"
    source.write_text(json.dumps(notebook))
    result = run_cli("build", "a1_policy_gradients", "--check", env={**os.environ, "COURSE_ROOT": str(course)})
    assert result.returncode == 1 and "release/a1_policy_gradients/a1_policy_gradients.ipynb differs" in result.stdout


def test_points_come_from_course_config():
    for assignment in config.load().ASSIGNMENTS:
        notebook = json.loads(config.path("release", assignment.id, assignment.notebook).read_text())
        points = {
            cell["metadata"]["nbgrader"]["grade_id"]: cell["metadata"]["nbgrader"]["points"]
            for cell in notebook["cells"]
            if cell["metadata"].get("nbgrader", {}).get("grade")
        }
        assert points == {f"test_{function}": value for function, value in assignment.points.items()}


@pytest.mark.parametrize("assignment", config.load().ASSIGNMENTS, ids=lambda assignment: assignment.id)
def test_parameters_cells_match_course_config(assignment):
    notebook = json.loads(config.path("release", assignment.id, assignment.notebook).read_text())
    cells = [cell for cell in notebook["cells"] if "parameters" in cell["metadata"].get("tags", [])]
    assert len(cells) == 1, "expected one cell tagged parameters"
    tree = ast.parse("".join(cells[0]["source"]))
    assert {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body} == assignment.parameters
    assert set(assignment.ci_parameters) <= set(assignment.parameters)


def test_released_stubs_raise_and_outputs_are_stripped():
    for assignment in config.load().ASSIGNMENTS:
        for kind in ("source", "release", "solutions"):
            notebook = json.loads(config.path(kind, assignment.id, assignment.notebook).read_text())
            assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
        release = json.loads(config.path("release", assignment.id, assignment.notebook).read_text())
        solutions = {
            cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
            for cell in release["cells"]
            if cell["metadata"].get("nbgrader", {}).get("solution")
        }
        assert set(solutions) == set(assignment.points)
        assert all(
            "raise NotImplementedError()" in source and "BEGIN SOLUTION" not in source for source in solutions.values()
        )
