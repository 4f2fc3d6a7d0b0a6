"""Assignment 4's milestone: a trained Q-network's weights, read as plain arrays and played by the grader.

No student code runs here. ``load_q_weights`` reads the submitted ``.npz`` file as
data only: its size is capped, its zip members are checked by name and size before
any is read, the arrays are read with ``np.load(allow_pickle=False)``, and each
array's dtype and shape must be those of the notebook's network (its architecture
comes from course_config.py). ``q_values`` is that network in NumPy. ``play`` runs
the grader's own Breakout games, all in parallel in one ``AtariVectorEnv``, and
counts their scores.
"""

import zipfile
from pathlib import Path

import ale_py
import gymnasium as gym
import numpy as np


gym.register_envs(ale_py)

NPY_HEADER_BYTES = 4096
"""Room for a .npy member's header beside its data."""


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


def load_q_weights(path, settings):
    """The weights in the .npz file at ``path``, in network order; WeightsError saying what is wrong."""
    path, expected = Path(path), dict(weight_shapes(settings))
    if path.is_symlink():
        raise WeightsError(f"{path.name} is a symbolic link, which the grader never follows: submit the file itself")
    if not path.is_file():
        raise WeightsError(f"no {path.name} was submitted beside the notebook: after training, "
                           f"export_q_weights(q_net, {path.name!r}) writes it; submit it with the notebook")
    size = path.stat().st_size
    if size > settings.weights_bytes:
        raise WeightsError(f"{path.name} is {size / 2**20:.1f} MiB, over the {settings.weights_bytes / 2**20:.0f} MiB "
                           "limit: it should hold only the Q-network's weights")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise WeightsError(f"{path.name} is not a .npz file: write it with np.savez") from None
    _check_members(path.name, members, expected)
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in expected}
    except (ValueError, OSError, EOFError, MemoryError, zipfile.BadZipFile) as error:
        raise WeightsError(f"{path.name} holds an array that cannot be read ({type(error).__name__}): write it "
                           "with np.savez") from None
    for name, shape in expected.items():
        _check_array(name, arrays[name], shape)
    return [arrays[name] for name in expected]


def _check_members(file_name, members, expected):
    names = [member.filename.removesuffix(".npy") for member in members]
    missing, unexpected = set(expected) - set(names), set(names) - set(expected)
    if missing or unexpected or len(names) != len(set(names)):
        problems = [f"it lacks {', '.join(sorted(missing))}"] if missing else []
        problems += [f"it holds unexpected arrays {', '.join(sorted(unexpected))[:300]}"] if unexpected else []
        problems += ["it holds an array twice"] if len(names) != len(set(names)) else []
        raise WeightsError(f"{file_name} must hold exactly the arrays {', '.join(expected)}; "
                           + "; ".join(problems))
    for name, member in zip(names, members):
        most = 4 * int(np.prod(expected[name])) + NPY_HEADER_BYTES
        if member.file_size > most:
            raise WeightsError(f"{name} in {file_name} takes {member.file_size} bytes, more than a float32 array of "
                               f"shape {expected[name]}")


def _check_array(name, array, shape):
    if array.dtype != np.float32:
        raise WeightsError(f"{name} has dtype {array.dtype}, expected float32")
    if array.shape != shape:
        raise WeightsError(f"{name} has shape {array.shape}, expected {shape} (the network of the notebook: "
                           "check build_q_network and the order of the arrays)")
    if not np.isfinite(array).all():
        raise WeightsError(f"{name} holds NaN or infinite values: training diverged")


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
    return gym.make_vec(settings.env_id, num_envs=n_games, vectorization_mode="vector_entry_point",
                        **game_options(settings, training))


def play(choose, settings, by_ball=False):
    """Scores of settings.eval_episodes full games, one per emulator, from settings.eval_seed.

    At each step every unfinished game takes a random action with probability
    settings.eval_epsilon, else ``choose(observations)``, an action per observation
    (uint8, shape (games, 84, 84, 4)). A game stops counting at its end or after
    settings.eval_max_steps steps. With ``by_ball``, each game's score is split by
    the ball (life) in play when it was earned: shape (games, lives at the start).
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
            playing &= ~(terminated | truncated)
            if not playing.any():
                break
    finally:
        games.close()
    return earned if by_ball else earned.sum(axis=1)


def greedy(weights, settings):
    """The policy that takes the action of highest Q-value."""
    return lambda observations: np.argmax(q_values(weights, observations, settings), axis=1)


def evaluate(path, settings, by_ball=False):
    """Scores of the grader's games played with the Q-network whose weights are in ``path`` (see play)."""
    return play(greedy(load_q_weights(path, settings), settings), settings, by_ball)
