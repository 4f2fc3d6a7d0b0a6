"""The course kit's grader: sandboxed student code, hidden tests in the grader's process."""
