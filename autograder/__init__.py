"""The course kit's grader: sandboxed student code, hidden tests in the grader's process.

One folder per role, each importing only the ones listed before it: ``boundary`` (the sandbox and the
wire, with ``runner``, the code inside), ``grading`` (the assignment-agnostic core), ``assignments``
(the grader's own environments, networks and oracles that hidden tests use), ``course`` (batch,
nbgrader, demo, doctor). ``tests/<assignment>/`` holds the hidden tests.
"""
