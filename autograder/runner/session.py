"""One notebook's namespace: runs its cells and serves the grader's calls."""

import ast
import builtins
import contextlib
import difflib
import linecache
import random
import sys
import traceback

import wire
from runner import reuse
from runner.kit_objects import grader_function, materialise
from runner.views import apply_view

CELL_PREFIX = "<cell "
RENAME_CUTOFF = 0.8
"""How alike (difflib's ratio) a function the graded cell defines must be to the graded name to look renamed."""
MAX_MESSAGE_CHARS = 2000


class Session:
    """The student's namespace and the operations the grader may ask for: run a cell, call a function,
    evaluate a view of an object it describes."""

    def __init__(self, channel):
        self.channel = channel
        shell = Shell()
        self.namespace = shell.namespace = {
            "__name__": "__main__",
            "__builtins__": builtins,
            "get_ipython": lambda: shell,
        }
        self.defined = {}  # cell name -> the names its statements bound

    def handle(self, message):
        op = message.get("op") if type(message) is dict else None
        if op == wire.Op.EXEC:
            seed_generators(message.get("seed"), message.get("seed_tensorflow"))
            return self.exec_cell(message["cell"], message["source"], message.get("lenient") is True)
        if op == wire.Op.CALL:
            return self.call(message)
        if op == wire.Op.EVALUATE:
            return self.evaluate(message)
        return {"kind": wire.Kind.ERROR, "message": f"unknown request {op!r}"}

    def exec_cell(self, cell_id, source, lenient=False):
        """Run a cell; a lenient one statement by statement, going on after one that fails. The first error is
        reported."""
        filename = f"{CELL_PREFIX}{cell_id}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        before, first_error = set(self.namespace), None
        try:
            tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST)
            parts = [ast.Module([node], []) for node in tree.body] if lenient else [tree]
            for part in parts:
                try:
                    exec(compile(part, filename, "exec"), self.namespace)
                except BaseException as error:  # noqa: BLE001  (SystemExit and KeyboardInterrupt are the student's too)
                    first_error = first_error or describe_error(error)
                    if not lenient:
                        break
        except BaseException as error:  # noqa: BLE001  (a SyntaxError, or any failure to compile)
            first_error = describe_error(error)
        finally:
            self.defined.setdefault(cell_id, set()).update(set(self.namespace) - before)
        if first_error is not None:
            return {"kind": wire.Kind.EXECUTED, "ok": False, "error": first_error}
        return {"kind": wire.Kind.EXECUTED, "ok": True}

    def call(self, message):
        """Call a function of the notebook, with the grader's stand-ins for its helpers during the call."""
        name = message["fn"]
        function = self.namespace.get(name)
        if not callable(function):
            return _failure("MissingFunction", self._missing_message(name))
        stubs = {helper: grader_function(self.channel, helper) for helper in message.get("helpers", [])}

        def run(args, kwargs):
            with _substituted(self.namespace, stubs):
                return function(*args, **kwargs)

        return self._answer(message, run)

    def evaluate(self, message):
        """The view of the first argument, an object the grader describes: the grader's own computation with
        TensorFlow, which runs in a sandbox like everything else (only the reference's are asked for it)."""
        return self._answer(message, lambda args, kwargs: args[0])

    def _answer(self, message, run):
        reuse.new_call([message.get("args", []), message.get("kwargs", {})])
        seed_generators(message.get("seed"), message.get("seed_tensorflow"))
        with self.channel.serving():
            try:
                args = materialise(message.get("args", []), self.channel)
                kwargs = materialise(message.get("kwargs", {}), self.channel)
            except Exception as error:  # noqa: BLE001  (reported to the grader as its own argument's fault)
                return _failure("GraderArgumentError", f"{type(error).__name__}: {error}")
            try:
                result = run(args, kwargs)
                return {"kind": wire.Kind.RESULT, "ok": True, **apply_view(message.get("view", {}), result, args)}
            except BaseException as error:  # noqa: BLE001  (whatever student code raises is its result)
                return {"kind": wire.Kind.RESULT, "ok": False, "error": describe_error(error)}
            finally:
                reuse.end_call()

    def _missing_message(self, name):
        """That the function is not defined; if its own cell defines a function of a name close to it, which."""
        callables = sorted(n for n in self.defined.get(name, ()) if callable(self.namespace.get(n)))
        close = difflib.get_close_matches(name, callables, n=1, cutoff=RENAME_CUTOFF)
        message = f"{name} is not defined"
        return message + (f" (did you rename it? your `{name}` cell defines {close[0]})" if close else "")


class Shell:
    """What ``get_ipython()`` gives the student's code, whose IPython syntax the grader turned into its calls (in
    function bodies; at a cell's top level they do not run): a magic that times or captures its code runs it,
    other magics and shell commands do nothing (the sandbox has no shell)."""

    namespace = None

    def run_line_magic(self, name, line, _stack_depth=1):
        if name in ("time", "timeit", "prun"):
            exec(compile(line, "<magic>", "exec"), self.namespace)

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit", "capture", "prun"):
            exec(compile(cell, "<magic>", "exec"), self.namespace)

    def system(self, command):
        return None

    def getoutput(self, command):
        return []


def seed_generators(seed, tensorflow_seed=None):
    """Seed Python's and NumPy's global generators with the grader's seed for a call, and TensorFlow's (if
    imported) when the grader says: so that grading a notebook twice gives the same draws.

    TensorFlow's is seeded seldom (before the cells, and at the first call of each hidden test module): setting
    it resets the random ops of every compiled function, which would then repeat their first draw each call."""
    if type(seed) is int:
        random.seed(seed)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed(seed)
    tensorflow = sys.modules.get("tensorflow")
    if type(tensorflow_seed) is int and tensorflow is not None:
        tensorflow.random.set_seed(tensorflow_seed)


@contextlib.contextmanager
def _substituted(namespace, replacements):
    saved = {name: namespace.get(name) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _failure(kind, message):
    return {"kind": wire.Kind.RESULT, "ok": False, "error": {"type": kind, "message": message[:MAX_MESSAGE_CHARS]}}


def describe_error(error):
    """Type, message and the innermost line of student code an exception came from."""
    try:
        message = str(error)[:MAX_MESSAGE_CHARS]
    except BaseException:  # noqa: BLE001  (a student's exception whose __str__ raises)
        message = "<the exception's message could not be read>"
    described = {"type": type(error).__name__, "message": message, "cell": None, "line": None}
    if isinstance(error, SyntaxError) and str(error.filename or "").startswith(CELL_PREFIX):
        described.update(cell=error.filename[len(CELL_PREFIX) : -1], line=error.lineno)
        return described
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(CELL_PREFIX):
            described.update(cell=frame.filename[len(CELL_PREFIX) : -1], line=frame.lineno, code=frame.line)
    return described
