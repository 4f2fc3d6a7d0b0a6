"""Fault injection: the batch killed (SIGKILL) at random points and restarted, round after round.

A scratch course (assignment 1, quick grading) gets a few submissions whose grades are
known: correct ones, one that loses discount_rewards' points, the untouched release and
garbage. Each round starts ``python -m autograder autograde``, kills it at a random
moment (starting up, grading, recording in the gradebook), checks the gradebook's
integrity, and lets two students resubmit (so every round has work to cut short). A
last run finishes the batch; then every submission must have exactly one grade, the one
its final notebook earns, and the stored reports must agree with the gradebook.

    .venv/bin/python benchmarks/fault_injection.py [--rounds 20] [--seed 1] [--kill-within 25]

``tests/adversarial/test_faults.py`` runs the same with a few rounds.
"""

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.course.nbgrader_ext import commands

A1 = config.assignment("a1_policy_gradients")
WHEN = "2026-01-10 12:00:00.000000 UTC"
ZEROS = "def discount_rewards(rewards, discount_factor):\n    return np.zeros(len(rewards))\n"


def notebooks():
    """{name: (notebook bytes, the score it earns)}."""
    alice = config.path("examples", A1.id, "alice.ipynb").read_bytes()
    broken = json.loads(alice)
    for cell in broken["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "discount_rewards":
            cell["source"] = ZEROS
    return {
        "correct": (alice, A1.max_score),
        "no discount": (json.dumps(broken).encode(), A1.max_score - A1.points["discount_rewards"]),
        "release": (config.path("release", A1.id, A1.notebook).read_bytes(), 0.0),
        "garbage": (b"\x00 not a notebook", 0.0),
    }


STUDENTS = {"ada": "correct", "ben": "no discount", "cy": "release", "dee": "garbage"}
RESUBMITTING = ("ada", "ben")
"""Students who swap between a correct notebook and one without discount_rewards after every round."""


def make_course(directory):
    root = commands.course_copy(Path(directory) / "course")
    commands.nbgrader(root, "generate_assignment", A1.id, "--force")
    commands.grade_quickly(root, A1.id)
    return root


def submit(root, student, name):
    commands.place_collected(root, student, A1.id, notebooks()[name][0], WHEN)


def batch(root):
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "autograde", A1.id, "--json", "--workers", "2"],
        cwd=root,
        env=commands.environment(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def gradebook(root):
    """Integrity, submission rows per student, unscored grades and final scores, from the SQLite gradebook."""
    with sqlite3.connect(root / "gradebook.db") as database:
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
        rows = dict(database.execute("SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"))
        unscored = dict(
            database.execute(
                "SELECT submitted_assignment.student_id, COUNT(*) FROM grade JOIN submitted_notebook ON "
                "grade.notebook_id = submitted_notebook.id JOIN submitted_assignment ON "
                "submitted_notebook.assignment_id = submitted_assignment.id WHERE grade.auto_score IS NULL "
                "GROUP BY submitted_assignment.student_id"
            )
        )
    return {"integrity": integrity, "rows": rows, "unscored": unscored}


def run(rounds, seed, kill_within, directory, log=print):
    """Kill and restart the batch ``rounds`` times, finish it, and return the figures."""
    rng = random.Random(seed)
    root = make_course(directory)
    final = dict(STUDENTS)
    for student, name in final.items():
        submit(root, student, name)
    killed, finished, broken_gradebooks, outliving = 0, 0, 0, 0
    for number in range(1, rounds + 1):
        process = batch(root)
        delay = rng.uniform(0.2, kill_within)
        try:
            process.wait(timeout=delay)
            finished += 1
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            killed += 1
        for _ in range(200):  # its graders and sandboxes die with it
            if not commands.processes_of(root):
                break
            time.sleep(0.05)
        outliving += len(commands.processes_of(root))
        state = gradebook(root)
        broken_gradebooks += state["integrity"] != "ok"
        kept = len(list((root / config.load().BATCH.reports / A1.id).glob("*.json")))
        log(
            f"round {number:2d}: {'killed' if process.returncode else 'finished'} after {delay:5.1f} s, "
            f"{kept} reports kept, gradebook {state['integrity']}"
        )
        for student in RESUBMITTING:
            final[student] = "no discount" if final[student] == "correct" else "correct"
            submit(root, student, final[student])
    process = batch(root)
    outcomes = {outcome["student"]: outcome for outcome in json.loads(process.communicate()[0] or "[]")}
    state = gradebook(root)
    commands.kit(root, "summary", A1.id)
    scores = json.loads((root / config.load().CYCLE.summary / A1.id / "summary.json").read_text())["scores"]
    expected = {student: notebooks()[name][1] for student, name in final.items()}
    reports = {
        path.stem: json.loads(path.read_text())["report"]["score"]
        for path in (root / config.load().BATCH.reports / A1.id).glob("*.json")
    }
    return {
        "rounds": rounds,
        "killed": killed,
        "finished_before_the_kill": finished,
        "processes_outliving_a_kill": outliving,
        "gradebooks_broken_after_a_kill": broken_gradebooks,
        "final_run_status": process.returncode,
        "final_outcomes": {student: outcome["action"] for student, outcome in outcomes.items()},
        "integrity": state["integrity"],
        "submissions": len(final),
        "lost": sorted(
            student
            for student in final
            if state["rows"].get(student) != 1
            or state["unscored"].get(student)
            or abs(scores.get(student, -1) - expected[student]) > 1e-6
        ),
        "doubled": sorted(student for student, count in state["rows"].items() if count > 1),
        "reports_disagreeing": sorted(
            student for student in final if abs(reports.get(student, -1) - scores.get(student, -2)) > 1e-6
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kill-within", type=float, default=25.0, help="seconds; each kill comes at a uniform time up to this"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fault-injection-") as scratch:
        figures = run(arguments.rounds, arguments.seed, arguments.kill_within, scratch)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
