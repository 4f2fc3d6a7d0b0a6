"""An assignment at a glance for the instructor: score distribution and per-function pass rates.

    python -m autograder summary a1_policy_gradients

Reads nbgrader's gradebook (final scores, after late penalties and any manual
grading) and writes ``summary/<assignment>/``: ``scores.png`` (a histogram of the
class's scores beside the reference solution's, which earns every point),
``functions.png`` and ``functions.csv`` (per graded function: mean points and the
share of submissions with full marks) and ``summary.json`` (all of it, for machines). nbgrader's
own ``nbgrader export`` writes the per-student CSV beside it.
"""

import csv
import json
import sys

from autograder import config
from autograder.course.nbgrader_ext.gradebook import CourseGradebook, RecordingFailed
from autograder.course.nbgrader_ext.setpoints import TEST_PREFIX


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
    }


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
    return folder


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _histogram(pyplot, summary, path):
    """The class's scores, and the reference solution's (every point) beside them."""
    from matplotlib.ticker import MaxNLocator

    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.hist(
        list(summary["scores"].values()), bins=20, range=(0, summary["max_score"]), color="#4878a8", label="the class"
    )
    axes.axvline(summary["max_score"], color="#c44e52", linestyle="--", label="the reference solution")
    axes.set_xlabel(f"score (out of {summary['max_score']:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"{summary['assignment']}: {summary['submissions']} submissions")
    axes.legend(loc="upper left")
    _save(pyplot, figure, path)


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
    return "\n".join(lines)


def main(arguments):
    try:
        summary = summarise(arguments.assignment)
    except RecordingFailed as error:
        print(error, file=sys.stderr)
        return 1
    folder = write(summary)
    print(table(summary))
    print(f"written to {folder}/: scores.png, functions.png, functions.csv, summary.json")
    return 0
