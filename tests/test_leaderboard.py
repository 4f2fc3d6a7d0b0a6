"""The leaderboard ranks the class by the grader's own measures and nothing else: ties share a rank,
pseudonyms hide students' ids, each entry links to the replay of one of the grader's episodes, and what a
student writes into their notebook or submits beside it cannot move them."""

import csv
import dataclasses
import json
import re
import shutil
import subprocess
import sys

import pytest

from autograder import config
from autograder.course import leaderboard
from autograder.course.report_store import ReportStore
from autograder.grading.report import Measure, Report
from tests.conftest import ROOT
from tests.nbgrader_course import A1

GIF = b"GIF89a a replay"


def report(value=None):
    measures = [] if value is None else [Measure(A1.leaderboard, "mean return", value, value - 1, value + 1, 20, GIF)]
    return Report(A1.id, A1.max_score, measures=measures)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "ROOT", tmp_path)
    store = ReportStore(A1.id)
    for student, value in [("ann", 300.0), ("ben", 500.0), ("cat", 300.0), ("eve", None)]:
        store.save(student, "fingerprint", report(value))
    store.save("dan", "fingerprint", report(10_000.0), faulted=True)
    return store


def rows(folder):
    with open(folder / "leaderboard.csv") as handle:
        return list(csv.DictReader(handle))


def test_the_class_is_ranked_by_the_graders_measure_under_pseudonyms(store):
    folder = leaderboard.write(A1.id)
    ranked = rows(folder)
    assert [(row["rank"], float(row["value"])) for row in ranked] == [("1", 500.0), ("2", 300.0), ("2", 300.0)]
    names = [row["name"] for row in ranked]
    assert all(name.startswith("agent-") for name in names) and len(set(names)) == 3
    assert [row["name"] for row in leaderboard.entries(A1.id)] == names  # the same pseudonyms every time
    page = (folder / "index.html").read_text()
    assert not re.findall(r"\b(ann|ben|cat|dan|eve)\b", page)
    for row in ranked:
        assert f'href="{row["replay_file"]}"' in page and (folder / row["replay_file"]).read_bytes() == GIF


def test_without_pseudonyms_the_ids_are_shown(store, monkeypatch):
    cycle = dataclasses.replace(config.load().CYCLE, leaderboard_pseudonyms=False)
    monkeypatch.setattr(config.load(), "CYCLE", cycle)
    assert [row["name"] for row in rows(leaderboard.write(A1.id))] == ["ben", "ann", "cat"]


def test_an_assignment_without_a_measure_has_no_leaderboard(store):
    with pytest.raises(leaderboard.NothingToRank, match="a2_q_learning measures no trained agent"):
        leaderboard.entries("a2_q_learning")


def forged(notebook):
    """The notebook with outputs, metadata and a cell that all claim a perfect agent."""
    claim = {"name": "the trained policy's mean return", "value": 500.0, "rank": 1}
    for cell in notebook["cells"]:
        cell.setdefault("metadata", {})["leaderboard"] = claim
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": json.dumps(claim)}]
    notebook["metadata"]["leaderboard"] = notebook["metadata"]["measures"] = [claim]
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": f"import json\nprint(json.dumps({claim!r}))\nmeasures = [{claim!r}]",
        }
    )
    return notebook


@pytest.mark.slow
def test_a_notebooks_outputs_files_and_metadata_cannot_change_its_measure(tmp_path):
    solution = json.loads(config.path("solutions", A1.id, A1.notebook).read_text())
    measured = {}
    for name, notebook in [("plain", solution), ("forged", forged(json.loads(json.dumps(solution))))]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / A1.notebook).write_text(json.dumps(notebook))
        if name == "forged":
            shutil.copy(folder / A1.notebook, folder / "measures.json")
            (folder / "leaderboard.csv").write_text("rank,name,value\n1,me,500\n")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                "grade",
                A1.id,
                str(folder / A1.notebook),
                "--json",
                "--functions",
                A1.leaderboard,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        measured[name] = json.loads(result.stdout)["measures"]
    assert len(measured["plain"]) == 1
    assert measured["forged"] == measured["plain"]
