"""The grading core: a notebook's cells in a sandboxed student, the hidden tests run against it, one report.

Nothing here knows an assignment. What the hidden tests use is imported from this package itself
(``from autograder.grading import calling, graded, GraderEnv``), so that its modules can move without
touching a test: the checks and their feedback, the stand-ins a test passes to student code, and the
counting check behind every statistical test.
"""

from autograder.grading.checks import (
    Mismatch,
    calling,
    described_model,
    expect_array,
    expect_list,
    expect_scalar,
    expect_true,
    flag,
    graded,
    kind_of,
    number,
    seeded,
    statistical,
)
from autograder.grading.probes import (
    CallFailed,
    DQNModel,
    Generator,
    GraderEnv,
    Loss,
    Optimizer,
    PolicyModel,
    ReplayBuffer,
    inputs,
)
from autograder.grading.stats import CountCheck

__all__ = [
    "CallFailed",
    "CountCheck",
    "DQNModel",
    "Generator",
    "GraderEnv",
    "Loss",
    "Mismatch",
    "Optimizer",
    "PolicyModel",
    "ReplayBuffer",
    "calling",
    "described_model",
    "expect_array",
    "expect_list",
    "expect_scalar",
    "expect_true",
    "flag",
    "graded",
    "inputs",
    "kind_of",
    "number",
    "seeded",
    "statistical",
]
