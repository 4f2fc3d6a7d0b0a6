"""The grader's own run of train_dqn (autograder.assignments.oracles.deep_q) with the course's settings for the
graded run."""

import dataclasses

import pytest

from autograder import config
from autograder.assignments import dqn_net
from autograder.assignments.oracles.deep_q import notebooks_mean_return, start_run

RANDOM_PLAY = 22.0  # CartPole-v1's mean return under uniformly random actions


@pytest.fixture(scope="module")
def settings():
    return config.assignment("a3_deep_q_learning").grading


def graded_run(settings):
    """The graded run's start, as test_trained_network_plays_as_well_as_the_notebooks makes it."""
    return start_run(
        settings,
        2,
        settings.train_episodes,
        settings.train_batch_size,
        settings.train_warmup_episodes,
        settings.train_target_update_period,
    )


def test_the_graded_run_trains_a_network_far_better_than_an_untrained_one(settings):
    """The check has power: the notebook's network beats random play and the untrained network by far more
    than the share the student's may fall short of it."""
    run, initial, episode_seed = graded_run(settings)
    trained = dqn_net.evaluate(
        run.follow_the_notebook(settings.train_max_steps, episode_seed), settings.eval_episodes, settings.seed
    )
    untrained = dqn_net.evaluate(initial, settings.eval_episodes, settings.seed)
    assert trained * settings.eval_fraction > 3 * max(RANDOM_PLAY, untrained)
    assert not run.problems
    assert (
        notebooks_mean_return(
            settings,
            2,
            settings.train_episodes,
            settings.train_batch_size,
            settings.train_warmup_episodes,
            settings.train_target_update_period,
        )
        == trained
    )


def test_the_same_start_makes_the_same_run(settings):
    """What the check relies on: the grader's run is deterministic, to the last bit."""
    short = dataclasses.replace(settings, train_episodes=8)
    networks = [
        run.follow_the_notebook(50, episode_seed) for run, _, episode_seed in (graded_run(short), graded_run(short))
    ]
    assert [w.tolist() for w in networks[0]] == [w.tolist() for w in networks[1]]
