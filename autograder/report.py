"""Hidden-test results turned into a report: JSON for machines, a table and feedback for people.

A ``TestCase`` is what a hidden test checks and is worth; a ``TestCaseResult``
is how one submission did on it. Feedback is written here from the failure the
test raised, so what a student reads is decided in one place.
"""

from dataclasses import dataclass, field

from autograder.checks import Feedback, Mismatch
from autograder.probes import CallFailed


@dataclass(frozen=True)
class TestCase:
    """One hidden test: the function it grades, what it checks, its hint and its points."""

    name: str
    function: str
    description: str
    hint: str
    max_points: float


@dataclass(frozen=True)
class TestCaseResult:
    """How one submission did on one test."""

    case: TestCase
    passed: bool
    feedback: str = ""
    grader_fault: str = ""
    """What went wrong inside the grader (for the instructor, never in the feedback); empty if nothing did."""
    seconds: float = 0.0

    @property
    def points(self):
        return self.case.max_points if self.passed else 0.0


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
        return TestCaseResult(case, False, f"The grader itself failed on this test ({type(error).__name__}); "
                                           "this is not your fault and your instructor has been told.",
                              f"{case.name}: {type(error).__name__}: {str(error)[:1000]}")
    return TestCaseResult(case, False, "\n".join(lines + [f"Hint: {hint}"]))


@dataclass
class Report:
    """A submission's grade: every test's result, an error if the notebook could not be graded."""

    assignment: str
    max_score: float
    results: list = field(default_factory=list)
    error: str = None
    notes: list = field(default_factory=list)

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
            scores[result.case.function] = (got + result.points, total + result.case.max_points,
                                            passed + result.passed, count + 1)
        return scores

    def to_json(self):
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "notes": self.notes,
            "tests": [{
                "name": result.case.name,
                "function": result.case.function,
                "description": result.case.description,
                "points": result.points,
                "max_points": result.case.max_points,
                "passed": result.passed,
                "feedback": result.feedback,
                "seconds": round(result.seconds, 3),
            } for result in self.results],
        }

    def table(self):
        """A readable summary: a row per function, then every failed test with its feedback."""
        lines = [f"{self.assignment}: {self.score:g} / {self.max_score:g}"]
        if self.error:
            lines.append(f"Error: {self.error}")
        lines += [f"Note: {note}" for note in self.notes]
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
