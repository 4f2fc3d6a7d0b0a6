"""The games the grader serves in assignment 4's pipeline checks (autograder/assignments/served_games.py): they
serve the same steps at every grading, so a submission's hidden inputs, and its grade, do not change from one
grading to the next."""

import numpy as np
import pytest

from autograder import config
from autograder.assignments import served_games
from autograder.assignments.tf_agents_kit import same_array

SETTINGS = config.assignment("a4_breakout_dqn").grading
GAMES, STEPS = 2, 40


def played(seed, reset_args):
    """The trajectories of STEPS steps of fixed actions in new games of ``seed`` after ``reset(**reset_args)``."""
    server = served_games.GamesServer(SETTINGS, GAMES, seed=seed)
    actions = np.random.default_rng(0).integers(SETTINGS.n_actions, size=(STEPS, GAMES))
    try:
        server.handle("reset", reset_args)
        for step in actions:
            server.handle("step", {"actions": step})
    finally:
        server.close()
    return served_games.trajectories(server.log)


def same(first, second):
    return all(same_array(first[field], second[field]) for field in first)


@pytest.fixture(scope="module")
def unseeded():
    """What games of seed 7 serve after a reset that names no seed."""
    return played(7, {})


def test_a_first_reset_without_a_seed_starts_from_the_games_seed(unseeded):
    assert same(unseeded, played(7, {}))
    assert not same(unseeded, played(8, {}))


def test_a_reset_with_a_seed_starts_from_that_seed(unseeded):
    assert same(unseeded, played(99, {"seed": 7}))
