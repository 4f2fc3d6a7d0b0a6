"""Environments the grader owns: it runs them, counts their rewards and logs every step.

A sandbox never gets a real environment: it gets a proxy whose reset and step
come here (``EnvServer``). Trained policies are evaluated here too, from their
weights alone.
"""

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from autograder.assignments import policy_net, replays
from autograder.grading.probes import Refusal


@dataclass
class Step:
    """One reset (``action`` None) or step of a served environment, as the grader ran it."""

    obs: np.ndarray
    action: int = None
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False


def cartpole(max_episode_steps=None):
    """CartPole-v1 as gymnasium makes it, optionally with a shorter time limit."""
    return gym.make("CartPole-v1", max_episode_steps=max_episode_steps)


class EnvServer:
    """Serves one environment to a sandbox proxy and records what happened."""

    def __init__(self, env, seed):
        self.env, self.seed = env, seed
        self.log = []
        self.obs = None
        self.reset_seeds = []

    def spec(self):
        space = self.env.observation_space
        return {"observation_space": {"low": space.low, "high": space.high}, "n_actions": int(self.env.action_space.n)}

    def handle(self, method, args):
        args = args if isinstance(args, dict) else {}
        if method == "reset":
            return self.reset(args.get("seed"))
        if method == "step":
            return self.step(args.get("action"))
        raise Refusal("RuntimeError", f"environments have no method {str(method)[:50]!r} here")

    def reset(self, seed=None):
        if seed is not None and (type(seed) is not int or seed < 0):
            raise Refusal("TypeError", "reset(seed=...) takes a non-negative int or None")
        if seed is None and not self.reset_seeds:
            seed = self.seed
        self.reset_seeds.append(seed)
        self.obs, _ = self.env.reset(seed=seed)
        self.log.append(Step(self.obs))
        return [self.obs, {}]

    def step(self, action):
        n_actions = int(self.env.action_space.n)
        value = valid_action(action, n_actions)
        if value is None:
            raise Refusal(
                "AssertionError", f"{_shown(action)} invalid: an action must be an int from 0 to {n_actions - 1}"
            )
        try:
            obs, reward, terminated, truncated, _ = self.env.step(value)
        except Exception as error:  # noqa: BLE001  (e.g. a step before any reset: the student's code sees it)
            raise Refusal("RuntimeError", f"{type(error).__name__}: {error}") from None
        self.obs = obs
        self.log.append(Step(obs, value, float(reward), bool(terminated), bool(truncated)))
        return [obs, float(reward), bool(terminated), bool(truncated), {}]

    def set_state(self, state):
        """Put a reset CartPole in a chosen physical state; the new observation is returned."""
        self.env.unwrapped.state = np.asarray(state, dtype=np.float64)
        self.obs = np.asarray(state, dtype=np.float32)
        return self.obs

    def episodes(self):
        """The steps of each episode, split at the resets."""
        episodes = []
        for step in self.log:
            if step.action is None:
                episodes.append([])
            elif episodes:
                episodes[-1].append(step)
        return episodes


def valid_action(action, n_actions):
    """The action as an int if gymnasium's Discrete(n_actions) accepts it (an int, a bool, a NumPy
    integer), else None."""
    if type(action) in (int, bool) or (
        isinstance(action, np.ndarray) and action.shape == () and action.dtype.kind in "iu"
    ):
        value = int(action)
        return value if 0 <= value < n_actions else None
    return None


def _shown(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if type(value) in (int, bool):
        return repr(value)
    return f"a value of type {type(value).__name__}"


def policy_returns(weights, n_episodes, seed, max_episode_steps=500, replay=None):
    """The returns of the greedy policy network (left when P(left) > 0.5) in the grader's CartPole, episode by
    episode (seeds ``seed``, ``seed + 1``, ...); ``replay`` (a ``replays.Replay``) records the first."""
    env = cartpole(max_episode_steps)
    returns = []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            action = 0 if policy_net.p_left(weights, obs) > 0.5 else 1
            obs, reward, terminated, truncated, _ = env.step(action)
            if replay is not None and episode == 0:
                replay.add(lambda: replays.cartpole_frame(env), reward)
            total += reward
            done = terminated or truncated
        returns.append(total)
    return returns
