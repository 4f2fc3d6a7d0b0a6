"""Which cells the grader runs: locked setup cells as released, solution cells as submitted."""

import json

from autograder import config, notebook
from tests.conftest import by_function, grade, quick_course

A1 = "a1_policy_gradients"
DISCOUNT = '''
def discount_rewards(rewards, discount_factor):
    discounted = np.array(rewards, dtype=float)
    for step in range(len(discounted) - 2, -1, -1):
        discounted[step] += discounted[step + 1] * discount_factor
    return discounted
'''


def strip_metadata(path, grade_id):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["metadata"] = {}
    path.write_text(json.dumps(notebook))


def test_edited_setup_cells_are_replaced_by_the_released_ones(variant):
    path = variant(A1, {"setup": "import numpy\nnp = None  # the tests' imports are not the student's to change",
                        "discount_rewards": DISCOUNT}, base="release")
    assert by_function(grade(A1, path))["discount_rewards"] == (2.0, 2.0)


def test_a_solution_cell_that_lost_its_metadata_is_found_by_its_function(variant):
    path = variant(A1, {"discount_rewards": DISCOUNT}, base="release")
    strip_metadata(path, "discount_rewards")
    report = grade(A1, path)
    assert by_function(report)["discount_rewards"] == (2.0, 2.0)
    assert any("lost its nbgrader metadata" in note for note in report["notes"])


def test_a_deleted_cell_or_renamed_function_loses_only_its_points(variant, tmp_path):
    path = variant(A1, {"discount_rewards": DISCOUNT.replace("def discount_rewards", "def discount_reward"),
                        "basic_policy": "# deleted"})
    report = grade(A1, path, course=quick_course(tmp_path / "course", A1))
    scores = by_function(report)
    assert scores["discount_rewards"][0] == 0 and scores["basic_policy"][0] == 0
    assert any("did you rename it? found discount_reward" in test["feedback"] for test in report["tests"])
    assert scores["discount_and_normalise_rewards"] == (2.0, 2.0) and scores["train_policy_gradient"] == (6.0, 6.0)


def test_the_sandbox_preloads_the_imports_of_the_released_setup_cells_only():
    release = {"cells": [
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "setup"}},
         "source": "import os.path, numpy as np\nfrom tensorflow import keras\nfrom . import local\n"
                   "import numpy\nif True:\n    import json\n"},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "discount_rewards"}}, "source": "import csv"},
    ]}
    assignment = config.assignment(A1)
    assert notebook.setup_imports(release, assignment) == ("os.path", "numpy", "tensorflow")
