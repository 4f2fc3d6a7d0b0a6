"""Stand-ins for assignment 1's helpers, served by the grader while it tests the functions built on them.

Each stand-in is called with the arguments the student's code passed (as plain
values: a model arrives as its weights, an environment as a reference to the
grader's), does the helper's job correctly with the grader's own environment and
random generator, and records what it was given and what it returned.
"""

import numpy as np

from autograder.assignments import policy_net
from autograder.assignments.oracles.arguments import bind, tensors, weights_of
from autograder.grading.probes import KIT_KEY, Refusal


def _like(weights, reference):
    """Whether ``weights`` is a list of numeric arrays shaped like ``reference``."""
    return (
        isinstance(weights, list)
        and len(weights) == len(reference)
        and all(
            isinstance(w, np.ndarray) and w.dtype.kind in "biuf" and w.shape == r.shape
            for w, r in zip(weights, reference)
        )
    )


class PlayOneStep:
    """Stands in for ``play_one_step``: one step of the grader's environment, sampled from the model's P(left)."""

    NAMES = ("env", "obs", "model", "loss_fn")

    def __init__(self, server, rng):
        self.server, self.rng = server, rng
        self.given_obs, self.returned = [], []

    def __call__(self, args, kwargs):
        _, obs, model, _ = bind("play_one_step", self.NAMES, args, kwargs)
        weights = weights_of(model, "play_one_step")
        if self.server.obs is None:
            raise Refusal("RuntimeError", "play_one_step() was called before the environment was reset")
        self.given_obs.append(obs)
        current = self.server.obs
        action = 0 if self.rng.random() < policy_net.p_left(weights, current) else 1
        grads = [stacked[0] for stacked in policy_net.bce_gradients(weights, current[None], [action])]
        next_obs, reward, terminated, truncated, _ = self.server.step(action)
        self.returned.append((reward, terminated or truncated, grads))
        return [next_obs, reward, terminated or truncated, tensors(grads)]


class PlayMultipleEpisodes:
    """Stands in for ``play_multiple_episodes`` while ``train_policy_gradient`` is tested.

    The grader plays every episode with its own copy of the weights, updated by
    the optimizer step a correct training loop takes, so every correct
    implementation sees the same episodes. It checks at each call that the
    student's model moved by that same step.
    """

    NAMES = ("env", "n_episodes", "n_max_steps", "model", "loss_fn")

    def __init__(self, env, rng, weights, optimizer, n_episodes, n_max_steps, advantages, rtol):
        self.env, self.rng, self.optimizer = env, rng, optimizer
        self.tracked = [np.asarray(weight, dtype=np.float64) for weight in weights]
        self.n_episodes, self.n_max_steps, self.advantages, self.rtol = n_episodes, n_max_steps, advantages, rtol
        self.iterations = []  # per call: the student's weights, and the episodes' rewards and gradients
        self.problems = []

    def __call__(self, args, kwargs):
        _, n_episodes, n_max_steps, model, _ = bind("play_multiple_episodes", self.NAMES, args, kwargs)
        weights = weights_of(model, "play_multiple_episodes")
        if (n_episodes, n_max_steps) != (self.n_episodes, self.n_max_steps):
            self.problems.append(
                f"play_multiple_episodes was called with n_episodes={n_episodes!r}, "
                f"n_max_steps={n_max_steps!r}; expected {self.n_episodes} and {self.n_max_steps}"
            )
            raise Refusal("ValueError", "play_multiple_episodes() got other sizes than train_policy_gradient's")
        self.check_update(weights)
        rewards, grads = zip(*(self._episode() for _ in range(self.n_episodes)))
        self.iterations.append(
            {
                "weights": [np.asarray(w, dtype=np.float64) for w in weights],
                "rewards": list(rewards),
                "grads": list(grads),
            }
        )
        return [
            [list(episode) for episode in rewards],
            [{KIT_KEY: "step_gradients", "stacked": [g.astype(np.float32) for g in episode]} for episode in grads],
        ]

    def _episode(self):
        obs, _ = self.env.reset(seed=int(self.rng.integers(2**31)))
        observations, actions, rewards = [], [], []
        for _ in range(self.n_max_steps):
            action = 0 if self.rng.random() < policy_net.p_left(self.tracked, obs) else 1
            observations.append(obs)
            actions.append(action)
            obs, reward, terminated, truncated, _ = self.env.step(action)
            rewards.append(float(reward))
            if terminated or truncated:
                break
        return rewards, policy_net.bce_gradients(self.tracked, np.array(observations), actions)

    def check_update(self, weights):
        """Compare the student's weights with the last ones moved by the expected step; advance the copy."""
        if not self.iterations:
            return
        last = self.iterations[-1]
        advantages = np.concatenate(self.advantages(last["rewards"]))
        n_steps = len(advantages)
        mean_grads = [
            np.tensordot(advantages, np.concatenate([episode[index] for episode in last["grads"]]), axes=1) / n_steps
            for index in range(len(self.tracked))
        ]
        stepped = self.optimizer.step(self.tracked, mean_grads)
        deltas = [new - old for new, old in zip(stepped, self.tracked)]
        self.tracked = stepped
        scale = max(float(np.max(np.abs(delta))) for delta in deltas)
        if not _like(weights, last["weights"]) or not all(
            np.allclose(np.asarray(new, dtype=np.float64) - old, delta, rtol=self.rtol, atol=self.rtol * scale)
            for new, old, delta in zip(weights, last["weights"], deltas)
        ):
            self.problems.append(
                f"after iteration {len(self.iterations)}, the model's weights are not the "
                "previous ones moved by one optimizer step on the mean advantage-weighted gradient"
            )
