"""Hidden tests of ``discount_rewards(rewards, discount_factor) -> np.ndarray``."""

import numpy as np

from autograder.grading import calling, expect_array, graded

FUNCTION = "discount_rewards"
HINT = (
    "Work backwards from the last step: each return is the step's reward plus discount_factor times "
    "the next step's return. Start from np.array(rewards, dtype=float) so integer rewards still give "
    "float returns."
)


def expect_like_reference(student, reference, settings, rewards, discount_factor, description, public):
    with calling(description, public=public):
        got = student.call(FUNCTION, rewards, discount_factor)
        want = reference.call(FUNCTION, rewards, discount_factor)
        expect_array(got, want, rtol=settings.rtol, what="the returns", floats=True)


@graded(FUNCTION, HINT)
def test_lesson_example(student, reference, settings):
    """Gives the lesson's returns [-22, -40, -50] for rewards [10, 0, -50] and discount 0.8."""
    expect_like_reference(
        student,
        reference,
        settings,
        [10, 0, -50],
        0.8,
        "discount_rewards([10, 0, -50], discount_factor=0.8)",
        public=True,
    )


@graded(FUNCTION, HINT)
def test_integer_rewards_give_float_returns(student, reference, settings):
    """Returns floats for integer rewards: [1, 1] with discount 0.5 gives [1.5, 1.0]."""
    expect_like_reference(
        student, reference, settings, [1, 1], 0.5, "discount_rewards([1, 1], discount_factor=0.5)", public=True
    )


@graded(FUNCTION, HINT)
def test_empty_and_one_step_episodes(student, reference, settings):
    """Handles episodes of 0 and 1 steps."""
    for rewards in ([], [5]):
        expect_like_reference(
            student, reference, settings, rewards, 0.9, f"discount_rewards({rewards}, discount_factor=0.9)", public=True
        )


@graded(FUNCTION, HINT)
def test_hidden_episodes(student, reference, settings, rng):
    """Matches the reference on hidden episodes of 2 to 60 steps, for discount factors from 0 to 1."""
    for discount_factor in (0.0, 0.5, 0.9, 0.99, 1.0):
        for _ in range(3):
            rewards = np.round(rng.normal(0, 10, int(rng.integers(2, 61))), 3).tolist()
            expect_like_reference(
                student,
                reference,
                settings,
                rewards,
                discount_factor,
                "discount_rewards(rewards, discount_factor) on 15 hidden episodes "
                "(float rewards; discount factors 0, 0.5, 0.9, 0.99 and 1)",
                public=False,
            )


@graded(FUNCTION, HINT)
def test_leaves_its_input_unchanged(student, reference, settings):
    """Returns the returns of a float array without modifying that array."""
    rewards = np.array([1.0, 2.0, 3.0])
    view = {"result": "plain", "args_after": [0]}
    with calling("discount_rewards(np.array([1.0, 2.0, 3.0]), 0.9), then looking at the array passed in", public=True):
        reply = student.call(FUNCTION, rewards, 0.9, view=view)
        expect_array(reply.value, reference.call(FUNCTION, rewards, 0.9), rtol=settings.rtol, what="the returns")
        expect_array(
            reply.args_after.get("0"),
            rewards,
            rtol=0,
            atol=0,
            what="the rewards array after the call",
            hint="copy the rewards (np.array(rewards, dtype=float) makes a copy) before changing values",
        )
