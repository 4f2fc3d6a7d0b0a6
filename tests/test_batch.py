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

from autograder.course.nbgrader_ext import commands
from tests.nbgrader_course import (  # noqa: F401
    A1,
    SAMPLES,
    copy_course,
    generated_course,
    put_submission,
    run_batch,
    samples_batch,
    scores,
)

pytestmark = pytest.mark.slow
STUDENTS = ["alice", "bob", "empty", "garbage", "mallory"]
BOB = pytest.approx(15.47, abs=0.01)
MALLORY = 9.0


def actions(outcomes):
    return {student: outcome["action"] for student, outcome in outcomes.items()}


def test_each_submission_gets_its_own_grade_and_reason(samples_batch):  # noqa: F811
    outcomes, gradebook = samples_batch.outcomes, samples_batch.scores
    assert actions(outcomes) == dict.fromkeys(STUDENTS, "graded")
    assert gradebook == {"alice": A1.max_score, "bob": BOB, "mallory": MALLORY, "empty": 0.0, "garbage": 0.0}
    assert "not a Jupyter notebook" in outcomes["garbage"]["error"]
    assert "cannot be opened" in outcomes["empty"]["error"]
    assert outcomes["alice"]["error"] is None


def test_a_second_run_grades_only_what_changed(samples_batch):  # noqa: F811
    root = samples_batch.root
    assert actions(run_batch(root)) == dict.fromkeys(STUDENTS, "skipped")
    put_submission(root, "bob", SAMPLES / "alice.ipynb")
    outcomes = run_batch(root)
    assert actions(outcomes) == {**dict.fromkeys(STUDENTS, "skipped"), "bob": "graded"}
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
    cluster = subprocess.Popen(
        [sys.executable, "-c", CLUSTER],
        cwd=elsewhere,
        env=commands.environment(elsewhere),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), address
        outcomes = run_batch(root, "--scheduler", address)
        assert actions(outcomes) == {"alice": "graded"} and scores(root) == {"alice": A1.max_score}
        with open(elsewhere / "course_config.py", "a") as settings:
            settings.write("\n# changed on the worker machine only\n")
        refused = run_batch(root, "--scheduler", address, "--force", expect=1)
        assert refused["alice"]["action"] == "faulted"
        assert "other hidden tests, notebooks or settings" in refused["alice"]["error"]
    finally:
        cluster.kill()
        cluster.wait()


FAULTING = """
import sys
from autograder.course import batch, submission

real = submission.grade_files

def grade_files(assignment_id, files, grader, timeout_s):
    if any(b"FAULT-THE-GRADER" in data for data in files.values()):
        raise submission.GraderCrash("the grader failed on this submission: an injected fault")
    return real(assignment_id, files, grader, timeout_s)

batch.grade_files = grade_files
from autograder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_submission_that_faults_the_grader_gets_a_report_and_is_graded_on_the_next_run(generated_course, tmp_path):  # noqa: F811
    root = copy_course(generated_course, tmp_path)
    put_submission(root, "alice", SAMPLES / "alice.ipynb")
    faulting = json.loads((SAMPLES / "alice.ipynb").read_text())
    faulting["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "FAULT-THE-GRADER"})
    put_submission(root, "bob", data=json.dumps(faulting).encode())
    result = subprocess.run(
        [sys.executable, "-c", FAULTING, "autograde", A1.id, "--json"],
        cwd=root,
        env=commands.environment(root),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    outcomes = {outcome["student"]: outcome for outcome in json.loads(result.stdout)}
    assert actions(outcomes) == {"alice": "graded", "bob": "faulted"}
    assert "1 graded, 0 recorded, 0 skipped, 1 faulted" in result.stderr
    assert "1 submission(s) faulted the grader (bob)" in result.stderr
    stored = json.loads((root / "reports" / A1.id / "bob.json").read_text())
    assert stored["faulted"] and "the grader faulted on this submission" in stored["report"]["error"]
    assert "an injected fault" in stored["report"]["error"] and scores(root) == {"alice": A1.max_score}
    assert actions(run_batch(root)) == {"alice": "skipped", "bob": "graded"}
    assert scores(root) == {"alice": A1.max_score, "bob": A1.max_score}


@pytest.fixture
def postgres():
    """A throwaway Postgres server on a Unix socket; its SQLAlchemy URL."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        pytest.fail("Postgres is not installed: `apt-get install postgresql` (.ci/run installs it)")
    directory = Path(tempfile.mkdtemp(prefix="gradebook-postgres-", dir="/tmp"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        os.chown(
            directory,
            *[
                int(value)
                for value in subprocess.check_output(["id", "-u", "postgres"]).split()
                + subprocess.check_output(["id", "-g", "postgres"]).split()
            ],
        )
    port = str(20000 + os.getpid() % 20000)
    control = [*as_owner, f"{binaries[-1]}/pg_ctl", "-D", str(directory / "data"), "-w"]
    subprocess.run(
        [*as_owner, f"{binaries[-1]}/initdb", "-D", str(directory / "data"), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*control, "-l", str(directory / "log"), "-o", f"-k {directory} -c listen_addresses='' -p {port}", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [f"{binaries[-1]}/createdb", "-h", str(directory), "-p", port, "-U", "postgres", "deeprl"],
            check=True,
            capture_output=True,
        )
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
