"""What recording the replays costs, against the grading they are part of (goal: at most 10 %).

CartPole (A1's trained policy, A3's trained network): the recording of a whole
500-step episode (the longest there is: 250 frames drawn, then the GIF encoded),
next to a warm grading of the reference solution (``python -m autograder grade``,
a fresh process, the median of ``--repeat``). Breakout (A4's milestone): the
grader's 30 games played by a fixed policy with and without the replay of the
first, next to that play alone (the milestone's grading also runs the pipeline's
tests, so the share of the whole is smaller still).

    .venv/bin/python benchmarks/replay_cost.py [--repeat 3]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.assignments import atari, replays
from autograder.assignments.envs import cartpole

CAP = config.load().CYCLE.replay_bytes


def cartpole_recording():
    """Seconds to record and encode a whole 500-step episode; its GIF's size."""
    env = cartpole(500)
    observation, _ = env.reset(seed=0)
    replay = replays.cartpole_replay(0)
    started = time.perf_counter()
    for _ in range(500):
        observation, reward, terminated, truncated, _ = env.step(int(observation[2] + 0.5 * observation[3] > 0))
        replay.add(lambda: replays.cartpole_frame(env), reward)
        if terminated or truncated:
            break
    gif = replay.gif(CAP)
    return time.perf_counter() - started, len(gif), replay.steps


def warm_grading(assignment_id, repeat):
    notebook = config.path("solutions", assignment_id, f"{assignment_id}.ipynb")
    command = [sys.executable, "-m", "autograder", "grade", assignment_id, str(notebook), "--json"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # fills the caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def breakout_play(replay):
    settings = config.assignment("a4_breakout_dqn").grading
    started = time.perf_counter()
    atari.play(lambda observations: np.full(len(observations), 1 + (len(observations) % 3)), settings, replay=replay)
    gif = replay.gif(CAP) if replay is not None else b""
    return time.perf_counter() - started, len(gif)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    recorded = [cartpole_recording() for _ in range(arguments.repeat)]
    seconds = statistics.median(r[0] for r in recorded)
    print(
        f"CartPole: a {recorded[0][2]}-step episode recorded and encoded in {seconds:.3f} s, "
        f"GIF {recorded[0][1] / 1024:.0f} KiB"
    )
    print(f"{'assignment':<22} {'grading s':>9} {'recording s':>11} {'share':>6}")
    for assignment_id in ("a1_policy_gradients", "a3_deep_q_learning"):
        grading = warm_grading(assignment_id, arguments.repeat)
        print(f"{assignment_id:<22} {grading:9.2f} {seconds:11.3f} {seconds / grading:6.1%}")
    plain = statistics.median(breakout_play(None)[0] for _ in range(arguments.repeat))
    runs = [breakout_play(replays.breakout_replay(0)) for _ in range(arguments.repeat)]
    with_replay = statistics.median(run[0] for run in runs)
    print(
        f"{'a4 milestone games':<22} {plain:9.2f} {with_replay - plain:11.3f} {(with_replay - plain) / plain:6.1%}"
        f"   (GIF {runs[0][1] / 1024:.0f} KiB; the share is of the 30 games' play alone)"
    )


if __name__ == "__main__":
    main()
