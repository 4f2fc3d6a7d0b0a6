"""Assignment 4's milestone: a trained Q-network's weights, read as plain arrays and played by the grader.

No student code runs here. ``load_q_weights`` reads the submitted ``.npz`` file as
data only (``npz_file``: what ``np.savez`` writes and nothing else, its size capped
and every member read through a streaming cap), and each array's dtype and shape
must be those of the notebook's network (its architecture comes from
course_config.py). ``q_values`` is that network in NumPy. ``play`` runs
the grader's own Breakout games, all in parallel in one ``AtariVectorEnv``, and
counts their scores.
"""

from pathlib import Path

import ale_py
import gymnasium as gym
import numpy as np

from autograder.assignments import replays
from autograder.grading import npz_file

gym.register_envs(ale_py)


class WeightsError(Exception):
    """A weights file the grader cannot use; the message tells the student why."""


def weight_shapes(settings, n_actions=None):
    """``[(name, shape)]`` of the Q-network's weights, in the order of ``q_net.get_weights()``."""
    height, width, channels = settings.observation_shape
    shapes = []
    for index, (filters, kernel, stride) in enumerate(settings.conv_layers, start=1):
        shapes += [(f"conv{index}_kernel", (kernel, kernel, channels, filters)), (f"conv{index}_bias", (filters,))]
        height, width, channels = (height - kernel) // stride + 1, (width - kernel) // stride + 1, filters
    inputs = height * width * channels
    for index, units in enumerate(settings.fc_layers, start=1):
        shapes += [(f"fc{index}_kernel", (inputs, units)), (f"fc{index}_bias", (units,))]
        inputs = units
    n_actions = settings.n_actions if n_actions is None else n_actions
    return shapes + [("q_values_kernel", (inputs, n_actions)), ("q_values_bias", (n_actions,))]


def load_q_weights(source, settings, file_name=None):
    """The weights in the .npz file at ``source`` (a path, or the file's bytes), in network order; WeightsError
    saying what is wrong."""
    expected = dict(weight_shapes(settings))
    if isinstance(source, bytes):
        file_name = file_name or settings.weights_file
        if len(source) > settings.weights_bytes:
            raise WeightsError(_too_large(file_name, len(source), settings))
    else:
        source = Path(source)
        file_name = source.name
        if source.is_symlink():
            raise WeightsError(
                f"{file_name} is a symbolic link, which the grader never follows: submit the file itself"
            )
        if not source.is_file():
            raise WeightsError(
                f"no {file_name} was submitted beside the notebook: after training, "
                f"export_q_weights(q_net, {file_name!r}) writes it; submit it with the notebook"
            )
        if source.stat().st_size > settings.weights_bytes:
            raise WeightsError(_too_large(file_name, source.stat().st_size, settings))
    try:
        arrays = npz_file.read(source, expected, file_name)
    except npz_file.NpzError as error:
        raise WeightsError(str(error)) from None
    for name, array in zip(expected, arrays):
        if not np.isfinite(array).all():
            raise WeightsError(f"{name} holds NaN or infinite values: training diverged")
    return arrays


def _too_large(file_name, size, settings):
    return (
        f"{file_name} is {size / 2**20:.1f} MiB, over the {settings.weights_bytes / 2**20:.0f} MiB limit: it "
        "should hold only the Q-network's weights"
    )


def q_values(weights, observations, settings):
    """The network's Q-values, shape (batch, n_actions), for uint8 observations of shape (batch, 84, 84, 4)."""
    x = np.asarray(observations, dtype=np.float32) / np.float32(255.0)
    layers = iter(zip(weights[0::2], weights[1::2]))
    for (_, _, stride), (kernel, bias) in zip(settings.conv_layers, layers):
        x = np.maximum(_convolve(x, kernel, stride) + bias, 0.0)
    x = x.reshape(len(x), -1)
    for _, (kernel, bias) in zip(settings.fc_layers, layers):
        x = np.maximum(x @ kernel + bias, 0.0)
    kernel, bias = next(layers)
    return x @ kernel + bias


def _convolve(x, kernel, stride):
    """A 'valid' 2-D convolution of NHWC images with an HWIO kernel, as Keras computes it."""
    size = kernel.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    batch, height, width = windows.shape[:3]
    columns = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(batch * height * width, -1)
    return (columns @ kernel.reshape(-1, kernel.shape[-1])).reshape(batch, height, width, -1)


def game_options(settings, training):
    """AtariVectorEnv's options for the course's games: training ones end an episode at each life loss."""
    return dict(settings.env_options) | (dict(settings.training_env_options) if training else {})


def make_games(settings, n_games, training=False):
    """The grader's Breakout: n_games games in emulators stepped together (training ones end an episode at each
    life loss)."""
    return gym.make_vec(
        settings.env_id, num_envs=n_games, vectorization_mode="vector_entry_point", **game_options(settings, training)
    )


def play(choose, settings, by_ball=False, replay=None):
    """Scores of settings.eval_episodes full games, one per emulator, from settings.eval_seed.

    At each step every unfinished game takes a random action with probability
    settings.eval_epsilon, else ``choose(observations)``, an action per observation
    (uint8, shape (games, 84, 84, 4)). A game stops counting at its end or after
    settings.eval_max_steps steps. With ``by_ball``, each game's score is split by
    the ball (life) in play when it was earned: shape (games, lives at the start). ``replay`` (a
    ``replays.Replay``) records the first game.
    """
    n_games = settings.eval_episodes
    games = make_games(settings, n_games)
    rng = np.random.default_rng(settings.eval_seed)
    try:
        observations, info = games.reset(seed=settings.eval_seed)
        first_lives = lives = np.asarray(info["lives"], dtype=int)
        earned, playing = np.zeros((n_games, max(first_lives.max(), 1))), np.ones(n_games, dtype=bool)
        for _ in range(settings.eval_max_steps):
            actions = rng.integers(settings.n_actions, size=n_games)
            chosen = playing & (rng.random(n_games) >= settings.eval_epsilon)
            if chosen.any():
                actions[chosen] = choose(np.moveaxis(observations[chosen], 1, -1))
            observations, rewards, terminated, truncated, info = games.step(actions)
            ball = np.clip(first_lives - lives, 0, earned.shape[1] - 1)
            earned[np.arange(n_games), ball] += np.where(playing, rewards, 0.0)
            lives = np.asarray(info["lives"], dtype=int)
            if replay is not None and playing[0]:
                replay.add(lambda observation=observations[0]: replays.breakout_frame(observation), rewards[0])
            playing &= ~(terminated | truncated)
            if not playing.any():
                break
    finally:
        games.close()
    return earned if by_ball else earned.sum(axis=1)


def greedy(weights, settings):
    """The policy that takes the action of highest Q-value."""
    return lambda observations: np.argmax(q_values(weights, observations, settings), axis=1)


def evaluate(path, settings, by_ball=False, replay=None):
    """Scores of the grader's games played with the Q-network whose weights are in ``path`` (see play)."""
    return play(greedy(load_q_weights(path, settings), settings), settings, by_ball, replay)
