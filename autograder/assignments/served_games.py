"""Breakout games the grader serves to a sandbox while assignment 4's pipeline checks run, and what a
collection made of them.

The sandbox gets a proxy (``runner.tf_agents_objects.RemoteVectorEnv``) under the
course's ``GymnasiumVectorEnvironment`` and ``TFPyEnvironment``: every reset and step
runs here, in the grader's ``AtariVectorEnv``. The log of what was served is the
evidence of what a collection did: ``trajectories`` rebuilds, from the log alone, the
trajectories a driver made of those steps, which the replay buffer must hold.
"""

from dataclasses import dataclass

import numpy as np

from autograder.assignments.atari import make_games
from autograder.grading.probes import Refusal

FIRST, MID, LAST = 0, 1, 2


class GamesServer:
    """The grader's training games, served to a sandbox proxy (``runner.tf_agents_objects.RemoteVectorEnv``):
    every reset and step runs here, and the log keeps what was served, the evidence of what a collection did.

    The first reset starts the games from ``seed`` when it names none, so that they serve the same steps at every
    grading. ``log`` holds one entry per reset or step: the actions received (None for a reset) and the
    observations, rewards, terminations and truncations given back, one row per game.
    """

    def __init__(self, settings, n_games, seed):
        self.games, self.seed, self.n_actions = make_games(settings, n_games, training=True), seed, settings.n_actions
        self.n_games, self.log = n_games, []

    def spec(self):
        space = self.games.single_observation_space
        return {
            "num_envs": self.n_games,
            "seed": self.seed,
            "n_actions": self.n_actions,
            "observation_space": {
                "shape": list(space.shape),
                "low": int(space.low.min()),
                "high": int(space.high.max()),
            },
        }

    def handle(self, method, args):
        args = args if isinstance(args, dict) else {}
        if method == "reset":
            seed = args.get("seed")
            if seed is not None and (type(seed) is not int or seed < 0):
                raise Refusal("TypeError", "reset(seed=...) takes a non-negative int or None")
            if seed is None and not self.log:
                seed = self.seed  # the games' first reset is the seeded one, whoever asks for it
            observations, _ = self.games.reset(seed=seed)
            self.log.append(
                Served(
                    None,
                    observations,
                    np.zeros(self.n_games, np.float32),
                    np.zeros(self.n_games, bool),
                    np.zeros(self.n_games, bool),
                )
            )
            return [observations, {}]
        if method == "step":
            actions = args.get("actions")
            if not (
                isinstance(actions, np.ndarray)
                and actions.shape == (self.n_games,)
                and actions.dtype.kind in "iu"
                and np.all((actions >= 0) & (actions < self.n_actions))
            ):
                raise Refusal("ValueError", f"the games take one action from 0 to {self.n_actions - 1} per game")
            if not self.log:
                raise Refusal("RuntimeError", "the games were stepped before they were reset")
            observations, rewards, terminated, truncated, _ = self.games.step(actions.astype(np.int64))
            self.log.append(
                Served(
                    actions.astype(np.int64),
                    observations,
                    rewards.astype(np.float32),
                    np.asarray(terminated),
                    np.asarray(truncated),
                )
            )
            return [observations, rewards, terminated, truncated, {}]
        raise Refusal("RuntimeError", f"the games have no method {str(method)[:50]!r} here")

    def close(self):
        self.games.close()


@dataclass
class Served:
    """One reset (``actions`` None) or step of the served games, as the grader ran it."""

    actions: np.ndarray
    observations: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray


def step_types(log):
    """The step type of every served time step, shape (steps, games), as ``GymnasiumVectorEnvironment`` gives them:
    FIRST after a reset and on the step after an episode ended, LAST where one ends, MID otherwise."""
    types, ended = [], None
    for served in log:
        if served.actions is None:
            types.append(np.full(len(served.observations), FIRST))
            ended = np.zeros(len(served.observations), bool)
            continue
        finished = served.terminated | served.truncated
        types.append(np.where(ended, FIRST, np.where(finished, LAST, MID)))
        ended = finished & ~ended
    return np.array(types, dtype=np.int32)


def trajectories(log):
    """What a driver's observers got from the served steps since the first reset, one row per game: item t holds
    time step t's step type and observation (frames last, as the sandbox's environment gives them), the action
    taken there, and time step t + 1's type, reward and discount (0 where the episode terminated)."""
    types = step_types(log)
    restarted = np.concatenate([np.zeros((1, types.shape[1]), bool), types[1:] == FIRST])
    steps = log[1:]
    rewards = np.array([np.where(first, 0.0, served.rewards) for served, first in zip(steps, restarted[1:])])
    discounts = np.array(
        [np.where(served.terminated & ~first, 0.0, 1.0) for served, first in zip(steps, restarted[1:])]
    )
    observations = np.array([np.moveaxis(served.observations, 1, -1) for served in log[:-1]])
    fields = {
        "step_type": types[:-1],
        "observation": observations,
        "action": np.array([served.actions for served in steps]),
        "next_step_type": types[1:],
        "reward": rewards.astype(np.float32),
        "discount": discounts.astype(np.float32),
    }
    return {field: np.swapaxes(values, 0, 1) for field, values in fields.items()}
