"""Grade one notebook: run the assignment's hidden tests in this process against a sandboxed student.

The hidden tests live in ``autograder/tests/<assignment>/`` and are run by pytest
with a plugin that provides their fixtures (``student``, ``reference``,
``settings``) and records each outcome. A notebook that cannot be read still gets
a full report: every test fails with the reason, and ``error`` says it.
"""

import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from autograder import config
from autograder.boundary.sandbox import require_bwrap
from autograder.faults import GraderFault
from autograder.grading import notebook
from autograder.grading.checks import seeded
from autograder.grading.probes import Reference, Student, seed_scope
from autograder.grading.report import Measure, Report, TestCase, TestCaseResult, result_from_failure
from autograder.grading.stats import mean_interval

HIDDEN_TESTS = Path(__file__).resolve().parents[1] / "tests"  # the hidden tests, one folder per assignment


def grade(assignment_id, notebook_path, functions=None):
    """The ``Report`` for one submitted notebook; only the tests of ``functions`` when given."""
    assignment = config.assignment(assignment_id)
    functions = list(functions or assignment.points)
    unknown = set(functions) - set(assignment.points)
    if unknown:
        raise config.UnknownAssignment(
            f"{assignment_id} grades no function {', '.join(sorted(unknown))}; it grades {', '.join(assignment.points)}"
        )
    require_bwrap()
    release, reference_cells, support = course_cells(assignment)
    limits = config.load().LIMITS
    error, notes = None, []
    try:
        cells, notes = notebook.grading_cells(release, notebook.read(notebook_path, limits.notebook_bytes), assignment)
        student = Student(
            cells,
            limits,
            notes=notes,
            support_files=support,
            preload=notebook.imported_modules(cells),
            seed=assignment.grading.seed,
        )
    except notebook.NotebookError as problem:
        error = str(problem)
        student = Student([], limits, unavailable=f"the notebook could not be read: {error}")
    cache = config.path("cache", "reference", assignment.id)
    with student, Reference(reference_cells, limits, cache, support) as reference:
        results, measures = run_hidden_tests(assignment, student, reference, Path(notebook_path), functions)
    max_score = float(sum(assignment.points[function] for function in functions))
    return Report(assignment.id, max_score, results, error, notes, measures)


def course_cells(assignment):
    """The assignment's release notebook, the reference's grading cells, and its released support files."""
    release = _course_notebook("release", assignment)
    reference_cells, _ = notebook.grading_cells(release, _course_notebook("solutions", assignment), assignment)
    return release, reference_cells, [config.path("release", assignment.id, name) for name in assignment.support_files]


def _course_notebook(kind, assignment):
    path = config.path(kind, assignment.id, assignment.notebook)
    try:
        return notebook.read(path, config.load().LIMITS.notebook_bytes)
    except notebook.NotebookError as problem:
        raise GraderFault(f"{path} is missing or broken ({problem}): build the course with `make build`") from None


class HiddenTests:
    """A pytest plugin: the hidden tests' fixtures, and the collector of their results."""

    def __init__(self, assignment, student, reference, submission, functions):
        self.assignment, self._student, self._reference = assignment, student, reference
        self._submission, self.functions = submission, set(functions)
        self.cases, self.results, self.problems, self.measures = {}, {}, [], {}
        self.fatal = None

    @pytest.fixture(scope="session")
    def student(self):
        return self._student

    @pytest.fixture(scope="session")
    def reference(self):
        return self._reference

    @pytest.fixture(scope="session")
    def submission(self):
        """The submitted notebook's path: files submitted beside it are read as data only, never run."""
        return self._submission

    @pytest.fixture(scope="session")
    def settings(self):
        return self.assignment.grading

    @pytest.fixture(scope="session")
    def measure(self):
        """``measure(function, name, values, replay=None)`` records what the grader measured of a trained agent in
        its own episodes (``values``, one per episode, and a ``Replay`` of one of them) and gives the mean: the
        feedback shows it with the replay, the leaderboard ranks by it."""

        def record(function, name, values, replay=None):
            mean, low, high = mean_interval(values)
            gif = replay.gif(config.load().CYCLE.replay_bytes) if replay is not None else b""
            caption = ""
            if gif:
                caption = (
                    f"One of the grader's own episodes (seed {replay.seed}): score {replay.score:g} in "
                    f"{replay.steps} steps. {name[:1].upper()}{name[1:]}: {mean:.1f} over {len(values)} episodes"
                    + (f" (95 % interval {low:.1f} to {high:.1f})." if low is not None else ".")
                )
            self.measures[function] = Measure(function, name, mean, low, high, len(values), gif, caption)
            return mean

        return record

    @pytest.fixture
    def rng(self, request):
        """A generator seeded by the assignment's seed and the test's name: the same hidden inputs every run."""
        return seeded(self.assignment.grading, request.node.name)

    def pytest_collectreport(self, report):
        if report.failed:
            self.problems.append(f"cannot collect {report.nodeid}: {report.longreprtext[-2000:]}")

    def pytest_collection_modifyitems(self, config, items):
        marks = {item.nodeid: item.get_closest_marker("graded") for item in items}
        for item in items:
            if marks[item.nodeid] is None or marks[item.nodeid].kwargs["function"] not in self.assignment.points:
                self.problems.append(f"{item.nodeid} is not marked @graded with a function of the assignment")
        counts = {}
        for mark in marks.values():
            if mark is not None:
                counts[mark.kwargs["function"]] = counts.get(mark.kwargs["function"], 0) + 1
        missing = set(self.assignment.points) - set(counts)
        if missing:
            self.problems.append(f"no hidden test grades {', '.join(sorted(missing))}")
        for item in items:
            mark = marks[item.nodeid]
            if mark is None or mark.kwargs["function"] not in self.assignment.points:
                continue
            function = mark.kwargs["function"]
            doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
            self.cases[item.nodeid] = TestCase(
                item.name, function, doc, mark.kwargs["hint"], self.assignment.points[function] / counts[function]
            )
        skipped = [
            item
            for item in items
            if item.nodeid in self.cases and self.cases[item.nodeid].function not in self.functions
        ]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if item not in skipped]
            self.cases = {nodeid: case for nodeid, case in self.cases.items() if case.function in self.functions}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """Seed the sandbox's generators call by call within each hidden test module, whatever else is graded."""
        with seed_scope(item.module.__name__):
            yield

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the test's result; pytest's own report, without the traceback nobody reads (formatting it
        took most of the time of grading a notebook whose tests all fail)."""
        self._record(item, call)
        outcome = "passed" if call.excinfo is None else "failed"
        longrepr = None
        if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception):
            outcome, longrepr = "skipped", (str(item.path), item.location[1], str(call.excinfo.value))
        elif call.excinfo is not None:
            longrepr = f"{call.excinfo.typename}: {str(call.excinfo.value)[:500]}"
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            outcome,
            longrepr,
            call.when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )

    def _record(self, item, call):
        if call.excinfo is not None and isinstance(call.excinfo.value, GraderFault):  # it stops the grading
            self.fatal = self.fatal or call.excinfo.value
        case = self.cases.get(item.nodeid)
        if case is None or (call.when != "call" and call.excinfo is None):
            return
        if call.excinfo is None:
            result = TestCaseResult(case, True)
        elif item.nodeid not in self.results or self.results[item.nodeid].passed:
            result = result_from_failure(case, call.excinfo.value)
        else:
            return
        self.results[item.nodeid] = dataclasses.replace(result, seconds=call.duration)


def run_hidden_tests(assignment, student, reference, submission, functions):
    """Run the hidden tests of the given functions: one result per test, in the assignment's order, and the
    grader's measures of the trained agents."""
    plugin = HiddenTests(assignment, student, reference, submission, functions)
    status = run_pytest([HIDDEN_TESTS / assignment.id], plugin)
    if plugin.fatal is not None:
        raise plugin.fatal
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        plugin.problems.append(f"pytest exited with {status!r}")
    if plugin.problems:
        raise GraderFault("; ".join(plugin.problems))
    order = list(assignment.points)
    results = sorted(
        (
            plugin.results.get(nodeid)
            or TestCaseResult(case, False, "The test did not run.", f"{case.name} did not run")
            for nodeid, case in plugin.cases.items()
        ),
        key=lambda result: order.index(result.case.function),
    )
    return results, [plugin.measures[function] for function in order if function in plugin.measures]


def run_pytest(paths, plugin):
    """Run hidden tests (folders, files or node ids) with the plugin that gives their fixtures; the exit code."""
    return pytest.main(
        [
            *map(str, paths),
            "-c",
            str(HIDDEN_TESTS / "pytest.ini"),
            "--rootdir",
            str(HIDDEN_TESTS),
            "--disable-plugin-autoload",  # the hidden tests use no installed plugin; loading them took 0.3 s
            "-p",
            "no:terminal",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
        ],
        plugins=[plugin],
    )


def hidden_test_descriptions(assignment):
    """{function: the first docstring lines of its hidden tests, in the order of their files}."""
    described = {}
    for _, test in _hidden_tests(assignment):
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "graded":
                line = (test.__doc__ or test.__name__).strip().splitlines()[0]
                described.setdefault(mark.kwargs["function"], [])
                if line not in described[mark.kwargs["function"]]:
                    described[mark.kwargs["function"]].append(line)
    return described


def _hidden_tests(assignment):
    """(module, test function) of every test function in the assignment's hidden test files, in order."""
    found = []
    for path in sorted((HIDDEN_TESTS / assignment.id).glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"hidden_{assignment.id}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found += [
            (path, function)
            for name, function in vars(module).items()
            if name.startswith("test_") and callable(function)
        ]
    return found


def statistical_tests():
    """(assignment, node id, test function, its ``check(settings)``) of every hidden test marked ``@statistical``."""
    return [
        (assignment, f"{path}::{test.__name__}", test, mark.kwargs["check"])
        for assignment in config.load().ASSIGNMENTS
        for path, test in _hidden_tests(assignment)
        for mark in getattr(test, "pytestmark", [])
        if mark.name == "statistical"
    ]


def dump(report):
    return json.dumps(report.to_json(), indent=2)
