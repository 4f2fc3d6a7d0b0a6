"""A class leaderboard ranked by what the grader measured, and by nothing else.

    python -m autograder leaderboard a4_breakout_dqn

Reads the report store (the grader's own reports of each collected submission) and
ranks the students by the grader's measure of the trained agent of the function that
``Assignment.leaderboard`` names in course_config.py: a score measured in the grader's own environments, from its
own seeds, with the weights it computed or read as plain arrays. Nothing a student
wrote into their notebook (outputs, metadata) or submitted beside it can change a
rank, because nothing of it is read here. Writes ``<CYCLE.leaderboard>/<assignment>/``:
``index.html`` (the ranking, each entry linking to the replay of one of the grader's
own episodes), ``leaderboard.csv`` and ``replays/``. Students appear under pseudonyms
(a keyed hash of their id; the key stays beside the reports) unless
``CYCLE.leaderboard_pseudonyms`` is False.
"""

import csv
import hashlib
import hmac
import html
import os
import secrets
import sys

from autograder import config
from autograder.course.report_store import ReportStore

KEY_FILE = ".pseudonym-key"


def entries(assignment_id):
    """The ranked rows: {rank, name, student, measure, value, low, high, episodes, replay (bytes)}, best first."""
    assignment = config.assignment(assignment_id)
    if not assignment.leaderboard:
        raise NothingToRank(f"{assignment.id} measures no trained agent (course_config: its `leaderboard` is empty)")
    store = ReportStore(assignment.id)
    rows = []
    for student, report in store.reports().items():
        measure = next((measure for measure in report.measures if measure.function == assignment.leaderboard), None)
        if measure is not None:
            rows.append(
                {
                    "student": student,
                    "measure": measure.name,
                    "value": measure.value,
                    "low": measure.low,
                    "high": measure.high,
                    "episodes": measure.episodes,
                    "replay": measure.replay,
                }
            )
    rows.sort(key=lambda row: (-row["value"], row["student"]))
    pseudonyms = config.load().CYCLE.leaderboard_pseudonyms
    key = _key(store.directory) if pseudonyms else None
    for index, row in enumerate(rows):
        tied = index > 0 and row["value"] == rows[index - 1]["value"]
        row["rank"] = rows[index - 1]["rank"] if tied else index + 1
        row["name"] = pseudonym(key, row["student"]) if pseudonyms else row["student"]
    return rows


class NothingToRank(Exception):
    """An assignment without a leaderboard measure."""


def pseudonym(key, student):
    """A stable name for the student that classmates cannot compute without the course's key."""
    return "agent-" + hmac.new(key, student.encode(), hashlib.sha256).hexdigest()[:8]


def _key(directory):
    """The course's pseudonym key, made on first use (readable by the grader's user only)."""
    path = directory.parent / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def write(assignment_id):
    """Write the leaderboard's page, CSV and replays; the folder they are in."""
    assignment = config.assignment(assignment_id)
    rows = entries(assignment.id)
    folder = config.ROOT / config.load().CYCLE.leaderboard / assignment.id
    replays = folder / "replays"
    replays.mkdir(parents=True, exist_ok=True)
    for stale in replays.glob("*.gif"):
        stale.unlink()
    for position, row in enumerate(rows, 1):  # files named by position: any student id makes a safe link
        row["replay_file"] = f"replays/entry-{position}.gif" if row["replay"] else ""
        if row["replay"]:
            (folder / row["replay_file"]).write_bytes(row["replay"])
    columns = ["rank", "name", "value", "low", "high", "episodes", "replay_file"]
    with open(folder / "leaderboard.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (folder / "index.html").write_text(page(assignment, rows))
    return folder


def page(assignment, rows):
    """The leaderboard as one HTML page."""
    lines = []
    for row in rows:
        interval = f"{row['low']:.1f} to {row['high']:.1f}" if row["low"] is not None else ""
        name = html.escape(row["name"])
        link = f'<a href="{html.escape(row["replay_file"])}">replay</a>' if row["replay_file"] else ""
        lines.append(
            f"<tr><td>{row['rank']}</td><td>{name}</td><td>{row['value']:.1f}</td><td>{interval}</td>"
            f"<td>{row['episodes']}</td><td>{link}</td></tr>"
        )
    measure = rows[0]["measure"] if rows else f"what the grader measured of {assignment.leaderboard}"
    title = html.escape(f"{assignment.id}: {measure}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 2em; }} td, th {{ padding: 0.3em 1em; text-align: right; }}
td:nth-child(2), th:nth-child(2) {{ text-align: left; }} tr:nth-child(even) {{ background: #f2f2f2; }}</style>
</head><body><h1>{title}</h1>
<p>Ranked by what the grader measured in its own environments, from its own seeds; nothing in a notebook
can change a rank. Each replay is one of the grader's own episodes.</p>
<table><thead><tr><th>rank</th><th>name</th><th>score</th><th>95 % interval</th><th>episodes</th><th></th></tr>
</thead><tbody>
{chr(10).join(lines)}
</tbody></table></body></html>
"""


def main(arguments):
    """The ``leaderboard`` command: write the page and say where it is."""
    try:
        folder = write(arguments.assignment)
    except NothingToRank as nothing:
        print(nothing, file=sys.stderr)
        return 1
    print(f"leaderboard of {arguments.assignment} written to {folder}/: index.html, leaderboard.csv, replays/")
    return 0
