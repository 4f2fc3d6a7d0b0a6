"""nbgrader's commands run on a course as an instructor and as students would type them, and a course copy.

The demo and the kit's tests play a whole term with these: a course directory of
its own (``course_copy``), nbgrader's commands run in it (``nbgrader``), and
students fetching and submitting through its exchange (``as_student``).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import config

COPIED = ("source", "solutions", "autograder", "course_config.py", "nbgrader_config.py")
TIMEOUT_S = 1800


class CommandFailed(Exception):
    """An nbgrader command exited with an error; the message holds its output."""


def environment(root, **extra):
    """The environment of a command on the course at ``root``: the venv's tools first on PATH (nbgrader runs
    ``alembic`` from there), and COURSE_ROOT so the kit reads that course's settings."""
    tools = Path(sys.executable).parent
    return {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}", "COURSE_ROOT": str(root), **extra}


def run(arguments, root, cwd=None, **extra):
    """Run a command on the course; its output, or CommandFailed with the output."""
    result = subprocess.run(
        arguments, cwd=cwd or root, env=environment(root, **extra), capture_output=True, text=True, timeout=TIMEOUT_S
    )
    if result.returncode != 0:
        raise CommandFailed(
            f"`{' '.join(map(str, arguments[1:]))}` exited with {result.returncode}:\n"
            f"{result.stdout[-4000:]}{result.stderr[-4000:]}"
        )
    return result.stdout + result.stderr


def nbgrader(root, *arguments):
    """``nbgrader ARGUMENTS`` as the instructor, in the course root (where nbgrader_config.py is)."""
    return run([sys.executable, "-m", "nbgrader", *map(str, arguments)], root)


def kit(root, *arguments):
    """``python -m autograder ARGUMENTS`` on the course at ``root``."""
    return run([sys.executable, "-m", "autograder", *map(str, arguments)], root)


def as_student(root, student, home, *arguments):
    """``nbgrader ARGUMENTS`` as ``student`` working in ``home``, through the course's exchange."""
    course = config.load()
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    exchange = Path(root) / course.CYCLE.exchange
    return run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            *map(str, arguments),
            f"--course={course.COURSE_ID}",
            f"--Exchange.root={exchange}",
        ],
        root,
        cwd=home,
    )


def submit(root, student, home, assignment_id, notebook):
    """A student's turn: fetch the released assignment, put their work in it, submit it."""
    assignment = config.assignment(assignment_id)
    as_student(root, student, home, "fetch_assignment", assignment.id)
    shutil.copyfile(notebook, Path(home) / assignment.id / assignment.notebook)
    as_student(root, student, home, "submit", assignment.id, f"--student={student}")


def processes_of(root):
    """Pids of the processes working on the course at ``root`` (those with its COURSE_ROOT)."""
    mark = f"COURSE_ROOT={root}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            pass
    return found


def course_copy(directory):
    """A new course at ``directory``: a snapshot of this course's sources, reference, grader and settings (so
    edits here do not change its grades midway), ready for nbgrader's commands: no release, exchange,
    submissions or gradebook yet. It shares the reference cache, whose entries are keyed by content."""
    directory = Path(directory)
    directory.mkdir(parents=True)
    for name in COPIED:
        source = config.ROOT / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, directory / name)
    config.path("cache").mkdir(exist_ok=True)  # a link to a cache not made yet would stop the grader
    os.symlink(config.path("cache"), directory / config.load().PATHS.cache)
    return directory


def override_settings(root, constant, **fields):
    """Change fields of a settings constant (``CYCLE``, ``BATCH`` ...) in the course_config.py at ``root``."""
    with open(Path(root) / "course_config.py", "a") as settings:
        settings.write(
            f"\nimport dataclasses as _dataclasses\n{constant} = _dataclasses.replace({constant}, "
            f"{', '.join(f'{name}={value!r}' for name, value in fields.items())})\n"
        )


def grade_quickly(root, assignment_id):
    """Make the course at ``root`` grade ``assignment_id`` with its ``quick_grading`` settings."""
    with open(Path(root) / "course_config.py", "a") as settings:
        settings.write(
            f"\nimport dataclasses as _dataclasses\nASSIGNMENTS = tuple(_dataclasses.replace(_a, grading="
            f"_dataclasses.replace(_a.grading, **_a.quick_grading)) if _a.id == {assignment_id!r} else _a "
            "for _a in ASSIGNMENTS)\n"
        )


def place_collected(root, student, assignment_id, notebook_bytes, when):
    """Put a submission where ``nbgrader collect`` puts one: the notebook and its ``timestamp.txt``."""
    assignment = config.assignment(assignment_id)
    folder = Path(root) / "submitted" / student / assignment.id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / assignment.notebook).write_bytes(notebook_bytes)
    (folder / "timestamp.txt").write_text(when)
    return folder
