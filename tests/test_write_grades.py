"""The kit's stages in nbgrader's autograde: they replace in-kernel execution, and what ``WriteGrades`` writes
into the grade cells is what nbgrader's own code reads as each function's points."""

import json

import nbformat
import pytest
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils
from nbgrader.converters import Autograde
from nbgrader.preprocessors import AssignLatePenalties, Execute, SaveAutoGrades

from autograder import config
from autograder.course.nbgrader_ext import autograde_stages
from autograder.course.nbgrader_ext.ensure_report import FINGERPRINT, EnsureReport, ensure_report, handed_over
from autograder.course.nbgrader_ext.late import PenaltyPerDay, SetDueDate
from autograder.course.nbgrader_ext.write_grades import WriteGrades, write_results
from autograder.course.submission import Submission
from autograder.faults import GraderFault
from autograder.grading.report import Report, TestCase, TestCaseResult
from tests.nbgrader_course import A1


def result(function, description, max_points, passed, feedback=""):
    return TestCaseResult(TestCase(description.lower(), function, description, "", max_points), passed, feedback)


REPORT = Report(
    A1.id,
    A1.max_score,
    [
        result("discount_rewards", "Gives the lesson's returns.", 0.4, True),
        result(
            "discount_rewards",
            "Matches on hidden episodes.",
            1.6,
            False,
            "Called: discount_rewards(rewards, discount_factor) on 15 hidden episodes\nHint: work backwards",
        ),
        result("basic_policy", "Goes left.", 1.0, True),
    ],
    notes=["the `basic_policy` cell had lost its nbgrader metadata"],
)


def test_the_stage_takes_the_place_of_kernel_execution():
    stages = autograde_stages(Autograde.class_traits()["autograde_preprocessors"].default())
    assert Execute not in stages and stages[:2] == [EnsureReport, WriteGrades]
    assert stages.index(WriteGrades) < stages.index(SaveAutoGrades) < stages.index(AssignLatePenalties)
    assert stages.index(SetDueDate) == stages.index(AssignLatePenalties) - 1
    assert ClearMetadataPreprocessor in stages


@pytest.fixture
def release():
    return nbformat.reads(config.path("release", A1.id, A1.notebook).read_text(), as_version=4)


def test_nbgrader_reads_each_functions_points_from_the_grade_cells(release):
    write_results(release, REPORT, A1)
    grades = {
        cell.metadata.nbgrader["grade_id"]: utils.determine_grade(cell)
        for cell in release.cells
        if utils.is_grade(cell)
    }
    assert grades["test_discount_rewards"] == (0.4, 2.0)
    assert grades["test_basic_policy"] == (1.0, 1.0)
    assert grades["test_play_one_step"] == (0.0, 4.0)  # no test ran: no points


def test_the_grade_cells_show_each_tests_outcome_and_the_notes(release):
    write_results(release, REPORT, A1)
    text = {
        cell.metadata.nbgrader["grade_id"]: cell.outputs[0]["text"] for cell in release.cells if utils.is_grade(cell)
    }
    assert text["test_discount_rewards"].splitlines() == [
        "discount_rewards: 0.4 / 2 points (1 of 2 tests passed)",
        "  PASS  Gives the lesson's returns.",
        "  FAIL  Matches on hidden episodes.",
        "        Called: discount_rewards(rewards, discount_factor) on 15 hidden episodes",
        "        Hint: work backwards",
    ]
    assert text["test_basic_policy"].startswith("Note: the `basic_policy` cell had lost its nbgrader metadata\n")
    assert json.dumps(release)  # still a notebook nbformat can write


def test_points_come_from_the_course_never_from_the_submitted_metadata(release):
    tampered = result("discount_rewards", "Forged.", 100.0, True)
    for cell in release.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["points"] = 100
    stray = nbformat.v4.new_code_cell("print(100)", metadata={"nbgrader": {"grade": True, "points": 50}})
    release.cells.append(stray)
    write_results(release, Report(A1.id, A1.max_score, [tampered]), A1)
    grades = {
        cell.metadata.nbgrader.get("grade_id"): utils.determine_grade(cell)[0]
        for cell in release.cells
        if utils.is_grade(cell)
    }
    assert grades["test_discount_rewards"] == A1.points["discount_rewards"]
    assert not utils.is_grade(stray) and stray.outputs == []


@pytest.mark.parametrize("seconds_late, penalty", [(1, 2.0), (86400, 2.0), (86401, 4.0), (30 * 86400, 20.0)])
def test_the_per_day_penalty_takes_a_share_per_started_day(seconds_late, penalty):
    assert PenaltyPerDay(fraction_per_day=0.1).late_submission_penalty("dave", 20.0, seconds_late) == penalty


def test_a_fingerprint_handed_over_by_the_batch_is_taken_as_is(release, tmp_path):
    """The batch has fingerprinted and stored the report already: the stage reads no file of the submission."""
    missing = Submission(A1.id, "alice", tmp_path / "not-there")
    with handed_over(missing, "the batch's fingerprint"):
        assert ensure_report(missing) == "the batch's fingerprint"
    with pytest.raises(GraderFault, match="the report store has no report of alice's submitted files"):
        WriteGrades().preprocess(
            release, {"nbgrader": {"assignment": A1.id, "student": "alice"}, FINGERPRINT: "unknown"}
        )
