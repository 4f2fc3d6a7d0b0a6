"""What the grader runs of a notebook: the locked setup cells as released, then of every other cell its
definitions, IPython syntax turned into Python; and the notes that say what it did not run."""

import json

from autograder import config
from autograder.grading import notebook
from autograder.grading.probes import Cell, Student
from tests.conftest import by_function, grade, quick_course

A1 = "a1_policy_gradients"
DISCOUNT = """
def discount_rewards(rewards, discount_factor):
    discounted = np.array(rewards, dtype=float)
    for step in range(len(discounted) - 2, -1, -1):
        discounted[step] += discounted[step + 1] * discount_factor
    return discounted
"""


def strip_metadata(path, grade_id):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["metadata"] = {}
    path.write_text(json.dumps(notebook))


def test_edited_setup_cells_are_replaced_by_the_released_ones(variant):
    path = variant(
        A1,
        {
            "setup": "import numpy\nnp = None  # the tests' imports are not the student's to change",
            "discount_rewards": DISCOUNT,
        },
        base="release",
    )
    assert by_function(grade(A1, path))["discount_rewards"] == (2.0, 2.0)


def test_a_solution_cell_that_lost_its_metadata_is_found_by_its_function(variant):
    path = variant(A1, {"discount_rewards": DISCOUNT}, base="release")
    strip_metadata(path, "discount_rewards")
    report = grade(A1, path)
    assert by_function(report)["discount_rewards"] == (2.0, 2.0)
    assert any("the cells of discount_rewards had lost their nbgrader metadata" in note for note in report["notes"])


def test_a_deleted_cell_or_renamed_function_loses_only_its_points(variant, tmp_path):
    path = variant(
        A1,
        {
            "discount_rewards": DISCOUNT.replace("def discount_rewards", "def discount_reward"),
            "basic_policy": "# deleted",
        },
    )
    report = grade(A1, path, course=quick_course(tmp_path / "course", A1))
    scores = by_function(report)
    assert scores["discount_rewards"][0] == 0 and scores["basic_policy"][0] == 0
    assert any(
        "did you rename it? your `discount_rewards` cell defines discount_reward" in test["feedback"]
        for test in report["tests"]
    )
    assert scores["discount_and_normalise_rewards"] == (2.0, 2.0) and scores["train_policy_gradient"] == (6.0, 6.0)


def test_the_sandbox_preloads_the_top_level_imports_of_the_cells_it_runs():
    cells = [
        Cell(
            "setup",
            "import os.path, numpy as np\nfrom tensorflow import keras\nfrom . import local\n"
            "import numpy\nif True:\n    import json\n",
        ),
        Cell("cell 4", "import csv\nfrom matplotlib import pyplot\n"),
        Cell("cell 5", "def broken(:\n"),
    ]
    assert notebook.imported_modules(cells) == ("os.path", "numpy", "tensorflow", "csv", "matplotlib")


A2 = config.assignment("a2_q_learning")
TD_UPDATE = "def td_update(V, state, reward, next_state, alpha, gamma):\n    return helper(V)\n"


def code(grade_id, source):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
    if grade_id:
        cell["metadata"]["nbgrader"] = {"grade_id": grade_id}
    return cell


def release():
    return {
        "nbformat": 4,
        "cells": [
            code("setup", "import numpy as np\n"),
            code("td_update", "raise NotImplementedError()"),
            code("test_td_update", "assert td_update([0.0], 0, 1.0, 0, 0.5, 0.9) is not None"),
        ],
    }


def read_as_graded(*added, setup="import numpy as np\n", solution=TD_UPDATE):
    """(cells, notes) of a submission: the release with its cells filled in and ``added`` cells after them."""
    submission = {
        "nbformat": 4,
        "cells": [
            code("setup", setup),
            code("td_update", solution),
            code("test_td_update", "print(td_update([0.0], 0, 1.0, 0, 0.5, 0.9))"),
            *(code(None, source) for source in added),
        ],
    }
    return notebook.grading_cells(release(), submission, A2)


def test_of_each_cell_the_grader_runs_only_its_definitions_at_their_own_lines():
    cells, _ = read_as_graded(
        "import math\nLIMIT = 3\nSCALE = np.float64(2.0)\nrun = train_for(100)\nprint(run)\n"
        "for step in range(3):\n    pass\nclass Helper:\n    pass\n\n@staticmethod\n"
        "def helper(V):\n    return np.array(V) * SCALE\nlate = helper([1.0])\n"
    )
    assert [cell.id for cell in cells] == ["setup", "td_update", "cell 4"]
    lines = cells[2].source.splitlines()
    assert lines[:3] == ["import math", "LIMIT = 3", "SCALE = np.float64(2.0)"]
    assert lines[3:7] == ["", "", "", ""] and lines[7:9] == ["class Helper:", "    pass"]
    assert lines[10:13] == ["@staticmethod", "def helper(V):", "    return np.array(V) * SCALE"]
    assert "late" not in cells[2].source and all(cell.lenient for cell in cells[1:]) and not cells[0].lenient


def test_ipython_syntax_becomes_python_and_what_does_not_run_is_noted():
    cells, notes = read_as_graded(
        "%%time\nFACTOR = 2\n",
        "!pip install gymnasium\n%load_ext autoreload\n%matplotlib inline\nimport json\n",
        "%%bash\necho hello\n",
        solution="%%time\n" + TD_UPDATE + "%time td_update([0.0], 0, 1.0, 0, 0.5, 0.9)\n",
    )
    sources = {cell.id: cell.source for cell in cells}
    assert sources["cell 4"] == "\nFACTOR = 2\n" and sources["cell 5"].splitlines()[3] == "import json"
    assert "cell 6" not in sources and sources["td_update"].startswith("\ndef td_update")
    assert "your cell 5: `!` and `%load_ext` did not run" in "\n".join(notes)
    assert "your cell 6: `%%bash` did not run" in "\n".join(notes)


def test_a_changed_setup_cell_and_a_name_nothing_defines_are_noted():
    _, notes = read_as_graded("helper = make_helper()\n", setup="import numpy as np\nimport pandas\n")
    assert any("your `setup` cell differs from the released one" in note for note in notes)
    assert any(
        "your `td_update` cell uses helper, which no statement the grader runs defines" in note for note in notes
    )
    _, notes = read_as_graded("def helper(V):\n    return V\n")
    assert not [note for note in notes if "setup" in note or "uses" in note]


def test_a_lenient_cell_goes_on_after_a_statement_that_fails():
    cell = Cell("cell 3", "import no_such_module\n\ndef f():\n    return 1\n", lenient=True)
    with Student([cell], config.load().LIMITS, split_inputs=False) as student:
        assert student.call("f") == 1
        assert "ModuleNotFoundError" in student.cell_errors["cell 3"]


def test_plots_in_a_cell_are_for_the_student_only():
    cells, _ = read_as_graded(
        "import matplotlib.pyplot as plt\nfrom tqdm.auto import tqdm\n"
        "fig, axis = plt.subplots()\nbar = tqdm(range(3))\nGRID = np.zeros(3)\n"
    )
    assert cells[2].source.splitlines() == [
        "import matplotlib.pyplot as plt",
        "from tqdm.auto import tqdm",
        "",
        "",
        "GRID = np.zeros(3)",
    ]
