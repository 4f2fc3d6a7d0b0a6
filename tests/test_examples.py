"""The demo's sample submissions get the grades the demo promises (graded by the batch with the quick settings,
``samples_batch``: the samples' training loops are correct or broken either way)."""

import pytest

from tests.conftest import by_function
from tests.nbgrader_course import A1, samples_batch  # noqa: F401 (fixture)


def points(batch, student):
    """{function: points} of the student's report in the batch."""
    return {function: got for function, (got, _) in by_function(batch.reports[student]).items()}


@pytest.mark.slow
def test_alice_correct_in_her_own_way_gets_full_marks(samples_batch):  # noqa: F811
    assert samples_batch.reports["alice"]["score"] == A1.max_score


@pytest.mark.slow
def test_bob_loses_the_points_of_his_mistakes_only(samples_batch):  # noqa: F811
    scores = points(samples_batch, "bob")
    assert scores["basic_policy"] == 1 and scores["play_multiple_episodes"] == 3
    assert scores["train_policy_gradient"] == 6
    assert 0 < scores["build_policy_model"] < 2 and 0 < scores["discount_rewards"] < 2
    assert scores["discount_and_normalise_rewards"] == 0 and 0 < scores["play_one_step"] < 4


@pytest.mark.slow
def test_mallory_forges_nothing(samples_batch):  # noqa: F811
    assert points(samples_batch, "mallory") == {
        "basic_policy": 1,
        "build_policy_model": 2,
        "discount_rewards": 0,
        "discount_and_normalise_rewards": 0,
        "play_one_step": 0,
        "play_multiple_episodes": 0,
        "train_policy_gradient": 6,
    }
