"""The milestone's grader side (autograder/assignments/atari.py): the weights reader refuses every malformed or hostile
file with a clear message, the NumPy network is the notebook's, and the grader's games rank a scripted
ball-tracking player far above random play."""

import dataclasses
import io
import pickle
import zipfile

import numpy as np
import pytest

from autograder import config
from autograder.assignments import atari
from autograder.assignments import tf_agents_kit as kit
from autograder.runner import tf_agents_objects

SETTINGS = config.assignment("a4_breakout_dqn").grading
PLAYED = dataclasses.replace(SETTINGS, eval_episodes=8)
"""The grader's games, 8 of them here: enough to rank the players, a quarter of the time."""
SHAPES = atari.weight_shapes(SETTINGS)
NAMES = [name for name, _ in SHAPES]


@pytest.fixture(scope="module")
def weights():
    return kit.random_weights(np.random.default_rng(0), SHAPES)


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


class Canary:
    """Unpickling it would create the file it names."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def write(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def test_reads_what_np_savez_writes(tmp_path, weights):
    path = tmp_path / "q_weights.npz"
    np.savez(path, **dict(zip(NAMES, weights)))
    for got, want in zip(atari.load_q_weights(path, SETTINGS), weights):
        np.testing.assert_array_equal(got, want)


def malformed(tmp_path, weights, case):
    """A q_weights.npz made wrong in one way."""
    path, arrays = tmp_path / "q_weights.npz", dict(zip(NAMES, weights))
    if case == "missing":
        return path
    if case == "not a zip":
        path.write_text("conv1_kernel = [[1, 2], [3, 4]]")
    elif case == "pickled object":
        members = [(f"{name}.npy", npy(array)) for name, array in arrays.items() if name != "conv1_bias"]
        payload = np.array([Canary(tmp_path / "unpickled")], dtype=object)
        buffer = io.BytesIO()
        np.save(buffer, payload, allow_pickle=True)
        write(path, members + [("conv1_bias.npy", buffer.getvalue())])
    elif case == "pickle file":
        path.write_bytes(pickle.dumps(Canary(tmp_path / "unpickled")))
    elif case == "zip bomb":
        members = [(f"{name}.npy", npy(array)) for name, array in arrays.items() if name != "fc1_kernel"]
        write(path, members + [("fc1_kernel.npy", npy(np.zeros((3136, 512 * 4), np.float32)))], zipfile.ZIP_DEFLATED)
    elif case == "header larger than its data":
        data = npy(np.zeros(4, np.float32)).replace(b"(4,)", b"(32,)")
        members = [(f"{name}.npy", npy(array)) for name, array in arrays.items() if name != "conv1_bias"]
        write(path, members + [("conv1_bias.npy", data)])
    else:
        if case == "an array missing":
            del arrays["q_values_bias"]
        elif case == "an extra array":
            arrays["optimizer_state"] = np.zeros(3, np.float32)
        elif case == "a wrong shape":
            arrays["conv1_kernel"] = np.zeros((8, 8, 4, 16), np.float32)
        elif case == "float64":
            arrays["fc1_bias"] = arrays["fc1_bias"].astype(np.float64)
        elif case == "NaN":
            arrays["q_values_bias"] = np.full(4, np.nan, np.float32)
        np.savez(path, **arrays)
    return path


MALFORMED = {
    "missing": "no q_weights.npz was submitted beside the notebook",
    "not a zip": "is not a .npz file",
    "pickled object": "conv1_bias has dtype object, expected float32",
    "pickle file": "is not a .npz file",
    "zip bomb": "fc1_kernel has shape (3136, 2048), expected (3136, 512)",
    "header larger than its data": "conv1_bias in q_weights.npz holds fewer bytes of data than its header says",
    "an array missing": "it lacks q_values_bias",
    "an extra array": "it holds 'optimizer_state.npy', which is none of them",
    "a wrong shape": "conv1_kernel has shape (8, 8, 4, 16), expected (8, 8, 4, 32)",
    "float64": "fc1_bias has dtype float64, expected float32",
    "NaN": "q_values_bias holds NaN",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_refuses_a_malformed_file_with_a_clear_message(tmp_path, weights, case):
    path = malformed(tmp_path, weights, case)
    with pytest.raises(atari.WeightsError, match=MALFORMED[case].replace("(", r"\(").replace(")", r"\)")):
        atari.load_q_weights(path, SETTINGS)
    assert not (tmp_path / "unpickled").exists()


def test_refuses_a_file_over_the_size_limit(tmp_path, weights):
    path = tmp_path / "q_weights.npz"
    np.savez(path, **dict(zip(NAMES, weights)))
    with pytest.raises(atari.WeightsError, match="over the 1 MiB limit"):
        atari.load_q_weights(path, dataclasses.replace(SETTINGS, weights_bytes=2**20))


def test_the_numpy_network_is_the_notebooks(weights):
    network = tf_agents_objects.q_network(kit.q_network(SETTINGS, weights))
    frames = kit.random_frames(np.random.default_rng(1), SETTINGS, 6)
    np.testing.assert_allclose(
        atari.q_values(weights, frames, SETTINGS), network(frames)[0].numpy(), rtol=1e-4, atol=1e-5
    )


def track_the_ball(observations):
    """A scripted player: FIRE without a ball in view, else move the paddle (row 76) under the ball."""
    frames = observations[..., -1]
    columns = np.arange(5, 79)
    actions = np.ones(len(frames), dtype=np.int64)
    for index, frame in enumerate(frames):
        ball, paddle = frame[38:75, 5:79].max(axis=0) > 40, frame[76, 5:79] > 60
        if ball.any() and paddle.any():
            offset = columns[ball].mean() - columns[paddle].mean()
            actions[index] = 3 if offset < -2 else 2 if offset > 2 else 0
    return actions


@pytest.fixture(scope="module")
def random_scores():
    rng = np.random.default_rng(2)
    return atari.play(lambda observations: rng.integers(PLAYED.n_actions, size=len(observations)), PLAYED)


@pytest.mark.slow
def test_random_play_reaches_no_band(random_scores):
    assert len(random_scores) == PLAYED.eval_episodes
    assert random_scores.mean() < PLAYED.score_bands[0], random_scores


@pytest.mark.slow
def test_a_ball_tracker_scores_far_above_random_and_passes(random_scores):
    scores = atari.play(track_the_ball, PLAYED)
    assert scores.mean() >= max(PLAYED.score_bands[0], 5 * random_scores.mean()), (scores, random_scores)


class ScriptedGames:
    """Two games whose rewards, lives and ends follow SCRIPT, whatever the actions."""

    SCRIPT = [  # (rewards, lives, terminated) of each step
        ([1, 0], [5, 5], [False, False]),
        ([0, 7], [4, 5], [False, False]),
        ([4, 0], [4, 4], [False, False]),
        ([0, 1], [3, 3], [True, False]),
        ([9, 1], [3, 3], [False, True]),
    ]

    def __init__(self):
        self.steps = iter(self.SCRIPT)
        self.observations = np.zeros((2, 4, 84, 84), np.uint8)

    def reset(self, seed):
        return self.observations, {"lives": np.array([5, 5])}

    def step(self, actions):
        rewards, lives, terminated = next(self.steps)
        return (
            self.observations,
            np.array(rewards, float),
            np.array(terminated),
            np.zeros(2, bool),
            {"lives": np.array(lives)},
        )

    def close(self):
        pass


def test_scores_are_split_by_the_ball_in_play_when_they_were_earned(monkeypatch):
    settings = dataclasses.replace(SETTINGS, eval_episodes=2, eval_epsilon=0.0)
    monkeypatch.setattr(atari, "make_games", lambda settings, n_games: ScriptedGames())
    by_ball = atari.play(lambda observations: np.zeros(len(observations), np.int64), settings, by_ball=True)
    np.testing.assert_array_equal(by_ball, [[1, 4, 0, 0, 0], [7, 1, 1, 0, 0]])
    monkeypatch.setattr(atari, "make_games", lambda settings, n_games: ScriptedGames())
    np.testing.assert_array_equal(
        atari.play(lambda observations: np.zeros(len(observations), np.int64), settings), [5, 9]
    )
