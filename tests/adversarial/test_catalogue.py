"""Every hostile submission of the catalogue (``cases/``) gets the outcome it must get, in one batch with a
correct classmate (or, for the cases on other assignments, graded on its own): no point it did not earn, a
clear message, the batch graded everyone, the gradebook is intact, nothing outside the sandbox changed (no
file, no kernel setting), and no feedback carries hidden inputs or hidden test code."""

import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest

from autograder import config
from autograder.course.nbgrader_ext import commands
from tests.adversarial import catalogue
from tests.conftest import grade
from tests.nbgrader_course import copy_course, generated, hidden_test_code_lines, once_per_run, scores, stored_reports

pytestmark = pytest.mark.slow
ALL_CASES = catalogue.load()
ASSIGNMENT = catalogue.ASSIGNMENT
CASES = {name: case for name, case in ALL_CASES.items() if not case.functions}
"""The cases graded in the batch."""
ON_THEIR_OWN = {name: case for name, case in ALL_CASES.items() if case.functions}
WORKERS = "3"
"""Submissions graded at once: one more than the cores, as several cases spend their time waiting for a limit."""
CALL_TIMEOUT_S = 6.0
"""The catalogue course's limit on one call (the kit's is 20 s): the endless loops and the fork bomb are stopped
by the same deadline sooner, and the correct classmate, graded with quick settings, gets full marks with 0.5 s."""
MEMORY_BYTES = 512 * 2**20
"""The catalogue course's memory limit (the kit's is 2 GiB): where the kernel fills new pages slowly (2 GiB took
5.7 s on one machine), the memory bomb must reach the limit well before CALL_TIMEOUT_S, or the deadline stops it
first; assignment 2's sandboxes need far less."""
KEPT = ("source", "release", "solutions", "autograder", "course_config.py", "nbgrader_config.py", "submitted")
"""What no grading may change in the course (the grader writes reports/, autograded/ and the gradebook)."""


def snapshot(root):
    """A hash of every file the grading must leave as it is."""
    digests = {}
    for name in KEPT:
        for path in sorted((root / name).rglob("*")) if (root / name).is_dir() else [root / name]:
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                digests[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def marks_on_this_machine():
    """Files a case wrote outside its sandbox, found by their name anywhere on this machine."""
    found = subprocess.run(
        [
            "find",
            "/",
            "/dev/shm",
            "-xdev",
            "(",
            "-path",
            "/proc",
            "-o",
            "-path",
            "/sys",
            ")",
            "-prune",
            "-o",
            "-name",
            f"{catalogue.MARK}*",
            "-print",
        ],
        capture_output=True,
        text=True,
    ).stdout
    return sorted(set(found.split()))


def gradebook_state(root):
    """Integrity check and per-student rows of the course's SQLite gradebook."""
    with sqlite3.connect(root / "gradebook.db") as database:
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
        rows = dict(database.execute("SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"))
        unscored = database.execute("SELECT COUNT(*) FROM grade WHERE auto_score IS NULL").fetchone()[0]
    return {"integrity": integrity, "submissions": rows, "unscored_grades": unscored}


def grade_the_catalogue(generated, directory):
    root = copy_course(generated, directory)
    commands.override_settings(root, "LIMITS", call_timeout_s=CALL_TIMEOUT_S, memory_bytes=MEMORY_BYTES)
    when = "2026-01-10 12:00:00.000000 UTC"
    commands.place_collected(
        root, catalogue.CLASSMATE, ASSIGNMENT.id, catalogue.base_notebook(ASSIGNMENT.id).read_bytes(), when
    )
    for case in CASES.values():
        case.submit(
            root, lambda course, student, data: commands.place_collected(course, student, ASSIGNMENT.id, data, when)
        )
    before, settings = snapshot(root), catalogue.kernel_settings()
    batch = subprocess.run(
        [sys.executable, "-m", "autograder", "autograde", ASSIGNMENT.id, "--json", "--workers", WORKERS],
        cwd=root,
        env=commands.environment(root),
        capture_output=True,
        text=True,
        timeout=3000,
    )
    reports = stored_reports(root, ASSIGNMENT)
    autograded = {
        path.parts[-3]: "".join(
            output.get("text", "") if isinstance(output.get("text"), str) else "".join(output.get("text", []))
            for cell in json.loads(path.read_text())["cells"]
            for output in cell.get("outputs", [])
        )
        for path in (root / "autograded").glob(f"*/{ASSIGNMENT.id}/{ASSIGNMENT.notebook}")
    }
    return {
        "status": batch.returncode,
        "stderr": batch.stderr[-3000:],
        "outcomes": {outcome["student"]: outcome for outcome in json.loads(batch.stdout or "[]")},
        "reports": reports,
        "autograded": autograded,
        "gradebook": gradebook_state(root),
        "scores": scores(root, ASSIGNMENT),
        "changed": sorted(path for path, digest in snapshot(root).items() if before.get(path) != digest),
        "marks": marks_on_this_machine(),
        "kernel_settings_changed": catalogue.restore(settings),
    }


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """The catalogue and the classmate, batch-graded once: outcomes, reports, gradebook, what changed."""
    course = generated(tmp_path_factory, ASSIGNMENT)
    _, result = once_per_run(tmp_path_factory, "catalogue", lambda directory: grade_the_catalogue(course, directory))
    return result


def test_the_batch_grades_every_submission(graded):
    assert graded["status"] == 0, graded["stderr"]
    assert set(graded["outcomes"]) == set(CASES) | {catalogue.CLASSMATE}
    assert {outcome["action"] for outcome in graded["outcomes"].values()} == {"graded"}
    assert graded["scores"][catalogue.CLASSMATE] == ASSIGNMENT.max_score


def test_the_gradebook_is_intact(graded):
    state = graded["gradebook"]
    assert state["integrity"] == "ok"
    assert state["submissions"] == dict.fromkeys(set(CASES) | {catalogue.CLASSMATE}, 1)
    assert state["unscored_grades"] == 0
    assert {student: round(report["score"], 4) for student, report in graded["reports"].items()} == graded["scores"]


def test_nothing_outside_the_sandboxes_changed(graded):
    assert graded["changed"] == []
    assert graded["marks"] == []
    assert graded["kernel_settings_changed"] == []


def test_no_feedback_carries_a_hidden_input_or_hidden_test_code(graded):
    code = hidden_test_code_lines(ASSIGNMENT)
    for student, report in graded["reports"].items():
        texts = [test["feedback"] for test in report["tests"]] + [report["error"] or ""] + report["notes"]
        texts.append(graded["autograded"].get(student, ""))
        assert not [text for text in texts if catalogue.LEAK in text], student
        assert not [line for line in code for text in texts if line in text], student


@pytest.mark.parametrize("name", list(CASES))
def test_the_case_gets_its_outcome(name, graded):
    report = graded["reports"][name]
    expect_outcome(CASES[name], report, list(ASSIGNMENT.points))
    assert graded["scores"][name] == pytest.approx(report["score"])


@pytest.mark.parametrize("name", list(ON_THEIR_OWN))
def test_a_case_graded_on_its_own_gets_its_outcome(name, tmp_path):
    case = ON_THEIR_OWN[name]
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(case.notebook()))
    settings = catalogue.kernel_settings()
    report = grade(case.assignment, path, functions=case.functions)
    assert catalogue.restore(settings) == [] and marks_on_this_machine() == []
    assert {test["function"] for test in report["tests"]} == set(case.functions)
    expect_outcome(case, report, list(case.functions))


def expect_outcome(case, report, functions):
    """The report shows the case's expected outcome: exactly the expected tests fail, with clear feedback."""
    expect = case.expect
    if expect.get("error"):
        assert expect["error"] in (report["error"] or ""), report["error"]
    zero = functions if expect.get("zero") == "all" else expect.get("zero", [])
    must_fail = [
        test
        for test in report["tests"]
        if test["function"] in zero or f"{test['function']}::{test['name']}" in expect.get("failed", [])
    ]
    assert [test for test in report["tests"] if not test["passed"]] == must_fail
    for function in zero:
        assert sum(test["points"] for test in report["tests"] if test["function"] == function) == 0
    if expect.get("feedback"):
        assert any(expect["feedback"] in test["feedback"] for test in must_fail), must_fail
    for test in must_fail:
        assert "grader itself failed" not in test["feedback"] and "Problem: " in test["feedback"]
        if expect.get("feedback_exact"):
            problems = [line for line in test["feedback"].splitlines() if line.startswith("Problem:")]
            assert problems == [expect["feedback_exact"]], test["feedback"]


def test_every_kind_of_attack_is_in_the_catalogue():
    categories = {case.category for case in ALL_CASES.values()}
    assert categories == {"forged results", "escapes", "resource abuse", "oracle probing"}
    assert all(case.assignment == ASSIGNMENT.id for case in CASES.values())
    assert all(
        case.assignment != ASSIGNMENT.id and set(case.functions) <= set(config.assignment(case.assignment).points)
        for case in ON_THEIR_OWN.values()
    )
