"""Hidden tests of ``per_sample(priorities, batch_size, zeta, beta, rng) -> (indices, weights)``.

``rng`` is a NumPy generator the kit builds in the sandbox; the checks hold
whatever way the student draws from it.
"""

import math

import numpy as np

from autograder.checks import Mismatch, calling, expect_array, expect_list, expect_true, graded, statistical
from autograder.probes import Generator
from autograder.stats import binomial_acceptance

FUNCTION = "per_sample"
HINT = ("P = priorities ** zeta / sum(priorities ** zeta); indices = rng.choice(n, size=batch_size, p=P); "
        "weights = (n * P[indices]) ** -beta, divided by their maximum.")
PRIORITIES = [8.0, 1.0, 1.0, 1.0, 1.0]
ZETA = 0.5


def sample(student, rng, priorities, batch_size, zeta, beta):
    """The indices (checked: batch_size ints in range) and weights of one call."""
    got = student.call(FUNCTION, priorities, batch_size, zeta, beta, Generator(int(rng.integers(2 ** 31))))
    indices, weights = expect_list(got, 2, what="the result (indices, weights)")
    if not (isinstance(indices, np.ndarray) and indices.shape == (batch_size,) and indices.dtype.kind in "iu"
            and np.all((indices >= 0) & (indices < len(priorities)))):
        raise Mismatch(f"expected indices as an integer array of {batch_size} positions in the priorities")
    return indices, weights


@graded(FUNCTION, HINT)
def test_returns_indices_and_weights(student, rng):
    """Returns batch_size integer indices and as many float weights."""
    with calling("per_sample([8.0, 1.0, 1.0, 1.0, 1.0], 10, zeta=0.5, beta=0.4, rng)", public=True):
        _, weights = sample(student, rng, PRIORITIES, 10, ZETA, 0.4)
        expect_true(isinstance(weights, np.ndarray) and weights.shape == (10,) and weights.dtype.kind == "f",
                    "expected the weights as a float array of 10 values")


@graded(FUNCTION, HINT + " Mind the minus sign of -beta, missing in the lesson.")
def test_weights_compensate_the_sampling(student, rng):
    """Gives each sampled experience the weight (n P)^-beta divided by the largest, on hidden priorities."""
    for _ in range(5):
        priorities = np.round(rng.uniform(0.1, 5.0, int(rng.integers(3, 20))), 3)
        zeta, beta = float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.2, 1.0))
        with calling("per_sample on hidden priorities, zetas and betas", public=False):
            indices, weights = sample(student, rng, priorities.tolist(), 16, zeta, beta)
            probabilities = priorities ** zeta / np.sum(priorities ** zeta)
            want = (len(priorities) * probabilities[indices]) ** -beta
            expect_array(weights, want / want.max(), rtol=1e-6, what="the weights of the sampled experiences")


def priority_acceptance(settings):
    """The first of priorities [8, 1, 1, 1, 1] with zeta 0.5: P = sqrt(8) / (sqrt(8) + 4) per draw."""
    p_first = math.sqrt(8) / (math.sqrt(8) + 4)
    return binomial_acceptance(settings.sampling_calls, p_first, settings.max_false_fail)


@statistical(lambda settings: priority_acceptance(settings).false_fail)
@graded(FUNCTION, HINT)
def test_samples_in_proportion_to_priority_to_the_zeta(student, rng, settings):
    """Draws each experience with probability proportional to its priority to the power zeta.

    False-fail rate: 7.4e-07. With priorities [8, 1, 1, 1, 1] and zeta = 0.5, the
    first experience is drawn a Binomial(n, sqrt(8) / (sqrt(8) + 4)) number of times
    in n = settings.sampling_calls draws; the test fails when the count is outside the
    interval from ``stats.binomial_acceptance``, whose two tails hold that probability.
    """
    acceptance, per_call = priority_acceptance(settings), 50
    with calling(f"per_sample([8.0, 1.0, 1.0, 1.0, 1.0], {per_call}, zeta=0.5, beta=0.4, rng) "
                 f"{settings.sampling_calls // per_call} times", public=True):
        indices = np.concatenate([sample(student, rng, PRIORITIES, per_call, ZETA, 0.4)[0]
                                  for _ in range(settings.sampling_calls // per_call)])
        first = int(np.sum(indices == 0))
        expect_true(first in acceptance, f"the first experience was drawn {first} times in {len(indices)} draws; "
                    f"sampling with P proportional to priority ** zeta draws it between {acceptance.low} and "
                    f"{acceptance.high} times except with probability {acceptance.false_fail:.1g}")
