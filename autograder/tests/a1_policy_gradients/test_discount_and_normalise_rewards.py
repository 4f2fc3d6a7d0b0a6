"""Hidden tests of ``discount_and_normalise_rewards(all_rewards, discount_factor) -> list[np.ndarray]``.

``discount_rewards`` is served by the grader during these calls, so a bug in it
does not cost points here.
"""

import numpy as np

from autograder.assignments.oracles.arguments import served_by_reference
from autograder.grading import calling, expect_array, expect_list, graded

FUNCTION = "discount_and_normalise_rewards"
HINT = (
    "Discount each episode with discount_rewards, concatenate all the returns, then subtract their mean "
    "and divide by their standard deviation: one mean and one std for all episodes together."
)


def check(student, reference, settings, all_rewards, discount_factor, description, public):
    helpers = {"discount_rewards": served_by_reference(reference, "discount_rewards", ("rewards", "discount_factor"))}
    with calling(description, public=public):
        got = student.call(FUNCTION, all_rewards, discount_factor, helpers=helpers)
        want = reference.call(FUNCTION, all_rewards, discount_factor)
        expect_list(got, len(want), what="the result (one array per episode)")
        for index, (episode, expected) in enumerate(zip(got, want)):
            expect_array(
                episode, expected, rtol=settings.rtol, atol=1e-7, what=f"the normalised returns of episode {index}"
            )


@graded(FUNCTION, HINT)
def test_lesson_example(student, reference, settings):
    """Matches the lesson's example: episodes [10, 0, -50] and [10, 20] with discount 0.8."""
    check(
        student,
        reference,
        settings,
        [[10, 0, -50], [10, 20]],
        0.8,
        "discount_and_normalise_rewards([[10, 0, -50], [10, 20]], discount_factor=0.8)",
        public=True,
    )


@graded(FUNCTION, HINT)
def test_normalises_across_all_episodes(student, reference, settings, rng):
    """Normalises with the mean and standard deviation of all episodes together, on hidden episodes."""
    for _ in range(4):
        all_rewards = [
            np.round(rng.normal(0, 5, int(rng.integers(2, 40))), 3).tolist() for _ in range(int(rng.integers(2, 7)))
        ]
        check(
            student,
            reference,
            settings,
            all_rewards,
            0.95,
            "discount_and_normalise_rewards(all_rewards, 0.95) on 4 hidden sets of 2 to 6 episodes",
            public=False,
        )


@graded(FUNCTION, HINT)
def test_one_array_per_episode(student, reference, settings):
    """Returns one array per episode, each as long as its episode, for CartPole-like rewards."""
    check(
        student,
        reference,
        settings,
        [[1.0] * 3, [1.0], [1.0] * 4],
        0.9,
        "discount_and_normalise_rewards([[1.0] * 3, [1.0], [1.0] * 4], discount_factor=0.9)",
        public=True,
    )
