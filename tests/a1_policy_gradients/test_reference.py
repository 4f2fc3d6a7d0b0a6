"""The reference solution, executed top to bottom by papermill at CI size, scores full marks; the
untouched release scores nothing."""

import json

import papermill
import pytest

from autograder import config
from tests.conftest import grade

A1 = config.assignment("a1_policy_gradients")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The reference notebook as papermill executed it with the CI parameters from course_config.py."""
    folder = tmp_path_factory.mktemp("papermill")
    output = folder / A1.notebook
    papermill.execute_notebook(str(config.path("solutions", A1.id, A1.notebook)), str(output),
                               parameters=A1.ci_parameters, kernel_name="python3", cwd=str(folder),
                               progress_bar=False)
    return output


def test_the_reference_runs_top_to_bottom(executed):
    notebook = json.loads(executed.read_text())
    printed = "".join(output.get("text", "") if isinstance(output.get("text", ""), str) else "".join(output["text"])
                      for cell in notebook["cells"] for output in cell.get("outputs", []))
    for function in A1.points:
        assert f"{function}: the visible tests pass" in printed
    assert "mean return of the trained policy" in printed


def test_the_reference_scores_full_marks(executed):
    report = grade(A1.id, executed)
    assert report["score"] == report["max_score"] == A1.max_score, [t["feedback"] for t in report["tests"]
                                                                    if not t["passed"]]


def test_the_release_scores_zero():
    report = grade(A1.id, config.path("release", A1.id, A1.notebook))
    assert report["score"] == 0 and report["error"] is None
