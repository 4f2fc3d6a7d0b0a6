"""Hidden tests of ``td_update(V, state, reward, next_state, alpha, gamma) -> np.ndarray``."""

import numpy as np

from autograder.grading import calling, expect_array, graded

FUNCTION = "td_update"
HINT = (
    "Copy V (np.array(V, dtype=float)), then V[state] += alpha * (reward + gamma * V[next_state] - "
    "V[state]) and return the copy."
)


def check(student, reference, settings, args, description, public):
    with calling(description, public=public):
        expect_array(
            student.call(FUNCTION, *args),
            reference.call(FUNCTION, *args),
            rtol=settings.rtol,
            what="the updated values",
            floats=True,
        )


@graded(FUNCTION, HINT)
def test_lesson_formula(student, reference, settings):
    """Moves V(state) a fraction alpha towards the TD target reward + gamma * V(next_state)."""
    check(
        student,
        reference,
        settings,
        (np.zeros(3), 0, 10.0, 1, 0.5, 0.9),
        "td_update(np.zeros(3), state=0, reward=10.0, next_state=1, alpha=0.5, gamma=0.9)",
        public=True,
    )


@graded(FUNCTION, HINT)
def test_hidden_transitions(student, reference, settings, rng):
    """Matches the reference on hidden values, transitions and hyperparameters."""
    for _ in range(10):
        n = int(rng.integers(2, 10))
        args = (
            rng.normal(0, 5, n),
            int(rng.integers(n)),
            float(rng.normal(0, 5)),
            int(rng.integers(n)),
            float(rng.uniform(0.01, 1)),
            float(rng.uniform(0, 1)),
        )
        check(student, reference, settings, args, "td_update on hidden values and transitions", public=False)


@graded(FUNCTION, HINT)
def test_self_transition(student, reference, settings):
    """Handles a transition from a state back to itself."""
    check(
        student,
        reference,
        settings,
        (np.array([1.0, 2.0]), 1, 0.0, 1, 0.1, 0.5),
        "td_update(np.array([1.0, 2.0]), state=1, reward=0.0, next_state=1, alpha=0.1, gamma=0.5)",
        public=True,
    )


@graded(FUNCTION, HINT + " The caller's V must not change.")
def test_leaves_V_unchanged(student, reference, settings):
    """Returns the updated values without modifying the array passed in."""
    V = np.array([1.0, 2.0, 3.0])
    with calling(
        "td_update(np.array([1.0, 2.0, 3.0]), 0, 1.0, 2, 0.5, 0.9), then looking at the array passed in", public=True
    ):
        reply = student.call(FUNCTION, V, 0, 1.0, 2, 0.5, 0.9, view={"result": "plain", "args_after": [0]})
        expect_array(
            reply.value, reference.call(FUNCTION, V, 0, 1.0, 2, 0.5, 0.9), rtol=settings.rtol, what="the updated values"
        )
        expect_array(reply.args_after.get("0"), V, rtol=0, atol=0, what="V after the call")
