"""Hidden tests of ``sample_experiences(replay_buffer, batch_size) -> six arrays``."""

import numpy as np

from autograder.grading import (
    CountCheck,
    Mismatch,
    ReplayBuffer,
    calling,
    expect_list,
    expect_true,
    graded,
    seeded,
    statistical,
)

FUNCTION = "sample_experiences"
HINT = (
    "Draw batch_size indices with np.random.randint(len(replay_buffer), size=batch_size), then build one "
    "array per field: states, actions, rewards, next_states, dones, truncateds."
)


def hidden_buffer(rng, size):
    """Six arrays of ``size`` experiences of random values: each state is a row no other has."""
    return [
        rng.normal(0, 1, (size, 4)).astype(np.float32),
        rng.integers(0, 2, size),
        rng.normal(1, 1, size),
        rng.normal(0, 1, (size, 4)).astype(np.float32),
        rng.random(size) < 0.3,
        rng.random(size) < 0.2,
    ]


def numbered_buffer(size):
    """A replay buffer whose i-th experience has state [i, i, i, i] and fields derived from i."""
    ids = np.arange(size)
    return [
        np.repeat(ids[:, None], 4, axis=1).astype(np.float32),
        ids % 2,
        ids * 1.5,
        np.repeat(ids[:, None] + 100, 4, axis=1).astype(np.float32),
        ids % 3 == 0,
        ids % 5 == 0,
    ]


def sampled_ids(got, buffer, batch_size):
    """The positions of the sampled experiences in the buffer, found by their states, checking that each row
    is one whole experience of the buffer."""
    fields = expect_list(got, 6, what="the result (states, actions, rewards, next_states, dones, truncateds)")
    for index, (field, column) in enumerate(zip(fields, buffer)):
        if not isinstance(field, np.ndarray) or field.shape != (batch_size,) + column.shape[1:]:
            raise Mismatch(f"field {index} is not an array of {batch_size} rows shaped like the buffer's")
    positions = {row.tobytes(): position for position, row in enumerate(buffer[0])}
    ids = np.array([positions.get(np.asarray(row, dtype=np.float32).tobytes(), -1) for row in fields[0]])
    expect_true(np.all(ids >= 0), "some sampled states are not in the buffer")
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
        buffer = hidden_buffer(rng, size)
        with calling("sample_experiences(replay_buffer, batch_size) on hidden buffers", public=False):
            sampled_ids(student.call(FUNCTION, ReplayBuffer(buffer, 1000), 8), buffer, 8)


HIDDEN_SIZES = (6, 7, 8, 9, 11, 12, 13, 14, 15)
"""Sizes of the hidden buffers: never the visible tests' 10."""


def sampling_calls(settings):
    """The uniformity check's hidden calls, the same at every grading: (buffer, batch_size) each, of 6 to 15
    experiences (never 10, the visible tests' size) and batches of 3 to 7, about settings.sampling_calls draws
    in all."""
    rng = seeded(settings, "uniform sampling")
    calls, draws = [], 0
    while draws < settings.sampling_calls:
        buffer, batch_size = hidden_buffer(rng, int(rng.choice(HIDDEN_SIZES))), int(rng.integers(3, 8))
        calls.append((buffer, batch_size))
        draws += batch_size
    return calls


DRAWING = {  # P(a draw is the first experience), P(a draw is the last), from a buffer of n
    "correct": lambda n: (1 / n, 1 / n),
    "never the last experience": lambda n: (1 / (n - 1), 0.0),
    "never the first experience": lambda n: (0.0, 1 / (n - 1)),
}


def uniform_check(settings):
    """Draws of the first and of the last experience of each buffer, counted apart."""
    calls = sampling_calls(settings)

    def groups(behaviour):
        return [
            [DRAWING[behaviour](len(buffer[0]))[end] for buffer, batch_size in calls for _ in range(batch_size)]
            for end in (0, 1)
        ]

    return (
        CountCheck.of(groups("correct"), settings.max_false_fail),
        {name: groups(name) for name in DRAWING if name != "correct"},
    )


@statistical(uniform_check)
@graded(FUNCTION, HINT)
def test_samples_uniformly(student, settings):
    """Draws every experience with the same probability, the first and the last included, on hidden buffers.

    False-fail rate: 7.3e-07. Each call has its own hidden buffer of n = 6 to 15
    experiences (never 10, the visible tests' size) and batch size; drawn with replacement, a draw is the buffer's first
    experience with probability 1 / n, and its last with probability 1 / n. The draws of
    the first and of the last are counted apart over about settings.sampling_calls
    draws, and the test fails when a count is outside the interval from
    ``stats.acceptance`` for its exact (Poisson-binomial) distribution, with tails of
    max_false_fail / 2 each; the union bound gives the rate above. Without replacement
    the counts vary less, so the same intervals hold with even fewer failures.
    Power against 'never the last experience': 1.
    Power against 'never the first experience': 1.
    """
    calls, (check, _) = sampling_calls(settings), uniform_check(settings)
    with calling(f"sample_experiences(replay_buffer, batch_size) {len(calls)} times on hidden buffers", public=False):
        ends = [0, 0]
        for buffer, batch_size in calls:
            ids = sampled_ids(student.call(FUNCTION, ReplayBuffer(buffer, 100), batch_size), buffer, batch_size)
            ends[0] += int(np.sum(ids == 0))
            ends[1] += int(np.sum(ids == len(buffer[0]) - 1))
        expect_true(
            check.passes(ends),
            "the first or the last experiences of the buffers are not drawn as often as the others",
            hint="Draw the indices from 0 to len(replay_buffer) - 1, "
            "both included: np.random.randint(len(replay_buffer), "
            "size=batch_size).",
        )
