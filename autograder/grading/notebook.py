"""Reading a submitted notebook as data, and choosing what of it the grader runs.

Nothing here executes the notebook. The grader runs the locked setup cells *as
released* first (a student cannot change the imports the tests rely on), then every
other code cell of the submission in its order, as Jupyter would, but of each only
its top-level *definitions*: imports, functions, classes, and assignments of names
whose value calls nothing the notebook defines and reads only names already defined
(constants, ``keras.losses.Huber()``, ``np.array(...)``). So helpers, imports and
constants in cells the student added are there for the graded functions, while
training runs, demos, plots and debugging prints never run. IPython syntax is turned
into Python as IPython turns it (``%time``, ``!pip``), and the body of a cell magic
that runs its body (``%%time``, ``%%capture``) is the cell. The visible-test cells,
which students do not write, are left out.
"""

import ast
import builtins
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.probes import Cell

BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
"""Cell magics whose body is Python that runs: the grader runs the body."""
SILENT_MAGICS = BODY_MAGICS | {"matplotlib"}
"""Magics that need no note when the grader does not run them (their line holds no definition)."""
PLAIN_CALLS = frozenset(
    {
        "abs",
        "all",
        "any",
        "bool",
        "bytes",
        "chr",
        "complex",
        "dict",
        "divmod",
        "enumerate",
        "filter",
        "float",
        "format",
        "frozenset",
        "int",
        "isinstance",
        "len",
        "list",
        "map",
        "max",
        "min",
        "ord",
        "pow",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "slice",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
    }
)
"""Built-in functions an assignment the grader runs may call (besides the imported libraries' functions)."""
BUILTIN_NAMES = frozenset(dir(builtins))
DISPLAY_MODULES = ("matplotlib", "seaborn", "plotly", "IPython", "tqdm")
"""Libraries whose calls only show things: an assignment that calls them is a plot, for the student only."""


class NotebookError(Exception):
    """A submission that cannot be read as a Jupyter notebook."""


def read(path, max_bytes):
    """The notebook at ``path`` as a dict, or NotebookError saying what is wrong with it."""
    path = Path(path)
    if path.is_symlink():
        raise NotebookError(
            f"{path.name} is a symbolic link, which the grader never follows: submit the notebook itself"
        )
    try:
        size = path.stat().st_size
    except OSError as error:
        raise NotebookError(f"the notebook {path.name} cannot be opened ({error.strerror})") from None
    if not path.is_file():
        raise NotebookError(f"{path.name} is not a file")
    if size > max_bytes:
        raise NotebookError(
            f"the notebook is {size / 2**20:.0f} MiB, over the {max_bytes // 2**20} MiB "
            "limit: clear its outputs (Kernel > Restart & Clear Output) and submit again"
        )
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotebookError(
            f"{path.name} is not a Jupyter notebook (it is not valid JSON): submit the .ipynb file saved by Jupyter"
        ) from None
    return check(notebook)


def check(notebook):
    """The notebook if it is nbformat 4 with well-formed cells, else NotebookError."""
    if not isinstance(notebook, dict):
        raise NotebookError("the file is JSON but not a notebook (no top-level object)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(
            f"the notebook's format is nbformat {notebook.get('nbformat')!r:.20}, "
            "expected 4: save it with Jupyter Notebook or JupyterLab"
        )
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


def imported_modules(cells):
    """The modules the cells import at their top level, in order (``a.b`` for ``import a.b`` and ``from a.b
    import c``): the sandbox imports those it has before its first call, while the grader collects its tests
    (importing installed modules shows nothing of the hidden inputs, which no sandbox has seen yet)."""
    modules = []
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.append(node.module)
    return tuple(dict.fromkeys(modules))


def _code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


@dataclass
class Python:
    """A cell as Python: its code (IPython syntax turned into calls), and the IPython syntax the grader skips."""

    code: str
    skipped: list


def python_of(text):
    """The cell's Python, as IPython would run it; the body of a cell magic that runs its body."""
    lines = text.split("\n")
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("%%"):
        magic = (lines[first][2:].split() or [""])[0]
        if magic not in BODY_MAGICS:
            return Python("", [f"%%{magic}"])
        lines[first] = ""  # the body keeps its line numbers
        text = "\n".join(lines)
    try:
        ast.parse(text)
        return Python(text, [])  # plain Python: no IPython syntax to turn
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager  # half a second to import: only if needed

        code = TransformerManager().transform_cell(text)
        code = "\n" * (_leading_blank_lines(text) - _leading_blank_lines(code)) + code  # the lines IPython dropped
        tree = ast.parse(code)
    except (SyntaxError, ValueError, IndexError, RecursionError, MemoryError):
        return Python(text, [])
    skipped = [shell for shell in map(_shell_call, ast.walk(tree)) if shell and shell.lstrip("%") not in SILENT_MAGICS]
    return Python(code, list(dict.fromkeys(skipped)))


def _leading_blank_lines(text):
    lines = text.split("\n")
    return next((index for index, line in enumerate(lines) if line.strip()), len(lines) - 1)


def _shell_call(node):
    """``%name`` or ``!`` for a call that IPython's transformer made of a magic or a shell escape, else None."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    ):
        return None
    if node.func.attr in ("system", "getoutput"):
        return "!"
    name = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
    return f"%{name}"


class Definitions:
    """What the grader runs of the student's cells, in order: their definitions (see the module's docstring).

    ``known`` holds the names defined so far, ``libraries`` those bound by imports (whose functions an assignment
    may call).
    """

    def __init__(self, known=(), libraries=()):
        self.known, self.libraries = set(known), dict(libraries)  # libraries: {name bound by an import: module}

    def of(self, code):
        """The code of the cell's definitions at their own lines (line numbers kept for error messages), or None
        if it has none; SyntaxError if the code is not Python."""
        tree = ast.parse(code)
        lines, kept = code.splitlines(), []
        for node in tree.body:
            if self._runs(node):
                first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
                kept.append((first, node.end_lineno))
        if not kept:
            return None
        padded = [""] * len(lines)
        for first, last in kept:
            padded[first - 1 : last] = lines[first - 1 : last]
        return "\n".join(padded) + "\n"

    def _runs(self, node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = _bound_by_import(node)
            self.known |= set(bound)
            self.libraries.update(bound)
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.known.add(node.name)
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [_target_names(target) for target in targets]
            if all(name is not None for name in names) and self._cheap(node.value):
                self.known |= {name for group in names for name in group}
                return True
        return False

    def _cheap(self, value):
        """Whether a value reads only names defined so far and calls only built-ins and imported libraries."""
        bound = {name for node in ast.walk(value) for name in _bound_names(node)}
        for node in ast.walk(value):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if node.id not in self.known and node.id not in BUILTIN_NAMES and node.id not in bound:
                    return False
            if isinstance(node, ast.Call):
                root = _root(node.func)
                if (
                    isinstance(root, ast.Name)
                    and not (root.id in PLAIN_CALLS and root is node.func)
                    and (root.id not in self.libraries or self.libraries[root.id].startswith(DISPLAY_MODULES))
                ):
                    return False
                if not isinstance(root, (ast.Name, ast.Constant)):
                    return False
        return True


def _bound_by_import(node):
    """{name an import binds: the module (or module attribute) it stands for}."""
    bound = {}
    for alias in node.names:
        if alias.name == "*":
            continue
        if isinstance(node, ast.Import):
            bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        else:
            bound[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}"
    return bound


def _target_names(target):
    """The names an assignment target binds, or None if it assigns anything but names."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        names = [_target_names(element) for element in target.elts]
        return None if None in names else [name for group in names for name in group]
    return None


def _bound_names(node):
    """Names a comprehension or lambda inside a value binds for itself."""
    if isinstance(node, ast.comprehension):
        return [name.id for name in ast.walk(node.target) if isinstance(name, ast.Name)]
    if isinstance(node, ast.Lambda):
        arguments = node.args
        return [argument.arg for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs] + [
            argument.arg for argument in (arguments.vararg, arguments.kwarg) if argument is not None
        ]
    return []


def _root(function):
    """The object a call's function hangs from: ``np`` for ``np.random.rand``, the string of ``"".join``."""
    while isinstance(function, (ast.Attribute, ast.Call, ast.Subscript)):
        function = function.func if isinstance(function, ast.Call) else function.value
    return function


def _defines(cell, function):
    try:
        tree = ast.parse(python_of(source(cell)).code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function for node in tree.body
    )


def grading_cells(release, submission, assignment):
    """The cells to run, in order, and notes on how the student's cells were read."""
    released = _code_cells(release)
    setup = [cell for cell in released if grade_id(cell) in assignment.setup_cells]
    visible_tests = {
        grade_id(cell)
        for cell in released
        if grade_id(cell) and grade_id(cell) not in assignment.points and grade_id(cell) not in assignment.setup_cells
    }
    cells, notes = [Cell(grade_id(cell), source(cell)) for cell in setup], []
    definitions = Definitions(
        libraries={
            name: module
            for cell in setup
            for node in ast.parse(source(cell)).body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for name, module in _bound_by_import(node).items()
        }
    )
    definitions.known |= set(definitions.libraries)
    submitted = _code_cells(submission)
    solution_cells = _solution_cells(submitted, assignment, notes)
    for position, cell in enumerate(submission["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        cell_id = grade_id(cell)
        if cell_id in assignment.setup_cells:
            if source(cell) != source(next(each for each in setup if grade_id(each) == cell_id)):
                notes.append(
                    f"your `{cell_id}` cell differs from the released one: the grader ran it as released "
                    "(the tests rely on its imports); put imports of your own in a cell of their own"
                )
            continue
        if cell_id in visible_tests:
            continue
        name = solution_cells.get(id(cell)) or f"cell {position}"
        python = python_of(source(cell))
        if python.skipped:
            where = f"your `{name}` cell" if name in assignment.points else f"your {name}"
            notes.append(
                f"{where}: {' and '.join(f'`{shell}`' for shell in python.skipped)} did not run (the grader "
                "runs no shell commands or magics; the course's packages are installed)"
            )
        try:
            code = definitions.of(python.code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            code = python.code if id(cell) in solution_cells else None  # the sandbox reports its error
        if code is not None:
            cells.append(Cell(name, code, lenient=True))
    notes += _unrunnable_names(submitted, solution_cells, definitions)
    return cells, notes


def _solution_cells(submitted, assignment, notes):
    """{id of a cell: the graded function whose solution cell it is}, found by grade_id, or by the function it
    defines if the cell lost its metadata (as some notebook apps lose it)."""
    found, unmarked = {}, []
    for function in assignment.points:
        matches = [cell for cell in submitted if grade_id(cell) == function]
        if len(matches) > 1:
            notes.append(f"{len(matches)} cells are marked as the `{function}` cell; all of them ran, in order")
        if not matches:
            matches = [cell for cell in submitted if grade_id(cell) is None and _defines(cell, function)][-1:]
            if matches:
                unmarked.append(function)
            else:
                notes.append(f"no cell of the notebook is the `{function}` cell or defines {function}()")
        found.update((id(cell), function) for cell in matches)
    if unmarked:
        notes.append(
            f"the cells of {', '.join(unmarked)} had lost their nbgrader metadata (Google Colab drops it); "
            "the grader found each by the function it defines"
        )
    return found


def _unrunnable_names(submitted, solution_cells, definitions):
    """Notes on names a graded function reads that no statement the grader runs defines."""
    notes = []
    for cell in submitted:
        function = solution_cells.get(id(cell))
        if function is None:
            continue
        try:
            tree = ast.parse(python_of(source(cell)).code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        missing = sorted(
            {
                name
                for node in tree.body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                for name in _global_reads(node)
            }
            - definitions.known
            - BUILTIN_NAMES
        )
        if missing:
            notes.append(
                f"your `{function}` cell uses {', '.join(missing)}, which no statement the grader runs "
                "defines: it runs of each cell only imports, functions, classes and assignments that call "
                "nothing the notebook defines; define them so in some cell"
            )
    return notes


def _global_reads(function):
    """Names a function reads but never binds itself (nor does any function inside it): its globals."""
    bound = {
        argument.arg
        for node in ast.walk(function)
        if isinstance(node, ast.arguments)
        for argument in node.posonlyargs + node.args + node.kwonlyargs + [node.vararg, node.kwarg]
        if argument
    }
    bound |= {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del))
    }
    bound |= {
        node.name
        for node in ast.walk(function)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function
    }
    bound |= {
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    bound |= {
        name for node in ast.walk(function) if isinstance(node, ast.ExceptHandler) for name in [node.name] if name
    }
    return {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound
    }
