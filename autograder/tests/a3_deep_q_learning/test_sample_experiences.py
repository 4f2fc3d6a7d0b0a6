"""Hidden tests of ``sample_experiences(replay_buffer, batch_size) -> six arrays``."""

import numpy as np

from autograder.checks import Mismatch, calling, expect_list, expect_true, graded, statistical
from autograder.probes import ReplayBuffer
from autograder.stats import binomial_acceptance

FUNCTION = "sample_experiences"
HINT = ("Draw batch_size indices with np.random.randint(len(replay_buffer), size=batch_size), then build one "
        "array per field: states, actions, rewards, next_states, dones, truncateds.")


def numbered_buffer(size, rng=None):
    """A replay buffer whose i-th experience has state [i, i, i, i] and fields derived from i."""
    ids = np.arange(size)
    noise = rng.normal(0, 0.01, size) if rng is not None else np.zeros(size)
    return [np.repeat(ids[:, None], 4, axis=1).astype(np.float32), ids % 2, ids * 1.5 + noise,
            np.repeat(ids[:, None] + 100, 4, axis=1).astype(np.float32), ids % 3 == 0, ids % 5 == 0]


def sampled_ids(got, buffer, batch_size):
    """The ids of the sampled experiences, checking that each row is one whole experience of the buffer."""
    fields = expect_list(got, 6, what="the result (states, actions, rewards, next_states, dones, truncateds)")
    for index, (field, column) in enumerate(zip(fields, buffer)):
        if not isinstance(field, np.ndarray) or field.shape != (batch_size,) + column.shape[1:]:
            raise Mismatch(f"field {index} is not an array of {batch_size} rows shaped like the buffer's")
    ids = fields[0][:, 0].astype(int)
    expect_true(np.all((ids >= 0) & (ids < len(buffer[0]))), "some sampled states are not in the buffer")
    for index, (field, column) in enumerate(zip(fields, buffer)):
        if not np.allclose(np.asarray(field, dtype=np.float64), column[ids].astype(np.float64)):
            raise Mismatch(f"field {index} of some rows does not belong to the same experience as its state")
    return ids


@graded(FUNCTION, HINT)
def test_returns_six_arrays_of_batch_size(student):
    """Returns six arrays of batch_size rows: states (batch, 4), then actions, rewards, dones, truncateds."""
    buffer = numbered_buffer(10)
    with calling("sample_experiences(replay_buffer, 32) on a buffer of 10 experiences", public=True):
        sampled_ids(student.call(FUNCTION, ReplayBuffer(buffer, 100), 32), buffer, 32)


@graded(FUNCTION, HINT)
def test_rows_are_whole_experiences(student, rng):
    """Keeps each experience's six fields together, on hidden buffers."""
    for size in (3, 17, 60):
        buffer = numbered_buffer(size, rng)
        with calling("sample_experiences(replay_buffer, batch_size) on hidden buffers", public=False):
            sampled_ids(student.call(FUNCTION, ReplayBuffer(buffer, 1000), 8), buffer, 8)


def uniform_acceptance(settings):
    """The last of 10 experiences, drawn 5 at a time: P = 1/10 per draw."""
    return binomial_acceptance(settings.sampling_calls, 0.1, settings.max_false_fail)


@statistical(lambda settings: uniform_acceptance(settings).false_fail)
@graded(FUNCTION, HINT)
def test_samples_uniformly(student, settings):
    """Draws every experience with the same probability, the last one included.

    False-fail rate: 5.8e-07. Drawn with replacement, the last of 10 experiences
    appears a Binomial(n, 1/10) number of times in n = settings.sampling_calls draws
    (5 per call); without replacement the count varies less, so the same interval
    holds with even fewer failures. The test fails when the count is outside the
    interval from ``stats.binomial_acceptance``, whose two tails hold that probability.
    """
    buffer, acceptance = numbered_buffer(10), uniform_acceptance(settings)
    calls = settings.sampling_calls // 5
    with calling(f"sample_experiences(replay_buffer, 5) {calls} times on a buffer of 10 experiences", public=True):
        ids = np.concatenate([sampled_ids(student.call(FUNCTION, ReplayBuffer(buffer, 100), 5), buffer, 5)
                              for _ in range(calls)])
        last = int(np.sum(ids == 9))
        expect_true(last in acceptance, f"the last experience was drawn {last} times in {len(ids)} draws; uniform "
                    f"sampling draws it between {acceptance.low} and {acceptance.high} times except with "
                    f"probability {acceptance.false_fail:.1g}")
