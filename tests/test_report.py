"""A report is one type from the grader to the gradebook: JSON out and back gives the same report, per-function
points are clamped to the course's, and anything that is not a report is refused."""

import pytest

from autograder.grading.report import Measure, Report, ReportUnreadable, TestCase, TestCaseResult
from tests.nbgrader_course import A1

CASES = [
    TestCase("test_a", "discount_rewards", "Gives the lesson's returns.", "work backwards", 0.5),
    TestCase("test_b", "discount_rewards", "Matches on hidden episodes.", "work backwards", 1.5),
    TestCase("test_c", "basic_policy", "Goes left.", "look at the angle", 1.0),
]


def report():
    return Report(
        A1.id,
        A1.max_score,
        [
            TestCaseResult(CASES[0], True, seconds=0.25),
            TestCaseResult(CASES[1], False, "Problem: off by one\nHint: h", seconds=1.5),
            TestCaseResult(CASES[2], True),
        ],
        notes=["a note"],
        measures=[Measure("train_policy_gradient", "mean return", 357.2, 280.4, 434.0, 20, b"GIF89a...", "A caption")],
    )


def test_json_out_and_back_is_the_same_report():
    again = Report.from_json(report().to_json())
    assert again.to_json() == report().to_json()
    assert again.score == report().score == 1.5 and again.measures == report().measures
    assert again.table() == report().table()


def test_a_report_that_could_not_grade_scores_zero_and_says_why():
    failed = Report.from_json(Report.not_graded(A1, "the notebook could not be read").to_json())
    assert (failed.score, failed.max_score, failed.error, failed.results) == (
        0,
        A1.max_score,
        "the notebook could not be read",
        [],
    )


def test_function_points_stay_within_the_courses_points():
    points = report().function_points({"discount_rewards": 2.0, "basic_policy": 0.5, "play_one_step": 4.0})
    assert points == {"discount_rewards": 0.5, "basic_policy": 0.5, "play_one_step": 0.0}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {},
        {**report().to_json(), "tests": [{"name": "x"}]},
        {**report().to_json(), "max_score": "many"},
        {**report().to_json(), "notes": 3},
        {**report().to_json(), "measures": [{**report().measures[0].to_json(), "replay": "not base64!"}]},
    ],
)
def test_what_is_not_a_report_is_refused(data):
    with pytest.raises(ReportUnreadable, match="not a report"):
        Report.from_json(data)
