"""Batch grading speed: the same submissions graded with 1 worker and with 2, side by side in one run.

A scratch course gets ``--submissions`` collected notebooks of assignment 1 (the
sample students' notebooks, in turn), then ``python -m autograder autograde`` grades
them all on a fresh copy of that course once per worker count. The reference cache
is warmed first, as in any batch after the first. Goal on a 2-core machine:
1-worker time / 2-worker time >= 1.8.

    .venv/bin/python benchmarks/batch_speed.py [--submissions 40] [--workers 1 2]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.course.nbgrader_ext import commands

ASSIGNMENT = "a1_policy_gradients"


def timed_batch(course, workers):
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--json", "--workers", str(workers)],
        cwd=course,
        env=commands.environment(course),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the batch failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    outcomes = json.loads(result.stdout)
    if any(outcome["action"] != "graded" for outcome in outcomes):
        raise SystemExit(f"not every submission was graded: {outcomes}")
    return seconds, len(outcomes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    samples = sorted(config.path("examples", ASSIGNMENT).glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="batch-speed-") as scratch:
        template = commands.course_copy(Path(scratch) / "template")
        commands.nbgrader(template, "generate_assignment", ASSIGNMENT, "--force")
        for index in range(arguments.submissions):
            commands.place_collected(
                template,
                f"student{index:03d}",
                ASSIGNMENT,
                samples[index % len(samples)].read_bytes(),
                "2026-01-10 12:00:00 UTC",
            )
        for sample in samples:  # warm the reference cache
            commands.kit(template, "grade", ASSIGNMENT, sample, "--json")
        print(
            f"{arguments.submissions} submissions of {ASSIGNMENT} on {os.cpu_count()} cores "
            f"(load before: {os.getloadavg()[0]:.1f})"
        )
        print(f"{'workers':>7} {'wall s':>8} {'s/submission':>12} {'speed-up':>8}")
        baseline = None
        for workers in arguments.workers:
            course = Path(scratch) / f"workers-{workers}"
            shutil.copytree(template, course, symlinks=True)
            seconds, count = timed_batch(course, workers)
            baseline = baseline or seconds
            print(f"{workers:>7} {seconds:8.1f} {seconds / count:12.2f} {baseline / seconds:8.2f}", flush=True)


if __name__ == "__main__":
    main()
