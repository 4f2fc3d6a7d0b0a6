"""``SafeCollect``: nbgrader's ``collect``, trusting the operating system rather than the students.

Students write their own folders in the exchange's inbound directory, named
``<student>+<assignment>+<timestamp>+<random>`` with a ``timestamp.txt`` inside, and
``nbgrader collect`` runs as the instructor. nbgrader believes the folder's name: whose
submission it is, and when it was made. It copies with ``shutil.copytree``, which follows
links. So a student could submit under a classmate's name, backdate a late submission,
or have the instructor copy the reference solution through a link. This collect:

* collects a folder as a student's only if the folder is owned by that student's unix
  user (or, for a student id that is no user on this machine, by the user who
  collects: a course whose students all submit through the instructor's account), with
  a log line for every folder it passes over;
* dates each submission by when the exchange received it, the latest inode change
  time of the folder and everything in it (a time no student can set back), and writes
  that into the collected ``timestamp.txt``, so a backdated name or ``timestamp.txt``
  gains nothing;
* copies only regular files that have one link and belong to the student, opened
  without following links and checked on the opened file, nothing else (links, pipes,
  devices, hard links), saying what it left out;
* adds the sizes the file system gives (``st_size``) before it copies anything: a
  folder over nbgrader's ``max_dir_size`` (or a file over ``max_file_size``) skips that
  student with a message, and every other student is collected.
"""

import datetime
import glob
import os
import pwd
import re
import stat
import tempfile

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from traitlets import Bool

STUDENT_ID = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*")
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY


class NotCollected(Exception):
    """An inbound folder that is not collected; the message says why."""


class SafeCollect(ExchangeCollect):
    """nbgrader's collect that checks owners, dates submissions by their arrival, and copies plain files only."""

    check_owner = Bool(False, help="nbgrader's own owner check only warns; this collect refuses such folders")

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        student = self.coursedir.student_id or "*"
        paths = glob.glob(os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*"))
        records = []
        for path in sorted(paths):
            try:
                records.append(self._record(path))
            except NotCollected as refusal:
                self.log.error("Not collecting %s: %s", path, refusal)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            try:
                due = gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                due = None
        self.src_records = []
        for submitted in groupby(records, lambda record: record["username"]).values():
            latest = sorted(submitted, key=lambda record: record["timestamp"], reverse=True)
            if due is not None and self.before_duedate:
                latest = [record for record in latest if record["timestamp"] <= due] or latest
            self.src_records.append(latest[0])
        self._checked = {os.path.join(self.inbound_path, record["filename"]): record for record in self.src_records}

    def _record(self, path):
        """nbgrader's record of an inbound folder, dated by its arrival; NotCollected if it is not collected."""
        record = self._path_to_record(path)
        student = record["username"]
        if not STUDENT_ID.fullmatch(student):
            raise NotCollected(f"{student!r} is not a plain student id")
        try:
            folder = os.open(path, FOLDER_FLAGS)
        except OSError:
            raise NotCollected("it is a link or not a folder") from None
        try:
            owner = expected_owner(student)
            found = os.fstat(folder).st_uid
            if found != owner:
                raise NotCollected(
                    f"it claims to be {student}'s but is owned by {user_name(found)} (uid {found}), "
                    f"not {user_name(owner)} (uid {owner}): someone else's folder is never collected "
                    "as theirs"
                )
            size, received = _measure(folder, owner)
        finally:
            os.close(folder)
        limit = 1000 * self.coursedir.max_dir_size
        if size > limit:
            raise NotCollected(
                f"its files take {size} bytes, over nbgrader's max_dir_size of {limit}: ask "
                f"{student} to submit only the notebook and its files"
            )
        arrived = datetime.datetime.fromtimestamp(received, datetime.timezone.utc).replace(tzinfo=None)  # as nbgrader's
        if record["timestamp"] < arrived - datetime.timedelta(minutes=1):
            self.log.warning(
                "%s claims to have been submitted at %s but reached the exchange at %s: the exchange's time counts",
                path,
                record["timestamp"],
                arrived,
            )
        record["timestamp"], record["owner"] = arrived, owner
        return record

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy (its ignore patterns, size checks and permissions) of the student's plain files only,
        then the collected ``timestamp.txt`` set to when the exchange received the submission."""
        with tempfile.TemporaryDirectory(prefix="collect-") as staging:
            plain = os.path.join(staging, "submission")
            record = self._checked[src]
            folder = os.open(src, FOLDER_FLAGS)
            try:
                self._copy_plain(folder, plain, record["owner"], src)
            finally:
                os.close(folder)
            super().do_copy(plain, dest, log)
        with open(os.path.join(dest, "timestamp.txt"), "w") as stamp:
            stamp.write(record["timestamp"].replace(tzinfo=datetime.timezone.utc).strftime(self.timestamp_format))

    def _copy_plain(self, folder, destination, owner, shown):
        """Copy the regular files with one link owned by ``owner`` under the open folder ``folder``, each checked
        on its opened descriptor; log what is left out."""
        os.mkdir(destination)
        limit = 1000 * self.coursedir.max_file_size
        for entry in os.scandir(folder):
            path = os.path.join(shown, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    inner = os.open(entry.name, FOLDER_FLAGS, dir_fd=folder)
                    try:
                        self._copy_plain(inner, os.path.join(destination, entry.name), owner, path)
                    finally:
                        os.close(inner)
                    continue
                handle = os.open(entry.name, READ_FLAGS, dir_fd=folder)
            except OSError:
                self.log.warning("Not collecting %s: it is a link or a special file", path)
                continue
            with os.fdopen(handle, "rb") as source:
                status = os.fstat(source.fileno())
                why = _not_plain(status, owner, limit)
                if why:
                    self.log.warning("Not collecting %s: %s", path, why)
                    continue
                with open(os.path.join(destination, entry.name), "wb") as copy:
                    copy.write(source.read(status.st_size + 1)[: status.st_size])


def expected_owner(student):
    """The uid that must own a student's inbound folder and files: the student's own unix user, or, for a
    student id that is no user here, the user who collects."""
    try:
        return pwd.getpwnam(student).pw_uid
    except KeyError:
        return os.geteuid()


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return "an unknown user"


def _not_plain(status, owner, limit):
    """Why an opened file is not collected, or None."""
    if not stat.S_ISREG(status.st_mode):
        return "it is not a regular file"
    if status.st_nlink > 1:
        return "it has other hard links"
    if status.st_uid != owner:
        return f"it belongs to {user_name(status.st_uid)}, not to the student"
    if status.st_size > limit:
        return f"it takes {status.st_size} bytes, over nbgrader's max_file_size of {limit}"
    return None


def _measure(folder, owner):
    """(bytes of the regular files, latest inode change time) of everything under an open folder, from the file
    system's own figures, before anything is read."""
    size, received = 0, os.fstat(folder).st_ctime
    for entry in os.scandir(folder):
        status = entry.stat(follow_symlinks=False)
        received = max(received, status.st_ctime)
        if stat.S_ISDIR(status.st_mode):
            inner = os.open(entry.name, FOLDER_FLAGS, dir_fd=folder)
            try:
                inner_size, inner_received = _measure(inner, owner)
            finally:
                os.close(inner)
            size, received = size + inner_size, max(received, inner_received)
        elif stat.S_ISREG(status.st_mode) and status.st_nlink == 1 and status.st_uid == owner:
            size += status.st_size
    return size, received
