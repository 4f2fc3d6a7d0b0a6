"""The lock installs on every Python 3.11 (Debian 12's own is 3.11.2): no pinned package requires a later one
than 3.11.0, and what is installed is what is pinned."""

import importlib.metadata
import re

from packaging.specifiers import SpecifierSet

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def pins():
    return [
        PIN.match(line).groups() for line in (ROOT / "requirements.txt").read_text().splitlines() if PIN.match(line)
    ]


def test_no_pin_requires_a_later_python_than_3_11_0():
    excluding = []
    for name, version in pins():
        required = importlib.metadata.metadata(name).get("Requires-Python")
        if required and not SpecifierSet(required).contains("3.11.0", prereleases=True):
            excluding.append(f"{name}=={version} requires Python {required}")
    assert len(pins()) > 100 and not excluding, excluding


def test_the_venv_holds_the_pinned_versions():
    differ = [
        (name, version, importlib.metadata.version(name))
        for name, version in pins()
        if importlib.metadata.version(name) != version
    ]
    assert not differ, differ
