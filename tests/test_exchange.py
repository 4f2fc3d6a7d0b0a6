"""Collect on a shared exchange trusts the operating system, not the students (``SafeCollect``).

Real unix users, made here (CI runs as root), fetch and submit with nbgrader's own commands as themselves
(``runuser``), through an exchange outside the course, as on a grading server or a JupyterHub: one submits
as a classmate, one backdates a late submission, one leaves a hard link, one a sparse file of a gigabyte,
one a folder over nbgrader's size limit; an honest classmate keeps her submission and its time. Then the
instructor (root) collects.
"""

import datetime
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from nbgrader.utils import parse_utc

from autograder import config
from autograder.course.nbgrader_ext import collect, commands

pytestmark = pytest.mark.slow
A2 = config.assignment("a2_q_learning")
PREFIX = "kx" + uuid.uuid4().hex[:4]
"""Unix user names of this run's students, so that no other test's student id is a user here."""
ROLES = ("honest", "mallory", "late", "linker", "sparse", "big")
MAX_DIR_KB = 2000
"""nbgrader's max_dir_size for this collect: the big student's folder is over it, the others far under."""


def user(role):
    return f"{PREFIX}{role}"


@pytest.fixture(scope="module")
def students():
    """A unix user with a home for each role, removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("the multi-user exchange test makes unix users: run it as root (CI does)")
    made = []
    try:
        for role in ROLES:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", user(role)], check=True)
            made.append(user(role))
        yield {role: pwd.getpwnam(user(role)) for role in ROLES}
    finally:
        for name in made:
            subprocess.run(["userdel", "--remove", name], capture_output=True)


def as_user(entry, *command, cwd=None):
    """A command as that user, in their home: its output, or the test fails with it."""
    result = subprocess.run(
        [
            "runuser",
            "-u",
            entry.pw_name,
            "--",
            "env",
            f"HOME={entry.pw_dir}",
            f"PATH={Path(sys.executable).parent}:/usr/bin:/bin",
            *command,
        ],
        cwd=cwd or entry.pw_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{entry.pw_name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def nbgrader_as(entry, exchange, *arguments):
    return as_user(
        entry,
        sys.executable,
        "-m",
        "nbgrader",
        *arguments,
        f"--course={config.load().COURSE_ID}",
        f"--Exchange.root={exchange}",
    )


@pytest.fixture(scope="module")
def collected(students, tmp_path_factory):
    """The course after every student submitted (and did what their role does) and root collected: the course
    root, the exchange, the collect's log, each student's submission time, and the due date."""
    root = commands.course_copy(tmp_path_factory.mktemp("exchange") / "course")
    exchange = Path(tempfile.mkdtemp(prefix="kit-exchange-", dir="/tmp"))
    os.chmod(exchange, 0o755)
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=8)).replace(microsecond=0)
    commands.override_settings(
        root, "CYCLE", exchange=str(exchange), due_dates=((A2.id, due.strftime("%Y-%m-%d %H:%M:%S UTC")),)
    )
    commands.nbgrader(root, "generate_assignment", A2.id, "--force")
    commands.nbgrader(root, "release_assignment", A2.id, "--force")
    submitted_at = {}
    for role in ("honest", "mallory", "linker", "sparse", "big"):
        entry = students[role]
        nbgrader_as(entry, exchange, "fetch_assignment", A2.id)
        work = Path(entry.pw_dir) / A2.id
        if role == "linker":
            as_user(entry, "sh", "-c", f"echo notes > {work}/notes.txt")
        if role == "big":
            as_user(entry, "sh", "-c", f"head -c {(MAX_DIR_KB + 500) * 1000} /dev/urandom > {work}/data.bin")
        nbgrader_as(entry, exchange, "submit", A2.id)
        submitted_at[role] = time.time()
    inbound = exchange / config.load().COURSE_ID / "inbound"
    linked = next(inbound.glob(f"{user('linker')}+*"))  # submit logs its folder's name: a student knows it
    as_user(students["linker"], "ln", str(linked / "notes.txt"), str(Path(students["linker"].pw_dir) / "alias"))
    mine = next(inbound.glob(f"{user('mallory')}+*"))
    as_user(
        students["mallory"],
        "cp",
        "-r",
        str(mine),
        str(inbound / f"{user('honest')}+{A2.id}+2030-01-01 00:00:00.000000 UTC+forged"),
    )
    sparse = next(inbound.glob(f"{user('sparse')}+*"))
    as_user(students["sparse"], "truncate", "-s", "1G", str(sparse / "huge.bin"))
    time.sleep(max(0.0, due.timestamp() - time.time() + 2))  # the late student submits after the due date
    late = students["late"]
    nbgrader_as(late, exchange, "fetch_assignment", A2.id)
    nbgrader_as(late, exchange, "submit", A2.id)
    submitted_at["late"] = time.time()
    folder = next(inbound.glob(f"{user('late')}+*"))
    backdated = "2020-01-01 00:00:00.000000 UTC"
    as_user(
        late,
        "sh",
        "-c",
        f"echo '{backdated}' > '{folder}/timestamp.txt' && mv '{folder}' "
        f"'{inbound}/{user('late')}+{A2.id}+{backdated}+early'",
    )
    log = commands.nbgrader(root, "collect", A2.id, f"--CourseDirectory.max_dir_size={MAX_DIR_KB}")
    yield root, log, submitted_at, due
    shutil.rmtree(exchange, ignore_errors=True)


def submission(root, role):
    return Path(root) / "submitted" / user(role) / A2.id


def collected_time(root, role):
    return parse_utc((submission(root, role) / "timestamp.txt").read_text().strip())


def test_the_honest_classmate_keeps_her_submission_and_its_time(collected):
    root, _, submitted_at, _ = collected
    assert (submission(root, "honest") / A2.notebook).is_file()
    arrived = datetime.datetime.utcfromtimestamp(submitted_at["honest"])
    assert abs((collected_time(root, "honest") - arrived).total_seconds()) < 60


def test_a_folder_named_as_a_classmates_is_not_collected_as_hers(collected):
    root, log, _, _ = collected
    assert "forged" in log and f"claims to be {user('honest')}'s but is owned by {user('mallory')}" in log
    assert collected_time(root, "honest") < datetime.datetime(2030, 1, 1)
    assert (submission(root, "mallory") / A2.notebook).is_file()


def test_a_backdated_late_submission_is_dated_by_its_arrival(collected):
    root, log, submitted_at, due = collected
    assert "claims to have been submitted at 2020-01-01" in log
    when = collected_time(root, "late")
    assert when > due.replace(tzinfo=None)
    assert abs((when - datetime.datetime.utcfromtimestamp(submitted_at["late"])).total_seconds()) < 60


def test_a_hard_link_is_left_out(collected):
    root, log, _, _ = collected
    assert "it has other hard links" in log
    assert (submission(root, "linker") / A2.notebook).is_file()
    assert not (submission(root, "linker") / "notes.txt").exists()


def test_a_sparse_gigabyte_and_an_oversized_folder_skip_their_students_only(collected):
    root, log, _, _ = collected
    for role in ("sparse", "big"):
        assert f"{user(role)}+" in log and "over nbgrader's max_dir_size" in log
        assert not submission(root, role).exists()
    assert sum(path.stat().st_size for path in (Path(root) / "submitted").rglob("*") if path.is_file()) < 10**7
    assert {path.name for path in (Path(root) / "submitted").iterdir()} == {
        user(role) for role in ("honest", "mallory", "late", "linker")
    }


def test_a_file_the_student_does_not_own_is_left_out(tmp_path):
    owner = os.geteuid()
    status = os.stat(tmp_path)
    assert collect._not_plain(status, owner, 10**9) == "it is not a regular file"
    path = tmp_path / "planted.txt"
    path.write_text("x")
    os.chown(path, 12345, 12345)
    assert collect._not_plain(os.stat(path), owner, 10**9).startswith("it belongs to")
