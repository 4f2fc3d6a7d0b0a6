"""A batch killed (SIGKILL) at random points and restarted loses no grade and doubles none; the gradebook
survives every kill (``benchmarks/fault_injection.py`` with a few rounds; run it with 20 for the figures).
Two graders on one course: ``tests/test_course_lock.py`` and ``tests/test_batch.py``."""

import importlib.util

import pytest

from tests.conftest import ROOT

ROUNDS = 3
"""Kill-and-restart rounds here (the benchmark's default is 20)."""
KILL_WITHIN_S = 20.0

spec = importlib.util.spec_from_file_location("fault_injection", ROOT / "benchmarks" / "fault_injection.py")
fault_injection = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fault_injection)


@pytest.mark.slow
def test_killed_batches_lose_and_double_no_grade(tmp_path):
    figures = fault_injection.run(ROUNDS, seed=7, kill_within=KILL_WITHIN_S, directory=tmp_path, log=lambda line: None)
    assert figures["killed"] >= 1 and figures["processes_outliving_a_kill"] == 0, figures
    assert figures["gradebooks_broken_after_a_kill"] == 0 and figures["integrity"] == "ok"
    assert figures["final_run_status"] == 0
    assert set(figures["final_outcomes"].values()) <= {"graded", "recorded", "skipped"}
    assert figures["lost"] == figures["doubled"] == figures["reports_disagreeing"] == [], figures
