"""An assignment at a glance for the instructor: score distribution, per-function pass rates, measured agents.

    python -m autograder summary a1_policy_gradients

Reads nbgrader's gradebook (final scores, after late penalties and any manual
grading) and writes ``summary/<assignment>/``: ``scores.png`` (a histogram of the
class's scores beside the reference solution's, which earns every point),
``functions.png`` and ``functions.csv`` (per graded function: mean points and the
share of submissions with full marks), for an assignment with a leaderboard ``measures.png``
(the grader's measure of each student's trained agent, from its reports, beside its measure of the
reference solution's, graded once per grader and kept) and ``summary.json`` (all of it, for machines).
nbgrader's own ``nbgrader export`` writes the per-student CSV beside it.
"""

import csv
import json
import sys

from autograder import config
from autograder.course.nbgrader_ext.gradebook import CourseGradebook, RecordingFailed
from autograder.course.nbgrader_ext.setpoints import TEST_PREFIX
from autograder.course.report_store import ReportStore
from autograder.course.submission import grader_fingerprint
from autograder.faults import GraderFault
from autograder.grading.grade import grade


def summarise(assignment_id):
    """The summary of an assignment as plain data: scores by student and per-function figures."""
    assignment = config.assignment(assignment_id)
    scores = CourseGradebook(assignment.id).scores()
    functions = []
    for function, points in assignment.points.items():
        earned = [student["functions"].get(TEST_PREFIX + function) or 0.0 for student in scores.values()]
        functions.append(
            {
                "function": function,
                "max_points": points,
                "mean_points": round(sum(earned) / len(earned), 4) if earned else None,
                "full_marks_rate": round(sum(value >= points for value in earned) / len(earned), 4) if earned else None,
            }
        )
    return {
        "assignment": assignment.id,
        "max_score": assignment.max_score,
        "submissions": len(scores),
        "scores": {student: round(values["score"], 4) for student, values in sorted(scores.items())},
        "functions": functions,
        "measured": measured(assignment),
    }


def measured(assignment):
    """{function, name, students: {student: value}, reference, reference_note}: the grader's measure of each
    student's trained agent (from its reports) and of the reference solution's; None without a leaderboard."""
    if not assignment.leaderboard:
        return None
    found = {
        student: measure
        for student, report in ReportStore(assignment.id).reports().items()
        for measure in report.measures
        if measure.function == assignment.leaderboard
    }
    reference = reference_measure(assignment)
    names = [reference["name"]] if reference["name"] else [measure.name for measure in found.values()]
    return {
        "function": assignment.leaderboard,
        "name": names[0] if names else assignment.leaderboard,
        "students": {student: round(measure.value, 4) for student, measure in sorted(found.items())},
        "reference": reference["value"],
        "reference_note": reference["note"],
    }


def reference_measure(assignment):
    """{name, value, note} of the reference solution's trained agent, measured by grading the solutions notebook's
    leaderboard function once per grader fingerprint (then kept in the cache); value None, and why, if not."""
    cache = config.path("cache", "reference", assignment.id, f"measure-{grader_fingerprint(assignment.id)}.json")
    if cache.is_file():
        return json.loads(cache.read_text())
    try:
        report = grade(
            assignment.id, config.path("solutions", assignment.id, assignment.notebook), [assignment.leaderboard]
        )
        found = [measure for measure in report.measures if measure.function == assignment.leaderboard]
        kept = (
            {"name": found[0].name, "value": round(found[0].value, 4), "note": ""}
            if found
            else {
                "name": "",
                "value": None,
                "note": "the reference's grading measured no agent (for a4_breakout_dqn: "
                "no q_weights.npz beside the solutions notebook)",
            }
        )
    except GraderFault as fault:
        return {"name": "", "value": None, "note": f"the reference could not be graded: {fault}"}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(kept))
    return kept


def write(summary):
    """Write the summary's files; the folder they are in."""
    folder = config.ROOT / config.load().CYCLE.summary / summary["assignment"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    with open(folder / "functions.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["function", "max_points", "mean_points", "full_marks_rate"])
        writer.writeheader()
        writer.writerows(summary["functions"])
    pyplot = _pyplot()
    _histogram(pyplot, summary, folder / "scores.png")
    _pass_rates(pyplot, summary, folder / "functions.png")
    if summary["measured"]:
        _measures(pyplot, summary, folder / "measures.png")
    return folder


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _histogram(pyplot, summary, path):
    """The class's scores, and the reference solution's (every point) beside them."""
    _distribution(
        pyplot,
        summary["scores"].values(),
        summary["max_score"],
        f"score (out of {summary['max_score']:g})",
        f"{summary['assignment']}: {summary['submissions']} submissions",
        path,
        value_range=(0, summary["max_score"]),
    )


def _pass_rates(pyplot, summary, path):
    """Each graded function's share of submissions with full marks, in the notebook's order."""
    rows = [row for row in summary["functions"] if row["full_marks_rate"] is not None]
    figure, axes = pyplot.subplots(figsize=(6, 0.45 * len(rows) + 1.2))
    names = [row["function"] for row in rows][::-1]
    axes.barh(names, [100 * row["full_marks_rate"] for row in rows][::-1], color="#55a868")
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions with full marks (%)")
    axes.set_title(f"{summary['assignment']}: pass rate per function")
    _save(pyplot, figure, path)


def _measures(pyplot, summary, path):
    """The grader's measure of each student's trained agent, and of the reference solution's beside them."""
    measured = summary["measured"]
    _distribution(
        pyplot,
        measured["students"].values(),
        measured["reference"],
        f"{measured['name']} (the grader's own episodes)",
        f"{summary['assignment']}: {measured['function']}'s trained agent",
        path,
    )


def _distribution(pyplot, values, reference, xlabel, title, path, value_range=None):
    """A histogram of the class's values with the reference solution's (if known) marked beside them."""
    from matplotlib.ticker import MaxNLocator

    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.hist(list(values), bins=20, range=value_range, color="#4878a8", label="the class")
    if reference is not None:
        axes.axvline(reference, color="#c44e52", linestyle="--", label="the reference solution")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title)
    axes.legend(loc="upper left")
    _save(pyplot, figure, path)


def _save(pyplot, figure, path):
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def table(summary):
    """The summary as text for the terminal."""
    scores = list(summary["scores"].values())
    lines = [f"{summary['assignment']}: {summary['submissions']} submissions"]
    if scores:
        lines.append(
            f"  score: mean {sum(scores) / len(scores):.2f}, min {min(scores):g}, max {max(scores):g} "
            f"(out of {summary['max_score']:g})"
        )
    width = max(len(row["function"]) for row in summary["functions"])
    lines.append(f"  {'function':<{width}}  points  mean  full marks")
    for row in summary["functions"]:
        if row["mean_points"] is not None:
            lines.append(
                f"  {row['function']:<{width}}  {row['max_points']:>6g}  {row['mean_points']:4.2f}  "
                f"{row['full_marks_rate']:10.0%}"
            )
    measured = summary["measured"]
    if measured and measured["students"]:
        values = list(measured["students"].values())
        reference = f"{measured['reference']:.1f}" if measured["reference"] is not None else measured["reference_note"]
        lines.append(
            f"  {measured['name']}: class mean {sum(values) / len(values):.1f} over {len(values)} measured "
            f"agents; reference {reference}"
        )
    return "\n".join(lines)


def main(arguments):
    try:
        summary = summarise(arguments.assignment)
    except RecordingFailed as error:
        print(error, file=sys.stderr)
        return 1
    folder = write(summary)
    print(table(summary))
    print(
        f"written to {folder}/: scores.png, functions.png, functions.csv, summary.json"
        + (", measures.png" if summary["measured"] else "")
    )
    return 0
