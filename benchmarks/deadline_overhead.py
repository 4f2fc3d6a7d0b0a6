"""What the load-aware time limits (``autograder/boundary/deadline.py``) cost a call, against plain wall-clock limits,
side by side in one run: the round trip of a trivial call, and of a call that runs 0.5 s.

    .venv/bin/python benchmarks/deadline_overhead.py [--calls 2000]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.boundary.deadline import Deadline
from autograder.boundary.sandbox import Sandbox
from autograder.grading.probes import Cell, Student

SOURCE = """
import time
def echo():
    return 1
def work():
    start = time.process_time()
    while time.process_time() - start < 0.5:
        pass
"""
LOAD_AWARE = Sandbox.deadline


def wall_clock(sandbox, limit_s, start=None):
    return Deadline(limit_s, None, sandbox.limits.max_stretch, start)


def per_call(student, fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        student.call(fn)
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    limits = config.load().LIMITS
    figures = {
        ("echo", "load-aware"): [],
        ("echo", "wall-clock"): [],
        ("work", "load-aware"): [],
        ("work", "wall-clock"): [],
    }
    with Student([Cell("cell", SOURCE)], limits, split_inputs=False) as student:
        student.call("echo")
        for _ in range(arguments.rounds):  # alternate, so both see the same machine
            for mode, deadline in (("load-aware", LOAD_AWARE), ("wall-clock", wall_clock)):
                Sandbox.deadline = deadline
                figures["echo", mode].append(per_call(student, "echo", arguments.calls) * 1e6)
                figures["work", mode].append(per_call(student, "work", 2) * 1e3)
        Sandbox.deadline = LOAD_AWARE
    for (fn, mode), values in figures.items():
        unit = "us" if fn == "echo" else "ms"
        print(
            f"{fn:5} {mode:11} median {statistics.median(values):8.1f} {unit} per call "
            f"(rounds: {', '.join(f'{value:.1f}' for value in values)})"
        )
    for fn in ("echo", "work"):
        ratio = statistics.median(figures[fn, "load-aware"]) / statistics.median(figures[fn, "wall-clock"])
        print(f"{fn}: load-aware / wall-clock = {ratio:.3f}")


if __name__ == "__main__":
    main()
