"""What the assignments' hidden tests need of the grader's own: environments and MDPs it serves, its NumPy
networks, Breakout games and weights, the tf-agents kit, and oracles that replay a student's loop. Built on
``grading``; the core never imports from here."""
