"""What every assignment with tables in ``tests/<assignment>/tables.py`` must show (assignment 4, whose
milestone needs a trained agent, has its own tests in ``tests/a4_breakout_dqn/``):

* its reference, executed top to bottom by papermill at CI size, passes its visible tests and scores
  full marks; the untouched release scores nothing;
* each plausible wrong implementation of a function (``MUTANTS``), defined after the reference's own cell
  (whose helpers other cells may use), loses that function's points, and every hidden test of the
  function is failed by at least one of them. Mutants are graded in rows, the k-th mutant of every
  function in one notebook, graded on those functions' tests (as assignment 4 does); that this shows
  each mutant's own effect rests on the next point, checked on its own: broken functions cost the
  others nothing (with half the functions replaced by mutants, exactly those lose points). Both are
  graded with the assignment's ``quick_grading`` settings where it has them: they shorten the learning
  checks' runs, while a wrong update or result is caught in their first iterations all the same;
* every set of correct alternatives (``ALTERNATIVES``) gets full marks, and so does every notebook as students
  really write and save them (``REALISTIC``, ``tests/student_notebooks.py``): helpers, imports and constants
  in cells of their own, IPython syntax, training runs left in, outputs, moved cells, other apps' metadata;
* garbage results fail cleanly, with no grader fault.
"""

import importlib
import json
import textwrap
from pathlib import Path

import pytest

from autograder import config
from tests import student_notebooks
from tests.conftest import (
    by_function,
    executed_reference,
    grade,
    once_per_run,
    quick_course,
    reference_cell,
    write_variant,
)

TABLES = {
    assignment.id: importlib.import_module(f"tests.{assignment.id}.tables")
    for assignment in config.load().ASSIGNMENTS
    if (config.ROOT / "tests" / assignment.id / "tables.py").exists()
}
ASSIGNMENTS = {assignment_id: config.assignment(assignment_id) for assignment_id in TABLES}
GARBAGE = ["None", "'text'", "object()", "np.array([np.nan])", "[[[]]]"]


def source(text):
    return textwrap.dedent(text).strip("\n")


@pytest.fixture(params=list(ASSIGNMENTS))
def executed(request, tmp_path_factory):
    """An assignment and its reference notebook as papermill executed it with the CI parameters."""
    assignment = ASSIGNMENTS[request.param]
    return assignment, executed_reference(tmp_path_factory, assignment)


def test_the_reference_passes_its_visible_tests(executed):
    assignment, output = executed
    printed = "".join(
        "".join(out["text"]) if isinstance(out.get("text"), list) else out.get("text", "")
        for cell in json.loads(output.read_text())["cells"]
        for out in cell.get("outputs", [])
    )
    missing = [function for function in assignment.points if f"{function}: the visible tests pass" not in printed]
    assert not missing


def test_the_reference_scores_full_marks(executed):
    assignment, output = executed
    report = grade(assignment.id, output)
    assert report["score"] == assignment.max_score, [t["feedback"] for t in report["tests"] if not t["passed"]]


@pytest.fixture(scope="session")
def release_reports(tmp_path_factory):
    """{assignment id: the report of its untouched release}, graded once per run."""
    return once_per_run(
        tmp_path_factory,
        "release-reports",
        lambda directory: {
            assignment_id: grade(assignment_id, config.path("release", assignment_id, assignment.notebook))
            for assignment_id, assignment in ASSIGNMENTS.items()
        },
    )[1]


@pytest.mark.parametrize("assignment_id", list(ASSIGNMENTS))
def test_the_release_scores_zero(assignment_id, release_reports):
    report = release_reports[assignment_id]
    assert report["score"] == 0 and report["error"] is None


@pytest.mark.parametrize("assignment_id", list(TABLES))
def test_every_function_has_mutants_and_alternatives(assignment_id):
    tables = TABLES[assignment_id]
    assert set(tables.MUTANTS) == set(ASSIGNMENTS[assignment_id].points)
    assert tables.ALTERNATIVES and all(set(cells) == set(tables.MUTANTS) for cells in tables.ALTERNATIVES)
    assert tables.REALISTIC


def mutant_rows(assignment_id):
    """Row k of an assignment's table: {function: (name, code)} of the k-th mutant of each function that has one."""
    mutants = {function: list(table.items()) for function, table in TABLES[assignment_id].MUTANTS.items()}
    return [
        {function: table[k] for function, table in mutants.items() if k < len(table)}
        for k in range(max(map(len, mutants.values())))
    ]


def mutated(assignment_id, function, mutant):
    """The function's cell with the mutant defined after the reference's code (whose helpers it may use)."""
    return f"{reference_cell(assignment_id, function)}\n\n\n{source(mutant)}"


@pytest.fixture(scope="session")
def mutants_course(tmp_path_factory):
    """``mutants_course(assignment_id)``: the course that grades the assignment's mutants, made once per run: a
    ``quick_course`` where the assignment has ``quick_grading`` settings, else None (this course)."""

    def course(assignment_id):
        if not ASSIGNMENTS[assignment_id].quick_grading:
            return None
        return Path(
            once_per_run(
                tmp_path_factory,
                f"quick-{assignment_id}",
                lambda directory: str(quick_course(directory / "course", assignment_id)),
            )[1]
        )

    return course


@pytest.fixture(scope="session")
def mutant_report(tmp_path_factory, mutants_course):
    """``mutant_report(assignment_id, row)``: the report of a row of mutants on the tests of the row's functions
    (the others run the reference's code), graded once per run by whichever test needs it first."""

    def report(assignment_id, row):
        cells = {
            function: mutated(assignment_id, function, code)
            for function, (_, code) in mutant_rows(assignment_id)[row].items()
        }
        return once_per_run(
            tmp_path_factory,
            f"mutants-{assignment_id}-{row}",
            lambda directory: grade(
                assignment_id,
                write_variant(directory, assignment_id, cells),
                functions=list(cells),
                course=mutants_course(assignment_id),
            ),
        )[1]

    return report


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment_id, row",
    [(assignment_id, row) for assignment_id in TABLES for row in range(len(mutant_rows(assignment_id)))],
)
def test_each_mutant_loses_its_functions_points(assignment_id, row, mutant_report):
    report = mutant_report(assignment_id, row)
    scores = by_function(report)
    for function, (name, _) in mutant_rows(assignment_id)[row].items():
        got, most = scores[function]
        assert got < most, f"the mutant '{name}' kept all of {function}'s points"
    assert not any("grader itself" in test["feedback"] for test in report["tests"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment_id, function",
    [(assignment_id, function) for assignment_id in TABLES for function in TABLES[assignment_id].MUTANTS],
)
def test_every_hidden_test_is_failed_by_a_mutant(assignment_id, function, mutant_report, release_reports):
    tests = {test["name"] for test in release_reports[assignment_id]["tests"] if test["function"] == function}
    caught = {
        test["name"]
        for row in range(len(mutant_rows(assignment_id)))
        for test in mutant_report(assignment_id, row)["tests"]
        if test["function"] == function and not test["passed"]
    }
    assert tests and tests <= caught, f"no mutant of {function} fails {sorted(tests - caught)}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, half", [(assignment_id, half) for assignment_id in TABLES for half in (0, 1)])
def test_broken_functions_cost_the_others_nothing(assignment_id, half, variant, mutants_course):
    """With every other function replaced by its first mutant, exactly the broken ones lose points: the
    others keep all of theirs (so each row of mutants above shows each mutant's own effect)."""
    functions = list(ASSIGNMENTS[assignment_id].points)
    broken = functions[half::2]
    first = mutant_rows(assignment_id)[0]
    scores = by_function(
        grade(
            assignment_id,
            variant(
                assignment_id, {function: mutated(assignment_id, function, first[function][1]) for function in broken}
            ),
            course=mutants_course(assignment_id),
        )
    )
    assert {function for function, (got, most) in scores.items() if got < most} == set(broken), scores


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment_id, index",
    [(assignment_id, index) for assignment_id in TABLES for index in range(len(TABLES[assignment_id].ALTERNATIVES))],
)
def test_correct_alternatives_get_full_marks(assignment_id, index, variant):
    cells = {function: source(code) for function, code in TABLES[assignment_id].ALTERNATIVES[index].items()}
    report = grade(assignment_id, variant(assignment_id, cells))
    assert report["score"] == ASSIGNMENTS[assignment_id].max_score, [
        t["feedback"] for t in report["tests"] if not t["passed"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment_id, index",
    [(assignment_id, index) for assignment_id in TABLES for index in range(len(TABLES[assignment_id].REALISTIC))],
)
def test_notebooks_as_students_write_them_get_full_marks(assignment_id, index, tmp_path, mutants_course):
    recipe = TABLES[assignment_id].REALISTIC[index]
    report = grade(
        assignment_id, student_notebooks.write(recipe, assignment_id, tmp_path), course=mutants_course(assignment_id)
    )
    assert report["score"] == ASSIGNMENTS[assignment_id].max_score, [
        t["feedback"] for t in report["tests"] if not t["passed"]
    ]
    assert report["error"] is None and not [note for note in report["notes"] if "uses" in note], report["notes"]
    if recipe.app == "colab":
        assert any("had lost their nbgrader metadata" in note for note in report["notes"])
    if any("!" in source for _, _, source in recipe.added):
        assert any("did not run (the grader runs no shell commands" in note for note in report["notes"])


@pytest.mark.parametrize("assignment_id", list(ASSIGNMENTS))
def test_garbage_results_fail_cleanly(assignment_id, variant):
    """Every function returns each kind of garbage in turn, call after call: no point, no grader fault."""
    cycle = f"import itertools\nGARBAGE = itertools.cycle([{', '.join(GARBAGE)}])\n"
    cells = {
        function: f"{cycle}def {function}(*args, **kwargs):\n    return next(GARBAGE)"
        for function in ASSIGNMENTS[assignment_id].points
    }
    report = grade(assignment_id, variant(assignment_id, cells))
    assert report["score"] == 0
    assert not any("grader itself failed" in test["feedback"] for test in report["tests"])
