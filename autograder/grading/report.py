"""Hidden-test results turned into a report: JSON for machines, a table and feedback for people.

A ``TestCase`` is what a hidden test checks and is worth; a ``TestCaseResult``
is how one submission did on it. Feedback is written here from the failure the
test raised, so what a student reads is decided in one place.
"""

import base64
from dataclasses import dataclass, field

from autograder.grading.checks import Feedback, Mismatch
from autograder.grading.probes import CallFailed


@dataclass(frozen=True)
class TestCase:
    """One hidden test: the function it grades, what it checks, its hint and its points."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str
    function: str
    description: str
    hint: str
    max_points: float


@dataclass(frozen=True)
class TestCaseResult:
    """How one submission did on one test."""

    __test__ = False

    case: TestCase
    passed: bool
    feedback: str = ""
    grader_fault: str = ""
    """What went wrong inside the grader (for the instructor, never in the feedback); empty if nothing did."""
    seconds: float = 0.0

    @property
    def points(self):
        return self.case.max_points if self.passed else 0.0


@dataclass(frozen=True)
class Measure:
    """A score the grader measured itself, in its own environments from its own seeds (never a value the sandbox
    reported): what the feedback shows beside a replay, and what the leaderboard ranks."""

    function: str
    name: str
    value: float
    low: float = None
    """The lower end of a 95 % interval of ``value`` where it is a mean over episodes; else None."""
    high: float = None
    episodes: int = 1
    replay: bytes = b""
    """An animated GIF of one of the grader's own episodes; empty if none was recorded."""
    replay_caption: str = ""

    def to_json(self):
        return {
            "function": self.function,
            "name": self.name,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "episodes": self.episodes,
            "replay": base64.b64encode(self.replay).decode("ascii"),
            "replay_caption": self.replay_caption,
        }

    @classmethod
    def from_json(cls, data):
        return cls(
            str(data["function"]),
            str(data["name"]),
            float(data["value"]),
            _float_or_none(data["low"]),
            _float_or_none(data["high"]),
            int(data["episodes"]),
            base64.b64decode(data["replay"], validate=True),
            str(data["replay_caption"]),
        )


def _float_or_none(value):
    return None if value is None else float(value)


def result_from_failure(case, error):
    """The result of a failed test, with feedback written from what the test raised."""
    if isinstance(error, Feedback):
        lines = [f"Called: {error.call}", f"Problem: {error.problem}"]
        hint = error.hint or case.hint
    elif isinstance(error, Mismatch):
        lines, hint = [f"Problem: {error.hidden}"], error.hint or case.hint
    elif isinstance(error, CallFailed):
        lines, hint = [f"Problem: {error.explain(False)}"], case.hint
    else:
        return TestCaseResult(
            case,
            False,
            f"The grader itself failed on this test ({type(error).__name__}); "
            "this is not your fault and your instructor has been told.",
            f"{case.name}: {type(error).__name__}: {str(error)[:1000]}",
        )
    return TestCaseResult(case, False, "\n".join(lines + [f"Hint: {hint}"]))


@dataclass
class Report:
    """A submission's grade: every test's result, an error if the notebook could not be graded.

    The one type from the grader to the gradebook: the grading process prints ``to_json``, a batch worker gives
    back ``from_json`` of it, the report store keeps ``to_json`` and gives back ``from_json``.
    """

    assignment: str
    max_score: float
    results: list = field(default_factory=list)
    error: str = None
    notes: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    """The grader's own ``Measure``s of the submission's trained agents."""

    @classmethod
    def not_graded(cls, assignment, error):
        """A report of zero that says why: what a submission gets when it could not be graded."""
        return cls(assignment.id, float(assignment.max_score), error=error)

    @property
    def score(self):
        return round(sum(result.points for result in self.results), 2)

    @property
    def grader_faults(self):
        """What went wrong inside the grader, test by test."""
        return [result.grader_fault for result in self.results if result.grader_fault]

    def function_scores(self):
        """Points and max points per graded function, in test order."""
        scores = {}
        for result in self.results:
            got, total, passed, count = scores.get(result.case.function, (0.0, 0.0, 0, 0))
            scores[result.case.function] = (
                got + result.points,
                total + result.case.max_points,
                passed + result.passed,
                count + 1,
            )
        return scores

    def function_points(self, points):
        """{function: points earned} for ``points`` ({function: its points in course_config.py}), each between 0
        and the function's points."""
        scores = self.function_scores()
        return {
            function: min(float(most), max(0.0, round(scores.get(function, (0.0,))[0], 4)))
            for function, most in points.items()
        }

    def to_json(self):
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "notes": self.notes,
            "measures": [measure.to_json() for measure in self.measures],
            "tests": [
                {
                    "name": result.case.name,
                    "function": result.case.function,
                    "description": result.case.description,
                    "points": result.points,
                    "max_points": result.case.max_points,
                    "passed": result.passed,
                    "feedback": result.feedback,
                    "seconds": round(result.seconds, 3),
                }
                for result in self.results
            ],
        }

    @classmethod
    def from_json(cls, data):
        """The report ``to_json`` gave (the grader's own output, never a student's); ReportUnreadable if it is
        not one."""
        try:
            results = [
                TestCaseResult(
                    TestCase(test["name"], test["function"], test["description"], "", float(test["max_points"])),
                    test["passed"] is True,
                    str(test["feedback"]),
                    seconds=float(test["seconds"]),
                )
                for test in data["tests"]
            ]
            return cls(
                str(data["assignment"]),
                float(data["max_score"]),
                results,
                None if data["error"] is None else str(data["error"]),
                [str(note) for note in data["notes"]],
                [Measure.from_json(measure) for measure in data["measures"]],
            )
        except (KeyError, TypeError, ValueError) as problem:  # a bad base64 replay is a ValueError too
            raise ReportUnreadable(f"not a report ({type(problem).__name__}: {problem})") from None

    def table(self):
        """A readable summary: a row per function, then every failed test with its feedback."""
        lines = [f"{self.assignment}: {self.score:g} / {self.max_score:g}"]
        if self.error:
            lines.append(f"Error: {self.error}")
        lines += [f"Note: {note}" for note in self.notes]
        lines += [
            f"Measured ({measure.function}): {measure.name} {measure.value:.1f} over {measure.episodes} of the "
            "grader's episodes"
            for measure in self.measures
        ]
        width = max([len(name) for name in self.function_scores()] + [8])
        lines.append(f"  {'function':<{width}}  tests  points")
        for function, (got, total, passed, count) in self.function_scores().items():
            lines.append(f"  {function:<{width}}  {passed:>2}/{count:<2}  {got:5.2f} / {total:g}")
        failed = [result for result in self.results if not result.passed]
        if failed:
            lines.append("Failed tests:")
        for result in failed:
            lines.append(f"  x {result.case.function}: {result.case.description}")
            lines += [f"      {line}" for line in result.feedback.splitlines()]
        return "\n".join(lines)

    def function_feedback(self, function, earned, points):
        """Lines a student reads under a function's test cell: every test's outcome, and why a failed one failed."""
        results = [result for result in self.results if result.case.function == function]
        if not results:
            return [f"{function}: {earned:g} / {points:g} points (the grader could not run its tests)"]
        passed = sum(result.passed for result in results)
        lines = [f"{function}: {earned:g} / {points:g} points ({passed} of {len(results)} tests passed)"]
        for result in results:
            lines.append(f"  {'PASS' if result.passed else 'FAIL'}  {result.case.description}")
            lines += [f"        {line}" for line in result.feedback.splitlines()]
        return lines


class ReportUnreadable(Exception):
    """Data that is not a report ``Report.to_json`` wrote."""
