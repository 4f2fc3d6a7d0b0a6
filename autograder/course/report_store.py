"""The reports the batch has made, and which of them are recorded in nbgrader's gradebook.

``reports/<assignment>/<student>.json`` holds the submission's fingerprint and its
report; ``<student>.recorded`` holds the fingerprint whose report the gradebook
has. Every write goes to a temporary file first and is renamed into place, so a
batch killed at any instant leaves each file either as it was or complete: a
restart regrades nothing whose report was kept and records what was not recorded.
Only the grader writes here; no sandbox ever sees it.
"""

import json
import os
from pathlib import Path

from autograder import config
from autograder.grading.report import Report, ReportUnreadable


class ReportStore:
    """The stored reports of one assignment."""

    def __init__(self, assignment_id):
        self.directory = config.ROOT / config.load().BATCH.reports / assignment_id

    def report(self, student, fingerprint):
        """The stored ``Report`` of this exact submission, or None (also for a report of a grader fault, and for a
        damaged file, so that the submission is graded again)."""
        stored = _read_json(self.directory / f"{student}.json")
        if isinstance(stored, dict) and stored.get("fingerprint") == fingerprint and not stored.get("faulted"):
            try:
                return Report.from_json(stored.get("report"))
            except ReportUnreadable:
                return None
        return None

    def reports(self):
        """{student: the stored ``Report``} of every student whose report is not a grader fault's."""
        found = {}
        for path in sorted(self.directory.glob("*.json")):
            stored = _read_json(path)
            if isinstance(stored, dict) and not stored.get("faulted"):
                try:
                    found[path.stem] = Report.from_json(stored.get("report"))
                except ReportUnreadable:
                    continue
        return found

    def save(self, student, fingerprint, report, faulted=False):
        """Keep the ``Report`` of the submission with this fingerprint."""
        _write_atomically(
            self.directory / f"{student}.json",
            json.dumps({"fingerprint": fingerprint, "report": report.to_json(), "faulted": faulted}, indent=1),
        )

    def recorded(self, student):
        """The fingerprint of the submission whose report the gradebook holds, or None."""
        try:
            return (self.directory / f"{student}.recorded").read_text().strip() or None
        except OSError:
            return None

    def mark_recorded(self, student, fingerprint):
        _write_atomically(self.directory / f"{student}.recorded", fingerprint)


def _read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_atomically(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
