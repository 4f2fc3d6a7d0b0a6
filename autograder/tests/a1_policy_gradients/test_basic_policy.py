"""Hidden tests of ``basic_policy(obs) -> int``."""

import numpy as np

from autograder.assignments.envs import valid_action
from autograder.grading import Mismatch, calling, expect_true, graded, kind_of

FUNCTION = "basic_policy"
HINT = "obs is a 1-D array of 4 floats and the pole's angle is obs[2]: return 0 when it is negative, else 1."


def action(value):
    """An action in {0, 1} from a student's value (an int, a bool or a NumPy integer), else Mismatch."""
    if type(value) in (int, bool) or (
        isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "biu"
    ):
        if int(value) in (0, 1):
            return int(value)
    raise Mismatch(f"expected the action 0 or 1, got {kind_of(value)}", f"expected the action 0 or 1, got {value!r}")


@graded(FUNCTION, HINT)
def test_pushes_towards_the_lean(student):
    """Goes left when the pole leans left, and right when it leans right."""
    for obs, want in (([0.0, 0.0, -0.05, 0.0], 0), ([0.0, 0.0, 0.05, 0.0], 1), ([0.3, -0.2, -0.01, 0.4], 0)):
        with calling(f"basic_policy(np.array({obs}))", public=True):
            got = action(student.call(FUNCTION, np.array(obs, dtype=np.float32)))
            expect_true(got == want, f"expected {want}, got {got}")


@graded(FUNCTION, HINT)
def test_uses_only_the_angle(student, reference, rng):
    """Follows the pole's angle on hidden observations, whatever the cart's position and velocities."""
    for _ in range(30):
        obs = rng.uniform([-2.4, -3.0, 0.001, -3.0], [2.4, 3.0, 0.2, 3.0]).astype(np.float32)
        obs[2] *= rng.choice([-1, 1])
        obs[[0, 1, 3]] = np.abs(obs[[0, 1, 3]]) * -np.sign(obs[2])  # everything else leans the other way
        with calling("basic_policy(obs) on 30 hidden observations", public=False):
            got = action(student.call(FUNCTION, obs))
            expect_true(got == reference.call(FUNCTION, obs), "the action is not the one the angle calls for")


@graded(FUNCTION, HINT)
def test_returns_an_action_cartpole_accepts(student):
    """Returns an action that CartPole's step() accepts: a Python int (or a NumPy integer)."""
    with calling("basic_policy(np.array([0.0, 0.0, 0.05, 0.0]))", public=True):
        got = student.call(FUNCTION, np.array([0.0, 0.0, 0.05, 0.0], dtype=np.float32))
        expect_true(
            valid_action(got, 2) is not None,
            f"env.step() would reject {kind_of(got)}",
            f"env.step() would reject {got!r} ({kind_of(got)})",
            hint="return the int 0 or 1, not a float or an array",
        )
