"""Finite MDPs for assignment 2: the lesson's, random hidden ones, and the grader's own step.

An ``MDPServer`` plays an MDP for a sandbox: the student's q_learning gets a
``step`` and an ``exploration_policy`` that the grader runs with its own random
generator, so every random draw of a run is the grader's.
"""

from dataclasses import dataclass

import numpy as np

from autograder.assignments.oracles.arguments import bind
from autograder.grading.probes import GraderFunction, Refusal


@dataclass(frozen=True)
class MDP:
    """transition_probabilities[s][a][s2] (None where a is impossible), rewards[s][a][s2], possible_actions[s]."""

    transition_probabilities: list
    rewards: list
    possible_actions: list

    def arguments(self):
        return self.transition_probabilities, self.rewards, self.possible_actions


LESSON = MDP(
    transition_probabilities=[
        [[0.7, 0.3, 0.0], [1.0, 0.0, 0.0], [0.8, 0.2, 0.0]],
        [[0.0, 1.0, 0.0], None, [0.0, 0.0, 1.0]],
        [None, [0.8, 0.1, 0.1], None],
    ],
    rewards=[
        [[10, 0, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 0, -50]],
        [[0, 0, 0], [40, 0, 0], [0, 0, 0]],
    ],
    possible_actions=[[0, 1, 2], [0, 2], [1]],
)


def random_mdp(rng, max_states, max_actions):
    """An MDP of 3 to max_states states and 2 to max_actions actions; every state has a possible action."""
    n_states, n_actions = int(rng.integers(3, max_states + 1)), int(rng.integers(2, max_actions + 1))
    possible = [
        sorted(rng.choice(n_actions, size=int(rng.integers(1, n_actions + 1)), replace=False).tolist())
        for _ in range(n_states)
    ]
    transitions, rewards = [], []
    for state in range(n_states):
        transitions.append(
            [
                np.round(rng.dirichlet(np.ones(n_states)), 6).tolist() if action in possible[state] else None
                for action in range(n_actions)
            ]
        )
        rewards.append(np.round(rng.normal(0, 10, (n_actions, n_states)), 3).tolist())
    for row in (row for state_rows in transitions for row in state_rows if row is not None):
        row[-1] = round(1.0 - sum(row[:-1]), 12)
    return MDP(transitions, rewards, possible)


class MDPServer:
    """Runs an MDP for the sandbox: its step and a uniformly random exploration policy."""

    def __init__(self, mdp, seed):
        self.mdp, self.seed, self.rng = mdp, seed, np.random.default_rng(seed)
        self.transitions = []

    def functions(self):
        """The step and exploration_policy arguments of a q_learning call (their draws fixed by the seed)."""
        key = [list(self.mdp.arguments()), self.seed]
        return GraderFunction("step", self.step, key), GraderFunction("exploration_policy", self.explore, key)

    def _state(self, value):
        if type(value) is int or (isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu"):
            if 0 <= int(value) < len(self.mdp.possible_actions):
                return int(value)
        raise Refusal("ValueError", f"{value!r} is not a state of this MDP")

    def step(self, args, kwargs):
        state, action = bind("step", ("state", "action"), args, kwargs)
        state = self._state(state)
        if (
            not (
                type(action) is int
                or (isinstance(action, np.ndarray) and action.shape == () and action.dtype.kind in "iu")
            )
            or int(action) not in self.mdp.possible_actions[state]
        ):
            raise Refusal("ValueError", f"action {action!r} is not possible in state {state}")
        probabilities = self.mdp.transition_probabilities[state][int(action)]
        next_state = int(self.rng.choice(len(probabilities), p=probabilities))
        reward = float(self.mdp.rewards[state][int(action)][next_state])
        self.transitions.append((state, int(action), next_state, reward))
        return [next_state, reward]

    def explore(self, args, kwargs):
        (state,) = bind("exploration_policy", ("state",), args, kwargs)
        return int(self.rng.choice(self.mdp.possible_actions[self._state(state)]))
