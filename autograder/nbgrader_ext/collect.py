"""``SafeCollect``: nbgrader's ``collect`` without following links out of the exchange.

Students write their own folders in the exchange's inbound directory; ``nbgrader
collect`` runs as the instructor and copies them with ``shutil.copytree``, which
follows symbolic links. A student who puts ``a1.ipynb -> /home/instructor/course/
source/a1/a1.ipynb`` (or links a whole inbound folder) would have the instructor copy
the reference solution, or a classmate's work, into their submission. This collect
skips inbound folders that are links or that name no plain student id, and copies
every other folder without its links and special files, saying what it left out.
"""

import os
import re
import shutil
import stat
import tempfile

from nbgrader.exchange.default.collect import ExchangeCollect

STUDENT_ID = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*")


class SafeCollect(ExchangeCollect):
    """nbgrader's collect that never follows a link and refuses student ids that are not plain names."""

    def init_src(self):
        super().init_src()
        kept = []
        for record in self.src_records:
            path = os.path.join(self.inbound_path, record["filename"])
            if not STUDENT_ID.fullmatch(record["username"]):
                self.log.error("Not collecting %s: %r is not a plain student id", path, record["username"])
            elif os.path.islink(path) or not os.path.isdir(path):
                self.log.error("Not collecting %s: it is a link or not a folder", path)
            else:
                kept.append(record)
        self.src_records = kept

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy of ``src`` (its size checks, ignore patterns and permissions), less every link and
        special file."""
        with tempfile.TemporaryDirectory(prefix="collect-") as staging:
            plain = os.path.join(staging, "submission")
            shutil.copytree(src, plain, symlinks=True, ignore=self._not_plain)
            super().do_copy(plain, dest, log)

    def _not_plain(self, folder, names):
        """The names in ``folder`` that are neither regular files nor folders (links, pipes, devices)."""
        modes = {name: os.lstat(os.path.join(folder, name)).st_mode for name in names}
        left_out = [name for name, mode in modes.items() if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))]
        for name in left_out:
            self.log.warning("Not collecting %s: it is a link or a special file", os.path.join(folder, name))
        return left_out
