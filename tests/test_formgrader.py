"""The formgrader as instructors use it: nbgrader's own web app, served by Jupyter in the course and driven in
headless Chromium, autogrades a submission from its Manage Submissions page; what the gradebook and the
autograded notebook get are the kit's sandboxed points and feedback, and nothing of the notebook ran in a
Jupyter kernel."""

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from autograder import config
from autograder.course.nbgrader_ext import commands
from tests.browser import Browser
from tests.conftest import write_variant
from tests.nbgrader_course import NEVER_RUN, scores

pytestmark = pytest.mark.slow
A2 = config.assignment("a2_q_learning")
STUDENT = "frances"
WRONG_TD_UPDATE = "def td_update(V, state, reward, next_state, alpha, gamma):\n    return np.array(V, dtype=float)\n"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after the formgrader's autograde button was pressed for the student: (root, what the page said,
    the marker a kernel run would have written)."""
    directory = tmp_path_factory.mktemp("formgrader")
    root = commands.course_copy(directory / "course")
    commands.grade_quickly(root, A2.id)
    commands.nbgrader(root, "generate_assignment", A2.id, "--force")
    commands.nbgrader(root, "db", "student", "add", STUDENT)
    marker = directory / "ran-in-a-kernel.txt"
    notebook = json.loads(write_variant(directory, A2.id, {"td_update": WRONG_TD_UPDATE}).read_text())
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": f"open({str(marker)!r}, 'w').write('{NEVER_RUN}')",
        }
    )
    commands.place_collected(root, STUDENT, A2.id, json.dumps(notebook).encode(), "2026-01-10 12:00:00.000000 UTC")
    port = free_port()  # on the loopback only, with no token: the formgrader's own requests carry none
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--IdentityProvider.token=",
        ],
        cwd=root,
        env=commands.environment(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/api/status")
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            browser = Browser(profile)
            try:
                session = browser.open(f"{base}/formgrader/manage_submissions/{A2.id}", blocked=())
                browser.wait_for(session, "document.querySelector('td.autograde a') !== null", "the submissions table")
                browser.evaluate(session, "document.querySelector('td.autograde a').click()")
                browser.wait_for(
                    session,
                    "/autograded|error/i.test(document.body.innerText) && "
                    "!document.body.innerText.includes('Please wait')",
                    "the autograde",
                )
                said = browser.evaluate(session, "document.body.innerText")
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(30)
    return root, said, marker


def wait_until_serving(url, timeout_s=120):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_the_formgrader_autogrades_with_the_sandboxed_grader(graded):
    root, said, marker = graded
    assert f"Successfully autograded '{A2.id}' for student '{STUDENT}'" in said, said[-2000:]
    assert scores(root, A2) == {STUDENT: A2.max_score - A2.points["td_update"]}
    assert not marker.exists(), "the formgrader ran the notebook in a Jupyter kernel"


def test_the_autograded_notebook_holds_the_kits_feedback(graded):
    root, _, _ = graded
    autograded = json.loads((Path(root) / "autograded" / STUDENT / A2.id / A2.notebook).read_text())
    outputs = {
        cell["metadata"].get("nbgrader", {}).get("grade_id"): "".join(
            "".join(output.get("text", "")) for output in cell.get("outputs", [])
        )
        for cell in autograded["cells"]
    }
    assert "td_update: 0 / 2 points" in outputs["test_td_update"] and "FAIL" in outputs["test_td_update"]
    assert "q_learning: 3 / 3 points" in outputs["test_q_learning"]
