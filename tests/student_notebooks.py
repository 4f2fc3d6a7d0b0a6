"""Notebooks as students really save them, built from the reference solution: cells they added (helpers,
imports, constants, debugging prints, quick calls, whole training runs), IPython syntax, the outputs of a run,
cells moved, and the metadata of the app that saved them (JupyterLab 4, Notebook 7, VS Code, Google Colab,
which drops nbgrader's metadata). Each assignment's ``tables.REALISTIC`` lists such notebooks, and each must
get full marks (``tests/test_assignments.py``)."""

import base64
import copy
import importlib
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder import config

APPS = ("jupyterlab", "notebook7", "vscode", "colab")
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea73581e40000000049454e44ae426082"
    )
).decode()
"""A 1x1 PNG, the plot a cell's output keeps."""


@dataclass(frozen=True)
class Realistic:
    """How a student's notebook differs from the reference solution."""

    app: str = "jupyterlab"
    """The app that saved it: one of APPS."""
    cells: dict = field(default_factory=dict)
    """grade_id -> the student's own source of that solution cell."""
    added: tuple = ()
    """(grade_id, "before" or "after", source): a cell the student added next to that one."""
    moved: tuple = ()
    """grade_ids of the solution cells the student moved to the end of the notebook."""
    outputs: bool = True
    """Whether the cells keep the outputs of a run (text, a plot, a progress-bar widget)."""


def recipes(assignment_id):
    """The assignment's realistic notebooks (``tables.REALISTIC``; assignment 4 keeps its own in test_mutants)."""
    try:
        return importlib.import_module(f"tests.{assignment_id}.tables").REALISTIC
    except ModuleNotFoundError:
        return importlib.import_module(f"tests.{assignment_id}.test_mutants").REALISTIC


def write(recipe, assignment_id, directory, name="student"):
    """The recipe's notebook for the assignment, written at ``directory/name.ipynb``."""
    assignment = config.assignment(assignment_id)
    notebook = json.loads(config.path("solutions", assignment.id, assignment.notebook).read_text())
    cells = notebook["cells"]
    for cell in cells:
        if _grade_id(cell) in recipe.cells:
            cell["source"] = _lines(recipe.cells[_grade_id(cell)])
    for grade_id, where, source in recipe.added:
        at = next(index for index, cell in enumerate(cells) if _grade_id(cell) == grade_id)
        cells.insert(at + (where == "after"), _code_cell(source))
    for grade_id in recipe.moved:
        moving = next(cell for cell in cells if _grade_id(cell) == grade_id)
        cells.remove(moving)
        cells.append(moving)
    if recipe.outputs:
        for count, cell in enumerate(cell for cell in cells if cell["cell_type"] == "code"):
            cell["execution_count"] = count + 1
            cell["outputs"] = _outputs(count)
        notebook["metadata"]["widgets"] = {
            "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}
        }
    _as_saved_by(recipe.app, notebook)
    path = Path(directory) / f"{name}.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    return path


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _lines(source):
    return textwrap.dedent(source).strip("\n").splitlines(True)


def _code_cell(source):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": _lines(source)}


def _outputs(count):
    """What a run leaves in a code cell: printed text, and now and then a plot or a progress bar."""
    outputs = [{"name": "stdout", "output_type": "stream", "text": [f"step {count}\n"]}]
    if count % 3 == 1:
        outputs.append(
            {
                "data": {"image/png": PIXEL, "text/plain": ["<Figure size 800x400 with 1 Axes>"]},
                "metadata": {},
                "output_type": "display_data",
            }
        )
    if count % 3 == 2:
        outputs.append(
            {
                "data": {
                    "application/vnd.jupyter.widget-view+json": {
                        "model_id": f"{count:032x}",
                        "version_major": 2,
                        "version_minor": 0,
                    },
                    "text/plain": ["training: 100%|##########| 3/3"],
                },
                "metadata": {},
                "output_type": "display_data",
            }
        )
    return outputs


def _as_saved_by(app, notebook):
    """Give the notebook the metadata, format and cell fields the app writes."""
    if app not in APPS:
        raise ValueError(f"unknown app {app!r}; expected one of {APPS}")
    metadata = notebook["metadata"]
    metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    if app in ("jupyterlab", "notebook7"):
        notebook["nbformat_minor"] = 5
        metadata["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python"}
        if app == "notebook7":
            for cell in notebook["cells"]:
                cell["metadata"].setdefault("jupyter", {})["source_hidden"] = False
    elif app == "vscode":
        notebook["nbformat_minor"] = 2
        metadata["vscode"] = {"interpreter": {"hash": "0" * 64}}
        for cell in notebook["cells"]:
            cell.pop("id", None)
            if cell["cell_type"] == "code":
                cell["metadata"]["vscode"] = {"languageId": "python"}
    else:  # Colab keeps none of nbgrader's cell metadata, and names each cell by an id of its own
        notebook["nbformat_minor"] = 0
        notebook["metadata"] = {
            "colab": {"provenance": [], "toc_visible": True},
            "accelerator": "GPU",
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        }
        for index, cell in enumerate(notebook["cells"]):
            cell.pop("id", None)
            cell["metadata"] = {"id": f"cell{index:04x}"}
            for output in cell.get("outputs", []):
                output["metadata"] = copy.deepcopy(output.get("metadata", {}))
