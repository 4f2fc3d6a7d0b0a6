"""Statistical checks: exact acceptance regions, and each test's stated false-fail rate and power."""

import importlib
import math
import re

import numpy as np
import pytest

from autograder.grading import stats
from autograder.grading.grade import statistical_tests

POWER = re.compile(r"Power against '([^']+)': 1(?: - ([0-9.]+e[+-]?[0-9]+))?\.")
CERTAIN = 1e-12
"""A power stated as 1 is 1 within this."""


@pytest.mark.parametrize("n, p", [(50, 0.5), (300, 0.25), (1000, 0.05)])
def test_the_acceptance_interval_keeps_the_false_fail_rate(n, p):
    acceptance = stats.binomial_acceptance(n, p, 1e-6)
    pmf = stats.binomial_pmf(n, p)
    outside = sum(pmf[: acceptance.low]) + sum(pmf[acceptance.high + 1 :])
    assert math.isclose(outside, acceptance.false_fail, rel_tol=1e-9) and outside <= 1e-6
    assert acceptance.low <= n * p <= acceptance.high


def test_the_poisson_binomial_distribution_is_exact():
    probabilities = [0.1, 0.5, 0.9]
    by_hand = [
        0.9 * 0.5 * 0.1,
        0.1 * 0.5 * 0.1 + 0.9 * 0.5 * 0.1 + 0.9 * 0.5 * 0.9,
        0.1 * 0.5 * 0.1 + 0.1 * 0.5 * 0.9 + 0.9 * 0.5 * 0.9,
        0.1 * 0.5 * 0.9,
    ]
    assert np.allclose(stats.poisson_binomial_pmf(probabilities), by_hand)
    assert np.allclose(stats.poisson_binomial_pmf([0.3] * 20), stats.binomial_pmf(20, 0.3))


def test_a_count_check_splits_its_false_fail_rate_and_states_its_power():
    check = stats.CountCheck.of([[0.5] * 100, [0.1] * 100], 1e-6)
    assert check.false_fail <= 1e-6 and all(accepted.false_fail <= 5e-7 for accepted in check.acceptances)
    assert check.passes([50, 10]) and not check.passes([50, 40]) and not check.passes([50])
    assert check.power([[0.5] * 100, [0.1] * 100]) < 1e-6  # a correct sampler: its false-fail rate at most
    assert check.power([[0.5] * 100, [0.5] * 100]) > 0.99999


def mutant_names(assignment, function):
    """The names of the function's plausible mistakes in the kit's tables (``tests/<assignment>/``)."""
    try:
        return set(importlib.import_module(f"tests.{assignment.id}.tables").MUTANTS[function])
    except ModuleNotFoundError:  # assignment 4 grades its mutants in rows of its own
        rows = importlib.import_module(f"tests.{assignment.id}.test_mutants").NAMES
        return {row[function] for row in rows if function in row}


@pytest.mark.parametrize(
    "assignment, test, check",
    [
        pytest.param(assignment, test, check, id=node_id.rsplit("/", 1)[-1])
        for assignment, node_id, test, check in statistical_tests()
    ],
)
def test_each_statistical_test_states_its_false_fail_rate_and_power(assignment, test, check):
    settings = assignment.grading
    count_check, mutants = check(settings)
    stated = re.search(r"False-fail rate: ([0-9.]+e[+-]?[0-9]+)", test.__doc__)
    assert stated, f"{test.__name__}'s docstring does not state its false-fail rate"
    assert math.isclose(float(stated.group(1)), count_check.false_fail, rel_tol=0.05), (
        stated.group(1),
        count_check.false_fail,
    )
    assert count_check.false_fail <= settings.max_false_fail <= 1e-6
    powers = {name: count_check.power(groups) for name, groups in mutants.items()}
    stated_powers = {name: float(miss) if miss else 0.0 for name, miss in POWER.findall(test.__doc__)}
    assert mutants and set(stated_powers) == set(powers), (sorted(stated_powers), sorted(powers))
    for name, power in powers.items():
        miss, stated_miss = 1.0 - power, stated_powers[name]
        assert miss < CERTAIN if stated_miss == 0.0 else math.isclose(miss, stated_miss, rel_tol=0.05), (
            name,
            miss,
            stated_miss,
        )
        assert power >= 0.999, (name, power)
    function = next(mark.kwargs["function"] for mark in test.pytestmark if mark.name == "graded")
    assert set(powers) <= mutant_names(assignment, function), sorted(set(powers) - mutant_names(assignment, function))
