"""Hidden tests of ``per_sample(priorities, batch_size, zeta, beta, rng) -> (indices, weights)``.

``rng`` is a NumPy generator the kit builds in the sandbox; the checks hold
whatever way the student draws from it.
"""

import numpy as np

from autograder.grading import (
    CountCheck,
    Generator,
    Mismatch,
    calling,
    expect_array,
    expect_list,
    expect_true,
    graded,
    seeded,
    statistical,
)

FUNCTION = "per_sample"
HINT = (
    "P = priorities ** zeta / sum(priorities ** zeta); indices = rng.choice(n, size=batch_size, p=P); "
    "weights = (n * P[indices]) ** -beta, divided by their maximum."
)
PRIORITIES = [8.0, 1.0, 1.0, 1.0, 1.0]
ZETA = 0.5


def sample(student, priorities, batch_size, zeta, beta, seed):
    """The indices (checked: batch_size ints in range) and weights of one call, with a generator of that seed."""
    got = student.call(FUNCTION, priorities, batch_size, zeta, beta, Generator(seed))
    indices, weights = expect_list(got, 2, what="the result (indices, weights)")
    if not (
        isinstance(indices, np.ndarray)
        and indices.shape == (batch_size,)
        and indices.dtype.kind in "iu"
        and np.all((indices >= 0) & (indices < len(priorities)))
    ):
        raise Mismatch(f"expected indices as an integer array of {batch_size} positions in the priorities")
    return indices, weights


@graded(FUNCTION, HINT)
def test_returns_indices_and_weights(student, rng):
    """Returns batch_size integer indices and as many float weights."""
    with calling("per_sample([8.0, 1.0, 1.0, 1.0, 1.0], 10, zeta=0.5, beta=0.4, rng)", public=True):
        _, weights = sample(student, PRIORITIES, 10, ZETA, 0.4, int(rng.integers(2**31)))
        expect_true(
            isinstance(weights, np.ndarray) and weights.shape == (10,) and weights.dtype.kind == "f",
            "expected the weights as a float array of 10 values",
        )


@graded(FUNCTION, HINT + " Mind the minus sign of -beta, missing in the lesson.")
def test_weights_compensate_the_sampling(student, rng):
    """Gives each sampled experience the weight (n P)^-beta divided by the largest, on hidden priorities."""
    for _ in range(5):
        priorities = np.round(rng.uniform(0.1, 5.0, int(rng.integers(3, 20))), 3)
        zeta, beta = float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.2, 1.0))
        with calling("per_sample on hidden priorities, zetas and betas", public=False):
            indices, weights = sample(student, priorities.tolist(), 16, zeta, beta, int(rng.integers(2**31)))
            probabilities = priorities**zeta / np.sum(priorities**zeta)
            want = (len(priorities) * probabilities[indices]) ** -beta
            expect_array(weights, want / want.max(), rtol=1e-6, what="the weights of the sampled experiences")


PER_CALL = 50


def priority_calls(settings):
    """The proportionality check's hidden calls, the same at every grading: (priorities, zeta, beta, generator
    seed, position of the top priority) each, settings.sampling_calls draws in all. Each has 4 to 8 priorities,
    one of them far above the others, and a zeta from 0.3 to 0.7."""
    rng = seeded(settings, "prioritised sampling")
    calls = []
    for _ in range(settings.sampling_calls // PER_CALL):
        priorities = rng.uniform(0.5, 2.0, int(rng.integers(4, 9)))
        top = int(rng.integers(len(priorities)))
        priorities[top] = rng.uniform(8.0, 20.0)
        calls.append(
            (
                np.round(priorities, 3).tolist(),
                float(rng.uniform(0.3, 0.7)),
                float(rng.uniform(0.2, 1.0)),
                int(rng.integers(2**31)),
                top,
            )
        )
    return calls


SAMPLING = {  # P(a draw is the top priority's experience)
    "correct": lambda priorities, zeta, top: priorities[top] ** zeta / np.sum(priorities**zeta),
    "uniform sampling": lambda priorities, zeta, top: 1 / len(priorities),
    "priorities without the zeta power": lambda priorities, zeta, top: priorities[top] / np.sum(priorities),
}


def priority_check(settings):
    """Draws of the top priority's experience, counted over all calls."""
    calls = priority_calls(settings)

    def groups(behaviour):
        return [
            [
                float(SAMPLING[behaviour](np.array(priorities), zeta, top))
                for priorities, zeta, _, _, top in calls
                for _ in range(PER_CALL)
            ]
        ]

    return (
        CountCheck.of(groups("correct"), settings.max_false_fail),
        {name: groups(name) for name in SAMPLING if name != "correct"},
    )


@statistical(priority_check)
@graded(FUNCTION, HINT)
def test_samples_in_proportion_to_priority_to_the_zeta(student, settings):
    """Draws each experience with probability proportional to its priority to the power zeta, on hidden
    priorities and zetas.

    False-fail rate: 7.6e-07. Each call has its own hidden priorities (4 to 8, one far
    above the others), zeta (0.3 to 0.7) and generator, and draws 50 experiences; a
    draw is the top priority's experience with probability p_top ** zeta / sum(p ** zeta).
    Those draws are counted over settings.sampling_calls draws, and the test fails when
    the count is outside the interval from ``stats.acceptance`` for its exact
    (Poisson-binomial) distribution, whose two tails hold that probability.
    Power against 'uniform sampling': 1 - 6.1e-07.
    Power against 'priorities without the zeta power': 1 - 4.1e-07.
    """
    calls, (check, _) = priority_calls(settings), priority_check(settings)
    with calling(
        f"per_sample(priorities, {PER_CALL}, zeta, beta, rng) {len(calls)} times on hidden priorities and zetas",
        public=False,
    ):
        top_draws = 0
        for priorities, zeta, beta, seed, top in calls:
            indices, _ = sample(student, priorities, PER_CALL, zeta, beta, seed)
            top_draws += int(np.sum(indices == top))
        expect_true(
            check.passes([top_draws]),
            "the highest priority's experience is not drawn as often as "
            "priority ** zeta / sum(priorities ** zeta) says",
            hint="P = priorities ** zeta / sum(priorities ** zeta); draw with rng.choice(n, size=batch_size, p=P).",
        )
