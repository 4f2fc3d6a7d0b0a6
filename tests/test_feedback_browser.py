"""The feedback a student opens, as a real browser shows it: Debian's headless Chromium renders the HTML that
``nbgrader generate_feedback`` wrote, and the test reads the page's visible text (``innerText``)."""

import base64
import json
import tempfile

import pytest

from tests.browser import Browser
from tests.nbgrader_course import A1, LEAK, cycle, hidden_test_code_lines, leaked_inputs  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seen(cycle, tmp_path_factory):
    """{student: (the page's visible text, a screenshot PNG path)} of each student's feedback page."""
    pages, replays = {}, {}
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = Browser(profile)
        try:
            for student in ("alice", "dave", "eve"):
                session = browser.open(cycle.feedback(student).as_uri())
                text = browser.evaluate(session, "document.body.innerText")
                replays[student] = browser.evaluate(session, REPLAYS)
                png = tmp_path_factory.mktemp("screens") / f"{student}.png"
                png.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", session)["data"]))
                pages[student] = (text, png, replays[student])
        finally:
            browser.close()
    return pages


REPLAYS = """JSON.stringify(Array.from(document.querySelectorAll("figure.kit-replay")).map(figure => {
    const image = figure.querySelector("img");
    return {gif: image.src.startsWith("data:image/gif;base64,"), width: image.naturalWidth,
            shown: image.complete && image.getBoundingClientRect().width > 0, caption: figure.innerText};
}))"""


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


def test_a_student_sees_a_replay_of_one_of_the_graders_episodes(seen):
    replays = json.loads(seen["alice"][2])
    assert len(replays) == 1 and replays[0]["gif"] and replays[0]["shown"] and replays[0]["width"] == 300
    assert replays[0]["caption"].startswith(f"One of the grader's own episodes (seed {A1.grading.seed}): score ")
    assert "The trained policy's mean return: " in replays[0]["caption"]


def test_the_late_student_sees_the_penalty(seen):
    assert "Late submission penalty (Score: -2.0)" in seen["dave"][0]
    assert f"{A1.id} (Score: 18.0 / {A1.max_score})" in seen["dave"][0]


@pytest.mark.parametrize("student", ["alice", "dave", "eve"])
def test_no_hidden_input_or_test_code_is_visible(seen, student):
    text = seen[student][0]
    assert leaked_inputs(text) == set()
    assert [line for line in hidden_test_code_lines() if line in text] == []
