"""What assignment 4's hidden tests hand the sandbox: descriptions of the TF-Agents objects it builds
(``runner/tf_agents_objects.py``) and of the views that describe a call's result
(``runner/tf_agents_views.py``), and the grader's random inputs for them.

Descriptions are plain values, so the reference's answers to calls that carry them
are cached like any other; the grader's served games and sampled replay buffers
(``ServedGames``, ``SampledBuffer``) are not, since they answer as a call goes.
"""

from dataclasses import dataclass

import numpy as np

from autograder.assignments.atari import game_options
from autograder.grading.checks import Mismatch
from autograder.grading.probes import KIT_KEY, KitObject, Refusal

FIRST, MID, LAST = 0, 1, 2
TRAJECTORY_FIELDS = ("step_type", "observation", "action", "next_step_type", "reward", "discount")


def view(kind, **options):
    """A view that describes a call's result (and the arguments it changed) as ``kind``."""
    return {"result": "tf_agents", "as": kind, **options}


def breakout_env(settings, num_envs, seed, training=True):
    """The course's Breakout games as a TFPyEnvironment."""
    return {
        KIT_KEY: "breakout_env",
        "env_id": settings.env_id,
        "num_envs": num_envs,
        "seed": seed,
        "options": game_options(settings, training),
    }


def observation_spec(settings):
    return {
        KIT_KEY: "tensor_spec",
        "shape": list(settings.observation_shape),
        "dtype": "uint8",
        "minimum": 0,
        "maximum": 255,
        "name": "observation",
    }


def action_spec(n_actions):
    return {
        KIT_KEY: "tensor_spec",
        "shape": [],
        "dtype": "int64",
        "minimum": 0,
        "maximum": n_actions - 1,
        "name": "action",
    }


def q_network(settings, weights, n_actions=None):
    """The lesson's Q-network with these weights."""
    return {
        KIT_KEY: "q_network",
        "observation": observation_spec(settings),
        "action": action_spec(n_actions or settings.n_actions),
        "conv_layers": list(settings.conv_layers),
        "fc_layers": list(settings.fc_layers),
        "weights": list(weights),
    }


def dqn_agent(settings, weights, learning_rate, epsilon, gamma=0.99, target_update_period=2000):
    """An initialised DqnAgent learning that network with SGD and a constant epsilon."""
    return {
        KIT_KEY: "dqn_agent",
        "q_network": q_network(settings, weights),
        "learning_rate": learning_rate,
        "epsilon": epsilon,
        "gamma": gamma,
        "target_update_period": target_update_period,
    }


def replay_buffer(settings, batch_size, max_length, contents=None):
    """A replay buffer of a DQN agent's trajectories, holding ``contents`` (``{field: array}``, a row per game)
    first if given."""
    return {
        KIT_KEY: "replay_buffer",
        "observation": observation_spec(settings),
        "action": action_spec(settings.n_actions),
        "batch_size": batch_size,
        "max_length": max_length,
        "contents": contents,
    }


@dataclass
class ServedGames(KitObject):
    """The grader's games (a ``served_games.GamesServer``), which the sandbox sees as a TFPyEnvironment."""

    server: object

    def describe(self, registry):
        env_id = len(registry["envs"])
        registry["envs"][env_id] = self.server
        return {KIT_KEY: "served_games", "id": env_id, **self.server.spec()}


@dataclass
class SampledBuffer(KitObject):
    """A replay buffer (``replay_buffer``'s description) whose every batch the grader samples from ``contents``,
    windows of consecutive items of one row; ``batches`` keeps them in the order they were asked for."""

    settings: object
    contents: dict
    rng: object
    max_length: int

    def __post_init__(self):
        self.batches = []

    def describe(self, registry):
        registry["functions"]["__kit_sample__"] = self.sample
        games = len(self.contents["step_type"])
        return {**replay_buffer(self.settings, games, self.max_length, self.contents), "sampler": "__kit_sample__"}

    def sample(self, args, kwargs):
        batch_size, num_steps = (list(args) + [None, None])[:2] if isinstance(args, list) else (None, None)
        items = np.shape(self.contents["step_type"])[1]
        if not (
            type(batch_size) is int and 0 < batch_size <= 4096 and type(num_steps) is int and 0 < num_steps <= items
        ):
            raise Refusal(
                "ValueError",
                "this test's replay buffer gives batches of sample_batch_size (at most "
                "4096) windows of num_steps steps",
            )
        rows = self.rng.integers(len(self.contents["step_type"]), size=batch_size)
        starts = self.rng.integers(items - num_steps + 1, size=batch_size)
        windows = starts[:, None] + np.arange(num_steps)
        batch = {field: values[rows[:, None], windows] for field, values in self.contents.items()}
        self.batches.append(batch)
        return batch


def random_weights(rng, shapes):
    """He-initialised float32 kernels and small biases for ``[(name, shape)]``."""
    return [
        (
            rng.normal(0, np.sqrt(2 / np.prod(shape[:-1])), shape) if len(shape) > 1 else rng.normal(0, 0.05, shape)
        ).astype(np.float32)
        for _, shape in shapes
    ]


def random_frames(rng, settings, *batch):
    """Observations of random grey levels."""
    return rng.integers(0, 256, (*batch, *settings.observation_shape), dtype=np.uint8)


def random_trajectories(rng, settings, batch, steps):
    """Fields of ``batch`` runs of ``steps`` consecutive steps, some ending (terminated, discount 0) on the
    way and starting again."""
    types = np.empty((batch, steps + 1), dtype=np.int32)
    types[:, 0] = np.where(rng.random(batch) < 0.3, FIRST, MID)
    for step in range(steps):
        ends = rng.random(batch) < 0.2
        types[:, step + 1] = np.where(types[:, step] == LAST, FIRST, np.where(ends, LAST, MID))
    return {
        "step_type": types[:, :-1],
        "observation": random_frames(rng, settings, batch, steps),
        "action": rng.integers(0, settings.n_actions, (batch, steps)),
        "next_step_type": types[:, 1:],
        "reward": rng.choice(np.array([0, 1, 4, 7], dtype=np.float32), (batch, steps)),
        "discount": np.where(types[:, 1:] == LAST, 0.0, 1.0).astype(np.float32),
    }


def expect_description(value, expected, flag=None, keys=()):
    """The sandbox's description of a result: a dict (with ``flag`` True) holding ``keys``; else Mismatch."""
    if not isinstance(value, dict) or (flag is not None and value.get(flag) is not True):
        kind = value.get("type") or value.get("types") if isinstance(value, dict) else None
        raise Mismatch(
            f"expected {expected}, got something else", f"expected {expected}, got {str(kind or 'something else')[:80]}"
        )
    missing = [key for key in keys if key not in value]
    if missing:
        raise Mismatch(f"{expected} could not be described: no {', '.join(missing)}")
    return value


def expect_contents(value, fields, games):
    """A replay buffer's contents as the view sent them: numeric arrays of shape (games, items, ...)."""
    contents = expect_description(value, "the replay buffer's contents", keys=fields)
    for field in fields:
        array = contents[field]
        if not (
            isinstance(array, np.ndarray)
            and array.dtype.kind in "biuf"
            and array.ndim >= 2
            and array.shape[:2] == contents[fields[0]].shape[:2]
            and array.shape[0] == games
        ):
            raise Mismatch(f"the replay buffer's {field}s are not one row of numbers per game")
    return contents


def same_array(got, want):
    """Whether a described value is an array equal to ``want``, of its shape."""
    return isinstance(got, np.ndarray) and got.shape == np.shape(want) and np.array_equal(got, want)


def same(got, want):
    """Whether a described value equals the expected one, of the same type (never raising)."""
    try:
        return type(got) is type(want) and bool(got == want)
    except (ValueError, TypeError):
        return False
