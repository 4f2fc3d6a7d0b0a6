"""The feedback a student opens, as a real browser shows it: Debian's headless Chromium renders the HTML that
``nbgrader generate_feedback`` wrote, and the test reads the page's visible text (``innerText``)."""

import base64
import tempfile

import pytest

from tests.browser import Browser
from tests.nbgrader_course import A1, LEAK, cycle, hidden_test_code_lines, leaked_inputs  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seen(cycle, tmp_path_factory):
    """{student: (the page's visible text, a screenshot PNG path)} of each student's feedback page."""
    pages = {}
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = Browser(profile)
        try:
            for student in ("alice", "dave", "eve"):
                session = browser.open(cycle.feedback(student).as_uri())
                text = browser.evaluate(session, "document.body.innerText")
                png = tmp_path_factory.mktemp("screens") / f"{student}.png"
                png.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", session)["data"]))
                pages[student] = (text, png)
        finally:
            browser.close()
    return pages


def test_a_student_sees_their_score(seen):
    assert f"{A1.id} (Score: 18.0 / {A1.max_score})" in seen["eve"][0]
    assert f"{A1.id} (Score: {A1.max_score} / {A1.max_score})" in seen["alice"][0]
    assert seen["eve"][1].read_bytes().startswith(b"\x89PNG")


def test_a_student_sees_the_failed_tests_message_and_hint(seen):
    text = seen["eve"][0]
    assert "discount_rewards: 0 / 2 points" in text
    assert "Problem: raised ValueError at line 3 of your `discount_rewards` cell" in text
    assert f"{LEAK}[10, 0, -50]" in text
    assert "Hint: Work backwards from the last step" in text


def test_the_late_student_sees_the_penalty(seen):
    assert "Late submission penalty (Score: -2.0)" in seen["dave"][0]
    assert f"{A1.id} (Score: 18.0 / {A1.max_score})" in seen["dave"][0]


@pytest.mark.parametrize("student", ["alice", "dave", "eve"])
def test_no_hidden_input_or_test_code_is_visible(seen, student):
    text = seen[student][0]
    assert leaked_inputs(text) == set()
    assert [line for line in hidden_test_code_lines() if line in text] == []
