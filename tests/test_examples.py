"""The demo's sample submissions get the grades the demo promises (graded with the quick settings: the
samples' training loops are correct or broken either way)."""

import pytest

from autograder import config
from tests.conftest import by_function, grade, quick_course

A1 = config.assignment("a1_policy_gradients")
SAMPLES = config.path("examples", A1.id)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return quick_course(tmp_path_factory.mktemp("examples") / "course", A1.id)


@pytest.mark.slow
def test_alice_correct_in_her_own_way_gets_full_marks(course):
    assert grade(A1.id, SAMPLES / "alice.ipynb", course=course)["score"] == A1.max_score


@pytest.mark.slow
def test_bob_loses_the_points_of_his_mistakes_only(course):
    scores = {function: got for function, (got, _) in by_function(grade(A1.id, SAMPLES / "bob.ipynb",
                                                                          course=course)).items()}
    assert scores["basic_policy"] == 1 and scores["play_multiple_episodes"] == 3
    assert scores["train_policy_gradient"] == 6
    assert 0 < scores["build_policy_model"] < 2 and 0 < scores["discount_rewards"] < 2
    assert scores["discount_and_normalise_rewards"] == 0 and 0 < scores["play_one_step"] < 4


@pytest.mark.slow
def test_mallory_forges_nothing(course):
    scores = {function: got for function, (got, _) in by_function(grade(A1.id, SAMPLES / "mallory.ipynb",
                                                                          course=course)).items()}
    assert scores == {"basic_policy": 1, "build_policy_model": 2, "discount_rewards": 0,
                      "discount_and_normalise_rewards": 0, "play_one_step": 0, "play_multiple_episodes": 0,
                      "train_policy_gradient": 6}
