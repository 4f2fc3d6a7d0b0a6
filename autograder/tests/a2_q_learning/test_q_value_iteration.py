"""Hidden tests of ``q_value_iteration(transition_probabilities, rewards, possible_actions, gamma,
n_iterations=50) -> np.ndarray``."""

import numpy as np

from autograder.assignments.mdp import LESSON, random_mdp
from autograder.grading import calling, expect_array, expect_true, graded

FUNCTION = "q_value_iteration"
HINT = (
    "Start from np.full((n_states, n_actions), -np.inf) with 0.0 for the possible actions; in each of the "
    "n_iterations sweeps, copy the Q-values first (Q_prev = Q_values.copy()) and compute every possible "
    "Q(s, a) = sum over s' of T(s, a, s') * (R(s, a, s') + gamma * max(Q_prev[s']))."
)


def check(student, reference, settings, mdp, gamma, description, public, **kwargs):
    with calling(description, public=public):
        got = student.call(FUNCTION, *mdp.arguments(), gamma, **kwargs)
        want = reference.call(FUNCTION, *mdp.arguments(), gamma, **kwargs)
        expect_array(got, want, rtol=settings.rtol, what="the Q-values", floats=True)


@graded(FUNCTION, HINT)
def test_lesson_mdp(student, reference, settings):
    """Gives the lesson's optimal Q-values, for gamma 0.9 and 0.95."""
    for gamma in (0.9, 0.95):
        check(
            student,
            reference,
            settings,
            LESSON,
            gamma,
            f"q_value_iteration(transition_probabilities, rewards, possible_actions, gamma={gamma}) on the "
            "lesson's MDP",
            public=True,
        )


@graded(FUNCTION, HINT)
def test_counts_its_sweeps(student, reference, settings):
    """Makes exactly n_iterations sweeps, each from the previous sweep's values."""
    for n_iterations in (1, 3):
        check(
            student,
            reference,
            settings,
            LESSON,
            0.9,
            f"q_value_iteration(transition_probabilities, rewards, possible_actions, 0.9, "
            f"n_iterations={n_iterations}) on the lesson's MDP",
            public=True,
            n_iterations=n_iterations,
        )


@graded(FUNCTION, HINT)
def test_hidden_mdps(student, reference, settings, rng):
    """Matches the reference on hidden MDPs of 3 to 6 states and 2 to 4 actions."""
    for index in range(settings.hidden_mdps):
        gamma = (0.5, 0.9, 0.99)[index % 3]
        mdp = random_mdp(rng, settings.max_states, settings.max_actions)
        check(
            student,
            reference,
            settings,
            mdp,
            gamma,
            "q_value_iteration on hidden MDPs (gamma 0.5, 0.9 and 0.99)",
            public=False,
        )


@graded(FUNCTION, HINT)
def test_impossible_actions_are_minus_infinity(student, rng, settings):
    """Gives -inf exactly for the impossible actions, and finite values for the others."""
    mdp = random_mdp(rng, settings.max_states, settings.max_actions)
    with calling("q_value_iteration on a hidden MDP where some actions are impossible", public=False):
        got = student.call(FUNCTION, *mdp.arguments(), 0.9)
        expect_true(
            isinstance(got, np.ndarray)
            and got.shape == (len(mdp.possible_actions), len(mdp.transition_probabilities[0])),
            "the result is not an array of shape (n_states, n_actions)",
        )
        possible = np.zeros(got.shape, dtype=bool)
        for state, actions in enumerate(mdp.possible_actions):
            possible[state, actions] = True
        expect_true(np.all(np.isneginf(got[~possible])), "some impossible actions are not -inf")
        expect_true(np.all(np.isfinite(got[possible])), "some possible actions are not finite")
