"""Grader-side stand-ins for the helpers a graded function builds on.

While the grader tests ``train_policy_gradient``, the student's own
``play_multiple_episodes`` is replaced, for that call only, by a stand-in that the
grader serves: so a bug in one function does not cost the points of another, and
the grader knows exactly what the function under test was given.
"""
