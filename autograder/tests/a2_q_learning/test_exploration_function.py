"""Hidden tests of ``exploration_function(q_values, counts, k) -> np.ndarray``."""

import numpy as np

from autograder.grading import calling, expect_array, graded

FUNCTION = "exploration_function"
HINT = "Return Q + k / (1 + N) element by element, as floats: np.asarray(q_values, float) + k / (1 + counts)."


def check(student, reference, settings, args, description, public):
    with calling(description, public=public):
        expect_array(
            student.call(FUNCTION, *args),
            reference.call(FUNCTION, *args),
            rtol=settings.rtol,
            what="the boosted values",
            floats=True,
        )


@graded(FUNCTION, HINT)
def test_formula(student, reference, settings):
    """Adds k / (1 + N): exploration_function([1.0, 2.0], [0, 3], k=2.0) is [3.0, 2.5]."""
    check(
        student,
        reference,
        settings,
        ([1.0, 2.0], [0, 3], 2.0),
        "exploration_function([1.0, 2.0], [0, 3], k=2.0)",
        public=True,
    )


@graded(FUNCTION, HINT)
def test_hidden_tables(student, reference, settings, rng):
    """Matches the reference on hidden Q-tables, integer visit counts and curiosities, -inf entries kept."""
    for _ in range(5):
        shape = (int(rng.integers(1, 6)), int(rng.integers(1, 5)))
        q_values = rng.normal(0, 10, shape)
        q_values[rng.random(shape) < 0.2] = -np.inf
        check(
            student,
            reference,
            settings,
            (q_values, rng.integers(0, 50, shape), float(rng.uniform(0, 5))),
            "exploration_function on hidden Q-tables and counts",
            public=False,
        )


@graded(FUNCTION, HINT)
def test_integer_q_values(student, reference, settings):
    """Returns floats for integer Q-values and counts: exploration_function([[0, 1]], [[1, 0]], 1) is [[0.5, 2.0]]."""
    check(
        student,
        reference,
        settings,
        (np.array([[0, 1]]), np.array([[1, 0]]), 1),
        "exploration_function(np.array([[0, 1]]), np.array([[1, 0]]), k=1)",
        public=True,
    )
