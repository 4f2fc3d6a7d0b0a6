"""``python -m autograder``: grade a notebook, build the course, grade a whole assignment, summarise it, run
the demo, check the machine (doctor)."""

import argparse
import sys

from autograder import config
from autograder.faults import GraderFault
from autograder.grading.grade import dump, grade


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grading = commands.add_parser("grade", help="grade one submitted notebook with the hidden tests")
    grading.add_argument("assignment", help="assignment id, e.g. a1_policy_gradients")
    grading.add_argument("notebook", help="the submitted .ipynb file")
    grading.add_argument("--json", action="store_true", help="print the report as JSON")
    grading.add_argument(
        "--functions",
        nargs="+",
        metavar="FUNCTION",
        help="grade only these functions' tests (the score is out of their points)",
    )
    building = commands.add_parser("build", help="generate release/ and solutions/ from source/ with nbgrader")
    building.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    building.add_argument(
        "--check",
        action="store_true",
        help="only check that release/ and solutions/ match source/; exit 1 if they drift",
    )
    commands.add_parser("demo", help="run a course's whole cycle with nbgrader on the sample submissions")
    commands.add_parser("doctor", help="check that this machine can grade safely, and say how to fix what fails")
    autograding = commands.add_parser(
        "autograde",
        help="grade and record every collected submission of an assignment in parallel, through nbgrader's autograde",
    )
    autograding.add_argument("assignment", help="assignment id, e.g. a1_policy_gradients")
    autograding.add_argument(
        "--workers", type=int, default=0, help="submissions graded at once here (default: course_config BATCH.workers)"
    )
    autograding.add_argument(
        "--scheduler", default="", help="a Dask scheduler whose workers grade (default: BATCH.scheduler_address)"
    )
    autograding.add_argument("--force", action="store_true", help="grade again even what is unchanged")
    autograding.add_argument("--json", action="store_true", help="print the outcomes as JSON, no progress bar")
    summarising = commands.add_parser(
        "summary", help="an assignment's score histogram and per-function pass rates, from the gradebook"
    )
    summarising.add_argument("assignment", help="assignment id, e.g. a1_policy_gradients")
    ranking = commands.add_parser(
        "leaderboard", help="rank the class by what the grader measured of their trained agents, with replays"
    )
    ranking.add_argument("assignment", help="assignment id, e.g. a4_breakout_dqn")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "grade":
            return _grade(arguments)
        if arguments.command == "build":
            from autograder.course import build

            return build.main(arguments.assignments, arguments.check)
        if arguments.command == "autograde":
            from autograder.course import batch

            return batch.main(arguments)
        if arguments.command == "summary":
            from autograder.course import summary

            return summary.main(arguments)
        if arguments.command == "leaderboard":
            from autograder.course import leaderboard

            return leaderboard.main(arguments)
        if arguments.command == "doctor":
            from autograder.course import doctor

            return doctor.main()
        from autograder.course import demo

        return demo.main()
    except config.UnknownAssignment as error:
        parser.error(str(error))
    except GraderFault as fault:
        print(f"grader fault: {fault}", file=sys.stderr)
        return 1


def _grade(arguments):
    report = grade(arguments.assignment, arguments.notebook, arguments.functions)
    print(dump(report) if arguments.json else report.table())
    if report.grader_faults:
        print(
            "grader fault: hidden tests failed inside the grader: " + "; ".join(report.grader_faults), file=sys.stderr
        )
        return 1
    return 0
