"""Scratch courses for the tests of the nbgrader cycle and the batch: made, generated, given submissions.

The costly ones are made once per test run, whichever xdist worker asks first
(``once_per_run``): ``generated`` courses (copies of this course after ``nbgrader
generate_assignment``, copied by each test that changes them) and ``cycle``.
"""

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import config
from autograder.course import demo
from autograder.course.nbgrader_ext import commands
from tests.conftest import ROOT, once_per_run, write_variant  # noqa: F401 (once_per_run: for importers)

A1 = config.assignment("a1_policy_gradients")
SAMPLES = config.path("examples", A1.id)
LEAK = "LEAK:"
LEAKY_DISCOUNT = f'''
def discount_rewards(rewards, discount_factor):
    raise ValueError("{LEAK}" + repr(rewards))
'''
NEVER_RUN = "never_run_marker"
PUBLIC_REWARDS = {"[10, 0, -50]", "[1, 1]", "[]", "[5]", "array([1., 2., 3.])"}
"""The rewards the hidden tests of discount_rewards show in feedback (public=True); any other is hidden."""


def generated(tmp_path_factory, assignment):
    """A course copy on which ``nbgrader generate_assignment`` has run for the assignment (do not change it),
    made once per run; it grades with the assignment's quick settings (``Assignment.quick_grading``)."""

    def generate(directory):
        root = commands.course_copy(directory / "course")
        commands.grade_quickly(root, assignment.id)
        return commands.nbgrader(root, "generate_assignment", assignment.id, "--force")

    directory, _ = once_per_run(tmp_path_factory, f"generated-{assignment.id}", generate)
    return directory / "course"


@pytest.fixture(scope="session")
def generated_course(tmp_path_factory):
    """``generated`` for assignment 1."""
    return generated(tmp_path_factory, A1)


def copy_course(generated_root, directory):
    """A course of one's own, copied from a ``generated`` one."""
    return Path(shutil.copytree(generated_root, Path(directory) / "course", symlinks=True))


def put_submission(root, student, notebook=None, data=None, when="2026-01-10 12:00:00.000000 UTC"):
    """Place a submission where ``nbgrader collect`` does: a notebook file, or raw bytes as the notebook."""
    return commands.place_collected(root, student, A1.id, Path(notebook).read_bytes() if notebook else data, when)


def run_batch(root, *arguments, expect=0):
    """``python -m autograder autograde a1 --json ARGUMENTS`` on the course: {student: outcome}."""
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "autograde", A1.id, "--json", *arguments],
        cwd=root,
        env=commands.environment(root),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == expect, result.stdout[-3000:] + result.stderr[-3000:]
    return {outcome["student"]: outcome for outcome in json.loads(result.stdout)}


@dataclass(frozen=True)
class SamplesBatch:
    root: Path
    """The course (tests may grade more in it; the other fields stay as the first batch left them)."""
    outcomes: dict
    """{student: the batch's outcome}."""
    scores: dict
    """{student: the gradebook's score}."""
    reports: dict
    """{student: the report the batch stored}."""


@pytest.fixture(scope="session")
def samples_batch(tmp_path_factory):
    """The demo's samples (alice correct, bob partly wrong, mallory forging), a garbage and an empty submission,
    batch-graded once on a copy of assignment 1's ``generated`` course."""
    course = generated(tmp_path_factory, A1)

    def grade_them(directory):
        root = copy_course(course, directory)
        for student in ("alice", "bob", "mallory"):
            put_submission(root, student, SAMPLES / f"{student}.ipynb")
        put_submission(root, "garbage", data=b"\x00 this is not a notebook")
        (put_submission(root, "empty", data=b"") / A1.notebook).unlink()
        outcomes = run_batch(root, "--workers", "2")
        return outcomes, scores(root), stored_reports(root)

    directory, result = once_per_run(tmp_path_factory, "batch", grade_them)
    return SamplesBatch(directory / "course", *result)


def leaky_notebook(directory, marker_file):
    """The reference with a discount_rewards that puts its hidden inputs in its error messages, and an extra
    cell that would write ``marker_file`` if anything ran the notebook in a kernel."""
    path = write_variant(directory, A1.id, {"discount_rewards": LEAKY_DISCOUNT}, name="leaky")
    notebook = json.loads(path.read_text())
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": f"open({str(marker_file)!r}, 'w').write('{NEVER_RUN}')",
        }
    )
    path.write_text(json.dumps(notebook))
    return path


def leaked_inputs(text):
    """Hidden rewards that reached the text: what follows each LEAK marker, less the public inputs."""
    return {
        match
        for match in re.findall(re.escape(LEAK) + r"(\[[^\]]*\]|array\([^)]*\))", text)
        if match not in PUBLIC_REWARDS
    }


def hidden_test_code_lines(assignment=A1):
    """Lines of the assignment's hidden-test code (not docstrings or message strings) long enough to be
    recognised."""
    lines = set()
    for path in (ROOT / "autograder" / "tests" / assignment.id).glob("*.py"):
        for line in path.read_text().splitlines():
            line = line.strip()
            if len(line) >= 30 and not line.startswith(('"', "'", "#", 'f"', "f'")):
                lines.add(line)
    return lines


def stored_reports(root, assignment=A1):
    """{student: the report the batch stored for the assignment} in the course at ``root``."""
    return {
        path.stem: json.loads(path.read_text())["report"]
        for path in (Path(root) / config.load().BATCH.reports / assignment.id).glob("*.json")
    }


def scores(root, assignment=A1):
    """{student: final score} of the assignment, from the kit's summary of the gradebook."""
    commands.kit(root, "summary", assignment.id)
    return json.loads((Path(root) / config.load().CYCLE.summary / assignment.id / "summary.json").read_text())["scores"]


@pytest.fixture(scope="session")
def cycle(tmp_path_factory):
    """Assignment 1's whole cycle with nbgrader's commands and plain ``nbgrader autograde``: alice (correct)
    and eve (a leaky discount_rewards) submit on time, dave (alice's notebook) late; then export."""
    directory, summary = once_per_run(tmp_path_factory, "cycle", _play_cycle)
    return Cycle(directory / "course", summary, directory / "ran.txt")


def _play_cycle(directory):
    root = commands.course_copy(directory / "course")
    commands.grade_quickly(root, A1.id)
    on_time = {"alice": SAMPLES / "alice.ipynb", "eve": leaky_notebook(directory, directory / "ran.txt")}
    summary = demo.run_cycle(
        root, A1.id, on_time, {"dave": SAMPLES / "alice.ipynb"}, grade_with="nbgrader", log=lambda line: None
    )
    commands.nbgrader(root, "export")
    return summary


@dataclass(frozen=True)
class Cycle:
    root: Path
    summary: dict
    marker: Path
    """A file the submitted notebook writes if anything runs it in a kernel."""

    def feedback(self, student):
        return self.root / "feedback" / student / A1.id / A1.notebook.replace(".ipynb", ".html")
