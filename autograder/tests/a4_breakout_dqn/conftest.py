"""Fixtures shared by assignment 4's hidden tests."""

import zlib

import numpy as np
import pytest


def seeded(settings, name):
    """A generator seeded by the course seed and a name: the same hidden inputs on every run."""
    return np.random.default_rng([settings.seed, zlib.crc32(name.encode())])


@pytest.fixture
def rng(request, settings):
    """A generator for the test's hidden inputs, seeded by its name."""
    return seeded(settings, request.node.name)


@pytest.fixture(scope="module")
def module_rng(request, settings):
    """A generator for a module's shared hidden inputs, seeded by the module's name."""
    return seeded(settings, request.module.__name__)
