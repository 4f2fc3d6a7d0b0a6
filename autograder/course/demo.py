"""The instructor's whole cycle on sample students, with nbgrader's own commands, in ``out/demo/``.

For each assignment with sample submissions (``examples/submissions/<assignment>/<student>.ipynb``):
``nbgrader generate_assignment`` and ``release_assignment``; each student
``fetch_assignment``s, puts in their work and ``submit``s through the exchange;
the due date passes and one more student (``dave``, with alice's notebook) submits
late; then ``nbgrader collect``, the parallel batch (``python -m autograder
autograde``: nbgrader's autograde with the sandboxed grader), ``nbgrader
generate_feedback``, ``nbgrader export`` and the kit's summary. It ends by
printing the grades and where to look.
"""

import json
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from autograder import config
from autograder.course import build
from autograder.course.nbgrader_ext import commands

DEMO = "out/demo"
LATE = {"dave": "alice"}  # a late student, and whose sample notebook they submit
LATE_AFTER_S = 1.5  # how long after the due date the late student submits


def run_cycle(root, assignment_id, on_time, late, grade_with="batch", log=print):
    """Play one assignment's cycle on the course at ``root``: ``on_time`` and ``late`` map students to the
    notebooks they submit. ``grade_with`` is ``"batch"`` (the kit's parallel batch) or ``"nbgrader"``
    (plain ``nbgrader autograde``). Returns the kit's summary of the assignment."""
    root = Path(root)
    log(f"nbgrader generate_assignment / release_assignment {assignment_id}")
    commands.nbgrader(root, "generate_assignment", assignment_id, "--force")
    commands.nbgrader(root, "release_assignment", assignment_id, "--force")
    students = root.parent / "students"
    for student, notebook in on_time.items():
        log(f"  {student}: nbgrader fetch_assignment, then submit")
        commands.submit(root, student, students / student, assignment_id, notebook)
    if late:
        due = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        commands.override_settings(root, "CYCLE", due_dates=((assignment_id, due),))
        log(f"  due date passes: {due} (course_config.py CYCLE.due_dates)")
        time.sleep(LATE_AFTER_S)
    for student, notebook in late.items():
        log(f"  {student}: submits late")
        commands.submit(root, student, students / student, assignment_id, notebook)
    log(f"nbgrader collect {assignment_id}")
    commands.nbgrader(root, "collect", assignment_id)
    if grade_with == "batch":
        log(f"python -m autograder autograde {assignment_id}  (parallel, sandboxed)")
        commands.kit(root, "autograde", assignment_id)
    else:
        log(f"nbgrader autograde {assignment_id}  (sandboxed)")
        commands.nbgrader(root, "autograde", assignment_id)
    log(f"nbgrader generate_feedback {assignment_id}")
    commands.nbgrader(root, "generate_feedback", assignment_id, "--force")
    log(f"python -m autograder summary {assignment_id}")
    commands.kit(root, "summary", assignment_id)
    if config.assignment(assignment_id).leaderboard:
        log(f"python -m autograder leaderboard {assignment_id}")
        commands.kit(root, "leaderboard", assignment_id)
    return json.loads((root / config.load().CYCLE.summary / assignment_id / "summary.json").read_text())


def main():
    if build.main([], check_only=False):
        return 1
    demo = config.ROOT / DEMO
    shutil.rmtree(demo, ignore_errors=True)
    root = commands.course_copy(demo / "course")
    summaries = []
    for assignment in config.load().ASSIGNMENTS:
        samples = {path.stem: path for path in sorted(config.path("examples", assignment.id).glob("*.ipynb"))}
        if not samples:
            continue
        late = {student: samples[sample] for student, sample in LATE.items() if sample in samples}
        print(f"\n=== {assignment.id}: {', '.join(samples)} on time, {', '.join(late) or 'nobody'} late ===")
        summaries.append(run_cycle(root, assignment.id, samples, late))
    print("nbgrader export")
    commands.nbgrader(root, "export")
    print("\n=== Grades (nbgrader's gradebook, after late penalties) ===")
    for summary in summaries:
        for student, score in summary["scores"].items():
            print(f"  {student:<12} {summary['assignment']:<24} {score:6.2f} / {summary['max_score']:g}")
    print(
        f"\nWhere to look, in {root}:\n"
        f"  feedback/<student>/<assignment>/<assignment>.html   what each student sees (open in a browser)\n"
        f"  grades.csv                                          nbgrader export: every grade\n"
        f"  {config.load().CYCLE.summary}/<assignment>/scores.png, functions.png   score histogram, pass rates\n"
        f"  {config.load().CYCLE.leaderboard}/<assignment>/index.html            the class ranked by the grader's own "
        f"measures, with replays\n"
        f"  autograded/, gradebook.db                           nbgrader's records; for manual review run\n"
        f"      `jupyter lab` in {root} and open Nbgrader > Formgrader"
    )
    return 0
