"""Reading a submitted notebook as data, and choosing the cells the grader runs.

Nothing here executes the notebook. The grader runs, in the release's order,
the locked setup cells *as released* (a student cannot change the imports the
tests rely on) and each graded function's solution cell *as submitted*, found by
its nbgrader ``grade_id`` or, if the student lost the metadata, by the function
it defines. Other cells (visible tests, demos, scratch work) are not run.
"""

import ast
import json
from pathlib import Path

from autograder.probes import Cell


class NotebookError(Exception):
    """A submission that cannot be read as a Jupyter notebook."""


def read(path, max_bytes):
    """The notebook at ``path`` as a dict, or NotebookError saying what is wrong with it."""
    path = Path(path)
    if path.is_symlink():
        raise NotebookError(f"{path.name} is a symbolic link, which the grader never follows: submit the notebook "
                            "itself")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise NotebookError(f"the notebook {path.name} cannot be opened ({error.strerror})") from None
    if not path.is_file():
        raise NotebookError(f"{path.name} is not a file")
    if size > max_bytes:
        raise NotebookError(f"the notebook is {size / 2**20:.0f} MiB, over the {max_bytes // 2**20} MiB "
                            "limit: clear its outputs (Kernel > Restart & Clear Output) and submit again")
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotebookError(f"{path.name} is not a Jupyter notebook (it is not valid JSON): submit the "
                            ".ipynb file saved by Jupyter") from None
    return check(notebook)


def check(notebook):
    """The notebook if it is nbformat 4 with well-formed cells, else NotebookError."""
    if not isinstance(notebook, dict):
        raise NotebookError("the file is JSON but not a notebook (no top-level object)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"the notebook's format is nbformat {notebook.get('nbformat')!r:.20}, "
                            "expected 4: save it with Jupyter Notebook or JupyterLab")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("the notebook has no list of cells")
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {index + 1} of the notebook is malformed")
        if source(cell) is None:
            raise NotebookError(f"cell {index + 1} of the notebook has no readable source")
    return notebook


def source(cell):
    """A cell's source as one string (nbformat allows a string or a list of strings), or None."""
    text = cell.get("source")
    if isinstance(text, str):
        return text
    if isinstance(text, list) and all(isinstance(line, str) for line in text):
        return "".join(text)
    return None


def grade_id(cell):
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    value = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return value if isinstance(value, str) else None


def setup_imports(release, assignment):
    """The modules the release's setup cells import at their top level, in order (``a.b`` for
    ``import a.b`` and ``from a.b import c``): the sandbox imports them before any student code runs."""
    modules = []
    for cell in _code_cells(release):
        if grade_id(cell) not in assignment.setup_cells:
            continue
        for node in ast.parse(source(cell)).body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.append(node.module)
    return tuple(dict.fromkeys(modules))


def _code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _defines(cell, function):
    try:
        tree = ast.parse(source(cell))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function
               for node in tree.body)


def grading_cells(release, submission, assignment):
    """The cells to run, and notes on how the student's cells were found."""
    cells, notes = [], []
    submitted = _code_cells(submission)
    for released in _code_cells(release):
        cell_id = grade_id(released)
        if cell_id in assignment.setup_cells:
            cells.append(Cell(cell_id, source(released)))
        elif cell_id in assignment.points:
            matches = [cell for cell in submitted if grade_id(cell) == cell_id]
            if len(matches) > 1:
                notes.append(f"{len(matches)} cells are marked as the `{cell_id}` cell; the last one was graded")
            if not matches:
                matches = [cell for cell in submitted if _defines(cell, cell_id)][:1]
                if matches:
                    notes.append(f"the `{cell_id}` cell had lost its nbgrader metadata; the grader used the "
                                 f"cell that defines {cell_id}()")
                else:
                    notes.append(f"no cell of the notebook is the `{cell_id}` cell or defines {cell_id}()")
                    continue
            cells.append(Cell(cell_id, source(matches[-1])))
    return cells, notes
