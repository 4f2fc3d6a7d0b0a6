"""Build release/ and solutions/ from source/ with nbgrader's own commands, or check that they match it.

``nbgrader generate_assignment`` writes the student version (solutions replaced by
stubs that raise NotImplementedError) and ``nbgrader generate_solution`` the
reference, both configured by ``nbgrader_config.py`` from course_config.py.
``--check`` builds into a scratch course and compares: CI fails on any drift.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import config

COMMANDS = (("generate_assignment", "release"), ("generate_solution", "solutions"))


class BuildError(Exception):
    """nbgrader failed to build an assignment."""


def generate(assignment_id, root):
    """Run nbgrader's generate commands for one assignment, writing under the course root ``root``."""
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for command, _ in COMMANDS:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "nbgrader",
                command,
                assignment_id,
                "--force",
                "--log-level=WARN",
                f"--CourseDirectory.root={root}",
            ],
            cwd=config.ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BuildError(f"nbgrader {command} {assignment_id} failed:\n{result.stdout}{result.stderr}")


def drift(assignment_id):
    """The built notebooks of an assignment that differ from what source/ gives now."""
    course = config.load()
    assignment = config.assignment(assignment_id)
    with tempfile.TemporaryDirectory(prefix="course-build-") as scratch:
        os.symlink(config.path("source"), Path(scratch) / course.PATHS.source)
        generate(assignment_id, scratch)
        drifted = []
        for _, kind in COMMANDS:
            directory = getattr(course.PATHS, kind)
            built = Path(scratch) / directory / assignment.id / assignment.notebook
            committed = config.path(kind, assignment.id, assignment.notebook)
            if not committed.exists() or json.loads(committed.read_text()) != json.loads(built.read_text()):
                drifted.append(str(committed.relative_to(config.ROOT)))
        return drifted


def main(assignment_ids, check_only):
    ids = assignment_ids or [assignment.id for assignment in config.load().ASSIGNMENTS]
    for assignment_id in ids:
        config.assignment(assignment_id)
    try:
        if check_only:
            drifted = [path for assignment_id in ids for path in drift(assignment_id)]
            for path in drifted:
                print(f"{path} differs from what source/ gives: run `make build` and commit the result")
            return 1 if drifted else 0
        for assignment_id in ids:
            generate(assignment_id, config.ROOT)
            print(f"built release/ and solutions/ of {assignment_id}")
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    return 0
