"""Flakiness of the statistical hidden tests: each run many times against the reference, with fresh seeds.

Every hidden test marked ``@statistical`` states its false-fail rate (at most 1e-6),
computed for the course's grading seed, which fixes its hidden inputs and the seeds of
the sandbox's generators call by call. Here each one is run ``--runs`` times on the
reference solution, graded as a student's notebook is (sandboxed, its calls split by
public and hidden inputs), with the grading seed set to the run's number, so that each
run has other hidden inputs and other draws; every ``--runs-per-sandbox`` runs the
sandboxes start afresh (what a graded notebook leaves behind, e.g. TensorFlow's threads,
would otherwise pile up past the sandbox's limits). It prints, per test, the failures
seen next to the stated rate, the failures that rate predicts, and a 95 % upper bound on
the true rate from what was seen (a thousand runs can show a rate far above the stated
one, not confirm one of 1e-6).

Runs are numbered, each number its seeds; ``--first`` numbers a later run's from where an
earlier one stopped, so that the two together count as one longer run.

    .venv/bin/python benchmarks/statistical_flakiness.py [--runs 1000] [--first 0] [--jobs 2] [--runs-per-sandbox 10]
        [--only NAME ...]
"""

import argparse
import dataclasses
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.grading.grade import HiddenTests, course_cells, run_pytest, statistical_tests
from autograder.grading.probes import Reference, Student


class FreshSeeds(HiddenTests):
    """The hidden tests' plugin over the reference, with the run's number as the grading seed."""

    def __init__(self, assignment, student, reference, run):
        solution = config.path("solutions", assignment.id, assignment.notebook)
        reseeded = dataclasses.replace(assignment, grading=dataclasses.replace(assignment.grading, seed=run))
        super().__init__(reseeded, student, reference, solution, assignment.points)


def run_many(assignment_id, node_ids, runs, runs_per_sandbox):
    """{test name: failures} over ``runs`` runs of the given tests on the sandboxed reference."""
    failures = {node_id.split("::")[-1]: 0 for node_id in node_ids}
    messages = {}
    assignment = config.assignment(assignment_id)
    _, cells, support = course_cells(assignment)
    for start in range(0, len(runs), runs_per_sandbox):
        _run_chunk(assignment, cells, support, node_ids, runs[start : start + runs_per_sandbox], failures, messages)
    return failures, messages


def _run_chunk(assignment, cells, support, node_ids, runs, failures, messages):
    """Run the tests once per run in ``runs`` on fresh sandboxes, counting failures and keeping a message."""
    limits = config.load().LIMITS
    with (
        Student(cells, limits, support_files=support, seed=runs[0]) as student,
        Reference(cells, limits, config.path("cache", "reference", assignment.id), support) as reference,
    ):
        for run in runs:
            plugin = FreshSeeds(assignment, student, reference, run)
            status = run_pytest(node_ids, plugin)
            results = {nodeid.split("::")[-1]: result for nodeid, result in plugin.results.items()}
            if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or set(results) != set(failures):
                raise RuntimeError(
                    f"run {run} of {assignment.id}'s statistical tests did not run them all "
                    f"({status!r}): {sorted(results)}"
                )
            for name, result in results.items():
                if not result.passed:
                    failures[name] += 1
                    messages.setdefault(name, result.feedback)


def upper_bound_95(failures, runs):
    """The largest false-fail rate under which seeing at most ``failures`` in ``runs`` has 5 % chance or more."""
    low, high = 0.0, 1.0
    for _ in range(60):
        rate = (low + high) / 2
        probability = sum(np.exp(_log_binomial(runs, k, rate)) for k in range(failures + 1))
        low, high = (rate, high) if probability > 0.05 else (low, rate)
    return high


def _log_binomial(n, k, p):
    from math import lgamma, log

    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log(1 - p)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument(
        "--first", type=int, default=0, help="number of the first run (an earlier run's --runs, to go on from it)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes, each with its own sandboxed reference")
    parser.add_argument("--runs-per-sandbox", type=int, default=10, help="runs before the sandboxes start afresh")
    parser.add_argument("--only", nargs="*", default=(), help="test names to run (default: all statistical ones)")
    arguments = parser.parse_args()
    tests = [
        (assignment.id, node_id, check(assignment.grading)[0].false_fail)
        for assignment, node_id, _, check in statistical_tests()
        if not arguments.only or node_id.split("::")[-1] in arguments.only
    ]
    started = time.perf_counter()
    jobs = []
    with ProcessPoolExecutor(arguments.jobs) as pool:
        for assignment_id in dict.fromkeys(assignment_id for assignment_id, _, _ in tests):
            node_ids = [node_id for other, node_id, _ in tests if other == assignment_id]
            for job in range(arguments.jobs):
                first = 1_000_000 + arguments.first
                runs = range(first + job, first + arguments.runs, arguments.jobs)
                jobs.append(pool.submit(run_many, assignment_id, node_ids, runs, arguments.runs_per_sandbox))
        failures, messages = {}, {}
        for job in jobs:
            counted, said = job.result()
            for name, count in counted.items():
                failures[name] = failures.get(name, 0) + count
            messages.update(said)
    print(
        f"{arguments.runs} runs (numbers {arguments.first} to {arguments.first + arguments.runs - 1}) of each "
        f"statistical hidden test against the reference ({time.perf_counter() - started:.0f} s, "
        f"{arguments.jobs} processes)"
    )
    print(f"{'test':<48} {'stated':>9} {'failures':>8} {'expected':>9} {'95% bound':>9}")
    for _assignment, node_id, stated in tests:
        name = node_id.split("::")[-1]
        print(
            f"{name:<48} {stated:9.1e} {failures[name]:>8} {stated * arguments.runs:9.1e} "
            f"{upper_bound_95(failures[name], arguments.runs):9.1e}"
        )
    if messages:
        print(json.dumps(messages, indent=1))


if __name__ == "__main__":
    main()
