"""Hidden tests of ``optimal_policy(Q) -> np.ndarray``."""

import numpy as np

from autograder.assignments.mdp import LESSON
from autograder.grading import calling, expect_array, expect_true, graded, kind_of

FUNCTION = "optimal_policy"
HINT = "Take, in each state (row), the action (column) with the highest Q-value: np.argmax(Q, axis=1)."


@graded(FUNCTION, HINT)
def test_lesson_policies(student, reference, settings):
    """Picks the lesson's optimal actions for its Q-values at gamma 0.9 and 0.95."""
    for gamma in (0.9, 0.95):
        Q = reference.call("q_value_iteration", *LESSON.arguments(), gamma)
        with calling(f"optimal_policy(Q) for the lesson's Q-values at gamma={gamma}", public=True):
            expect_array(student.call(FUNCTION, Q), reference.call(FUNCTION, Q), rtol=0, atol=0, what="the policy")


@graded(FUNCTION, HINT)
def test_hidden_q_tables(student, reference, rng):
    """Picks the best possible action in every state of hidden Q-tables with impossible (-inf) actions."""
    for _ in range(5):
        Q = rng.normal(0, 10, (int(rng.integers(2, 8)), int(rng.integers(2, 6))))
        Q[rng.random(Q.shape) < 0.3] = -np.inf
        Q[np.arange(len(Q)), rng.integers(0, Q.shape[1], len(Q))] = rng.normal(0, 10, len(Q))  # one possible
        with calling("optimal_policy(Q) on hidden Q-tables", public=False):
            expect_array(student.call(FUNCTION, Q), reference.call(FUNCTION, Q), rtol=0, atol=0, what="the policy")


@graded(FUNCTION, HINT)
def test_returns_integer_actions(student):
    """Returns the actions as integers."""
    with calling("optimal_policy(np.array([[1.0, 3.0], [4.0, 2.0]]))", public=True):
        got = student.call(FUNCTION, np.array([[1.0, 3.0], [4.0, 2.0]]))
        expect_true(
            isinstance(got, np.ndarray) and got.dtype.kind in "iu", f"expected an integer array, got {kind_of(got)}"
        )
