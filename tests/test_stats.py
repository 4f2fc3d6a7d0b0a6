"""Statistical checks: exact acceptance regions, and each test's stated false-fail rate."""

import math
import re

import pytest

from autograder import stats
from autograder.grade import statistical_tests


@pytest.mark.parametrize("n, p", [(50, 0.5), (300, 0.25), (1000, 0.05)])
def test_the_acceptance_interval_keeps_the_false_fail_rate(n, p):
    acceptance = stats.binomial_acceptance(n, p, 1e-6)
    pmf = stats.binomial_pmf(n, p)
    outside = sum(pmf[:acceptance.low]) + sum(pmf[acceptance.high + 1:])
    assert math.isclose(outside, acceptance.false_fail, rel_tol=1e-9) and outside <= 1e-6
    assert acceptance.low <= n * p <= acceptance.high


@pytest.mark.parametrize("assignment, test, false_fail", [
    pytest.param(assignment, test, false_fail, id=node_id.rsplit("/", 1)[-1])
    for assignment, node_id, test, false_fail in statistical_tests()])
def test_each_statistical_test_states_its_false_fail_rate(assignment, test, false_fail):
    computed = false_fail(assignment.grading)
    stated = re.search(r"False-fail rate: ([0-9.]+e[+-]?[0-9]+)", test.__doc__)
    assert stated, f"{test.__name__}'s docstring does not state its false-fail rate"
    assert math.isclose(float(stated.group(1)), computed, rel_tol=0.05), (stated.group(1), computed)
    assert computed <= assignment.grading.max_false_fail <= 1e-6
