"""The hidden tests' value checks: what passes, what fails, and what the feedback may show."""

import numpy as np
import pytest

from autograder.grading.checks import Feedback, Mismatch, calling, expect_array, expect_list, expect_scalar, number
from autograder.grading.probes import StudentRaised


@pytest.mark.parametrize(
    "got, want",
    [
        (np.array([1.0, -np.inf]), [1.0, -np.inf]),
        (np.array([1e3, 1e-6], dtype=np.float32), [1e3, 0.0]),  # float32 rounding near zero, at the array's scale
        (np.array([1, 2]), [1.0, 2.0]),
    ],
)
def test_close_arrays_pass(got, want):
    expect_array(got, want, rtol=1e-5)


@pytest.mark.parametrize(
    "got, want, floats",
    [
        (np.array([1.0, 5.0]), [1.0, -np.inf], False),
        (np.array([1.0, np.nan]), [1.0, 2.0], False),
        (np.array([1.0, 2.0, 3.0]), [1.0, 2.0], False),
        ([1.0, 2.0], [1.0, 2.0], False),
        (np.array([1, 2]), [1.0, 2.0], True),
        (np.array([True]), [2.0], False),
    ],
)
def test_other_arrays_fail(got, want, floats):
    with pytest.raises(Mismatch):
        expect_array(got, want, rtol=1e-5, floats=floats)


def test_hidden_feedback_never_shows_values():
    with pytest.raises(Feedback) as raised, calling("f(<hidden>)", public=False):
        expect_array(np.array([123.456]), [789.0], rtol=1e-6)
    assert "123" not in raised.value.problem and "789" not in raised.value.problem
    with pytest.raises(Feedback) as raised, calling("f(1)", public=True):
        expect_array(np.array([123.456]), [789.0], rtol=1e-6)
    assert "123.456" in raised.value.problem and "789" in raised.value.problem


def test_hidden_calls_hide_the_students_exception_message():
    error = {"type": "ValueError", "message": "secret input 42", "cell": "f", "line": 3, "code": "raise"}
    with pytest.raises(Feedback) as raised, calling("f(<hidden>)", public=False):
        raise StudentRaised(error)
    assert "42" not in raised.value.problem and "ValueError" in raised.value.problem


@pytest.mark.parametrize(
    "value, ok",
    [
        (3, True),
        (2.5, True),
        (np.array(1.5), True),
        (np.array([2.0]), True),
        ("3", False),
        (None, False),
        (np.zeros(2), False),
    ],
)
def test_numbers(value, ok):
    if ok:
        expect_scalar(value, number(value, "x"), rtol=0)
    else:
        with pytest.raises(Mismatch):
            number(value, "x")


def test_lists():
    assert expect_list([1, 2], 2, what="x") == [1, 2]
    for bad in ((1, 2), [1], "ab"):
        with pytest.raises(Mismatch):
            expect_list(bad, 2, what="x")
