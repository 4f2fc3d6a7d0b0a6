"""The milestone, graded under ``train_agent``: the trained Q-network's weights, submitted as
``q_weights.npz`` beside the notebook, play the grader's own games.

No student code runs: the file is read as plain arrays (``autograder.assignments.atari``), the
grader's NumPy copy of the network chooses the actions, and the grader's emulators
count the score. Each score band of course_config.py is one test; reaching it earns
that test's share of train_agent's points.
"""

import pytest

from autograder import config
from autograder.assignments import atari, replays
from autograder.grading import expect_true, graded

BANDS = config.assignment("a4_breakout_dqn").grading.score_bands
HINT = (
    'Train longer (a GPU helps), then export_q_weights(q_net, "q_weights.npz") and submit the file beside the notebook.'
)


@pytest.fixture(scope="module")
def scores(submission, settings, measure):
    """The scores of the grader's games, or the reason the weights could not be played."""
    replay = replays.breakout_replay(settings.eval_seed)
    try:
        played = atari.evaluate(submission.parent / settings.weights_file, settings, replay=replay)
    except atari.WeightsError as error:
        return error
    measure("train_agent", "the submitted agent's mean score", list(played), replay)
    return played


@pytest.mark.parametrize("band", BANDS, ids=[f"score {band:g}" for band in BANDS])
@graded("train_agent", HINT)
def test_trained_agent_reaches_the_band(band, scores, settings):
    """The submitted weights reach a mean score of at least this band in the grader's games."""
    expect_true(not isinstance(scores, atari.WeightsError), str(scores))
    mean = float(scores.mean())
    expect_true(
        mean >= band,
        f"your agent's mean score over the grader's {settings.eval_episodes} games "
        f"(epsilon = {settings.eval_epsilon:g}) is {mean:.1f}; this band asks for {band:g}",
    )
