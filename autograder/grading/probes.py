"""How a hidden test asks for a student's value: ``student.call("discount_rewards", [10, 0, -50], 0.8)``.

A ``Student`` runs a notebook's grading cells in sandboxes, one for calls on public
inputs and one for calls on hidden inputs, each started lazily and started again
(without a cell that killed it) when it dies. Calls carry plain
arguments, plus descriptions of objects the sandbox should build (``GraderEnv``,
``PolicyModel``, ``Loss``, ``Optimizer``); while a call runs, the grader answers
the sandbox's environment steps and helper requests. Only plain values come back.
A ``Reference`` is the same over the reference solution, with its values cached.
"""

import builtins
import contextlib
import contextvars
import hashlib
import itertools
import os
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.boundary import wire
from autograder.boundary.sandbox import RUNNER, WIRE, Sandbox, SandboxFailure, SandboxTimeout
from autograder.boundary.wire import KIT_KEY
from autograder.faults import GraderFault

SHOWN_ERROR_TYPES = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)]
    + ["InvalidArgumentError", "ResourceExhaustedError", "UnimplementedError", "LinAlgError", "AxisError"]
)
"""Exception types named in feedback on hidden inputs; any other name could be chosen to carry those inputs."""

_inputs_public = contextvars.ContextVar("inputs_public", default=None)
_seed_scope = contextvars.ContextVar("seed_scope", default="")


@contextlib.contextmanager
def inputs(public):
    """Declare, for the student calls inside the block, whether their inputs may be shown to the student.

    Calls on public inputs run in one sandbox, calls on hidden inputs in another, so that no message or
    value shown for a public call can carry what the student's code saw in a hidden one.
    """
    token = _inputs_public.set(bool(public))
    try:
        yield
    finally:
        _inputs_public.reset(token)


@contextlib.contextmanager
def seed_scope(name):
    """Seed the student calls inside the block from the grading seed, ``name`` and their order in the block: the
    grader runs each hidden test module in one, so that a function's draws do not depend on which other
    functions are graded."""
    token = _seed_scope.set(name)
    try:
        yield
    finally:
        _seed_scope.reset(token)


class UndeclaredInputs(GraderFault):
    """A hidden test called a student function without saying whether its inputs are public: a test bug."""


@dataclass(frozen=True)
class Cell:
    """A notebook cell the grader runs: its name (nbgrader grade_id, or its place) and its code; a ``lenient``
    cell's statements each run even where one before failed (a student's definitions: one import that fails
    takes nothing else with it)."""

    id: str
    source: str
    lenient: bool = False


@dataclass
class Reply:
    """What one call sent back: the (viewed) result and any extras the view asked for."""

    value: object
    args_after: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)


# -- failures of a call, described for a student ---------------------------------
class CallFailed(Exception):
    """A student call produced no value; ``explain`` says why, in a student's terms.

    ``hidden`` is the explanation for a call on hidden inputs, free of any text the student's code chose.
    """

    def __init__(self, message, hidden=None):
        super().__init__(message)
        self.hidden = hidden or message

    def explain(self, public):
        return str(self) if public else self.hidden


class MissingFunction(CallFailed):
    pass


class UnsupportedResult(CallFailed):
    pass


class SandboxProblem(CallFailed):
    pass


class StudentRaised(CallFailed):
    """The student's code raised; the message is shown only where the inputs are public."""

    def __init__(self, error):
        self.error = error
        super().__init__(error["type"])

    def explain(self, public):
        if self.error["type"] == "NotImplementedError" and self.error.get("code") == "raise NotImplementedError()":
            return f"is not written yet: your `{self.error['cell']}` cell still raises NotImplementedError"
        if not public:  # the type, line and message are the student's choice: they could carry the inputs
            kind = self.error["type"] if self.error["type"] in SHOWN_ERROR_TYPES else "an exception"
            note = f" ({self.error['note']})" if self.error.get("note") else ""
            return (
                f"raised {kind}{note} (where and why are not shown because the inputs are hidden; try "
                "similar inputs in the notebook)"
            )
        where = ""
        if self.error.get("cell"):
            where = f" at line {self.error['line']} of your `{self.error['cell']}` cell"
            if self.error.get("code"):
                where += f" (`{self.error['code']}`)"
        text = f"raised {self.error['type']}{where}"
        if self.error.get("note"):
            text += f" ({self.error['note']})"
        if self.error.get("message"):
            text += f": {self.error['message']}"
        return text


class ReferenceFailure(GraderFault):
    """The reference solution failed a call: a fault of the course, not of a student."""


class Refusal(Exception):
    """A grader-side service refuses a request from the sandbox; the student's code sees it raised."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


# -- objects the sandbox builds for a call ----------------------------------------
class KitObject:
    """A description the sandbox turns into a live object."""

    def describe(self, registry):
        raise NotImplementedError

    def cache_key(self):
        """Plain data that determines every answer this object gives, if any: calls carrying only such
        objects have cacheable reference answers."""
        raise wire.WireError(f"a {type(self).__name__} is not cacheable")


@dataclass
class GraderEnv(KitObject):
    """An environment the grader runs: the sandbox gets a proxy that forwards reset and step."""

    server: object

    def describe(self, registry):
        env_id = len(registry["envs"])
        registry["envs"][env_id] = self.server
        return {KIT_KEY: "env", "id": env_id, **self.server.spec()}


@dataclass
class GraderFunction(KitObject):
    """A function the grader runs: the sandbox gets a proxy that forwards each call.

    ``handler(args, kwargs)`` receives the call's arguments as plain values and
    returns the result (or raises Refusal). ``key``, if given, is plain data that
    determines all its answers (its inputs and seed).
    """

    name: str
    handler: object
    key: object = None

    def describe(self, registry):
        registry["functions"][self.name] = self.handler
        return {KIT_KEY: "function", "name": self.name}

    def cache_key(self):
        if self.key is None:
            return super().cache_key()
        return {"function": self.name, "key": self.key}


@dataclass
class PolicyModel(KitObject):
    """The lesson's policy network (elu hidden layer, sigmoid output), built by the kit inside the sandbox."""

    weights: list

    def describe(self, registry):
        return {KIT_KEY: "mlp", "weights": list(self.weights), "activation": "elu", "output_activation": "sigmoid"}

    def cache_key(self):
        return self.describe(None)


@dataclass
class DQNModel(KitObject):
    """The lesson's deep Q-network (elu hidden layers, linear outputs), built by the kit inside the sandbox.

    With ``predict_decoy``, its predict() answers the negated Q-values: a choice made from them shows. With a
    ``handle``, it names itself when passed to a grader-served helper, with the weights ``sends_weights`` says
    ("all", "output layer" or "none"), which the grader checks against its own.
    """

    weights: list
    predict_decoy: bool = False
    handle: str = None
    sends_weights: str = "all"

    def describe(self, registry):
        return {
            KIT_KEY: "mlp",
            "weights": list(self.weights),
            "activation": "elu",
            "output_activation": None,
            "predict_decoy": self.predict_decoy,
            "handle": self.handle,
            "sends_weights": self.sends_weights,
        }

    def cache_key(self):
        return self.describe(None)


@dataclass
class ReplayBuffer(KitObject):
    """A deque of (state, action, reward, next_state, done, truncated), one per row of six arrays."""

    experiences: list
    maxlen: int = None

    def describe(self, registry):
        return {KIT_KEY: "experience_buffer", "experiences": list(self.experiences), "maxlen": self.maxlen}

    def cache_key(self):
        return self.describe(None)


@dataclass
class Generator(KitObject):
    """``np.random.default_rng(seed)``, built inside the sandbox."""

    seed: int

    def describe(self, registry):
        return {KIT_KEY: "generator", "seed": self.seed}


@dataclass
class Loss(KitObject):
    """A Keras loss function by name, e.g. ``binary_crossentropy``."""

    name: str

    def describe(self, registry):
        return {KIT_KEY: "loss", "name": self.name}

    def cache_key(self):
        return self.describe(None)


@dataclass
class Optimizer(KitObject):
    """A Keras optimizer by class name, e.g. ``SGD`` or ``Adam``."""

    name: str
    learning_rate: float

    def describe(self, registry):
        return {KIT_KEY: "optimizer", "name": self.name, "learning_rate": self.learning_rate}

    def cache_key(self):
        return self.describe(None)


def _describe_args(value, registry):
    if isinstance(value, KitObject):
        return value.describe(registry)
    if isinstance(value, (list, tuple)):
        return [_describe_args(item, registry) for item in value]
    if isinstance(value, dict):
        return {key: _describe_args(item, registry) for key, item in value.items()}
    return value


# -- the student's side -------------------------------------------------------------
class Student:
    """A notebook's grading cells, run in sandboxes, answering calls.

    With ``split_inputs`` (a student's notebook), calls on public inputs and calls on hidden inputs run
    in two sandboxes, and each call must say which it is (``inputs``): what the student's code saw in a
    hidden call can never come back in a message or value shown for a public one. The sandbox not in
    use is paused, so it cannot signal the other through the machine's load either.

    Entering the context launches the sandboxes, which import the ``preload`` modules side by side
    while the grader collects its tests; no student code runs in a sandbox before its first call.

    Before each cell and each call the sandbox seeds its global generators (Python's, NumPy's, and at the first
    call of a ``seed_scope`` TensorFlow's) with seeds drawn from ``seed`` (the grading seed), the call's scope
    and its place there: grading a notebook twice gives the same draws, hence the same points.
    """

    def __init__(
        self, cells, limits, unavailable=None, notes=(), support_files=(), split_inputs=True, preload=(), seed=0
    ):
        self.cells = list(cells)
        self.limits = limits
        self.support_files = list(support_files)
        self.preload = tuple(preload)
        self.unavailable = unavailable
        self.notes = list(notes)
        self.split_inputs = split_inputs
        self.sandboxes = {}  # public inputs (True or False; None without split_inputs) -> running Sandbox
        self.launched = {}  # the same keys -> a Sandbox launched ahead, whose cells have not run
        self.cell_errors = {}
        self.skipped_cells = {}
        self.broken = {}  # function -> why it is not called again
        self.seed = seed
        self.seeds = {}  # seed scope -> the SeedSequence of its calls' seeds for the sandbox's global generators
        self.tensorflow_seeded = set()  # (sandbox, seed scope) whose TensorFlow seed was set

    def call(self, fn, *args, view=None, helpers=None, timeout=None, **kwargs):
        """Call a student function; its value, or a ``Reply`` when a view is given.

        A function that hung or killed a sandbox once is not called again: its
        later calls fail at once, and the other functions go on in a new sandbox.
        """
        if fn in self.broken:
            raise SandboxProblem(f"{self.broken[fn]}, so the grader did not call it again")
        return self._request(
            fn, {"op": wire.Op.CALL, "fn": fn, "helpers": sorted(helpers or {})}, args, kwargs, view, helpers, timeout
        )

    def evaluate(self, *args, view, timeout=None):
        """The view of ``args[0]``, an object the grader describes, computed in a sandbox with no notebook
        function involved (the reference's: TensorFlow's answer for the grader); a ``Reply``."""
        return self._request("evaluate", {"op": wire.Op.EVALUATE}, args, {}, view, None, timeout)

    def _request(self, fn, message, args, kwargs, view, helpers, timeout):
        sandbox = self._running_sandbox(self._inputs_of(fn))
        registry = {"envs": {}, "functions": dict(helpers or {})}
        message = {
            **message,
            "args": _describe_args(list(args), registry),
            "kwargs": _describe_args(kwargs, registry),
            "view": view or {},
            **self._seeds_for(sandbox),
        }
        limit = timeout or self.limits.call_timeout_s
        deadline = sandbox.deadline(limit)
        try:
            sandbox.send(message, deadline)
            reply = self._serve_until_result(sandbox, registry, deadline)
        except SandboxTimeout:
            self._lost(sandbox)
            self.broken[fn] = (
                f"{fn} did not finish within {limit:g} s (an endless loop, or a training run far "
                "longer than the test asks for?)"
            )
            raise SandboxProblem(self.broken[fn]) from None
        except SandboxFailure as failure:
            self._lost(sandbox)
            self.broken[fn] = f"while {fn} ran, the sandbox {failure.reason}"
            raise SandboxProblem(self.broken[fn]) from None
        except BaseException:  # a grader-side error mid-call: the runner is out of step, so stop it
            self._lost(sandbox)
            raise
        return self._result(fn, reply, view)

    def _seeds_for(self, sandbox):
        """The next call's seeds: one for Python's and NumPy's generators, and at the first call of the scope in
        this sandbox one for TensorFlow's (see ``runner.session.seed_generators``)."""
        scope = _seed_scope.get()
        sequence = self.seeds.setdefault(scope, np.random.SeedSequence([self.seed, zlib.crc32(scope.encode())]))
        seeds = {"seed": int(sequence.spawn(1)[0].generate_state(1)[0])}
        if (sandbox, scope) not in self.tensorflow_seeded:
            self.tensorflow_seeded.add((sandbox, scope))
            seeds["seed_tensorflow"] = int(sequence.generate_state(1)[0])
        return seeds

    def _inputs_of(self, fn):
        if not self.split_inputs:
            return None
        public = _inputs_public.get()
        if public is None:
            raise UndeclaredInputs(
                f"a hidden test called {fn} outside `calling(...)` (or `inputs(...)`), so "
                "the grader cannot tell whether its inputs may be shown"
            )
        return public

    def _serve_until_result(self, sandbox, registry, deadline):
        envs, functions = registry["envs"], registry["functions"]
        while True:
            message = sandbox.receive(deadline)
            kind = message.get("kind") if isinstance(message, dict) else None
            if kind == wire.Kind.RESULT:
                return message
            started = time.monotonic()
            if kind == wire.Kind.ENV and message.get("id") in envs:
                answer = _answer(
                    lambda message=message: envs[message["id"]].handle(message.get("method"), message.get("args"))
                )
            elif kind == wire.Kind.HELPER and message.get("name") in functions:
                answer = _answer(
                    lambda message=message: functions[message["name"]](message.get("args"), message.get("kwargs"))
                )
            else:
                sandbox.kill("protocol")
                raise SandboxFailure("broke the message protocol")
            deadline.grant(time.monotonic() - started)  # the grader's time, not the student's
            sandbox.send({"op": wire.Op.REPLY, **answer}, deadline)

    def _result(self, fn, reply, view):
        if reply.get("ok") is True:
            value = reply.get("value")
            if not view:
                return value
            return Reply(value, _dict(reply.get("args_after")), _dict(reply.get("weights")))
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        error = {key: error.get(key) for key in ("type", "message", "cell", "line", "code")}
        error = {key: (value if isinstance(value, (str, int)) else None) for key, value in error.items()}
        error["type"] = error["type"] or "an unknown error"
        if error["type"] == "MemoryError":
            error["note"] = f"the sandbox's memory is limited to {self.limits.memory_bytes // 2**20} MiB"
        if error["type"] == "MissingFunction":
            raise MissingFunction(
                self._missing(fn, error.get("message") or f"{fn} is not defined"),
                self._missing(fn, f"{fn} is not defined"),
            )
        if error["type"] == "UnsupportedResult":
            raise UnsupportedResult(
                f"{fn} {error.get('message') or 'returned an unsupported value'}",
                f"{fn} returned a value that cannot be sent back (only numbers, strings, "
                "lists, dicts, NumPy arrays and tensors can)",
            )
        raise StudentRaised(error)

    def _missing(self, fn, message):
        reasons = [f"your `{cell}` cell {why}" for cell, why in {**self.cell_errors, **self.skipped_cells}.items()]
        reasons += [note for note in self.notes if f"{fn}()" in note]
        return message + (f"; note that {'; '.join(reasons)}" if reasons else "")

    # -- sandbox life cycle -----------------------------------------------------
    def _running_sandbox(self, public):
        for other, sandbox in self.sandboxes.items():
            if other != public:
                sandbox.pause()
        sandbox = self.sandboxes.get(public)
        if sandbox is not None and sandbox.alive:
            sandbox.resume()
            return sandbox
        if self.unavailable:
            raise SandboxProblem(self.unavailable)
        while True:
            sandbox = self.launched.pop(public, None) or self._launch()
            sandbox.wait_ready()
            killer = self._run_cells(sandbox)
            if killer is None:
                self.sandboxes[public] = sandbox
                return sandbox
            sandbox.stop()

    def launch(self):
        """Launch the sandboxes this student's calls will need, ahead of their first call."""
        if self.unavailable:
            return
        for public in (True, False) if self.split_inputs else (None,):
            if public not in self.sandboxes and public not in self.launched:
                self.launched[public] = self._launch()

    def _launch(self):
        sandbox = Sandbox(self.limits, self.support_files, self.preload)
        sandbox.launch()
        return sandbox

    def _run_cells(self, sandbox):
        """Run the grading cells; the id of a cell that killed the sandbox, or None. Each is run with the
        generators seeded by the grading seed, TensorFlow's before the first only (see ``_seeds_for``)."""
        for index, cell in enumerate(self.cells):
            if cell.id in self.skipped_cells:
                continue
            deadline = sandbox.deadline(self.limits.cell_timeout_s)
            seeds = {"seed": self.seed, **({"seed_tensorflow": self.seed} if index == 0 else {})}
            try:
                sandbox.send(
                    {"op": wire.Op.EXEC, "cell": cell.id, "source": cell.source, "lenient": cell.lenient, **seeds},
                    deadline,
                )
                reply = sandbox.receive(deadline)
            except SandboxTimeout:
                self.skipped_cells[cell.id] = (
                    f"ran longer than {self.limits.cell_timeout_s:g} s, so the grader "
                    "skipped it (move long runs out of the graded cells)"
                )
                return cell.id
            except SandboxFailure as failure:
                self.skipped_cells[cell.id] = f"stopped the sandbox ({failure.reason}), so the grader skipped it"
                return cell.id
            if isinstance(reply, dict) and reply.get("ok") is False:
                error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
                self.cell_errors[cell.id] = (
                    f"raised {str(error.get('type'))[:80]} at line {error.get('line')}: "
                    f"{str(error.get('message'))[:300]}"
                )
        return None

    def _lost(self, sandbox):
        sandbox.stop()
        self.sandboxes = {public: kept for public, kept in self.sandboxes.items() if kept is not sandbox}

    def close(self):
        for sandbox in [*self.sandboxes.values(), *self.launched.values()]:
            sandbox.stop()
        self.sandboxes, self.launched = {}, {}

    def __enter__(self):
        try:
            self.launch()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()


def _answer(compute):
    try:
        return {"ok": True, "value": compute()}
    except Refusal as refusal:
        return {"ok": False, "error": {"type": refusal.kind, "message": str(refusal)}}


def _dict(value):
    return value if isinstance(value, dict) else {}


# -- the reference ------------------------------------------------------------------
class Reference:
    """The reference solution answering the same calls, with answers cached on disk.

    Calls on plain arguments, and on grader objects whose answers are fixed by a
    ``cache_key``, are cached; the key covers the reference cells, the runner's
    code and the request.
    """

    def __init__(self, cells, limits, cache_dir, support_files=()):
        self.student = Student(cells, limits, support_files=support_files, split_inputs=False)
        self.cache_dir = Path(cache_dir)
        self.limits = limits
        digest = hashlib.sha256()
        for cell in cells:
            digest.update(f"{cell.id}\0{cell.source}\0".encode())
        for path in sorted(itertools.chain(RUNNER.glob("*.py"), [WIRE], map(Path, support_files))):
            digest.update(path.read_bytes())
        self.fingerprint = digest.hexdigest()

    def call(self, fn, *args, view=None, **kwargs):
        return self._cached(
            {"fn": fn, "args": list(args), "kwargs": kwargs, "view": view or {}},
            view,
            lambda: self.student.call(fn, *args, view=view, **kwargs),
            fn,
        )

    def evaluate(self, *args, view):
        """``Student.evaluate`` in the reference's sandbox, cached."""
        return self._cached(
            {"evaluate": list(args), "view": view},
            view,
            lambda: self.student.evaluate(*args, view=view),
            "a view of the grader's objects",
        )

    def _cached(self, request, view, compute, what):
        try:
            request = wire.encode(request, fallback=lambda kit_object: kit_object.cache_key())
        except wire.WireError:  # the call carries objects whose answers vary: not cacheable
            return self._compute(compute, what)
        key = hashlib.sha256(self.fingerprint.encode() + request).hexdigest()
        path = self.cache_dir / key[:2] / f"{key}.json"
        if path.exists():
            reply = wire.decode(path.read_bytes(), self.limits.message_bytes)
        else:
            result = self._compute(compute, what)
            reply = (
                {"value": result.value, "args_after": result.args_after, "weights": result.weights}
                if view
                else {"value": result}
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(wire.encode(reply))
            temporary.replace(path)
        if view:
            return Reply(reply["value"], reply["args_after"], reply["weights"])
        return reply["value"]

    @staticmethod
    def _compute(compute, what):
        try:
            return compute()
        except CallFailed as failure:
            raise ReferenceFailure(f"the reference solution failed {what}: {failure.explain(True)}") from None

    def close(self):
        self.student.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
