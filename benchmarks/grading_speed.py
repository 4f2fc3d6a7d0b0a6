"""Grading time against a bare papermill run of the same notebook, side by side in one run.

For each assignment: papermill executes the reference solution with the CI
parameters from course_config.py (what CI does anyway), then the grader grades
that executed notebook, once with empty caches (the reference's answers, the
grader's own runs) and once warm (the usual case: a batch of submissions shares
them); then, warm, a notebook as a student saves it (the first of the assignment's
realistic notebooks, ``tests/student_notebooks.py``: cells of their own, magics, and
training runs left in at full size, which the grader must not run). Every figure is
the wall time of a fresh process, median of ``--repeat`` runs. Goal: both warm ratios <= 1.3.

    .venv/bin/python benchmarks/grading_speed.py [ASSIGNMENT ...] [--repeat 3]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from tests import student_notebooks


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def papermill_command(assignment, output):
    parameters = [item for name, value in assignment.ci_parameters.items() for item in ("-p", name, str(value))]
    return [
        sys.executable,
        "-m",
        "papermill",
        str(config.path("solutions", assignment.id, assignment.notebook)),
        str(output),
        *parameters,
        "--cwd",
        str(Path(output).parent),
        "--kernel",
        "python3",
        "--no-progress-bar",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    course = config.load()
    print(
        f"{'assignment':<24} {'papermill s':>11} {'grade cold s':>12} {'grade warm s':>12} {'warm ratio':>10} "
        f"{'student-style s':>15} {'its ratio':>9}"
    )
    for assignment in map(config.assignment, arguments.assignments) if arguments.assignments else course.ASSIGNMENTS:
        with tempfile.TemporaryDirectory() as scratch:
            executed = Path(scratch) / assignment.notebook
            for name in assignment.support_files:  # the notebook runs beside them, as a student's does
                shutil.copy(config.path("solutions", assignment.id, name), scratch)
            student = student_notebooks.write(student_notebooks.recipes(assignment.id)[0], assignment.id, scratch)
            grading = [sys.executable, "-m", "autograder", "grade", assignment.id, str(executed), "--json"]
            papermill, cold, warm, styled = [], [], [], []
            for _ in range(arguments.repeat):
                papermill.append(timed(papermill_command(assignment, executed)))
                shutil.rmtree(config.path("cache", "reference", assignment.id), ignore_errors=True)
                shutil.rmtree(config.path("cache", "grader"), ignore_errors=True)
                cold.append(timed(grading))
                warm.append(timed(grading))
                styled.append(timed([*grading[:5], str(student), "--json"]))
        bare, graded, student_style = map(statistics.median, (papermill, warm, styled))
        print(
            f"{assignment.id:<24} {bare:11.1f} {statistics.median(cold):12.1f} {graded:12.1f} "
            f"{graded / bare:10.2f} {student_style:15.1f} {student_style / bare:9.2f}"
        )


if __name__ == "__main__":
    main()
