"""What every assignment with tables in ``tests/<assignment>/tables.py`` must show (assignment 4, whose
milestone needs a trained agent, has its own tests in ``tests/a4_breakout_dqn/``):

* its reference, executed top to bottom by papermill at CI size, passes its visible tests and scores
  full marks; the untouched release scores nothing;
* each plausible wrong implementation of a function (``MUTANTS``), defined after the reference's own cell
  (whose helpers other cells may use), loses that function's points, and every hidden test of the
  function is failed by at least one of them; and broken functions cost the others nothing: with half
  the functions replaced by mutants, exactly those lose points (graded twice per assignment, each half
  in turn, rather than once per mutant);
* every set of correct alternatives (``ALTERNATIVES``) gets full marks;
* garbage results fail cleanly, with no grader fault.
"""

import importlib
import json
import textwrap

import papermill
import pytest

from autograder import config
from tests.conftest import by_function, failed, grade, reference_cell

TABLES = {assignment.id: importlib.import_module(f"tests.{assignment.id}.tables")
          for assignment in config.load().ASSIGNMENTS if (config.ROOT / "tests" / assignment.id / "tables.py").exists()}
ASSIGNMENTS = {assignment_id: config.assignment(assignment_id) for assignment_id in TABLES}
GARBAGE = ["None", "'text'", "object()", "np.array([np.nan])", "[[[]]]"]


def source(text):
    return textwrap.dedent(text).strip("\n")


@pytest.fixture(scope="module", params=list(ASSIGNMENTS))
def executed(request, tmp_path_factory):
    """An assignment and its reference notebook as papermill executed it with the CI parameters."""
    assignment = ASSIGNMENTS[request.param]
    folder = tmp_path_factory.mktemp("papermill")
    output = folder / assignment.notebook
    papermill.execute_notebook(str(config.path("solutions", assignment.id, assignment.notebook)), str(output),
                               parameters=assignment.ci_parameters, kernel_name="python3", cwd=str(folder),
                               progress_bar=False)
    return assignment, output


def test_the_reference_passes_its_visible_tests(executed):
    assignment, output = executed
    printed = "".join("".join(out["text"]) if isinstance(out.get("text"), list) else out.get("text", "")
                      for cell in json.loads(output.read_text())["cells"] for out in cell.get("outputs", []))
    missing = [function for function in assignment.points if f"{function}: the visible tests pass" not in printed]
    assert not missing


def test_the_reference_scores_full_marks(executed):
    assignment, output = executed
    report = grade(assignment.id, output)
    assert report["score"] == assignment.max_score, [t["feedback"] for t in report["tests"] if not t["passed"]]


@pytest.mark.parametrize("assignment_id", list(ASSIGNMENTS))
def test_the_release_scores_zero(assignment_id):
    assignment = ASSIGNMENTS[assignment_id]
    report = grade(assignment.id, config.path("release", assignment.id, assignment.notebook))
    assert report["score"] == 0 and report["error"] is None


@pytest.fixture(scope="module")
def hidden_tests():
    """The hidden tests of each function of each assignment, by name, from reports of the releases."""
    names = {}
    for assignment_id in TABLES:
        assignment = ASSIGNMENTS[assignment_id]
        for test in grade(assignment.id, config.path("release", assignment.id, assignment.notebook))["tests"]:
            names.setdefault((assignment_id, test["function"]), set()).add(test["name"])
    return names


@pytest.mark.parametrize("assignment_id", list(TABLES))
def test_every_function_has_mutants_and_alternatives(assignment_id):
    tables = TABLES[assignment_id]
    assert set(tables.MUTANTS) == set(ASSIGNMENTS[assignment_id].points)
    assert tables.ALTERNATIVES and all(set(cells) == set(tables.MUTANTS) for cells in tables.ALTERNATIVES)


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, function", [(assignment_id, function) for assignment_id in TABLES
                                                     for function in TABLES[assignment_id].MUTANTS])
def test_mutants_lose_their_functions_points(assignment_id, function, hidden_tests, variant):
    """Each mutant, graded on its function's tests, loses points there; together they fail every one of them."""
    caught = set()
    for name, mutant in TABLES[assignment_id].MUTANTS[function].items():
        report = grade(assignment_id, variant(assignment_id, {function: mutated(assignment_id, function, mutant)}),
                       [function])
        got, most = by_function(report)[function]
        assert got < most, f"the mutant '{name}' kept all of {function}'s points"
        caught |= failed(report)
    missed = hidden_tests[assignment_id, function] - caught
    assert not missed, f"no mutant fails {sorted(missed)}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, half", [(assignment_id, half) for assignment_id in TABLES for half in (0, 1)])
def test_broken_functions_cost_the_others_nothing(assignment_id, half, variant):
    """With every other function replaced by its first mutant, each mutant loses its own function's points and
    the functions left correct keep all of theirs."""
    functions = list(ASSIGNMENTS[assignment_id].points)
    broken = functions[half::2]
    cells = {function: mutated(assignment_id, function, next(iter(TABLES[assignment_id].MUTANTS[function].values())))
             for function in broken}
    scores = by_function(grade(assignment_id, variant(assignment_id, cells)))
    assert {function for function, (got, most) in scores.items() if got < most} == set(broken), scores


def mutated(assignment_id, function, mutant):
    """The function's cell with the mutant defined after the reference's code (whose helpers it may use)."""
    return f"{reference_cell(assignment_id, function)}\n\n\n{source(mutant)}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, index", [(assignment_id, index) for assignment_id in TABLES
                                                  for index in range(len(TABLES[assignment_id].ALTERNATIVES))])
def test_correct_alternatives_get_full_marks(assignment_id, index, variant):
    cells = {function: source(code) for function, code in TABLES[assignment_id].ALTERNATIVES[index].items()}
    report = grade(assignment_id, variant(assignment_id, cells))
    assert report["score"] == ASSIGNMENTS[assignment_id].max_score, [
        t["feedback"] for t in report["tests"] if not t["passed"]]


@pytest.mark.parametrize("assignment_id, garbage", [(assignment_id, garbage) for assignment_id in ASSIGNMENTS
                                                    for garbage in GARBAGE])
def test_garbage_results_fail_cleanly(assignment_id, garbage, variant):
    functions = ASSIGNMENTS[assignment_id].points
    report = grade(assignment_id, variant(assignment_id, {f: f"def {f}(*args, **kwargs):\n    return {garbage}"
                                                          for f in functions}))
    assert report["score"] == 0
    assert not any("grader itself failed" in test["feedback"] for test in report["tests"])
