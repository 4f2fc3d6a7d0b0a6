"""What hidden tests use to check values and to say, in a student's terms, what went wrong.

A test names the graded function and a hint with ``@graded``, describes each call
with ``calling(...)``, and checks values with the ``expect_*`` helpers. Failures
become ``Feedback``: what was called, what was expected, what came back and a
hint. Where the inputs are hidden, feedback describes values without showing
them, and never shows the student's exception messages (which could echo them).
"""

import contextlib
import zlib

import numpy as np
import pytest

from autograder.grading.probes import CallFailed, inputs

MAX_SHOWN = 12


def graded(function, hint):
    """Mark a hidden test: the graded function it checks, and a hint for when it fails."""
    return pytest.mark.graded(function=function, hint=hint)


def statistical(check):
    """Mark a statistical test with ``check(settings)``: its ``stats.CountCheck``, and for each plausible mistake
    of the function's mutant table that the test is there to catch, by name, the success probabilities of that
    mistake's trials, group by group. ``tests/test_stats.py`` checks the false-fail rate and the power against
    each mistake that the test's docstring states."""
    return pytest.mark.statistical(check=check)


def seeded(settings, name):
    """A generator seeded by the assignment's seed and a name: the same hidden inputs at every grading (those of
    a statistical check are computed from the settings alone, so that its figures can be)."""
    return np.random.default_rng([settings.seed, zlib.crc32(name.encode())])


class Mismatch(AssertionError):
    """A value that is not what the test expected.

    ``hidden`` describes the problem without the value; ``public`` may show values
    and is used only where the test's inputs are public.
    """

    def __init__(self, hidden, public=None, hint=None):
        super().__init__(hidden)
        self.hidden, self.public, self.hint = hidden, public or hidden, hint


class Feedback(AssertionError):
    """A failed check, ready for the student: the call, the problem, a hint."""

    def __init__(self, call, problem, hint=None):
        super().__init__(problem)
        self.call, self.problem, self.hint = call, problem, hint


@contextlib.contextmanager
def calling(description, public):
    """Attach a student-facing description of the call to any failure inside the block; the student calls
    inside it are on public (or hidden) inputs."""
    try:
        with inputs(public):
            yield
    except Mismatch as mismatch:
        raise Feedback(description, mismatch.public if public else mismatch.hidden, mismatch.hint) from None
    except CallFailed as failure:
        raise Feedback(description, failure.explain(public)) from None


def shown(value):
    """A short rendering of a value for public feedback."""
    if isinstance(value, np.ndarray):
        if value.size > MAX_SHOWN:
            return f"an array of shape {value.shape} and dtype {value.dtype}"
        return f"{np.array2string(value, precision=4, separator=', ')} (dtype {value.dtype})"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def kind_of(value):
    """What a value is, without its contents."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return {
        list: "a list",
        dict: "a dict",
        str: "a string",
        bool: "a bool",
        int: "an int",
        float: "a float",
        type(None): "None",
    }.get(type(value), type(value).__name__)


def expect_array(got, want, *, rtol, atol=None, what="the result", floats=False, hint=None):
    """``got`` must be a NumPy array of ``want``'s shape, close to it; of a float dtype if ``floats``.

    Without ``atol``, values may also differ by ``rtol`` times the largest expected
    magnitude, so float32 arithmetic passes where results cancel to near zero.
    """
    want = np.asarray(want, dtype=np.float64)
    if atol is None:
        atol = rtol * max(1.0, float(np.max(np.abs(want[np.isfinite(want)]), initial=0.0)))
    if not isinstance(got, np.ndarray):
        raise Mismatch(f"expected {what} as a NumPy array, got {kind_of(got)}", hint=hint)
    if got.dtype.kind not in "biuf":
        raise Mismatch(f"expected numbers in {what}, got dtype {got.dtype}", hint=hint)
    if floats and got.dtype.kind != "f":
        raise Mismatch(
            f"expected {what} as floats, got an array of dtype {got.dtype}, which truncates fractional values",
            hint=hint,
        )
    if got.shape != want.shape:
        raise Mismatch(
            f"{what} has the wrong shape", f"expected {what} of shape {want.shape}, got shape {got.shape}", hint=hint
        )
    close = np.isclose(got.astype(np.float64), want, rtol=rtol, atol=atol)
    if not close.all():
        raise Mismatch(
            f"some values of {what} differ from the expected ones",
            f"expected {what} = {shown(want)}, got {shown(got)} ({int((~close).sum())} of {close.size} values differ)",
            hint=hint,
        )


def expect_scalar(got, want, *, rtol, what="the result", hint=None):
    """``got`` must be a number (Python or a 0-d array) close to ``want``."""
    value = number(got, what)
    if not np.isclose(value, want, rtol=rtol, atol=1e-12):
        raise Mismatch(
            f"{what} differs from the expected value", f"expected {what} = {want!r}, got {value!r}", hint=hint
        )


def number(value, what):
    """A Python float from a number or 0-d array; Mismatch for anything else."""
    if type(value) in (int, float, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape in ((), (1,)) and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    raise Mismatch(f"expected {what} as a number, got {kind_of(value)}")


def flag(value, what):
    """A Python bool from a bool or a 0-d boolean array; Mismatch for anything else."""
    if type(value) is bool:
        return value
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind == "b":
        return bool(value)
    raise Mismatch(f"expected {what} as True or False, got {kind_of(value)}")


def expect_list(got, length, *, what):
    """``got`` must be a list (or tuple) of ``length`` items."""
    if not isinstance(got, list):
        raise Mismatch(f"expected {what} as a list, got {kind_of(got)}")
    if len(got) != length:
        raise Mismatch(f"expected {what} to hold {length} items, got {len(got)}")
    return got


def expect_true(condition, hidden, public=None, hint=None):
    """Fail with the given description unless ``condition`` holds."""
    if not condition:
        raise Mismatch(hidden, public, hint)


def described_model(student, function, inputs, layers=None, **kwargs):
    """The sandbox's description of the Keras model ``function(**kwargs)`` builds, with its outputs for
    ``inputs`` (and ``layers``' weights set first, if given); a failure unless it is a tf.keras.Model."""
    info = student.call(function, view={"result": "model", "inputs": inputs, "layers": layers}, **kwargs).value
    expect_true(isinstance(info, dict) and info.get("is_keras_model") is True, "expected a tf.keras.Model")
    return info
