"""A student's calls on public and on hidden inputs run in two sandboxes, so nothing a hidden call saw can come
back in what feedback shows for a public one; failures on hidden inputs are explained without anything the
student's code chose."""

import textwrap

import pytest

from autograder import config
from autograder.grading.probes import (
    CallFailed,
    Cell,
    MissingFunction,
    SandboxProblem,
    Student,
    StudentRaised,
    UndeclaredInputs,
    UnsupportedResult,
    inputs,
    seed_scope,
)

LIMITS = config.load().LIMITS
KEEPER = """
import threading, time
seen = []
ticks = [0]

def keep(value):
    seen.append(value)

def recall():
    return list(seen)

def tick_in_background():
    def run():
        while True:
            ticks[0] += 1
            time.sleep(0.001)
    threading.Thread(target=run, daemon=True).start()

def ticks_now():
    return ticks[0]
"""


@pytest.fixture
def student():
    with Student([Cell("cell", textwrap.dedent(KEEPER))], LIMITS) as student:
        yield student


def call(student, public, fn, *args):
    with inputs(public):
        return student.call(fn, *args)


def test_what_a_hidden_call_saw_never_reaches_a_public_call(student):
    call(student, False, "keep", 42)
    assert call(student, True, "recall") == []
    assert call(student, False, "recall") == [42]


def test_the_sandbox_not_in_use_is_paused(student):
    import time

    call(student, False, "tick_in_background")
    before = call(student, False, "ticks_now")
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        call(student, True, "recall")
    assert call(student, False, "ticks_now") - before < 100  # about 1,000 if it ran meanwhile


def test_every_call_says_whether_its_inputs_are_public(student):
    with pytest.raises(UndeclaredInputs, match="recall"):
        student.call("recall")


HOSTILE = {
    "message": ("def f(x):\n    raise ValueError(f'LEAK {x}')", StudentRaised),
    "type": ("def f(x):\n    raise type(f'LEAK_{x}', (Exception,), {})()", StudentRaised),
    "line": (
        "def f(x):\n    exec(compile('\\n' * x + 'raise KeyError(\"LEAK\")', '<cell cell>', 'exec'))",
        StudentRaised,
    ),
    "result type": ("def f(x):\n    return type(f'LEAK_{x}', (), {})()", UnsupportedResult),
    "missing names": (
        "def f(x):\n    globals()[f'f_LEAK_{x}'] = f\n    del globals()['f']\n    raise ValueError",
        StudentRaised,
    ),
}


@pytest.mark.parametrize("channel", list(HOSTILE))
def test_a_failure_on_hidden_inputs_shows_nothing_the_code_chose(channel):
    source, failure = HOSTILE[channel]
    explained = {}
    for secret in (3, 7):
        with Student([Cell("cell", source)], LIMITS) as student, inputs(public=False):
            for _ in range(2):  # the second call meets what the first left behind
                with pytest.raises(CallFailed) as raised:
                    student.call("f", secret)
                explained.setdefault(secret, []).append(raised.value.explain(public=False))
    assert isinstance(raised.value, (failure, MissingFunction, SandboxProblem))
    assert explained[3] == explained[7]
    assert not any("LEAK" in text or "line" in text for texts in explained.values() for text in texts)


def test_a_failure_on_public_inputs_says_where_and_why():
    with Student([Cell("cell", "def f(x):\n    raise ValueError(f'bad {x}')")], LIMITS) as student:
        with inputs(public=True), pytest.raises(StudentRaised) as raised:
            student.call("f", 3)
    assert raised.value.explain(public=True) == (
        "raised ValueError at line 2 of your `cell` cell (`raise ValueError(f'bad {x}')`): bad 3"
    )


def test_sandboxes_are_launched_ahead_with_the_preloaded_modules_and_no_student_code():
    cells = [Cell("cell", "import sys\nLOADED = 'colorsys' in sys.modules\ndef loaded():\n    return LOADED")]
    with Student(cells, LIMITS, preload=("colorsys", "no_such_module")) as student:
        assert set(student.launched) == {True, False} and not student.sandboxes
        assert call(student, True, "loaded") is True
        assert set(student.launched) == {False}
        assert call(student, False, "loaded") is True
    with Student(cells, LIMITS) as student:
        assert call(student, True, "loaded") is False


DRAWS = """
import random
import numpy as np

def draw():
    return [random.random(), float(np.random.rand())]
"""


def draws(seed, scopes):
    """What ``draw()`` gives in a fresh student graded with this seed, two calls in each scope in turn."""
    with Student([Cell("cell", DRAWS)], LIMITS, split_inputs=False, seed=seed) as student:
        found = {}
        for scope in scopes:
            with seed_scope(scope):
                found[scope] = [student.call("draw"), student.call("draw")]
        return found


def test_each_call_seeds_the_sandboxs_generators_from_the_grading_seed_and_its_scope():
    first, again = draws(7, ["test_a", "test_b"]), draws(7, ["test_b"])
    assert first["test_b"] == again["test_b"], "a scope's draws depend on the calls made in other scopes"
    assert first == draws(7, ["test_a", "test_b"]), "the same grading gives other draws"
    assert first["test_a"][0] != first["test_a"][1] and first["test_a"] != first["test_b"]
    assert draws(8, ["test_a"])["test_a"] != first["test_a"]
