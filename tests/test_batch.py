"""The batch grades a whole assignment on Dask: each submission on its own, unchanged ones skipped, a cluster
elsewhere, Postgres (a killed batch restarted: tests/adversarial/test_faults.py; one grader per course:
tests/test_course_lock.py)."""

import glob
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.nbgrader_ext import commands
from tests.nbgrader_course import (A1, SAMPLES, copy_course, generated_course, once_per_run,  # noqa: F401
                                   put_submission, scores)

pytestmark = pytest.mark.slow
BOB = pytest.approx(15.47, abs=0.01)


def run_batch(root, *arguments, expect=0):
    """``python -m autograder autograde a1 --json ARGUMENTS`` on the course: {student: outcome}."""
    result = subprocess.run([sys.executable, "-m", "autograder", "autograde", A1.id, "--json", *arguments],
                            cwd=root, env=commands.environment(root), capture_output=True, text=True, timeout=900)
    assert result.returncode == expect, result.stdout[-3000:] + result.stderr[-3000:]
    return {outcome["student"]: outcome for outcome in json.loads(result.stdout)}


def actions(outcomes):
    return {student: outcome["action"] for student, outcome in outcomes.items()}


@pytest.fixture(scope="session")
def graded(generated_course, tmp_path_factory):  # noqa: F811
    """A course with a correct, a partly wrong, a garbage and an empty submission, batch-graded once:
    the course, the batch's outcomes and the gradebook's scores."""
    def grade_them(directory):
        root = copy_course(generated_course, directory)
        put_submission(root, "alice", SAMPLES / "alice.ipynb")
        put_submission(root, "bob", SAMPLES / "bob.ipynb")
        put_submission(root, "garbage", data=b"\x00 this is not a notebook")
        (put_submission(root, "empty", data=b"") / A1.notebook).unlink()
        return run_batch(root, "--workers", "2"), scores(root)

    directory, (outcomes, gradebook) = once_per_run(tmp_path_factory, "batch", grade_them)
    return directory / "course", outcomes, gradebook


def test_each_submission_gets_its_own_grade_and_reason(graded):
    _, outcomes, gradebook = graded
    assert actions(outcomes) == dict.fromkeys(["alice", "bob", "empty", "garbage"], "graded")
    assert gradebook == {"alice": A1.max_score, "bob": BOB, "empty": 0.0, "garbage": 0.0}
    assert "not a Jupyter notebook" in outcomes["garbage"]["error"]
    assert "cannot be opened" in outcomes["empty"]["error"]
    assert outcomes["alice"]["error"] is None


def test_a_second_run_grades_only_what_changed(graded):
    root, _, _ = graded
    assert actions(run_batch(root)) == dict.fromkeys(["alice", "bob", "empty", "garbage"], "skipped")
    put_submission(root, "bob", SAMPLES / "alice.ipynb")
    outcomes = run_batch(root)
    assert actions(outcomes) == {"alice": "skipped", "bob": "graded", "empty": "skipped", "garbage": "skipped"}
    assert scores(root)["bob"] == A1.max_score


CLUSTER = """
from distributed import LocalCluster
cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
print(cluster.scheduler_address, flush=True)
input()
"""


def test_a_scheduler_address_spreads_grading_over_a_cluster(generated_course, tmp_path):  # noqa: F811
    root = copy_course(generated_course, tmp_path / "instructor")
    elsewhere = copy_course(generated_course, tmp_path / "worker-machine")  # the workers' own checkout
    put_submission(root, "alice", SAMPLES / "alice.ipynb")
    cluster = subprocess.Popen([sys.executable, "-c", CLUSTER], cwd=elsewhere, env=commands.environment(elsewhere),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), address
        outcomes = run_batch(root, "--scheduler", address)
        assert actions(outcomes) == {"alice": "graded"} and scores(root) == {"alice": A1.max_score}
        with open(elsewhere / "course_config.py", "a") as settings:
            settings.write("\n# changed on the worker machine only\n")
        refused = run_batch(root, "--scheduler", address, "--force", expect=1)
        assert refused["alice"]["action"] == "failed"
        assert "other hidden tests, notebooks or settings" in refused["alice"]["error"]
    finally:
        cluster.kill()
        cluster.wait()


@pytest.fixture
def postgres():
    """A throwaway Postgres server on a Unix socket; its SQLAlchemy URL."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        pytest.fail("Postgres is not installed: `apt-get install postgresql` (.ci/run installs it)")
    directory = Path(tempfile.mkdtemp(prefix="gradebook-postgres-", dir="/tmp"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        os.chown(directory, *[int(value) for value in subprocess.check_output(
            ["id", "-u", "postgres"]).split() + subprocess.check_output(["id", "-g", "postgres"]).split()])
    port = str(20000 + os.getpid() % 20000)
    control = [*as_owner, f"{binaries[-1]}/pg_ctl", "-D", str(directory / "data"), "-w"]
    subprocess.run([*as_owner, f"{binaries[-1]}/initdb", "-D", str(directory / "data"), "-A", "trust", "-U",
                    "postgres"], check=True, capture_output=True)
    subprocess.run([*control, "-l", str(directory / "log"), "-o", f"-k {directory} -c listen_addresses='' -p {port}",
                    "start"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run([f"{binaries[-1]}/createdb", "-h", str(directory), "-p", port, "-U", "postgres", "deeprl"],
                       check=True, capture_output=True)
        yield f"postgresql://postgres@/deeprl?host={directory}&port={port}"
    finally:
        subprocess.run([*control, "-m", "immediate", "stop"], capture_output=True)
        subprocess.run(["rm", "-rf", str(directory)])


def test_a_postgres_gradebook_from_course_config_works(postgres, tmp_path):
    root = commands.course_copy(tmp_path / "course")
    commands.grade_quickly(root, A1.id)
    commands.override_settings(root, "CYCLE", db_url=postgres)
    commands.nbgrader(root, "generate_assignment", A1.id, "--force")
    assert not (root / "gradebook.db").exists()
    put_submission(root, "alice", SAMPLES / "alice.ipynb")
    assert actions(run_batch(root)) == {"alice": "graded"}
    assert scores(root) == {"alice": A1.max_score}
