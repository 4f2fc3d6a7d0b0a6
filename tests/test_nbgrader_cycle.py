"""A course's whole cycle with nbgrader's own commands, graded by plain ``nbgrader autograde`` with the kit's
sandboxed stage: gradebook, late penalty, feedback without leaks, export, summary and the formgrader's view."""

import csv
import html
import json
import re
import sys

import pytest
from PIL import Image

from autograder.course.nbgrader_ext import commands
from tests.nbgrader_course import A1, LEAK, cycle, hidden_test_code_lines, leaked_inputs  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


def page_text(path):
    """An HTML file's text with tags, scripts and styles removed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_the_gradebook_holds_the_sandboxed_grades(cycle):
    assert cycle.summary["scores"] == {
        "alice": A1.max_score,
        "dave": 0.9 * A1.max_score,
        "eve": A1.max_score - A1.points["discount_rewards"],
    }


def test_nbgrader_never_runs_the_submission_in_a_kernel(cycle):
    assert cycle.root.joinpath("autograded", "eve", A1.id, A1.notebook).is_file()
    assert not cycle.marker.exists()


def test_export_applies_the_configured_late_penalty(cycle):
    with open(cycle.root / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["dave"]["late_submission_penalty"]) == pytest.approx(0.1 * A1.max_score)
    assert float(rows["dave"]["score"]) == pytest.approx(0.9 * A1.max_score)
    assert float(rows["alice"]["late_submission_penalty"]) == 0 and float(rows["alice"]["score"]) == A1.max_score


def test_feedback_shows_each_tests_result_and_hint(cycle):
    text = page_text(cycle.feedback("eve"))
    assert "discount_rewards: 0 / 2 points (0 of 5 tests passed)" in text
    assert "FAIL  Gives the lesson's returns [-22, -40, -50] for rewards [10, 0, -50] and discount 0.8." in text
    assert "Hint: Work backwards from the last step" in text
    assert "play_one_step: 4 / 4 points" in text and "PASS" in text


@pytest.mark.parametrize("student", ["alice", "dave", "eve"])
def test_feedback_never_shows_hidden_inputs_or_test_code(cycle, student):
    text = page_text(cycle.feedback(student))
    if student == "eve":  # the check sees what it looks for: eve's errors on public inputs are shown
        assert f"{LEAK}[10, 0, -50]" in text
    assert leaked_inputs(text) == set()
    assert [line for line in hidden_test_code_lines() if line in text] == []


def test_summary_gives_the_distribution_and_pass_rates(cycle):
    folder = cycle.root / "summary" / A1.id
    for figure in ("scores.png", "functions.png", "measures.png"):  # scores, pass rates, measured agents
        image = Image.open(folder / figure)
        assert image.format == "PNG" and image.width >= 500 and len(set(image.convert("L").getdata())) > 8
    with open(folder / "functions.csv") as handle:
        rows = {row["function"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(A1.points)
    assert float(rows["discount_rewards"]["full_marks_rate"]) == pytest.approx(2 / 3, abs=1e-4)
    assert float(rows["basic_policy"]["full_marks_rate"]) == 1.0


def test_the_summary_puts_each_agent_the_grader_measured_beside_the_references(cycle):
    measured = cycle.summary["measured"]
    assert measured["function"] == A1.leaderboard and set(measured["students"]) == {"alice", "dave", "eve"}
    # every correct implementation follows the grader's same run as the reference, so all measure the same
    assert measured["reference"] is not None and set(measured["students"].values()) == {measured["reference"]}


def test_the_class_is_ranked_by_the_graders_measures_with_replays(cycle):
    folder = cycle.root / "leaderboard" / A1.id
    with open(folder / "leaderboard.csv") as handle:
        rows = list(csv.DictReader(handle))
    page = page_text(folder / "index.html")
    assert len(rows) == 3 and not re.findall(r"\b(alice|dave|eve)\b", page)
    assert {row["rank"] for row in rows} == {"1"}  # every correct run is the grader's same run: a tie
    for row in rows:
        assert row["name"] in page and (folder / row["replay_file"]).read_bytes().startswith(b"GIF89a")


def test_the_formgrader_sees_every_submission_graded(cycle):
    code = (
        "import json\nfrom nbgrader.apps import NbGraderAPI\nfrom nbgrader.coursedir import CourseDirectory\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        f"print(json.dumps(NbGraderAPI(CourseDirectory(config=c), config=c).get_submissions({A1.id!r})))\n"
    )
    submissions = json.loads(commands.run([sys.executable, "-c", code], cycle.root).splitlines()[-1])
    assert {
        submission["student"]: (submission["autograded"], submission["needs_manual_grade"])
        for submission in submissions
    } == {student: (True, False) for student in ("alice", "dave", "eve")}
