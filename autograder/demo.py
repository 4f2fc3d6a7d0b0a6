"""The main job, end to end: build the course, grade the sample submissions, show grades and feedback.

Sample submissions live in ``examples/submissions/<assignment>/<student>.ipynb``.
Each student's feedback goes to ``feedback/<student>/<assignment>.txt`` (and the
full report to ``.json`` beside it).
"""

import json

from autograder import build, config
from autograder.grade import grade


def main():
    course = config.load()
    if build.main([], check_only=False):
        return 1
    grades = {}
    for assignment in course.ASSIGNMENTS:
        for path in sorted(config.path("examples", assignment.id).glob("*.ipynb")):
            student = path.stem
            print(f"\n=== {student} / {assignment.id} ===")
            report = grade(assignment.id, path)
            print(report.table())
            folder = config.path("feedback", student)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{assignment.id}.txt").write_text(report.table() + "\n")
            (folder / f"{assignment.id}.json").write_text(json.dumps(report.to_json(), indent=2) + "\n")
            grades[student, assignment.id] = (report.score, report.max_score)
    print("\n=== Grades ===")
    for (student, assignment_id), (score, max_score) in grades.items():
        print(f"  {student:<12} {assignment_id:<24} {score:6.2f} / {max_score:g}")
    print(f"\nFeedback for each student: {config.path('feedback')}/<student>/<assignment>.txt")
    return 0
