"""Fixtures shared by assignment 4's hidden tests."""

import pytest

from autograder.grading import seeded


@pytest.fixture(scope="module")
def module_rng(request, settings):
    """A generator for a module's shared hidden inputs, seeded by the module's name."""
    return seeded(settings, request.module.__name__)
