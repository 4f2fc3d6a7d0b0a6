"""The feedback a student opens, as a real browser shows it: Debian's headless Chromium renders the HTML that
``nbgrader generate_feedback`` wrote, and the test reads the page's visible text (``innerText``)."""

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from tests.nbgrader_course import A1, LEAK, cycle, hidden_test_code_lines, leaked_inputs  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe")
TIMEOUT_S = 60


class Browser:
    """Chromium driven over its DevTools pipe (fd 3 in, fd 4 out; messages end with a NUL byte)."""

    def __init__(self, profile):
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (.ci/run installs it)")
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def as_devtools_fds():
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        pass_fds=(3, 4), preexec_fn=as_devtools_fds, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(replies_write)
        self.buffer, self.next_id = b"", 0

    def send(self, method, session=None, **params):
        """Send a DevTools command and return its result (events that arrive meanwhile are dropped)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url):
        """A session on a new page showing ``url``, once its document has loaded."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Network.enable", session)
        self.send("Network.setBlockedURLs", session, urls=["http://*", "https://*"])  # offline, as in CI
        self.send("Page.navigate", session, url=url)
        deadline = time.monotonic() + TIMEOUT_S
        while self.evaluate(session, "document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading in {TIMEOUT_S} s")
            time.sleep(0.1)
        return session

    def evaluate(self, session, expression):
        return self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"]["value"]

    def close(self):
        """Stop Chromium with every process it started (its own process group): a renderer left running
        would go on writing into the profile folder while it is removed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(TIMEOUT_S)
        os.close(self.commands)
        os.close(self.replies)


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
