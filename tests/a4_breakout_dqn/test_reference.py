"""The reference solution, executed top to bottom by papermill at CI size, trains an agent, exports the weights
of the best of its rechecked curve points and passes every pipeline test, and the grader plays the weights it
exported; the untouched release scores nothing; the support file is released as written; the training help
that shifts sampled frames shifts only what it should."""

import collections
import json
import re
import types

import numpy as np
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
    run = {**A4.parameters, **A4.ci_parameters}  # the parameters the reference ran with
    curve_games, more_games = run["n_eval_games"], run["recheck_games"]
    rechecked = {  # point: mean over all its games (means of 2 games of whole scores print exactly)
        int(point): (float(curve) * curve_games + float(more) * more_games) / (curve_games + more_games)
        for point, curve, more in re.findall(
            r"^rechecked the point at (\d+) iterations: mean score ([\d.]+) on the curve, ([\d.]+) in \d+ more games",
            printed,
            re.MULTILINE,
        )
    }
    assert len(rechecked) == min(run["recheck_points"], len(curve_points))
    assert set(rechecked) <= curve_points
    assert kept and rechecked.get(int(kept[1])) == max(rechecked.values())  # the best rechecked point's weights
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


@pytest.fixture(scope="module")
def shifting():
    """The namespace of the reference's cell that defines random_shift and ShiftedReplayBuffer (training help,
    not graded)."""
    import tensorflow as tf

    notebook = json.loads(config.path("solutions", A4.id, A4.notebook).read_text())
    (source,) = (
        "".join(cell["source"]) for cell in notebook["cells"] if "class ShiftedReplayBuffer" in "".join(cell["source"])
    )
    namespace = {"tf": tf}
    exec(compile(source, "<shifting cell>", "exec"), namespace)
    return namespace


def offsets(frames, shifted, pad):
    """The (row, column) offset in the mirror-padded frame of each shifted frame (None where none fits)."""
    found = []
    for frame, image in zip(frames, shifted):
        padded = np.pad(frame, ((pad, pad), (pad, pad), (0, 0)), mode="symmetric")
        fits = [
            (row, column)
            for row in range(2 * pad + 1)
            for column in range(2 * pad + 1)
            if np.array_equal(padded[row : row + frame.shape[0], column : column + frame.shape[1]], image)
        ]
        found.append(fits[0] if fits else None)
    return found


def test_random_shift_moves_each_frame_by_whole_pixels_within_the_pad(shifting):
    frames = np.random.default_rng(0).integers(0, 256, (64, 84, 84, 4), dtype=np.uint8)
    shifted = shifting["random_shift"](frames, pad=4).numpy()
    assert shifted.dtype == np.uint8 and shifted.shape == frames.shape
    found = offsets(frames, shifted, pad=4)
    assert None not in found
    assert len(set(found)) > 10  # 81 offsets, drawn at random for each frame


def test_the_shifted_buffer_shifts_only_the_first_and_last_observation(shifting):
    sequence = collections.namedtuple("Sequence", "observation reward")
    frames = np.random.default_rng(1).integers(0, 256, (8, 5, 84, 84, 4), dtype=np.uint8)
    rewards = np.arange(40, dtype=np.float32).reshape(8, 5)
    buffer = types.SimpleNamespace(add_batch="the buffer's observer")
    view = shifting["ShiftedReplayBuffer"](buffer, pad=4)
    shifted, info = view.shift(sequence(frames, rewards), "info")
    observation = shifted.observation.numpy()
    np.testing.assert_array_equal(observation[:, 1:-1], frames[:, 1:-1])
    assert None not in offsets(frames[:, 0], observation[:, 0], pad=4)
    assert None not in offsets(frames[:, -1], observation[:, -1], pad=4)
    assert not np.array_equal(observation[:, [0, -1]], frames[:, [0, -1]])
    assert shifted.reward is rewards and info == "info" and view.add_batch == "the buffer's observer"
