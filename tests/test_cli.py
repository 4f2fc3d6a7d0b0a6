"""``python -m autograder grade``: reports for every input, exit codes, and the JSON shape (on assignment 2, whose
grading needs no TensorFlow: what is tested here is the same for every assignment)."""

import json

import pytest

from tests.conftest import ROOT, run_cli

A2 = "a2_q_learning"
RELEASE = ROOT / "release" / A2 / f"{A2}.ipynb"


def test_usage_errors_exit_2():
    assert run_cli("grade").returncode == 2
    result = run_cli("grade", "no_such_assignment", RELEASE)
    assert result.returncode == 2 and "a2_q_learning" in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not json", "not valid JSON"),
        (b'{"nbformat": 3, "cells": []}', "expected 4"),
        (b'{"nbformat": 4}', "no list of cells"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}', "no readable source"),
        (b"[1, 2]", "not a notebook"),
    ],
)
def test_an_unreadable_notebook_gets_a_zero_report(tmp_path, content, message):
    path = tmp_path / "submission.ipynb"
    path.write_bytes(content)
    result = run_cli("grade", A2, path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["score"] == 0 and message in report["error"]
    assert report["tests"] and not any(test["passed"] for test in report["tests"])
    assert all("could not be read" in test["feedback"] for test in report["tests"])


def test_a_missing_file_gets_a_zero_report(tmp_path):
    report = json.loads(run_cli("grade", A2, tmp_path / "nothing.ipynb", "--json").stdout)
    assert report["score"] == 0 and "cannot be opened" in report["error"]


def test_the_json_report_has_the_documented_shape():
    report = json.loads(run_cli("grade", A2, RELEASE, "--json").stdout)
    assert {"assignment", "score", "max_score", "error", "tests"} <= set(report)
    assert report["assignment"] == A2 and report["score"] == 0 and report["max_score"] == 10
    for test in report["tests"]:
        assert {"name", "function", "points", "max_points", "passed", "feedback"} <= set(test)


def test_the_table_shows_each_function():
    table = run_cli("grade", A2, RELEASE).stdout
    assert table.startswith(f"{A2}: 0 / 10") and "q_value_iteration" in table and "Hint:" in table


def test_a_missing_sandbox_is_a_clear_grader_fault(tmp_path):
    result = run_cli("grade", A2, RELEASE, env={"PATH": str(tmp_path), "HOME": str(tmp_path)})
    assert result.returncode == 1 and "bubblewrap" in result.stderr
