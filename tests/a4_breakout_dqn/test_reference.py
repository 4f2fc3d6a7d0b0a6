"""The reference solution, executed top to bottom by papermill at CI size, trains an agent, exports its weights
and passes every pipeline test, and the grader plays the weights it exported; the untouched release scores
nothing; the support file is released as written."""

import json
import re

import pytest

from autograder import config
from tests.conftest import executed_reference, grade, quick_course

A4 = config.assignment("a4_breakout_dqn")
MILESTONE = "test_trained_agent_reaches_the_band"


@pytest.fixture
def executed(tmp_path_factory):
    """The reference notebook as papermill executed it with the CI parameters, beside its support files."""
    return executed_reference(tmp_path_factory, A4)


@pytest.mark.slow
def test_the_reference_runs_top_to_bottom_and_exports_its_weights(executed):
    notebook = json.loads(executed.read_text())
    printed = "".join(
        "".join(output.get("text", "")) for cell in notebook["cells"] for output in cell.get("outputs", [])
    )
    for function in A4.points:
        assert f"{function}: the visible tests pass" in printed
    iterations = A4.ci_parameters["n_iterations"]
    kept = re.search(
        rf"wrote {re.escape(A4.grading.weights_file)}: the weights after (\d+) of {iterations} training iterations",
        printed,
    )
    curve_points = {int(point) for point in re.findall(r"^iteration (\d+):", printed, re.MULTILINE)}
    assert kept and int(kept[1]) in curve_points  # the weights of a point of the learning curve
    assert (executed.parent / A4.grading.weights_file).is_file()


@pytest.mark.slow
def test_the_reference_passes_the_pipeline_and_its_weights_are_played(executed, tmp_path):
    report = grade(A4.id, executed, course=quick_course(tmp_path / "course", A4.id))  # fewer, shorter games
    pipeline = [test for test in report["tests"] if not test["name"].startswith(MILESTONE)]
    assert all(test["passed"] for test in pipeline), [
        (test["name"], test["feedback"]) for test in pipeline if not test["passed"]
    ]
    milestone = [test for test in report["tests"] if test["name"].startswith(MILESTONE)]
    assert len(milestone) == len(A4.grading.score_bands)
    assert all(test["passed"] or "mean score over the grader's" in test["feedback"] for test in milestone)


@pytest.mark.slow
def test_the_release_scores_zero():
    report = grade(A4.id, config.path("release", A4.id, A4.notebook))
    assert report["score"] == 0 and report["error"] is None
    assert all(
        "no q_weights.npz was submitted" in test["feedback"]
        for test in report["tests"]
        if test["name"].startswith(MILESTONE)
    )


@pytest.mark.parametrize("kind", ["release", "solutions"])
def test_the_support_files_are_released_as_written(kind):
    for name in A4.support_files:
        assert config.path(kind, A4.id, name).read_bytes() == config.path("source", A4.id, name).read_bytes()


def test_the_notebook_states_the_graders_protocol():
    """The release tells students how the grader plays their weights, with course_config.py's values."""
    notebook = json.loads(config.path("release", A4.id, A4.notebook).read_text())
    text = " ".join("".join(cell["source"]) for cell in notebook["cells"]).replace("\n", " ")
    settings = A4.grading
    for stated in (
        f"plays {settings.eval_episodes} full games",
        f"\u03b5 = {settings.eval_epsilon:g}",
        f"max_steps={settings.eval_max_steps:_}",
        f"{settings.eval_max_steps:,} steps",
    ):
        assert stated in text, stated
