"""The code that runs inside the sandbox, next to the student's code.

It executes notebook cells, answers the grader's calls and turns results into
plain values. Once a student's cell has run, nothing here is trusted: the grader
believes only the values that come back, and checks them itself. This package
holds no reference solution, no hidden test and no expected value.
"""
