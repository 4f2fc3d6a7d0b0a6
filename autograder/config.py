"""The course root and its settings, loaded from ``course_config.py`` at the root."""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("COURSE_ROOT") or Path(__file__).resolve().parents[1])


class UnknownAssignment(Exception):
    """An assignment id that course_config.py does not define."""


def load():
    """The ``course_config`` module of the course root (imported once)."""
    module = sys.modules.get("course_config")
    if module is None:
        spec = importlib.util.spec_from_file_location("course_config", ROOT / "course_config.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["course_config"] = module
        spec.loader.exec_module(module)
    return module


def assignment(assignment_id):
    """The ``Assignment`` with this id, or UnknownAssignment naming the known ones."""
    for candidate in load().ASSIGNMENTS:
        if candidate.id == assignment_id:
            return candidate
    known = ", ".join(a.id for a in load().ASSIGNMENTS)
    raise UnknownAssignment(f"unknown assignment {assignment_id!r}; course_config.py defines: {known}")


def path(name, *parts):
    """A course path from ``course_config.PATHS`` (e.g. ``path("release", "a1", "a1.ipynb")``)."""
    return ROOT.joinpath(getattr(load().PATHS, name), *parts)
