"""The kit's stage in nbgrader's autograde: it replaces in-kernel execution, and what it writes into the
grade cells is what nbgrader's own code reads as each function's points."""

import json

import nbformat
import pytest
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils
from nbgrader.converters import Autograde
from nbgrader.preprocessors import AssignLatePenalties, Execute, SaveAutoGrades

from autograder import config
from autograder.nbgrader_ext import autograde_stages
from autograder.nbgrader_ext.late import PenaltyPerDay, SetDueDate
from autograder.nbgrader_ext.sandboxed_grading import GradeInSandbox, write_results
from tests.nbgrader_course import A1

REPORT = {"error": None, "notes": ["the `basic_policy` cell had lost its nbgrader metadata"], "tests": [
    {"function": "discount_rewards", "description": "Gives the lesson's returns.", "points": 0.4, "passed": True,
     "feedback": ""},
    {"function": "discount_rewards", "description": "Matches on hidden episodes.", "points": 0.0, "passed": False,
     "feedback": "Called: discount_rewards(rewards, discount_factor) on 15 hidden episodes\nHint: work backwards"},
    {"function": "basic_policy", "description": "Goes left.", "points": 1.0, "passed": True, "feedback": ""},
]}


def test_the_stage_takes_the_place_of_kernel_execution():
    stages = autograde_stages(Autograde.class_traits()["autograde_preprocessors"].default())
    assert Execute not in stages and stages[0] is GradeInSandbox
    assert stages.index(GradeInSandbox) < stages.index(SaveAutoGrades) < stages.index(AssignLatePenalties)
    assert stages.index(SetDueDate) == stages.index(AssignLatePenalties) - 1
    assert ClearMetadataPreprocessor in stages


@pytest.fixture
def release():
    return nbformat.reads(config.path("release", A1.id, A1.notebook).read_text(), as_version=4)


def test_nbgrader_reads_each_functions_points_from_the_grade_cells(release):
    write_results(release, REPORT, A1)
    grades = {cell.metadata.nbgrader["grade_id"]: utils.determine_grade(cell)
              for cell in release.cells if utils.is_grade(cell)}
    assert grades["test_discount_rewards"] == (0.4, 2.0)
    assert grades["test_basic_policy"] == (1.0, 1.0)
    assert grades["test_play_one_step"] == (0.0, 4.0)  # no test ran: no points


def test_the_grade_cells_show_each_tests_outcome_and_the_notes(release):
    write_results(release, REPORT, A1)
    text = {cell.metadata.nbgrader["grade_id"]: cell.outputs[0]["text"]
            for cell in release.cells if utils.is_grade(cell)}
    assert text["test_discount_rewards"].splitlines() == [
        "discount_rewards: 0.4 / 2 points (1 of 2 tests passed)",
        "  PASS  Gives the lesson's returns.",
        "  FAIL  Matches on hidden episodes.",
        "        Called: discount_rewards(rewards, discount_factor) on 15 hidden episodes",
        "        Hint: work backwards"]
    assert text["test_basic_policy"].startswith("Note: the `basic_policy` cell had lost its nbgrader metadata\n")
    assert json.dumps(release)  # still a notebook nbformat can write


def test_points_come_from_the_course_never_from_the_submitted_metadata(release):
    tampered = {"function": "discount_rewards", "description": "Forged.", "points": 100.0, "passed": True,
                "feedback": ""}
    for cell in release.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["points"] = 100
    stray = nbformat.v4.new_code_cell("print(100)", metadata={"nbgrader": {"grade": True, "points": 50}})
    release.cells.append(stray)
    write_results(release, {**REPORT, "tests": [tampered]}, A1)
    grades = {cell.metadata.nbgrader.get("grade_id"): utils.determine_grade(cell)[0]
              for cell in release.cells if utils.is_grade(cell)}
    assert grades["test_discount_rewards"] == A1.points["discount_rewards"]
    assert not utils.is_grade(stray) and stray.outputs == []


@pytest.mark.parametrize("seconds_late, penalty", [(1, 2.0), (86400, 2.0), (86401, 4.0), (30 * 86400, 20.0)])
def test_the_per_day_penalty_takes_a_share_per_started_day(seconds_late, penalty):
    assert PenaltyPerDay(fraction_per_day=0.1).late_submission_penalty("dave", 20.0, seconds_late) == penalty
