"""Flakiness of the statistical hidden tests: each run many times against the reference, with fresh seeds.

Every hidden test marked ``@statistical`` states its false-fail rate (at most 1e-6).
Here each one is run ``--runs`` times on the reference solution, graded as a student's
notebook is (sandboxed, its calls split by public and hidden inputs), with the grader's
generator seeded afresh each run and the sandbox's own random draws going on from run to
run. It prints, per test, the failures seen next to the stated rate, the failures that
rate predicts, and a 95 % upper bound on the true rate from what was seen (a thousand
runs can show a rate far above the stated one, not confirm one of 1e-6).

    .venv/bin/python benchmarks/statistical_flakiness.py [--runs 1000] [--jobs 2] [--only NAME ...]
"""

import argparse
import importlib.util
import json
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config, notebook  # noqa: E402
from autograder.grade import TESTS  # noqa: E402
from autograder.probes import Reference, Student  # noqa: E402


def statistical_tests():
    """[(assignment id, node id, stated false-fail rate)] of every statistical hidden test."""
    found = []
    for assignment in config.load().ASSIGNMENTS:
        for path in sorted((TESTS / assignment.id).glob("test_*.py")):
            spec = importlib.util.spec_from_file_location(f"flaky_{assignment.id}_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for name, function in vars(module).items():
                for mark in getattr(function, "pytestmark", []):
                    if mark.name == "statistical":
                        found.append((assignment.id, f"{path}::{name}", mark.kwargs["false_fail"](assignment.grading)))
    return found


class FreshSeeds:
    """A pytest plugin: the hidden tests' fixtures over the reference, the grader's generator seeded by ``run``."""

    def __init__(self, assignment, student, reference, run):
        self.assignment, self._student, self._reference, self.run = assignment, student, reference, run
        self.failed = {}

    @pytest.fixture(scope="session")
    def student(self):
        return self._student

    @pytest.fixture(scope="session")
    def reference(self):
        return self._reference

    @pytest.fixture(scope="session")
    def settings(self):
        return self.assignment.grading

    @pytest.fixture(scope="session")
    def submission(self):
        return config.path("solutions", self.assignment.id, self.assignment.notebook)

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng([self.run, zlib.crc32(request.node.name.encode())])

    @pytest.fixture(scope="module")
    def module_rng(self, request):
        return np.random.default_rng([self.run, zlib.crc32(request.node.name.encode())])

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed[report.nodeid.split("::")[-1]] = report.longreprtext[-300:]


def run_many(assignment_id, node_ids, runs):
    """{test name: failures} over ``runs`` runs of the given tests on one sandboxed reference."""
    assignment = config.assignment(assignment_id)
    limits = config.load().LIMITS
    release = notebook.read(config.path("release", assignment.id, assignment.notebook), limits.notebook_bytes)
    solution = notebook.read(config.path("solutions", assignment.id, assignment.notebook), limits.notebook_bytes)
    cells, _ = notebook.grading_cells(release, solution, assignment)
    support = [config.path("release", assignment.id, name) for name in assignment.support_files]
    failures = {node_id.split("::")[-1]: 0 for node_id in node_ids}
    messages = {}
    with Student(cells, limits, support_files=support) as student, \
            Reference(cells, limits, config.path("cache", "reference", assignment.id), support) as reference:
        for run in runs:
            plugin = FreshSeeds(assignment, student, reference, run)
            pytest.main([*node_ids, "-c", str(TESTS / "pytest.ini"), "--rootdir", str(TESTS), "-q", "-p",
                         "no:terminal", "-p", "no:cacheprovider", "--import-mode=importlib"], plugins=[plugin])
            for name, message in plugin.failed.items():
                failures[name] += 1
                messages.setdefault(name, message)
    return failures, messages


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
    parser.add_argument("--jobs", type=int, default=2, help="processes, each with its own sandboxed reference")
    parser.add_argument("--only", nargs="*", default=(), help="test names to run (default: all statistical ones)")
    arguments = parser.parse_args()
    tests = [test for test in statistical_tests() if not arguments.only or test[1].split("::")[-1] in arguments.only]
    started = time.perf_counter()
    jobs = []
    with ProcessPoolExecutor(arguments.jobs) as pool:
        for assignment_id in dict.fromkeys(assignment_id for assignment_id, _, _ in tests):
            node_ids = [node_id for other, node_id, _ in tests if other == assignment_id]
            for job in range(arguments.jobs):
                runs = range(1_000_000 + job, 1_000_000 + arguments.runs, arguments.jobs)
                jobs.append(pool.submit(run_many, assignment_id, node_ids, runs))
        failures, messages = {}, {}
        for job in jobs:
            counted, said = job.result()
            for name, count in counted.items():
                failures[name] = failures.get(name, 0) + count
            messages.update(said)
    print(f"{arguments.runs} runs of each statistical hidden test against the reference "
          f"({time.perf_counter() - started:.0f} s, {arguments.jobs} processes)")
    print(f"{'test':<48} {'stated':>9} {'failures':>8} {'expected':>9} {'95% bound':>9}")
    for assignment_id, node_id, stated in tests:
        name = node_id.split("::")[-1]
        print(f"{name:<48} {stated:9.1e} {failures[name]:>8} {stated * arguments.runs:9.1e} "
              f"{upper_bound_95(failures[name], arguments.runs):9.1e}")
    if messages:
        print(json.dumps(messages, indent=1))


if __name__ == "__main__":
    main()
